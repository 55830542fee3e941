/*
 * status.c — what the daemon shows: the /api/v1/status document and the
 * Prometheus gauges, both rebuilt from the project table on the controller
 * thread and handed to the HTTP thread as snapshots.
 *
 * Health comes from the watch cache at publish time (a Deployment that
 * finishes rolling out turns Healthy without another sync); a project's
 * health is its worst object's.
 */
#include "daemon_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const double sync_buckets[] = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
static const double render_buckets[] = {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
#define BUCKETS(b) b, sizeof(b) / sizeof(*b)

static const struct {
	const char *name;
	tend_metric_type type;
	const char *help;
	const double *buckets;
	size_t n_buckets;
} metrics[] = {
    {"tend_project_sync_status", TEND_METRIC_GAUGE, "1 for the sync status each project is in.",
     NULL, 0},
    {"tend_project_health", TEND_METRIC_GAUGE,
     "1 for the health each project is in (its worst object's).", NULL, 0},
    {"tend_sync_duration_seconds", TEND_METRIC_HISTOGRAM, "Wall time of one project's sync.",
     BUCKETS(sync_buckets)},
    {"tend_syncs_total", TEND_METRIC_COUNTER, "Project syncs by result.", NULL, 0},
    {"tend_drift_detected_total", TEND_METRIC_COUNTER,
     "Managed objects changed or deleted outside Git, by kind.", NULL, 0},
    {"tend_drift_reverts_total", TEND_METRIC_COUNTER,
     "Drifted objects put back by a successful sync, by kind.", NULL, 0},
    {"tend_objects", TEND_METRIC_GAUGE, "Objects of the last sync of every project, by state.",
     NULL, 0},
    {"tend_git_fetches_total", TEND_METRIC_COUNTER, "Fetches of the config repository by result.",
     NULL, 0},
    {"tend_revision_info", TEND_METRIC_GAUGE, "The revision rendered now (value always 1).", NULL,
     0},
    {"tend_render_duration_seconds", TEND_METRIC_HISTOGRAM, "Wall time of one project's render.",
     BUCKETS(render_buckets)},
    {"tend_api_requests_total", TEND_METRIC_COUNTER,
     "Kubernetes API requests by HTTP verb and status code (0: no response), "
     "retries and Lease calls included.",
     NULL, 0},
    {"tend_api_retries_total", TEND_METRIC_COUNTER,
     "Kubernetes API requests retried (429, 5xx, connection errors).", NULL, 0},
    {"tend_leader", TEND_METRIC_GAUGE,
     "1 while this replica holds the Lease (always 1 without election).", NULL, 0},
    {"tend_webhook_deliveries_total", TEND_METRIC_COUNTER,
     "Webhook deliveries by provider and result.", NULL, 0},
    {"tend_config_reloads_total", TEND_METRIC_COUNTER, "tend.yaml reloads (SIGHUP) by result.",
     NULL, 0},
    {"tend_ready", TEND_METRIC_GAUGE,
     "1 once caches are synced and a first revision is rendered, while the API server answers.",
     NULL, 0},
    {"tend_cluster_reachable", TEND_METRIC_GAUGE,
     "1 while the API server answers the Lease renewals or probes (every retry period).", NULL, 0},
    {"tend_namespaces_kept", TEND_METRIC_GAUGE,
     "Namespaces of removed projects (or dropped from a project) kept because they hold "
     "objects not in Git.",
     NULL, 0},
    {"tend_prune_blocked_total", TEND_METRIC_COUNTER,
     "Syncs whose deletions a guard stopped, by guard (objects: a project's prune guard; "
     "projects: the projects guard on removals).",
     NULL, 0},
    {"tend_grant_expiry_timestamp_seconds", TEND_METRIC_GAUGE,
     "When a project's grant of an add-on ends (project.yaml until), seconds since the epoch.",
     NULL, 0},
    {"tend_grant_reclaimed", TEND_METRIC_GAUGE,
     "1 while an add-on whose grant has expired is left out of its project (reclaimed).", NULL, 0},
    {"tend_quota_hard", TEND_METRIC_GAUGE,
     "A project's ResourceQuota limit per resource, as the cluster reports it (status.hard).",
     NULL, 0},
    {"tend_quota_used", TEND_METRIC_GAUGE,
     "A project's ResourceQuota use per resource (status.used), beside tend_quota_hard.", NULL,
     0},
};

void daemon_declare_metrics(tend_metrics *m)
{
	for (size_t i = 0; i < sizeof(metrics) / sizeof(*metrics); i++)
		tend_metrics_declare(m, metrics[i].name, metrics[i].type, metrics[i].help,
		                     metrics[i].buckets, metrics[i].n_buckets);
}

static void add_time(cJSON *o, const char *key, int64_t wall_ms)
{
	if (!wall_ms) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char buf[TEND_RFC3339_LEN];
	tend_rfc3339(buf, (time_t)(wall_ms / 1000));
	cJSON_AddStringToObject(o, key, buf);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *project_json(tend_daemon *d, proj *p, int64_t now)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", p->name);
	add_str(j, "namespace", p->meta ? p->meta->namespace : NULL);
	add_str(j, "revision", p->revision);
	cJSON_AddStringToObject(j, "syncStatus", p->status);
	if (daemon_proj_suspended(d, p)) {
		cJSON_AddBoolToObject(j, "suspended", true);
		add_str(j, "suspendedBy", p->suspended ? "tend suspend" : "project.yaml");
		add_str(j, "suspendedAt", p->suspended ? p->suspended_at : NULL);
	}
	if (p->synced_once && d->cache && tend_kube_cache_synced(d->cache)) {
		char *why;
		tend_health h = daemon_health_of_project(p, &why);
		daemon_proj_set_str(&p->health, tend_health_name(h));
		add_str(j, "healthMessage", why);
		free(why);
	}
	cJSON_AddStringToObject(j, "health", p->health);
	add_str(j, "lastError", p->error);
	add_time(j, "lastSyncTime", p->last_sync_wall_ms);
	cJSON_AddNumberToObject(j, "lastSyncSeconds", p->last_sync_seconds);
	if (p->due)
		cJSON_AddNumberToObject(j, "nextSyncInSeconds",
		                        p->due_at > now ? (double)(p->due_at - now) / 1000.0 : 0);
	cJSON_AddNumberToObject(j, "failedAttempts", p->attempts);
	cJSON *o = cJSON_AddObjectToObject(j, "objects");
	cJSON_AddNumberToObject(o, "total", (double)p->n_objects);
	cJSON_AddNumberToObject(o, "unchanged", (double)p->n_unchanged);
	cJSON_AddNumberToObject(o, "created", (double)p->n_created);
	cJSON_AddNumberToObject(o, "updated", (double)p->n_updated);
	cJSON_AddNumberToObject(o, "pruned", (double)p->n_pruned);
	cJSON_AddNumberToObject(o, "conflicts", (double)p->n_conflicts);
	cJSON_AddNumberToObject(o, "errors", (double)p->n_errors);
	cJSON_AddNumberToObject(o, "keptByPruneGuard", (double)p->n_kept);
	cJSON_AddNumberToObject(o, "namespacesKept", (double)p->n_namespaces_kept);
	if (p->n_quota)
		cJSON_AddItemToObject(j, "quota", daemon_quota_json(p));
	cJSON *dr = cJSON_AddObjectToObject(j, "drift");
	cJSON_AddNumberToObject(dr, "total", (double)p->drift_total);
	add_str(dr, "fighting", p->fighting);
	cJSON *ev = cJSON_AddArrayToObject(dr, "events");
	size_t n = p->n_drift < DRIFT_EVENTS_KEPT ? p->n_drift : DRIFT_EVENTS_KEPT;
	for (size_t k = 0; k < n; k++) { /* newest first */
		const drift_event *e = &p->drift[(p->n_drift - 1 - k) % DRIFT_EVENTS_KEPT];
		cJSON *x = cJSON_CreateObject();
		add_time(x, "time", e->wall_ms);
		cJSON_AddStringToObject(x, "object", e->object);
		cJSON_AddStringToObject(x, "change", e->what);
		cJSON_AddBoolToObject(x, "reverted", e->reverted);
		if (e->field)
			cJSON_AddStringToObject(x, "field", e->field);
		if (e->owner)
			cJSON_AddStringToObject(x, "manager", e->owner);
		cJSON_AddItemToArray(ev, x);
	}
	daemon_ui_project_json(d, p, j);
	return j;
}

/* The document without its projects (publish adds them, or their counts). */
static cJSON *status_json(tend_daemon *d)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "ready", daemon_ready(d));
	daemon_cluster_json(d, cJSON_AddObjectToObject(root, "cluster"));
	cJSON *l = cJSON_AddObjectToObject(root, "leader");
	cJSON_AddBoolToObject(l, "election", d->leader != NULL);
	cJSON_AddBoolToObject(l, "leading", !d->leader || tend_leader_is_leading(d->leader));
	add_str(l, "identity", d->identity);
	if (d->opt.shards > 1) {
		cJSON *s = cJSON_AddObjectToObject(root, "shard");
		cJSON_AddNumberToObject(s, "index", d->opt.shard_index);
		cJSON_AddNumberToObject(s, "count", d->opt.shards);
	}
	cJSON *src = cJSON_AddObjectToObject(root, "source");
	add_str(src, "revision", d->revision);
	add_str(src, "author", d->shown.author);
	add_str(src, "subject", d->shown.subject);
	add_time(src, "lastFetchTime", d->last_fetch_wall_ms);
	add_str(src, "lastError", d->source_error);
	add_str(src, "generatorError", d->generator_error);
	add_str(src, "collisions", d->collisions);
	daemon_ui_source_json(d, src);
	add_str(root, "configReloadError", d->reload_error);
	add_str(root, "syncError", d->run_error);
	cJSON *rs = cJSON_AddObjectToObject(root, "resync");
	cJSON_AddBoolToObject(rs, "running", d->resync.running);
	cJSON_AddNumberToObject(rs, "projects", d->resync.running ? (double)d->resync.len : 0);
	cJSON_AddNumberToObject(rs, "done", d->resync.running ? (double)d->resync.at : 0);
	return root;
}

