/*
 * revision.c — from Git to desired state: fetch the source, run the
 * directory generator at the new revision, render this replica's projects
 * and mark for sync only those whose rendered output changed.
 *
 * Safety: a failed fetch keeps the last good revision; a failed generator
 * run keeps the previous project list and renders (nothing is dropped, so
 * nothing is pruned); a project whose render fails keeps its last good
 * render, which its syncs go on holding the cluster to (drift is reverted)
 * until a revision renders again; one that never rendered is passed to
 * lib/reconcile without objects, which neither applies nor prunes it. A new revision re-renders
 * only the projects whose input directories (lib/review's tend_inputs: every directory a build can
 * read; the graph is kept from revision to revision and re-reads only the kustomizations a commit
 * touched) it changed, and every project when that cannot be told (a first revision, a plain
 * directory, a reload, a new day: grants expire by date). Each file is
 * parsed once by a kustomize cache that lives for that revision's renders
 * (every revision is checked out at new paths). Only a changed render is
 * synced; renders are kept as text until then (rendered.c).
 */
#include "daemon_internal.h"

#include <malloc.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

static void render_one(tend_daemon *d, proj *p, const tend_project *meta, const char *root,
                       const char *sha, tend_kustomize_cache *kcache)
{
	tend_kustomize_opts ko = {0};
	ko.cache = kcache;
	tend_resmap rm = TEND_RESMAP_INIT;
	int64_t t0 = daemon_now_ms();
	int rc = tend_reconcile_render(&d->cfg, meta, root, &ko, NULL, &rm);
	tend_metrics_observe(d->metrics, "tend_render_duration_seconds", NULL,
	                     (double)(daemon_now_ms() - t0) / 1000.0);
	tend_log_ctx ctx = {p->name, NULL, sha};
	unsigned char h[32];
	daemon_proj_changed(p);
	if (rc == 0) {
		daemon_watch_rendered(d, &rm);
		rc = daemon_rendered_set(&p->desired, d->file_names, p->name, &rm, h);
		tend_resmap_free(&rm);
	}
	if (rc) {
		bool news = false;
		if (!p->render_error || strcmp(p->render_error, tend_err_msg()) != 0) {
			tend_log_ctx_printf(TEND_LOG_ERROR, &ctx, "render failed: %s",
			                    tend_err_msg());
			news = true;
		}
		daemon_proj_set_str(&p->render_error, tend_err_msg());
		/* desired.c words a guard refusal "N guardrail violation(s), nothing applied" */
		daemon_proj_set_str(&p->status, strstr(p->render_error, " guardrail violation")
		                                    ? "Blocked"
		                                    : "RenderFailed");
		daemon_proj_set_str(&p->error, p->render_error);
		if (news) { /* no sync follows: say it where people look now */
			if (d->first_render_done) /* this commit broke it */
				daemon_commit_status_mark(p, sha);
			daemon_commit_status_post(d, p, NULL);
			daemon_tenant_status_due(d, p);
		}
		return;
	}
	bool changed = !p->rendered || memcmp(h, p->render_hash, sizeof(h)) != 0;
	bool recovered = p->render_error != NULL;
	memcpy(p->render_hash, h, sizeof(h));
	p->rendered = true;
	daemon_proj_set_str(&p->render_revision, sha);
	daemon_proj_set_str(&p->render_error, NULL);
	if (changed || recovered) {
		tend_log_ctx_printf(TEND_LOG_INFO, &ctx, "render changed (%zu objects)",
		                    p->desired.n);
		if (d->first_render_done) /* not at start: only what a commit changed */
			daemon_commit_status_mark(p, sha);
		daemon_proj_mark(p, "revision", daemon_now_ms());
	}
}

/*
 * A project that left Git and came back (a reverted removal): its render may
 * hash as before it left, but the cluster no longer holds it, so it is
 * rendered and synced in this cycle, and what its removal said is gone.
 */
