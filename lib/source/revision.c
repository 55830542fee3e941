/*
 * revision.c — reading a config repo's history without touching its
 * working tree or index: resolve a revision, write the tree of a commit into
 * a directory of its own, list the paths two revisions (or a revision and
 * the working tree) differ in, and the versions a file went through.
 *
 * Invariants: nothing here writes to the repository (no checkout, no index
 * update, no refs); every path handed out is relative to the repository's
 * top, so callers translate with tend_history_prefix().
 */
#include "source_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tend_history {
	git_repository *repo;
	char *prefix; /* where the opened directory lies in the repository: "" or "a/b" */
	char *diffs;  /* where diffs are kept, or NULL */
};

static int fail(const char *what)
{
	const git_error *e = git_error_last();
	return tend_err("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

int tend_history_open(const char *dir, tend_history **out)
{
	git_libgit2_init();
	git_repository *repo = NULL;
	if (git_repository_open_ext(&repo, dir, 0, NULL) != 0) {
		git_libgit2_shutdown();
		return tend_err("%s: not in a Git repository", dir);
	}
	tend_history *h = tend_xcalloc(1, sizeof(*h));
	h->repo = repo;
	const char *top = git_repository_workdir(repo);
	char real[PATH_MAX];
	if (top && realpath(dir, real)) {
		char *t = tend_path_clean(top);
		char *r = tend_path_relative(t, real);
		h->prefix = strcmp(r, ".") == 0 ? tend_xstrdup("") : tend_xstrdup(r);
		free(t);
		free(r);
	} else {
		h->prefix = tend_xstrdup("");
	}
	*out = h;
	return 0;
}

void tend_history_free(tend_history *h)
{
	if (!h)
		return;
	git_repository_free(h->repo);
	free(h->prefix);
	free(h->diffs);
	free(h);
	git_libgit2_shutdown();
}

const char *tend_history_prefix(const tend_history *h)
{
	return h->prefix;
}

/* A revision as Git spells it; in a source's cache, where branches are
 * fetched as origin/<branch>, a branch name means that remote branch. */
static int lookup_commit(tend_history *h, const char *rev, git_commit **out)
{
	git_object *obj = NULL;
	int rc = git_revparse_single(&obj, h->repo, rev);
	if (rc != 0) {
		char *remote = tend_xasprintf("refs/remotes/origin/%s", rev);
		rc = git_revparse_single(&obj, h->repo, remote);
		free(remote);
	}
	if (rc != 0 || git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT) != 0)
		rc = tend_err("revision \"%s\" not found in %s", rev, git_repository_path(h->repo));
	git_object_free(obj);
	return rc;
}

int tend_history_resolve(tend_history *h, const char *rev, char sha[41])
{
	git_commit *c = NULL;
	if (lookup_commit(h, rev, &c))
		return -1;
	git_oid_tostr(sha, 41, git_commit_id(c));
	git_commit_free(c);
	return 0;
}

int tend_history_tree_fs(tend_history *h, const char *rev, const char *root, int64_t max_file_size,
                         struct tend_fs **out)
{
	return tend_source_tree_fs(git_repository_path(h->repo), rev, root, max_file_size, out);
}

static void add_delta(const git_diff_delta *d, tend_strvec *out)
{
	if (d->old_file.path)
		tend_strvec_push(out, d->old_file.path);
	if (d->new_file.path && (!d->old_file.path || strcmp(d->new_file.path, d->old_file.path)))
		tend_strvec_push(out, d->new_file.path);
}

void tend_history_keep_diffs(tend_history *h, const char *dir)
{
	free(h->diffs);
	h->diffs = NULL;
	if (!dir)
		return;
	char *d = tend_xstrdup(dir);
	for (char *slash = d + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(d, 0700);
		*slash = '/';
	}
	mkdir(d, 0700);
	h->diffs = d;
}

/* Two commits' trees: the kept list, else the diff's paths, then kept. */
static int trees_changes(tend_history *h, git_tree *bt, git_tree *ht, tend_strvec *out)
{
	if (src_diff_load(h->diffs, git_tree_id(bt), git_tree_id(ht), out) == 0)
		return 0;
	git_diff_options o;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	git_diff *diff = NULL;
	if (git_diff_tree_to_tree(&diff, h->repo, bt, ht, &o))
		return fail("diff");
	/* The deltas' paths only: git_diff_foreach would load both sides of every
	 * changed file to tell binary from text, a large blob whole (twice over
	 * for a loose object: the file read, then inflated). */
	tend_strvec paths = TEND_STRVEC_INIT;
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++)
		add_delta(git_diff_get_delta(diff, i), &paths);
	git_diff_free(diff);
	src_diff_save(h->diffs, git_tree_id(bt), git_tree_id(ht), &paths);
	for (size_t i = 0; i < paths.len; i++)
		tend_strvec_push(out, paths.items[i]);
	tend_strvec_free(&paths);
	return 0;
}

