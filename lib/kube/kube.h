/*
 * kube.h — tend's Kubernetes client: kubeconfig and in-cluster auth, one
 * libcurl multi loop carrying many requests and watches on one thread,
 * discovery, the verbs (get, list, watch, create, update, server-side apply,
 * patch, delete, Lease) and an informer cache of live objects.
 *
 * Objects are cJSON trees. Numbers parsed from the API server keep their
 * exact JSON text in `valuestring` (see lib/doc), so 64-bit integers survive
 * a read-modify-write unchanged.
 *
 * Threading: a tend_kube and everything made from it belong to one thread.
 * Asynchronous calls only queue work; tend_kube_step() drives the loop and
 * runs callbacks. Synchronous calls drive the same loop until their own
 * request finishes (so other requests' callbacks may run meanwhile) and
 * must not be called from inside a tend_kube callback.
 *
 * Errors: functions return 0 or -1 with the message in tend_err_msg(). For
 * API errors the message reads "VERB PATH: CODE Reason: message" and the
 * parsed Status of the last synchronous call is kept in
 * tend_kube_last_status().
 *
 * Memory: returned `cJSON *` and `char *` belong to the caller; `const`
 * pointers are borrowed from the client and live as long as it does.
 */
#ifndef TEND_KUBE_H
#define TEND_KUBE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

/* ------------------------------------------------------------------------
 * Configuration (kubeconfig.c, incluster.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_kube_exec {
	char *api_version; /* client.authentication.k8s.io/v1 or v1beta1 */
	char *command;     /* resolved against the kubeconfig's directory when it has a '/' */
	tend_strvec args;
	tend_strvec env;        /* "NAME=VALUE" */
	char *interactive_mode; /* Never | IfAvailable | Always */
	bool provide_cluster_info;
} tend_kube_exec;

typedef struct tend_kube_config {
	char *server; /* https://host:port (no trailing slash) */
	/* PEM bytes; *_file names are kept for messages, the data is loaded. */
	char *ca_file, *ca_data;
	size_t ca_len;
	char *cert_file, *cert_data;
	size_t cert_len;
	char *key_file, *key_data;
	size_t key_len;
	bool insecure_skip_tls_verify; /* only ever true when the file says so */
	char *tls_server_name;
	char *proxy_url;
	char *token;      /* static bearer token */
	char *token_file; /* re-read periodically and after a 401 */
	char *username, *password;
	tend_kube_exec *exec; /* NULL unless an exec plugin is configured */
	/* Impersonation applied to every request (kubeconfig as/as-groups/as-uid). */
	char *as_user, *as_uid;
	tend_strvec as_groups;
	char *namespace;                /* the context's namespace, "default" when unset */
	char *context, *cluster, *user; /* names, for messages */
	char *origin;                   /* the file(s) it came from, or "in-cluster" */
} tend_kube_config;

/*
 * Loads a kubeconfig the way kubectl does. `paths` is a ':'-separated list
 * (NULL: $KUBECONFIG, else ~/.kube/config). With several files, the first
 * file that defines a cluster/user/context name wins, and the first non-empty
 * current-context wins; files in the list that do not exist are skipped, but
 * at least one must exist. `context` NULL means current-context. Relative
 * file paths resolve against the directory of the file that names them.
 * Errors name the file, line and field.
 */
int tend_kube_config_load(const char *paths, const char *context, tend_kube_config **out);
/* Parses one kubeconfig held in memory; `label` names it in messages. */
int tend_kube_config_parse(const char *label, const char *data, size_t len, const char *context,
                           tend_kube_config **out);
/*
 * In-cluster configuration: KUBERNETES_SERVICE_HOST/PORT, and the token,
 * ca.crt and namespace under `sa_dir` (NULL: the standard
 * /var/run/secrets/kubernetes.io/serviceaccount). POD_NAMESPACE overrides
 * the namespace file.
 */
int tend_kube_config_in_cluster(const char *sa_dir, tend_kube_config **out);
void tend_kube_config_free(tend_kube_config *cfg);

