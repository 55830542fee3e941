/*
 * preview.c — `tend preview BASE HEAD`: what merging a pull request would do
 * to the cluster, rendered from the Git object database at both revisions.
 */
#include "cmd.h"

#include "../../lib/review/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ABOUT[] =
    "Renders every project a change touches at both revisions, straight from\n"
    "the Git object database, and reports per\n"
    "project the objects added, removed and changed with a YAML diff of each.\n"
    "Changes admins review first are listed on top: deleted projects (with\n"
    "the number of objects a merge prunes), new projects, quota, grant and\n"
    "RBAC changes, guardrail violations at HEAD, render errors.\n"
    "\n"
    "Without HEAD, the working tree as it stands (uncommitted edits included)\n"
    "is compared with BASE: what your branch would do, before you commit.\n"
    "\n"
    "A project is touched when a changed file lies in its directory or in a\n"
    "base or component directory its kustomizations reach (at either\n"
    "revision); a change to tend.yaml itself touches every project.\n"
    "\n"
    "The two revisions are written to temporary directories under $TMPDIR\n"
    "(default /dev/shm when it exists, else /tmp) and removed afterwards.\n"
    "\n"
    "Exit status: 0 preview printed, 2 the preview could not be made.\n";

int cmd_preview(int argc, char **argv)
{
	const char *config = NULL, *format = "markdown", *today_arg = NULL;
	int jobs = 0;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("markdown", "text", "json", "yaml"),
	                       "markdown (default; a pull-request comment),\n"
	                       "text, json, yaml"),
	    CMD_TODAY_OPTION(&today_arg),
	    CMD_JOBS_OPTION(&jobs),
	    {0},
	};
	const cmd_spec spec = {
	    "preview",
	    "tend preview [-c tend.yaml] BASE [HEAD] [-o markdown|text|json|yaml]\n"
	    "             [--today YYYY-MM-DD] [-j N]",
	    ABOUT, options, 2};
	cmd_args revs;
	int code = cmd_parse(&spec, argc, argv, &revs);
	if (code != CMD_GO_ON)
		return code;
	if (revs.len < 1) {
		fprintf(stderr,
		        "tend preview: the BASE revision is required (see tend preview --help)\n");
		return 2;
	}
	cmd_review r;
	if (cmd_review_open(&r, config, today_arg, true, false))
		return cmd_fail(2);
	tend_preview pv = {0};
	const char *head = revs.len == 2 ? revs.items[1] : NULL;
	if (!head && r.c.src) {
		cmd_review_close(&r);
		fprintf(stderr,
		        "tend preview: a remote source has no working tree: name HEAD too\n");
		return 2;
	}
	if (tend_preview_run_worktree(&r.c.cfg, r.hist, r.config_rel, revs.items[0], head, r.root,
	                              r.today, jobs, &pv)) {
		tend_preview_free(&pv);
		cmd_review_close(&r);
		return cmd_fail(2);
	}
	tend_buf out = TEND_BUF_INIT;
	bool yaml = strcmp(format, "yaml") == 0;
	tend_preview_format(&pv, yaml ? "json" : format, &out);
	int rc = cmd_print_json_text(out.data ? out.data : "", yaml ? "yaml" : "json");
	tend_buf_free(&out);
	tend_preview_free(&pv);
	cmd_review_close(&r);
	return rc ? cmd_fail(2) : 0;
}
