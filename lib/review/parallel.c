/*
 * parallel.c — rendering many projects on every CPU. Projects are handed
 * out one at a time from a shared counter, so a slow project does not hold
 * up a whole share; each thread keeps its own kustomize cache, so a shared
 * base is parsed once per thread, not once per project.
 */
#include "review_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define MAX_THREADS 64

typedef struct pool {
	size_t n;
	void (*fn)(size_t i, void *ctx, const tend_kustomize_opts *opts);
	void *ctx;
	atomic_size_t next;
} pool;

static void *worker(void *arg)
{
	pool *p = arg;
	tend_kustomize_opts opts = {0};
	opts.cache = tend_kustomize_cache_new();
	for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
		p->fn(i, p->ctx, &opts);
	tend_kustomize_cache_free(opts.cache);
	return NULL;
}

void review_parallel(size_t n, int threads,
                     void (*fn)(size_t i, void *ctx, const tend_kustomize_opts *opts), void *ctx)
{
	pool p = {n, fn, ctx, 0};
	if (threads <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (int)cpus : 1;
	}
	if ((size_t)threads > n)
		threads = n ? (int)n : 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	pthread_t tid[MAX_THREADS];
	int started = 0;
	for (int t = 1; t < threads; t++)
		if (pthread_create(&tid[started], NULL, worker, &p) == 0)
			started++;
	worker(&p); /* if no thread could start, this one does everything */
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}
