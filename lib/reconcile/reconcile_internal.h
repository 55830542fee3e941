/*
 * reconcile_internal.h — what lib/reconcile's files share: the reconciler,
 * the live view, batched requests, inventories and the diff helpers.
 */
#ifndef TEND_RECONCILE_INTERNAL_H
#define TEND_RECONCILE_INTERNAL_H

#include "reconcile.h"

#include <stdint.h>

/* ---- live objects by tracking id (live.c) ---- */

typedef struct rc_live_slot {
	char *id;
	cJSON *obj; /* owned; NULL: known missing */
} rc_live_slot;

typedef struct rc_live {
	rc_live_slot *slots;
	size_t len, cap;
} rc_live;

/* Borrowed entry for id, or NULL (and *known false) when never stored. */
const cJSON *rc_live_get(const rc_live *l, const char *id, bool *known);
/* Stores obj (taken; NULL records "missing") under id. */
void rc_live_put(rc_live *l, const char *id, cJSON *obj);
void rc_live_free(rc_live *l);

/* A project whose removal this reconciler carried out (the window guard). */
typedef struct rc_removal {
	char *project;
	int64_t at; /* epoch seconds */
} rc_removal;

struct tend_reconciler {
	tend_kube *kube;
	tend_reconcile_options opt;
	char *field_manager, *inventory_namespace; /* owned copies of opt's strings */
	char *root;                                /* see tend_reconciler_set_root */
	tend_kube_cache *cache;                    /* borrowed, optional */
	const tend_kube_resource **resources;      /* types seen (borrowed from kube) */
	size_t n_resources, cap_resources;
	bool discovered;
	rc_removal *removals; /* within opt.prune_guard_window_ms of the last run */
	size_t n_removals;
};

/* Remembers a resource type (deduplicated). */
void rc_note_resource(tend_reconciler *r, const tend_kube_resource *res);
/* Fills `live` with every object of the given resource types: one LIST per type. */
int rc_live_load(tend_reconciler *r, const tend_kube_resource *const *types, size_t n,
                 rc_live *live);
/* From the reconciler's cache, the objects with these tracking ids (live_ids.c). */
void rc_live_load_ids(tend_reconciler *r, const char *const *ids, size_t n, rc_live *live);

/* ---- tracking ids (tracking.c) ---- */

/* metadata.<key> of obj when it is a string, else NULL. */
const char *rc_meta_str(const cJSON *obj, const char *key);

/* "group/Kind:namespace/name" of a desired or live object (caller frees). */
char *rc_object_id(const tend_kube_resource *res, const cJSON *obj);
/* Splits an id; returns -1 when malformed. Outputs are owned by the caller. */
int rc_id_split(const char *id, char **group, char **kind, char **ns, char **name);
/* Adds the managed-by label and tracking annotation for project to obj. */
void rc_mark_owned(cJSON *obj, const char *project, const char *id);
/* Whether live may be written by project: NULL, or a reason (caller frees). */
char *rc_ownership_conflict(const cJSON *live, const char *project, bool adopt);

/* ---- inventories (inventory.c) ---- */

typedef struct rc_inventory {
	char *project;
	tend_strvec ids;
	char *revision;
	int64_t removed_at; /* epoch seconds its project's removal began, or 0 */
	bool exists;
} rc_inventory;

/* Reads every inventory ConfigMap in the namespace. */
int rc_inventory_list(tend_reconciler *r, rc_inventory **out, size_t *n);
/* The inventories of the named projects only (valid label values). */
int rc_inventory_list_projects(tend_reconciler *r, const char *const *projects, size_t count,
                               rc_inventory **out, size_t *n);
void rc_inventory_free(rc_inventory *inv, size_t n);
/* The inventories among the ConfigMaps of a LIST (items: its array). */
void rc_inventory_from_items(const cJSON *items, rc_inventory **out, size_t *n);
/* A LIST's shrink for inventories: what rc_inventory_from_items reads,
 * nothing more. The resync's LIST holds every project's (10,000 at once),
 * and most of a ConfigMap is metadata (managedFields) read by no one. */
