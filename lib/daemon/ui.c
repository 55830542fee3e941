/*
 * ui.c — the daemon's side of the status page (lib/ui): attaching its
 * routes with the action token, the "sync now" requests the HTTP thread
 * queues and the loop takes, and the fields of /api/v1/status that only
 * the page needs (the objects of the last sync, recent applies and prunes,
 * add-ons and grants, the source URL and commit time).
 *
 * Threading: ui_sync/ui_refresh run on the HTTP thread and touch only
 * d->ui_requests (under d->ui_lock) and the atomic fetch request; all else
 * runs on the controller thread.
 */
#include "daemon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UI_EVENTS_KEPT 30

static int ui_sync(void *ud, const char *project)
{
	tend_daemon *d = ud;
	pthread_mutex_lock(&d->ui_lock);
	bool known = tend_strset_has(&d->ui_known, project);
	if (known)
		tend_strvec_push(&d->ui_requests, project);
	pthread_mutex_unlock(&d->ui_lock);
	return known ? 0 : tend_err("no project named \"%s\" in this replica's shard", project);
}

static int ui_suspend(void *ud, const char *project, bool suspend)
{
	tend_daemon *d = ud;
	pthread_mutex_lock(&d->ui_lock);
	bool known = tend_strset_has(&d->ui_known, project);
	if (known) {
		char *req = tend_xasprintf("%c%s", suspend ? '+' : '-', project);
		tend_strvec_push(&d->ui_suspends, req);
		free(req);
	}
	pthread_mutex_unlock(&d->ui_lock);
	return known ? 0 : tend_err("no project named \"%s\" in this replica's shard", project);
}

static void ui_refresh(void *ud)
{
	tend_daemon *d = ud;
	atomic_store(&d->fetch_requested, 1);
}

int daemon_ui_read_token(const tend_config *cfg, char **token)
{
	*token = NULL;
	if (!cfg->serve.allow_actions)
		return 0;
	char *path = tend_config_path(cfg, cfg->serve.action_token_file);
	int rc = tend_ui_read_token(path, token);
	free(path);
	return rc;
}

void daemon_ui_reloaded(tend_daemon *d, char *token)
{
	/* the token was read and checked with the new tend.yaml: this cannot fail */
	tend_ui_set_actions(d->ui, d->cfg.serve.allow_actions, token);
	free(token);
}

int daemon_ui_attach(tend_daemon *d)
{
	pthread_mutex_init(&d->ui_lock, NULL);
	d->ui_lock_ready = true;
	char *token;
	const tend_serve_config *sc = &d->cfg.serve;
	if (daemon_ui_read_token(&d->cfg, &token))
		return -1;
	tend_ui_options o = {.status_slot = "status",
	                     .allow_actions = sc->allow_actions,
	                     .action_token = token,
	                     .actions = {ui_sync, ui_refresh, d, ui_suspend}};
	int rc = tend_ui_new(d->http, &o, &d->ui);
	free(token);
	return rc;
}

void daemon_ui_free(tend_daemon *d)
{
	tend_ui_free(d->ui);
	tend_strvec_free(&d->ui_requests);
	tend_strvec_free(&d->ui_suspends);
	tend_strset_free(&d->ui_known);
	tend_grant_list_free(&d->grants);
	free(d->grants_by_project);
	if (d->ui_lock_ready)
		pthread_mutex_destroy(&d->ui_lock);
}

void daemon_ui_take_requests(tend_daemon *d, int64_t now)
{
	tend_strvec asked = TEND_STRVEC_INIT;
	pthread_mutex_lock(&d->ui_lock);
	asked = d->ui_requests;
	d->ui_requests = (tend_strvec)TEND_STRVEC_INIT;
	/* names a request may use: this shard's projects (once per change, not per turn) */
	if (d->ui_known_gen != d->p_generation || !d->ui_known.slots) {
		tend_strset_free(&d->ui_known);
		for (size_t i = 0; i < d->np; i++)
			if (d->p[i].in_shard && d->p[i].meta)
				tend_strset_add(&d->ui_known, d->p[i].name);
		d->ui_known_gen = d->p_generation;
	}
	pthread_mutex_unlock(&d->ui_lock);
	for (size_t i = 0; i < asked.len; i++) {
		proj *p = daemon_proj_find(d, asked.items[i]);
		if (!p || !p->meta)
			continue;
		tend_log_ctx_printf(TEND_LOG_INFO, &(tend_log_ctx){p->name, NULL, d->revision},
		                    "sync requested from the status page");
		p->attempts = 0;
		daemon_proj_mark(p, "manual", now);
	}
	tend_strvec_free(&asked);
	daemon_suspend_requests(d, now);
}

