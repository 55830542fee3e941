/*
 * build_metadata.c — `buildMetadata:` in the top-level kustomization (it
 * overrides whatever nested kustomizations say, as kustomize passes the
 * root's list down): originAnnotations records where each object came
 * from in `config.kubernetes.io/origin` (its file path joined from the
 * root through each directory entry, or the kustomization and builtin
 * generator that made it); managedByLabel sets
 * `app.kubernetes.io/managed-by: kustomize-(devel)`, the version string
 * kubectl's embedded kustomize prints. transformerAnnotations is refused.
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
			return kz_field_err(root, e,
					    "buildMetadata \"transformerAnnotations\" is not supported "
					    "yet by this version of tend");
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

void kz_origin_generator(const kz_build *b, cJSON *obj, const kz_kust *k, const char *kind)
{
	if (!b->origin_annotations)
		return;
	const char *base = strrchr(k->file, '/');
	char *in = kz_origin_join(k->origin, base ? base + 1 : k->file);
	char *v = tend_xasprintf("configuredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n"
				 "  kind: %sGenerator\n",
				 in, kind);
	set_annotation(obj, "config.kubernetes.io/origin", v);
	free(v);
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
