/*
 * suspend.c — suspended projects, recorded in the cluster so that a
 * restarted tend and every other replica honour them: one ConfigMap
 * "tend-suspend-<project>" per suspended project in the inventory
 * namespace, labelled tend.dev/suspended=<project>, whose data says since
 * when and who asked. Resuming deletes it.
 *
 * Invariant: the ConfigMap is the only truth; a replica reads it (one
 * LIST) before it syncs, so a suspension made through any replica holds
 * for all of them.
 */
#include "reconcile_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *data_str(const cJSON *cm, const char *key)
{
	return cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cm, "data"), key));
}

int tend_reconcile_suspended(tend_reconciler *r, tend_strvec *projects, tend_strvec *since)
{
	const tend_kube_resource *cm;
	if (tend_kube_resource_for_kind(r->kube, "v1", "ConfigMap", &cm))
		return -1;
	tend_kube_list_opts lo = {0};
	lo.label_selector = TEND_SUSPENDED_LABEL;
	cJSON *items = NULL;
	if (tend_kube_list(r->kube, cm, r->inventory_namespace, &lo, &items, NULL))
		return tend_err_prefix("reading the suspended projects in namespace %s: ",
		                       r->inventory_namespace);
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
	{
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(it, "metadata"), "labels");
		const char *project = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(labels, TEND_SUSPENDED_LABEL));
		if (!project || !*project)
			continue;
		tend_strvec_push(projects, project);
		if (since) {
			const char *at = data_str(it, "suspendedAt");
			tend_strvec_push(since, at ? at : "");
		}
	}
	cJSON_Delete(items);
	return 0;
}

int tend_reconcile_set_suspended(tend_reconciler *r, const char *project, bool suspended,
                                 const char *by)
{
	const tend_kube_resource *cm;
	if (tend_kube_resource_for_kind(r->kube, "v1", "ConfigMap", &cm))
		return -1;
	char *name = tend_xasprintf("tend-suspend-%s", project);
	int rc;
	if (!suspended) {
		rc = tend_kube_delete(r->kube, cm, r->inventory_namespace, name, NULL, NULL);
		if (rc && tend_kube_status_is(tend_kube_last_status(r->kube), "NotFound"))
			rc = 0;
		free(name);
		return rc;
	}
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "ConfigMap");
	cJSON *meta = cJSON_AddObjectToObject(obj, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", r->inventory_namespace);
	cJSON *labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, TEND_SUSPENDED_LABEL, project);
	cJSON_AddStringToObject(labels, "app.kubernetes.io/part-of", "tend");
	cJSON *data = cJSON_AddObjectToObject(obj, "data");
	char at[TEND_RFC3339_LEN];
	tend_rfc3339(at, time(NULL));
	cJSON_AddStringToObject(data, "suspendedAt", at);
	cJSON_AddStringToObject(data, "by", by && *by ? by : "tend suspend");
	tend_kube_write_opts wo = {0};
	wo.field_manager = r->field_manager;
	wo.force = true;
	rc = rc_inventory_namespace_ensure(r);
	if (rc == 0)
		rc = tend_kube_apply(r->kube, cm, r->inventory_namespace, obj, &wo, NULL);
	cJSON_Delete(obj);
	free(name);
	return rc;
}
