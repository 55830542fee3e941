/*
 * reread.c — strings kustomize sets itself must survive its YAML round
 * trip. kyaml gives a string it sets (a generated value, a label, every
 * annotation, a replacement, anything a JSON patch leaves) a literal block
 * style when it holds a line feed, writes the object as YAML and reads it
 * back; go-yaml cannot read back a literal block whose first line starts
 * with a tab (tend_doc_literal_rereads), so kubectl fails there.
 *
 * A string kustomize set as an untagged scalar (KZ_PLAIN_SCALAR) comes
 * back resolved as plain text. The same round trip folds NELs and refuses
 * DEL, C1 controls and
 * U+FFFE/U+FFFF in any string (kz_reread_strings): the loader does so for
 * what it reads, this for what kustomize makes (generated values, hashed
 * as they were before the round trip).
 *
 * Invariant: only values kustomize sets are checked for the literal block;
 * a string written in a source file keeps its quoted style and passes.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

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

/* A byte sequence the YAML reader changes or refuses: NEL, DEL, another C1
 * control, U+FFFE or U+FFFF. */
static bool rereads_differently(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) ||
		    (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)))
			return true;
	return false;
}

static int reread_tree(const tend_resource *r, cJSON *node, tend_buf *path)
{
	size_t at = path->len;
	for (cJSON *c = node->child; c; c = c->next) {
		path->len = at;
		if (c->string)
			tend_buf_printf(path, "%s%s", at ? "." : "", c->string);
		if (c->string && strstr(c->string, "\xC2\x85"))
			return tend_err("%s:%d: %s: a mapping key holding U+0085 (NEL) cannot be "
			                "built",
			                r->file ? r->file : "?", r->line, path->data);
		if (cJSON_IsString(c) && (c->type & KZ_PLAIN_SCALAR)) {
			cJSON *v = tend_doc_scalar(c->valuestring, NULL);
			if (!v)
				return tend_err_prefix("%s:%d: %s: ", r->file ? r->file : "?",
				                       r->line, path->data);
			kz_set_value(c, v);
		} else if (cJSON_IsString(c) && rereads_differently(c->valuestring)) {
			tend_buf clean = TEND_BUF_INIT;
			if (tend_doc_reread_text(c->valuestring, strlen(c->valuestring), &clean)) {
				tend_buf_free(&clean);
				return tend_err_prefix("%s:%d: %s: ", r->file ? r->file : "?",
				                       r->line, path->data);
			}
			kz_set_string(c, clean.data ? clean.data : "");
			tend_buf_free(&clean);
		} else if (c->child && reread_tree(r, c, path)) {
			return -1;
		}
	}
	path->len = at;
	return 0;
}

int kz_reread_strings(tend_resmap *m)
{
	tend_buf path = TEND_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < m->len && !rc; i++)
		rc = reread_tree(&m->items[i], m->items[i].obj, &path);
	tend_buf_free(&path);
	return rc;
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
