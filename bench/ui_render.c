/*
 * ui_render.c — what one page view of the status page costs: parsing the
 * published status document and rendering the overview and one project's
 * page, for a generated cluster of N projects (each with 12 objects, 10
 * events, 3 drift events and 2 grants, as the example projects have).
 *
 *   build/bench/ui-render [N] [ROUNDS]     (default 1000 projects, 20 rounds)
 */
#include "lib/ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static cJSON *project(int i)
{
	static const char *const status[] = {"Synced", "Synced", "Synced", "Failed",
	                                     "PruneBlocked"};
	static const char *const kinds[] = {"Namespace",   "ResourceQuota", "LimitRange",
	                                    "RoleBinding", "NetworkPolicy", "LocalQueue"};
	char name[32];
	snprintf(name, sizeof(name), "project-%05d", i);
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "namespace", name);
	cJSON_AddStringToObject(p, "revision", "3552b550954d74ebe31fa70fdb8f85c2bda84e9f");
	cJSON_AddStringToObject(p, "syncStatus", status[i % 5]);
	cJSON_AddStringToObject(p, "health", i % 7 ? "Healthy" : "Progressing");
	cJSON_AddStringToObject(p, "lastSyncTime", "2026-11-28T11:58:00Z");
	if (i % 5 == 3)
		cJSON_AddStringToObject(p, "lastError", "apply LocalQueue/x/default: 422 Invalid");
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(p, "objects"), "total", 12);
	cJSON *res = cJSON_AddArrayToObject(p, "resources");
	cJSON *ev = cJSON_AddArrayToObject(p, "events");
	for (int k = 0; k < 12; k++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "kind", kinds[k % 6]);
		cJSON_AddStringToObject(r, "namespace", name);
		cJSON_AddStringToObject(r, "name", kinds[(k + 1) % 6]);
		cJSON_AddStringToObject(r, "action", "unchanged");
		cJSON_AddStringToObject(r, "health", "Healthy");
		cJSON_AddItemToArray(res, r);
		if (k < 10) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "time", "2026-11-28T11:00:00Z");
			cJSON_AddStringToObject(e, "type", "updated");
			cJSON_AddStringToObject(e, "object", "ResourceQuota/x/compute");
			cJSON_AddItemToArray(ev, e);
		}
	}
	cJSON *de = cJSON_AddArrayToObject(cJSON_AddObjectToObject(p, "drift"), "events");
	for (int k = 0; k < 3; k++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "time", "2026-11-28T11:50:00Z");
		cJSON_AddStringToObject(e, "object", "Namespace/x");
		cJSON_AddStringToObject(e, "change", "modified");
		cJSON_AddBoolToObject(e, "reverted", true);
		cJSON_AddItemToArray(de, e);
	}
	cJSON *gs = cJSON_AddArrayToObject(p, "grants");
	for (int k = 0; k < 2; k++) {
		cJSON *g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "addon", k ? "gpu-a100" : "exec-debug");
		cJSON_AddBoolToObject(g, "granted", !k);
		cJSON_AddBoolToObject(g, "used", true);
		if (!k)
			cJSON_AddStringToObject(g, "until", "2026-12-05");
		cJSON_AddItemToArray(gs, g);
	}
	return p;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	cJSON *st = cJSON_CreateObject();
	cJSON *src = cJSON_AddObjectToObject(st, "source");
	cJSON_AddStringToObject(src, "revision", "3552b550954d74ebe31fa70fdb8f85c2bda84e9f");
	cJSON *ps = cJSON_AddArrayToObject(st, "projects");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(ps, project(i));
	char *text = cJSON_Print(st);
	cJSON_Delete(st);
	tend_ui_render_opts o = {1795867200000LL, true, 14};
	double parse = 0, overview = 0, sorted = 0, page = 0;
	size_t overview_bytes = 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_s();
		cJSON *doc = cJSON_Parse(text);
		double t1 = now_s();
		tend_buf b = TEND_BUF_INIT;
		tend_ui_render_overview(doc, &(tend_ui_query){0}, &o, &b);
		double t2 = now_s();
		overview_bytes = b.len;
		tend_buf_reset(&b);
		tend_ui_render_overview(doc, &(tend_ui_query){.sort = "drift", .desc = true}, &o,
		                        &b);
		double t3 = now_s();
		tend_buf_reset(&b);
		tend_ui_render_project(doc, "project-00003", &o, &b);
		double t4 = now_s();
		tend_buf_free(&b);
		cJSON_Delete(doc);
		parse += t1 - t0, overview += t2 - t1, sorted += t3 - t2, page += t4 - t3;
	}
	printf("projects %d, status document %zu KiB, overview page %zu KiB\n", n,
	       strlen(text) / 1024, overview_bytes / 1024);
	printf("per view (mean of %d): parse %.2f ms, overview %.2f ms, overview sorted by drift "
	       "%.2f ms, project page %.2f ms\n",
	       rounds, parse * 1e3 / rounds, overview * 1e3 / rounds, sorted * 1e3 / rounds,
	       page * 1e3 / rounds);
	free(text);
	return 0;
}
