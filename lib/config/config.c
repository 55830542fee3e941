/*
 * config.c — loading and validating tend.yaml.
 *
 * Invariant: a field the file names is either understood and stored, or
 * the whole load fails naming it; defaults fill everything else, so an
 * empty file is a valid configuration for a single cluster.
 */
#include "config.h"

#include "../doc/doc.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
	const char *file;
} ctx;

static int fail(const ctx *c, const cJSON *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const ctx *c, const cJSON *node, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tend_doc_line(node) && tend_doc_col(node))
		return tend_err("%s:%d:%d: %s", c->file, tend_doc_line(node), tend_doc_col(node), msg);
	if (tend_doc_line(node)) /* numbers carry no column */
		return tend_err("%s:%d: %s", c->file, tend_doc_line(node), msg);
	return tend_err("%s: %s", c->file, msg);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static int check_keys(const ctx *c, const cJSON *obj, const char *section,
		      const char *const *allowed)
{
	if (!cJSON_IsObject(obj))
		return fail(c, obj, "%s: must be a mapping", section);
	for (const cJSON *f = obj->child; f; f = f->next)
		if (!in_list(f->string, allowed)) {
			const char *near = tend_suggest(f->string, allowed);
			return near ? fail(c, f, "%s: unknown field \"%s\" (did you mean \"%s\"?)",
					   section, f->string, near)
				    : fail(c, f, "%s: unknown field \"%s\"", section, f->string);
		}
	return 0;
}

static int get_string(const ctx *c, const cJSON *obj, const char *section, const char *key,
		      char **dst)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return fail(c, v, "%s.%s: must be a string", section, key);
	free(*dst);
	*dst = tend_xstrdup(v->valuestring);
	return 0;
}

static int get_bool(const ctx *c, const cJSON *obj, const char *section, const char *key,
		    bool *dst)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return fail(c, v, "%s.%s: must be true or false", section, key);
	*dst = cJSON_IsTrue(v);
	return 0;
}

static int get_duration(const ctx *c, const cJSON *obj, const char *section, const char *key,
			int64_t *dst)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	int64_t ms;
	if (!cJSON_IsString(v) || tend_parse_duration(v->valuestring, &ms) || ms <= 0)
		return fail(c, v, "%s.%s: not a duration (write e.g. 90s, 5m or 1h30m)", section,
			    key);
	*dst = ms;
	return 0;
}

/* A size in bytes: a number, or a string with Ki, Mi or Gi ("8Mi"). */
static int get_size(const ctx *c, const cJSON *obj, const char *section, const char *key,
		    int64_t *dst)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	double n = -1;
	if (cJSON_IsNumber(v)) {
		n = v->valuedouble;
	} else if (cJSON_IsString(v)) {
		char *end = NULL;
		n = strtod(v->valuestring, &end);
		if (end == v->valuestring)
			n = -1;
		else if (strcmp(end, "Ki") == 0)
			n *= 1024;
		else if (strcmp(end, "Mi") == 0)
			n *= 1024 * 1024;
		else if (strcmp(end, "Gi") == 0)
			n *= 1024.0 * 1024 * 1024;
		else if (*end)
			n = -1;
	}
	if (!(n >= 1 && n <= 1099511627776.0) || n != (double)(int64_t)n)
		return fail(c, v, "%s.%s: not a size (write bytes, or e.g. 512Ki, 16Mi)", section,
			    key);
	*dst = (int64_t)n;
	return 0;
}

static int get_strlist(const ctx *c, const cJSON *obj, const char *section, const char *key,
		       tend_strvec *dst)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return fail(c, v, "%s.%s: must be a list of strings", section, key);
	const cJSON *it;
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it) || !it->valuestring[0])
			return fail(c, it, "%s.%s: entries must be non-empty strings", section, key);
		tend_strvec_push(dst, it->valuestring);
	}
	return 0;
}

static void guard_defaults(tend_guard_config *g, const char *inventory_ns);

