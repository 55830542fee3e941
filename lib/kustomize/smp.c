/*
 * smp.c — strategic merge patches, as kustomize v5 applies them through
 * kyaml's merge2 walker (not apimachinery's strategicpatch).
 *
 * The walk visits the union of dest and patch fields. Lists are merged by
 * key only where the built-in schema (merge_keys.c) gives the list the
 * "merge" strategy; every other list, and every list of a kind the table
 * does not know (custom resources), is replaced. Merged lists put the
 * patch's elements first, then dest's others, in their order. `$patch:
 * delete|replace|merge` is honoured on maps and, as a one-key element, on
 * merged lists; other `$...` directives are ordinary fields. Null deletes.
 *
 * Invariant: the walk works in place on dest and steals nodes from the
 * patch, which is the caller's private copy and is freed at the end.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct smp_schema {
	int type;                    /* kz_schema_types index, -1 when unknown */
	const kz_schema_field *list; /* the list property, for sequences */
} smp_schema;

static const smp_schema NO_SCHEMA = {-1, NULL};

typedef struct smp_ctx {
	const char *label;
	tend_buf path; /* field path, for errors */
} smp_ctx;

enum directive { D_NONE, D_MERGE, D_REPLACE, D_DELETE };

static bool is_null(const cJSON *n)
{
	return !n || cJSON_IsNull(n);
}

static int kind_schema(const char *api, const char *kind)
{
	char group[256], version[128];
	kz_api_split(api, group, sizeof(group), version, sizeof(version));
	for (const kz_schema_kind *k = kz_schema_kinds; k->group; k++)
		if (strcmp(k->kind, kind) == 0 && strcmp(k->version, version) == 0 &&
		    strcmp(k->group, group) == 0)
			return k->type;
	return -1;
}

/* kyaml's GetSchema: without a schema, a map naming apiVersion and kind brings its own. */
static smp_schema schema_of(smp_schema s, const cJSON *dst, const cJSON *src)
{
	if (s.type >= 0 || s.list)
		return s;
	const cJSON *srcs[2] = {dst, src};
	for (int i = 0; i < 2; i++) {
		const cJSON *api = cJSON_GetObjectItemCaseSensitive(srcs[i], "apiVersion");
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(srcs[i], "kind");
		if (cJSON_IsObject(srcs[i]) && cJSON_IsString(api) && cJSON_IsString(kind) &&
		    api->valuestring[0] && kind->valuestring[0])
			return (smp_schema){kind_schema(api->valuestring, kind->valuestring), NULL};
	}
	return s;
}

static smp_schema field_schema(smp_schema s, const char *name)
{
	if (s.type < 0 || s.list)
		return NO_SCHEMA;
	const kz_schema_field *any = NULL;
	for (const kz_schema_field *f = kz_schema_types[s.type]; f->name; f++) {
		if (strcmp(f->name, name) == 0)
			return f->list ? (smp_schema){f->type, f} : (smp_schema){f->type, NULL};
		if (strcmp(f->name, "*") == 0)
			any = f;
	}
	if (any)
		return any->list ? (smp_schema){any->type, any} : (smp_schema){any->type, NULL};
	return NO_SCHEMA;
}

/* The text kyaml compares merge keys by: the scalar as written. */
static void scalar_text(const cJSON *n, tend_buf *out)
{
	tend_buf_reset(out);
	if (cJSON_IsString(n))
		tend_buf_puts(out, n->valuestring);
	else if (cJSON_IsNumber(n))
		tend_doc_number_text(n, out);
	else if (cJSON_IsBool(n))
		tend_buf_puts(out, cJSON_IsTrue(n) ? "true" : "false");
	tend_buf_putc(out, '\0');
	out->len--;
}

static int directive_value(smp_ctx *c, const cJSON *v, enum directive *out)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : "";
	if (strcmp(s, "delete") == 0)
		*out = D_DELETE;
	else if (strcmp(s, "replace") == 0)
		*out = D_REPLACE;
	else if (strcmp(s, "merge") == 0)
		*out = D_MERGE;
	else
		return tend_err("%s: %s: unknown patch strategy '%s'", c->label,
		                c->path.len ? c->path.data : ".", s);
	return 0;
}

