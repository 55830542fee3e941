/*
 * cache.c — an informer: live objects kept in memory by list-then-watch,
 * one list/watch per added resource type, indexed by (group, kind,
 * namespace, name), with add/update/delete callbacks.
 *
 * After a watch ends normally or drops, it resumes from the last
 * resourceVersion seen (events or bookmarks), so the server replays what
 * was missed. When that version has expired (410, as an HTTP status or an
 * ERROR event) the informer re-lists and diffs the list against what it
 * holds, calling back for every difference. Invariant: between callbacks
 * the cache equals the server's state at the informer's resourceVersion.
 * A type whose list the server refuses (401/403: the role lacks it) counts
 * as synced and holds nothing, so readers fall back to reading its objects
 * one by one; its list is retried with backoff.
 *
 * Objects are kept as compact JSON text, not as cJSON trees: a tree costs
 * about five times the bytes (a node and one or two allocations per
 * value), and with thousands of projects the cache is most of the
 * daemon's memory. Readers get a parsed copy; callbacks a parsed object
 * that lives for the call. metadata.managedFields is kept apart, as text
 * interned in a pool: objects made from one template by one manager carry
 * the same entries (less a time the owner's transform drops), up to half
 * of each object. A reader's copy has it back, as the last key of
 * metadata.
 */
#include "kube_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct informer informer;

/* One cached object: two allocations (the entry with its key, and its
 * text), since there are as many as the cluster holds objects. */
typedef struct centry {
	struct centry *next;
	informer *inf;
	unsigned gen;
	const char *fields; /* its metadata.managedFields, printed, in c->fields; or NULL */
	char *text;         /* its resourceVersion (maybe ""), NUL, then json */
	const char *json;   /* the object without managedFields, printed unformatted */
	char key[];
} centry;

struct informer {
	tend_kube_cache *c;
	const tend_kube_resource *r;
	char *ns, *label, *rv;
	bool synced, got_event;
	bool forbidden; /* the last list was refused (401/403): counts as synced, holds nothing */
	unsigned gen;
	int failures;
	int64_t watch_started;
	tend_kube_request *req;
	tend_kube_timer *timer;
};

struct tend_kube_cache {
	tend_kube *k;
	tend_kube_cache_handlers h;
	informer **inf;
	size_t ninf;
	centry **buckets;
	size_t nbuckets, len;
	size_t json_bytes; /* of every entry's json */
	tend_intern *fields;
	bool strip_managed;
	tend_kube_cache_transform_fn transform;
	void *transform_ud;
	tend_kube_cache_stats stats;
};

/* ---- the index ---- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static char *make_key(const char *group, const char *kind, const char *ns, const char *name)
{
	return tend_xasprintf("%s\x1f%s\x1f%s\x1f%s", group, kind, ns ? ns : "", name);
}

static char *obj_key(const informer *inf, const cJSON *obj)
{
	const char *name = kube_meta_str(obj, "name");
	const char *ns = kube_meta_str(obj, "namespace");
	return make_key(inf->r->group, inf->r->kind, ns, name ? name : "");
}

static centry **slot(const tend_kube_cache *c, const char *key)
{
	centry **p = &c->buckets[hash(key) & (c->nbuckets - 1)];
	while (*p && strcmp((*p)->key, key) != 0)
		p = &(*p)->next;
	return p;
}

static void grow(tend_kube_cache *c)
{
	size_t n = c->nbuckets ? c->nbuckets * 2 : 256;
	centry **b = tend_xcalloc(n, sizeof(*b));
	for (size_t i = 0; i < c->nbuckets; i++) {
		centry *e = c->buckets[i];
		while (e) {
			centry *next = e->next;
			size_t j = hash(e->key) & (n - 1);
			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

/* cJSON fails only when memory runs out; tend treats that as fatal. */
static void out_of_memory(const char *what)
{
	fprintf(stderr, "tend: out of memory %s\n", what);
	abort();
}

static cJSON *parse_entry(const centry *e)
{
	cJSON *obj = cJSON_Parse(e->json);
	if (!obj)
		out_of_memory("parsing a cached object");
	if (e->fields) {
		cJSON *mf = cJSON_Parse(e->fields);
		if (!mf || !cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
		                                  "managedFields", mf))
			out_of_memory("parsing a cached object's managedFields");
	}
	return obj;
}

