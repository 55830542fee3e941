/*
 * serve.h — the daemon's HTTP side (libmicrohttpd on its own thread): a
 * small router that later pages (the status UI) extend with more routes,
 * a Prometheus metrics registry, and Git webhook verification.
 *
 * Threading: handlers run on the HTTP thread. They must not touch the
 * controller's state; they read snapshots published under a lock
 * (tend_serve_publish, the metrics registry) and ask the controller for
 * work through callbacks that only set a flag and wake its loop.
 *
 * Memory: tend_serve and tend_metrics own everything they store; strings
 * passed in are copied.
 */
#ifndef TEND_SERVE_H
#define TEND_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* ------------------------------------------------------------------------
 * Metrics registry, rendered in Prometheus text format 0.0.4 (metrics.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_metrics tend_metrics;

typedef enum tend_metric_type {
	TEND_METRIC_COUNTER,
	TEND_METRIC_GAUGE,
	TEND_METRIC_HISTOGRAM,
} tend_metric_type;

tend_metrics *tend_metrics_new(void);
void tend_metrics_free(tend_metrics *m);
/*
 * Declares a family before its first use. `buckets` (ascending upper
 * bounds, +Inf implied) only for histograms. Declaring twice is a no-op.
 */
void tend_metrics_declare(tend_metrics *m, const char *name, tend_metric_type type,
                          const char *help, const double *buckets, size_t nbuckets);
/*
 * Label sets are NULL-terminated name/value pairs, e.g.
 * (const char *[]){"project", "alpha", "result", "ok", NULL}; NULL for none.
 * Values are escaped on output. Using an undeclared family is a no-op.
 */
void tend_metrics_add(tend_metrics *m, const char *name, const char *const *labels, double v);
void tend_metrics_set(tend_metrics *m, const char *name, const char *const *labels, double v);
void tend_metrics_observe(tend_metrics *m, const char *name, const char *const *labels, double v);
/* Drops every series of a family (a gauge whose label sets changed). */
void tend_metrics_reset(tend_metrics *m, const char *name);
/* Removes every series of the family whose label set begins with these
 * labels, in this order ({"project", "a", NULL}: all of project a's). */
void tend_metrics_remove(tend_metrics *m, const char *name, const char *const *labels);
/* Current value of a counter or gauge series (0 when absent); for tests. */
double tend_metrics_value(tend_metrics *m, const char *name, const char *const *labels);
/* Appends the exposition text; families with no series are left out. */
void tend_metrics_render(tend_metrics *m, tend_buf *out);

/* ------------------------------------------------------------------------
 * Webhook signatures (webhook.c)
 * ---------------------------------------------------------------------- */

/*
 * GitHub: `header` is X-Hub-Signature-256, "sha256=" and the hex HMAC-SHA256
 * of the raw body under the secret. Compared in constant time.
 */
bool tend_webhook_github_valid(const char *secret, size_t secret_len, const char *body,
                               size_t body_len, const char *header);
/* GitLab: X-Gitlab-Token equals the secret; constant time in both lengths. */
bool tend_webhook_gitlab_valid(const char *secret, size_t secret_len, const char *header);

/* ------------------------------------------------------------------------
 * The server and its router (server.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_serve tend_serve;
typedef struct tend_serve_text tend_serve_text; /* a published text (server.c) */

typedef struct tend_http_request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* without the query string */
	const char *body;   /* NUL-terminated copy; "" when empty */
	size_t body_len;
	void *conn; /* for tend_http_header / tend_http_query */
} tend_http_request;

/* A request header or query argument (case-insensitive name), or NULL. */
const char *tend_http_header(const tend_http_request *req, const char *name);
const char *tend_http_query(const tend_http_request *req, const char *name);

typedef struct tend_http_response {
	int status;               /* default 200 */
	const char *content_type; /* static string; default "text/plain; charset=utf-8" */
	tend_buf body;
	/* Extra headers: NULL-terminated name/value pairs of static strings, or NULL. */
	const char *const *headers;
	/* Sent as the ETag header when not empty (a quoted string, e.g. "\"1a-7\""). */
	char etag[64];
	/* Set by tend_serve_respond_slot: sent instead of body, without a copy. */
	tend_serve_text *shared;
} tend_http_response;

typedef void (*tend_http_handler)(void *ud, const tend_http_request *req, tend_http_response *res);

tend_serve *tend_serve_new(void);
/*
 * Adds a route before tend_serve_start. `path` is matched exactly, or as a
 * prefix when it ends in '*'. `method` NULL accepts GET and HEAD. A body
 * larger than max_body is answered 413 without calling the handler.
 * Requests to a known path with another method get 405, others 404.
 */
void tend_serve_route(tend_serve *s, const char *method, const char *path, size_t max_body,
                      tend_http_handler fn, void *ud);
