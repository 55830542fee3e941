/*
 * reconcile_cache.c — the reconciler fed by a watch cache, as the daemon
 * runs it: after a first sync, informers on tend_reconciler_resources()
 * hold the live objects, and a resync with no change in Git or the cluster
 * sends no request but the inventory LIST; a hand edit seen by the watch is
 * drift that the next run reverts with exactly one apply.
 *   reconcile-cache REPO_ROOT
 */
#include "../kube/harness.h"
#include "../unit/test.h"

#include "lib/doc/doc.h"
#include "lib/reconcile/reconcile.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static emu E;

static int load(const char *yaml, tend_resmap *m)
{
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load("objects.yaml", yaml, strlen(yaml), &docs))
		return -1;
	for (size_t i = 0; i < docs.len; i++) {
		if (m->len == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 8;
			m->items = tend_xrealloc(m->items, m->cap * sizeof(*m->items));
		}
		tend_resource *r = &m->items[m->len++];
		memset(r, 0, sizeof(*r));
		r->obj = docs.items[i].root;
		docs.items[i].root = NULL;
		r->file = tend_xstrdup("objects.yaml");
		r->line = 1;
	}
	tend_docs_free(&docs);
	return 0;
}

static const char OBJECTS[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: cached}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: cached}\n"
    "data: {k: v}\n---\n"
    "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: cached}\n"
    "spec: {hard: {limits.cpu: 2000m}}\n";

static tend_kube *client(void)
{
	tend_kube_config *cfg;
	tend_kube *k = NULL;
	if (tend_kube_config_load(E.kubeconfig, NULL, &cfg) == 0) {
		tend_kube_new(cfg, NULL, &k);
		tend_kube_config_free(cfg);
	}
	return k;
}

TEST(resync_from_the_cache_sends_no_object_requests)
{
	tend_kube *k = client();
	tend_reconciler *r = NULL;
	CHECK(k && tend_reconciler_new(k, NULL, &r) == 0);
	tend_resmap m = TEND_RESMAP_INIT;
	CHECK(load(OBJECTS, &m) == 0);
	tend_reconcile_desired d = {"cached", "cached", "rev1", &m, NULL};
	tend_reconcile_run_opts apply = {.mode = TEND_RECONCILE_APPLY};
	tend_reconcile_result res;
	CHECK(tend_reconcile_run(r, &d, 1, &apply, &res) == 0);
	CHECK_INT(3, res.reports[0].n_created);
	tend_reconcile_result_free(&res);

	tend_kube_cache *c = tend_kube_cache_new(k, NULL);
	const tend_kube_resource *const *types;
	size_t n = tend_reconciler_resources(r, &types);
	CHECK_INT(3, n);
	for (size_t i = 0; i < n; i++)
		CHECK(tend_kube_cache_add(c, types[i], NULL, NULL) == 0);
	CHECK(tend_kube_cache_wait_synced(c, 5000) == 0);
	tend_reconciler_use_cache(r, c);

	emu_stats_reset(&E);
	CHECK(tend_reconcile_run(r, &d, 1, &apply, &res) == 0);
	CHECK_INT(3, res.reports[0].n_unchanged);
	CHECK_INT(1, res.requests); /* the inventory LIST */
	CHECK_INT(0, emu_count(&E, "patch", NULL) + emu_count(&E, "get", NULL));
	tend_reconcile_result_free(&res);

	/* a hand edit reaches the cache; the next run reverts it with one apply */
	const tend_kube_resource *cm;
	CHECK(tend_kube_resource_for_kind(k, "v1", "ConfigMap", &cm) == 0);
	cJSON *patch = cJSON_Parse("{\"data\":{\"k\":\"hand\"}}");
	tend_kube_write_opts wo = {0};
	wo.field_manager = "kubectl-edit";
	CHECK(tend_kube_patch(k, cm, "cached", "a", TEND_KUBE_PATCH_MERGE, patch, &wo, NULL) == 0);
	cJSON_Delete(patch);
	for (int i = 0; i < 50; i++) {
		cJSON *live = tend_kube_cache_copy(c, "", "ConfigMap", "cached", "a");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(live, "data"), "k");
		bool edited = cJSON_IsString(v) && strcmp(v->valuestring, "hand") == 0;
		cJSON_Delete(live);
		if (edited)
			break;
		tend_kube_step(k, 100);
	}
	usleep(200000); /* let the emulator count the edit before the reset */
	emu_stats_reset(&E);
	CHECK(tend_reconcile_run(r, &d, 1, &apply, &res) == 0);
	CHECK_INT(1, res.reports[0].n_updated);
	/* the emulator counts a request after answering it */
	long patches = 0;
	for (int i = 0; i < 20 && (patches = emu_count(&E, "patch", NULL)) == 0; i++)
		usleep(50000);
	CHECK_INT(1, patches);
	CHECK(res.reports[0].drift);
	tend_reconcile_result_free(&res);

	tend_resmap_free(&m);
	tend_kube_cache_free(c);
	tend_reconciler_free(r);
	tend_kube_free(k);
}

