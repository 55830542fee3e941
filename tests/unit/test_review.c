/*
 * test_review.c — lib/review and lib/guard: path arithmetic, the unified
 * diff, which directories a project's build can read, and each guardrail
 * rule on hand-made objects.
 */
#include "../../lib/doc/doc.h"
#include "../../lib/guard/guard.h"
#include "../../lib/review/review.h"
#include "fixture.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static void check_clean(const char *in, const char *want)
{
	char *got = tend_path_clean(in);
	CHECK_STR(want, got);
	free(got);
}

static void check_rel(const char *base, const char *path, const char *want)
{
	char *got = tend_path_relative(base, path);
	CHECK_STR(want, got);
	free(got);
}

TEST(paths)
{
	check_clean("examples/./projects/chem/../../../base/project/quota.yaml",
	            "base/project/quota.yaml");
	check_clean("../a/../..", "../..");
	check_clean("/a/../../b//c/", "/b/c");
	check_clean("", ".");
	check_clean("./", ".");
	check_rel("examples/.", "examples/./projects/x/../../../base/q.yaml", "../base/q.yaml");
	check_rel("a/b", "a/bc/d", "../bc/d");
	check_rel("a/b", "a/b/c", "c");
	check_rel("a", "a", ".");
	check_rel("/x/y", "/x/z", "../z");
	check_rel(".", "p/q", "p/q");
	check_rel("", "p/q", "p/q");
}

static char *diff(const char *a, const char *b)
{
	tend_buf out = TEND_BUF_INIT;
	tend_review_unified_diff(a, b, &out);
	return tend_buf_detach(&out);
}

TEST(unified_diff)
{
	char *d = diff("a\nb\nc\n", "a\nb\nc\n");
	CHECK_STR("", d);
	free(d);
	d = diff("a\nb\nc\n", "a\nB\nc\n");
	CHECK_STR("@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", d);
	free(d);
	d = diff("", "x\ny\n");
	CHECK_STR("@@ -0,0 +1,2 @@\n+x\n+y\n", d);
	free(d);
	d = diff("x\n", "");
	CHECK_STR("@@ -1,1 +0,0 @@\n-x\n", d);
	free(d);
	/* two changes 10 lines apart make two hunks with 3 lines of context */
	d = diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
	         "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n");
	CHECK_STR("@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n"
	          "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
	          d);
	free(d);
	/* changes 6 lines apart share one hunk */
	d = diff("1\n2\n3\n4\n5\n6\n7\n8\n", "x\n2\n3\n4\n5\n6\n7\ny\n");
	CHECK_STR("@@ -1,8 +1,8 @@\n-1\n+x\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+y\n", d);
	free(d);
	/* the longest common subsequence is kept, not just head and tail */
	d = diff("k: 1\na: x\nb: y\n", "a: x\nk: 2\nb: y\n");
	CHECK_STR("@@ -1,3 +1,3 @@\n-k: 1\n a: x\n+k: 2\n b: y\n", d);
	free(d);
}

static bool has(const tend_strvec *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return true;
	return false;
}

