/*
 * test_kustomize_build.c — kustomize semantics a user notices: the
 * generated-name hash suffix and base64 wrapping (expected values taken
 * from `kubectl kustomize` v5.5), name references, output ordering, the
 * parse cache, and refusals (remote resources, files outside the root).
 */
#include "test.h"

#include "lib/doc/doc.h"
#include "lib/kustomize/kustomize.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpl_dir[] = "/tmp/tend-kz-XXXXXX";
static const char *root;

static void write_file(const char *rel, const char *text)
{
	char *path = tend_xasprintf("%s/%s", root, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	char *cmd = tend_xasprintf("mkdir -p '%s'", path);
	if (system(cmd) != 0)
		abort();
	free(cmd);
	*slash = '/';
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	free(path);
}

static cJSON *load_one(const char *yaml)
{
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load("t.yaml", yaml, strlen(yaml), &docs) != 0)
		return NULL;
	cJSON *o = docs.items[0].root;
	docs.items[0].root = NULL;
	tend_docs_free(&docs);
	return o;
}

/* Builds `rel` under the temp root and returns the YAML, or "ERROR msg". */
static char *render(const char *rel, tend_kustomize_cache *cache)
{
	char *dir = tend_xasprintf("%s/%s", root, rel);
	tend_kustomize_opts opts = {.cache = cache};
	tend_resmap m = TEND_RESMAP_INIT;
	tend_buf out = TEND_BUF_INIT;
	if (tend_kustomize_build(dir, &opts, &m) != 0)
		tend_buf_printf(&out, "ERROR %s", tend_err_msg());
	else
		tend_resmap_emit_yaml(&m, &out);
	tend_resmap_free(&m);
	free(dir);
	return tend_buf_detach(&out);
}

TEST(hash_suffix_matches_kubectl)
{
	cJSON *cm = load_one("kind: ConfigMap\nmetadata: {name: lit}\n"
	                     "data: {k: v, x: \"y\", z: a=b}\n");
	char *h = tend_kustomize_hash(cm);
	CHECK_STR("9ftfhf86h7", h);
	free(h);
	cJSON_Delete(cm);
	/* no data at all, and the name never counts */
	cm = load_one("kind: ConfigMap\nmetadata: {name: anything-else}\n");
	h = tend_kustomize_hash(cm);
	CHECK_STR("6ct58987ht", h);
	free(h);
	cJSON_Delete(cm);
	cm = load_one("kind: ConfigMap\nmetadata: {name: e2}\n"
	              "data: {A: \"1\", \"B \": \" 2\", NOVAL: \"\"}\n");
	h = tend_kustomize_hash(cm);
	CHECK_STR("b77bf7t2d6", h);
	free(h);
	cJSON_Delete(cm);
}

TEST(hash_suffix_never_has_0_1_3_a_e)
{
	for (int i = 0; i < 200; i++) {
		char *src =
		    tend_xasprintf("kind: Secret\nmetadata: {name: s}\ndata: {k: \"%d\"}\n", i);
		cJSON *o = load_one(src);
		char *h = tend_kustomize_hash(o);
		CHECK_INT(10, strlen(h));
		CHECK(strpbrk(h, "013ae") == NULL);
		free(h);
		cJSON_Delete(o);
		free(src);
	}
}