/* ------------------------------------------------------------------------
 * Status: every API error, parsed (status.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_kube_cause {
	char *reason, *message, *field;
} tend_kube_cause;

typedef struct tend_kube_status {
	long code;     /* HTTP status; 0 when no response arrived */
	char *reason;  /* NotFound, Conflict, Expired, ...; "" for a transport error */
	char *message; /* the server's message, or the transport error */
	tend_kube_cause *causes;
	size_t ncauses;
	long retry_after_s; /* details.retryAfterSeconds, -1 when absent */
} tend_kube_status;

/*
 * Fills `out` from a response body: the Status object when the body is one,
 * else a Status synthesised from the code as client-go does.
 */
void tend_kube_status_parse(long code, const char *body, size_t len, tend_kube_status *out);
/* "404 NotFound: configmaps \"x\" not found [field: reason: message; ...]" */
void tend_kube_status_format(const tend_kube_status *st, tend_buf *out);
void tend_kube_status_clear(tend_kube_status *st);
/* True when st is an API error with this reason (e.g. "NotFound"). */
bool tend_kube_status_is(const tend_kube_status *st, const char *reason);

/* ------------------------------------------------------------------------
 * JSON with exact numbers (json.c)
 * ---------------------------------------------------------------------- */

/* Parses one JSON value; numbers keep their text (tend_doc_number). */
int tend_kube_json_parse(const char *data, size_t len, cJSON **out);
/* Appends compact JSON; numbers print their exact text. */
void tend_kube_json_emit(const cJSON *node, tend_buf *out);

/* ------------------------------------------------------------------------
 * The client and its loop (transport.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_kube tend_kube;
typedef struct tend_kube_request tend_kube_request;

typedef struct tend_kube_options {
	double qps;              /* client-side rate limit; <= 0 disables it (default 50) */
	int burst;               /* bucket size (default 100) */
	int max_retries;         /* for 429, 5xx and connection errors (default 5) */
	long retry_base_ms;      /* first backoff step, doubled per retry (default 200) */
	long retry_max_ms;       /* backoff cap (default 10000) */
	long timeout_ms;         /* whole-request timeout, watches excepted (default 30000) */
	long connect_timeout_ms; /* default 10000 */
	int token_refresh_s;     /* token file re-read interval (default 60) */
	int max_connections;     /* per host, for HTTP/1.1 servers (default 64) */
	const char *user_agent;  /* default "tend/<version>" */
} tend_kube_options;

void tend_kube_options_default(tend_kube_options *opt);

/* The client copies what it needs from cfg and opt (opt NULL: defaults). */
int tend_kube_new(const tend_kube_config *cfg, const tend_kube_options *opt, tend_kube **out);
void tend_kube_free(tend_kube *k);
const tend_kube_config *tend_kube_get_config(const tend_kube *k);

/*
 * Runs the loop once: starts queued requests the rate limit allows, waits
 * up to max_wait_ms for network activity or a timer, and runs callbacks.
 * Returns the number of requests still pending or in flight.
 */
int tend_kube_step(tend_kube *k, long max_wait_ms);
/* Interrupts a tend_kube_step() waiting on another thread. */
void tend_kube_wakeup(tend_kube *k);
/* Runs `fn` from the loop after `ms` milliseconds (a one-shot timer). */
typedef struct tend_kube_timer tend_kube_timer;
tend_kube_timer *tend_kube_after(tend_kube *k, long ms, void (*fn)(void *ud), void *ud);
/* Stops a timer that has not fired yet (NULL is ignored). */
void tend_kube_timer_cancel(tend_kube *k, tend_kube_timer *t);

/* Impersonation for one request; overrides the kubeconfig's. */
typedef struct tend_kube_identity {
	const char *user;
	const char *const *groups;
	size_t ngroups;
	const char *uid;
} tend_kube_identity;

typedef struct tend_kube_response {
	long code; /* HTTP status; 0 when the request failed below HTTP */
	const char *body;
	size_t body_len;
	const tend_kube_status *status; /* non-NULL iff the request failed */
	const char *error;              /* one line, non-NULL iff failed */
	int attempts;
} tend_kube_response;

