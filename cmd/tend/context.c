/*
 * context.c — what every `-c tend.yaml` command starts from: the
 * configuration, the source at its current revision and the projects the
 * generator finds there. A local source is read as it stands (uncommitted
 * edits included), or at --revision out of its repository; a remote one
 * through the cache, where a failed fetch falls back to the last good
 * revision with a warning (never when a revision was asked for).
 */
#include "cmd.h"

#include "../../lib/fs/fs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * A local source (a directory or a working copy): read as it stands, the
 * way check reads it, so a researcher renders their branch and their edits;
 * with a revision, that commit of the repository holding the directory,
 * read from its object database through a mounted tree (nothing written).
 * An unknown revision is an error, never a fallback to something else.
 */
static int open_local(cmd_ctx *c, const char *path, const char *revision)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return tend_err("source %s: %s", path, errno ? strerror(errno) : "not a directory");
	c->rev = &c->local;
	if (!revision) {
		c->local.dir = tend_xstrdup(path);
		return 0;
	}
	tend_history *h;
	if (tend_history_open(path, &h))
		return tend_err("source %s is not in a Git repository: --revision %s needs one",
		                path, revision);
	c->tmp = tend_xasprintf("/tend-revision-%d", (int)getpid());
	int rc = 0;
	if (tend_history_resolve(h, revision, c->local.sha) ||
	    tend_history_tree_fs(h, c->local.sha, c->tmp, c->cfg.source.max_file_size, &c->tree)) {
		rc = -1;
	} else {
		tend_fs_mount(c->tmp, c->tree);
		const char *prefix = tend_history_prefix(h);
		c->local.dir =
		    *prefix ? tend_xasprintf("%s/%s", c->tmp, prefix) : tend_xstrdup(c->tmp);
	}
	tend_history_free(h);
	return rc;
}

/* A remote source through the cache; a failed fetch falls back to the last
 * good revision, unless a revision was asked for. */
static int open_remote(cmd_ctx *c, const char *base, const char *revision)
{
	if (revision) {
		free(c->cfg.source.revision);
		c->cfg.source.revision = tend_xstrdup(revision);
	}
	if (tend_source_open(&c->cfg.source, base, &c->src))
		return -1;
	if (tend_source_update(c->src)) {
		char *why = tend_xstrdup(tend_err_msg());
		if (revision || tend_source_load_cached(c->src)) {
			tend_err("%s", why);
			free(why);
			return -1;
		}
		fprintf(stderr, "tend: warning: %s; using the last good revision %.12s\n", why,
		        tend_source_current(c->src)->sha);
		free(why);
	}
	c->rev = tend_source_current(c->src);
	if (c->rev->history_rewritten)
		fprintf(stderr,
		        "tend: warning: the history was rewritten (force push): %.12s does "
		        "not descend from the previous revision\n",
		        c->rev->sha);
	return 0;
}

const char *cmd_config_default(const char *config)
{
	if (config)
		return config;
	return access("tend.yaml", F_OK) == 0 ? "tend.yaml" : NULL;
}

static int ctx_open(cmd_ctx *c, const char *config, const char *source, const char *revision)
{
	config = cmd_config_default(config);
	if (config) {
		if (tend_config_load(config, &c->cfg))
			return -1;
	} else {
		tend_config_defaults(&c->cfg);
	}
	if (source) {
		free(c->cfg.source.url);
		c->cfg.source.url = tend_xstrdup(source);
	}
	const char *pinned = c->cfg.source.revision;
	if (!revision && pinned && *pinned)
		revision = pinned;
	/* --source is relative to the working directory, not to tend.yaml */
	const char *base = source ? "." : c->cfg.base_dir;
	int rc;
	if (tend_source_url_is_directory(c->cfg.source.url)) {
		const char *url = c->cfg.source.url;
		char *path = url[0] == '/' || !base || !*base || strcmp(base, ".") == 0
		                 ? tend_xstrdup(url)
		                 : tend_xasprintf("%s/%s", base, url);
		rc = open_local(c, path, revision);
		free(path);
	} else {
		char *rev = revision ? tend_xstrdup(revision) : NULL;
		rc = open_remote(c, base, rev);
		free(rev);
	}
	if (rc)
		return -1;
	return tend_generator_run(c->cfg.rules, c->cfg.n_rules, c->rev->dir, &c->projects);
}

