/*
 * fieldspec.c — kustomize's field specs: a group/version/kind selector plus
 * a slash-separated path ("\/" escapes a slash inside a key, a trailing
 * "[]" marks a list) naming where a transformer reads or writes.
 *
 * The walk follows kyaml's fieldspec filter exactly, because the shape of
 * the output depends on it: lists are entered element by element with the
 * same remaining path, a missing field is created (as a map, or as the
 * caller's kind for the last field) only when the spec says `create` and
 * the field is not a "[]" list, a null field on a creating path becomes
 * that kind, and a scalar where the path continues is an error.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

void kz_fs_free(kz_fs *fs)
{
	if (fs->borrowed)
		return;
	free(fs->group);
	free(fs->version);
	free(fs->kind);
	free(fs->path);
	for (size_t i = 0; i < fs->nseg; i++)
		free(fs->seg[i]);
	free(fs->seg);
	free(fs->seq);
}

void kz_fslist_free(kz_fslist *l)
{
	for (size_t i = 0; i < l->len; i++)
		kz_fs_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->len = l->cap = 0;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? tend_xstrdup(s) : NULL;
}

/* A selector part: empty matches anything. */
static bool selects(const char *want, const char *have)
{
	return !want || !*want || strcmp(want, have ? have : "") == 0;
}

static void split_path(kz_fs *fs)
{
	size_t cap = 0;
	const char *p = fs->path;
	for (;;) {
		const char *end = p;
		while (*end && (*end != '/' || (end > p && end[-1] == '\\')))
			end++;
		if (fs->nseg == cap) {
			cap = cap ? cap * 2 : 8;
			fs->seg = tend_xrealloc(fs->seg, cap * sizeof(*fs->seg));
			fs->seq = tend_xrealloc(fs->seq, cap * sizeof(*fs->seq));
		}
		char *s = tend_xstrndup(p, (size_t)(end - p));
		if (strstr(s, "\\/")) { /* "\/" escapes a slash inside a key */
			char *w = s;
			for (const char *r = s; *r; r++)
				if (!(r[0] == '\\' && r[1] == '/'))
					*w++ = *r;
			*w = '\0';
		}
		size_t n = strlen(s);
		bool seq = n >= 2 && strcmp(s + n - 2, "[]") == 0;
		if (seq)
			s[n - 2] = '\0';
		fs->seg[fs->nseg] = s;
		fs->seq[fs->nseg++] = seq;
		if (!*end)
			break;
		p = end + 1;
	}
}

int kz_fslist_add(kz_fslist *l, const char *group, const char *version, const char *kind,
		  const char *path, bool create)
{
	/* kustomize's effectivelyEquals: a spec is already there when one with
	 * the same path has a gvk the new one selects (the new one's empty
	 * parts match anything), so a generic spec after a kind-specific one
	 * with its path is absorbed by it. */
	for (size_t i = 0; i < l->len; i++) {
		kz_fs *o = &l->items[i];
		if (strcmp(o->path, path) == 0 && selects(group, o->group) &&
		    selects(version, o->version) && selects(kind, o->kind)) {
			if (o->create != create)
				return tend_err("conflicting fieldspecs for path %s", path);
			return 0;
		}
	}
	kz_fslist_push(l, group, version, kind, path, create);
	return 0;
}

void kz_fslist_push(kz_fslist *l, const char *group, const char *version, const char *kind,
		    const char *path, bool create)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = tend_xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	kz_fs *fs = &l->items[l->len++];
	memset(fs, 0, sizeof(*fs));
	fs->group = dup_or_null(group);
	fs->version = dup_or_null(version);
	fs->kind = dup_or_null(kind);
	fs->path = tend_xstrdup(path);
	fs->create = create;
	split_path(fs);
}

static const char *const ORDER_FIRST[] = {"Namespace",
                                          "ResourceQuota",
                                          "StorageClass",
                                          "CustomResourceDefinition",
                                          "ServiceAccount",
                                          "PodSecurityPolicy",
                                          "Role",
                                          "ClusterRole",
                                          "RoleBinding",
                                          "ClusterRoleBinding",
                                          "ConfigMap",
                                          "Secret",
                                          "Endpoints",
                                          "Service",
                                          "LimitRange",
                                          "PriorityClass",
                                          "PersistentVolume",
                                          "PersistentVolumeClaim",
                                          "Deployment",
                                          "StatefulSet",
                                          "CronJob",
                                          "PodDisruptionBudget",
                                          NULL};
static const char *const ORDER_LAST[] = {"MutatingWebhookConfiguration",
                                         "ValidatingWebhookConfiguration", NULL};

static int kind_order(const char *kind)
{
	int n = 0;
	while (ORDER_FIRST[n])
		n++;
	for (int i = 0; kind && ORDER_FIRST[i]; i++)
		if (strcmp(kind, ORDER_FIRST[i]) == 0)
			return i - n;
	for (int i = 0; kind && ORDER_LAST[i]; i++)
		if (strcmp(kind, ORDER_LAST[i]) == 0)
			return i + 1;
	return 0;
}

/* kyaml's Gvk.String: "kind.version.group", empty parts as [noKind] and the like. */
static void gvk_parts_text(const char *group, const char *version, const char *kind, tend_buf *out)
{
	tend_buf_reset(out);
	tend_buf_printf(out, "%s.%s.%s", kind && *kind ? kind : "[noKind]",
	                version && *version ? version : "[noVer]",
	                group && *group ? group : "[noGrp]");
}