void tend_config_defaults(tend_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->source.url = tend_xstrdup(".");
	cfg->source.branch = tend_xstrdup("main");
	cfg->source.interval_ms = 60000;
	cfg->source.max_file_size = 16 << 20; /* TEND_DOC_MAX_BYTES: no larger file is read */
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (cache && *cache)
		cfg->source.cache_dir = tend_xasprintf("%s/tend", cache);
	else if (home && *home)
		cfg->source.cache_dir = tend_xasprintf("%s/.cache/tend", home);
	else
		cfg->source.cache_dir = tend_xstrdup("/var/cache/tend");
	cfg->rules = tend_xcalloc(1, sizeof(*cfg->rules));
	cfg->n_rules = 1;
	tend_strvec_push(&cfg->rules[0].directories, "projects/*");
	cfg->sync = (tend_sync_config){.prune = true, .self_heal = true, .force = true,
				       .resync_ms = 300000, .prune_guard_percent = 25,
				       .prune_guard_window_ms = 3600000,
				       .inventory_namespace = tend_xstrdup("tend-system"),
				       .concurrency = 16};
	cfg->cluster.kubeconfig = tend_xstrdup("");
	cfg->cluster.context = tend_xstrdup("");
	cfg->cluster.qps = 50;
	cfg->cluster.burst = 100;
	cfg->serve.listen = tend_xstrdup("127.0.0.1:8080");
	cfg->base_dir = tend_xstrdup(".");
	guard_defaults(&cfg->guard, cfg->sync.inventory_namespace);
}

static void guard_defaults(tend_guard_config *g, const char *inventory_ns)
{
	static const char *const deny[] = {
		"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
		"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
		"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
		"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "APIService",
		"PriorityClass", "kueue.x-k8s.io/ResourceFlavor", "kueue.x-k8s.io/ClusterQueue",
		"kueue.x-k8s.io/Cohort", "kueue.x-k8s.io/WorkloadPriorityClass",
		"kueue.x-k8s.io/AdmissionCheck", "kyverno.io/ClusterPolicy", "kyverno.io/Policy",
		"kyverno.io/PolicyException", "kyverno.io/ClusterCleanupPolicy",
		"kyverno.io/CleanupPolicy", "policies.kyverno.io/*", NULL};
	for (int i = 0; deny[i]; i++)
		tend_strvec_push(&g->deny_kinds, deny[i]);
	/* the base binds admin, edit and view to these (base/project/rbac.yaml) */
	tend_strvec_push(&g->tenant_groups, "${group}");
	tend_strvec_push(&g->tenant_groups, "${group}-admins");
	tend_strvec_push(&g->tenant_groups, "${group}-viewers");
	tend_strvec_push(&g->platform_kinds, "ResourceQuota");
	tend_strvec_push(&g->platform_kinds, "LimitRange");
	/* what researchers run; anything else comes from the base or an add-on */
	static const char *const tenant[] = {
		"apps/Deployment", "apps/StatefulSet", "batch/Job", "batch/CronJob", "Pod", "Service",
		"ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount",
		"policy/PodDisruptionBudget", "autoscaling/HorizontalPodAutoscaler",
		"rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/RoleBinding",
		"networking.k8s.io/NetworkPolicy", NULL};
	for (int i = 0; tenant[i]; i++)
		tend_strvec_push(&g->tenant_kinds, tenant[i]);
	tend_strvec_push(&g->bindable_roles, "admin");
	tend_strvec_push(&g->bindable_roles, "edit");
	tend_strvec_push(&g->bindable_roles, "view");
	tend_strvec_push(&g->reserved_namespaces, "kube-*");
	tend_strvec_push(&g->reserved_namespaces, "openshift-*");
	tend_strvec_push(&g->reserved_namespaces, "openshift");
	tend_strvec_push(&g->reserved_namespaces, "default");
	tend_strvec_push(&g->reserved_namespaces, inventory_ns);
	tend_strvec_push(&g->base_roots, "base");
	tend_strvec_push(&g->addons_roots, "overlays");
	g->grant_warning_days = 14;
	g->expired_grants_are_errors = true;
}

/* The inventory namespace is tend's own: reserved whatever the list says. */
static void reserve_inventory(tend_guard_config *g, const char *inventory_ns)
{
	tend_strvec *r = &g->reserved_namespaces;
	for (size_t i = 0; i < r->len; i++)
		if (strcmp(r->items[i], inventory_ns) == 0)
			return;
	tend_strvec_push(r, inventory_ns);
}

