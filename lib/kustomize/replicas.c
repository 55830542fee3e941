/*
 * replicas.c — `replicas:`, kustomize's ReplicaCountTransformer: each entry
 * `{name, count}` sets `spec.replicas` (created when missing) of every
 * object named `name` now or under any earlier name (before a prefix, a
 * suffix or a namespace change) whose kind one of the `replicas` field
 * specs selects: Deployment, StatefulSet, ReplicaSet and
 * ReplicationController, plus kinds added by `configurations:`.
 *
 * An entry that selects nothing is an error, as in kustomize. `count` is
 * an integer (a missing count is 0); a quoted count is refused.
 */
#include "kustomize_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool named(const tend_resource *r, const char *name)
{
	if (strcmp(kz_name(r->obj), name) == 0)
		return true;
	for (size_t i = 0; r->meta && i < r->meta->prev_names.len; i++)
		if (strcmp(r->meta->prev_names.items[i], name) == 0)
			return true;
	return false;
}

static int set_count(cJSON *node, void *ctx)
{
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		return tend_err("spec.replicas: expected a scalar");
	kz_set_value(node, tend_doc_number(ctx));
	return 0;
}

static bool is_integer_text(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int check_entry(const kz_kust *k, const cJSON *e, const char **name, char *count, size_t cap)
{
	if (!cJSON_IsObject(e))
		return kz_field_err(k, e, "replicas: entries must be mappings");
	for (const cJSON *f = e->child; f; f = f->next)
		if (strcmp(f->string, "name") != 0 && strcmp(f->string, "count") != 0)
			return kz_field_err(k, f, "replicas: unknown field \"%s\"", f->string);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
	if (n && !cJSON_IsString(n) && !cJSON_IsNull(n))
		return kz_field_err(k, n, "replicas.name: must be a string");
	*name = cJSON_IsString(n) ? n->valuestring : "";
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "count");
	tend_buf text = TEND_BUF_INIT;
	if (cJSON_IsNumber(c))
		tend_doc_number_text(c, &text);
	bool ok = !c || cJSON_IsNull(c) || (text.data && is_integer_text(text.data));
	snprintf(count, cap, "%s", text.data ? text.data : "0");
	tend_buf_free(&text);
	if (!ok)
		return kz_field_err(k, c, "replicas.count: must be an integer");
	return 0;
}

static int apply_entry(const kz_kust *k, kz_acc *acc, const cJSON *e)
{
	const char *name = "";
	char count[64];
	if (check_entry(k, e, &name, count, sizeof(count)))
		return -1;
	const kz_fslist *specs = &acc->tc.replicas;
	bool found = false;
	for (size_t s = 0; s < specs->len; s++) {
		for (size_t i = 0; i < acc->res.len; i++) {
			tend_resource *r = &acc->res.items[i];
			if (!named(r, name) || !kz_fs_selects_obj(&specs->items[s], r->obj))
				continue;
			found = true;
			if (kz_fs_apply(r->obj, &specs->items[s], cJSON_Number, set_count, count))
				return kz_field_err(k, e, "replicas: %s:%d: %s", r->file, r->line,
				                    tend_err_msg());
		}
	}
	if (found)
		return 0;
	tend_buf kinds = TEND_BUF_INIT;
	for (size_t s = 0; s < specs->len; s++)
		tend_buf_printf(&kinds, "%s%s", s ? ", " : "",
		                specs->items[s].kind ? specs->items[s].kind : "(any kind)");
	int rc = kz_field_err(k, e,
	                      "replicas: no resource named \"%s\" has a kind the replicas field "
	                      "specs select (%s)",
	                      name, kinds.data ? kinds.data : "none");
	tend_buf_free(&kinds);
	return rc;
}

int kz_replicas_transform(const kz_kust *k, kz_acc *acc)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(k->k, "replicas");
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return kz_field_err(k, list, "replicas: must be a list");
	const cJSON *e;
	cJSON_ArrayForEach(e, list)
	{
		if (apply_entry(k, acc, e))
			return -1;
	}
	return 0;
}
