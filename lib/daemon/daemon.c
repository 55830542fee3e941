/*
 * daemon.c — the daemon's life: start (configuration, HTTP), connect to
 * the cluster, win the Lease when electing, then the control loop until
 * SIGTERM: poll or webhook → fetch and render, drift → sync now, resync
 * timer → sync everything, failed project → retry later, all on one
 * thread that drives lib/kube's loop in between. The Lease and the API
 * server's reachability live on a thread of their own (link.c); losing the
 * Lease steps this replica down to standby.
 *
 * Invariants: a signal only sets a flag, so an apply in flight always
 * finishes before the loop looks at it; the Lease is released only after
 * the last sync has returned; a tend.yaml that fails to load on SIGHUP
 * leaves the running configuration untouched.
 */
#include "daemon_internal.h"

#include <malloc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOP_WAIT_MS        200  /* longest sleep: how soon a signal or webhook is seen */
#define PUBLISH_EVERY_MS    1000 /* status/health refresh without a sync */
#define CACHE_SYNC_WAIT_MS  30000
#define FETCH_RETRY_BASE_MS 5000

int64_t daemon_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long daemon_rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

void daemon_log_memory(const tend_daemon *d, const char *when)
{
	if (!tend_log_enabled(TEND_LOG_DEBUG))
		return;
	struct mallinfo2 mi = mallinfo2();
	tend_kube_cache_stats cs = {0};
	if (d->cache)
		tend_kube_cache_get_stats(d->cache, &cs);
	tend_log(TEND_LOG_DEBUG,
	         "memory: %ld kB %s (heap: %zu kB in use, %zu kB free; watch cache: %zu "
	         "objects, %zu kB of text, %zu managedFields texts of %zu kB and %zu texts "
	         "of labels and the rest of objects of %zu kB)",
	         daemon_rss_kb(), when, (mi.uordblks + mi.hblkhd) / 1024, mi.fordblks / 1024,
	         cs.objects, cs.json_bytes / 1024, cs.fields, cs.fields_bytes / 1024, cs.bodies,
	         cs.bodies_bytes / 1024);
}

int64_t daemon_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tend_daemon_options_default(tend_daemon_options *o)
{
	memset(o, 0, sizeof(*o));
	o->lease_duration_ms = 15000;
	o->renew_deadline_ms = 10000;
	o->retry_period_ms = 2000;
	o->drift_debounce_ms = 50;
}

void tend_daemon_signal(tend_daemon *d, tend_daemon_signal_kind kind)
{
	if (kind == TEND_DAEMON_STOP)
		d->stop = 1;
	else
		d->reload = 1;
}

/* Reads a webhook secret file; trailing newlines are not part of the secret. */
static int read_secret(const tend_config *cfg, const char *file, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!file)
		return 0;
	char *path = tend_config_path(cfg, file);
	tend_buf b = TEND_BUF_INIT;
	int rc = tend_file_read(path, 4096, &b);
	if (rc) {
		tend_err_prefix("webhook secret %s: ", path);
	} else {
		while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
			b.data[--b.len] = '\0';
		if (!b.len)
			rc = tend_err("webhook secret %s: the file is empty", path);
	}
	free(path);
	if (rc) {
		tend_buf_free(&b);
		return -1;
	}
	*len = b.len;
	*out = tend_buf_detach(&b);
	return 0;
}

/* Loads both secrets of cfg and swaps them in, or changes nothing. */
static int load_secrets(tend_daemon *d, const tend_config *cfg)
{
	char *gh, *gl;
	size_t ghl, gll;
	if (read_secret(cfg, cfg->serve.github_secret_file, &gh, &ghl))
		return -1;
	if (read_secret(cfg, cfg->serve.gitlab_token_file, &gl, &gll)) {
		free(gh);
		return -1;
	}
	pthread_mutex_lock(&d->secret_lock);
	char *old_gh = d->github_secret, *old_gl = d->gitlab_token;
	d->github_secret = gh, d->github_secret_len = ghl;
	d->gitlab_token = gl, d->gitlab_token_len = gll;
	pthread_mutex_unlock(&d->secret_lock);
	free(old_gh);
	free(old_gl);
	return 0;
}

