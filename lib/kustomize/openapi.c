/*
 * openapi.c — the `openapi:` field. kustomize uses the schema only for
 * strategic-merge patches (not built by this version), but it still
 * checks the field on every build: a `path` must name an existing file,
 * and a `version` must be the one built into kustomize v5.5 (v1.21.2).
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

int kz_openapi_check(const kz_build *b, const kz_kust *k)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(k->k, "openapi");
	if (!o || cJSON_IsNull(o))
		return 0;
	if (kz_string_map(k, o, "openapi"))
		return -1;
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(o, "version");
	if (version && strcmp(version->valuestring, "v1.21.2") != 0)
		return kz_field_err(k, version, "openapi: the specified OpenAPI version is not built in");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(o, "path");
	if (path) {
		char *file = NULL;
		if (kz_resolve_file(b, k, path, path->valuestring, &file))
			return -1;
		free(file);
	}
	return 0;
}
