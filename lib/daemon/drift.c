/*
 * drift.c — drift as an event: the watch cache's callbacks decide whether
 * a change to a live object undid something tend manages, and mark its
 * project for an immediate sync (selfHeal).
 *
 * A change is drift when the object is deleted while still desired, or
 * when tend's own server-side-apply entry in managedFields lost a field:
 * the API server moves a field to whoever changed it (kubectl scale, label
 * --overwrite, edit, patch) and drops it when removed, while admission
 * mutations and status writes leave tend's entry alone, so they are never
 * drift. An object that keeps being changed back is reverted with backoff
 * (reported in the status), never in a hot loop. With selfHeal off drift
 * is only reported: the project is diffed (sync.c) and shown OutOfSync.
 */
#include "daemon_internal.h"

#include "../doc/doc.h"

#include <stdlib.h>
#include <string.h>

#define FIGHT_WINDOW_MS    30000 /* drifts closer than this count as one fight */
#define FIGHT_FREE_REVERTS 3     /* reverted at once before backoff starts */
#define FIGHT_BASE_MS      1000
#define FIGHT_CAP_MS       300000

static const cJSON *applied_fields(const cJSON *obj, const char *manager)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *mf = cJSON_GetObjectItemCaseSensitive(meta, "managedFields"), *e;
	cJSON_ArrayForEach(e, mf)
	{
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "manager");
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(e, "operation");
		const cJSON *sub = cJSON_GetObjectItemCaseSensitive(e, "subresource");
		if (cJSON_IsString(m) && strcmp(m->valuestring, manager) == 0 &&
		    cJSON_IsString(op) && strcmp(op->valuestring, "Apply") == 0 &&
		    (!cJSON_IsString(sub) || !*sub->valuestring))
			return cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
	}
	return NULL;
}

/* Every field path of a (a FieldsV1 tree) is in b. */
static bool fields_subset(const cJSON *a, const cJSON *b)
{
	const cJSON *k;
	cJSON_ArrayForEach(k, a)
	{
		const cJSON *other = cJSON_GetObjectItemCaseSensitive(b, k->string);
		if (!other || !fields_subset(k, other))
			return false;
	}
	return true;
}

bool tend_daemon_lost_fields(const cJSON *old_obj, const cJSON *new_obj, const char *manager)
{
	const cJSON *before = applied_fields(old_obj, manager);
	if (!before)
		return false;
	const cJSON *after = applied_fields(new_obj, manager);
	return !after || !fields_subset(before, after);
}

/* Appends one FieldsV1 key as a path step: "f:spec" -> ".spec", "k:{..}" and
 * "v:.." -> "[..]"; "." (the item itself) adds nothing. */
static void put_step(tend_buf *path, const char *key)
{
	if (strncmp(key, "f:", 2) == 0)
		tend_buf_printf(path, ".%s", key + 2);
	else if (strcmp(key, ".") != 0)
		tend_buf_printf(path, "[%s]", key + (key[0] && key[1] == ':' ? 2 : 0));
}

/* The first path of a missing from b; keys[] receives its FieldsV1 keys. */
static bool first_missing(const cJSON *a, const cJSON *b, tend_buf *path, const char **keys,
                          size_t *n, size_t cap)
{
	const cJSON *k;
	cJSON_ArrayForEach(k, a)
	{
		const cJSON *other = cJSON_GetObjectItemCaseSensitive(b, k->string);
		if (other && fields_subset(k, other))
			continue;
		put_step(path, k->string);
		if (*n < cap)
			keys[(*n)++] = k->string;
		if (other)
			first_missing(k, other, path, keys, n, cap);
		return true;
	}
	return false;
}

