/*
 * test_ui.c — the status page: escaping of hostile names, errors and
 * diffs; Secrets never shown; filter, sort and the status classes; the
 * per-hour and expiring-soon counts; and, over real HTTP, the security
 * headers, embedded assets and the token rules of the actions.
 */
#include "../../lib/ui/ui.h"
#include "test.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 2026-11-28T12:00:00Z */
#define NOW_MS 1795867200000LL

static const char *const fixture =
    "{\"ready\":true,\"leader\":{\"election\":true,\"leading\":false,\"identity\":\"pod-<b>\"},"
    "\"source\":{\"url\":\"https://git.lab.example/<cfg>.git\",\"revision\":"
    "\"0123456789abcdef0123456789abcdef01234567\",\"author\":\"Eve <eve@x>\","
    "\"subject\":\"<script>alert('subject')</script>\",\"commitTime\":\"2026-11-28T11:00:00Z\","
    "\"lastFetchTime\":\"2026-11-28T11:59:30Z\",\"lastError\":null},"
    "\"projects\":["
    "{\"name\":\"<script>alert(1)</script>\",\"syncStatus\":\"Failed\",\"health\":\"Degraded\","
    " \"lastError\":\"apply Deployment/x: <img src=x onerror=alert(2)>\\nsecond line\","
    " \"lastSyncTime\":\"2026-11-28T11:58:00Z\",\"objects\":{\"total\":3},"
    " \"resources\":[{\"kind\":\"Secret\",\"namespace\":\"a\",\"name\":\"db\",\"action\":"
    "\"update\","
    "   \"done\":false,\"health\":\"Healthy\",\"diff\":\"-  password: aHVudGVyMg==\\n+  password: "
    "c2VjcmV0\\n\",\"message\":\"value c2VjcmV0 rejected\"},"
    "  {\"kind\":\"ConfigMap\",\"namespace\":\"a\",\"name\":\"cm\",\"action\":\"update\","
    "   \"done\":false,\"health\":\"Healthy\",\"diff\":\"@@ -1 +1 @@\\n-  mode: <old>\\n+  mode: "
    "</pre><script>x()</script>\\n\"},"
    "  {\"kind\":\"ConfigMap\",\"namespace\":\"a\",\"name\":\"theirs\",\"action\":\"conflict\","
    "   \"done\":false,\"health\":\"Healthy\",\"message\":\"exists and is not managed by tend\","
    "   \"diff\":\"-  mode: theirs\\n+  mode: ours\\n\"},"
    "  {\"kind\":\"Secret\",\"namespace\":\"a\",\"name\":\"in-the-way\",\"action\":"
    "   \"conflict\",\"done\":false,\"health\":\"Healthy\"}],"
    " \"drift\":{\"total\":3,\"events\":["
    "  {\"time\":\"2026-11-28T11:50:00Z\",\"object\":\"Deployment/a/web\",\"change\":\"modified\","
    "   \"reverted\":true,\"field\":\".spec.replicas\",\"manager\":\"kubectl-scale\"},"
    "  {\"time\":\"2026-11-28T11:40:00Z\",\"object\":\"ConfigMap/a/cm\",\"change\":\"deleted\","
    "   \"reverted\":true},"
    "  {\"time\":\"2026-11-28T09:00:00Z\",\"object\":\"ConfigMap/a/cm\",\"change\":\"deleted\","
    "   \"reverted\":true}]},"
    " \"grants\":[{\"addon\":\"exec-debug\",\"granted\":true,\"used\":true,\"until\":\"2026-12-"
    "05\","
    "   \"reason\":\"<i>profiling</i>\"},"
    "  {\"addon\":\"quota-large\",\"granted\":true,\"used\":true},"
    "  {\"addon\":\"gpu-t4\",\"granted\":false,\"used\":true,\"requiresGrant\":false}]},"
    "{\"name\":\"alpha\",\"syncStatus\":\"Synced\",\"health\":\"Healthy\",\"revision\":"
    "\"0123456789abcdef\",\"lastSyncTime\":\"2026-11-28T11:59:00Z\",\"objects\":{\"total\":12}},"
    "{\"name\":\"Beta\",\"syncStatus\":\"RenderFailed\",\"blockedByGuardrail\":true,"
    " \"health\":\"Unknown\",\"objects\":{\"total\":0}},"
    "{\"name\":\"gamma\",\"syncStatus\":\"PruneBlocked\",\"health\":\"Progressing\","
    " \"objects\":{\"total\":7}}"
    "]}";

