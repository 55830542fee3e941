/*
 * transport.c — the client's one event loop: libcurl's multi interface
 * carrying every request and watch on the calling thread.
 *
 * A request moves pending (waiting for a rate-limit token) -> active (in
 * the multi handle) -> done, or back to delayed (a jittered exponential
 * backoff, or the server's Retry-After) when it failed with 429, a 5xx or
 * a connection error and has retries left. Other 4xx are final.
 *
 * Invariants: libcurl callbacks only copy bytes; user callbacks run from
 * tend_kube_step() outside libcurl, so they may submit or cancel anything.
 * Cancelling only flags a request; it is unlinked and freed by the sweep.
 */
#include "kube_internal.h"

#include "version.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum req_state { REQ_PENDING, REQ_DELAYED, REQ_ACTIVE };

struct kube_req {
	tend_kube *k;
	kube_req *prev, *next;
	enum req_state state;
	char *method, *url, *path, *ctype, *body;
	size_t body_len;
	char *as_user, *as_uid;
	tend_strvec as_groups;
	long timeout_ms;
	int (*on_data)(void *ud, const char *data, size_t len);
	tend_kube_done_fn done;
	void *ud;
	void (*cleanup)(void *ud); /* when freed without done having run */
	bool cancelled, aborted, auth_retried, done_called;
	int attempts;
	int64_t due;       /* delayed: when to move back to pending */
	int64_t queued_ms; /* pending: since when, for throttle stats */
	char *sent_token;
	CURL *easy;
	struct curl_slist *headers;
	tend_buf resp;
	long retry_after_s;
	long code_seen; /* status line seen in the header callback */
};

int64_t kube_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double kube_rand(tend_kube *k)
{
	uint64_t x = k->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	k->rng = x;
	return (double)(x >> 11) / (double)(1ULL << 53);
}

/* ---- lists ---- */

static void list_push(kube_list *l, kube_req *r)
{
	r->next = NULL;
	r->prev = l->tail;
	if (l->tail)
		l->tail->next = r;
	else
		l->head = r;
	l->tail = r;
}

static void list_unlink(kube_list *l, kube_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NULL;
}

/* ---- options and lifetime ---- */

void tend_kube_options_default(tend_kube_options *o)
{
	memset(o, 0, sizeof(*o));
	o->qps = 50;
	o->burst = 100;
	o->max_retries = 5;
	o->retry_base_ms = 200;
	o->retry_max_ms = 10000;
	o->timeout_ms = 30000;
	o->connect_timeout_ms = 10000;
	o->token_refresh_s = 60;
	o->max_connections = 64;
}

static int split_server(tend_kube *k)
{
	const char *s = k->cfg->server;
	const char *hs = strstr(s, "://");
	if (!hs)
		return tend_err("%s: server %s: missing scheme (https://)", k->cfg->origin, s);
	if (!k->cfg->tls_server_name) {
		k->base_url = tend_xstrdup(s);
		return 0;
	}
	/* Present tls-server-name in SNI and certificate checks while
	 * connecting to the real host: rewrite the URL, pin the connection. */
	hs += 3;
	const char *he = hs + strcspn(hs, "/");
	char *hostport = tend_xstrndup(hs, (size_t)(he - hs));
	const char *port = strrchr(hostport, ':');
	if (port && strchr(port, ']'))
		port = NULL;
	const char *defport = strncmp(s, "https", 5) == 0 ? "443" : "80";
	char *host =
	    port ? tend_xstrndup(hostport, (size_t)(port - hostport)) : tend_xstrdup(hostport);
	const char *p = port ? port + 1 : defport;
	k->base_url =
	    tend_xasprintf("%.*s%s:%s%s", (int)(hs - s), s, k->cfg->tls_server_name, p, he);
	char *ct = tend_xasprintf("%s:%s:%s:%s", k->cfg->tls_server_name, p, host, p);
	k->connect_to = curl_slist_append(NULL, ct);
	free(ct);
	free(host);
	free(hostport);
	return 0;
}

