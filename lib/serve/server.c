/*
 * server.c — the HTTP server: libmicrohttpd with its own polling thread, a
 * route table fixed before start, request bodies collected up to each
 * route's limit, and named text snapshots the controller publishes.
 *
 * Invariants: a handler never sees a body over its route's limit (413 is
 * sent first, before the body is read when Content-Length announces it);
 * snapshots are swapped and copied under one mutex, so a reader never sees
 * a half-written document. A snapshot's text is reference-counted: a
 * response may send it as it is (tend_serve_respond_slot), and it stays
 * until the last such response is sent, however often the slot is
 * published meanwhile — a status document of thousands of projects is
 * not copied once per poller.
 *
 * Staying up: each listener caps connections per client address and drops
 * idle ones after a short timeout, so one client cannot hold them all; an
 * optional second listener serves only the probe paths, with connections
 * of its own, so slow clients on the main port never starve the kubelet.
 * With allowed hosts set, a request naming another Host is refused (DNS
 * rebinding); IP literals and localhost always pass.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

typedef struct route {
	char *method; /* NULL: GET and HEAD */
	char *path;
	bool prefix;
	size_t max_body;
	tend_http_handler fn;
	void *ud;
} route;

/* A part of documents (tend_serve_publish_parts), held by each one and by
 * its maker: any thread may drop a reference. */
struct tend_serve_part {
	atomic_size_t refs;
	uint64_t id; /* never the same twice in a process */
	size_t len;
	char *text;
};

/*
 * A published text, held by its slot and by each response sending it:
 * one string, or a document of parts (head, the parts joined by sep,
 * tail) which is never made into one string: a response reads it in
 * place, and the parts that did not change are shared with the document
 * published before.
 */
struct tend_serve_text {
	tend_serve *owner;
	size_t refs; /* under owner->lock */
	size_t len;  /* of the whole document */
	char *text;  /* the one string, or the head of a document of parts */
	size_t head_len;
	tend_serve_part **parts; /* NULL: one string */
	size_t *starts;          /* where part i's separator (i > 0) or text begins */
	size_t n;
	char sep[8];
	size_t sep_len;
	char *tail;
	size_t tail_len;
};

typedef struct slot {
	char *name;
	tend_serve_text *text; /* NULL: cleared */
	uint64_t version;      /* the publish that set text: increasing across all slots */
} slot;

/* What one listener serves: everything, or only the probe paths. */
typedef struct listener {
	struct tend_serve *s;
	struct MHD_Daemon *d;
	int port;
	tend_strvec only; /* empty: every route */
} listener;

struct tend_serve {
	route *routes;
	size_t nroutes;
	struct MHD_Daemon *d;
	int port;
	listener main, probe;
	tend_strvec allowed_hosts; /* under lock; empty: any Host */
	pthread_mutex_t lock;
	slot *slots;
	size_t nslots;
	uint64_t publishes;
};

/* Per-connection state while a request body arrives. */
typedef struct pending {
	const route *r;
	tend_buf body;
} pending;

tend_serve_part *tend_serve_part_new(char *text, size_t len)
{
	static atomic_uint_fast64_t made;
	tend_serve_part *p = tend_xcalloc(1, sizeof(*p));
	atomic_init(&p->refs, 1);
	p->id = atomic_fetch_add(&made, 1) + 1;
	p->len = len;
	p->text = text;
	return p;
}

