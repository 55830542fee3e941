/*
 * overview.c — the `/` page: where the source stands (URL, revision,
 * last fetch), which replica this is, project counts by sync status and
 * health, and the project table, filtered and sorted on the server from
 * the query string so it works without JavaScript.
 *
 * Invariant: rows come only from the status document's `projects` array;
 * the page computes nothing the JSON does not hold except ages and the
 * per-hour and expiring-soon counts, which depend on the clock.
 */
#include "ui_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOUR_MS (3600 * 1000LL)
#define DAY_MS  (24 * HOUR_MS)

const char *tend_ui_status_class(const cJSON *p)
{
	const char *s = ui_str(p, "syncStatus");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "blockedByGuardrail")))
		return "Blocked";
	if (!s)
		return "Pending";
	if (strcmp(s, "Synced") == 0 || strcmp(s, "OutOfSync") == 0 || strcmp(s, "Failed") == 0)
		return s;
	if (strcmp(s, "PruneBlocked") == 0 || strcmp(s, "RemovalBlocked") == 0 ||
	    strcmp(s, "NamespaceKept") == 0)
		return "OutOfSync";
	if (strcmp(s, "RenderFailed") == 0)
		return "Failed";
	return "Pending";
}

/* What the status column says: the class, or the daemon's finer word. */
static const char *status_label(const cJSON *p)
{
	const char *c = tend_ui_status_class(p);
	const char *s = ui_str(p, "syncStatus");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "suspended")))
		return "Suspended";
	if (strcmp(c, "Blocked") == 0)
		return "Blocked by guardrail";
	if (s && strcmp(s, "PruneBlocked") == 0)
		return "OutOfSync (prune guard)";
	if (s && strcmp(s, "RemovalBlocked") == 0)
		return "Removal blocked (projects guard)";
	if (s && strcmp(s, "NamespaceKept") == 0)
		return "Namespace kept (data not in Git)";
	if (s && strcmp(s, "RenderFailed") == 0)
		return "Failed (render)";
	return s && strcmp(c, "Pending") != 0 ? s : c;
}

int tend_ui_drift_reverts_last_hour(const cJSON *p, int64_t now_ms)
{
	const cJSON *drift = cJSON_GetObjectItemCaseSensitive(p, "drift");
	const cJSON *e;
	int n = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(drift, "events"))
	{
		int64_t t = ui_parse_time(ui_str(e, "time"));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "reverted")) && t &&
		    t > now_ms - HOUR_MS && t <= now_ms + 60000)
			n++;
	}
	return n;
}

int tend_ui_grants_expiring(const cJSON *p, int64_t now_ms, int warn_days)
{
	const cJSON *g;
	int n = 0;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(p, "grants"))
	{
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "granted")))
			continue;
		int64_t until = ui_parse_time(ui_str(g, "until"));
		if (until && until < now_ms + warn_days * DAY_MS)
			n++;
	}
	return n;
}

/* ---- filter and sort ---- */

/* A project of the table with the values it sorts by, computed once. */
typedef struct row {
	const cJSON *p;
	const tend_ui_query *q;
	int64_t last_sync;
	double objects;
	int drift;  /* reverts in the last hour */
	int grants; /* expiring soon */
} row;

static row make_row(const cJSON *p, const tend_ui_query *q, const tend_ui_render_opts *o,
                    int warn_days)
{
	return (row){p,
	             q,
	             ui_parse_time(ui_str(p, "lastSyncTime")),
	             ui_num(cJSON_GetObjectItemCaseSensitive(p, "objects"), "total"),
	             tend_ui_drift_reverts_last_hour(p, o->now_ms),
	             tend_ui_grants_expiring(p, o->now_ms, warn_days)};
}

static bool has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; hay && *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return !*needle;
}

