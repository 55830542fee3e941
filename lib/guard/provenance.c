/*
 * provenance.c — which objects of a tenant render are the platform's, and
 * whether the tenant changed them. The project is rendered a second time
 * from its base (resources under guard.baseRoots) and the add-ons it may
 * use (components under guard.addonsRoots), with its namespace and
 * substitutions; every object of that render must be in the full render
 * with every field it sets unchanged, and its labels and annotations exactly
 * as they are. Invariants: content is the platform's by its real path under
 * a configured root, never by a directory's name; a violation names the
 * tenant's kustomization entry that did it.
 */
#include "guard_internal.h"

#include "../fs/fs.h"
#include "../generator/generator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *real_of(const char *path)
{
	char *real = NULL;
	tend_fs_path_canonical(path, &real);
	return real;
}

/* The part of `real` below `dir` ("" for dir itself), or NULL when outside. */
static const char *below(const char *real, const char *dir)
{
	size_t n = strlen(dir);
	if (strncmp(real, dir, n) != 0)
		return NULL;
	if (real[n] == '\0')
		return real + n;
	return real[n] == '/' ? real + n + 1 : NULL;
}

static void resolve_roots(const check *c, const tend_strvec *in, tend_strvec *out)
{
	for (size_t i = 0; i < in->len; i++) {
		char *path = in->items[i][0] == '/' ? tend_xstrdup(in->items[i])
						      : tend_xasprintf("%s/%s", c->root, in->items[i]);
		char *real = real_of(path);
		if (real)
			tend_strvec_push(out, real);
		free(real);
		free(path);
	}
}

char *guard_addon_of(const check *c, const char *path)
{
	if (!path || !*path)
		return NULL;
	char *real = real_of(path);
	char *name = NULL;
	for (size_t i = 0; real && !name && i < c->prov.addon_real.len; i++) {
		const char *rest = below(real, c->prov.addon_real.items[i]);
		if (rest && *rest) {
			const char *slash = strchr(rest, '/');
			name = slash ? tend_xstrndup(rest, (size_t)(slash - rest)) : tend_xstrdup(rest);
		}
	}
	free(real);
	return name;
}

static bool under_base(const check *c, const char *path)
{
	char *real = real_of(path);
	bool in = false;
	for (size_t i = 0; real && !in && i < c->prov.base_real.len; i++)
		in = below(real, c->prov.base_real.items[i]) != NULL;
	free(real);
	return in;
}

/* The kustomization of base + usable add-ons: the project's own, with only
 * the entries that resolve under the configured roots, and its namespace. */
static cJSON *platform_kustomization(const check *c)
{
	const cJSON *k = c->prov.kust.items[0].root;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "apiVersion", "kustomize.config.k8s.io/v1beta1");
	cJSON_AddStringToObject(out, "kind", "Kustomization");
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(k, "namespace");
	if (cJSON_IsString(ns))
		cJSON_AddStringToObject(out, "namespace", ns->valuestring);
	cJSON *res = cJSON_AddArrayToObject(out, "resources");
	cJSON *comps = cJSON_AddArrayToObject(out, "components");
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(k, "resources"))
	{
		if (!cJSON_IsString(e))
			continue;
		char *path = tend_xasprintf("%s/%s/%s", c->root, c->p->dir, e->valuestring);
		if (under_base(c, path))
			cJSON_AddItemToArray(res, cJSON_CreateString(e->valuestring));
		free(path);
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(k, "components"))
	{
		if (!cJSON_IsString(e))
			continue;
		char *path = tend_xasprintf("%s/%s/%s", c->root, c->p->dir, e->valuestring);
		char *addon = guard_addon_of(c, path);
		if (addon && guard_addon_usable(c, addon))
			cJSON_AddItemToArray(comps, cJSON_CreateString(e->valuestring));
		free(addon);
		free(path);
	}
	return out;
}

/* ---- add-ons that set the same field: the one listed last wins ---- */

static void scalar_text(const cJSON *n, tend_buf *out);

typedef struct order_walk {
	check *c;
	const cJSON *obj; /* the object as listed, for its kind and name */
	int line;         /* the components: entry of the kustomization */
	int reported;
} order_walk;

