/*
 * crds.c — the legacy `crds:` field. Not built yet: refused by name.
 */
#include "kustomize_internal.h"

int kz_tconfig_load_crds(kz_tconfig *tc, const cJSON *doc, const char *file)
{
	(void)tc;
	(void)doc;
	return tend_err("%s: field \"crds\" is not supported yet by this version of tend", file);
}
