/*
 * diff.c — deciding whether Git and the cluster differ, on the fields tend
 * manages only, and showing how.
 *
 * Two checks. The fast one (rc_live_matches) needs no request: the live
 * object already holds every desired value (quantities compared by value
 * where Kubernetes stores quantities, maps as subsets so server defaults
 * and other managers' fields do not count, lists item by item) and tend's
 * Apply entry in managedFields is exactly the desired field set (so a
 * field removed from Git, or one tend does not own yet, is noticed). It
 * must never call a changed object unchanged; when unsure it says
 * "changed" and the exact check decides: a server-side apply dry run,
 * compared with live on the union of the fields tend owns in either
 * (rc_managed_equal). Both sides are then the server's own normalisation.
 */
#include "reconcile_internal.h"

#include "../doc/doc.h"
#include "../guard/guard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const cJSON *rc_managed_fields(const cJSON *obj, const char *manager)
{
	const cJSON *mf = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "managedFields");
	const cJSON *e;
	cJSON_ArrayForEach(e, mf)
	{
		const char *m =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "manager"));
		const char *op =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "operation"));
		if (m && op && strcmp(m, manager) == 0 && strcmp(op, "Apply") == 0 &&
		    !cJSON_GetObjectItemCaseSensitive(e, "subresource"))
			return cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
	}
	return NULL;
}

/* Keys under which Kubernetes stores resource.Quantity values. */
static bool quantity_context(const char *parent, const char *key)
{
	static const char *const parents[] = {"requests", "limits",  "hard",
	                                      "capacity", "default", "defaultRequest",
	                                      "max",      "min",     "maxLimitRequestRatio",
	                                      "overhead", NULL};
	if (key && (strcmp(key, "storage") == 0 || strcmp(key, "sizeLimit") == 0))
		return true;
	for (int i = 0; parent && parents[i]; i++)
		if (strcmp(parent, parents[i]) == 0)
			return true;
	return false;
}

static void scalar_text(const cJSON *v, tend_buf *out)
{
	if (cJSON_IsString(v))
		tend_buf_puts(out, v->valuestring);
	else if (cJSON_IsNumber(v))
		tend_doc_number_text(v, out);
}

static bool numbers_equal(const cJSON *a, const cJSON *b)
{
	tend_buf ta = TEND_BUF_INIT, tb = TEND_BUF_INIT;
	tend_doc_number_text(a, &ta);
	tend_doc_number_text(b, &tb);
	bool same = ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0;
	tend_buf_free(&ta);
	tend_buf_free(&tb);
	/* 1 and 1.0 are one value; beyond 2^53 only identical text is. */
	return same ||
	       (a->valuedouble == b->valuedouble && fabs(a->valuedouble) < 9007199254740992.0);
}

static bool scalar_equal(const cJSON *d, const cJSON *l, bool quantity)
{
	if (quantity && (cJSON_IsString(d) || cJSON_IsNumber(d)) &&
	    (cJSON_IsString(l) || cJSON_IsNumber(l))) {
		tend_buf a = TEND_BUF_INIT, b = TEND_BUF_INIT;
		scalar_text(d, &a);
		scalar_text(l, &b);
		/* 2000m and 2 are one quantity; the server keeps only its canonical
		 * spelling, and values below nano precision it rounds anyway */
		long double x, y;
		bool eq = a.data && b.data &&
		          (strcmp(a.data, b.data) == 0 ||
		           (tend_quantity_value(a.data, &x) == 0 &&
		            tend_quantity_value(b.data, &y) == 0 &&
		            fabsl(x - y) <= 1e-15L * fmaxl(fabsl(x), fabsl(y))));
		tend_buf_free(&a);
		tend_buf_free(&b);
		return eq;
	}
	if (cJSON_IsString(d))
		return cJSON_IsString(l) && strcmp(d->valuestring, l->valuestring) == 0;
	if (cJSON_IsNumber(d))
		return cJSON_IsNumber(l) && numbers_equal(d, l);
	if (cJSON_IsBool(d))
		return cJSON_IsBool(l) && cJSON_IsTrue(d) == cJSON_IsTrue(l);
	return false; /* null: the dry run decides */
}

