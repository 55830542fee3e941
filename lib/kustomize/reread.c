/*
 * reread.c — strings kustomize sets itself must survive its YAML round
 * trip. kyaml gives a string it sets (a generated value, a label, every
 * annotation, a replacement, anything a JSON patch leaves) a literal block
 * style when it holds a line feed, writes the object as YAML and reads it
 * back; go-yaml cannot read back a literal block whose first line starts
 * with a tab (tend_doc_literal_rereads), so kubectl fails there.
 *
 * Invariant: only values kustomize sets are checked; a string written in a
 * source file keeps its quoted style through the round trip and passes.
 */
#include "kustomize_internal.h"

static const char REFUSED[] =
    "starts with a tab and holds a line break: kustomize writes it as a literal block "
    "it cannot read back (found a tab character where an indentation space is expected)";

int kz_reread_check(const char *file, int line, const char *field, const cJSON *value)
{
	if (!cJSON_IsString(value) || tend_doc_literal_rereads(value->valuestring))
		return 0;
	if (!file)
		return tend_err("%s: the value %s", field, REFUSED);
	int at = tend_doc_line(value) ? tend_doc_line(value) : line;
	return tend_err("%s:%d: %s: the value %s", file, at, field, REFUSED);
}

int kz_reread_check_all(const tend_resource *r, const cJSON *node, const char *field)
{
	if (cJSON_IsString(node))
		return kz_reread_check(r->file, r->line, field, node);
	for (const cJSON *c = node ? node->child : NULL; c; c = c->next) {
		char *sub = !c->string ? tend_xstrdup(field)
		            : *field   ? tend_xasprintf("%s.%s", field, c->string)
		                       : tend_xstrdup(c->string);
		int rc = kz_reread_check_all(r, c, sub);
		free(sub);
		if (rc)
			return -1;
	}
	return 0;
}

int kz_reread_check_annotations(const tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->items[i].obj, "metadata");
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		if (cJSON_IsObject(ann) &&
		    kz_reread_check_all(&m->items[i], ann, "metadata.annotations"))
			return -1;
	}
	return 0;
}
