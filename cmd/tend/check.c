/*
 * check.c — `tend check`: pull-request validation of the config repo. Exit
 * 0 clean (warnings allowed), 1 violations, 2 the tool could not run.
 */
#include "cmd.h"

#include "../../lib/review/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ABOUT[] =
    "Renders the projects of the config repo as it is on disk (uncommitted\n"
    "changes included) and checks project.yaml, the kustomize build and the\n"
    "guardrails of tend.yaml's guard section. Every violation names the\n"
    "project, the object, the file and line, the rule and how to fix it.\n"
    "\n"
    "Exit status: 0 clean, 1 violations, 2 the check could not run (bad usage,\n"
    "an unknown project, an unreadable config).\n";

/*
 * The projects of the working tree. From those saved for `base` and the
 * change (`rel`) when there are: only the directories holding a changed
 * path are read, not every project.yaml of the repository. Else all are
 * read, and the base's are derived from them and the change and saved for
 * the next run.
 */
static int projects_since(cmd_review *r, const char *base, const tend_strvec *rel)
{
	const tend_config *cfg = &r->c.cfg;
	tend_projects before;
	if (tend_review_projects_saved(cfg, r->hist, base, &before) == 0) {
		int rc = tend_generator_update(cfg->rules, cfg->n_rules, r->root, &before, rel,
		                               &r->c.projects);
		tend_projects_free(&before);
		return rc;
	}
	tend_err_clear();
	if (tend_generator_run(cfg->rules, cfg->n_rules, r->root, &r->c.projects))
		return -1;
	tend_review_projects_derive(cfg, r->hist, base, &r->c.projects, rel);
	return 0;
}

/*
 * Which projects to check: named ones, or all without a base; with one,
 * those the change since `base` touches (every one when it touches
 * tend.yaml or the guard). Allocates *wanted, one per project.
 */
static int select_projects(cmd_review *r, const char *base, const cmd_args *names, bool **wanted)
{
	const tend_projects *ps = &r->c.projects;
	bool by_change = base && !names->len;
	tend_strvec rel = TEND_STRVEC_INIT;
	bool everything = false;
	int rc = by_change
	             ? tend_review_changes(r->hist, base, NULL, r->config_rel, &rel, &everything)
	             : 0;
	/* a local root's projects were left to be found here; a remote one's are known */
	if (!rc && by_change && !r->c.src)
		rc = projects_since(r, base, &rel);
	if (!rc)
		rc = cmd_check_project_names(ps, names);
	*wanted = tend_xcalloc(ps->len + 1, sizeof(**wanted));
	if (!rc && (!by_change || everything))
		for (size_t i = 0; i < ps->len; i++)
			(*wanted)[i] = cmd_args_select(names, ps->items[i].name);
	else if (!rc)
		tend_review_affected_since(&r->c.cfg, r->hist, base, r->root, ps, &rel, *wanted);
	tend_strvec_free(&rel);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	const char *config = NULL, *base = NULL, *format = "text", *today_arg = NULL;
	int jobs = 0;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    {.name = "base",
	     .arg = "REV",
	     .text = &base,
	     .help = "check only the projects whose inputs differ\n"
	             "between REV and the working tree: files in their\n"
	             "directories or in any base or component directory\n"
	             "their kustomizations reach; a change to tend.yaml\n"
	             "itself checks every project"},
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("text", "github", "json", "yaml"),
	                       "text (default), github (workflow annotations\n"
	                       "on the pull request's lines), json, yaml"),
	    CMD_TODAY_OPTION(&today_arg),
	    CMD_JOBS_OPTION(&jobs),
	    {0},
	};
	const cmd_spec spec = {"check",
	                       "tend check [-c tend.yaml] [--base REV] [-o text|github|json|yaml]\n"
	                       "           [--today YYYY-MM-DD] [-j N] [PROJECT...]",
	                       ABOUT, options, CMD_ANY_ARGS};
	cmd_args names;
	int code = cmd_parse(&spec, argc, argv, &names);
	if (code != CMD_GO_ON)
		return code;
	cmd_review r;
	if (cmd_review_open(&r, config, today_arg, base != NULL, !base || names.len))
		return cmd_fail(2);
	const tend_projects *ps = &r.c.projects;
	bool *wanted = NULL;
	if (select_projects(&r, base, &names, &wanted)) {
		free(wanted);
		cmd_review_close(&r);
		return cmd_fail(2);
	}
	tend_violations v = {0};
	size_t checked =
	    tend_review_check_projects(&r.c.cfg, ps, wanted, r.root, r.today, jobs, &v);
	tend_buf out = TEND_BUF_INIT;
	const char *prefix = r.hist ? tend_history_prefix(r.hist) : "";
	bool yaml = strcmp(format, "yaml") == 0;
	tend_violations_format(&v, checked, yaml ? "json" : format, prefix, &out);
	int printed = cmd_print_json_text(out.data ? out.data : "", yaml ? "yaml" : "json");
	if (base)
		fprintf(stderr, "tend check: %zu of %zu projects affected by changes since %s\n",
		        checked, ps->len, base);
	int rc = printed ? cmd_fail(2) : tend_guard_errors(&v) ? 1 : 0;
	tend_buf_free(&out);
	tend_violations_free(&v);
	free(wanted);
	cmd_review_close(&r);
	return rc;
}
