/*
 * build_metadata.c — `buildMetadata:`. Not built yet: a non-empty list is
 * refused by name.
 */
#include "kustomize_internal.h"

int kz_build_metadata_apply(const kz_kust *k, kz_acc *acc)
{
	(void)acc;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k->k, "buildMetadata");
	if (cJSON_IsArray(v) && v->child)
		return kz_field_err(k, v,
				    "field \"buildMetadata\" is not supported yet by this version of tend");
	return 0;
}
