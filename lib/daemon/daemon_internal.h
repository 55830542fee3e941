/*
 * daemon_internal.h — what the files of lib/daemon share: the daemon's
 * state, one record per project, and the helpers between them.
 */
#ifndef TEND_DAEMON_INTERNAL_H
#define TEND_DAEMON_INTERNAL_H

#include "daemon.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "../config/config.h"
#include "../generator/generator.h"
#include "../kube/kube.h"
#include "../kustomize/kustomize.h"
#include "../reconcile/reconcile.h"
#include "../review/review.h"
#include "../serve/serve.h"
#include "../source/source.h"
#include "../ui/ui.h"
#include "../util/util.h"

#define DRIFT_EVENTS_KEPT 10

typedef struct tend_leader tend_leader;
typedef struct daemon_link daemon_link;

/* One drift seen on a managed object. */
typedef struct drift_event {
	int64_t wall_ms; /* epoch milliseconds */
	char *object;    /* "Kind/namespace/name" */
	char *kind;
	char *what; /* "modified" | "deleted" */
	bool reverted;
	char *field; /* the first managed field lost (".spec.replicas"), or NULL */
	char *owner; /* the manager that holds it now, or NULL (removed) */
} drift_event;

/* An object that keeps being changed back: reverts to it back off. */
typedef struct fight {
	char *object;
	int count;    /* drifts in a row, each within FIGHT_WINDOW_MS of the last */
	int64_t last; /* monotonic ms of the last drift */
} fight;

/* A Warning Event posted for an object's sync error (events.c): the same
 * error is not posted again while it lasts, before WARNING_REPEAT_MS. */
typedef struct warned {
	uint64_t key; /* of the object, the reason and the error message */
	int64_t at;   /* monotonic ms of the post */
} warned;

/* A live object of a project and its health, kept current by health.c. */
typedef struct obj_ref {
	const char *group, *kind, *ns, *name; /* into text */
	char *text; /* the four, one after another: one allocation per object */
	tend_health health;
	char *health_why; /* why not healthy, or NULL */
} obj_ref;

/* Rendered objects between syncs, as YAML text (rendered.c). */
typedef struct rendered {
	/* each object's document, the project's name in it replaced by a mark,
	 * in pool: projects from one base render many alike */
	const char **docs;
	/* the file each object came from, in two parts in pool: its directory up
	 * to the first "../" step (the project's, shared by its objects) and the
	 * rest (the base's, shared by every project); and the line */
	const char **dirs, **files;
	int *lines;
	size_t n;
	tend_intern *pool; /* the daemon's: every project names the base's files */
} rendered;

/* One project's object in the published status document: its part. */
typedef struct status_part {
	const char *name; /* the project's record's: records live as long as the daemon */
	size_t i;
} status_part;

/* A grant of d->grants by project name (ui.c), for a project's look-up. */
typedef struct grant_ref {
	const char *project;
	size_t i;
} grant_ref;

/* One resource of a ResourceQuota a project applies, as the cluster reports
 * it (quota.c): the quota controller sets status.hard and status.used. */
typedef struct quota_use {
	const char *ns, *quota, *resource; /* into text */
	/* quantities as written ("4", "100Gi"); used NULL until reported */
	const char *hard, *used;
	char *text; /* the five, one after another: one allocation per resource */
	double hard_value, used_value; /* as the gauges show them */
} quota_use;

