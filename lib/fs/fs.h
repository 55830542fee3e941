/*
 * fs.h — the one way tend reads a config tree: the disk (`tend render DIR`,
 * a local source) or a Git tree read from the object database without a
 * checkout (lib/source). Render, the generator and the guard see only this.
 *
 * Paths are strings as the caller built them ("root/projects/a/x.yaml");
 * an implementation knows its root and refuses what lies outside it.
 * Canonical paths have every symlink resolved; a symlink that leaves a
 * Git tree is refused, never followed. Reads carry a size limit checked
 * before any byte is read. Not thread-safe: one tend_fs per thread.
 */
#ifndef TEND_FS_H
#define TEND_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

/* TEND_FS_LINK only from a stat that does not follow the last symlink. */
typedef enum tend_fs_kind {
	TEND_FS_MISSING = 0,
	TEND_FS_FILE,
	TEND_FS_DIR,
	TEND_FS_LINK
} tend_fs_kind;

/* An error code beyond errno's: a symlink or "../" chain leaving the tree. */
#define TEND_FS_ESCAPE (-2)

typedef struct tend_fs_ops {
	/* Kind of what `path` names, symlinks followed (the last one only when
	 * follow, as stat(2) and lstat(2)); 0 or an error code. */
	int (*stat)(void *self, const char *path, bool follow, tend_fs_kind *kind);
	/* Appends the whole file to out, refused over max_bytes; -1 and tend_err. */
	int (*read)(void *self, const char *path, size_t max_bytes, tend_buf *out);
	/* Appends the names in a directory, sorted, without "." and ".."; 0 or a code. */
	int (*list)(void *self, const char *dir, tend_strvec *names);
	/* The canonical path (owned by the caller); 0 or an error code. */
	int (*canonical)(void *self, const char *path, char **out);
	void (*free)(void *self);
} tend_fs_ops;

typedef struct tend_fs {
	const tend_fs_ops *ops;
	void *self;
} tend_fs;

/* Wraps an implementation; ops must outlive the result. */
tend_fs *tend_fs_new(const tend_fs_ops *ops, void *self);
/* The disk. Directory resolutions are cached until tend_fs_free; make one
 * per build (or per run of a command) so edits between builds are seen. */
tend_fs *tend_fs_disk_new(void);
void tend_fs_free(tend_fs *fs);

/* Each returns 0, or an errno value (ENOENT, ENOTDIR, ELOOP, ...) or
 * TEND_FS_ESCAPE; tend_fs_strerror names it for a message. */
int tend_fs_stat(tend_fs *fs, const char *path, tend_fs_kind *kind);
int tend_fs_lstat(tend_fs *fs, const char *path, tend_fs_kind *kind);
int tend_fs_list(tend_fs *fs, const char *dir, tend_strvec *names);
int tend_fs_canonical(tend_fs *fs, const char *path, char **out);
const char *tend_fs_strerror(int code);
/* -1 with the message (naming path) in tend_err; out is left as it was. */
int tend_fs_read(tend_fs *fs, const char *path, size_t max_bytes, tend_buf *out);

/* Convenience: stat reporting MISSING for any error. */
tend_fs_kind tend_fs_kind_of(tend_fs *fs, const char *path);

/*
 * Mounts: the paths readers are handed are plain strings ("root/projects/a")
 * threaded through the generator, the guard, review and reconcile, so a
 * Git tree is mounted at the root its revision is known by, and every
 * path-level call below under that root reads the tree; any other path
 * reads the disk. The table is process-wide and locked; a mounted fs must
 * be safe to share between threads and outlive its mount (unmount first).
 */
void tend_fs_mount(const char *root, tend_fs *fs);
void tend_fs_unmount(const char *root);
/* The fs mounted over path (borrowed), or NULL for the disk. */
tend_fs *tend_fs_mounted(const char *path);

int tend_fs_path_stat(const char *path, tend_fs_kind *kind);
int tend_fs_path_lstat(const char *path, tend_fs_kind *kind);
tend_fs_kind tend_fs_path_kind(const char *path);
int tend_fs_path_read(const char *path, size_t max_bytes, tend_buf *out);
int tend_fs_path_list(const char *dir, tend_strvec *names);
int tend_fs_path_canonical(const char *path, char **out);

#endif
