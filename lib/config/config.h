/*
 * config.h — tend.yaml: one file configures tend. Every field has a default
 * that works for a single cluster; an unknown or malformed field is an error
 * naming the file, line, column and field ("tend.yaml:7:3: source: unknown
 * field \"branh\"").
 *
 * Memory: a tend_config owns all its strings until tend_config_free().
 */
#ifndef TEND_CONFIG_H
#define TEND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

typedef struct tend_source_auth {
	char *token_file;       /* https: token used as the password */
	char *username;         /* https basic auth / ssh user */
	char *password_file;    /* https basic auth */
	char *ssh_key_file;     /* ssh private key */
	char *known_hosts_file; /* ssh host keys; unknown hosts are refused */
	bool insecure_ignore_host_key;
	char *ca_file; /* extra CA bundle for https */
} tend_source_auth;

/* Frees a's strings (lib/source keeps its own resolved copy of a config's auth). */
void tend_source_auth_free(tend_source_auth *a);

typedef struct tend_source_config {
	char *url;      /* https://, ssh://, git@host:path, file://, or a directory */
	char *branch;   /* default "main" */
	char *revision; /* a sha or tag; overrides branch */
	int64_t interval_ms;
	char *cache_dir;
	tend_source_auth auth;
	int64_t max_file_size; /* blobs larger are never loaded nor checked out */
} tend_source_config;

typedef struct tend_generator_rule {
	tend_strvec directories; /* globs, `*` = one path segment */
	tend_strvec exclude;
	bool trusted;
	bool substitute;   /* post-build ${var} substitution */
	bool name_by_path; /* naming: path — apps/x/app is apps-x-app, not app */
} tend_generator_rule;

/*
 * A sync.ignoreDifferences rule (Argo CD's semantics): on the objects it
 * matches, the fields it names are neither compared nor taken back once the
 * object exists — by JSON pointer, or every field another manager owns.
 */
typedef struct tend_ignore_rule {
	char *group;		   /* NULL: any group; "" the core group */
	char *kind;		   /* "*": any */
	char *name;		   /* NULL: any */
	char *namespace;	   /* NULL: any */
	tend_strvec json_pointers; /* "/spec/replicas" (RFC 6901) */
	tend_strvec managers;	   /* managedFieldsManagers: "kube-controller-manager" */
} tend_ignore_rule;

/* Sync options project.yaml may set when sync.projectOptions lists them. */
#define TEND_PROJECT_OPTION_SUSPEND   0x1
#define TEND_PROJECT_OPTION_SELF_HEAL 0x2

typedef struct tend_sync_config {
	bool prune;
	bool self_heal;
	bool force;
	int64_t resync_ms;
	int prune_guard_percent;
	int64_t prune_guard_window_ms; /* removals counted over this long (0: per revision) */
	bool adopt;                /* take over live objects no project tracks */
	char *inventory_namespace; /* where per-project inventories live */
	int concurrency;           /* API requests in flight during a sync */
	tend_ignore_rule *ignore;  /* sync.ignoreDifferences */
	size_t n_ignore;
	unsigned project_options; /* TEND_PROJECT_OPTION_* allowed in project.yaml */
} tend_sync_config;

typedef struct tend_cluster_config {
	char *kubeconfig;
	char *context;
	double qps; /* client-side request rate limit (default 50) */
	int burst;  /* default 100 */
} tend_cluster_config;

typedef struct tend_serve_config {
	char *listen;
	char *github_secret_file; /* webhook HMAC secret; NULL: /webhook/github refused */
	char *gitlab_token_file;  /* webhook token; NULL: /webhook/gitlab refused */
	bool allow_actions;       /* the status page's "sync now" and "refresh source" */
	char *action_token_file;  /* bearer token those actions need; required with them */
	char *probe_listen;       /* a second listener for /healthz and /readyz only, or NULL */
	tend_strvec allowed_hosts; /* Host names served (IP literals always); empty: any */
} tend_serve_config;

/* Commit statuses: after a sync of a changed project, its outcome as a
 * status "tend/<project>" on the commit that changed it, on GitHub or
 * GitLab. provider NULL: off. */