typedef struct proj {
	char *name;
	const tend_project *meta; /* into d->projects; NULL once gone from Git */
	bool in_shard;
	/* Desired state: the last good render (of render_revision). */
	bool rendered;
	unsigned char render_hash[32];
	char *render_revision;
	char *render_error; /* the current revision's render or guard failure, or NULL */
	rendered desired;
	/* Scheduling. */
	bool due;          /* needs a sync */
	int64_t synced_at; /* when a sync of it last ended (monotonic ms), 0: never */
	int64_t due_at;    /* not before (monotonic ms) */
	int attempts;      /* failed syncs in a row */
	char *due_reason;  /* "revision", "drift", "resync", "retry" */
	/* What the last sync said. */
	bool synced_once;
	char *revision;
	char *status; /* tend_sync_status_name, "Pending", "RenderFailed" or "Blocked" */
	char *health;
	char *error;
	int64_t last_sync_wall_ms;
	double last_sync_seconds;
	obj_ref *objs; /* the objects of the last sync */
	quota_use *quota; /* its ResourceQuotas' resources, GPUs first */
	size_t n_quota;
	size_t n_objs;
	bool syncing;           /* in the run going on now */
	bool diff_due;          /* drift left alone (selfHeal off): diff it for the status */
	bool drift_during_sync; /* a managed field was lost while it ran */
	size_t n_objects, n_unchanged, n_created, n_updated, n_pruned, n_conflicts, n_errors,
	    n_kept, n_namespaces_kept;
	/* Drift. */
	drift_event *drift; /* DRIFT_EVENTS_KEPT of them once one is recorded, else NULL:
	                     * most projects never drift */
	size_t n_drift;     /* events recorded (ring index = n_drift % KEPT) */
	unsigned long drift_total;
	fight *fights;
	size_t n_fights;
	char *fighting; /* object currently backed off, or NULL */
	warned *warned; /* the Warnings of the last sync's errors */
	size_t n_warned;
	uint64_t tenant_status_key; /* of what its tend-status ConfigMap says, 0: unwritten */
	bool tenant_status_queued;  /* in d->tenant_status_due */
	char *tenant_status_message; /* its last sync's error, first failed object's why */
	char *tenant_status_ns;      /* where it was last written */
	char *commit_status_sha;     /* the commit that last changed its render, or NULL */
	uint64_t commit_status_key;  /* of the status last posted on it, 0: none */
	/* Suspended in the cluster (tend suspend; suspend.c): no sync, no revert. */
	bool suspended;
	char *suspended_at; /* RFC 3339, or NULL */
	/* Its object in the published status document (status.c), a part
	 * shared with each document published since it was printed: printed
	 * again only when it changed (daemon_proj_changed), so a publish costs
	 * what changed, not every project. */
	tend_serve_part *st_part;
	/* Its "resources" (the objects of the last sync report) and "events"
	 * (recent applies, prunes and failures, newest first), for the status
	 * page: JSON arrays kept only inside st_part, where they lie at these
	 * offsets (length 0: none), until a sync records new ones (ui.c) that
	 * wait here for the next print (ui_new). */
	size_t ui_res_off, ui_res_len, ui_ev_off, ui_ev_len;
	bool ui_new;
	char *ui_resources, *ui_events; /* while ui_new: the new arrays, or NULL */
	unsigned long st_gen;  /* d->status_gen it was printed at */
	bool st_stale;         /* changed since it was printed */
	bool st_due;           /* printed with nextSyncInSeconds, which moves with the clock */
	bool st_listed;        /* in the last document, its gauges set */
	/* What its gauges say (status.c): a series is rewritten only when its
	 * labels change, since each removal moves the family's later series. */
	char *gauge_status, *gauge_health; /* NULL: no series */
	bool quota_gauged;                 /* tend_quota_* are set from quota */
	bool quota_gauged_listed;          /* ... for a project listed then (or not) */
} proj;

struct tend_daemon {
	tend_daemon_options opt;
	char *config_path, *listen, *lease_ns, *lease_name, *identity;
	tend_config cfg;
	volatile sig_atomic_t stop, reload;
	/* Set by the HTTP thread: a webhook asked for a fetch. */
	atomic_int fetch_requested;
	/* Set by a standby's HTTP thread: the link passes the webhook to the leader. */
	atomic_int fetch_forward;
	pthread_mutex_t secret_lock; /* also guards the two below */
	int64_t reject_logged_at;    /* the last WARN line about a rejected webhook */
	unsigned long rejects_unlogged;

	tend_serve *http;
	tend_metrics *metrics;
	char *github_secret, *gitlab_token;
	size_t github_secret_len, gitlab_token_len;

