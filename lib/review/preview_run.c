/*
 * preview_run.c — a whole preview: both revisions read from the Git object
 * database (trees mounted at paths of their own, nothing written out), the
 * projects of each found by the directory generator, the touched ones
 * rendered at both revisions (on every CPU) and compared.
 *
 * Invariants: both trees are unmounted on every path out; projects are
 * reported in name order whatever thread rendered them.
 */
#include "review_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One revision, read from the object database through a mounted tree. */
typedef struct side {
	char sha[41];
	review_tree tree;
	char *root; /* the config root: in the tree, or the working tree */
	tend_projects projects;
	tend_inputs *inputs; /* the graph saved for sha, else NULL until the change is known */
	char *cache;         /* where the graph of sha is saved, NULL without a sha */
} side;

/* The working tree as a side: read where it is, sha "" (no commit); its
 * projects are found from the base's and the change, as a revision's. */
static void side_open_worktree(const char *root, side *s)
{
	memset(s, 0, sizeof(*s));
	s->root = tend_xstrdup(root);
}

/* Opens a revision's tree; its projects are found only when `generate`
 * (the list saved for the commit, else the generator's). */
static int side_open(const tend_config *cfg, tend_history *h, const char *rev, bool generate,
                     side *s)
{
	memset(s, 0, sizeof(*s));
	if (tend_history_resolve(h, rev, s->sha) ||
	    review_tree_open(cfg, h, s->sha, "preview", &s->tree))
		return -1;
	s->root = tend_xstrdup(s->tree.root);
	const char *prefix = tend_history_prefix(h);
	s->cache = tend_review_cache_path(cfg->source.cache_dir, "inputs", s->sha, prefix);
	s->inputs = s->cache ? tend_inputs_load(s->cache, s->root) : NULL;
	return generate ? tend_review_projects_of(cfg, s->sha, prefix, s->root, &s->projects) : 0;
}

/* The head revision's projects from the base's and the change: only the
 * directories the change touched are read (10,000 project.yaml are not). */
static int side_generate_from(const tend_config *cfg, const side *base, const tend_strvec *changed,
                              side *head)
{
	if (tend_fs_path_kind(head->root) != TEND_FS_DIR) /* no config root at this revision */
		return 0;
	return tend_generator_update(cfg->rules, cfg->n_rules, head->root, &base->projects, changed,
	                             &head->projects);
}

static void side_close(side *s)
{
	review_tree_close(&s->tree);
	free(s->root);
	tend_projects_free(&s->projects);
	tend_inputs_free(s->inputs);
	free(s->cache);
}

/* A project of one side, for pairing both sides by name. */
typedef struct named {
	const char *name;
	int side; /* 0 base, 1 head */
	size_t index;
} named;

static int by_name(const void *a, const void *b)
{
	const named *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = x->side - y->side;
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

typedef struct task {
	const char *name;
	const tend_project *base, *head;
	tend_preview result; /* one project */
} task;

/*
 * Which projects of each side read a changed path. Each side's graph comes
 * from the cache when its commit's was saved; else the head starts from the
 * base's, advanced by the change (so only the kustomizations it touched are
 * read), and the base's is read whole. A graph that read anything is saved.
 */
static void affected_sides(side *base, side *head, const tend_strvec *changed, bool **in_base,
                           bool **in_head)
{
	if (!base->inputs)
		base->inputs = tend_inputs_new(base->root);
	*in_base = tend_xcalloc(base->projects.len + 1, sizeof(bool));
	tend_inputs_affected(base->inputs, &base->projects, changed, *in_base);
	if (!head->inputs) {
		head->inputs = tend_inputs_copy(base->inputs, head->root);
		tend_inputs_advance(head->inputs, head->root, changed);
	}
	*in_head = tend_xcalloc(head->projects.len + 1, sizeof(bool));
	tend_inputs_affected(head->inputs, &head->projects, changed, *in_head);
	for (int k = 0; k < 2; k++) {
		const side *s = k ? head : base;
		if (s->cache && tend_inputs_reads(s->inputs) &&
		    tend_inputs_save(s->inputs, s->cache))
			tend_err_clear(); /* the cache is an optimisation */
	}
}

/*
 * Each project name of both sides once, in name order, with the first
 * project of that name on each side (as tend_projects_find) or NULL: one
 * sort, not a search per name (O(N^2) at 10,000 projects). Returns the
 * count; *out (caller frees) holds one task per name.
 */
static size_t pair_sides(const side *a, const side *b, task **out)
{
	size_t total = a->projects.len + b->projects.len;
	named *all = tend_xcalloc(total + 1, sizeof(*all));
	size_t n = 0;
	for (int k = 0; k < 2; k++) {
		const tend_projects *ps = k ? &b->projects : &a->projects;
		for (size_t i = 0; i < ps->len; i++)
			all[n++] = (named){ps->items[i].name, k, i};
	}
	qsort(all, n, sizeof(*all), by_name);
	task *tasks = tend_xcalloc(n + 1, sizeof(*tasks));
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		const tend_projects *ps = all[i].side ? &b->projects : &a->projects;
		const tend_project *p = &ps->items[all[i].index];
		if (len && strcmp(tasks[len - 1].name, all[i].name) == 0) {
			task *t = &tasks[len - 1];
			if (all[i].side && !t->head)
				t->head = p;
			continue;
		}
		tasks[len++] = (task){.name = all[i].name,
		                      .base = all[i].side ? NULL : p,
		                      .head = all[i].side ? p : NULL};
	}
	free(all);
	*out = tasks;
	return len;
}

