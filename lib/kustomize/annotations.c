/*
 * annotations.c — `commonAnnotations:` (kustomize's AnnotationsTransformer):
 * the pairs go to metadata.annotations of every object and to the pod
 * templates of workloads (CronJob's job template too), as strings,
 * overwriting existing values.
 */
#include "kustomize_internal.h"

int kz_annotations_transform(const kz_kust *k, kz_acc *acc)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(k->k, "commonAnnotations");
	if (kz_string_map(k, ann, "commonAnnotations"))
		return -1;
	if (!cJSON_IsObject(ann) || !ann->child)
		return 0;
	if (kz_apply_pairs(&acc->res, &acc->tc.common_annotations, ann))
		return kz_field_err(k, ann, "commonAnnotations: %s", tend_err_msg());
	return 0;
}

void kz_stringify_annotations(tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->items[i].obj, "metadata");
		cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		for (cJSON *a = cJSON_IsObject(ann) ? ann->child : NULL; a; a = a->next) {
			if (cJSON_IsString(a) || cJSON_IsObject(a) || cJSON_IsArray(a))
				continue;
			tend_buf text = TEND_BUF_INIT;
			kz_scalar_text(a, &text);
			kz_set_string(a, text.data ? text.data : "");
			tend_buf_free(&text);
		}
	}
}
