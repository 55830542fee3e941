/*
 * test_daemon.c — the daemon's pure decisions: when a change to a live
 * object is drift (tend's managedFields entry lost a field), which shard a
 * project belongs to, and how backoff grows.
 */
#include "lib/daemon/daemon.h"
#include "lib/kube/kube.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

static cJSON *obj_with(const char *managed_fields_json)
{
	char *text = tend_xasprintf("{\"metadata\":{\"name\":\"web\",\"managedFields\":%s}}",
	                            managed_fields_json);
	cJSON *o = cJSON_Parse(text);
	free(text);
	return o;
}

#define TEND_APPLY(fields)                                                                         \
	"{\"manager\":\"tend\",\"operation\":\"Apply\",\"fieldsType\":\"FieldsV1\","               \
	"\"fieldsV1\":" fields "}"

TEST(lost_fields_detects_takeover)
{
	cJSON *old =
	    obj_with("[" TEND_APPLY("{\"f:spec\":{\"f:replicas\":{},\"f:paused\":{}}}") "]");
	/* kubectl scale: replicas moved to another manager. */
	cJSON *scaled = obj_with("[" TEND_APPLY(
	    "{\"f:spec\":{\"f:paused\":{}}}") ","
	                                      "{\"manager\":\"kubectl\",\"operation\":\"Update\","
	                                      "\"subresource\":"
	                                      "\"scale\",\"fieldsV1\":{\"f:spec\":{\"f:replicas\":{"
	                                      "}}}}]");
	CHECK(tend_daemon_lost_fields(old, scaled, "tend"));
	/* tend's entry gone entirely. */
	cJSON *gone = obj_with("[]");
	CHECK(tend_daemon_lost_fields(old, gone, "tend"));
	cJSON_Delete(scaled);
	cJSON_Delete(gone);
	cJSON_Delete(old);
}

TEST(lost_fields_ignores_others)
{
	cJSON *old = obj_with("[" TEND_APPLY("{\"f:spec\":{\"f:replicas\":{}}}") "]");
	/* A mutation webhook or a status writer adds its own entry: not drift. */
	cJSON *mutated = obj_with("[" TEND_APPLY(
	    "{\"f:spec\":{\"f:replicas\":{}}}") ","
	                                        "{\"manager\":\"kyverno\",\"operation\":\"Update\","
	                                        "\"fieldsV1\":"
	                                        "{\"f:spec\":{\"f:affinity\":{}}}}]");
	CHECK(!tend_daemon_lost_fields(old, mutated, "tend"));
	/* tend applying more fields: not drift. */
	cJSON *grown = obj_with("[" TEND_APPLY("{\"f:spec\":{\"f:replicas\":{},\"f:x\":{}}}") "]");
	CHECK(!tend_daemon_lost_fields(old, grown, "tend"));
	/* Another manager's Apply entry losing fields is not tend's business. */
	CHECK(!tend_daemon_lost_fields(old, old, "other"));
	cJSON_Delete(mutated);
	cJSON_Delete(grown);
	cJSON_Delete(old);
}

TEST(shards_are_stable_and_spread)
{
	CHECK_INT(0, tend_daemon_shard_of("alpha", 1));
	CHECK_INT(0, tend_daemon_shard_of("alpha", 0));
	/* FNV-1a 32 of "alpha" is 0x5d8b6dab (1569418667): fixed across builds. */
	CHECK_INT(1569418667 % 7, tend_daemon_shard_of("alpha", 7));
	int counts[4] = {0};
	for (int i = 0; i < 400; i++) {
		char name[32];
		snprintf(name, sizeof(name), "project-%d", i);
		counts[tend_daemon_shard_of(name, 4)]++;
	}
	for (int i = 0; i < 4; i++)
		CHECK(counts[i] > 60 && counts[i] < 140);
}

TEST(backoff_grows_and_caps)
{
	CHECK_INT(0, (long)tend_daemon_backoff_ms(0, 1000, 8000));
	long a = (long)tend_daemon_backoff_ms(1, 1000, 8000);
	long c = (long)tend_daemon_backoff_ms(3, 1000, 8000);
	long z = (long)tend_daemon_backoff_ms(30, 1000, 8000);
	CHECK(a >= 900 && a <= 1100);
	CHECK(c >= 3600 && c <= 4400);
	CHECK(z >= 7200 && z <= 8800);
}

TEST(lost_field_names_the_field_and_its_new_manager)
{
	cJSON *old =
	    obj_with("[" TEND_APPLY("{\"f:metadata\":{\"f:labels\":{\"f:team\":{},\"f:app\":{}}},"
	                            "\"f:spec\":{\"f:replicas\":{}}}") "]");
	cJSON
	    *relabeled =
	        obj_with(
	            "[" TEND_APPLY(
	                "{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:replicas\":{"
	                "}}}") ","
	                       "{\"manager\":\"kubectl-label\",\"operation\":\"Update\","
	                       "\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\"f:team\":{}}}}}]");
	char *field, *owner;
	tend_daemon_lost_field(old, relabeled, "tend", &field, &owner);
	CHECK_STR(".metadata.labels.team", field);
	CHECK_STR("kubectl-label", owner);
	free(field);
	free(owner);
	/* removed: nobody owns it now */
	cJSON *removed = obj_with(
	    "[" TEND_APPLY("{\"f:metadata\":{\"f:labels\":{\"f:team\":{},\"f:app\":{}}}}") "]");
	tend_daemon_lost_field(old, removed, "tend", &field, &owner);
	CHECK_STR(".spec", field);
	CHECK(owner == NULL);
	free(field);
	/* nothing lost */
	tend_daemon_lost_field(old, old, "tend", &field, &owner);
	CHECK(field == NULL && owner == NULL);
	cJSON_Delete(old);
	cJSON_Delete(relabeled);
	cJSON_Delete(removed);
}

int main(void)
{
	RUN(lost_fields_detects_takeover);
	RUN(lost_field_names_the_field_and_its_new_manager);
	RUN(lost_fields_ignores_others);
	RUN(shards_are_stable_and_spread);
	RUN(backoff_grows_and_caps);
	TEST_MAIN_END();
}