static bool subset(const cJSON *d, const cJSON *l, const char *parent, const char *key)
{
	if (cJSON_IsObject(d)) {
		if (!cJSON_IsObject(l))
			return false;
		for (const cJSON *c = d->child; c; c = c->next)
			if (!subset(c, cJSON_GetObjectItemCaseSensitive(l, c->string), key,
			            c->string))
				return false;
		return true;
	}
	if (cJSON_IsArray(d)) {
		if (!cJSON_IsArray(l) || cJSON_GetArraySize(d) != cJSON_GetArraySize(l))
			return false;
		for (const cJSON *a = d->child, *b = l->child; a; a = a->next, b = b->next)
			if (!subset(a, b, parent, key))
				return false;
		return true;
	}
	return l && scalar_equal(d, l, quantity_context(parent, key));
}

/* ---- field sets (FieldsV1) ---- */

static size_t count_prefix(const cJSON *f, char prefix)
{
	size_t n = 0;
	for (const cJSON *c = f ? f->child : NULL; c; c = c->next)
		n += c->string[0] == prefix && c->string[1] == ':';
	return n;
}

/* The k:{...} child of f whose key fields the list item carries. */
static const cJSON *key_child(const cJSON *f, const cJSON *item)
{
	for (const cJSON *c = f->child; c; c = c->next) {
		if (strncmp(c->string, "k:", 2) != 0)
			continue;
		cJSON *key = NULL;
		if (tend_kube_json_parse(c->string + 2, strlen(c->string + 2), &key))
			continue;
		bool match = cJSON_IsObject(key) && key->child, any = false;
		for (const cJSON *kf = key ? key->child : NULL; match && kf; kf = kf->next) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, kf->string);
			if (!v)
				continue; /* a defaulted key field (protocol: TCP) */
			any = true;
			match = scalar_equal(v, kf, false);
		}
		cJSON_Delete(key);
		if (match && any)
			return c;
	}
	return NULL;
}

/* Where an object sits: the top level and its metadata hold untracked fields. */
enum { AT_TOP, AT_META, AT_INNER };

static bool fields_match_object(const cJSON *f, const cJSON *obj, int at);

static bool fields_match_value(const cJSON *f, const cJSON *v, int at)
{
	if (!f->child)
		return true; /* a leaf: the value is owned whole (atomic map, struct or list) */
	if (cJSON_IsObject(v))
		return v->child ? fields_match_object(f, v, at) : count_prefix(f, 'f') == 0;
	if (!cJSON_IsArray(v))
		return count_prefix(f, 'f') + count_prefix(f, 'k') + count_prefix(f, 'v') == 0;
	size_t n = (size_t)cJSON_GetArraySize(v);
	if (count_prefix(f, 'i'))
		return false;
	if (count_prefix(f, 'k')) {
		if (count_prefix(f, 'k') != n)
			return false;
		for (const cJSON *it = v->child; it; it = it->next) {
			const cJSON *c = key_child(f, it);
			if (!c || !fields_match_object(c, it, AT_INNER))
				return false;
		}
		return true;
	}
	if (count_prefix(f, 'v')) {
		if (count_prefix(f, 'v') != n)
			return false;
		for (const cJSON *it = v->child; it; it = it->next) {
			tend_buf k = TEND_BUF_INIT;
			tend_buf_puts(&k, "v:");
			tend_kube_json_emit(it, &k);
			bool has = cJSON_GetObjectItemCaseSensitive(f, k.data) != NULL;
			tend_buf_free(&k);
			if (!has)
				return false;
		}
		return true;
	}
	return true; /* an atomic list: owned whole */
}

/* Fields the API server never records in managedFields. */
static bool untracked(int at, const cJSON *v)
{
	const char *key = v->string;
	if (at == AT_TOP)
		/* `status: {}` (left by kubectl create --dry-run -o yaml) sets nothing */
		return strcmp(key, "apiVersion") == 0 || strcmp(key, "kind") == 0 ||
		       (strcmp(key, "status") == 0 && cJSON_IsObject(v) && !v->child);
	return at == AT_META && (strcmp(key, "name") == 0 || strcmp(key, "namespace") == 0);
}