static char *print(const cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);
	if (!text)
		out_of_memory("printing an object to cache");
	return text;
}

static void clear_entry(tend_kube_cache *c, centry *e)
{
	if (e->json)
		c->json_bytes -= strlen(e->json) + 1;
	free(e->text);
	tend_intern_release(c->fields, e->fields);
	e->text = NULL;
	e->json = e->fields = NULL;
}

/* obj's text replaces e's; obj is left as it was. */
static void store(tend_kube_cache *c, centry *e, cJSON *obj)
{
	clear_entry(c, e);
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *mf = cJSON_DetachItemFromObjectCaseSensitive(meta, "managedFields");
	if (mf) {
		char *text = print(mf);
		e->fields = tend_intern_add(c->fields, text);
		free(text);
	}
	const char *rv = kube_meta_str(obj, "resourceVersion");
	char *json = print(obj);
	size_t rv_len = rv ? strlen(rv) : 0, json_len = strlen(json);
	e->text = tend_xmalloc(rv_len + 1 + json_len + 1);
	memcpy(e->text, rv ? rv : "", rv_len + 1);
	memcpy(e->text + rv_len + 1, json, json_len + 1);
	free(json);
	e->json = e->text + rv_len + 1;
	c->json_bytes += json_len + 1;
	if (mf && !cJSON_AddItemToObject(meta, "managedFields", mf))
		out_of_memory("caching an object");
}

/* Stores obj (taking it) and calls back; unchanged objects are dropped. */
static void upsert(informer *inf, cJSON *obj)
{
	tend_kube_cache *c = inf->c;
	if (c->strip_managed)
		cJSON_DeleteItemFromObjectCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "managedFields");
	if (c->transform)
		c->transform(c->transform_ud, obj);
	char *key = obj_key(inf, obj);
	centry **p = slot(c, key);
	if (*p) {
		centry *e = *p;
		free(key);
		e->gen = inf->gen;
		const char *rv = kube_meta_str(obj, "resourceVersion");
		if (rv && *rv && strcmp(rv, e->text) == 0) {
			cJSON_Delete(obj);
			return;
		}
		cJSON *old = c->h.updated ? parse_entry(e) : NULL;
		store(c, e, obj);
		e->inf = inf;
		if (c->h.updated)
			c->h.updated(c->h.ud, old, obj);
		cJSON_Delete(old);
		cJSON_Delete(obj);
		return;
	}
	if (c->len + 1 > c->nbuckets) {
		grow(c);
		p = slot(c, key);
	}
	centry *e = tend_xcalloc(1, sizeof(*e) + strlen(key) + 1);
	memcpy(e->key, key, strlen(key) + 1);
	free(key);
	store(c, e, obj);
	e->inf = inf;
	e->gen = inf->gen;
	*p = e;
	c->len++;
	if (c->h.added)
		c->h.added(c->h.ud, obj);
	cJSON_Delete(obj);
}

static void remove_entry(tend_kube_cache *c, centry **p, bool notify)
{
	centry *e = *p;
	*p = e->next;
	c->len--;
	if (notify && c->h.deleted) {
		cJSON *obj = parse_entry(e);
		c->h.deleted(c->h.ud, obj);
		cJSON_Delete(obj);
	}
	clear_entry(c, e);
	free(e);
}

static void remove_obj(informer *inf, const cJSON *obj)
{
	char *key = obj_key(inf, obj);
	centry **p = slot(inf->c, key);
	free(key);
	if (*p)
		remove_entry(inf->c, p, true);
}

/* ---- the informer's states: list -> watch -> (resume | relist | backoff) ---- */

static void start_list(informer *inf);
static void start_watch(informer *inf);

static void set_rv(informer *inf, const char *rv)
{
	if (!rv || !*rv)
		return;
	free(inf->rv);
	inf->rv = tend_xstrdup(rv);
}

static void timer_fired(void *ud)
{
	informer *inf = ud;
	inf->timer = NULL;
	if (inf->rv)
		start_watch(inf);
	else
		start_list(inf);
}

