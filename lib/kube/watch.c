/*
 * watch.c — WATCH streams, parsed as the bytes arrive.
 *
 * The server sends one JSON event per chunk, newline-separated, but JSON
 * is self-framing and neither chunk nor TCP boundaries line up with
 * events, so the parser tracks nesting (outside strings) and hands out each
 * complete top-level value, whatever the whitespace between them.
 * Invariant: bytes of an incomplete value stay buffered, nothing else does.
 *
 * An ERROR event (e.g. 410 Expired for a too-old resourceVersion) ends the
 * watch and is reported like an HTTP error, so consumers handle both the
 * same way.
 */
#include "kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tend_kube_watch_parser_feed(tend_kube_watch_parser *p, const char *data, size_t len,
                                int (*fn)(void *ud, const char *json, size_t len), void *ud)
{
	tend_buf_put(&p->buf, data, len);
	int rc = 0;
	size_t consumed = p->depth ? p->start : p->pos;
	while (p->pos < p->buf.len) {
		char c = p->buf.data[p->pos++];
		if (p->in_str) {
			if (p->esc)
				p->esc = false;
			else if (c == '\\')
				p->esc = true;
			else if (c == '"')
				p->in_str = false;
			continue;
		}
		if (c == '"' && p->depth > 0) {
			p->in_str = true;
		} else if (c == '{' || c == '[') {
			if (p->depth++ == 0)
				p->start = p->pos - 1;
		} else if (c == '}' || c == ']') {
			if (p->depth == 0) {
				rc = tend_err("watch: unbalanced '%c' in the event stream", c);
				break;
			}
			if (--p->depth == 0) {
				consumed = p->pos;
				rc = fn(ud, p->buf.data + p->start, p->pos - p->start);
				if (rc)
					break;
			}
		} else if (p->depth == 0 && !strchr(" \t\r\n", c)) {
			rc = tend_err("watch: unexpected '%c' between events", c);
			break;
		}
		if (p->depth == 0)
			consumed = p->pos;
	}
	/* Drop what has been handed out; keep the partial value. */
	if (consumed > 0) {
		memmove(p->buf.data, p->buf.data + consumed, p->buf.len - consumed);
		p->buf.len -= consumed;
		if (p->buf.data)
			p->buf.data[p->buf.len] = '\0';
		p->pos -= consumed;
		p->start = p->start >= consumed ? p->start - consumed : 0;
	}
	return rc;
}

void tend_kube_watch_parser_free(tend_kube_watch_parser *p)
{
	tend_buf_free(&p->buf);
	memset(p, 0, sizeof(*p));
}

int tend_kube_watch_event_parse(const char *json, size_t len, tend_kube_event_type *type,
                                cJSON **obj)
{
	static const char *names[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};
	cJSON *ev;
	if (tend_kube_json_parse(json, len, &ev))
		return tend_err_prefix("watch event: ");
	const char *t = kube_str(ev, "type");
	cJSON *o = cJSON_DetachItemFromObjectCaseSensitive(ev, "object");
	int found = -1;
	for (int i = 0; t && i < 5; i++)
		if (strcmp(t, names[i]) == 0)
			found = i;
	cJSON_Delete(ev);
	if (found < 0 || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return tend_err("watch event: %s",
		                found < 0 ? "unknown or missing type" : "missing object");
	}
	*type = (tend_kube_event_type)found;
	*obj = o;
	return 0;
}

typedef struct watch_state {
	tend_kube *k;
	const tend_kube_resource *r;
	tend_kube_watch_parser p;
	tend_kube_event_fn on_event;
	tend_kube_watch_end_fn on_end;
	void *ud;
	char *path;
} watch_state;

static void watch_free(void *ud)
{
	watch_state *w = ud;
	tend_kube_watch_parser_free(&w->p);
	free(w->path);
	free(w);
}

