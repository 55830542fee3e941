/*
 * kustomize.h — `kustomize build` semantics: a directory tree in, an ordered
 * list of Kubernetes objects out, exactly as `kubectl kustomize` builds it.
 *
 * A build is a pure function of the files under its root: it never touches
 * the network or a cluster. Objects come back in kustomize's output order.
 * Memory: a tend_resmap owns its objects until tend_resmap_free(); a
 * tend_kustomize_cache owns its parsed files until tend_kustomize_cache_free().
 */
#ifndef TEND_KUSTOMIZE_H
#define TEND_KUSTOMIZE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

struct kz_meta; /* build bookkeeping (previous names, prefixes, generator flags) */

typedef struct tend_resource {
	cJSON *obj;  /* owned */
	char *file;  /* the file it was loaded from (owned) */
	int line;    /* line of its document in that file */
	struct kz_meta *meta; /* owned; private to lib/kustomize, may be NULL */
} tend_resource;

typedef struct tend_resmap {
	tend_resource *items;
	size_t len;
	size_t cap;
} tend_resmap;

#define TEND_RESMAP_INIT {NULL, 0, 0}

/*
 * Parsed files kept across builds, keyed by real path and a SHA-256 of the
 * content, so the hundreds of projects sharing one base parse it once. Not
 * thread-safe: use one cache per thread.
 */
typedef struct tend_kustomize_cache tend_kustomize_cache;

tend_kustomize_cache *tend_kustomize_cache_new(void);
void tend_kustomize_cache_free(tend_kustomize_cache *c);
/* Files parsed so far, and look-ups answered without parsing. */
size_t tend_kustomize_cache_parsed(const tend_kustomize_cache *c);
size_t tend_kustomize_cache_hits(const tend_kustomize_cache *c);

typedef struct tend_kustomize_opts {
	bool load_restrictor_none; /* --load-restrictor=LoadRestrictionsNone */
	bool enable_remote;        /* allow remote resources (refused: not implemented) */
	tend_kustomize_cache *cache; /* optional; borrowed */
	struct tend_fs *fs;          /* optional, borrowed: where files are read
	                              * (a Git tree); NULL: the tree mounted over
	                              * the directory (tend_fs_mount), else the disk */
	tend_strvec *warnings;     /* optional; receives kustomize's deprecation warnings */
	/* optional, borrowed: used instead of the root directory's kustomization
	 * file (which must exist); relative paths still resolve from that
	 * directory. The guard's second render (base and granted add-ons only). */
	const cJSON *kustomization;
} tend_kustomize_opts;

/* Builds the kustomization in `dir`. On error `out` is left empty. */
int tend_kustomize_build(const char *dir, const tend_kustomize_opts *opts, tend_resmap *out);

/* Appends all objects as a YAML stream, `---` between documents. */
int tend_resmap_emit_yaml(const tend_resmap *m, tend_buf *out);

void tend_resmap_free(tend_resmap *m);

/* Sorts objects in kustomize's legacy kind order. */
void tend_resmap_sort_legacy(tend_resmap *m);
/*
 * Legacy order with custom first/last kind lists (sortOptions.
 * legacySortOptions); NULL-terminated; NULL means kustomize's defaults.
 */
void tend_resmap_sort_legacy_custom(tend_resmap *m, const char *const *first,
				    const char *const *last);

/* "group_version_kind|namespace|name" with kustomize's ~G/~V/~K/~X/~N fillers. */
char *tend_resource_id(const cJSON *obj);

/*
 * The generated-name hash suffix kustomize appends to a ConfigMap or Secret
 * (10 characters, never 0 1 3 a e). Returns memory the caller frees.
 */
char *tend_kustomize_hash(const cJSON *obj);

#endif
