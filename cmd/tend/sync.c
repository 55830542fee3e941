/*
 * sync.c — `tend sync -c tend.yaml [PROJECT...]`: apply every selected
 * project (all when none is named, which also removes projects gone from
 * Git under the projects guard), prune, record inventories, and optionally
 * wait for health. Prints one line per changed object and one summary line
 * per project. Exit 0 when every project is synced (and healthy with
 * --wait), 1 when any is not, 2 when nothing could be done.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ABOUT[] =
    "Applies the selected projects (all when none is named) with server-side apply,\n"
    "prunes what left Git and waits for health with --wait.\n"
    "\n"
    "Exit status: 0 every project synced (and healthy with --wait), 1 any is not,\n"
    "2 nothing could be done (bad usage, an unknown project, the config, the\n"
    "cluster).\n";

static int parse_timeout(const char *option, const char *value, void *to)
{
	if (tend_parse_duration(value, to) || *(int64_t *)to <= 0)
		return tend_err("%s: not a duration (e.g. 90s)", option);
	return 0;
}

static const char *done_word(const tend_reconcile_object *o, bool dry)
{
	switch (o->action) {
	case TEND_ACTION_CREATE:
		return dry ? "would be created" : "created";
	case TEND_ACTION_UPDATE:
		return dry ? "would be configured" : "configured";
	case TEND_ACTION_PRUNE:
		return dry ? "would be pruned" : "pruned";
	case TEND_ACTION_CONFLICT:
		return "conflict";
	case TEND_ACTION_ERROR:
		return "failed";
	case TEND_ACTION_KEEP:
		return "kept";
	default:
		return NULL;
	}
}

static void print_text(const tend_reconcile_result *res, bool dry)
{
	for (size_t i = 0; i < res->len; i++) {
		const tend_reconcile_report *rep = &res->reports[i];
		for (size_t j = 0; j < rep->n_objects; j++) {
			const tend_reconcile_object *o = &rep->objects[j];
			const char *w = done_word(o, dry);
			if (!w)
				continue;
			printf("%s: %s %s%s%s\n", rep->project, o->id, w, o->message ? ": " : "",
			       o->message ? o->message : "");
		}
		printf("project %s: %s", rep->project, tend_sync_status_name(rep->status));
		if (!dry && rep->status != TEND_SYNC_REMOVED && (rep->n_objects || !rep->error))
			printf(", %s", tend_health_name(rep->health));
		printf(" (%zu created, %zu updated, %zu pruned, %zu unchanged", rep->n_created,
		       rep->n_updated, rep->n_pruned, rep->n_unchanged);
		if (rep->n_conflicts)
			printf(", %zu conflicts", rep->n_conflicts);
		if (rep->n_errors)
			printf(", %zu errors", rep->n_errors);
		if (rep->n_kept)
			printf(", %zu kept", rep->n_kept);
		printf(")\n");
		cmd_cluster_print_error(rep);
		if (rep->kept)
			fprintf(stderr, "tend: %s: %s\n", rep->project, rep->kept);
	}
	if (res->error)
		fprintf(stderr, "tend: error: %s\n", res->error);
}

int cmd_sync(int argc, char **argv)
{
	const char *config = NULL, *source = NULL, *revision = NULL, *format = "text";
	bool dry = false, wait = false;
	cmd_cluster_flags flags = {.force = true};
	int64_t timeout_ms = 300000;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    {.name = "dry-run", .flag = &dry, .help = "show what would change; change nothing"},
	    {.name = "wait", .flag = &wait, .help = "wait until the projects are healthy"},
	    {.name = "timeout",
	     .arg = "DURATION",
	     .parse = parse_timeout,
	     .to = &timeout_ms,
	     .help = "how long --wait waits (default 5m)"},
	    {.name = "no-force",
	     .flag = &flags.force,
	     .clears = true,
	     .help = "report fields other managers own as conflicts\n"
	             "instead of taking them over (sync.force: false)"},
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("text", "json", "yaml"),
	                       "text: a line per change (default); json or\n"
	                       "yaml: the reports"),
	    CMD_CLUSTER_OPTIONS(&flags.kubeconfig, &flags.context),
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {
	    "sync",
	    "tend sync [-c tend.yaml] [--dry-run] [--wait] [--timeout DURATION]\n"
	    "          [--no-force] [-o text|json|yaml] [--kubeconfig FILE]\n"
	    "          [--context NAME] [--source DIR|URL] [--revision REV] [PROJECT...]",
	    ABOUT, options, CMD_ANY_ARGS};
	cmd_args names;
	int code = cmd_parse(&spec, argc, argv, &names);
	if (code != CMD_GO_ON)
		return code;
	cmd_cluster cl;
	if (cmd_cluster_run(&cl, config, source, revision, &names, &flags,
	                    dry ? TEND_RECONCILE_DIFF : TEND_RECONCILE_APPLY)) {
		cmd_cluster_close(&cl);
		return cmd_fail(2);
	}
	bool unhealthy = false;
	if (wait && !dry && tend_reconcile_wait(cl.rec, &cl.res, (long)timeout_ms)) {
		fprintf(stderr, "tend: error: %s\n", tend_err_msg());
		unhealthy = true;
	}
	bool failed = cl.res.error != NULL || unhealthy;
	for (size_t i = 0; i < cl.res.len; i++)
		failed |= cl.res.reports[i].status == TEND_SYNC_FAILED ||
		          cl.res.reports[i].status == TEND_SYNC_PRUNE_BLOCKED;
	if (cmd_structured(format)) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "revision", cl.c.rev->sha);
		cJSON_AddBoolToObject(doc, "dryRun", dry);
		if (cl.res.error)
			cJSON_AddStringToObject(doc, "error", cl.res.error);
		cJSON_AddNumberToObject(doc, "requests", (double)cl.res.requests);
		cJSON *arr = cJSON_AddArrayToObject(doc, "projects");
		for (size_t i = 0; i < cl.res.len; i++)
			cJSON_AddItemToArray(arr, tend_reconcile_report_json(&cl.res.reports[i]));
		if (cmd_print_report(doc, format)) {
			fprintf(stderr, "tend: error: %s\n", tend_err_msg());
			failed = true;
		}
		cJSON_Delete(doc);
	} else {
		print_text(&cl.res, dry);
	}
	cmd_cluster_close(&cl);
	return failed ? 1 : 0;
}