static void order_differs(order_walk *w, const char *path, const cJSON *listed,
			  const cJSON *other)
{
	if (cJSON_IsObject(listed) && cJSON_IsObject(other)) {
		const cJSON *f;
		cJSON_ArrayForEach(f, listed)
		{
			char *sub = tend_xasprintf("%s%s%s", path, *path ? "." : "", f->string);
			order_differs(w, sub, f, cJSON_GetObjectItemCaseSensitive(other, f->string));
			free(sub);
		}
		return;
	}
	if (!other || cJSON_Compare(listed, other, true))
		return;
	int cmp = 0;
	/* a larger quantity listed last is the usual intent (quota-large after gpu-*) */
	if (cJSON_IsString(listed) && cJSON_IsString(other) &&
	    tend_quantity_cmp(listed->valuestring, other->valuestring, &cmp) == 0 && cmp >= 0)
		return;
	if (w->reported++ >= 5)
		return;
	tend_buf a = TEND_BUF_INIT, b = TEND_BUF_INIT;
	scalar_text(listed, &a);
	scalar_text(other, &b);
	char *msg = tend_xasprintf(
	    "the add-ons set %s %s %s differently: as listed it is %s, in the other order %s "
	    "(the component listed last wins)",
	    guard_str(w->obj, "kind", NULL), guard_str(w->obj, "metadata", "name"), path, a.data,
	    b.data);
	tend_violations_add(w->c->out, w->c->p->name, "", w->c->prov.kust_file, w->line,
			    "addon-order", msg,
			    "list last the add-on whose value should win (for a quota, the larger)",
			    true);
	free(msg);
	tend_buf_free(&a);
	tend_buf_free(&b);
}

/*
 * With two or more add-ons, render them again in the reverse order: a field
 * that comes out differently is set by more than one, and the order decides
 * (gpu-h100 listed after gpu-a100 lowers the GPU quota from 16 to 8).
 */
static void check_addon_order(check *c, cJSON *k, const char *dir)
{
	cJSON *comps = cJSON_GetObjectItemCaseSensitive(k, "components");
	int n = cJSON_GetArraySize(comps);
	if (n < 2 || !c->out)
		return;
	cJSON *rev = cJSON_CreateArray();
	for (int i = n - 1; i >= 0; i--)
		cJSON_AddItemToArray(rev, cJSON_Duplicate(cJSON_GetArrayItem(comps, i), 1));
	cJSON_ReplaceItemInObjectCaseSensitive(k, "components", rev);
	tend_kustomize_opts o = {.kustomization = k};
	tend_resmap other = TEND_RESMAP_INIT;
	int rc = tend_kustomize_build(dir, &o, &other);
	if (!rc && c->p->substitute)
		rc = tend_generator_substitute(c->p, &other);
	tend_err_clear();
	const cJSON *entries =
	    cJSON_GetObjectItemCaseSensitive(c->prov.kust.items[0].root, "components");
	order_walk w = {c, NULL, entries ? tend_doc_line(entries) : 0, 0};
	for (size_t i = 0; !rc && i < c->prov.platform.len; i++) {
		const cJSON *obj = c->prov.platform.items[i].obj;
		char *id = tend_resource_id(obj);
		for (size_t j = 0; j < other.len; j++) {
			char *oid = tend_resource_id(other.items[j].obj);
			bool same = strcmp(id, oid) == 0;
			free(oid);
			if (same) {
				w.obj = obj;
				order_differs(&w, "", obj, other.items[j].obj);
				break;
			}
		}
		free(id);
	}
	tend_resmap_free(&other);
}