static void backoff(informer *inf, long retry_after_s)
{
	inf->failures++;
	long d = 200L << (inf->failures < 8 ? inf->failures : 8);
	if (d > 30000)
		d = 30000;
	d = d / 2 + (long)(kube_rand(inf->c->k) * (double)d / 2);
	if (retry_after_s > 0)
		d = retry_after_s * 1000;
	inf->timer = tend_kube_after(inf->c->k, d, timer_fired, inf);
}

static void list_done(void *ud, cJSON *items, const char *rv, const tend_kube_response *err)
{
	informer *inf = ud;
	inf->req = NULL;
	if (err) {
		/* A role without list or watch on this type: its objects are read
		 * one by one (and fail there, per object) instead of holding up
		 * every other type; the list is retried in case the role grows. */
		bool refused = err->status->code == 401 || err->status->code == 403;
		if (refused && !inf->forbidden)
			tend_log(TEND_LOG_WARN, "cache: %s; not cached, retrying with backoff",
			         err->error);
		else if (!refused)
			tend_log(TEND_LOG_WARN, "cache: %s", err->error);
		inf->forbidden = refused;
		free(inf->rv);
		inf->rv = NULL;
		backoff(inf, err->status->retry_after_s);
		return;
	}
	if (inf->forbidden)
		tend_log(TEND_LOG_INFO, "cache: %s%s%s listed again", inf->r->name,
		         *inf->r->group ? "." : "", inf->r->group);
	inf->forbidden = false;
	/* Diff the list against what we hold: mark what is listed, then drop
	 * this informer's unmarked entries (deleted while we were not looking). */
	inf->gen++;
	cJSON *it = items->child;
	items->child = NULL;
	while (it) {
		cJSON *next = it->next;
		it->next = it->prev = NULL;
		upsert(inf, it);
		it = next;
	}
	cJSON_Delete(items);
	tend_kube_cache *c = inf->c;
	for (size_t i = 0; i < c->nbuckets; i++) {
		centry **p = &c->buckets[i];
		while (*p) {
			if ((*p)->inf == inf && (*p)->gen != inf->gen)
				remove_entry(c, p, true);
			else
				p = &(*p)->next;
		}
	}
	free(inf->rv);
	inf->rv = tend_xstrdup(rv);
	inf->synced = true;
	inf->failures = 0;
	start_watch(inf);
}

static void start_list(informer *inf)
{
	tend_kube_list_opts o = {0};
	o.label_selector = inf->label;
	o.limit = 500;
	inf->c->stats.lists++;
	tend_kube_list_async(inf->c->k, inf->r, inf->ns, &o, list_done, inf, &inf->req);
}

static int on_event(void *ud, tend_kube_event_type type, cJSON *obj)
{
	informer *inf = ud;
	inf->got_event = true;
	inf->c->stats.events++;
	set_rv(inf, kube_meta_str(obj, "resourceVersion"));
	switch (type) {
	case TEND_KUBE_ADDED:
	case TEND_KUBE_MODIFIED:
		upsert(inf, obj);
		return 0;
	case TEND_KUBE_DELETED:
		remove_obj(inf, obj);
		break;
	default:
		break;
	}
	cJSON_Delete(obj);
	return 0;
}

static void on_end(void *ud, const tend_kube_response *res)
{
	informer *inf = ud;
	inf->req = NULL;
	/* A stream that delivered events or stayed open a while proved the
	 * server healthy: whatever ended it starts a fresh backoff sequence. */
	bool proven = inf->got_event || kube_now_ms() - inf->watch_started >= 1000;
	if (proven)
		inf->failures = 0;
	if (!res->status) {
		/* A normal close (timeoutSeconds, or the server going away).
		 * One that closes at once without events is a failure, as
		 * client-go's "very short watch", so it backs off. */
		if (!proven) {
			backoff(inf, -1);
			return;
		}
		start_watch(inf);
		return;
	}
	if (res->status->code == 410 || tend_kube_status_is(res->status, "Expired") ||
	    tend_kube_status_is(res->status, "Gone")) {
		inf->c->stats.relists_410++;
		free(inf->rv);
		inf->rv = NULL;
		start_list(inf);
		return;
	}
	tend_log(TEND_LOG_WARN, "cache: %s", res->error);
	backoff(inf, res->status->retry_after_s);
}

