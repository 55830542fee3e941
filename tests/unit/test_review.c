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
#include <string.h>
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
	CHECK_INT(5, in.len);
	CHECK(has(&in, "projects/a/cm.yaml")); /* a named file counts as read */
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

/* A change that deletes a base a project names affects the project (its
 * build now fails): the base is no directory at the new tree, but it is
 * still named. Before, the project was left out and kept its old render. */
TEST(deleted_base_affects_its_projects)
{
	char root[] = "/tmp/tend-review-XXXXXX";
	CHECK(mkdtemp(root) != NULL);
	fixture_write(root, "projects/a/kustomization.yaml", "resources:\n- ../../base/gone\n");
	fixture_write(root, "projects/b/kustomization.yaml", "resources: []\n");
	tend_projects ps = {0};
	ps.items = tend_xcalloc(2, sizeof(*ps.items));
	ps.items[0].dir = "projects/a";
	ps.items[1].dir = "projects/b";
	ps.len = 2;
	tend_strvec changed = TEND_STRVEC_INIT;
	tend_strvec_push(&changed, "base/gone/kustomization.yaml");
	bool affected[2] = {false, false};
	tend_review_affected(&ps, root, &changed, affected);
	CHECK(affected[0]);
	CHECK(!affected[1]);
	tend_strvec_free(&changed);
	free(ps.items);
	char *cmd = tend_xasprintf("rm -rf %s", root);
	CHECK_INT(0, system(cmd));
	free(cmd);
}

/* ---- the graph kept per revision against the full computation ---- */

typedef struct model {
	tend_strvec paths, texts; /* the tree: files and their contents */
	unsigned seed;
	int next_project;
} model;

static unsigned rnd(model *m, unsigned n)
{
	m->seed = m->seed * 1103515245u + 12345u;
	return (m->seed >> 16) % n;
}

static int model_find(const model *m, const char *path)
{
	for (size_t i = 0; i < m->paths.len; i++)
		if (strcmp(m->paths.items[i], path) == 0)
			return (int)i;
	return -1;
}

static void model_put(model *m, const char *path, const char *text)
{
	int i = model_find(m, path);
	if (i >= 0) {
		free(m->texts.items[i]);
		m->texts.items[i] = tend_xstrdup(text);
		return;
	}
	tend_strvec_push(&m->paths, path);
	tend_strvec_push(&m->texts, text);
}

/* Removes every file below dir. */
static void model_rm(model *m, const char *dir)
{
	size_t n = strlen(dir), o = 0;
	for (size_t i = 0; i < m->paths.len; i++) {
		if (strncmp(m->paths.items[i], dir, n) == 0 && m->paths.items[i][n] == '/') {
			free(m->paths.items[i]);
			free(m->texts.items[i]);
			continue;
		}
		m->paths.items[o] = m->paths.items[i];
		m->texts.items[o++] = m->texts.items[i];
	}
	m->paths.len = m->texts.len = o;
}

/* A project naming a base (b3 may not exist), components, maybe another project. */
static void model_project(model *m, int n)
{
	tend_buf k = TEND_BUF_INIT;
	tend_buf_printf(&k, "resources:\n- ../../base/b%u\n- ../../base/common\n- cm.yaml\n",
	                rnd(m, 4));
	if (rnd(m, 4) == 0)
		tend_buf_printf(&k, "- ../p%u\n", rnd(m, (unsigned)m->next_project));
	tend_buf_puts(&k, "components:\n");
	for (int c = 0; c < 3; c++)
		if (rnd(m, 2))
			tend_buf_printf(&k, "- ../../overlays/c%d\n", c);
	char *path = tend_xasprintf("projects/p%d/kustomization.yaml", n);
	model_put(m, path, k.data);
	free(path);
	path = tend_xasprintf("projects/p%d/cm.yaml", n);
	model_put(m, path, "kind: ConfigMap\n");
	free(path);
	tend_buf_free(&k);
}

