/*
 * kustomize.h — `kustomize build` semantics: a directory tree in, an ordered
 * list of Kubernetes objects out, exactly as `kubectl kustomize` builds it.
 *
 * A build is a pure function of the files under its root: it never touches
 * the network or a cluster. Objects come back in kustomize's output order.
 * Memory: a tend_resmap owns its objects until tend_resmap_free().
 */
#ifndef TEND_KUSTOMIZE_H
#define TEND_KUSTOMIZE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

typedef struct tend_resource {
	cJSON *obj;  /* owned */
	char *file;  /* the file it was loaded from (owned) */
	int line;    /* line of its document in that file */
} tend_resource;

typedef struct tend_resmap {
	tend_resource *items;
	size_t len;
	size_t cap;
} tend_resmap;

#define TEND_RESMAP_INIT {NULL, 0, 0}

typedef struct tend_kustomize_opts {
	bool load_restrictor_none; /* --load-restrictor=LoadRestrictionsNone */
} tend_kustomize_opts;

/* Builds the kustomization in `dir`. On error `out` is left empty. */
int tend_kustomize_build(const char *dir, const tend_kustomize_opts *opts, tend_resmap *out);

/* Appends all objects as a YAML stream, `---` between documents. */
int tend_resmap_emit_yaml(const tend_resmap *m, tend_buf *out);

void tend_resmap_free(tend_resmap *m);

/* Sorts objects in kustomize's legacy kind order. */
void tend_resmap_sort_legacy(tend_resmap *m);

/* "group_version_kind|namespace|name" with kustomize's ~G/~V/~K/~X/~N fillers. */
char *tend_resource_id(const cJSON *obj);

#endif
