/*
 * strset.c — a set of strings with open addressing (FNV-1a, linear probing),
 * used wherever tend must notice a repeated name or id in O(1).
 * Invariant: the table is at most half full.
 */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t find_slot(char **slots, size_t cap, const char *s)
{
	size_t i = (size_t)(fnv1a(s) & (cap - 1));
	while (slots[i] && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

bool tend_strset_has(const tend_strset *set, const char *s)
{
	if (!set->cap)
		return false;
	return set->slots[find_slot(set->slots, set->cap, s)] != NULL;
}

bool tend_strset_add(tend_strset *set, const char *s)
{
	if ((set->len + 1) * 2 > set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		char **slots = tend_xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i])
				slots[find_slot(slots, cap, set->slots[i])] = set->slots[i];
		free(set->slots);
		set->slots = slots;
		set->cap = cap;
	}
	size_t i = find_slot(set->slots, set->cap, s);
	if (set->slots[i])
		return false;
	set->slots[i] = tend_xstrdup(s);
	set->len++;
	return true;
}

void tend_strset_free(tend_strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	set->slots = NULL;
	set->len = set->cap = 0;
}