static cJSON *load_fixture(void)
{
	cJSON *j = cJSON_Parse(fixture);
	if (!j)
		printf("fixture does not parse near: %.40s\n", cJSON_GetErrorPtr());
	return j;
}

static const tend_ui_render_opts opts = {NOW_MS, false, 14};

TEST(escape_html_and_url)
{
	tend_buf b = TEND_BUF_INIT;
	tend_ui_escape(&b, "<a href=\"x\">'&'</a>");
	CHECK_STR("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;", b.data);
	tend_buf_reset(&b);
	tend_ui_escape_url(&b, "a b/<c>?&é");
	CHECK_STR("a%20b%2F%3Cc%3E%3F%26%C3%A9", b.data);
	tend_buf_free(&b);
}

/* No tag the fixture smuggles in may appear as markup. */
static void check_no_injection(const char *html)
{
	CHECK(!strstr(html, "<script>alert"));
	CHECK(!strstr(html, "<script>x()"));
	CHECK(!strstr(html, "<img src=x"));
	CHECK(!strstr(html, "<i>profiling"));
	CHECK(!strstr(html, "<cfg>"));
	CHECK(!strstr(html, "pod-<b>"));
	/* the only script element is the page's own, by URL */
	const char *s = strstr(html, "<script");
	CHECK(s && strncmp(s, "<script src=\"/ui/ui.js\" defer></script>", 39) == 0);
	CHECK(s && !strstr(s + 1, "<script"));
}