static char *default_identity(void)
{
	const char *pod = getenv("POD_NAME");
	if (pod && *pod)
		return tend_xstrdup(pod);
	char host[256] = "tend";
	gethostname(host, sizeof(host) - 1);
	return tend_xasprintf("%s_%ld", host, (long)getpid());
}

int tend_daemon_new(const tend_daemon_options *o, tend_daemon **out)
{
	/* A fixed threshold: glibc otherwise raises it to the size of each large
	 * block freed, and the next status document or LIST response then lands
	 * in the heap, where the hole it leaves stays part of the process. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	tend_daemon *d = tend_xcalloc(1, sizeof(*d));
	pthread_mutex_init(&d->secret_lock, NULL);
	pthread_mutex_init(&d->status_lock, NULL);
	d->boot_ms = daemon_wall_ms();
	d->opt = *o;
	d->field_manager = "tend";
	d->config_path = tend_xstrdup(o->config);
	if (tend_config_load(d->config_path, &d->cfg)) {
		free(d->config_path);
		pthread_mutex_destroy(&d->secret_lock);
		pthread_mutex_destroy(&d->status_lock);
		free(d);
		return -1;
	}
	if (o->kubeconfig) { /* --kubeconfig and --context win over tend.yaml */
		free(d->cfg.cluster.kubeconfig);
		d->cfg.cluster.kubeconfig = tend_xstrdup(o->kubeconfig);
	}
	if (o->context) {
		free(d->cfg.cluster.context);
		d->cfg.cluster.context = tend_xstrdup(o->context);
	}
	d->opt.kubeconfig = d->opt.context = NULL; /* borrowed: copied into d->cfg */
	d->listen = tend_xstrdup(o->listen ? o->listen : d->cfg.serve.listen);
	const char *pod_ns = getenv("POD_NAMESPACE");
	const char *inv_ns = d->cfg.sync.inventory_namespace;
	d->lease_ns = tend_xstrdup(o->lease_namespace  ? o->lease_namespace
	                           : pod_ns && *pod_ns ? pod_ns
	                           : inv_ns && *inv_ns ? inv_ns
	                                               : "tend-system");
	d->lease_name = o->lease_name   ? tend_xstrdup(o->lease_name)
	                : o->shards > 1 ? tend_xasprintf("tend-shard-%d", o->shard_index)
	                                : tend_xstrdup("tend");
	d->identity = o->identity ? tend_xstrdup(o->identity) : default_identity();
	d->opt.config = d->opt.listen = d->opt.lease_namespace = d->opt.lease_name =
	    d->opt.identity = NULL; /* borrowed from the caller: use the copies above */
	d->file_names = tend_intern_new();
	d->metrics = tend_metrics_new();
	daemon_declare_metrics(d->metrics);
	d->http = tend_serve_new();
	daemon_add_routes(d);
	const tend_strvec *hosts = &d->cfg.serve.allowed_hosts;
	tend_serve_allow_hosts(d->http, (const char *const *)hosts->items, hosts->len);
	const char *probe = d->cfg.serve.probe_listen;
	if (daemon_ui_attach(d) || load_secrets(d, &d->cfg) ||
	    tend_serve_start(d->http, d->listen) ||
	    (probe && tend_serve_start_probes(d->http, probe,
	                                      (const char *[]){"/healthz", "/readyz", NULL}))) {
		tend_daemon_free(d);
		return -1;
	}
	tend_log(TEND_LOG_INFO, "serving /healthz /readyz /metrics /api/v1/status on %s (port %d)",
	         d->listen, tend_serve_port(d->http));
	if (probe)
		tend_log(TEND_LOG_INFO, "serving /healthz /readyz on %s (port %d)", probe,
		         tend_serve_probe_port(d->http));
	daemon_publish(d);
	*out = d;
	return 0;
}

