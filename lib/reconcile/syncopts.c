/*
 * syncopts.c — per-object sync options: the tend.dev/managed: disabled
 * annotation (tend neither applies, reverts nor prunes the object), and
 * sync.ignoreDifferences (Argo CD's rules: by group, kind, name and
 * namespace, fields by JSON pointer or every field a named manager owns).
 *
 * Invariants: ignored fields are only ever taken out of what tend applies
 * to an object that exists, never out of a creation; a field tend still
 * owns alone is applied with the live value instead of dropped, because
 * server-side apply deletes a field its only manager stops applying (an
 * HPA's replicas would fall to the default). Drift on ignored fields is
 * no drift, so it is neither reverted nor reported.
 */
#include "reconcile_internal.h"

#include <stdlib.h>
#include <string.h>

bool rc_unmanaged(const cJSON *obj)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "annotations");
	const char *v =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, TEND_MANAGED_ANNOTATION));
	return v && strcmp(v, "disabled") == 0;
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool rule_matches(const tend_ignore_rule *ru, const cJSON *obj)
{
	const char *av = str(obj, "apiVersion"), *kind = str(obj, "kind");
	if (!av || !kind)
		return false;
	const char *slash = strchr(av, '/');
	size_t gl = slash ? (size_t)(slash - av) : 0;
	if (ru->group && (strlen(ru->group) != gl || strncmp(ru->group, av, gl) != 0))
		return false;
	if (strcmp(ru->kind, "*") != 0 && strcmp(ru->kind, kind) != 0)
		return false;
	const char *ns = rc_meta_str(obj, "namespace"), *name = rc_meta_str(obj, "name");
	if (ru->name && (!name || strcmp(ru->name, name) != 0))
		return false;
	return !ru->namespace || (ns && strcmp(ru->namespace, ns) == 0);
}

/* ---- JSON pointers ---- */

/* The pointer's reference tokens, unescaped (~1 is '/', ~0 is '~'). */
static void pointer_tokens(const char *ptr, tend_strvec *out)
{
	for (const char *p = ptr; *p == '/';) {
		const char *end = strchr(p + 1, '/');
		size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
		tend_buf t = TEND_BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			char c = p[1 + i];
			if (c == '~' && i + 1 < n && (p[2 + i] == '0' || p[2 + i] == '1'))
				c = p[2 + i++] == '0' ? '~' : '/';
			tend_buf_putc(&t, c);
		}
		tend_strvec_push(out, t.data ? t.data : "");
		tend_buf_free(&t);
		if (!end)
			break;
		p = end;
	}
}

static bool is_index(const char *t, size_t len_limit, size_t *at)
{
	if (!*t)
		return false;
	char *end;
	unsigned long v = strtoul(t, &end, 10);
	if (*end || (t[0] == '0' && t[1]))
		return false;
	*at = v;
	return v < len_limit;
}

static cJSON *child(cJSON *node, const char *token)
{
	size_t at;
	if (cJSON_IsObject(node))
		return cJSON_GetObjectItemCaseSensitive(node, token);
	if (cJSON_IsArray(node) && is_index(token, (size_t)cJSON_GetArraySize(node), &at))
		return cJSON_GetArrayItem(node, (int)at);
	return NULL;
}

/*
 * Whether the field at the tokens is in a FieldsV1 set: 1 yes, 0 no, -1
 * unknown (the path crosses a list, whose items the set names by key).
 */
static int owns_path(const cJSON *fields, const cJSON *obj, const tend_strvec *t)
{
	const cJSON *f = fields;
	for (size_t i = 0; i < t->len; i++) {
		if (cJSON_IsArray(obj))
			return -1;
		char *key = tend_xasprintf("f:%s", t->items[i]);
		f = cJSON_GetObjectItemCaseSensitive(f, key);
		free(key);
		if (!f)
			return 0;
		obj = cJSON_GetObjectItemCaseSensitive(obj, t->items[i]);
	}
	return 1;
}

