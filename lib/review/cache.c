/*
 * cache.c — what `tend check --base` and `tend preview` keep per commit in
 * the source cache, so that a review of a change from a commit reads what
 * the change touched, not the whole tree: the graph of inputs (inputs.c,
 * under cache_dir/inputs) and the projects of the commit's tree (under
 * cache_dir/projects, lib/generator/saved.c).
 *
 * A commit's tree never changes, so a file named by its sha is either right
 * or refused (another format, other generator rules) and made again. All of
 * it is an optimisation: a cache that cannot be written is skipped.
 */
#include "review_internal.h"

#include "../fs/fs.h"

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

int tend_review_projects_of(const tend_config *cfg, const char *sha, const char *prefix,
                            const char *root, tend_projects *out)
{
	char *path = tend_review_cache_path(cfg->source.cache_dir, "projects", sha, prefix);
	if (path && tend_projects_load(path, cfg->rules, cfg->n_rules, out) == 0) {
		free(path);
		return 0;
	}
	tend_err_clear();
	memset(out, 0, sizeof(*out));
	int rc = 0;
	if (tend_fs_path_kind(root) == TEND_FS_DIR) /* else no config root at this commit */
		rc = tend_generator_run(cfg->rules, cfg->n_rules, root, out);
	if (!rc && path && tend_projects_save(out, cfg->rules, cfg->n_rules, path))
		tend_err_clear();
	free(path);
	return rc;
}

int tend_review_projects_at(const tend_config *cfg, tend_history *h, const char *rev,
                            tend_projects *out)
{
	memset(out, 0, sizeof(*out));
	char sha[41];
	if (tend_history_resolve(h, rev, sha))
		return -1;
	const char *prefix = tend_history_prefix(h);
	char *path = tend_review_cache_path(cfg->source.cache_dir, "projects", sha, prefix);
	bool saved = path && tend_projects_load(path, cfg->rules, cfg->n_rules, out) == 0;
	free(path);
	if (saved)
		return 0;
	tend_err_clear();
	char *tmp = tend_xasprintf("/tend-projects-%d-%p", (int)getpid(), (void *)out);
	char *root = *prefix ? tend_xasprintf("%s/%s", tmp, prefix) : tend_xstrdup(tmp);
	tend_fs *fs = NULL;
	int rc = tend_history_tree_fs(h, sha, tmp, cfg->source.max_file_size, &fs);
	if (!rc) {
		tend_fs_mount(tmp, fs);
		rc = tend_review_projects_of(cfg, sha, prefix, root, out);
		tend_fs_unmount(tmp);
	}
	tend_fs_free(fs);
	free(root);
	free(tmp);
	return rc;
}
