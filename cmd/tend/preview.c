/*
 * preview.c — `tend preview BASE HEAD`: what merging a pull request would do
 * to the cluster, rendered from the Git object database at both revisions.
 */
#include "cmd.h"

#include "../../lib/review/review.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "Usage: tend preview [-c tend.yaml] BASE HEAD [--format markdown|text|json]\n"
    "                    [--today YYYY-MM-DD]\n"
    "\n"
    "Renders every project a change touches at both revisions, straight from\n"
    "the Git object database (the working tree is not used), and reports per\n"
    "project the objects added, removed and changed with a YAML diff of each.\n"
    "Changes admins review first are listed on top: deleted projects (with\n"
    "the number of objects a merge prunes), new projects, quota, grant and\n"
    "RBAC changes, guardrail violations at HEAD, render errors.\n"
    "\n"
    "A project is touched when a changed file lies in its directory or in a\n"
    "base or component directory its kustomizations reach (at either\n"
    "revision); a change to tend.yaml itself touches every project.\n"
    "\n"
    "The two revisions are written to temporary directories under $TMPDIR\n"
    "(default /dev/shm when it exists, else /tmp) and removed afterwards.\n"
    "\n"
    "  --format   markdown (default; a pull-request comment), text, json\n"
    "\n"
    "Exit status: 0 preview printed, 2 the preview could not be made.\n";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* One revision written out of the object database. */
typedef struct side {
	char sha[41];
	char *tmp;  /* the extracted tree */
	char *root; /* the config root inside it */
	tend_projects projects;
} side;

static int side_open(cmd_review *r, const char *rev, side *s)
{
	memset(s, 0, sizeof(*s));
	/* trees are written and read once: memory (tmpfs) beats a disk by far */
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	char *tmpl = tend_xasprintf("%s/tend-preview-XXXXXX", tmpdir);
	if (!mkdtemp(tmpl)) {
		int rc = tend_err("%s: cannot make a temporary directory", tmpl);
		free(tmpl);
		return rc;
	}
	s->tmp = tmpl;
	const char *prefix = tend_history_prefix(r->hist);
	s->root = *prefix ? tend_xasprintf("%s/%s", s->tmp, prefix) : tend_xstrdup(s->tmp);
	if (tend_history_resolve(r->hist, rev, s->sha) ||
	    tend_history_extract(r->hist, s->sha, s->tmp))
		return -1;
	if (access(s->root, F_OK) != 0) /* the config root does not exist at this revision */
		return 0;
	return tend_generator_run(r->c.cfg.rules, r->c.cfg.n_rules, s->root, &s->projects);
}

