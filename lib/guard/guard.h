/*
 * guard.h — tenant guardrails: what a non-trusted project's rendered
 * objects may contain. Checked by `tend check`, `tend render -c` and by the
 * daemon before any apply; a project with an error-level violation is not
 * applied at all. Pure: never calls the cluster.
 *
 * Rules (ids in parentheses):
 *   (namespace)   namespaced objects only in the project's own namespace
 *   (cluster-scope) cluster-scoped kinds only the project's own Namespace,
 *                 plus guard.allowClusterKinds
 *   (kind)        no kind from guard.denyKinds; no kind from
 *                 guard.platformKinds (ResourceQuota, LimitRange) defined in
 *                 the project's own directory: only shared bases and add-ons
 *   (rbac)        no binding to cluster-admin; `admin` only to the tenant's
 *                 own groups (guard.tenantGroups: ${group}, ${group}-admins,
 *                 ${group}-viewers); other Group subjects only from
 *                 guard.allowedGroups; User subjects only project owners;
 *                 ServiceAccounts only from the project's namespace. A
 *                 binding from a granted add-on's directory (extra-editors)
 *                 may name other groups and users, never with admin
 *   (ceiling)     ResourceQuota values within guard.ceilings, raised by the
 *                 ceilings of add-ons the project holds a live grant for
 *   (addon)       add-ons that require a grant are used only with one
 *   (grant-expired) grants whose `until` has passed
 *   (metadata)    project.yaml fields named in guard.requireMetadata
 */
#ifndef TEND_GUARD_H
#define TEND_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../config/config.h"
#include "../generator/generator.h"
#include "../kustomize/kustomize.h"

typedef struct tend_violation {
	char *project;
	char *object;  /* "Kind/namespace/name", or "" for project-level rules */
	char *file;    /* where to fix it, relative to the repo */
	int line;      /* 0 when unknown */
	char *rule;    /* one of the ids above */
	char *message;
	char *fix;     /* how to fix it */
	bool warning;  /* true: reported, not blocking */
} tend_violation;

typedef struct tend_violations {
	tend_violation *items;
	size_t len;
	size_t cap;
} tend_violations;

/*
 * Checks one project's rendered objects. `kustomization` is the project's
 * own kustomization file (to see which add-ons it uses; NULL to skip that
 * rule); `today` is "YYYY-MM-DD". File names in `objects` that start with
 * `root` + "/" are reported relative to it. Appends to `out`.
 */
void tend_guard_check(const tend_guard_config *g, const tend_project *p, const char *root,
		      const tend_resmap *objects, const char *today, tend_violations *out);

/* The config repo's own guard, at its root. */
#define TEND_GUARD_FILE ".tend/guard.yaml"

/*
 * The guard a revision (checked out at `root`) is judged by: its
 * TEND_GUARD_FILE when it has one (loaded into *own), else cfg's `guard:`
 * section. NULL (tend_err, naming the file, line and field) when the file
 * does not load. The caller frees *own with tend_guard_config_free either way.
 */
const tend_guard_config *tend_guard_for(const tend_config *cfg, const char *root,
					tend_guard_config *own);

/*
 * Grants reclaim: the project's kustomization without the components of
 * add-ons whose grant has expired on `today` (by resolved path under
 * guard.addonsRoots), for tend_kustomize_opts.kustomization; their names are
 * pushed to `reclaimed`. NULL (nothing to reclaim) for most projects. The
 * project is then rendered, checked and applied without them, so the quota
 * falls back and the add-on's objects are pruned; nothing else stops.
 * Caller frees with cJSON_Delete.
 */
cJSON *tend_guard_reclaim(const tend_guard_config *g, const tend_project *p, const char *root,
			  const char *today, tend_strvec *reclaimed);

/* The project's kustomization without the components of `addon` (by
 * resolved path under guard.addonsRoots), for tend_kustomize_opts.
 * kustomization: what the project would be without that grant. NULL when
 * the add-on is not one of its components. Caller frees with cJSON_Delete. */
cJSON *tend_guard_without_addon(const tend_guard_config *g, const tend_project *p,
				const char *root, const char *addon);

/* tend_guard_check of a render made without the `reclaimed` add-ons: their
 * expired grants are warnings ("reclaimed"), not errors. */
