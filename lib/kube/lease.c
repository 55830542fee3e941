/*
 * lease.c — coordination.k8s.io/v1 Leases for leader election.
 *
 * Update is a PUT carrying the resourceVersion last read, so two replicas
 * racing for the same Lease cannot both win: the loser gets 409 Conflict
 * and must re-read. Only the fetch-request annotation is carried: the
 * leader's renewal, built without it, consumes a request a standby left. The caller owns the
 * election algorithm (when to renew, when a holder counts as expired); this file only moves Leases.
 */
#include "kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const tend_kube_resource lease_res = {(char *)"coordination.k8s.io",
                                             (char *)"v1",
                                             (char *)"Lease",
                                             (char *)"leases",
                                             (char *)"lease",
                                             true,
                                             0xFF,
                                             true,
                                             false};

void tend_kube_lease_clear(tend_kube_lease *l)
{
	free(l->holder);
	free(l->acquire_time);
	free(l->renew_time);
	free(l->resource_version);
	free(l->fetch_requested);
	memset(l, 0, sizeof(*l));
}

char *tend_kube_micro_time_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char buf[64];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06ldZ", (long)tv.tv_usec);
	return tend_xstrdup(buf);
}

static void from_obj(const cJSON *o, tend_kube_lease *out)
{
	tend_kube_lease l = {0};
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "spec");
	const char *s;
	l.holder = tend_xstrdup((s = kube_str(spec, "holderIdentity")) ? s : "");
	if ((s = kube_str(spec, "acquireTime")))
		l.acquire_time = tend_xstrdup(s);
	if ((s = kube_str(spec, "renewTime")))
		l.renew_time = tend_xstrdup(s);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(spec, "leaseDurationSeconds");
	l.duration_s = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
	n = cJSON_GetObjectItemCaseSensitive(spec, "leaseTransitions");
	l.transitions = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
	if ((s = kube_meta_str(o, "resourceVersion")))
		l.resource_version = tend_xstrdup(s);
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(o, "metadata"), "annotations");
	if ((s = kube_str(ann, TEND_KUBE_LEASE_FETCH_ANNOTATION)) && *s)
		l.fetch_requested = tend_xstrdup(s);
	tend_kube_lease_clear(out);
	*out = l;
}

static void add_num(cJSON *o, const char *key, long v)
{
	char t[32];
	snprintf(t, sizeof(t), "%ld", v);
	cJSON_AddItemToObject(o, key, tend_doc_number(t));
}

static cJSON *to_obj(const char *ns, const char *name, const tend_kube_lease *l)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "apiVersion", "coordination.k8s.io/v1");
	cJSON_AddStringToObject(o, "kind", "Lease");
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(m, "namespace", ns);
	if (l->resource_version)
		cJSON_AddStringToObject(m, "resourceVersion", l->resource_version);
	if (l->fetch_requested)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "annotations"),
		                        TEND_KUBE_LEASE_FETCH_ANNOTATION, l->fetch_requested);
	cJSON *spec = cJSON_AddObjectToObject(o, "spec");
	if (l->holder)
		cJSON_AddStringToObject(spec, "holderIdentity", l->holder);
	if (l->duration_s > 0)
		add_num(spec, "leaseDurationSeconds", l->duration_s);
	if (l->acquire_time)
		cJSON_AddStringToObject(spec, "acquireTime", l->acquire_time);
	if (l->renew_time)
		cJSON_AddStringToObject(spec, "renewTime", l->renew_time);
	add_num(spec, "leaseTransitions", l->transitions);
	return o;
}

int tend_kube_lease_get(tend_kube *k, const char *ns, const char *name, tend_kube_lease *out)
{
	cJSON *o;
	if (tend_kube_get(k, &lease_res, ns, name, NULL, &o))
		return -1;
	from_obj(o, out);
	cJSON_Delete(o);
	return 0;
}

static int write_lease(tend_kube *k, const char *ns, const char *name, const tend_kube_lease *l,
                       tend_kube_lease *out, bool create)
{
	cJSON *body = to_obj(ns, name, l), *o = NULL;
	int rc = create ? tend_kube_create(k, &lease_res, ns, body, NULL, out ? &o : NULL)
	                : tend_kube_update(k, &lease_res, ns, body, NULL, out ? &o : NULL);
	cJSON_Delete(body);
	if (rc == 0 && out)
		from_obj(o, out);
	cJSON_Delete(o);
	return rc;
}

int tend_kube_lease_create(tend_kube *k, const char *ns, const char *name, const tend_kube_lease *l,
                           tend_kube_lease *out)
{
	tend_kube_lease copy = *l;
	copy.resource_version = NULL; /* a create must not carry one */
	return write_lease(k, ns, name, &copy, out, true);
}

int tend_kube_lease_update(tend_kube *k, const char *ns, const char *name, const tend_kube_lease *l,
                           tend_kube_lease *out)
{
	if (!l->resource_version || !*l->resource_version)
		return tend_err("lease %s/%s: update needs the resourceVersion last read", ns,
		                name);
	return write_lease(k, ns, name, l, out, false);
}

int tend_kube_lease_request_fetch(tend_kube *k, const char *ns, const char *name)
{
	/* A read and a conditional update, not a patch: the verbs leader
	 * election needs anyway (get, update) are all the role must grant. */
	tend_kube_lease cur = {0};
	if (tend_kube_lease_get(k, ns, name, &cur))
		return -1;
	free(cur.fetch_requested);
	cur.fetch_requested = tend_kube_micro_time_now();
	int rc = tend_kube_lease_update(k, ns, name, &cur, NULL);
	tend_kube_lease_clear(&cur);
	return rc;
}
