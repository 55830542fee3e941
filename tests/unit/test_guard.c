/*
 * test_guard.c — lib/guard's allow-lists and provenance: guard.tenantKinds,
 * guard.bindableRoles and guard.reservedNamespaces as config and as data
 * (the accessor `tend rbac` reads).
 */
#include "../../lib/config/config.h"
#include "../../lib/guard/guard.h"
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

int main(void)
{
	RUN(tenant_kinds_default);
	RUN(tenant_kinds_configured);
	TEST_MAIN_END();
}