/* `$patch` of a map patch; a known value is removed from the patch. */
static int map_directive(smp_ctx *c, cJSON *src, enum directive *out)
{
	*out = D_NONE;
	cJSON *v = cJSON_GetObjectItemCaseSensitive(src, "$patch");
	if (!cJSON_IsObject(src) || !v)
		return 0;
	if (directive_value(c, v, out))
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(src, "$patch");
	return 0;
}

/* A one-key `{$patch: X}` element of a list patch; a known one is removed. */
static int list_directive(smp_ctx *c, cJSON *src, enum directive *out)
{
	*out = D_NONE;
	if (!cJSON_IsArray(src))
		return 0;
	for (cJSON *e = src->child; e; e = e->next) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "$patch");
		if (!cJSON_IsObject(e) || !v)
			continue;
		if (cJSON_GetArraySize(e) > 1)
			return 0;
		if (directive_value(c, v, out))
			return -1;
		cJSON_Delete(cJSON_DetachItemViaPointer(src, e));
		return 0;
	}
	return 0;
}

static const char *node_kind(const cJSON *n)
{
	return cJSON_IsObject(n) ? "MappingNode" : cJSON_IsArray(n) ? "SequenceNode" : "ScalarNode";
}

static int kind_of(const cJSON *n)
{
	return cJSON_IsObject(n) ? 1 : cJSON_IsArray(n) ? 2 : 3;
}

static cJSON *walk(smp_ctx *c, cJSON *dst, cJSON *src, smp_schema s, int *err);

/* Sets or clears R[key] to the walked value v (dst's old value d, or a patch node). */
static void set_field(cJSON *r, cJSON *src, const char *key, cJSON *d, cJSON *v)
{
	if (is_null(v)) {
		if (d)
			cJSON_Delete(cJSON_DetachItemViaPointer(r, d));
		return;
	}
	if (v == d)
		return;
	if (src && src != r && cJSON_IsObject(src)) {
		for (cJSON *o = src->child; o; o = o->next)
			if (o == v) {
				cJSON_DetachItemViaPointer(src, v);
				break;
			}
	}
	if (d)
		cJSON_Delete(cJSON_DetachItemViaPointer(r, d));
	cJSON_AddItemToObject(r, key, v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static cJSON *walk_map(smp_ctx *c, cJSON *dst, cJSON *src, smp_schema s, int *err)
{
	enum directive d;
	cJSON *r;
	if (is_null(dst)) {
		if (cJSON_IsObject(src)) {
			map_directive(c, src, &d);
			tend_err_clear();
			if (d == D_DELETE)
				return NULL;
		}
		r = src;
	} else if (src && cJSON_IsNull(src)) {
		return NULL;
	} else {
		if (map_directive(c, src, &d)) {
			*err = -1;
			return NULL;
		}
		r = d == D_DELETE ? NULL : d == D_REPLACE ? src : dst;
	}
	if (!cJSON_IsObject(r))
		return r;
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(r) + (size_t)cJSON_GetArraySize(src) + 1;
	char **keys = tend_xcalloc(cap, sizeof(char *));
	for (cJSON *f = r->child; f; f = f->next)
		keys[n++] = f->string;
	if (cJSON_IsObject(src) && src != r)
		for (cJSON *f = src->child; f; f = f->next)
			if (!cJSON_GetObjectItemCaseSensitive(r, f->string))
				keys[n++] = f->string;
	for (size_t i = 0; i < n; i++)
		keys[i] = tend_xstrdup(keys[i]);
	qsort(keys, n, sizeof(char *), cmp_str);
	size_t plen = c->path.len;
	for (size_t i = 0; i < n && !*err; i++) {
		cJSON *dv = cJSON_GetObjectItemCaseSensitive(r, keys[i]);
		cJSON *sv =
		    cJSON_IsObject(src) ? cJSON_GetObjectItemCaseSensitive(src, keys[i]) : NULL;
		tend_buf_printf(&c->path, "%s%s", plen ? "." : "", keys[i]);
		cJSON *v = walk(c, dv, sv, field_schema(s, keys[i]), err);
		c->path.len = plen;
		if (c->path.data)
			c->path.data[plen] = '\0';
		if (!*err)
			set_field(r, src, keys[i], dv, v);
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return r;
}

/* ---- merged lists ---- */

typedef struct nodes {
	cJSON **items;
	size_t len, cap;
} nodes;

static void nodes_push(nodes *l, cJSON *n)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->items = tend_xrealloc(l->items, l->cap * sizeof(cJSON *));
	}
	l->items[l->len++] = n;
}

/* Takes every element out of a list node. */
static void nodes_take(nodes *l, cJSON *list)
{
	cJSON *e;
	while ((e = cJSON_DetachItemFromArray(list, 0)))
		nodes_push(l, e);
}

/* Does element e carry key (any value when v is "") with value v? */
static bool element_matches(const cJSON *e, const char *key, const char *v, tend_buf *tmp)
{
	if (!key[0]) {
		if (cJSON_IsObject(e) || cJSON_IsArray(e))
			return false;
		scalar_text(e, tmp);
		return strcmp(tmp->data ? tmp->data : "", v) == 0;
	}
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, key);
	if (!cJSON_IsObject(e) || is_null(f))
		return false;
	if (!v[0])
		return true;
	scalar_text(f, tmp);
	return strcmp(tmp->data ? tmp->data : "", v) == 0;
}

