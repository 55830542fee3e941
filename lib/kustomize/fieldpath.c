/*
 * fieldpath.c — kyaml's dotted field paths, as `replacements:` reads them:
 * `spec.template.spec.containers.[name=app].image`.
 *
 * Splitting follows SmarterPathSplitter: `\.` escapes a dot, a bracketed
 * part may hold dots (`[name=a.b]` stays one part; `metadata.annotations.
 * [a.b/c]` names the key `a.b/c`). Two walks exist, as in kyaml: the
 * matcher (PathMatcher) finds every node a path reaches — `*` visits every
 * element of a list, `[k=re]` the elements whose k matches the Go regexp
 * anywhere, `[=re]` scalar elements, a number one element — and the getter
 * (PathGetter) finds one node, matching `[k=v]` exactly. When asked, the
 * matcher creates what is missing, as kyaml's does: maps, lists before
 * `[..]` or a number, a `{k: v}` element when no element matches `[k=v]`,
 * an element for an index equal to the list's length.
 * Descending into a scalar or a list by field name is an error, as in kyaml.
 * An empty part (`a..b`, `a.`) matches a scalar and nothing else; a target
 * path loses one leading dot before it is split (`.metadata.name`).
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool has_suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);
	return n >= m && strcmp(s + n - m, x) == 0;
}

void kz_fieldpath_split(const char *path, tend_strvec *out)
{
	tend_strvec raw = TEND_STRVEC_INIT;
	tend_buf cur = TEND_BUF_INIT;
	for (const char *p = path;; p++) {
		if (*p == '.' || !*p) {
			/* PathSplitter: a part ending in a backslash joins the next */
			if (*p && cur.len && cur.data[cur.len - 1] == '\\') {
				cur.data[cur.len - 1] = '.';
				continue;
			}
			char *s = tend_buf_detach(&cur);
			tend_strvec_push(&raw, s);
			free(s);
			if (!*p)
				break;
			continue;
		}
		tend_buf_putc(&cur, *p);
	}
	tend_buf_free(&cur);
	for (size_t i = 0; i < raw.len; i++) {
		const char *e = raw.items[i];
		if (!has_prefix(e, "[") || has_suffix(e, "]")) {
			tend_strvec_push(out, e);
			continue;
		}
		tend_buf b = TEND_BUF_INIT;
		tend_buf_puts(&b, e);
		while (i + 1 < raw.len) {
			i++;
			tend_buf_printf(&b, ".%s", raw.items[i]);
			if (has_suffix(raw.items[i], "]"))
				break;
		}
		if (strchr(b.data, '=')) {
			tend_strvec_push(out, b.data);
		} else { /* strings.Trim(s, "[]") */
			size_t s = 0, n = b.len;
			while (s < n && (b.data[s] == '[' || b.data[s] == ']'))
				s++;
			while (n > s && (b.data[n - 1] == '[' || b.data[n - 1] == ']'))
				n--;
			char *t = tend_xstrndup(b.data + s, n - s);
			tend_strvec_push(out, t);
			free(t);
		}
		tend_buf_free(&b);
	}
	tend_strvec_free(&raw);
}

static bool is_list_entry(const char *part)
{
	return has_prefix(part, "[") && has_suffix(part, "]");
}

/* strconv.Atoi succeeds and the number is not negative. */
static bool is_index(const char *p, long *idx)
{
	const char *s = p;
	if (*s == '+')
		s++;
	if (!*s)
		return false;
	for (const char *q = s; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	*idx = strtol(s, NULL, 10);
	return strlen(s) < 10;
}

static bool is_negative_number(const char *p)
{
	if (*p != '-' || !p[1])
		return false;
	for (const char *q = p + 1; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	return true;
}

/* "[name=value]" -> name, value (owned); kyaml's SplitIndexNameValue. */
static int split_entry(const char *part, char **name, char **value)
{
	size_t n = strlen(part);
	char *inner = tend_xstrndup(part + 1, n >= 2 ? n - 2 : 0);
	char *eq = strchr(inner, '=');
	if (!eq) {
		free(inner);
		return tend_err("list path element must contain fieldName=fieldValue for element "
		                "to match");
	}
	*name = tend_xstrndup(inner, (size_t)(eq - inner));
	*value = tend_xstrdup(eq + 1);
	free(inner);
	return 0;
}

static const char *kind_name(const cJSON *n)
{
	if (cJSON_IsObject(n))
		return "mapping";
	if (cJSON_IsArray(n))
		return "sequence";
	return "scalar";
}

static int wrong_kind(const char *part, const cJSON *node, const char *want)
{
	return tend_err("at \"%s\": wrong node kind: expected %s but got %s", part, want,
	                kind_name(node));
}

/* The text kyaml's String() gives a node when matching it against a regexp. */
static void match_text(const cJSON *node, tend_buf *out)
{
	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		tend_doc_emit_yaml(node, out);
		while (out->len &&
		       (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == ' '))
			out->data[--out->len] = '\0';
		return;
	}
	kz_scalar_text(node, out);
}

typedef struct matches {
	kz_field *items;
	size_t len, cap;
	int create_type; /* 0: find only */
} matches;

static void add_match(matches *m, cJSON *node, bool created)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->items = tend_xrealloc(m->items, m->cap * sizeof(*m->items));
	}
	m->items[m->len++] = (kz_field){node, created};
}

