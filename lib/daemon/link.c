/*
 * link.c — the daemon's link to the API server, on a thread and a
 * connection of its own: it renews the Lease (with leader election) or
 * asks for /version (without) every retry period, whatever the control
 * loop is doing, and so knows whether the API server is reachable.
 *
 * Invariants: the Lease client and the tend_leader belong to this thread
 * while it runs (the control loop only reads the atomics below); a sync
 * slowed by 429s or 5xx never delays a renewal, since they share neither
 * thread nor connection. Every acquisition starts a new term, so the
 * control loop notices a loss even when the Lease was won back before it
 * looked.
 */
#include "daemon_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Consecutive failed attempts (no HTTP response) before the API server
 * counts as unreachable: one timeout on a busy node is not an outage. */
#define UNREACHABLE_AFTER 2

struct daemon_link {
	tend_daemon *d;
	tend_kube *k;      /* this thread's own client */
	tend_leader *lead; /* NULL without leader election */
	long period_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, release;
	atomic_bool leading;
	atomic_uint term; /* acquisitions so far */
	atomic_bool reachable;
	atomic_uint changes; /* reachability changes: the status must be published */
	/* Under lock: why it is unreachable, and since when (wall ms). */
	char *error;
	int64_t down_since_wall, down_since;
	/* This thread's only. */
	int failures;
	bool answered; /* the attempt now running got an HTTP response */
	bool ever_reached;
};

static void observe(void *ud, const char *method, long code)
{
	daemon_link *l = ud;
	if (code)
		l->answered = true;
	daemon_count_api_request(l->d, method, code);
}

/* One probe without leader election: any HTTP answer counts as reachable. */
static void probe_version(daemon_link *l)
{
	tend_kube_call c = {.method = "GET", .path = "/version"};
	long code = 0;
	tend_buf body = TEND_BUF_INIT;
	tend_kube_request_sync(l->k, &c, &code, &body);
	tend_buf_free(&body);
}

/* A standby's webhook: mark the Lease so the leader fetches. */
static void forward_fetch(daemon_link *l)
{
	tend_daemon *d = l->d;
	if (tend_kube_lease_request_fetch(l->k, d->lease_ns, d->lease_name))
		tend_log(TEND_LOG_WARN, "webhook: passing the delivery to the leader failed: %s",
		         tend_err_msg());
	else
		tend_log(TEND_LOG_INFO, "webhook: passed to the leader through lease %s/%s",
		         d->lease_ns, d->lease_name);
}

static void set_reachable(daemon_link *l, bool up, const char *why)
{
	tend_daemon *d = l->d;
	tend_metrics_set(d->metrics, "tend_cluster_reachable", NULL, up ? 1 : 0);
	if (up) {
		l->failures = 0;
		if (atomic_load(&l->reachable))
			return;
		pthread_mutex_lock(&l->lock);
		int64_t down_for = l->down_since ? daemon_now_ms() - l->down_since : 0;
		free(l->error);
		l->error = NULL;
		l->down_since = l->down_since_wall = 0;
		pthread_mutex_unlock(&l->lock);
		if (l->ever_reached)
			tend_log(
			    TEND_LOG_INFO,
			    "cluster: the API server is reachable again (unreachable for %.1f s)",
			    (double)down_for / 1000.0);
		l->ever_reached = true;
		tend_serve_publish(d->http, "cluster-down", NULL);
		atomic_store(&l->reachable, true);
		atomic_fetch_add(&l->changes, 1);
		return;
	}
	if (++l->failures < UNREACHABLE_AFTER || !atomic_load(&l->reachable)) {
		if (!atomic_load(&l->reachable)) {
			pthread_mutex_lock(&l->lock);
			if (!l->error || strcmp(l->error, why) != 0) {
				free(l->error);
				l->error = tend_xstrdup(why);
				atomic_fetch_add(&l->changes, 1);
				tend_serve_publish(d->http, "cluster-down", why);
			}
			pthread_mutex_unlock(&l->lock);
		}
		return;
	}
	pthread_mutex_lock(&l->lock);
	free(l->error);
	l->error = tend_xstrdup(why);
	l->down_since = daemon_now_ms();
	l->down_since_wall = daemon_wall_ms();
	pthread_mutex_unlock(&l->lock);
	tend_serve_publish(d->http, "cluster-down", why);
	atomic_store(&l->reachable, false);
	atomic_fetch_add(&l->changes, 1);
	tend_log(TEND_LOG_ERROR, "cluster: the API server is unreachable: %s", why);
}