	tend_kube *kube, *lease_kube;
	tend_kube_cache *cache;
	tend_intern
	    *file_names; /* every project's rendered documents and file names (rendered.c) */
	tend_strset cached_resources; /* "group/version/plural" with an informer */
	tend_strset tried_kinds;      /* "apiVersion|kind" looked up in discovery */
	const char *field_manager;    /* whose managedFields entry is tend's */
	tend_reconciler *rec;
	tend_leader *leader; /* the link thread's while it runs; NULL without election */
	daemon_link *link;   /* Lease renewals and API reachability (link.c) */
	unsigned term;       /* the link's term when this replica began leading */
	unsigned link_seen;  /* the link's changes last published */
	bool lease_lost;     /* this replica must stop acting (control_loop exits) */

	tend_source *src; /* only the fetch thread's while `fetching` */
	bool fetching, fetch_threaded;
	pthread_t fetch_thread;
	atomic_bool fetch_done;
	int fetch_rc;
	char *fetch_error;
	char *revision;      /* sha of the revision rendered, or NULL */
	tend_revision shown; /* author, subject and time of `revision` (no dir) */
	char render_day[11]; /* UTC date of the last full render (grants expire by date) */
	char *source_error;
	int64_t last_fetch_wall_ms;
	tend_projects projects; /* generator output at `revision` */
	/* the graph of kustomization inputs at `revision` (lib/review), advanced
	 * by each change so a commit reads what it touched; NULL when unknown */
	tend_inputs *inputs;
	char *generator_error;
	char *collisions; /* what settle_collisions logged last, one per line, or NULL */

	proj *p;
	size_t np;
	size_t *p_index; /* open addressing on the name: index + 1 into p, 0 empty */
	size_t p_index_cap;
	unsigned long p_generation; /* grows when a project is added or its meta changes */
	/* A full resync under way (sync.c): it runs a slice at a time, and due
	 * projects (drift, webhooks, manual syncs) go first between slices. */
	struct {
		bool running;
		size_t *queue; /* indices into p */
		size_t len, at;
		int64_t started; /* monotonic ms; projects synced since are skipped */
		size_t synced;   /* projects this resync ran itself */
		size_t slice;    /* projects in its next slice (0: SYNC_SLICE) */
		/* Its last step, the removal of projects gone from Git, reads every
		 * inventory: that LIST runs while due projects go on syncing. */
		tend_kube_request *list;
		bool listing, listed; /* in flight; ended (inventories, or list_error) */
		cJSON *inventories;
		char *list_error;
	} resync;
	size_t synced_since_trim;
	tend_strset in_git; /* names of d->projects, as of p_generation in_git_gen */
	unsigned long in_git_gen;
	bool first_render_done;
	bool complete_pending; /* a project left Git: the next run lists every project */
	bool ready;
	int64_t next_fetch, next_resync;
	int fetch_failures;
	bool force_render; /* after a reload: render again even at the same revision */
	char *reload_error;
	char *run_error; /* run-level problem of the last sync (projects guard) */
	int64_t last_publish;
	int64_t publish_cost_ms; /* what building the last status took */
	/* Where each project's object is in the published document, by name,
	 * for /api/v1/status?project=NAME (status.c publishes, http.c reads). */
	pthread_mutex_t status_lock;
	status_part *status_index; /* sorted by name */
	size_t status_n;
	uint64_t status_version; /* the "status" publish the index is of */
	int64_t boot_ms;         /* in ETags: a restart never repeats one */
	/* Printing each project's object again when it changed (status.c): */
	unsigned long status_gen; /* grows when every object must be printed again */
	bool status_cache_synced; /* what the last publish saw (health is shown once synced) */
	size_t *status_order;     /* indices into p of the listed projects, by name */
	size_t status_order_n;    /* 0 with status_order NULL: to be sorted again */
	size_t status_printed;    /* project objects printed by the last publish */
	unsigned long gauges_gen; /* status_gen the grant gauges were set at */
	/* The status page (ui.c): its routes, and "sync now" requests from the
	 * HTTP thread, checked against the names in ui_known. */
	tend_ui *ui;
	pthread_mutex_t ui_lock;
	bool ui_lock_ready;
	tend_strvec ui_requests;
	tend_strvec ui_suspends; /* "+NAME" suspend, "-NAME" resume (under ui_lock) */
	bool suspensions_read;   /* the cluster's suspensions were read at least once */
	tend_strset ui_known;
	unsigned long ui_known_gen; /* p_generation it was made at */
	tend_grant_list grants;     /* add-ons and grants at `revision` */
	grant_ref *grants_by_project; /* of grants, sorted by project (then as listed) */
	bool dirty;                 /* the status or metrics changed since the last publish */
	tend_strvec tenant_status_due; /* projects whose health changed (tenant_status.c) */
	struct daemon_notifier *notifier; /* commit statuses' thread (commit_status.c), or NULL */
};

