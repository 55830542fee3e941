/*
 * rendered.c — a project's rendered objects between syncs, kept as YAML
 * text (which also gives the hash that says whether a render changed) and
 * loaded again for each sync. A cJSON tree costs several times its text,
 * and with thousands of projects the renders would otherwise be a third of
 * the daemon's memory while nothing uses them. File names are interned in
 * two parts: most objects of every project come from the same base files,
 * which each project names through its own directory
 * (".../projects/p1/../../base/quota.yaml").
 *
 * Invariant: loading gives back the objects the render produced, in its
 * order, each with the file and line it came from (the emitter and the
 * loader are each other's inverse: the compatibility suite holds both to
 * kubectl's bytes).
 */
#include "daemon_internal.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "../doc/doc.h"

void daemon_rendered_clear(rendered *r)
{
	free(r->yaml);
	for (size_t i = 0; i < r->n; i++) {
		tend_intern_release(r->pool, r->dirs[i]);
		tend_intern_release(r->pool, r->files[i]);
	}
	free(r->dirs);
	free(r->files);
	free(r->lines);
	free(r->ends);
	memset(r, 0, sizeof(*r));
}

/* Where file's directory part ends: after the last '/' before its first
 * "../" step, else after its last '/'. */
static size_t dir_len(const char *file)
{
	const char *up = strstr(file, "/../");
	size_t end = up ? (size_t)(up - file) + 1 : strlen(file);
	while (end && file[end - 1] != '/')
		end--;
	return end;
}

int daemon_rendered_set(rendered *r, tend_intern *pool, tend_resmap *rm, unsigned char hash[32])
{
	tend_buf yaml = TEND_BUF_INIT;
	size_t *ends = tend_xcalloc(rm->len + 1, sizeof(size_t));
	for (size_t i = 0; i < rm->len; i++) {
		if (tend_doc_emit_yaml(rm->items[i].obj, &yaml)) {
			tend_err_prefix("%s:%d: ", rm->items[i].file, rm->items[i].line);
			tend_buf_free(&yaml);
			free(ends);
			return -1;
		}
		ends[i] = yaml.len;
	}
	SHA256((const unsigned char *)(yaml.data ? yaml.data : ""), yaml.len, hash);
	daemon_rendered_clear(r);
	r->yaml = tend_buf_detach(&yaml);
	r->ends = ends;
	r->n = rm->len;
	r->pool = pool;
	r->dirs = tend_xcalloc(rm->len + 1, sizeof(char *));
	r->files = tend_xcalloc(rm->len + 1, sizeof(char *));
	r->lines = tend_xcalloc(rm->len + 1, sizeof(int));
	for (size_t i = 0; i < rm->len; i++) {
		const char *file = rm->items[i].file;
		if (file) {
			size_t n = dir_len(file);
			char *dir = tend_xstrndup(file, n);
			r->dirs[i] = tend_intern_add(pool, dir);
			r->files[i] = tend_intern_add(pool, file + n);
			free(dir);
		}
		r->lines[i] = rm->items[i].line;
	}
	return 0;
}

int daemon_rendered_load(const rendered *r, const char *project, tend_resmap *out)
{
	*out = (tend_resmap)TEND_RESMAP_INIT;
	out->items = tend_xcalloc(r->n + 1, sizeof(tend_resource));
	out->cap = r->n + 1;
	for (size_t i = 0; i < r->n; i++) {
		size_t start = i ? r->ends[i - 1] : 0;
		tend_docs docs = {0};
		int rc = tend_doc_load(project, r->yaml + start, r->ends[i] - start, &docs);
		if (rc == 0 && docs.len != 1)
			rc = tend_err("%s: object %zu of the stored render does not load back",
			              project, i + 1);
		if (rc) {
			tend_docs_free(&docs);
			tend_resmap_free(out);
			return -1;
		}
		out->items[i].obj = docs.items[0].root;
		docs.items[0].root = NULL;
		tend_docs_free(&docs);
		out->items[i].file =
		    r->files[i] ? tend_xasprintf("%s%s", r->dirs[i], r->files[i]) : NULL;
		out->items[i].line = r->lines[i];
		out->len = i + 1;
	}
	return 0;
}
