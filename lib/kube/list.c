/*
 * list.c — LIST with paging: follow metadata.continue page after page,
 * concatenating items, and hand back one array and the list's
 * resourceVersion (every page of a consistent list carries the first
 * page's). Typed lists omit apiVersion/kind on items; they are filled in
 * from the resource so every returned object is self-describing, then the
 * caller's shrink (if any) trims each item as its page arrives, and its
 * take (if any) takes it then instead of the list.
 *
 * An expired continue token (410) is reported as is: the caller restarts.
 */
#include "kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct list_state {
	tend_kube *k;
	const tend_kube_resource *r;
	char *ns, *label, *field, *rv_opt, *as_user, *as_uid;
	tend_strvec as_groups;
	long limit;
	void (*shrink)(void *ud, cJSON *item);
	void *shrink_ud;
	void (*take)(void *ud, cJSON *item);
	void *take_ud;
	cJSON *items;
	cJSON *last_item; /* for O(1) appends */
	char *rv;
	tend_kube_list_done_fn done;
	void *ud;
	tend_kube_request *req;
	tend_kube_request **handle; /* the caller's, kept current across pages */
} list_state;

static void list_state_free(list_state *s)
{
	free(s->ns);
	free(s->label);
	free(s->field);
	free(s->rv_opt);
	free(s->as_user);
	free(s->as_uid);
	tend_strvec_free(&s->as_groups);
	cJSON_Delete(s->items);
	free(s->rv);
	free(s);
}

static void page_done(void *ud, const tend_kube_response *res);

static void list_cleanup(void *ud)
{
	list_state_free(ud);
}

static void next_page(list_state *s, const char *cont)
{
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(s->r, s->ns, NULL, NULL, &p);
	char lim[32];
	snprintf(lim, sizeof(lim), "%ld", s->limit);
	kube_query_add(&p, "limit", lim);
	if (s->label && *s->label)
		kube_query_add(&p, "labelSelector", s->label);
	if (s->field && *s->field)
		kube_query_add(&p, "fieldSelector", s->field);
	if (cont)
		kube_query_add(&p, "continue", cont);
	else if (s->rv_opt)
		kube_query_add(&p, "resourceVersion", s->rv_opt);
	tend_kube_identity as = {s->as_user, (const char *const *)s->as_groups.items,
	                         s->as_groups.len, s->as_uid};
	tend_kube_call c = {0};
	c.method = "GET";
	c.path = p.data;
	c.as = s->as_user ? &as : NULL;
	tend_kube_submit(s->k, &c, page_done, s, &s->req);
	kube_req_set_cleanup(s->req, list_cleanup);
	if (s->handle)
		*s->handle = s->req;
	tend_buf_free(&p);
}

static void fail(list_state *s, const tend_kube_response *res)
{
	s->done(s->ud, NULL, NULL, res);
	list_state_free(s);
}

static void page_done(void *ud, const tend_kube_response *res)
{
	list_state *s = ud;
	if (res->status) {
		fail(s, res);
		return;
	}
	cJSON *page;
	if (tend_kube_json_parse(res->body, res->body_len, &page)) {
		tend_kube_status st = {res->code, (char *)"", (char *)tend_err_msg(), NULL, 0, -1};
		tend_kube_response bad = *res;
		bad.status = &st;
		bad.error = tend_err_msg();
		fail(s, &bad);
		return;
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(page, "metadata");
	const char *rv = kube_str(meta, "resourceVersion");
	const char *cont = kube_str(meta, "continue");
	if (!s->rv && rv)
		s->rv = tend_xstrdup(rv);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items");
	/* Move the items over without copying them. */
	cJSON *it = cJSON_IsArray(items) ? items->child : NULL;
	if (items)
		items->child = NULL;
	while (it) {
		cJSON *next = it->next;
		it->prev = it->next = NULL;
		kube_fill_type(it, s->r);
		if (s->shrink)
			s->shrink(s->shrink_ud, it);
		if (s->take) {
			s->take(s->take_ud, it);
			it = next;
			continue;
		}
		if (!s->last_item) {
			s->items->child = it;
			it->prev = it;
		} else {
			s->last_item->next = it;
			it->prev = s->last_item;
			s->items->child->prev = it;
		}
		s->last_item = it;
		it = next;
	}
	if (cont && *cont) {
		char *c = tend_xstrdup(cont);
		cJSON_Delete(page);
		next_page(s, c);
		free(c);
		return;
	}
	cJSON_Delete(page);
	cJSON *out = s->items;
	s->items = NULL;
	s->done(s->ud, out, s->rv ? s->rv : "", NULL);
	list_state_free(s);
}

void tend_kube_list_async(tend_kube *k, const tend_kube_resource *r, const char *ns,
                          const tend_kube_list_opts *o, tend_kube_list_done_fn done, void *ud,
                          tend_kube_request **out)
{
	list_state *s = tend_xcalloc(1, sizeof(*s));
	s->k = k;
	s->r = r;
	s->ns = ns && r->namespaced ? tend_xstrdup(ns) : NULL;
	s->limit = o && o->limit > 0 ? o->limit : 500;
	if (o) {
		s->label = o->label_selector ? tend_xstrdup(o->label_selector) : NULL;
		s->field = o->field_selector ? tend_xstrdup(o->field_selector) : NULL;
		s->rv_opt = o->resource_version ? tend_xstrdup(o->resource_version) : NULL;
		s->shrink = o->shrink;
		s->shrink_ud = o->shrink_ud;
		s->take = o->take;
		s->take_ud = o->take_ud;
		if (o->as && o->as->user) {
			s->as_user = tend_xstrdup(o->as->user);
			s->as_uid = o->as->uid ? tend_xstrdup(o->as->uid) : NULL;
			for (size_t i = 0; i < o->as->ngroups; i++)
				tend_strvec_push(&s->as_groups, o->as->groups[i]);
		}
	}
	s->items = cJSON_CreateArray();
	s->done = done;
	s->ud = ud;
	s->handle = out;
	next_page(s, NULL);
}

typedef struct list_sync {
	bool done;
	cJSON *items;
	char *rv;
	tend_kube_status st;
	char *error;
} list_sync;

static void sync_done(void *ud, cJSON *items, const char *rv, const tend_kube_response *err)
{
	list_sync *s = ud;
	s->done = true;
	if (err) {
		s->error = tend_xstrdup(err->error);
		s->st.code = err->status->code;
		s->st.reason = tend_xstrdup(err->status->reason ? err->status->reason : "");
		s->st.message = tend_xstrdup(err->status->message ? err->status->message : "");
		s->st.retry_after_s = err->status->retry_after_s;
		return;
	}
	s->items = items;
	s->rv = tend_xstrdup(rv);
}

int tend_kube_list(tend_kube *k, const tend_kube_resource *r, const char *ns,
                   const tend_kube_list_opts *o, cJSON **items, char **rv)
{
	if (k->in_callback)
		return tend_err("kube: a synchronous call cannot run inside a tend_kube callback");
	list_sync s = {0};
	tend_kube_list_async(k, r, ns, o, sync_done, &s, NULL);
	while (!s.done)
		tend_kube_step(k, 1000);
	tend_kube_status_clear(&k->last);
	if (s.error) {
		k->last = s.st;
		tend_err("%s", s.error);
		free(s.error);
		return -1;
	}
	k->last.code = 200;
	*items = s.items;
	if (rv)
		*rv = s.rv;
	else
		free(s.rv);
	return 0;
}