/*
 * Renews the Lease when due (long work calls it between steps: a full run
 * of thousands of projects outlasts the renew deadline). False once it is
 * lost; the work then stops.
 */
bool daemon_keep_lease(tend_daemon *d);

/* Monotonic and wall clocks in milliseconds. */
int64_t daemon_now_ms(void);
int64_t daemon_wall_ms(void);
/* Resident set size of this process in kB (0 when unknown). */
long daemon_rss_kb(void);
/* With -vv: the resident set, the heap's use and the watch cache's size,
 * "memory: N kB <when> (...)". */
void daemon_log_memory(const tend_daemon *d, const char *when);

/* leader.c */
tend_leader *tend_leader_new(tend_kube *k, const char *ns, const char *name, const char *identity,
                             long duration_ms, long renew_deadline_ms, long retry_ms);
void tend_leader_free(tend_leader *l);
/* One step: 1 just became leader, -1 just lost it, 0 otherwise. */
int tend_leader_tick(tend_leader *l, int64_t now);
bool tend_leader_is_leading(const tend_leader *l);
int64_t tend_leader_next_attempt(const tend_leader *l);
const char *tend_leader_identity(const tend_leader *l);
/* True once per renewal that found a standby's fetch request on the Lease. */
bool tend_leader_take_fetch_request(tend_leader *l);
void tend_leader_release(tend_leader *l);

/* link.c: a thread with its own API connection that renews the Lease (or,
 * without election, asks for /version) every retry period and tracks
 * whether the API server answers. It takes k and lead (both NULL-safe to
 * free afterwards by the daemon once stopped). */
int daemon_link_start(tend_daemon *d, tend_kube *k, tend_leader *lead, long period_ms,
                      daemon_link **out);
/* Stops the thread; with release, a held Lease is released first. */
void daemon_link_stop(daemon_link *l, bool release);
bool daemon_link_leading(const daemon_link *l);
/* Acquisitions so far: a loss and a win between two looks still changes it. */
unsigned daemon_link_term(const daemon_link *l);
bool daemon_link_reachable(const daemon_link *l); /* true when l is NULL */
/* Grows at every change of reachability or its error (the status must show it). */
unsigned daemon_link_changes(const daemon_link *l);
/* Why the API server is unreachable (caller frees), or NULL. */
char *daemon_link_error(daemon_link *l, int64_t *since_wall_ms);
/* The status document's "cluster" object. */
void daemon_cluster_json(tend_daemon *d, cJSON *j);
/* Ready: caches synced and a revision rendered (or standing by), and the
 * API server answering. */
bool daemon_ready(const tend_daemon *d);

/* projects.c */
proj *daemon_proj_find(tend_daemon *d, const char *name);
proj *daemon_proj_add(tend_daemon *d, const char *name);
void daemon_proj_clear(proj *p);
void daemon_proj_mark(proj *p, const char *reason, int64_t at);
/* p's status changed: its object is printed again at the next publish.
 * Whatever writes a field the status shows of p calls it. */