static cJSON *find_element(const nodes *l, const char *key, const char *v, tend_buf *tmp)
{
	for (size_t i = 0; i < l->len; i++) {
		const cJSON *e = l->items[i];
		if (!key[0]) {
			if (element_matches(e, key, v, tmp))
				return l->items[i];
			continue;
		}
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, key);
		if (!cJSON_IsObject(e) || is_null(f))
			continue;
		scalar_text(f, tmp);
		if (strcmp(tmp->data ? tmp->data : "", v) == 0)
			return l->items[i];
	}
	return NULL;
}

/* kyaml's ElementSetter: replace the elements matching key=v with elem (or
 * drop them when elem is NULL), append elem when none matched; empty
 * elements are dropped on the way. */
static void element_set(nodes *l, const char *key, const char *v, cJSON *elem, tend_buf *tmp)
{
	size_t w = 0;
	bool found = false;
	for (size_t i = 0; i < l->len; i++) {
		cJSON *e = l->items[i];
		if (is_null(e) || (cJSON_IsObject(e) && !e->child))
			continue;
		if (!element_matches(e, key, v, tmp)) {
			l->items[w++] = e;
			continue;
		}
		found = true;
		if (elem)
			l->items[w++] = elem;
	}
	l->len = w;
	if (elem && !found)
		nodes_push(l, elem);
}

static bool nodes_has(const nodes *l, const cJSON *n)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->items[i] == n)
			return true;
	return false;
}

/* Links the merged elements into r, each once (kyaml may list one twice). */
static void link_items(cJSON *r, const nodes *items)
{
	for (size_t i = 0; i < items->len; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = items->items[j] == items->items[i];
		if (!seen)
			cJSON_AddItemToArray(r, items->items[i]);
	}
}

/* Merge-key values of a list, in order, skipping ones already seen. */
static void collect_values(const nodes *l, const char *key, tend_strvec *vals, tend_strset *seen,
                           tend_buf *tmp)
{
	for (size_t i = 0; i < l->len; i++) {
		const cJSON *e = l->items[i];
		if (key[0]) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, key);
			if (is_null(f))
				tend_buf_reset(tmp);
			else
				scalar_text(f, tmp);
		} else {
			scalar_text(e, tmp);
		}
		const char *v = tmp->data && tmp->len ? tmp->data : "";
		if (tend_strset_add(seen, v))
			tend_strvec_push(vals, v);
	}
}

