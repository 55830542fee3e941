/*
 * cluster.c — what `tend diff` and `tend sync` share: one reconcile run.
 * The context (cmd_ctx), the Kubernetes client from tend.yaml's cluster
 * section (kubeconfig and context, or in-cluster when no kubeconfig is
 * named and the pod environment is there), the reconciler, and the selected
 * projects rendered and guarded. A project that fails to render is kept in
 * the list with its error, so the reconciler knows to leave it alone rather
 * than think it gone.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_cluster_connect(const tend_config *cfg, const cmd_cluster_flags *f, tend_kube_config **kcfg,
                        tend_kube **kube)
{
	/* --kubeconfig is relative to the working directory, tend.yaml's to tend.yaml */
	const char *path = f->kubeconfig ? f->kubeconfig : cfg->cluster.kubeconfig;
	const char *ctx = f->context ? f->context : cfg->cluster.context;
	int rc;
	if (!*path && !f->context && getenv("KUBERNETES_SERVICE_HOST") && !getenv("KUBECONFIG")) {
		rc = tend_kube_config_in_cluster(NULL, kcfg);
	} else {
		char *resolved = f->kubeconfig ? tend_xstrdup(path)
		                 : *path       ? tend_config_path(cfg, path)
		                               : NULL;
		rc = tend_kube_config_load(resolved, *ctx ? ctx : NULL, kcfg);
		free(resolved);
	}
	if (rc)
		return -1;
	tend_kube_options ko;
	tend_kube_options_default(&ko);
	ko.qps = cfg->cluster.qps;
	ko.burst = cfg->cluster.burst;
	return tend_kube_new(*kcfg, &ko, kube);
}

static int open_cluster(cmd_cluster *cl, const cmd_ctx *c, const cmd_args *names,
                        const cmd_cluster_flags *f, const tend_reconcile_options *o)
{
	if (cmd_check_project_names(&c->projects, names) || cmd_cluster_connect(&c->cfg, f, &cl->kcfg, &cl->kube) ||
	    tend_reconciler_new(cl->kube, o, &cl->rec))
		return -1;
	tend_reconciler_set_root(cl->rec, c->rev->dir);
	size_t n = c->projects.len;
	cl->desired = tend_xcalloc(n + 1, sizeof(*cl->desired));
	cl->maps = tend_xcalloc(n + 1, sizeof(*cl->maps));
	cl->errors = tend_xcalloc(n + 1, sizeof(*cl->errors));
	tend_kustomize_cache *kc = tend_kustomize_cache_new();
	tend_kustomize_opts ko = {0};
	ko.cache = kc;
	for (size_t i = 0; i < n; i++) {
		const tend_project *p = &c->projects.items[i];
		if (!cmd_args_select(names, p->name))
			continue;
		tend_reconcile_desired *d = &cl->desired[cl->n];
		d->project = p->name;
		d->namespace = p->namespace;
		d->revision = c->rev->sha;
		if (tend_reconcile_render(&c->cfg, p, c->rev->dir, &ko, NULL, &cl->maps[cl->n]) ==
		    0) {
			d->objects = &cl->maps[cl->n];
		} else {
			cl->errors[cl->n] = tend_xstrdup(tend_err_msg());
			d->error = cl->errors[cl->n];
		}
		cl->n++;
	}
	tend_kustomize_cache_free(kc);
	cl->complete = names->len == 0;
	return 0;
}

/*
 * A suspended project (tend suspend, or project.yaml suspend where
 * sync.projectOptions allows it) is left alone by `tend sync` as by the
 * daemon: taken out of the run, named on stderr, and counted among the
 * revision's projects (`others`) so that a complete run never removes it.
 */
static int leave_suspended(cmd_cluster *cl, size_t *n, tend_strset *others)
{
	tend_strvec names = TEND_STRVEC_INIT;
	if (tend_reconcile_suspended(cl->rec, &names, NULL))
		return -1;
	tend_strset set = TEND_STRSET_INIT;
	for (size_t i = 0; i < names.len; i++)
		tend_strset_add(&set, names.items[i]);
	size_t keep = 0;
	for (size_t i = 0; i < *n; i++) {
		const tend_reconcile_desired *d = &cl->desired[i];
		const tend_project *p = tend_projects_find(&cl->c.projects, d->project);
		bool by_file = p && p->suspend &&
		               (cl->c.cfg.sync.project_options & TEND_PROJECT_OPTION_SUSPEND);
		if (!tend_strset_has(&set, d->project) && !by_file) {
			cl->desired[keep++] = *d;
			continue;
		}
		fprintf(stderr,
		        "tend: warning: project %s is suspended (%s): not synced; %s first\n",
		        d->project, by_file ? "project.yaml" : "tend suspend",
		        by_file ? "remove suspend from its project.yaml" : "tend resume it");
		tend_strset_add(others, d->project);
	}
	*n = keep;
	tend_strset_free(&set);
	tend_strvec_free(&names);
	return 0;
}

int cmd_cluster_run(cmd_cluster *cl, const char *config, const char *source, const char *revision,
                    const cmd_args *names, const cmd_cluster_flags *flags, tend_reconcile_mode mode)
{
	memset(cl, 0, sizeof(*cl));
	if (cmd_ctx_open(&cl->c, config, source, revision))
		return -1;
	tend_reconcile_options o;
	tend_reconcile_options_from_config(&o, &cl->c.cfg.sync);
	if (!flags->force)
		o.force = false;
	if (open_cluster(cl, &cl->c, names, flags, &o))
		return -1;
	tend_reconcile_run_opts ro = {.mode = mode, .complete = cl->complete};
	size_t n = cl->n;
	tend_strset others = TEND_STRSET_INIT;
	if (mode == TEND_RECONCILE_APPLY && leave_suspended(cl, &n, &others)) {
		tend_strset_free(&others);
		return -1;
	}
	ro.others = others.len ? &others : NULL;
	int rc = tend_reconcile_run(cl->rec, cl->desired, n, &ro, &cl->res);
	tend_strset_free(&others);
	return rc;
}

void cmd_cluster_print_error(const tend_reconcile_report *rep)
{
	if (rep->error)
		fprintf(stderr, "tend: %s: project %s: %s\n",
		        rep->status == TEND_SYNC_FAILED ? "error" : "warning", rep->project,
		        rep->error);
}

void cmd_cluster_close(cmd_cluster *cl)
{
	tend_reconcile_result_free(&cl->res);
	for (size_t i = 0; i < cl->n; i++) {
		tend_resmap_free(&cl->maps[i]);
		free(cl->errors[i]);
	}
	free(cl->maps);
	free(cl->errors);
	free(cl->desired);
	tend_reconciler_free(cl->rec);
	tend_kube_free(cl->kube);
	tend_kube_config_free(cl->kcfg);
	cmd_ctx_close(&cl->c);
	memset(cl, 0, sizeof(*cl));
}
