/*
 * rendered.c — a project's rendered objects between syncs, kept as YAML
 * text (which also gives the hash that says whether a render changed) and
 * loaded again for each sync. A cJSON tree costs several times its text,
 * and with thousands of projects the renders would otherwise be a third of
 * the daemon's memory while nothing uses them. Projects made from one base
 * render mostly alike documents that differ in the project's name (its
 * namespace, a name prefix): each document is interned with that name
 * replaced by a mark, so alike documents of thousands of projects are
 * kept once. File names are interned in two parts: most objects of every
 * project come from the same base files, which each project names through
 * its own directory (".../projects/p1/../../base/quota.yaml").
 *
 * Invariant: loading gives back the objects the render produced, in its
 * order, each with the file and line it came from (the emitter and the
 * loader are each other's inverse: the compatibility suite holds both to
 * kubectl's bytes; a document is given back byte for byte).
 */
#include "daemon_internal.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "../doc/doc.h"

#define MARK '\x01' /* the project's name, in a stored document */
#define RAW  '\x02' /* first in a stored document kept as it is */

void daemon_rendered_clear(rendered *r)
{
	for (size_t i = 0; i < r->n; i++) {
		tend_intern_release(r->pool, r->docs[i]);
		tend_intern_release(r->pool, r->dirs[i]);
		tend_intern_release(r->pool, r->files[i]);
	}
	free(r->docs);
	free(r->dirs);
	free(r->files);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

/* doc (len bytes) with every name in it replaced by MARK; RAW and doc when
 * doc holds either byte itself (never in emitted YAML: it escapes them). */
static char *to_template(const char *doc, size_t len, const char *name)
{
	tend_buf b = TEND_BUF_INIT;
	size_t nlen = strlen(name);
	if (memchr(doc, MARK, len) || memchr(doc, RAW, len) || !nlen) {
		tend_buf_putc(&b, RAW);
		tend_buf_put(&b, doc, len);
		return tend_buf_detach(&b);
	}
	tend_buf_puts(&b, "");
	for (size_t i = 0; i < len;) {
		if (len - i >= nlen && memcmp(doc + i, name, nlen) == 0) {
			tend_buf_putc(&b, MARK);
			i += nlen;
		} else {
			tend_buf_putc(&b, doc[i++]);
		}
	}
	return tend_buf_detach(&b);
}

/* A stored document as it was rendered for name. */
static void from_template(tend_buf *out, const char *doc, const char *name)
{
	if (*doc == RAW) {
		tend_buf_puts(out, doc + 1);
		return;
	}
	for (const char *mark; (mark = strchr(doc, MARK)); doc = mark + 1) {
		tend_buf_put(out, doc, (size_t)(mark - doc));
		tend_buf_puts(out, name);
	}
	tend_buf_puts(out, doc);
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

int daemon_rendered_set(rendered *r, tend_intern *pool, const char *project, tend_resmap *rm,
                        unsigned char hash[32])
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
	r->n = rm->len;
	r->pool = pool;
	r->docs = tend_xcalloc(rm->len + 1, sizeof(char *));
	r->dirs = tend_xcalloc(rm->len + 1, sizeof(char *));
	r->files = tend_xcalloc(rm->len + 1, sizeof(char *));
	r->lines = tend_xcalloc(rm->len + 1, sizeof(int));
	for (size_t i = 0; i < rm->len; i++) {
		size_t start = i ? ends[i - 1] : 0;
		char *doc = to_template(yaml.data + start, ends[i] - start, project);
		r->docs[i] = tend_intern_add(pool, doc);
		free(doc);
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
	tend_buf_free(&yaml);
	free(ends);
	return 0;
}

int daemon_rendered_load(const rendered *r, const char *project, tend_resmap *out)
{
	*out = (tend_resmap)TEND_RESMAP_INIT;
	out->items = tend_xcalloc(r->n + 1, sizeof(tend_resource));
	out->cap = r->n + 1;
	tend_buf doc = TEND_BUF_INIT;
	for (size_t i = 0; i < r->n; i++) {
		tend_buf_reset(&doc);
		tend_buf_puts(&doc, "");
		from_template(&doc, r->docs[i], project);
		tend_docs docs = {0};
		int rc = tend_doc_load(project, doc.data, doc.len, &docs);
		if (rc == 0 && docs.len != 1)
			rc = tend_err("%s: object %zu of the stored render does not load back",
			              project, i + 1);
		if (rc) {
			tend_docs_free(&docs);
			tend_resmap_free(out);
			tend_buf_free(&doc);
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
	tend_buf_free(&doc);
	return 0;
}