static int load_source(const ctx *c, const cJSON *s, tend_source_config *src)
{
	static const char *const keys[] = {"url",      "branch", "revision",    "interval",
					   "cacheDir", "auth",   "maxFileSize", NULL};
	static const char *const auth_keys[] = {"tokenFile",    "username",       "passwordFile",
						"sshKeyFile",   "knownHostsFile", "caFile",
						"insecureIgnoreHostKey", NULL};
	if (check_keys(c, s, "source", keys) || get_string(c, s, "source", "url", &src->url) ||
	    get_string(c, s, "source", "branch", &src->branch) ||
	    get_string(c, s, "source", "revision", &src->revision) ||
	    get_duration(c, s, "source", "interval", &src->interval_ms) ||
	    get_string(c, s, "source", "cacheDir", &src->cache_dir) ||
	    get_size(c, s, "source", "maxFileSize", &src->max_file_size))
		return -1;
	if (!src->url[0])
		return fail(c, cJSON_GetObjectItemCaseSensitive(s, "url"), "source.url: empty");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, "auth");
	if (!a || cJSON_IsNull(a))
		return 0;
	tend_source_auth *au = &src->auth;
	return check_keys(c, a, "source.auth", auth_keys) ||
	       get_string(c, a, "source.auth", "tokenFile", &au->token_file) ||
	       get_string(c, a, "source.auth", "username", &au->username) ||
	       get_string(c, a, "source.auth", "passwordFile", &au->password_file) ||
	       get_string(c, a, "source.auth", "sshKeyFile", &au->ssh_key_file) ||
	       get_string(c, a, "source.auth", "knownHostsFile", &au->known_hosts_file) ||
	       get_string(c, a, "source.auth", "caFile", &au->ca_file) ||
	       get_bool(c, a, "source.auth", "insecureIgnoreHostKey", &au->insecure_ignore_host_key)
		       ? -1
		       : 0;
}

static void free_rules(tend_config *cfg)
{
	for (size_t i = 0; i < cfg->n_rules; i++) {
		tend_strvec_free(&cfg->rules[i].directories);
		tend_strvec_free(&cfg->rules[i].exclude);
	}
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->n_rules = 0;
}

static int load_projects(const ctx *c, const cJSON *p, tend_config *cfg)
{
	static const char *const keys[] = {"directories", "exclude", "trusted",
					   "substitute",  "naming",  NULL};
	if (!cJSON_IsArray(p))
		return fail(c, p, "projects: must be a list of generators "
				  "(- directories: [\"projects/*\"])");
	free_rules(cfg);
	size_t n = (size_t)cJSON_GetArraySize(p);
	cfg->rules = tend_xcalloc(n ? n : 1, sizeof(*cfg->rules));
	const cJSON *g;
	cJSON_ArrayForEach(g, p)
	{
		tend_generator_rule *r = &cfg->rules[cfg->n_rules++];
		if (check_keys(c, g, "projects[]", keys) ||
		    get_strlist(c, g, "projects[]", "directories", &r->directories) ||
		    get_strlist(c, g, "projects[]", "exclude", &r->exclude) ||
		    get_bool(c, g, "projects[]", "trusted", &r->trusted) ||
		    get_bool(c, g, "projects[]", "substitute", &r->substitute))
			return -1;
		const cJSON *naming = cJSON_GetObjectItemCaseSensitive(g, "naming");
		if (naming && !cJSON_IsNull(naming)) {
			if (!cJSON_IsString(naming) || (strcmp(naming->valuestring, "basename") != 0 &&
							strcmp(naming->valuestring, "path") != 0))
				return fail(c, naming,
					    "projects[].naming: must be basename (the directory's "
					    "name, the default) or path (its whole path, "
					    "apps/x/app -> apps-x-app)");
			r->name_by_path = strcmp(naming->valuestring, "path") == 0;
		}
		if (r->directories.len == 0)
			return fail(c, g, "projects[]: directories: at least one glob is required");
	}
	return 0;
}

