/*
 * desired.c — a project as Git wants it: its kustomize render (with
 * substitution), checked against the tenant guardrails. A project that
 * fails either is never applied and never pruned, so its error is the
 * whole answer. An add-on whose grant has expired is left out of the
 * render (reclaimed: its quota falls back, its objects are pruned) and the
 * project keeps syncing.
 */
#include "reconcile_internal.h"

#include "../guard/guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tend_reconcile_render(const tend_config *cfg, const tend_project *p, const char *root,
                          const tend_kustomize_opts *ko, const char *today, tend_resmap *out)
{
	char date[16];
	if (!today) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		today = date;
	}
	/* sync options in project.yaml take effect only where the admins allow them */
	unsigned allowed = cfg->sync.project_options;
	if (p->suspend_line && !(allowed & TEND_PROJECT_OPTION_SUSPEND))
		return tend_err("%s:%d: suspend: sync.projectOptions in tend.yaml does not allow "
		                "it; remove it, or ask an admin to suspend the project (tend "
		                "suspend %s)",
		                p->meta_file ? p->meta_file : "project.yaml", p->suspend_line,
		                p->name);
	if (p->self_heal_line && !(allowed & TEND_PROJECT_OPTION_SELF_HEAL))
		return tend_err("%s:%d: selfHeal: sync.projectOptions in tend.yaml does not allow "
		                "it; remove it, or ask an admin to add selfHeal there",
		                p->meta_file ? p->meta_file : "project.yaml", p->self_heal_line);
	tend_guard_config own;
	const tend_guard_config *g = tend_guard_for(cfg, root, &own);
	if (!g && !p->trusted) {
		char *why = tend_xstrdup(tend_err_msg());
		tend_err("1 guardrail violation, nothing applied\n  %s (guard)", why);
		free(why);
		tend_guard_config_free(&own);
		return -1;
	}
	/* an expired grant's add-on is left out (reclaimed); the rest still syncs */
	tend_strvec reclaimed = {0};
	cJSON *without = g ? tend_guard_reclaim(g, p, root, today, &reclaimed) : NULL;
	tend_kustomize_opts o = ko ? *ko : (tend_kustomize_opts){0};
	if (without)
		o.kustomization = without;
	int rendered = tend_project_render(p, root, &o, out);
	cJSON_Delete(without);
	if (rendered) {
		tend_strvec_free(&reclaimed);
		tend_guard_config_free(&own);
		/* the report names the project; keep its error free of a second name */
		size_t n = strlen(p->name);
		const char *m = tend_err_msg();
		if (strncmp(m, "project ", 8) == 0 && strncmp(m + 8, p->name, n) == 0 &&
		    strncmp(m + 8 + n, ": ", 2) == 0) {
			char *rest = tend_xstrdup(m + 10 + n);
			tend_err("%s", rest);
			free(rest);
		}
		return -1;
	}
	tend_log_ctx ctx = {p->name, NULL, NULL};
	for (size_t i = 0; i < reclaimed.len; i++)
		tend_log_ctx_printf(TEND_LOG_WARN, &ctx,
		                    "grant for %s expired: reclaimed, applied without the add-on",
		                    reclaimed.items[i]);
	if (p->trusted) {
		tend_strvec_free(&reclaimed);
		tend_guard_config_free(&own);
		return 0;
	}
	tend_violations v = {0};
	tend_guard_check_reclaimed(g, p, root, out, today, &reclaimed, &v);
	tend_strvec_free(&reclaimed);
	tend_guard_config_free(&own);
	int rc = 0;
	if (tend_guard_errors(&v)) {
		tend_buf msg = TEND_BUF_INIT;
		tend_buf_printf(&msg, "%zu guardrail violation%s, nothing applied",
		                tend_guard_errors(&v), tend_guard_errors(&v) == 1 ? "" : "s");
		for (size_t i = 0; i < v.len; i++) {
			const tend_violation *x = &v.items[i];
			if (x->warning)
				continue;
			tend_buf_printf(&msg, "\n  %s", x->file ? x->file : p->dir);
			if (x->line)
				tend_buf_printf(&msg, ":%d", x->line);
			tend_buf_printf(&msg, ": %s%s(%s) %s",
			                x->object && *x->object ? x->object : "",
			                x->object && *x->object ? ": " : "", x->rule, x->message);
		}
		tend_err("%s", msg.data);
		tend_buf_free(&msg);
		tend_resmap_free(out);
		rc = -1;
	}
	tend_violations_free(&v);
	return rc;
}