int tend_kube_new(const tend_kube_config *cfg, const tend_kube_options *opt, tend_kube **out)
{
	static bool global_done;
	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = true;
	}
	if (!cfg || !cfg->server || !*cfg->server)
		return tend_err("kube: no server configured");
	tend_kube *k = tend_xcalloc(1, sizeof(*k));
	k->cfg = kube_config_dup(cfg);
	if (opt)
		k->opt = *opt;
	else
		tend_kube_options_default(&k->opt);
	k->user_agent = tend_xstrdup(k->opt.user_agent ? k->opt.user_agent : "tend/" TEND_VERSION);
	k->opt.user_agent = k->user_agent;
	if (split_server(k)) {
		tend_kube_free(k);
		return -1;
	}
	k->multi = curl_multi_init();
	curl_multi_setopt(k->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	if (k->opt.max_connections > 0)
		curl_multi_setopt(k->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		                  (long)k->opt.max_connections);
	curl_multi_setopt(k->multi, CURLMOPT_MAXCONNECTS,
	                  (long)(k->opt.max_connections > 0 ? k->opt.max_connections : 64));
	k->share = curl_share_init();
	curl_share_setopt(k->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(k->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	k->tokens = k->opt.burst > 0 ? k->opt.burst : 1;
	k->refill_ms = kube_now_ms();
	k->rng = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid() ^
	         (uint64_t)(uintptr_t)k;
	if (!k->rng)
		k->rng = 1;
	k->last.retry_after_s = -1;
	*out = k;
	return 0;
}

void kube_req_set_cleanup(tend_kube_request *req, void (*cleanup)(void *ud))
{
	((kube_req *)req)->cleanup = cleanup;
}

static void req_free(kube_req *r)
{
	if (!r->done_called && r->cleanup)
		r->cleanup(r->ud);
	if (r->easy) {
		curl_multi_remove_handle(r->k->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->headers);
	free(r->method);
	free(r->url);
	free(r->path);
	free(r->ctype);
	free(r->body);
	free(r->as_user);
	free(r->as_uid);
	free(r->sent_token);
	tend_strvec_free(&r->as_groups);
	tend_buf_free(&r->resp);
	free(r);
}

void tend_kube_free(tend_kube *k)
{
	if (!k)
		return;
	kube_list *lists[] = {&k->pending, &k->delayed, &k->active};
	for (size_t i = 0; i < 3; i++) {
		while (lists[i]->head) {
			kube_req *r = lists[i]->head;
			list_unlink(lists[i], r);
			req_free(r);
		}
	}
	while (k->timers) {
		tend_kube_timer *t = k->timers;
		k->timers = t->next;
		free(t);
	}
	if (k->multi)
		curl_multi_cleanup(k->multi);
	if (k->share)
		curl_share_cleanup(k->share);
	curl_slist_free_all(k->connect_to);
	kube_discovery_free(k->disc);
	kube_creds_free(&k->creds);
	tend_kube_status_clear(&k->last);
	tend_kube_config_free(k->cfg);
	free(k->user_agent);
	free(k->base_url);
	free(k);
}

const tend_kube_config *tend_kube_get_config(const tend_kube *k)
{
	return k->cfg;
}

void tend_kube_get_stats(const tend_kube *k, tend_kube_stats *out)
{
	*out = k->stats;
}

void tend_kube_set_observer(tend_kube *k, tend_kube_observer_fn fn, void *ud)
{
	k->observe = fn;
	k->observe_ud = ud;
}

const tend_kube_status *tend_kube_last_status(const tend_kube *k)
{
	return &k->last;
}

/* ---- timers ---- */

tend_kube_timer *tend_kube_after(tend_kube *k, long ms, void (*fn)(void *ud), void *ud)
{
	tend_kube_timer *t = tend_xcalloc(1, sizeof(*t));
	t->due = kube_now_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->ud = ud;
	t->next = k->timers;
	k->timers = t;
	return t;
}

void tend_kube_timer_cancel(tend_kube *k, tend_kube_timer *t)
{
	for (tend_kube_timer **p = &k->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			free(t);
			return;
		}
	}
}

static void fire_timers(tend_kube *k, int64_t now)
{
	/* Take due timers out first: their callbacks may add or cancel timers. */
	for (;;) {
		tend_kube_timer **p = &k->timers, *t = NULL;
		for (; *p; p = &(*p)->next) {
			if ((*p)->due <= now) {
				t = *p;
				*p = t->next;
				break;
			}
		}
		if (!t)
			return;
		k->in_callback++;
		k->callbacks++;
		t->fn(t->ud);
		k->in_callback--;
		free(t);
	}
}

/* ---- submission ---- */

void tend_kube_submit(tend_kube *k, const tend_kube_call *c, tend_kube_done_fn done, void *ud,
                      tend_kube_request **out)
{
	kube_req *r = tend_xcalloc(1, sizeof(*r));
	r->k = k;
	r->method = tend_xstrdup(c->method ? c->method : "GET");
	r->path = tend_xstrdup(c->path);
	r->url = tend_xasprintf("%s%s", k->base_url, c->path);
	if (c->content_type)
		r->ctype = tend_xstrdup(c->content_type);
	if (c->body) {
		r->body = tend_xmalloc(c->body_len + 1);
		memcpy(r->body, c->body, c->body_len);
		r->body[c->body_len] = '\0';
		r->body_len = c->body_len;
	}
	const tend_kube_config *cfg = k->cfg;
	const char *u = c->as && c->as->user ? c->as->user : cfg->as_user;
	if (u)
		r->as_user = tend_xstrdup(u);
	const char *uid = c->as && c->as->user ? c->as->uid : cfg->as_uid;
	if (uid)
		r->as_uid = tend_xstrdup(uid);
	if (c->as && c->as->user) {
		for (size_t i = 0; i < c->as->ngroups; i++)
			tend_strvec_push(&r->as_groups, c->as->groups[i]);
	} else {
		for (size_t i = 0; i < cfg->as_groups.len; i++)
			tend_strvec_push(&r->as_groups, cfg->as_groups.items[i]);
	}
	r->timeout_ms = c->timeout_ms == 0 ? k->opt.timeout_ms : c->timeout_ms;
	r->on_data = c->on_data;
	r->done = done;
	r->ud = ud;
	r->retry_after_s = -1;
	r->state = REQ_PENDING;
	r->queued_ms = kube_now_ms();
	list_push(&k->pending, r);
	if (out)
		*out = (tend_kube_request *)r;
}

void tend_kube_cancel(tend_kube_request *req)
{
	if (req)
		((kube_req *)req)->cancelled = true;
}

/* ---- libcurl callbacks: copy bytes only ---- */

static size_t on_write(char *data, size_t size, size_t n, void *ud)
{
	kube_req *r = ud;
	if (r->cancelled || r->aborted)
		return 0;
	tend_buf_put(&r->resp, data, size * n);
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	kube_req *r = ud;
	size_t len = size * n;
	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after 100-continue or a redirect) starts over. */
		const char *sp = memchr(data, ' ', len);
		r->code_seen = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->retry_after_s = -1;
	} else if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		char tmp[32];
		size_t m = len - 12 < sizeof(tmp) - 1 ? len - 12 : sizeof(tmp) - 1;
		memcpy(tmp, data + 12, m);
		tmp[m] = '\0';
		char *end;
		long v = strtol(tmp, &end, 10);
		if (end != tmp && v >= 0)
			r->retry_after_s = v;
	}
	return len;
}

