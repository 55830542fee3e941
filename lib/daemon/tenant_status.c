/*
 * tenant_status.c — a project's state where its researchers can read it:
 * ConfigMap "tend-status" in the project's namespace (readable with the
 * `view` role), saying the revision synced, the sync status and health,
 * the object count and the last error:
 *
 *   kubectl get configmap tend-status -n NAMESPACE -o yaml
 *
 * Written after a sync and when its objects' health changes, only when what
 * it says changed (a resync that finds nothing new writes nothing; a
 * rollout writes when the project's health word changes, not per pod), with
 * its own field manager, and labelled
 * tend.dev/status-of: PROJECT, so removal counts it as the project's own,
 * never as data. Not written when the project declares an object of that
 * name itself (Git wins). Best effort, as Events: a refused write is logged
 * at debug level and tried again after the next sync.
 */
#include "daemon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MESSAGE_MAX 4096 /* bytes of the error kept: a ConfigMap is not a log */

/* Whether the project's own objects (from Git) include the status ConfigMap. */
static bool declared_in_git(const proj *p, const char *ns)
{
	for (size_t i = 0; i < p->n_objs; i++) {
		const obj_ref *o = &p->objs[i];
		if (!*o->group && strcmp(o->kind, "ConfigMap") == 0 && o->ns &&
		    strcmp(o->ns, ns) == 0 && strcmp(o->name, TEND_STATUS_CONFIGMAP) == 0)
			return true;
	}
	return false;
}

/* The last sync's error, with the first object it could not apply and why. */
static char *message_of(const proj *p, const tend_reconcile_report *rep)
{
	if (p->render_error)
		return tend_xstrdup(p->render_error);
	for (size_t i = 0; rep && i < rep->n_objects; i++) {
		const tend_reconcile_object *o = &rep->objects[i];
		if (o->action == TEND_ACTION_CONFLICT || o->action == TEND_ACTION_ERROR)
			return tend_xasprintf("%s; first: %s %s: %s",
			                      p->error ? p->error : "not applied", o->kind, o->name,
			                      o->message ? o->message : "");
	}
	return tend_xstrdup(p->error ? p->error : "");
}

void daemon_tenant_status_publish(tend_daemon *d, proj *p, const tend_reconcile_report *rep)
{
	/* a project gone from Git: its last namespace, which may be kept for its data */
	const char *ns = p->meta ? p->meta->namespace : p->tenant_status_ns;
	if (!ns || !*ns || !d->kube)
		return;
	char objects[32];
	snprintf(objects, sizeof(objects), "%zu", p->n_objects);
	/* RenderFailed or Blocked (a guardrail) while the render fails (revision.c) */
	const char *status = p->status ? p->status : "Pending";
	if (rep || p->render_error) {
		free(p->tenant_status_message);
		p->tenant_status_message = message_of(p, rep);
		daemon_truncate_utf8(p->tenant_status_message, MESSAGE_MAX, "...");
	}
	const char *message = p->tenant_status_message ? p->tenant_status_message : "";
	const char *revision = p->revision ? p->revision : "";
	const char *health = p->health ? p->health : "Unknown";
	if (p->synced_once && d->cache && tend_kube_cache_synced(d->cache)) {
		char *why; /* the live health, as the status API computes it */
		health = tend_health_name(daemon_health_of_project(p, &why));
		free(why);
	}
	uint64_t key =
	    daemon_key64((const char *[]){ns, revision, status, health, objects, message}, 6);
	if (p->tenant_status_key == key || declared_in_git(p, ns))
		return;
	const tend_kube_resource *cm;
	if (tend_kube_resource_for_kind(d->kube, "v1", "ConfigMap", &cm))
		return;
	char now[TEND_RFC3339_LEN];
	tend_rfc3339(now, time(NULL));
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "ConfigMap");
	cJSON *meta = cJSON_AddObjectToObject(obj, "metadata");
	cJSON_AddStringToObject(meta, "name", TEND_STATUS_CONFIGMAP);
	cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON *labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, TEND_STATUS_OF_LABEL, p->name);
	cJSON_AddStringToObject(labels, "app.kubernetes.io/part-of", "tend");
	cJSON *data = cJSON_AddObjectToObject(obj, "data");
	cJSON_AddStringToObject(data, "project", p->name);
	cJSON_AddStringToObject(data, "revision", revision);
	cJSON_AddStringToObject(data, "syncStatus", status);
	cJSON_AddStringToObject(data, "health", health);
	cJSON_AddStringToObject(data, "objects", objects);
	cJSON_AddStringToObject(data, "message", message);
	cJSON_AddStringToObject(data, "changedAt", now);
	tend_kube_write_opts wo = {0};
	wo.field_manager = "tend-status";
	wo.force = true;
	if (tend_kube_apply(d->kube, cm, ns, obj, &wo, NULL) == 0) {
		p->tenant_status_key = key;
		if (ns != p->tenant_status_ns)
			daemon_proj_set_str(&p->tenant_status_ns, ns);
	} else
		tend_log_ctx_printf(TEND_LOG_DEBUG, &(tend_log_ctx){p->name, NULL, NULL},
		                    "%s/%s not written: %s", ns, TEND_STATUS_CONFIGMAP,
		                    tend_err_msg());
	cJSON_Delete(obj);
}

void daemon_tenant_status_due(tend_daemon *d, proj *p)
{
	if (p->tenant_status_key && !p->tenant_status_queued) {
		p->tenant_status_queued = true;
		tend_strvec_push(&d->tenant_status_due, p->name);
	}
}

void daemon_tenant_status_flush(tend_daemon *d)
{
	for (size_t i = 0; i < d->tenant_status_due.len; i++) {
		proj *p = daemon_proj_find(d, d->tenant_status_due.items[i]);
		if (p) {
			p->tenant_status_queued = false;
			daemon_tenant_status_publish(d, p, NULL);
		}
	}
	tend_strvec_free(&d->tenant_status_due);
}