/* One sync.ignoreDifferences[] entry. */
static int load_ignore_rule(const ctx *c, const cJSON *e, tend_ignore_rule *r)
{
	static const char *const keys[] = {"group",	   "kind",
					   "name",	   "namespace",
					   "jsonPointers", "managedFieldsManagers",
					   NULL};
	const char *sec = "sync.ignoreDifferences[]";
	if (check_keys(c, e, sec, keys) || get_string(c, e, sec, "group", &r->group) ||
	    get_string(c, e, sec, "kind", &r->kind) || get_string(c, e, sec, "name", &r->name) ||
	    get_string(c, e, sec, "namespace", &r->namespace) ||
	    get_strlist(c, e, sec, "jsonPointers", &r->json_pointers) ||
	    get_strlist(c, e, sec, "managedFieldsManagers", &r->managers))
		return -1;
	if (!r->kind || !r->kind[0])
		return fail(c, e, "%s: kind: required (a kind, or \"*\" for every kind)", sec);
	if (!r->json_pointers.len && !r->managers.len)
		return fail(c, e,
			    "%s: jsonPointers or managedFieldsManagers: at least one is required",
			    sec);
	const cJSON *ptrs = cJSON_GetObjectItemCaseSensitive(e, "jsonPointers"), *p;
	cJSON_ArrayForEach(p, ptrs)
	{
		const char *v = p->valuestring;
		bool bad = v[0] != '/' || !v[1];
		for (const char *t = strchr(v, '~'); t && !bad; t = strchr(t + 1, '~'))
			bad = t[1] != '0' && t[1] != '1';
		if (bad)
			return fail(c, p,
				    "%s: jsonPointers: \"%s\" is not a JSON pointer to a field "
				    "(write e.g. /spec/replicas)",
				    sec, v);
	}
	return 0;
}

static int load_ignore(const ctx *c, const cJSON *v, tend_sync_config *sync)
{
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return fail(c, v, "sync.ignoreDifferences: must be a list of rules");
	sync->ignore = tend_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*sync->ignore));
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		if (load_ignore_rule(c, e, &sync->ignore[sync->n_ignore++]))
			return -1;
	}
	return 0;
}

static int load_project_options(const ctx *c, const cJSON *v, unsigned *out)
{
	static const char *const names[] = {"suspend", "selfHeal", NULL};
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return fail(c, v, "sync.projectOptions: must be a list (suspend, selfHeal)");
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsString(e) || !in_list(e->valuestring, names)) {
			const char *near =
			    cJSON_IsString(e) ? tend_suggest(e->valuestring, names) : NULL;
			return near ? fail(c, e,
					   "sync.projectOptions: unknown option \"%s\" (did you "
					   "mean \"%s\"?)",
					   e->valuestring, near)
				    : fail(c, e, "sync.projectOptions: entries are suspend or selfHeal");
		}
		*out |= strcmp(e->valuestring, "suspend") == 0 ? TEND_PROJECT_OPTION_SUSPEND
							       : TEND_PROJECT_OPTION_SELF_HEAL;
	}
	return 0;
}

static int load_sync(const ctx *c, const cJSON *s, tend_sync_config *sync)
{
	static const char *const keys[] = {"prune",	 "selfHeal",	       "force",
					   "resync",	 "pruneGuard",	       "adopt",
					   "inventoryNamespace", "concurrency", "pruneGuardWindow",
					   "ignoreDifferences",	 "projectOptions",	NULL};
	if (check_keys(c, s, "sync", keys) || get_bool(c, s, "sync", "prune", &sync->prune) ||
	    get_bool(c, s, "sync", "adopt", &sync->adopt) ||
	    get_string(c, s, "sync", "inventoryNamespace", &sync->inventory_namespace) ||
	    get_bool(c, s, "sync", "selfHeal", &sync->self_heal) ||
	    get_bool(c, s, "sync", "force", &sync->force) ||
	    get_duration(c, s, "sync", "resync", &sync->resync_ms) ||
	    get_duration(c, s, "sync", "pruneGuardWindow", &sync->prune_guard_window_ms) ||
	    load_ignore(c, cJSON_GetObjectItemCaseSensitive(s, "ignoreDifferences"), sync) ||
	    load_project_options(c, cJSON_GetObjectItemCaseSensitive(s, "projectOptions"),
				 &sync->project_options))
		return -1;
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(s, "pruneGuard");
	if (g && !cJSON_IsNull(g) &&
	    (!cJSON_IsString(g) || tend_parse_percent(g->valuestring, &sync->prune_guard_percent)))
		return fail(c, g, "sync.pruneGuard: not a percentage (write e.g. 25%%)");
	if (!sync->inventory_namespace[0])
		return fail(c, cJSON_GetObjectItemCaseSensitive(s, "inventoryNamespace"),
			    "sync.inventoryNamespace: empty");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(s, "concurrency");
	if (n && !cJSON_IsNull(n)) {
		if (!cJSON_IsNumber(n) || n->valuedouble < 1 || n->valuedouble > 256 ||
		    n->valuedouble != (int)n->valuedouble)
			return fail(c, n, "sync.concurrency: must be a whole number from 1 to 256");
		sync->concurrency = (int)n->valuedouble;
	}
	return 0;
}

