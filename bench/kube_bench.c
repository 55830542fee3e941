/*
 * kube_bench.c — lib/kube throughput and cache memory against the API
 * emulator (HTTPS + token), not a pass/fail test.
 *
 *   kube-bench REPO_ROOT [--latency-ms N] [--seconds S] [--objects N]
 *
 * Prints requests/s for small GETs and for server-side applies with 1 and
 * 32 requests in flight on one thread, and the heap bytes per cached
 * ConfigMap after an informer has synced N objects (default 10000).
 */
#include "tests/kube/harness.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN "bench-token"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct run {
	tend_kube *k;
	bool apply;
	int inflight, sent, done, failed;
	double until;
	long seq;
} run;

static void submit_one(run *r);

static void one_done(void *ud, const tend_kube_response *res)
{
	run *r = ud;
	r->done++;
	r->inflight--;
	if (res->status && r->failed++ < 3)
		fprintf(stderr, "  %s\n", res->error);
	if (now_s() < r->until)
		submit_one(r);
}

static void submit_one(run *r)
{
	char body[512];
	tend_kube_call c = {0};
	if (r->apply) {
		/* Alternate values so every apply really changes the object. */
		snprintf(body, sizeof(body),
		         "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
		         "\"bench-%ld\","
		         "\"namespace\":\"default\"},\"data\":{\"v\":\"%ld\"}}",
		         r->seq % 64, r->seq);
		char path[256];
		snprintf(
		    path, sizeof(path),
		    "/api/v1/namespaces/default/configmaps/bench-%ld?fieldManager=bench&force=true",
		    r->seq % 64);
		c.method = "PATCH";
		c.path = path;
		c.content_type = "application/apply-patch+yaml";
		c.body = body;
		c.body_len = strlen(body);
		r->seq++;
		tend_kube_submit(r->k, &c, one_done, r, NULL);
	} else {
		c.method = "GET";
		c.path = "/api/v1/namespaces/default/configmaps/bench-0";
		tend_kube_submit(r->k, &c, one_done, r, NULL);
	}
	r->inflight++;
	r->sent++;
}

static double measure(tend_kube *k, bool apply, int window, double seconds)
{
	run r = {k, apply, 0, 0, 0, 0, 0, 0};
	double t0 = now_s();
	r.until = t0 + seconds;
	for (int i = 0; i < window; i++)
		submit_one(&r);
	while (r.inflight > 0)
		tend_kube_step(k, 100);
	double el = now_s() - t0;
	return (double)(r.done - r.failed) / el;
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void count_done(void *ud, const tend_kube_response *res)
{
	int *n = ud;
	(*n)++;
	(void)res;
}

static void cache_once(tend_kube *k, const tend_kube_resource *cm, bool strip);

static void cache_memory(tend_kube *k, int objects)
{
	int done = 0;
	for (int i = 0; i < objects; i++) {
		char body[512];
		snprintf(body, sizeof(body),
		         "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
		         "\"mem-%05d\","
		         "\"namespace\":\"default\",\"labels\":{\"app.kubernetes.io/"
		         "managed-by\":\"tend\"},"
		         "\"annotations\":{\"tend.dev/tracking\":\"project-alpha:ConfigMap:default/"
		         "mem-%05d\"}},"
		         "\"data\":{\"key\":\"value-%d\",\"other\":\"a somewhat longer value of "
		         "forty chars\"}}",
		         i, i, i);
		tend_kube_call c = {.method = "POST",
		                    .path =
		                        "/api/v1/namespaces/default/configmaps?fieldManager=tend",
		                    .content_type = "application/json",
		                    .body = body,
		                    .body_len = strlen(body)};
		tend_kube_submit(k, &c, count_done, &done, NULL);
		/* Keep the queue short so the loop does not hold 10k bodies. */
		while (i - done > 256)
			tend_kube_step(k, 100);
	}
	while (done < objects)
		tend_kube_step(k, 100);
	const tend_kube_resource *cm;
	if (tend_kube_resource_find(k, "", "configmaps", &cm)) {
		fprintf(stderr, "%s\n", tend_err_msg());
		return;
	}
	for (int strip = 0; strip < 2; strip++)
		cache_once(k, cm, strip);
}

static void cache_once(tend_kube *k, const tend_kube_resource *cm, bool strip)
{
	malloc_trim(0);
	size_t before = heap_used();
	double t0 = now_s();
	tend_kube_cache *c = tend_kube_cache_new(k, NULL);
	tend_kube_cache_strip_managed_fields(c, strip);
	tend_kube_cache_add(c, cm, "default", "app.kubernetes.io/managed-by=tend");
	if (tend_kube_cache_wait_synced(c, 120000))
		fprintf(stderr, "%s\n", tend_err_msg());
	double sync_s = now_s() - t0;
	/* Let the loop finish parsing and free list pages before measuring. */
	for (int i = 0; i < 5; i++)
		tend_kube_step(k, 10);
	malloc_trim(0);
	size_t after = heap_used();
	size_t n = tend_kube_cache_len(c);
	printf("cache: %zu ConfigMaps synced in %.2f s; heap %.0f bytes per cached object%s\n", n,
	       sync_s, n ? (double)(after - before) / (double)n : 0.0,
	       strip ? " (managedFields dropped)" : "");
	tend_kube_cache_free(c);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
		        "usage: %s REPO_ROOT [--latency-ms N] [--seconds S] [--objects N]\n",
		        argv[0]);
		return 2;
	}
	const char *latency = NULL;
	double seconds = 3;
	int objects = 10000;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--latency-ms") == 0)
			latency = argv[i + 1];
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--objects") == 0)
			objects = atoi(argv[i + 1]);
	}
	const char *args[] = {"--latency-ms", latency, NULL};
	emu e;
	if (emu_start(&e, argv[1], TOKEN, true, latency ? args : NULL)) {
		fprintf(stderr, "%s\n", tend_err_msg());
		return 1;
	}
	tend_kube_config *cfg;
	tend_kube *k;
	if (tend_kube_config_load(e.kubeconfig, NULL, &cfg))
		return 1;
	tend_kube_options o;
	tend_kube_options_default(&o);
	o.qps = 0; /* measure the transport, not the limiter */
	if (tend_kube_new(cfg, &o, &k))
		return 1;
	tend_kube_config_free(cfg);
	printf("emulator %s%s%s, HTTPS, one client thread\n", e.url, latency ? ", latency " : "",
	       latency ? latency : "");
	/* warm up: objects exist, connections open */
	measure(k, true, 32, 0.5);
	double g1 = measure(k, false, 1, seconds), g32 = measure(k, false, 32, seconds);
	double a1 = measure(k, true, 1, seconds), a32 = measure(k, true, 32, seconds);
	printf("GET   1 in flight: %8.1f req/s\n", g1);
	printf("GET  32 in flight: %8.1f req/s  (%.1fx)\n", g32, g32 / g1);
	printf("SSA   1 in flight: %8.1f req/s\n", a1);
	printf("SSA  32 in flight: %8.1f req/s  (%.1fx)\n", a32, a32 / a1);
	if (!latency && objects > 0)
		cache_memory(k, objects);
	tend_kube_free(k);
	emu_stop(&e);
	return 0;
}