/* Takes the field at the pointer out of desired, or sets it to live's value. */
static void ignore_pointer(cJSON *desired, const cJSON *live, const char *ptr, const cJSON *mine)
{
	tend_strvec t = TEND_STRVEC_INIT;
	pointer_tokens(ptr, &t);
	cJSON *parent = desired, *lparent = (cJSON *)live;
	for (size_t i = 0; parent && i + 1 < t.len; i++) {
		parent = child(parent, t.items[i]);
		lparent = lparent ? child(lparent, t.items[i]) : NULL;
	}
	const char *last = t.len ? t.items[t.len - 1] : NULL;
	cJSON *here = parent && last ? child(parent, last) : NULL;
	const cJSON *lv = lparent && last ? child(lparent, last) : NULL;
	if (here) {
		/* another manager holds it (or nobody): leave it out, the server keeps
		 * it; still ours alone: apply what is there, never delete it */
		if (lv && owns_path(mine, live, &t) != 0)
			cJSON_ReplaceItemViaPointer(parent, here, cJSON_Duplicate(lv, true));
		else
			cJSON_Delete(cJSON_DetachItemViaPointer(parent, here));
	}
	tend_strvec_free(&t);
}

/* ---- FieldsV1 sets ---- */

/* The list item of desired list `arr` a FieldsV1 key ("k:{..}", "v:..") names. */
static cJSON *list_item(cJSON *arr, const char *key, cJSON **keys)
{
	*keys = NULL;
	cJSON *want = cJSON_Parse(key + 2);
	if (!want)
		return NULL;
	cJSON *it, *hit = NULL;
	cJSON_ArrayForEach(it, arr)
	{
		bool same = true;
		if (key[0] == 'k') {
			const cJSON *kv;
			cJSON_ArrayForEach(kv, want)
			{
				const cJSON *have =
				    cJSON_GetObjectItemCaseSensitive(it, kv->string);
				same &= have && cJSON_Compare(have, kv, true);
			}
		} else {
			same = cJSON_Compare(it, want, true);
		}
		if (same) {
			hit = it;
			break;
		}
	}
	if (key[0] == 'k')
		*keys = want;
	else
		cJSON_Delete(want);
	return hit;
}

/* Removes from desired every field of the FieldsV1 set f (item keys stay). */
static void remove_fields(cJSON *desired, const cJSON *f, const cJSON *keep)
{
	if (!cJSON_IsObject(desired) && !cJSON_IsArray(desired))
		return;
	const cJSON *k;
	cJSON_ArrayForEach(k, f)
	{
		const char *key = k->string;
		if (strncmp(key, "f:", 2) == 0 && cJSON_IsObject(desired)) {
			if (keep && cJSON_GetObjectItemCaseSensitive(keep, key + 2))
				continue;
			cJSON *v = cJSON_GetObjectItemCaseSensitive(desired, key + 2);
			if (!v)
				continue;
			bool leaf =
			    !k->child || (!k->child->next && strcmp(k->child->string, ".") == 0);
			if (leaf)
				cJSON_Delete(cJSON_DetachItemViaPointer(desired, v));
			else
				remove_fields(v, k, NULL);
		} else if ((key[0] == 'k' || key[0] == 'v') && key[1] == ':' &&
		           cJSON_IsArray(desired)) {
			cJSON *ids;
			cJSON *item = list_item(desired, key, &ids);
			if (item && key[0] == 'v')
				cJSON_Delete(cJSON_DetachItemViaPointer(desired, item));
			else if (item)
				remove_fields(item, k, ids);
			cJSON_Delete(ids);
		}
	}
}

