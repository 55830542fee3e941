/*
 * sync.c — running due projects through lib/reconcile and recording what
 * happened: status, health, counts, metrics, and the next attempt.
 *
 * Invariants: a failed project retries with exponential backoff (2 s
 * doubling to 5 min), never in a hot loop; when the API server cannot be
 * used at all every project in the run backs off and nothing is deleted;
 * only a run listing every project of a complete generator result may
 * remove projects that left Git (a sharded replica only those of its own
 * shard), and lib/reconcile's projects guard still stops a mass removal.
 *
 * Order: one slice per call, and the control loop runs between calls
 * (watch events, fetches, the page's requests). Due projects go first, a
 * person's wait (drift, "sync now") before new revisions before retries;
 * a full resync takes a slice only when nothing is due, so a revert never
 * waits for more than the slice under way (issue: 19 s at 3,000 projects
 * when the resync ran in one go). Its slices are sized to take about
 * RESYNC_SLICE_MS, and the LIST of every inventory its removal step reads
 * runs while due projects keep syncing (0.3-0.5 s at 3,000 projects).
 *
 * Memory: a run goes SYNC_SLICE projects at a time, each slice's renders
 * loaded, reconciled, recorded and freed before the next, so a full run of
 * thousands of projects needs no more than a slice's worth of objects.
 */
#include "daemon_internal.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_BASE_MS 2000
#define RETRY_CAP_MS  300000
/* Projects per reconcile run: lib/reconcile reads the inventories of up to
 * 32 projects with one selective LIST, and of more with a LIST of all. */
#define SYNC_SLICE 32
/* A resync slice is not begun when a project is due sooner than this. */
#define RESYNC_HOLD_MS 250
/* What a resync slice should take at most (its size follows the pace). */
#define RESYNC_SLICE_MS  100
#define RESYNC_SLICE_MIN 8

static const char *result_label(tend_sync_status s)
{
	switch (s) {
	case TEND_SYNC_SYNCED:
		return "synced";
	case TEND_SYNC_OUT_OF_SYNC:
		return "out_of_sync";
	case TEND_SYNC_FAILED:
		return "failed";
	case TEND_SYNC_PRUNE_BLOCKED:
		return "prune_blocked";
	case TEND_SYNC_REMOVED:
		return "removed";
	case TEND_SYNC_REMOVAL_BLOCKED:
		return "removal_blocked";
	case TEND_SYNC_NAMESPACE_KEPT:
		return "namespace_kept";
	}
	return "unknown";
}

static void retry_later(tend_daemon *d, proj *p, int64_t now)
{
	p->attempts++;
	int64_t wait = tend_daemon_backoff_ms(p->attempts, RETRY_BASE_MS, RETRY_CAP_MS);
	daemon_proj_mark(p, "retry", now + wait);
	tend_log_ctx_printf(TEND_LOG_INFO, &(tend_log_ctx){p->name, NULL, d->revision},
	                    "retrying in %.1f s (attempt %d)", (double)wait / 1000.0, p->attempts);
}

/* One line per object the sync changed or could not change. */
static void log_objects(const tend_reconcile_report *rep)
{
	for (size_t i = 0; i < rep->n_objects; i++) {
		const tend_reconcile_object *o = &rep->objects[i];
		if (o->action == TEND_ACTION_NONE || o->action == TEND_ACTION_KEEP)
			continue;
		char *obj = tend_xasprintf("%s/%s%s%s", o->kind, o->namespace,
		                           *o->namespace ? "/" : "", o->name);
		tend_log_ctx ctx = {rep->project, obj, rep->revision};
		if (o->action == TEND_ACTION_CONFLICT || o->action == TEND_ACTION_ERROR)
			tend_log_ctx_printf(TEND_LOG_ERROR, &ctx, "%s: %s",
			                    tend_action_name(o->action),
			                    o->message ? o->message : "");
		else
			tend_log_ctx_printf(TEND_LOG_INFO, &ctx, "%s%s",
			                    tend_action_name(o->action),
			                    o->done ? "" : " (not done)");
		free(obj);
	}
}