void daemon_status_invalidate(tend_daemon *d)
{
	d->status_gen++;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* One gauge of p whose one label (key) names its state: set to value, the
 * series of the old value removed (value NULL: none left). */
static void state_gauge(tend_metrics *m, const char *family, const proj *p, const char *key,
                        const char *value, char **was)
{
	if (same(value, *was))
		return;
	tend_metrics_remove(m, family, (const char *[]){"project", p->name, NULL});
	if (value)
		tend_metrics_set(m, family, (const char *[]){"project", p->name, key, value, NULL},
		                 1);
	daemon_proj_set_str(was, value);
}

/* Gauges of one project, as listed (or not): only what changed is rewritten. */
static void project_gauges(tend_daemon *d, proj *p, bool listed)
{
	bool shown = listed && p->meta;
	state_gauge(d->metrics, "tend_project_sync_status", p, "status", shown ? p->status : NULL,
	            &p->gauge_status);
	state_gauge(d->metrics, "tend_project_health", p, "health", shown ? p->health : NULL,
	            &p->gauge_health);
	if (!p->quota_gauged || p->quota_gauged_listed != listed) {
		daemon_quota_gauges(d, p); /* none unless listed with meta */
		p->quota_gauged = true;
		p->quota_gauged_listed = listed;
	}
}

/* The gauges of the whole run; each project's are set when it is printed. */
static void publish_gauges(tend_daemon *d)
{
	tend_metrics *m = d->metrics;
	size_t in_sync = 0, conflicts = 0, errors = 0, kept = 0, ns_kept = 0;
	for (size_t i = 0; i < d->np; i++) {
		const proj *p = &d->p[i];
		if (p->in_shard)
			ns_kept += p->n_namespaces_kept;
		if (!p->in_shard || !p->meta)
			continue;
		in_sync += p->n_unchanged + p->n_created + p->n_updated;
		conflicts += p->n_conflicts;
		errors += p->n_errors;
		kept += p->n_kept;
	}
	tend_metrics_set(m, "tend_objects", (const char *[]){"state", "in_sync", NULL},
	                 (double)in_sync);
	tend_metrics_set(m, "tend_objects", (const char *[]){"state", "conflict", NULL},
	                 (double)conflicts);
	tend_metrics_set(m, "tend_objects", (const char *[]){"state", "error", NULL},
	                 (double)errors);
	tend_metrics_set(m, "tend_objects", (const char *[]){"state", "kept_by_prune_guard", NULL},
	                 (double)kept);
	tend_metrics_set(m, "tend_namespaces_kept", NULL, (double)ns_kept);
	tend_metrics_set(m, "tend_leader", NULL,
	                 !d->leader || tend_leader_is_leading(d->leader) ? 1 : 0);
	tend_metrics_set(m, "tend_ready", NULL, daemon_ready(d) ? 1 : 0);
	if (d->gauges_gen != d->status_gen) { /* the grants change only with them */
		d->gauges_gen = d->status_gen;
		tend_metrics_reset(m, "tend_grant_expiry_timestamp_seconds");
		tend_metrics_reset(m, "tend_grant_reclaimed");
		for (size_t i = 0; i < d->grants.len; i++) {
			const tend_grant_entry *g = &d->grants.items[i];
			int64_t ts;
			if (g->expired && g->used && g->requires_grant)
				tend_metrics_set(m, "tend_grant_reclaimed",
				                 (const char *[]){"project", g->project, "addon",
				                                  g->addon, NULL},
				                 1);
			if (g->granted && g->until && tend_grant_expiry(g->until, &ts) == 0)
				tend_metrics_set(m, "tend_grant_expiry_timestamp_seconds",
				                 (const char *[]){"project", g->project, "addon",
				                                  g->addon, NULL},
				                 (double)ts);
		}
	}
	if (d->kube) {
		tend_kube_stats st;
		tend_kube_get_stats(d->kube, &st);
		tend_metrics_set(m, "tend_api_retries_total", NULL, (double)st.retries);
	}
}

static void count(cJSON *counts, const char *key)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(counts, key);
	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(counts, key, 1);
}

