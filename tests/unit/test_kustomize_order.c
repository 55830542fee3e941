/*
 * test_kustomize_order.c — kustomize's legacy output order and resource ids.
 */
#include "test.h"

#include "lib/doc/doc.h"
#include "lib/kustomize/kustomize.h"

#include <stdlib.h>

static cJSON *obj(const char *api, const char *kind, const char *ns, const char *name)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "apiVersion", api);
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", name);
	if (ns)
		cJSON_AddStringToObject(m, "namespace", ns);
	return o;
}

static void push(tend_resmap *m, cJSON *o)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->items = realloc(m->items, m->cap * sizeof(*m->items));
	}
	m->items[m->len++] = (tend_resource){o, tend_xstrdup("x.yaml"), 1, NULL};
}

static const char *kind_at(const tend_resmap *m, size_t i)
{
	return cJSON_GetObjectItem(m->items[i].obj, "kind")->valuestring;
}

static const char *name_at(const tend_resmap *m, size_t i)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(m->items[i].obj, "metadata"), "name")
		->valuestring;
}

TEST(ids_use_kustomize_fillers)
{
	cJSON *o = obj("v1", "ConfigMap", NULL, "cm");
	char *id = tend_resource_id(o);
	CHECK_STR("~G_v1_ConfigMap|~X|cm", id);
	free(id);
	cJSON_Delete(o);
	o = obj("apps/v1", "Deployment", "chem", "web");
	id = tend_resource_id(o);
	CHECK_STR("apps_v1_Deployment|chem|web", id);
	free(id);
	cJSON_Delete(o);
}

TEST(legacy_order)
{
	tend_resmap m = TEND_RESMAP_INIT;
	push(&m, obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", NULL, "v"));
	push(&m, obj("kueue.x-k8s.io/v1beta1", "LocalQueue", "a", "q"));
	push(&m, obj("apps/v1", "Deployment", "a", "web"));
	push(&m, obj("v1", "ConfigMap", "b", "cm"));
	push(&m, obj("v1", "ConfigMap", "a", "cm"));
	push(&m, obj("batch/v1", "Job", "a", "j"));
	push(&m, obj("v1", "Namespace", NULL, "a"));
	push(&m, obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", NULL, "m"));
	push(&m, obj("v1", "ResourceQuota", "a", "q"));
	tend_resmap_sort_legacy(&m);
	const char *kinds[] = {"Namespace", "ResourceQuota", "ConfigMap", "ConfigMap", "Deployment",
			       "Job", "LocalQueue", "MutatingWebhookConfiguration",
			       "ValidatingWebhookConfiguration"};
	for (size_t i = 0; i < 9; i++)
		CHECK_STR(kinds[i], kind_at(&m, i));
	/* same kind: namespace "a" before "b" */
	CHECK_STR("cm", name_at(&m, 2));
	CHECK_STR("a", cJSON_GetObjectItem(cJSON_GetObjectItem(m.items[2].obj, "metadata"),
					   "namespace")->valuestring);
	/* unranked kinds tie on rank 0 and sort by group_version_kind: batch < kueue */
	tend_resmap_free(&m);
}

int main(void)
{
	RUN(ids_use_kustomize_fillers);
	RUN(legacy_order);
	TEST_MAIN_END();
}
