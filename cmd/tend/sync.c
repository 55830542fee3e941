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

static const char USAGE[] =
    "Usage: tend sync [-c tend.yaml] [--dry-run] [--wait] [--timeout DURATION]\n"
    "                 [--no-force] [-o text|json] [--source DIR|URL] [--revision REV]\n"
    "                 [PROJECT...]\n"
    "\n"
    "Applies the selected projects (all when none is named) with server-side apply,\n"
    "prunes what left Git and waits for health with --wait (default timeout 5m).\n"
    "--dry-run shows what would change and changes nothing.\n";

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
		if (rep->error)
			fprintf(stderr, "tend: %s: project %s: %s\n",
			        rep->status == TEND_SYNC_FAILED ? "error" : "warning", rep->project,
			        rep->error);
	}
	if (res->error)
		fprintf(stderr, "tend: error: %s\n", res->error);
}

int cmd_sync(int argc, char **argv)
{
	const char *config = NULL, *source = NULL, *revision = NULL, *format = "text";
	bool dry = false, wait = false, no_force = false;
	int64_t timeout_ms = 300000;
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
		else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			if (tend_parse_duration(argv[++i], &timeout_ms) || timeout_ms <= 0) {
				fprintf(stderr,
				        "tend sync: --timeout: not a duration (e.g. 90s)\n");
				free(names);
				return 2;
			}
		} else if (strcmp(a, "--dry-run") == 0)
			dry = true;
		else if (strcmp(a, "--wait") == 0)
			wait = true;
		else if (strcmp(a, "--no-force") == 0)
			no_force = true;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(USAGE, stdout);
			free(names);
			return 0;
		} else if (a[0] == '-') {
			fprintf(stderr, "tend sync: unknown option \"%s\"\n\n%s", a, USAGE);
			free(names);
			return 2;
		} else
			names[n_names++] = argv[i];
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "tend sync: -o must be text or json\n");
		free(names);
		return 2;
	}
	cmd_ctx c;
	cmd_cluster cl;
	memset(&cl, 0, sizeof(cl));
	tend_reconcile_options o;
	int rc = cmd_ctx_open(&c, config, source, revision);
	if (rc == 0) {
		tend_reconcile_options_from_config(&o, &c.cfg.sync);
		if (no_force)
			o.force = false;
		rc = cmd_cluster_open(&cl, &c, names, n_names, &o);
	}
	free(names);
	tend_reconcile_result res = {0};
	tend_reconcile_run_opts ro = {dry ? TEND_RECONCILE_DIFF : TEND_RECONCILE_APPLY,
	                              cl.complete, NULL};
	if (rc == 0)
		rc = tend_reconcile_run(cl.rec, cl.desired, cl.n, &ro, &res);
	if (rc) {
		cmd_cluster_close(&cl);
		cmd_ctx_close(&c);
		return cmd_fail(2);
	}
	bool unhealthy = false;
	if (wait && !dry && tend_reconcile_wait(cl.rec, &res, (long)timeout_ms)) {
		fprintf(stderr, "tend: error: %s\n", tend_err_msg());
		unhealthy = true;
	}
	bool failed = res.error != NULL || unhealthy;
	for (size_t i = 0; i < res.len; i++)
		failed |= res.reports[i].status == TEND_SYNC_FAILED ||
		          res.reports[i].status == TEND_SYNC_PRUNE_BLOCKED;
	if (strcmp(format, "json") == 0) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "revision", c.rev->sha);
		cJSON_AddBoolToObject(doc, "dryRun", dry);
		if (res.error)
			cJSON_AddStringToObject(doc, "error", res.error);
		cJSON_AddNumberToObject(doc, "requests", (double)res.requests);
		cJSON *arr = cJSON_AddArrayToObject(doc, "projects");
		for (size_t i = 0; i < res.len; i++)
			cJSON_AddItemToArray(arr, tend_reconcile_report_json(&res.reports[i]));
		char *text = cJSON_Print(doc);
		puts(text);
		free(text);
		cJSON_Delete(doc);
	} else {
		print_text(&res, dry);
	}
	tend_reconcile_result_free(&res);
	cmd_cluster_close(&cl);
	cmd_ctx_close(&c);
	return failed ? 1 : 0;
}
