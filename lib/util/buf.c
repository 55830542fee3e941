/*
 * buf.c — growable byte buffers and string vectors.
 *
 * Invariant: a tend_buf with cap > 0 always has data[len] == '\0', so its
 * contents can be used as a C string without a copy.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tend_buf_free(tend_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void tend_buf_reset(tend_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void tend_buf_grow(tend_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = tend_xrealloc(b->data, cap);
	b->cap = cap;
}

void tend_buf_put(tend_buf *b, const void *data, size_t len)
{
	tend_buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void tend_buf_puts(tend_buf *b, const char *s)
{
	tend_buf_put(b, s, strlen(s));
}

void tend_buf_putc(tend_buf *b, char c)
{
	tend_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void tend_buf_vprintf(tend_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	tend_buf_grow(b, 128);
	size_t room = b->cap - b->len;
	int n = vsnprintf(b->data + b->len, room, fmt, ap);
	if (n >= 0 && (size_t)n >= room) {
		tend_buf_grow(b, (size_t)n);
		n = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	if (n > 0)
		b->len += (size_t)n;
	b->data[b->len] = '\0';
}

void tend_buf_printf(tend_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tend_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *tend_buf_detach(tend_buf *b)
{
	/* Growth doubles, and every printf reserves 128 bytes: a string kept
	 * (a cache key, a render, a metric's labels) would otherwise carry up
	 * to as much slack as text, for as long as it lives. */
	char *s = b->data ? tend_xrealloc(b->data, b->len + 1) : tend_xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void tend_strvec_push(tend_strvec *v, const char *s)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = tend_xrealloc(v->items, v->cap * sizeof(*v->items));
	}
	v->items[v->len++] = tend_xstrdup(s);
}

void tend_strvec_free(tend_strvec *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}