static void model_init(model *m, unsigned seed)
{
	memset(m, 0, sizeof(*m));
	m->seed = seed;
	model_put(m, "base/b0/kustomization.yaml", "resources:\n- ns.yaml\n");
	model_put(m, "base/b0/ns.yaml", "kind: Namespace\n");
	model_put(m, "base/b1/kustomization.yaml", "resources:\n- ../b0\n");
	model_put(m, "base/b2/kustomization.yaml", "resources: []\n");
	model_put(m, "base/common/kustomization.yaml", "resources: []\n");
	for (int c = 0; c < 3; c++) {
		char *path = tend_xasprintf("overlays/c%d/kustomization.yaml", c);
		model_put(m, path, "kind: Component\n");
		free(path);
	}
	for (m->next_project = 0; m->next_project < 12; m->next_project++)
		model_project(m, m->next_project);
}

/* One random change: an edit, a project rewritten, removed or added, a base
 * made or removed, a new file. */
static void model_change(model *m)
{
	char *dir;
	switch (rnd(m, 6)) {
	case 0: {
		int i = (int)rnd(m, (unsigned)m->paths.len);
		char *t = tend_xasprintf("%s# edit\n", m->texts.items[i]);
		model_put(m, m->paths.items[i], t);
		free(t);
		break;
	}
	case 1:
		model_project(m, (int)rnd(m, (unsigned)m->next_project));
		break;
	case 2:
		dir = tend_xasprintf("projects/p%u", rnd(m, (unsigned)m->next_project));
		model_rm(m, dir);
		free(dir);
		break;
	case 3:
		model_project(m, m->next_project++);
		break;
	case 4:
		dir = tend_xasprintf("base/b%u", rnd(m, 4));
		if (model_find(m, "base/b3/kustomization.yaml") < 0 && rnd(m, 2))
			model_put(m, "base/b3/kustomization.yaml", "resources:\n- ../b2\n");
		else
			model_rm(m, dir);
		free(dir);
		break;
	default: {
		int i = (int)rnd(m, (unsigned)m->paths.len);
		char *slash = strrchr(m->paths.items[i], '/');
		char *path = tend_xasprintf("%.*s/new%u.yaml", (int)(slash - m->paths.items[i]),
		                            m->paths.items[i], rnd(m, 1000));
		model_put(m, path, "kind: ConfigMap\n");
		free(path);
	}
	}
}

static void model_write(const model *m, const char *root)
{
	if (mkdir(root, 0755) != 0)
		abort();
	for (size_t i = 0; i < m->paths.len; i++)
		fixture_write(root, m->paths.items[i], m->texts.items[i]);
}

/* Paths whose content differs between two models. */
static void model_diff(const model *a, const model *b, tend_strvec *out)
{
	for (size_t i = 0; i < a->paths.len; i++) {
		int j = model_find(b, a->paths.items[i]);
		if (j < 0 || strcmp(a->texts.items[i], b->texts.items[j]) != 0)
			tend_strvec_push(out, a->paths.items[i]);
	}
	for (size_t j = 0; j < b->paths.len; j++)
		if (model_find(a, b->paths.items[j]) < 0)
			tend_strvec_push(out, b->paths.items[j]);
}

static void model_copy(const model *from, model *to)
{
	*to = *from;
	to->paths = (tend_strvec)TEND_STRVEC_INIT;
	to->texts = (tend_strvec)TEND_STRVEC_INIT;
	for (size_t i = 0; i < from->paths.len; i++) {
		tend_strvec_push(&to->paths, from->paths.items[i]);
		tend_strvec_push(&to->texts, from->texts.items[i]);
	}
}

static void model_free(model *m)
{
	tend_strvec_free(&m->paths);
	tend_strvec_free(&m->texts);
}

/*
 * One graph advanced through 60 random revisions (as the daemon keeps it),
 * and one saved and loaded at every step (as check and preview cache it),
 * find exactly the projects the full computation finds: every project's
 * inputs read afresh at the new tree, then compared with the change.
 */