static int by_project(const void *a, const void *b)
{
	const grant_ref *x = a, *y = b;
	int c = strcmp(x->project, y->project);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

void daemon_ui_collect_grants(tend_daemon *d, const char *root)
{
	char today[TEND_RFC3339_LEN];
	tend_rfc3339(today, (time_t)(daemon_wall_ms() / 1000));
	today[10] = '\0'; /* YYYY-MM-DD */
	tend_grant_list_free(&d->grants);
	tend_guard_config own;
	const tend_guard_config *g = tend_guard_for(&d->cfg, root, &own);
	tend_grants_collect(g ? g : &d->cfg.guard, &d->projects, root, NULL, NULL, today,
	                    &d->grants);
	tend_guard_config_free(&own);
	free(d->grants_by_project);
	d->grants_by_project = tend_xcalloc(d->grants.len + 1, sizeof(grant_ref));
	for (size_t i = 0; i < d->grants.len; i++)
		d->grants_by_project[i] = (grant_ref){d->grants.items[i].project, i};
	qsort(d->grants_by_project, d->grants.len, sizeof(grant_ref), by_project);
	daemon_status_invalidate(d);
}

static char *object_name(const tend_reconcile_object *o)
{
	return tend_xasprintf("%s/%s%s%s", o->kind, o->namespace, *o->namespace ? "/" : "",
	                      o->name);
}

static const char *event_type(const tend_reconcile_object *o)
{
	switch (o->action) {
	case TEND_ACTION_CREATE:
		return o->done ? "created" : NULL;
	case TEND_ACTION_UPDATE:
		return o->done ? "updated" : NULL;
	case TEND_ACTION_PRUNE:
		return o->done ? "pruned" : NULL;
	case TEND_ACTION_CONFLICT:
		return "conflict";
	case TEND_ACTION_ERROR:
		return "error";
	default:
		return NULL;
	}
}

/* cJSON fails only when memory runs out; tend treats that as fatal. */
static char *print(const cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j);
	if (!text) {
		fprintf(stderr, "tend: out of memory printing the status page's records\n");
		abort();
	}
	return text;
}

/* p's events as they stand: the new ones waiting to be printed, else
 * those in its part of the published document. */
static cJSON *events_now(const proj *p)
{
	if (p->ui_new)
		return p->ui_events ? cJSON_Parse(p->ui_events) : NULL;
	if (!p->st_part || !p->ui_ev_len)
		return NULL;
	size_t len;
	const char *text = tend_serve_part_text(p->st_part, &len);
	return cJSON_ParseWithLength(text + p->ui_ev_off, p->ui_ev_len);
}

void daemon_ui_record(proj *p, const tend_reconcile_report *rep)
{
	cJSON *events = rep ? events_now(p) : NULL;
	free(p->ui_resources);
	free(p->ui_events);
	p->ui_resources = p->ui_events = NULL;
	p->ui_new = true;
	if (!rep)
		return;
	cJSON *j = tend_reconcile_report_json(rep);
	cJSON *objects = cJSON_GetObjectItemCaseSensitive(j, "objects"), *o;
	cJSON_ArrayForEach(o, objects)
	{
		/* a Secret's diff would be its data: never published */
		const char *kind =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind"));
		if (kind && strcmp(kind, "Secret") == 0)
			cJSON_DeleteItemFromObjectCaseSensitive(o, "diff");
	}
	p->ui_resources = print(objects);
	cJSON_Delete(j);
	if (!events)
		events = cJSON_CreateArray();
	char when[TEND_RFC3339_LEN];
	tend_rfc3339(when, (time_t)(daemon_wall_ms() / 1000));
	for (size_t i = 0; i < rep->n_objects; i++) {
		const tend_reconcile_object *o = &rep->objects[i];
		const char *type = event_type(o);
		if (!type)
			continue;
		cJSON *e = cJSON_CreateObject();
		char *name = object_name(o);
		cJSON_AddStringToObject(e, "time", when);
		cJSON_AddStringToObject(e, "type", type);
		cJSON_AddStringToObject(e, "object", name);
		if (o->message)
			cJSON_AddStringToObject(e, "message", o->message);
		free(name);
		tend_doc_array_insert(events, 0, e); /* newest first */
	}
	while (cJSON_GetArraySize(events) > UI_EVENTS_KEPT)
		cJSON_DeleteItemFromArray(events, UI_EVENTS_KEPT);
	p->ui_events = print(events);
	cJSON_Delete(events);
}