static void record_report(tend_daemon *d, const tend_reconcile_report *rep, int64_t now)
{
	proj *p = daemon_proj_find(d, rep->project);
	if (!p)
		p = daemon_proj_add(d, rep->project);
	daemon_proj_changed(p);
	tend_log_ctx ctx = {rep->project, NULL, rep->revision};
	if (p->render_error && p->meta) {
		/* Held to its last good render (drift reverted), or left alone when it
		 * never rendered; either way it stays RenderFailed, as reported when
		 * rendered, and retrying cannot help before the next revision. */
		p->attempts = 0;
		log_objects(rep);
		daemon_events_post(d, p, rep);
		daemon_tenant_status_publish(d, p, rep);
		daemon_commit_status_post(d, p, rep);
		if (rep->status != TEND_SYNC_FAILED && p->rendered)
			daemon_drift_reverted(d, p);
		return;
	}
	p->synced_once = true;
	bool kept_news = rep->kept && (!p->error || strcmp(p->error, rep->kept) != 0);
	bool blocked_news = rep->status == TEND_SYNC_REMOVAL_BLOCKED &&
	                    (!p->status || strcmp(p->status, "RemovalBlocked") != 0);
	daemon_proj_set_str(&p->revision, rep->revision);
	daemon_proj_set_str(&p->status, tend_sync_status_name(rep->status));
	daemon_proj_set_str(&p->health, tend_health_name(rep->health));
	/* a kept Namespace is what the admin must act on: it is the message shown */
	daemon_proj_set_str(&p->error, rep->error ? rep->error : rep->kept);
	p->n_namespaces_kept = rep->n_namespaces_kept;
	p->last_sync_wall_ms = daemon_wall_ms();
	p->last_sync_seconds = rep->seconds;
	p->n_objects = rep->n_objects;
	p->n_unchanged = rep->n_unchanged;
	p->n_created = rep->n_created;
	p->n_updated = rep->n_updated;
	p->n_pruned = rep->n_pruned;
	p->n_conflicts = rep->n_conflicts;
	p->n_errors = rep->n_errors;
	p->n_kept = rep->n_kept;
	daemon_proj_set_objects(p, rep);
	daemon_health_refresh(d, p);
	tend_metrics_add(d->metrics, "tend_syncs_total",
	                 (const char *[]){"result", result_label(rep->status), NULL}, 1);
	tend_metrics_observe(d->metrics, "tend_sync_duration_seconds", NULL, rep->seconds);
	log_objects(rep);
	daemon_events_post(d, p, rep);
	daemon_tenant_status_publish(d, p, rep);
	daemon_commit_status_post(d, p, rep);
	if (rep->status == TEND_SYNC_FAILED) {
		tend_log_ctx_printf(TEND_LOG_ERROR, &ctx, "sync failed: %s",
		                    rep->error ? rep->error : "see the objects above");
		retry_later(d, p, now);
		return;
	}
	if (rep->status == TEND_SYNC_PRUNE_BLOCKED) {
		tend_log_ctx_printf(TEND_LOG_WARN, &ctx, "prune guard kept %zu objects: %s",
		                    rep->n_kept, rep->error ? rep->error : "");
		tend_metrics_add(d->metrics, "tend_prune_blocked_total",
		                 (const char *[]){"guard", "objects", NULL}, 1);
	}
	if (rep->status == TEND_SYNC_REMOVAL_BLOCKED) {
		if (blocked_news)
			tend_log_ctx_printf(TEND_LOG_WARN, &ctx, "removal blocked: %s",
			                    rep->error ? rep->error : "");
		tend_metrics_add(d->metrics, "tend_prune_blocked_total",
		                 (const char *[]){"guard", "projects", NULL}, 1);
	}
	if (kept_news) /* once per change, not on every resync */
		tend_log_ctx_printf(TEND_LOG_WARN, &ctx, "%s", rep->kept);
	if (rep->n_handed_over)
		tend_log_ctx_printf(TEND_LOG_INFO, &ctx, "took over %zu objects in place",
		                    rep->n_handed_over);
	if (rep->status == TEND_SYNC_REMOVED)
		tend_log_ctx_printf(TEND_LOG_INFO, &ctx, "project removed (%zu objects pruned)",
		                    rep->n_pruned);
	p->attempts = 0;
	daemon_drift_reverted(d, p);
}