typedef struct tend_kube_call {
	const char *method; /* GET, POST, PUT, PATCH, DELETE */
	const char *path;   /* absolute path with query, e.g. "/api/v1/namespaces" */
	const char *content_type;
	const char *body; /* copied */
	size_t body_len;
	const tend_kube_identity *as;
	long timeout_ms; /* 0: the client's default; < 0: none (watches) */
	/* Streaming: body bytes go to on_data as they arrive (2xx only). */
	int (*on_data)(void *ud, const char *data, size_t len); /* non-zero aborts */
} tend_kube_call;

typedef void (*tend_kube_done_fn)(void *ud, const tend_kube_response *res);

/*
 * Queues a request. `done` runs exactly once unless the request is
 * cancelled first. *out (optional) is valid until done runs or cancel.
 */
void tend_kube_submit(tend_kube *k, const tend_kube_call *call, tend_kube_done_fn done, void *ud,
                      tend_kube_request **out);
/* Stops a request; its callbacks never run again. Safe inside callbacks. */
void tend_kube_cancel(tend_kube_request *req);

/* Synchronous request: *body receives the response body (even on errors). */
int tend_kube_request_sync(tend_kube *k, const tend_kube_call *call, long *code, tend_buf *body);
/* Status of the last synchronous call on this client (code 200 on success). */
const tend_kube_status *tend_kube_last_status(const tend_kube *k);

typedef struct tend_kube_stats {
	unsigned long requests; /* HTTP requests sent, retries included */
	unsigned long retries;
	unsigned long throttled_ms; /* total time requests waited for the rate limit */
} tend_kube_stats;
void tend_kube_get_stats(const tend_kube *k, tend_kube_stats *out);
/*
 * Calls fn on the client's thread whenever an HTTP attempt ends (retries
 * and stream ends included): the method and the status code, 0 when no
 * response arrived. For metrics; NULL removes it.
 */
typedef void (*tend_kube_observer_fn)(void *ud, const char *method, long code);
void tend_kube_set_observer(tend_kube *k, tend_kube_observer_fn fn, void *ud);

/* ------------------------------------------------------------------------
 * Discovery (discovery.c)
 * ---------------------------------------------------------------------- */

enum {
	TEND_KUBE_VERB_GET = 1 << 0,
	TEND_KUBE_VERB_LIST = 1 << 1,
	TEND_KUBE_VERB_WATCH = 1 << 2,
	TEND_KUBE_VERB_CREATE = 1 << 3,
	TEND_KUBE_VERB_UPDATE = 1 << 4,
	TEND_KUBE_VERB_PATCH = 1 << 5,
	TEND_KUBE_VERB_DELETE = 1 << 6,
	TEND_KUBE_VERB_DELETECOLLECTION = 1 << 7,
};

/* One resource of one group-version. Pointers stay valid for the client's life. */
typedef struct tend_kube_resource {
	char *group; /* "" for core */
	char *version;
	char *kind;
	char *name; /* plural, e.g. "configmaps" */
	char *singular;
	bool namespaced;
	unsigned verbs;
	bool preferred; /* version is the group's preferred version */
	bool gone;      /* no longer served after the last refresh */
} tend_kube_resource;

/* Fetches /api, /apis and every group-version (concurrently). */
int tend_kube_discover(tend_kube *k);
/* apiVersion ("v1", "apps/v1") + kind -> resource; refreshes once on a miss. */
int tend_kube_resource_for_kind(tend_kube *k, const char *api_version, const char *kind,
                                const tend_kube_resource **out);
/* (group, plural or kind or short/singular name) in the preferred version; refreshes on a miss. */
int tend_kube_resource_find(tend_kube *k, const char *group, const char *name,
                            const tend_kube_resource **out);
/* The resource of an object's apiVersion/kind. */
int tend_kube_resource_for_object(tend_kube *k, const cJSON *obj, const tend_kube_resource **out);
/* Every resource discovered so far, each version of each group (borrowed;
 * valid until the next discovery). */
