/*
 * diffs.c — the paths two trees differ in, kept in a file named by both
 * trees' ids: trees never change, so a review that compares the same two
 * again (`check --base` run twice, `preview` after `check` in one CI job)
 * reads the list back instead of reading both trees; at 10,000 projects a
 * one-project change otherwise reads the 10,000-entry directory of
 * projects twice.
 *
 * The file is "tend-diff 1\n" and one path a line. A list holding a path
 * with a line feed is not kept; a file that does not read whole is not
 * taken. All of it is an optimisation: nothing here fails a review.
 */
#include "source_internal.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_HEADER "tend-diff 1\n"
/* 100,000 changed paths of 1 KB: far past any review's */
#define DIFF_MAX_BYTES ((size_t)128 << 20)

static char *diff_path(const char *dir, const git_oid *a, const git_oid *b)
{
	char x[GIT_OID_HEXSZ + 1], y[GIT_OID_HEXSZ + 1];
	git_oid_tostr(x, sizeof(x), a);
	git_oid_tostr(y, sizeof(y), b);
	return tend_xasprintf("%s/%s-%s", dir, x, y);
}

int tend_history_diff_parse(const char *text, size_t len, tend_strvec *out)
{
	size_t h = strlen(DIFF_HEADER);
	if (len < h || memcmp(text, DIFF_HEADER, h) != 0)
		return -1;
	tend_strvec got = TEND_STRVEC_INIT;
	for (size_t at = h; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : 0;
		/* every line ends, none is empty, none holds a NUL */
		if (!nl || !n || memchr(text + at, '\0', n)) {
			tend_strvec_free(&got);
			return -1;
		}
		char *path = tend_xstrndup(text + at, n);
		tend_strvec_push(&got, path);
		free(path);
		at += n + 1;
	}
	for (size_t i = 0; i < got.len; i++)
		tend_strvec_push(out, got.items[i]);
	tend_strvec_free(&got);
	return 0;
}

int src_diff_load(const char *dir, const git_oid *a, const git_oid *b, tend_strvec *out)
{
	if (!dir)
		return -1;
	char *path = diff_path(dir, a, b);
	tend_buf text = TEND_BUF_INIT;
	int rc = tend_file_read(path, DIFF_MAX_BYTES, &text) == 0 && text.data
	             ? tend_history_diff_parse(text.data, text.len, out)
	             : -1;
	tend_err_clear();
	tend_buf_free(&text);
	free(path);
	return rc;
}

void src_diff_save(const char *dir, const git_oid *a, const git_oid *b, const tend_strvec *paths)
{
	if (!dir)
		return;
	tend_buf text = TEND_BUF_INIT;
	tend_buf_puts(&text, DIFF_HEADER);
	for (size_t i = 0; i < paths->len; i++) {
		if (!*paths->items[i] || strchr(paths->items[i], '\n')) {
			tend_buf_free(&text);
			return;
		}
		tend_buf_printf(&text, "%s\n", paths->items[i]);
	}
	char *path = diff_path(dir, a, b);
	if (tend_file_replace(path, text.data, text.len))
		tend_err_clear();
	free(path);
	tend_buf_free(&text);
}
