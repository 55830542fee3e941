/*
 * context.c — what every `-c tend.yaml` command starts from: the
 * configuration, the source at its current revision and the projects the
 * generator finds there. A failed fetch falls back to the last good
 * revision in the cache, with a warning.
 */
#include "cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int ctx_open(cmd_ctx *c, const char *config, const char *source, const char *revision)
{
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
	if (revision) {
		free(c->cfg.source.revision);
		c->cfg.source.revision = tend_xstrdup(revision);
	}
	/* --source is relative to the working directory, not to tend.yaml */
	const char *base = source ? "." : c->cfg.base_dir;
	if (tend_source_open(&c->cfg.source, base, &c->src))
		return -1;
	if (tend_source_update(c->src)) {
		char *why = tend_xstrdup(tend_err_msg());
		if (tend_source_load_cached(c->src)) {
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

static int review_open(cmd_review *r, const char *config, bool need_history)
{
	tend_config probe;
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
	return tend_generator_run(r->c.cfg.rules, r->c.cfg.n_rules, r->root, &r->c.projects);
}

int cmd_review_open(cmd_review *r, const char *config, const char *today, bool need_history)
{
	memset(r, 0, sizeof(*r));
	if (cmd_today(today, r->today) || review_open(r, config, need_history)) {
		cmd_review_close(r);
		return -1;
	}
	r->config_rel = tend_path_relative(r->root, r->c.cfg.file ? r->c.cfg.file : "tend.yaml");
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
