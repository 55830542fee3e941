/*
 * test_kustomize_patch.c — strategic merge and JSON 6902 on single
 * objects, with the results `kubectl kustomize` v5.5 gives (each expected
 * text was produced by kubectl on the same object and patch): list merge
 * order, directives, custom-resource lists, the multi-key port quirk, and
 * JSON patch errors that name the patch.
 */
#include "test.h"

#include "lib/doc/doc.h"
#include "lib/kustomize/kustomize_internal.h"

#include <stdlib.h>

static cJSON *parse(const char *yaml)
{
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load_flags("test", yaml, strlen(yaml), TEND_DOC_PLAIN_ANNOTATIONS, &docs) ||
	    docs.len != 1) {
		printf("cannot parse: %s\n", tend_err_msg());
		abort();
	}
	cJSON *root = docs.items[0].root;
	docs.items[0].root = NULL;
	tend_docs_free(&docs);
	return root;
}

/* Applies an SM patch and returns the YAML (caller frees), or NULL if deleted. */
static char *smp(const char *obj_yaml, const char *patch_yaml)
{
	cJSON *obj = parse(obj_yaml);
	if (kz_smp_apply(&obj, parse(patch_yaml), false, false, "p.yaml", NULL)) {
		cJSON_Delete(obj);
		return tend_xasprintf("error: %s", tend_err_msg());
	}
	if (!obj)
		return NULL;
	tend_buf out = TEND_BUF_INIT;
	tend_doc_emit_yaml(obj, &out);
	cJSON_Delete(obj);
	return tend_buf_detach(&out);
}

static const char POD[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                          "  containers:\n  - name: a\n    image: a\n"
                          "    env: [{name: X, value: '1'}, {name: Y, value: '2'}]\n"
                          "  - name: b\n    image: b\n";

TEST(merge_puts_patched_elements_first)
{
	char *got =
	    smp(POD, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	             "  containers:\n  - name: b\n    image: b2\n  - name: c\n    image: c\n");
	CHECK_STR("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
	          "  - image: b2\n    name: b\n  - image: c\n    name: c\n  - env:\n    - name: X\n"
	          "      value: \"1\"\n    - name: \"Y\"\n      value: \"2\"\n    image: a\n"
	          "    name: a\n",
	          got);
	free(got);
}

TEST(delete_directive_and_null)
{
	char *got = smp(POD, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	                     "  containers:\n  - name: a\n    image: null\n    env:\n"
	                     "    - {name: X, $patch: delete}\n  - {name: b, $patch: delete}\n");
	CHECK_STR("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
	          "  - env:\n    - name: \"Y\"\n      value: \"2\"\n    name: a\n",
	          got);
	free(got);
	got = smp(POD, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n$patch: delete\n");
	CHECK(got == NULL);
	free(got);
}

TEST(custom_resource_lists_are_replaced)
{
	char *got = smp("apiVersion: x.example.org/v1\nkind: Queue\nmetadata: {name: q}\n"
	                "spec:\n  items: [{name: a, v: 1}, {name: b, v: 2}]\n",
	                "apiVersion: x.example.org/v1\nkind: Queue\nmetadata: {name: q}\n"
	                "spec:\n  items: [{name: b, v: 3}]\n");
	CHECK_STR("apiVersion: x.example.org/v1\nkind: Queue\nmetadata:\n  name: q\nspec:\n"
	          "  items:\n  - name: b\n    v: 3\n",
	          got);
	free(got);
}

TEST(port_without_protocol_does_not_merge_into_tcp_port)
{
	/* kustomize keys container ports by (containerPort, protocol) */
	char *got = smp("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
	                "  - name: a\n    ports: [{containerPort: 80, protocol: TCP}]\n",
	                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
	                "  - name: a\n    ports: [{containerPort: 80, name: web}, "
	                "{containerPort: 81}]\n");
	CHECK_STR("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
	          "  - name: a\n    ports:\n    - containerPort: 81\n    - containerPort: 80\n"
	          "      protocol: TCP\n",
	          got);
	free(got);
}

TEST(name_and_namespace_are_kept)
{
	char *got = smp("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: lab}\n",
	                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, namespace: m}\n"
	                "data: {k: v}\n");
	CHECK_STR("apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: c\n"
	          "  namespace: lab\n",
	          got);
	free(got);
}

TEST(unknown_directive_is_an_error)
{
	char *got = smp(POD, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
	                     "spec: {$patch: drop}\n");
	CHECK_CONTAINS(got, "unknown patch strategy 'drop'");
	CHECK_CONTAINS(got, "p.yaml");
	free(got);
}

TEST(json6902_ops_and_errors)
{
	cJSON *obj = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	                   "data: {a/b: x, n: '1'}\nlist: [1, 2.0]\n");
	cJSON *ops = parse("- {op: move, from: /data/a~1b, path: /data/moved}\n"
	                   "- {op: copy, from: /list, path: /copied}\n"
	                   "- {op: add, path: /list/-, value: 3}\n"
	                   "- {op: test, path: /data/n, value: '1'}\n");
	CHECK_INT(0, kz_json6902_check(ops, "ops.yaml"));
	CHECK_INT(0, kz_json6902_apply(obj, ops, "ops.yaml"));
	tend_buf out = TEND_BUF_INIT;
	tend_doc_emit_yaml(obj, &out);
	CHECK_STR("apiVersion: v1\ncopied:\n- 1\n- 2\ndata:\n  moved: x\n  \"n\": \"1\"\n"
	          "kind: ConfigMap\nlist:\n- 1\n- 2\n- 3\nmetadata:\n  name: c\n",
	          out.data);
	tend_buf_free(&out);
	cJSON_Delete(ops);
	ops = parse("- {op: test, path: /data/moved, value: y}\n");
	CHECK_INT(-1, kz_json6902_apply(obj, ops, "ops.yaml"));
	CHECK_CONTAINS(tend_err_msg(), "ops.yaml: operation 1 (test /data/moved)");
	cJSON_Delete(ops);
	ops = parse("- {op: frobnicate, path: /x}\n");
	CHECK_INT(-1, kz_json6902_check(ops, "ops.yaml"));
	CHECK_CONTAINS(tend_err_msg(), "unknown op \"frobnicate\"");
	cJSON_Delete(ops);
	cJSON_Delete(obj);
}

int main(void)
{
	RUN(merge_puts_patched_elements_first);
	RUN(delete_directive_and_null);
	RUN(custom_resource_lists_are_replaced);
	RUN(port_without_protocol_does_not_merge_into_tcp_port);
	RUN(name_and_namespace_are_kept);
	RUN(unknown_directive_is_an_error);
	RUN(json6902_ops_and_errors);
	TEST_MAIN_END();
}
