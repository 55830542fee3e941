/*
 * tree.c — a commit's tree as a tend_fs, read from the object database:
 * no checkout, nothing written, blobs read only when a build asks for them.
 *
 * Paths are the fs's root (the path the revision is known by, never
 * created on disk) followed by a path inside the tree. Symlinks are
 * resolved component by component inside the tree; an absolute target, or
 * a "../" that climbs above the root, is refused (TEND_FS_ESCAPE). A blob's
 * size is read from its object header first: one over the limit is never
 * inflated. One mutex guards the repository handle, so renders on several
 * threads may share the fs.
 */
#include "source_internal.h"

#include "../fs/fs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINKS 40 /* as Linux's ELOOP */

typedef struct gtree {
	pthread_mutex_t lock;
	git_repository *repo;
	git_odb *odb;
	git_tree *root_tree;
	git_tree **trees; /* parsed trees, open addressing by oid */
	size_t n_trees, cap_trees;
	char *root; /* no trailing '/' */
	size_t root_len;
	int64_t max;
} gtree;

/* What a path resolved to: the root tree, or one tree entry's object. */
typedef struct found {
	git_oid oid;
	git_filemode_t mode;
	bool is_root;
} found;

/* The part of `path` below the root, or NULL when path is not under it. */
static const char *inside(const gtree *t, const char *path)
{
	if (strncmp(path, t->root, t->root_len) != 0)
		return NULL;
	const char *rest = path + t->root_len;
	if (*rest && *rest != '/')
		return NULL;
	while (*rest == '/')
		rest++;
	return rest;
}

/*
 * A tree by oid, parsed once per fs: libgit2 caches no tree over 4 KB, so a
 * directory of 10,000 projects was parsed again for every path below it.
 */
