/*
 * project.c — the `/projects/NAME` page: one project's status, its last
 * error in full, its objects with their sync state and health, recent
 * events (applies, prunes, drift and its revert), the Git-vs-live diff of
 * objects that are out of sync, and its add-ons and grants.
 *
 * Invariant: a Secret is shown by kind and name only — its diff and
 * messages are never rendered, whatever the document carries.
 */
#include "ui_internal.h"

#include <stdlib.h>
#include <string.h>

static const cJSON *find_project(const cJSON *st, const char *name)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(st, "projects"))
	{
		const char *n = ui_str(p, "name");
		if (n && strcmp(n, name) == 0)
			return p;
	}
	return NULL;
}

static bool is_secret(const cJSON *r)
{
	const char *k = ui_str(r, "kind");
	return k && strcmp(k, "Secret") == 0;
}

/* The sync state of one object of the last run, as a status class and label. */
static const char *object_state(const cJSON *r, const char **label)
{
	const char *a = ui_str(r, "action");
	bool done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "done"));
	*label = NULL;
	if (!a || strcmp(a, "unchanged") == 0)
		return "Synced";
	if ((strcmp(a, "create") == 0 || strcmp(a, "update") == 0) && done) {
		*label = strcmp(a, "create") == 0 ? "Synced (created)" : "Synced (updated)";
		return "Synced";
	}
	if (strcmp(a, "prune") == 0) {
		*label = done ? "Pruned" : "OutOfSync (to prune)";
		return done ? "Synced" : "OutOfSync";
	}
	if (strcmp(a, "keep") == 0) {
		*label = "OutOfSync (kept by prune guard)";
		return "OutOfSync";
	}
	if (strcmp(a, "conflict") == 0) {
		*label = "Conflict";
		return "Failed";
	}
	if (strcmp(a, "error") == 0)
		return "Failed";
	*label = strcmp(a, "create") == 0 ? "OutOfSync (missing)" : "OutOfSync";
	return "OutOfSync";
}

static void put_object_id(tend_buf *out, const cJSON *r)
{
	tend_ui_escape(out, ui_str(r, "kind"));
	tend_buf_putc(out, ' ');
	if (ui_str(r, "namespace")) {
		tend_ui_escape(out, ui_str(r, "namespace"));
		tend_buf_putc(out, '/');
	}
	tend_ui_escape(out, ui_str(r, "name"));
}

static void put_summary(tend_buf *out, const cJSON *p, const tend_ui_render_opts *o)
{
	const char *name = ui_str(p, "name");
	tend_buf_puts(out, "<section class=\"summary\"><p class=\"crumbs\"><a href=\"/\">All "
	                   "projects</a></p><h1>");
	tend_ui_escape(out, name);
	tend_buf_puts(out, "</h1><dl><dt>Sync status</dt><dd id=\"sync-status\">");
	const char *cls = tend_ui_status_class(p);
	ui_put_badge(out, cls,
	             strcmp(cls, "Blocked") == 0 ? "Blocked by guardrail"
	                                         : ui_str(p, "syncStatus"));
	if (o->allow_actions) {
		tend_buf_puts(out,
		              " <button class=\"action\" hidden data-action=\"/api/v1/projects/");
		tend_ui_escape_url(out, name);
		tend_buf_puts(out, "/sync\">Sync now</button>");
	}
	tend_buf_puts(out, "</dd><dt>Health</dt><dd>");
	ui_put_badge(out, ui_str(p, "health"), NULL);
	if (ui_str(p, "healthMessage")) {
		tend_buf_puts(out, " <span class=\"muted\">");
		tend_ui_escape(out, ui_str(p, "healthMessage"));
		tend_buf_puts(out, "</span>");
	}
	tend_buf_puts(out, "</dd><dt>Namespace</dt><dd class=\"mono\">");
	tend_ui_escape(out, ui_str(p, "namespace") ? ui_str(p, "namespace") : "—");
	tend_buf_puts(out, "</dd><dt>Revision applied</dt><dd class=\"mono\">");
	tend_ui_escape(out, ui_str(p, "revision") ? ui_str(p, "revision") : "—");
	tend_buf_puts(out, "</dd><dt>Last sync</dt><dd>");
	ui_put_age(out, ui_str(p, "lastSyncTime"), o->now_ms);
	if (ui_num(p, "failedAttempts") > 0)
		tend_buf_printf(out, " <span class=\"err\">(%.0f failed attempts in a row)</span>",
		                ui_num(p, "failedAttempts"));
	tend_buf_puts(out, "</dd></dl>");
	if (ui_str(p, "lastError")) {
		tend_buf_puts(out, "<h2>Last error</h2><pre class=\"err\" id=\"last-error\">");
		tend_ui_escape(out, ui_str(p, "lastError"));
		tend_buf_puts(out, "</pre>");
	}
	tend_buf_puts(out, "</section>\n");
}