static void back_in_git(tend_daemon *d, proj *p, const char *sha)
{
	(void)d;
	tend_log_ctx_printf(TEND_LOG_INFO, &(tend_log_ctx){p->name, NULL, sha},
	                    "project is back in the repository");
	p->rendered = false;
	p->attempts = 0;
	p->n_namespaces_kept = 0;
	daemon_proj_set_str(&p->status, "Pending");
	daemon_proj_set_str(&p->error, NULL);
}

static bool existed(tend_daemon *d, size_t known, const bool *had, char **old_dir, const char *name,
                    size_t *k)
{
	proj *p = daemon_proj_find(d, name);
	*k = p ? (size_t)(p - d->p) : 0;
	return p && *k < known && had[*k] && old_dir[*k];
}

/*
 * Collisions the generator found: two directories making one project name
 * (names differing only in case), two projects in one namespace. The project
 * that had the name (from the same directory) or the namespace before keeps
 * it; the newcomer is blocked with an error naming the other side, so a new
 * directory never takes a running project down. When neither side is new
 * both are blocked (as `tend check` refuses both). Logged once per change of
 * the set, not on every render or retry. skip[i]: entry i makes no record.
 */
static void settle_collisions(tend_daemon *d, size_t known, const bool *had, char **old_dir,
                              char **old_ns, bool *skip, const char *sha)
{
	tend_projects *ps = &d->projects;
	tend_buf note = TEND_BUF_INIT;
	for (size_t i = 0; i < ps->len; i++) {
		tend_project *a = &ps->items[i];
		size_t k;
		bool was = existed(d, known, had, old_dir, a->name, &k);
		if (a->collides_with && was && old_dir[k] && strcmp(old_dir[k], a->dir) == 0) {
			free(a->error);
			a->error = NULL;
			tend_buf_printf(&note,
			                "%sdirectory %s also makes project \"%s\", which is %s: "
			                "ignored until it is renamed",
			                note.len ? "\n" : "", a->collides_with, a->name, a->dir);
		} else if (a->collides_with && was) {
			skip[i] = true;
		}
	}
	for (size_t i = 0; i < ps->len; i++) {
		tend_project *a = &ps->items[i];
		if (!a->conflict || a->error || skip[i])
			continue;
		size_t k;
		bool mine = existed(d, known, had, old_dir, a->name, &k) && old_ns[k] &&
		            strcmp(old_ns[k], a->namespace) == 0;
		const char *keeper = NULL;
		for (size_t j = 0; j < ps->len; j++) {
			tend_project *b = &ps->items[j];
			size_t kb;
			if (j != i && !skip[j] && strcmp(b->namespace, a->namespace) == 0 &&
			    existed(d, known, had, old_dir, b->name, &kb) && old_ns[kb] &&
			    strcmp(old_ns[kb], b->namespace) == 0)
				keeper = b->name;
		}
		if (mine)
			continue; /* it keeps the namespace (or both had it: the sync tells) */
		a->error = keeper ? tend_xasprintf("%s; project \"%s\" keeps it, this one is not "
		                                   "applied",
		                                   a->conflict, keeper)
		                  : tend_xasprintf("%s; neither is applied", a->conflict);
		tend_buf_printf(&note, "%sproject %s: %s", note.len ? "\n" : "", a->name, a->error);
	}
	if (!(note.data && d->collisions && strcmp(note.data, d->collisions) == 0) &&
	    (note.data || d->collisions)) {
		for (char *line = note.data, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			tend_log_ctx_printf(TEND_LOG_WARN, &(tend_log_ctx){NULL, NULL, sha},
			                    "collision: %.*s",
			                    (int)(nl ? (size_t)(nl - line) : strlen(line)), line);
		}
		daemon_proj_set_str(&d->collisions, note.data);
	}
	tend_buf_free(&note);
}

