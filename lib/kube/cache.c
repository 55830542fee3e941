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
 * of each object. So are metadata.labels and the rest of an object
 * besides its metadata (spec, status, data, rules, ...): objects made
 * from one template are alike there too (a quota, a network policy, a
 * limit range of every tenant project). What the entry says itself (apiVersion, kind, name,
 * namespace, resourceVersion) is not in the text either. Invariant: a
 * reader's copy is the stored object, every key where it was.
 */
#include "kube_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct informer informer;

/*
 * What an entry keeps out of its object's text because the entry says it
 * already: apiVersion and kind (the informer's), metadata.name and
 * namespace (the key), metadata.resourceVersion (kept beside the key),
 * each with its place among its siblings, so a reader's copy has it back
 * where it was. A field that differs from what the entry says (or is not
 * a string) stays in the text.
 */
enum { HOIST_NAME, HOIST_NS, HOIST_RV, HOIST_API, HOIST_KIND, N_HOIST };
#define NOT_HOISTED 255 /* the field is in the text, or absent */

/* One cached object in one allocation, since there are as many as the
 * cluster holds objects: the key's group and kind are its informer's. */
typedef struct centry {
	struct centry *next;
	informer *inf;
	const char *fields; /* its metadata.managedFields, printed, in c->fields; or NULL */
	const char *body;   /* the object without metadata, printed, in c->bodies; or NULL */
	const char *labels; /* its metadata.labels, printed, in c->bodies; or NULL */
	unsigned gen;
	unsigned char at[N_HOIST]; /* where each hoisted field sat, or NOT_HOISTED */
	unsigned char at_fields;   /* where managedFields sat in metadata */
	unsigned char at_labels;   /* where labels sat in metadata (without managedFields) */
	unsigned char at_meta;     /* where metadata sat, or NOT_HOISTED: text is the object */
	/* namespace ("" when cluster-scoped), NUL, name, NUL, resourceVersion
	 * (maybe ""), NUL, metadata (or with at_meta NOT_HOISTED the object)
	 * without managedFields and hoisted fields, printed unformatted, NUL */
	char text[];
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
	tend_intern *fields, *bodies;
	bool strip_managed;
	tend_kube_cache_transform_fn transform;
	void *transform_ud;
	tend_kube_cache_stats stats;
};

/* ---- the index ---- */

/* FNV-1a over the key's parts, each followed by a separator. */
static uint64_t hash_more(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0x1f) * 1099511628211ULL;
}

static uint64_t hash_key(const char *group, const char *kind, const char *ns, const char *name)
{
	uint64_t h = hash_more(1469598103934665603ULL, group);
	return hash_more(hash_more(hash_more(h, kind), ns), name);
}

static const char *entry_ns(const centry *e)
{
	return e->text;
}

static const char *entry_name(const centry *e)
{
	return e->text + strlen(e->text) + 1;
}

static const char *entry_rv(const centry *e)
{
	const char *name = entry_name(e);
	return name + strlen(name) + 1;
}

static const char *entry_json(const centry *e)
{
	const char *rv = entry_rv(e);
	return rv + strlen(rv) + 1;
}

static const char *obj_ns(const cJSON *obj)
{
	const char *ns = kube_meta_str(obj, "namespace");
	return ns ? ns : "";
}

static const char *obj_name(const cJSON *obj)
{
	const char *name = kube_meta_str(obj, "name");
	return name ? name : "";
}

