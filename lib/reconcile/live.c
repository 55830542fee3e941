/*
 * live.c — the live view a run compares against: every object of the
 * resource types it touches, keyed by tracking id, from one LIST per type
 * across all namespaces, so a run never GETs objects one by one (with the
 * daemon's watch cache, live_ids.c reads them from the cache instead). Invariant: the table is at most half full; a NULL object records
 * "known to be missing".
 */
#include "reconcile_internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t find_slot(const rc_live_slot *slots, size_t cap, const char *id)
{
	size_t i = (size_t)(fnv1a(id) & (cap - 1));
	while (slots[i].id && strcmp(slots[i].id, id) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

const cJSON *rc_live_get(const rc_live *l, const char *id, bool *known)
{
	if (known)
		*known = false;
	if (!l->cap)
		return NULL;
	const rc_live_slot *s = &l->slots[find_slot(l->slots, l->cap, id)];
	if (known)
		*known = s->id != NULL;
	return s->obj;
}

void rc_live_put(rc_live *l, const char *id, cJSON *obj)
{
	if ((l->len + 1) * 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		rc_live_slot *slots = tend_xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < l->cap; i++)
			if (l->slots[i].id)
				slots[find_slot(slots, cap, l->slots[i].id)] = l->slots[i];
		free(l->slots);
		l->slots = slots;
		l->cap = cap;
	}
	rc_live_slot *s = &l->slots[find_slot(l->slots, l->cap, id)];
	if (s->id) {
		cJSON_Delete(s->obj);
	} else {
		s->id = tend_xstrdup(id);
		l->len++;
	}
	s->obj = obj;
}

void rc_live_free(rc_live *l)
{
	for (size_t i = 0; i < l->cap; i++) {
		free(l->slots[i].id);
		cJSON_Delete(l->slots[i].obj);
	}
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

int rc_live_load(tend_reconciler *r, const tend_kube_resource *const *types, size_t n,
                 rc_live *live)
{
	for (size_t i = 0; i < n; i++) {
		if (!(types[i]->verbs & TEND_KUBE_VERB_LIST))
			continue;
		cJSON *items = NULL;
		if (tend_kube_list(r->kube, types[i], NULL, NULL, &items, NULL))
			return -1;
		cJSON *it;
		while ((it = cJSON_DetachItemFromArray(items, 0))) {
			char *id = rc_object_id(types[i], it);
			rc_live_put(live, id, it);
			free(id);
		}
		cJSON_Delete(items);
	}
	return 0;
}
