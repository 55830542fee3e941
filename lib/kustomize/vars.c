/*
 * vars.c — the deprecated `vars:` field. Not built yet: a non-empty list
 * is refused by name.
 */
#include "kustomize_internal.h"

int kz_vars_collect(const kz_kust *k, kz_acc *acc)
{
	(void)acc;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k->k, "vars");
	if (cJSON_IsArray(v) && v->child)
		return kz_field_err(k, v, "field \"vars\" is not supported yet by this version of tend");
	return 0;
}

int kz_vars_resolve(kz_acc *acc)
{
	(void)acc;
	return 0;
}
