/*
 * apply.c — the requests a run sends, in batches: server-side apply (or its
 * dry run), delete and get, at most `concurrency` in flight on the client's
 * loop. A batch holds requests that do not depend on each other (one apply
 * phase, one prune wave); ordering between batches is the caller's.
 * Invariant: every request of a batch has its result filled when
 * rc_batch returns.
 */
#include "reconcile_internal.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static void query(tend_buf *p, const char *key, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);
	tend_buf_printf(p, "%c%s=%s", strchr(p->data, '?') ? '&' : '?', key, esc);
	curl_free(esc);
}

void rc_req_apply(rc_req *q, const tend_reconciler *r, const tend_kube_resource *res,
                  const cJSON *obj, bool dry_run)
{
	memset(q, 0, sizeof(*q));
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(res, rc_meta_str(obj, "namespace"), rc_meta_str(obj, "name"), NULL, &p);
	query(&p, "fieldManager", r->field_manager);
	if (r->opt.force)
		query(&p, "force", "true");
	if (dry_run)
		query(&p, "dryRun", "All");
	query(&p, "fieldValidation", "Strict");
	q->method = tend_xstrdup("PATCH");
	q->path = tend_buf_detach(&p);
	q->ctype = tend_xstrdup("application/apply-patch+yaml");
	tend_kube_json_emit(obj, &q->body);
}

void rc_req_delete(rc_req *q, const tend_kube_resource *res, const char *ns, const char *name,
                   const char *propagation)
{
	memset(q, 0, sizeof(*q));
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(res, ns, name, NULL, &p);
	q->method = tend_xstrdup("DELETE");
	q->path = tend_buf_detach(&p);
	q->ctype = tend_xstrdup("application/json");
	tend_buf_printf(&q->body,
	                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":"
	                "\"%s\"}",
	                propagation);
}

void rc_req_get(rc_req *q, const tend_kube_resource *res, const char *ns, const char *name)
{
	memset(q, 0, sizeof(*q));
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(res, ns, name, NULL, &p);
	q->method = tend_xstrdup("GET");
	q->path = tend_buf_detach(&p);
}

void rc_req_clear(rc_req *q)
{
	free(q->method);
	free(q->path);
	free(q->ctype);
	tend_buf_free(&q->body);
	cJSON_Delete(q->resp);
	free(q->error);
	memset(q, 0, sizeof(*q));
}

typedef struct batch {
	tend_kube *k;
	rc_req *reqs;
	size_t n, next, done;
} batch;

typedef struct slot {
	batch *b;
	rc_req *q;
} slot;

static void submit_next(batch *b);

static void on_done(void *ud, const tend_kube_response *res)
{
	slot *s = ud;
	rc_req *q = s->q;
	q->code = res->code;
	if (res->status) {
		q->not_found = res->code == 404;
		q->error = tend_xstrdup(res->error ? res->error : "request failed");
	} else if (res->body_len && tend_kube_json_parse(res->body, res->body_len, &q->resp)) {
		q->error = tend_xasprintf("%s %s: %s", q->method, q->path, tend_err_msg());
	}
	batch *b = s->b;
	free(s);
	b->done++;
	submit_next(b);
}

static void submit_next(batch *b)
{
	if (b->next >= b->n)
		return;
	rc_req *q = &b->reqs[b->next++];
	tend_kube_call c = {0};
	c.method = q->method;
	c.path = q->path;
	c.content_type = q->ctype;
	c.body = q->body.data;
	c.body_len = q->body.len;
	slot *s = tend_xmalloc(sizeof(*s));
	s->b = b;
	s->q = q;
	tend_kube_submit(b->k, &c, on_done, s, NULL);
}

void rc_batch(tend_kube *k, rc_req *reqs, size_t n, int concurrency)
{
	batch b = {k, reqs, n, 0, 0};
	for (int i = 0; i < (concurrency > 0 ? concurrency : 1); i++)
		submit_next(&b);
	while (b.done < b.n)
		tend_kube_step(k, 200);
}
