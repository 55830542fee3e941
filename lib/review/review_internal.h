/*
 * review_internal.h — shared between the files of lib/review.
 */
#ifndef TEND_REVIEW_INTERNAL_H
#define TEND_REVIEW_INTERNAL_H

#include "review.h"

#include "../fs/fs.h"

/*
 * Calls fn(i, ctx, opts) for i in [0, n) on `threads` threads (0: one per
 * CPU), the calling thread included. Each thread has its own kustomize
 * cache in opts (a cache is not thread-safe). fn must write only to slot i
 * of whatever it fills, so results do not depend on scheduling.
 */
void review_parallel(size_t n, int threads,
                     void (*fn)(size_t i, void *ctx, const tend_kustomize_opts *opts), void *ctx);

/*
 * A commit's tree served by lib/fs at a path of its own (cache.c): nothing
 * is written out, and the path is never created. `what` names the user in
 * the path ("preview", "inputs"); tmp and root stay set after a failure, for
 * messages, and review_tree_close frees what was made.
 */
typedef struct review_tree {
	char *tmp;  /* the mount point */
	char *root; /* the config root in it: tmp, or tmp/<prefix> */
	tend_fs *fs;
} review_tree;
int review_tree_open(const tend_config *cfg, tend_history *h, const char *sha, const char *what,
                     review_tree *t);
void review_tree_close(review_tree *t);

#endif
