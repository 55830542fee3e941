/*
 * mem.c — allocation wrappers. tend treats running out of memory as fatal:
 * the caller of a parser cannot do anything useful with half a tree, and
 * input size limits (lib/doc) keep honest inputs far below any real limit.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "tend: out of memory allocating %zu bytes\n", n);
	abort();
}

void *tend_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *tend_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *tend_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *tend_xstrdup(const char *s)
{
	return tend_xstrndup(s, strlen(s));
}

char *tend_xstrndup(const char *s, size_t n)
{
	char *p = tend_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *tend_xasprintf(const char *fmt, ...)
{
	tend_buf b = TEND_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	tend_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return tend_buf_detach(&b);
}
