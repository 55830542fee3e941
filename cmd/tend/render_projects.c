/*
 * render_projects.c — `tend render -c tend.yaml [PROJECT...]`: renders the
 * generated projects of the configured source. One broken project is
 * reported and the others still render; guardrail violations go to stderr
 * (the objects are still printed). The exit status is 1 if any project
 * failed or broke a guardrail.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"
#include "../../lib/review/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_json(const tend_project *p, const tend_resmap *m, tend_buf *out)
{
	for (size_t i = 0; i < m->len; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "project", p->name);
		char *where = tend_xasprintf("%s:%d", m->items[i].file, m->items[i].line);
		cJSON_AddStringToObject(o, "source", where);
		free(where);
		cJSON_AddItemReferenceToObject(o, "object", m->items[i].obj);
		tend_doc_emit_json(o, out);
		cJSON_Delete(o);
	}
}

static void print_names(const tend_project *p, const tend_resmap *m, tend_buf *out)
{
	for (size_t i = 0; i < m->len; i++) {
		char *name = cmd_object_name(m->items[i].obj);
		tend_buf_printf(out, "%s: %s\n", p->name, name);
		free(name);
	}
}

int cmd_render_projects(const char *config, const char *source, const char *revision,
                        const char *format, const tend_kustomize_opts *opts, const cmd_args *names)
{
	bool json = strcmp(format, "json") == 0;
	cmd_ctx c;
	if (cmd_ctx_open(&c, config, source, revision))
		return cmd_fail(2);
	/* an unknown name is a usage error, as in every command: nothing renders */
	if (cmd_check_project_names(&c.projects, names)) {
		cmd_ctx_close(&c);
		return cmd_fail(2);
	}
	char today[11];
	cmd_today(NULL, today);
	int failed = 0;
	tend_buf out = TEND_BUF_INIT;
	bool first = true;
	/* one parse cache for all projects: they share the base and components */
	tend_kustomize_opts shared = *opts;
	if (!shared.cache)
		shared.cache = tend_kustomize_cache_new();
	for (size_t i = 0; i < c.projects.len; i++) {
		const tend_project *p = &c.projects.items[i];
		if (!cmd_args_select(names, p->name))
			continue;
		tend_resmap m = TEND_RESMAP_INIT;
		if (tend_project_render(p, c.rev->dir, &shared, &m)) {
			fprintf(stderr, "tend: error: %s\n", tend_err_msg());
			failed = 1;
			continue;
		}
		/* guardrails are reported, and fail the command, but the objects are
		 * still shown: this is where a researcher looks at what they wrote */
		tend_violations v = {0};
		tend_guard_config own;
		const tend_guard_config *g = tend_guard_for(&c.cfg, c.rev->dir, &own);
		if (g)
			tend_guard_check(g, p, c.rev->dir, &m, today, &v);
		else if (!p->trusted)
			tend_violations_add(&v, p->name, NULL, TEND_GUARD_FILE, 0, "guard",
			                    tend_err_msg(), "fix the config repo's guard file",
			                    false);
		tend_guard_config_free(&own);
		if (v.len) {
			tend_buf report = TEND_BUF_INIT;
			tend_violations_format(&v, 0, "text", "", &report);
			fputs(report.data, stderr);
			tend_buf_free(&report);
		}
		if (tend_guard_errors(&v)) {
			fprintf(stderr,
			        "tend: error: project %s breaks the guardrails above; tend "
			        "would not apply it\n",
			        p->name);
			failed = 1;
		}
		tend_violations_free(&v);
		tend_buf one = TEND_BUF_INIT;
		int rc = 0;
		if (json) {
			print_json(p, &m, &one);
		} else if (strcmp(format, "name") == 0) {
			print_names(p, &m, &one);
		} else {
			tend_buf_printf(&one, "%s# project: %s (%s)\n", first ? "" : "---\n",
			                p->name, p->dir);
			rc = tend_resmap_emit_yaml(&m, &one);
		}
		if (rc) {
			fprintf(stderr, "tend: error: project %s: %s\n", p->name, tend_err_msg());
			failed = 1;
		} else {
			tend_buf_put(&out, one.data ? one.data : "", one.len);
			first = false;
		}
		tend_buf_free(&one);
		tend_resmap_free(&m);
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	tend_buf_free(&out);
	if (shared.cache != opts->cache)
		tend_kustomize_cache_free(shared.cache);
	cmd_ctx_close(&c);
	return failed;
}