static bool fields_match_object(const cJSON *f, const cJSON *obj, int at)
{
	size_t n = 0;
	for (const cJSON *c = obj->child; c; c = c->next) {
		if (cJSON_IsNull(c))
			return false;
		if (untracked(at, c))
			continue;
		char *k = tend_xasprintf("f:%s", c->string);
		const cJSON *fc = cJSON_GetObjectItemCaseSensitive(f, k);
		free(k);
		int inner = at == AT_TOP && strcmp(c->string, "metadata") == 0 ? AT_META : AT_INNER;
		if (!fc || !fields_match_value(fc, c, inner))
			return false;
		n++;
	}
	return count_prefix(f, 'f') == n;
}

bool rc_live_matches(const cJSON *desired, const cJSON *live, const char *manager)
{
	const cJSON *f = rc_managed_fields(live, manager);
	if (!f || !live)
		return false;
	for (const cJSON *c = desired->child; c; c = c->next)
		if (!untracked(AT_TOP, c) &&
		    !subset(c, cJSON_GetObjectItemCaseSensitive(live, c->string), NULL, c->string))
			return false;
	return fields_match_object(f, desired, AT_TOP);
}

/* ---- projection onto a field set ---- */

static cJSON *project(const cJSON *f, const cJSON *v);

static cJSON *project_object(const cJSON *f, const cJSON *obj)
{
	cJSON *out = cJSON_CreateObject();
	for (const cJSON *c = f->child; c; c = c->next) {
		if (strncmp(c->string, "f:", 2) != 0)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, c->string + 2);
		cJSON_AddItemToObject(out, c->string + 2, v ? project(c, v) : cJSON_CreateNull());
	}
	return out;
}

static cJSON *project(const cJSON *f, const cJSON *v)
{
	if (cJSON_IsObject(v) && count_prefix(f, 'f'))
		return project_object(f, v);
	if (cJSON_IsArray(v) && count_prefix(f, 'k')) {
		cJSON *out = cJSON_CreateArray();
		for (const cJSON *c = f->child; c; c = c->next) {
			if (strncmp(c->string, "k:", 2) != 0)
				continue;
			const cJSON *found = NULL;
			for (const cJSON *it = v->child; it && !found; it = it->next)
				if (key_child(f, it) == c)
					found = it;
			cJSON_AddItemToArray(out,
			                     found ? project_object(c, found) : cJSON_CreateNull());
		}
		return out;
	}
	return cJSON_Duplicate(v, true);
}

bool rc_managed_equal(const cJSON *merged, const cJSON *live, const char *manager)
{
	const cJSON *fm = rc_managed_fields(merged, manager);
	const cJSON *fl = rc_managed_fields(live, manager);
	if (!fm || !fl || !cJSON_Compare(fm, fl, true))
		return false;
	cJSON *a = project_object(fm, merged), *b = project_object(fm, live);
	bool eq = cJSON_Compare(a, b, true);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return eq;
}

/* ---- unified diff of YAML ---- */

static cJSON *presentable(const cJSON *obj)
{
	if (!obj)
		return NULL;
	cJSON *c = cJSON_Duplicate(obj, true);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "status");
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(c, "metadata");
	static const char *const noise[] = {
	    "managedFields",     "resourceVersion", "generation", "uid",
	    "creationTimestamp", "selfLink",        NULL};
	for (int i = 0; noise[i]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, noise[i]);
	return c;
}

static void split_lines(char *text, tend_strvec *lines)
{
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		tend_strvec_push(lines, p);
		p = nl ? nl + 1 : NULL;
	}
}

static void yaml_lines(const cJSON *obj, tend_strvec *lines)
{
	cJSON *p = presentable(obj);
	if (!p)
		return;
	tend_buf b = TEND_BUF_INIT;
	if (tend_doc_emit_yaml(p, &b) == 0 && b.data)
		split_lines(b.data, lines);
	tend_buf_free(&b);
	cJSON_Delete(p);
}