/* The generator at root; on failure the previous project list stays. */
static int generate(tend_daemon *d, const char *root, const char *sha)
{
	tend_projects fresh = {0};
	if (tend_generator_run(d->cfg.rules, d->cfg.n_rules, root, &fresh)) {
		daemon_proj_set_str(&d->generator_error, tend_err_msg());
		tend_log_ctx ctx = {NULL, NULL, sha};
		tend_log_ctx_printf(TEND_LOG_ERROR, &ctx,
		                    "directory generator failed, keeping the previous projects: %s",
		                    tend_err_msg());
		return -1;
	}
	daemon_proj_set_str(&d->generator_error, NULL);
	bool *had = tend_xcalloc(d->np + 1, sizeof(bool));
	char **old_dir = tend_xcalloc(d->np + 1, sizeof(char *));
	char **old_ns = tend_xcalloc(d->np + 1, sizeof(char *));
	for (size_t i = 0; i < d->np; i++) {
		had[i] = d->p[i].meta != NULL;
		/* only a project that was in use owns its name and namespace */
		if (had[i] && !d->p[i].meta->error) {
			old_dir[i] = tend_xstrdup(d->p[i].meta->dir);
			old_ns[i] = tend_xstrdup(d->p[i].meta->namespace);
		}
		d->p[i].meta = NULL;
	}
	size_t known = d->np;
	tend_projects_free(&d->projects);
	d->projects = fresh;
	bool *skip = tend_xcalloc(d->projects.len + 1, sizeof(bool));
	settle_collisions(d, known, had, old_dir, old_ns, skip, sha);
	for (size_t i = 0; i < known; i++) {
		free(old_dir[i]);
		free(old_ns[i]);
	}
	free(old_dir);
	free(old_ns);
	for (size_t i = 0; i < d->projects.len; i++) {
		const tend_project *meta = &d->projects.items[i];
		if (skip[i])
			continue;
		proj *p = daemon_proj_find(d, meta->name);
		if (!p)
			p = daemon_proj_add(d, meta->name);
		else if ((size_t)(p - d->p) < known && !had[p - d->p])
			back_in_git(d, p, sha);
		p->meta = meta;
	}
	/* A project gone from Git is removed by a run that lists every project. */
	for (size_t i = 0; i < known; i++)
		if (had[i] && !d->p[i].meta && d->p[i].in_shard) {
			tend_log_ctx_printf(TEND_LOG_INFO, &(tend_log_ctx){d->p[i].name, NULL, sha},
			                    "project left the repository");
			d->complete_pending = true;
		}
	free(had);
	free(skip);
	d->p_generation++; /* meta pointers and d->projects changed */
	daemon_status_invalidate(d);
	return 0;
}

/*
 * affected[i] for each project of d->projects that the change from d->revision
 * to rev can affect; NULL when that cannot be told (then every project is).
 */
static bool *affected_projects(tend_daemon *d, const tend_revision *rev)
{
	const char *repo = tend_source_repo_path(d->src);
	if (!d->revision || !d->revision[0] || !rev->sha[0] || !repo)
		return NULL;
	tend_history *h = NULL;
	tend_strvec changed = TEND_STRVEC_INIT;
	bool everything = false;
	bool *affected = NULL;
	if (tend_history_open(repo, &h) == 0 &&
	    tend_review_changes(h, d->revision, rev->sha, NULL, &changed, &everything) == 0) {
		affected = tend_xcalloc(d->projects.len + 1, sizeof(bool));
		if (d->inputs)
			tend_inputs_advance(d->inputs, rev->dir, &changed);
		else
			d->inputs = tend_inputs_new(rev->dir);
		tend_inputs_affected(d->inputs, &d->projects, &changed, affected);
	} else {
		tend_log(TEND_LOG_WARN,
		         "cannot tell what %.12s changed, rendering every project: %s", rev->sha,
		         tend_err_msg());
	}
	tend_history_free(h);
	tend_strvec_free(&changed);
	return affected;
}

