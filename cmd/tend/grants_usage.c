/*
 * grants_usage.c — `tend grants --usage`: each add-on a project uses, with
 * what it adds to the project's ResourceQuotas and how much of that is in
 * use now. What the add-on adds is the difference between the project's
 * render and its render without the add-on's component (the same render
 * tend would apply once the grant is reclaimed); what is in use is the
 * live ResourceQuota's status.used. The add-on's share in use is the use
 * beyond what the project has without it: 0 means the project fits without
 * the grant — a reclaim candidate.
 */
#include "cmd.h"

#include "../../lib/guard/guard.h"
#include "../../lib/review/review.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* spec.hard of the ResourceQuota ns/name in m, or NULL. */
static const cJSON *hard_of(const tend_resmap *m, const char *ns, const char *name)
{
	for (size_t i = 0; i < m->len; i++) {
		const cJSON *o = m->items[i].obj;
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "metadata");
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind"));
		const char *n =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "name"));
		const char *s =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "namespace"));
		if (k && n && strcmp(k, "ResourceQuota") == 0 && strcmp(n, name) == 0 &&
		    strcmp(s ? s : "", ns) == 0)
			return cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(o, "spec"), "hard");
	}
	return NULL;
}

static long double value_of(const char *s)
{
	long double v = 0;
	return s && tend_quantity_value(s, &v) == 0 ? v : 0;
}

/* v in the unit of `like` ("16" -> "3", "64Gi" -> "8Gi"). */
static char *in_unit_of(long double v, const char *like)
{
	static const struct {
		const char *suffix;
		long double scale;
	} units[] = {
	    {"Ki", 1024.0L}, {"Mi", 1048576.0L}, {"Gi", 1073741824.0L}, {"Ti", 1099511627776.0L},
	    {"k", 1e3L},     {"M", 1e6L},        {"G", 1e9L},           {"T", 1e12L},
	    {"m", 1e-3L}};
	size_t n = like ? strlen(like) : 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].suffix);
		if (n > l && strcmp(like + n - l, units[i].suffix) == 0)
			return tend_xasprintf("%.6Lg%s", v / units[i].scale, units[i].suffix);
	}
	return tend_xasprintf("%.6Lg", v);
}

/* The live status.used of the ResourceQuota ns/name, or NULL (caller deletes). */
static cJSON *live_used(tend_kube *kube, const char *ns, const char *name)
{
	const tend_kube_resource *rq;
	cJSON *live = NULL;
	if (tend_kube_resource_for_kind(kube, "v1", "ResourceQuota", &rq) ||
	    tend_kube_get(kube, rq, ns, name, NULL, &live))
		return NULL;
	cJSON *used = cJSON_DetachItemFromObjectCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(live, "status"), "used");
	cJSON_Delete(live);
	return used;
}

/* Rows for one add-on of one project: every quota resource it raises. */
static void usage_of(const tend_grant_entry *e, const tend_resmap *full, const tend_resmap *without,
                     tend_kube *kube, cJSON *rows)
{
	for (size_t i = 0; i < full->len; i++) {
		const cJSON *o = full->items[i].obj;
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "metadata");
		const char *kind =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind"));
		const char *name =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "name"));
		const char *ns =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "namespace"));
		if (!kind || strcmp(kind, "ResourceQuota") != 0 || !name)
			continue;
		ns = ns ? ns : "";
		const cJSON *hard = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(o, "spec"), "hard");
		const cJSON *base = hard_of(without, ns, name);
		cJSON *used = NULL;
		bool fetched = false;
		const cJSON *h;
		cJSON_ArrayForEach(h, hard)
		{
			const char *with_s = cJSON_GetStringValue(h);
			const char *base_s =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(base, h->string));
			long double with = value_of(with_s), wo = value_of(base_s);
			if (!with_s || with <= wo)
				continue; /* the add-on does not raise it */
			if (!fetched) {
				used = live_used(kube, ns, name);
				fetched = true;
			}
			const char *used_s =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(used, h->string));
			cJSON *row = cJSON_CreateObject();
			cJSON_AddStringToObject(row, "project", e->project);
			cJSON_AddStringToObject(row, "addon", e->addon);
			cJSON_AddStringToObject(row, "status", tend_grant_status(e));
			char *quota = tend_xasprintf("%s/%s", ns, name);
			cJSON_AddStringToObject(row, "quota", quota);
			free(quota);
			cJSON_AddStringToObject(row, "resource", h->string);
			cJSON_AddStringToObject(row, "hard", with_s);
			char *adds = in_unit_of(with - wo, with_s);
			cJSON_AddStringToObject(row, "adds", adds);
			free(adds);
			if (used_s) {
				cJSON_AddStringToObject(row, "used", used_s);
				long double share =
				    fminl(fmaxl(value_of(used_s) - wo, 0), with - wo);
				char *s = in_unit_of(share, with_s);
				cJSON_AddStringToObject(row, "addonInUse", s);
				free(s);
				cJSON_AddBoolToObject(row, "reclaimCandidate", share <= 0);
			} else { /* no quota controller has counted it (yet) */
				cJSON_AddNullToObject(row, "used");
				cJSON_AddNullToObject(row, "addonInUse");
				cJSON_AddNullToObject(row, "reclaimCandidate");
			}
			cJSON_AddItemToArray(rows, row);
		}
		cJSON_Delete(used);
	}
}

