/*
 * test_guard.c — lib/guard's allow-lists and provenance: guard.tenantKinds,
 * guard.bindableRoles and guard.reservedNamespaces as config and as data
 * (the accessor `tend rbac` reads).
 */
#include "../../lib/config/config.h"
#include "../../lib/generator/generator.h"
#include "../../lib/guard/guard.h"
#include "fixture.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *write_config(const char *dir, const char *text)
{
	char *path = tend_xasprintf("%s/tend.yaml", dir);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const tend_kind_ref *find_kind(const tend_kind_refs *k, const char *group, const char *kind)
{
	for (size_t i = 0; i < k->len; i++)
		if (strcmp(k->items[i].group, group) == 0 && strcmp(k->items[i].kind, kind) == 0)
			return &k->items[i];
	return NULL;
}

TEST(tenant_kinds_default)
{
	tend_config cfg;
	tend_config_defaults(&cfg);
	tend_kind_refs k;
	CHECK_INT(0, tend_guard_tenant_kinds(&cfg.guard, &k));
	CHECK_INT(15, k.len);
	const tend_kind_ref *r = find_kind(&k, "apps", "Deployment");
	CHECK(r && strcmp(r->resource, "deployments") == 0);
	r = find_kind(&k, "", "ConfigMap");
	CHECK(r && strcmp(r->resource, "configmaps") == 0);
	r = find_kind(&k, "networking.k8s.io", "NetworkPolicy");
	CHECK(r && strcmp(r->resource, "networkpolicies") == 0);
	r = find_kind(&k, "autoscaling", "HorizontalPodAutoscaler");
	CHECK(r && strcmp(r->resource, "horizontalpodautoscalers") == 0);
	CHECK(find_kind(&k, "rbac.authorization.k8s.io", "RoleBinding") != NULL);
	CHECK(find_kind(&k, "", "ResourceQuota") == NULL);
	tend_kind_refs_free(&k);
	/* a bare Kind is the core group only: a CRD kind named Service is not a Service */
	CHECK(tend_guard_tenant_kind(&cfg.guard, "v1", "Service"));
	CHECK(!tend_guard_tenant_kind(&cfg.guard, "example.com/v1", "Service"));
	CHECK(tend_guard_tenant_kind(&cfg.guard, "batch/v1", "Job"));
	CHECK(!tend_guard_tenant_kind(&cfg.guard, "v1", "Job"));
	CHECK(!tend_guard_tenant_kind(&cfg.guard, "kyverno.io/v2", "PolicyException"));
	CHECK(!tend_guard_tenant_kind(&cfg.guard, "cert-manager.io/v1", "ClusterIssuer"));
	CHECK_INT(3, cfg.guard.bindable_roles.len);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "kube-system") != NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "openshift-monitoring") != NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "openshift") != NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "default") != NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "tend-system") != NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "vision") == NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "defaults") == NULL);
	tend_config_free(&cfg);
}

TEST(tenant_kinds_configured)
{
	char dir[] = "/tmp/tend-guard-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *path =
	    write_config(dir, "sync:\n  inventoryNamespace: tend-inv\n"
	                      "guard:\n  tenantKinds: [ConfigMap, kubeflow.org/*, batch/Job]\n"
	                      "  bindableRoles: [view]\n  reservedNamespaces: [infra-*]\n");
	tend_config cfg;
	CHECK_INT(0, tend_config_load(path, &cfg));
	tend_kind_refs k;
	CHECK_INT(0, tend_guard_tenant_kinds(&cfg.guard, &k));
	CHECK_INT(3, k.len);
	const tend_kind_ref *r = find_kind(&k, "kubeflow.org", "*");
	CHECK(r && strcmp(r->resource, "*") == 0);
	tend_kind_refs_free(&k);
	CHECK(tend_guard_tenant_kind(&cfg.guard, "kubeflow.org/v1", "PyTorchJob"));
	CHECK(!tend_guard_tenant_kind(&cfg.guard, "apps/v1", "Deployment"));
	CHECK_INT(1, cfg.guard.bindable_roles.len);
	/* a list given replaces the default; the inventory namespace stays reserved */
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "infra-dns") != NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "tend-inv") != NULL);
	CHECK(tend_guard_namespace_reserved(&cfg.guard, "kube-system") == NULL);
	tend_config_free(&cfg);
	free(path);
	path = write_config(dir, "guard:\n  tenantKinds: [apps/]\n");
	CHECK_INT(-1, tend_config_load(path, &cfg));
	CHECK(strstr(tend_err_msg(), "tend.yaml:2:17: guard.tenantKinds: \"apps/\" is not Kind") !=
	      NULL);
	unlink(path);
	free(path);
	rmdir(dir);
}