static bool matches(const cJSON *p, const tend_ui_query *q)
{
	if (q->q && *q->q && !has_ci(ui_str(p, "name"), q->q))
		return false;
	if (q->status && *q->status && strcmp(tend_ui_status_class(p), q->status) != 0)
		return false;
	if (q->health && *q->health &&
	    (!ui_str(p, "health") || strcmp(ui_str(p, "health"), q->health)))
		return false;
	return true;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_names(const row *a, const row *b)
{
	const char *x = ui_str(a->p, "name"), *y = ui_str(b->p, "name");
	int c = strcasecmp(x ? x : "", y ? y : "");
	return c ? c : cmp_str(x, y);
}

static int cmp_num(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int rank(const char *v, const char *const *order)
{
	for (int i = 0; order[i]; i++)
		if (v && strcmp(v, order[i]) == 0)
			return i;
	return 99;
}

static int cmp_rows(const void *x, const void *y)
{
	static const char *const status_order[] = {"Failed",  "Blocked", "OutOfSync",
	                                           "Pending", "Synced",  NULL};
	static const char *const health_order[] = {"Degraded",    "Missing", "Unknown",
	                                           "Progressing", "Healthy", NULL};
	const row *a = x, *b = y;
	const char *s = a->q->sort ? a->q->sort : "name";
	int c = 0;
	if (strcmp(s, "name") == 0)
		c = cmp_names(a, b);
	else if (strcmp(s, "status") == 0)
		c = rank(tend_ui_status_class(a->p), status_order) -
		    rank(tend_ui_status_class(b->p), status_order);
	else if (strcmp(s, "health") == 0)
		c = rank(ui_str(a->p, "health"), health_order) -
		    rank(ui_str(b->p, "health"), health_order);
	else if (strcmp(s, "revision") == 0)
		c = cmp_str(ui_str(a->p, "revision"), ui_str(b->p, "revision"));
	else if (strcmp(s, "lastSync") == 0)
		c = cmp_num((double)a->last_sync, (double)b->last_sync);
	else if (strcmp(s, "objects") == 0)
		c = cmp_num(a->objects, b->objects);
	else if (strcmp(s, "drift") == 0)
		c = a->drift - b->drift;
	else if (strcmp(s, "grants") == 0)
		c = a->grants - b->grants;
	if (a->q->desc)
		c = -c;
	/* ties: by name, always ascending */
	return c ? c : cmp_names(a, b);
}

/* ---- the page ---- */

/* The values the counts and the filter offer, in display order. */
static const char *const statuses[] = {"Synced", "OutOfSync", "Failed", "Blocked", "Pending", NULL};
static const char *const healths[] = {"Healthy", "Progressing", "Degraded",
                                      "Missing", "Unknown",     NULL};

/* The table's columns: sort key and header. */
static const struct column {
	const char *key, *label;
} columns[] = {{"name", "Project"},
               {"status", "Sync status"},
               {"health", "Health"},
               {"revision", "Revision"},
               {"lastSync", "Last sync"},
               {"objects", "Objects"},
               {"drift", "Drift reverts (1 h)"},
               {"grants", "Grants expiring"},
               {NULL, NULL}};

static void put_short_sha(tend_buf *out, const char *sha)
{
	char short_sha[8] = {0};
	strncpy(short_sha, sha, 7);
	tend_ui_escape(out, short_sha);
}

static void put_source(tend_buf *out, const cJSON *st, const tend_ui_render_opts *o)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(st, "source");
	const cJSON *leader = cJSON_GetObjectItemCaseSensitive(st, "leader");
	const char *rev = ui_str(src, "revision");
	tend_buf_puts(out, "<section class=\"source\"><h1>Source</h1><dl>");
	tend_buf_puts(out, "<dt>Repository</dt><dd class=\"mono\">");
	tend_ui_escape(out, ui_str(src, "url") ? ui_str(src, "url") : "—");
	tend_buf_puts(out, "</dd><dt>Revision</dt><dd>");
	if (rev) {
		tend_buf_puts(out, "<code title=\"");
		tend_ui_escape(out, rev);
		tend_buf_puts(out, "\">");
		put_short_sha(out, rev);
		tend_buf_puts(out, "</code> ");
		tend_ui_escape(out, ui_str(src, "subject"));
		tend_buf_puts(out, "<br><span class=\"muted\">");
		tend_ui_escape(out, ui_str(src, "author"));
		tend_buf_puts(out, ", ");
		ui_put_age(out, ui_str(src, "commitTime"), o->now_ms);
		tend_buf_puts(out, "</span>");
	} else {
		tend_buf_puts(out, "none rendered yet");
	}
	tend_buf_puts(out, "</dd><dt>Last fetch</dt><dd>");
	const char *ferr = ui_str(src, "lastError");
	if (ferr) {
		ui_put_badge(out, "Failed", "failed");
		tend_buf_puts(out, " <span class=\"err\">");
		tend_ui_escape(out, ferr);
		tend_buf_puts(out, "</span> ");
	} else if (ui_str(src, "lastFetchTime")) {
		ui_put_badge(out, "Synced", "ok");
		tend_buf_putc(out, ' ');
	}
	ui_put_age(out, ui_str(src, "lastFetchTime"), o->now_ms);
	if (o->allow_actions)
		tend_buf_puts(out,
		              " <button class=\"action\" data-action=\"/api/v1/source/refresh\" "
		              "hidden>Refresh source</button>");
	tend_buf_puts(out, "</dd><dt>Replica</dt><dd>");
	bool leading = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(leader, "leading"));
	tend_buf_puts(out, leading ? "leader" : "replica (standby)");
	if (ui_str(leader, "identity")) {
		tend_buf_puts(out, " <span class=\"muted mono\">");
		tend_ui_escape(out, ui_str(leader, "identity"));
		tend_buf_puts(out, "</span>");
	}
	tend_buf_puts(out, "</dd></dl>");
	static const char *const problems[] = {"generatorError", NULL};
	for (int i = 0; problems[i]; i++)
		if (ui_str(src, problems[i])) {
			tend_buf_puts(out, "<pre class=\"err\">");
			tend_ui_escape(out, ui_str(src, problems[i]));
			tend_buf_puts(out, "</pre>");
		}
	static const char *const top_problems[] = {"configReloadError", "syncError", NULL};
	for (int i = 0; top_problems[i]; i++)
		if (ui_str(st, top_problems[i])) {
			tend_buf_puts(out, "<pre class=\"err\">");
			tend_ui_escape(out, ui_str(st, top_problems[i]));
			tend_buf_puts(out, "</pre>");
		}
	tend_buf_puts(out, "</section>\n");
}

