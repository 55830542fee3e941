/*
 * health.c — whether a live object does what it was applied for. Workloads
 * are healthy once the controller has seen the current generation and every
 * replica is updated and available; Jobs once Complete; claims once Bound;
 * Namespaces while Active; CRDs once Established. Kinds without a rule are
 * healthy as soon as they exist. A project's health is its worst object's
 * (Healthy < Progressing < Missing < Degraded < Unknown).
 */
#include "reconcile_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static long num(const cJSON *obj, const char *a, const char *b, long dflt)
{
	const cJSON *v = at(obj, a, b);
	return cJSON_IsNumber(v) ? (long)v->valuedouble : dflt;
}

static const char *str(const cJSON *obj, const char *a, const char *b)
{
	return cJSON_GetStringValue(at(obj, a, b));
}

/* The condition of this type, or NULL. */
static const cJSON *condition(const cJSON *obj, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, at(obj, "status", "conditions"))
	{
		const char *t = str(c, "type", NULL);
		if (t && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

static bool condition_true(const cJSON *obj, const char *type)
{
	const char *s = str(condition(obj, type), "status", NULL);
	return s && strcmp(s, "True") == 0;
}

__attribute__((format(printf, 3, 4))) static tend_health say(tend_health h, char **why,
                                                             const char *fmt, ...)
{
	if (why) {
		tend_buf b = TEND_BUF_INIT;
		va_list ap;
		va_start(ap, fmt);
		tend_buf_vprintf(&b, fmt, ap);
		va_end(ap);
		*why = tend_buf_detach(&b);
	}
	return h;
}

static bool generation_seen(const cJSON *obj, char **why)
{
	long gen = num(obj, "metadata", "generation", 0);
	long seen = num(obj, "status", "observedGeneration", -1);
	if (seen >= gen)
		return true;
	say(TEND_HEALTH_PROGRESSING, why, "the controller has seen generation %ld of %ld", seen,
	    gen);
	return false;
}

static tend_health deployment(const cJSON *o, char **why)
{
	const cJSON *prog = condition(o, "Progressing");
	const char *reason = str(prog, "reason", NULL);
	if (reason && strcmp(reason, "ProgressDeadlineExceeded") == 0)
		return say(TEND_HEALTH_DEGRADED, why, "rollout exceeded its progress deadline");
	if (!generation_seen(o, why))
		return TEND_HEALTH_PROGRESSING;
	long want = num(o, "spec", "replicas", 1);
	long updated = num(o, "status", "updatedReplicas", 0);
	long avail = num(o, "status", "availableReplicas", 0);
	if (updated < want)
		return say(TEND_HEALTH_PROGRESSING, why, "%ld of %ld replicas updated", updated,
		           want);
	if (avail < want)
		return say(TEND_HEALTH_PROGRESSING, why, "%ld of %ld replicas available", avail,
		           want);
	return TEND_HEALTH_HEALTHY;
}

static tend_health statefulset(const cJSON *o, char **why)
{
	if (!generation_seen(o, why))
		return TEND_HEALTH_PROGRESSING;
	long want = num(o, "spec", "replicas", 1);
	long ready = num(o, "status", "readyReplicas", 0);
	if (ready < want)
		return say(TEND_HEALTH_PROGRESSING, why, "%ld of %ld replicas ready", ready, want);
	const char *cur = str(o, "status", "currentRevision");
	const char *upd = str(o, "status", "updateRevision");
	if (cur && upd && strcmp(cur, upd) != 0)
		return say(TEND_HEALTH_PROGRESSING, why,
		           "rolling update in progress (%ld of %ld replicas updated)",
		           num(o, "status", "updatedReplicas", 0), want);
	return TEND_HEALTH_HEALTHY;
}

static tend_health daemonset(const cJSON *o, char **why)
{
	if (!generation_seen(o, why))
		return TEND_HEALTH_PROGRESSING;
	long want = num(o, "status", "desiredNumberScheduled", 0);
	long updated = num(o, "status", "updatedNumberScheduled", 0);
	long avail = num(o, "status", "numberAvailable", 0);
	if (updated < want)
		return say(TEND_HEALTH_PROGRESSING, why, "%ld of %ld pods updated", updated, want);
	if (avail < want)
		return say(TEND_HEALTH_PROGRESSING, why, "%ld of %ld pods available", avail, want);
	return TEND_HEALTH_HEALTHY;
}

static tend_health job(const cJSON *o, char **why)
{
	if (condition_true(o, "Failed"))
		return say(TEND_HEALTH_DEGRADED, why, "job failed (%ld failed pods)",
		           num(o, "status", "failed", 0));
	if (condition_true(o, "Complete"))
		return TEND_HEALTH_HEALTHY;
	return say(TEND_HEALTH_PROGRESSING, why, "job running (%ld active, %ld succeeded)",
	           num(o, "status", "active", 0), num(o, "status", "succeeded", 0));
}

static tend_health phase(const cJSON *o, const char *good, const char *bad, char **why)
{
	const char *p = str(o, "status", "phase");
	if (p && strcmp(p, good) == 0)
		return TEND_HEALTH_HEALTHY;
	if (why)
		*why = tend_xasprintf("phase %s", p ? p : "unknown");
	return p && bad && strcmp(p, bad) == 0 ? TEND_HEALTH_DEGRADED : TEND_HEALTH_PROGRESSING;
}

tend_health tend_health_of(const cJSON *live, char **why)
{
	if (why)
		*why = NULL;
	if (!live) {
		if (why)
			*why = tend_xstrdup("not found in the cluster");
		return TEND_HEALTH_MISSING;
	}
	if (at(live, "metadata", "deletionTimestamp")) {
		if (why)
			*why = tend_xstrdup("being deleted");
		return TEND_HEALTH_PROGRESSING;
	}
	const char *kind = str(live, "kind", NULL);
	const char *av = str(live, "apiVersion", NULL);
	if (!kind || !av)
		return TEND_HEALTH_UNKNOWN;
	bool apps = strcmp(av, "apps/v1") == 0;
	if (apps && strcmp(kind, "Deployment") == 0)
		return deployment(live, why);
	if (apps && strcmp(kind, "StatefulSet") == 0)
		return statefulset(live, why);
	if (apps && strcmp(kind, "DaemonSet") == 0)
		return daemonset(live, why);
	if (strcmp(av, "batch/v1") == 0 && strcmp(kind, "Job") == 0)
		return job(live, why);
	if (strcmp(av, "v1") == 0 && strcmp(kind, "PersistentVolumeClaim") == 0)
		return phase(live, "Bound", "Lost", why);
	if (strcmp(av, "v1") == 0 && strcmp(kind, "Namespace") == 0)
		return phase(live, "Active", NULL, why);
	if (strncmp(av, "apiextensions.k8s.io/", 21) == 0 &&
	    strcmp(kind, "CustomResourceDefinition") == 0) {
		if (condition_true(live, "Established"))
			return TEND_HEALTH_HEALTHY;
		if (why)
			*why = tend_xstrdup("not Established yet");
		return TEND_HEALTH_PROGRESSING;
	}
	return TEND_HEALTH_HEALTHY;
}

const char *tend_health_name(tend_health h)
{
	static const char *const names[] = {"Healthy", "Progressing", "Missing", "Degraded",
	                                    "Unknown"};
	return (unsigned)h <= TEND_HEALTH_UNKNOWN ? names[h] : "Unknown";
}
