/*
 * resmap.c — the ordered list of objects a build accumulates, and its
 * printing. Ids (gvk|namespace|name) are unique within one accumulation;
 * adding a second object with a taken id is kustomize's
 * "may not add resource with an already registered id" error.
 */
#include "kustomize_internal.h"

#include "../doc/doc.h"

#include <stdlib.h>
#include <string.h>

void tend_resmap_free(tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		cJSON_Delete(m->items[i].obj);
		free(m->items[i].file);
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
	m->items[m->len++] = (tend_resource){obj, tend_xstrdup(file), line};
}

/* Moves every object of `from` to the end of `to`, refusing id collisions. */
int kz_resmap_append(tend_resmap *to, tend_resmap *from)
{
	tend_strset ids = TEND_STRSET_INIT;
	int rc = 0;
	for (size_t i = 0; i < to->len; i++) {
		char *id = tend_resource_id(to->items[i].obj);
		tend_strset_add(&ids, id);
		free(id);
	}
	for (size_t i = 0; i < from->len && !rc; i++) {
		char *id = tend_resource_id(from->items[i].obj);
		if (!tend_strset_add(&ids, id))
			rc = tend_err("%s:%d: may not add resource with an already registered id: %s",
				      from->items[i].file, from->items[i].line, id);
		free(id);
	}
	tend_strset_free(&ids);
	if (rc)
		return -1;
	for (size_t i = 0; i < from->len; i++) {
		tend_resource *r = &from->items[i];
		kz_resmap_push(to, r->obj, r->file, r->line);
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