/* Reports an in-stream failure (ERROR event, garbage) as the watch's end. */
static void end_with(watch_state *w, long code, const char *body, size_t len, const char *msg)
{
	tend_kube_status st;
	if (body) {
		tend_kube_status_parse(code, body, len, &st);
	} else {
		memset(&st, 0, sizeof(st));
		st.reason = tend_xstrdup("");
		st.message = tend_xstrdup(msg);
		st.retry_after_s = -1;
	}
	tend_buf err = TEND_BUF_INIT;
	tend_buf_printf(&err, "WATCH %s: ", w->path);
	tend_kube_status_format(&st, &err);
	tend_kube_response res = {st.code, body ? body : "", body ? len : 0, &st, err.data, 1};
	if (w->on_end)
		w->on_end(w->ud, &res);
	tend_kube_status_clear(&st);
	tend_buf_free(&err);
}

static int one_event(void *ud, const char *json, size_t len)
{
	watch_state *w = ud;
	tend_kube_event_type type;
	cJSON *obj;
	if (tend_kube_watch_event_parse(json, len, &type, &obj)) {
		end_with(w, 0, NULL, 0, tend_err_msg());
		return 1;
	}
	if (type == TEND_KUBE_ERROR) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, "code");
		long code = cJSON_IsNumber(c) ? (long)c->valuedouble : 500;
		tend_buf b = TEND_BUF_INIT;
		tend_kube_json_emit(obj, &b);
		cJSON_Delete(obj);
		end_with(w, code, b.data, b.len, NULL);
		tend_buf_free(&b);
		return 1;
	}
	kube_fill_type(obj, w->r);
	return w->on_event(w->ud, type, obj) ? 2 : 0;
}

static int watch_data(void *ud, const char *data, size_t len)
{
	watch_state *w = ud;
	int rc = tend_kube_watch_parser_feed(&w->p, data, len, one_event, w);
	if (rc == -1)
		end_with(w, 0, NULL, 0, tend_err_msg());
	return rc != 0;
}

static void watch_done(void *ud, const tend_kube_response *res)
{
	watch_state *w = ud;
	if (w->on_end)
		w->on_end(w->ud, res);
	watch_free(w);
}

void tend_kube_watch(tend_kube *k, const tend_kube_resource *r, const char *ns,
                     const tend_kube_watch_opts *o, tend_kube_event_fn on_event,
                     tend_kube_watch_end_fn on_end, void *ud, tend_kube_request **out)
{
	watch_state *w = tend_xcalloc(1, sizeof(*w));
	w->k = k;
	w->r = r;
	w->on_event = on_event;
	w->on_end = on_end;
	w->ud = ud;
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(r, r->namespaced ? ns : NULL, NULL, NULL, &p);
	kube_query_add(&p, "watch", "true");
	if (o && o->resource_version && *o->resource_version)
		kube_query_add(&p, "resourceVersion", o->resource_version);
	if (o && o->bookmarks)
		kube_query_add(&p, "allowWatchBookmarks", "true");
	if (o && o->label_selector && *o->label_selector)
		kube_query_add(&p, "labelSelector", o->label_selector);
	if (o && o->field_selector && *o->field_selector)
		kube_query_add(&p, "fieldSelector", o->field_selector);
	/* client-go's reflector picks 5..10 minutes so watches end spread out. */
	int timeout = o && o->timeout_s > 0 ? o->timeout_s : 300 + (int)(kube_rand(k) * 300);
	char t[16];
	snprintf(t, sizeof(t), "%d", timeout);
	kube_query_add(&p, "timeoutSeconds", t);
	w->path = tend_xstrdup(p.data);
	tend_kube_call c = {0};
	c.method = "GET";
	c.path = p.data;
	c.as = o ? o->as : NULL;
	/* The server ends the stream at timeoutSeconds; allow it a margin. */
	c.timeout_ms = (long)(timeout + 30) * 1000;
	c.on_data = watch_data;
	tend_kube_request *req;
	tend_kube_submit(k, &c, watch_done, w, &req);
	kube_req_set_cleanup(req, watch_free);
	tend_buf_free(&p);
	if (out)
		*out = req;
}
