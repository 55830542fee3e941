/*
 * fuzz_reconcile_diff.c — libFuzzer target for the reconciler's readers of
 * cluster data: managedFields (FieldsV1 with k:/v: keys parsed as JSON),
 * tracking annotations, tracking ids, health conditions, and the YAML diff.
 * The input is two JSON values separated by a newline (desired, live);
 * whatever they hold, nothing may crash, leak or read out of bounds.
 */
#include "lib/kube/kube.h"
#include "lib/reconcile/reconcile_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	size_t n1 = nl ? (size_t)(nl - text) : size;
	cJSON *desired = NULL, *live = NULL;
	if (tend_kube_json_parse(text, n1, &desired) != 0)
		return 0;
	if (nl)
		tend_kube_json_parse(nl + 1, size - n1 - 1, &live);
	if (cJSON_IsObject(desired)) {
		rc_live_matches(desired, live, "tend");
		rc_managed_equal(desired, live, "tend");
		rc_managed_equal(desired, desired, "tend");
		char *d = rc_yaml_diff("fuzz", live, desired);
		free(d);
		char *why = NULL;
		tend_health_of(desired, &why);
		free(why);
		char *p = tend_tracking_project(desired);
		free(p);
		free(rc_ownership_conflict(desired, "alpha", false));
		const char *id =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(desired, "id"));
		char *g, *k, *ns, *name;
		if (id && rc_id_split(id, &g, &k, &ns, &name) == 0) {
			free(g), free(k), free(ns), free(name);
		}
	}
	cJSON_Delete(desired);
	cJSON_Delete(live);
	return 0;
}