static cJSON *merge_list(smp_ctx *c, cJSON *r, cJSON *src, smp_schema s, int *err)
{
	const char *key = s.list->key ? s.list->key : "";
	smp_schema elem_schema = {s.type, NULL};
	nodes rv = {0}, sv = {0}, items = {0};
	nodes_take(&rv, r);
	if (cJSON_IsArray(src) && src != r)
		nodes_take(&sv, src);
	tend_strvec vals = TEND_STRVEC_INIT;
	tend_strset seen = TEND_STRSET_INIT;
	tend_buf tmp = TEND_BUF_INIT;
	collect_values(&sv, key, &vals, &seen, &tmp);
	collect_values(&rv, key, &vals, &seen, &tmp);
	nodes all = {0};
	for (size_t i = 0; i < rv.len; i++)
		nodes_push(&all, rv.items[i]);
	for (size_t i = 0; i < sv.len; i++)
		nodes_push(&all, sv.items[i]);
	for (size_t i = 0; i < vals.len && !*err; i++) {
		const char *v = vals.items[i];
		cJSON *de = find_element(&rv, key, v, &tmp);
		cJSON *oe = find_element(&sv, key, v, &tmp);
		if (src == r)
			oe = de;
		cJSON *val = walk(c, de, oe, elem_schema, err);
		if (*err)
			break;
		if (is_null(val) || (cJSON_IsObject(val) && !val->child)) {
			element_set(&rv, key, v, NULL, &tmp);
			continue;
		}
		if (key[0] && cJSON_IsObject(val) && !cJSON_GetObjectItemCaseSensitive(val, key))
			cJSON_AddItemToObject(val, key, cJSON_CreateString(v));
		element_set(&items, key, v, val, &tmp);
	}
	for (size_t i = 0; i < rv.len && !*err; i++) {
		cJSON *e = rv.items[i];
		const cJSON *f = key[0] ? cJSON_GetObjectItemCaseSensitive(e, key) : e;
		if (key[0] && is_null(f)) {
			nodes_push(&items, e);
			continue;
		}
		scalar_text(f, &tmp);
		char *v = tend_xstrdup(tmp.data ? tmp.data : "");
		element_set(&items, key, v, e, &tmp);
		free(v);
	}
	if (*err)
		items.len = 0;
	link_items(r, &items);
	for (size_t i = 0; i < all.len; i++)
		if (!nodes_has(&items, all.items[i]))
			cJSON_Delete(all.items[i]);
	free(rv.items);
	free(sv.items);
	free(items.items);
	free(all.items);
	tend_strvec_free(&vals);
	tend_strset_free(&seen);
	tend_buf_free(&tmp);
	return r;
}

/* ---- lists merged by several keys (x-kubernetes-list-map-keys) ---- */

/*
 * Such lists (ports by containerPort and protocol, topologySpreadConstraints)
 * follow kyaml's multi-key merge literally, quirks included: key tuples
 * that agree except where one side lacks a key are unified first, so a
 * patch element missing the protocol finds no patch element and is lost;
 * dest elements are moved behind the patch's new ones.
 */
typedef struct tuple {
	char **v; /* one value per key, "" when missing */
} tuple;

static void tuple_of(const cJSON *e, const tend_strvec *keys, tuple *t, tend_buf *tmp)
{
	t->v = tend_xcalloc(keys->len, sizeof(char *));
	for (size_t i = 0; i < keys->len; i++) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, keys->items[i]);
		if (is_null(f))
			tend_buf_reset(tmp);
		else
			scalar_text(f, tmp);
		t->v[i] = tend_xstrdup(tmp->len ? tmp->data : "");
	}
}

static bool tuple_eq(const tuple *a, const tuple *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* kyaml's match(): equal somewhere, elsewhere differing only where one is empty. */
static bool tuple_unify(char **a, char **b, size_t n, char **out)
{
	bool common = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i], b[i]) == 0) {
			common = true;
			out[i] = a[i];
		} else if (a[i][0] && b[i][0]) {
			return false;
		} else {
			out[i] = a[i][0] ? a[i] : b[i];
		}
	}
	return common;
}

/* Does e match every (key, value) with value "" meaning "has the key"?
 * Only the first nvals keys are checked, as kyaml's ElementSetter does. */
