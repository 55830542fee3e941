/*
 * test_reconcile.c — lib/reconcile's pure parts: the fast "already
 * applied" check, the managed-field comparison after a dry run, the YAML
 * diff, tracking ids and ownership, and health.
 */
#include "test.h"

#include "lib/doc/doc.h"
#include "lib/kube/kube.h"
#include "lib/reconcile/reconcile_internal.h"

#include <stdlib.h>

static cJSON *json(const char *text)
{
	cJSON *v = NULL;
	if (tend_kube_json_parse(text, strlen(text), &v))
		printf("bad test JSON: %s\n", tend_err_msg());
	return v;
}

/* A Deployment as Git has it, after tend marked it. */
static const char DESIRED[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"nb\","
    "\"namespace\":\"a\",\"labels\":{\"app.kubernetes.io/managed-by\":\"tend\"}},"
    "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"nb\"}},"
    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"nb\",\"image\":\"img:1\","
    "\"ports\":[{\"containerPort\":80}],"
    "\"resources\":{\"limits\":{\"cpu\":\"2000m\",\"memory\":\"1024Mi\"}}}]}}}}";

/* The same object as the API server stores it: defaults, canonical quantities,
 * an admission mutation owned by kyverno, tend's field set. */
static const char LIVE[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"nb\","
    "\"namespace\":\"a\",\"uid\":\"u\",\"resourceVersion\":\"7\",\"generation\":1,"
    "\"labels\":{\"app.kubernetes.io/managed-by\":\"tend\"},\"managedFields\":["
    "{\"manager\":\"tend\",\"operation\":\"Apply\",\"apiVersion\":\"apps/v1\","
    "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{"
    "\"f:app.kubernetes.io/managed-by\":{}}},\"f:spec\":{\"f:replicas\":{},\"f:selector\":{},"
    "\"f:template\":{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"nb\\\"}\":{\".\":{},"
    "\"f:image\":{},\"f:name\":{},\"f:ports\":{\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":"
    "\\\"TCP\\\"}\":{\".\":{},\"f:containerPort\":{}}},\"f:resources\":{\"f:limits\":{"
    "\"f:cpu\":{},\"f:memory\":{}}}}}}}}}},"
    "{\"manager\":\"kyverno\",\"operation\":\"Update\",\"apiVersion\":\"apps/v1\","
    "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":{\"f:template\":{\"f:spec\":{"
    "\"f:affinity\":{}}}}}}]},"
    "\"spec\":{\"replicas\":2,\"revisionHistoryLimit\":10,\"selector\":{\"matchLabels\":{"
    "\"app\":\"nb\"}},\"template\":{\"spec\":{\"affinity\":{\"nodeAffinity\":{}},"
    "\"dnsPolicy\":\"ClusterFirst\",\"containers\":[{\"name\":\"nb\",\"image\":\"img:1\","
    "\"imagePullPolicy\":\"IfNotPresent\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
    "\"resources\":{\"limits\":{\"cpu\":\"2\",\"memory\":\"1Gi\"}}}]}}},"
    "\"status\":{\"observedGeneration\":1,\"replicas\":2,\"updatedReplicas\":2,"
    "\"availableReplicas\":2}}";

static cJSON *container(cJSON *obj)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	c = cJSON_GetObjectItemCaseSensitive(c, "template");
	c = cJSON_GetObjectItemCaseSensitive(c, "spec");
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "containers"), 0);
}

TEST(applied_object_matches_despite_defaults_quantities_and_mutations)
{
	cJSON *d = json(DESIRED), *l = json(LIVE);
	CHECK(rc_live_matches(d, l, "tend"));
	CHECK(!rc_live_matches(d, l, "kubectl")); /* not applied by that manager */
	cJSON_Delete(d);
	cJSON_Delete(l);
}