/* ---- a config repo on disk: a base, three add-ons, one tenant project ---- */

typedef struct repo {
	char dir[64];
	tend_config cfg;
	tend_project p;
	tend_violations v;
	tend_grant grant;
} repo;

static const char BASE_NS[] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: chem\n"
                              "  labels:\n    tend.dev/tenant: chem\n"
                              "    pod-security.kubernetes.io/enforce: restricted\n";
static const char BASE_QUOTA[] = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n"
                                 "  name: compute\n  namespace: chem\nspec:\n  hard:\n"
                                 "    requests.nvidia.com/gpu: \"2\"\n"
                                 "    services.loadbalancers: \"0\"\n    requests.storage: 1Ti\n";
static const char BASE_LIMITS[] = "apiVersion: v1\nkind: LimitRange\nmetadata:\n"
                                  "  name: defaults\n  namespace: chem\nspec:\n  limits:\n"
                                  "  - type: Container\n    defaultRequest: {memory: 512Mi}\n";
static const char BASE_RBAC[] = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
                                "metadata:\n  name: admins\n  namespace: chem\n"
                                "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, "
                                "name: admin}\nsubjects:\n- {kind: Group, name: chem-lab-admins}\n";

static void repo_init(repo *r)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->dir, "/tmp/tend-guard-repo-XXXXXX");
	CHECK(mkdtemp(r->dir) != NULL);
	fixture_write(r->dir, "base/project/kustomization.yaml",
	              "resources: [namespace.yaml, quota.yaml, limits.yaml, rbac.yaml]\n");
	fixture_write(r->dir, "base/project/namespace.yaml", BASE_NS);
	fixture_write(r->dir, "base/project/quota.yaml", BASE_QUOTA);
	fixture_write(r->dir, "base/project/limits.yaml", BASE_LIMITS);
	fixture_write(r->dir, "base/project/rbac.yaml", BASE_RBAC);
	fixture_write(
	    r->dir, "overlays/quota-large/kustomization.yaml",
	    "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n"
	    "- target: {kind: ResourceQuota, name: compute}\n  patch: |-\n"
	    "    - {op: replace, path: /spec/hard/requests.nvidia.com~1gpu, value: \"16\"}\n");
	fixture_write(r->dir, "overlays/exec-debug/kustomization.yaml",
	              "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
	              "resources: [polex.yaml]\n");
	fixture_write(
	    r->dir, "overlays/exec-debug/polex.yaml",
	    "apiVersion: kyverno.io/v2\nkind: PolicyException\nmetadata:\n  name: exec-debug\n"
	    "  namespace: chem\nspec: {}\n");
	fixture_write(
	    r->dir, "overlays/gpu-t4/kustomization.yaml",
	    "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n"
	    "- target: {kind: Namespace}\n  patch: |-\n"
	    "    - {op: add, path: /metadata/labels/queues.tend.dev~1gpu-t4, value: \"true\"}\n");
	tend_config_defaults(&r->cfg);
	tend_guard_config *g = &r->cfg.guard;
	g->ceilings = tend_xcalloc(1, sizeof(tend_ceiling));
	g->ceilings[0] = (tend_ceiling){tend_xstrdup("requests.nvidia.com/gpu"), tend_xstrdup("8")};
	g->n_ceilings = 1;
	g->addons = tend_xcalloc(3, sizeof(tend_addon_rule));
	g->n_addons = 3;
	g->addons[0].name = tend_xstrdup("quota-large");
	g->addons[0].requires_grant = true;
	g->addons[0].ceilings = tend_xcalloc(1, sizeof(tend_ceiling));
	g->addons[0].ceilings[0] =
	    (tend_ceiling){tend_xstrdup("requests.nvidia.com/gpu"), tend_xstrdup("32")};
	g->addons[0].n_ceilings = 1;
	g->addons[1].name = tend_xstrdup("exec-debug");
	g->addons[1].requires_grant = true;
	g->addons[2].name = tend_xstrdup("gpu-t4");
	r->p.name = "chem";
	r->p.dir = "projects/chem";
	r->p.namespace = "chem";
	r->p.group = "chem-lab";
}