static git_tree **tree_slot(git_tree **slots, size_t cap, const git_oid *oid)
{
	size_t h;
	memcpy(&h, oid->id, sizeof(h));
	size_t i = h & (cap - 1);
	while (slots[i] && !git_oid_equal(git_tree_id(slots[i]), oid))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static git_tree *tree_get(gtree *t, const git_oid *oid)
{
	if (t->n_trees * 2 >= t->cap_trees) {
		size_t ncap = t->cap_trees ? t->cap_trees * 2 : 64;
		git_tree **ns = tend_xcalloc(ncap, sizeof(*ns));
		for (size_t i = 0; i < t->cap_trees; i++)
			if (t->trees[i])
				*tree_slot(ns, ncap, git_tree_id(t->trees[i])) = t->trees[i];
		free(t->trees);
		t->trees = ns;
		t->cap_trees = ncap;
	}
	git_tree **slot = tree_slot(t->trees, t->cap_trees, oid);
	if (!*slot) {
		if (git_tree_lookup(slot, t->repo, oid) != 0)
			return NULL;
		t->n_trees++;
	}
	return *slot;
}

static int read_blob_text(gtree *t, const git_oid *oid, char **out)
{
	git_blob *b = NULL;
	size_t size = 0;
	git_object_t type;
	if (git_odb_read_header(&size, &type, t->odb, oid) != 0 || size > 4096 ||
	    git_blob_lookup(&b, t->repo, oid) != 0)
		return EIO;
	*out = tend_xstrndup(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	return 0;
}

/*
 * Walks `rel` from the root. `names` holds the canonical components so far.
 * Each symlink met (the last one too when follow_last) has its target
 * spliced in front of what is left of the path.
 */
static int walk(gtree *t, const char *rel, bool follow_last, found *out, tend_strvec *names)
{
	tend_strvec pending = TEND_STRVEC_INIT; /* components left, last first */
	{
		tend_strvec parts = TEND_STRVEC_INIT;
		char *copy = tend_xstrdup(rel);
		for (char *save = NULL, *c = strtok_r(copy, "/", &save); c;
		     c = strtok_r(NULL, "/", &save))
			tend_strvec_push(&parts, c);
		for (size_t i = parts.len; i-- > 0;)
			tend_strvec_push(&pending, parts.items[i]);
		tend_strvec_free(&parts);
		free(copy);
	}
	found cur = {.is_root = true};
	found *stack = tend_xcalloc(1, sizeof(*stack)); /* entries of `names` */
	size_t cap = 1;
	int links = 0, rc = 0;
	while (!rc && pending.len) {
		char *name = pending.items[--pending.len];
		if (strcmp(name, ".") == 0) {
		} else if (strcmp(name, "..") == 0) {
			if (!names->len)
				rc = TEND_FS_ESCAPE;
			else {
				free(names->items[--names->len]);
				cur = names->len ? stack[names->len - 1] : (found){.is_root = true};
			}
		} else if (!cur.is_root && cur.mode != GIT_FILEMODE_TREE) {
			rc = ENOTDIR;
		} else {
			git_tree *tree = NULL;
			if (cur.is_root)
				tree = t->root_tree;
			else if (!(tree = tree_get(t, &cur.oid)))
				rc = EIO;
			const git_tree_entry *e = rc ? NULL : git_tree_entry_byname(tree, name);
			if (!rc && !e)
				rc = ENOENT;
			found next = {0};
			if (e) {
				next.oid = *git_tree_entry_id(e);
				next.mode = git_tree_entry_filemode(e);
			}
			if (rc) {
			} else if (next.mode == GIT_FILEMODE_LINK && (pending.len || follow_last)) {
				char *target = NULL;
				if (++links > MAX_LINKS)
					rc = ELOOP;
				else if ((rc = read_blob_text(t, &next.oid, &target)) == 0) {
					if (target[0] == '/')
						rc = TEND_FS_ESCAPE;
					tend_strvec parts = TEND_STRVEC_INIT;
					char *save = NULL;
					for (char *c = strtok_r(target, "/", &save); !rc && c;
					     c = strtok_r(NULL, "/", &save))
						tend_strvec_push(&parts, c);
					for (size_t i = parts.len; i-- > 0;)
						tend_strvec_push(&pending, parts.items[i]);
					tend_strvec_free(&parts);
					free(target);
				}
			} else if (next.mode == GIT_FILEMODE_COMMIT) {
				rc = ENOENT; /* submodules are not part of the tree */
			} else {
				if (names->len + 1 > cap) {
					cap *= 2;
					stack = tend_xrealloc(stack, cap * sizeof(*stack));
				}
				stack[names->len] = next;
				tend_strvec_push(names, name);
				cur = next;
			}
		}
		free(name);
	}
	tend_strvec_free(&pending);
	free(stack);
	if (!rc)
		*out = cur;
	return rc;
}

static int resolve(gtree *t, const char *path, bool follow_last, found *out, char **canonical)
{
	const char *rel = inside(t, path);
	if (!rel)
		return TEND_FS_ESCAPE;
	tend_strvec names = TEND_STRVEC_INIT;
	int rc = walk(t, rel, follow_last, out, &names);
	if (!rc && canonical) {
		tend_buf b = TEND_BUF_INIT;
		tend_buf_puts(&b, t->root);
		for (size_t i = 0; i < names.len; i++)
			tend_buf_printf(&b, "/%s", names.items[i]);
		*canonical = b.data;
	}
	tend_strvec_free(&names);
	return rc;
}

static int tree_stat(void *self, const char *path, bool follow, tend_fs_kind *kind)
{
	gtree *t = self;
	found f;
	pthread_mutex_lock(&t->lock);
	int rc = resolve(t, path, follow, &f, NULL);
	pthread_mutex_unlock(&t->lock);
	if (!rc)
		*kind = f.is_root || f.mode == GIT_FILEMODE_TREE ? TEND_FS_DIR
		        : f.mode == GIT_FILEMODE_LINK            ? TEND_FS_LINK
		                                                 : TEND_FS_FILE;
	return rc;
}

static int tree_canonical(void *self, const char *path, char **out)
{
	gtree *t = self;
	found f;
	pthread_mutex_lock(&t->lock);
	int rc = resolve(t, path, true, &f, out);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

static int tree_read_locked(gtree *t, const char *path, size_t max_bytes, tend_buf *out)
{
	found f;
	int code = resolve(t, path, true, &f, NULL);
	if (code)
		return tend_err("%s: %s", path, tend_fs_strerror(code));
	if (f.is_root || f.mode == GIT_FILEMODE_TREE)
		return tend_err("%s: is a directory", path);
	size_t size = 0;
	git_object_t type;
	if (git_odb_read_header(&size, &type, t->odb, &f.oid) != 0)
		return tend_err("%s: cannot read the blob from Git", path);
	/* the header says the size: refuse before the blob is inflated */
	if ((int64_t)size > t->max)
		return tend_err("%s: %zu bytes in Git, over source.maxFileSize (%lld bytes): not "
		                "read",
		                path, size, (long long)t->max);
	if (size > max_bytes)
		return tend_err("%s: file of %zu bytes is larger than the limit of %zu bytes", path,
		                size, max_bytes);
	git_blob *b = NULL;
	if (git_blob_lookup(&b, t->repo, &f.oid) != 0)
		return tend_err("%s: cannot read the blob from Git", path);
	tend_buf_put(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	if (!out->data)
		tend_buf_grow(out, 0), out->data[0] = '\0';
	git_blob_free(b);
	return 0;
}

static int tree_read(void *self, const char *path, size_t max_bytes, tend_buf *out)
{
	gtree *t = self;
	pthread_mutex_lock(&t->lock);
	int rc = tree_read_locked(t, path, max_bytes, out);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

static int tree_list(void *self, const char *dir, tend_strvec *names)
{
	gtree *t = self;
	found f;
	pthread_mutex_lock(&t->lock);
	int rc = resolve(t, dir, true, &f, NULL);
	git_tree *tree = NULL;
	if (!rc && f.is_root)
		tree = t->root_tree;
	else if (!rc && f.mode != GIT_FILEMODE_TREE)
		rc = ENOTDIR;
	else if (!rc && !(tree = tree_get(t, &f.oid)))
		rc = EIO;
	for (size_t i = 0; !rc && i < git_tree_entrycount(tree); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		if (git_tree_entry_filemode(e) != GIT_FILEMODE_COMMIT)
			tend_strvec_push(names, git_tree_entry_name(e));
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

static void tree_free(void *self)
{
	gtree *t = self;
	for (size_t i = 0; i < t->cap_trees; i++)
		git_tree_free(t->trees[i]);
	free(t->trees);
	git_tree_free(t->root_tree);
	git_odb_free(t->odb);
	git_repository_free(t->repo);
	pthread_mutex_destroy(&t->lock);
	free(t->root);
	free(t);
	git_libgit2_shutdown();
}

static const tend_fs_ops TREE_OPS = {tree_stat, tree_read, tree_list, tree_canonical, tree_free};

int tend_source_tree_fs(const char *repo_path, const char *rev, const char *root,
                        int64_t max_file_size, tend_fs **out)
{
	git_libgit2_init();
	gtree *t = tend_xcalloc(1, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->root = tend_xstrdup(root);
	t->root_len = strlen(root);
	while (t->root_len > 1 && t->root[t->root_len - 1] == '/')
		t->root[--t->root_len] = '\0';
	t->max = max_file_size > 0 ? max_file_size : 16 << 20;
	git_object *obj = NULL;
	int rc = 0;
	if (git_repository_open_ext(&t->repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) !=
	        0 ||
	    git_repository_odb(&t->odb, t->repo) != 0)
		rc = tend_err("%s: cannot open the repository", repo_path);
	else if (git_revparse_single(&obj, t->repo, rev) != 0 ||
	         git_object_peel((git_object **)&t->root_tree, obj, GIT_OBJECT_TREE) != 0)
		rc = tend_err("%s: no tree for revision %s", repo_path, rev);
	git_object_free(obj);
	if (rc) {
		tree_free(t);
		return -1;
	}
	*out = tend_fs_new(&TREE_OPS, t);
	return 0;
}