/* As `tend sync`: a kubeconfig when named (or no pod environment), else in-cluster. */
static int load_kube_config(const tend_config *cfg, tend_kube_config **kc)
{
	const char *path = cfg->cluster.kubeconfig ? cfg->cluster.kubeconfig : "";
	const char *ctx = cfg->cluster.context ? cfg->cluster.context : "";
	if (!*path && getenv("KUBERNETES_SERVICE_HOST") && !getenv("KUBECONFIG"))
		return tend_kube_config_in_cluster(NULL, kc);
	char *resolved = *path ? tend_config_path(cfg, path) : NULL;
	int rc = tend_kube_config_load(resolved, *ctx ? ctx : NULL, kc);
	free(resolved);
	return rc;
}

static int connect_cluster(tend_daemon *d)
{
	tend_kube_config *kc;
	if (load_kube_config(&d->cfg, &kc))
		return -1;
	tend_kube_options ko;
	tend_kube_options_default(&ko);
	ko.qps = d->cfg.cluster.qps;
	ko.burst = d->cfg.cluster.burst;
	int rc = tend_kube_new(kc, &ko, &d->kube);
	if (!rc)
		tend_kube_set_observer(d->kube, daemon_count_api_request, d);
	/* The link's own client: Lease calls and probes fail fast, never sit
	 * in the main client's retries or behind its rate limit. */
	tend_kube_options lo;
	tend_kube_options_default(&lo);
	lo.qps = 0;
	lo.max_retries = 0;
	lo.timeout_ms = d->opt.retry_period_ms > 1000 ? d->opt.retry_period_ms : 1000;
	lo.connect_timeout_ms = lo.timeout_ms;
	if (!rc)
		rc = tend_kube_new(kc, &lo, &d->lease_kube);
	if (!rc && d->opt.leader_elect)
		d->leader = tend_leader_new(d->lease_kube, d->lease_ns, d->lease_name, d->identity,
		                            d->opt.lease_duration_ms, d->opt.renew_deadline_ms,
		                            d->opt.retry_period_ms);
	if (!rc)
		rc = daemon_link_start(d, d->lease_kube, d->leader, d->opt.retry_period_ms,
		                       &d->link);
	tend_kube_config_free(kc);
	return rc;
}

bool daemon_keep_lease(tend_daemon *d)
{
	if (d->leader && !d->lease_lost &&
	    (!daemon_link_leading(d->link) || daemon_link_term(d->link) != d->term))
		d->lease_lost = true;
	return !d->lease_lost;
}

