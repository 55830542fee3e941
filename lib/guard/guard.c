/*
 * guard.c — the guardrail rules over one project's rendered objects.
 * Invariant: every violation names project, object, file and line (where
 * the object came from), the rule, and a fix a researcher can act on.
 */
#include "guard_internal.h"

#include "../doc/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *guard_str(const cJSON *o, const char *a, const char *b)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		n = cJSON_GetObjectItemCaseSensitive(n, b);
	return cJSON_IsString(n) ? n->valuestring : "";
}

/* A file name as the researcher sees it: relative to the config repo's root. */
static char *rel_to(const char *root, const char *file)
{
	if (!file || !*file)
		return tend_xstrdup("");
	if (!root)
		return tend_path_clean(file);
	return tend_path_relative(root, file);
}

void guard_object_violation(const tend_project *p, const char *root, const tend_resource *r,
			    const char *rule, bool warning, const char *fix, const char *message,
			    tend_violations *out)
{
	const cJSON *o = r->obj;
	const char *ns = guard_str(o, "metadata", "namespace");
	char *object = tend_xasprintf("%s/%s%s%s", guard_str(o, "kind", NULL), ns, *ns ? "/" : "",
				      guard_str(o, "metadata", "name"));
	char *where = rel_to(root, r->file);
	tend_violations_add(out, p->name, object, where, r->line, rule, message, fix, warning);
	free(object);
	free(where);
}

static void add(const check *c, const tend_resource *r, const char *file, int line,
		const char *rule, bool warning, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static void add(const check *c, const tend_resource *r, const char *file, int line,
		const char *rule, bool warning, const char *fix, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!r) {
		tend_violations_add(c->out, c->p->name, "", file ? file : c->p->dir, line, rule, msg,
				    fix, warning);
		return;
	}
	/* an object the base made and the tenant's kustomization changed: the
	 * tenant's entry is where to look, not the base's file */
	const cJSON *was = guard_platform_object(c, r->obj);
	tend_resource at = *r;
	char *blamed = was && !cJSON_Compare(was, r->obj, true)
	                   ? guard_blame(c, guard_str(r->obj, "kind", NULL),
	                                 guard_str(r->obj, "metadata", "name"), &at.line)
	                   : NULL;
	if (blamed)
		at.file = blamed;
	guard_object_violation(c->p, c->root, &at, rule, warning, fix, msg, c->out);
	free(blamed);
}

void tend_violations_add(tend_violations *v, const char *project, const char *object,
			 const char *file, int line, const char *rule, const char *message,
			 const char *fix, bool warning)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = tend_xrealloc(v->items, v->cap * sizeof(*v->items));
	}
	tend_violation *x = &v->items[v->len++];
	x->project = tend_xstrdup(project);
	x->object = tend_xstrdup(object ? object : "");
	x->file = tend_xstrdup(file ? file : "");
	x->line = line;
	x->rule = tend_xstrdup(rule);
	x->message = tend_xstrdup(message);
	x->fix = tend_xstrdup(fix ? fix : "");
	x->warning = warning;
}

static bool kind_listed(const tend_strvec *list, const char *api, const char *kind)
{
	const char *slash = strchr(api, '/');
	size_t glen = slash ? (size_t)(slash - api) : 0;
	for (size_t i = 0; i < list->len; i++) {
		const char *e = list->items[i], *k = strchr(e, '/');
		if (!k) {
			if (strcmp(e, kind) == 0)
				return true;
			continue;
		}
		if ((size_t)(k - e) != glen || strncmp(e, api, glen) != 0)
			continue;
		if (strcmp(k + 1, "*") == 0 || strcmp(k + 1, kind) == 0)
			return true;
	}
	return false;
}

static bool grant_live(const check *c, const tend_grant *g)
{
	return !g->until || strcmp(g->until, c->today) >= 0;
}

const tend_grant *guard_live_grant(const tend_project *p, const char *today, const char *addon)
{
	for (size_t i = 0; i < p->n_grants; i++)
		if (strcmp(p->grants[i].addon, addon) == 0 &&
		    (!p->grants[i].until || strcmp(p->grants[i].until, today) >= 0))
			return &p->grants[i];
	return NULL;
}