void daemon_proj_changed(proj *p);
void daemon_proj_set_str(char **dst, const char *s);
/* Shortens s in place to at most max bytes, ending in ellipsis, never
 * inside a UTF-8 character (text for other systems must stay valid). */
void daemon_truncate_utf8(char *s, size_t max, const char *ellipsis);
/* A 64-bit key of the strings (NULL as ""), never 0: what changed, in one word. */
uint64_t daemon_key64(const char *const *parts, size_t n);
/* A Namespace kept for its data was annotated tend.dev/delete-namespace:
 * confirm: the next run removes it. */
void daemon_proj_namespace_event(tend_daemon *d, const cJSON *obj);
/* Remembers the objects of a sync report (NULL: forget them). */
void daemon_proj_set_objects(proj *p, const tend_reconcile_report *rep);

/* rendered.c: a project's render kept as text between syncs. */
/* Stores rm's objects (rm is left to the caller) and their hash; their
 * documents and file names are interned in pool, which must outlive r. */
int daemon_rendered_set(rendered *r, tend_intern *pool, const char *project, tend_resmap *rm,
                        unsigned char hash[32]);
/* The stored objects of project (the name they were stored with), loaded
 * again (caller frees out). */
int daemon_rendered_load(const rendered *r, const char *project, tend_resmap *out);
void daemon_rendered_clear(rendered *r);

/* fetch.c: tend_source_update on a thread of its own. */
void daemon_fetch_start(tend_daemon *d);
/* True once a started fetch has ended: *rc, and *error (caller frees) on failure. */
bool daemon_fetch_finished(tend_daemon *d, int *rc, char **error);
/* Waits for a running fetch and drops its result (a reload or a stop). */
void daemon_fetch_abandon(tend_daemon *d);

/* revision.c: after a fetch (update_rc, update_error: its outcome), generate
 * and render; marks projects whose render changed. */
int daemon_revision_update(tend_daemon *d, int update_rc, const char *update_error,
                           bool force_render);

/*
 * sync.c: one step of syncing: a slice of the due projects (drift, manual
 * and confirmed syncs first, then revisions, then retries), or, when none
 * is due, a slice of the full resync under way. complete starts a resync
 * (listing every project, the last slice removing those gone from Git).
 * Returns true when work is left (call again soon), false when idle.
 */
bool daemon_sync_due(tend_daemon *d, bool complete);
bool daemon_resync_running(const tend_daemon *d);
/* Abandons a resync under way (its inventories' LIST cancelled). */
void daemon_resync_stop(tend_daemon *d);
/* Projects in the next resync slice after m took took_ms. */
size_t daemon_resync_slice_size(size_t m, int64_t took_ms);
int64_t daemon_next_due(const tend_daemon *d);
/* Dry runs of the projects with drift selfHeal leaves alone: OutOfSync and
 * each differing object's diff in the status. */
void daemon_diff_due(tend_daemon *d);

/* drift.c: the watch cache whose events mark drifted projects. */
tend_kube_cache *daemon_cache_new(tend_daemon *d);
/* Adds informers for the resource types of rendered objects (once per kind)
 * and of everything the reconciler applied, that have none yet. */
void daemon_watch_rendered(tend_daemon *d, const tend_resmap *rm);
void daemon_watch_new_resources(tend_daemon *d);
/* After a successful sync: the project's pending drift events were reverted. */
void daemon_drift_reverted(tend_daemon *d, proj *p);
/* quota.c: a project's ResourceQuota as the watch cache sees it (gone: deleted). */
void daemon_quota_track(tend_daemon *d, proj *p, const cJSON *obj, bool gone);
void daemon_quota_clear(proj *p);
/* Sets p's tend_quota_hard / tend_quota_used gauges (its old ones removed first). */
void daemon_quota_gauges(tend_daemon *d, const proj *p);
cJSON *daemon_quota_json(const proj *p);
/* events.c: Kubernetes Events for a sync's reverts, prunes and failures. */
void daemon_events_post(tend_daemon *d, proj *p, const tend_reconcile_report *rep);