/* What a run did, per project; rc != 0: the API server could not be used. */
static void record_result(tend_daemon *d, proj **run, size_t n, int rc,
                          const tend_reconcile_run_opts *ro, const tend_reconcile_result *res,
                          int64_t now)
{
	if (rc) {
		tend_log(TEND_LOG_ERROR, "sync of %zu projects: %s; nothing was deleted", n,
		         tend_err_msg());
		tend_metrics_add(d->metrics, "tend_syncs_total",
		                 (const char *[]){"result", "error", NULL}, (double)n);
		for (size_t i = 0; i < n; i++) {
			daemon_proj_changed(run[i]);
			daemon_proj_set_str(&run[i]->error, tend_err_msg());
			retry_later(d, run[i], now);
		}
	} else {
		if (ro->complete)
			d->complete_pending = false;
		if (res->error)
			tend_log(res->projects_guard_tripped ? TEND_LOG_ERROR : TEND_LOG_WARN,
			         "sync: %s", res->error);
		daemon_proj_set_str(&d->run_error, res->error);
		for (size_t i = 0; i < res->len; i++)
			record_report(d, &res->reports[i], now);
		/* Our own applies can take fields from tend's entry (a field Git
		 * dropped); check once more rather than record that as drift. */
		for (size_t i = 0; i < n; i++)
			if (run[i]->drift_during_sync)
				daemon_proj_mark(run[i], "drift", now);
	}
}

/* Lower goes first: what a person waits on (a hand edit to revert, a sync
 * asked for, a confirmed namespace deletion), then new revisions (webhooks,
 * projects back in Git), then retries; a full resync only when none is due. */
static int rank(const proj *p)
{
	const char *r = p->due_reason ? p->due_reason : "";
	if (strcmp(r, "drift") == 0 || strcmp(r, "manual") == 0 || strcmp(r, "confirmed") == 0)
		return 0;
	return strcmp(r, "retry") == 0 ? 2 : 1;
}

static int by_due_at(const void *a, const void *b)
{
	const proj *x = *(proj *const *)a, *y = *(proj *const *)b;
	return x->due_at < y->due_at ? -1 : x->due_at > y->due_at;
}

/* The due projects of the best rank present, longest waiting first, at most
 * a slice (out has room for d->np). */
static size_t pick_due(tend_daemon *d, int64_t now, proj **out)
{
	size_t n = 0;
	int best = 3;
	for (size_t i = 0; i < d->np; i++) {
		proj *p = &d->p[i];
		if (!p->in_shard || !p->meta || !p->due || p->due_at > now)
			continue;
		if (daemon_proj_suspended(d, p)) {
			p->due = false; /* resuming marks it due again */
			daemon_proj_changed(p);
			continue;
		}
		int r = rank(p);
		if (r < best) {
			best = r;
			n = 0;
		}
		if (r == best)
			out[n++] = p;
	}
	if (n > SYNC_SLICE) {
		qsort(out, n, sizeof(*out), by_due_at);
		n = SYNC_SLICE;
	}
	return n;
}

static bool in_my_shard(void *ud, const char *project)
{
	const tend_daemon *d = ud;
	return tend_daemon_shard_of(project, d->opt.shards) == d->opt.shard_index;
}

/* What lib/reconcile is given for a slice of projects: their renders loaded again. */
typedef struct slice {
	tend_reconcile_desired *want;
	tend_resmap *objects;
	char **errors; /* a render that does not load back */
	size_t n;
} slice;

static void slice_load(tend_daemon *d, proj **run, size_t n, slice *s)
{
	s->n = n;
	s->want = tend_xcalloc(n + 1, sizeof(*s->want));
	s->objects = tend_xcalloc(n + 1, sizeof(*s->objects));
	s->errors = tend_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		proj *p = run[i];
		bool loaded = p->rendered;
		if (loaded && daemon_rendered_load(&p->desired, p->name, &s->objects[i])) {
			s->errors[i] = tend_xstrdup(tend_err_msg());
			loaded = false;
		}
		/* A failed render syncs its last good one: the objects of that revision. */
		s->want[i] = (tend_reconcile_desired){
		    p->name, p->meta->namespace, p->render_error ? p->render_revision : d->revision,
		    loaded ? &s->objects[i] : NULL,
		    loaded         ? NULL
		    : s->errors[i] ? s->errors[i]
		                   : p->render_error};
	}
}