void guard_prov_init(check *c)
{
	guard_prov *pv = &c->prov;
	memset(pv, 0, sizeof(*pv));
	pv->kust = (tend_docs)TEND_DOCS_INIT;
	if (!c->root)
		return;
	resolve_roots(c, &c->g->base_roots, &pv->base_real);
	resolve_roots(c, &c->g->addons_roots, &pv->addon_real);
	pv->kust_file = tend_kustomization_load(c->root, c->p->dir, &pv->kust);
	if (!pv->kust_file || !cJSON_IsObject(pv->kust.items[0].root))
		return;
	pv->loaded = true;
	if (c->reclaim_only)
		return;
	cJSON *k = platform_kustomization(c);
	tend_kustomize_opts o = {.kustomization = k};
	char *dir = tend_xasprintf("%s/%s", c->root, c->p->dir);
	int rc = tend_kustomize_build(dir, &o, &pv->platform);
	if (!rc && c->p->substitute)
		rc = tend_generator_substitute(c->p, &pv->platform);
	if (!rc)
		check_addon_order(c, k, dir);
	free(dir);
	cJSON_Delete(k);
	if (rc) {
		char *msg = tend_xasprintf("the base and add-ons alone do not render: %s",
					   tend_err_msg());
		tend_violations_add(c->out, c->p->name, "", pv->kust_file, 0, "provenance", msg,
				    "keep the base and add-ons in resources: and components: as "
				    "they are; patch only your own objects",
				    false);
		free(msg);
		tend_resmap_free(&pv->platform);
		return;
	}
	for (size_t i = 0; i < pv->platform.len; i++) {
		char *id = tend_resource_id(pv->platform.items[i].obj);
		tend_strset_add(&pv->ids, id);
		free(id);
	}
	pv->ready = true;
}

/* The project's kustomization (loaded in c->prov) without the components of
 * the add-ons in `drop`, found by resolved path; NULL when none is one. */
static cJSON *without_addons(check *c, const tend_strvec *drop)
{
	const cJSON *root = c->prov.loaded ? c->prov.kust.items[0].root : NULL;
	cJSON *out = NULL;
	int i = 0; /* the entry's position in the copy */
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "components"))
	{
		bool dropped = false;
		if (cJSON_IsString(e)) {
			char *path = tend_xasprintf("%s/%s/%s", c->root, c->p->dir, e->valuestring);
			char *addon = guard_addon_of(c, path);
			for (size_t k = 0; addon && k < drop->len; k++)
				dropped |= strcmp(drop->items[k], addon) == 0;
			free(addon);
			free(path);
		}
		if (!dropped) {
			i++;
			continue;
		}
		if (!out)
			out = cJSON_Duplicate(root, 1);
		cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(out, "components"), i);
	}
	return out;
}

cJSON *tend_guard_reclaim(const tend_guard_config *g, const tend_project *p, const char *root,
			  const char *today, tend_strvec *reclaimed)
{
	if (p->trusted || !root)
		return NULL;
	check c = {g, p, root, today, NULL, {0}, NULL, true};
	guard_prov_init(&c);
	const cJSON *comps = c.prov.loaded ? cJSON_GetObjectItemCaseSensitive(
						     c.prov.kust.items[0].root, "components")
					   : NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, comps)
	{
		if (!cJSON_IsString(e))
			continue;
		char *path = tend_xasprintf("%s/%s/%s", root, p->dir, e->valuestring);
		char *addon = guard_addon_of(&c, path);
		free(path);
		const tend_addon_rule *ar = addon ? guard_addon_rule(g, addon) : NULL;
		bool expired = false;
		for (size_t i = 0; ar && ar->requires_grant && i < p->n_grants; i++)
			expired |= strcmp(p->grants[i].addon, addon) == 0 && p->grants[i].until &&
				   strcmp(p->grants[i].until, today) < 0;
		if (expired && !guard_live_grant(p, today, addon))
			tend_strvec_push(reclaimed, addon);
		free(addon);
	}
	cJSON *out = reclaimed->len ? without_addons(&c, reclaimed) : NULL;
	guard_prov_free(&c.prov);
	return out;
}

cJSON *tend_guard_without_addon(const tend_guard_config *g, const tend_project *p,
				const char *root, const char *addon)
{
	if (!root)
		return NULL;
	check c = {g, p, root, NULL, NULL, {0}, NULL, true};
	guard_prov_init(&c);
	tend_strvec drop = TEND_STRVEC_INIT;
	tend_strvec_push(&drop, addon);
	cJSON *out = without_addons(&c, &drop);
	tend_strvec_free(&drop);
	guard_prov_free(&c.prov);
	return out;
}

