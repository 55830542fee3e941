/*
 * test_daemon.c — the daemon's pure decisions: when a change to a live
 * object is drift (tend's managedFields entry lost a field), which shard a
 * project belongs to, and how backoff grows; and the status document a
 * publish builds from the project table (no cluster: a daemon that never runs).
 */
#include "lib/daemon/daemon.h"
#include "lib/daemon/daemon_internal.h"
#include "lib/doc/doc.h"
#include "lib/kube/kube.h"
#include "fixture.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* A daemon that is never run (no cluster), with n listed projects p00..; the
 * metas are the caller's (n of them). */
static tend_daemon *status_daemon(char *root, tend_project *metas, size_t n)
{
	if (!mkdtemp(root))
		return NULL;
	fixture_write(root, "tend.yaml", "source:\n  url: ./repo\nserve:\n  listen: 127.0.0.1:0\n");
	char *cfg = tend_xasprintf("%s/tend.yaml", root);
	tend_daemon_options o;
	tend_daemon_options_default(&o);
	o.config = cfg;
	tend_daemon *d = NULL;
	int rc = tend_daemon_new(&o, &d);
	free(cfg);
	if (rc)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "p%02zu", i);
		metas[i] =
		    (tend_project){.name = tend_xstrdup(name), .namespace = tend_xstrdup(name)};
		proj *p = daemon_proj_add(d, name);
		p->meta = &metas[i];
		p->synced_once = true;
		daemon_proj_set_str(&p->status, "Synced");
		p->n_objects = p->n_unchanged = 3;
	}
	return d;
}

static void status_daemon_free(tend_daemon *d, char *root, tend_project *metas, size_t n)
{
	tend_daemon_free(d);
	for (size_t i = 0; i < n; i++) {
		free(metas[i].name);
		free(metas[i].namespace);
	}
	char *cmd = tend_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("could not remove %s\n", root);
	free(cmd);
}

/* What a full publish prints, every project afresh (then it is published). */
static char *publish_all(tend_daemon *d)
{
	daemon_status_invalidate(d);
	daemon_publish(d);
	return tend_serve_snapshot(d->http, "status");
}

/*
 * A publish prints again only the projects that changed, copies the rest
 * from the last document, and the result is what printing every project
 * gives, ?project=NAME's index and the per-project gauges included. Before,
 * every publish printed all of them: 0.4-0.8 s at 3,000 projects, on the
 * loop a revert waits on.
 */