/* One of p's arrays for the part being made: the new one while ui_new,
 * else where it lies in the old part (text). */
static const char *array_now(const proj *p, const char *fresh, const char *text, size_t off,
                             size_t len, size_t *out_len)
{
	if (p->ui_new) {
		*out_len = fresh ? strlen(fresh) : 0;
		return fresh;
	}
	*out_len = text ? len : 0;
	return text ? text + off : NULL;
}

/* Whether p's part begins with fields (an object of len bytes, but for its
 * closing brace): printed again to the same text, it is kept. */
static bool same_fields(const proj *p, const char *old, size_t old_len, const char *fields,
                        size_t len)
{
	size_t end = p->ui_res_len  ? p->ui_res_off - strlen(",\"resources\":")
	             : p->ui_ev_len ? p->ui_ev_off - strlen(",\"events\":")
	                            : old_len - 1;
	return end == len - 1 && memcmp(old, fields, end) == 0;
}

tend_serve_part *daemon_ui_project_part(proj *p, const char *fields, size_t len)
{
	size_t old_len, res_len, ev_len;
	const char *old = p->st_part ? tend_serve_part_text(p->st_part, &old_len) : NULL;
	/* Every project is printed again after a commit (its records' meta
	 * changed): one that reads the same keeps its part, so the published
	 * document and the next are not both whole in memory. */
	if (old && !p->ui_new && same_fields(p, old, old_len, fields, len))
		return tend_serve_part_hold(p->st_part);
	const char *res =
	    array_now(p, p->ui_resources, old, p->ui_res_off, p->ui_res_len, &res_len);
	const char *ev = array_now(p, p->ui_events, old, p->ui_ev_off, p->ui_ev_len, &ev_len);
	tend_buf b = TEND_BUF_INIT;
	tend_buf_grow(&b, len + res_len + ev_len + 32);
	tend_buf_put(&b, fields, len - 1); /* all but the closing brace */
	p->ui_res_off = p->ui_ev_off = 0;
	if (res_len) {
		tend_buf_puts(&b, ",\"resources\":");
		p->ui_res_off = b.len;
		tend_buf_put(&b, res, res_len);
	}
	if (ev_len) {
		tend_buf_puts(&b, ",\"events\":");
		p->ui_ev_off = b.len;
		tend_buf_put(&b, ev, ev_len);
	}
	tend_buf_putc(&b, '}');
	p->ui_res_len = res_len;
	p->ui_ev_len = ev_len;
	free(p->ui_resources);
	free(p->ui_events);
	p->ui_resources = p->ui_events = NULL;
	p->ui_new = false;
	size_t n = b.len;
	return tend_serve_part_new(tend_buf_detach(&b), n);
}

void daemon_ui_source_json(tend_daemon *d, cJSON *src)
{
	cJSON_AddStringToObject(src, "url", d->cfg.source.url);
	if (d->shown.time) {
		char when[TEND_RFC3339_LEN];
		tend_rfc3339(when, (time_t)d->shown.time);
		cJSON_AddStringToObject(src, "commitTime", when);
	}
}

void daemon_ui_project_json(tend_daemon *d, const proj *p, cJSON *j)
{
	/* desired.c reports a guard refusal as "N guardrail violation(s), nothing applied" */
	if (p->render_error && strstr(p->render_error, " guardrail violation"))
		cJSON_AddBoolToObject(j, "blockedByGuardrail", true);
	cJSON *gs = cJSON_AddArrayToObject(j, "grants");
	/* its grants: the first by binary search, then the run of them (a scan
	 * of every project's grants for each project was quadratic) */
	size_t n = d->grants_by_project ? d->grants.len : 0, lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(d->grants_by_project[mid].project, p->name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < n && strcmp(d->grants_by_project[k].project, p->name) == 0; k++) {
		const tend_grant_entry *g = &d->grants.items[d->grants_by_project[k].i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "addon", g->addon);
		cJSON_AddBoolToObject(x, "used", g->used);
		cJSON_AddBoolToObject(x, "granted", g->granted);
		cJSON_AddBoolToObject(x, "requiresGrant", g->requires_grant);
		if (g->until)
			cJSON_AddStringToObject(x, "until", g->until);
		if (g->reason)
			cJSON_AddStringToObject(x, "reason", g->reason);
		cJSON_AddBoolToObject(x, "expired", g->expired);
		/* tend_reconcile_render leaves such an add-on out of the project */
		cJSON_AddBoolToObject(x, "reclaimed", g->expired && g->used && g->requires_grant);
		cJSON_AddItemToArray(gs, x);
	}
}