static void add_header(kube_req *r, const char *fmt, const char *v)
{
	char *h = tend_xasprintf(fmt, v);
	r->headers = curl_slist_append(r->headers, h);
	free(h);
}

/* TLS: verification stays on unless the kubeconfig turned it off. */
static void set_tls(tend_kube *k, CURL *e)
{
	const tend_kube_config *cfg = k->cfg;
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, cfg->insecure_skip_tls_verify ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, cfg->insecure_skip_tls_verify ? 0L : 2L);
	if (cfg->ca_data) {
		/* Only the configured CA is trusted, as client-go does. */
		struct curl_blob b = {cfg->ca_data, cfg->ca_len, CURL_BLOB_COPY};
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &b);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	const char *cert = cfg->cert_data, *key = cfg->key_data;
	size_t cert_len = cfg->cert_len, key_len = cfg->key_len;
	if (k->creds.exec_valid && k->creds.exec.cert) {
		cert = k->creds.exec.cert;
		cert_len = strlen(cert);
		key = k->creds.exec.key;
		key_len = key ? strlen(key) : 0;
	}
	if (cert && key) {
		struct curl_blob cb = {(void *)cert, cert_len, CURL_BLOB_COPY};
		struct curl_blob kb = {(void *)key, key_len, CURL_BLOB_COPY};
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
}