TEST(kept_graph_equals_full_computation)
{
	char dir[] = "/tmp/tend-review-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	tend_generator_rule rule = {0};
	tend_strvec_push(&rule.directories, "projects/*");
	char *save = tend_xasprintf("%s/saved", dir);
	int some = 0, all = 0;
	for (unsigned seed = 1; seed <= 4; seed++) {
		model m;
		model_init(&m, seed);
		char *root = tend_xasprintf("%s/s%u-r0", dir, seed);
		model_write(&m, root);
		tend_projects ps;
		CHECK_INT(0, tend_generator_run(&rule, 1, root, &ps));
		tend_inputs *kept = tend_inputs_new(root);
		bool *scratch = tend_xcalloc(ps.len + 1, sizeof(bool));
		tend_inputs_affected(kept, &ps, &(tend_strvec)TEND_STRVEC_INIT, scratch);
		free(scratch);
		tend_projects_free(&ps);
		for (int r = 1; r <= 15; r++) {
			model next;
			model_copy(&m, &next);
			for (unsigned c = rnd(&next, 3) + 1; c > 0; c--)
				model_change(&next);
			if (r == 5) /* the base every project uses */
				model_put(&next, "base/common/x.yaml", "kind: ConfigMap\n");
			tend_strvec changed = TEND_STRVEC_INIT;
			model_diff(&m, &next, &changed);
			free(root);
			root = tend_xasprintf("%s/s%u-r%d", dir, seed, r);
			model_write(&next, root);
			CHECK_INT(0, tend_generator_run(&rule, 1, root, &ps));
			CHECK_INT(0, tend_inputs_save(kept, save));
			tend_inputs *loaded = tend_inputs_load(save, "/nowhere");
			CHECK(loaded != NULL);
			tend_inputs_advance(kept, root, &changed);
			tend_inputs_advance(loaded, root, &changed);
			bool *a = tend_xcalloc(ps.len + 1, sizeof(bool));
			bool *b = tend_xcalloc(ps.len + 1, sizeof(bool));
			bool *f = tend_xcalloc(ps.len + 1, sizeof(bool));
			tend_inputs_affected(kept, &ps, &changed, a);
			tend_inputs_affected(loaded, &ps, &changed, b);
			tend_review_affected(&ps, root, &changed, f);
			tend_inputs *fresh = tend_inputs_new(root);
			size_t n = 0;
			for (size_t i = 0; i < ps.len; i++) {
				tend_strvec in = TEND_STRVEC_INIT;
				tend_inputs_of(fresh, ps.items[i].dir, &in);
				bool want = tend_review_touches(&in, &changed);
				tend_strvec_free(&in);
				if (want != a[i] || want != b[i] || want != f[i])
					fprintf(stderr,
					        "seed %u round %d %s: full %d kept %d loaded %d "
					        "fresh %d\n",
					        seed, r, ps.items[i].dir, want, a[i], b[i], f[i]);
				CHECK(want == a[i] && want == b[i] && want == f[i]);
				n += want;
			}
			some += n > 0 && n < ps.len;
			all += n == ps.len;
			tend_inputs_free(fresh);
			tend_inputs_free(loaded);
			free(a);
			free(b);
			free(f);
			tend_projects_free(&ps);
			tend_strvec_free(&changed);
			model_free(&m);
			m = next;
		}
		tend_inputs_free(kept);
		free(root);
		model_free(&m);
	}
	/* the changes were of both kinds: some projects, and a shared base (every one) */
	CHECK(some >= 10);
	CHECK(all >= 1);
	tend_strvec_free(&rule.directories);
	free(save);
	char *cmd = tend_xasprintf("rm -rf %s", dir);
	CHECK_INT(0, system(cmd));
	free(cmd);
}

int main(void)
{
	RUN(paths);
	RUN(unified_diff);
	RUN(inputs_follow_kustomizations);
	RUN(kept_graph_equals_full_computation);
	RUN(deleted_base_affects_its_projects);
	RUN(guard_schema);
	RUN(guard_config_lists_replace_defaults);
	RUN(grant_expiry);
	TEST_MAIN_END();
}