/* The kind made for a missing part, from the part after it (getPathPartKind). */
static int kind_before(const char *next, int create_type)
{
	long idx;
	if (!next || !*next)
		return create_type;
	if (is_list_entry(next) || is_index(next, &idx))
		return cJSON_Array;
	return cJSON_Object;
}

static cJSON *new_node(int type)
{
	if (type == cJSON_Array)
		return cJSON_CreateArray();
	if (type == cJSON_Object)
		return cJSON_CreateObject();
	return cJSON_CreateString("");
}

static int match_at(cJSON *node, char *const *path, size_t n, bool created, matches *out);

/* Does the element (or its field) match the entry's regexp? */
static int entry_hit(kz_regex *re, const char *field, const cJSON *el)
{
	const cJSON *v =
	    *field ? (cJSON_IsObject(el) ? cJSON_GetObjectItemCaseSensitive(el, field) : NULL) : el;
	if (!v)
		return 0;
	tend_buf text = TEND_BUF_INIT;
	match_text(v, &text);
	bool hit = kz_regex_match(re, text.data ? text.data : "");
	tend_buf_free(&text);
	return hit;
}

static int match_entries(cJSON *node, char *const *path, size_t n, matches *out)
{
	char *field, *pattern;
	if (split_entry(path[0], &field, &pattern))
		return -1;
	int rc = 0;
	size_t before = out->len;
	bool any = false;
	kz_regex *re = kz_regex_new(pattern);
	if (!re)
		rc = tend_err_prefix("at \"%s\": ", path[0]);
	else if (!cJSON_IsArray(node) && !cJSON_IsNull(node))
		rc = wrong_kind(path[0], node, "sequence");
	for (cJSON *el = cJSON_IsArray(node) && re ? node->child : NULL; el && !rc; el = el->next) {
		if (!entry_hit(re, field, el))
			continue;
		any = true;
		if (*field)
			rc = match_at(el, path + 1, n - 1, false, out);
		else
			add_match(out, el, false);
	}
	/* kyaml appends {field: value} (or the bare value) and matches it */
	if (!rc && !any && out->len == before && out->create_type && cJSON_IsArray(node)) {
		cJSON *scalar = tend_doc_scalar(pattern, NULL);
		if (!scalar) {
			rc = -1;
		} else if (*field) {
			cJSON *el = cJSON_CreateObject();
			cJSON_AddItemToObject(el, field, scalar);
			cJSON_AddItemToArray(node, el);
			rc = match_at(el, path + 1, n - 1, false, out);
		} else {
			cJSON_AddItemToArray(node, scalar);
			add_match(out, scalar, false);
		}
	}
	kz_regex_free(re);
	free(field);
	free(pattern);
	return rc;
}

