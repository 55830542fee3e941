/*
 * cmd.h — the subcommands of the tend program. Each parses its own
 * arguments, calls into libtend and turns the result into an exit code.
 */
#ifndef TEND_CMD_H
#define TEND_CMD_H

#include <stdbool.h>

#include "../../lib/config/config.h"
#include "../../lib/generator/generator.h"
#include "../../lib/reconcile/reconcile.h"
#include "../../lib/guard/guard.h"
#include "../../lib/source/source.h"

int cmd_render(int argc, char **argv);
int cmd_projects(int argc, char **argv);
int cmd_render_projects(const char *config, const char *source, const char *revision, bool json,
			const tend_kustomize_opts *opts, char **names, int n_names);
int cmd_version(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_preview(int argc, char **argv);
int cmd_grants(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* What every `-c tend.yaml` command works on. */
typedef struct cmd_ctx {
	tend_config cfg;
	tend_source *src;
	const tend_revision *rev; /* borrowed from src */
	tend_projects projects;
} cmd_ctx;

/* Loads tend.yaml (or defaults when config is NULL), updates the source
 * (falling back to the cached revision) and runs the generator. */
int cmd_ctx_open(cmd_ctx *c, const char *config, const char *source, const char *revision);
void cmd_ctx_close(cmd_ctx *c);

/* The cluster side of diff and sync (cluster.c). */
typedef struct cmd_cluster {
	tend_kube_config *kcfg;
	tend_kube *kube;
	tend_reconciler *rec;
	tend_reconcile_desired *desired; /* one per selected project, render failures included */
	tend_resmap *maps;
	char **errors;
	size_t n;
	bool complete; /* every project of the revision was selected */
} cmd_cluster;

/* Connects to the cluster of c's tend.yaml and renders the named projects (all when none). */
int cmd_cluster_open(cmd_cluster *cl, const cmd_ctx *c, char **names, int n_names,
		     const tend_reconcile_options *o);
void cmd_cluster_close(cmd_cluster *cl);
/*
 * What check, preview and grants review: the config repo as it is on disk.
 * A local source (a directory, a working copy) is read as it stands, never
 * through the cache, so uncommitted work is checked too; a remote source is
 * fetched as cmd_ctx_open does. `hist` is the Git repository holding the
 * root (NULL when there is none and history was not required).
 */
typedef struct cmd_review {
	cmd_ctx c;          /* cfg and projects; src and rev only for a remote source */
	char *root;         /* the config repo's root directory */
	tend_history *hist; /* NULL outside Git */
} cmd_review;

int cmd_review_open(cmd_review *r, const char *config, bool need_history);
void cmd_review_close(cmd_review *r);

/* Today's date (UTC) as YYYY-MM-DD, or `override` when it is a valid date. */
int cmd_today(const char *override, char out[11]);

/* Prints "tend: error: <last error>" to stderr; returns the exit code given. */
int cmd_fail(int code);

#endif
