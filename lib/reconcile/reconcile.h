/*
 * reconcile.h — making the cluster match Git, project by project: the
 * normalised diff, server-side apply in order, the per-project inventory
 * kept in the cluster, prune with its guard, ownership and health.
 *
 * How a run works (tend_reconcile_run):
 *   1. read every project's inventory (a ConfigMap per project in the
 *      inventory namespace) and the live objects (LISTs per resource type,
 *      or the caller's watch cache);
 *   2. per desired object: a conflict if a live object is tracked by another
 *      project (or by nobody and adoption is off); unchanged if the live
 *      object already holds every desired value on fields tend owns and tend
 *      owns nothing more; otherwise it needs an apply;
 *   3. diff mode: a server-side apply dry run per changed object, compared
 *      with live on the fields tend manages only, so defaults, quantity
 *      spelling, server metadata and other managers' fields (an admission
 *      mutation) are never drift;
 *   4. apply mode: the inventory first grows to old + new (a crash never
 *      forgets an object), then Namespaces, CRDs (wait Established, refresh
 *      discovery), other cluster-scoped kinds, namespaced kinds in kustomize
 *      order (workloads last), each phase concurrently (bounded); then prune
 *      of objects in the old inventory and not in the new render whose
 *      tracking annotation still names the project, Namespaces last,
 *      background propagation; then the inventory shrinks to what exists.
 *
 * Safety: a project whose render (or guard) failed is neither applied nor
 * pruned. A project that would lose more than the prune guard's share of
 * its objects (at least one object may always go) is applied but not
 * pruned. When the run is told it holds every project of the revision,
 * projects with an inventory but no render are removed — unless more than
 * the guard's share of projects would go, in which case none is.
 *
 * Threading: a reconciler belongs to the thread of its tend_kube.
 * Memory: reports and results own their strings until *_free.
 */
#ifndef TEND_RECONCILE_H
#define TEND_RECONCILE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "../generator/generator.h"
#include "../kube/kube.h"
#include "../kustomize/kustomize.h"
#include "../util/util.h"

/* Every object tend applies carries this label and annotation. */
#define TEND_MANAGED_BY_LABEL "app.kubernetes.io/managed-by"
#define TEND_MANAGED_BY_VALUE "tend"
#define TEND_MANAGED_SELECTOR "app.kubernetes.io/managed-by=tend"
/* "<project>:<group>/<Kind>:<namespace>/<name>" (namespace empty when cluster-scoped). */
#define TEND_TRACKING_ANNOTATION "tend.dev/tracking-id"
/* Label of the inventory ConfigMaps; its value is the project name. */
#define TEND_INVENTORY_LABEL "tend.dev/inventory"
/* On a live object: "disabled" keeps it through prunes and project removal
 * (tend forgets it instead of deleting it). */
#define TEND_PRUNE_ANNOTATION "tend.dev/prune"
/* On a live object: "disabled" leaves it unmanaged: tend neither applies,
 * reverts nor prunes it (it stays in the inventory; removing the
 * annotation hands it back). */
#define TEND_MANAGED_ANNOTATION "tend.dev/managed"
/* Label of the ConfigMaps that suspend a project; its value is the project. */
#define TEND_SUSPENDED_LABEL "tend.dev/suspended"
/* A project's status where its researchers read it (the daemon writes it in
 * the project's namespace), labelled with the project; removal counts it
 * as the project's own, not as data. */
#define TEND_STATUS_CONFIGMAP "tend-status"
#define TEND_STATUS_OF_LABEL "tend.dev/status-of"
/* On a Namespace kept for the data in it: "confirm" lets the next removal
 * run delete it with everything in it. */
#define TEND_DELETE_NAMESPACE_ANNOTATION "tend.dev/delete-namespace"

/* ------------------------------------------------------------------------
 * Options and the reconciler (reconcile.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_reconcile_options {
	const char *field_manager;       /* default "tend" */
	bool force;                      /* SSA force=true (default true: Git wins) */
	bool prune;                      /* default true */
	int prune_guard_percent;         /* default 25; 100 disables the guard */
	long prune_guard_window_ms;      /* projects removed this long ago still count (1 h) */
	bool adopt;                      /* take over live objects nobody tracks (default false) */
	const char *inventory_namespace; /* default "tend-system" */
	int concurrency;                 /* requests in flight (default 16) */
	long crd_timeout_ms;             /* wait for CRDs to be Established (default 30000) */
	const tend_ignore_rule *ignore;  /* sync.ignoreDifferences (borrowed) */
	size_t n_ignore;
} tend_reconcile_options;

void tend_reconcile_options_default(tend_reconcile_options *o);
/* Defaults, then tend.yaml's sync section (strings borrowed from s). */
void tend_reconcile_options_from_config(tend_reconcile_options *o, const tend_sync_config *s);

typedef struct tend_reconciler tend_reconciler;