/* One attempt (a Lease tick or a probe); the next one's time. */
static int64_t step(daemon_link *l)
{
	int64_t now = daemon_now_ms();
	l->answered = false;
	tend_err_clear();
	if (l->lead) {
		if (now < tend_leader_next_attempt(l->lead))
			return tend_leader_next_attempt(l->lead);
		if (atomic_exchange(&l->d->fetch_forward, 0))
			forward_fetch(l);
		int r = tend_leader_tick(l->lead, now);
		if (r > 0)
			atomic_fetch_add(&l->term, 1);
		atomic_store(&l->leading, tend_leader_is_leading(l->lead));
		if (tend_leader_take_fetch_request(l->lead) && atomic_load(&l->leading)) {
			tend_log(TEND_LOG_INFO, "webhook: a standby passed a delivery on");
			atomic_store(&l->d->fetch_requested, 1);
		}
	} else {
		probe_version(l);
	}
	set_reachable(l, l->answered, *tend_err_msg() ? tend_err_msg() : "no response");
	return l->lead ? tend_leader_next_attempt(l->lead) : now + l->period_ms;
}

static void *run(void *arg)
{
	daemon_link *l = arg;
	pthread_mutex_lock(&l->lock);
	while (!l->stop) {
		pthread_mutex_unlock(&l->lock);
		int64_t next = step(l);
		pthread_mutex_lock(&l->lock);
		while (!l->stop && daemon_now_ms() < next) {
			int64_t ms = next - daemon_now_ms();
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += ms / 1000;
			ts.tv_nsec += (ms % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L)
				ts.tv_sec++, ts.tv_nsec -= 1000000000L;
			pthread_cond_timedwait(&l->cond, &l->lock, &ts);
		}
	}
	bool release = l->release;
	pthread_mutex_unlock(&l->lock);
	if (release && l->lead)
		tend_leader_release(l->lead);
	atomic_store(&l->leading, false);
	return NULL;
}

int daemon_link_start(tend_daemon *d, tend_kube *k, tend_leader *lead, long period_ms,
                      daemon_link **out)
{
	daemon_link *l = tend_xcalloc(1, sizeof(*l));
	l->d = d;
	l->k = k;
	l->lead = lead;
	l->period_ms = period_ms > 0 ? period_ms : 2000;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&l->leading, false);
	atomic_init(&l->term, 0);
	atomic_init(&l->reachable, false);
	atomic_init(&l->changes, 0);
	tend_kube_set_observer(k, observe, l);
	/* Not ready before the first answer. */
	tend_serve_publish(d->http, "cluster-down", "the API server has not answered yet");
	tend_metrics_set(d->metrics, "tend_cluster_reachable", NULL, 0);
	if (pthread_create(&l->thread, NULL, run, l)) {
		pthread_cond_destroy(&l->cond);
		pthread_mutex_destroy(&l->lock);
		free(l);
		return tend_err("cluster link: cannot start a thread");
	}
	*out = l;
	return 0;
}

void daemon_link_stop(daemon_link *l, bool release)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = true;
	l->release = release;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l->error);
	free(l);
}

bool daemon_link_leading(const daemon_link *l)
{
	return l && atomic_load(&((daemon_link *)l)->leading);
}

unsigned daemon_link_term(const daemon_link *l)
{
	return l ? atomic_load(&((daemon_link *)l)->term) : 0;
}

bool daemon_link_reachable(const daemon_link *l)
{
	return !l || atomic_load(&((daemon_link *)l)->reachable);
}

unsigned daemon_link_changes(const daemon_link *l)
{
	return l ? atomic_load(&((daemon_link *)l)->changes) : 0;
}

char *daemon_link_error(daemon_link *l, int64_t *since_wall_ms)
{
	*since_wall_ms = 0;
	if (!l)
		return NULL;
	pthread_mutex_lock(&l->lock);
	char *e = l->error ? tend_xstrdup(l->error) : NULL;
	*since_wall_ms = l->down_since_wall;
	pthread_mutex_unlock(&l->lock);
	return e;
}

void daemon_cluster_json(tend_daemon *d, cJSON *j)
{
	int64_t since = 0;
	char *e = daemon_link_error(d->link, &since);
	cJSON_AddBoolToObject(j, "reachable", daemon_link_reachable(d->link));
	if (e)
		cJSON_AddStringToObject(j, "error", e);
	else
		cJSON_AddNullToObject(j, "error");
	if (since) {
		char buf[TEND_RFC3339_LEN];
		tend_rfc3339(buf, (time_t)(since / 1000));
		cJSON_AddStringToObject(j, "unreachableSince", buf);
	}
	free(e);
}

bool daemon_ready(const tend_daemon *d)
{
	return d->ready && daemon_link_reachable(d->link);
}