static void side_close(side *s)
{
	if (s->tmp)
		nftw(s->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(s->tmp);
	free(s->root);
	tend_projects_free(&s->projects);
}

/* Project names of both sides, sorted, each once. */
static void all_names(const side *a, const side *b, tend_strvec *out)
{
	tend_strset seen = TEND_STRSET_INIT;
	for (int k = 0; k < 2; k++) {
		const tend_projects *ps = k ? &b->projects : &a->projects;
		for (size_t i = 0; i < ps->len; i++)
			if (tend_strset_add(&seen, ps->items[i].name))
				tend_strvec_push(out, ps->items[i].name);
	}
	tend_strset_free(&seen);
	for (size_t i = 1; i < out->len; i++)
		for (size_t j = i; j > 0 && strcmp(out->items[j - 1], out->items[j]) > 0; j--) {
			char *t = out->items[j];
			out->items[j] = out->items[j - 1];
			out->items[j - 1] = t;
		}
}

static bool touched(const side *s, const tend_project *p, const tend_strvec *changed)
{
	if (!p)
		return false;
	tend_strvec inputs = TEND_STRVEC_INIT;
	tend_review_inputs(s->root, p->dir, &inputs);
	bool t = tend_review_touches(&inputs, changed);
	tend_strvec_free(&inputs);
	return t;
}

/* Renders one side of a project; the side borrows `m` and `error`. */
static void render_side(const tend_config *cfg, const side *s, const tend_project *p,
                        const tend_kustomize_opts *opts, const char *today, tend_resmap *m,
                        tend_violations *v, char **error, tend_preview_side *out)
{
	*out = (tend_preview_side){p, NULL, NULL};
	*m = (tend_resmap)TEND_RESMAP_INIT;
	if (!p)
		return;
	tend_violations local = {0};
	size_t before = v ? v->len : 0;
	if (tend_review_check_project(cfg, p, s->root, opts, today, m, v ? v : &local) == 0) {
		out->objects = m;
	} else {
		tend_violations *from = v ? v : &local;
		*error = tend_xstrdup(from->len > before ? from->items[from->len - 1].message : "");
		out->error = *error;
	}
	tend_violations_free(&local);
}

static int preview(cmd_review *r, const char *base_rev, const char *head_rev, const char *today,
                   tend_preview *pv)
{
	side base, head;
	int rc = side_open(r, base_rev, &base);
	if (!rc)
		rc = side_open(r, head_rev, &head);
	else
		memset(&head, 0, sizeof(head));
	tend_strvec changed = TEND_STRVEC_INIT, rel = TEND_STRVEC_INIT, names = TEND_STRVEC_INIT;
	if (!rc)
		rc = tend_history_changes(r->hist, base.sha, head.sha, &changed);
	if (rc) {
		side_close(&base);
		side_close(&head);
		tend_strvec_free(&changed);
		return -1;
	}
	memcpy(pv->base, base.sha, 41);
	memcpy(pv->head, head.sha, 41);
	char *cfg_file = tend_path_relative(r->root, r->c.cfg.file ? r->c.cfg.file : "tend.yaml");
	bool everything = false;
	for (size_t i = 0; i < changed.len; i++) {
		char *p = tend_path_relative(tend_history_prefix(r->hist), changed.items[i]);
		everything |= strcmp(p, cfg_file) == 0;
		tend_strvec_push(&rel, p);
		free(p);
	}
	all_names(&base, &head, &names);
	tend_kustomize_opts opts = {0};
	opts.cache = tend_kustomize_cache_new();
	for (size_t i = 0; i < names.len; i++) {
		const tend_project *bp = tend_projects_find(&base.projects, names.items[i]);
		const tend_project *hp = tend_projects_find(&head.projects, names.items[i]);
		if (!everything && !touched(&base, bp, &rel) && !touched(&head, hp, &rel))
			continue;
		tend_resmap bm, hm;
		tend_violations v = {0};
		char *berr = NULL, *herr = NULL;
		tend_preview_side bs, hs;
		render_side(&r->c.cfg, &base, bp, &opts, today, &bm, NULL, &berr, &bs);
		render_side(&r->c.cfg, &head, hp, &opts, today, &hm, &v, &herr, &hs);
		tend_preview_add(pv, names.items[i], &bs, &hs, &v);
		tend_violations_free(&v);
		tend_resmap_free(&bm);
		tend_resmap_free(&hm);
		free(berr);
		free(herr);
	}
	tend_kustomize_cache_free(opts.cache);
	free(cfg_file);
	tend_strvec_free(&names);
	tend_strvec_free(&changed);
	tend_strvec_free(&rel);
	side_close(&base);
	side_close(&head);
	return 0;
}

int cmd_preview(int argc, char **argv)
{
	const char *config = NULL, *format = "markdown", *today_arg = NULL, *revs[2] = {0};
	int n_revs = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(USAGE, stdout);
			return 0;
		} else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			format = argv[++i];
		} else if (strcmp(a, "--today") == 0 && i + 1 < argc) {
			today_arg = argv[++i];
		} else if (a[0] != '-' && n_revs < 2) {
			revs[n_revs++] = a;
		} else {
			fprintf(stderr, "tend preview: unexpected argument \"%s\"\n\n%s", a, USAGE);
			return 2;
		}
	}
	if (n_revs != 2) {
		fprintf(stderr, "tend preview: BASE and HEAD revisions are required\n\n%s", USAGE);
		return 2;
	}
	if (strcmp(format, "markdown") && strcmp(format, "text") && strcmp(format, "json")) {
		fprintf(stderr, "tend preview: --format must be markdown, text or json\n");
		return 2;
	}
	char today[11];
	if (cmd_today(today_arg, today))
		return cmd_fail(2);
	cmd_review r;
	tend_preview pv = {0};
	if (cmd_review_open(&r, config, true) || preview(&r, revs[0], revs[1], today, &pv)) {
		tend_preview_free(&pv);
		cmd_review_close(&r);
		return cmd_fail(2);
	}
	tend_buf out = TEND_BUF_INIT;
	tend_preview_format(&pv, format, &out);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	tend_buf_free(&out);
	tend_preview_free(&pv);
	cmd_review_close(&r);
	return 0;
}