static void slice_free(slice *s)
{
	for (size_t i = 0; i < s->n; i++) {
		tend_resmap_free(&s->objects[i]);
		free(s->errors[i]);
	}
	free(s->errors);
	free(s->objects);
	free(s->want);
}

/* Reconciles and records one slice of a run (others: with removal, the
 * run's earlier slices); -1 when the API server could not be used, with
 * nothing recorded. */
static int sync_slice(tend_daemon *d, proj **run, size_t n, bool removal, const tend_strset *others,
                      const tend_strset *in_git, const cJSON *inventories)
{
	for (size_t i = 0; i < n; i++) {
		run[i]->syncing = true;
		run[i]->drift_during_sync = false;
	}
	slice s;
	slice_load(d, run, n, &s);
	tend_reconcile_run_opts ro = {.mode = TEND_RECONCILE_APPLY,
	                              .complete = removal,
	                              .others = removal ? others : NULL,
	                              .may_remove = d->opt.shards > 1 ? in_my_shard : NULL,
	                              .may_remove_ud = d,
	                              .revision_projects = d->generator_error ? NULL : in_git,
	                              .inventories = removal ? inventories : NULL};
	tend_reconcile_result res = {0};
	int rc = tend_reconcile_run(d->rec, s.want, n, &ro, &res);
	int64_t now = daemon_now_ms();
	for (size_t i = 0; i < n; i++) {
		run[i]->syncing = false;
		run[i]->synced_at = now;
		daemon_proj_changed(run[i]); /* no longer due */
	}
	if (rc == 0)
		record_result(d, run, n, 0, &ro, &res, now);
	tend_reconcile_result_free(&res);
	slice_free(&s);
	return rc;
}

/* Every project of the revision (all shards), kept until the generator runs again. */
static const tend_strset *in_git(tend_daemon *d)
{
	if (d->in_git_gen != d->p_generation || !d->in_git.slots) {
		tend_strset_free(&d->in_git);
		for (size_t i = 0; i < d->projects.len; i++)
			tend_strset_add(&d->in_git, d->projects.items[i].name);
		d->in_git_gen = d->p_generation;
	}
	return &d->in_git;
}

/* One slice of the due projects; false when none is due. */
static bool sync_step_due(tend_daemon *d, int64_t now)
{
	proj **run = tend_xcalloc(d->np + 1, sizeof(proj *));
	size_t n = pick_due(d, now, run);
	for (size_t i = 0; i < n; i++)
		run[i]->due = false;
	if (n && sync_slice(d, run, n, false, NULL, in_git(d), NULL))
		/* the API server cannot be used: they retry */
		record_result(d, run, n, -1, NULL, NULL, daemon_now_ms());
	d->synced_since_trim += n;
	free(run);
	return n > 0;
}

bool daemon_resync_running(const tend_daemon *d)
{
	return d->resync.running;
}

/* The inventories' LIST of a resync, cancelled (its result dropped). */
static void resync_list_drop(tend_daemon *d)
{
	if (d->resync.listing && d->resync.list)
		tend_kube_cancel(d->resync.list);
	d->resync.list = NULL;
	d->resync.listing = d->resync.listed = false;
	cJSON_Delete(d->resync.inventories);
	d->resync.inventories = NULL;
	free(d->resync.list_error);
	d->resync.list_error = NULL;
}

void daemon_resync_stop(tend_daemon *d)
{
	resync_list_drop(d);
	free(d->resync.queue);
	d->resync.queue = NULL;
	d->resync.running = false;
}

static void resync_start(tend_daemon *d, int64_t now)
{
	daemon_resync_stop(d);
	d->resync.queue = tend_xcalloc(d->np + 1, sizeof(size_t));
	d->resync.len = d->resync.at = d->resync.synced = 0;
	for (size_t i = 0; i < d->np; i++)
		if (d->p[i].in_shard && d->p[i].meta && !daemon_proj_suspended(d, &d->p[i]))
			d->resync.queue[d->resync.len++] = i;
	d->resync.started = now;
	d->resync.running = true;
}