static int match_at(cJSON *node, char *const *path, size_t n, bool created, matches *out)
{
	if (n == 0) {
		add_match(out, node, created);
		return 0;
	}
	const char *next = n > 1 ? path[1] : NULL;
	long idx;
	/* kyaml's FieldMatcher with no name matches a scalar itself */
	if (!*path[0]) {
		if (cJSON_IsObject(node) || cJSON_IsArray(node))
			return wrong_kind(path[0], node, "scalar");
		return match_at(node, path + 1, n - 1, created, out);
	}
	if (is_index(path[0], &idx)) {
		if (!cJSON_IsArray(node) && !cJSON_IsNull(node))
			return wrong_kind(path[0], node, "sequence");
		long len = cJSON_IsArray(node) ? cJSON_GetArraySize(node) : 0;
		if (idx == len && out->create_type && cJSON_IsArray(node)) {
			int kind = kind_before(next, out->create_type);
			cJSON *el = new_node(kind);
			cJSON_AddItemToArray(node, el);
			return match_at(el, path + 1, n - 1, kind == cJSON_String, out);
		}
		if (idx >= len)
			return tend_err("index %ld specified but only %ld elements found", idx,
			                len);
		return match_at(cJSON_GetArrayItem(node, (int)idx), path + 1, n - 1, false, out);
	}
	if (is_list_entry(path[0]))
		return match_entries(node, path, n, out);
	if (strcmp(path[0], "*") == 0) {
		if (!cJSON_IsArray(node) && !cJSON_IsNull(node))
			return wrong_kind(path[0], node, "sequence");
		for (cJSON *el = cJSON_IsArray(node) ? node->child : NULL; el; el = el->next)
			if (match_at(el, path + 1, n - 1, false, out))
				return -1;
		return 0;
	}
	if (cJSON_IsNull(node) && !out->create_type)
		return 0;
	if (!cJSON_IsObject(node) && !cJSON_IsNull(node))
		return wrong_kind(path[0], node, "mapping");
	if (cJSON_IsNull(node))
		kz_set_value(node, cJSON_CreateObject());
	cJSON *f = cJSON_GetObjectItemCaseSensitive(node, path[0]);
	bool made = false;
	if (!f && out->create_type) {
		int kind = kind_before(next, out->create_type);
		f = new_node(kind);
		cJSON_AddItemToObject(node, path[0], f);
		made = kind == cJSON_String;
	}
	return f ? match_at(f, path + 1, n - 1, made, out) : 0;
}

int kz_fieldpath_match(cJSON *root, char *const *path, size_t n, int create_type, kz_field **out,
                       size_t *nout)
{
	matches m = {NULL, 0, 0, create_type};
	int rc = match_at(root, path, n, false, &m);
	if (rc) {
		free(m.items);
		return -1;
	}
	*out = m.items;
	*nout = m.len;
	return 0;
}

static cJSON *get_entry(cJSON *node, const char *part, int *rc)
{
	char *field, *value;
	if ((*rc = split_entry(part, &field, &value)))
		return NULL;
	cJSON *found = NULL;
	if (!cJSON_IsArray(node) && !cJSON_IsNull(node))
		*rc = wrong_kind(part, node, "sequence");
	for (cJSON *el = cJSON_IsArray(node) ? node->child : NULL; el && !*rc && !found;
	     el = el->next) {
		const cJSON *v =
		    *field
		        ? (cJSON_IsObject(el) ? cJSON_GetObjectItemCaseSensitive(el, field) : NULL)
		        : el;
		if (!v || cJSON_IsObject(v) || cJSON_IsArray(v))
			continue;
		tend_buf text = TEND_BUF_INIT;
		kz_scalar_text(v, &text);
		if (strcmp(text.data ? text.data : "", value) == 0)
			found = el;
		tend_buf_free(&text);
	}
	free(field);
	free(value);
	return found;
}

int kz_fieldpath_get(cJSON *root, char *const *path, size_t n, cJSON **out)
{
	cJSON *cur = root;
	int rc = 0;
	for (size_t i = 0; i < n && cur && !rc; i++) {
		const char *part = path[i];
		long idx;
		if (!*part)
			continue; /* kyaml's cleanPath drops empty parts */
		if (is_negative_number(part))
			return tend_err("array index %s cannot be negative", part);
		if (is_index(part, &idx) || strcmp(part, "-") == 0) {
			if (!cJSON_IsArray(cur) && !cJSON_IsNull(cur))
				return wrong_kind(part, cur, "sequence");
			long len = cJSON_IsArray(cur) ? cJSON_GetArraySize(cur) : 0;
			if (strcmp(part, "-") == 0)
				idx = len - 1;
			cur = idx >= 0 && idx < len ? cJSON_GetArrayItem(cur, (int)idx) : NULL;
		} else if (is_list_entry(part)) {
			cur = get_entry(cur, part, &rc);
		} else if (cJSON_IsNull(cur)) {
			cur = NULL;
		} else if (!cJSON_IsObject(cur)) {
			return wrong_kind(part, cur, "mapping");
		} else {
			cur = cJSON_GetObjectItemCaseSensitive(cur, part);
		}
	}
	*out = rc ? NULL : cur;
	return rc;
}
