/*
 * annotations.c — `commonAnnotations:` (kustomize's AnnotationsTransformer):
 * the pairs go to metadata.annotations of every object and to the pod
 * templates of workloads (CronJob's job template too), as strings,
 * overwriting existing values. Also what becomes of annotation values
 * when kustomize converts an object through JSON (kz_annotations_as_json).
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

void kz_annotations_as_json(cJSON *obj)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	for (cJSON *a = cJSON_IsObject(ann) ? ann->child : NULL; a; a = a->next) {
		if (cJSON_IsString(a) && (a->type & TEND_DOC_FOLDED_TEXT)) {
			tend_buf text = TEND_BUF_INIT;
			tend_buf_puts(&text, a->valuestring);
			tend_doc_fold_like_go(&text);
			kz_set_string(a, text.data ? text.data : "");
			tend_buf_free(&text);
			continue;
		}
		if (!cJSON_IsString(a) || !(a->type & TEND_DOC_TYPED_TEXT))
			continue;
		cJSON *v = tend_doc_scalar(a->valuestring, NULL);
		tend_buf text = TEND_BUF_INIT;
		kz_scalar_text(v, &text);
		kz_set_string(a, text.data ? text.data : a->valuestring);
		tend_buf_free(&text);
		cJSON_Delete(v);
	}
}

void kz_stringify_annotations(tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->items[i].obj, "metadata");
		cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		for (cJSON *a = cJSON_IsObject(ann) ? ann->child : NULL; a; a = a->next) {
			if (cJSON_IsString(a))
				continue;
			if (cJSON_IsObject(a) || cJSON_IsArray(a)) { /* a collection reads "" */
				kz_set_string(a, "");
				continue;
			}
			tend_buf text = TEND_BUF_INIT;
			kz_scalar_text(a, &text);
			kz_set_string(a, text.data ? text.data : "");
			tend_buf_free(&text);
		}
	}
}