TEST(empty_status_from_git_sets_nothing)
{
	cJSON *d = json(DESIRED), *l = json(LIVE);
	cJSON_AddObjectToObject(d, "status");
	CHECK(rc_live_matches(d, l, "tend"));
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(d, "status"), "replicas", 2);
	CHECK(!rc_live_matches(d, l, "tend")); /* a status in Git: the dry run decides */
	cJSON_Delete(d);
	cJSON_Delete(l);
}

TEST(changed_value_is_not_a_match)
{
	cJSON *d = json(DESIRED), *l = json(LIVE);
	cJSON_ReplaceItemInObjectCaseSensitive(container(d), "image", cJSON_CreateString("img:2"));
	CHECK(!rc_live_matches(d, l, "tend"));
	cJSON_Delete(d);
	d = json(DESIRED);
	cJSON *lim = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(container(d), "resources"), "limits");
	cJSON_ReplaceItemInObjectCaseSensitive(lim, "cpu", cJSON_CreateString("2001m"));
	CHECK(!rc_live_matches(d, l, "tend"));
	cJSON_Delete(d);
	cJSON_Delete(l);
}

TEST(field_removed_from_git_is_not_a_match)
{
	cJSON *d = json(DESIRED), *l = json(LIVE);
	cJSON_DeleteItemFromObjectCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(container(d), "resources"), "limits");
	CHECK(!rc_live_matches(d, l, "tend"));
	cJSON_Delete(d);
	cJSON_Delete(l);
}

TEST(field_owned_by_someone_else_is_not_a_match)
{
	/* the live value equals Git, but tend does not own it yet */
	cJSON *d = json(DESIRED), *l = json(LIVE);
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(d, "spec"), "revisionHistoryLimit",
	                        10);
	CHECK(!rc_live_matches(d, l, "tend"));
	cJSON_Delete(d);
	cJSON_Delete(l);
}

TEST(quantity_spelling_counts_only_where_quantities_live)
{
	cJSON *d = json("{\"metadata\":{\"labels\":{\"x\":\"1\"}},\"data\":{\"v\":\"1000m\"}}");
	cJSON *l =
	    json("{\"metadata\":{\"labels\":{\"x\":\"1\"},\"managedFields\":[{\"manager\":"
	         "\"tend\",\"operation\":\"Apply\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":"
	         "{\"f:x\":{}}},\"f:data\":{\"f:v\":{}}}}]},\"data\":{\"v\":\"1\"}}");
	CHECK(!rc_live_matches(d, l, "tend"));
	cJSON_Delete(d);
	cJSON_Delete(l);
}

TEST(managed_equal_ignores_other_managers_and_server_fields)
{
	cJSON *merged = json(LIVE), *l = json(LIVE);
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(merged, "metadata"),
	                                       "resourceVersion", cJSON_CreateString("8"));
	cJSON_DeleteItemFromObjectCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(l, "spec"),
	                                         "template"),
	        "spec"),
	    "affinity");
	CHECK(rc_managed_equal(merged, l, "tend"));
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(merged, "spec"),
	                                       "replicas", tend_doc_number("3"));
	CHECK(!rc_managed_equal(merged, l, "tend"));
	cJSON_Delete(merged);
	cJSON_Delete(l);
}