void guard_prov_free(guard_prov *pv)
{
	tend_resmap_free(&pv->platform);
	tend_strset_free(&pv->ids);
	tend_strvec_free(&pv->base_real);
	tend_strvec_free(&pv->addon_real);
	free(pv->kust_file);
	tend_docs_free(&pv->kust);
	memset(pv, 0, sizeof(*pv));
}

bool guard_platform_owned(const check *c, const cJSON *obj)
{
	if (!c->prov.ready)
		return false;
	char *id = tend_resource_id(obj);
	bool owned = tend_strset_has(&c->prov.ids, id);
	free(id);
	return owned;
}

const cJSON *guard_platform_object(const check *c, const cJSON *obj)
{
	if (!c->prov.ready)
		return NULL;
	char *id = tend_resource_id(obj);
	const cJSON *found = NULL;
	for (size_t i = 0; !found && i < c->prov.platform.len; i++) {
		char *pid = tend_resource_id(c->prov.platform.items[i].obj);
		if (strcmp(id, pid) == 0)
			found = c->prov.platform.items[i].obj;
		free(pid);
	}
	free(id);
	return found;
}

/* ---- who did it: the tenant's kustomization entry that touches an object ---- */

static bool doc_names(const cJSON *doc, const char *kind, const char *name)
{
	return strcmp(guard_str(doc, "kind", NULL), kind) == 0 &&
	       strcmp(guard_str(doc, "metadata", "name"), name) == 0;
}

static bool text_names(const char *label, const char *text, const char *kind, const char *name)
{
	tend_docs docs = TEND_DOCS_INIT;
	bool hit = false;
	if (tend_doc_load(label, text, strlen(text), &docs) == 0)
		for (size_t i = 0; i < docs.len && !hit; i++)
			hit = doc_names(docs.items[i].root, kind, name);
	tend_docs_free(&docs);
	return hit;
}

static bool file_names(const check *c, const char *rel, const char *kind, const char *name)
{
	char *path = tend_xasprintf("%s/%s/%s", c->root, c->p->dir, rel);
	tend_docs docs = TEND_DOCS_INIT;
	bool hit = false;
	if (tend_doc_load_file(path, &docs) == 0)
		for (size_t i = 0; i < docs.len && !hit; i++)
			hit = doc_names(docs.items[i].root, kind, name);
	tend_docs_free(&docs);
	free(path);
	return hit;
}

static bool entry_touches(const check *c, const cJSON *e, const char *kind, const char *name)
{
	if (cJSON_IsString(e))
		return strchr(e->valuestring, '\n')
			       ? text_names("patch", e->valuestring, kind, name)
			       : file_names(c, e->valuestring, kind, name);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "target");
	if (t) {
		const char *tk = guard_str(t, "kind", NULL), *tn = guard_str(t, "name", NULL);
		return (!*tk || strcmp(tk, kind) == 0) && (!*tn || strcmp(tn, name) == 0);
	}
	const char *inline_patch = guard_str(e, "patch", NULL), *path = guard_str(e, "path", NULL);
	if (*inline_patch)
		return text_names("patch", inline_patch, kind, name);
	return *path && file_names(c, path, kind, name);
}

/* The file and line to blame for a change of a platform object. */
static int blame(const check *c, const char *kind, const char *name)
{
	static const char *const fields[] = {"patches", "patchesStrategicMerge",
					     "patchesJson6902", NULL};
	const cJSON *k = c->prov.kust.items[0].root, *e, *first = NULL;
	for (int f = 0; fields[f]; f++)
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(k, fields[f]))
		{
			if (entry_touches(c, e, kind, name))
				return tend_doc_line(e);
			if (!first)
				first = e;
		}
	return first ? tend_doc_line(first) : 0;
}

char *guard_blame(const check *c, const char *kind, const char *name, int *line)
{
	if (!c->prov.loaded || !c->root)
		return NULL;
	*line = blame(c, kind, name);
	return tend_xasprintf("%s/%s", c->root, c->prov.kust_file);
}

/* ---- the comparison ---- */

typedef struct cmp {
	const check *c;
	const tend_resource *want;
	const char *origin; /* "the base" or "add-on NAME" */
	int reported;
} cmp;

