/*
 * workdir.c — the paths where a working tree differs from a commit, at the
 * cost of one stat per tracked file and one directory read per directory
 * (libgit2's working-tree diff stats every entry twice and probes every
 * directory for a nested repository: four times the system calls).
 *
 * Three parts, as `git status` sees them:
 *   committed and staged: the index written as a tree into an in-memory
 *     object store (the index's cached tree makes this nearly free), then
 *     diffed tree to tree with the commit, which skips every subtree the
 *     two share (or the diff kept for these two trees, diffs.c);
 *   unstaged: each tracked file whose stat data differs from the index's
 *     record, or that is racily clean (modified in the second the index was
 *     written), is hashed as Git would store it and compared;
 *   untracked: files no index entry names and no ignore rule hides.
 *
 * Invariants: nothing is written to the repository (the object store the
 * index tree goes to lives in memory, on a handle of its own); the result
 * may name a path that did not change (a file whose filters make its hash
 * differ), never misses one that did; where this way cannot be taken (an
 * index with conflicts or whose tree cannot be written, a directory that
 * cannot be read, a handle that does not see the same working tree), it
 * says so and the caller diffs the long way.
 */
#include "source_internal.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct scan {
	git_repository *repo; /* a handle of its own, its objects written in memory */
	git_index *index;
	const char *workdir;   /* with a trailing '/' */
	struct timespec stamp; /* the index file's mtime: newer entries are racy */
	bool filemode;         /* core.filemode: the executable bit counts */
	tend_strset dirs;      /* every directory holding a tracked path */
	bool *seen;            /* per index entry: met in the working tree */
	tend_strset changed;
	tend_strvec found; /* the changed paths, handed out only when all is read */
} scan;

static void report(scan *s, const char *path)
{
	if (tend_strset_add(&s->changed, path))
		tend_strvec_push(&s->found, path);
}

static bool racy(const scan *s, const git_index_entry *e)
{
	if ((int64_t)e->mtime.seconds != (int64_t)s->stamp.tv_sec)
		return (int64_t)e->mtime.seconds > (int64_t)s->stamp.tv_sec;
	/* the same second: without nanoseconds recorded, racy */
	return !e->mtime.nanoseconds || e->mtime.nanoseconds >= (uint32_t)s->stamp.tv_nsec;
}

/* Whether the file at rel (stat st) holds what index entry e records. */
static bool same_content(scan *s, const git_index_entry *e, const char *rel, const struct stat *st)
{
	bool link = S_ISLNK(st->st_mode);
	if (e->mode == GIT_FILEMODE_LINK ? !link : !S_ISREG(st->st_mode))
		return false; /* a type change */
	if (!link && s->filemode &&
	    (e->mode == GIT_FILEMODE_BLOB_EXECUTABLE) != ((st->st_mode & S_IXUSR) != 0))
		return false;
	if (e->file_size != (uint32_t)st->st_size)
		return false;
	bool stat_same = e->mtime.seconds == (int32_t)st->st_mtim.tv_sec &&
	                 e->mtime.nanoseconds == (uint32_t)st->st_mtim.tv_nsec &&
	                 e->ctime.seconds == (int32_t)st->st_ctim.tv_sec &&
	                 e->ctime.nanoseconds == (uint32_t)st->st_ctim.tv_nsec &&
	                 e->ino == (uint32_t)st->st_ino;
	if (stat_same && !racy(s, e))
		return true;
	char *abs = tend_xasprintf("%s%s", s->workdir, rel);
	git_oid oid;
	int rc = -1;
	if (link) {
		char target[4096];
		ssize_t n = readlink(abs, target, sizeof(target));
		if (n >= 0 && (size_t)n < sizeof(target))
			rc = git_odb_hash(&oid, target, (size_t)n, GIT_OBJECT_BLOB);
	} else {
		rc = git_repository_hashfile(&oid, s->repo, abs, GIT_OBJECT_BLOB, rel);
	}
	free(abs);
	return rc == 0 && git_oid_equal(&oid, &e->id);
}