tend_serve_part *tend_serve_part_hold(tend_serve_part *p)
{
	if (p)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

void tend_serve_part_drop(tend_serve_part *p)
{
	if (p && atomic_fetch_sub(&p->refs, 1) == 1) {
		free(p->text);
		free(p);
	}
}

const char *tend_serve_part_text(const tend_serve_part *p, size_t *len)
{
	*len = p->len;
	return p->text;
}

/* Drops one reference to t; the caller holds s->lock. */
static void text_release_locked(tend_serve_text *t)
{
	if (t && --t->refs == 0) {
		for (size_t i = 0; i < t->n; i++)
			tend_serve_part_drop(t->parts[i]);
		free(t->parts);
		free(t->starts);
		free(t->tail);
		free(t->text);
		free(t);
	}
}

/* The document's segment k (head; the separator before part i at 2i + 1,
 * empty for the first; part i at 2i + 2; the tail at 2n + 1). */
static const char *segment(const tend_serve_text *t, size_t k, size_t *len)
{
	if (k == 0) {
		*len = t->head_len;
		return t->text;
	}
	if (k == 2 * t->n + 1) {
		*len = t->tail_len;
		return t->tail;
	}
	size_t i = (k - 1) / 2;
	if (k % 2) {
		*len = i ? t->sep_len : 0;
		return t->sep;
	}
	*len = t->parts[i]->len;
	return t->parts[i]->text;
}

/* Copies bytes [pos, pos + max) of t's document (less at its end) into
 * buf; returns how many. */
static size_t text_copy(const tend_serve_text *t, size_t pos, char *buf, size_t max)
{
	if (pos >= t->len)
		return 0;
	if (max > t->len - pos)
		max = t->len - pos;
	if (!t->parts) {
		memcpy(buf, t->text + pos, max);
		return max;
	}
	/* the first segment holding pos: the head, else the last part starting at or before it */
	size_t k = 0, at = 0;
	if (pos >= t->head_len && t->n) {
		size_t lo = 0, hi = t->n;
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (t->starts[mid] <= pos)
				lo = mid;
			else
				hi = mid;
		}
		k = 2 * lo + 1;
		at = t->starts[lo];
	}
	size_t done = 0;
	for (; done < max && k <= 2 * t->n + 1; k++) {
		size_t len;
		const char *seg = segment(t, k, &len);
		if (pos < at + len) {
			size_t from = pos - at, n = len - from;
			if (n > max - done)
				n = max - done;
			memcpy(buf + done, seg + from, n);
			done += n;
			pos += n;
		}
		at += len;
	}
	return done;
}

/* t's whole document as one string (caller frees). */
static char *text_dup(const tend_serve_text *t)
{
	char *copy = tend_xmalloc(t->len + 1);
	text_copy(t, 0, copy, t->len);
	copy[t->len] = '\0';
	return copy;
}

/* libmicrohttpd is done sending a shared text. */
static void text_sent(void *cls)
{
	tend_serve_text *t = cls;
	tend_serve *s = t->owner;
	pthread_mutex_lock(&s->lock);
	text_release_locked(t);
	pthread_mutex_unlock(&s->lock);
}

tend_serve *tend_serve_new(void)
{
	tend_serve *s = tend_xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->main.s = s->probe.s = s;
	return s;
}

void tend_serve_route(tend_serve *s, const char *method, const char *path, size_t max_body,
                      tend_http_handler fn, void *ud)
{
	s->routes = tend_xrealloc(s->routes, (s->nroutes + 1) * sizeof(route));
	route *r = &s->routes[s->nroutes++];
	size_t n = strlen(path);
	r->prefix = n > 0 && path[n - 1] == '*';
	r->path = tend_xstrndup(path, r->prefix ? n - 1 : n);
	r->method = method ? tend_xstrdup(method) : NULL;
	r->max_body = max_body;
	r->fn = fn;
	r->ud = ud;
}

static bool path_matches(const route *r, const char *url)
{
	return r->prefix ? strncmp(url, r->path, strlen(r->path)) == 0 : strcmp(url, r->path) == 0;
}

static bool method_matches(const route *r, const char *method)
{
	if (!r->method)
		return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	return strcmp(method, r->method) == 0;
}

/* The route for (url, method); *known_path tells 405 from 404. */
static const route *find_route(const tend_serve *s, const char *url, const char *method,
                               bool *known_path)
{
	*known_path = false;
	for (size_t i = 0; i < s->nroutes; i++) {
		if (!path_matches(&s->routes[i], url))
			continue;
		*known_path = true;
		if (method_matches(&s->routes[i], method))
			return &s->routes[i];
	}
	return NULL;
}