static void repo_grant(repo *r, const char *addon, const char *until)
{
	r->grant = (tend_grant){(char *)addon, (char *)until, "test", 3};
	r->p.grants = &r->grant;
	r->p.n_grants = 1;
}

/* Renders projects/chem as it is now and returns the guard's rule ids. */
static char *guard_rules(repo *r)
{
	tend_violations_free(&r->v);
	tend_resmap m = TEND_RESMAP_INIT;
	if (tend_project_render(&r->p, r->dir, NULL, &m) != 0) {
		printf("render: %s\n", tend_err_msg());
		return tend_xstrdup("(render failed)");
	}
	tend_guard_check(&r->cfg.guard, &r->p, r->dir, &m, "2026-06-01", &r->v);
	tend_resmap_free(&m);
	tend_buf b = TEND_BUF_INIT;
	for (size_t i = 0; i < r->v.len; i++)
		tend_buf_printf(&b, "%s%s", i ? " " : "", r->v.items[i].rule);
	return b.data ? tend_buf_detach(&b) : tend_xstrdup("");
}

#define GUARD(r, want)                                                                             \
	do {                                                                                       \
		char *r_ = guard_rules(r);                                                         \
		CHECK_STR(want, r_);                                                               \
		if (strcmp(want, r_) != 0)                                                         \
			for (size_t i_ = 0; i_ < (r)->v.len; i_++)                                 \
				printf("  %s:%d %s\n", (r)->v.items[i_].file,                      \
				       (r)->v.items[i_].line, (r)->v.items[i_].message);           \
		free(r_);                                                                          \
	} while (0)

static void kust(repo *r, const char *extra)
{
	char *k = tend_xasprintf("resources:\n- ../../base/project\n%s", extra);
	fixture_write(r->dir, "projects/chem/kustomization.yaml", k);
	free(k);
}

static void repo_free(repo *r)
{
	tend_violations_free(&r->v);
	tend_config_free(&r->cfg);
	char *cmd = tend_xasprintf("rm -rf '%s'", r->dir);
	CHECK_INT(0, system(cmd));
	free(cmd);
}

/* A violation with this rule whose file and message contain these. */
static bool has_violation(const repo *r, const char *rule, const char *file, const char *text)
{
	for (size_t i = 0; i < r->v.len; i++)
		if (strcmp(r->v.items[i].rule, rule) == 0 &&
		    strcmp(r->v.items[i].file, file) == 0 && strstr(r->v.items[i].message, text))
			return true;
	return false;
}

TEST(clean_project_and_tenant_kinds)
{
	repo r;
	repo_init(&r);
	kust(&r, "- job.yaml\ncomponents:\n- ../../overlays/gpu-t4\n");
	fixture_write(
	    r.dir, "projects/chem/job.yaml",
	    "apiVersion: batch/v1\nkind: Job\nmetadata: {name: train, namespace: chem}\n");
	GUARD(&r, "");
	/* a cluster-scoped custom resource no table knows: refused as a kind (case 6) */
	kust(&r, "- issuer.yaml\n");
	fixture_write(
	    r.dir, "projects/chem/issuer.yaml",
	    "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: mine}\n");
	GUARD(&r, "kind");
	CHECK(has_violation(&r, "kind", "projects/chem/issuer.yaml", "ClusterIssuer"));
	repo_free(&r);
}

