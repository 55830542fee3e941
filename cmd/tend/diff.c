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
    "fields tend manages, using server-side apply dry runs. Each object's diff is\n"
    "headed with its project: \"--- genomics: ConfigMap/genomics/x (live)\".\n"
    "\n"
    "Exit status: 0 nothing differs, 1 something does, 2 an error (a project that\n"
    "does not render or is unknown, a conflict, the cluster).\n";

/* The header lines "--- ID (live)" and "+++ ID (git)" name the project and the
 * object as kubectl does: "--- genomics: ConfigMap/genomics/x (live)". */
static bool print_header(const char *line, int len, const char *project, const char *c, FILE *out)
{
	if (len < 5 || (strncmp(line, "--- ", 4) != 0 && strncmp(line, "+++ ", 4) != 0))
		return false;
	const char *sp = memchr(line + 4, ' ', (size_t)(len - 4));
	if (!sp)
		return false;
	char *id = tend_xstrndup(line + 4, (size_t)(sp - line - 4));
	char *label = cmd_object_label(project, id);
	fprintf(out, "%s%.4s%s%.*s%s\n", c ? c : "", line, label, (int)(line + len - sp), sp,
	        c ? "\033[0m" : "");
	free(label);
	free(id);
	return true;
}

static void print_diff(const char *project, const char *diff, bool color, FILE *out)
{
	for (const char *p = diff; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		const char *c = NULL;
		if (p == diff || (p[0] == '+' && p[1] == '+')) {
			if (print_header(p, len, project, color ? "\033[1m" : NULL, out)) {
				p += len + (nl ? 1 : 0);
				continue;
			}
		}
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
	cmd_cluster_flags flags = {.force = true};
	bool color = isatty(1);
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("text", "json", "yaml"),
	                       "text: unified YAML diffs (default); json or\n"
	                       "yaml: the reports"),
	    CMD_CLUSTER_OPTIONS(&flags.kubeconfig, &flags.context),
	    {.name = "color", .flag = &color, .help = "colour the diff (default on a terminal)"},
	    {.name = "no-color", .flag = &color, .clears = true, .help = "do not colour the diff"},
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {"diff",
	                       "tend diff [-c tend.yaml] [-o text|json|yaml] [--color|--no-color]\n"
	                       "          [--kubeconfig FILE] [--context NAME]\n"
	                       "          [--source DIR|URL] [--revision REV] [PROJECT...]",
	                       ABOUT, options, CMD_ANY_ARGS};
	cmd_args names;
	int code = cmd_parse(&spec, argc, argv, &names);
	if (code != CMD_GO_ON)
		return code;
	cmd_cluster cl;
	if (cmd_cluster_run(&cl, config, source, revision, &names, &flags, TEND_RECONCILE_DIFF)) {
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
				print_diff(rep->project, ob->diff, color, stdout);
		}
		cJSON_AddItemToArray(projects, tend_reconcile_report_json(rep));
	}
	if (cl.res.error)
		fprintf(stderr, "tend: error: %s\n", cl.res.error);
	if (cmd_structured(format)) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "revision", cl.c.rev->sha);
		if (cl.res.error)
			cJSON_AddStringToObject(doc, "error", cl.res.error);
		cJSON_AddItemToObject(doc, "projects", projects);
		if (cmd_print_report(doc, format)) {
			fprintf(stderr, "tend: error: %s\n", tend_err_msg());
			failed = true;
		}
		cJSON_Delete(doc);
	} else {
		cJSON_Delete(projects);
	}
	cmd_cluster_close(&cl);
	return failed ? 2 : differs ? 1 : 0;
}