/* Borrows k (which must outlive it); copies o (NULL: defaults). */
int tend_reconciler_new(tend_kube *k, const tend_reconcile_options *o, tend_reconciler **out);
void tend_reconciler_free(tend_reconciler *r);
/*
 * Reads live objects from a watch cache instead of LISTing them each run.
 * The cache must hold every resource type tend applies (see
 * tend_reconciler_resources) without a label selector, and keep
 * managedFields; objects it lacks are fetched with a GET.
 */
void tend_reconciler_use_cache(tend_reconciler *r, tend_kube_cache *c);
/* Resource types seen in desired objects or inventories so far (borrowed). */
size_t tend_reconciler_resources(const tend_reconciler *r, const tend_kube_resource *const **out);

/* ------------------------------------------------------------------------
 * Desired state (desired.c)
 * ---------------------------------------------------------------------- */

/*
 * Renders a project and checks it against the guardrails of cfg (trusted
 * projects skip them). On a render error or a blocking violation returns
 * -1 with the reason (every violation, one per line) in tend_err_msg() and
 * leaves out empty. `today` is "YYYY-MM-DD" (NULL: the current UTC date).
 */
int tend_reconcile_render(const tend_config *cfg, const tend_project *p, const char *root,
                          const tend_kustomize_opts *ko, const char *today, tend_resmap *out);

/* One project as Git wants it. */
typedef struct tend_reconcile_desired {
	const char *project;
	const char *namespace;      /* for namespaced objects that name none */
	const char *revision;       /* recorded in the inventory and report; may be NULL */
	const tend_resmap *objects; /* NULL: the render failed, never apply or prune */
	const char *error;          /* why objects is NULL */
} tend_reconcile_desired;

/*
 * The checkout the objects' file names start with: messages show them
 * relative to it ("projects/alpha/app.yaml:3"). Copied; NULL clears it.
 */
void tend_reconciler_set_root(tend_reconciler *r, const char *root);

/* ------------------------------------------------------------------------
 * Running and reports (reconcile.c, report.c)
 * ---------------------------------------------------------------------- */

typedef enum tend_reconcile_mode {
	TEND_RECONCILE_DIFF,  /* dry runs only; each changed object gets a diff */
	TEND_RECONCILE_APPLY, /* apply, prune, record the inventory */
} tend_reconcile_mode;

typedef enum tend_action {
	TEND_ACTION_NONE,     /* live equals Git */
	TEND_ACTION_CREATE,   /* missing live */
	TEND_ACTION_UPDATE,   /* differs on fields tend manages */
	TEND_ACTION_PRUNE,    /* in the old inventory, gone from Git */
	TEND_ACTION_CONFLICT, /* tracked by another project, or unowned and not adoptable */
	TEND_ACTION_ERROR,    /* the API refused or failed */
	TEND_ACTION_KEEP,     /* would be pruned, but the prune guard or prune=false kept it */
} tend_action;

typedef enum tend_health {
	TEND_HEALTH_HEALTHY,
	TEND_HEALTH_PROGRESSING,
	TEND_HEALTH_MISSING,
	TEND_HEALTH_DEGRADED,
	TEND_HEALTH_UNKNOWN,
} tend_health; /* ordered: a project's health is its worst object's */

typedef struct tend_reconcile_object {
	char *api_version, *kind, *namespace, *name; /* namespace "" when cluster-scoped */
	char *id; /* "group/Kind:namespace/name", as in the tracking annotation */
	tend_action action;
	bool done; /* the apply or delete was carried out */
	tend_health health;
	char *health_message; /* why not healthy, or NULL */
	char *message;        /* conflict or error text, or NULL */
	char *diff;           /* diff mode: unified diff of YAML (live -> merged), or NULL */
} tend_reconcile_object;

typedef enum tend_sync_status {
	TEND_SYNC_SYNCED,          /* every object equals Git */
	TEND_SYNC_OUT_OF_SYNC,     /* diff mode: something would change */
	TEND_SYNC_FAILED,          /* an object failed, conflicted, or the render failed */
	TEND_SYNC_PRUNE_BLOCKED,   /* applied, but the prune guard kept objects */
	TEND_SYNC_REMOVED,         /* the project left Git and its objects were pruned */
	TEND_SYNC_REMOVAL_BLOCKED, /* the project left Git; the projects guard kept it whole */
	TEND_SYNC_NAMESPACE_KEPT,  /* tend's objects pruned; a Namespace kept for what else it holds
	                            */
} tend_sync_status;

typedef struct tend_reconcile_report {
	char *project;
	char *revision; /* may be NULL */
	tend_sync_status status;
	tend_health health;
	char *error; /* render error, prune-guard or API failure summary; NULL when fine */
	bool drift;  /* some live object differed from Git before this run */
	size_t n_unchanged, n_created, n_updated, n_pruned, n_conflicts, n_errors, n_kept;
	size_t n_handed_over;     /* objects another project of the run took over in place */
	size_t n_namespaces_kept; /* Namespaces not deleted: they hold objects not in Git */
	char *kept;       /* "namespace hpc kept: 1 PersistentVolumeClaim, ... not in Git" */
	char *not_in_git; /* diff mode: "namespace hpc holds 1 PersistentVolumeClaim not in Git" */
	tend_reconcile_object *objects;
	size_t n_objects;
	double seconds; /* wall time spent on this run (shared phases counted in full) */
} tend_reconcile_report;

