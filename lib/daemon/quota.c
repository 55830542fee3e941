/*
 * quota.c — quota use beside the grants. tend already watches the
 * ResourceQuotas it applies; this keeps, per project, each resource's hard
 * limit and use as the quota controller reports them (status.hard,
 * status.used; spec.hard until the controller has run), for the status
 * API, `tend get project` and the tend_quota_hard / tend_quota_used
 * gauges: what admins size quotas by ("increase or decrease resource
 * quotas based on usage"). GPUs come first.
 */
#include "daemon_internal.h"

#include "../guard/guard.h"

#include <stdlib.h>
#include <string.h>

static const cJSON *at(const cJSON *obj, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

static void use_free(quota_use *u)
{
	free(u->text);
}

/* A row of ns, quota, resource, hard and used (NULL: not reported) in one
 * allocation: a project has a row per resource of each quota. */
static quota_use use_new(const char *ns, const char *quota, const char *resource, const char *hard,
                         const char *used)
{
	const char *parts[] = {ns, quota, resource, hard, used ? used : ""};
	size_t len[5], total = 0;
	for (size_t i = 0; i < 5; i++)
		total += len[i] = strlen(parts[i]) + 1;
	quota_use u = {.text = tend_xmalloc(total)};
	const char **field[] = {&u.ns, &u.quota, &u.resource, &u.hard, &u.used};
	char *t = u.text;
	for (size_t i = 0; i < 5; i++) {
		memcpy(t, parts[i], len[i]);
		*field[i] = t;
		t += len[i];
	}
	if (!used)
		u.used = NULL;
	return u;
}

static bool is_gpu(const char *resource)
{
	return strstr(resource, "gpu") != NULL;
}

/* GPUs first, then by quota and resource name. */
static int by_gpu_then_name(const void *a, const void *b)
{
	const quota_use *x = a, *y = b;
	if (is_gpu(x->resource) != is_gpu(y->resource))
		return is_gpu(x->resource) ? -1 : 1;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->quota, y->quota);
	return c ? c : strcmp(x->resource, y->resource);
}

void daemon_quota_clear(proj *p)
{
	daemon_proj_changed(p);
	p->quota_gauged = false;
	for (size_t i = 0; i < p->n_quota; i++)
		use_free(&p->quota[i]);
	free(p->quota);
	p->quota = NULL;
	p->n_quota = 0;
}

void daemon_quota_track(tend_daemon *d, proj *p, const cJSON *obj, bool gone)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "ResourceQuota") != 0)
		return;
	const cJSON *ns = at(obj, "metadata", "namespace"), *name = at(obj, "metadata", "name");
	if (!cJSON_IsString(ns) || !cJSON_IsString(name))
		return;
	size_t keep = 0;
	for (size_t i = 0; i < p->n_quota; i++) {
		quota_use *u = &p->quota[i];
		if (strcmp(u->ns, ns->valuestring) == 0 && strcmp(u->quota, name->valuestring) == 0)
			use_free(u);
		else
			p->quota[keep++] = *u;
	}
	p->n_quota = keep;
	daemon_proj_changed(p);
	p->quota_gauged = false;
	d->dirty = true;
	if (gone)
		return;
	const cJSON *hard = at(obj, "status", "hard");
	if (!cJSON_IsObject(hard) || !hard->child)
		hard = at(obj, "spec", "hard");
	const cJSON *used = at(obj, "status", "used"), *h;
	cJSON_ArrayForEach(h, hard)
	{
		long double hv, uv = 0;
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(used, h->string);
		if (!cJSON_IsString(h) || tend_quantity_value(h->valuestring, &hv) != 0)
			continue;
		bool has_used = cJSON_IsString(u) && tend_quantity_value(u->valuestring, &uv) == 0;
		p->quota = tend_xrealloc(p->quota, (p->n_quota + 1) * sizeof(*p->quota));
		quota_use *q = &p->quota[p->n_quota++];
		*q = use_new(ns->valuestring, name->valuestring, h->string, h->valuestring,
		             has_used ? u->valuestring : NULL);
		q->hard_value = (double)hv;
		q->used_value = (double)uv;
	}
	if (p->n_quota > 1)
		qsort(p->quota, p->n_quota, sizeof(*p->quota), by_gpu_then_name);
}

void daemon_quota_gauges(tend_daemon *d, const proj *p)
{
	const char *const of[] = {"project", p->name, NULL};
	tend_metrics_remove(d->metrics, "tend_quota_hard", of);
	tend_metrics_remove(d->metrics, "tend_quota_used", of);
	if (!p->in_shard || !p->meta)
		return;
	for (size_t q = 0; q < p->n_quota; q++) {
		const quota_use *u = &p->quota[q];
		const char *labels[] = {"project", p->name,    "namespace", u->ns, "quota",
		                        u->quota,  "resource", u->resource, NULL};
		tend_metrics_set(d->metrics, "tend_quota_hard", labels, u->hard_value);
		if (u->used)
			tend_metrics_set(d->metrics, "tend_quota_used", labels, u->used_value);
	}
}

cJSON *daemon_quota_json(const proj *p)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t q = 0; q < p->n_quota; q++) {
		const quota_use *u = &p->quota[q];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "namespace", u->ns);
		cJSON_AddStringToObject(e, "quota", u->quota);
		cJSON_AddStringToObject(e, "resource", u->resource);
		cJSON_AddStringToObject(e, "hard", u->hard);
		if (u->used)
			cJSON_AddStringToObject(e, "used", u->used);
		cJSON_AddItemToArray(arr, e);
	}
	return arr;
}
