/*
 * live_ids.c — the live view of a run read from the watch cache by id: one
 * hash look-up per object the run touches, instead of copying every cached
 * object of its types. A drift revert of one project then costs the same
 * with ten objects in the cluster as with ten thousand.
 * Invariant: an id the cache does not hold stays unknown, so the caller
 * still GETs it (the cache may not watch its type yet).
 */
#include "reconcile_internal.h"

#include <stdlib.h>

void rc_live_load_ids(tend_reconciler *r, const char *const *ids, size_t n, rc_live *live)
{
	for (size_t i = 0; i < n; i++) {
		char *group, *kind, *ns, *name;
		if (rc_id_split(ids[i], &group, &kind, &ns, &name))
			continue;
		cJSON *obj = tend_kube_cache_copy(r->cache, group, kind, ns, name);
		if (obj)
			rc_live_put(live, ids[i], obj);
		free(group), free(kind), free(ns), free(name);
	}
}