static void gvk_text(const kz_fs *fs, tend_buf *out)
{
	gvk_parts_text(fs->group, fs->version, fs->kind, out);
}

typedef struct sort_item {
	kz_fs fs;
	int order;
	char *key;
	size_t index;
} sort_item;

int kz_gvk_cmp(const char *ga, const char *va, const char *ka, const char *gb, const char *vb,
               const char *kb)
{
	int oa = kind_order(ka), ob = kind_order(kb);
	if (oa != ob)
		return oa < ob ? -1 : 1;
	tend_buf ta = TEND_BUF_INIT, tb = TEND_BUF_INIT;
	gvk_parts_text(ga, va, ka, &ta);
	gvk_parts_text(gb, vb, kb, &tb);
	int c = strcmp(ta.data, tb.data);
	tend_buf_free(&ta);
	tend_buf_free(&tb);
	return c;
}

static int cmp_items(const void *pa, const void *pb)
{
	const sort_item *a = pa, *b = pb;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

void kz_fslist_sort(kz_fslist *l)
{
	if (l->len < 2)
		return;
	sort_item *items = tend_xcalloc(l->len, sizeof(*items));
	tend_buf key = TEND_BUF_INIT;
	for (size_t i = 0; i < l->len; i++) {
		gvk_text(&l->items[i], &key);
		items[i] = (sort_item){l->items[i], kind_order(l->items[i].kind),
		                       tend_xstrdup(key.data), i};
	}
	qsort(items, l->len, sizeof(*items), cmp_items);
	for (size_t i = 0; i < l->len; i++) {
		l->items[i] = items[i].fs;
		free(items[i].key);
	}
	free(items);
	tend_buf_free(&key);
}

int kz_fslist_merge(kz_fslist *to, const kz_fslist *from)
{
	for (size_t i = 0; i < from->len; i++) {
		const kz_fs *f = &from->items[i];
		/* both borrow the cache's defaults at the same places: nothing to add */
		if (f->borrowed && i < to->len && to->items[i].path == f->path)
			continue;
		if (kz_fslist_add(to, f->group, f->version, f->kind, f->path, f->create))
			return -1;
	}
	return 0;
}

bool kz_fs_selects(const char *sg, const char *sv, const char *sk, const char *group,
		   const char *version, const char *kind)
{
	if (sg && *sg && strcmp(sg, group) != 0)
		return false;
	if (sv && *sv && strcmp(sv, version) != 0)
		return false;
	if (sk && *sk && strcmp(sk, kind) != 0)
		return false;
	return true;
}

/* Runs for every field spec of every object: compares in place, no copies. */
bool kz_fs_selects_obj(const kz_fs *fs, const cJSON *obj)
{
	if (fs->kind && strcmp(fs->kind, kz_kind(obj)) != 0)
		return false;
	if (!fs->group && !fs->version)
		return true;
	const char *api = kz_str(obj, "apiVersion", NULL);
	const char *slash = strchr(api, '/');
	size_t glen = slash ? (size_t)(slash - api) : 0;
	const char *version = slash ? slash + 1 : api;
	if (fs->group && (strlen(fs->group) != glen || strncmp(fs->group, api, glen) != 0))
		return false;
	return !fs->version || strcmp(fs->version, version) == 0;
}

static cJSON *create_node(int type)
{
	switch (type) {
	case cJSON_String:
		return cJSON_CreateString("");
	case cJSON_Array:
		return cJSON_CreateArray();
	case cJSON_Number:
		return tend_doc_number("0");
	default:
		return cJSON_CreateObject();
	}
}


static int walk(cJSON *node, const kz_fs *fs, size_t i, int create_type, kz_fs_fn fn, void *ctx)
{
	if (i == fs->nseg)
		return fn(node, ctx);
	if (cJSON_IsNull(node))
		return 0;
	if (cJSON_IsArray(node)) {
		cJSON *el;
		cJSON_ArrayForEach(el, node)
		{
			if (walk(el, fs, i, create_type, fn, ctx))
				return -1;
		}
		return 0;
	}
	if (!cJSON_IsObject(node))
		return tend_err("fieldSpec path %s: expected sequence or mapping node at \"%s\"",
				fs->path, fs->seg[i]);
	if (!fs->seg[i][0])
		return tend_err("fieldSpec path %s: cannot set or create an empty field name",
				fs->path);
	bool last = i + 1 == fs->nseg;
	bool may_create = fs->create && create_type && !fs->seq[i];
	int kind = last ? create_type : cJSON_Object;
	cJSON *f = cJSON_GetObjectItemCaseSensitive(node, fs->seg[i]);
	if (!f) {
		if (!may_create)
			return 0;
		f = create_node(kind);
		cJSON_AddItemToObject(node, fs->seg[i], f);
	} else if (cJSON_IsNull(f) && may_create) {
		kz_set_value(f, create_node(kind));
	}
	return walk(f, fs, i + 1, create_type, fn, ctx);
}

int kz_fs_apply(cJSON *obj, const kz_fs *fs, int create_type, kz_fs_fn fn, void *ctx)
{
	return walk(obj, fs, 0, create_type, fn, ctx);
}

int kz_fslist_apply(cJSON *obj, const kz_fslist *l, int create_type, kz_fs_fn fn, void *ctx)
{
	for (size_t i = 0; i < l->len; i++)
		if (kz_fs_selects_obj(&l->items[i], obj) &&
		    kz_fs_apply(obj, &l->items[i], create_type, fn, ctx))
			return -1;
	return 0;
}