static centry **slot(const tend_kube_cache *c, const char *group, const char *kind, const char *ns,
                     const char *name)
{
	centry **p = &c->buckets[hash_key(group, kind, ns, name) & (c->nbuckets - 1)];
	while (*p &&
	       !(strcmp(entry_name(*p), name) == 0 && strcmp(entry_ns(*p), ns) == 0 &&
	         strcmp((*p)->inf->r->kind, kind) == 0 && strcmp((*p)->inf->r->group, group) == 0))
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
			const tend_kube_resource *r = e->inf->r;
			size_t j =
			    hash_key(r->group, r->kind, entry_ns(e), entry_name(e)) & (n - 1);
			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

/* ---- an object's text ---- */

/* cJSON fails only when memory runs out; tend treats that as fatal. */
static void out_of_memory(const char *what)
{
	fprintf(stderr, "tend: out of memory %s\n", what);
	abort();
}

static const char *const hoist_key[N_HOIST] = {"name", "namespace", "resourceVersion", "apiVersion",
                                               "kind"};

static bool is_api_version(const tend_kube_resource *r, const char *v)
{
	size_t gl = strlen(r->group);
	if (!gl)
		return strcmp(v, r->version) == 0;
	return strncmp(v, r->group, gl) == 0 && v[gl] == '/' && strcmp(v + gl + 1, r->version) == 0;
}

/* A new child key: value of parent, as its at-th child. */
static void put_new(cJSON *parent, int at, const char *key, cJSON *value)
{
	if (!value || !cJSON_AddItemToObject(parent, key, value))
		out_of_memory("parsing a cached object");
	if (at < cJSON_GetArraySize(parent) - 1)
		tend_doc_array_insert(parent, at, cJSON_DetachItemViaPointer(parent, value));
}

static int index_of(const cJSON *parent, const cJSON *item)
{
	int i = 0;
	for (const cJSON *v = parent->child; v != item; v = v->next)
		i++;
	return i;
}

static cJSON *parse_entry(const centry *e)
{
	cJSON *obj;
	if (e->at_meta == NOT_HOISTED) {
		obj = cJSON_Parse(entry_json(e));
	} else {
		obj = e->body ? cJSON_Parse(e->body) : cJSON_CreateObject();
		if (obj)
			put_new(obj, e->at_meta, "metadata", cJSON_Parse(entry_json(e)));
	}
	if (!obj)
		out_of_memory("parsing a cached object");
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const tend_kube_resource *r = e->inf->r;
	for (int h = N_HOIST - 1; h >= 0; h--) {
		if (e->at[h] == NOT_HOISTED)
			continue;
		cJSON *v;
		if (h == HOIST_API && *r->group) {
			char *av = tend_xasprintf("%s/%s", r->group, r->version);
			v = cJSON_CreateString(av);
			free(av);
		} else {
			const char *s[N_HOIST] = {entry_name(e), entry_ns(e), entry_rv(e),
			                          r->version, r->kind};
			v = cJSON_CreateString(s[h]);
		}
		put_new(h < HOIST_API ? meta : obj, e->at[h], hoist_key[h], v);
	}
	if (e->labels)
		put_new(meta, e->at_labels, "labels", cJSON_Parse(e->labels));
	if (e->fields)
		put_new(meta, e->at_fields, "managedFields", cJSON_Parse(e->fields));
	return obj;
}

static char *print(const cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);
	if (!text)
		out_of_memory("printing an object to cache");
	return text;
}

static void free_entry(tend_kube_cache *c, centry *e)
{
	c->json_bytes -= strlen(entry_json(e)) + 1;
	tend_intern_release(c->fields, e->fields);
	tend_intern_release(c->bodies, e->body);
	tend_intern_release(c->bodies, e->labels);
	free(e);
}

/*
 * obj as an entry of inf (replacing old, which is freed: the caller links
 * the new one in its place); obj is left as it was. What the entry says
 * itself (see HOIST_*) is taken out while it is printed; managedFields,
 * labels and the rest of the object besides metadata are printed apart and
 * interned.
 */