static void scalar_text(const cJSON *n, tend_buf *out)
{
	if (!n)
		tend_buf_puts(out, "(absent)");
	else if (cJSON_IsString(n))
		tend_buf_puts(out, n->valuestring);
	else if (cJSON_IsNumber(n))
		tend_doc_number_text(n, out);
	else if (cJSON_IsBool(n))
		tend_buf_puts(out, cJSON_IsTrue(n) ? "true" : "false");
	else if (cJSON_IsNull(n))
		tend_buf_puts(out, "null");
	else
		tend_buf_puts(out, cJSON_IsArray(n) ? "(a list)" : "(a mapping)");
}

/* An add-on whose ceilings hold `key` above the base's: what to ask for. */
static const char *addon_raising(const check *c, const char *key)
{
	for (size_t a = 0; a < c->g->n_addons; a++) {
		const tend_addon_rule *ar = &c->g->addons[a];
		for (size_t i = 0; i < ar->n_ceilings; i++)
			if (strcmp(ar->ceilings[i].resource, key) == 0 &&
			    !guard_live_grant(c->p, c->today, ar->name))
				return ar->name;
	}
	return NULL;
}

static void differ(cmp *m, const char *path, const cJSON *want, const cJSON *got)
{
	if (m->reported++ >= 5)
		return;
	const cJSON *o = m->want->obj;
	const char *kind = guard_str(o, "kind", NULL), *name = guard_str(o, "metadata", "name");
	tend_buf a = TEND_BUF_INIT, b = TEND_BUF_INIT;
	scalar_text(want, &a);
	scalar_text(got, &b);
	char *msg, *fix;
	bool quota = strcmp(kind, "ResourceQuota") == 0 && strncmp(path, "spec.hard.", 10) == 0;
	const char *addon = quota ? addon_raising(m->c, path + 10) : NULL;
	if (quota) {
		msg = got ? tend_xasprintf("raises the quota %s from %s to %s: a project's quota is "
					   "what its base and granted add-ons set",
					   path + 10, a.data, b.data)
			  : tend_xasprintf("removes the quota %s (%s), which leaves it unlimited",
					   path + 10, a.data);
		fix = addon ? tend_xasprintf("remove the patch and request the %s add-on (an admin "
					     "adds a grant to %s/project.yaml)",
					     addon, m->c->p->dir)
			    : tend_xstrdup("remove the patch; ask an admin for a larger quota");
	} else if (!got) {
		msg = tend_xasprintf("removes %s (%s) that %s sets", path, a.data, m->origin);
		fix = tend_xasprintf("remove the patch: what %s sets is read-only for the project; "
				     "ask an admin to change it or for an add-on",
				     m->origin);
	} else if (!want) {
		msg = tend_xasprintf("adds %s: %s to what %s sets", path, b.data, m->origin);
		fix = tend_xasprintf("remove the patch: labels and annotations of platform objects "
				     "grant access (queues, pod security); request the add-on "
				     "that sets it");
	} else {
		msg = tend_xasprintf("changes %s from %s to %s, which %s sets", path, a.data, b.data,
				     m->origin);
		fix = tend_xasprintf("remove the patch: what %s sets is read-only for the project; "
				     "ask an admin to change it or for an add-on",
				     m->origin);
	}
	char *object = tend_xasprintf("%s/%s%s%s", kind, guard_str(o, "metadata", "namespace"),
				      *guard_str(o, "metadata", "namespace") ? "/" : "", name);
	tend_violations_add(m->c->out, m->c->p->name, object, m->c->prov.kust_file,
			    blame(m->c, kind, name), "platform", msg, fix, false);
	free(object);
	free(msg);
	free(fix);
	tend_buf_free(&a);
	tend_buf_free(&b);
}

static bool same_scalar(const cJSON *a, const cJSON *b)
{
	if ((a->type & 0xff) != (b->type & 0xff))
		return false;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsNumber(a)) {
		tend_buf x = TEND_BUF_INIT, y = TEND_BUF_INIT;
		tend_doc_number_text(a, &x);
		tend_doc_number_text(b, &y);
		bool same = strcmp(x.data ? x.data : "", y.data ? y.data : "") == 0;
		tend_buf_free(&x);
		tend_buf_free(&y);
		return same;
	}
	return true;
}