static const char *text_of(const cJSON *row, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, key));
	return s ? s : "-";
}

static void print_rows(const cJSON *rows)
{
	static const char *const cols[] = {"project", "addon", "status", "resource",
	                                   "hard",    "adds",  "used",   "addonInUse"};
	static const char *const heads[] = {"PROJECT", "ADD-ON", "STATUS", "RESOURCE",
	                                    "HARD",    "ADDS",   "USED",   "ADD-ON IN USE"};
	enum { N = sizeof(cols) / sizeof(cols[0]) };
	int w[N];
	for (int c = 0; c < N; c++)
		w[c] = (int)strlen(heads[c]);
	const cJSON *r;
	cJSON_ArrayForEach(r, rows) for (int c = 0; c < N; c++)
	{
		int l = (int)strlen(text_of(r, cols[c]));
		w[c] = l > w[c] ? l : w[c];
	}
	for (int c = 0; c < N; c++)
		printf("%-*s%s", c == N - 1 ? 0 : w[c], heads[c], c == N - 1 ? "\n" : "  ");
	cJSON_ArrayForEach(r, rows)
	{
		for (int c = 0; c < N; c++)
			printf("%-*s%s", c == N - 1 ? 0 : w[c], text_of(r, cols[c]),
			       c == N - 1 ? "" : "  ");
		printf("%s\n", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "reclaimCandidate"))
		                   ? "  (reclaim candidate: fits without it)"
		                   : "");
	}
}

int cmd_grants_usage(const cmd_review *r, const tend_guard_config *g, const tend_grant_list *l,
                     const cmd_cluster_flags *f, bool expired_only, const char *format)
{
	tend_kube_config *kcfg = NULL;
	tend_kube *kube = NULL;
	if (cmd_cluster_connect(&r->c.cfg, f, &kcfg, &kube)) {
		tend_kube_config_free(kcfg);
		return -1;
	}
	cJSON *rows = cJSON_CreateArray();
	int rc = 0;
	const tend_project *rendered = NULL;
	tend_resmap full = TEND_RESMAP_INIT;
	for (size_t i = 0; i < l->len && !rc; i++) {
		const tend_grant_entry *e = &l->items[i];
		const tend_project *p = tend_projects_find(&r->c.projects, e->project);
		if (!e->used || !p || (expired_only && !e->expired))
			continue;
		if (p != rendered) { /* entries come project by project */
			tend_resmap_free(&full);
			rendered = p;
			if (tend_project_render(p, r->root, NULL, &full)) {
				rc = tend_err("project %s: %s", p->name, tend_err_msg());
				break;
			}
		}
		cJSON *k = tend_guard_without_addon(g, p, r->root, e->addon);
		if (!k)
			continue;
		tend_resmap without = TEND_RESMAP_INIT;
		tend_kustomize_opts o = {.kustomization = k};
		if (tend_project_render(p, r->root, &o, &without))
			rc = tend_err("project %s without %s: %s", p->name, e->addon,
			              tend_err_msg());
		else
			usage_of(e, &full, &without, kube, rows);
		tend_resmap_free(&without);
		cJSON_Delete(k);
	}
	tend_resmap_free(&full);
	if (!rc) {
		if (cmd_structured(format))
			rc = cmd_print_doc(rows, format);
		else if (!cJSON_GetArraySize(rows))
			printf("No add-on raises a ResourceQuota.\n");
		else
			print_rows(rows);
	}
	cJSON_Delete(rows);
	tend_kube_free(kube);
	tend_kube_config_free(kcfg);
	return rc;
}