/* Longest common subsequence table; ops: ' ', '-', '+' in order. */
static char *edit_script(const tend_strvec *a, const tend_strvec *b)
{
	size_t n = a->len, m = b->len;
	tend_buf ops = TEND_BUF_INIT;
	if ((n + 1) * (m + 1) > 16u * 1024 * 1024) { /* too big to align: replace whole */
		for (size_t i = 0; i < n; i++)
			tend_buf_putc(&ops, '-');
		for (size_t j = 0; j < m; j++)
			tend_buf_putc(&ops, '+');
		return tend_buf_detach(&ops);
	}
	unsigned *t = tend_xcalloc((n + 1) * (m + 1), sizeof(*t));
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			T(i, j) = strcmp(a->items[i], b->items[j]) == 0
			              ? T(i + 1, j + 1) + 1
			              : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && strcmp(a->items[i], b->items[j]) == 0) {
			tend_buf_putc(&ops, ' ');
			i++, j++;
		} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
			tend_buf_putc(&ops, '-'); /* removals first, as diff -u prints them */
			i++;
		} else {
			tend_buf_putc(&ops, '+');
			j++;
		}
	}
#undef T
	free(t);
	return tend_buf_detach(&ops);
}

cJSON *rc_project_onto(const cJSON *live, const cJSON *desired)
{
	if (cJSON_IsObject(live) && cJSON_IsObject(desired)) {
		cJSON *out = cJSON_CreateObject();
		const cJSON *d;
		cJSON_ArrayForEach(d, desired)
		{
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(live, d->string);
			if (l)
				cJSON_AddItemToObject(out, d->string, rc_project_onto(l, d));
		}
		return out;
	}
	if (cJSON_IsArray(live) && cJSON_IsArray(desired)) {
		cJSON *out = cJSON_CreateArray();
		const cJSON *l, *d = desired->child;
		cJSON_ArrayForEach(l, live)
		{
			cJSON_AddItemToArray(out, d ? rc_project_onto(l, d) : cJSON_Duplicate(l, true));
			d = d ? d->next : NULL;
		}
		return out;
	}
	return cJSON_Duplicate(live, true);
}

char *rc_yaml_diff(const char *label, const cJSON *before, const cJSON *after)
{
	tend_strvec a = TEND_STRVEC_INIT, b = TEND_STRVEC_INIT;
	yaml_lines(before, &a);
	yaml_lines(after, &b);
	char *ops = edit_script(&a, &b);
	size_t nops = strlen(ops);
	tend_buf out = TEND_BUF_INIT;
	tend_buf_printf(&out, "--- %s (live)\n+++ %s (git)\n", label, label);
	const size_t ctx = 3;
	size_t k = 0;
	while (k < nops) {
		while (k < nops && ops[k] == ' ')
			k++;
		if (k == nops)
			break;
		/* a hunk: from ctx lines before this change to ctx lines after the last
		 * change that is within 2*ctx of the previous one */
		size_t start = k > ctx ? k - ctx : 0, end = k;
		for (size_t q = k; q < nops; q++) {
			if (ops[q] != ' ')
				end = q + 1;
			else if (q - end >= 2 * ctx)
				break;
		}
		end = end + ctx < nops ? end + ctx : nops;
		size_t ai = 0, bi = 0;
		for (size_t q = 0; q < start; q++) {
			ai += ops[q] != '+';
			bi += ops[q] != '-';
		}
		size_t na = 0, nb = 0;
		for (size_t q = start; q < end; q++) {
			na += ops[q] != '+';
			nb += ops[q] != '-';
		}
		tend_buf_printf(&out, "@@ -%zu,%zu +%zu,%zu @@\n", na ? ai + 1 : ai, na,
		                nb ? bi + 1 : bi, nb);
		for (size_t q = start; q < end; q++) {
			const char *line = ops[q] == '+' ? b.items[bi++] : a.items[ai++];
			if (ops[q] == ' ')
				bi++;
			tend_buf_printf(&out, "%c%s\n", ops[q], line);
		}
		k = end;
	}
	free(ops);
	tend_strvec_free(&a);
	tend_strvec_free(&b);
	return tend_buf_detach(&out);
}
