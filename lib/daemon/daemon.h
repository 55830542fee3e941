/*
 * daemon.h — `tend run`: the controller that keeps the cluster equal to Git
 * for as long as it runs. It polls the source (webhooks wake it), re-renders
 * on a new revision and syncs the projects whose render changed, reverts
 * drift seen by the watch cache, resyncs everything every `sync.resync`, and
 * serves health, readiness, metrics, status and webhooks over HTTP.
 *
 * Failures stay per project and back off exponentially; an unreachable API
 * server or Git remote is survived and deletes nothing. With leader election
 * only the Lease holder acts; with shards each replica owns the projects
 * whose stable hash falls in its shard.
 *
 * Threading: tend_daemon_run() runs on the calling thread; the HTTP server
 * has its own. tend_daemon_signal() is async-signal-safe.
 * Memory: the daemon owns everything it creates; options are copied.
 */
#ifndef TEND_DAEMON_H
#define TEND_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

typedef struct tend_daemon_options {
	const char *config;          /* tend.yaml path (required) */
	const char *listen;          /* overrides serve.listen when set */
	bool leader_elect;           /* take a Lease before acting */
	const char *lease_namespace; /* default: $POD_NAMESPACE, else sync.inventoryNamespace */
	const char *lease_name;      /* default "tend", or "tend-shard-I" with shards */
	const char *identity;        /* default: $POD_NAME, else hostname_pid */
	long lease_duration_ms;      /* default 15000 */
	long renew_deadline_ms;      /* default 10000 */
	long retry_period_ms;        /* default 2000 */
	int shards;                  /* 0 or 1: no sharding */
	int shard_index;
	long drift_debounce_ms; /* wait for related events before reverting (default 50) */
	const char *kubeconfig; /* overrides cluster.kubeconfig when set (an absolute path) */
	const char *context;    /* overrides cluster.context when set */
} tend_daemon_options;

void tend_daemon_options_default(tend_daemon_options *o);

typedef struct tend_daemon tend_daemon;

/* Loads tend.yaml and starts the HTTP server; nothing touches the cluster yet. */
int tend_daemon_new(const tend_daemon_options *o, tend_daemon **out);
/* Runs until stopped; returns the process exit code (0 after a clean stop). */
int tend_daemon_run(tend_daemon *d);
void tend_daemon_free(tend_daemon *d);

typedef enum tend_daemon_signal_kind {
	TEND_DAEMON_STOP,   /* finish in-flight work, release the Lease, return */
	TEND_DAEMON_RELOAD, /* re-read tend.yaml; keep the old one if invalid */
} tend_daemon_signal_kind;
void tend_daemon_signal(tend_daemon *d, tend_daemon_signal_kind kind);

/* The shard (0..shards-1) a project belongs to: FNV-1a of its name. */
int tend_daemon_shard_of(const char *project, int shards);

/*
 * True when the Apply entry of `manager` in new's managedFields lacks a
 * field that old's had: somebody else took over (kubectl scale, label
 * --overwrite, edit, patch) or removed a field tend manages.
 */
struct cJSON;
bool tend_daemon_lost_fields(const struct cJSON *old_obj, const struct cJSON *new_obj,
                             const char *manager);

/*
 * Which field: the first path of old's Apply entry of `manager` that new's
 * lacks (".spec.replicas", ".metadata.labels.team"), and the manager whose
 * managedFields entry in new holds it now (NULL when none: it was removed).
 * Both caller-freed; *field stays NULL when nothing was lost.
 */
void tend_daemon_lost_field(const struct cJSON *old_obj, const struct cJSON *new_obj,
                            const char *manager, char **field, char **owner);

/* Exponential backoff with jitter: base * 2^(attempt-1), capped, ±10%. */
int64_t tend_daemon_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms);

#endif