static bool only_first(void *ud, const char *project)
{
	return strcmp(project, (const char *)ud) == 0;
}

static bool cm_exists(tend_kube *k, const char *ns, const char *name)
{
	const tend_kube_resource *cm;
	cJSON *obj = NULL;
	bool found = tend_kube_resource_for_kind(k, "v1", "ConfigMap", &cm) == 0 &&
	             tend_kube_get(k, cm, ns, name, NULL, &obj) == 0;
	cJSON_Delete(obj);
	return found;
}

/* A complete run removes projects that left Git, except those synced in
 * other slices (`others`) and those another shard owns (`may_remove`). */
TEST(complete_runs_remove_only_what_they_own)
{
	tend_kube *k = client();
	tend_reconciler *r = NULL;
	CHECK(k && tend_reconciler_new(k, NULL, &r) == 0);
	tend_resmap one = TEND_RESMAP_INIT, two = TEND_RESMAP_INIT;
	CHECK(load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one, namespace: default}\n",
	           &one) == 0);
	CHECK(load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two, namespace: default}\n",
	           &two) == 0);
	tend_reconcile_desired both[] = {{"proj-one", "default", "rev1", &one, NULL},
	                                 {"proj-two", "default", "rev1", &two, NULL}};
	tend_reconcile_run_opts apply = {.mode = TEND_RECONCILE_APPLY};
	tend_reconcile_result res;
	CHECK(tend_reconcile_run(r, both, 2, &apply, &res) == 0);
	tend_reconcile_result_free(&res);
	CHECK(cm_exists(k, "default", "one") && cm_exists(k, "default", "two"));

	/* the last slice of a run: proj-one (and the project of the test
	 * before) were in earlier ones */
	tend_strset earlier = TEND_STRSET_INIT;
	tend_strset_add(&earlier, "proj-one");
	tend_strset_add(&earlier, "cached");
	tend_reconcile_run_opts slice = {.mode = TEND_RECONCILE_APPLY, .complete = true,
	                                 .others = &earlier};
	CHECK(tend_reconcile_run(r, &both[1], 1, &slice, &res) == 0);
	CHECK_INT(1, res.len);
	tend_reconcile_result_free(&res);
	CHECK(cm_exists(k, "default", "one"));

	/* both left Git, but this shard owns proj-one only; the guard allows it */
	tend_reconcile_options ro;
	tend_reconcile_options_default(&ro);
	ro.prune_guard_percent = 100;
	tend_reconciler_free(r);
	CHECK(tend_reconciler_new(k, &ro, &r) == 0);
	tend_reconcile_run_opts shard = {.mode = TEND_RECONCILE_APPLY, .complete = true,
	                                 .may_remove = only_first, .may_remove_ud = "proj-one"};
	CHECK(tend_reconcile_run(r, NULL, 0, &shard, &res) == 0);
	CHECK_INT(1, res.len);
	CHECK_STR("proj-one", res.reports[0].project);
	CHECK_INT(TEND_SYNC_REMOVED, res.reports[0].status);
	tend_reconcile_result_free(&res);
	CHECK(!cm_exists(k, "default", "one"));
	CHECK(cm_exists(k, "default", "two"));

	tend_strset_free(&earlier);
	tend_resmap_free(&one);
	tend_resmap_free(&two);
	tend_reconciler_free(r);
	tend_kube_free(k);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s REPO_ROOT\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (emu_start(&E, argv[1], NULL, false, NULL)) {
		printf("FAIL emulator: %s\n0 passed, 1 failed\n", tend_err_msg());
		return 1;
	}
	RUN(resync_from_the_cache_sends_no_object_requests);
	RUN(complete_runs_remove_only_what_they_own);
	emu_stop(&E);
	TEST_MAIN_END();
}