/* Credentials, content negotiation and impersonation. */
static void set_headers(tend_kube *k, kube_req *r, const char *token)
{
	const tend_kube_config *cfg = k->cfg;
	if (token && *token) {
		add_header(r, "Authorization: Bearer %s", token);
	} else if (cfg->username) {
		curl_easy_setopt(r->easy, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(r->easy, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
	}
	add_header(r, "Accept: %s", "application/json");
	if (r->ctype)
		add_header(r, "Content-Type: %s", r->ctype);
	if (r->as_user)
		add_header(r, "Impersonate-User: %s", r->as_user);
	for (size_t i = 0; i < r->as_groups.len; i++)
		add_header(r, "Impersonate-Group: %s", r->as_groups.items[i]);
	if (r->as_uid)
		add_header(r, "Impersonate-Uid: %s", r->as_uid);
	r->headers = curl_slist_append(r->headers, "Expect:");
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
}

static int start_req(tend_kube *k, kube_req *r)
{
	const char *token = NULL;
	if (kube_creds_token(k, &token))
		return -1;
	CURL *e = curl_easy_init();
	r->easy = e;
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	tend_buf_reset(&r->resp);
	r->code_seen = 0;
	r->retry_after_s = -1;
	free(r->sent_token);
	r->sent_token = tend_xstrdup(token ? token : "");
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_SHARE, k->share);
	curl_easy_setopt(e, CURLOPT_USERAGENT, k->user_agent);
	/* HTTP/2 when the server offers it in ALPN; requests then share one
	 * connection (PIPEWAIT prefers waiting for it to a new one). */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, k->opt.connect_timeout_ms);
	if (r->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	if (!r->on_data)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (k->connect_to)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, k->connect_to);
	if (k->cfg->proxy_url)
		curl_easy_setopt(e, CURLOPT_PROXY, k->cfg->proxy_url);
	set_tls(k, e);
	set_headers(k, r, token);
	if (strcmp(r->method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	}
	r->attempts++;
	k->stats.requests++;
	curl_multi_add_handle(k->multi, e);
	return 0;
}

/* ---- completion ---- */

static bool idempotent(const char *method)
{
	return strcmp(method, "POST") != 0;
}

/* Failures below HTTP that another attempt may fix. */
static bool retryable_curl(CURLcode rc, const char *method)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return true; /* nothing was sent */
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		/* The server may have acted on a POST; a retried create would
		 * then fail with AlreadyExists, so only idempotent verbs. */
		return idempotent(method);
	default:
		return false;
	}
}

static long backoff_ms(tend_kube *k, kube_req *r)
{
	if (r->retry_after_s >= 0) {
		/* Honour Retry-After, plus a little jitter to spread clients. */
		long base = r->retry_after_s * 1000;
		return base + (long)(kube_rand(k) * 100);
	}
	double d = (double)k->opt.retry_base_ms * pow(2.0, r->attempts - 1);
	if (d > (double)k->opt.retry_max_ms)
		d = (double)k->opt.retry_max_ms;
	return (long)(d / 2 + kube_rand(k) * d / 2);
}