static const tend_grant *live_grant(const check *c, const char *addon)
{
	return guard_live_grant(c->p, c->today, addon);
}

const tend_addon_rule *guard_addon_rule(const tend_guard_config *g, const char *name)
{
	for (size_t a = 0; a < g->n_addons; a++)
		if (strcmp(g->addons[a].name, name) == 0)
			return &g->addons[a];
	return NULL;
}

bool guard_addon_usable(const check *c, const char *name)
{
	const tend_addon_rule *ar = guard_addon_rule(c->g, name);
	return !ar || !ar->requires_grant || live_grant(c, name);
}

/*
 * The add-on a platform-owned object comes from when the project holds a
 * live grant for it (extra-editors): by the object's real path under
 * guard.addonsRoots, never by a directory's name.
 */
static char *granted_origin(const check *c, const tend_resource *r)
{
	if (!guard_platform_owned(c, r->obj))
		return NULL;
	char *name = guard_addon_of(c, r->file);
	const tend_addon_rule *ar = name ? guard_addon_rule(c->g, name) : NULL;
	if (ar && ar->requires_grant && live_grant(c, name))
		return name;
	free(name);
	return NULL;
}

static char *kinds_text(const tend_strvec *v)
{
	tend_buf b = TEND_BUF_INIT;
	for (size_t i = 0; i < v->len; i++)
		tend_buf_printf(&b, "%s%s", i ? ", " : "", v->items[i]);
	return b.data ? tend_buf_detach(&b) : tend_xstrdup("(none)");
}

/* A tenant-authored object: an allowed kind, namespaced (or allowed cluster-wide). */
static bool check_tenant_kind(const check *c, const tend_resource *r)
{
	const cJSON *o = r->obj;
	const char *api = guard_str(o, "apiVersion", NULL), *kind = guard_str(o, "kind", NULL);
	if (kind_listed(&c->g->deny_kinds, api, kind)) {
		add(c, r, NULL, 0, "kind", false,
		    "remove it; platform admins manage this kind in the trusted platform directory "
		    "or offer it as an add-on",
		    "%s is a kind tenants may not create", kind);
		return false;
	}
	if (kind_listed(&c->g->platform_kinds, api, kind)) {
		add(c, r, NULL, 0, "kind", false,
		    "remove it; the shared base and add-ons (with a grant) set quotas and limits",
		    "%s defined in the project's own files", kind);
		return false;
	}
	bool cluster_allowed = tend_guard_cluster_scoped(api, kind) &&
			       kind_listed(&c->g->allow_cluster_kinds, api, kind);
	if (!tend_guard_tenant_kind(c->g, api, kind) && !cluster_allowed) {
		char *list = kinds_text(&c->g->tenant_kinds);
		char *fix = tend_xasprintf("a project's own files may create only %s; anything else "
					   "comes from the base or an add-on: ask an admin",
					   list);
		add(c, r, NULL, 0, "kind", false, fix, "%s (%s) is not a kind tenants may create",
		    kind, *api ? api : "no apiVersion");
		free(fix);
		free(list);
		return false;
	}
	return true;
}