size_t tend_kube_resources(const tend_kube *k, const tend_kube_resource *const **out);
/* The group's preferred version, or NULL if the group is unknown (no refresh). */
const char *tend_kube_preferred_version(tend_kube *k, const char *group);
/* "/apis/apps/v1/namespaces/NS/deployments/NAME[/SUB]"; ns ignored when cluster-scoped. */
void tend_kube_path(const tend_kube_resource *r, const char *ns, const char *name, const char *sub,
                    tend_buf *out);

/* ------------------------------------------------------------------------
 * Verbs (verbs.c, list.c, lease.c) — synchronous
 * ---------------------------------------------------------------------- */

/*
 * Namespace of single-object verbs: `ns` when given, else the object's
 * metadata.namespace, else the configuration's namespace; ignored for
 * cluster-scoped resources. For list/watch/cache, NULL means all namespaces.
 */

typedef struct tend_kube_write_opts {
	const char *field_manager;    /* required for apply */
	bool force;                   /* apply only */
	bool dry_run;                 /* dryRun=All */
	const char *field_validation; /* Strict | Warn | Ignore; NULL: server default */
	const tend_kube_identity *as;
} tend_kube_write_opts;

int tend_kube_get(tend_kube *k, const tend_kube_resource *r, const char *ns, const char *name,
                  const tend_kube_identity *as, cJSON **out);
/* POST; *out (optional) is the created object. */
int tend_kube_create(tend_kube *k, const tend_kube_resource *r, const char *ns, const cJSON *obj,
                     const tend_kube_write_opts *o, cJSON **out);
/* PUT the whole object (metadata.resourceVersion, when set, makes it conditional). */
int tend_kube_update(tend_kube *k, const tend_kube_resource *r, const char *ns, const cJSON *obj,
                     const tend_kube_write_opts *o, cJSON **out);
/* Server-side apply of obj (sent as JSON, which is valid YAML). */
int tend_kube_apply(tend_kube *k, const tend_kube_resource *r, const char *ns, const cJSON *obj,
                    const tend_kube_write_opts *o, cJSON **out);

typedef enum tend_kube_patch_type {
	TEND_KUBE_PATCH_MERGE,     /* application/merge-patch+json */
	TEND_KUBE_PATCH_JSON,      /* application/json-patch+json */
	TEND_KUBE_PATCH_STRATEGIC, /* application/strategic-merge-patch+json (built-ins only) */
} tend_kube_patch_type;

int tend_kube_patch(tend_kube *k, const tend_kube_resource *r, const char *ns, const char *name,
                    tend_kube_patch_type type, const cJSON *patch, const tend_kube_write_opts *o,
                    cJSON **out);

typedef struct tend_kube_delete_opts {
	const char *propagation;      /* Background | Foreground | Orphan; NULL: server default */
	const char *uid;              /* precondition */
	const char *resource_version; /* precondition */
	long grace_period_s;          /* -1: server default */
	bool dry_run;
	const tend_kube_identity *as;
} tend_kube_delete_opts;

#define TEND_KUBE_DELETE_OPTS_INIT                                                                 \
	{                                                                                          \
		NULL, NULL, NULL, -1, false, NULL                                                  \
	}

/* *out (optional): the object (deleting, or as it was) or the Success Status. */
int tend_kube_delete(tend_kube *k, const tend_kube_resource *r, const char *ns, const char *name,
                     const tend_kube_delete_opts *o, cJSON **out);

typedef struct tend_kube_list_opts {
	const char *label_selector;
	const char *field_selector;
	long limit;                   /* page size; 0: 500 */
	const char *resource_version; /* NULL: most recent */
	const tend_kube_identity *as;
	/* Called on each item as its page arrives (type filled in), to drop
	 * what the caller will not read: a LIST of thousands of objects is
	 * otherwise held whole as a tree until its last page. */
	void (*shrink)(void *ud, cJSON *item);
	void *shrink_ud;
	/* Instead, takes each item (after shrink) as its page arrives; the
	 * items handed to the end are then none: an informer stores a LIST of
	 * 40,000 objects a page at a time, never the whole as a tree. */
	void (*take)(void *ud, cJSON *item);
	void *take_ud;
} tend_kube_list_opts;