void rc_inventory_shrink(void *ud, cJSON *cm);
/* The inventory ConfigMap object for project (caller deletes). */
cJSON *rc_inventory_object(const tend_reconciler *r, const char *project, const tend_strvec *ids,
                           const char *revision);
/* Creates the inventory namespace if it is missing. */
int rc_inventory_namespace_ensure(tend_reconciler *r);

/* ---- what a prune may take (removal.c) ---- */

/* The live object carries tend.dev/prune: disabled. */
bool rc_prune_disabled(const cJSON *live);
/* The live Namespace carries tend.dev/delete-namespace: confirm. */
bool rc_namespace_delete_confirmed(const cJSON *live);

/* What a Namespace holds besides `project`'s objects and their dependents. */
typedef struct rc_census {
	const char *ns, *project; /* borrowed */
	char *foreign;            /* "1 PersistentVolumeClaim, 1 ConfigMap", or why unknown */
	size_t n_foreign;
	bool failed; /* a type could not be listed: foreign says which */
} rc_census;

/* Lists every namespaced type in each c[i].ns (one LIST per type and
 * namespace, concurrently); -1 when some listing failed (those entries have
 * failed set). */
int rc_namespace_census(tend_reconciler *r, rc_census *c, size_t n);
void rc_census_clear(rc_census *c);

/* ---- sync options (syncopts.c) ---- */

/* The live object carries tend.dev/managed: disabled. */
bool rc_unmanaged(const cJSON *obj);
/* Takes the fields sync.ignoreDifferences ignores out of desired (live exists). */
void rc_ignore_differences(const tend_reconciler *r, cJSON *desired, const cJSON *live);

/* ---- batched concurrent requests (apply.c) ---- */

typedef struct rc_req {
	char *method, *path, *ctype;
	tend_buf body;
	/* results */
	long code;
	cJSON *resp; /* parsed body on success (owned) */
	char *error; /* one line on failure (owned) */
	bool not_found;
} rc_req;

void rc_req_apply(rc_req *q, const tend_reconciler *r, const tend_kube_resource *res,
                  const cJSON *obj, bool dry_run);
void rc_req_delete(rc_req *q, const tend_kube_resource *res, const char *ns, const char *name,
                   const char *propagation);
void rc_req_get(rc_req *q, const tend_kube_resource *res, const char *ns, const char *name);
/* Runs reqs with at most `concurrency` in flight; fills each result. */
void rc_batch(tend_kube *k, rc_req *reqs, size_t n, int concurrency);
void rc_req_clear(rc_req *q);

/* ---- ordering (order.c) ---- */

enum {
	RC_PHASE_NAMESPACE,
	RC_PHASE_CRD,
	RC_PHASE_CLUSTER,
	RC_PHASE_NAMESPACED, /* quotas, accounts, RBAC, config, services, claims, custom resources
	                      */
	RC_PHASE_WORKLOADS,  /* what starts pods, once what they use exists */
	RC_PHASES
};
int rc_phase(const char *group, const char *kind, bool namespaced);

/* ---- diff (diff.c) ---- */

/* The fieldsV1 of manager's Apply entry in obj's managedFields, or NULL. */
const cJSON *rc_managed_fields(const cJSON *obj, const char *manager);
/*
 * The fast check: live holds every value of desired (quantities compared
 * by value, maps as subsets, lists item by item) and manager's Apply field
 * set is exactly desired's fields. True means applying is a no-op.
 */
bool rc_live_matches(const cJSON *desired, const cJSON *live, const char *manager);
/*
 * The exact check after a dry run: merged and live agree on every field
 * manager owns in either (values compared as stored by the server).
 */
bool rc_managed_equal(const cJSON *merged, const cJSON *live, const char *manager);
/* A copy of live holding only the fields desired sets (maps by key, lists
 * item by item), for a diff that shows what Git asks and nothing else. */
cJSON *rc_project_onto(const cJSON *live, const cJSON *desired);
/* Unified diff of the two objects as YAML, without server-owned noise;
 * either may be NULL (creation, deletion). */
char *rc_yaml_diff(const char *label, const cJSON *before, const cJSON *after);

#endif