TEST(addon_by_path_not_by_name)
{
	repo r;
	repo_init(&r);
	/* case 2: a directory named like an add-on inside the project is the tenant's */
	kust(&r, "components:\n- gpu-t4\n");
	fixture_write(r.dir, "projects/chem/gpu-t4/kustomization.yaml",
	              "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
	              "resources: [polex.yaml]\n");
	fixture_write(
	    r.dir, "projects/chem/gpu-t4/polex.yaml",
	    "apiVersion: kyverno.io/v2\nkind: PolicyException\nmetadata: {name: mine, namespace: "
	    "chem}\n");
	GUARD(&r, "kind");
	CHECK(has_violation(&r, "kind", "projects/chem/gpu-t4/polex.yaml", "PolicyException"));
	/* a project directory named like an add-on is no add-on either */
	r.p.dir = "projects/exec-debug";
	fixture_write(r.dir, "projects/exec-debug/kustomization.yaml",
	              "resources:\n- ../../base/project\n- polex.yaml\n");
	fixture_write(
	    r.dir, "projects/exec-debug/polex.yaml",
	    "apiVersion: kyverno.io/v2\nkind: PolicyException\nmetadata: {name: mine, namespace: "
	    "chem}\n");
	repo_grant(&r, "exec-debug", NULL);
	GUARD(&r, "kind");
	/* the real add-on, granted, is the platform's */
	r.p.dir = "projects/chem";
	kust(&r, "components:\n- ../../overlays/exec-debug\n");
	GUARD(&r, "");
	/* without the grant: the add-on rule, and its content is not the platform's */
	r.p.n_grants = 0;
	GUARD(&r, "addon");
	repo_free(&r);
}

TEST(platform_objects_are_read_only)
{
	repo r;
	repo_init(&r);
	/* case 3: $patch: delete of the quota and the LimitRange */
	kust(&r, "patches:\n- patch: |-\n    apiVersion: v1\n    kind: ResourceQuota\n"
	         "    metadata: {name: compute, namespace: chem}\n    $patch: delete\n"
	         "- patch: |-\n    apiVersion: v1\n    kind: LimitRange\n"
	         "    metadata: {name: defaults, namespace: chem}\n    $patch: delete\n");
	GUARD(&r, "platform platform");
	CHECK(has_violation(&r, "platform", "projects/chem/kustomization.yaml",
	                    "ResourceQuota \"compute\" from the base is missing"));
	CHECK_INT(4, r.v.items[0].line);
	CHECK_INT(9, r.v.items[1].line);
	/* case 4: raising keys without a ceiling, removing one */
	kust(&r, "patches:\n- target: {kind: ResourceQuota, name: compute}\n  patch: |-\n"
	         "    - {op: replace, path: /spec/hard/services.loadbalancers, value: \"100\"}\n"
	         "    - {op: replace, path: /spec/hard/requests.storage, value: 1Pi}\n"
	         "    - {op: remove, path: /spec/hard/requests.nvidia.com~1gpu}\n");
	GUARD(&r, "platform platform platform");
	CHECK(has_violation(&r, "platform", "projects/chem/kustomization.yaml",
	                    "removes the quota requests.nvidia.com/gpu"));
	CHECK(has_violation(&r, "platform", "projects/chem/kustomization.yaml",
	                    "raises the quota services.loadbalancers from 0 to 100"));
	/* case 8: a raise under the ceiling, without an add-on: still the tenant's own raise */
	kust(&r, "patches:\n- target: {kind: ResourceQuota}\n  patch: |-\n"
	         "    - {op: replace, path: /spec/hard/requests.nvidia.com~1gpu, value: \"8\"}\n");
	GUARD(&r, "platform");
	CHECK(strstr(r.v.items[0].fix, "request the quota-large add-on") != NULL);
	/* case 5: namespace labels */
	kust(&r, "patches:\n- target: {kind: Namespace}\n  patch: |-\n"
	         "    - {op: remove, path: /metadata/labels/tend.dev~1tenant}\n"
	         "    - {op: replace, path: /metadata/labels/pod-security.kubernetes.io~1enforce, "
	         "value: privileged}\n"
	         "    - {op: add, path: /metadata/labels/queues.tend.dev~1gpu-h100, value: "
	         "\"true\"}\n");
	GUARD(&r, "platform platform platform");
	/* the quota-large add-on with a grant is the platform's quota */
	kust(&r, "components:\n- ../../overlays/quota-large\n");
	repo_grant(&r, "quota-large", "2026-12-31");
	GUARD(&r, "");
	/* without it, the add-on's raise is the tenant's */
	r.p.n_grants = 0;
	GUARD(&r, "addon ceiling platform");
	repo_free(&r);
}