int cmd_ctx_open(cmd_ctx *c, const char *config, const char *source, const char *revision)
{
	memset(c, 0, sizeof(*c));
	if (ctx_open(c, config, source, revision)) {
		cmd_ctx_close(c);
		return -1;
	}
	return 0;
}

void cmd_ctx_close(cmd_ctx *c)
{
	tend_projects_free(&c->projects);
	tend_source_free(c->src);
	tend_revision_clear(&c->local);
	if (c->tree)
		tend_fs_unmount(c->tmp);
	tend_fs_free(c->tree);
	free(c->tmp);
	tend_config_free(&c->cfg);
	memset(c, 0, sizeof(*c));
}

int cmd_check_project_names(const tend_projects *ps, const cmd_args *names)
{
	for (int i = 0; i < names->len; i++)
		if (!tend_projects_find(ps, names->items[i]))
			return tend_err("no project named \"%s\" (see tend projects)",
			                names->items[i]);
	return 0;
}

static int review_open(cmd_review *r, const char *config, bool need_history, bool need_projects)
{
	tend_config probe;
	config = cmd_config_default(config);
	if (config ? tend_config_load(config, &probe) : (tend_config_defaults(&probe), 0))
		return -1;
	bool remote = !tend_source_url_is_directory(probe.source.url);
	if (remote) {
		tend_config_free(&probe);
		if (cmd_ctx_open(&r->c, config, NULL, NULL))
			return -1;
		r->root = tend_xstrdup(r->c.rev->dir);
		return tend_history_open(tend_source_repo_path(r->c.src), &r->hist);
	}
	r->c.cfg = probe;
	r->root = tend_config_path(&r->c.cfg, r->c.cfg.source.url);
	if (tend_history_open(r->root, &r->hist) != 0) {
		if (need_history)
			return -1;
		tend_err_clear();
	}
	if (!need_projects)
		return 0;
	return tend_generator_run(r->c.cfg.rules, r->c.cfg.n_rules, r->root, &r->c.projects);
}

int cmd_review_open(cmd_review *r, const char *config, const char *today, bool need_history,
                    bool need_projects)
{
	memset(r, 0, sizeof(*r));
	if (cmd_today(today, r->today) || review_open(r, config, need_history, need_projects)) {
		cmd_review_close(r);
		return -1;
	}
	r->config_rel = tend_path_relative(r->root, r->c.cfg.file ? r->c.cfg.file : "tend.yaml");
	if (r->hist && r->c.cfg.source.cache_dir) { /* kept beside the graphs of inputs */
		char *diffs = tend_xasprintf("%s/diffs", r->c.cfg.source.cache_dir);
		tend_history_keep_diffs(r->hist, diffs);
		free(diffs);
	}
	return 0;
}

void cmd_review_close(cmd_review *r)
{
	tend_history_free(r->hist);
	free(r->config_rel);
	free(r->root);
	cmd_ctx_close(&r->c);
	memset(r, 0, sizeof(*r));
}

int cmd_today(const char *override, char out[11])
{
	if (override) {
		bool ok = strlen(override) == 10;
		for (int i = 0; ok && i < 10; i++)
			ok = i == 4 || i == 7 ? override[i] == '-'
			                      : isdigit((unsigned char) override[i]);
		if (!ok)
			return tend_err("--today: \"%s\" is not a date YYYY-MM-DD", override);
		memcpy(out, override, 11);
		return 0;
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return 0;
}
