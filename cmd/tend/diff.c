/*
 * diff.c — `tend diff -c tend.yaml [PROJECT...]`: what a sync would change,
 * per object, as a unified diff of YAML like `kubectl diff` (coloured on a
 * terminal), or the reports as JSON. Exit 0: no difference, 1: differences,
 * 2: an error (a project that does not render, a conflict, the cluster).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char USAGE[] =
    "Usage: tend diff [-c tend.yaml] [-o text|json] [--color|--no-color] [--source DIR|URL]\n"
    "                 [--revision REV] [PROJECT...]\n"
    "\n"
    "Compares every selected project (all when none is named) with the cluster on the\n"
    "fields tend manages, using server-side apply dry runs. Exit status 0 when nothing\n"
    "differs, 1 when something does, 2 on errors.\n";

static void print_diff(const char *diff, bool color, FILE *out)
{
	for (const char *p = diff; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		const char *c = NULL;
		if (color && (p[0] == '-' || p[0] == '+'))
			c = p[0] == '-' ? "\033[31m" : "\033[32m";
		if (color && p[0] == '@')
			c = "\033[36m";
		fprintf(out, "%s%.*s%s\n", c ? c : "", len, p, c ? "\033[0m" : "");
		p += len + (nl ? 1 : 0);
	}
}

int cmd_diff(int argc, char **argv)
{
	const char *config = NULL, *source = NULL, *revision = NULL, *format = "text";
	int color = -1;
	char **names = tend_xcalloc((size_t)argc + 1, sizeof(*names));
	int n_names = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(a, "-o") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (strcmp(a, "--source") == 0 && i + 1 < argc)
			source = argv[++i];
		else if (strcmp(a, "--revision") == 0 && i + 1 < argc)
			revision = argv[++i];
		else if (strcmp(a, "--color") == 0)
			color = 1;
		else if (strcmp(a, "--no-color") == 0)
			color = 0;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(USAGE, stdout);
			free(names);
			return 0;
		} else if (a[0] == '-') {
			fprintf(stderr, "tend diff: unknown option \"%s\"\n\n%s", a, USAGE);
			free(names);
			return 2;
		} else
			names[n_names++] = argv[i];
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "tend diff: -o must be text or json\n");
		free(names);
		return 2;
	}
	if (color < 0)
		color = isatty(1);
	cmd_ctx c;
	cmd_cluster cl;
	memset(&cl, 0, sizeof(cl));
	tend_reconcile_options o;
	int rc = cmd_ctx_open(&c, config, source, revision);
	if (rc == 0) {
		tend_reconcile_options_from_config(&o, &c.cfg.sync);
		rc = cmd_cluster_open(&cl, &c, names, n_names, &o);
	}
	tend_reconcile_result res = {0};
	tend_reconcile_run_opts ro = {TEND_RECONCILE_DIFF, cl.complete, NULL};
	if (rc == 0)
		rc = tend_reconcile_run(cl.rec, cl.desired, cl.n, &ro, &res);
	free(names);
	if (rc) {
		cmd_cluster_close(&cl);
		cmd_ctx_close(&c);
		return cmd_fail(2);
	}
	bool differs = false, failed = res.error != NULL;
	cJSON *projects = cJSON_CreateArray();
	for (size_t i = 0; i < res.len; i++) {
		const tend_reconcile_report *rep = &res.reports[i];
		differs |= rep->drift;
		failed |= rep->status == TEND_SYNC_FAILED;
		if (rep->error)
			fprintf(stderr, "tend: %s: project %s: %s\n",
			        rep->status == TEND_SYNC_FAILED ? "error" : "warning", rep->project,
			        rep->error);
		for (size_t j = 0; j < rep->n_objects; j++) {
			const tend_reconcile_object *ob = &rep->objects[j];
			if (ob->message && ob->action != TEND_ACTION_NONE)
				fprintf(stderr, "tend: %s %s: %s: %s\n", rep->project, ob->id,
				        tend_action_name(ob->action), ob->message);
			if (ob->diff && strcmp(format, "text") == 0)
				print_diff(ob->diff, color, stdout);
		}
		cJSON_AddItemToArray(projects, tend_reconcile_report_json(rep));
	}
	if (res.error)
		fprintf(stderr, "tend: error: %s\n", res.error);
	if (strcmp(format, "json") == 0) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "revision", c.rev->sha);
		if (res.error)
			cJSON_AddStringToObject(doc, "error", res.error);
		cJSON_AddItemToObject(doc, "projects", projects);
		char *text = cJSON_Print(doc);
		puts(text);
		free(text);
		cJSON_Delete(doc);
	} else {
		cJSON_Delete(projects);
	}
	tend_reconcile_result_free(&res);
	cmd_cluster_close(&cl);
	cmd_ctx_close(&c);
	return failed ? 2 : differs ? 1 : 0;
}
