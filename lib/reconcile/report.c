/*
 * report.c — what a run tells its caller: per project the status, health,
 * counts and every object's action, as structs and as the JSON the CLI's
 * `-o json` and the daemon's status API publish; and the health wait.
 */
#include "reconcile_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *tend_action_name(tend_action a)
{
	static const char *const names[] = {"unchanged", "create", "update", "prune",
	                                    "conflict",  "error",  "keep"};
	return (unsigned)a <= TEND_ACTION_KEEP ? names[a] : "unknown";
}

const char *tend_sync_status_name(tend_sync_status s)
{
	static const char *const names[] = {"Synced",       "OutOfSync", "Failed",
	                                    "PruneBlocked", "Removed",   "RemovalBlocked",
	                                    "NamespaceKept"};
	return (unsigned)s <= TEND_SYNC_NAMESPACE_KEPT ? names[s] : "Unknown";
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
}

cJSON *tend_reconcile_report_json(const tend_reconcile_report *rep)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "project", rep->project);
	add_str(o, "revision", rep->revision);
	cJSON_AddStringToObject(o, "status", tend_sync_status_name(rep->status));
	cJSON_AddStringToObject(o, "health", tend_health_name(rep->health));
	add_str(o, "error", rep->error);
	add_str(o, "kept", rep->kept);
	add_str(o, "notInGit", rep->not_in_git);
	cJSON_AddBoolToObject(o, "drift", rep->drift);
	cJSON *c = cJSON_AddObjectToObject(o, "counts");
	cJSON_AddNumberToObject(c, "unchanged", (double)rep->n_unchanged);
	cJSON_AddNumberToObject(c, "created", (double)rep->n_created);
	cJSON_AddNumberToObject(c, "updated", (double)rep->n_updated);
	cJSON_AddNumberToObject(c, "pruned", (double)rep->n_pruned);
	cJSON_AddNumberToObject(c, "conflicts", (double)rep->n_conflicts);
	cJSON_AddNumberToObject(c, "errors", (double)rep->n_errors);
	cJSON_AddNumberToObject(c, "kept", (double)rep->n_kept);
	cJSON_AddNumberToObject(c, "handedOver", (double)rep->n_handed_over);
	cJSON_AddNumberToObject(c, "namespacesKept", (double)rep->n_namespaces_kept);
	cJSON_AddNumberToObject(o, "seconds", rep->seconds);
	cJSON *arr = cJSON_AddArrayToObject(o, "objects");
	for (size_t i = 0; i < rep->n_objects; i++) {
		const tend_reconcile_object *ob = &rep->objects[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "apiVersion", ob->api_version);
		cJSON_AddStringToObject(j, "kind", ob->kind);
		if (*ob->namespace)
			cJSON_AddStringToObject(j, "namespace", ob->namespace);
		cJSON_AddStringToObject(j, "name", ob->name);
		cJSON_AddStringToObject(j, "action", tend_action_name(ob->action));
		cJSON_AddBoolToObject(j, "done", ob->done);
		cJSON_AddStringToObject(j, "health", tend_health_name(ob->health));
		add_str(j, "healthMessage", ob->health_message);
		add_str(j, "message", ob->message);
		add_str(j, "diff", ob->diff);
		cJSON_AddItemToArray(arr, j);
	}
	return o;
}

static void object_clear(tend_reconcile_object *o)
{
	free(o->api_version);
	free(o->kind);
	free(o->namespace);
	free(o->name);
	free(o->id);
	free(o->health_message);
	free(o->message);
	free(o->diff);
}

void tend_reconcile_result_free(tend_reconcile_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->len; i++) {
		tend_reconcile_report *rep = &res->reports[i];
		for (size_t j = 0; j < rep->n_objects; j++)
			object_clear(&rep->objects[j]);
		free(rep->objects);
		free(rep->project);
		free(rep->revision);
		free(rep->error);
		free(rep->kept);
		free(rep->not_in_git);
	}
	free(res->reports);
	free(res->error);
	memset(res, 0, sizeof(*res));
}

/* Objects Git wants (not the pruned, kept or conflicting ones). */
static bool counts_for_health(const tend_reconcile_object *o)
{
	return o->action != TEND_ACTION_PRUNE && o->action != TEND_ACTION_CONFLICT &&
	       o->action != TEND_ACTION_KEEP && *o->kind;
}

static bool wanted(const tend_reconcile_object *o)
{
	return counts_for_health(o) && o->health != TEND_HEALTH_HEALTHY;
}

/* Re-reads every object not yet healthy; returns how many still are not. */
static size_t poll_health(tend_reconciler *r, tend_reconcile_result *res, const char **which)
{
	size_t total = 0;
	for (size_t i = 0; i < res->len; i++)
		for (size_t j = 0; j < res->reports[i].n_objects; j++)
			total += wanted(&res->reports[i].objects[j]);
	rc_req *reqs = tend_xcalloc(total + 1, sizeof(*reqs));
	tend_reconcile_object **objs = tend_xcalloc(total + 1, sizeof(*objs));
	size_t nq = 0;
	for (size_t i = 0; i < res->len; i++)
		for (size_t j = 0; j < res->reports[i].n_objects; j++) {
			tend_reconcile_object *o = &res->reports[i].objects[j];
			const tend_kube_resource *kr;
			if (!wanted(o) ||
			    tend_kube_resource_for_kind(r->kube, o->api_version, o->kind, &kr))
				continue;
			rc_req_get(&reqs[nq], kr, o->namespace, o->name);
			objs[nq++] = o;
		}
	rc_batch(r->kube, reqs, nq, r->opt.concurrency);
	size_t bad = 0;
	for (size_t q = 0; q < nq; q++) {
		tend_reconcile_object *o = objs[q];
		free(o->health_message);
		o->health = tend_health_of(reqs[q].resp, &o->health_message);
		if (o->health != TEND_HEALTH_HEALTHY) {
			bad++;
			*which = o->id;
		}
		rc_req_clear(&reqs[q]);
	}
	free(reqs);
	free(objs);
	for (size_t i = 0; i < res->len; i++) {
		tend_reconcile_report *rep = &res->reports[i];
		rep->health = TEND_HEALTH_HEALTHY;
		for (size_t j = 0; j < rep->n_objects; j++)
			if (counts_for_health(&rep->objects[j]) &&
			    rep->objects[j].health > rep->health)
				rep->health = rep->objects[j].health;
	}
	return bad;
}

int tend_reconcile_wait(tend_reconciler *r, tend_reconcile_result *res, long timeout_ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		const char *which = NULL;
		if (poll_health(r, res, &which) == 0)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long waited = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited >= timeout_ms)
			return tend_err("not healthy after %ld ms: %s", timeout_ms,
			                which ? which : "?");
		struct timespec nap = {0, 500 * 1000000L};
		nanosleep(&nap, NULL);
	}
}
