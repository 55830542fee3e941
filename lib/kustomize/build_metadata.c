/*
 * build_metadata.c — `buildMetadata:` in the top-level kustomization (it
 * overrides whatever nested kustomizations say, as kustomize passes the
 * root's list down): originAnnotations records where each object came
 * from in `config.kubernetes.io/origin` (its file path joined from the
 * root through each directory entry, or the kustomization and builtin
 * generator that made it); managedByLabel sets
 * `app.kubernetes.io/managed-by: kustomize-(devel)`, the version string
 * kubectl's embedded kustomize prints; transformerAnnotations lists, in
 * `alpha.config.kubernetes.io/transformations` of every object present,
 * each transformer kustomize configured as it runs (one per patch, label
 * entry, replica or image; the commonLabels one whenever labels are set;
 * plugins with their name and config file).
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

int kz_build_metadata_read(kz_build *b, const kz_kust *root)
{
	const cJSON *bm = cJSON_GetObjectItemCaseSensitive(root->k, "buildMetadata");
	if (!bm || cJSON_IsNull(bm))
		return 0;
	if (!cJSON_IsArray(bm))
		return kz_field_err(root, bm, "buildMetadata: must be a list");
	const cJSON *e;
	cJSON_ArrayForEach(e, bm)
	{
		if (!cJSON_IsString(e))
			return kz_field_err(root, e, "buildMetadata: entries must be strings");
		if (strcmp(e->valuestring, "originAnnotations") == 0)
			b->origin_annotations = true;
		else if (strcmp(e->valuestring, "managedByLabel") == 0)
			b->managed_by_label = true;
		else if (strcmp(e->valuestring, "transformerAnnotations") == 0)
			b->transformer_annotations = true;
		else
			return kz_field_err(root, e,
					    "invalid buildMetadata option: %s; must be one of "
					    "[managedByLabel originAnnotations transformerAnnotations]",
					    e->valuestring);
	}
	return 0;
}

char *kz_origin_join(const char *origin, const char *entry)
{
	char *joined = *origin ? tend_xasprintf("%s/%s", origin, entry) : tend_xstrdup(entry);
	bool abs = joined[0] == '/';
	tend_strvec parts = TEND_STRVEC_INIT;
	size_t up = 0; /* leading ".." kept for relative paths */
	for (char *save = NULL, *t = strtok_r(joined, "/", &save); t;
	     t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			if (parts.len > up) {
				free(parts.items[--parts.len]);
				continue;
			}
			if (abs)
				continue;
			up++;
		}
		tend_strvec_push(&parts, t);
	}
	tend_buf out = TEND_BUF_INIT;
	if (abs)
		tend_buf_putc(&out, '/');
	for (size_t i = 0; i < parts.len; i++)
		tend_buf_printf(&out, "%s%s", i ? "/" : "", parts.items[i]);
	if (!out.len)
		tend_buf_putc(&out, '.');
	tend_strvec_free(&parts);
	free(joined);
	return tend_buf_detach(&out);
}

static void set_annotation(cJSON *obj, const char *key, const char *value)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(meta))
		return;
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	if (!cJSON_IsObject(ann)) {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "annotations");
		ann = cJSON_AddObjectToObject(meta, "annotations");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(ann, key);
	cJSON_AddStringToObject(ann, key, value);
}

void kz_origin_resource(const kz_build *b, cJSON *obj, const char *path)
{
	if (!b->origin_annotations)
		return;
	char *v = tend_xasprintf("path: %s\n", path);
	set_annotation(obj, "config.kubernetes.io/origin", v);
	free(v);
}

/* Where a kustomization's own transformers and generators are configured. */
static char *configured_in(const kz_kust *k)
{
	if (k->plugin_origin)
		return tend_xstrdup(k->plugin_origin);
	const char *base = strrchr(k->file, '/');
	return kz_origin_join(k->origin, base ? base + 1 : k->file);
}

static char *configured_by(const char *in, const char *kind, const char *name, const char *indent)
{
	tend_buf v = TEND_BUF_INIT;
	tend_buf_printf(&v, "configuredIn: %s\n%sconfiguredBy:\n%s  apiVersion: builtin\n%s  kind: %s\n",
			in, indent, indent, indent, kind);
	if (name && *name)
		tend_buf_printf(&v, "%s  name: %s\n", indent, name);
	return tend_buf_detach(&v);
}

