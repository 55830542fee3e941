/*
 * resmap.c — the ordered list of objects a build accumulates, the
 * bookkeeping kustomize keeps per object, and printing. Ids (gvk, effective
 * namespace, name) are unique within one accumulation; adding a second
 * object with a taken id is kustomize's "may not add resource with an
 * already registered id" error.
 */
#include "kustomize_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kz_meta_free(struct kz_meta *m)
{
	if (!m)
		return;
	tend_strvec_free(&m->prev_names);
	tend_strvec_free(&m->prev_ns);
	tend_strvec_free(&m->prev_kinds);
	tend_strvec_free(&m->prefixes);
	tend_strvec_free(&m->suffixes);
	tend_strvec_free(&m->refvars);
	free(m);
}

static void strvec_copy(tend_strvec *to, const tend_strvec *from)
{
	for (size_t i = 0; i < from->len; i++)
		tend_strvec_push(to, from->items[i]);
}

struct kz_meta *kz_meta_dup(const struct kz_meta *m)
{
	struct kz_meta *n = tend_xcalloc(1, sizeof(*n));
	if (!m)
		return n;
	strvec_copy(&n->prev_names, &m->prev_names);
	strvec_copy(&n->prev_ns, &m->prev_ns);
	strvec_copy(&n->prev_kinds, &m->prev_kinds);
	strvec_copy(&n->prefixes, &m->prefixes);
	strvec_copy(&n->suffixes, &m->suffixes);
	strvec_copy(&n->refvars, &m->refvars);
	n->next_shared = m->next_shared;
	n->needs_hash = m->needs_hash;
	n->behavior = m->behavior;
	return n;
}

struct kz_meta *kz_meta_of(tend_resource *r)
{
	if (!r->meta)
		r->meta = tend_xcalloc(1, sizeof(*r->meta));
	return r->meta;
}

void kz_push_previous_id(tend_resource *r, const char *ns, const char *name, const char *kind)
{
	struct kz_meta *m = kz_meta_of(r);
	tend_strvec_push(&m->prev_names, name);
	tend_strvec_push(&m->prev_ns, ns);
	tend_strvec_push(&m->prev_kinds, kind);
}

void kz_store_previous_id(tend_resource *r)
{
	kz_push_previous_id(r, kz_effective_ns(r->obj), kz_name(r->obj), kz_kind(r->obj));
}

void tend_resmap_free(tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		cJSON_Delete(m->items[i].obj);
		free(m->items[i].file);
		kz_meta_free(m->items[i].meta);
	}
	free(m->items);
	m->items = NULL;
	m->len = m->cap = 0;
}

void kz_resmap_push(tend_resmap *m, cJSON *obj, const char *file, int line)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->items = tend_xrealloc(m->items, m->cap * sizeof(*m->items));
	}
	m->items[m->len++] = (tend_resource){obj, tend_xstrdup(file ? file : ""), line, NULL};
}

char *kz_id_key(const cJSON *obj)
{
	char g[256], v[256];
	kz_api_split(kz_str(obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
	return tend_xasprintf("%s|%s|%s|%s|%s", g, v, kz_kind(obj), kz_effective_ns(obj),
	                      kz_name(obj));
}

char *kz_id_string(const cJSON *obj)
{
	char g[256], v[256];
	kz_api_split(kz_str(obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
	const char *ns = kz_namespace(obj);
	return tend_xasprintf("%s.%s.%s/%s.%s", kz_kind(obj), *v ? v : "[noVer]",
	                      *g ? g : "[noGrp]", kz_name(obj), *ns ? ns : "[noNs]");
}

long kz_resmap_find_current(const tend_resmap *m, const cJSON *like)
{
	char *want = kz_id_key(like);
	long found = -1;
	for (size_t i = 0; i < m->len && found < 0; i++) {
		char *id = kz_id_key(m->items[i].obj);
		if (strcmp(id, want) == 0)
			found = (long)i;
		free(id);
	}
	free(want);
	return found;
}

int kz_resmap_append(tend_resmap *to, tend_resmap *from, tend_strset *ids)
{
	tend_strset local = TEND_STRSET_INIT;
	int rc = 0;
	if (!ids) {
		ids = &local;
		for (size_t i = 0; i < to->len; i++) {
			char *id = kz_id_key(to->items[i].obj);
			tend_strset_add(ids, id);
			free(id);
		}
	}
	for (size_t i = 0; i < from->len && !rc; i++) {
		char *id = kz_id_key(from->items[i].obj);
		if (!tend_strset_add(ids, id)) {
			char *s = kz_id_string(from->items[i].obj);
			rc = tend_err("%s:%d: may not add resource with an already registered id: %s",
				      from->items[i].file, from->items[i].line, s);
			free(s);
		}
		free(id);
	}
	tend_strset_free(&local);
	if (rc)
		return -1;
	for (size_t i = 0; i < from->len; i++) {
		tend_resource *r = &from->items[i];
		kz_resmap_push(to, r->obj, r->file, r->line);
		to->items[to->len - 1].meta = r->meta;
		free(r->file);
	}
	free(from->items);
	from->items = NULL;
	from->len = from->cap = 0;
	return 0;
}

int tend_resmap_emit_yaml(const tend_resmap *m, tend_buf *out)
{
	for (size_t i = 0; i < m->len; i++) {
		if (i)
			tend_buf_puts(out, "---\n");
		if (tend_doc_emit_yaml(m->items[i].obj, out))
			return tend_err_prefix("%s:%d: ", m->items[i].file, m->items[i].line);
	}
	return 0;
}
