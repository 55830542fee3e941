/*
 * intern.c — a pool of shared, reference-counted strings: equal text added
 * twice is stored once. For what many long-lived records repeat (tend's
 * managedFields entry of thousands of alike objects, the base's file
 * names in every project's render), where a copy each would be most of
 * their size.
 *
 * Invariants: a string handed out stays valid and unchanged until the
 * last reference to it is released; the table is at most as full as it
 * has buckets (chained).
 */
#include "util.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
	struct entry *next;
	uint64_t hash;
	size_t refs, len;
	char text[]; /* what tend_intern_add hands out */
} entry;

struct tend_intern {
	entry **buckets;
	size_t nbuckets, len, bytes;
};

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void grow(tend_intern *t)
{
	size_t n = t->nbuckets ? t->nbuckets * 2 : 64;
	entry **b = tend_xcalloc(n, sizeof(*b));
	for (size_t i = 0; i < t->nbuckets; i++)
		for (entry *e = t->buckets[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

tend_intern *tend_intern_new(void)
{
	tend_intern *t = tend_xcalloc(1, sizeof(*t));
	grow(t);
	return t;
}

void tend_intern_free(tend_intern *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		for (entry *e = t->buckets[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	free(t->buckets);
	free(t);
}

const char *tend_intern_add(tend_intern *t, const char *s)
{
	size_t len = strlen(s);
	uint64_t h = fnv1a(s, len);
	for (entry *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && e->len == len && memcmp(e->text, s, len) == 0) {
			e->refs++;
			return e->text;
		}
	if (t->len + 1 > t->nbuckets)
		grow(t);
	entry *e = tend_xmalloc(sizeof(*e) + len + 1);
	e->hash = h;
	e->refs = 1;
	e->len = len;
	memcpy(e->text, s, len + 1);
	entry **head = &t->buckets[h & (t->nbuckets - 1)];
	e->next = *head;
	*head = e;
	t->len++;
	t->bytes += len + 1;
	return e->text;
}

void tend_intern_release(tend_intern *t, const char *s)
{
	if (!s)
		return;
	entry *e = (entry *)(void *)(s - offsetof(entry, text));
	if (--e->refs)
		return;
	entry **p = &t->buckets[e->hash & (t->nbuckets - 1)];
	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	t->len--;
	t->bytes -= e->len + 1;
	free(e);
}

size_t tend_intern_len(const tend_intern *t)
{
	return t->len;
}

size_t tend_intern_bytes(const tend_intern *t)
{
	return t->bytes;
}