static bool multi_matches(const cJSON *e, const tend_strvec *keys, char **vals, size_t nvals,
                          tend_buf *tmp)
{
	if (!cJSON_IsObject(e))
		return false;
	for (size_t j = 0; j < keys->len && j < nvals; j++) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, keys->items[j]);
		if (is_null(f))
			return false;
		if (vals[j][0]) {
			scalar_text(f, tmp);
			if (strcmp(tmp->len ? tmp->data : "", vals[j]) != 0)
				return false;
		}
	}
	return nvals > 0;
}

/* ElementSetter on several keys: replace matches with elem, drop them when NULL. */
static void multi_set(nodes *l, const tend_strvec *keys, char **vals, size_t nvals, cJSON *elem,
                      tend_buf *tmp)
{
	size_t w = 0;
	bool found = false;
	for (size_t i = 0; i < l->len; i++) {
		cJSON *e = l->items[i];
		if (is_null(e) || (cJSON_IsObject(e) && !e->child))
			continue;
		if (!multi_matches(e, keys, vals, nvals, tmp)) {
			l->items[w++] = e;
			continue;
		}
		found = true;
		if (elem)
			l->items[w++] = elem;
	}
	l->len = w;
	if (elem && !found)
		nodes_push(l, elem);
}

/* First element whose keys equal vals exactly (ElementList). */
static cJSON *multi_find(const nodes *l, const tend_strvec *keys, char **vals, tend_buf *tmp)
{
	for (size_t i = 0; i < l->len; i++) {
		const cJSON *e = l->items[i];
		bool ok = cJSON_IsObject(e);
		for (size_t j = 0; ok && j < keys->len; j++) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, keys->items[j]);
			if (is_null(f)) {
				ok = false;
				break;
			}
			scalar_text(f, tmp);
			ok = strcmp(tmp->len ? tmp->data : "", vals[j]) == 0;
		}
		if (ok)
			return l->items[i];
	}
	return NULL;
}

/* kyaml's validateKeys: the keys with a value somewhere, or all of them. */
static void valid_keys(const tend_strvec *keys, const bool *inset, char **vals, tend_strvec *vk,
                       tend_strvec *vv)
{
	bool any = false;
	for (size_t i = 0; i < keys->len; i++)
		any = any || inset[i];
	for (size_t i = 0; i < keys->len; i++)
		if (!any || inset[i]) {
			tend_strvec_push(vk, keys->items[i]);
			tend_strvec_push(vv, vals[i]);
		}
}

