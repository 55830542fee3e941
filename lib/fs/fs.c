/*
 * fs.c — the filesystem interface's dispatch and its disk implementation.
 *
 * The disk resolves canonical paths with realpath(3), which costs one
 * lstat per path component: a render asked it for every file it read and
 * spent a quarter of its CPU there. So resolutions are kept in a map for
 * the fs's lifetime, and a file's is its directory's (resolved once) plus
 * its name, unless the name itself is a symlink. Invariant: a cached answer
 * is only as fresh as the fs, which callers make per build.
 */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

tend_fs *tend_fs_new(const tend_fs_ops *ops, void *self)
{
	tend_fs *fs = tend_xmalloc(sizeof(*fs));
	fs->ops = ops;
	fs->self = self;
	return fs;
}

void tend_fs_free(tend_fs *fs)
{
	if (!fs)
		return;
	if (fs->ops->free)
		fs->ops->free(fs->self);
	free(fs);
}

int tend_fs_stat(tend_fs *fs, const char *path, tend_fs_kind *kind)
{
	*kind = TEND_FS_MISSING;
	return fs->ops->stat(fs->self, path, true, kind);
}

int tend_fs_lstat(tend_fs *fs, const char *path, tend_fs_kind *kind)
{
	*kind = TEND_FS_MISSING;
	return fs->ops->stat(fs->self, path, false, kind);
}

tend_fs_kind tend_fs_kind_of(tend_fs *fs, const char *path)
{
	tend_fs_kind k = TEND_FS_MISSING;
	return tend_fs_stat(fs, path, &k) == 0 ? k : TEND_FS_MISSING;
}