/* cJSON fails only when memory runs out; tend treats that as fatal. */
static char *print(const cJSON *j)
{
	char *text = cJSON_PrintUnformatted(j);
	if (!text) {
		fprintf(stderr, "tend: out of memory printing the status document\n");
		abort();
	}
	return text;
}

void daemon_status_index_free(tend_daemon *d)
{
	free(d->status_index); /* the names are the records' */
	d->status_index = NULL;
	d->status_n = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const status_part *)a)->name, ((const status_part *)b)->name);
}

/* The listed projects by name, as indices into d->p (sorted when the set changes). */
static void sort_listed(tend_daemon *d, size_t n)
{
	status_part *tmp = tend_xcalloc(n + 1, sizeof(*tmp));
	size_t k = 0;
	for (size_t i = 0; i < d->np && k < n; i++)
		if (d->p[i].st_listed)
			tmp[k++] = (status_part){d->p[i].name, i};
	qsort(tmp, k, sizeof(*tmp), by_name);
	d->status_order = tend_xcalloc(k + 1, sizeof(size_t));
	for (size_t i = 0; i < k; i++)
		d->status_order[i] = tmp[i].i;
	d->status_order_n = k;
	free(tmp);
}

/* Whether p has an object in the document. */
static bool listed(const proj *p)
{
	return p->in_shard && (p->meta || p->synced_once);
}