typedef struct tend_commit_status_config {
	char *provider;   /* "github" | "gitlab" */
	char *api_url;    /* GitHub's or GitLab's REST API base ("https://HOST/api/v4") */
	char *repository; /* "owner/name" (GitHub) or the project's path or id (GitLab) */
	char *token_file; /* a token that may write commit statuses */
	char *page_url;   /* the status page as users reach it: each status links there */
} tend_commit_status_config;

/* A quota ceiling: resource name -> the largest value a tenant may ask for. */
typedef struct tend_ceiling {
	char *resource; /* e.g. "requests.nvidia.com/gpu" */
	char *value;    /* a Kubernetes quantity, e.g. "4", "512Gi" */
} tend_ceiling;

/* An add-on a grant in project.yaml unlocks, and the ceilings it raises. */
typedef struct tend_addon_rule {
	char *name; /* matches the component directory's base name */
	bool requires_grant;
	tend_ceiling *ceilings;
	size_t n_ceilings;
} tend_addon_rule;

typedef struct tend_guard_config {
	tend_strvec allow_cluster_kinds; /* besides the project's own Namespace */
	tend_strvec deny_kinds;          /* "Kind" or "group/Kind" */
	tend_strvec allowed_groups;      /* groups any RoleBinding may name */
	tend_strvec tenant_groups;       /* the tenant's own groups; "${group}" is project.yaml group */
	tend_strvec platform_kinds;      /* kinds only shared bases and add-ons may define */
	/* The allow-list of kinds a tenant's own files may create: "group/Kind",
	 * a bare "Kind" for the core API group, "group/" "*" for a whole group.
	 * Read it through tend_guard_tenant_kinds() (lib/guard). */
	tend_strvec tenant_kinds;
	tend_strvec bindable_roles; /* ClusterRoles a tenant RoleBinding may name */
	/* Namespaces no project may claim ("kube-" "*" is a prefix). The
	 * inventory namespace is always added (tend_config_load). */
	tend_strvec reserved_namespaces;
	/* Where platform-owned content lives, relative to the config repo's
	 * root: the tenant base (default [base]) and the add-ons, one
	 * Component directory each (default [overlays]). Content is platform's
	 * by its resolved path under these, never by a directory's name. */
	tend_strvec base_roots;
	tend_strvec addons_roots;
	int grant_warning_days; /* warn this many days before a grant's until (default 14) */
	tend_ceiling *ceilings;
	size_t n_ceilings;
	tend_addon_rule *addons;
	size_t n_addons;
	bool expired_grants_are_errors; /* else warnings */
	tend_strvec require_metadata;    /* project.yaml fields: owners, contact, group */
} tend_guard_config;

typedef struct tend_config {
	char *file; /* path it was loaded from */
	char *base_dir; /* directory of that file: relative paths resolve here */
	tend_source_config source;
	tend_generator_rule *rules;
	size_t n_rules;
	tend_sync_config sync;
	tend_cluster_config cluster;
	tend_serve_config serve;
	tend_guard_config guard;
	tend_commit_status_config commit_status;
} tend_config;

/*
 * The guard of a config repo: a file (`.tend/guard.yaml` at the repo's root)
 * holding the fields of tend.yaml's `guard:` section at its top level, over
 * the defaults; inventory_ns (sync.inventoryNamespace) stays reserved. On
 * error g is left freed and the message names file, line and field.
 */
int tend_guard_config_load(const char *path, const char *inventory_ns, tend_guard_config *g);
void tend_guard_config_free(tend_guard_config *g);

/* Fills cfg with every default (used when no file is given). */
void tend_config_defaults(tend_config *cfg);
/* Loads and validates a tend.yaml; on error cfg is left freed. */
int tend_config_load(const char *path, tend_config *cfg);
void tend_config_free(tend_config *cfg);

/* A path from tend.yaml, resolved against the file's directory unless it is
 * absolute or a URL (caller frees). */
char *tend_config_path(const tend_config *cfg, const char *path);

/* Strict "90s", "5m", "1h30m", "250ms"; returns -1 on anything else. */
int tend_parse_duration(const char *s, int64_t *ms);
/* Strict "25%" (0..100). */
int tend_parse_percent(const char *s, int *percent);

#endif