static void start_watch(informer *inf)
{
	tend_kube_watch_opts o = {0};
	o.label_selector = inf->label;
	o.resource_version = inf->rv;
	o.bookmarks = true;
	inf->got_event = false;
	inf->watch_started = kube_now_ms();
	inf->c->stats.watches++;
	tend_kube_watch(inf->c->k, inf->r, inf->ns, &o, on_event, on_end, inf, &inf->req);
}

/* ---- public ---- */

tend_kube_cache *tend_kube_cache_new(tend_kube *k, const tend_kube_cache_handlers *h)
{
	tend_kube_cache *c = tend_xcalloc(1, sizeof(*c));
	c->k = k;
	if (h)
		c->h = *h;
	c->fields = tend_intern_new();
	grow(c);
	return c;
}

void tend_kube_cache_free(tend_kube_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ninf; i++) {
		informer *inf = c->inf[i];
		tend_kube_cancel(inf->req);
		tend_kube_timer_cancel(c->k, inf->timer);
		free(inf->ns);
		free(inf->label);
		free(inf->rv);
		free(inf);
	}
	free(c->inf);
	for (size_t i = 0; i < c->nbuckets; i++)
		while (c->buckets[i])
			remove_entry(c, &c->buckets[i], false);
	free(c->buckets);
	tend_intern_free(c->fields);
	free(c);
}

int tend_kube_cache_add(tend_kube_cache *c, const tend_kube_resource *r, const char *ns,
                        const char *label_selector)
{
	if (!(r->verbs & TEND_KUBE_VERB_LIST) || !(r->verbs & TEND_KUBE_VERB_WATCH))
		return tend_err("cache: %s%s%s cannot be listed and watched", r->name,
		                *r->group ? "." : "", r->group);
	informer *inf = tend_xcalloc(1, sizeof(*inf));
	inf->c = c;
	inf->r = r;
	inf->ns = ns && *ns && r->namespaced ? tend_xstrdup(ns) : NULL;
	inf->label = label_selector && *label_selector ? tend_xstrdup(label_selector) : NULL;
	c->inf = tend_xrealloc(c->inf, (c->ninf + 1) * sizeof(*c->inf));
	c->inf[c->ninf++] = inf;
	start_list(inf);
	return 0;
}

void tend_kube_cache_strip_managed_fields(tend_kube_cache *c, bool on)
{
	c->strip_managed = on;
}

void tend_kube_cache_set_transform(tend_kube_cache *c, tend_kube_cache_transform_fn fn, void *ud)
{
	c->transform = fn;
	c->transform_ud = ud;
}

bool tend_kube_cache_synced(const tend_kube_cache *c)
{
	for (size_t i = 0; i < c->ninf; i++)
		if (!c->inf[i]->synced && !c->inf[i]->forbidden)
			return false;
	return true;
}

int tend_kube_cache_wait_synced(tend_kube_cache *c, long timeout_ms)
{
	int64_t end = kube_now_ms() + timeout_ms;
	while (!tend_kube_cache_synced(c)) {
		int64_t left = end - kube_now_ms();
		if (left <= 0)
			return tend_err("cache: not synced after %ld ms", timeout_ms);
		tend_kube_step(c->k, left < 100 ? left : 100);
	}
	return 0;
}

cJSON *tend_kube_cache_copy(const tend_kube_cache *c, const char *group, const char *kind,
                            const char *ns, const char *name)
{
	char *key = make_key(group, kind, ns, name);
	centry *e = *slot(c, key);
	free(key);
	return e ? parse_entry(e) : NULL;
}

size_t tend_kube_cache_len(const tend_kube_cache *c)
{
	return c->len;
}

void tend_kube_cache_foreach(const tend_kube_cache *c, void (*fn)(void *ud, const cJSON *obj),
                             void *ud)
{
	for (size_t i = 0; i < c->nbuckets; i++)
		for (centry *e = c->buckets[i]; e; e = e->next) {
			cJSON *obj = parse_entry(e);
			fn(ud, obj);
			cJSON_Delete(obj);
		}
}

void tend_kube_cache_get_stats(const tend_kube_cache *c, tend_kube_cache_stats *out)
{
	*out = c->stats;
	out->objects = c->len;
	out->json_bytes = c->json_bytes;
	out->fields = tend_intern_len(c->fields);
	out->fields_bytes = tend_intern_bytes(c->fields);
}
