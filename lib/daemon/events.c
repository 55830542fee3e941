/*
 * events.c — Kubernetes Events where tenants look. After a sync, tend
 * records on each namespaced object what it did that a researcher did not
 * ask for in a pull request: a drift it reverted (naming the field and who
 * changed it), an object it pruned, an object it could not apply. So
 * `kubectl get events -n NAMESPACE` (readable with `view`) tells them.
 *
 * Best effort: an Event the API server refuses is logged at debug level
 * and never fails or delays the sync; at most EVENTS_PER_SYNC per project
 * and sync, so a project of thousands of objects cannot flood the cluster.
 * A Warning is posted when its error is new: an object that keeps
 * conflicting posts once, not on every resync and retry, and again after
 * WARNING_REPEAT_MS while it lasts (the API server keeps Events an hour).
 */
#include "daemon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENTS_PER_SYNC   20
#define WARNING_REPEAT_MS (45 * 60 * 1000)

/* When the Warning of this key was posted, if it is in the last sync's list. */
static const warned *warned_before(const proj *p, uint64_t key)
{
	for (size_t i = 0; i < p->n_warned; i++)
		if (p->warned[i].key == key)
			return &p->warned[i];
	return NULL;
}

/* The unreverted drift recorded on object "Kind/ns/name", or NULL. */
static const drift_event *pending_drift(const proj *p, const char *object)
{
	for (size_t i = 0; i < DRIFT_EVENTS_KEPT && i < p->n_drift; i++) {
		const drift_event *e = &p->drift[i];
		if (e->object && !e->reverted && strcmp(e->object, object) == 0)
			return e;
	}
	return NULL;
}

static void post(tend_daemon *d, const tend_kube_resource *r, const tend_reconcile_object *o,
                 const char *type, const char *reason, const char *message)
{
	static unsigned long seq;
	char now[TEND_RFC3339_LEN];
	time_t t = time(NULL);
	tend_rfc3339(now, t);
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	cJSON *meta = cJSON_AddObjectToObject(ev, "metadata");
	/* unique as kubectl's own: the object's name, a dot, a per-process count */
	char *name = tend_xasprintf("%.200s.tend%lx%lx", o->name, (unsigned long)t, ++seq);
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", o->namespace);
	cJSON *inv = cJSON_AddObjectToObject(ev, "involvedObject");
	cJSON_AddStringToObject(inv, "apiVersion", o->api_version);
	cJSON_AddStringToObject(inv, "kind", o->kind);
	cJSON_AddStringToObject(inv, "namespace", o->namespace);
	cJSON_AddStringToObject(inv, "name", o->name);
	cJSON_AddStringToObject(ev, "type", type);
	cJSON_AddStringToObject(ev, "reason", reason);
	cJSON_AddStringToObject(ev, "message", message);
	cJSON_AddObjectToObject(ev, "source");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(ev, "source"), "component",
	                        "tend");
	cJSON_AddStringToObject(ev, "reportingComponent", "tend");
	cJSON_AddStringToObject(ev, "firstTimestamp", now);
	cJSON_AddStringToObject(ev, "lastTimestamp", now);
	cJSON_AddNumberToObject(ev, "count", 1);
	if (tend_kube_create(d->kube, r, o->namespace, ev, NULL, NULL))
		tend_log_ctx_printf(TEND_LOG_DEBUG, &(tend_log_ctx){NULL, name, NULL},
		                    "event not recorded: %s", tend_err_msg());
	free(name);
	cJSON_Delete(ev);
}

/* The Event an object's outcome deserves: its type, reason and message, or false. */
static bool describe(const proj *p, const tend_reconcile_object *o, const char *object,
                     const char *revision, const char **type, const char **reason, char **message)
{
	*type = "Normal";
	switch (o->action) {
	case TEND_ACTION_CREATE:
	case TEND_ACTION_UPDATE: {
		const drift_event *e = pending_drift(p, object);
		if (!e || !o->done)
			return false; /* a change from Git: the pull request says it */
		*reason = "DriftReverted";
		if (strcmp(e->what, "deleted") == 0)
			*message =
			    tend_xasprintf("drift reverted: deleted by hand, re-created as Git "
			                   "says (revision %.12s)",
			                   revision);
		else
			*message =
			    tend_xasprintf("drift reverted: %s changed by %s, set back as Git "
			                   "says (revision %.12s)",
			                   e->field ? e->field : "a managed field",
			                   e->owner ? e->owner : "someone", revision);
		return true;
	}
	case TEND_ACTION_PRUNE:
		if (!o->done)
			return false;
		*reason = "Pruned";
		*message = tend_xasprintf("pruned: no longer in Git (project %s, revision %.12s)",
		                          p->name, revision);
		return true;
	case TEND_ACTION_CONFLICT:
	case TEND_ACTION_ERROR:
		*type = "Warning";
		*reason = o->action == TEND_ACTION_CONFLICT ? "SyncConflict" : "SyncFailed";
		*message = tend_xasprintf("not applied (project %s, revision %.12s): %s", p->name,
		                          revision, o->message ? o->message : "see tend's status");
		return true;
	default:
		return false;
	}
}

void daemon_events_post(tend_daemon *d, proj *p, const tend_reconcile_report *rep)
{
	const tend_kube_resource *r = NULL;
	int posted = 0;
	int64_t now = daemon_now_ms();
	/* this sync's errors, each with when its Warning was posted */
	warned *still = NULL;
	size_t n_still = 0;
	for (size_t i = 0; i < rep->n_objects; i++) {
		const tend_reconcile_object *o = &rep->objects[i];
		if (!o->namespace || !*o->namespace)
			continue; /* cluster-scoped: no tenant namespace to show it in */
		if (posted == EVENTS_PER_SYNC && !p->n_warned)
			break;
		char *object = tend_xasprintf("%s/%s/%s", o->kind, o->namespace, o->name);
		const char *type, *reason;
		char *message = NULL;
		const char *revision = rep->revision ? rep->revision : "";
		if (describe(p, o, object, revision, &type, &reason, &message)) {
			bool due = true;
			if (strcmp(type, "Warning") == 0) {
				/* keyed without the revision: a new commit does not make it new */
				uint64_t key =
				    daemon_key64((const char *[]){object, reason, o->message}, 3);
				const warned *w = warned_before(p, key);
				due = !w || now - w->at >= WARNING_REPEAT_MS;
				if (!due || posted < EVENTS_PER_SYNC) { /* else: posted next time */
					still =
					    tend_xrealloc(still, (n_still + 1) * sizeof(*still));
					still[n_still++] = (warned){key, due ? now : w->at};
				}
			}
			if (due && posted < EVENTS_PER_SYNC) {
				if (!r && tend_kube_resource_find(d->kube, "", "events", &r))
					r = NULL;
				if (r)
					post(d, r, o, type, reason, message);
				posted++;
			}
		}
		free(message);
		free(object);
		if (posted && !r)
			break; /* the API server serves no events */
	}
	free(p->warned);
	p->warned = still;
	p->n_warned = n_still;
}