static void put_objects(tend_buf *out, const cJSON *p)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(p, "resources");
	tend_buf_puts(out, "<section><h2>Objects</h2>");
	if (!cJSON_GetArraySize(res)) {
		tend_buf_puts(out,
		              "<p class=\"empty\">No objects recorded yet (no sync has run).</p>"
		              "</section>\n");
		return;
	}
	tend_buf_puts(out, "<div class=\"scroll\"><table id=\"objects\"><thead><tr><th>Kind</th>"
	                   "<th>Namespace</th><th>Name</th><th>Sync state</th><th>Health</th>"
	                   "</tr></thead><tbody>\n");
	const cJSON *r;
	cJSON_ArrayForEach(r, res)
	{
		const char *label;
		const char *state = object_state(r, &label);
		tend_buf_puts(out, "<tr><td>");
		tend_ui_escape(out, ui_str(r, "kind"));
		tend_buf_puts(out, "</td><td>");
		tend_ui_escape(out, ui_str(r, "namespace") ? ui_str(r, "namespace") : "—");
		tend_buf_puts(out, "</td><td class=\"name\">");
		tend_ui_escape(out, ui_str(r, "name"));
		tend_buf_puts(out, "</td><td>");
		ui_put_badge(out, state, label);
		if (ui_str(r, "message") && !is_secret(r)) {
			tend_buf_puts(out, "<div class=\"err\">");
			tend_ui_escape(out, ui_str(r, "message"));
			tend_buf_puts(out, "</div>");
		}
		tend_buf_puts(out, "</td><td>");
		ui_put_badge(out, ui_str(r, "health"), NULL);
		if (ui_str(r, "healthMessage") && !is_secret(r)) {
			tend_buf_puts(out, "<div class=\"muted\">");
			tend_ui_escape(out, ui_str(r, "healthMessage"));
			tend_buf_puts(out, "</div>");
		}
		tend_buf_puts(out, "</td></tr>\n");
	}
	tend_buf_puts(out, "</tbody></table></div></section>\n");
}

static void put_diff_lines(tend_buf *out, const char *diff)
{
	for (const char *line = diff; *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		const char *cls = *line == '+'   ? "add"
		                  : *line == '-' ? "del"
		                  : *line == '@' ? "hunk"
		                                 : NULL;
		char *text = tend_xstrndup(line, n);
		if (cls)
			tend_buf_printf(out, "<span class=\"%s\">", cls);
		tend_ui_escape(out, text);
		if (cls)
			tend_buf_puts(out, "</span>");
		tend_buf_putc(out, '\n');
		free(text);
		line = nl ? nl + 1 : line + n;
	}
}

static void put_diffs(tend_buf *out, const cJSON *p)
{
	const cJSON *r;
	bool any = false;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(p, "resources"))
	{
		/* out of sync, or failed (a conflict, a refused apply), with a diff;
		 * a Secret never has one shown, it is named */
		const char *diff = ui_str(r, "diff");
		const char *label;
		const char *state = object_state(r, &label);
		bool unlike = strcmp(state, "OutOfSync") == 0 || strcmp(state, "Failed") == 0;
		if (!unlike || !(diff || is_secret(r)))
			continue;
		if (!any)
			tend_buf_puts(out,
			              "<section id=\"diffs\"><h2>Git vs live</h2>"
			              "<p class=\"muted\">Objects the last sync left unlike Git: "
			              "<span class=\"del\">-</span> live, reduced to the fields "
			              "Git sets; <span class=\"add\">+</span> what Git wants.</p>");
		any = true;
		tend_buf_puts(out, "<h3 class=\"mono\">");
		put_object_id(out, r);
		tend_buf_puts(out, "</h3>");
		if (is_secret(r)) {
			tend_buf_puts(out,
			              "<p class=\"muted\">Secret: contents are never shown.</p>");
			continue;
		}
		tend_buf_puts(out, "<pre class=\"diff\">");
		put_diff_lines(out, diff);
		tend_buf_puts(out, "</pre>");
	}
	if (any)
		tend_buf_puts(out, "</section>\n");
}

/* One entry of the merged event list. */
typedef struct event {
	int64_t t;
	const cJSON *e;
	bool drift;
} event;

static int cmp_events(const void *x, const void *y)
{
	const event *a = x, *b = y;
	return a->t < b->t ? 1 : a->t > b->t ? -1 : 0; /* newest first */
}

static void put_event(tend_buf *out, const event *ev, const tend_ui_render_opts *o)
{
	const cJSON *e = ev->e;
	tend_buf_puts(out, "<tr><td>");
	ui_put_age(out, ui_str(e, "time"), o->now_ms);
	tend_buf_puts(out, "</td><td>");
	if (ev->drift) {
		bool reverted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "reverted"));
		ui_put_badge(out, reverted ? "Synced" : "OutOfSync",
		             reverted ? "drift reverted" : "drift");
	} else {
		ui_put_badge(out, "other", ui_str(e, "type"));
	}
	tend_buf_puts(out, "</td><td class=\"mono\">");
	tend_ui_escape(out, ui_str(e, "object"));
	tend_buf_puts(out, "</td><td>");
	if (ui_str(e, "change")) {
		tend_ui_escape(out, ui_str(e, "change"));
		tend_buf_putc(out, ' ');
	}
	if (ui_str(e, "field")) {
		tend_buf_puts(out, "field <code>");
		tend_ui_escape(out, ui_str(e, "field"));
		tend_buf_puts(out, "</code> ");
	}
	if (ui_str(e, "manager")) {
		tend_buf_puts(out, "by <code>");
		tend_ui_escape(out, ui_str(e, "manager"));
		tend_buf_puts(out, "</code> ");
	}
	tend_ui_escape(out, ui_str(e, "message"));
	tend_buf_puts(out, "</td></tr>\n");
}

