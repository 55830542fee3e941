/*
 * http.c — the daemon's routes: probes, metrics, the status document and
 * the Git webhooks. Handlers run on the HTTP thread and touch only
 * snapshots, the metrics registry (both locked) and the atomic fetch
 * request the controller polls; the webhook secrets are guarded by their
 * own lock because SIGHUP may replace them.
 */
#include "daemon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEBHOOK_MAX_BODY (5u << 20) /* GitHub push payloads stay far below this */
/* Rejected deliveries are logged once per interval, with a count: anyone
 * who can reach the port could otherwise write the log. */
#define REJECT_LOG_EVERY_MS 60000

static int status_part_cmp(const void *a, const void *b)
{
	return strcmp(((const status_part *)a)->name, ((const status_part *)b)->name);
}

static void healthz(void *ud, const tend_http_request *req, tend_http_response *res)
{
	(void)ud, (void)req;
	tend_buf_puts(&res->body, "ok\n");
}

static void readyz(void *ud, const tend_http_request *req, tend_http_response *res)
{
	(void)req;
	tend_daemon *d = ud;
	char *s = tend_serve_snapshot(d->http, "readyz");
	char *down = tend_serve_snapshot(d->http, "cluster-down");
	if (down) {
		res->status = 503;
		tend_buf_printf(&res->body, "not ready: the API server is unreachable: %s\n", down);
	} else if (s) {
		tend_buf_puts(&res->body, "ok\n");
	} else {
		res->status = 503;
		tend_buf_puts(&res->body, "not ready: waiting for the watch caches and a first "
		                          "rendered revision\n");
	}
	free(s);
	free(down);
}

static void metrics(void *ud, const tend_http_request *req, tend_http_response *res)
{
	(void)req;
	tend_daemon *d = ud;
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	tend_metrics_render(d->metrics, &res->body);
}

/* The part of the published document holding project `name` (caller frees), or NULL. */
static char *project_part(tend_daemon *d, const char *name, uint64_t *version)
{
	for (int tries = 0; tries < 5; tries++) { /* a publish in between: look again */
		pthread_mutex_lock(&d->status_lock);
		status_part key = {name, 0};
		const status_part *hit = d->status_n ? bsearch(&key, d->status_index, d->status_n,
		                                               sizeof(key), status_part_cmp)
		                                     : NULL;
		size_t i = hit ? hit->i : 0;
		*version = d->status_version;
		pthread_mutex_unlock(&d->status_lock);
		if (!hit)
			return NULL;
		char *text = tend_serve_snapshot_part(d->http, "status", *version, i);
		if (text)
			return text;
	}
	return NULL;
}

/*
 * GET /api/v1/status: the whole document; ?project=NAME: that project's
 * object alone; ?summary=1: the document without projects, with their
 * counts by sync status and health. Each carries an ETag (the publish it
 * was read from), and If-None-Match with it is answered 304 with no body,
 * so a poller pays for a document only when something changed.
 */
static void status(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_daemon *d = ud;
	const char *project = tend_http_query(req, "project");
	const char *summary = tend_http_query(req, "summary");
	bool want_summary = summary && strcmp(summary, "0") != 0 && strcmp(summary, "false") != 0;
	const char *slot = want_summary ? "status-summary" : "status";
	res->content_type = "application/json";
	uint64_t v = tend_serve_version(d->http, slot);
	char etag[64];
	snprintf(etag, sizeof(etag), "\"%llx-%llu\"", (unsigned long long)d->boot_ms,
	         (unsigned long long)v);
	const char *inm = tend_http_header(req, "If-None-Match");
	if (v && inm && strcmp(inm, etag) == 0) {
		res->status = 304;
		memcpy(res->etag, etag, sizeof(etag));
		return;
	}
	char *s = NULL;
	if (project && !want_summary) {
		s = project_part(d, project, &v);
		if (!s && v) {
			res->status = 404;
			tend_buf_puts(&res->body, "{\"error\":\"no such project\"}\n");
			return;
		}
	} else if (want_summary) {
		v = 0;
		s = tend_serve_snapshot_newer(d->http, slot, &v);
	} else {
		/* the document as published (it ends in a newline), not a copy of
		 * it per poller: at 3,000 projects that is 11 MB a request */
		v = tend_serve_respond_slot(d->http, slot, res);
	}
	if (!s && !res->shared) {
		res->status = 503;
		tend_buf_puts(&res->body, "{\"error\":\"starting\"}\n");
		return;
	}
	snprintf(res->etag, sizeof(res->etag), "\"%llx-%llu\"", (unsigned long long)d->boot_ms,
	         (unsigned long long)v);
	if (!s)
		return;
	tend_buf_free(&res->body); /* the copy becomes the body */
	size_t len = strlen(s);
	res->body = (tend_buf){s, len, len + 1};
	tend_buf_putc(&res->body, '\n');
}