void kz_origin_generator(const kz_build *b, cJSON *obj, const kz_kust *k, const char *kind)
{
	if (!b->origin_annotations)
		return;
	char *in = configured_in(k);
	char *gen = tend_xasprintf("%sGenerator", kind);
	char *v = configured_by(in, gen, k->plugin_name, "");
	set_annotation(obj, "config.kubernetes.io/origin", v);
	free(v);
	free(gen);
	free(in);
}

void kz_transformer_annotation(const kz_build *b, tend_resmap *m, const char *in, const char *kind,
			       const char *name, size_t times)
{
	if (!b->transformer_annotations || !times)
		return;
	char *one = configured_by(in, kind, name, "  ");
	for (size_t i = 0; i < m->len; i++) {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->items[i].obj, "metadata");
		cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		const cJSON *old =
			cJSON_GetObjectItemCaseSensitive(ann, "alpha.config.kubernetes.io/transformations");
		tend_buf v = TEND_BUF_INIT;
		if (cJSON_IsString(old))
			tend_buf_puts(&v, old->valuestring);
		for (size_t t = 0; t < times; t++)
			tend_buf_printf(&v, "- %s", one);
		set_annotation(m->items[i].obj, "alpha.config.kubernetes.io/transformations",
			       v.data);
		tend_buf_free(&v);
	}
	free(one);
}

static size_t list_len(const kz_kust *k, const char *field)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(k->k, field);
	return cJSON_IsArray(l) ? (size_t)cJSON_GetArraySize(l) : 0;
}

static bool nonempty(const kz_kust *k, const char *field)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(k->k, field);
	return (cJSON_IsString(f) && *f->valuestring) || (cJSON_IsObject(f) && f->child) ||
	       (cJSON_IsArray(f) && f->child);
}

void kz_builtin_transformer_annotations(const kz_build *b, const kz_kust *k, tend_resmap *m,
					enum kz_step step)
{
	if (!b->transformer_annotations)
		return;
	char *in = configured_in(k);
	switch (step) {
	case KZ_STEP_PATCHES:
		kz_transformer_annotation(b, m, in, "PatchStrategicMergeTransformer", NULL,
					  nonempty(k, "patchesStrategicMerge"));
		kz_transformer_annotation(b, m, in, "PatchTransformer", NULL,
					  list_len(k, "patches"));
		break;
	case KZ_STEP_NAMESPACE:
		kz_transformer_annotation(b, m, in, "NamespaceTransformer", NULL,
					  nonempty(k, "namespace"));
		break;
	case KZ_STEP_AFFIXES:
		kz_transformer_annotation(b, m, in, "PrefixTransformer", NULL,
					  nonempty(k, "namePrefix"));
		kz_transformer_annotation(b, m, in, "SuffixTransformer", NULL,
					  nonempty(k, "nameSuffix"));
		break;
	case KZ_STEP_LABELS: {
		size_t n = list_len(k, "labels");
		kz_transformer_annotation(b, m, in, "LabelTransformer", NULL,
					  n || nonempty(k, "commonLabels") ? n + 1 : 0);
		break;
	}
	case KZ_STEP_ANNOTATIONS:
		kz_transformer_annotation(b, m, in, "AnnotationsTransformer", NULL,
					  nonempty(k, "commonAnnotations"));
		break;
	case KZ_STEP_JSON6902:
		kz_transformer_annotation(b, m, in, "PatchJson6902Transformer", NULL,
					  list_len(k, "patchesJson6902"));
		break;
	case KZ_STEP_REPLICAS:
		kz_transformer_annotation(b, m, in, "ReplicaCountTransformer", NULL,
					  list_len(k, "replicas"));
		break;
	case KZ_STEP_IMAGES:
		kz_transformer_annotation(b, m, in, "ImageTagTransformer", NULL,
					  list_len(k, "images") + list_len(k, "imageTags"));
		break;
	case KZ_STEP_REPLACEMENTS:
		kz_transformer_annotation(b, m, in, "ReplacementTransformer", NULL,
					  nonempty(k, "replacements"));
		break;
	}
	free(in);
}

void kz_managed_by_label(const kz_build *b, tend_resmap *m)
{
	if (!b->managed_by_label)
		return;
	for (size_t i = 0; i < m->len; i++) {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->items[i].obj, "metadata");
		if (!cJSON_IsObject(meta))
			continue;
		cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
		if (!cJSON_IsObject(labels)) {
			cJSON_DeleteItemFromObjectCaseSensitive(meta, "labels");
			labels = cJSON_AddObjectToObject(meta, "labels");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(labels, "app.kubernetes.io/managed-by");
		cJSON_AddStringToObject(labels, "app.kubernetes.io/managed-by", "kustomize-(devel)");
	}
}