static void finish(tend_kube *k, kube_req *r, CURLcode rc, long code)
{
	tend_kube_status st = {0};
	tend_buf err = TEND_BUF_INIT;
	tend_kube_response res = {0};
	res.code = rc == CURLE_OK ? code : 0;
	res.body = r->resp.data ? r->resp.data : "";
	res.body_len = r->resp.len;
	res.attempts = r->attempts;
	bool failed = rc != CURLE_OK || code < 200 || code >= 300;
	if (failed) {
		if (rc != CURLE_OK) {
			st.code = 0;
			st.reason = tend_xstrdup("");
			st.message = tend_xstrdup(curl_easy_strerror(rc));
			st.retry_after_s = -1;
		} else {
			tend_kube_status_parse(code, res.body, res.body_len, &st);
		}
		tend_buf_printf(&err, "%s %s: ", r->method, r->path);
		tend_kube_status_format(&st, &err);
		if (r->attempts > 1)
			tend_buf_printf(&err, " (after %d attempts)", r->attempts);
		res.status = &st;
		res.error = err.data;
	}
	if (r->done && !r->cancelled) {
		r->done_called = true;
		k->callbacks++;
		k->in_callback++;
		r->done(r->ud, &res);
		k->in_callback--;
	}
	tend_kube_status_clear(&st);
	tend_buf_free(&err);
	req_free(r);
}

static void completed(tend_kube *k, kube_req *r, CURLcode rc)
{
	long code = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (k->observe && !r->cancelled)
		k->observe(k->observe_ud, r->method, rc == CURLE_OK ? code : 0);
	list_unlink(&k->active, r);
	curl_multi_remove_handle(k->multi, r->easy);
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
	if (r->cancelled || r->aborted) {
		req_free(r);
		return;
	}
	if (rc == CURLE_OK && code == 401 && !r->auth_retried &&
	    kube_creds_invalidate(k, r->sent_token)) {
		/* A rotated token or an expired plugin credential: once more. */
		r->auth_retried = true;
		r->state = REQ_PENDING;
		list_push(&k->pending, r);
		return;
	}
	/* Streams are never retried here: their consumer resumes them. */
	bool retry = false;
	if (!r->on_data) {
		if (rc != CURLE_OK)
			retry = retryable_curl(rc, r->method);
		else
			retry = code == 429 || (code >= 500 && code != 501);
	}
	if (retry && r->attempts <= k->opt.max_retries) {
		long d = backoff_ms(k, r);
		tend_log(TEND_LOG_DEBUG, "kube: %s %s: %s; retry %d in %ld ms", r->method, r->path,
		         rc != CURLE_OK ? curl_easy_strerror(rc) : "server error", r->attempts, d);
		k->stats.retries++;
		r->state = REQ_DELAYED;
		r->due = kube_now_ms() + d;
		list_push(&k->delayed, r);
		return;
	}
	finish(k, r, rc, code);
}

static void drain_msgs(tend_kube *k)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(k->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		kube_req *r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		completed(k, r, m->data.result);
	}
}

/* Hands streamed bytes to their consumers, outside libcurl callbacks. */
static void dispatch_streams(tend_kube *k)
{
	for (kube_req *r = k->active.head; r; r = r->next) {
		if (!r->on_data || r->cancelled || r->aborted || r->resp.len == 0)
			continue;
		long code = r->code_seen;
		if (code < 200 || code >= 300)
			continue; /* an error body is collected whole for its Status */
		k->in_callback++;
		k->callbacks++;
		int stop = r->on_data(r->ud, r->resp.data, r->resp.len);
		k->in_callback--;
		tend_buf_reset(&r->resp);
		if (stop)
			r->aborted = true;
	}
}

