/*
 * grants.c — every project's add-ons and grants, and since when each has
 * been there: the oldest commit of the unbroken run, back from the head
 * revision, in which project.yaml holds the grant (or, for an add-on used
 * without a grant, the kustomization lists the component). A grant removed
 * and added again counts from the second time.
 *
 * Invariant: entries come sorted by project, then add-on name.
 */
#include "review.h"

#include "../doc/doc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Whether a YAML text lists `name`: as grants[].addon (grant) or as a components entry. */
static bool text_has(const char *label, const char *text, size_t len, const char *name, bool grant)
{
	tend_docs docs = TEND_DOCS_INIT;
	bool found = false;
	if (tend_doc_load(label, text, len, &docs) == 0 && docs.len) {
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
		                          docs.items[0].root, grant ? "grants" : "components"))
		{
			if (grant) {
				const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "addon");
				found |= cJSON_IsString(a) && strcmp(a->valuestring, name) == 0;
			} else if (cJSON_IsString(e)) {
				char *n = tend_component_name(e->valuestring);
				found |= strcmp(n, name) == 0;
				free(n);
			}
		}
	}
	tend_err_clear();
	tend_docs_free(&docs);
	return found;
}

static void find_since(tend_history *h, const char *rev, const char *path, const char *name,
                       bool grant, tend_grant_entry *e)
{
	tend_file_versions vs;
	if (tend_history_file_versions(h, rev, path, &vs) != 0) {
		tend_err_clear();
		return;
	}
	for (size_t i = 0;
	     i < vs.len && text_has(path, vs.items[i].content, vs.items[i].len, name, grant); i++) {
		memcpy(e->since_sha, vs.items[i].sha, sizeof(e->since_sha));
		free(e->since_author);
		e->since_author = tend_xstrdup(vs.items[i].author);
		e->since_time = vs.items[i].time;
	}
	tend_file_versions_free(&vs);
}

static tend_grant_entry *entry_for(tend_grant_list *l, size_t first, const char *project,
                                   const char *addon)
{
	for (size_t i = first; i < l->len; i++)
		if (strcmp(l->items[i].addon, addon) == 0)
			return &l->items[i];
	l->items = tend_xrealloc(l->items, (l->len + 1) * sizeof(*l->items));
	tend_grant_entry *e = &l->items[l->len++];
	memset(e, 0, sizeof(*e));
	e->project = tend_xstrdup(project);
	e->addon = tend_xstrdup(addon);
	return e;
}

static int by_addon(const void *a, const void *b)
{
	return strcmp(((const tend_grant_entry *)a)->addon, ((const tend_grant_entry *)b)->addon);
}

static void collect_project(const tend_guard_config *g, const tend_project *p, const char *root,
                            tend_history *h, const char *rev, const char *today,
                            tend_grant_list *out)
{
	size_t first = out->len;
	tend_docs docs = TEND_DOCS_INIT;
	char *kfile = tend_kustomization_load(root, p->dir, &docs);
	const cJSON *comps =
	    docs.len ? cJSON_GetObjectItemCaseSensitive(docs.items[0].root, "components") : NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, comps)
	{
		if (!cJSON_IsString(e))
			continue;
		char *name = tend_component_name(e->valuestring);
		entry_for(out, first, p->name, name)->used = true;
		free(name);
	}
	tend_docs_free(&docs);
	for (size_t i = 0; i < p->n_grants; i++) {
		tend_grant_entry *ge = entry_for(out, first, p->name, p->grants[i].addon);
		ge->granted = true;
		ge->until = p->grants[i].until ? tend_xstrdup(p->grants[i].until) : NULL;
		ge->reason = tend_xstrdup(p->grants[i].reason);
		ge->expired = ge->until && strcmp(ge->until, today) < 0;
		int64_t end, now;
		if (!ge->expired && ge->until && tend_grant_expiry(ge->until, &end) == 0 &&
		    tend_grant_expiry(today, &now) == 0)
			ge->expiring = (end - now) / 86400 < g->grant_warning_days;
	}
	const char *prefix = h ? tend_history_prefix(h) : "";
	for (size_t i = first; i < out->len; i++) {
		tend_grant_entry *ge = &out->items[i];
		for (size_t a = 0; a < g->n_addons; a++)
			if (strcmp(g->addons[a].name, ge->addon) == 0)
				ge->requires_grant = g->addons[a].requires_grant;
		const char *file = ge->granted ? p->meta_file : kfile;
		if (!h || !file)
			continue;
		char *joined = *prefix ? tend_xasprintf("%s/%s", prefix, file) : tend_xstrdup(file);
		char *path = tend_path_clean(joined);
		find_since(h, rev, path, ge->addon, ge->granted, ge);
		free(joined);
		free(path);
	}
	free(kfile);
	if (out->len > first)
		qsort(out->items + first, out->len - first, sizeof(*out->items), by_addon);
}