void tend_daemon_lost_field(const cJSON *old_obj, const cJSON *new_obj, const char *manager,
                            char **field, char **owner)
{
	*field = *owner = NULL;
	const cJSON *before = applied_fields(old_obj, manager);
	const cJSON *after = applied_fields(new_obj, manager);
	tend_buf path = TEND_BUF_INIT;
	const char *keys[32];
	size_t n = 0;
	if (!before || !first_missing(before, after, &path, keys, &n, 32)) {
		tend_buf_free(&path);
		return;
	}
	*field = tend_buf_detach(&path);
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(new_obj, "metadata");
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(meta, "managedFields"))
	{
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "manager");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
		if (!cJSON_IsString(m) || f == after)
			continue;
		for (size_t i = 0; f && i < n; i++)
			f = cJSON_GetObjectItemCaseSensitive(f, keys[i]);
		if (f) {
			*owner = tend_xstrdup(m->valuestring);
			return;
		}
	}
}

static const char *meta_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static bool still_desired(const proj *p, const cJSON *obj)
{
	const char *kind = str(obj, "kind"), *ns = meta_str(obj, "namespace"),
	           *name = meta_str(obj, "name");
	for (size_t i = 0; i < p->n_objs; i++)
		if (strcmp(p->objs[i].kind, kind) == 0 && strcmp(p->objs[i].ns, ns) == 0 &&
		    strcmp(p->objs[i].name, name) == 0)
			return true;
	return false;
}

/* Counts a drift of `object`; returns how long to wait before reverting it. */
static int64_t fight_delay(proj *p, const char *object, int64_t now)
{
	fight *f = NULL;
	for (size_t i = 0; i < p->n_fights && !f; i++)
		if (strcmp(p->fights[i].object, object) == 0)
			f = &p->fights[i];
	if (!f) {
		p->fights = tend_xrealloc(p->fights, (p->n_fights + 1) * sizeof(fight));
		f = &p->fights[p->n_fights++];
		*f = (fight){tend_xstrdup(object), 0, 0};
	}
	f->count = now - f->last < FIGHT_WINDOW_MS ? f->count + 1 : 1;
	f->last = now;
	if (f->count <= FIGHT_FREE_REVERTS)
		return 0;
	return tend_daemon_backoff_ms(f->count - FIGHT_FREE_REVERTS, FIGHT_BASE_MS, FIGHT_CAP_MS);
}

static void record(tend_daemon *d, const cJSON *obj, const char *what, char *field, char *owner)
{
	char *project = tend_tracking_project(obj);
	proj *p = project ? daemon_proj_find(d, project) : NULL;
	free(project);
	bool ours = p && p->in_shard && p->meta;
	bool suspended = ours && daemon_proj_suspended(d, p);
	bool heal = ours && !suspended && daemon_proj_self_heal(d, p);
	if (ours && heal && p->syncing)
		p->drift_during_sync = true;
	/* still_desired: not pruned, and applied already */
	if (!ours || p->syncing || !still_desired(p, obj)) {
		free(field);
		free(owner);
		return;
	}
	daemon_proj_changed(p);
	const char *kind = str(obj, "kind"), *ns = meta_str(obj, "namespace");
	char *object = tend_xasprintf("%s/%s%s%s", kind, ns, *ns ? "/" : "", meta_str(obj, "name"));
	int64_t now = daemon_now_ms();
	int64_t delay = heal ? fight_delay(p, object, now) : 0;
	if (!p->drift)
		p->drift = tend_xcalloc(DRIFT_EVENTS_KEPT, sizeof(*p->drift));
	drift_event *e = &p->drift[p->n_drift++ % DRIFT_EVENTS_KEPT];
	free(e->object);
	free(e->kind);
	free(e->what);
	free(e->field);
	free(e->owner);
	*e = (drift_event){.wall_ms = daemon_wall_ms(),
	                   .object = tend_xstrdup(object),
	                   .kind = tend_xstrdup(kind),
	                   .what = tend_xstrdup(what),
	                   .field = field,
	                   .owner = owner};
	p->drift_total++;
	tend_metrics_add(d->metrics, "tend_drift_detected_total",
	                 (const char *[]){"kind", kind, NULL}, 1);
	tend_log_ctx ctx = {p->name, object, d->revision};
	if (!heal) {
		tend_log_ctx_printf(TEND_LOG_WARN, &ctx, "drift: %s; not reverted (%s)", what,
		                    suspended ? "the project is suspended" : "selfHeal is off");
		p->diff_due = true;
		free(object);
		return;
	}
	if (delay) {
		tend_log_ctx_printf(TEND_LOG_WARN, &ctx,
		                    "%s again: something keeps changing it; next revert in %.1f s",
		                    what, (double)delay / 1000.0);
		daemon_proj_set_str(&p->fighting, object);
	} else {
		tend_log_ctx_printf(TEND_LOG_INFO, &ctx, "drift: %s; reverting", what);
	}
	free(object);
	daemon_proj_mark(p, "drift", now + d->opt.drift_debounce_ms + delay);
}

