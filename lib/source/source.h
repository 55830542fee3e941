/*
 * source.h — the Git source: clone once into a cache, fetch on each poll,
 * resolve the branch (or a fixed sha/tag) to a commit, and mount that
 * commit's tree (read from the object database, no checkout) at the path
 * the revision is known by, for readers going through lib/fs.
 *
 * Transports: https (token or username/password from files, a CA file),
 * ssh (private key; host keys checked against a known_hosts file, unknown
 * hosts refused unless insecureIgnoreHostKey), file:// and local paths.
 * A local directory that is not a Git repository is read as it is, which
 * is how a researcher renders a working copy.
 *
 * Safety: a failed fetch changes nothing: the last good revision stays
 * current and its tree stays mounted. Secrets are never logged.
 */
#ifndef TEND_SOURCE_H
#define TEND_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "../config/config.h"

typedef struct tend_revision {
	char sha[41];  /* "" for a plain directory */
	char *dir;     /* the tree to read (owned path; a Git revision's is a mount, see lib/fs) */
	char *author;  /* "Name <email>" */
	int64_t time;  /* commit time, seconds since the epoch */
	char *subject; /* first line of the message */
	bool history_rewritten; /* the branch moved to a commit that does not descend from the last one */
} tend_revision;

typedef struct tend_source tend_source;

/* Packs the cache's repository may hold before it is fetched afresh into one. */
#define TEND_SOURCE_MAX_PACKS 32

/* Prepares a source from the configuration (paths resolved against base_dir). */
int tend_source_open(const tend_source_config *cfg, const char *base_dir, tend_source **out);
void tend_source_free(tend_source *s);

/*
 * Fetches and checks out the configured revision, then makes it current.
 * On failure the current revision is unchanged and the error says why
 * (unreachable, authentication, host key, unknown revision).
 */
int tend_source_update(tend_source *s);

/* The current revision, or NULL before the first successful update (borrowed). */
const tend_revision *tend_source_current(const tend_source *s);

/* Loads the last good revision left in the cache by an earlier process. */
int tend_source_load_cached(tend_source *s);

/* True when the source is a plain directory (no Git). */
bool tend_source_is_plain_dir(const tend_source *s);

void tend_revision_clear(tend_revision *r);

/* Whether a source URL names a local directory (a working copy or a plain
 * tree) rather than a repository to clone (https, ssh, file://). */
bool tend_source_url_is_directory(const char *url);

/* The cache's bare repository of a Git source (owned by s), NULL for a plain directory. */
const char *tend_source_repo_path(const tend_source *s);

/*
 * A commit's tree as a filesystem (tree.c), read from the object database of
 * the repository at repo_path without a checkout: `rev` names the commit,
 * `root` the path the tree is known by (never created). Blobs over
 * max_file_size are refused from their header, never inflated. The result
 * is safe to share between threads; free it with tend_fs_free.
 */
struct tend_fs;
int tend_source_tree_fs(const char *repo_path, const char *rev, const char *root,
			int64_t max_file_size, struct tend_fs **out);

/*
 * History (revision.c): a repository read for review — `tend check --base`,
 * `tend preview`, `tend grants` — without touching its working tree, index
 * or refs. Paths in and out are relative to the repository's top.
 */
typedef struct tend_history tend_history;

/* Opens the repository holding `dir` (a working copy, found by searching
 * upward, or a bare repository). */
int tend_history_open(const char *dir, tend_history **out);
void tend_history_free(tend_history *h);
/* Where the opened directory lies in the repository: "" or "a/b" (borrowed). */
const char *tend_history_prefix(const tend_history *h);
/* Resolves a revision (sha, branch, tag, HEAD~1) to a commit sha. */
int tend_history_resolve(tend_history *h, const char *rev, char sha[41]);
/* The tree of commit `rev` as a filesystem known by `root` (see
 * tend_source_tree_fs): nothing is written out. */
int tend_history_tree_fs(tend_history *h, const char *rev, const char *root,
			 int64_t max_file_size, struct tend_fs **out);
/* Appends the paths that differ between `base` and `head`, or between `base`
 * and the working tree (untracked files included) when head is NULL. */
int tend_history_changes(tend_history *h, const char *base, const char *head, tend_strvec *out);
/* Keeps the paths two trees differ in under `dir` (made, 0700), named by the
 * trees' ids, for the next tend_history_changes of the same trees. */
void tend_history_keep_diffs(tend_history *h, const char *dir);
/* What such a kept file holds, read from text (0), or -1 when it is not one
 * whole: the fuzz target's entry. */
int tend_history_diff_parse(const char *text, size_t len, tend_strvec *out);

typedef struct tend_file_version {
	char sha[41];  /* the commit that gave the file this content */
	char *author;  /* "Name <email>" */
	int64_t time;  /* commit time, seconds since the epoch */
	char *subject;
	char *content; /* NUL-terminated copy */
	size_t len;
} tend_file_version;

typedef struct tend_file_versions {
	tend_file_version *items; /* newest first */
	size_t len;
} tend_file_versions;

/* The contents `path` had along the first-parent history of `rev`, newest
 * first, back to the commit that created it; a content a merge brought in is
 * credited to the merged branch's commit that made it (its author, not the
 * merger). Empty when rev has no such file. */
int tend_history_file_versions(tend_history *h, const char *rev, const char *path,
			       tend_file_versions *out);
void tend_file_versions_free(tend_file_versions *v);

/*
 * Makes `dir`, which holds the files already written, a Git repository
 * whose branch `branch` (HEAD) has one commit of every file under it
 * (.gitignore honoured), with `message`. Author and committer are
 * GIT_AUTHOR_* / GIT_COMMITTER_* from the environment, else user.name and
 * user.email, else "tend init". Writes the commit's sha into sha (may be
 * NULL). An existing repository is an error.
 */
int tend_source_init_repo(const char *dir, const char *branch, const char *message,
                          char sha[41]);

#endif
