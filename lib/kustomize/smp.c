/*
 * smp.c — strategic merge patches, as kustomize v5 applies them through
 * kyaml's merge2 walker (not apimachinery's strategicpatch).
 *
 * The walk visits the union of dest and patch fields. Lists are merged by
 * key only where the schema gives the list the "merge" strategy: the
 * built-in one (merge_keys.c), or a custom `openapi:` schema (openapi.c)
 * in its place or before it. Every other list, and every list of a kind
 * the schema does not know, is replaced. Merged lists put the
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
	const cJSON *custom;         /* or the node's schema in the custom OpenAPI */
} smp_schema;

static const smp_schema NO_SCHEMA = {-1, NULL, NULL};

typedef struct smp_ctx {
	const char *label;
	tend_buf path;        /* field path, for errors */
	const kz_openapi *oa; /* the custom schema, or NULL */
	kz_shared_set noted;  /* shared values the patch set (kyaml copies into the node) */
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

static bool has_schema(smp_schema s)
{
	return s.type >= 0 || s.list || s.custom;
}

static smp_schema kind_schema_in(const smp_ctx *c, const char *api, const char *kind)
{
	const cJSON *custom = c->oa ? kz_openapi_kind(c->oa, api, kind) : NULL;
	if (custom)
		return (smp_schema){-1, NULL, custom};
	if (!kz_openapi_with_builtin(c->oa))
		return NO_SCHEMA;
	return (smp_schema){kind_schema(api, kind), NULL, NULL};
}

/* kyaml's GetSchema: without a schema, a map naming apiVersion and kind brings its own. */
static smp_schema schema_of(const smp_ctx *c, smp_schema s, const cJSON *dst, const cJSON *src)
{
	if (has_schema(s))
		return s;
	const cJSON *srcs[2] = {dst, src};
	for (int i = 0; i < 2; i++) {
		const cJSON *api = cJSON_GetObjectItemCaseSensitive(srcs[i], "apiVersion");
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(srcs[i], "kind");
		if (cJSON_IsObject(srcs[i]) && cJSON_IsString(api) && cJSON_IsString(kind) &&
		    api->valuestring[0] && kind->valuestring[0])
			return kind_schema_in(c, api->valuestring, kind->valuestring);
	}
	return s;
}

static smp_schema field_schema(const smp_ctx *c, smp_schema s, const char *name)
{
	if (s.custom)
		return (smp_schema){-1, NULL, kz_openapi_field(c->oa, s.custom, name)};
	if (s.type < 0 || s.list)
		return NO_SCHEMA;
	const kz_schema_field *any = NULL;
	for (const kz_schema_field *f = kz_schema_types[s.type]; f->name; f++) {
		if (strcmp(f->name, name) == 0)
			return (smp_schema){f->type, f->list ? f : NULL, NULL};
		if (strcmp(f->name, "*") == 0)
			any = f;
	}
	if (any)
		return (smp_schema){any->type, any->list ? any : NULL, NULL};
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

/* Sets or clears R[key] to the walked value v: dst's old value d, the
 * patch's node s (stolen from src), or NULL. */
static void set_field(cJSON *r, cJSON *src, const char *key, cJSON *d, cJSON *s, cJSON *v)
{
	if (v == d)
		return;
	if (is_null(v)) {
		if (d)
			cJSON_Delete(cJSON_DetachItemViaPointer(r, d));
		return;
	}
	if (v == s && src && src != r && cJSON_IsObject(src))
		cJSON_DetachItemViaPointer(src, v);
	if (d)
		cJSON_Delete(cJSON_DetachItemViaPointer(r, d));
	cJSON_AddItemToObject(r, key, v);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

/* A map's fields sorted by key: the walk visits the union in this order. */
static cJSON **sorted_fields(cJSON *map, size_t *n)
{
	*n = (size_t)cJSON_GetArraySize(map);
	cJSON **f = tend_xcalloc(*n ? *n : 1, sizeof(*f));
	size_t i = 0;
	for (cJSON *e = map->child; e; e = e->next)
		f[i++] = e;
	qsort(f, *n, sizeof(*f), cmp_key);
	return f;
}

static cJSON *walk_map(smp_ctx *c, cJSON *dst, cJSON *src, smp_schema s, int *err)
{
	enum directive d;
	cJSON *r;
	/* a map the patch adds (walked as its own destination): its nulls go */
	bool only_patch = is_null(dst) || dst == src;
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
	size_t nd = 0, ns = 0;
	cJSON **ds = sorted_fields(r, &nd);
	cJSON **ss = cJSON_IsObject(src) && src != r ? sorted_fields(src, &ns) : NULL;
	size_t plen = c->path.len;
	for (size_t i = 0, j = 0; (i < nd || j < ns) && !*err;) {
		int order = i >= nd ? 1 : j >= ns ? -1 : strcmp(ds[i]->string, ss[j]->string);
		cJSON *dv = order <= 0 ? ds[i++] : NULL;
		cJSON *sv = order >= 0 ? ss[j++] : src == r ? dv : NULL;
		char *key = tend_xstrdup(dv ? dv->string : sv->string);
		tend_buf_printf(&c->path, "%s%s", plen ? "." : "", key);
		cJSON *v = walk(c, dv, sv, field_schema(c, s, key), err);
		c->path.len = plen;
		if (c->path.data)
			c->path.data[plen] = '\0';
		if (!*err && dv && (dv->type & KZ_SHARED) && v == sv && sv && !sv->child &&
		    !cJSON_IsNull(sv) && !cJSON_IsObject(sv) && !cJSON_IsArray(sv)) {
			sv->type |= KZ_SHARED;
			sv->valueint = dv->valueint;
			kz_shared_note(&c->noted, dv->valueint, sv);
		}
		if (!*err && only_patch && is_null(v) && dv)
			cJSON_Delete(cJSON_DetachItemViaPointer(r, dv));
		else if (!*err)
			set_field(r, src, key, dv, sv, v);
		free(key);
	}
	free(ds);
	free(ss);
	return r;
}

/* ---- merged lists ----
 *
 * kyaml's associative-list merge, followed literally because its quirks
 * show in the output. Each element has a tuple of key values ("" where a
 * key is missing; a scalar list has one key "" and the scalar itself).
 * Tuples come from the patch first, then dest. With several keys (ports
 * by containerPort and protocol) tuples that agree except where one side
 * is empty are unified first, so a patch element missing the protocol
 * finds no patch element and is lost. Every tuple's elements are walked;
 * the result replaces same-keyed items or is appended. Dest elements
 * follow: moved behind when there are several keys, else merged in place.
 */
typedef struct nodes {
	cJSON **items;
	size_t len, cap;
} nodes;

typedef struct list_merge {
	smp_ctx *c;
	tend_strvec keys;
	nodes rv, sv, items, all; /* dest elements, patch elements, result, every node */
	char ***rows;             /* one tuple per distinct element, patch first */
	size_t nrows;
	bool *valued; /* keys with a value in some row */
	tend_buf tmp;
} list_merge;

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

static bool nodes_has(const nodes *l, const cJSON *n)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->items[i] == n)
			return true;
	return false;
}

/* The element's value for key into tmp ("" key: the scalar itself); false if missing. */
static bool key_value(const cJSON *e, const char *key, tend_buf *tmp)
{
	const cJSON *f = key[0] ? cJSON_GetObjectItemCaseSensitive(e, key) : e;
	if ((key[0] && !cJSON_IsObject(e)) || is_null(f) || cJSON_IsObject(f) || cJSON_IsArray(f))
		return false;
	scalar_text(f, tmp);
	return true;
}

static const char *text(const tend_buf *tmp)
{
	return tmp->len ? tmp->data : "";
}

/* kyaml's ElementSetter match: every key of the first nvals, a "" value
 * meaning "has the key" (for a scalar list: equal to the empty scalar). */
static bool element_matches(list_merge *m, const cJSON *e, const tend_strvec *keys, char **vals,
                            size_t nvals)
{
	for (size_t j = 0; j < keys->len && j < nvals; j++) {
		if (!key_value(e, keys->items[j], &m->tmp))
			return false;
		if ((vals[j][0] || !keys->items[j][0]) && strcmp(text(&m->tmp), vals[j]) != 0)
			return false;
	}
	return nvals > 0;
}

/* ElementSetter: matching elements become elem (or go when elem is NULL),
 * elem is appended when none matched, and empty elements are dropped. */
static void element_set(list_merge *m, nodes *l, const tend_strvec *keys, char **vals, size_t nvals,
                        cJSON *elem)
{
	size_t w = 0;
	bool found = false;
	for (size_t i = 0; i < l->len; i++) {
		cJSON *e = l->items[i];
		if (is_null(e) || (cJSON_IsObject(e) && !e->child))
			continue;
		if (!element_matches(m, e, keys, vals, nvals)) {
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

/* ElementList: the first element whose keys equal vals exactly. */
static cJSON *element_find(list_merge *m, const nodes *l, const tend_strvec *keys, char **vals)
{
	for (size_t i = 0; i < l->len; i++) {
		bool ok = true;
		for (size_t j = 0; ok && j < keys->len; j++)
			ok = key_value(l->items[i], keys->items[j], &m->tmp) &&
			     strcmp(text(&m->tmp), vals[j]) == 0;
		if (ok)
			return l->items[i];
	}
	return NULL;
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

/* Rows of key values, patch elements first, without repeats; unified
 * pairwise when there are several keys (kyaml's mergeValues). Rows point
 * at strings owned by texts. */
static void collect_rows(list_merge *m, tend_strvec *texts)
{
	size_t nk = m->keys.len;
	m->rows = tend_xcalloc(m->rv.len + m->sv.len + 1, sizeof(char **));
	const nodes *order[2] = {&m->sv, &m->rv};
	for (int o = 0; o < 2; o++)
		for (size_t i = 0; i < order[o]->len; i++) {
			char **row = tend_xcalloc(nk, sizeof(char *));
			for (size_t k = 0; k < nk; k++) {
				bool has = key_value(order[o]->items[i], m->keys.items[k], &m->tmp);
				tend_strvec_push(texts, has ? text(&m->tmp) : "");
				row[k] = texts->items[texts->len - 1];
			}
			bool dup = false;
			for (size_t j = 0; j < m->nrows && !dup; j++) {
				dup = true;
				for (size_t k = 0; k < nk && dup; k++)
					dup = strcmp(m->rows[j][k], row[k]) == 0;
			}
			if (dup)
				free(row);
			else
				m->rows[m->nrows++] = row;
		}
	char **v1 = tend_xcalloc(nk, sizeof(char *)), **u = tend_xcalloc(nk, sizeof(char *));
	for (size_t i = 0; nk > 1 && i < m->nrows; i++) {
		memcpy(v1, m->rows[i], nk * sizeof(char *));
		for (size_t j = 0; j < m->nrows; j++)
			if (tuple_unify(v1, m->rows[j], nk, u)) {
				memcpy(m->rows[i], u, nk * sizeof(char *));
				memcpy(m->rows[j], u, nk * sizeof(char *));
			}
	}
	free(v1);
	free(u);
	m->valued = tend_xcalloc(nk + 1, sizeof(bool));
	for (size_t i = 0; i < m->nrows; i++)
		for (size_t k = 0; k < nk; k++)
			m->valued[k] = m->valued[k] || m->rows[i][k][0];
}

/* kyaml's validateKeys: the keys with a value in some row (all if none). */
static void valid_keys(const list_merge *m, char **row, tend_strvec *vk, tend_strvec *vv)
{
	bool any = false;
	for (size_t k = 0; k < m->keys.len; k++)
		any = any || m->valued[k];
	for (size_t k = 0; k < m->keys.len; k++)
		if (!any || m->valued[k]) {
			tend_strvec_push(vk, m->keys.items[k]);
			tend_strvec_push(vv, row[k]);
		}
}

/* Walks the elements one row names in dest and patch; puts the result in items. */
static void merge_row(list_merge *m, cJSON *r, cJSON *src, smp_schema elem, char **row,
                      tend_strvec *vk, tend_strvec *vv, int *err)
{
	valid_keys(m, row, vk, vv);
	/* the look-up uses only the keys with a value in this row */
	tend_strvec lk = TEND_STRVEC_INIT, lv = TEND_STRVEC_INIT;
	for (size_t k = 0; k < vk->len; k++)
		if (vv->items[k][0]) {
			tend_strvec_push(&lk, vk->items[k]);
			tend_strvec_push(&lv, vv->items[k]);
		}
	tend_strvec *fk = lk.len ? &lk : vk, *fv = lk.len ? &lv : vv;
	cJSON *de = element_find(m, &m->rv, fk, fv->items);
	cJSON *oe = src == r ? de : element_find(m, &m->sv, fk, fv->items);
	tend_strvec_free(&lk);
	tend_strvec_free(&lv);
	cJSON *val = walk(m->c, de, oe, elem, err);
	if (*err)
		return;
	if (is_null(val) || (cJSON_IsObject(val) && !val->child)) {
		element_set(m, &m->rv, vk, vv->items, vv->len, NULL);
		return;
	}
	for (size_t k = 0; k < vk->len; k++)
		if (vk->items[k][0] && vv->items[k][0] && cJSON_IsObject(val) &&
		    !cJSON_GetObjectItemCaseSensitive(val, vk->items[k]))
			cJSON_AddItemToObject(val, vk->items[k], cJSON_CreateString(vv->items[k]));
	element_set(m, &m->items, vk, vv->items, vv->len, val);
}

/* kyaml's appendListNode: dest elements into items, by the last row's keys. */
static void append_dest(list_merge *m, const tend_strvec *vk)
{
	for (size_t i = 0; i < m->rv.len && vk->len; i++) {
		cJSON *e = m->rv.items[i];
		tend_strvec vals = TEND_STRVEC_INIT;
		for (size_t k = 0; k < vk->len; k++) {
			if (key_value(e, vk->items[k], &m->tmp))
				tend_strvec_push(&vals, text(&m->tmp));
			else
				nodes_push(&m->items, e); /* no key: appended as it is */
		}
		if (vk->len > 1)
			element_set(m, &m->items, vk, vals.items, vals.len, NULL);
		element_set(m, &m->items, vk, vals.items, vals.len, e);
		tend_strvec_free(&vals);
	}
}

/* Merges list r with the patch's list src by keys (taken), elements walked with elem. */
static cJSON *merge_list(smp_ctx *c, cJSON *r, cJSON *src, smp_schema elem, tend_strvec keys,
                         int *err)
{
	list_merge m = {.c = c, .keys = keys};
	if (!m.keys.len)
		tend_strvec_push(&m.keys, "");
	nodes_take(&m.rv, r);
	if (cJSON_IsArray(src) && src != r)
		nodes_take(&m.sv, src);
	for (size_t i = 0; i < m.rv.len; i++)
		nodes_push(&m.all, m.rv.items[i]);
	for (size_t i = 0; i < m.sv.len; i++)
		nodes_push(&m.all, m.sv.items[i]);
	tend_strvec texts = TEND_STRVEC_INIT, vk = TEND_STRVEC_INIT, vv = TEND_STRVEC_INIT;
	collect_rows(&m, &texts);
	for (size_t i = 0; i < m.nrows && !*err; i++) {
		tend_strvec_free(&vk);
		tend_strvec_free(&vv);
		merge_row(&m, r, src, elem, m.rows[i], &vk, &vv, err);
	}
	if (!*err)
		append_dest(&m, &vk);
	/* link the result, each node once (kyaml may list one twice) */
	for (size_t i = 0; i < m.items.len && !*err; i++)
		if (!nodes_has(&(nodes){m.items.items, i, i}, m.items.items[i]))
			cJSON_AddItemToArray(r, m.items.items[i]);
	for (size_t i = 0; i < m.all.len; i++)
		if (*err || !nodes_has(&m.items, m.all.items[i]))
			cJSON_Delete(m.all.items[i]);
	for (size_t i = 0; i < m.nrows; i++)
		free(m.rows[i]);
	free(m.rows);
	free(m.valued);
	free(m.rv.items);
	free(m.sv.items);
	free(m.items.items);
	free(m.all.items);
	tend_buf_free(&m.tmp);
	tend_strvec_free(&m.keys);
	tend_strvec_free(&texts);
	tend_strvec_free(&vk);
	tend_strvec_free(&vv);
	return r;
}

/* The list's merge keys and its elements' schema; false if it is replaced. */
static bool list_strategy(const smp_ctx *c, smp_schema s, tend_strvec *keys, smp_schema *elem)
{
	if (s.custom) {
		*elem = (smp_schema){-1, NULL, kz_openapi_elements(c->oa, s.custom)};
		return kz_openapi_merge_keys(s.custom, keys);
	}
	if (!s.list || !s.list->merge)
		return false;
	char *kl = tend_xstrdup(s.list->key ? s.list->key : "");
	for (char *save = NULL, *t = strtok_r(kl, ",", &save); t; t = strtok_r(NULL, ",", &save))
		tend_strvec_push(keys, t);
	free(kl);
	*elem = (smp_schema){s.type, NULL, NULL};
	return true;
}

static cJSON *walk_list(smp_ctx *c, cJSON *dst, cJSON *src, smp_schema s, int *err)
{
	tend_strvec keys = TEND_STRVEC_INIT;
	smp_schema elem = NO_SCHEMA;
	if (!list_strategy(c, s, &keys, &elem)) {
		tend_strvec_free(&keys);
		return src ? src : dst;
	}
	cJSON *r;
	if (is_null(dst)) {
		r = src;
	} else if (src && cJSON_IsNull(src)) {
		tend_strvec_free(&keys);
		return NULL;
	} else {
		enum directive d;
		if (list_directive(c, src, &d)) {
			tend_strvec_free(&keys);
			*err = -1;
			return NULL;
		}
		r = d == D_DELETE ? NULL : d == D_REPLACE ? src : dst;
	}
	if (!cJSON_IsArray(r)) {
		tend_strvec_free(&keys);
		return r;
	}
	return merge_list(c, r, src, elem, keys, err);
}

static cJSON *walk(smp_ctx *c, cJSON *dst, cJSON *src, smp_schema s, int *err)
{
	if (!src && cJSON_IsNull(dst))
		return dst; /* only a null in the patch deletes */
	s = schema_of(c, s, dst, src);
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

int kz_smp_apply(cJSON **obj, cJSON *patch, bool allow_name, bool allow_kind, const char *label,
                 const kz_openapi *oa)
{
	char *name = tend_xstrdup(kz_name(*obj));
	char *ns = tend_xstrdup(kz_namespace(*obj));
	char *kind = tend_xstrdup(kz_kind(*obj));
	cJSON *api = cJSON_GetObjectItemCaseSensitive(*obj, "apiVersion");
	if (cJSON_IsString(api) && cJSON_IsObject(patch)) {
		cJSON_DeleteItemFromObjectCaseSensitive(patch, "apiVersion");
		cJSON_AddItemToObject(patch, "apiVersion", cJSON_CreateString(api->valuestring));
	}
	smp_ctx c = {.label = label, .oa = oa};
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
	kz_shared_apply(err ? NULL : *obj, &c.noted);
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