/* Whether p's object must be printed again rather than its part handed
 * in once more. A project due later shows a countdown (nextSyncInSeconds),
 * so it is printed at every publish until it is not. */
static bool reprint(const tend_daemon *d, const proj *p, int64_t now)
{
	return !p->st_part || p->st_stale || p->st_gen != d->status_gen ||
	       (p->due && p->due_at > now) || p->st_due;
}

/* Prints p's object into a new part, or keeps its part when the object
 * prints the same (scratch: a reused buffer, no allocation per project
 * but the part). */
static void print_part(tend_daemon *d, proj *p, int64_t now, char **scratch, size_t *cap)
{
	cJSON *j = project_json(d, p, now);
	while (!cJSON_PrintPreallocated(j, *scratch, (int)*cap, false)) {
		*cap *= 2;
		*scratch = tend_xrealloc(*scratch, *cap);
	}
	cJSON_Delete(j);
	tend_serve_part *part = daemon_ui_project_part(p, *scratch, strlen(*scratch));
	tend_serve_part_drop(p->st_part);
	p->st_part = part;
	project_gauges(d, p, true);
	p->st_stale = false;
	p->st_gen = d->status_gen;
	p->st_due = p->due && p->due_at > now;
}

/*
 * Three forms from one pass: the full document (every project by name, a
 * part each, so ?project=NAME finds its part through the index), and the
 * summary (counts by sync status and health, no projects) for pollers.
 *
 * Cost: a project's object is printed only when it changed since the last
 * publish (or is due: its nextSyncInSeconds moves with the clock); the
 * others' parts go into the new document as they are. At 3,000 projects
 * printing every one took 0.4-0.8 s of the loop on a loaded machine, and
 * a revert waited behind it; and a document of one string was copied
 * whole at each publish, twice the memory of 10,000 projects' objects.
 */