static void check_scope(const check *c, const tend_resource *r)
{
	const cJSON *o = r->obj;
	const char *api = guard_str(o, "apiVersion", NULL), *kind = guard_str(o, "kind", NULL);
	const char *name = guard_str(o, "metadata", "name");
	const char *ns = guard_str(o, "metadata", "namespace");
	bool platform = guard_platform_owned(c, o);
	/* content of an add-on the project may not use: the (addon) rule reports it */
	char *addon = platform ? NULL : guard_addon_of(c, r->file);
	bool reviewed = platform || addon;
	free(addon);
	if (!reviewed && !check_tenant_kind(c, r))
		return;
	bool own_ns = strcmp(kind, "Namespace") == 0 && strcmp(api, "v1") == 0;
	if (own_ns && strcmp(name, c->p->namespace) != 0) {
		add(c, r, NULL, 0, "namespace", false,
		    "a project has exactly one namespace, set in project.yaml `namespace:`",
		    "Namespace \"%s\" is not the project's namespace \"%s\"", name, c->p->namespace);
		return;
	}
	if (tend_guard_cluster_scoped(api, kind)) {
		if (!own_ns && !reviewed && !kind_listed(&c->g->allow_cluster_kinds, api, kind))
			add(c, r, NULL, 0, "cluster-scope", false,
			    "tenants may create only their own Namespace cluster-wide; ask an admin",
			    "cluster-scoped %s \"%s\" is outside the project", kind, name);
		return;
	}
	if (strcmp(ns, c->p->namespace) != 0) {
		char *fix = tend_xasprintf("set metadata.namespace: %s (or `namespace: %s` in the "
					   "project's kustomization.yaml)",
					   c->p->namespace, c->p->namespace);
		add(c, r, NULL, 0, "namespace", false, fix,
		    "%s \"%s\" is in namespace \"%s\", not the project's namespace \"%s\"", kind,
		    name, *ns ? ns : "(none)", c->p->namespace);
		free(fix);
	}
}