static void put_events(tend_buf *out, const cJSON *p, const tend_ui_render_opts *o)
{
	const cJSON *applied = cJSON_GetObjectItemCaseSensitive(p, "events");
	const cJSON *drift = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(p, "drift"), "events");
	size_t n = (size_t)cJSON_GetArraySize(applied) + (size_t)cJSON_GetArraySize(drift);
	tend_buf_puts(out, "<section><h2>Recent events</h2>");
	if (!n) {
		tend_buf_puts(out, "<p class=\"empty\">None yet.</p></section>\n");
		return;
	}
	event *evs = tend_xcalloc(n, sizeof(*evs));
	size_t len = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, applied) evs[len++] =
	    (event){ui_parse_time(ui_str(e, "time")), e, false};
	cJSON_ArrayForEach(e, drift) evs[len++] =
	    (event){ui_parse_time(ui_str(e, "time")), e, true};
	qsort(evs, len, sizeof(*evs), cmp_events);
	tend_buf_puts(out, "<div class=\"scroll\"><table id=\"events\"><thead><tr><th>When</th>"
	                   "<th>What</th><th>Object</th><th>Detail</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < len; i++)
		put_event(out, &evs[i], o);
	tend_buf_puts(out, "</tbody></table></div></section>\n");
	free(evs);
}

static void put_grants(tend_buf *out, const cJSON *p, const tend_ui_render_opts *o)
{
	const cJSON *gs = cJSON_GetObjectItemCaseSensitive(p, "grants");
	int warn = o->grant_warn_days > 0 ? o->grant_warn_days : 14;
	tend_buf_puts(out, "<section><h2>Add-ons and grants</h2>");
	if (!cJSON_GetArraySize(gs)) {
		tend_buf_puts(out, "<p class=\"empty\">No add-ons and no grants.</p></section>\n");
		return;
	}
	tend_buf_puts(out, "<div class=\"scroll\"><table id=\"grants\"><thead><tr><th>Add-on</th>"
	                   "<th>Used</th><th>Grant</th><th>Until</th><th>Reason</th></tr></thead>"
	                   "<tbody>\n");
	const cJSON *g;
	cJSON_ArrayForEach(g, gs)
	{
		bool granted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "granted"));
		int64_t until = ui_parse_time(ui_str(g, "until"));
		tend_buf_puts(out, "<tr><td class=\"mono\">");
		tend_ui_escape(out, ui_str(g, "addon"));
		tend_buf_printf(out, "</td><td>%s</td><td>",
		                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "used")) ? "yes"
		                                                                          : "no");
		if (granted)
			tend_buf_puts(out, "granted");
		else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "requiresGrant")))
			ui_put_badge(out, "Failed", "needs a grant");
		else
			tend_buf_puts(out, "not needed");
		tend_buf_puts(out, "</td><td>");
		if (granted && until && until < o->now_ms)
			ui_put_badge(out, "Failed", "expired");
		else if (granted && until && until < o->now_ms + warn * 86400000LL)
			ui_put_badge(out, "Progressing", "expiring soon");
		if (ui_str(g, "until")) {
			tend_buf_putc(out, ' ');
			tend_ui_escape(out, ui_str(g, "until"));
		} else {
			tend_buf_puts(out, granted ? " no end" : "—");
		}
		tend_buf_puts(out, "</td><td>");
		tend_ui_escape(out, ui_str(g, "reason"));
		tend_buf_puts(out, "</td></tr>\n");
	}
	tend_buf_puts(out, "</tbody></table></div></section>\n");
}

int tend_ui_render_project(const cJSON *st, const char *name, const tend_ui_render_opts *o,
                           tend_buf *out)
{
	const cJSON *p = find_project(st, name);
	ui_page_begin(out, p ? name : "Not found", o);
	if (!p) {
		tend_buf_puts(out,
		              "<section><h1>No such project</h1><p>tend knows no project named "
		              "<code>");
		tend_ui_escape(out, name);
		tend_buf_puts(out, "</code>. <a href=\"/\">All projects</a></p></section>\n");
		ui_page_end(out, o);
		return 404;
	}
	put_summary(out, p, o);
	put_objects(out, p);
	put_diffs(out, p);
	put_events(out, p, o);
	put_grants(out, p, o);
	ui_page_end(out, o);
	return 200;
}