static int load_ceilings(const ctx *c, const cJSON *obj, const char *section, tend_ceiling **out,
			 size_t *n)
{
	if (!cJSON_IsObject(obj))
		return fail(c, obj, "%s: must be a mapping of quota resources to quantities", section);
	*out = tend_xcalloc((size_t)cJSON_GetArraySize(obj) + 1, sizeof(**out));
	for (const cJSON *kv = obj->child; kv; kv = kv->next) {
		tend_buf v = TEND_BUF_INIT;
		if (cJSON_IsString(kv))
			tend_buf_puts(&v, kv->valuestring);
		else if (cJSON_IsNumber(kv))
			tend_doc_number_text(kv, &v);
		else
			return fail(c, kv, "%s.%s: must be a quantity such as \"4\" or 512Gi", section,
				    kv->string);
		(*out)[*n].resource = tend_xstrdup(kv->string);
		(*out)[*n].value = tend_buf_detach(&v);
		(*n)++;
	}
	return 0;
}

static int load_guard(const ctx *c, const cJSON *g, tend_guard_config *gc)
{
	static const char *const keys[] = {"allowClusterKinds", "denyKinds",     "allowedGroups",
					   "tenantGroups",      "platformKinds", "ceilings",
					   "addons",            "expiredGrants", "requireMetadata",
					   "tenantKinds",       "bindableRoles", "reservedNamespaces",
					   "baseRoots",         "addonsRoots",   "grantWarningDays",
					   NULL};
	static const char *const addon_keys[] = {"requiresGrant", "ceilings", NULL};
	if (check_keys(c, g, "guard", keys))
		return -1;
	/* a list given replaces the default list */
	if (cJSON_GetObjectItemCaseSensitive(g, "denyKinds"))
		tend_strvec_free(&gc->deny_kinds);
	if (cJSON_GetObjectItemCaseSensitive(g, "tenantGroups"))
		tend_strvec_free(&gc->tenant_groups);
	if (cJSON_GetObjectItemCaseSensitive(g, "platformKinds"))
		tend_strvec_free(&gc->platform_kinds);
	if (cJSON_GetObjectItemCaseSensitive(g, "tenantKinds"))
		tend_strvec_free(&gc->tenant_kinds);
	if (cJSON_GetObjectItemCaseSensitive(g, "bindableRoles"))
		tend_strvec_free(&gc->bindable_roles);
	if (cJSON_GetObjectItemCaseSensitive(g, "reservedNamespaces"))
		tend_strvec_free(&gc->reserved_namespaces);
	if (cJSON_GetObjectItemCaseSensitive(g, "baseRoots"))
		tend_strvec_free(&gc->base_roots);
	if (cJSON_GetObjectItemCaseSensitive(g, "addonsRoots"))
		tend_strvec_free(&gc->addons_roots);
	if (get_strlist(c, g, "guard", "allowClusterKinds", &gc->allow_cluster_kinds) ||
	    get_strlist(c, g, "guard", "denyKinds", &gc->deny_kinds) ||
	    get_strlist(c, g, "guard", "tenantGroups", &gc->tenant_groups) ||
	    get_strlist(c, g, "guard", "platformKinds", &gc->platform_kinds) ||
	    get_strlist(c, g, "guard", "allowedGroups", &gc->allowed_groups) ||
	    get_strlist(c, g, "guard", "requireMetadata", &gc->require_metadata) ||
	    get_strlist(c, g, "guard", "tenantKinds", &gc->tenant_kinds) ||
	    get_strlist(c, g, "guard", "bindableRoles", &gc->bindable_roles) ||
	    get_strlist(c, g, "guard", "reservedNamespaces", &gc->reserved_namespaces) ||
	    get_strlist(c, g, "guard", "baseRoots", &gc->base_roots) ||
	    get_strlist(c, g, "guard", "addonsRoots", &gc->addons_roots))
		return -1;
	const cJSON *tk;
	cJSON_ArrayForEach(tk, cJSON_GetObjectItemCaseSensitive(g, "tenantKinds"))
	{
		const char *k = tk->valuestring, *slash = strchr(k, '/');
		if (slash == k || (slash && (!slash[1] || strchr(slash + 1, '/'))))
			return fail(c, tk,
				    "guard.tenantKinds: \"%s\" is not Kind, group/Kind or group/*", k);
	}
	for (size_t i = 0; i < gc->require_metadata.len; i++) {
		const char *f = gc->require_metadata.items[i];
		if (strcmp(f, "owners") && strcmp(f, "contact") && strcmp(f, "group"))
			return fail(c, cJSON_GetObjectItemCaseSensitive(g, "requireMetadata"),
				    "guard.requireMetadata: \"%s\" is not a project.yaml field "
				    "(owners, contact, group)",
				    f);
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, "ceilings");
	if (v && load_ceilings(c, v, "guard.ceilings", &gc->ceilings, &gc->n_ceilings))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(g, "grantWarningDays");
	if (v && !cJSON_IsNull(v)) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 3650 ||
		    v->valuedouble != (int)v->valuedouble)
			return fail(c, v, "guard.grantWarningDays: must be a whole number of days");
		gc->grant_warning_days = (int)v->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(g, "expiredGrants");
	if (v) {
		if (!cJSON_IsString(v) ||
		    (strcmp(v->valuestring, "error") && strcmp(v->valuestring, "warning")))
			return fail(c, v, "guard.expiredGrants: must be error or warning");
		gc->expired_grants_are_errors = strcmp(v->valuestring, "error") == 0;
	}
	v = cJSON_GetObjectItemCaseSensitive(g, "addons");
	if (!v)
		return 0;
	if (!cJSON_IsObject(v))
		return fail(c, v, "guard.addons: must be a mapping of add-on names");
	gc->addons = tend_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*gc->addons));
	for (const cJSON *a = v->child; a; a = a->next) {
		tend_addon_rule *r = &gc->addons[gc->n_addons++];
		r->name = tend_xstrdup(a->string);
		r->requires_grant = true;
		if (cJSON_IsNull(a))
			continue;
		if (check_keys(c, a, "guard.addons[]", addon_keys) ||
		    get_bool(c, a, "guard.addons[]", "requiresGrant", &r->requires_grant))
			return -1;
		const cJSON *ce = cJSON_GetObjectItemCaseSensitive(a, "ceilings");
		if (ce && load_ceilings(c, ce, "guard.addons[].ceilings", &r->ceilings,
					&r->n_ceilings))
			return -1;
	}
	return 0;
}

