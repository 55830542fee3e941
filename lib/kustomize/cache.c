/*
 * cache.c — files parsed once per process. The daemon renders hundreds of
 * projects that share one base, so each file is read, hashed (SHA-256) and
 * parsed at most once per content: an entry is keyed by path and reused
 * only while the bytes on disk hash the same. Callers always receive deep
 * copies, so a build may transform its objects freely. The cache also
 * holds kustomize's default transformer configuration, which every
 * accumulator borrows instead of rebuilding.
 */
#include "kustomize_internal.h"

#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
	char *path;
	unsigned char sha[SHA256_DIGEST_LENGTH];
	tend_docs docs; /* parsed documents; empty until first parse */
	unsigned flags; /* TEND_DOC_* the documents were parsed with */
	bool parsed;
	char *err; /* the parse error, replayed on every look-up */
} entry;

struct tend_kustomize_cache {
	entry **slots;
	size_t len, cap;
	size_t parsed, hits;
	kz_tconfig *defaults; /* built on first use; builds borrow from it */
};

tend_kustomize_cache *tend_kustomize_cache_new(void)
{
	return tend_xcalloc(1, sizeof(tend_kustomize_cache));
}

static void entry_free(entry *e)
{
	free(e->path);
	tend_docs_free(&e->docs);
	free(e->err);
	free(e);
}

void tend_kustomize_cache_free(tend_kustomize_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i])
			entry_free(c->slots[i]);
	free(c->slots);
	if (c->defaults)
		kz_tconfig_free(c->defaults);
	free(c->defaults);
	free(c);
}

const kz_tconfig *kz_cache_defaults(tend_kustomize_cache *c)
{
	if (!c->defaults) {
		c->defaults = tend_xmalloc(sizeof(*c->defaults));
		kz_tconfig_init_default(c->defaults);
	}
	return c->defaults;
}

size_t tend_kustomize_cache_parsed(const tend_kustomize_cache *c)
{
	return c ? c->parsed : 0;
}

size_t tend_kustomize_cache_hits(const tend_kustomize_cache *c)
{
	return c ? c->hits : 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static entry **slot_for(entry **slots, size_t cap, const char *path)
{
	size_t i = (size_t)(hash_str(path) & (cap - 1));
	while (slots[i] && strcmp(slots[i]->path, path) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static entry *lookup(tend_kustomize_cache *c, const char *path)
{
	if (c->len * 2 >= c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		entry **ns = tend_xcalloc(ncap, sizeof(*ns));
		for (size_t i = 0; i < c->cap; i++)
			if (c->slots[i])
				*slot_for(ns, ncap, c->slots[i]->path) = c->slots[i];
		free(c->slots);
		c->slots = ns;
		c->cap = ncap;
	}
	entry **s = slot_for(c->slots, c->cap, path);
	if (!*s) {
		*s = tend_xcalloc(1, sizeof(entry));
		(*s)->path = tend_xstrdup(path);
		c->len++;
	}
	return *s;
}

static void copy_docs(const tend_docs *from, tend_docs *to)
{
	for (size_t i = 0; i < from->len; i++) {
		if (to->len == to->cap) {
			to->cap = to->cap ? to->cap * 2 : 4;
			to->items = tend_xrealloc(to->items, to->cap * sizeof(*to->items));
		}
		to->items[to->len++] =
		    (tend_doc){cJSON_Duplicate(from->items[i].root, true), from->items[i].line};
	}
	if (!to->file && from->file)
		to->file = tend_xstrdup(from->file);
}

int kz_cache_read(const kz_build *b, const char *path, tend_buf *out)
{
	return tend_fs_read(b->fs, path, TEND_DOC_MAX_BYTES, out);
}

int kz_cache_load(const kz_build *b, const char *path, tend_docs *out)
{
	return kz_cache_load_flags(b, path, 0, out);
}

int kz_cache_load_flags(const kz_build *b, const char *path, unsigned flags, tend_docs *out)
{
	tend_kustomize_cache *c = b->cache;
	tend_buf raw = TEND_BUF_INIT;
	if (tend_fs_read(b->fs, path, TEND_DOC_MAX_BYTES, &raw)) {
		tend_buf_free(&raw); /* an oversize file once leaked 16 MB per render here */
		return -1;
	}
	unsigned char sha[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)(raw.data ? raw.data : ""), raw.len, sha);
	/* Keyed by canonical path: "p1/../base" and "p2/../base" are one file. */
	char *real = NULL;
	tend_fs_canonical(b->fs, path, &real);
	entry *e = lookup(c, real ? real : path);
	free(real);
	if (e->parsed && e->flags == flags && memcmp(e->sha, sha, sizeof(sha)) == 0) {
		c->hits++;
	} else {
		tend_docs_free(&e->docs);
		free(e->err);
		e->err = NULL;
		memcpy(e->sha, sha, sizeof(sha));
		e->flags = flags;
		e->parsed = true;
		c->parsed++;
		if (tend_doc_load_flags(path, raw.data ? raw.data : "", raw.len, flags, &e->docs))
			e->err = tend_xstrdup(tend_err_msg());
	}
	tend_buf_free(&raw);
	if (e->err)
		return tend_err("%s", e->err);
	copy_docs(&e->docs, out);
	return 0;
}