/* The working tree: a stat per file (workdir.c), else libgit2's long way. */
static int worktree_changes(tend_history *h, git_tree *bt, const char *base, tend_strvec *out)
{
	if (git_repository_is_bare(h->repo))
		return tend_err("%s: a bare repository has no working tree to compare with %s",
		                git_repository_path(h->repo), base);
	if (src_workdir_changes(h->repo, git_tree_id(bt), h->diffs, out) == 0)
		return 0;
	git_diff_options o;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
	          GIT_DIFF_INCLUDE_TYPECHANGE;
	git_diff *diff = NULL;
	if (git_diff_tree_to_workdir_with_index(&diff, h->repo, bt, &o))
		return fail("diff");
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++)
		add_delta(git_diff_get_delta(diff, i), out);
	git_diff_free(diff);
	return 0;
}

int tend_history_changes(tend_history *h, const char *base, const char *head, tend_strvec *out)
{
	git_commit *bc = NULL, *hc = NULL;
	git_tree *bt = NULL, *ht = NULL;
	if (lookup_commit(h, base, &bc))
		return -1;
	int rc = 0;
	if (head && lookup_commit(h, head, &hc))
		rc = -1;
	else if (git_commit_tree(&bt, bc) != 0 || (hc && git_commit_tree(&ht, hc) != 0))
		rc = fail("read tree");
	if (!rc)
		rc = hc ? trees_changes(h, bt, ht, out) : worktree_changes(h, bt, base, out);
	git_tree_free(bt);
	git_tree_free(ht);
	git_commit_free(bc);
	git_commit_free(hc);
	return rc;
}

/* The blob a path names in a commit, or a zero oid when it names none. */
static void blob_at(git_commit *c, const char *path, git_oid *oid)
{
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	memset(oid, 0, sizeof(*oid));
	if (git_commit_tree(&t, c) == 0 && git_tree_entry_bypath(&e, t, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		git_oid_cpy(oid, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(t);
}

static void push_version(tend_history *h, git_commit *c, const git_oid *blob,
                         tend_file_versions *out)
{
	out->items = tend_xrealloc(out->items, (out->len + 1) * sizeof(*out->items));
	tend_file_version *v = &out->items[out->len++];
	memset(v, 0, sizeof(*v));
	git_oid_tostr(v->sha, sizeof(v->sha), git_commit_id(c));
	const git_signature *a = git_commit_author(c);
	v->author = tend_xasprintf("%s <%s>", a->name, a->email);
	v->time = (int64_t)git_commit_time(c);
	const char *summary = git_commit_summary(c);
	v->subject = tend_xstrdup(summary ? summary : "");
	git_blob *b = NULL;
	if (git_blob_lookup(&b, h->repo, blob) == 0) {
		v->len = (size_t)git_blob_rawsize(b);
		v->content = tend_xstrndup(git_blob_rawcontent(b), v->len);
	} else {
		v->content = tend_xstrdup("");
	}
	git_blob_free(b);
}

/*
 * The commit a merge took this blob from: on a merged (non-first) parent
 * that has it, the oldest commit of its first-parent run with that blob.
 * So a change made on a branch is credited to its author, not the merger.
 * NULL when no merged parent has the blob (the merge itself changed it).
 */
static git_commit *merged_origin(git_commit *merge, const char *path, const git_oid *blob)
{
	unsigned n = git_commit_parentcount(merge);
	for (unsigned i = 1; i < n; i++) {
		git_commit *c = NULL;
		git_oid at;
		if (git_commit_parent(&c, merge, i) != 0)
			continue;
		blob_at(c, path, &at);
		if (!git_oid_equal(&at, blob)) {
			git_commit_free(c);
			continue;
		}
		for (;;) {
			git_commit *up = NULL;
			if (git_commit_parentcount(c) == 0 || git_commit_parent(&up, c, 0) != 0)
				break;
			blob_at(up, path, &at);
			if (!git_oid_equal(&at, blob)) {
				git_commit_free(up);
				break;
			}
			git_commit_free(c);
			c = up;
		}
		return c;
	}
	return NULL;
}

/* Walks first parents: a version is recorded at the oldest commit of each
 * run of equal blobs, or, for a merge, at the merged commit that made it. */
int tend_history_file_versions(tend_history *h, const char *rev, const char *path,
                               tend_file_versions *out)
{
	memset(out, 0, sizeof(*out));
	git_commit *c = NULL;
	if (lookup_commit(h, rev, &c))
		return -1;
	git_oid cur;
	blob_at(c, path, &cur);
	while (c && !git_oid_is_zero(&cur)) {
		git_commit *parent = NULL;
		git_oid prev;
		memset(&prev, 0, sizeof(prev));
		if (git_commit_parentcount(c) > 0 && git_commit_parent(&parent, c, 0) == 0)
			blob_at(parent, path, &prev);
		if (!git_oid_equal(&prev, &cur)) {
			git_commit *origin = git_commit_parentcount(c) > 1
			                         ? merged_origin(c, path, &cur)
			                         : NULL;
			push_version(h, origin ? origin : c, &cur, out);
			git_commit_free(origin);
		}
		git_commit_free(c);
		c = parent;
		cur = prev;
	}
	git_commit_free(c);
	return 0;
}

void tend_file_versions_free(tend_file_versions *v)
{
	for (size_t i = 0; i < v->len; i++) {
		free(v->items[i].author);
		free(v->items[i].subject);
		free(v->items[i].content);
	}
	free(v->items);
	memset(v, 0, sizeof(*v));
}