/*
 * Listens on "HOST:PORT", "[V6]:PORT" or ":PORT" (all interfaces); port 0
 * picks a free one (see tend_serve_port).
 */
int tend_serve_start(tend_serve *s, const char *listen);
int tend_serve_port(const tend_serve *s);
/*
 * A second listener that serves only `paths` (NULL-terminated, e.g. the
 * probes) with connections of its own: the kubelet's probes are answered
 * while slow clients hold the main listener's. After tend_serve_start.
 */
int tend_serve_start_probes(tend_serve *s, const char *listen, const char *const *paths);
int tend_serve_probe_port(const tend_serve *s);
/*
 * Host names requests may carry (case-insensitive, port ignored); others
 * get 421. IP literals and "localhost" always pass, and n == 0 allows any
 * Host. Safe while serving (a reload).
 */
void tend_serve_allow_hosts(tend_serve *s, const char *const *hosts, size_t n);
/* Stops the server (waiting for running handlers) and frees it; NULL ok. */
void tend_serve_free(tend_serve *s);

/*
 * A text document the controller replaces whenever its state changes and
 * handlers copy under the lock (e.g. the /api/v1/status JSON). Slots are
 * named; a missing slot reads as NULL.
 */
void tend_serve_publish(tend_serve *s, const char *slot, const char *text);
/* tend_serve_publish of text that the slot takes over (no copy: for large
 * documents); returns the publish's version (see tend_serve_snapshot_newer). */
uint64_t tend_serve_publish_take(tend_serve *s, const char *slot, char *text);
/*
 * A document of parts: head, then the parts joined by sep (up to 7 bytes),
 * then tail. The slot takes head, tail and the caller's reference to each
 * part. A part that did not change since the last publish is handed in
 * again (tend_serve_part_hold) rather than copied, so a large document
 * that changes a little costs a little: at 10,000 projects the status
 * document is 40 MB, and no copy of it is ever made.
 */
typedef struct tend_serve_part tend_serve_part;
/* A part holding text (taken) of len bytes; one reference, the caller's. */
tend_serve_part *tend_serve_part_new(char *text, size_t len);
tend_serve_part *tend_serve_part_hold(tend_serve_part *p); /* NULL-safe; returns p */
void tend_serve_part_drop(tend_serve_part *p);             /* NULL-safe; any thread */
const char *tend_serve_part_text(const tend_serve_part *p, size_t *len);
uint64_t tend_serve_publish_parts(tend_serve *s, const char *slot, char *head,
                                  tend_serve_part **parts, size_t n, const char *sep, char *tail);
/* The version of the slot's last publish; 0 when never published. */
uint64_t tend_serve_version(tend_serve *s, const char *slot);
/*
 * A copy of part i of the slot's document of parts, only while the slot
 * still holds publish `version` (found through an index made with it);
 * NULL when it changed or has no such part.
 */
char *tend_serve_snapshot_part(tend_serve *s, const char *slot, uint64_t version, size_t i);
/* A copy of the slot's text (caller frees), or NULL. */
char *tend_serve_snapshot(tend_serve *s, const char *slot);
/*
 * For readers that keep what they make of a slot (the status page keeps
 * the parsed document): when the slot was published since *version, sets
 * *version to that publish and returns a copy of its text (NULL if the
 * slot was cleared); otherwise NULL with *version unchanged. Versions
 * start at 1, so 0 means "never read".
 */
char *tend_serve_snapshot_newer(tend_serve *s, const char *slot, uint64_t *version);
/*
 * Like tend_serve_snapshot_newer, a reference to the text itself instead of
 * a copy (NULL when not newer, or cleared): for a reader that keeps what
 * it makes of a document of parts, part by part, without one string of
 * the whole. Dropped with tend_serve_text_drop (NULL-safe).
 */
tend_serve_text *tend_serve_hold_newer(tend_serve *s, const char *slot, uint64_t *version);
void tend_serve_text_drop(tend_serve_text *t);
/* Its parts (0 for one string), part i, part i's id (never the same for
 * two parts of a process, so a reader that keeps what it made of a part
 * knows it again in a later document without holding it), and the
 * document without its parts (head and tail; the whole of one string),
 * caller frees. */
size_t tend_serve_text_parts(const tend_serve_text *t);
const char *tend_serve_text_part(const tend_serve_text *t, size_t i, size_t *len);
uint64_t tend_serve_text_part_id(const tend_serve_text *t, size_t i);
char *tend_serve_text_frame(const tend_serve_text *t);
/*
 * Makes res's body the slot's text as it is now, without a copy (a large
 * document polled by many clients): the text stays until the response is
 * sent, however often the slot is published meanwhile. Returns the
 * publish's version, or 0 when the slot holds no text (res untouched).
 */
uint64_t tend_serve_respond_slot(tend_serve *s, const char *slot, tend_http_response *res);

#endif
