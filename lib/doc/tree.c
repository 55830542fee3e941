/*
 * tree.c — edits of cJSON trees that the cJSON Debian 12 ships gets wrong.
 * libcjson 1.7.15-1+deb12u4's cJSON_InsertItemInArray loses an item
 * inserted between two others (the list keeps its old length and the new
 * item is leaked), so every insertion in tend goes through here.
 * Invariant: the array's sibling links stay cJSON's own (child->prev is the
 * last element, the last element's next is NULL).
 */
#include "doc.h"

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