/* Sends resp with its headers (and drops the caller's reference to it). */
static enum MHD_Result queue(struct MHD_Connection *conn, int status, struct MHD_Response *resp,
                             const char *type, const char *const *headers, const char *etag)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (etag && *etag)
		MHD_add_response_header(resp, "ETag", etag);
	for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* take: data is malloc'd and the response frees it (no copy of a large body). */
static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *type,
                                 const char *data, size_t len, const char *const *headers,
                                 const char *etag, bool take)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    len, (void *)data, take ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
	if (!resp) {
		if (take)
			free((void *)data);
		return MHD_NO;
	}
	return queue(conn, status, resp, type, headers, etag);
}

/* libmicrohttpd reads the next bytes of a document of parts. */
static ssize_t text_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	const tend_serve_text *t = cls;
	if (pos >= t->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return (ssize_t)text_copy(t, (size_t)pos, buf, max);
}

/* A slot's text as the body, released once sent (tend_serve_respond_slot). */
static enum MHD_Result send_shared(struct MHD_Connection *conn, const tend_http_response *res)
{
	tend_serve_text *t = res->shared;
	struct MHD_Response *resp =
	    t->parts ? MHD_create_response_from_callback(t->len, 64 * 1024, text_read, t, text_sent)
	             : MHD_create_response_from_buffer_with_free_callback_cls(t->len, t->text,
	                                                                      text_sent, t);
	if (!resp) {
		text_sent(t);
		return MHD_NO;
	}
	return queue(conn, res->status, resp,
	             res->content_type ? res->content_type : "text/plain; charset=utf-8",
	             res->headers, res->etag);
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status, const char *msg)
{
	return send_text(conn, status, "text/plain; charset=utf-8", msg, strlen(msg), NULL, NULL,
	                 false);
}

