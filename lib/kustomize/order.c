/*
 * order.c — kustomize's legacy output order (SortOrderTransformer, legacy):
 * kinds ranked by a fixed first list and last list (others rank 0), ties
 * broken by the "group_version_kind" string, then by the full id string
 * "gvk|namespace|name". The key is total for unique ids, so an unstable
 * sort gives the same result kustomize's sort.Sort gives.
 */
#include "kustomize.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const ORDER_FIRST[] = {
	"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
	"ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
	"ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
	"PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
	"StatefulSet", "CronJob", "PodDisruptionBudget", NULL};
static const char *const ORDER_LAST[] = {"MutatingWebhookConfiguration",
					  "ValidatingWebhookConfiguration", NULL};

static int kind_rank(const char *kind, const char *const *first, const char *const *last)
{
	int n = 0;
	while (first[n])
		n++;
	for (int i = 0; first[i]; i++)
		if (strcmp(kind, first[i]) == 0)
			return i - n;
	for (int i = 0; last[i]; i++)
		if (strcmp(kind, last[i]) == 0)
			return i + 1;
	return 0;
}

static const char *str_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, a);
	if (b)
		n = cJSON_GetObjectItemCaseSensitive(n, b);
	return cJSON_IsString(n) ? n->valuestring : "";
}

static void gvk_string(const cJSON *obj, tend_buf *out)
{
	const char *api = str_at(obj, "apiVersion", NULL);
	const char *slash = strchr(api, '/');
	const char *kind = str_at(obj, "kind", NULL);
	if (slash && slash != api)
		tend_buf_put(out, api, (size_t)(slash - api));
	else
		tend_buf_puts(out, "~G");
	tend_buf_putc(out, '_');
	const char *version = slash ? slash + 1 : api;
	tend_buf_puts(out, *version ? version : "~V");
	tend_buf_putc(out, '_');
	tend_buf_puts(out, *kind ? kind : "~K");
}

char *tend_resource_id(const cJSON *obj)
{
	tend_buf b = TEND_BUF_INIT;
	gvk_string(obj, &b);
	const char *ns = str_at(obj, "metadata", "namespace");
	const char *name = str_at(obj, "metadata", "name");
	tend_buf_printf(&b, "|%s|%s", *ns ? ns : "~X", *name ? name : "~N");
	return tend_buf_detach(&b);
}

typedef struct sort_key {
	int rank;
	bool namespace_kind;
	char *gvk;
	char *id;
	tend_resource res;
} sort_key;

static int cmp_keys(const void *x, const void *y)
{
	const sort_key *a = x, *b = y;
	int c = strcmp(a->gvk, b->gvk);
	if (c != 0) {
		if (a->rank != b->rank)
			return a->rank < b->rank ? -1 : 1;
		/* Observed with kubectl kustomize v5.5: among kind Namespace, core
		 * ("~G_") versions come first, highest version first. */
		bool ca = strncmp(a->gvk, "~G_", 3) == 0, cb = strncmp(b->gvk, "~G_", 3) == 0;
		if (a->namespace_kind && b->namespace_kind && (ca || cb))
			return ca && cb ? -c : (ca ? -1 : 1);
		return c;
	}
	return strcmp(a->id, b->id);
}

void tend_resmap_sort_legacy(tend_resmap *m)
{
	tend_resmap_sort_legacy_custom(m, NULL, NULL);
}

void tend_resmap_sort_legacy_custom(tend_resmap *m, const char *const *first,
				    const char *const *last)
{
	if (!first)
		first = ORDER_FIRST;
	if (!last)
		last = ORDER_LAST;
	sort_key *keys = tend_xcalloc(m->len ? m->len : 1, sizeof(*keys));
	for (size_t i = 0; i < m->len; i++) {
		tend_buf g = TEND_BUF_INIT;
		gvk_string(m->items[i].obj, &g);
		keys[i].gvk = tend_buf_detach(&g);
		keys[i].id = tend_resource_id(m->items[i].obj);
		keys[i].rank = kind_rank(str_at(m->items[i].obj, "kind", NULL), first, last);
		keys[i].namespace_kind = strcmp(str_at(m->items[i].obj, "kind", NULL), "Namespace") == 0;
		keys[i].res = m->items[i];
	}
	qsort(keys, m->len, sizeof(*keys), cmp_keys);
	for (size_t i = 0; i < m->len; i++) {
		m->items[i] = keys[i].res;
		free(keys[i].gvk);
		free(keys[i].id);
	}
	free(keys);
}
