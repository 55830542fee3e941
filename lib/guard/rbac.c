/*
 * rbac.c — tend's ClusterRole from one source. What tend may touch is the
 * kinds tenants may use (guard.tenantKinds) plus the kinds every project
 * renders (the platform directory, the tenant base and its add-ons); what
 * it may bind is guard.bindableRoles plus the ClusterRoles the rendered
 * bindings name. Invariant: least privilege — no wildcards, no impersonate,
 * no token or escalate verbs; `bind` only with resourceNames.
 */
#include "guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "group/resource" keys, kept once each. */
static void add(tend_rbac_role *r, const char *group, const char *resource)
{
	char *key = tend_xasprintf("%s/%s", group, resource);
	if (tend_strset_add(&r->resources_seen, key))
		tend_strvec_push(&r->resources, key);
	free(key);
}

static void add_bind(tend_rbac_role *r, const char *role)
{
	if (tend_strset_add(&r->binds_seen, role))
		tend_strvec_push(&r->binds, role);
}

int tend_rbac_role_init(tend_rbac_role *r, const tend_guard_config *g)
{
	memset(r, 0, sizeof(*r));
	add(r, "", "namespaces"); /* every project's namespace is tend's */
	tend_kind_refs kinds;
	if (tend_guard_tenant_kinds(g, &kinds)) {
		tend_rbac_role_free(r);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < kinds.len && !rc; i++) {
		if (strcmp(kinds.items[i].resource, "*") == 0)
			rc = tend_err("guard.tenantKinds grants all of %s: name its kinds "
			              "(tend grants no wildcards)",
			              kinds.items[i].group[0] ? kinds.items[i].group
			                                      : "the core group");
		else
			add(r, kinds.items[i].group, kinds.items[i].resource);
	}
	tend_kind_refs_free(&kinds);
	for (size_t i = 0; i < g->bindable_roles.len; i++)
		add_bind(r, g->bindable_roles.items[i]);
	if (rc)
		tend_rbac_role_free(r);
	return rc;
}

void tend_rbac_role_add(tend_rbac_role *r, const tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		const cJSON *o = m->items[i].obj;
		const char *av =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "apiVersion"));
		const char *kind =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind"));
		if (!av || !kind)
			continue;
		const char *slash = strrchr(av, '/');
		char *group = slash ? tend_xstrndup(av, (size_t)(slash - av)) : tend_xstrdup("");
		char *resource = tend_kind_resource(kind);
		add(r, group, resource);
		free(resource);
		free(group);
		if (strcmp(kind, "RoleBinding") == 0 || strcmp(kind, "ClusterRoleBinding") == 0) {
			const cJSON *ref = cJSON_GetObjectItemCaseSensitive(o, "roleRef");
			const char *rk =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "kind"));
			const char *rn =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "name"));
			if (rk && rn && strcmp(rk, "ClusterRole") == 0)
				add_bind(r, rn);
		}
	}
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void tend_rbac_role_print(tend_rbac_role *r, FILE *out)
{
	if (r->resources.len > 1)
		qsort(r->resources.items, r->resources.len, sizeof(char *), by_str);
	if (r->binds.len > 1)
		qsort(r->binds.items, r->binds.len, sizeof(char *), by_str);
	fprintf(out,
	        "# tend's ClusterRole, printed by `tend rbac -c examples/tend.yaml`: do not edit;\n"
	        "# change guard.tenantKinds / guard.bindableRoles or the config repo and print it\n"
	        "# again. It grants the kinds tenants may use and the kinds the projects render,\n"
	        "# with what server-side apply (patch), drift detection (list, watch) and prune\n"
	        "# (delete) need; `bind` only on the ClusterRoles tenants and the platform bind.\n"
	        "# No wildcards, no impersonate, no serviceaccounts/token, no escalate.\n"
	        "apiVersion: rbac.authorization.k8s.io/v1\n"
	        "kind: ClusterRole\n"
	        "metadata:\n"
	        "  name: tend\n"
	        "rules:\n");
	for (size_t i = 0; i < r->resources.len;) {
		const char *g = r->resources.items[i];
		size_t glen = (size_t)(strchr(g, '/') - g);
		fprintf(out, "- apiGroups: [\"%.*s\"]\n  resources: [", (int)glen, g);
		size_t j = i;
		for (; j < r->resources.len && strncmp(r->resources.items[j], g, glen + 1) == 0;
		     j++)
			fprintf(out, "%s%s", j > i ? ", " : "", r->resources.items[j] + glen + 1);
		fprintf(out, "]\n  verbs: [get, list, watch, create, update, patch, delete]\n");
		i = j;
	}
	fprintf(out, "# Events on the objects tend reverts, prunes or cannot apply, where\n"
	             "# tenants look (kubectl get events); tend never reads or changes them.\n"
	             "- apiGroups: [\"\"]\n"
	             "  resources: [events]\n"
	             "  verbs: [create]\n");
	fprintf(out, "# CRDs a project ships are waited for until Established.\n"
	             "- apiGroups: [apiextensions.k8s.io]\n"
	             "  resources: [customresourcedefinitions]\n"
	             "  verbs: [get, list, watch]\n");
	if (r->binds.len) {
		fprintf(out, "# A binding may only name a role its writer holds or may `bind`.\n"
		             "- apiGroups: [rbac.authorization.k8s.io]\n"
		             "  resources: [clusterroles]\n"
		             "  verbs: [bind]\n"
		             "  resourceNames: [");
		for (size_t i = 0; i < r->binds.len; i++)
			fprintf(out, "%s%s", i ? ", " : "", r->binds.items[i]);
		fprintf(out, "]\n");
	}
}

void tend_rbac_role_free(tend_rbac_role *r)
{
	tend_strvec_free(&r->resources);
	tend_strvec_free(&r->binds);
	tend_strset_free(&r->resources_seen);
	tend_strset_free(&r->binds_seen);
	memset(r, 0, sizeof(*r));
}
