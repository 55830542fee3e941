/*
 * suspend.c — suspended projects and per-project selfHeal. A project is
 * suspended by `tend suspend` (a ConfigMap in the inventory namespace,
 * lib/reconcile/suspend.c, so restarts and other replicas honour it) or by
 * `suspend: true` in its project.yaml where sync.projectOptions allows it;
 * a suspended project is neither synced nor reverted, its drift only
 * reported. project.yaml's `selfHeal` overrides sync.selfHeal likewise.
 *
 * Invariant: before any sync the suspensions are read from the cluster
 * (one LIST); when they cannot be, nothing syncs.
 */
#include "daemon_internal.h"

#include <stdlib.h>
#include <string.h>

bool daemon_proj_suspended(const tend_daemon *d, const proj *p)
{
	return p->suspended || (p->meta && p->meta->suspend &&
	                        (d->cfg.sync.project_options & TEND_PROJECT_OPTION_SUSPEND));
}

bool daemon_proj_self_heal(const tend_daemon *d, const proj *p)
{
	if (p->meta && p->meta->self_heal_line &&
	    (d->cfg.sync.project_options & TEND_PROJECT_OPTION_SELF_HEAL))
		return p->meta->self_heal;
	return d->cfg.sync.self_heal;
}

int daemon_suspensions_refresh(tend_daemon *d, int64_t now)
{
	if (!d->rec)
		return -1;
	tend_strvec names = TEND_STRVEC_INIT, since = TEND_STRVEC_INIT;
	if (tend_reconcile_suspended(d->rec, &names, &since)) {
		tend_log(TEND_LOG_WARN, "suspended projects: %s; nothing syncs until they are read",
		         tend_err_msg());
		tend_strvec_free(&names);
		tend_strvec_free(&since);
		return -1;
	}
	tend_strset set = TEND_STRSET_INIT;
	for (size_t i = 0; i < names.len; i++)
		tend_strset_add(&set, names.items[i]);
	for (size_t i = 0; i < d->np; i++) {
		proj *p = &d->p[i];
		bool now_suspended = tend_strset_has(&set, p->name);
		if (now_suspended == p->suspended)
			continue;
		p->suspended = now_suspended;
		daemon_proj_changed(p);
		d->dirty = true;
		if (!now_suspended) {
			daemon_proj_set_str(&p->suspended_at, NULL);
			if (d->suspensions_read && p->meta && p->in_shard) {
				/* resumed through another replica: sync it now */
				tend_log_ctx_printf(TEND_LOG_INFO,
				                    &(tend_log_ctx){p->name, NULL, d->revision},
				                    "resumed");
				daemon_proj_mark(p, "manual", now);
			}
		}
	}
	for (size_t i = 0; i < names.len; i++) {
		proj *p = daemon_proj_find(d, names.items[i]);
		if (p && !p->suspended_at && *since.items[i]) {
			daemon_proj_set_str(&p->suspended_at, since.items[i]);
			daemon_proj_changed(p);
		}
	}
	d->suspensions_read = true;
	tend_strset_free(&set);
	tend_strvec_free(&names);
	tend_strvec_free(&since);
	return 0;
}

void daemon_suspend_requests(tend_daemon *d, int64_t now)
{
	pthread_mutex_lock(&d->ui_lock);
	tend_strvec asked = d->ui_suspends;
	d->ui_suspends = (tend_strvec)TEND_STRVEC_INIT;
	pthread_mutex_unlock(&d->ui_lock);
	for (size_t i = 0; i < asked.len && d->rec; i++) {
		bool on = asked.items[i][0] == '+';
		const char *name = asked.items[i] + 1;
		proj *p = daemon_proj_find(d, name);
		if (!p || !p->meta)
			continue;
		tend_log_ctx ctx = {p->name, NULL, d->revision};
		if (tend_reconcile_set_suspended(d->rec, name, on, "tend suspend")) {
			tend_log_ctx_printf(TEND_LOG_ERROR, &ctx, "%s: %s",
			                    on ? "suspend" : "resume", tend_err_msg());
			continue;
		}
		d->dirty = true;
		daemon_proj_changed(p);
		if (on) {
			p->suspended = true;
			p->due = false;
			tend_log_ctx_printf(TEND_LOG_INFO, &ctx,
			                    "suspended: no syncs, drift is only reported");
			continue;
		}
		p->suspended = false;
		daemon_proj_set_str(&p->suspended_at, NULL);
		tend_log_ctx_printf(TEND_LOG_INFO, &ctx, "resumed: syncing");
		p->attempts = 0;
		daemon_proj_mark(p, "manual", now);
	}
	tend_strvec_free(&asked);
}
