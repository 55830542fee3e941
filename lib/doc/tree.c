/*
 * tree.c — edits of cJSON trees: those the cJSON Debian 12 ships gets
 * wrong, and trimming an object to the members a reader uses.
 * libcjson 1.7.15-1+deb12u4's cJSON_InsertItemInArray loses an item
 * inserted between two others (the list keeps its old length and the new
 * item is leaked), so every insertion in tend goes through here.
 * Invariant: the array's sibling links stay cJSON's own (child->prev is the
 * last element, the last element's next is NULL).
 */
#include "doc.h"

#include <string.h>

void tend_doc_array_insert(cJSON *array, int which, cJSON *item)
{
	cJSON *at = which >= 0 ? cJSON_GetArrayItem(array, which) : NULL;
	if (!at) {
		cJSON_AddItemToArray(array, item);
		return;
	}
	item->next = at;
	item->prev = at->prev;
	if (at == array->child)
		array->child = item;
	else
		at->prev->next = item;
	at->prev = item;
}

void tend_doc_keep_only(cJSON *o, const char *const *keys)
{
	for (cJSON *e = cJSON_IsObject(o) ? o->child : NULL, *next; e; e = next) {
		next = e->next;
		size_t i = 0;
		while (keys[i] && strcmp(keys[i], e->string ? e->string : "") != 0)
			i++;
		if (!keys[i])
			cJSON_Delete(cJSON_DetachItemViaPointer(o, e));
	}
}