/* tenant_status.c: ConfigMap tend-status in the project's namespace, when
 * what it says changed: after a sync (publish), and when the health of its
 * objects changed (due, from a watch event; flush, from the loop). */
void daemon_tenant_status_publish(tend_daemon *d, proj *p, const tend_reconcile_report *rep);
void daemon_tenant_status_due(tend_daemon *d, proj *p);
void daemon_tenant_status_flush(tend_daemon *d);

/* commit_status.c: tend.yaml's commitStatus. mark: a commit changed the
 * project's render (or broke it); post: after its sync (rep), or when its
 * render fails (rep NULL), the outcome on that commit when it changed; stop:
 * ends the posting thread (pending dropped). */
void daemon_commit_status_mark(proj *p, const char *sha);
void daemon_commit_status_post(tend_daemon *d, proj *p, const tend_reconcile_report *rep);
void daemon_commit_status_stop(tend_daemon *d);

/* health.c: live health per object of the last sync, from the cache. */
/* Reads every object of p's last sync from the cache. */
void daemon_health_refresh(tend_daemon *d, proj *p);
/* A cache event for obj (gone: deleted): updates its project's record. */
void daemon_health_track(tend_daemon *d, const cJSON *obj, bool gone);
/* The worst health of p's objects; *why names the object (caller frees). */
tend_health daemon_health_of_project(const proj *p, char **why);

/* status.c: /api/v1/status and the metrics gauges from the project table. */
void daemon_publish(tend_daemon *d);
/* Every project's object is printed again at the next publish (the grants,
 * the configuration or the generator's output changed). */
void daemon_status_invalidate(tend_daemon *d);
void daemon_status_index_free(tend_daemon *d);
void daemon_declare_metrics(tend_metrics *m);
/* lib/kube's observer: one count per HTTP attempt, by verb and code. */
void daemon_count_api_request(void *ud, const char *method, long code);

/* suspend.c: suspended projects (in the cluster, or project.yaml) and
 * per-project selfHeal. */
bool daemon_proj_suspended(const tend_daemon *d, const proj *p);
bool daemon_proj_self_heal(const tend_daemon *d, const proj *p);
/* Reads the suspensions from the cluster; a project resumed elsewhere is
 * marked due. -1 when they cannot be read (then nothing may sync). */
int daemon_suspensions_refresh(tend_daemon *d, int64_t now);
/* Carries out the suspend/resume requests queued by the HTTP thread. */
void daemon_suspend_requests(tend_daemon *d, int64_t now);

/* http.c: the routes. */
void daemon_add_routes(tend_daemon *d);
/* Logs the count of rejected webhooks not logged yet, once their interval ended. */
void daemon_flush_rejected(tend_daemon *d);

/* ui.c: the status page's routes, its "sync now" requests and its fields. */
int daemon_ui_attach(tend_daemon *d);
/* A reload: read (and check) the new action token first, then apply it
 * once the new tend.yaml is in d->cfg (takes the token). */
int daemon_ui_read_token(const tend_config *cfg, char **token);
void daemon_ui_reloaded(tend_daemon *d, char *token);
void daemon_ui_free(tend_daemon *d);
void daemon_ui_take_requests(tend_daemon *d, int64_t now);
void daemon_ui_collect_grants(tend_daemon *d, const char *root);
void daemon_ui_record(proj *p, const tend_reconcile_report *rep); /* NULL: forget */
void daemon_ui_source_json(tend_daemon *d, cJSON *src);
/* The fields of p's status object only the page reads, but for its
 * resources and events (daemon_ui_project_part adds those). */
void daemon_ui_project_json(tend_daemon *d, const proj *p, cJSON *j);
/* p's part of the status document: fields (its other fields printed, an
 * object of len bytes) with its resources and events, the new ones or
 * those of its last part; p's offsets are set for the new part, which the
 * caller holds. Its last part again (one more reference) when that is
 * what it would make. */
tend_serve_part *daemon_ui_project_part(proj *p, const char *fields, size_t len);

#endif