/*
 * Lists every page (following metadata.continue) into a new array of
 * objects, each with apiVersion and kind set; *rv (optional) receives the
 * list's resourceVersion.
 */
int tend_kube_list(tend_kube *k, const tend_kube_resource *r, const char *ns,
                   const tend_kube_list_opts *o, cJSON **items, char **rv);

/* The same, asynchronously: done gets the items (owned by done) or an error. */
typedef void (*tend_kube_list_done_fn)(void *ud, cJSON *items, const char *rv,
                                       const tend_kube_response *err);
void tend_kube_list_async(tend_kube *k, const tend_kube_resource *r, const char *ns,
                          const tend_kube_list_opts *o, tend_kube_list_done_fn done, void *ud,
                          tend_kube_request **out);

/* coordination.k8s.io/v1 Lease, with optimistic concurrency on update. */
typedef struct tend_kube_lease {
	char *holder;       /* spec.holderIdentity ("" when released) */
	long duration_s;    /* spec.leaseDurationSeconds */
	char *acquire_time; /* MicroTime text */
	char *renew_time;
	long transitions;       /* spec.leaseTransitions */
	char *resource_version; /* from the server; update sends it */
	char *fetch_requested;  /* the fetch-request annotation, or NULL (written when set) */
} tend_kube_lease;

/* Set by a standby that received a webhook; the leader fetches when it sees it. */
#define TEND_KUBE_LEASE_FETCH_ANNOTATION "tend.dev/fetch-requested"

int tend_kube_lease_get(tend_kube *k, const char *ns, const char *name, tend_kube_lease *out);
/* Creates; fails with AlreadyExists if it exists. out may be `l` itself. */
int tend_kube_lease_create(tend_kube *k, const char *ns, const char *name, const tend_kube_lease *l,
                           tend_kube_lease *out);
/* PUT with l->resource_version: a stale version fails with reason Conflict. */
int tend_kube_lease_update(tend_kube *k, const char *ns, const char *name, const tend_kube_lease *l,
                           tend_kube_lease *out);
void tend_kube_lease_clear(tend_kube_lease *l);
/*
 * Marks the Lease with a fetch request (get, then a conditional update that
 * changes nothing else): how a standby passes a webhook to the leader,
 * whose next renewal reads it and, being an update without it, clears it.
 */
int tend_kube_lease_request_fetch(tend_kube *k, const char *ns, const char *name);
/* Now as a MicroTime: 2006-01-02T15:04:05.000000Z. */
char *tend_kube_micro_time_now(void);

/* ------------------------------------------------------------------------
 * Watch (watch.c)
 * ---------------------------------------------------------------------- */

typedef enum tend_kube_event_type {
	TEND_KUBE_ADDED,
	TEND_KUBE_MODIFIED,
	TEND_KUBE_DELETED,
	TEND_KUBE_BOOKMARK,
	TEND_KUBE_ERROR,
} tend_kube_event_type;

/* Splits a watch stream into JSON values as bytes arrive (any framing). */
typedef struct tend_kube_watch_parser {
	tend_buf buf;
	size_t pos, start;
	int depth;
	bool in_str, esc;
} tend_kube_watch_parser;

#define TEND_KUBE_WATCH_PARSER_INIT                                                                \
	{                                                                                          \
		TEND_BUF_INIT, 0, 0, 0, false, false                                               \
	}

/* Calls fn for every complete top-level value; stops at fn's non-zero return. */
int tend_kube_watch_parser_feed(tend_kube_watch_parser *p, const char *data, size_t len,
                                int (*fn)(void *ud, const char *json, size_t len), void *ud);
void tend_kube_watch_parser_free(tend_kube_watch_parser *p);

/* Decodes one event line; *obj receives the object (caller frees). */
int tend_kube_watch_event_parse(const char *json, size_t len, tend_kube_event_type *type,
                                cJSON **obj);