static void compare(cmp *m, const char *path, const cJSON *want, const cJSON *got, bool exact)
{
	if (cJSON_IsObject(want)) {
		if (!cJSON_IsObject(got)) {
			differ(m, path, want, got);
			return;
		}
		for (const cJSON *w = want->child; w; w = w->next) {
			char *sub = *path ? tend_xasprintf("%s.%s", path, w->string)
					  : tend_xstrdup(w->string);
			const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
			bool labels = strcmp(sub, "metadata.labels") == 0 ||
				      strcmp(sub, "metadata.annotations") == 0;
			if (!g)
				differ(m, sub, w, NULL);
			else
				compare(m, sub, w, g, exact || labels);
			free(sub);
		}
		/* labels and annotations the platform object has none of: any is added */
		for (int k = 0; strcmp(path, "metadata") == 0 && k < 2; k++) {
			const char *key = k ? "annotations" : "labels";
			const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, key);
			if (cJSON_GetObjectItemCaseSensitive(want, key) || !cJSON_IsObject(g))
				continue;
			for (const cJSON *kv = g->child; kv; kv = kv->next) {
				char *sub = tend_xasprintf("metadata.%s.%s", key, kv->string);
				differ(m, sub, NULL, kv);
				free(sub);
			}
		}
		for (const cJSON *g = exact ? got->child : NULL; g; g = g->next)
			if (!cJSON_GetObjectItemCaseSensitive(want, g->string)) {
				char *sub = tend_xasprintf("%s.%s", path, g->string);
				differ(m, sub, NULL, g);
				free(sub);
			}
		return;
	}
	if (cJSON_IsArray(want)) {
		if (!cJSON_IsArray(got) || cJSON_GetArraySize(want) != cJSON_GetArraySize(got)) {
			differ(m, path, want, got);
			return;
		}
		const cJSON *g = got->child;
		int i = 0;
		for (const cJSON *w = want->child; w; w = w->next, g = g->next, i++) {
			char *sub = tend_xasprintf("%s[%d]", path, i);
			compare(m, sub, w, g, true);
			free(sub);
		}
		return;
	}
	if (!same_scalar(want, got))
		differ(m, path, want, got);
}

void guard_check_platform(const check *c, const tend_resmap *objects)
{
	if (!c->prov.ready)
		return;
	char **ids = tend_xcalloc(objects->len + 1, sizeof(char *));
	for (size_t i = 0; i < objects->len; i++)
		ids[i] = tend_resource_id(objects->items[i].obj);
	for (size_t i = 0; i < c->prov.platform.len; i++) {
		const tend_resource *w = &c->prov.platform.items[i];
		char *addon = guard_addon_of(c, w->file);
		char *origin = addon ? tend_xasprintf("add-on %s", addon) : tend_xstrdup("the base");
		cmp m = {c, w, origin, 0};
		char *id = tend_resource_id(w->obj);
		const tend_resource *got = NULL;
		for (size_t k = 0; k < objects->len && !got; k++)
			if (strcmp(ids[k], id) == 0)
				got = &objects->items[k];
		if (!got) {
			const char *kind = guard_str(w->obj, "kind", NULL);
			const char *name = guard_str(w->obj, "metadata", "name");
			char *msg = tend_xasprintf("%s \"%s\" from %s is missing: a patch deleted or "
						   "renamed it",
						   kind, name, origin);
			char *fix = tend_xasprintf("remove the `$patch: delete` or rename; %s is "
						   "read-only for the project",
						   origin);
			guard_object_violation(c->p, c->root, w, "platform", false, fix, msg, c->out);
			/* the tenant's entry is the place to fix it */
			tend_violation *x = &c->out->items[c->out->len - 1];
			free(x->file);
			x->file = tend_xstrdup(c->prov.kust_file);
			x->line = blame(c, kind, name);
			free(msg);
			free(fix);
		} else {
			compare(&m, "", w->obj, got->obj, false);
		}
		free(id);
		free(origin);
		free(addon);
	}
	for (size_t i = 0; i < objects->len; i++)
		free(ids[i]);
	free(ids);
}