TEST(status_publish_prints_what_changed)
{
	char root[] = "/tmp/tend-status-XXXXXX";
	tend_project metas[40];
	tend_daemon *d = status_daemon(root, metas, 40);
	CHECK(d != NULL);
	if (!d)
		return;
	daemon_publish(d);
	CHECK_INT(40, d->status_printed);
	char *first = tend_serve_snapshot(d->http, "status");
	daemon_publish(d);
	CHECK_INT(0, d->status_printed);
	char *again = tend_serve_snapshot(d->http, "status");
	CHECK_STR(first, again);

	/* one project's sync fails: only it is printed, and as a full publish would */
	proj *p = daemon_proj_find(d, "p07");
	daemon_proj_set_str(&p->status, "Failed");
	daemon_proj_set_str(&p->error, "apply: 500");
	daemon_proj_changed(p);
	/* another's drift is seen and its revert due in a while: a countdown */
	proj *q = daemon_proj_find(d, "p21");
	daemon_proj_mark(q, "drift", daemon_now_ms() + 60000);
	daemon_publish(d);
	CHECK_INT(2, d->status_printed);
	char *changed = tend_serve_snapshot(d->http, "status");
	CHECK_CONTAINS(changed, "\"lastError\":\"apply: 500\"");
	CHECK_CONTAINS(changed, "\"nextSyncInSeconds\":");
	/* the countdown moves with the clock: printed at each publish while due */
	daemon_publish(d);
	CHECK_INT(1, d->status_printed);
	char *incremental = tend_serve_snapshot(d->http, "status");
	pthread_mutex_lock(&d->status_lock);
	status_part *hit = NULL;
	for (size_t i = 0; i < d->status_n; i++)
		if (strcmp(d->status_index[i].name, "p07") == 0)
			hit = &d->status_index[i];
	CHECK(hit != NULL);
	char *part = hit ? tend_serve_snapshot_part(d->http, "status", d->status_version, hit->i)
	                 : NULL;
	pthread_mutex_unlock(&d->status_lock);
	CHECK(part && strncmp(part, "{\"name\":\"p07\",", 14) == 0);
	CHECK_CONTAINS(part, "apply: 500");
	/* a project not printed again is the same part in the new document */
	tend_serve_part *kept = daemon_proj_find(d, "p30")->st_part;
	daemon_publish(d);
	CHECK(daemon_proj_find(d, "p30")->st_part == kept);
	/* a sync's objects and events for the page: kept only in its part, and
	 * again in the next part when it is printed for another reason */
	proj *r = daemon_proj_find(d, "p11");
	r->ui_new = true;
	r->ui_resources = tend_xstrdup("[{\"kind\":\"ConfigMap\",\"name\":\"quota\"}]");
	r->ui_events = tend_xstrdup("[{\"type\":\"created\"}]");
	daemon_proj_changed(r);
	daemon_publish(d);
	daemon_proj_set_str(&r->health, "Degraded");
	daemon_proj_changed(r);
	daemon_publish(d);
	size_t len;
	const char *rtext = tend_serve_part_text(r->st_part, &len);
	char *rpart = tend_xstrndup(rtext, len);
	CHECK_CONTAINS(rpart, ",\"resources\":[{\"kind\":\"ConfigMap\",\"name\":\"quota\"}]"
	                      ",\"events\":[{\"type\":\"created\"}]}");
	cJSON *rj = cJSON_Parse(rpart);
	CHECK(cJSON_IsObject(rj));
	cJSON_Delete(rj);
	free(rpart);
	q->due = false; /* as if synced, with nothing else changed */
	daemon_proj_changed(q);
	daemon_publish(d);
	char *settled = tend_serve_snapshot(d->http, "status");
	kept = daemon_proj_find(d, "p30")->st_part;
	tend_serve_part *was11 = r->st_part;
	char *full = publish_all(d);
	CHECK_INT(40, d->status_printed);
	CHECK_STR(full, settled);
	/* printed again to the same text (after a commit every project is):
	 * the part is kept, resources and events included, and nothing is made */
	CHECK(daemon_proj_find(d, "p30")->st_part == kept);
	CHECK(r->st_part == was11);

	/* the gauges follow: the old series goes, the new one is set */
	tend_buf m = TEND_BUF_INIT;
	tend_metrics_render(d->metrics, &m);
	CHECK_CONTAINS(m.data, "tend_project_sync_status{project=\"p07\",status=\"Failed\"} 1");
	CHECK(!strstr(m.data, "project=\"p07\",status=\"Synced\""));
	CHECK_CONTAINS(m.data, "tend_project_sync_status{project=\"p08\",status=\"Synced\"} 1");
	tend_buf_free(&m);
	free(first);
	free(again);
	free(changed);
	free(incremental);
	free(part);
	free(settled);
	free(full);
	status_daemon_free(d, root, metas, 40);
}

/*
 * A resync slice holds every revert that arrives while it runs: its size
 * follows the pace of the last one, about 100 ms of work, between 8 and 32
 * projects (32 took up to 500 ms at 3,000 projects on a loaded machine).
 */
TEST(resync_slices_follow_the_pace)
{
	CHECK_INT(32, daemon_resync_slice_size(0, 0));    /* nothing measured yet */
	CHECK_INT(32, daemon_resync_slice_size(32, 0));   /* faster than the clock */
	CHECK_INT(32, daemon_resync_slice_size(32, 60));  /* fast: stays whole */
	CHECK_INT(10, daemon_resync_slice_size(32, 320)); /* 10 ms a project */
	CHECK_INT(8, daemon_resync_slice_size(32, 2000)); /* never below 8 */
	CHECK_INT(20, daemon_resync_slice_size(10, 50));  /* speeding up again */
}

/* A stored render loads back as it was rendered: each object, its file and
 * line. What two projects render alike but for their names (a document
 * naming the project, a base file named through the project's directory)
 * is kept once. */