TEST(generated_names_and_secret_wrapping)
{
	write_file("gen/kustomization.yaml",
	           "namePrefix: p-\nnameSuffix: -s\n"
	           "configMapGenerator:\n- name: lit\n  literals: ['k=\"v\"', \"x='y'\", z=a=b]\n"
	           "secretGenerator:\n- name: long\n  literals:\n"
	           "  - v=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	char *out = render("gen", NULL);
	CHECK_CONTAINS(out, "name: p-lit-s-9ftfhf86h7\n");
	/* 52 bytes encode to 72 characters: wrapped at 70, newline after each line */
	CHECK_CONTAINS(
	    out,
	    "  v: |\n    YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQ\n"
	    "    ==\nkind: Secret");
	free(out);
}

TEST(name_references_follow_renames_in_the_same_namespace)
{
	write_file("nr/a/kustomization.yaml",
	           "namespace: a\nconfigMapGenerator:\n- name: conf\n  literals: [k=v]\n"
	           "resources: [pod.yaml]\n");
	write_file("nr/a/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	                            "  volumes:\n  - name: v\n    configMap: {name: conf}\n");
	write_file("nr/b/kustomization.yaml", "namespace: b\nresources: [pod.yaml]\n");
	write_file("nr/b/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	                            "  volumes:\n  - name: v\n    configMap: {name: conf}\n");
	write_file("nr/kustomization.yaml", "namePrefix: x-\nresources: [a, b]\n");
	char *out = render("nr", NULL);
	/* team a's pod follows its renamed ConfigMap; team b's is left alone */
	CHECK_CONTAINS(out, "configMap:\n      name: x-conf-");
	CHECK_CONTAINS(out, "configMap:\n      name: conf\n");
	free(out);
}

TEST(name_references_pick_the_branch_with_the_same_prefix)
{
	write_file("dia/base/kustomization.yaml", "resources: [sa.yaml]\n");
	write_file(
	    "dia/base/sa.yaml",
	    "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\n"
	    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {serviceAccountName: sa}\n");
	write_file("dia/one/kustomization.yaml", "namePrefix: one-\nresources: [../base]\n");
	write_file("dia/two/kustomization.yaml", "namePrefix: two-\nresources: [../base]\n");
	write_file("dia/kustomization.yaml", "resources: [one, two]\n");
	char *out = render("dia", NULL);
	CHECK_CONTAINS(out, "name: one-p\nspec:\n  serviceAccountName: one-sa\n");
	CHECK_CONTAINS(out, "name: two-p\nspec:\n  serviceAccountName: two-sa\n");
	free(out);
}

TEST(legacy_order_and_sort_options)
{
	write_file("ord/r.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
	                         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
	                         "apiVersion: aaa/v1\nkind: Namespace\nmetadata: {name: n2}\n---\n"
	                         "apiVersion: v1\nkind: Namespace\nmetadata: {name: n1}\n");
	write_file("ord/kustomization.yaml", "resources: [r.yaml]\n");
	char *out = render("ord", NULL);
	const char *n1 = strstr(out, "name: n1"), *n2 = strstr(out, "name: n2");
	const char *c = strstr(out, "name: c\n"), *s = strstr(out, "name: s\n");
	/* core Namespace first (kubectl v5.5), then ConfigMap before Service */
	CHECK(n1 && n2 && c && s && n1 < n2 && n2 < c && c < s);
	free(out);
	write_file("ord/kustomization.yaml", "resources: [r.yaml]\nsortOptions: {order: fifo}\n");
	out = render("ord", NULL);
	s = strstr(out, "name: s\n");
	n1 = strstr(out, "name: n1");
	CHECK(s && n1 && s < n1 && strncmp(out, "apiVersion: v1\nkind: Service", 28) == 0);
	free(out);
	write_file("ord/kustomization.yaml",
	           "resources: [r.yaml]\nsortOptions:\n  order: legacy\n  legacySortOptions:\n"
	           "    orderFirst: [Service]\n    orderLast: [Namespace]\n");
	out = render("ord", NULL);
	CHECK(strncmp(out, "apiVersion: v1\nkind: Service", 28) == 0);
	CHECK(strstr(out, "name: n1\n") &&
	      strstr(out, "kind: ConfigMap") < strstr(out, "name: n1"));
	free(out);
}

TEST(cache_parses_a_shared_base_once)
{
	write_file("cache/base/kustomization.yaml", "resources: [cm.yaml]\n");
	write_file("cache/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
	write_file("cache/p1/kustomization.yaml", "namePrefix: p1-\nresources: [../base]\n");
	write_file("cache/p2/kustomization.yaml", "namePrefix: p2-\nresources: [../base]\n");
	tend_kustomize_cache *c = tend_kustomize_cache_new();
	char *a = render("cache/p1", c);
	size_t parsed = tend_kustomize_cache_parsed(c);
	char *b = render("cache/p2", c);
	CHECK_CONTAINS(a, "name: p1-c");
	CHECK_CONTAINS(b, "name: p2-c");
	/* only p2's own kustomization.yaml is new */
	CHECK_INT(parsed + 1, tend_kustomize_cache_parsed(c));
	CHECK_INT(2, tend_kustomize_cache_hits(c));
	/* a changed file is parsed again, never served stale */
	write_file("cache/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n");
	char *d = render("cache/p1", c);
	CHECK_CONTAINS(d, "name: p1-d");
	free(a);
	free(b);
	free(d);
	tend_kustomize_cache_free(c);
}

TEST(refusals_name_the_file_and_field)
{
	write_file("remote/kustomization.yaml",
	           "resources:\n- https://github.com/org/repo//deploy?ref=v1\n");
	char *out = render("remote", NULL);
	CHECK_CONTAINS(out, "ERROR ");
	CHECK_CONTAINS(out, "remote/kustomization.yaml:2:3:");
	CHECK_CONTAINS(out, "remote resources are not enabled");
	free(out);
	write_file("outside.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: o}\n");
	write_file("inner/kustomization.yaml", "resources: [../outside.yaml]\n");
	out = render("inner", NULL);
	CHECK_CONTAINS(out, "security; file");
	free(out);
	write_file("unsupported/kustomization.yaml", "resources: []\nhelmCharts: []\n");
	out = render("unsupported", NULL);
	CHECK_CONTAINS(out,
	               "unsupported/kustomization.yaml:2:1: field \"helmCharts\" is not supported: "
	               "tend does not run helm");
	free(out);
	write_file("typo/kustomization.yaml", "resorces: []\n");
	out = render("typo", NULL);
	CHECK_CONTAINS(out, "typo/kustomization.yaml:1:1: unknown field \"resorces\"");
	free(out);
}

/* In-use heap bytes (glibc); a sanitizer's allocator reports 0 here, and
 * LeakSanitizer checks that build at exit instead. */
static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();
	return m.uordblks + m.hblkhd; /* small blocks and mmap'd large ones */
}

/* An oversize file once leaked its 16 MiB read buffer on every render
 * (kz_cache_load): the error names the file, and renders cost nothing. */
TEST(oversize_file_fails_without_leaking)
{
	write_file("huge/kustomization.yaml", "resources: [big.yaml]\n");
	char *big = tend_xasprintf("%s/huge/big.yaml", root);
	FILE *f = fopen(big, "w");
	for (size_t i = 0; i <= TEND_DOC_MAX_BYTES / 16; i++)
		fputs("# 16 bytes each\n", f);
	fclose(f);
	tend_kustomize_cache *c = tend_kustomize_cache_new();
	free(render("huge", c)); /* first use allocates what the cache keeps */
	size_t before = heap_in_use();
	for (int i = 0; i < 3; i++) {
		char *out = render("huge", c);
		CHECK_CONTAINS(out, "ERROR ");
		CHECK_CONTAINS(out,
		               "huge/big.yaml: file of 16777232 bytes is larger than the limit");
		free(out);
	}
	size_t after = heap_in_use();
	if (after > before + (1u << 20)) {
		printf("%s:%d: three renders kept %zu bytes more\n", __FILE__, __LINE__,
		       after - before);
		test_failed_now = 1;
	}
	tend_kustomize_cache_free(c);
	free(big);
	/* a file that says no size (a device) is cut at the limit; nothing is kept */
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(-1, tend_file_read("/dev/zero", 1u << 20, &b));
	CHECK_CONTAINS(tend_err_msg(), "/dev/zero: file larger than the limit of 1048576 bytes");
	CHECK(b.data == NULL && b.len == 0);
	tend_buf_puts(&b, "kept");
	CHECK_INT(-1, tend_file_read("/dev/zero", 1u << 20, &b));
	CHECK_STR("kept", b.data);
	tend_buf_free(&b);
}

int main(void)
{
	root = mkdtemp(tmpl_dir);
	if (!root)
		return 2;
	RUN(hash_suffix_matches_kubectl);
	RUN(hash_suffix_never_has_0_1_3_a_e);
	RUN(generated_names_and_secret_wrapping);
	RUN(name_references_follow_renames_in_the_same_namespace);
	RUN(name_references_pick_the_branch_with_the_same_prefix);
	RUN(legacy_order_and_sort_options);
	RUN(cache_parses_a_shared_base_once);
	RUN(refusals_name_the_file_and_field);
	RUN(oversize_file_fails_without_leaking);
	char *cmd = tend_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("could not remove %s\n", root);
	free(cmd);
	TEST_MAIN_END();
}