static void count(tend_daemon *d, const char *provider, const char *result)
{
	tend_metrics_add(d->metrics, "tend_webhook_deliveries_total",
	                 (const char *[]){"provider", provider, "result", result, NULL}, 1);
}

/* Logs a rejected delivery, or counts it when one was logged recently. */
static void log_rejected(tend_daemon *d, const char *provider, const char *why)
{
	int64_t now = daemon_now_ms();
	pthread_mutex_lock(&d->secret_lock);
	bool now_due = !d->reject_logged_at || now - d->reject_logged_at >= REJECT_LOG_EVERY_MS;
	unsigned long more = d->rejects_unlogged;
	if (now_due) {
		d->reject_logged_at = now;
		d->rejects_unlogged = 0;
	} else {
		d->rejects_unlogged++;
	}
	pthread_mutex_unlock(&d->secret_lock);
	if (!now_due)
		return;
	if (more)
		tend_log(TEND_LOG_WARN,
		         "webhook %s: %s, ignored (and %lu more rejected deliveries since the "
		         "last such line; tend_webhook_deliveries_total counts them all)",
		         provider, why, more);
	else
		tend_log(TEND_LOG_WARN, "webhook %s: %s, ignored", provider, why);
}

void daemon_flush_rejected(tend_daemon *d)
{
	int64_t now = daemon_now_ms();
	pthread_mutex_lock(&d->secret_lock);
	unsigned long more = 0;
	if (d->rejects_unlogged && now - d->reject_logged_at >= REJECT_LOG_EVERY_MS) {
		more = d->rejects_unlogged;
		d->rejects_unlogged = 0;
		d->reject_logged_at = now;
	}
	pthread_mutex_unlock(&d->secret_lock);
	if (more)
		tend_log(
		    TEND_LOG_WARN,
		    "webhook: %lu more rejected deliveries (bad signature or token) in the last "
		    "%d s",
		    more, REJECT_LOG_EVERY_MS / 1000);
}

/* Answers a delivery whose authenticity is `valid` (-1: no secret configured). */
static void deliver(tend_daemon *d, const char *provider, int valid, bool ping,
                    tend_http_response *res)
{
	if (valid < 0) {
		count(d, provider, "not_configured");
		res->status = 404;
		tend_buf_printf(&res->body, "no %s webhook secret is configured\n", provider);
		return;
	}
	if (!valid) {
		count(d, provider, "unauthorized");
		log_rejected(d, provider, "bad signature");
		res->status = 401;
		tend_buf_puts(&res->body, "signature does not match\n");
		return;
	}
	char *leading = tend_serve_snapshot(d->http, "leading");
	free(leading);
	if (!leading) {
		/* The leader fetches: the link marks the Lease, the leader's next
		 * renewal (within a retry period) sees the mark. */
		count(d, provider, "forwarded");
		if (!ping)
			atomic_store(&d->fetch_forward, 1);
		res->status = 202;
		tend_buf_puts(&res->body,
		              ping ? "pong (standby)\n"
		                   : "standby: passed to the leader through the Lease\n");
		return;
	}
	count(d, provider, ping ? "ping" : "accepted");
	if (ping) {
		tend_buf_puts(&res->body, "pong\n");
		return;
	}
	atomic_store(&d->fetch_requested, 1);
	res->status = 202;
	tend_buf_puts(&res->body, "fetch scheduled\n");
}

static void github(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_daemon *d = ud;
	const char *event = tend_http_header(req, "X-GitHub-Event");
	pthread_mutex_lock(&d->secret_lock);
	int valid = !d->github_secret
	                ? -1
	                : tend_webhook_github_valid(d->github_secret, d->github_secret_len,
	                                            req->body, req->body_len,
	                                            tend_http_header(req, "X-Hub-Signature-256"));
	pthread_mutex_unlock(&d->secret_lock);
	deliver(d, "github", valid, event && strcmp(event, "ping") == 0, res);
}

static void gitlab(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_daemon *d = ud;
	pthread_mutex_lock(&d->secret_lock);
	int valid = !d->gitlab_token
	                ? -1
	                : tend_webhook_gitlab_valid(d->gitlab_token, d->gitlab_token_len,
	                                            tend_http_header(req, "X-Gitlab-Token"));
	pthread_mutex_unlock(&d->secret_lock);
	deliver(d, "gitlab", valid, false, res);
}

void daemon_add_routes(tend_daemon *d)
{
	tend_serve_route(d->http, NULL, "/healthz", 0, healthz, d);
	tend_serve_route(d->http, NULL, "/readyz", 0, readyz, d);
	tend_serve_route(d->http, NULL, "/metrics", 0, metrics, d);
	tend_serve_route(d->http, NULL, "/api/v1/status", 0, status, d);
	tend_serve_route(d->http, "POST", "/webhook/github", WEBHOOK_MAX_BODY, github, d);
	tend_serve_route(d->http, "POST", "/webhook/gitlab", WEBHOOK_MAX_BODY, gitlab, d);
}