static int load_rate(const ctx *c, const cJSON *v, tend_cluster_config *cl)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(v, "qps");
	if (q && !cJSON_IsNull(q)) {
		if (!cJSON_IsNumber(q) || q->valuedouble <= 0)
			return fail(c, q, "cluster.qps: must be a number above 0");
		cl->qps = q->valuedouble;
	}
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(v, "burst");
	if (b && !cJSON_IsNull(b)) {
		if (!cJSON_IsNumber(b) || b->valuedouble < 1 || b->valuedouble != (int)b->valuedouble)
			return fail(c, b, "cluster.burst: must be a whole number above 0");
		cl->burst = (int)b->valuedouble;
	}
	return 0;
}

static int load_commit_status(const ctx *c, const cJSON *v, tend_commit_status_config *cs)
{
	static const char *const keys[] = {"provider",	"apiURL",  "repository",
					   "tokenFile", "pageURL", NULL};
	if (check_keys(c, v, "commitStatus", keys) ||
	    get_string(c, v, "commitStatus", "provider", &cs->provider) ||
	    get_string(c, v, "commitStatus", "apiURL", &cs->api_url) ||
	    get_string(c, v, "commitStatus", "repository", &cs->repository) ||
	    get_string(c, v, "commitStatus", "tokenFile", &cs->token_file) ||
	    get_string(c, v, "commitStatus", "pageURL", &cs->page_url))
		return -1;
	const cJSON *provider = cJSON_GetObjectItemCaseSensitive(v, "provider");
	bool github = cs->provider && strcmp(cs->provider, "github") == 0;
	bool gitlab = cs->provider && strcmp(cs->provider, "gitlab") == 0;
	if (!github && !gitlab)
		return fail(c, provider ? provider : v, "commitStatus.provider: github or gitlab");
	if (!cs->repository || !*cs->repository)
		return fail(c, v, "commitStatus.repository: required (%s)",
			    github ? "owner/name" : "the GitLab project's path or id");
	if (!cs->token_file || !*cs->token_file)
		return fail(c, v,
			    "commitStatus.tokenFile: required (a token that may write commit "
			    "statuses)");
	if (!cs->api_url || !*cs->api_url) {
		if (gitlab)
			return fail(c, v,
				    "commitStatus.apiURL: required for gitlab (https://HOST/api/v4)");
		free(cs->api_url);
		cs->api_url = tend_xstrdup("https://api.github.com");
	}
	if (strncmp(cs->api_url, "https://", 8) != 0 && strncmp(cs->api_url, "http://", 7) != 0)
		return fail(c, cJSON_GetObjectItemCaseSensitive(v, "apiURL"),
			    "commitStatus.apiURL: an http(s):// URL");
	return 0;
}

