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

static const char ABOUT[] =
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
	bool color = isatty(1);
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    {.letter = 'o',
	     .choices = CMD_CHOICES("text", "json"),
	     .text = &format,
	     .help = "unified YAML diffs (default) or the reports\n"
	             "as JSON"},
	    {.name = "color", .flag = &color, .help = "colour the diff (default on a terminal)"},
	    {.name = "no-color", .flag = &color, .clears = true, .help = "do not colour the diff"},
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {"diff",
	                       "tend diff [-c tend.yaml] [-o text|json] [--color|--no-color]\n"
	                       "          [--source DIR|URL] [--revision REV] [PROJECT...]",
	                       ABOUT, options, CMD_ANY_ARGS};
	cmd_args names;
	int code = cmd_parse(&spec, argc, argv, &names);
	if (code != CMD_GO_ON)
		return code;
	cmd_cluster cl;
	if (cmd_cluster_run(&cl, config, source, revision, &names, true, TEND_RECONCILE_DIFF)) {
		cmd_cluster_close(&cl);
		return cmd_fail(2);
	}
	bool differs = false, failed = cl.res.error != NULL;
	cJSON *projects = cJSON_CreateArray();
	for (size_t i = 0; i < cl.res.len; i++) {
		const tend_reconcile_report *rep = &cl.res.reports[i];
		differs |= rep->drift;
		failed |= rep->status == TEND_SYNC_FAILED;
		cmd_cluster_print_error(rep);
		if (rep->not_in_git)
			fprintf(stderr, "tend: %s: %s\n", rep->project, rep->not_in_git);
		if (rep->kept)
			fprintf(stderr, "tend: %s: %s\n", rep->project, rep->kept);
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
	if (cl.res.error)
		fprintf(stderr, "tend: error: %s\n", cl.res.error);
	if (strcmp(format, "json") == 0) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "revision", cl.c.rev->sha);
		if (cl.res.error)
			cJSON_AddStringToObject(doc, "error", cl.res.error);
		cJSON_AddItemToObject(doc, "projects", projects);
		char *text = cJSON_Print(doc);
		puts(text);
		free(text);
		cJSON_Delete(doc);
	} else {
		cJSON_Delete(projects);
	}
	cmd_cluster_close(&cl);
	return failed ? 2 : differs ? 1 : 0;
}