static bool listed(const tend_strvec *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

/* Whether a group is one of the tenant's own (guard.tenantGroups, ${group} replaced). */
static bool own_group(const check *c, const char *name)
{
	const char *group = c->p->group;
	for (size_t i = 0; i < c->g->tenant_groups.len; i++) {
		const char *pat = c->g->tenant_groups.items[i], *var = strstr(pat, "${group}");
		if (!var) {
			if (strcmp(pat, name) == 0)
				return true;
			continue;
		}
		if (!group)
			continue;
		char *want = tend_xasprintf("%.*s%s%s", (int)(var - pat), pat, group, var + 8);
		bool same = strcmp(want, name) == 0;
		free(want);
		if (same)
			return true;
	}
	return false;
}

/*
 * RoleBindings. Subjects of a binding that comes from an add-on the project
 * holds a live grant for (extra-editors) were reviewed with the grant, so
 * they may name other groups and users; admin and cluster-admin stay denied.
 */
static void check_rbac(const check *c, const tend_resource *r)
{
	const cJSON *o = r->obj;
	if (strcmp(guard_str(o, "kind", NULL), "RoleBinding") != 0)
		return;
	const char *role = guard_str(o, "roleRef", "name");
	const char *role_kind = guard_str(o, "roleRef", "kind");
	if (strcmp(role_kind, "ClusterRole") == 0 && strcmp(role, "cluster-admin") == 0) {
		add(c, r, NULL, 0, "rbac", false, "bind `admin`, `edit` or `view` instead",
		    "binds cluster-admin");
		return;
	}
	if (strcmp(role_kind, "Role") != 0 &&
	    (strcmp(role_kind, "ClusterRole") != 0 || !listed(&c->g->bindable_roles, role))) {
		char *list = kinds_text(&c->g->bindable_roles);
		char *fix = tend_xasprintf("bind one of the ClusterRoles %s (guard.bindableRoles) or "
					   "a Role of the project's namespace",
					   list);
		add(c, r, NULL, 0, "rbac", false, fix, "binds %s \"%s\", which tenants may not bind",
		    *role_kind ? role_kind : "(no kind)", role);
		free(fix);
		free(list);
		return;
	}
	bool admin = strcmp(role_kind, "ClusterRole") == 0 && strcmp(role, "admin") == 0;
	char *granted = admin ? NULL : granted_origin(c, r);
	const cJSON *subjects = cJSON_GetObjectItemCaseSensitive(o, "subjects"), *s;
	cJSON_ArrayForEach(s, subjects)
	{
		const char *kind = guard_str(s, "kind", NULL), *name = guard_str(s, "name", NULL);
		if ((strcmp(kind, "Group") == 0 || strcmp(kind, "User") == 0) &&
		    strncmp(name, "system:", 7) == 0) {
			add(c, r, NULL, 0, "rbac", false,
			    "bind people and groups of the lab; system: names belong to the cluster",
			    "binds %s \"%s\", a Kubernetes system identity", kind, name);
		} else if (strcmp(kind, "Group") == 0) {
			bool own = own_group(c, name);
			if (admin && !own)
				add(c, r, NULL, 0, "rbac", false,
				    "bind `edit` or `view` for other groups; `admin` is for the "
				    "tenant's own groups (project.yaml group, guard.tenantGroups)",
				    "grants admin to group \"%s\", not one of the tenant's groups", name);
			else if (!own && !granted && !listed(&c->g->allowed_groups, name))
				add(c, r, NULL, 0, "rbac", false,
				    "bind only the tenant's groups or a group in guard.allowedGroups; "
				    "others through a granted add-on such as extra-editors",
				    "binds group \"%s\", which this project may not name", name);
		} else if (strcmp(kind, "User") == 0) {
			if (admin || (!granted && !listed(&c->p->owners, name)))
				add(c, r, NULL, 0, "rbac", false,
				    "add the user to project.yaml owners, or bind the project's group",
				    "binds user \"%s\"%s", name,
				    admin ? " to admin" : ", who is not a project owner");
		} else if (strcmp(kind, "ServiceAccount") == 0) {
			const char *ns = guard_str(s, "namespace", NULL);
			if (*ns && strcmp(ns, c->p->namespace) != 0)
				add(c, r, NULL, 0, "rbac", false,
				    "bind only service accounts of the project's namespace",
				    "binds service account %s/%s from another namespace", ns, name);
		} else {
			add(c, r, NULL, 0, "rbac", false,
			    "subjects are Group, User or ServiceAccount",
			    "binds a subject of kind \"%s\"", kind);
		}
	}
	free(granted);
}

/*
 * A tenant-authored Role is applied by tend, which holds far more than the
 * tenant (quotas, limits, policy exceptions): a Role may grant anything
 * read-only in the namespace, but write verbs only on guard.tenantKinds and
 * their subresources (pods/log, deployments/scale), and never bind,
 * escalate or impersonate. Otherwise a tenant could edit its own quota.
 */
static const char *const read_verbs[] = {"get", "list", "watch", NULL};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

/*
 * The first apiGroup/resource pair of a rule (the API server grants their
 * cross product) that is not a tenant kind's or its subresource, or NULL.
 */
static char *rule_beyond_tenant_kinds(const tend_kind_refs *k, const cJSON *rule)
{
	const cJSON *g, *res;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(rule, "apiGroups"))
	{
		cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(rule, "resources"))
		{
			const char *gs = cJSON_IsString(g) ? g->valuestring : "?";
			const char *rs = cJSON_IsString(res) ? res->valuestring : "?";
			const char *slash = strchr(rs, '/');
			size_t n = slash ? (size_t)(slash - rs) : strlen(rs);
			bool found = false;
			for (size_t i = 0; i < k->len && !found; i++)
				found = strcmp(k->items[i].group, gs) == 0 &&
					(strcmp(k->items[i].kind, "*") == 0 ||
					 (strlen(k->items[i].resource) == n &&
					  strncmp(k->items[i].resource, rs, n) == 0));
			if (!found)
				return tend_xasprintf("%s in API group \"%s\"", rs, gs);
		}
	}
	return NULL;
}

/* Whether a rule names the RBAC API group (or every group). */
static bool rule_on_rbac(const cJSON *rule)
{
	const cJSON *g;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(rule, "apiGroups"))
	{
		if (cJSON_IsString(g) && (strcmp(g->valuestring, "rbac.authorization.k8s.io") == 0 ||
					  strcmp(g->valuestring, "*") == 0))
			return true;
	}
	return false;
}

