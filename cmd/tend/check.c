/*
 * check.c — `tend check`: pull-request validation of the config repo. Exit
 * 0 clean (warnings allowed), 1 violations, 2 the tool could not run.
 */
#include "cmd.h"

#include "../../lib/review/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "Usage: tend check [-c tend.yaml] [--base REV] [--format text|github|json]\n"
    "                  [--today YYYY-MM-DD] [PROJECT...]\n"
    "\n"
    "Renders the projects of the config repo as it is on disk (uncommitted\n"
    "changes included) and checks project.yaml, the kustomize build and the\n"
    "guardrails of tend.yaml's guard section. Every violation names the\n"
    "project, the object, the file and line, the rule and how to fix it.\n"
    "\n"
    "  --base REV   check only the projects whose inputs differ between REV and\n"
    "               the working tree: files in their directories, or in any base\n"
    "               or component directory their kustomizations reach; a change\n"
    "               to tend.yaml itself checks every project\n"
    "  --format     text (default), github (workflow annotations on the pull\n"
    "               request's lines), json\n"
    "  --today      the date grants expire against (default: today, UTC)\n"
    "\n"
    "Exit status: 0 clean, 1 violations, 2 the check could not run.\n";

/* Which projects to check: named ones, those a change since `base` touches, or all. */
static int select_projects(cmd_review *r, const char *base, char **names, int n_names, bool *wanted)
{
	const tend_projects *ps = &r->c.projects;
	for (int k = 0; k < n_names; k++)
		if (!tend_projects_find(ps, names[k]))
			return tend_err("no project named \"%s\" (see tend projects)", names[k]);
	if (n_names) {
		for (size_t i = 0; i < ps->len; i++)
			for (int k = 0; k < n_names; k++)
				wanted[i] |= strcmp(names[k], ps->items[i].name) == 0;
		return 0;
	}
	if (!base) {
		for (size_t i = 0; i < ps->len; i++)
			wanted[i] = true;
		return 0;
	}
	tend_strvec rel = TEND_STRVEC_INIT;
	char *config_rel = tend_path_relative(r->root, r->c.cfg.file ? r->c.cfg.file : "tend.yaml");
	bool everything = false;
	int rc = tend_review_changes(r->hist, base, NULL, config_rel, &rel, &everything);
	free(config_rel);
	if (!rc && everything)
		for (size_t i = 0; i < ps->len; i++)
			wanted[i] = true;
	else if (!rc)
		tend_review_affected(ps, r->root, &rel, wanted);
	tend_strvec_free(&rel);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	const char *config = NULL, *base = NULL, *format = "text", *today_arg = NULL;
	int jobs = 0;
	char **names = calloc((size_t)argc, sizeof(*names));
	int n_names = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(USAGE, stdout);
			free(names);
			return 0;
		} else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strcmp(a, "--base") == 0 && i + 1 < argc) {
			base = argv[++i];
		} else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			format = argv[++i];
		} else if (strcmp(a, "--today") == 0 && i + 1 < argc) {
			today_arg = argv[++i];
		} else if (strcmp(a, "-j") == 0 && i + 1 < argc) {
			jobs = atoi(argv[++i]);
		} else if (a[0] == '-') {
			fprintf(stderr, "tend check: unexpected argument \"%s\"\n\n%s", a, USAGE);
			free(names);
			return 2;
		} else {
			names[n_names++] = argv[i];
		}
	}
	if (strcmp(format, "text") && strcmp(format, "github") && strcmp(format, "json")) {
		fprintf(stderr, "tend check: --format must be text, github or json\n");
		free(names);
		return 2;
	}
	char today[11];
	if (cmd_today(today_arg, today)) {
		free(names);
		return cmd_fail(2);
	}
	cmd_review r;
	if (cmd_review_open(&r, config, base != NULL)) {
		free(names);
		cmd_review_close(&r);
		return cmd_fail(2);
	}
	const tend_projects *ps = &r.c.projects;
	bool *wanted = tend_xcalloc(ps->len + 1, sizeof(*wanted));
	if (select_projects(&r, base, names, n_names, wanted)) {
		free(wanted);
		free(names);
		cmd_review_close(&r);
		return cmd_fail(2);
	}
	tend_violations v = {0};
	size_t checked = tend_review_check_projects(&r.c.cfg, ps, wanted, r.root, today, jobs, &v);
	tend_buf out = TEND_BUF_INIT;
	const char *prefix = r.hist ? tend_history_prefix(r.hist) : "";
	tend_violations_format(&v, checked, format, prefix, &out);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	if (base)
		fprintf(stderr, "tend check: %zu of %zu projects affected by changes since %s\n",
		        checked, ps->len, base);
	int rc = tend_guard_errors(&v) ? 1 : 0;
	tend_buf_free(&out);
	tend_violations_free(&v);
	free(wanted);
	free(names);
	cmd_review_close(&r);
	return rc;
}