TEST(overview_escapes_hostile_values)
{
	cJSON *st = load_fixture();
	tend_buf b = TEND_BUF_INIT;
	tend_ui_render_overview(st, &(tend_ui_query){0}, &opts, &b);
	check_no_injection(b.data);
	CHECK_CONTAINS(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;</a>");
	CHECK_CONTAINS(b.data, "href=\"/projects/%3Cscript%3Ealert%281%29%3C%2Fscript%3E\"");
	CHECK_CONTAINS(b.data, "&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;");
	CHECK_CONTAINS(b.data, "https://git.lab.example/&lt;cfg&gt;.git");
	CHECK_CONTAINS(b.data,
	               "<code title=\"0123456789abcdef0123456789abcdef01234567\">0123456</code>");
	CHECK_CONTAINS(b.data, "replica (standby)");
	CHECK_CONTAINS(b.data, "1h ago</time>");
	tend_buf_free(&b);
	cJSON_Delete(st);
}

TEST(overview_status_classes_and_counts)
{
	cJSON *st = load_fixture();
	const cJSON *ps = cJSON_GetObjectItem(st, "projects");
	CHECK_STR("Failed", tend_ui_status_class(cJSON_GetArrayItem(ps, 0)));
	CHECK_STR("Synced", tend_ui_status_class(cJSON_GetArrayItem(ps, 1)));
	CHECK_STR("Blocked", tend_ui_status_class(cJSON_GetArrayItem(ps, 2)));
	CHECK_STR("OutOfSync", tend_ui_status_class(cJSON_GetArrayItem(ps, 3)));
	const cJSON *hostile = cJSON_GetArrayItem(ps, 0);
	/* two reverts in the hour before NOW; the one at 09:00 is older */
	CHECK_INT(2, tend_ui_drift_reverts_last_hour(hostile, NOW_MS));
	/* exec-debug ends in 7 days; quota-large has no end; gpu-t4 is no grant */
	CHECK_INT(1, tend_ui_grants_expiring(hostile, NOW_MS, 14));
	CHECK_INT(0, tend_ui_grants_expiring(hostile, NOW_MS, 5));
	tend_buf b = TEND_BUF_INIT;
	tend_ui_render_overview(st, &(tend_ui_query){0}, &opts, &b);
	CHECK_CONTAINS(b.data, "<h2>4 projects</h2>");
	CHECK_CONTAINS(b.data, "Blocked by guardrail</span> <b>1</b>");
	CHECK_CONTAINS(b.data, "OutOfSync (prune guard)");
	CHECK_CONTAINS(b.data, "data-col=\"drift\" data-label=\"Drift reverts 1 h\">2</td>");
	tend_buf_free(&b);
	cJSON_Delete(st);
}

/* The project names of the table rows, in order, joined by spaces. */
static char *row_names(const char *html)
{
	tend_buf names = TEND_BUF_INIT;
	for (const char *p = html; (p = strstr(p, "<tr data-name=\""));) {
		p += strlen("<tr data-name=\"");
		const char *end = strchr(p, '"');
		if (names.len)
			tend_buf_putc(&names, ' ');
		tend_buf_put(&names, p, (size_t)(end - p));
	}
	return tend_buf_detach(&names);
}

TEST(overview_filter_and_sort)
{
	cJSON *st = load_fixture();
	struct {
		tend_ui_query q;
		const char *rows;
	} cases[] = {
	    {{0}, "&lt;script&gt;alert(1)&lt;/script&gt; alpha Beta gamma"},
	    {{.sort = "name", .desc = true},
	     "gamma Beta alpha &lt;script&gt;alert(1)&lt;/script&gt;"},
	    {{.q = "AlP"}, "alpha"}, /* case-insensitive substring */
	    {{.q = "<script>"}, "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {{.status = "Blocked"}, "Beta"},
	    {{.status = "OutOfSync"}, "gamma"},
	    {{.health = "Healthy"}, "alpha"},
	    {{.sort = "status"}, "&lt;script&gt;alert(1)&lt;/script&gt; Beta gamma alpha"},
	    {{.sort = "objects", .desc = true},
	     "alpha gamma &lt;script&gt;alert(1)&lt;/script&gt; Beta"},
	    {{.sort = "drift", .desc = true},
	     "&lt;script&gt;alert(1)&lt;/script&gt; alpha Beta gamma"},
	    {{.q = "nothing"}, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		tend_buf b = TEND_BUF_INIT;
		tend_ui_render_overview(st, &cases[i].q, &opts, &b);
		char *rows = row_names(b.data);
		CHECK_STR(cases[i].rows, rows);
		if (!*cases[i].rows)
			CHECK_CONTAINS(b.data, "No project matches the filter.");
		free(rows);
		tend_buf_free(&b);
	}
	/* the filter survives into the sort links and the form */
	tend_buf b = TEND_BUF_INIT;
	tend_ui_render_overview(st, &(tend_ui_query){.q = "a\"&b", .status = "Failed"}, &opts, &b);
	CHECK_CONTAINS(b.data, "href=\"/?sort=health&amp;q=a%22%26b&amp;status=Failed\"");
	CHECK_CONTAINS(b.data, "name=\"q\" id=\"filter-q\" value=\"a&quot;&amp;b\"");
	CHECK_CONTAINS(b.data, "<option selected>Failed</option>");
	tend_buf_free(&b);
	cJSON_Delete(st);
}

TEST(project_page_escapes_and_hides_secrets)
{
	cJSON *st = load_fixture();
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(200, tend_ui_render_project(st, "<script>alert(1)</script>", &opts, &b));
	check_no_injection(b.data);
	CHECK_CONTAINS(b.data, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
	/* the last error in full, both lines */
	CHECK_CONTAINS(b.data,
	               "apply Deployment/x: &lt;img src=x onerror=alert(2)&gt;\nsecond line</pre>");
	/* the ConfigMap's diff, escaped, lines classed */
	CHECK_CONTAINS(b.data, "<span class=\"del\">-  mode: &lt;old&gt;</span>");
	CHECK_CONTAINS(
	    b.data,
	    "<span class=\"add\">+  mode: &lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;</span>");
	CHECK_CONTAINS(b.data, "<h2>Git vs live</h2><p class=\"muted\">Objects the last sync left "
	                       "unlike Git: <span class=\"del\">-</span> live");
	/* a conflict's diff (its object failed, it is not out of sync) */
	CHECK_CONTAINS(b.data, "<span class=\"add\">+  mode: ours</span>");
	/* the Secret by kind and name, nothing of its data or messages */
	CHECK_CONTAINS(b.data, "<td>Secret</td><td>a</td><td class=\"name\">db</td>");
	CHECK_CONTAINS(b.data, "Secret: contents are never shown.");
	CHECK(!strstr(b.data, "c2VjcmV0"));
	CHECK(!strstr(b.data, "aHVudGVyMg"));
	/* a Secret in the way (Failed, published without a diff): named in the diffs */
	CHECK_CONTAINS(b.data,
	               "<h3 class=\"mono\">Secret a/in-the-way</h3><p class=\"muted\">Secret: "
	               "contents are never shown.</p>");
	/* events newest first, with field and manager */
	const char *first = strstr(b.data, "Deployment/a/web");
	const char *second = strstr(b.data, "ConfigMap/a/cm</td>");
	CHECK(first && second && first < second);
	CHECK_CONTAINS(b.data, "field <code>.spec.replicas</code> by <code>kubectl-scale</code>");
	CHECK_CONTAINS(b.data, "drift reverted");
	/* grants: expiring soon, no end, no grant needed */
	CHECK_CONTAINS(b.data, "expiring soon</span> 2026-12-05");
	CHECK_CONTAINS(b.data, "granted</td><td> no end");
	CHECK_CONTAINS(b.data, "&lt;i&gt;profiling&lt;/i&gt;");
	/* no actions unless allowed */
	CHECK(!strstr(b.data, "data-action=\""));
	tend_buf_free(&b);

	tend_ui_render_opts with_actions = opts;
	with_actions.allow_actions = true;
	CHECK_INT(200, tend_ui_render_project(st, "alpha", &with_actions, &b));
	CHECK_CONTAINS(b.data, "data-action=\"/api/v1/projects/alpha/sync\"");
	tend_buf_free(&b);

	CHECK_INT(404, tend_ui_render_project(st, "<nope>", &opts, &b));
	CHECK_CONTAINS(b.data, "<code>&lt;nope&gt;</code>");
	tend_buf_free(&b);
	cJSON_Delete(st);
}

TEST(starting_page_without_status)
{
	tend_buf b = TEND_BUF_INIT;
	tend_ui_render_overview(NULL, &(tend_ui_query){0}, &opts, &b);
	CHECK_CONTAINS(b.data, "<h1>Starting</h1>");
	tend_buf_free(&b);
}

TEST(assets_embedded)
{
	const tend_ui_asset *js = tend_ui_asset_find("ui.js");
	const tend_ui_asset *css = tend_ui_asset_find("ui.css");
	const tend_ui_asset *svg = tend_ui_asset_find("favicon.svg");
	CHECK(js && css && svg);
	CHECK(!tend_ui_asset_find("../ui.h"));
	if (!js || !css || !svg)
		return;
	CHECK_STR("text/javascript; charset=utf-8", js->content_type);
	CHECK_STR("image/svg+xml", svg->content_type);
	CHECK(strstr((const char *)js->data, "sessionStorage") != NULL);
	CHECK_INT(strlen((const char *)css->data), css->len);
}

/* ---- over HTTP ---- */

typedef struct calls {
	char synced[64];
	int refreshed;
} calls;

static int on_sync(void *ud, const char *project)
{
	calls *c = ud;
	if (strcmp(project, "alpha") != 0)
		return tend_err("no project named \"%s\"", project);
	snprintf(c->synced, sizeof(c->synced), "%s", project);
	return 0;
}

static void on_refresh(void *ud)
{
	((calls *)ud)->refreshed++;
}

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
	tend_buf_put(ud, p, sz * n);
	return sz * n;
}

/* A request with up to two extra headers; body and headers into out. */
static long http(int port, const char *method, const char *path, const char *h1, const char *h2,
                 tend_buf *out)
{
	CURL *c = curl_easy_init();
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	struct curl_slist *h = NULL;
	if (h1)
		h = curl_slist_append(h, h1);
	if (h2)
		h = curl_slist_append(h, h2);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	long code = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

#define TOKEN "0123456789abcdef-token"

TEST(http_pages_headers_and_actions)
{
	calls got = {{0}, 0};
	tend_serve *s = tend_serve_new();
	tend_ui *ui = NULL;
	tend_ui_options o = {
	    .allow_actions = true, .action_token = TOKEN, .actions = {on_sync, on_refresh, &got, NULL}};
	CHECK_INT(0, tend_ui_new(s, &o, &ui));
	CHECK_INT(0, tend_serve_start(s, "127.0.0.1:0"));
	int port = tend_serve_port(s);
	tend_buf b = TEND_BUF_INIT;

	CHECK_INT(503, http(port, "GET", "/", NULL, NULL, &b));
	CHECK_CONTAINS(b.data, "Starting");
	tend_buf_reset(&b);
	tend_serve_publish(s, "status", fixture);
	CHECK_INT(200, http(port, "GET", "/?status=Synced", NULL, NULL, &b));
	CHECK_CONTAINS(b.data, "Content-Security-Policy: default-src 'none'; script-src 'self'");
	CHECK_CONTAINS(b.data, "frame-ancestors 'none'");
	CHECK_CONTAINS(b.data, "X-Content-Type-Options: nosniff");
	CHECK_CONTAINS(b.data, "Content-Type: text/html; charset=utf-8");
	CHECK_CONTAINS(b.data, "<tr data-name=\"alpha\">");
	CHECK(!strstr(b.data, "<tr data-name=\"gamma\">"));
	tend_buf_reset(&b);
	CHECK_INT(200, http(port, "GET", "/projects/%3Cscript%3Ealert%281%29%3C%2Fscript%3E", NULL,
	                    NULL, &b));
	CHECK_CONTAINS(b.data, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
	tend_buf_reset(&b);
	CHECK_INT(404, http(port, "GET", "/projects/unknown", NULL, NULL, &b));
	tend_buf_reset(&b);
	CHECK_INT(200, http(port, "GET", "/ui/ui.js", NULL, NULL, &b));
	CHECK_CONTAINS(b.data, "Content-Type: text/javascript");
	tend_buf_reset(&b);
	CHECK_INT(404, http(port, "GET", "/ui/nothing.js", NULL, NULL, &b));
	tend_buf_reset(&b);

	/* actions: POST only, the token, same-site, known projects */
	CHECK_INT(405, http(port, "GET", "/api/v1/source/refresh", NULL, NULL, &b));
	tend_buf_reset(&b);
	CHECK_INT(401, http(port, "POST", "/api/v1/projects/alpha/sync", NULL, NULL, &b));
	CHECK_CONTAINS(b.data, "WWW-Authenticate: Bearer");
	tend_buf_reset(&b);
	CHECK_INT(401, http(port, "POST", "/api/v1/projects/alpha/sync",
	                    "Authorization: Bearer 0123456789abcdef-tokeX", NULL, &b));
	tend_buf_reset(&b);
	CHECK_INT(401, http(port, "POST", "/api/v1/projects/alpha/sync",
	                    "Authorization: Bearer " TOKEN "x", NULL, &b));
	tend_buf_reset(&b);
	CHECK_INT(403, http(port, "POST", "/api/v1/projects/alpha/sync",
	                    "Authorization: Bearer " TOKEN, "Sec-Fetch-Site: cross-site", &b));
	tend_buf_reset(&b);
	CHECK_STR("", got.synced);
	CHECK_INT(202, http(port, "POST", "/api/v1/projects/alpha/sync",
	                    "Authorization: Bearer " TOKEN, "Sec-Fetch-Site: same-origin", &b));
	CHECK_STR("alpha", got.synced);
	tend_buf_reset(&b);
	CHECK_INT(404, http(port, "POST", "/api/v1/projects/nope/sync",
	                    "Authorization: Bearer " TOKEN, NULL, &b));
	CHECK_CONTAINS(b.data, "no project named \"nope\"");
	tend_buf_reset(&b);
	CHECK_INT(0, got.refreshed);
	CHECK_INT(202, http(port, "POST", "/api/v1/source/refresh", "Authorization: Bearer " TOKEN,
	                    NULL, &b));
	CHECK_INT(1, got.refreshed);
	tend_buf_free(&b);
	tend_serve_free(s);
	tend_ui_free(ui);
}

/* Publishes doc (a status document) as a document of parts, a project
 * each, as the daemon does; with keep, parts[i] keeps a reference to each
 * part, and a part already in keep (non-NULL) is handed in again as it is. */
static void publish_parts(tend_serve *s, const cJSON *doc_in, tend_serve_part **keep)
{
	cJSON *doc = cJSON_Duplicate(doc_in, true);
	cJSON *projects = cJSON_DetachItemFromObjectCaseSensitive(doc, "projects");
	cJSON_AddArrayToObject(doc, "projects");
	char *frame = cJSON_PrintUnformatted(doc);
	char *cut = strstr(frame, "\"projects\":[]");
	size_t n = (size_t)cJSON_GetArraySize(projects), i = 0;
	tend_serve_part **parts = tend_xcalloc(n + 1, sizeof(*parts));
	const cJSON *p;
	cJSON_ArrayForEach(p, projects)
	{
		if (keep && keep[i]) {
			parts[i] = tend_serve_part_hold(keep[i]);
		} else {
			char *text = cJSON_PrintUnformatted(p);
			parts[i] = tend_serve_part_new(text, strlen(text));
			if (keep)
				keep[i] = tend_serve_part_hold(parts[i]);
		}
		i++;
	}
	char *tail = tend_xstrdup(cut + strlen("\"projects\":["));
	cut[strlen("\"projects\":[")] = '\0';
	tend_serve_publish_parts(s, "status", frame, parts, n, ",", tail);
	free(parts);
	cJSON_Delete(projects);
	cJSON_Delete(doc);
}

static void publish_fixture_parts(tend_serve *s)
{
	cJSON *doc = load_fixture();
	publish_parts(s, doc, NULL);
	cJSON_Delete(doc);
}

/* The body of a response (after its headers). */
static const char *body_of(const tend_buf *b)
{
	const char *end = b->data ? strstr(b->data, "\r\n\r\n") : NULL;
	return end ? end + 4 : "";
}

/*
 * A document published as parts (the daemon's: a project each, with only
 * what the table reads of each one kept for the overview, a project's page
 * from its own part) gives the very pages the same document as one string
 * gives, for every filter, sort and project.
 */
TEST(http_pages_of_a_document_of_parts)
{
	static const char *const paths[] = {
	    "/",
	    "/?sort=drift&order=desc",
	    "/?sort=grants",
	    "/?status=Failed",
	    "/?health=Healthy&sort=objects",
	    "/?q=a&sort=lastSync",
	    "/projects/alpha",
	    "/projects/Beta",
	    "/projects/gamma",
	    "/projects/%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
	    "/projects/nope",
	    NULL};
	tend_serve *s = tend_serve_new();
	tend_ui *ui = NULL;
	CHECK_INT(0, tend_ui_new(s, &(tend_ui_options){0}, &ui));
	CHECK_INT(0, tend_serve_start(s, "127.0.0.1:0"));
	int port = tend_serve_port(s);
	tend_buf whole = TEND_BUF_INIT, parts = TEND_BUF_INIT;
	for (size_t i = 0; paths[i]; i++) {
		tend_serve_publish(s, "status", fixture);
		long a = http(port, "GET", paths[i], NULL, NULL, &whole);
		publish_fixture_parts(s);
		long b = http(port, "GET", paths[i], NULL, NULL, &parts);
		CHECK_INT(a, b);
		if (strcmp(body_of(&whole), body_of(&parts)) != 0)
			printf("  %s differs\n", paths[i]);
		CHECK_STR(body_of(&whole), body_of(&parts));
		tend_buf_reset(&whole);
		tend_buf_reset(&parts);
	}

	/* a publish that changes one project and hands the others' parts in
	 * again: the page (which takes those over from its last view) shows
	 * what the whole document shows */
	cJSON *doc = load_fixture();
	tend_serve_part *keep[8] = {0};
	publish_parts(s, doc, keep);
	CHECK_INT(200, http(port, "GET", "/", NULL, NULL, &parts));
	tend_buf_reset(&parts);
	cJSON *alpha = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "projects"), 1);
	cJSON_ReplaceItemInObjectCaseSensitive(alpha, "syncStatus", cJSON_CreateString("Failed"));
	tend_serve_part_drop(keep[1]);
	keep[1] = NULL;
	publish_parts(s, doc, keep);
	CHECK_INT(200, http(port, "GET", "/?sort=status", NULL, NULL, &parts));
	char *changed = cJSON_PrintUnformatted(doc);
	tend_serve_publish(s, "status", changed);
	CHECK_INT(200, http(port, "GET", "/?sort=status", NULL, NULL, &whole));
	CHECK_CONTAINS(body_of(&parts), "alpha</a></td><td data-col=\"status\" "
	                                "data-label=\"Sync\"><span class=\"badge b-Failed\">");
	CHECK_STR(body_of(&whole), body_of(&parts));
	for (size_t i = 0; i < 8; i++)
		tend_serve_part_drop(keep[i]);
	free(changed);
	cJSON_Delete(doc);
	tend_buf_free(&whole);
	tend_buf_free(&parts);
	tend_serve_free(s);
	tend_ui_free(ui);
}

TEST(http_actions_off_by_default)
{
	calls got = {{0}, 0};
	tend_serve *s = tend_serve_new();
	tend_ui *ui = NULL;
	tend_ui_options o = {.action_token = TOKEN, .actions = {on_sync, on_refresh, &got, NULL}};
	CHECK_INT(0, tend_ui_new(s, &o, &ui));
	CHECK_INT(0, tend_serve_start(s, "127.0.0.1:0"));
	tend_serve_publish(s, "status", fixture);
	tend_buf b = TEND_BUF_INIT;
	int port = tend_serve_port(s);
	CHECK_INT(403, http(port, "POST", "/api/v1/projects/alpha/sync",
	                    "Authorization: Bearer " TOKEN, NULL, &b));
	CHECK_INT(403, http(port, "POST", "/api/v1/source/refresh", "Authorization: Bearer " TOKEN,
	                    NULL, &b));
	CHECK_STR("", got.synced);
	CHECK_INT(0, got.refreshed);
	tend_buf_reset(&b);
	CHECK_INT(200, http(port, "GET", "/", NULL, NULL, &b));
	CHECK(!strstr(b.data, "data-action=\""));
	CHECK(!strstr(b.data, "id=\"token\""));
	tend_buf_reset(&b);

	/* a reload turns them on, with a token */
	CHECK_INT(-1, tend_ui_set_actions(ui, true, "short"));
	CHECK_INT(0, tend_ui_set_actions(ui, true, TOKEN));
	CHECK_INT(202, http(port, "POST", "/api/v1/source/refresh", "Authorization: Bearer " TOKEN,
	                    NULL, &b));
	CHECK_INT(1, got.refreshed);
	CHECK_INT(0, tend_ui_set_actions(ui, false, NULL));
	CHECK_INT(403, http(port, "POST", "/api/v1/source/refresh", "Authorization: Bearer " TOKEN,
	                    NULL, &b));
	CHECK_INT(1, got.refreshed);
	tend_buf_free(&b);
	tend_serve_free(s);
	tend_ui_free(ui);

	/* allowed without a (long enough) token is refused */
	s = tend_serve_new();
	o.allow_actions = true;
	o.action_token = "short";
	CHECK_INT(-1, tend_ui_new(s, &o, &ui));
	CHECK(ui == NULL);
	tend_serve_free(s);
}

/* A minimal status document of one project. */
static void one_project(char *buf, size_t n, const char *name)
{
	snprintf(buf, n,
	         "{\"source\":{},\"projects\":[{\"name\":\"%s\",\"syncStatus\":\"Synced\","
	         "\"health\":\"Healthy\"}]}",
	         name);
}

TEST(serve_snapshot_newer)
{
	tend_serve *s = tend_serve_new();
	uint64_t v = 0;
	CHECK(tend_serve_snapshot_newer(s, "status", &v) == NULL); /* never published */
	CHECK(v == 0);
	tend_serve_publish(s, "other", "x");
	tend_serve_publish(s, "status", "one");
	char *t = tend_serve_snapshot_newer(s, "status", &v);
	CHECK_STR("one", t);
	free(t);
	CHECK(v != 0);
	uint64_t seen = v;
	CHECK(tend_serve_snapshot_newer(s, "status", &v) == NULL); /* not since */
	CHECK(v == seen);
	tend_serve_publish(s, "status", "one"); /* the same text again is a new publish */
	t = tend_serve_snapshot_newer(s, "status", &v);
	CHECK_STR("one", t);
	free(t);
	CHECK(v > seen);
	seen = v;
	tend_serve_publish(s, "status", NULL); /* cleared: newer, no text */
	CHECK(tend_serve_snapshot_newer(s, "status", &v) == NULL);
	CHECK(v > seen);
	tend_serve_free(s);
}

/* Page views between publishes share one parsed document; a publish is
 * seen by the next view. */
TEST(http_pages_follow_each_publish)
{
	tend_serve *s = tend_serve_new();
	tend_ui *ui = NULL;
	CHECK_INT(0, tend_ui_new(s, &(tend_ui_options){0}, &ui));
	CHECK_INT(0, tend_serve_start(s, "127.0.0.1:0"));
	int port = tend_serve_port(s);
	tend_buf b = TEND_BUF_INIT;
	char doc[256];
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "proj-%d", i);
		one_project(doc, sizeof(doc), name);
		tend_serve_publish(s, "status", doc);
		for (int k = 0; k < 2; k++) { /* the second view reads the cached tree */
			tend_buf_reset(&b);
			CHECK_INT(200, http(port, "GET", "/", NULL, NULL, &b));
			char row[64];
			snprintf(row, sizeof(row), "<tr data-name=\"%s\">", name);
			CHECK_CONTAINS(b.data, row);
			const char *first = strstr(b.data, "<tr data-name=");
			CHECK(first &&
			      !strstr(first + 1, "<tr data-name=")); /* the old one is gone */
			tend_buf_reset(&b);
			snprintf(row, sizeof(row), "/projects/%s", name);
			CHECK_INT(200, http(port, "GET", row, NULL, NULL, &b));
		}
	}
	tend_buf_reset(&b);
	CHECK_INT(404, http(port, "GET", "/projects/proj-0", NULL, NULL, &b));
	tend_serve_publish(s, "status", "{not json");
	tend_buf_reset(&b);
	CHECK_INT(503, http(port, "GET", "/", NULL, NULL, &b));
	tend_buf_free(&b);
	tend_serve_free(s);
	tend_ui_free(ui);
}

typedef struct viewer {
	int port;
	int failures;
} viewer;

static void *view_pages(void *ud)
{
	viewer *v = ud;
	tend_buf b = TEND_BUF_INIT;
	for (int i = 0; i < 40; i++) {
		tend_buf_reset(&b);
		if (http(v->port, "GET", i % 2 ? "/" : "/projects/alpha", NULL, NULL, &b) != 200)
			v->failures++;
	}
	tend_buf_free(&b);
	return NULL;
}

/* Views on the server's threads while the status is published again and
 * again: each view keeps the tree it took (ASan sees a use after free). */
TEST(http_pages_while_publishing)
{
	tend_serve *s = tend_serve_new();
	tend_ui *ui = NULL;
	CHECK_INT(0, tend_ui_new(s, &(tend_ui_options){0}, &ui));
	CHECK_INT(0, tend_serve_start(s, "127.0.0.1:0"));
	tend_serve_publish(s, "status", fixture);
	viewer v[3];
	pthread_t t[3];
	for (int i = 0; i < 3; i++) {
		v[i] = (viewer){tend_serve_port(s), 0};
		pthread_create(&t[i], NULL, view_pages, &v[i]);
	}
	for (int i = 0; i < 200; i++)
		tend_serve_publish(s, "status", fixture);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(0, v[i].failures);
	}
	tend_serve_free(s);
	tend_ui_free(ui);
}

