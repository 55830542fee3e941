/*
 * review.h — what a pull request does, before merge: which projects a
 * change touches, the per-object difference of their rendered output
 * between two revisions, the changes admins must look at first, guardrail
 * reports in the formats CI wants, and the history of grants.
 *
 * Pure: reads files under the roots it is given and the objects it is
 * handed; Git access is the caller's (lib/source). Output is deterministic
 * for the same input, so it can be compared with golden files.
 *
 * Memory: every struct owns its strings until its *_free().
 */
#ifndef TEND_REVIEW_H
#define TEND_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"
#include "../generator/generator.h"
#include "../guard/guard.h"
#include "../kustomize/kustomize.h"
#include "../source/source.h"
#include "../util/util.h"

/* ---- inputs.c: which projects a change touches ---- */

/*
 * The directories (relative to the root, cleaned; may start with "../")
 * whose files the build of the project in `dir` can read: its own directory
 * and, transitively, every directory its kustomizations name under
 * resources, bases, components, generators, transformers and validators.
 * Under kustomize's load restrictor every file a build reads lies below one
 * of them; every other path they name (a file, a base that is not there)
 * is listed too, as a change there changes the build. A kustomization that
 * cannot be read adds nothing more. A
 * tend_inputs reads each kustomization of one tree once.
 */
typedef struct tend_inputs tend_inputs;
tend_inputs *tend_inputs_new(const char *root);
void tend_inputs_free(tend_inputs *in);
void tend_inputs_of(tend_inputs *in, const char *dir, tend_strvec *out);

/*
 * The graph kept per revision. Advance moves it to the tree at `root`,
 * forgetting only what a change (paths relative to the root) can alter:
 * a directory a changed path lies below, or one naming a path a change lies
 * below. A copy starts at `root` with what `from` knows.
 */
void tend_inputs_advance(tend_inputs *in, const char *root, const tend_strvec *changed);
tend_inputs *tend_inputs_copy(const tend_inputs *from, const char *root);
/* Sets affected[i] for each project whose build reads a path of `changed`:
 * the graph is completed for the projects (reading only what it does not
 * know), then walked backwards from the directories holding a change. */
void tend_inputs_affected(tend_inputs *in, const tend_projects *ps, const tend_strvec *changed,
                          bool *affected);
/* Saving a graph under a commit (only what was read; atomically, by rename)
 * and loading it again: NULL when absent or not a saved graph. */
int tend_inputs_save(const tend_inputs *in, const char *path);
tend_inputs *tend_inputs_load(const char *path, const char *root);

/* Whether any of `changed` (paths relative to root) lies in one of `inputs`. */
bool tend_review_touches(const tend_strvec *inputs, const tend_strvec *changed);

/*
 * The paths that differ between `base` and `head` (the working tree when
 * head is NULL), relative to the config root (the history's prefix). Sets
 * *everything when one of them is `config_rel` (tend.yaml, relative to the
 * root; may be NULL): it holds the guardrails, so it touches every project.
 */
int tend_review_changes(tend_history *h, const char *base, const char *head, const char *config_rel,
                        tend_strvec *out, bool *everything);

/* Sets affected[i] for each project whose inputs (at `root`) a change touches. */
void tend_review_affected(const tend_projects *ps, const char *root, const tend_strvec *changed,
                          bool *affected);

/* Kustomization files the graph read since it was made or loaded. */
size_t tend_inputs_reads(const tend_inputs *in);

/*
 * What is kept per commit (cache.c). The file of one `kind` ("inputs",
 * "projects") for a commit, under cache_dir/kind (created), named by the sha
 * and the config root's place (prefix) in the repository; NULL without a
 * commit sha. Caller frees.
 */
char *tend_review_cache_path(const char *cache_dir, const char *kind, const char *sha,
                             const char *prefix);
/* The projects of commit sha, whose tree the caller has at `root`: the list
 * saved for it, else the generator's run over root, then saved. */
int tend_review_projects_of(const tend_config *cfg, const char *sha, const char *prefix,
                            const char *root, tend_projects *out);
/* The list saved for revision rev, if there is one this version can take
 * (-1 when there is none: nothing is generated). */
int tend_review_projects_saved(const tend_config *cfg, tend_history *h, const char *rev,
                               tend_projects *out);
