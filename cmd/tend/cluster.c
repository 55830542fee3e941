/*
 * cluster.c — what `tend diff` and `tend sync` share: the Kubernetes client
 * from tend.yaml's cluster section (kubeconfig and context, or in-cluster
 * when no kubeconfig is named and the pod environment is there), the
 * reconciler, and the selected projects rendered and guarded. A project
 * that fails to render is kept in the list with its error, so the
 * reconciler knows to leave it alone rather than think it gone.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int connect(cmd_cluster *cl, const tend_config *cfg)
{
	const char *path = cfg->cluster.kubeconfig;
	const char *ctx = cfg->cluster.context;
	int rc;
	if (!*path && getenv("KUBERNETES_SERVICE_HOST") && !getenv("KUBECONFIG")) {
		rc = tend_kube_config_in_cluster(NULL, &cl->kcfg);
	} else {
		char *resolved = *path ? tend_config_path(cfg, path) : NULL;
		rc = tend_kube_config_load(resolved, *ctx ? ctx : NULL, &cl->kcfg);
		free(resolved);
	}
	if (rc)
		return -1;
	tend_kube_options ko;
	tend_kube_options_default(&ko);
	ko.qps = cfg->cluster.qps;
	ko.burst = cfg->cluster.burst;
	return tend_kube_new(cl->kcfg, &ko, &cl->kube);
}

static bool selected(char **names, int n, const char *name)
{
	if (n == 0)
		return true;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

int cmd_cluster_open(cmd_cluster *cl, const cmd_ctx *c, char **names, int n_names,
                     const tend_reconcile_options *o)
{
	memset(cl, 0, sizeof(*cl));
	for (int i = 0; i < n_names; i++)
		if (!tend_projects_find(&c->projects, names[i]))
			return tend_err("no project named \"%s\" (see tend projects)", names[i]);
	if (connect(cl, &c->cfg) || tend_reconciler_new(cl->kube, o, &cl->rec))
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
		if (!selected(names, n_names, p->name))
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
	cl->complete = n_names == 0;
	return 0;
}

void cmd_cluster_close(cmd_cluster *cl)
{
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
	memset(cl, 0, sizeof(*cl));
}