void daemon_drift_reverted(tend_daemon *d, proj *p)
{
	daemon_proj_changed(p);
	for (size_t i = 0; i < DRIFT_EVENTS_KEPT && i < p->n_drift; i++) {
		drift_event *e = &p->drift[i];
		if (e->object && !e->reverted) {
			e->reverted = true;
			tend_metrics_add(d->metrics, "tend_drift_reverts_total",
			                 (const char *[]){"kind", e->kind, NULL}, 1);
		}
	}
	int64_t now = daemon_now_ms();
	bool still = false;
	for (size_t i = 0; i < p->n_fights; i++)
		still |= now - p->fights[i].last < FIGHT_WINDOW_MS &&
		         p->fights[i].count > FIGHT_FREE_REVERTS;
	if (!still)
		daemon_proj_set_str(&p->fighting, NULL);
}

static void on_added(void *ud, const cJSON *obj)
{
	daemon_health_track(ud, obj, false);
}

static void on_updated(void *ud, const cJSON *old_obj, const cJSON *obj)
{
	tend_daemon *d = ud;
	daemon_health_track(d, obj, false); /* a rollout finished, say */
	daemon_proj_namespace_event(d, obj);
	if (!tend_daemon_lost_fields(old_obj, obj, d->field_manager) ||
	    (d->rec && tend_reconcile_loss_ignored(d->rec, old_obj, obj)))
		return; /* nothing tend manages, or only what sync.ignoreDifferences ignores */
	char *field, *owner;
	tend_daemon_lost_field(old_obj, obj, d->field_manager, &field, &owner);
	record(d, obj, "modified", field, owner);
}

static void on_deleted(void *ud, const cJSON *obj)
{
	daemon_health_track(ud, obj, true);
	record(ud, obj, "deleted", NULL, NULL);
}

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* Whether tend's Apply entry in obj's managedFields holds metadata.annotations[key]. */
static bool applies_annotation(const cJSON *obj, const char *manager, const char *key)
{
	const cJSON *f = applied_fields(obj, manager);
	f = cJSON_GetObjectItemCaseSensitive(f, "f:metadata");
	f = cJSON_GetObjectItemCaseSensitive(f, "f:annotations");
	char *k = tend_xasprintf("f:%s", key);
	bool held = cJSON_GetObjectItemCaseSensitive(f, k) != NULL;
	free(k);
	return held;
}

/* metadata.uid and creationTimestamp: read from LISTs (removal.c), never
 * from the cache. */
static void drop_identity(cJSON *meta)
{
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "uid");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "creationTimestamp");
}

/*
 * What the cache keeps of an object tend tracks: what the reconciler
 * compares with Git, health and drift read, less what none of them reads
 * and what differs between otherwise alike objects: each managedFields
 * entry's time (without it, tend's entries of objects from one template
 * are one text the cache keeps once), metadata.uid and creationTimestamp,
 * and kubectl's last-applied annotation (a copy of the whole object)
 * unless tend applies it itself.
 */