/* A link to `/` with the current filter and the given sort. */
static void put_query_link(tend_buf *out, const tend_ui_query *q, const char *sort, bool desc)
{
	tend_buf_puts(out, "/?sort=");
	tend_ui_escape_url(out, sort);
	if (desc)
		tend_buf_puts(out, "&amp;order=desc");
	static const char *const names[] = {"q", "status", "health"};
	const char *values[] = {q->q, q->status, q->health};
	for (int i = 0; i < 3; i++)
		if (values[i] && *values[i]) {
			tend_buf_printf(out, "&amp;%s=", names[i]);
			tend_ui_escape_url(out, values[i]);
		}
}

static void put_counts(tend_buf *out, const cJSON *projects)
{
	tend_buf_printf(out, "<section class=\"counts\"><h2>%d projects</h2><ul>",
	                cJSON_GetArraySize(projects));
	for (int pass = 0; pass < 2; pass++) {
		const char *const *names = pass ? healths : statuses;
		for (int i = 0; names[i]; i++) {
			int n = 0;
			const cJSON *p;
			cJSON_ArrayForEach(p, projects)
			{
				const char *v =
				    pass ? ui_str(p, "health") : tend_ui_status_class(p);
				n += v && strcmp(v, names[i]) == 0;
			}
			if (!n)
				continue;
			tend_buf_printf(out, "<li><a href=\"/?%s=%s\" data-count=\"%s\">",
			                pass ? "health" : "status", names[i], names[i]);
			ui_put_badge(out, names[i],
			             strcmp(names[i], "Blocked") == 0 ? "Blocked by guardrail"
			                                              : names[i]);
			tend_buf_printf(out, " <b>%d</b></a></li>", n);
		}
	}
	tend_buf_puts(out, "</ul></section>\n");
}

static void put_filter_form(tend_buf *out, const tend_ui_query *q)
{
	tend_buf_puts(out,
	              "<form class=\"filter\" id=\"filter\" method=\"get\" action=\"/\">"
	              "<label>Name <input type=\"search\" name=\"q\" id=\"filter-q\" value=\"");
	tend_ui_escape(out, q->q);
	tend_buf_puts(out, "\"></label> <label>Status <select name=\"status\" id=\"filter-status\">"
	                   "<option value=\"\">any</option>");
	for (int i = 0; statuses[i]; i++)
		tend_buf_printf(out, "<option%s>%s</option>",
		                q->status && strcmp(q->status, statuses[i]) == 0 ? " selected" : "",
		                statuses[i]);
	tend_buf_puts(out, "</select></label> <label>Health <select name=\"health\" "
	                   "id=\"filter-health\"><option value=\"\">any</option>");
	for (int i = 0; healths[i]; i++)
		tend_buf_printf(out, "<option%s>%s</option>",
		                q->health && strcmp(q->health, healths[i]) == 0 ? " selected" : "",
		                healths[i]);
	tend_buf_puts(out,
	              "</select></label> <label>Sort <select name=\"sort\" id=\"filter-sort\">");
	const char *cur = q->sort ? q->sort : "name";
	for (int i = 0; columns[i].key; i++)
		tend_buf_printf(out, "<option value=\"%s\"%s>%s</option>", columns[i].key,
		                strcmp(cur, columns[i].key) == 0 ? " selected" : "",
		                columns[i].label);
	tend_buf_printf(out,
	                "</select></label> <label>Order <select name=\"order\" "
	                "id=\"filter-order\"><option value=\"asc\">ascending</option>"
	                "<option value=\"desc\"%s>descending</option></select></label>",
	                q->desc ? " selected" : "");
	tend_buf_puts(out, " <button type=\"submit\">Filter</button></form>\n");
}

