/*
 * json6902.c — RFC 6902 JSON patches (add, remove, replace, move, copy,
 * test) on one object, as kustomize applies them with evanphx/json-patch.
 *
 * kustomize round-trips the object through JSON and Go's float64, so after
 * a patch every number prints as Go's encoding/json prints a float64
 * (1.0 becomes 1, 12345678901234567890 becomes 12345678901234567000);
 * tend_doc's emitter does that for numbers without source text.
 * Invariant: a failing operation leaves the error naming the patch (label),
 * the operation's position and its path.
 */
#include "kustomize_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const OPS[] = {"add", "remove", "replace", "move", "copy", "test", NULL};

static const char *op_str(const cJSON *op, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(op, field);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int kz_json6902_check(const cJSON *ops, const char *label)
{
	if (!cJSON_IsArray(ops))
		return tend_err("%s: a JSON patch must be a list of operations", label);
	int i = 0;
	for (const cJSON *op = ops->child; op; op = op->next, i++) {
		if (!cJSON_IsObject(op))
			return tend_err("%s: operation %d: must be a mapping", label, i + 1);
		const char *kind = op_str(op, "op");
		if (!kind)
			return tend_err("%s: operation %d: missing \"op\"", label, i + 1);
		bool known = false;
		for (int j = 0; OPS[j]; j++)
			known = known || strcmp(kind, OPS[j]) == 0;
		if (!known)
			return tend_err("%s: operation %d: unknown op \"%s\"", label, i + 1, kind);
		if (!op_str(op, "path"))
			return tend_err("%s: operation %d (%s): missing \"path\"", label, i + 1,
			                kind);
		if ((strcmp(kind, "move") == 0 || strcmp(kind, "copy") == 0) && !op_str(op, "from"))
			return tend_err("%s: operation %d (%s): missing \"from\"", label, i + 1,
			                kind);
		if ((strcmp(kind, "add") == 0 || strcmp(kind, "replace") == 0 ||
		     strcmp(kind, "test") == 0) &&
		    !cJSON_GetObjectItemCaseSensitive(op, "value"))
			return tend_err("%s: operation %d (%s): missing \"value\"", label, i + 1,
			                kind);
	}
	return 0;
}

/* A resolved pointer: the container and the last token ("-" for append). */
typedef struct ptr {
	cJSON *parent;
	char *token;
} ptr;

static char *unescape(const char *s, size_t n)
{
	char *out = tend_xmalloc(n + 1);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1')) {
			out[w++] = s[i + 1] == '0' ? '~' : '/';
			i++;
		} else {
			out[w++] = s[i];
		}
	}
	out[w] = '\0';
	return out;
}

/* An array index as Go's strconv.Atoi reads it (sign allowed, as
 * evanphx/json-patch accepts negative indices); false when not a number. */
static bool array_index(const char *t, long *out)
{
	const char *p = t + (t[0] == '+' || t[0] == '-');
	if (!*p || strlen(p) > 9)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	*out = strtol(t, NULL, 10);
	return true;
}

/* The element a token names: negative indices count from the end. */
static long element_index(cJSON *array, const char *token)
{
	long i, len = cJSON_GetArraySize(array);
	if (!array_index(token, &i) || i >= len || i < -len)
		return -1;
	return i < 0 ? i + len : i;
}

static cJSON *child(cJSON *node, const char *token)
{
	if (cJSON_IsObject(node))
		return cJSON_GetObjectItemCaseSensitive(node, token);
	if (cJSON_IsArray(node)) {
		long i = element_index(node, token);
		return i < 0 ? NULL : cJSON_GetArrayItem(node, (int)i);
	}
	return NULL;
}

/* Resolves all but the last token of path; "" (the whole document) is refused. */
static int resolve(cJSON *doc, const char *path, ptr *out)
{
	if (path[0] != '/')
		return tend_err("path \"%s\" must start with \"/\"", path);
	cJSON *node = doc;
	const char *p = path + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *tok = unescape(p, n);
		if (!slash) {
			out->parent = node;
			out->token = tok;
			return 0;
		}
		node = child(node, tok);
		free(tok);
		if (!node)
			return tend_err("doc is missing path: \"%s\"", path);
		p = slash + 1;
	}
}

static cJSON *get(cJSON *doc, const char *path)
{
	if (!path[0])
		return doc;
	ptr p;
	if (resolve(doc, path, &p))
		return NULL;
	cJSON *n = child(p.parent, p.token);
	free(p.token);
	return n;
}