static void resync_end(tend_daemon *d)
{
	daemon_resync_stop(d);
	tend_log(TEND_LOG_DEBUG, "full resync done: %zu projects synced by it", d->resync.synced);
}

static void inventories_listed(void *ud, cJSON *items, const char *rv,
                               const tend_kube_response *err)
{
	(void)rv;
	tend_daemon *d = ud;
	d->resync.list = NULL;
	d->resync.listing = false;
	d->resync.listed = true;
	d->resync.inventories = items;
	if (!items)
		d->resync.list_error =
		    tend_xstrdup(err && err->error ? err->error : "listing the inventories failed");
}

/* Whether the resync waits for its inventories' LIST (nothing to do meanwhile). */
static bool resync_waiting(const tend_daemon *d)
{
	return d->resync.running && d->resync.listing;
}

/*
 * The size of the next resync slice: as many projects as take about
 * RESYNC_SLICE_MS at the pace of the last slice (m projects in took_ms),
 * between RESYNC_SLICE_MIN and SYNC_SLICE. A revert waits for the slice
 * under way, and a slice of 32 took 100-500 ms at 3,000 projects on a
 * loaded machine.
 */
size_t daemon_resync_slice_size(size_t m, int64_t took_ms)
{
	if (!m)
		return SYNC_SLICE;
	int64_t fit = took_ms > 0 ? (int64_t)m * RESYNC_SLICE_MS / took_ms : SYNC_SLICE;
	return fit < RESYNC_SLICE_MIN ? RESYNC_SLICE_MIN
	       : fit > SYNC_SLICE     ? SYNC_SLICE
	                              : (size_t)fit;
}

/*
 * The removal of projects that left Git, once every slice ran: told of
 * every project of this shard in Git now, a run of no project removes
 * those with an inventory that left it (when the generator ran well). It
 * reads every inventory, so their LIST is started first and the loop goes
 * on syncing due projects until it returns. False while it waits.
 */
static bool resync_removal(tend_daemon *d)
{
	if (d->generator_error) {
		resync_end(d);
		return true;
	}
	if (!d->resync.listed) {
		if (d->resync.listing)
			return false;
		d->resync.listing = true;
		if (tend_reconcile_inventories_list_async(d->rec, inventories_listed, d,
		                                          &d->resync.list)) {
			d->resync.listing = false;
			tend_log(TEND_LOG_WARN, "full resync: no removals: %s", tend_err_msg());
			resync_end(d);
			return true;
		}
		return !d->resync.listing; /* it may have failed at once */
	}
	if (d->resync.list_error) {
		tend_log(TEND_LOG_WARN, "full resync: no removals: reading the inventories: %s",
		         d->resync.list_error);
		resync_end(d);
		return true;
	}
	tend_strset others = TEND_STRSET_INIT;
	for (size_t i = 0; i < d->np; i++)
		if (d->p[i].in_shard && d->p[i].meta)
			tend_strset_add(&others, d->p[i].name);
	if (sync_slice(d, NULL, 0, true, &others, in_git(d), d->resync.inventories))
		tend_log(TEND_LOG_WARN, "full resync: removals: %s", tend_err_msg());
	tend_strset_free(&others);
	resync_end(d);
	return true;
}

/*
 * The next step of the resync: a slice of its projects not synced since it
 * began (the due ones that went first), or, once every one was looked at,
 * the removal. False when it only waits.
 */
static bool resync_step(tend_daemon *d)
{
	proj *run[SYNC_SLICE];
	size_t m = 0, want = d->resync.slice ? d->resync.slice : SYNC_SLICE;
	while (d->resync.at < d->resync.len && m < want) {
		proj *p = &d->p[d->resync.queue[d->resync.at++]];
		if (p->in_shard && p->meta && p->synced_at < d->resync.started &&
		    !daemon_proj_suspended(d, p))
			run[m++] = p;
	}
	if (!m)
		return resync_removal(d);
	for (size_t i = 0; i < m; i++)
		run[i]->due = false;
	int64_t t0 = daemon_now_ms();
	int rc = sync_slice(d, run, m, false, NULL, in_git(d), NULL);
	d->resync.slice = daemon_resync_slice_size(m, daemon_now_ms() - t0);
	d->resync.synced += m;
	d->synced_since_trim += m;
	if (rc) {
		/* The API server cannot be used: the rest of the resync retries too. */
		size_t rest = m;
		proj **all = tend_xcalloc(m + d->resync.len - d->resync.at + 1, sizeof(proj *));
		memcpy(all, run, m * sizeof(proj *));
		while (d->resync.at < d->resync.len) {
			proj *p = &d->p[d->resync.queue[d->resync.at++]];
			if (p->in_shard && p->meta)
				all[rest++] = p;
		}
		record_result(d, all, rest, -1, NULL, NULL, daemon_now_ms());
		free(all);
		resync_end(d);
		return true;
	}
	tend_log(TEND_LOG_DEBUG, "full resync: %zu of %zu projects looked at (next slice %zu)",
	         d->resync.at, d->resync.len, d->resync.slice);
	return true;
}

