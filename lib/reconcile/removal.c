/*
 * removal.c — what a prune may take. Data outlives Git: a Namespace is
 * deleted only when everything in it is the pruning project's (tracked by
 * it, not marked tend.dev/prune: disabled) or hangs off such an object
 * through ownerReferences (a Deployment's ReplicaSets and Pods), or is one
 * of the objects the cluster puts in every namespace, or is the project's
 * tend-status ConfigMap. Anything else — a
 * researcher's PersistentVolumeClaim, a ConfigMap made by hand, another
 * project's object — keeps the Namespace, and the project's own
 * PersistentVolumeClaims in it with it, until an admin confirms
 * (tend.dev/delete-namespace: confirm on the Namespace) or the data goes.
 *
 * Invariant: when the contents cannot be listed completely, the Namespace is
 * kept — an unknown is never taken for empty.
 */
#include "reconcile_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *annotation(const cJSON *obj, const char *key)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "annotations");
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ann, key));
}

bool rc_prune_disabled(const cJSON *live)
{
	const char *v = live ? annotation(live, TEND_PRUNE_ANNOTATION) : NULL;
	return v && strcmp(v, "disabled") == 0;
}

bool rc_namespace_delete_confirmed(const cJSON *live)
{
	const char *v = live ? annotation(live, TEND_DELETE_NAMESPACE_ANNOTATION) : NULL;
	return v && strcmp(v, "confirm") == 0;
}

/* Kinds that are the cluster's record of something else, never data. */
static bool derived_kind(const tend_kube_resource *res)
{
	static const char *const kinds[] = {"Event", "Endpoints", "EndpointSlice", NULL};
	if (strcmp(res->group, "metrics.k8s.io") == 0)
		return true;
	for (int i = 0; kinds[i]; i++)
		if (strcmp(res->kind, kinds[i]) == 0)
			return true;
	return false;
}

/* The daemon's tend-status ConfigMap of the project (tenant_status.c). */
static bool status_of(const char *kind, const cJSON *obj, const char *project)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels");
	const char *of =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(labels, TEND_STATUS_OF_LABEL));
	const char *name = rc_meta_str(obj, "name");
	return strcmp(kind, "ConfigMap") == 0 && name && strcmp(name, TEND_STATUS_CONFIGMAP) == 0 &&
	       of && strcmp(of, project) == 0;
}

/* What the cluster creates in every namespace. */
static bool cluster_default(const char *kind, const char *name)
{
	return (strcmp(kind, "ServiceAccount") == 0 && strcmp(name, "default") == 0) ||
	       (strcmp(kind, "ConfigMap") == 0 && strcmp(name, "kube-root-ca.crt") == 0);
}

typedef struct entry {
	const char *kind, *uid;
	const cJSON *owners; /* metadata.ownerReferences */
	bool ours;
} entry;

static bool owned_by_ours(const entry *e, const tend_strset *ours)
{
	const cJSON *ref;
	cJSON_ArrayForEach(ref, e->owners)
	{
		const char *uid =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "uid"));
		if (uid && tend_strset_has(ours, uid))
			return true;
	}
	return false;
}

/* "1 PersistentVolumeClaim, 2 ConfigMaps": claims first, then by kind as listed. */
static char *summarise(entry *e, size_t n, size_t *count)
{
	tend_buf b = TEND_BUF_INIT;
	tend_strset done = TEND_STRSET_INIT;
	*count = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool claim = strcmp(e[i].kind, "PersistentVolumeClaim") == 0;
			if (e[i].ours || claim != (pass == 0) || tend_strset_has(&done, e[i].kind))
				continue;
			tend_strset_add(&done, e[i].kind);
			size_t k = 0;
			for (size_t j = i; j < n; j++)
				k += !e[j].ours && strcmp(e[j].kind, e[i].kind) == 0;
			*count += k;
			tend_buf_printf(&b, "%s%zu %s%s", b.len ? ", " : "", k, e[i].kind,
			                k == 1 ? "" : "s");
		}
	tend_strset_free(&done);
	return b.data ? tend_buf_detach(&b) : NULL;
}

/* Sorts one namespace's listed objects into the project's and the rest. */
static void judge(rc_census *c, cJSON *const *lists, const tend_kube_resource *const *types,
                  size_t nt)
{
	size_t n = 0;
	for (size_t t = 0; t < nt; t++)
		n +=
		    (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(lists[t], "items"));
	entry *e = tend_xcalloc(n + 1, sizeof(*e));
	tend_strset ours = TEND_STRSET_INIT;
	n = 0;
	for (size_t t = 0; t < nt; t++) {
		const cJSON *obj;
		cJSON_ArrayForEach(obj, cJSON_GetObjectItemCaseSensitive(lists[t], "items"))
		{
			entry *x = &e[n++];
			x->kind = types[t]->kind;
			x->uid = rc_meta_str(obj, "uid");
			x->owners = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "ownerReferences");
			const char *name = rc_meta_str(obj, "name");
			char *owner = tend_tracking_project(obj);
			x->ours =
			    (owner && strcmp(owner, c->project) == 0 && !rc_prune_disabled(obj)) ||
			    (name && cluster_default(x->kind, name)) ||
			    status_of(x->kind, obj, c->project);
			free(owner);
			if (x->ours && x->uid)
				tend_strset_add(&ours, x->uid);
		}
	}
	/* ownerReferences chains (Deployment -> ReplicaSet -> Pod) */
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < n; i++)
			if (!e[i].ours && owned_by_ours(&e[i], &ours)) {
				e[i].ours = grew = true;
				if (e[i].uid)
					tend_strset_add(&ours, e[i].uid);
			}
	}
	c->foreign = summarise(e, n, &c->n_foreign);
	tend_strset_free(&ours);
	free(e);
}

int rc_namespace_census(tend_reconciler *r, rc_census *c, size_t n)
{
	const tend_kube_resource *const *all;
	size_t na = tend_kube_resources(r->kube, &all);
	const tend_kube_resource **types = tend_xcalloc(na + 1, sizeof(*types));
	size_t nt = 0;
	for (size_t i = 0; i < na; i++)
		if (all[i]->namespaced && all[i]->preferred && !all[i]->gone &&
		    (all[i]->verbs & TEND_KUBE_VERB_LIST) && !derived_kind(all[i]))
			types[nt++] = all[i];
	rc_req *reqs = tend_xcalloc(n * nt + 1, sizeof(*reqs));
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < nt; t++)
			rc_req_get(&reqs[i * nt + t], types[t], c[i].ns, NULL);
	rc_batch(r->kube, reqs, n * nt, r->opt.concurrency);
	cJSON **lists = tend_xcalloc(nt + 1, sizeof(*lists));
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		c[i].failed = false;
		for (size_t t = 0; t < nt; t++) {
			rc_req *q = &reqs[i * nt + t];
			lists[t] = q->resp;
			/* a type the caller may not list (403) cannot be told empty */
			if (!q->resp && !q->not_found && !c[i].failed) {
				c[i].failed = true;
				free(c[i].foreign);
				c[i].foreign = tend_xasprintf("its %s could not be listed (%s)",
				                              types[t]->name,
				                              q->error ? q->error : "no answer");
				rc = -1;
			}
		}
		if (!c[i].failed)
			judge(&c[i], lists, types, nt);
	}
	for (size_t q = 0; q < n * nt; q++)
		rc_req_clear(&reqs[q]);
	free(lists);
	free(reqs);
	free(types);
	return rc;
}

void rc_census_clear(rc_census *c)
{
	free(c->foreign);
	c->foreign = NULL;
	c->n_foreign = 0;
}
