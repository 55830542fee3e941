/*
 * check.c — one project through everything `tend check` verifies: its
 * project.yaml, its kustomize build (and substitution), the validity of
 * its objects (every project) and the guardrails (tenant projects).
 * Whatever stops the project becomes a violation naming the file and line
 * to fix, so one report covers them all. A collision (two directories making
 * one project name, two projects in one namespace) is reported on both
 * sides, even when the change touched only one.
 */
#include "review_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Splits "file:line[:col]: message" (as tend's errors start) into its parts. */
static void locate(const char *msg, char **file, int *line, const char **rest)
{
	*file = NULL;
	*line = 0;
	*rest = msg;
	const char *colon = strchr(msg, ':');
	const char *space = strchr(msg, ' ');
	if (!colon || colon == msg || !isdigit((unsigned char)colon[1]) || (space && space < colon))
		return;
	char *end;
	long n = strtol(colon + 1, &end, 10);
	while (*end == ':' && isdigit((unsigned char)end[1]))
		strtol(end + 1, &end, 10);
	if (*end != ':')
		return;
	*file = tend_xstrndup(msg, (size_t)(colon - msg));
	*line = (int)n;
	*rest = end + 1 + (end[1] == ' ');
}

static void blocked(const tend_project *p, const char *rule, const char *msg, const char *fix,
                    tend_violations *out)
{
	char *file;
	int line;
	const char *rest;
	locate(msg, &file, &line, &rest);
	tend_violations_add(out, p->name, NULL, file ? file : p->dir, line, rule, rest, fix, false);
	free(file);
}

int tend_review_check_project(const tend_config *cfg, const tend_project *p, const char *root,
                              const tend_kustomize_opts *opts, const char *today,
                              tend_resmap *objects, tend_violations *out)
{
	*objects = (tend_resmap)TEND_RESMAP_INIT;
	if (p->error) {
		blocked(p, "project.yaml", p->error,
		        "correct project.yaml (see docs/researchers.md)", out);
		return -1;
	}
	/* sync options in project.yaml need the admins' leave, as in the daemon
	 * (lib/reconcile/desired.c) */
	const char *meta = p->meta_file ? p->meta_file : p->dir;
	if (p->suspend_line && !(cfg->sync.project_options & TEND_PROJECT_OPTION_SUSPEND))
		tend_violations_add(out, p->name, NULL, meta, p->suspend_line, "project.yaml",
		                    "suspend: sync.projectOptions in tend.yaml does not allow it",
		                    "remove it, or ask an admin to suspend the project (tend suspend)",
		                    false);
	if (p->self_heal_line && !(cfg->sync.project_options & TEND_PROJECT_OPTION_SELF_HEAL))
		tend_violations_add(out, p->name, NULL, meta, p->self_heal_line, "project.yaml",
		                    "selfHeal: sync.projectOptions in tend.yaml does not allow it",
		                    "remove it, or ask an admin to add selfHeal there", false);
	if (p->conflict)
		blocked(p, "namespace", p->conflict,
		        "give each project a namespace of its own (`namespace:` in project.yaml)",
		        out);
	if (tend_project_render(p, root, opts, objects) != 0) {
		const char *msg = tend_err_msg();
		char *prefix = tend_xasprintf("project %s: ", p->name);
		if (strncmp(msg, prefix, strlen(prefix)) == 0)
			msg += strlen(prefix);
		char *fix =
		    tend_xasprintf("make the build succeed: `tend render -c %s %s` shows the "
		                   "same error",
		                   cfg->file ? cfg->file : "tend.yaml", p->name);
		blocked(p, "render", msg, fix, out);
		free(fix);
		free(prefix);
		return -1;
	}
	tend_guard_schema(p, root, objects, out);
	if (p->trusted)
		return 0;
	tend_guard_config own;
	const tend_guard_config *g = tend_guard_for(cfg, root, &own);
	if (g)
		tend_guard_check(g, p, root, objects, today, out);
	else
		blocked(p, "guard", tend_err_msg(),
		        "fix the config repo's " TEND_GUARD_FILE " (see docs/config.md)", out);
	tend_guard_config_free(&own);
	return 0;
}

typedef struct batch {
	const tend_config *cfg;
	const tend_projects *ps;
	const bool *wanted;
	const char *root;
	const char *today;
	tend_violations *per_project; /* slot i for project i: merged in project order */
} batch;

static void check_one(size_t i, void *ctx, const tend_kustomize_opts *opts)
{
	batch *b = ctx;
	if (!b->wanted[i])
		return;
	tend_resmap m;
	tend_review_check_project(b->cfg, &b->ps->items[i], b->root, opts, b->today, &m,
	                          &b->per_project[i]);
	tend_resmap_free(&m);
}

size_t tend_review_check_projects(const tend_config *cfg, const tend_projects *ps,
                                  const bool *wanted, const char *root, const char *today,
                                  int threads, tend_violations *out)
{
	bool *want = tend_xcalloc(ps->len + 1, sizeof(bool));
	memcpy(want, wanted, ps->len * sizeof(bool));
	for (size_t i = 0; i < ps->len; i++) {
		const tend_project *a = &ps->items[i];
		if (!wanted[i] || (!a->conflict && !a->collides_with))
			continue;
		for (size_t j = 0; j < ps->len; j++) {
			const tend_project *b = &ps->items[j];
			want[j] |= (a->conflict && strcmp(a->namespace, b->namespace) == 0) ||
			           (a->collides_with && strcmp(a->collides_with, b->dir) == 0);
		}
	}
	wanted = want;
	batch b = {cfg,  ps,    wanted,
	           root, today, tend_xcalloc(ps->len + 1, sizeof(tend_violations))};
	review_parallel(ps->len, threads, check_one, &b);
	size_t checked = 0;
	for (size_t i = 0; i < ps->len; i++) {
		checked += wanted[i];
		tend_violations *v = &b.per_project[i];
		for (size_t k = 0; k < v->len; k++) {
			tend_violation *x = &v->items[k];
			tend_violations_add(out, x->project, x->object, x->file, x->line, x->rule,
			                    x->message, x->fix, x->warning);
		}
		tend_violations_free(v);
	}
	free(b.per_project);
	free(want);
	return checked;
}