typedef struct run {
	const tend_config *cfg;
	const side *base, *head;
	const char *today;
	task *tasks;
} run;

/* Renders one side of a project; `side_out` borrows `m` and `error`. */
static void render_side(const run *r, const side *s, const tend_project *p,
                        const tend_kustomize_opts *opts, tend_resmap *m, tend_violations *v,
                        char **error, tend_preview_side *side_out)
{
	*side_out = (tend_preview_side){p, NULL, NULL};
	*m = (tend_resmap)TEND_RESMAP_INIT;
	if (!p)
		return;
	size_t before = v->len;
	if (tend_review_check_project(r->cfg, p, s->root, opts, r->today, m, v) == 0) {
		side_out->objects = m;
	} else {
		*error = tend_xstrdup(v->len > before ? v->items[v->len - 1].message : "");
		side_out->error = *error;
	}
}

static void preview_one(size_t i, void *ctx, const tend_kustomize_opts *opts)
{
	run *r = ctx;
	task *t = &r->tasks[i];
	tend_resmap bm, hm;
	tend_violations bv = {0}, hv = {0};
	char *berr = NULL, *herr = NULL;
	tend_preview_side bs, hs;
	render_side(r, r->base, t->base, opts, &bm, &bv, &berr, &bs);
	render_side(r, r->head, t->head, opts, &hm, &hv, &herr, &hs);
	tend_preview_add(&t->result, t->name, &bs, &hs, &hv);
	tend_violations_free(&bv);
	tend_violations_free(&hv);
	tend_resmap_free(&bm);
	tend_resmap_free(&hm);
	free(berr);
	free(herr);
}

/* The guard file's text at one side ("" when it has none). */
static char *guard_text(const side *s)
{
	char *path = tend_xasprintf("%s/%s", s->root, TEND_GUARD_FILE);
	tend_buf b = TEND_BUF_INIT;
	if (tend_fs_path_read(path, TEND_DOC_MAX_BYTES, &b)) /* absent, or unreadable */
		tend_err_clear();
	free(path);
	return b.data ? tend_buf_detach(&b) : tend_xstrdup("");
}

int tend_preview_run(const tend_config *cfg, tend_history *h, const char *config_rel,
                     const char *base_rev, const char *head_rev, const char *today, int threads,
                     tend_preview *pv)
{
	return tend_preview_run_worktree(cfg, h, config_rel, base_rev, head_rev, NULL, today,
	                                 threads, pv);
}

int tend_preview_run_worktree(const tend_config *cfg, tend_history *h, const char *config_rel,
                              const char *base_rev, const char *head_rev, const char *worktree,
                              const char *today, int threads, tend_preview *pv)
{
	side base, head;
	memset(&head, 0, sizeof(head));
	tend_strvec rel = TEND_STRVEC_INIT;
	bool everything = false;
	int rc = side_open(cfg, h, base_rev, true, &base);
	if (!rc && head_rev)
		rc = side_open(cfg, h, head_rev, false, &head);
	else if (!rc)
		side_open_worktree(worktree, &head);
	if (!rc)
		rc = tend_review_changes(h, base.sha, head_rev ? head.sha : NULL, config_rel, &rel,
		                         &everything);
	if (!rc)
		rc = side_generate_from(cfg, &base, &rel, &head);
	if (!rc) {
		memcpy(pv->base, base.sha, sizeof(pv->base));
		memcpy(pv->head, head.sha, sizeof(pv->head));
		char *bg = guard_text(&base), *hg = guard_text(&head);
		if (strcmp(bg, hg) != 0) {
			tend_buf d = TEND_BUF_INIT;
			tend_review_unified_diff(bg, hg, &d);
			pv->guard_diff = d.data ? tend_buf_detach(&d) : tend_xstrdup("");
		}
		free(bg);
		free(hg);
		bool *in_base = NULL, *in_head = NULL;
		if (!everything)
			affected_sides(&base, &head, &rel, &in_base, &in_head);
		task *tasks;
		size_t all = pair_sides(&base, &head, &tasks), n = 0;
		for (size_t i = 0; i < all; i++) {
			const task *t = &tasks[i];
			if (everything || (t->base && in_base[t->base - base.projects.items]) ||
			    (t->head && in_head[t->head - head.projects.items]))
				tasks[n++] = tasks[i];
		}
		free(in_base);
		free(in_head);
		run r = {cfg, &base, &head, today, tasks};
		review_parallel(n, threads, preview_one, &r);
		for (size_t i = 0; i < n; i++)
			tend_preview_move(pv, &tasks[i].result);
		tend_preview_deletions(pv);
		free(tasks);
	}
	tend_strvec_free(&rel);
	side_close(&base);
	side_close(&head);
	return rc;
}