TEST(rolebindings_and_namespaces)
{
	repo r;
	repo_init(&r);
	kust(&r, "- rb.yaml\n");
	/* case 7: a powerful ClusterRole other than cluster-admin */
	fixture_write(
	    r.dir, "projects/chem/rb.yaml",
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x, "
	    "namespace: chem}\nroleRef: {kind: ClusterRole, name: tend}\n"
	    "subjects: [{kind: Group, name: chem-lab}]\n");
	GUARD(&r, "rbac");
	CHECK(has_violation(&r, "rbac", "projects/chem/rb.yaml", "ClusterRole \"tend\""));
	fixture_write(
	    r.dir, "projects/chem/rb.yaml",
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x, "
	    "namespace: chem}\nroleRef: {kind: Role, name: mine}\n"
	    "subjects: [{kind: Group, name: \"system:authenticated\"}, {kind: ServiceAccount, "
	    "name: default, namespace: kube-system}, {kind: Group, name: chem-lab}]\n");
	GUARD(&r, "rbac rbac");
	/* groups and users: the tenant's own, owners, and never admin for a user */
	tend_strvec owners = {0};
	tend_strvec_push(&owners, "ada@lab.example");
	r.p.owners = owners;
	fixture_write(
	    r.dir, "projects/chem/rb.yaml",
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, "
	    "namespace: chem}\nroleRef: {kind: ClusterRole, name: edit}\n"
	    "subjects: [{kind: Group, name: chem-lab}, {kind: Group, name: bio-lab}, "
	    "{kind: User, name: ada@lab.example}, {kind: User, name: eve@x.example}]\n");
	GUARD(&r, "rbac rbac");
	fixture_write(
	    r.dir, "projects/chem/rb.yaml",
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, "
	    "namespace: chem}\nroleRef: {kind: ClusterRole, name: admin}\n"
	    "subjects: [{kind: User, name: ada@lab.example}]\n");
	GUARD(&r, "rbac");
	fixture_write(
	    r.dir, "projects/chem/rb.yaml",
	    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, "
	    "namespace: chem}\nroleRef: {kind: ClusterRole, name: cluster-admin}\n"
	    "subjects: [{kind: Group, name: chem-lab}]\n");
	GUARD(&r, "rbac");
	tend_strvec_free(&r.p.owners);
	/* case 1: a reserved namespace */
	kust(&r, "");
	r.p.namespace = "kube-system";
	char *rules = guard_rules(&r);
	CHECK(strncmp(rules, "namespace", 9) == 0);
	free(rules);
	repo_free(&r);
}