static void publish_status(tend_daemon *d)
{
	int64_t now = daemon_now_ms();
	bool synced = d->cache && tend_kube_cache_synced(d->cache);
	if (synced != d->status_cache_synced) { /* health is shown once synced */
		d->status_cache_synced = synced;
		daemon_status_invalidate(d);
	}
	size_t n = 0;
	for (size_t i = 0; i < d->np; i++) {
		proj *p = &d->p[i];
		bool is_listed = listed(p);
		if (is_listed != p->st_listed) { /* the set changed: sort it again */
			free(d->status_order);
			d->status_order = NULL;
			d->status_order_n = 0;
			if (!is_listed)
				project_gauges(d, p, false);
		}
		if (!is_listed) {
			tend_serve_part_drop(p->st_part);
			p->st_part = NULL;
		}
		p->st_listed = is_listed;
		n += is_listed;
	}
	if (!d->status_order)
		sort_listed(d, n);
	n = d->status_order_n;
	cJSON *root = status_json(d);
	char *head = print(root);
	size_t head_len = strlen(head);
	head = tend_xrealloc(head, head_len + 16);
	strcpy(head + head_len - 1, ",\"projects\":["); /* over the closing brace */
	cJSON *counts = cJSON_AddObjectToObject(root, "counts");
	cJSON *by_status = cJSON_CreateObject(), *by_health = cJSON_CreateObject();
	tend_serve_part **parts = tend_xcalloc(n + 1, sizeof(*parts));
	status_part *index = tend_xcalloc(n + 1, sizeof(*index));
	size_t scratch_cap = 16384, printed = 0;
	char *scratch = tend_xmalloc(scratch_cap);
	for (size_t k = 0; k < n; k++) {
		proj *p = &d->p[d->status_order[k]];
		if (reprint(d, p, now)) {
			print_part(d, p, now, &scratch, &scratch_cap);
			printed++;
		}
		parts[k] = tend_serve_part_hold(p->st_part);
		index[k] = (status_part){p->name, k};
		count(by_status, p->status);
		count(by_health, p->health);
	}
	free(scratch);
	cJSON_AddNumberToObject(counts, "projects", (double)n);
	cJSON_AddItemToObject(counts, "syncStatus", by_status);
	cJSON_AddItemToObject(counts, "health", by_health);
	char *summary = print(root);
	cJSON_Delete(root);
	d->status_printed = printed;
	/* the index changes with the document: a reader between the two sees a
	 * version that no longer matches, and looks again */
	pthread_mutex_lock(&d->status_lock);
	uint64_t v = tend_serve_publish_parts(d->http, "status", head, parts, n, ",",
	                                      tend_xstrdup("]}\n")); /* served as it is */
	tend_serve_publish_take(d->http, "status-summary", summary);
	daemon_status_index_free(d);
	d->status_index = index;
	d->status_n = n;
	d->status_version = v;
	pthread_mutex_unlock(&d->status_lock);
	free(parts);
}

void daemon_publish(tend_daemon *d)
{
	int64_t started = daemon_now_ms();
	publish_status(d);
	d->publish_cost_ms = daemon_now_ms() - started;
	/* Standby replicas are ready too: they must not stall a rollout. */
	tend_serve_publish(d->http, "readyz", d->ready ? "ok" : NULL);
	bool leading = !d->leader || tend_leader_is_leading(d->leader);
	tend_serve_publish(d->http, "leading", leading ? "yes" : NULL);
	publish_gauges(d);
	d->last_publish = daemon_now_ms();
	d->dirty = false;
}

void daemon_count_api_request(void *ud, const char *method, long code)
{
	tend_daemon *d = ud;
	char c[16];
	snprintf(c, sizeof(c), "%ld", code);
	tend_metrics_add(d->metrics, "tend_api_requests_total",
	                 (const char *[]){"verb", method, "code", c, NULL}, 1);
}