TEST(yaml_diff_is_unified_and_drops_server_noise)
{
	cJSON *a = json("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"uid\":\"u\","
	                "\"resourceVersion\":\"3\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
	cJSON *b = json("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},"
	                "\"data\":{\"a\":\"1\",\"b\":\"3\"}}");
	char *d = rc_yaml_diff("/ConfigMap:ns/x", a, b);
	CHECK_STR("--- /ConfigMap:ns/x (live)\n+++ /ConfigMap:ns/x (git)\n@@ -1,6 +1,6 @@\n"
	          " data:\n   a: \"1\"\n-  b: \"2\"\n+  b: \"3\"\n kind: ConfigMap\n metadata:\n"
	          "   name: x\n",
	          d);
	free(d);
	d = rc_yaml_diff("x", NULL, b);
	CHECK(strstr(d, "@@ -0,0 +1,6 @@\n+data:\n") != NULL);
	free(d);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

TEST(live_projected_onto_the_fields_git_sets)
{
	cJSON *live = json("{\"a\":1,\"b\":{\"c\":2,\"d\":3},"
	                   "\"l\":[{\"x\":1,\"y\":2},{\"x\":3}],\"s\":\"v\"}");
	cJSON *git = json("{\"b\":{\"c\":9},\"l\":[{\"x\":0}],\"s\":{\"k\":1},\"z\":1}");
	cJSON *seen = rc_project_onto(live, git);
	char *text = cJSON_PrintUnformatted(seen);
	/* maps keep Git's keys, lists go item by item (extra live items whole),
	 * a value of another type stays as live has it */
	CHECK_STR("{\"b\":{\"c\":2},\"l\":[{\"x\":1},{\"x\":3}],\"s\":\"v\"}", text);
	free(text);
	cJSON_Delete(seen);
	cJSON_Delete(live);
	cJSON_Delete(git);
}

TEST(yaml_diff_survives_invalid_utf8_from_the_cluster)
{
	/* the API server's JSON may carry bytes the YAML emitter refuses */
	cJSON *a = json("{\"kind\":\"ConfigMap\",\"data\":{\"k\":\"v\"}}");
	cJSON *b = json("{\"kind\":\"ConfigMap\",\"data\":{\"k\xff\":\"v\xfe\"}}");
	char *d = rc_yaml_diff("x", a, b);
	CHECK(d && strstr(d, "-kind: ConfigMap"));
	free(d);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

TEST(tracking_ids_and_ownership)
{
	tend_kube_resource res = {0};
	res.group = "apps";
	res.kind = "Deployment";
	res.namespaced = true;
	cJSON *d = json(DESIRED);
	char *id = rc_object_id(&res, d);
	CHECK_STR("apps/Deployment:a/nb", id);
	rc_mark_owned(d, "alpha", id);
	char *owner = tend_tracking_project(d);
	CHECK_STR("alpha", owner);
	char *g, *k, *ns, *name;
	CHECK_INT(0, rc_id_split("/Namespace:/team-a", &g, &k, &ns, &name));
	CHECK_STR("", g);
	CHECK_STR("Namespace", k);
	CHECK_STR("", ns);
	CHECK_STR("team-a", name);
	free(g), free(k), free(ns), free(name);
	CHECK_INT(-1, rc_id_split("nonsense", &g, &k, &ns, &name));
	char *why = rc_ownership_conflict(d, "beta", true);
	CHECK(why && strstr(why, "owned by project \"alpha\""));
	free(why);
	CHECK(rc_ownership_conflict(d, "alpha", false) == NULL);
	cJSON *bare = json("{\"metadata\":{\"name\":\"x\"}}");
	why = rc_ownership_conflict(bare, "alpha", false);
	CHECK(why && strstr(why, "not managed by tend"));
	free(why);
	CHECK(rc_ownership_conflict(bare, "alpha", true) == NULL);
	cJSON_Delete(bare);
	free(owner);
	free(id);
	cJSON_Delete(d);
}

TEST(apply_phases)
{
	CHECK_INT(RC_PHASE_NAMESPACE, rc_phase("", "Namespace", false));
	CHECK_INT(RC_PHASE_CRD,
	          rc_phase("apiextensions.k8s.io", "CustomResourceDefinition", false));
	CHECK_INT(RC_PHASE_CLUSTER, rc_phase("rbac.authorization.k8s.io", "ClusterRole", false));
	CHECK_INT(RC_PHASE_NAMESPACED, rc_phase("", "ResourceQuota", true));
	CHECK_INT(RC_PHASE_NAMESPACED, rc_phase("", "ConfigMap", true));
	CHECK_INT(RC_PHASE_NAMESPACED, rc_phase("kueue.x-k8s.io", "LocalQueue", true));
	CHECK_INT(RC_PHASE_NAMESPACED, rc_phase("example.com", "Deployment", true));
	CHECK_INT(RC_PHASE_WORKLOADS, rc_phase("apps", "Deployment", true));
	CHECK_INT(RC_PHASE_WORKLOADS, rc_phase("batch", "Job", true));
	CHECK_INT(RC_PHASE_WORKLOADS, rc_phase("", "Pod", true));
	CHECK(RC_PHASE_NAMESPACED < RC_PHASE_WORKLOADS && RC_PHASE_CRD < RC_PHASE_CLUSTER);
}

static tend_health health(const char *text)
{
	cJSON *o = json(text);
	tend_health h = tend_health_of(o, NULL);
	cJSON_Delete(o);
	return h;
}

TEST(health_rules)
{
	CHECK_INT(TEND_HEALTH_HEALTHY, health(LIVE));
	CHECK_INT(
	    TEND_HEALTH_PROGRESSING,
	    health("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{"
	           "\"generation\":2},\"spec\":{\"replicas\":2},\"status\":{"
	           "\"observedGeneration\":1,\"updatedReplicas\":2,\"availableReplicas\":2}}"));
	CHECK_INT(
	    TEND_HEALTH_PROGRESSING,
	    health("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{"
	           "\"generation\":1},\"spec\":{\"replicas\":3},\"status\":{"
	           "\"observedGeneration\":1,\"updatedReplicas\":3,\"availableReplicas\":1}}"));
	CHECK_INT(TEND_HEALTH_DEGRADED,
	          health("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"status\":{"
	                 "\"conditions\":[{\"type\":\"Progressing\",\"status\":\"False\","
	                 "\"reason\":\"ProgressDeadlineExceeded\"}]}}"));
	CHECK_INT(TEND_HEALTH_DEGRADED,
	          health("{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"status\":{\"conditions\":"
	                 "[{\"type\":\"Failed\",\"status\":\"True\"}]}}"));
	CHECK_INT(TEND_HEALTH_HEALTHY,
	          health("{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"status\":{\"conditions\":"
	                 "[{\"type\":\"Complete\",\"status\":\"True\"}]}}"));
	CHECK_INT(TEND_HEALTH_PROGRESSING,
	          health("{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"status\":{"
	                 "\"phase\":\"Pending\"}}"));
	CHECK_INT(TEND_HEALTH_HEALTHY,
	          health("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"status\":{\"phase\":"
	                 "\"Active\"}}"));
	CHECK_INT(TEND_HEALTH_PROGRESSING,
	          health("{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":"
	                 "\"CustomResourceDefinition\",\"status\":{}}"));
	CHECK_INT(TEND_HEALTH_HEALTHY,
	          health("{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{"
	                 "\"generation\":1},\"spec\":{\"replicas\":1},\"status\":{"
	                 "\"observedGeneration\":1,\"readyReplicas\":1}}"));
	CHECK_INT(TEND_HEALTH_HEALTHY, health("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}"));
	CHECK_INT(TEND_HEALTH_MISSING, tend_health_of(NULL, NULL));
}

/* A live Deployment: tend applied replicas, image and a label; hpa took replicas. */
static const char LIVE_HPA[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"ml\",\"labels\":{\"team\":\"ml\"},\"managedFields\":["
    "{\"manager\":\"tend\",\"operation\":\"Apply\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":"
    "{\"f:team\":{}}},\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":"
    "{\"k:{\\\"name\\\":\\\"web\\\"}\":{\".\":{},\"f:name\":{},\"f:image\":{}}}}}}}},"
    "{\"manager\":\"hpa\",\"operation\":\"Update\",\"fieldsV1\":{\"f:spec\":{\"f:replicas\":{}}}}]}"
    ","
    "\"spec\":{\"replicas\":5,\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\","
    "\"image\":\"img:1\"}]}}},\"data\":{\"x\":\"1\"}}";

static const char DESIRED_HPA[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"ml\",\"labels\":{\"team\":\"ml\"}},\"spec\":{\"replicas\":1,"
    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"img:2\"}]}}}}";

TEST(ignore_differences)
{
	tend_ignore_rule rules[2] = {{0}};
	rules[0].group = "apps";
	rules[0].kind = "Deployment";
	tend_strvec_push(&rules[0].managers, "hpa");
	rules[1].kind = "*";
	rules[1].name = "web";
	tend_strvec_push(&rules[1].json_pointers, "/spec/template/spec/containers/0/image");
	tend_reconcile_options o;
	tend_reconcile_options_default(&o);
	o.ignore = rules;
	o.n_ignore = 1;
	tend_reconciler *r;
	CHECK(tend_reconciler_new(NULL, &o, &r) == 0);
	cJSON *live = json(LIVE_HPA), *desired = json(DESIRED_HPA);
	/* managedFieldsManagers: replicas (hpa's) leaves what tend applies */
	rc_ignore_differences(r, desired, live);
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(desired, "spec");
	CHECK(!cJSON_GetObjectItemCaseSensitive(spec, "replicas"));
	CHECK(cJSON_GetObjectItemCaseSensitive(spec, "template") != NULL);
	tend_reconciler_free(r);
	/* a pointer to a field tend still owns alone: applied with the live value */
	o.ignore = &rules[1];
	CHECK(tend_reconciler_new(NULL, &o, &r) == 0);
	rc_ignore_differences(r, desired, live);
	char *text = cJSON_PrintUnformatted(desired);
	CHECK_CONTAINS(text, "\"image\":\"img:1\"");
	free(text);
	/* drift: the image lost to another manager is ignored, the label is not */
	cJSON *after = json(LIVE_HPA);
	cJSON *fields = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(
	        cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(after, "metadata"), "managedFields"),
	        0),
	    "fieldsV1");
	cJSON *c = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetObjectItemCaseSensitive(fields, "f:spec"), "f:template"),
	            "f:spec"),
	        "f:containers"),
	    "k:{\"name\":\"web\"}");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "f:image");
	CHECK(tend_reconcile_loss_ignored(r, live, after));
	cJSON_DeleteItemFromObjectCaseSensitive(fields, "f:metadata");
	CHECK(!tend_reconcile_loss_ignored(r, live, after));
	/* an unmanaged object: no drift at all */
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(after, "metadata");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "annotations"), "tend.dev/managed",
	                        "disabled");
	CHECK(tend_reconcile_loss_ignored(r, live, after));
	CHECK(rc_unmanaged(after));
	tend_reconciler_free(r);
	cJSON_Delete(after);
	cJSON_Delete(live);
	cJSON_Delete(desired);
	tend_strvec_free(&rules[0].managers);
	tend_strvec_free(&rules[1].json_pointers);
}