static void check_role(const check *c, const tend_resource *r)
{
	const cJSON *o = r->obj;
	if (strcmp(guard_str(o, "kind", NULL), "Role") != 0 ||
	    strcmp(guard_str(o, "apiVersion", NULL), "rbac.authorization.k8s.io/v1") != 0 ||
	    guard_platform_owned(c, o))
		return;
	char *addon = guard_addon_of(c, r->file);
	bool reviewed = addon != NULL; /* an add-on's Role: the addon rule judges it */
	free(addon);
	tend_kind_refs kinds;
	if (reviewed || tend_guard_tenant_kinds(c->g, &kinds) != 0)
		return; /* a malformed tenantKinds fails the config load first */
	static const char *const never[] = {"bind", "escalate", "impersonate", NULL};
	const char *fix = "a project's Role may write only the kinds tenants create "
			  "(guard.tenantKinds, one rule per API group) and read the rest of the "
			  "namespace; bind `edit` or `admin` for more";
	const cJSON *rule, *verb;
	size_t i = 0;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(o, "rules"))
	{
		char *beyond = rule_beyond_tenant_kinds(&kinds, rule);
		cJSON_ArrayForEach(verb, cJSON_GetObjectItemCaseSensitive(rule, "verbs"))
		{
			const char *v = cJSON_IsString(verb) ? verb->valuestring : "";
			if (in_list(never, v)) {
				add(c, r, NULL, 0, "rbac", false, fix,
				    "rules[%zu] grants %s, which no project's Role may grant", i, v);
				break;
			}
			if (strcmp(v, "*") == 0 && rule_on_rbac(rule)) {
				add(c, r, NULL, 0, "rbac", false, fix,
				    "rules[%zu] grants every verb on RBAC objects (bind and escalate "
				    "included)",
				    i);
				break;
			}
			if (beyond && !in_list(read_verbs, v)) {
				add(c, r, NULL, 0, "rbac", false, fix,
				    "rules[%zu] grants %s on %s, not a kind tenants may create", i, v,
				    beyond);
				break;
			}
		}
		free(beyond);
		i++;
	}
	tend_kind_refs_free(&kinds);
}

/* The ceiling for a quota resource: the base ceiling raised by live add-on grants. */
static const char *ceiling_for(const check *c, const char *resource, const char **via)
{
	const char *best = NULL;
	*via = NULL;
	for (size_t i = 0; i < c->g->n_ceilings; i++)
		if (strcmp(c->g->ceilings[i].resource, resource) == 0)
			best = c->g->ceilings[i].value;
	for (size_t a = 0; a < c->g->n_addons; a++) {
		const tend_addon_rule *ar = &c->g->addons[a];
		if (!live_grant(c, ar->name))
			continue;
		for (size_t i = 0; i < ar->n_ceilings; i++) {
			int cmp;
			if (strcmp(ar->ceilings[i].resource, resource) != 0)
				continue;
			if (!best || (tend_quantity_cmp(ar->ceilings[i].value, best, &cmp) == 0 &&
				      cmp > 0)) {
				best = ar->ceilings[i].value;
				*via = ar->name;
			}
		}
	}
	return best;
}

static void check_quota(const check *c, const tend_resource *r)
{
	if (strcmp(guard_str(r->obj, "kind", NULL), "ResourceQuota") != 0)
		return;
	const cJSON *hard = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r->obj, "spec"), "hard");
	for (const cJSON *kv = hard ? hard->child : NULL; kv; kv = kv->next) {
		const char *via;
		const char *limit = ceiling_for(c, kv->string, &via);
		if (!limit)
			continue;
		tend_buf v = TEND_BUF_INIT;
		if (cJSON_IsString(kv))
			tend_buf_puts(&v, kv->valuestring);
		else if (cJSON_IsNumber(kv))
			tend_doc_number_text(kv, &v);
		int cmp = 0;
		if (!v.data || tend_quantity_cmp(v.data, limit, &cmp) != 0) {
			add(c, r, NULL, 0, "ceiling", false, "write a Kubernetes quantity such as 4 or 512Gi",
			    "spec.hard.%s: \"%s\" is not a quantity", kv->string, v.data ? v.data : "");
		} else if (cmp > 0) {
			char *fix = via ? tend_xasprintf("stay within %s (what the %s grant allows)",
							 limit, via)
					: tend_xasprintf("stay within %s, or ask an admin for a grant "
							 "in project.yaml (grants: [{addon: ..., "
							 "until: YYYY-MM-DD, reason: ...}])",
							 limit);
			add(c, r, NULL, 0, "ceiling", false, fix,
			    "spec.hard.%s: %s exceeds the ceiling of %s", kv->string, v.data, limit);
			free(fix);
		}
		tend_buf_free(&v);
	}
}