const char *tend_http_header(const tend_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *tend_http_query(const tend_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result dispatch(struct MHD_Connection *conn, const route *r, const char *url,
                                const char *method, pending *p)
{
	tend_http_request req = {method, url, p->body.len ? p->body.data : "", p->body.len, conn};
	tend_http_response res = {200, NULL, TEND_BUF_INIT, NULL, "", NULL};
	r->fn(r->ud, &req, &res);
	if (res.shared) {
		tend_buf_free(&res.body);
		return send_shared(conn, &res);
	}
	/* The body goes to libmicrohttpd as it is: a status document of
	 * thousands of projects is not copied once more per request. */
	bool take = res.body.len > 0;
	size_t len = res.body.len;
	char *data = take ? tend_buf_detach(&res.body) : "";
	tend_buf_free(&res.body);
	return send_text(conn, res.status,
	                 res.content_type ? res.content_type : "text/plain; charset=utf-8", data,
	                 len, res.headers, res.etag, take);
}

/* The Host header's name: no port, no brackets, into buf. */
static void host_name(const char *host, char *buf, size_t n)
{
	size_t len = strlen(host);
	if (host[0] == '[') {
		const char *end = strchr(host, ']');
		len = end ? (size_t)(end - host - 1) : len - 1;
		host++;
	} else {
		const char *colon = strchr(host, ':');
		if (colon && !strchr(colon + 1, ':'))
			len = (size_t)(colon - host);
	}
	if (len >= n)
		len = n - 1;
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (len && buf[len - 1] == '.')
		buf[len - 1] = '\0'; /* "name." is "name" */
}

/* True when Host may be served: no list, an IP literal, localhost, or listed. */
static bool host_allowed(tend_serve *s, struct MHD_Connection *conn)
{
	pthread_mutex_lock(&s->lock);
	bool ok = s->allowed_hosts.len == 0;
	pthread_mutex_unlock(&s->lock);
	if (ok)
		return true;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	if (!host)
		return true; /* HTTP/1.0 without Host: no name a browser could have rebound */
	char name[256];
	unsigned char addr[16];
	host_name(host, name, sizeof(name));
	if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1 ||
	    strcasecmp(name, "localhost") == 0)
		return true;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; !ok && i < s->allowed_hosts.len; i++)
		ok = strcasecmp(name, s->allowed_hosts.items[i]) == 0;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static bool listener_serves(const listener *l, const char *url)
{
	if (!l->only.len)
		return true;
	for (size_t i = 0; i < l->only.len; i++)
		if (strcmp(url, l->only.items[i]) == 0)
			return true;
	return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	listener *l = cls;
	tend_serve *s = l->s;
	pending *p = *con_cls;
	if (!p) {
		if (!listener_serves(l, url))
			return send_error(conn, 404,
			                  "not found (this port serves the probes only)\n");
		if (!host_allowed(s, conn))
			return send_error(
			    conn, 421, "misdirected request: Host is not in serve.allowedHosts\n");
		bool known;
		const route *r = find_route(s, url, method, &known);
		if (!r)
			return known ? send_error(conn, 405, "method not allowed\n")
			             : send_error(conn, 404, "not found\n");
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > r->max_body)
			return send_error(conn, 413, "request body too large\n");
		p = tend_xcalloc(1, sizeof(*p));
		p->r = r;
		*con_cls = p;
		return MHD_YES;
	}
	if (*upload_size) {
		/* Chunked bodies carry no Content-Length: enforce the limit as bytes come. */
		if (p->body.len + *upload_size > p->r->max_body)
			return send_error(conn, 413, "request body too large\n");
		tend_buf_put(&p->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return dispatch(conn, p->r, url, method, p);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
	(void)cls, (void)conn, (void)code;
	pending *p = *con_cls;
	if (!p)
		return;
	tend_buf_free(&p->body);
	free(p);
	*con_cls = NULL;
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into host (NULL: any) and port. */
static int split_listen(const char *listen, char **host, char **port)
{
	const char *colon;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':')
			return tend_err("serve.listen \"%s\": expected [ADDRESS]:PORT", listen);
		*host = tend_xstrndup(listen + 1, (size_t)(end - listen - 1));
		colon = end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return tend_err("serve.listen \"%s\": expected HOST:PORT", listen);
		*host = colon == listen ? NULL : tend_xstrndup(listen, (size_t)(colon - listen));
	}
	*port = tend_xstrdup(colon + 1);
	char *end;
	long n = strtol(*port, &end, 10);
	if (!**port || *end || n < 0 || n > 65535) {
		free(*host);
		free(*port);
		return tend_err("serve.listen \"%s\": bad port", listen);
	}
	return 0;
}

#define MAIN_CONNECTIONS         512
#define MAIN_CONNECTIONS_PER_IP  32
#define MAIN_IDLE_TIMEOUT_S      10
#define PROBE_CONNECTIONS        64
#define PROBE_CONNECTIONS_PER_IP 16
#define PROBE_IDLE_TIMEOUT_S     5

static int start(listener *l, const char *listen, unsigned limit, unsigned per_ip,
                 unsigned timeout_s)
{
	char *host = NULL, *port = NULL;
	if (split_listen(listen, &host, &port))
		return -1;
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int gai = getaddrinfo(host, port, &hints, &ai);
	free(host);
	free(port);
	if (gai)
		return tend_err("listen \"%s\": %s", listen, gai_strerror(gai));
	/* poll or epoll: select() could not hold more than FD_SETSIZE sockets. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	l->d =
	    MHD_start_daemon(flags, 0, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, l->s,
	                     MHD_OPTION_CONNECTION_TIMEOUT, timeout_s, MHD_OPTION_CONNECTION_LIMIT,
	                     limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!l->d)
		return tend_err("listen \"%s\": cannot listen (address in use?)", listen);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info ? info->port : 0;
	return 0;
}

int tend_serve_start(tend_serve *s, const char *listen)
{
	if (start(&s->main, listen, MAIN_CONNECTIONS, MAIN_CONNECTIONS_PER_IP,
	          MAIN_IDLE_TIMEOUT_S)) {
		tend_err_prefix("serve.");
		return -1;
	}
	s->d = s->main.d;
	s->port = s->main.port;
	return 0;
}

int tend_serve_start_probes(tend_serve *s, const char *listen, const char *const *paths)
{
	for (size_t i = 0; paths[i]; i++)
		tend_strvec_push(&s->probe.only, paths[i]);
	if (start(&s->probe, listen, PROBE_CONNECTIONS, PROBE_CONNECTIONS_PER_IP,
	          PROBE_IDLE_TIMEOUT_S)) {
		tend_err_prefix("serve.probeListen: ");
		return -1;
	}
	return 0;
}

int tend_serve_probe_port(const tend_serve *s)
{
	return s->probe.port;
}

void tend_serve_allow_hosts(tend_serve *s, const char *const *hosts, size_t n)
{
	tend_strvec v = TEND_STRVEC_INIT;
	for (size_t i = 0; i < n; i++)
		tend_strvec_push(&v, hosts[i]);
	pthread_mutex_lock(&s->lock);
	tend_strvec old = s->allowed_hosts;
	s->allowed_hosts = v;
	pthread_mutex_unlock(&s->lock);
	tend_strvec_free(&old);
}

int tend_serve_port(const tend_serve *s)
{
	return s->port;
}

void tend_serve_free(tend_serve *s)
{
	if (!s)
		return;
	if (s->probe.d)
		MHD_stop_daemon(s->probe.d);
	if (s->main.d)
		MHD_stop_daemon(s->main.d);
	tend_strvec_free(&s->probe.only);
	tend_strvec_free(&s->allowed_hosts);
	for (size_t i = 0; i < s->nroutes; i++) {
		free(s->routes[i].method);
		free(s->routes[i].path);
	}
	free(s->routes);
	for (size_t i = 0; i < s->nslots; i++) {
		free(s->slots[i].name);
		text_release_locked(s->slots[i].text); /* no handler runs any more */
	}
	free(s->slots);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The slot named name (NULL when none); the caller holds s->lock. */
static slot *find_slot(tend_serve *s, const char *name)
{
	for (size_t i = 0; i < s->nslots; i++)
		if (strcmp(s->slots[i].name, name) == 0)
			return &s->slots[i];
	return NULL;
}

void tend_serve_publish(tend_serve *s, const char *name, const char *text)
{
	tend_serve_publish_take(s, name, text ? tend_xstrdup(text) : NULL);
}

/* Makes t the slot's text (NULL: none); returns the publish's version. */
static uint64_t publish(tend_serve *s, const char *name, tend_serve_text *t)
{
	pthread_mutex_lock(&s->lock);
	slot *sl = find_slot(s, name);
	if (!sl) {
		s->slots = tend_xrealloc(s->slots, (s->nslots + 1) * sizeof(slot));
		sl = &s->slots[s->nslots++];
		*sl = (slot){tend_xstrdup(name), NULL, 0};
	}
	text_release_locked(sl->text);
	sl->text = t;
	uint64_t version = sl->version = ++s->publishes;
	pthread_mutex_unlock(&s->lock);
	return version;
}

uint64_t tend_serve_publish_take(tend_serve *s, const char *name, char *copy)
{
	tend_serve_text *t = NULL;
	if (copy) {
		t = tend_xcalloc(1, sizeof(*t));
		t->owner = s;
		t->refs = 1;
		t->len = t->head_len = strlen(copy);
		t->text = copy;
	}
	return publish(s, name, t);
}

uint64_t tend_serve_publish_parts(tend_serve *s, const char *name, char *head,
                                  tend_serve_part **parts, size_t n, const char *sep, char *tail)
{
	tend_serve_text *t = tend_xcalloc(1, sizeof(*t));
	t->owner = s;
	t->refs = 1;
	t->text = head;
	t->head_len = strlen(head);
	t->tail = tail;
	t->tail_len = strlen(tail);
	t->sep_len = strlen(sep) < sizeof(t->sep) ? strlen(sep) : sizeof(t->sep) - 1;
	memcpy(t->sep, sep, t->sep_len);
	t->parts = tend_xcalloc(n + 1, sizeof(*t->parts));
	t->starts = tend_xcalloc(n + 1, sizeof(size_t));
	t->n = n;
	size_t at = t->head_len;
	for (size_t i = 0; i < n; i++) {
		t->parts[i] = parts[i];
		t->starts[i] = at;
		at += (i ? t->sep_len : 0) + parts[i]->len;
	}
	t->len = at + t->tail_len;
	return publish(s, name, t);
}

uint64_t tend_serve_version(tend_serve *s, const char *name)
{
	pthread_mutex_lock(&s->lock);
	const slot *sl = find_slot(s, name);
	uint64_t v = sl ? sl->version : 0;
	pthread_mutex_unlock(&s->lock);
	return v;
}

char *tend_serve_snapshot_part(tend_serve *s, const char *name, uint64_t version, size_t i)
{
	char *copy = NULL;
	pthread_mutex_lock(&s->lock);
	const slot *sl = find_slot(s, name);
	if (sl && sl->version == version && sl->text && i < sl->text->n)
		copy = tend_xstrndup(sl->text->parts[i]->text, sl->text->parts[i]->len);
	pthread_mutex_unlock(&s->lock);
	return copy;
}

char *tend_serve_snapshot(tend_serve *s, const char *name)
{
	char *copy = NULL;
	pthread_mutex_lock(&s->lock);
	const slot *sl = find_slot(s, name);
	if (sl && sl->text)
		copy = text_dup(sl->text);
	pthread_mutex_unlock(&s->lock);
	return copy;
}

char *tend_serve_snapshot_newer(tend_serve *s, const char *name, uint64_t *version)
{
	char *copy = NULL;
	pthread_mutex_lock(&s->lock);
	const slot *sl = find_slot(s, name);
	if (sl && sl->version != *version) {
		*version = sl->version;
		copy = sl->text ? text_dup(sl->text) : NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return copy;
}

tend_serve_text *tend_serve_hold_newer(tend_serve *s, const char *name, uint64_t *version)
{
	tend_serve_text *t = NULL;
	pthread_mutex_lock(&s->lock);
	const slot *sl = find_slot(s, name);
	if (sl && sl->version != *version) {
		*version = sl->version;
		t = sl->text;
		if (t)
			t->refs++;
	}
	pthread_mutex_unlock(&s->lock);
	return t;
}

void tend_serve_text_drop(tend_serve_text *t)
{
	if (t)
		text_sent(t);
}

size_t tend_serve_text_parts(const tend_serve_text *t)
{
	return t->n;
}

const char *tend_serve_text_part(const tend_serve_text *t, size_t i, size_t *len)
{
	*len = t->parts[i]->len;
	return t->parts[i]->text;
}

uint64_t tend_serve_text_part_id(const tend_serve_text *t, size_t i)
{
	return t->parts[i]->id;
}

char *tend_serve_text_frame(const tend_serve_text *t)
{
	if (!t->parts)
		return tend_xstrndup(t->text, t->len);
	char *frame = tend_xmalloc(t->head_len + t->tail_len + 1);
	memcpy(frame, t->text, t->head_len);
	memcpy(frame + t->head_len, t->tail, t->tail_len);
	frame[t->head_len + t->tail_len] = '\0';
	return frame;
}

uint64_t tend_serve_respond_slot(tend_serve *s, const char *name, tend_http_response *res)
{
	pthread_mutex_lock(&s->lock);
	const slot *sl = find_slot(s, name);
	uint64_t v = 0;
	if (sl && sl->text) {
		sl->text->refs++;
		res->shared = sl->text;
		v = sl->version;
	}
	pthread_mutex_unlock(&s->lock);
	return v;
}