/* The shrink a LIST of inventories applies keeps all that reading them
 * needs: a removal under way, the revision and the objects come through. */
TEST(inventory_shrink_keeps_what_is_read)
{
	const char *text =
	    "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
	    "\"tend-inventory-a\",\"namespace\":\"tend-system\",\"uid\":\"u1\","
	    "\"resourceVersion\":\"7\",\"labels\":{\"" TEND_INVENTORY_LABEL "\":\"a\","
	    "\"app.kubernetes.io/part-of\":\"tend\"},\"managedFields\":[{\"manager\":\"tend\","
	    "\"fieldsV1\":{\"f:data\":{}}}]},\"data\":{\"objects\":\"v1/ConfigMap/a/x\\n"
	    "apps/v1/Deployment/a/web\\n\",\"revision\":\"abc\",\"removedAt\":\"1700000000\"}},"
	    "{\"metadata\":{\"labels\":{\"" TEND_INVENTORY_LABEL "\":\"b\"}},\"data\":{}},"
	    "{\"metadata\":{\"name\":\"unlabelled\"}}]";
	cJSON *whole = cJSON_Parse(text), *shrunk = cJSON_Parse(text), *it;
	cJSON_ArrayForEach(it, shrunk)
	{
		rc_inventory_shrink(NULL, it);
	}
	char *first = cJSON_PrintUnformatted(cJSON_GetArrayItem(shrunk, 0));
	CHECK(!strstr(first, "managedFields") && !strstr(first, "\"uid\""));
	free(first);
	rc_inventory *a, *b;
	size_t na, nb;
	rc_inventory_from_items(whole, &a, &na);
	rc_inventory_from_items(shrunk, &b, &nb);
	CHECK_INT(2, na);
	CHECK_INT(na, nb);
	for (size_t i = 0; i < na && i < nb; i++) {
		CHECK_STR(a[i].project, b[i].project);
		CHECK_STR(a[i].revision ? a[i].revision : "-", b[i].revision ? b[i].revision : "-");
		CHECK(a[i].removed_at == b[i].removed_at);
		CHECK_INT(a[i].ids.len, b[i].ids.len);
		for (size_t k = 0; k < a[i].ids.len && k < b[i].ids.len; k++)
			CHECK_STR(a[i].ids.items[k], b[i].ids.items[k]);
	}
	CHECK(na && a[0].removed_at == 1700000000 && a[0].ids.len == 2);
	rc_inventory_free(a, na);
	rc_inventory_free(b, nb);
	cJSON_Delete(whole);
	cJSON_Delete(shrunk);
}