static int load_root(const ctx *c, const cJSON *root, tend_config *cfg)
{
	static const char *const keys[] = {"source", "projects",     "sync", "cluster",
					   "serve",  "guard",	     "commitStatus", NULL};
	static const char *const cluster_keys[] = {"kubeconfig", "context", "qps", "burst", NULL};
	static const char *const serve_keys[] = {"listen",       "githubSecretFile",
						 "gitlabTokenFile", "allowActions",
						 "actionTokenFile", "probeListen",
						 "allowedHosts",    NULL};
	if (check_keys(c, root, "tend.yaml", keys))
		return -1;
	const cJSON *v;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "source")) && !cJSON_IsNull(v) &&
	    load_source(c, v, &cfg->source))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "projects")) && !cJSON_IsNull(v) &&
	    load_projects(c, v, cfg))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "sync")) && !cJSON_IsNull(v) &&
	    load_sync(c, v, &cfg->sync))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "cluster")) && !cJSON_IsNull(v) &&
	    (check_keys(c, v, "cluster", cluster_keys) ||
	     get_string(c, v, "cluster", "kubeconfig", &cfg->cluster.kubeconfig) ||
	     get_string(c, v, "cluster", "context", &cfg->cluster.context) ||
	     load_rate(c, v, &cfg->cluster)))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "guard")) && !cJSON_IsNull(v) &&
	    load_guard(c, v, &cfg->guard))
		return -1;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "serve")) && !cJSON_IsNull(v) &&
	    (check_keys(c, v, "serve", serve_keys) ||
	     get_string(c, v, "serve", "listen", &cfg->serve.listen) ||
	     get_string(c, v, "serve", "githubSecretFile", &cfg->serve.github_secret_file) ||
	     get_string(c, v, "serve", "gitlabTokenFile", &cfg->serve.gitlab_token_file) ||
	     get_bool(c, v, "serve", "allowActions", &cfg->serve.allow_actions) ||
	     get_string(c, v, "serve", "actionTokenFile", &cfg->serve.action_token_file) ||
	     get_string(c, v, "serve", "probeListen", &cfg->serve.probe_listen) ||
	     get_strlist(c, v, "serve", "allowedHosts", &cfg->serve.allowed_hosts)))
		return -1;
	if (cfg->serve.allow_actions && !cfg->serve.action_token_file)
		return fail(c, cJSON_GetObjectItemCaseSensitive(v, "allowActions"),
			    "serve.allowActions: needs serve.actionTokenFile (the bearer token "
			    "the actions require)");
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "commitStatus")) && !cJSON_IsNull(v) &&
	    load_commit_status(c, v, &cfg->commit_status))
		return -1;
	return 0;
}

int tend_config_load(const char *path, tend_config *cfg)
{
	tend_config_defaults(cfg);
	cfg->file = tend_xstrdup(path);
	char *copy = tend_xstrdup(path);
	free(cfg->base_dir);
	cfg->base_dir = tend_xstrdup(dirname(copy));
	free(copy);
	tend_docs docs = TEND_DOCS_INIT;
	ctx c = {path};
	int rc = tend_doc_load_file(path, &docs);
	if (!rc && docs.len > 1)
		rc = tend_err("%s: one YAML document expected, found %zu", path, docs.len);
	if (!rc && docs.len == 1)
		rc = load_root(&c, docs.items[0].root, cfg);
	if (!rc)
		reserve_inventory(&cfg->guard, cfg->sync.inventory_namespace);
	tend_docs_free(&docs);
	if (rc)
		tend_config_free(cfg);
	return rc;
}