/*
 * Saves the projects of revision rev, made from `from` (the projects of
 * another tree, the working tree say) and `changed`, every path where the
 * two differ: only the directories holding a change are read from rev's
 * tree. Nothing is saved when a project of the result is not in rev's tree
 * (a directory Git ignores, say) or anything fails.
 */
void tend_review_projects_derive(const tend_config *cfg, tend_history *h, const char *rev,
                                 const tend_projects *from, const tend_strvec *changed);

/*
 * tend_review_affected for `root` (the working tree) changed since commit
 * `base`: through the graph of base saved in cfg's cache (made from base's
 * tree and saved when it is not there yet), advanced by the change, so a
 * later run reads only the kustomizations the change touched.
 */
void tend_review_affected_since(const tend_config *cfg, tend_history *h, const char *base,
                                const char *root, const tend_projects *ps,
                                const tend_strvec *changed, bool *affected);

/* ---- check.c ---- */

/*
 * Renders one project and checks it: a bad project.yaml (rule
 * "project.yaml"), a failed build ("render") and every broken guardrail
 * become violations in `out`, located at the file and line to fix. Returns
 * 0 with the objects in `objects` when it rendered, else -1 (objects empty).
 */
int tend_review_check_project(const tend_config *cfg, const tend_project *p, const char *root,
                              const tend_kustomize_opts *opts, const char *today,
                              tend_resmap *objects, tend_violations *out);

/*
 * Checks the projects marked in `wanted` on `threads` threads (0: one per
 * CPU), each with its own kustomize cache, and appends their violations in
 * project order, so the report does not depend on scheduling. Returns the
 * number of projects checked.
 */
size_t tend_review_check_projects(const tend_config *cfg, const tend_projects *ps,
                                  const bool *wanted, const char *root, const char *today,
                                  int threads, tend_violations *out);

/* ---- textdiff.c ---- */

/* Appends a unified diff (3 lines of context, @@ hunks, no file header) of
 * two texts; appends nothing when they are equal. */
void tend_review_unified_diff(const char *a, const char *b, tend_buf *out);

/* ---- preview.c: the rendered change of projects between two revisions ---- */

typedef enum tend_change { TEND_ADDED, TEND_REMOVED, TEND_CHANGED } tend_change;

typedef struct tend_object_change {
	tend_change change;
	char *object; /* "Kind/namespace/name" or "Kind/name" */
	char *kind;
	char *diff; /* unified diff of the object's YAML (whole object when added/removed) */
} tend_object_change;

/* What admins look at first, in this order in every report. */
typedef enum tend_callout_kind {
	TEND_CALLOUT_DELETED,   /* a project goes away (prune count) */
	TEND_CALLOUT_NEW,       /* a new project */
	TEND_CALLOUT_QUOTA,     /* ResourceQuota / LimitRange values */
	TEND_CALLOUT_GRANT,     /* project.yaml grants */
	TEND_CALLOUT_RBAC,      /* Roles and bindings */
	TEND_CALLOUT_PRUNE,     /* objects a merge deletes from a remaining project */
	TEND_CALLOUT_VIOLATION, /* guardrails broken at the head revision */
	TEND_CALLOUT_ERROR,     /* the project does not render at the head revision */
	TEND_CALLOUT_KINDS
} tend_callout_kind;

typedef struct tend_callout {
	tend_callout_kind kind;
	char *text;
} tend_callout;

typedef enum tend_project_status {
	TEND_PROJECT_CHANGED,
	TEND_PROJECT_NEW,
	TEND_PROJECT_DELETED,
	TEND_PROJECT_UNCHANGED
} tend_project_status;

typedef struct tend_project_preview {
	char *name;
	char *dir;
	tend_project_status status;
	size_t added, removed, changed; /* object counts */
	tend_object_change *changes;
	size_t n_changes;
	tend_callout *callouts;
	size_t n_callouts;
	tend_violations violations; /* at the head revision */
} tend_project_preview;

typedef struct tend_preview {
	char base[41], head[41];
	tend_project_preview *projects;
	size_t len;
	/* unified diff of the config repo's guard (TEND_GUARD_FILE) from base
	 * to head, NULL when it did not change: every project is judged anew */
	char *guard_diff;
} tend_preview;

/* One side of a preview: a project's metadata and its rendered objects (or
 * the render error) at one revision; project NULL when it does not exist there. */