static bool ignored(scan *s, const char *rel)
{
	int yes = 0;
	return git_ignore_path_is_ignored(&yes, s->repo, rel) == 0 && yes;
}

static int walk(scan *s, int fd, const char *rel, bool untracked);

/* An entry of directory rel (opened as fd), met by the walk. */
static int visit(scan *s, int fd, const char *rel, const struct dirent *d, bool untracked)
{
	char *path = *rel ? tend_xasprintf("%s/%s", rel, d->d_name) : tend_xstrdup(d->d_name);
	size_t pos;
	const git_index_entry *e = !untracked && git_index_find(&pos, s->index, path) == 0
	                               ? git_index_get_byindex(s->index, pos)
	                               : NULL;
	struct stat st;
	int rc = 0;
	/* a directory's type is known from the listing: a stat only where needed */
	bool have = true;
	if (!e && d->d_type != DT_UNKNOWN)
		st.st_mode = d->d_type == DT_DIR ? S_IFDIR : S_IFREG;
	else
		have = fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!have) {
		if (e) /* gone between reading the directory and now */
			report(s, path);
		free(path);
		return 0;
	}
	if (e) {
		s->seen[pos] = true;
		if (e->mode == GIT_FILEMODE_COMMIT) { /* a submodule: its own repository */
			free(path);
			return 0;
		}
		if (!same_content(s, e, path, &st))
			report(s, path);
		if (!S_ISDIR(st.st_mode)) {
			free(path);
			return 0;
		}
		untracked = true; /* a file became a directory: all of it is new */
	}
	if (S_ISDIR(st.st_mode)) {
		bool tracked = !untracked && tend_strset_has(&s->dirs, path);
		if (!tracked && ignored(s, path)) {
			free(path);
			return 0;
		}
		int sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			rc = tend_err("%s%s: %s", s->workdir, path, strerror(errno));
		else
			rc = walk(s, sub, path, !tracked);
	} else if (!ignored(s, path)) {
		report(s, path);
	}
	free(path);
	return rc;
}

/* Reads directory rel (fd, closed here); `untracked`: nothing in it is. */
static int walk(scan *s, int fd, const char *rel, bool untracked)
{
	DIR *dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return tend_err("%s%s: %s", s->workdir, rel, strerror(errno));
	}
	/* an untracked directory holding a repository of its own is one path */
	struct stat git;
	if (untracked && *rel && fstatat(fd, ".git", &git, AT_SYMLINK_NOFOLLOW) == 0) {
		report(s, rel);
		closedir(dir);
		return 0;
	}
	int rc = 0;
	struct dirent *d;
	while (!rc && (errno = 0, d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0 ||
		    strcmp(d->d_name, ".git") == 0)
			continue;
		rc = visit(s, dirfd(dir), rel, d, untracked);
	}
	if (!rc && errno)
		rc = tend_err("%s%s: %s", s->workdir, rel, strerror(errno));
	closedir(dir);
	return rc;
}

/* Committed and staged changes: base against the index, tree to tree.
 * 1 when the index cannot be made a tree (conflicts, say). */
static int staged(scan *s, const git_oid *base, const char *diffs)
{
	git_oid id;
	git_tree *index_tree = NULL, *base_tree = NULL;
	git_diff *diff = NULL;
	if (git_index_has_conflicts(s->index) || git_index_write_tree(&id, s->index) != 0)
		return 1;
	tend_strvec paths = TEND_STRVEC_INIT;
	int rc = 0;
	if (src_diff_load(diffs, base, &id, &paths) != 0) { /* not kept: diff the trees */
		git_diff_options o;
		git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
		o.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
		rc = git_tree_lookup(&index_tree, s->repo, &id) != 0 ||
		             git_tree_lookup(&base_tree, s->repo, base) != 0 ||
		             git_diff_tree_to_tree(&diff, s->repo, base_tree, index_tree, &o)
		         ? 1
		         : 0;
		for (size_t i = 0; !rc && i < git_diff_num_deltas(diff); i++) {
			const git_diff_delta *d = git_diff_get_delta(diff, i);
			tend_strvec_push(&paths, d->old_file.path);
			if (strcmp(d->new_file.path, d->old_file.path) != 0)
				tend_strvec_push(&paths, d->new_file.path);
		}
		if (!rc)
			src_diff_save(diffs, base, &id, &paths);
	}
	for (size_t i = 0; !rc && i < paths.len; i++)
		report(s, paths.items[i]);
	tend_strvec_free(&paths);
	git_diff_free(diff);
	git_tree_free(index_tree);
	git_tree_free(base_tree);
	return rc;
}