/* Publishes when the link saw the API server come or go. */
static void note_link(tend_daemon *d)
{
	unsigned c = daemon_link_changes(d->link);
	if (c != d->link_seen) {
		d->link_seen = c;
		d->dirty = true;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void reload(tend_daemon *d);

/* Standby until the Lease is ours; 0 when leading, -1 when stopped first. */
static int wait_for_leadership(tend_daemon *d)
{
	tend_log(TEND_LOG_INFO, "leader election: %s waiting for lease %s/%s", d->identity,
	         d->lease_ns, d->lease_name);
	d->ready = true; /* a standby is ready: it must not stall a rollout */
	daemon_publish(d);
	while (!d->stop) {
		if (daemon_link_leading(d->link)) {
			d->term = daemon_link_term(d->link);
			d->lease_lost = false;
			d->ready = false;
			daemon_publish(d);
			return 0;
		}
		if (d->reload)
			reload(d);
		note_link(d);
		daemon_flush_rejected(d);
		if (d->dirty)
			daemon_publish(d);
		sleep_ms(100);
	}
	return -1;
}

static int start_controller(tend_daemon *d)
{
	tend_reconcile_options ro;
	tend_reconcile_options_from_config(&ro, &d->cfg.sync);
	if (tend_reconciler_new(d->kube, &ro, &d->rec))
		return -1;
	d->cache = daemon_cache_new(d);
	tend_reconciler_use_cache(d->rec, d->cache);
	if (tend_source_open(&d->cfg.source, d->cfg.base_dir, &d->src))
		return -1;
	return 0;
}

/*
 * The Lease was lost (no renewal within the renew deadline: the API server
 * unreachable, or another replica took it): stop acting and stand by, as
 * client-go's OnStoppedLeading would, but without a restart. The projects'
 * last renders and results stay for the status; the watch cache, the
 * reconciler and the source go, and a new term renders and syncs
 * everything again from a fresh cache.
 */
static void step_down(tend_daemon *d)
{
	tend_log(TEND_LOG_WARN, "leader election: %s stepping down to standby", d->identity);
	daemon_fetch_abandon(d);
	tend_kube_cache_free(d->cache);
	d->cache = NULL;
	tend_reconciler_free(d->rec);
	d->rec = NULL;
	tend_source_free(d->src);
	d->src = NULL;
	tend_strset_free(&d->cached_resources);
	tend_strset_free(&d->tried_kinds);
	for (size_t i = 0; i < d->np; i++)
		d->p[i].syncing = false;
	daemon_resync_stop(d); /* a new term begins with a full resync */
	d->first_render_done = false;
	d->force_render = true;
	d->next_fetch = 0;
	d->ready = false;
	d->dirty = true;
	daemon_status_invalidate(d);
}

static void reload(tend_daemon *d)
{
	d->reload = 0;
	tend_config fresh;
	tend_source *src = NULL;
	tend_reconciler *rec = NULL;
	tend_reconcile_options ro;
	char *action_token = NULL;
	if (tend_config_load(d->config_path, &fresh))
		goto failed;
	tend_reconcile_options_from_config(&ro, &fresh.sync);
	/* A standby has no controller yet: it only checks and keeps the file. */
	bool running = d->rec != NULL;
	if ((running && (tend_source_open(&fresh.source, fresh.base_dir, &src) ||
	                 tend_reconciler_new(d->kube, &ro, &rec))) ||
	    daemon_ui_read_token(&fresh, &action_token) || load_secrets(d, &fresh)) {
		free(action_token);
		tend_source_free(src);
		tend_reconciler_free(rec);
		tend_config_free(&fresh);
		goto failed;
	}
	if (strcmp(fresh.serve.listen, d->cfg.serve.listen) != 0)
		tend_log(TEND_LOG_WARN,
		         "reload: serve.listen changed to %s; it takes effect at "
		         "the next start",
		         fresh.serve.listen);
	if ((fresh.serve.probe_listen || d->cfg.serve.probe_listen) &&
	    (!fresh.serve.probe_listen || !d->cfg.serve.probe_listen ||
	     strcmp(fresh.serve.probe_listen, d->cfg.serve.probe_listen) != 0))
		tend_log(TEND_LOG_WARN,
		         "reload: serve.probeListen changed; it takes effect at the next start");
	tend_serve_allow_hosts(d->http, (const char *const *)fresh.serve.allowed_hosts.items,
	                       fresh.serve.allowed_hosts.len);
	if (running) {
		tend_reconciler_use_cache(rec, d->cache);
		tend_reconciler_free(d->rec);
		d->rec = rec;
		daemon_fetch_abandon(d); /* the new source fetches again below */
		tend_source_free(d->src);
		d->src = src;
	}
	daemon_commit_status_stop(d); /* started again with the new settings */
	tend_config_free(&d->cfg);
	d->cfg = fresh;
	daemon_status_invalidate(d); /* project options: suspensions shown */
	daemon_ui_reloaded(d, action_token);
	daemon_proj_set_str(&d->reload_error, NULL);
	tend_metrics_add(d->metrics, "tend_config_reloads_total",
	                 (const char *[]){"result", "ok", NULL}, 1);
	tend_log(TEND_LOG_INFO, "reloaded %s", d->config_path);
	d->next_fetch = 0; /* fetch and render with the new rules now */
	d->force_render = true;
	d->next_resync = 0; /* and sync everything: sync options may have changed */
	return;
failed:
	daemon_proj_set_str(&d->reload_error, tend_err_msg());
	tend_metrics_add(d->metrics, "tend_config_reloads_total",
	                 (const char *[]){"result", "error", NULL}, 1);
	tend_log(TEND_LOG_ERROR, "reload failed, keeping the running configuration: %s",
	         tend_err_msg());
	daemon_publish(d);
}

/* A fetch's outcome: the new revision generated and rendered, the next fetch planned. */
static void apply_fetch(tend_daemon *d, int rc, char *error)
{
	bool force = d->force_render;
	d->force_render = false;
	daemon_revision_update(d, rc, error,
	                       force); /* a failure is logged and kept in the status */
	free(error);
	int64_t interval = d->cfg.source.interval_ms > 0 ? d->cfg.source.interval_ms : 60000;
	int64_t wait = d->fetch_failures ? tend_daemon_backoff_ms(d->fetch_failures,
	                                                          FETCH_RETRY_BASE_MS, interval)
	                                 : interval;
	d->next_fetch = daemon_now_ms() + wait;
	daemon_log_memory(d, "after fetch and render");
	d->dirty = true;
}

/* Starts a fetch when due or asked for; applies it once the thread is done. */
static void fetch_if_due(tend_daemon *d, int64_t now)
{
	int rc;
	char *error;
	if (d->fetching) {
		if (daemon_fetch_finished(d, &rc, &error))
			apply_fetch(d, rc, error);
		return;
	}
	bool asked = atomic_exchange(&d->fetch_requested, 0);
	if (!asked && now < d->next_fetch)
		return;
	if (asked)
		tend_log(TEND_LOG_INFO, "webhook: fetching now");
	d->next_fetch = INT64_MAX; /* the thread's end wakes the loop */
	daemon_fetch_start(d);
	if (!d->fetch_threaded && daemon_fetch_finished(d, &rc, &error))
		apply_fetch(d, rc, error);
}

static void resync_if_due(tend_daemon *d, int64_t now, bool *complete)
{
	/* One at a time: a removal found meanwhile is made by its last slice. */
	if (daemon_resync_running(d) || (now < d->next_resync && !d->complete_pending))
		return;
	if (now >= d->next_resync) {
		int64_t every = d->cfg.sync.resync_ms > 0 ? d->cfg.sync.resync_ms : 300000;
		d->next_resync = now + every;
		tend_log(TEND_LOG_INFO, "full resync");
	}
	*complete = true;
}

static long wait_budget(const tend_daemon *d, int64_t now, bool busy)
{
	if (busy)
		return 0; /* more to sync: only look at what arrived meanwhile */
	int64_t next = d->next_fetch;
	int64_t due = daemon_next_due(d);
	if (due < next)
		next = due;
	if (d->next_resync < next)
		next = d->next_resync;
	long w = next <= now ? 0 : (long)(next - now);
	return w > LOOP_WAIT_MS ? LOOP_WAIT_MS : w;
}

/*
 * How long the status waits after a publish: a second, or 25 times what the
 * last publish cost, so that rebuilding the document of thousands of
 * projects while they sync one slice after another never takes more than
 * a twenty-fifth of the loop (at 3,000 projects it took 40% more CPU in a
 * first sync when published every second).
 */
static int64_t publish_every(const tend_daemon *d)
{
	int64_t scaled = d->publish_cost_ms * 25;
	return scaled > PUBLISH_EVERY_MS ? scaled : PUBLISH_EVERY_MS;
}

/* The loop while leading (or without election); returns the exit code. */
static int control_loop(tend_daemon *d)
{
	int64_t cache_deadline = 0;
	bool busy = false, memory_logged = false;
	d->next_resync = 0; /* the first run lists every project: removals while down */
	while (!d->stop) {
		int64_t now = daemon_now_ms();
		if (d->reload)
			reload(d);
		if (!daemon_keep_lease(d))
			return -1; /* lost the Lease: stop acting */
		note_link(d);
		daemon_flush_rejected(d);
		daemon_ui_take_requests(d, now);
		fetch_if_due(d, now);
		if (!cache_deadline && d->first_render_done)
			cache_deadline = now + CACHE_SYNC_WAIT_MS;
		bool synced = d->cache && tend_kube_cache_synced(d->cache);
		busy = false;
		if (synced && !d->ready && !memory_logged) { /* once, not per loop until ready */
			daemon_log_memory(d, "with the caches synced");
			memory_logged = true;
		}
		/* Sync once the watches hold the live state (or they took too long). */
		if (d->first_render_done && (synced || (cache_deadline && now > cache_deadline))) {
			bool complete = false;
			resync_if_due(d, now, &complete);
			busy = daemon_sync_due(d, complete);
			daemon_diff_due(d);
			daemon_tenant_status_flush(d);
			if (!d->ready && synced) {
				d->ready = true;
				tend_log(TEND_LOG_INFO,
				         "ready: caches synced, revision %.12s rendered",
				         d->revision ? d->revision : "");
				daemon_publish(d);
			}
		}
		/* With thousands of projects a publish takes a while: at most once a
		 * second, and only after something changed. */
		if (d->dirty && daemon_now_ms() - d->last_publish >= publish_every(d))
			daemon_publish(d);
		tend_kube_step(d->kube, wait_budget(d, daemon_now_ms(), busy));
	}
	return 0;
}

int tend_daemon_run(tend_daemon *d)
{
	if (connect_cluster(d)) {
		tend_log(TEND_LOG_ERROR, "cluster: %s", tend_err_msg());
		return 1;
	}
	int code = 0;
	for (;;) {
		if (d->leader && wait_for_leadership(d))
			break;
		if (start_controller(d)) {
			tend_log(TEND_LOG_ERROR, "%s", tend_err_msg());
			code = 1;
			break;
		}
		code = control_loop(d);
		if (code >= 0)
			break;
		step_down(d);
		code = 0;
	}
	if (d->stop)
		tend_log(TEND_LOG_INFO, "stopping: in-flight work finished");
	/* After the last sync has returned: the Lease is released on its thread. */
	daemon_link_stop(d->link, true);
	d->link = NULL;
	return code;
}

void tend_daemon_free(tend_daemon *d)
{
	if (!d)
		return;
	daemon_commit_status_stop(d);
	daemon_link_stop(d->link, false); /* it publishes to d->http */
	tend_serve_free(d->http);         /* first: no handler may run past this point */
	daemon_ui_free(d);
	for (size_t i = 0; i < d->np; i++)
		daemon_proj_clear(&d->p[i]);
	tend_intern_free(d->file_names); /* after the renders that name them */
	free(d->p);
	free(d->p_index);
	daemon_resync_stop(d);
	tend_strset_free(&d->in_git);
	tend_strvec_free(&d->tenant_status_due);
	tend_projects_free(&d->projects);
	tend_inputs_free(d->inputs);
	tend_kube_cache_free(d->cache);
	tend_reconciler_free(d->rec);
	tend_leader_free(d->leader);
	tend_kube_free(d->lease_kube);
	daemon_fetch_abandon(d);
	tend_kube_free(d->kube);
	tend_source_free(d->src);
	tend_strset_free(&d->cached_resources);
	tend_strset_free(&d->tried_kinds);
	tend_metrics_free(d->metrics);
	tend_config_free(&d->cfg);
	free(d->github_secret);
	free(d->gitlab_token);
	free(d->config_path);
	free(d->listen);
	free(d->lease_ns);
	free(d->lease_name);
	free(d->identity);
	free(d->revision);
	tend_revision_clear(&d->shown);
	free(d->source_error);
	free(d->generator_error);
	free(d->collisions);
	free(d->reload_error);
	free(d->run_error);
	pthread_mutex_destroy(&d->secret_lock);
	daemon_status_index_free(d);
	free(d->status_order);
	pthread_mutex_destroy(&d->status_lock);
	free(d);
}