static centry *store(tend_kube_cache *c, informer *inf, centry *old, cJSON *obj)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(meta))
		meta = NULL;
	cJSON *mf = meta ? cJSON_GetObjectItemCaseSensitive(meta, "managedFields") : NULL;
	const char *fields = NULL;
	int at_fields = 0;
	if (mf) {
		at_fields = index_of(meta, mf);
		cJSON_DetachItemViaPointer(meta, mf);
		char *text = print(mf);
		fields = tend_intern_add(c->fields, text);
		free(text);
	}
	cJSON *lb = meta ? cJSON_GetObjectItemCaseSensitive(meta, "labels") : NULL;
	const char *labels = NULL;
	int at_labels = lb ? index_of(meta, lb) : NOT_HOISTED;
	if (at_labels < NOT_HOISTED) {
		cJSON_DetachItemViaPointer(meta, lb);
		char *text = print(lb);
		labels = tend_intern_add(c->bodies, text);
		free(text);
	}
	/* into obj's items, which are detached below but not freed */
	const char *ns = obj_ns(obj), *name = obj_name(obj);
	const char *rv = kube_meta_str(obj, "resourceVersion");
	rv = rv ? rv : "";
	cJSON *taken[N_HOIST] = {0};
	unsigned char at[N_HOIST];
	for (int h = 0; h < N_HOIST; h++) {
		cJSON *parent = h < HOIST_API ? meta : obj;
		cJSON *v = parent ? cJSON_GetObjectItemCaseSensitive(parent, hoist_key[h]) : NULL;
		int i = v ? index_of(parent, v) : NOT_HOISTED;
		at[h] = NOT_HOISTED;
		if (!cJSON_IsString(v) || i >= NOT_HOISTED ||
		    (h == HOIST_API && !is_api_version(inf->r, v->valuestring)) ||
		    (h == HOIST_KIND && strcmp(v->valuestring, inf->r->kind) != 0))
			continue;
		at[h] = (unsigned char)i;
		taken[h] = cJSON_DetachItemViaPointer(parent, v);
	}
	int at_meta = meta ? index_of(obj, meta) : NOT_HOISTED;
	const char *body = NULL;
	if (at_meta < NOT_HOISTED) {
		cJSON_DetachItemViaPointer(obj, meta);
		if (obj->child) {
			char *text = print(obj);
			body = tend_intern_add(c->bodies, text);
			free(text);
		}
	}
	char *json = print(at_meta < NOT_HOISTED ? meta : obj);
	size_t ns_len = strlen(ns) + 1, name_len = strlen(name) + 1, rv_len = strlen(rv) + 1,
	       json_len = strlen(json) + 1;
	centry *e = tend_xmalloc(offsetof(centry, text) + ns_len + name_len + rv_len + json_len);
	char *t = e->text;
	memcpy(t, ns, ns_len);
	memcpy(t += ns_len, name, name_len);
	memcpy(t += name_len, rv, rv_len);
	memcpy(t + rv_len, json, json_len);
	free(json);
	e->next = old ? old->next : NULL;
	e->inf = inf;
	e->fields = fields;
	e->body = body;
	e->labels = labels;
	e->at_labels = labels ? (unsigned char)at_labels : NOT_HOISTED;
	e->at_meta = at_meta < NOT_HOISTED ? (unsigned char)at_meta : NOT_HOISTED;
	e->gen = inf->gen;
	e->at_fields = at_fields < NOT_HOISTED ? (unsigned char)at_fields : NOT_HOISTED;
	memcpy(e->at, at, sizeof(at));
	c->json_bytes += json_len;
	if (at_meta < NOT_HOISTED)
		tend_doc_array_insert(obj, at_meta, meta);
	for (int h = N_HOIST - 1; h >= 0; h--)
		if (taken[h])
			tend_doc_array_insert(h < HOIST_API ? meta : obj, at[h], taken[h]);
	if (labels)
		tend_doc_array_insert(meta, at_labels, lb);
	if (mf)
		tend_doc_array_insert(meta, at_fields, mf);
	if (old)
		free_entry(c, old);
	return e;
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
	const char *ns = obj_ns(obj), *name = obj_name(obj);
	centry **p = slot(c, inf->r->group, inf->r->kind, ns, name);
	if (*p) {
		centry *e = *p;
		e->gen = inf->gen;
		const char *rv = kube_meta_str(obj, "resourceVersion");
		if (rv && *rv && strcmp(rv, entry_rv(e)) == 0) {
			cJSON_Delete(obj);
			return;
		}
		cJSON *old = c->h.updated ? parse_entry(e) : NULL;
		*p = store(c, inf, e, obj);
		if (c->h.updated)
			c->h.updated(c->h.ud, old, obj);
		cJSON_Delete(old);
		cJSON_Delete(obj);
		return;
	}
	if (c->len + 1 > c->nbuckets) {
		grow(c);
		p = slot(c, inf->r->group, inf->r->kind, ns, name);
	}
	*p = store(c, inf, NULL, obj);
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
	free_entry(c, e);
}

static void remove_obj(informer *inf, const cJSON *obj)
{
	centry **p = slot(inf->c, inf->r->group, inf->r->kind, obj_ns(obj), obj_name(obj));
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
	/* Diff the list against what we hold: what was listed is marked (each
	 * page was stored as it came, by list_take), then this informer's
	 * unmarked entries are dropped (deleted while we were not looking). */
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

/* A listed object, stored as its page arrives: a LIST of 40,000 objects
 * (10,000 projects' namespaces' ConfigMaps) held whole as a tree until its
 * last page cost a restarted daemon more than all it keeps. */
static void list_take(void *ud, cJSON *obj)
{
	upsert(ud, obj);
}

static void start_list(informer *inf)
{
	tend_kube_list_opts o = {.label_selector = inf->label,
	                         .limit = 500,
	                         .take = list_take,
	                         .take_ud = inf};
	inf->gen++; /* the mark of what this list shows */
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
	c->bodies = tend_intern_new();
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
	tend_intern_free(c->bodies);
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
	centry *e = *slot(c, group, kind, ns ? ns : "", name);
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
	out->bodies = tend_intern_len(c->bodies);
	out->bodies_bytes = tend_intern_bytes(c->bodies);
}