void tend_guard_check_reclaimed(const tend_guard_config *g, const tend_project *p,
				const char *root, const tend_resmap *objects, const char *today,
				const tend_strvec *reclaimed, tend_violations *out);

/*
 * (schema) What the API server would reject, checked before merge, for
 * every project, trusted or not: object names, namespaces and labels,
 * quantities in ResourceQuotas, LimitRanges and containers, RoleBinding
 * shape, containers without name or image, GPU requests that differ from
 * their limits. A hand-written subset for the kinds projects are made of,
 * not an OpenAPI validation; other kinds pass unchecked.
 */
void tend_guard_schema(const tend_project *p, const char *root, const tend_resmap *objects,
		       tend_violations *out);

/* Appends a violation (strings copied; object and fix may be NULL). Used for
 * what is not a guardrail but blocks a project all the same: a render error,
 * a bad project.yaml. */
void tend_violations_add(tend_violations *v, const char *project, const char *object,
			 const char *file, int line, const char *rule, const char *message,
			 const char *fix, bool warning);

/* Number of error-level (blocking) violations. */
size_t tend_guard_errors(const tend_violations *v);
void tend_violations_free(tend_violations *v);

/*
 * guard.tenantKinds as data, for the guard and for `tend rbac` (which grants
 * tend these kinds in tenant namespaces). group "" is the core API group;
 * kind and resource are "*" for a whole group; resource is the plural RBAC
 * names ("networkpolicies"). The refs own their strings.
 */
typedef struct tend_kind_ref {
	char *group;
	char *kind;
	char *resource;
} tend_kind_ref;

typedef struct tend_kind_refs {
	tend_kind_ref *items;
	size_t len;
} tend_kind_refs;

/* Fills out with the effective guard.tenantKinds; -1 (tend_err) on a malformed entry. */
int tend_guard_tenant_kinds(const tend_guard_config *g, tend_kind_refs *out);
void tend_kind_refs_free(tend_kind_refs *k);
/* Whether apiVersion/kind is on guard.tenantKinds. */
bool tend_guard_tenant_kind(const tend_guard_config *g, const char *api_version,
			    const char *kind);
/* The guard.reservedNamespaces entry ns matches ("kube-*" is a prefix), or
 * NULL. The effective list (tend_config_load) always holds the inventory
 * namespace; g->bindable_roles is the effective list of bindable ClusterRoles. */
const char *tend_guard_namespace_reserved(const tend_guard_config *g, const char *ns);

/* The RBAC resource of a kind: lower case, plural as the API server names it. */
char *tend_kind_resource(const char *kind);

/*
 * tend's ClusterRole (`tend rbac`): the kinds guard.tenantKinds lets tenants
 * use plus the kinds the rendered projects hold, with the verbs sync, drift
 * detection and prune need, and `bind` on guard.bindableRoles plus the
 * ClusterRoles the rendered bindings name.
 */
typedef struct tend_rbac_role {
	tend_strvec resources; /* "group/resource" */
	tend_strvec binds;     /* ClusterRole names */
	tend_strset resources_seen, binds_seen;
} tend_rbac_role;

/* Starts from guard g; -1 (tend_err, nothing left to free) on a malformed or
 * wildcard tenantKinds entry. */
int tend_rbac_role_init(tend_rbac_role *r, const tend_guard_config *g);
/* Adds the kinds and bound ClusterRoles of one rendered project. */
void tend_rbac_role_add(tend_rbac_role *r, const tend_resmap *m);
/* Prints the ClusterRole as YAML, rules sorted. */
void tend_rbac_role_print(tend_rbac_role *r, FILE *out);
void tend_rbac_role_free(tend_rbac_role *r);

/* Whether a kind is cluster-scoped (built-ins, Kueue, Kyverno); unknown kinds are namespaced. */
bool tend_guard_cluster_scoped(const char *api_version, const char *kind);

/* Compares two Kubernetes quantities ("500m", "4", "1.5Gi"): sets *cmp to <0, 0 or >0.
 * Returns -1 when either is not a quantity. */
int tend_quantity_cmp(const char *a, const char *b, int *cmp);
/* The value of a quantity ("1500m" -> 1.5); -1 when s is not one. */
int tend_quantity_value(const char *s, long double *out);

#endif