static bool was_reclaimed(const check *c, const char *addon)
{
	for (size_t i = 0; c->reclaimed && i < c->reclaimed->len; i++)
		if (strcmp(c->reclaimed->items[i], addon) == 0)
			return true;
	return false;
}

/* Add-ons: components of the project's own kustomization that resolve under
 * guard.addonsRoots to an add-on needing a grant the project lacks. */
static void check_addons(const check *c)
{
	tend_docs docs = TEND_DOCS_INIT;
	char *file = tend_kustomization_load(c->root, c->p->dir, &docs);
	const cJSON *comps =
		file ? cJSON_GetObjectItemCaseSensitive(docs.items[0].root, "components") : NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, comps)
	{
		if (!cJSON_IsString(e))
			continue;
		char *path = tend_xasprintf("%s/%s/%s", c->root, c->p->dir, e->valuestring);
		char *name = guard_addon_of(c, path);
		free(path);
		for (size_t a = 0; name && a < c->g->n_addons; a++) {
			const tend_addon_rule *ar = &c->g->addons[a];
			if (!ar->requires_grant || strcmp(ar->name, name) != 0 ||
			    live_grant(c, ar->name) || was_reclaimed(c, ar->name))
				continue;
			char *fix = tend_xasprintf("ask an admin to add to %s/project.yaml: grants: "
						   "[{addon: %s, until: YYYY-MM-DD, reason: ...}]",
						   c->p->dir, ar->name);
			add(c, NULL, file, tend_doc_line(e), "addon", false, fix,
			    "uses add-on %s without a live grant", ar->name);
			free(fix);
		}
		free(name);
	}
	tend_docs_free(&docs);
	free(file);
}

/* Whole days from today to until (both YYYY-MM-DD), or -1 when either is not a date. */
static int days_until(const char *today, const char *until)
{
	struct tm a = {0}, b = {0};
	const char *ea = strptime(today, "%Y-%m-%d", &a), *eb = strptime(until, "%Y-%m-%d", &b);
	if (!ea || *ea || !eb || *eb)
		return -1;
	return (int)((timegm(&b) - timegm(&a)) / 86400);
}

/* The line of a top-level key of project.yaml, 0 when unknown. */
static int meta_line(const check *c, const char *key)
{
	if (!c->root || !c->p->meta_file)
		return 0;
	char *path = tend_xasprintf("%s/%s", c->root, c->p->meta_file);
	tend_docs docs = TEND_DOCS_INIT;
	int line = 0;
	if (tend_doc_load_file(path, &docs) == 0 && docs.len)
		line = tend_doc_line(cJSON_GetObjectItemCaseSensitive(docs.items[0].root, key));
	tend_docs_free(&docs);
	free(path);
	return line > 0 ? line : 0;
}

/* A grant naming no add-on of guard.addons: a typo would leave the add-on ungranted. */
static void unknown_addon(const check *c, const char *meta, const tend_grant *g)
{
	const char **names = tend_xcalloc(c->g->n_addons + 1, sizeof(*names));
	tend_buf list = TEND_BUF_INIT;
	for (size_t a = 0; a < c->g->n_addons; a++) {
		names[a] = c->g->addons[a].name;
		tend_buf_printf(&list, "%s%s", a ? ", " : "", names[a]);
	}
	const char *near = tend_suggest(g->addon, names);
	char *fix = near ? tend_xasprintf("did you mean %s?", near)
			 : tend_xasprintf("grant one of the add-ons: %s", list.data);
	add(c, NULL, meta, g->line, "addon", false, fix,
	    "grant names add-on \"%s\", which guard.addons does not list", g->addon);
	free(fix);
	tend_buf_free(&list);
	free(names);
}