int tend_fs_read(tend_fs *fs, const char *path, size_t max_bytes, tend_buf *out)
{
	return fs->ops->read(fs->self, path, max_bytes, out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tend_fs_list(tend_fs *fs, const char *dir, tend_strvec *names)
{
	size_t before = names->len;
	int rc = fs->ops->list(fs->self, dir, names);
	if (!rc && names->len - before > 1)
		qsort(names->items + before, names->len - before, sizeof(char *), cmp_str);
	return rc;
}

int tend_fs_canonical(tend_fs *fs, const char *path, char **out)
{
	*out = NULL;
	return fs->ops->canonical(fs->self, path, out);
}

const char *tend_fs_strerror(int code)
{
	if (code == TEND_FS_ESCAPE)
		return "symbolic link or \"..\" leads outside the repository";
	return strerror(code);
}

/* ---- mounts ---- */

typedef struct mount {
	char *root;
	size_t len;
	tend_fs *fs;
} mount;

static pthread_mutex_t mounts_lock = PTHREAD_MUTEX_INITIALIZER;
static mount *mounts; /* few: the current and previous revision, a preview's two sides */
static size_t n_mounts;

void tend_fs_mount(const char *root, tend_fs *fs)
{
	pthread_mutex_lock(&mounts_lock);
	mounts = tend_xrealloc(mounts, (n_mounts + 1) * sizeof(*mounts));
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	mounts[n_mounts++] = (mount){tend_xstrndup(root, len), len, fs};
	pthread_mutex_unlock(&mounts_lock);
}

void tend_fs_unmount(const char *root)
{
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	pthread_mutex_lock(&mounts_lock);
	for (size_t i = n_mounts; i-- > 0;)
		if (mounts[i].len == len && strncmp(mounts[i].root, root, len) == 0) {
			free(mounts[i].root);
			mounts[i] = mounts[--n_mounts];
			break;
		}
	if (!n_mounts) {
		free(mounts);
		mounts = NULL;
	}
	pthread_mutex_unlock(&mounts_lock);
}

tend_fs *tend_fs_mounted(const char *path)
{
	tend_fs *fs = NULL;
	pthread_mutex_lock(&mounts_lock);
	for (size_t i = 0; !fs && i < n_mounts; i++)
		if (strncmp(path, mounts[i].root, mounts[i].len) == 0 &&
		    (path[mounts[i].len] == '/' || path[mounts[i].len] == '\0'))
			fs = mounts[i].fs;
	pthread_mutex_unlock(&mounts_lock);
	return fs;
}

static int disk_stat(void *self, const char *path, bool follow, tend_fs_kind *kind);
static int disk_list(void *self, const char *dir, tend_strvec *names);

int tend_fs_path_stat(const char *path, tend_fs_kind *kind)
{
	tend_fs *fs = tend_fs_mounted(path);
	*kind = TEND_FS_MISSING;
	return fs ? tend_fs_stat(fs, path, kind) : disk_stat(NULL, path, true, kind);
}

int tend_fs_path_lstat(const char *path, tend_fs_kind *kind)
{
	tend_fs *fs = tend_fs_mounted(path);
	*kind = TEND_FS_MISSING;
	return fs ? tend_fs_lstat(fs, path, kind) : disk_stat(NULL, path, false, kind);
}

tend_fs_kind tend_fs_path_kind(const char *path)
{
	tend_fs_kind k;
	return tend_fs_path_stat(path, &k) == 0 ? k : TEND_FS_MISSING;
}

int tend_fs_path_read(const char *path, size_t max_bytes, tend_buf *out)
{
	tend_fs *fs = tend_fs_mounted(path);
	return fs ? tend_fs_read(fs, path, max_bytes, out) : tend_file_read(path, max_bytes, out);
}

int tend_fs_path_list(const char *dir, tend_strvec *names)
{
	tend_fs *fs = tend_fs_mounted(dir);
	if (fs)
		return tend_fs_list(fs, dir, names);
	size_t before = names->len;
	int rc = disk_list(NULL, dir, names);
	if (!rc && names->len - before > 1)
		qsort(names->items + before, names->len - before, sizeof(char *), cmp_str);
	return rc;
}

int tend_fs_path_canonical(const char *path, char **out)
{
	tend_fs *fs = tend_fs_mounted(path);
	*out = NULL;
	if (fs)
		return tend_fs_canonical(fs, path, out);
	char buf[PATH_MAX];
	if (!realpath(path, buf))
		return errno;
	*out = tend_xstrdup(buf);
	return 0;
}

/* ---- the disk ---- */

typedef struct resolved {
	char *path;
	char *real; /* NULL when resolving failed with `code` */
	int code;
} resolved;

typedef struct disk {
	resolved *slots;
	size_t len, cap;
} disk;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static resolved *slot_for(resolved *slots, size_t cap, const char *path)
{
	size_t i = (size_t)(hash_str(path) & (cap - 1));
	while (slots[i].path && strcmp(slots[i].path, path) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static resolved *disk_slot(disk *d, const char *path)
{
	if (d->len * 2 >= d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 64;
		resolved *ns = tend_xcalloc(ncap, sizeof(*ns));
		for (size_t i = 0; i < d->cap; i++)
			if (d->slots[i].path)
				*slot_for(ns, ncap, d->slots[i].path) = d->slots[i];
		free(d->slots);
		d->slots = ns;
		d->cap = ncap;
	}
	return slot_for(d->slots, d->cap, path);
}

static int disk_realpath(disk *d, const char *path, const char **out);

/* A file's canonical path from its directory's, when the name is no symlink. */
static int resolve_uncached(disk *d, const char *path, char **out)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	bool simple =
	    slash && slash != path && *base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0;
	if (simple) {
		char *dir = tend_xstrndup(path, (size_t)(slash - path));
		const char *rdir = NULL;
		int rc = disk_realpath(d, dir, &rdir);
		free(dir);
		if (rc)
			return rc;
		char *joined = tend_xasprintf("%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
		struct stat st;
		if (lstat(joined, &st) != 0) {
			rc = errno;
			free(joined);
			return rc;
		}
		if (!S_ISLNK(st.st_mode)) {
			*out = joined;
			return 0;
		}
		free(joined);
	}
	char buf[PATH_MAX];
	if (!realpath(path, buf))
		return errno;
	*out = tend_xstrdup(buf);
	return 0;
}

static int disk_realpath(disk *d, const char *path, const char **out)
{
	resolved *r = disk_slot(d, path);
	if (!r->path) {
		char *real = NULL;
		int code = resolve_uncached(d, path, &real);
		r = disk_slot(d, path); /* the recursion may have grown the map */
		r->path = tend_xstrdup(path);
		r->real = real;
		r->code = code;
		d->len++;
	}
	*out = r->real;
	return r->code;
}

static int disk_canonical(void *self, const char *path, char **out)
{
	const char *real = NULL;
	int rc = disk_realpath(self, path, &real);
	if (!rc)
		*out = tend_xstrdup(real);
	return rc;
}

static int disk_stat(void *self, const char *path, bool follow, tend_fs_kind *kind)
{
	(void)self;
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
		return errno;
	*kind = S_ISDIR(st.st_mode)   ? TEND_FS_DIR
	        : S_ISLNK(st.st_mode) ? TEND_FS_LINK
	                              : TEND_FS_FILE;
	return 0;
}

static int disk_read(void *self, const char *path, size_t max_bytes, tend_buf *out)
{
	(void)self;
	return tend_file_read(path, max_bytes, out);
}

static int disk_list(void *self, const char *dir, tend_strvec *names)
{
	(void)self;
	DIR *d = opendir(dir);
	if (!d)
		return errno;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			tend_strvec_push(names, e->d_name);
	closedir(d);
	return 0;
}

static void disk_free(void *self)
{
	disk *d = self;
	for (size_t i = 0; i < d->cap; i++) {
		free(d->slots[i].path);
		free(d->slots[i].real);
	}
	free(d->slots);
	free(d);
}

static const tend_fs_ops DISK_OPS = {disk_stat, disk_read, disk_list, disk_canonical, disk_free};

tend_fs *tend_fs_disk_new(void)
{
	return tend_fs_new(&DISK_OPS, tend_xcalloc(1, sizeof(disk)));
}
