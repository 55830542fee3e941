/*
 * fuzz_textdiff.c — libFuzzer target for the preview's unified diff and
 * path cleaning. The input is two texts split at the first NUL byte. The
 * diff of a to b, applied to a by the small patcher below, must give b back
 * exactly, and every hunk header must count its lines right. The first text
 * also goes through tend_path_clean, which must be idempotent.
 */
#include "lib/review/review.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The start of line k (0-based) of s, or the end of s. */
static const char *line_at(const char *s, size_t k)
{
	for (; k && *s; k--) {
		const char *nl = strchr(s, '\n');
		s = nl ? nl + 1 : s + strlen(s);
	}
	return s;
}

static size_t line_len(const char *s)
{
	const char *nl = strchr(s, '\n');
	return nl ? (size_t)(nl - s) : strlen(s);
}

/* Applies a unified diff made by tend_review_unified_diff to `a`. */
static char *patch(const char *a, const char *diff)
{
	tend_buf out = TEND_BUF_INIT;
	size_t at = 0; /* lines of a consumed */
	for (const char *d = diff; *d;) {
		size_t a0, na, b0, nb;
		int used = 0;
		if (sscanf(d, "@@ -%zu,%zu +%zu,%zu @@%n", &a0, &na, &b0, &nb, &used) != 4 || !used)
			abort();
		d += line_len(d) + 1;
		size_t start = na ? a0 - 1 : a0;
		if (start < at)
			abort(); /* hunks overlap or go backwards */
		for (; at < start; at++) {
			const char *l = line_at(a, at);
			tend_buf_put(&out, l, line_len(l));
			tend_buf_putc(&out, '\n');
		}
		size_t seen_a = 0, seen_b = 0;
		while (*d && *d != '@') {
			size_t n = line_len(d);
			const char *l = line_at(a, at);
			if (*d == ' ' || *d == '-') {
				if (line_len(l) != n - 1 || memcmp(l, d + 1, n - 1) != 0)
					abort(); /* context or removal that is not in a */
				at++, seen_a++;
			}
			if (*d == ' ' || *d == '+') {
				tend_buf_put(&out, d + 1, n - 1);
				tend_buf_putc(&out, '\n');
				seen_b++;
			}
			d += n + (d[n] == '\n');
		}
		if (seen_a != na || seen_b != nb)
			abort();
	}
	for (const char *l = line_at(a, at); *l; l = line_at(l, 1)) {
		tend_buf_put(&out, l, line_len(l));
		tend_buf_putc(&out, '\n');
	}
	return tend_buf_detach(&out);
}

/* The diff works on lines: compare texts with every line ending in '\n'. */
static char *normal(const char *s)
{
	tend_buf b = TEND_BUF_INIT;
	tend_buf_puts(&b, s);
	if (b.len && b.data[b.len - 1] != '\n')
		tend_buf_putc(&b, '\n');
	return tend_buf_detach(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0; /* the table is quadratic; big inputs only slow the search */
	char *text = malloc(size + 2);
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	const char *b = text + strlen(text) + (strlen(text) < size ? 1 : 0);
	char *na = normal(text), *nb = normal(b);
	tend_buf d = TEND_BUF_INIT;
	tend_review_unified_diff(na, nb, &d);
	char *back = patch(na, d.data ? d.data : "");
	if (strcmp(back, nb) != 0)
		abort();
	if ((d.len == 0) != (strcmp(na, nb) == 0))
		abort();
	char *once = tend_path_clean(text), *twice = tend_path_clean(once);
	if (strcmp(once, twice) != 0)
		abort();
	free(once);
	free(twice);
	free(back);
	tend_buf_free(&d);
	free(na);
	free(nb);
	free(text);
	return 0;
}