static void free_ceilings(tend_ceiling *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].resource);
		free(c[i].value);
	}
	free(c);
}

void tend_source_auth_free(tend_source_auth *a)
{
	free(a->token_file);
	free(a->username);
	free(a->password_file);
	free(a->ssh_key_file);
	free(a->known_hosts_file);
	free(a->ca_file);
	memset(a, 0, sizeof(*a));
}

void tend_guard_config_free(tend_guard_config *g)
{
	tend_strvec_free(&g->allow_cluster_kinds);
	tend_strvec_free(&g->deny_kinds);
	tend_strvec_free(&g->allowed_groups);
	tend_strvec_free(&g->tenant_groups);
	tend_strvec_free(&g->platform_kinds);
	tend_strvec_free(&g->require_metadata);
	tend_strvec_free(&g->tenant_kinds);
	tend_strvec_free(&g->bindable_roles);
	tend_strvec_free(&g->reserved_namespaces);
	tend_strvec_free(&g->base_roots);
	tend_strvec_free(&g->addons_roots);
	free_ceilings(g->ceilings, g->n_ceilings);
	for (size_t i = 0; i < g->n_addons; i++) {
		free(g->addons[i].name);
		free_ceilings(g->addons[i].ceilings, g->addons[i].n_ceilings);
	}
	free(g->addons);
	memset(g, 0, sizeof(*g));
}

int tend_guard_config_load(const char *path, const char *inventory_ns, tend_guard_config *g)
{
	memset(g, 0, sizeof(*g));
	guard_defaults(g, inventory_ns);
	tend_docs docs = TEND_DOCS_INIT;
	ctx c = {path};
	int rc = tend_doc_load_file(path, &docs);
	if (!rc && docs.len > 1)
		rc = tend_err("%s: one YAML document expected, found %zu", path, docs.len);
	if (!rc && docs.len == 1 && !cJSON_IsNull(docs.items[0].root))
		rc = load_guard(&c, docs.items[0].root, g);
	tend_docs_free(&docs);
	if (!rc)
		reserve_inventory(g, inventory_ns);
	else
		tend_guard_config_free(g);
	return rc;
}

void tend_config_free(tend_config *cfg)
{
	free(cfg->file);
	free(cfg->base_dir);
	tend_source_config *s = &cfg->source;
	free(s->url);
	free(s->branch);
	free(s->revision);
	free(s->cache_dir);
	tend_source_auth_free(&s->auth);
	free_rules(cfg);
	free(cfg->sync.inventory_namespace);
	for (size_t i = 0; i < cfg->sync.n_ignore; i++) {
		tend_ignore_rule *r = &cfg->sync.ignore[i];
		free(r->group);
		free(r->kind);
		free(r->name);
		free(r->namespace);
		tend_strvec_free(&r->json_pointers);
		tend_strvec_free(&r->managers);
	}
	free(cfg->sync.ignore);
	free(cfg->cluster.kubeconfig);
	free(cfg->cluster.context);
	free(cfg->serve.listen);
	free(cfg->serve.github_secret_file);
	free(cfg->serve.gitlab_token_file);
	free(cfg->serve.action_token_file);
	free(cfg->serve.probe_listen);
	tend_strvec_free(&cfg->serve.allowed_hosts);
	free(cfg->commit_status.provider);
	free(cfg->commit_status.api_url);
	free(cfg->commit_status.repository);
	free(cfg->commit_status.token_file);
	free(cfg->commit_status.page_url);
	tend_guard_config_free(&cfg->guard);
	memset(cfg, 0, sizeof(*cfg));
}

static bool is_url(const char *s)
{
	return strstr(s, "://") != NULL || (strchr(s, '@') && strchr(s, ':') && s[0] != '/' &&
					    s[0] != '.');
}

char *tend_config_path(const tend_config *cfg, const char *path)
{
	if (path[0] == '/' || is_url(path) || !cfg->base_dir || strcmp(cfg->base_dir, ".") == 0)
		return tend_xstrdup(path);
	return tend_xasprintf("%s/%s", cfg->base_dir, path);
}
