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
	tend_reconcile_run_opts apply = {TEND_RECONCILE_APPLY, false, NULL};
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
	emu_stop(&E);
	TEST_MAIN_END();
}