static void shrink_tracked(const tend_daemon *d, cJSON *obj)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(meta, "managedFields"))
	{
		cJSON_DeleteItemFromObjectCaseSensitive(e, "time");
	}
	drop_identity(meta);
	cJSON *annotations = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	if (cJSON_GetObjectItemCaseSensitive(annotations, LAST_APPLIED) &&
	    !applies_annotation(obj, d->field_manager, LAST_APPLIED))
		cJSON_DeleteItemFromObjectCaseSensitive(annotations, LAST_APPLIED);
}

/*
 * What the cache keeps of an object tend does not track: what a sync, a
 * drift and health read of it. A sync reads only its identity (a
 * conflict), its resourceVersion and tend's annotations (tend.dev/managed,
 * prune, delete-namespace: an adopted or handed-over object), health its
 * metadata.generation and deletionTimestamp (its status is dropped: an
 * untracked object's health is not tend's to read). Labels, other
 * annotations (kube-root-ca.crt's long description), uid and
 * creationTimestamp go. With thousands of projects the cluster holds as
 * many such objects (each namespace's root CA ConfigMap, default
 * ServiceAccount and tend-status ConfigMap) as tend's own.
 * Dropping is safe because each event is judged on the object as the
 * server sent it: an object that gains tend's tracking annotation comes
 * back whole, as a tracked one. Tracked objects stay whole but for what
 * shrink_tracked drops: the reconciler compares them with Git, and health
 * and naming a drift's new owner read them.
 */
static void shrink(void *ud, cJSON *obj)
{
	char *project = tend_tracking_project(obj);
	free(project);
	if (project) {
		shrink_tracked(ud, obj);
		return;
	}
	static const char *const top[] = {"apiVersion", "kind", "metadata", NULL};
	static const char *const meta_keys[] = {
	    "name",        "namespace", "resourceVersion", "generation", "deletionTimestamp",
	    "annotations", NULL};
	tend_doc_keep_only(obj, top);
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(meta))
		return;
	tend_doc_keep_only(meta, meta_keys);
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	for (cJSON *e = cJSON_IsObject(ann) ? ann->child : NULL, *next; e; e = next) {
		next = e->next;
		if (strncmp(e->string, "tend.dev/", 9) != 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(ann, e));
	}
	if (ann && (!cJSON_IsObject(ann) || !ann->child))
		cJSON_Delete(cJSON_DetachItemViaPointer(meta, ann));
}

tend_kube_cache *daemon_cache_new(tend_daemon *d)
{
	tend_kube_cache_handlers h = {on_added, on_updated, on_deleted, d};
	tend_kube_cache *c = tend_kube_cache_new(d->kube, &h);
	tend_kube_cache_set_transform(c, shrink, d);
	return c;
}

static void watch(tend_daemon *d, const tend_kube_resource *r)
{
	if (!(r->verbs & TEND_KUBE_VERB_WATCH) || !(r->verbs & TEND_KUBE_VERB_LIST))
		return;
	char *key = tend_xasprintf("%s/%s/%s", r->group, r->version, r->name);
	if (tend_strset_add(&d->cached_resources, key) &&
	    tend_kube_cache_add(d->cache, r, NULL, NULL))
		tend_log(TEND_LOG_WARN, "watch %s: %s", key, tend_err_msg());
	free(key);
}

void daemon_watch_rendered(tend_daemon *d, const tend_resmap *rm)
{
	for (size_t j = 0; j < rm->len; j++) {
		const cJSON *obj = rm->items[j].obj;
		char *key = tend_xasprintf("%s|%s", str(obj, "apiVersion"), str(obj, "kind"));
		const tend_kube_resource *r;
		/* Once per kind: a kind the server lacks would refresh discovery each time. */
		if (tend_strset_add(&d->tried_kinds, key) &&
		    tend_kube_resource_for_object(d->kube, obj, &r) == 0)
			watch(d, r);
		free(key);
	}
}

void daemon_watch_new_resources(tend_daemon *d)
{
	const tend_kube_resource *const *rs;
	size_t n = tend_reconciler_resources(d->rec, &rs);
	for (size_t i = 0; i < n; i++)
		watch(d, rs[i]);
}
