/*
 * inventory.c — what each project has applied, recorded in the cluster so
 * a restarted tend (or another replica) knows what it may prune: one
 * ConfigMap "tend-inventory-<project>" per project in the inventory
 * namespace, labelled tend.dev/inventory=<project>, whose data holds the
 * tracking ids one per line ("objects") and the revision they came from;
 * once its project left Git, also when the removal began ("removedAt",
 * epoch seconds: a removal in progress is not counted again by the
 * projects guard, and counts in its window).
 * Invariant: an inventory never lists fewer objects than exist for the
 * project — it grows before applies and shrinks only after deletes.
 */
#include "reconcile_internal.h"

#include "../doc/doc.h"

#include <stdlib.h>
#include <string.h>

static const char *data_str(const cJSON *cm, const char *key)
{
	return cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cm, "data"), key));
}

static int list_selected(tend_reconciler *r, const char *selector, rc_inventory **out, size_t *n);

void rc_inventory_shrink(void *ud, cJSON *cm)
{
	(void)ud;
	tend_doc_keep_only(cm, (const char *const[]){"metadata", "data", NULL});
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(cm, "metadata");
	tend_doc_keep_only(meta, (const char *const[]){"labels", NULL});
	tend_doc_keep_only(cJSON_GetObjectItemCaseSensitive(meta, "labels"),
	                   (const char *const[]){TEND_INVENTORY_LABEL, NULL});
	tend_doc_keep_only(cJSON_GetObjectItemCaseSensitive(cm, "data"),
	                   (const char *const[]){"revision", "removedAt", "objects", NULL});
}

int rc_inventory_list(tend_reconciler *r, rc_inventory **out, size_t *n)
{
	return list_selected(r, TEND_INVENTORY_LABEL, out, n);
}

int rc_inventory_list_projects(tend_reconciler *r, const char *const *projects, size_t count,
                               rc_inventory **out, size_t *n)
{
	/* A run of a few projects (a drift revert) reads only theirs, not thousands. */
	tend_buf sel = TEND_BUF_INIT;
	tend_buf_printf(&sel, "%s in (", TEND_INVENTORY_LABEL);
	for (size_t i = 0; i < count; i++)
		tend_buf_printf(&sel, "%s%s", i ? "," : "", projects[i]);
	tend_buf_putc(&sel, ')');
	int rc = list_selected(r, sel.data, out, n);
	tend_buf_free(&sel);
	return rc;
}

static int list_selected(tend_reconciler *r, const char *selector, rc_inventory **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const tend_kube_resource *cm;
	if (tend_kube_resource_for_kind(r->kube, "v1", "ConfigMap", &cm))
		return -1;
	tend_kube_list_opts lo = {.label_selector = selector, .shrink = rc_inventory_shrink};
	cJSON *items = NULL;
	if (tend_kube_list(r->kube, cm, r->inventory_namespace, &lo, &items, NULL))
		return tend_err_prefix("reading the inventories in namespace %s: ",
		                       r->inventory_namespace);
	rc_inventory_from_items(items, out, n);
	cJSON_Delete(items);
	return 0;
}

void rc_inventory_from_items(const cJSON *items, rc_inventory **out, size_t *n)
{
	*n = 0;
	size_t len = (size_t)cJSON_GetArraySize(items);
	*out = tend_xcalloc(len ? len : 1, sizeof(**out));
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
	{
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(it, "metadata"), "labels");
		const char *project = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(labels, TEND_INVENTORY_LABEL));
		if (!project || !*project)
			continue;
		rc_inventory *inv = &(*out)[(*n)++];
		inv->project = tend_xstrdup(project);
		inv->exists = true;
		const char *rev = data_str(it, "revision");
		inv->revision = rev ? tend_xstrdup(rev) : NULL;
		const char *removed = data_str(it, "removedAt");
		inv->removed_at = removed ? strtoll(removed, NULL, 10) : 0;
		const char *objs = data_str(it, "objects");
		for (const char *p = objs; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t len1 = nl ? (size_t)(nl - p) : strlen(p);
			if (len1) {
				char *line = tend_xstrndup(p, len1);
				tend_strvec_push(&inv->ids, line);
				free(line);
			}
			p += len1 + (nl ? 1 : 0);
		}
	}
}

int tend_reconcile_inventories_list_async(tend_reconciler *r, tend_kube_list_done_fn done, void *ud,
                                          tend_kube_request **out)
{
	const tend_kube_resource *cm;
	if (tend_kube_resource_for_kind(r->kube, "v1", "ConfigMap", &cm))
		return -1;
	tend_kube_list_opts lo = {.label_selector = TEND_INVENTORY_LABEL,
	                          .shrink = rc_inventory_shrink};
	tend_kube_list_async(r->kube, cm, r->inventory_namespace, &lo, done, ud, out);
	return 0;
}

void rc_inventory_free(rc_inventory *inv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(inv[i].project);
		free(inv[i].revision);
		tend_strvec_free(&inv[i].ids);
	}
	free(inv);
}

cJSON *rc_inventory_object(const tend_reconciler *r, const char *project, const tend_strvec *ids,
                           const char *revision)
{
	cJSON *cm = cJSON_CreateObject();
	cJSON_AddStringToObject(cm, "apiVersion", "v1");
	cJSON_AddStringToObject(cm, "kind", "ConfigMap");
	cJSON *meta = cJSON_AddObjectToObject(cm, "metadata");
	char *name = tend_xasprintf("tend-inventory-%s", project);
	cJSON_AddStringToObject(meta, "name", name);
	free(name);
	cJSON_AddStringToObject(meta, "namespace", r->inventory_namespace);
	cJSON *labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, TEND_INVENTORY_LABEL, project);
	cJSON_AddStringToObject(labels, "app.kubernetes.io/part-of", "tend");
	cJSON *data = cJSON_AddObjectToObject(cm, "data");
	tend_buf b = TEND_BUF_INIT;
	for (size_t i = 0; i < ids->len; i++)
		tend_buf_printf(&b, "%s\n", ids->items[i]);
	cJSON_AddStringToObject(data, "objects", b.data ? b.data : "");
	tend_buf_free(&b);
	if (revision)
		cJSON_AddStringToObject(data, "revision", revision);
	return cm;
}

int rc_inventory_namespace_ensure(tend_reconciler *r)
{
	const tend_kube_resource *ns;
	if (tend_kube_resource_for_kind(r->kube, "v1", "Namespace", &ns))
		return -1;
	cJSON *live = NULL;
	if (tend_kube_get(r->kube, ns, NULL, r->inventory_namespace, NULL, &live) == 0) {
		cJSON_Delete(live);
		return 0;
	}
	if (!tend_kube_status_is(tend_kube_last_status(r->kube), "NotFound"))
		return -1;
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "Namespace");
	cJSON *meta = cJSON_AddObjectToObject(obj, "metadata");
	cJSON_AddStringToObject(meta, "name", r->inventory_namespace);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "labels"),
	                        "app.kubernetes.io/part-of", "tend");
	tend_kube_write_opts wo = {0};
	wo.field_manager = r->field_manager;
	int rc = tend_kube_apply(r->kube, ns, NULL, obj, &wo, NULL);
	cJSON_Delete(obj);
	return rc;
}