TEST(inputs_follow_kustomizations)
{
	char root[] = "/tmp/tend-review-XXXXXX";
	CHECK(mkdtemp(root) != NULL);
	fixture_write(
	    root, "projects/a/kustomization.yaml",
	    "resources:\n- ../../base/project\n- cm.yaml\ncomponents:\n- ../../overlays/gpu/\n"
	    "- https://example.invalid/remote\n");
	fixture_write(root, "projects/a/cm.yaml", "kind: ConfigMap\n");
	fixture_write(root, "base/project/kustomization.yaml", "resources:\n- ../common\n");
	fixture_write(root, "base/common/kustomization.yml", "resources: []\n");
	fixture_write(root, "overlays/gpu/kustomization.yaml", "kind: Component\n");
	fixture_write(root, "overlays/other/kustomization.yaml", "kind: Component\n");
	tend_strvec in = TEND_STRVEC_INIT;
	tend_inputs *memo = tend_inputs_new(root);
	tend_inputs_of(memo, "projects/a", &in);
	CHECK_INT(4, in.len);
	CHECK(has(&in, "projects/a"));
	CHECK(has(&in, "base/project"));
	CHECK(has(&in, "base/common"));
	CHECK(has(&in, "overlays/gpu"));
	tend_strvec changed = TEND_STRVEC_INIT;
	tend_strvec_push(&changed, "overlays/other/kustomization.yaml");
	tend_strvec_push(&changed, "base/projects.txt"); /* a prefix, not a directory */
	CHECK(!tend_review_touches(&in, &changed));
	tend_strvec_push(&changed, "base/common/x.yaml");
	CHECK(tend_review_touches(&in, &changed));
	tend_strvec_free(&changed);
	/* a second project through the same memo finds the shared directories */
	fixture_write(root, "projects/b/kustomization.yaml", "resources:\n- ../../base/project\n");
	tend_strvec b = TEND_STRVEC_INIT;
	tend_inputs_of(memo, "projects/b/", &b);
	CHECK_INT(3, b.len);
	CHECK(has(&b, "projects/b") && has(&b, "base/project") && has(&b, "base/common"));
	tend_strvec_free(&b);
	tend_inputs_free(memo);
	tend_strvec_free(&in);
	char *cmd = tend_xasprintf("rm -rf %s", root);
	CHECK_INT(0, system(cmd));
	free(cmd);
}

/* ---- guard ---- */

typedef struct fixture {
	tend_config cfg;
	tend_project p;
	tend_resmap m;
	tend_violations v;
} fixture;

static void setup(fixture *f)
{
	memset(f, 0, sizeof(*f));
	tend_config_defaults(&f->cfg);
	f->cfg.guard.ceilings = tend_xcalloc(1, sizeof(tend_ceiling));
	f->cfg.guard.ceilings[0] =
	    (tend_ceiling){tend_xstrdup("requests.nvidia.com/gpu"), tend_xstrdup("8")};
	f->cfg.guard.n_ceilings = 1;
	f->cfg.guard.addons = tend_xcalloc(2, sizeof(tend_addon_rule));
	f->cfg.guard.n_addons = 2;
	tend_addon_rule *large = &f->cfg.guard.addons[0];
	large->name = tend_xstrdup("quota-large");
	large->requires_grant = true;
	large->ceilings = tend_xcalloc(1, sizeof(tend_ceiling));
	large->ceilings[0] =
	    (tend_ceiling){tend_xstrdup("requests.nvidia.com/gpu"), tend_xstrdup("32")};
	large->n_ceilings = 1;
	f->cfg.guard.addons[1].name = tend_xstrdup("exec-debug");
	f->cfg.guard.addons[1].requires_grant = true;
	f->p.name = "chem";
	f->p.dir = "projects/chem";
	f->p.namespace = "chem";
	f->p.group = "chem-lab";
}

static void teardown(fixture *f)
{
	tend_resmap_free(&f->m);
	tend_violations_free(&f->v);
	tend_config_free(&f->cfg);
	tend_strvec_free(&f->p.owners);
}

static void object(fixture *f, const char *file, const char *yaml)
{
	tend_docs docs = TEND_DOCS_INIT;
	CHECK_INT(0, tend_doc_load(file, yaml, strlen(yaml), &docs));
	f->m.items = tend_xrealloc(f->m.items, (f->m.len + 1) * sizeof(*f->m.items));
	f->m.items[f->m.len++] = (tend_resource){docs.items[0].root, tend_xstrdup(file), 1, NULL};
	docs.items[0].root = NULL;
	tend_docs_free(&docs);
}