static void put_header_cell(tend_buf *out, const tend_ui_query *q, const char *key,
                            const char *label)
{
	const char *cur = q->sort ? q->sort : "name";
	bool active = strcmp(cur, key) == 0;
	tend_buf_printf(
	    out, "<th data-sort=\"%s\"%s><a href=\"", key,
	    active ? (q->desc ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"") : "");
	put_query_link(out, q, key, active && !q->desc);
	tend_buf_printf(out, "\">%s%s</a></th>", label, active ? (q->desc ? " ▼" : " ▲") : "");
}

static void put_row(tend_buf *out, const row *r, const tend_ui_render_opts *o)
{
	const cJSON *p = r->p;
	const char *name = ui_str(p, "name");
	const char *rev = ui_str(p, "revision");
	tend_buf_puts(out, "<tr data-name=\"");
	tend_ui_escape(out, name);
	tend_buf_puts(out, "\"><td class=\"name\"><a href=\"/projects/");
	tend_ui_escape_url(out, name);
	tend_buf_puts(out, "\">");
	tend_ui_escape(out, name);
	tend_buf_puts(out, "</a></td><td data-col=\"status\" data-label=\"Sync\">");
	ui_put_badge(out, tend_ui_status_class(p), status_label(p));
	tend_buf_puts(out, "</td><td data-col=\"health\" data-label=\"Health\">");
	ui_put_badge(out, ui_str(p, "health"), NULL);
	tend_buf_puts(out,
	              "</td><td class=\"mono\" data-col=\"revision\" data-label=\"Revision\">");
	if (rev) {
		put_short_sha(out, rev);
	} else {
		tend_buf_puts(out, "—");
	}
	tend_buf_puts(out, "</td><td data-col=\"lastSync\" data-label=\"Last sync\">");
	ui_put_age(out, ui_str(p, "lastSyncTime"), o->now_ms);
	tend_buf_printf(
	    out,
	    "</td><td class=\"num\" data-col=\"objects\" data-label=\"Objects\">%.0f</td>"
	    "<td class=\"num\" data-col=\"drift\" data-label=\"Drift reverts 1 h\">%d</td>"
	    "<td class=\"num\" data-col=\"grants\" data-label=\"Grants expiring\">%d</td>",
	    r->objects, r->drift, r->grants);
	if (o->allow_actions) {
		tend_buf_puts(
		    out, "<td><button class=\"action\" hidden data-action=\"/api/v1/projects/");
		tend_ui_escape_url(out, name);
		tend_buf_puts(out, "/sync\">Sync now</button></td>");
	}
	tend_buf_puts(out, "</tr>\n");
}

static void put_table(tend_buf *out, const cJSON *projects, const tend_ui_query *q,
                      const tend_ui_render_opts *o)
{
	int n = cJSON_GetArraySize(projects);
	row *rows = tend_xcalloc((size_t)n + 1, sizeof(*rows));
	size_t len = 0;
	const cJSON *p;
	int warn = o->grant_warn_days > 0 ? o->grant_warn_days : 14;
	cJSON_ArrayForEach(p, projects)
	{
		if (cJSON_IsObject(p) && matches(p, q))
			rows[len++] = make_row(p, q, o, warn);
	}
	if (len)
		qsort(rows, len, sizeof(*rows), cmp_rows);
	tend_buf_puts(out, "<section class=\"projects\"><h2>Projects</h2>");
	put_filter_form(out, q);
	tend_buf_puts(out, "<div class=\"scroll\"><table id=\"projects\"><thead><tr>");
	for (int i = 0; columns[i].key; i++)
		put_header_cell(out, q, columns[i].key, columns[i].label);
	if (o->allow_actions)
		tend_buf_puts(out, "<th></th>");
	tend_buf_puts(out, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < len; i++)
		put_row(out, &rows[i], o);
	tend_buf_puts(out, "</tbody></table></div>");
	if (!len)
		tend_buf_printf(out, "<p class=\"empty\">%s</p>",
		                n ? "No project matches the filter." : "No projects yet.");
	else
		tend_buf_printf(out, "<p class=\"muted\" id=\"shown\">%zu of %d shown</p>", len, n);
	tend_buf_puts(out, "</section>\n");
	free(rows);
}

void tend_ui_render_overview(const cJSON *st, const tend_ui_query *q, const tend_ui_render_opts *o,
                             tend_buf *out)
{
	ui_page_begin(out, "Status", o);
	if (!cJSON_IsObject(st)) {
		tend_buf_puts(out, "<section><h1>Starting</h1><p>tend has not published its status "
		                   "yet: it is loading the configuration and syncing its caches."
		                   "</p></section>\n");
	} else {
		const cJSON *projects = cJSON_GetObjectItemCaseSensitive(st, "projects");
		put_source(out, st, o);
		put_counts(out, projects);
		put_table(out, projects, q, o);
	}
	ui_page_end(out, o);
}