static void sweep(tend_kube *k)
{
	kube_list *lists[] = {&k->pending, &k->delayed, &k->active};
	for (size_t i = 0; i < 3; i++) {
		kube_req *r = lists[i]->head;
		while (r) {
			kube_req *next = r->next;
			if (r->cancelled || r->aborted) {
				list_unlink(lists[i], r);
				req_free(r);
			}
			r = next;
		}
	}
}

/* Token bucket: true when a request may start now; else *wait_ms. */
static bool rate_take(tend_kube *k, int64_t now, long *wait_ms)
{
	if (k->opt.qps <= 0)
		return true;
	double cap = k->opt.burst > 0 ? k->opt.burst : 1;
	k->tokens += (double)(now - k->refill_ms) * k->opt.qps / 1000.0;
	k->refill_ms = now;
	if (k->tokens > cap)
		k->tokens = cap;
	if (k->tokens >= 1) {
		k->tokens -= 1;
		return true;
	}
	*wait_ms = (long)ceil((1 - k->tokens) * 1000.0 / k->opt.qps);
	return false;
}

static long start_pending(tend_kube *k, int64_t now)
{
	for (kube_req *r = k->delayed.head; r;) {
		kube_req *next = r->next;
		if (r->due <= now) {
			list_unlink(&k->delayed, r);
			r->state = REQ_PENDING;
			r->queued_ms = now;
			list_push(&k->pending, r);
		}
		r = next;
	}
	long wait = -1;
	while (k->pending.head) {
		kube_req *r = k->pending.head;
		if (!rate_take(k, now, &wait))
			break;
		list_unlink(&k->pending, r);
		k->stats.throttled_ms += (unsigned long)(now - r->queued_ms);
		r->state = REQ_ACTIVE;
		list_push(&k->active, r);
		if (start_req(k, r)) {
			/* Credentials could not be obtained: fail the request. */
			list_unlink(&k->active, r);
			tend_kube_status st = {
			    0, tend_xstrdup(""), tend_xstrdup(tend_err_msg()), NULL, 0, -1};
			tend_kube_response res = {0, "", 0, &st, tend_err_msg(), r->attempts};
			if (r->done) {
				r->done_called = true;
				k->callbacks++;
				k->in_callback++;
				r->done(r->ud, &res);
				k->in_callback--;
			}
			tend_kube_status_clear(&st);
			req_free(r);
		}
	}
	return wait;
}

static long next_wait(tend_kube *k, long max_wait, long rate_wait, int64_t now)
{
	long w = max_wait;
	if (rate_wait >= 0 && rate_wait < w)
		w = rate_wait;
	for (kube_req *r = k->delayed.head; r; r = r->next)
		if (r->due - now < w)
			w = (long)(r->due - now);
	for (tend_kube_timer *t = k->timers; t; t = t->next)
		if (t->due - now < w)
			w = (long)(t->due - now);
	long ct = -1;
	curl_multi_timeout(k->multi, &ct);
	if (ct >= 0 && ct < w)
		w = ct;
	return w < 0 ? 0 : w;
}

int tend_kube_step(tend_kube *k, long max_wait_ms)
{
	int running = 0;
	sweep(k);
	unsigned long before = k->callbacks;
	int64_t now = kube_now_ms();
	fire_timers(k, now);
	long rate_wait = start_pending(k, now);
	curl_multi_perform(k->multi, &running);
	dispatch_streams(k);
	drain_msgs(k);
	sweep(k);
	now = kube_now_ms();
	long w = next_wait(k, max_wait_ms, rate_wait, now);
	/* Callbacks ran: return to the caller, whose condition may now hold,
	 * instead of sleeping on a loop that has nothing more to say. */
	if (k->callbacks != before)
		w = 0;
	if (w > 0)
		curl_multi_poll(k->multi, NULL, 0, (int)(w > 1000000 ? 1000000 : w), NULL);
	curl_multi_perform(k->multi, &running);
	dispatch_streams(k);
	drain_msgs(k);
	now = kube_now_ms();
	fire_timers(k, now);
	start_pending(k, now);
	sweep(k);
	int n = 0;
	kube_list *lists[] = {&k->pending, &k->delayed, &k->active};
	for (size_t i = 0; i < 3; i++)
		for (kube_req *r = lists[i]->head; r; r = r->next)
			n++;
	return n;
}