TEST(project_options_need_the_admins_leave)
{
	tend_config cfg;
	tend_config_defaults(&cfg);
	tend_project p = {0};
	p.name = "bio";
	p.dir = "projects/bio";
	p.meta_file = "projects/bio/project.yaml";
	p.suspend = true;
	p.suspend_line = 3;
	tend_resmap out = {0};
	CHECK(tend_reconcile_render(&cfg, &p, "/nonexistent", NULL, "2026-01-01", &out) == -1);
	CHECK_CONTAINS(tend_err_msg(), "projects/bio/project.yaml:3: suspend: sync.projectOptions "
	                               "in tend.yaml does not allow it");
	p.suspend_line = 0;
	p.self_heal_line = 4;
	CHECK(tend_reconcile_render(&cfg, &p, "/nonexistent", NULL, "2026-01-01", &out) == -1);
	CHECK_CONTAINS(tend_err_msg(),
	               "projects/bio/project.yaml:4: selfHeal: sync.projectOptions");
	/* allowed: the render goes on (and fails here for the missing directory) */
	cfg.sync.project_options = TEND_PROJECT_OPTION_SELF_HEAL;
	tend_reconcile_render(&cfg, &p, "/nonexistent", NULL, "2026-01-01", &out);
	CHECK(!strstr(tend_err_msg(), "sync.projectOptions"));
	tend_resmap_free(&out);
	tend_config_free(&cfg);
}

int main(void)
{
	RUN(applied_object_matches_despite_defaults_quantities_and_mutations);
	RUN(empty_status_from_git_sets_nothing);
	RUN(changed_value_is_not_a_match);
	RUN(field_removed_from_git_is_not_a_match);
	RUN(field_owned_by_someone_else_is_not_a_match);
	RUN(quantity_spelling_counts_only_where_quantities_live);
	RUN(managed_equal_ignores_other_managers_and_server_fields);
	RUN(yaml_diff_is_unified_and_drops_server_noise);
	RUN(live_projected_onto_the_fields_git_sets);
	RUN(yaml_diff_survives_invalid_utf8_from_the_cluster);
	RUN(tracking_ids_and_ownership);
	RUN(apply_phases);
	RUN(health_rules);
	RUN(ignore_differences);
	RUN(inventory_shrink_keeps_what_is_read);
	RUN(project_options_need_the_admins_leave);
	TEST_MAIN_END();
}