static void check_project(const check *c)
{
	const char *meta = c->p->meta_file ? c->p->meta_file : "project.yaml";
	const char *reserved = tend_guard_namespace_reserved(c->g, c->p->namespace);
	if (reserved)
		add(c, NULL, meta, meta_line(c, "namespace"), "namespace", false,
		    "choose a namespace of the project's own (project.yaml `namespace:`, default "
		    "the project's name)",
		    "namespace \"%s\" is reserved for the cluster (guard.reservedNamespaces: %s)",
		    c->p->namespace, reserved);
	for (size_t i = 0; i < c->p->n_grants; i++) {
		const tend_grant *g = &c->p->grants[i];
		if (c->g->n_addons && !guard_addon_rule(c->g, g->addon)) {
			unknown_addon(c, meta, g);
			continue;
		}
		if (grant_live(c, g)) {
			int days = g->until ? days_until(c->today, g->until) : -1;
			if (days >= 0 && days < c->g->grant_warning_days)
				add(c, NULL, meta, g->line, "grant-expiring", true,
				    "renew it (a new until date and a reason) or plan for the add-on "
				    "to be reclaimed",
				    "grant for %s ends on %s, in %d day%s: then the project is applied "
				    "without the add-on",
				    g->addon, g->until, days, days == 1 ? "" : "s");
			continue;
		}
		if (was_reclaimed(c, g->addon)) {
			add(c, NULL, meta, g->line, "grant-expired", true,
			    "remove the add-on and the grant, or renew the grant with a new until date",
			    "grant for %s expired on %s: reclaimed, the project is applied without the "
			    "add-on",
			    g->addon, g->until);
			continue;
		}
		char *fix = tend_xasprintf("remove the grant and the add-on, or renew it with a new "
					   "until date and a reason");
		add(c, NULL, meta, g->line, "grant-expired", !c->g->expired_grants_are_errors, fix,
		    "grant for %s expired on %s", g->addon, g->until);
		free(fix);
	}
	for (size_t i = 0; i < c->g->require_metadata.len; i++) {
		const char *f = c->g->require_metadata.items[i];
		bool has = strcmp(f, "owners") == 0 ? c->p->owners.len > 0
			   : strcmp(f, "contact") == 0 ? c->p->contact != NULL
						       : c->p->group != NULL;
		if (!has) {
			char *fix = tend_xasprintf("add `%s:` to %s/project.yaml", f, c->p->dir);
			add(c, NULL, meta, 0, "metadata", false, fix, "project.yaml has no %s", f);
			free(fix);
		}
	}
}

void tend_guard_check(const tend_guard_config *g, const tend_project *p, const char *root,
		      const tend_resmap *objects, const char *today, tend_violations *out)
{
	tend_guard_check_reclaimed(g, p, root, objects, today, NULL, out);
}

void tend_guard_check_reclaimed(const tend_guard_config *g, const tend_project *p,
				const char *root, const tend_resmap *objects, const char *today,
				const tend_strvec *reclaimed, tend_violations *out)
{
	if (p->trusted)
		return;
	check c = {g, p, root, today, out, {0}, reclaimed, false};
	check_project(&c);
	guard_prov_init(&c);
	if (root)
		check_addons(&c);
	for (size_t i = 0; objects && i < objects->len; i++) {
		check_scope(&c, &objects->items[i]);
		check_rbac(&c, &objects->items[i]);
		check_role(&c, &objects->items[i]);
		check_quota(&c, &objects->items[i]);
	}
	if (objects)
		guard_check_platform(&c, objects);
	guard_prov_free(&c.prov);
}

size_t tend_guard_errors(const tend_violations *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->len; i++)
		n += !v->items[i].warning;
	return n;
}

void tend_violations_free(tend_violations *v)
{
	for (size_t i = 0; i < v->len; i++) {
		tend_violation *x = &v->items[i];
		free(x->project);
		free(x->object);
		free(x->file);
		free(x->rule);
		free(x->message);
		free(x->fix);
	}
	free(v->items);
	memset(v, 0, sizeof(*v));
}