static cJSON *merge_list_multi(smp_ctx *c, cJSON *r, cJSON *src, smp_schema s, int *err)
{
	tend_strvec keys = TEND_STRVEC_INIT;
	char *kl = tend_xstrdup(s.list->key);
	for (char *save = NULL, *t = strtok_r(kl, ",", &save); t; t = strtok_r(NULL, ",", &save))
		tend_strvec_push(&keys, t);
	free(kl);
	size_t nk = keys.len;
	smp_schema elem_schema = {s.type, NULL};
	nodes rv = {0}, sv = {0}, items = {0}, all = {0};
	nodes_take(&rv, r);
	if (cJSON_IsArray(src) && src != r)
		nodes_take(&sv, src);
	for (size_t i = 0; i < rv.len; i++)
		nodes_push(&all, rv.items[i]);
	for (size_t i = 0; i < sv.len; i++)
		nodes_push(&all, sv.items[i]);
	tend_buf tmp = TEND_BUF_INIT;
	/* value tuples, patch first, without repeats */
	size_t nt = 0;
	tuple *ts = tend_xcalloc(rv.len + sv.len + 1, sizeof(tuple));
	nodes *order[2] = {&sv, &rv};
	for (int o = 0; o < 2; o++)
		for (size_t i = 0; i < order[o]->len; i++) {
			tuple t;
			tuple_of(order[o]->items[i], &keys, &t, &tmp);
			bool dup = false;
			for (size_t j = 0; j < nt && !dup; j++)
				dup = tuple_eq(&ts[j], &t, nk);
			if (dup) {
				for (size_t k = 0; k < nk; k++)
					free(t.v[k]);
				free(t.v);
			} else {
				ts[nt++] = t;
			}
		}
	/* mergeValues: rows point into the tuples' strings, unified pairwise */
	char ***rows = tend_xcalloc(nt + 1, sizeof(char **));
	for (size_t i = 0; i < nt; i++) {
		rows[i] = tend_xcalloc(nk, sizeof(char *));
		memcpy(rows[i], ts[i].v, nk * sizeof(char *));
	}
	char **v1 = tend_xcalloc(nk, sizeof(char *)), **m = tend_xcalloc(nk, sizeof(char *));
	for (size_t i = 0; i < nt; i++) {
		memcpy(v1, rows[i], nk * sizeof(char *));
		for (size_t j = 0; j < nt; j++)
			if (tuple_unify(v1, rows[j], nk, m)) {
				memcpy(rows[i], m, nk * sizeof(char *));
				memcpy(rows[j], m, nk * sizeof(char *));
			}
	}
	bool *inset = tend_xcalloc(nk, sizeof(bool));
	for (size_t i = 0; i < nt; i++)
		for (size_t k = 0; k < nk; k++)
			inset[k] = inset[k] || rows[i][k][0];
	tend_strvec vk = TEND_STRVEC_INIT, vv = TEND_STRVEC_INIT;
	for (size_t i = 0; i < nt && !*err; i++) {
		for (size_t k = 0; k < vk.len; k++)
			free(vk.items[k]), free(vv.items[k]);
		vk.len = vv.len = 0;
		valid_keys(&keys, inset, rows[i], &vk, &vv);
		/* the look-up uses only the keys with a value in this row */
		tend_strvec lk = TEND_STRVEC_INIT, lv = TEND_STRVEC_INIT;
		for (size_t k = 0; k < vk.len; k++)
			if (vv.items[k][0]) {
				tend_strvec_push(&lk, vk.items[k]);
				tend_strvec_push(&lv, vv.items[k]);
			}
		tend_strvec *fk = lk.len ? &lk : &vk, *fv = lk.len ? &lv : &vv;
		cJSON *de = multi_find(&rv, fk, fv->items, &tmp);
		cJSON *oe = src == r ? de : multi_find(&sv, fk, fv->items, &tmp);
		tend_strvec_free(&lk);
		tend_strvec_free(&lv);
		cJSON *val = walk(c, de, oe, elem_schema, err);
		if (*err)
			break;
		if (is_null(val) || (cJSON_IsObject(val) && !val->child)) {
			multi_set(&rv, &vk, vv.items, vv.len, NULL, &tmp);
			continue;
		}
		for (size_t k = 0; k < vk.len; k++)
			if (vv.items[k][0] && cJSON_IsObject(val) &&
			    !cJSON_GetObjectItemCaseSensitive(val, vk.items[k]))
				cJSON_AddItemToObject(val, vk.items[k],
				                      cJSON_CreateString(vv.items[k]));
		multi_set(&items, &vk, vv.items, vv.len, val, &tmp);
	}
	/* appendListNode: dest elements are moved behind, missing keys appended as they are */
	for (size_t i = 0; i < rv.len && !*err && vk.len; i++) {
		cJSON *e = rv.items[i];
		char **vals = tend_xcalloc(vk.len, sizeof(char *));
		size_t n = 0;
		for (size_t k = 0; k < vk.len; k++) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, vk.items[k]);
			if (is_null(f)) {
				nodes_push(&items, e);
				continue;
			}
			scalar_text(f, &tmp);
			vals[n++] = tend_xstrdup(tmp.len ? tmp.data : "");
		}
		if (vk.len > 1)
			multi_set(&items, &vk, vals, n, NULL, &tmp);
		multi_set(&items, &vk, vals, n, e, &tmp);
		for (size_t k = 0; k < n; k++)
			free(vals[k]);
		free(vals);
	}
	if (*err)
		items.len = 0;
	link_items(r, &items);
	for (size_t i = 0; i < all.len; i++)
		if (!nodes_has(&items, all.items[i]))
			cJSON_Delete(all.items[i]);
	for (size_t i = 0; i < nt; i++) {
		for (size_t k = 0; k < nk; k++)
			free(ts[i].v[k]);
		free(ts[i].v);
		free(rows[i]);
	}
	free(ts);
	free(rows);
	free(v1);
	free(m);
	free(inset);
	tend_strvec_free(&vk);
	tend_strvec_free(&vv);
	free(rv.items);
	free(sv.items);
	free(items.items);
	free(all.items);
	tend_buf_free(&tmp);
	tend_strvec_free(&keys);
	return r;
}