TEST(stored_render_loads_back_as_rendered)
{
	static const char *const projects[] = {"p1", "p2", "p"};
	static const char *const files[] = {
	    "/c/trees/ab/projects/%s/../../base/quota.yaml",
	    "/c/trees/ab/projects/%s/kustomization.yaml",
	    "../base/x.yaml",
	    "plain.yaml",
	};
	tend_intern *pool = tend_intern_new();
	rendered r[3] = {{0}};
	tend_resmap rm[3];
	for (int k = 0; k < 3; k++) {
		rm[k] = (tend_resmap)TEND_RESMAP_INIT;
		rm[k].len = rm[k].cap = 5;
		rm[k].items = tend_xcalloc(rm[k].cap, sizeof(tend_resource));
		for (size_t i = 0; i < rm[k].len; i++) {
			char *json = tend_xasprintf(
			    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
			    "\"%s-o%zu\",\"namespace\":\"%s\"},\"data\":{\"a\":\"%s\"}}",
			    projects[k], i, i == 4 ? "other" : projects[k],
			    i == 3 ? "\\u0001\\u0002" : "x");
			rm[k].items[i].obj = cJSON_Parse(json);
			free(json);
			if (i < 4)
				rm[k].items[i].file = tend_xasprintf(files[i], projects[k]);
			rm[k].items[i].line = (int)i + 1;
		}
		unsigned char hash[32];
		CHECK(daemon_rendered_set(&r[k], pool, projects[k], &rm[k], hash) == 0);
	}
	/* p1's documents are p2's but for the name (p's differ: "apiVersion"
	 * holds a p too), then three projects' directories and six names of
	 * files and directories under them */
	CHECK_INT(5 + 5 + 3 + 6, (long)tend_intern_len(pool));
	for (int k = 0; k < 3; k++) {
		tend_resmap out;
		CHECK(daemon_rendered_load(&r[k], projects[k], &out) == 0);
		CHECK_INT(5, (long)out.len);
		for (size_t i = 0; i < out.len; i++) {
			tend_buf a = TEND_BUF_INIT, b = TEND_BUF_INIT;
			CHECK(tend_doc_emit_yaml(rm[k].items[i].obj, &a) == 0);
			CHECK(tend_doc_emit_yaml(out.items[i].obj, &b) == 0);
			CHECK_STR(a.data, b.data);
			if (rm[k].items[i].file)
				CHECK_STR(rm[k].items[i].file, out.items[i].file);
			else
				CHECK(out.items[i].file == NULL);
			CHECK_INT(rm[k].items[i].line, out.items[i].line);
			tend_buf_free(&a);
			tend_buf_free(&b);
		}
		tend_resmap_free(&out);
		tend_resmap_free(&rm[k]);
	}
	for (int k = 0; k < 3; k++)
		daemon_rendered_clear(&r[k]);
	CHECK_INT(0, (long)tend_intern_len(pool));
	tend_intern_free(pool);
}

TEST(truncation_keeps_utf8_whole)
{
	char s[] = "abc\xc3\xa9\xc3\xa9xyz"; /* abcééxyz: 10 bytes */
	daemon_truncate_utf8(s, 20, "...");
	CHECK_STR("abc\xc3\xa9\xc3\xa9xyz", s); /* short enough: unchanged */
	daemon_truncate_utf8(s, 8, "...");
	CHECK_STR("abc\xc3\xa9...", s); /* 5 bytes before "..." would split the second é */
	char t[] = "\xe2\x82\xac\xe2\x82\xac"; /* two euro signs, 6 bytes */
	daemon_truncate_utf8(t, 5, "...");
	CHECK_STR("...", t);
	CHECK(daemon_key64((const char *[]){"a", "bc"}, 2) !=
	      daemon_key64((const char *[]){"ab", "c"}, 2)); /* parts stay apart */
	CHECK(daemon_key64((const char *[]){NULL}, 1) != 0);
}

int main(void)
{
	RUN(lost_fields_detects_takeover);
	RUN(lost_field_names_the_field_and_its_new_manager);
	RUN(lost_fields_ignores_others);
	RUN(shards_are_stable_and_spread);
	RUN(backoff_grows_and_caps);
	RUN(status_publish_prints_what_changed);
	RUN(resync_slices_follow_the_pace);
	RUN(truncation_keeps_utf8_whole);
	RUN(stored_render_loads_back_as_rendered);
	TEST_MAIN_END();
}