/* A handle on the repository whose new objects go to memory only. */
static int open_in_memory(git_repository *repo, git_repository **out)
{
	git_odb *odb = NULL;
	git_odb_backend *mem = NULL;
	*out = NULL;
	const char *workdir = git_repository_workdir(repo);
	if (git_repository_open(out, git_repository_path(repo)) != 0)
		return 1;
	/* a linked worktree or core.worktree must come out the same, else the long way */
	const char *again = git_repository_workdir(*out);
	if (!again || strcmp(again, workdir) != 0) {
		git_repository_free(*out);
		*out = NULL;
		return 1;
	}
	bool added = git_repository_odb(&odb, *out) == 0 && git_mempack_new(&mem) == 0 &&
	             git_odb_add_backend(odb, mem, 1000) == 0; /* above every backend on disk */
	git_odb_free(odb);
	if (added)
		return 0;
	if (mem) /* the object database did not take it */
		mem->free(mem);
	git_repository_free(*out);
	*out = NULL;
	return 1;
}

int src_workdir_changes(git_repository *repo, const git_oid *base, const char *diffs,
                        tend_strvec *out)
{
	const char *workdir = git_repository_workdir(repo);
	if (!workdir)
		return 1;
	scan s = {.workdir = workdir,
	          .dirs = TEND_STRSET_INIT,
	          .changed = TEND_STRSET_INIT,
	          .found = TEND_STRVEC_INIT,
	          .filemode = true};
	if (open_in_memory(repo, &s.repo))
		return 1;
	int rc = 1;
	git_config *cfg = NULL;
	int fm = 1;
	if (git_repository_config_snapshot(&cfg, s.repo) == 0 &&
	    git_config_get_bool(&fm, cfg, "core.filemode") == 0)
		s.filemode = fm != 0;
	git_config_free(cfg);
	git_error_clear();
	char *index_path = tend_xasprintf("%sindex", git_repository_path(s.repo));
	struct stat ist;
	bool have_index = stat(index_path, &ist) == 0;
	free(index_path);
	if (have_index)
		s.stamp = ist.st_mtim;
	if (git_repository_index(&s.index, s.repo) != 0 || (rc = staged(&s, base, diffs)) != 0)
		goto done;
	size_t n = git_index_entrycount(s.index);
	s.seen = tend_xcalloc(n + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		const char *p = git_index_get_byindex(s.index, i)->path;
		for (const char *slash = strchr(p, '/'); slash; slash = strchr(slash + 1, '/')) {
			char *dir = tend_xstrndup(p, (size_t)(slash - p));
			tend_strset_add(&s.dirs, dir);
			free(dir);
		}
	}
	int fd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd < 0 ? tend_err("%s: %s", workdir, strerror(errno)) : walk(&s, fd, "", false);
	for (size_t i = 0; !rc && i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(s.index, i);
		/* not met: deleted, or below something that is no longer a directory */
		if (!s.seen[i] && !(e->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE))
			report(&s, e->path);
	}
	for (size_t i = 0; !rc && i < s.found.len; i++)
		tend_strvec_push(out, s.found.items[i]);
	if (rc < 0) { /* an unreadable directory, say: the long way may say more */
		tend_err_clear();
		rc = 1;
	}
done:
	tend_strvec_free(&s.found);
	free(s.seen);
	tend_strset_free(&s.dirs);
	tend_strset_free(&s.changed);
	git_index_free(s.index);
	git_repository_free(s.repo);
	git_error_clear();
	return rc;
}
