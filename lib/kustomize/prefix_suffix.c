/*
 * prefix_suffix.c — `namePrefix:` and `nameSuffix:` (kustomize's Prefix and
 * Suffix transformers, run in that order by every kustomization).
 *
 * CustomResourceDefinition, APIService (apiregistration.k8s.io) and
 * Namespace objects are never renamed. For the rest, each non-empty prefix
 * or suffix is recorded (innermost first) and the old id stored, because
 * the name-reference pass later tells apart objects of the same original
 * name by the prefixes and suffixes they share with the referrer.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct affix {
	const char *prefix, *suffix;
} affix;

static int apply_affix(cJSON *node, void *ctx)
{
	const affix *a = ctx;
	if (!cJSON_IsString(node))
		return 0;
	char *v = tend_xasprintf("%s%s%s", a->prefix, node->valuestring, a->suffix);
	kz_set_string(node, v);
	free(v);
	return 0;
}

static bool skipped(const cJSON *obj)
{
	char g[256], v[256];
	kz_api_split(kz_str(obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
	const char *kind = kz_kind(obj);
	return strcmp(kind, "CustomResourceDefinition") == 0 || strcmp(kind, "Namespace") == 0 ||
	       (strcmp(kind, "APIService") == 0 && strcmp(g, "apiregistration.k8s.io") == 0);
}

/* Every application is recorded, a repeated prefix too, as kustomize appends it. */
static void record(tend_strvec *list, const char *text)
{
	if (*text)
		tend_strvec_push(list, text);
}

int kz_affix_apply(const kz_kust *k, const cJSON *where, kz_acc *acc, const char *prefix,
                   const char *suffix, const kz_fslist *specs)
{
	affix a = {prefix, suffix};
	bool any = *prefix || *suffix;
	for (size_t i = 0; i < acc->res.len; i++) {
		tend_resource *r = &acc->res.items[i];
		if (skipped(r->obj))
			continue;
		for (size_t j = 0; j < specs->len; j++) {
			const kz_fs *fs = &specs->items[j];
			if (!kz_fs_selects_obj(fs, r->obj))
				continue;
			if (strcmp(fs->path, "metadata/name") == 0) {
				struct kz_meta *m = kz_meta_of(r);
				record(&m->prefixes, prefix);
				record(&m->suffixes, suffix);
				if (any)
					kz_store_previous_id(r);
			}
			if (any && kz_fs_apply(r->obj, fs, cJSON_String, apply_affix, &a))
				return kz_field_err(k, where, "%s: %s",
				                    *prefix ? "prefix" : "suffix", tend_err_msg());
		}
	}
	return 0;
}

static int run(const kz_kust *k, kz_acc *acc, const char *field, bool prefix)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(k->k, field);
	if (f && !cJSON_IsString(f) && !cJSON_IsNull(f))
		return kz_field_err(k, f, "%s: must be a string", field);
	const char *text = cJSON_IsString(f) ? f->valuestring : "";
	if (prefix)
		return kz_affix_apply(k, f, acc, text, "", &acc->tc.prefix);
	return kz_affix_apply(k, f, acc, "", text, &acc->tc.suffix);
}

int kz_prefix_suffix_transform(const kz_kust *k, kz_acc *acc)
{
	if (run(k, acc, "namePrefix", true) || run(k, acc, "nameSuffix", false))
		return -1;
	return 0;
}
