/*
 * context.c — what every `-c tend.yaml` command starts from: the
 * configuration, the source at its current revision and the projects the
 * generator finds there. A failed fetch falls back to the last good
 * revision in the cache, with a warning.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_ctx_open(cmd_ctx *c, const char *config, const char *source, const char *revision)
{
	memset(c, 0, sizeof(*c));
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
		fprintf(stderr, "tend: warning: the history was rewritten (force push): %.12s does "
				"not descend from the previous revision\n",
			c->rev->sha);
	if (tend_generator_run(c->cfg.rules, c->cfg.n_rules, c->rev->dir, &c->projects))
		return -1;
	return 0;
}

void cmd_ctx_close(cmd_ctx *c)
{
	tend_projects_free(&c->projects);
	tend_source_free(c->src);
	tend_config_free(&c->cfg);
	memset(c, 0, sizeof(*c));
}