static void utc_day(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void count_fetch(tend_daemon *d, const char *result)
{
	tend_metrics_add(d->metrics, "tend_git_fetches_total",
	                 (const char *[]){"result", result, NULL}, 1);
}

/* Remembers what the status shows of the applied revision. */
static void show(tend_daemon *d, const tend_revision *rev)
{
	tend_revision_clear(&d->shown);
	memcpy(d->shown.sha, rev->sha, sizeof(rev->sha));
	d->shown.author = rev->author ? tend_xstrdup(rev->author) : NULL;
	d->shown.subject = rev->subject ? tend_xstrdup(rev->subject) : NULL;
	d->shown.time = rev->time;
}

int daemon_revision_update(tend_daemon *d, int update_rc, const char *update_error,
                           bool force_render)
{
	d->last_fetch_wall_ms = daemon_wall_ms();
	if (update_rc) {
		count_fetch(d, "error");
		d->fetch_failures++;
		if (!d->source_error || strcmp(d->source_error, update_error) != 0)
			tend_log(TEND_LOG_WARN, "source: %s; keeping the last good revision",
			         update_error);
		daemon_proj_set_str(&d->source_error, update_error);
		if (!tend_source_current(d->src) && tend_source_load_cached(d->src))
			return -1;
	} else {
		count_fetch(d, "ok");
		d->fetch_failures = 0;
		daemon_proj_set_str(&d->source_error, NULL);
	}
	const tend_revision *rev = tend_source_current(d->src);
	if (!rev)
		return -1;
	bool same = d->revision && strcmp(d->revision, rev->sha) == 0;
	char today[11];
	utc_day(today);
	force_render |= strcmp(today, d->render_day) != 0;
	/* A plain directory has no sha: render every time and let the hashes decide. */
	if (same && !force_render && rev->sha[0])
		return 0;
	if (!same)
		tend_log_ctx_printf(TEND_LOG_INFO, &(tend_log_ctx){NULL, NULL, rev->sha},
		                    "new revision: %s", rev->subject ? rev->subject : "");
	if (rev->history_rewritten)
		tend_log_ctx_printf(TEND_LOG_WARN, &(tend_log_ctx){NULL, NULL, rev->sha},
		                    "the history was rewritten (force push)");
	if (generate(d, rev->dir, rev->sha))
		return -1;
	daemon_ui_collect_grants(d, rev->dir);
	bool *affected = force_render ? NULL : affected_projects(d, rev);
	if (!affected) { /* what changed is not known: the graph is read afresh */
		tend_inputs_free(d->inputs);
		d->inputs = NULL;
	}
	daemon_proj_set_str(&d->revision, rev->sha);
	show(d, rev);
	memcpy(d->render_day, today, sizeof(today));
	tend_kustomize_cache *kcache = tend_kustomize_cache_new();
	size_t rendered = 0, in_shard = 0;
	for (size_t i = 0; i < d->np; i++) {
		proj *p = &d->p[i];
		if (!p->meta || !p->in_shard)
			continue;
		in_shard++;
		/* Untouched by the change, and rendered well before: the render stands. */
		if (affected && !affected[p->meta - d->projects.items] && p->rendered &&
		    !p->render_error)
			continue;
		render_one(d, p, p->meta, rev->dir, rev->sha, kcache);
		if (++rendered % 64 == 0 && !daemon_keep_lease(d))
			break;
	}
	tend_kustomize_cache_free(kcache);
	if (affected)
		tend_log_ctx_printf(TEND_LOG_INFO, &(tend_log_ctx){NULL, NULL, rev->sha},
		                    "rendered the %zu of %zu projects whose inputs changed",
		                    rendered, in_shard);
	free(affected);
	malloc_trim(0); /* the parsed files were most of the heap's top */
	d->first_render_done = true;
	tend_metrics_reset(d->metrics, "tend_revision_info");
	tend_metrics_set(
	    d->metrics, "tend_revision_info",
	    (const char *[]){"revision", rev->sha[0] ? rev->sha : "working-copy", NULL}, 1);
	return 0;
}