void tend_kube_wakeup(tend_kube *k)
{
	curl_multi_wakeup(k->multi);
}

/* ---- synchronous calls ---- */

typedef struct sync_state {
	bool done;
	long code;
	tend_buf *body;
	tend_kube_status st;
	char *error;
} sync_state;

static void copy_status(tend_kube_status *dst, const tend_kube_status *src)
{
	tend_kube_status_clear(dst);
	dst->code = src->code;
	dst->reason = tend_xstrdup(src->reason ? src->reason : "");
	dst->message = tend_xstrdup(src->message ? src->message : "");
	dst->retry_after_s = src->retry_after_s;
	if (src->ncauses) {
		dst->causes = tend_xcalloc(src->ncauses, sizeof(*dst->causes));
		dst->ncauses = src->ncauses;
		for (size_t i = 0; i < src->ncauses; i++) {
			const tend_kube_cause *c = &src->causes[i];
			dst->causes[i].reason = c->reason ? tend_xstrdup(c->reason) : NULL;
			dst->causes[i].message = c->message ? tend_xstrdup(c->message) : NULL;
			dst->causes[i].field = c->field ? tend_xstrdup(c->field) : NULL;
		}
	}
}

static void sync_done(void *ud, const tend_kube_response *res)
{
	sync_state *s = ud;
	s->done = true;
	s->code = res->code;
	if (s->body)
		tend_buf_put(s->body, res->body, res->body_len);
	if (res->status) {
		copy_status(&s->st, res->status);
		s->error = tend_xstrdup(res->error);
	}
}

int kube_fail(tend_kube *k, const tend_kube_response *res)
{
	copy_status(&k->last, res->status);
	return tend_err("%s", res->error);
}

int tend_kube_request_sync(tend_kube *k, const tend_kube_call *call, long *code, tend_buf *body)
{
	if (k->in_callback)
		return tend_err("kube: a synchronous call cannot run inside a tend_kube callback");
	sync_state s = {0};
	s.body = body;
	s.st.retry_after_s = -1;
	tend_kube_request *req;
	tend_kube_submit(k, call, sync_done, &s, &req);
	while (!s.done)
		tend_kube_step(k, 1000);
	if (code)
		*code = s.code;
	if (s.error) {
		tend_kube_status_clear(&k->last);
		k->last = s.st;
		tend_err("%s", s.error);
		free(s.error);
		return -1;
	}
	tend_kube_status_clear(&k->last);
	k->last.code = s.code;
	k->last.retry_after_s = -1;
	return 0;
}

void kube_query_add(tend_buf *path, const char *key, const char *value)
{
	bool has_q = path->data && strchr(path->data, '?');
	char *esc = curl_easy_escape(NULL, value, 0);
	tend_buf_printf(path, "%c%s=%s", has_q ? '&' : '?', key, esc);
	curl_free(esc);
}

int kube_call_json(tend_kube *k, const char *method, const char *path, const char *ctype,
                   const cJSON *body, const tend_kube_identity *as, cJSON **out)
{
	tend_buf b = TEND_BUF_INIT, resp = TEND_BUF_INIT;
	if (body)
		tend_kube_json_emit(body, &b);
	tend_kube_call c = {0};
	c.method = method;
	c.path = path;
	c.content_type = body ? ctype : NULL;
	c.body = body ? b.data : NULL;
	c.body_len = b.len;
	c.as = as;
	int rc = tend_kube_request_sync(k, &c, NULL, &resp);
	tend_buf_free(&b);
	if (rc == 0 && out) {
		if (tend_kube_json_parse(resp.data ? resp.data : "", resp.len, out)) {
			tend_err_prefix("%s %s: response: ", method, path);
			rc = -1;
		}
	}
	tend_buf_free(&resp);
	return rc;
}
