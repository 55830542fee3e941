/*
 * leader.c — leader election on a coordination.k8s.io/v1 Lease, as
 * client-go's leaderelection does it: a candidate takes the Lease when it is
 * free or its holder has not renewed it for leaseDuration; the leader renews
 * every retryPeriod and gives up if no renewal succeeded for renewDeadline;
 * on shutdown the leader releases the Lease so a standby takes over at its
 * next retry instead of waiting for expiry. A standby that receives a
 * webhook marks the Lease; the leader's next renewal reads the mark (and,
 * being a PUT without it, clears it). It runs on link.c's thread.
 *
 * Invariant: expiry is judged by this process's monotonic clock from the
 * moment it last saw the leader record (holder, renew and acquire times,
 * duration, transitions) change, as client-go compares observed records,
 * never by comparing renewTime with the local wall clock, so clock skew
 * between replicas cannot make two leaders. A change of the annotation
 * alone (a standby's fetch request) is no renewal: webhooks reaching a
 * standby cannot keep a dead leader's Lease alive.
 */
#include "daemon_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct tend_leader {
	tend_kube *k;
	char *ns, *name, *identity;
	long duration_ms, renew_deadline_ms, retry_ms;
	atomic_bool leading;  /* written by the link thread, read by the status */
	int64_t last_renewed; /* when leading: the last successful write */
	char *observed;       /* the leader record last seen (record_of) */
	int64_t observed_at;  /* when it was first seen */
	int64_t next_attempt;
	bool fetch_request; /* a standby's fetch request was on the Lease we renewed */
	bool failing;       /* the last attempt failed (logged once, until one succeeds) */
};

tend_leader *tend_leader_new(tend_kube *k, const char *ns, const char *name, const char *identity,
                             long duration_ms, long renew_deadline_ms, long retry_ms)
{
	tend_leader *l = tend_xcalloc(1, sizeof(*l));
	l->k = k;
	l->ns = tend_xstrdup(ns);
	l->name = tend_xstrdup(name);
	l->identity = tend_xstrdup(identity);
	l->duration_ms = duration_ms;
	l->renew_deadline_ms = renew_deadline_ms;
	l->retry_ms = retry_ms;
	return l;
}

void tend_leader_free(tend_leader *l)
{
	if (!l)
		return;
	free(l->ns);
	free(l->name);
	free(l->identity);
	free(l->observed);
	free(l);
}

bool tend_leader_is_leading(const tend_leader *l)
{
	return atomic_load(&((tend_leader *)l)->leading);
}

const char *tend_leader_identity(const tend_leader *l)
{
	return l->identity;
}

static void fill_mine(tend_kube_lease *w, const tend_leader *l, const tend_kube_lease *cur)
{
	w->holder = l->identity;
	w->duration_s = (l->duration_ms + 999) / 1000;
	w->renew_time = tend_kube_micro_time_now();
	bool was_mine = cur && cur->holder && strcmp(cur->holder, l->identity) == 0;
	w->acquire_time = was_mine && cur->acquire_time ? tend_xstrdup(cur->acquire_time)
	                                                : tend_kube_micro_time_now();
	w->transitions = cur ? cur->transitions + (was_mine ? 0 : 1) : 0;
	w->resource_version = cur ? cur->resource_version : NULL;
}

/* The Lease's namespace, created when missing (a fresh cluster has no tend-system). */
static int ensure_namespace(tend_leader *l)
{
	const tend_kube_resource *ns;
	if (tend_kube_resource_find(l->k, "", "namespaces", &ns))
		return -1;
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "Namespace");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "metadata"), "name", l->ns);
	int rc = tend_kube_create(l->k, ns, NULL, obj, NULL, NULL);
	cJSON_Delete(obj);
	if (rc && tend_kube_status_is(tend_kube_last_status(l->k), "AlreadyExists"))
		rc = 0;
	if (!rc)
		tend_log(TEND_LOG_INFO, "leader election: created namespace %s", l->ns);
	return rc;
}

/* Notes when the leader record changed (not the resourceVersion alone). */
static void observe(tend_leader *l, const tend_kube_lease *lease, int64_t now)
{
	char *rec = tend_xasprintf("%s|%s|%s|%ld|%ld", lease->holder ? lease->holder : "",
	                           lease->renew_time ? lease->renew_time : "",
	                           lease->acquire_time ? lease->acquire_time : "",
	                           lease->duration_s, lease->transitions);
	if (l->observed && strcmp(l->observed, rec) == 0) {
		free(rec);
		return;
	}
	free(l->observed);
	l->observed = rec;
	l->observed_at = now;
}