TEST(read_token_file)
{
	char path[] = "/tmp/tend-ui-token-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("  " TOKEN "  \nignored second line\n", f);
	fclose(f);
	char *tok = NULL;
	CHECK_INT(0, tend_ui_read_token(path, &tok));
	CHECK_STR(TOKEN, tok);
	free(tok);
	f = fopen(path, "w");
	fputs("too-short\n", f);
	fclose(f);
	CHECK_INT(-1, tend_ui_read_token(path, &tok));
	CHECK_CONTAINS(tend_err_msg(), "at least 16 characters");
	unlink(path);
	CHECK_INT(-1, tend_ui_read_token(path, &tok));
	CHECK_CONTAINS(tend_err_msg(), "serve.actionTokenFile");
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(escape_html_and_url);
	RUN(overview_escapes_hostile_values);
	RUN(overview_status_classes_and_counts);
	RUN(overview_filter_and_sort);
	RUN(project_page_escapes_and_hides_secrets);
	RUN(starting_page_without_status);
	RUN(assets_embedded);
	RUN(http_pages_headers_and_actions);
	RUN(http_pages_of_a_document_of_parts);
	RUN(http_actions_off_by_default);
	RUN(serve_snapshot_newer);
	RUN(http_pages_follow_each_publish);
	RUN(http_pages_while_publishing);
	RUN(read_token_file);
	curl_global_cleanup();
	TEST_MAIN_END();
}