typedef struct tend_preview_side {
	const tend_project *project;
	const tend_resmap *objects; /* NULL when it failed to render */
	const char *error;          /* render error, when objects is NULL */
} tend_preview_side;

/* Compares one project's two sides and appends the result (status
 * UNCHANGED when nothing differs). `violations` (at head) is taken over. */
void tend_preview_add(tend_preview *pv, const char *name, const tend_preview_side *base,
                      const tend_preview_side *head, tend_violations *violations);
/* Appends src's projects to dst and leaves src empty. */
void tend_preview_move(tend_preview *dst, tend_preview *src);
/* After every project is added: each removed Namespace ("deletes Namespace X
 * and everything in it") and data-bearing object (PersistentVolumeClaim,
 * StatefulSet, ...) is called out — or named a hand-over when another
 * project of the preview adds the same object. */
void tend_preview_deletions(tend_preview *pv);
void tend_preview_free(tend_preview *pv);

/*
 * The whole preview between two revisions of the repository `h`: both are
 * written to temporary trees ($TMPDIR, else /dev/shm, else /tmp; removed
 * afterwards), their projects found with cfg's generator rules, and every
 * project a change touches (see tend_inputs_of; every project when the
 * changed paths include `config_rel`, tend.yaml relative to the config
 * root, or NULL) rendered at both revisions on `threads` threads (0: one
 * per CPU) and compared, in name order.
 */
int tend_preview_run(const tend_config *cfg, tend_history *h, const char *config_rel,
                     const char *base, const char *head, const char *today, int threads,
                     tend_preview *pv);
/* The same, with head NULL meaning the working tree whose config root is
 * `worktree` (uncommitted edits included; the head sha is then ""). */
int tend_preview_run_worktree(const tend_config *cfg, tend_history *h, const char *config_rel,
                              const char *base, const char *head, const char *worktree,
                              const char *today, int threads, tend_preview *pv);

/* Reports: "text", "markdown" or "json". */
int tend_preview_format(const tend_preview *pv, const char *format, tend_buf *out);

/* ---- report.c: guardrail reports ---- */

/* "text", "github" (workflow commands, paths prefixed with `path_prefix` so
 * they are relative to the repository's top) or "json". Text ends with a
 * summary line "N projects checked: ..." unless `checked` is 0. */
int tend_violations_format(const tend_violations *v, size_t checked, const char *format,
                           const char *path_prefix, tend_buf *out);

/* ---- grants.c: add-ons and grants with their history ---- */

typedef struct tend_grant_entry {
	char *project;
	char *addon;
	bool granted;        /* a grant in project.yaml */
	bool used;           /* the add-on is a component of the project */
	bool requires_grant; /* guard.addons says so */
	char *until;         /* NULL: no end */
	char *reason;
	bool expired;
	bool expiring; /* ends within guard.grantWarningDays */
	/* the oldest commit of the unbroken run in which the grant (else the
	 * add-on) is present, back from the head revision; sha "" when unknown */
	char since_sha[41];
	char *since_author;
	int64_t since_time;
} tend_grant_entry;

typedef struct tend_grant_list {
	tend_grant_entry *items;
	size_t len;
} tend_grant_list;

/*
 * Lists every project's add-ons (the components of its kustomization, named
 * by their directory) and grants. With
 * history (may be NULL) and `rev`, fills `since` from the first-parent
 * history of project.yaml / kustomization.yaml. `prefix` is the root's
 * place in the repository (tend_history_prefix).
 */
int tend_grants_collect(const tend_guard_config *g, const tend_projects *ps, const char *root,
                        tend_history *h, const char *rev, const char *today, tend_grant_list *out);
void tend_grant_list_free(tend_grant_list *l);
/* expired, expiring, unused, no-grant, granted or add-on. */
const char *tend_grant_status(const tend_grant_entry *e);
/* When a grant with this `until` (YYYY-MM-DD) stops counting, in seconds
 * since the epoch: the midnight (UTC) after its last day. The daemon
 * exports it as tend_grant_expiry_timestamp_seconds. */
int tend_grant_expiry(const char *until, int64_t *ts);
/* "text" or "json"; only expired entries when `expired_only`. */
int tend_grants_format(const tend_grant_list *l, bool expired_only, const char *format,
                       tend_buf *out);

#endif
