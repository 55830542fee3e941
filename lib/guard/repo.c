/*
 * repo.c — one guard for everyone: the guard a revision of the config repo
 * is judged by is that revision's `.tend/guard.yaml` when it has one, so
 * `tend check` on a pull request and `tend run` on the merged commit read
 * the same, reviewed rules. Without the file, tend.yaml's `guard:` section
 * (the local file) is used, as before. Invariant: a guard file that does
 * not load is an error, never a silent fallback to a weaker guard.
 */
#include "guard.h"

#include "../fs/fs.h"

#include <stdlib.h>
#include <string.h>


const tend_guard_config *tend_guard_for(const tend_config *cfg, const char *root,
					tend_guard_config *own)
{
	memset(own, 0, sizeof(*own));
	if (!root)
		return &cfg->guard;
	char *path = tend_xasprintf("%s/%s", root, TEND_GUARD_FILE);
	const tend_guard_config *g = &cfg->guard;
	if (tend_fs_path_kind(path) != TEND_FS_MISSING) {
		g = own;
		if (tend_guard_config_load(path, cfg->sync.inventory_namespace, own)) {
			/* name the file as the researcher sees it: relative to the repo */
			const char *msg = tend_err_msg();
			size_t n = strlen(root);
			if (strncmp(msg, root, n) == 0 && msg[n] == '/') {
				char *rest = tend_xstrdup(msg + n + 1);
				tend_err("%s", rest);
				free(rest);
			}
			g = NULL;
		}
	}
	free(path);
	return g;
}