/* An expired grant: the add-on is left out, the rest renders and passes. */
TEST(expired_grant_is_reclaimed)
{
	repo r;
	repo_init(&r);
	kust(
	    &r,
	    "- job.yaml\ncomponents:\n- ../../overlays/quota-large\n- ../../overlays/exec-debug\n");
	fixture_write(
	    r.dir, "projects/chem/job.yaml",
	    "apiVersion: batch/v1\nkind: Job\nmetadata: {name: train, namespace: chem}\n");
	tend_grant grants[2] = {{"quota-large", "2026-05-31", "paper", 3},
	                        {"exec-debug", "2026-12-31", "profiling", 6}};
	r.p.grants = grants;
	r.p.n_grants = 2;
	tend_strvec reclaimed = {0};
	cJSON *k = tend_guard_reclaim(&r.cfg.guard, &r.p, r.dir, "2026-06-01", &reclaimed);
	CHECK(k != NULL);
	CHECK_INT(1, reclaimed.len);
	CHECK_STR("quota-large", reclaimed.len ? reclaimed.items[0] : "");
	tend_kustomize_opts o = {.kustomization = k};
	tend_resmap m = TEND_RESMAP_INIT;
	CHECK_INT(0, tend_project_render(&r.p, r.dir, &o, &m));
	bool polex = false, job = false;
	const char *gpus = "";
	for (size_t i = 0; i < m.len; i++) {
		const cJSON *obj = m.items[i].obj;
		const char *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind")->valuestring;
		polex |= strcmp(kind, "PolicyException") == 0;
		job |= strcmp(kind, "Job") == 0;
		if (strcmp(kind, "ResourceQuota") == 0)
			gpus = cJSON_GetObjectItemCaseSensitive(
			           cJSON_GetObjectItemCaseSensitive(
			               cJSON_GetObjectItemCaseSensitive(obj, "spec"), "hard"),
			           "requests.nvidia.com/gpu")
			           ->valuestring;
	}
	CHECK(polex && job);
	CHECK_STR("2", gpus); /* the quota falls back to the base's */
	tend_guard_check_reclaimed(&r.cfg.guard, &r.p, r.dir, &m, "2026-06-01", &reclaimed, &r.v);
	CHECK_INT(0, tend_guard_errors(&r.v));
	CHECK_INT(1, r.v.len);
	CHECK(r.v.len && strstr(r.v.items[0].message, "reclaimed") && r.v.items[0].warning);
	tend_resmap_free(&m);
	cJSON_Delete(k);
	tend_strvec_free(&reclaimed);
	/* nothing expired: nothing to reclaim */
	grants[0].until = NULL;
	CHECK(tend_guard_reclaim(&r.cfg.guard, &r.p, r.dir, "2026-06-01", &reclaimed) == NULL);
	CHECK_INT(0, reclaimed.len);
	r.p.grants = NULL;
	r.p.n_grants = 0;
	repo_free(&r);
}

/* The config repo's own guard wins over tend.yaml's section; a broken one is an error. */
TEST(guard_file_in_the_repo)
{
	repo r;
	repo_init(&r);
	tend_guard_config own;
	const tend_guard_config *g = tend_guard_for(&r.cfg, r.dir, &own);
	CHECK(g == &r.cfg.guard);
	tend_guard_config_free(&own);
	fixture_write(r.dir, ".tend/guard.yaml",
	              "tenantKinds: [ConfigMap]\nbindableRoles: [view]\n");
	g = tend_guard_for(&r.cfg, r.dir, &own);
	CHECK(g == &own);
	CHECK(g && tend_guard_tenant_kind(g, "v1", "ConfigMap"));
	CHECK(g && !tend_guard_tenant_kind(g, "batch/v1", "Job"));
	CHECK(g && tend_guard_namespace_reserved(g, "tend-system") != NULL);
	tend_guard_config_free(&own);
	fixture_write(r.dir, ".tend/guard.yaml", "tenantKind: [ConfigMap]\n");
	CHECK(tend_guard_for(&r.cfg, r.dir, &own) == NULL);
	CHECK_STR(".tend/guard.yaml:1:1: guard: unknown field \"tenantKind\" (did you mean \"tenantKinds\"?)", tend_err_msg());
	tend_guard_config_free(&own);
	repo_free(&r);
}

int main(void)
{
	RUN(tenant_kinds_default);
	RUN(tenant_kinds_configured);
	RUN(clean_project_and_tenant_kinds);
	RUN(addon_by_path_not_by_name);
	RUN(platform_objects_are_read_only);
	RUN(rolebindings_and_namespaces);
	RUN(expired_grant_is_reclaimed);
	RUN(guard_file_in_the_repo);
	TEST_MAIN_END();
}
