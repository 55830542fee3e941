/*
 * preview.c — `tend preview BASE HEAD`: what merging a pull request would do
 * to the cluster, rendered from the Git object database at both revisions.
 */
#include "cmd.h"

#include "../../lib/review/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "Usage: tend preview [-c tend.yaml] BASE HEAD [--format markdown|text|json]\n"
    "                    [--today YYYY-MM-DD] [-j N]\n"
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
    "  -j N       render on N threads (default: one per CPU)\n"
    "\n"
    "Exit status: 0 preview printed, 2 the preview could not be made.\n";

int cmd_preview(int argc, char **argv)
{
	const char *config = NULL, *format = "markdown", *today_arg = NULL, *revs[2] = {0};
	int n_revs = 0, jobs = 0;
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
		} else if (strcmp(a, "-j") == 0 && i + 1 < argc) {
			jobs = atoi(argv[++i]);
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
	int rc = cmd_review_open(&r, config, true);
	if (!rc) {
		char *config_rel =
		    tend_path_relative(r.root, r.c.cfg.file ? r.c.cfg.file : "tend.yaml");
		rc = tend_preview_run(&r.c.cfg, r.hist, config_rel, revs[0], revs[1], today, jobs,
		                      &pv);
		free(config_rel);
	}
	if (rc) {
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