typedef struct tend_kube_watch_opts {
	const char *label_selector;
	const char *field_selector;
	const char *resource_version; /* NULL or "": initial ADDED events for all objects */
	int timeout_s;                /* server-side timeoutSeconds; 0: 300..600 random */
	bool bookmarks;
	const tend_kube_identity *as;
} tend_kube_watch_opts;

/*
 * Called per event; takes ownership of obj. An ERROR event never reaches it:
 * the watch ends instead, with end's response carrying that Status (e.g.
 * code 410, reason Expired). Returning non-zero stops the watch (end is
 * then not called).
 */
typedef int (*tend_kube_event_fn)(void *ud, tend_kube_event_type type, cJSON *obj);
/* The stream ended: res->status NULL means a normal close by the server. */
typedef void (*tend_kube_watch_end_fn)(void *ud, const tend_kube_response *res);

void tend_kube_watch(tend_kube *k, const tend_kube_resource *r, const char *ns,
                     const tend_kube_watch_opts *o, tend_kube_event_fn on_event,
                     tend_kube_watch_end_fn on_end, void *ud, tend_kube_request **out);

/* ------------------------------------------------------------------------
 * Cache: an informer per resource type (cache.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_kube_cache tend_kube_cache;

typedef struct tend_kube_cache_handlers {
	void (*added)(void *ud, const cJSON *obj);
	void (*updated)(void *ud, const cJSON *old_obj, const cJSON *obj);
	void (*deleted)(void *ud, const cJSON *obj);
	void *ud;
} tend_kube_cache_handlers;

/* h may be NULL. The cache borrows k, which must outlive it. */
tend_kube_cache *tend_kube_cache_new(tend_kube *k, const tend_kube_cache_handlers *h);
void tend_kube_cache_free(tend_kube_cache *c);
/*
 * Starts an informer: list then watch r (all namespaces when ns is NULL)
 * for objects matching label_selector (NULL: all). Work happens as the
 * loop runs.
 */
int tend_kube_cache_add(tend_kube_cache *c, const tend_kube_resource *r, const char *ns,
                        const char *label_selector);
/*
 * Drops metadata.managedFields from objects as they enter the cache (off by
 * default). They are often half of an object's size; set this before
 * adding informers when callers never read them.
 */
void tend_kube_cache_strip_managed_fields(tend_kube_cache *c, bool on);
/*
 * Lets the owner shrink objects as they enter the cache (before callbacks
 * see them): drop what it never reads, e.g. other managers' managedFields
 * or the data of objects it does not manage. Set before adding informers.
 */
typedef void (*tend_kube_cache_transform_fn)(void *ud, cJSON *obj);
void tend_kube_cache_set_transform(tend_kube_cache *c, tend_kube_cache_transform_fn fn, void *ud);
/* True once every informer has completed its first list. */
bool tend_kube_cache_synced(const tend_kube_cache *c);
/* Drives the loop until synced or timeout; 0 when synced. */
int tend_kube_cache_wait_synced(tend_kube_cache *c, long timeout_ms);
/* A parsed copy of the cached object (caller deletes), or NULL. */
cJSON *tend_kube_cache_copy(const tend_kube_cache *c, const char *group, const char *kind,
                            const char *ns, const char *name);
size_t tend_kube_cache_len(const tend_kube_cache *c);
/* Calls fn with each cached object, parsed for the call. */
void tend_kube_cache_foreach(const tend_kube_cache *c, void (*fn)(void *ud, const cJSON *obj),
                             void *ud);
typedef struct tend_kube_cache_stats {
	unsigned long lists, watches, relists_410, events;
	size_t objects, json_bytes;  /* held, and their metadata's text without managedFields */
	size_t fields, fields_bytes; /* distinct managedFields texts, their size */
	size_t bodies, bodies_bytes; /* distinct texts of labels and of the rest of objects */
} tend_kube_cache_stats;
void tend_kube_cache_get_stats(const tend_kube_cache *c, tend_kube_cache_stats *out);

#endif