int tend_grants_collect(const tend_guard_config *g, const tend_projects *ps, const char *root,
                        tend_history *h, const char *rev, const char *today, tend_grant_list *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ps->len; i++)
		if (!ps->items[i].error)
			collect_project(g, &ps->items[i], root, h, rev, today, out);
	return 0;
}

void tend_grant_list_free(tend_grant_list *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].project);
		free(l->items[i].addon);
		free(l->items[i].until);
		free(l->items[i].reason);
		free(l->items[i].since_author);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int tend_grant_expiry(const char *until, int64_t *ts)
{
	struct tm tm = {0};
	const char *end = until ? strptime(until, "%Y-%m-%d", &tm) : NULL;
	if (!end || *end)
		return tend_err("grant until \"%s\" is not a date YYYY-MM-DD", until ? until : "");
	/* a grant holds through its `until` day: it ends at the next midnight, UTC */
	*ts = (int64_t)timegm(&tm) + 86400;
	return 0;
}

const char *tend_grant_status(const tend_grant_entry *e)
{
	if (e->granted && e->expired)
		return "expired";
	if (e->granted && e->expiring)
		return "expiring";
	if (e->granted && !e->used)
		return "unused";
	if (!e->granted && e->requires_grant)
		return "no-grant";
	return e->granted ? "granted" : "add-on";
}

static void date_of(int64_t t, char out[11])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int tend_grants_format(const tend_grant_list *l, bool expired_only, const char *format,
                       tend_buf *out)
{
	bool json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "text") != 0)
		return tend_err("unknown format \"%s\" (text or json)", format);
	cJSON *list = json ? cJSON_CreateArray() : NULL;
	if (!json)
		tend_buf_printf(out, "%-20s %-16s %-9s %-10s %-10s %-8s %-20s %s\n", "PROJECT",
		                "ADD-ON", "STATUS", "UNTIL", "SINCE", "COMMIT", "BY", "REASON");
	for (size_t i = 0; i < l->len; i++) {
		const tend_grant_entry *e = &l->items[i];
		if (expired_only && !e->expired)
			continue;
		char since[11] = "-";
		if (e->since_sha[0])
			date_of(e->since_time, since);
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "project", e->project);
			cJSON_AddStringToObject(o, "addon", e->addon);
			cJSON_AddStringToObject(o, "status", tend_grant_status(e));
			cJSON_AddBoolToObject(o, "granted", e->granted);
			cJSON_AddBoolToObject(o, "used", e->used);
			cJSON_AddBoolToObject(o, "requiresGrant", e->requires_grant);
			if (e->until)
				cJSON_AddStringToObject(o, "until", e->until);
			if (e->reason)
				cJSON_AddStringToObject(o, "reason", e->reason);
			if (e->since_sha[0]) {
				cJSON_AddStringToObject(o, "since", since);
				cJSON_AddStringToObject(o, "sinceCommit", e->since_sha);
				cJSON_AddStringToObject(o, "sinceAuthor", e->since_author);
			}
			cJSON_AddItemToArray(list, o);
			continue;
		}
		/* the author's name; JSON has the e-mail address too */
		const char *by = e->since_author ? e->since_author : "-";
		const char *lt = strstr(by, " <");
		int by_len = lt ? (int)(lt - by) : (int)strlen(by);
		tend_buf_printf(out, "%-20s %-16s %-9s %-10s %-10s %-8.8s %-20.*s %s\n", e->project,
		                e->addon, tend_grant_status(e), e->until ? e->until : "-", since,
		                e->since_sha[0] ? e->since_sha : "-", by_len, by,
		                e->reason ? e->reason : "");
	}
	if (json) {
		tend_doc_emit_json(list, out);
		cJSON_Delete(list);
	}
	return 0;
}