static bool listed(const tend_strvec *v, const char *s)
{
	for (size_t i = 0; s && i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

void rc_ignore_differences(const tend_reconciler *r, cJSON *desired, const cJSON *live)
{
	if (!live || !r->opt.n_ignore)
		return;
	const cJSON *mine = rc_managed_fields(live, r->field_manager);
	for (size_t i = 0; i < r->opt.n_ignore; i++) {
		const tend_ignore_rule *ru = &r->opt.ignore[i];
		if (!rule_matches(ru, live))
			continue;
		for (size_t j = 0; j < ru->json_pointers.len; j++)
			ignore_pointer(desired, live, ru->json_pointers.items[j], mine);
		if (!ru->managers.len)
			continue;
		const cJSON *e;
		cJSON_ArrayForEach(
		    e, cJSON_GetObjectItemCaseSensitive(
		           cJSON_GetObjectItemCaseSensitive(live, "metadata"), "managedFields"))
		{
			if (listed(&ru->managers, str(e, "manager")))
				remove_fields(
				    desired, cJSON_GetObjectItemCaseSensitive(e, "fieldsV1"), NULL);
		}
	}
}

/* ---- drift ---- */

/* Whether a FieldsV1 path (keys) lies at or under the pointer's tokens; a
 * list index matches any item. */
static bool under_pointer(const char *const *keys, size_t n, const tend_strvec *t)
{
	if (n < t->len)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		const char *k = keys[i];
		size_t at;
		if (strncmp(k, "f:", 2) == 0) {
			if (strcmp(k + 2, t->items[i]) != 0)
				return false;
		} else if (!is_index(t->items[i], (size_t)-1, &at) &&
		           strcmp(t->items[i], "-") != 0) {
			return false;
		}
	}
	return true;
}

/* The FieldsV1 path is in the set of one of the rule's managers in obj. */
static bool owned_by(const tend_ignore_rule *ru, const cJSON *obj, const char *const *keys,
                     size_t n)
{
	const cJSON *e;
	cJSON_ArrayForEach(
	    e, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
	                                        "managedFields"))
	{
		if (!listed(&ru->managers, str(e, "manager")))
			continue;
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
		for (size_t i = 0; f && i < n; i++)
			f = cJSON_GetObjectItemCaseSensitive(f, keys[i]);
		if (f)
			return true;
	}
	return false;
}

static bool path_ignored(const tend_reconciler *r, const cJSON *obj, const char *const *keys,
                         size_t n)
{
	for (size_t i = 0; i < r->opt.n_ignore; i++) {
		const tend_ignore_rule *ru = &r->opt.ignore[i];
		if (!rule_matches(ru, obj))
			continue;
		if (ru->managers.len && owned_by(ru, obj, keys, n))
			return true;
		for (size_t j = 0; j < ru->json_pointers.len; j++) {
			tend_strvec t = TEND_STRVEC_INIT;
			pointer_tokens(ru->json_pointers.items[j], &t);
			bool hit = under_pointer(keys, n, &t);
			tend_strvec_free(&t);
			if (hit)
				return true;
		}
	}
	return false;
}

#define MAX_DEPTH 64

/* Whether some leaf of a missing from b is not ignored. */
static bool lost_unignored(const tend_reconciler *r, const cJSON *obj, const cJSON *a,
                           const cJSON *b, const char **keys, size_t n)
{
	const cJSON *k;
	cJSON_ArrayForEach(k, a)
	{
		if (n >= MAX_DEPTH)
			return true;
		const cJSON *other = b ? cJSON_GetObjectItemCaseSensitive(b, k->string) : NULL;
		keys[n] = k->string;
		bool leaf = !k->child || strcmp(k->string, ".") == 0;
		if (leaf && !other) {
			/* "." is the item itself: the path is its parent's */
			size_t len = strcmp(k->string, ".") == 0 ? n : n + 1;
			if (!path_ignored(r, obj, keys, len))
				return true;
		} else if (!leaf && lost_unignored(r, obj, k, other, keys, n + 1)) {
			return true;
		}
	}
	return false;
}

bool tend_reconcile_loss_ignored(const tend_reconciler *r, const cJSON *old_obj,
                                 const cJSON *new_obj)
{
	if (rc_unmanaged(new_obj))
		return true;
	if (!r->opt.n_ignore)
		return false;
	const cJSON *before = rc_managed_fields(old_obj, r->field_manager);
	const cJSON *after = rc_managed_fields(new_obj, r->field_manager);
	const char *keys[MAX_DEPTH];
	return before && !lost_unignored(r, new_obj, before, after, keys, 0);
}