/* Adds v (owned) at path; replace=true requires an existing array element
 * (a missing object key is added, as evanphx/json-patch does). */
static int put(cJSON *doc, const char *path, cJSON *v, bool replace)
{
	ptr p;
	if (resolve(doc, path, &p)) {
		cJSON_Delete(v);
		return -1;
	}
	int rc = 0;
	if (cJSON_IsObject(p.parent)) {
		if (cJSON_GetObjectItemCaseSensitive(p.parent, p.token))
			cJSON_ReplaceItemInObjectCaseSensitive(p.parent, p.token, v);
		else
			cJSON_AddItemToObject(p.parent, p.token, v);
	} else if (cJSON_IsArray(p.parent) && replace) {
		long i = element_index(p.parent, p.token);
		if (i >= 0) {
			cJSON_ReplaceItemInArray(p.parent, (int)i, v);
		} else {
			cJSON_Delete(v);
			rc = tend_err("doc is missing key: \"%s\"", path);
		}
	} else if (cJSON_IsArray(p.parent)) {
		/* add: 0..len inserts, "-" appends, -(len+1)..-1 count from the end */
		long i, size = cJSON_GetArraySize(p.parent) + 1;
		bool ok = strcmp(p.token, "-") == 0 ||
		          (array_index(p.token, &i) && i < size && i >= -size);
		if (strcmp(p.token, "-") == 0)
			i = size - 1;
		else if (ok && i < 0)
			i += size;
		if (!ok) {
			cJSON_Delete(v);
			rc = tend_err("index %s is out of bounds in \"%s\"", p.token, path);
		} else if (i == size - 1) {
			cJSON_AddItemToArray(p.parent, v);
		} else {
			tend_doc_array_insert(p.parent, (int)i, v);
		}
	} else {
		cJSON_Delete(v);
		rc = tend_err("doc is missing path: \"%s\"", path);
	}
	free(p.token);
	return rc;
}

/* Detaches the node at path; NULL (with the error set) when it is missing. */
static cJSON *take(cJSON *doc, const char *path)
{
	ptr p;
	if (resolve(doc, path, &p))
		return NULL;
	cJSON *n = child(p.parent, p.token);
	if (n)
		cJSON_DetachItemViaPointer(p.parent, n);
	else
		tend_err("doc is missing path: \"%s\"", path);
	free(p.token);
	return n;
}

static int apply_op(cJSON *doc, const cJSON *op)
{
	const char *kind = op_str(op, "op"), *path = op_str(op, "path");
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");
	if (strcmp(kind, "add") == 0)
		return put(doc, path, cJSON_Duplicate(value, true), false);
	if (strcmp(kind, "replace") == 0)
		return put(doc, path, cJSON_Duplicate(value, true), true);
	if (strcmp(kind, "remove") == 0) {
		cJSON *n = take(doc, path);
		cJSON_Delete(n);
		return n ? 0 : -1;
	}
	if (strcmp(kind, "test") == 0) {
		cJSON *n = get(doc, path);
		if (!n && cJSON_IsNull(value))
			return 0;
		if (!n || !cJSON_Compare(n, value, true))
			return tend_err("testing value %s failed: test failed", path);
		return 0;
	}
	const char *from = op_str(op, "from");
	if (strcmp(kind, "copy") == 0) {
		cJSON *n = get(doc, from);
		if (!n)
			return tend_err("doc is missing from path: \"%s\"", from);
		return put(doc, path, cJSON_Duplicate(n, true), false);
	}
	/* move */
	if (strcmp(from, path) == 0)
		return 0;
	cJSON *n = take(doc, from);
	return n ? put(doc, path, n, false) : -1;
}

/* Numbers as Go prints them after json.Unmarshal into float64. */
static void forget_number_text(cJSON *n)
{
	for (; n; n = n->next) {
		if (cJSON_IsNumber(n) && n->valuestring) {
			n->valuedouble = strtod(n->valuestring, NULL);
			free(n->valuestring);
			n->valuestring = NULL;
		}
		forget_number_text(n->child);
	}
}

int kz_json6902_apply(cJSON *obj, const cJSON *ops, const char *label)
{
	int i = 0;
	for (const cJSON *op = ops->child; op; op = op->next, i++)
		if (apply_op(obj, op))
			return tend_err_prefix("%s: operation %d (%s %s): ", label, i + 1,
			                       op_str(op, "op"), op_str(op, "path"));
	forget_number_text(obj->child);
	kz_shared_forget(obj);
	return 0;
}