/* One attempt to acquire or renew; 1 when we hold the Lease afterwards. */
static int try_acquire(tend_leader *l, int64_t now)
{
	tend_kube_lease cur = {0}, w = {0}, out = {0};
	int held = 0;
	if (tend_kube_lease_get(l->k, l->ns, l->name, &cur)) {
		if (!tend_kube_status_is(tend_kube_last_status(l->k), "NotFound"))
			return -1;
		fill_mine(&w, l, NULL);
		held = tend_kube_lease_create(l->k, l->ns, l->name, &w, &out) == 0;
		if (!held && tend_kube_status_is(tend_kube_last_status(l->k), "NotFound") &&
		    ensure_namespace(l) == 0)
			held = tend_kube_lease_create(l->k, l->ns, l->name, &w, &out) == 0;
		goto done;
	}
	observe(l, &cur, now);
	bool mine = strcmp(cur.holder, l->identity) == 0;
	if (mine && atomic_load(&l->leading) && cur.fetch_requested)
		l->fetch_request = true; /* the renewal below clears it */
	long held_for_ms = cur.duration_s > 0 ? cur.duration_s * 1000 : l->duration_ms;
	if (!mine && *cur.holder && now < l->observed_at + held_for_ms)
		goto done; /* somebody else holds a live Lease */
	fill_mine(&w, l, &cur);
	held = tend_kube_lease_update(l->k, l->ns, l->name, &w, &out) == 0;
done:
	if (held)
		observe(l, &out, now);
	free(w.renew_time);
	free(w.acquire_time);
	tend_kube_lease_clear(&cur);
	tend_kube_lease_clear(&out);
	return held;
}

int tend_leader_tick(tend_leader *l, int64_t now)
{
	if (now < l->next_attempt)
		return 0;
	l->next_attempt = now + l->retry_ms;
	int held = try_acquire(l, now);
	/* Once per run of failures: an outage would otherwise log every retry
	 * period (link.c logs the API server's coming and going). */
	if (held < 0)
		tend_log(l->failing ? TEND_LOG_DEBUG : TEND_LOG_WARN,
		         "leader election: lease %s/%s: %s", l->ns, l->name, tend_err_msg());
	l->failing = held < 0;
	if (held > 0) {
		l->last_renewed = now;
		if (!l->leading) {
			l->leading = true;
			tend_log(TEND_LOG_INFO, "leader election: %s acquired lease %s/%s",
			         l->identity, l->ns, l->name);
			return 1;
		}
		return 0;
	}
	if (l->leading && now - l->last_renewed > l->renew_deadline_ms) {
		l->leading = false;
		tend_log(TEND_LOG_ERROR,
		         "leader election: %s lost lease %s/%s (no renewal for %ld ms)",
		         l->identity, l->ns, l->name, (long)(now - l->last_renewed));
		return -1;
	}
	return 0;
}

bool tend_leader_take_fetch_request(tend_leader *l)
{
	bool r = l->fetch_request;
	l->fetch_request = false;
	return r;
}

int64_t tend_leader_next_attempt(const tend_leader *l)
{
	return l->next_attempt;
}

void tend_leader_release(tend_leader *l)
{
	if (!l->leading)
		return;
	l->leading = false;
	tend_kube_lease cur = {0};
	if (tend_kube_lease_get(l->k, l->ns, l->name, &cur) == 0 &&
	    strcmp(cur.holder, l->identity) == 0) {
		/* As client-go: an empty holder and a 1 s duration free it at once. */
		tend_kube_lease w = cur;
		w.holder = (char *)"";
		w.duration_s = 1;
		if (tend_kube_lease_update(l->k, l->ns, l->name, &w, NULL) == 0)
			tend_log(TEND_LOG_INFO, "leader election: released lease %s/%s", l->ns,
			         l->name);
		else
			tend_log(TEND_LOG_WARN, "leader election: release of %s/%s: %s", l->ns,
			         l->name, tend_err_msg());
	}
	tend_kube_lease_clear(&cur);
}