typedef struct tend_reconcile_result {
	tend_reconcile_report *reports; /* one per input project, then one per removed project */
	size_t len;
	bool projects_guard_tripped; /* too many projects would have been removed; none was */
	char *error;                 /* run-level problem (projects guard, inventory), or NULL */
	unsigned long requests;      /* HTTP requests this run sent (tend_kube_stats delta) */
} tend_reconcile_result;

typedef struct tend_reconcile_run_opts {
	tend_reconcile_mode mode;
	/* The projects (with `others`) are every project of the revision: remove
	 * (prune) projects that have an inventory but are not listed, under the
	 * projects guard. */
	bool complete;
	/* With complete: the revision's projects synced in other runs (a long
	 * list is synced a slice at a time); NULL when the run lists them all. */
	const tend_strset *others;
	/* With complete: whether this run may remove `project` (a sharded
	 * replica removes only its own shard's); NULL: every project. */
	bool (*may_remove)(void *ud, const char *project);
	void *may_remove_ud;
	/* Every project of the revision (all shards), when known: an object
	 * tracked by a project not in it is handed over to the project that now
	 * declares it, in place, rather than reported as a conflict. */
	const tend_strset *revision_projects;
	/* With complete: every inventory, as the LIST that
	 * tend_reconcile_inventories_list_async made returned them (its items),
	 * read instead of listing them again; NULL: the run lists them. */
	const cJSON *inventories;
} tend_reconcile_run_opts;

/*
 * Reconciles n projects together. Returns 0 when the run happened (per
 * project failures are in the reports) and -1 when the API server could not
 * be used at all (out is then empty).
 */
int tend_reconcile_run(tend_reconciler *r, const tend_reconcile_desired *projects, size_t n,
                       const tend_reconcile_run_opts *o, tend_reconcile_result *out);
/*
 * Re-reads the live state of every object in res and updates health until
 * every project is healthy or timeout_ms passes (polls every 500 ms).
 * Returns 0 when all are healthy, -1 on timeout (message names one object
 * that is not).
 */
int tend_reconcile_wait(tend_reconciler *r, tend_reconcile_result *res, long timeout_ms);
void tend_reconcile_result_free(tend_reconcile_result *res);

/* The report as JSON (caller deletes): counts, status, health, objects. */
cJSON *tend_reconcile_report_json(const tend_reconcile_report *rep);
const char *tend_action_name(tend_action a);           /* "unchanged", "create", ... */
const char *tend_sync_status_name(tend_sync_status s); /* "Synced", "OutOfSync", ... */

/* ------------------------------------------------------------------------
 * Ownership (tracking.c)
 * ---------------------------------------------------------------------- */

/*
 * The project named by a live object's tracking annotation (caller frees),
 * or NULL when the object is not tracked by tend.
 */
char *tend_tracking_project(const cJSON *obj);
/*
 * Starts the LIST of every inventory on the reconciler's client, for a
 * complete run (opts.inventories): the caller's loop (tend_kube_step)
 * carries it while other work goes on; done receives the items. -1 when it
 * cannot be started (discovery lacks ConfigMaps).
 */
int tend_reconcile_inventories_list_async(tend_reconciler *r, tend_kube_list_done_fn done, void *ud,
                                          tend_kube_request **out);
/* The names of projects that have an inventory in the cluster. */
int tend_reconcile_inventoried(tend_reconciler *r, tend_strvec *out);

/* ------------------------------------------------------------------------
 * Sync options (syncopts.c, suspend.c)
 * ---------------------------------------------------------------------- */

/*
 * Whether every field tend's apply entry lost between old_obj and new_obj
 * (a watch update) is one sync.ignoreDifferences ignores on that object,
 * or the object is unmanaged (tend.dev/managed: disabled): no drift then.
 */
bool tend_reconcile_loss_ignored(const tend_reconciler *r, const cJSON *old_obj,
                                 const cJSON *new_obj);
/*
 * The projects suspended in the cluster (appended to projects; since, when
 * given, receives when each was suspended, RFC 3339). One LIST.
 */
int tend_reconcile_suspended(tend_reconciler *r, tend_strvec *projects, tend_strvec *since);
/* Suspends (records who asked: `by`) or resumes project in the cluster. */
int tend_reconcile_set_suspended(tend_reconciler *r, const char *project, bool suspended,
                                 const char *by);

/* ------------------------------------------------------------------------
 * Health (health.c)
 * ---------------------------------------------------------------------- */

/*
 * Health of one live object: Deployment, StatefulSet and DaemonSet rollout
 * (observedGeneration, updated/ready/available replicas), Job (Complete,
 * Failed), PersistentVolumeClaim (Bound), Namespace (Active), CRD
 * (Established); everything else is healthy once it exists. NULL: missing.
 * *why (optional) receives a reason when not healthy (caller frees).
 */
tend_health tend_health_of(const cJSON *live, char **why);
const char *tend_health_name(tend_health h); /* "Healthy", "Progressing", ... */

#endif