bool daemon_sync_due(tend_daemon *d, bool complete)
{
	if (!daemon_keep_lease(d))
		return false;
	int64_t now = daemon_now_ms();
	/* Suspensions first: one LIST, before anything syncs (any replica may
	 * have suspended a project since). */
	if ((complete || (d->resync.running && !resync_waiting(d)) || daemon_next_due(d) <= now) &&
	    daemon_suspensions_refresh(d, now)) {
		for (size_t i = 0; i < d->np; i++)
			if (d->p[i].due && d->p[i].due_at <= now)
				d->p[i].due_at = now + RETRY_BASE_MS;
		if (complete)
			d->next_resync = now + RETRY_BASE_MS;
		return false;
	}
	if (complete && !d->resync.running)
		resync_start(d, now);
	bool did = sync_step_due(d, now);
	/* A drift just seen waits out its debounce: a resync slice started now
	 * would hold it for the whole slice. */
	if (!did && d->resync.running && daemon_next_due(d) - now > RESYNC_HOLD_MS)
		did = resync_step(d);
	if (did) {
		daemon_watch_new_resources(d);
		d->dirty = true;
	}
	/* A full run's reports and copies are large and short-lived: once the
	 * burst is over, hand the freed pages back instead of keeping them as
	 * the process's size. */
	if (!d->resync.running && d->synced_since_trim > 16 && daemon_next_due(d) > now) {
		malloc_trim(0);
		char *when = tend_xasprintf("after syncing %zu projects", d->synced_since_trim);
		daemon_log_memory(d, when);
		free(when);
		d->synced_since_trim = 0;
	}
	return did;
}

void daemon_diff_due(tend_daemon *d)
{
	proj **run = tend_xcalloc(d->np + 1, sizeof(proj *));
	size_t n = 0;
	for (size_t i = 0; i < d->np; i++) {
		proj *p = &d->p[i];
		if (p->diff_due && p->in_shard && p->meta && p->rendered && !p->render_error)
			run[n++] = p;
		p->diff_due = false;
	}
	for (size_t at = 0; at < n; at += SYNC_SLICE) {
		size_t m = n - at < SYNC_SLICE ? n - at : SYNC_SLICE;
		slice s;
		slice_load(d, run + at, m, &s);
		tend_reconcile_run_opts ro = {.mode = TEND_RECONCILE_DIFF};
		tend_reconcile_result res = {0};
		if (tend_reconcile_run(d->rec, s.want, m, &ro, &res) == 0) {
			for (size_t i = 0; i < res.len; i++) {
				proj *p = daemon_proj_find(d, res.reports[i].project);
				if (!p || res.reports[i].status != TEND_SYNC_OUT_OF_SYNC)
					continue;
				daemon_proj_set_str(&p->status, "OutOfSync");
				daemon_proj_set_objects(p, &res.reports[i]);
				daemon_health_refresh(d, p);
			}
		} else {
			tend_log(TEND_LOG_WARN, "diff of drifted projects: %s", tend_err_msg());
		}
		tend_reconcile_result_free(&res);
		slice_free(&s);
	}
	if (n)
		d->dirty = true;
	free(run);
}

int64_t daemon_next_due(const tend_daemon *d)
{
	int64_t next = INT64_MAX;
	for (size_t i = 0; i < d->np; i++)
		if (d->p[i].due && d->p[i].in_shard && d->p[i].meta && d->p[i].due_at < next)
			next = d->p[i].due_at;
	return next;
}
