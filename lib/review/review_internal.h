/*
 * review_internal.h — shared between the files of lib/review.
 */
#ifndef TEND_REVIEW_INTERNAL_H
#define TEND_REVIEW_INTERNAL_H

#include "review.h"

/*
 * Calls fn(i, ctx, opts) for i in [0, n) on `threads` threads (0: one per
 * CPU), the calling thread included. Each thread has its own kustomize
 * cache in opts (a cache is not thread-safe). fn must write only to slot i
 * of whatever it fills, so results do not depend on scheduling.
 */
void review_parallel(size_t n, int threads,
                     void (*fn)(size_t i, void *ctx, const tend_kustomize_opts *opts), void *ctx);

#endif