TEST(guard_schema)
{
	fixture f;
	setup(&f);
	object(&f, "/repo/projects/chem/ok.yaml",
	       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: train, namespace: chem, "
	       "labels: {app.kubernetes.io/name: train, tier: \"\"}}\nspec: {template: {spec: "
	       "{containers: [{name: t, image: x, resources: {requests: {memory: 4Gi, "
	       "nvidia.com/gpu: \"2\"}, limits: {nvidia.com/gpu: \"2\"}}}]}}}\n");
	tend_guard_schema(&f.p, "/repo", &f.m, &f.v);
	CHECK_INT(0, f.v.len);
	tend_resmap_free(&f.m);
	object(&f, "/repo/projects/chem/bad.yaml",
	       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Train_1, namespace: chem, "
	       "labels: {-x: y, ok: \"not valid!\"}}\nspec: {template: {spec: {containers: "
	       "[{name: t, resources: {requests: {memory: 4 GB, nvidia.com/gpu: \"2\"}}}]}}}\n");
	object(
	    &f, "/repo/projects/chem/rb.yaml",
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
	    "metadata: {name: r, namespace: chem}\nroleRef: {apiGroup: rbac.authorization.k8s.io, "
	    "kind: Role, name: x}\nsubjects: [{kind: Team, name: a}, {kind: Group}]\n");
	tend_guard_schema(&f.p, "/repo", &f.m, &f.v);
	const char *want[] = {"metadata.name \"Train_1\"",
	                      "\"-x\" is not a valid label key",
	                      "metadata.labels.ok",
	                      "spec.template.spec.containers[0].image",
	                      "requests.memory: \"4 GB\" is not a quantity",
	                      "request for nvidia.com/gpu must equal its limit",
	                      "subjects[0].kind \"Team\"",
	                      "subjects[1].name is missing",
	                      NULL};
	CHECK_INT(8, f.v.len);
	for (int i = 0; want[i] && (size_t)i < f.v.len; i++) {
		CHECK(strstr(f.v.items[i].message, want[i]) != NULL);
		CHECK_STR("schema", f.v.items[i].rule);
	}
	teardown(&f);
}

TEST(guard_config_lists_replace_defaults)
{
	char dir[] = "/tmp/tend-review-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	fixture_write(dir, "tend.yaml",
	              "guard:\n  tenantGroups: [\"${group}\", ops]\n  platformKinds: []\n");
	char *path = tend_xasprintf("%s/tend.yaml", dir);
	tend_config cfg;
	CHECK_INT(0, tend_config_load(path, &cfg));
	CHECK_INT(2, cfg.guard.tenant_groups.len);
	CHECK_STR("ops", cfg.guard.tenant_groups.items[1]);
	CHECK_INT(0, cfg.guard.platform_kinds.len);
	tend_config_free(&cfg);
	tend_config_defaults(&cfg);
	CHECK_INT(3, cfg.guard.tenant_groups.len);
	CHECK_INT(2, cfg.guard.platform_kinds.len);
	tend_config_free(&cfg);
	fixture_write(dir, "tend.yaml", "guard:\n  tenantGroup: [x]\n");
	CHECK_INT(-1, tend_config_load(path, &cfg));
	CHECK(strstr(tend_err_msg(), "tend.yaml:2:3: guard: unknown field \"tenantGroup\"") !=
	      NULL);
	char *cmd = tend_xasprintf("rm -rf %s", dir);
	CHECK_INT(0, system(cmd));
	free(cmd);
	free(path);
}

TEST(grant_expiry)
{
	int64_t ts = 0;
	CHECK_INT(0, tend_grant_expiry("2026-12-31", &ts));
	CHECK_INT(1798761600, ts); /* 2027-01-01T00:00:00Z */
	CHECK_INT(-1, tend_grant_expiry("2026-12-31x", &ts));
	CHECK_INT(-1, tend_grant_expiry("someday", &ts));
}

int main(void)
{
	RUN(paths);
	RUN(unified_diff);
	RUN(inputs_follow_kustomizations);
	RUN(guard_schema);
	RUN(guard_config_lists_replace_defaults);
	RUN(grant_expiry);
	TEST_MAIN_END();
}
