/*
 * cache.c — what `tend check --base` and `tend preview` keep per commit in
 * the source cache, so that a review of a change from a commit reads what
 * the change touched, not the whole tree: the graph of inputs (inputs.c,
 * under cache_dir/inputs) and the projects of the commit's tree (under
 * cache_dir/projects, lib/generator/saved.c).
 *
 * A commit's tree never changes, so a file named by its sha is either right
 * or refused (another format, other generator rules) and made again. All of
 * it is an optimisation: a cache that cannot be written is skipped. Where
 * a commit's tree must be read, it is served from the object database at a
 * path of its own (review_tree), never written out.
 */
#include "review_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FNV-1a: the config root's place in the repository, in a file name. */
static unsigned long long prefix_hash(const char *s)
{
	unsigned long long h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

char *tend_review_cache_path(const char *cache_dir, const char *kind, const char *sha,
                             const char *prefix)
{
	if (!cache_dir || !sha || strlen(sha) != 40)
		return NULL;
	char *dir = tend_xasprintf("%s/%s", cache_dir, kind);
	/* the cache may not exist yet: made as the source cache is, 0700 */
	for (char *slash = dir + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
	}
	mkdir(dir, 0700);
	char *path = tend_xasprintf("%s/%s-%016llx", dir, sha, prefix_hash(prefix ? prefix : ""));
	free(dir);
	return path;
}

int review_tree_open(const tend_config *cfg, tend_history *h, const char *sha, const char *what,
                     review_tree *t)
{
	static int serial;
	const char *prefix = tend_history_prefix(h);
	/* a path of its own per tree (both sides of a preview may be one commit) */
	t->tmp = tend_xasprintf("/tend-%s-%d-%d", what, (int)getpid(),
	                        __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED));
	t->root = *prefix ? tend_xasprintf("%s/%s", t->tmp, prefix) : tend_xstrdup(t->tmp);
	t->fs = NULL;
	if (tend_history_tree_fs(h, sha, t->tmp, cfg->source.max_file_size, &t->fs))
		return -1;
	tend_fs_mount(t->tmp, t->fs);
	return 0;
}

void review_tree_close(review_tree *t)
{
	if (t->fs)
		tend_fs_unmount(t->tmp);
	tend_fs_free(t->fs);
	free(t->tmp);
	free(t->root);
	memset(t, 0, sizeof(*t));
}

/* The list saved at path (NULL: none), if it is one this build can take. */
static bool load_saved(const tend_config *cfg, const char *path, tend_projects *out)
{
	bool ok = path && tend_projects_load(path, cfg->rules, cfg->n_rules, out) == 0;
	if (!ok)
		tend_err_clear();
	return ok;
}

int tend_review_projects_of(const tend_config *cfg, const char *sha, const char *prefix,
                            const char *root, tend_projects *out)
{
	char *path = tend_review_cache_path(cfg->source.cache_dir, "projects", sha, prefix);
	int rc = 0;
	if (!load_saved(cfg, path, out)) {
		memset(out, 0, sizeof(*out));
		/* no config root at this commit: no projects */
		if (tend_fs_path_kind(root) == TEND_FS_DIR)
			rc = tend_generator_run(cfg->rules, cfg->n_rules, root, out);
		if (!rc && path && tend_projects_save(out, cfg->rules, cfg->n_rules, path))
			tend_err_clear();
	}
	free(path);
	return rc;
}

int tend_review_projects_saved(const tend_config *cfg, tend_history *h, const char *rev,
                               tend_projects *out)
{
	memset(out, 0, sizeof(*out));
	char sha[41];
	if (tend_history_resolve(h, rev, sha))
		return -1;
	char *path =
	    tend_review_cache_path(cfg->source.cache_dir, "projects", sha, tend_history_prefix(h));
	bool ok = load_saved(cfg, path, out);
	free(path);
	return ok ? 0 : -1;
}

/* Whether every project of ps is a directory of the tree at root, with its
 * project.yaml where it says (a directory Git ignores is not). */
static bool all_in_tree(const tend_projects *ps, const char *root)
{
	bool ok = true;
	for (size_t i = 0; ok && i < ps->len; i++) {
		const tend_project *p = &ps->items[i];
		char *dir = tend_xasprintf("%s/%s", root, p->dir);
		char *meta = p->meta_file ? tend_xasprintf("%s/%s", root, p->meta_file) : NULL;
		ok = tend_fs_path_kind(dir) == TEND_FS_DIR &&
		     (!meta || tend_fs_path_kind(meta) == TEND_FS_FILE);
		free(dir);
		free(meta);
	}
	return ok;
}

void tend_review_projects_derive(const tend_config *cfg, tend_history *h, const char *rev,
                                 const tend_projects *from, const tend_strvec *changed)
{
	char sha[41];
	char *path = NULL;
	review_tree t = {0};
	tend_projects ps = {0};
	if (tend_history_resolve(h, rev, sha) == 0 &&
	    (path = tend_review_cache_path(cfg->source.cache_dir, "projects", sha,
	                                   tend_history_prefix(h))) &&
	    review_tree_open(cfg, h, sha, "projects", &t) == 0 &&
	    tend_fs_path_kind(t.root) == TEND_FS_DIR &&
	    tend_generator_update(cfg->rules, cfg->n_rules, t.root, from, changed, &ps) == 0 &&
	    all_in_tree(&ps, t.root))
		tend_projects_save(&ps, cfg->rules, cfg->n_rules, path);
	tend_err_clear(); /* the cache is an optimisation */
	tend_projects_free(&ps);
	review_tree_close(&t);
	free(path);
}