static cJSON *walk_list(smp_ctx *c, cJSON *dst, cJSON *src, smp_schema s, int *err)
{
	if (!s.list || !s.list->merge)
		return src ? src : dst;
	cJSON *r;
	if (is_null(dst)) {
		r = src;
	} else if (src && cJSON_IsNull(src)) {
		return NULL;
	} else {
		enum directive d;
		if (list_directive(c, src, &d)) {
			*err = -1;
			return NULL;
		}
		r = d == D_DELETE ? NULL : d == D_REPLACE ? src : dst;
	}
	if (!cJSON_IsArray(r))
		return r;
	if (s.list->key && strchr(s.list->key, ','))
		return merge_list_multi(c, r, src, s, err);
	return merge_list(c, r, src, s, err);
}

static cJSON *walk(smp_ctx *c, cJSON *dst, cJSON *src, smp_schema s, int *err)
{
	s = schema_of(s, dst, src);
	const cJSON *first = !is_null(dst) ? dst : src;
	if (is_null(first))
		return walk_map(c, dst, src, s, err);
	if (!is_null(dst) && !is_null(src) && kind_of(dst) != kind_of(src)) {
		*err = tend_err("%s: wrong node kind for %s: expected %s, the patch has a %s",
		                c->label, c->path.len ? c->path.data : ".", node_kind(dst),
		                node_kind(src));
		return NULL;
	}
	if (cJSON_IsObject(first))
		return walk_map(c, dst, src, s, err);
	if (cJSON_IsArray(first))
		return walk_list(c, dst, src, s, err);
	return src ? src : dst;
}

static void restore_meta(cJSON *obj, const char *field, const char *value)
{
	if (value[0]) {
		kz_set_meta_string(obj, field, value);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
	                                        field);
}

int kz_smp_apply(cJSON **obj, cJSON *patch, bool allow_name, bool allow_kind, const char *label)
{
	char *name = tend_xstrdup(kz_name(*obj));
	char *ns = tend_xstrdup(kz_namespace(*obj));
	char *kind = tend_xstrdup(kz_kind(*obj));
	cJSON *api = cJSON_GetObjectItemCaseSensitive(*obj, "apiVersion");
	if (cJSON_IsString(api) && cJSON_IsObject(patch)) {
		cJSON_DeleteItemFromObjectCaseSensitive(patch, "apiVersion");
		cJSON_AddItemToObject(patch, "apiVersion", cJSON_CreateString(api->valuestring));
	}
	smp_ctx c = {.label = label};
	int err = 0;
	cJSON *r = walk(&c, *obj, patch, NO_SCHEMA, &err);
	if (!err && r != *obj) {
		if (r == patch)
			patch = NULL;
		cJSON_Delete(*obj);
		*obj = cJSON_IsObject(r) && r->child ? r : NULL;
		if (r && !*obj)
			cJSON_Delete(r);
	}
	if (!err && *obj) {
		cJSON *kn = cJSON_GetObjectItemCaseSensitive(*obj, "kind");
		if (!allow_kind && kn)
			kz_set_string(kn, kind);
		else if (!allow_kind)
			cJSON_AddItemToObject(*obj, "kind", cJSON_CreateString(kind));
		if (!allow_name)
			restore_meta(*obj, "name", name);
		restore_meta(*obj, "namespace", ns);
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(*obj, "metadata");
		cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		if (cJSON_IsNull(ann) || (cJSON_IsObject(ann) && !ann->child))
			cJSON_DeleteItemFromObjectCaseSensitive(meta, "annotations");
	}
	cJSON_Delete(patch);
	tend_buf_free(&c.path);
	free(name);
	free(ns);
	free(kind);
	return err ? -1 : 0;
}
