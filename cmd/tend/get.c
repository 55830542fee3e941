/*
 * get.c — the CLI for a running daemon, over its HTTP API (lib/daemon,
 * lib/ui): `tend get projects`, `tend get project NAME` read
 * /api/v1/status; `tend reconcile NAME [--with-source]` posts the actions
 * the status page's buttons post, `tend suspend NAME` / `tend resume NAME`
 * their siblings, with the bearer token from a file; `tend events [NAME]
 * [--watch]` lists the syncs' and drift's events. The
 * daemon is found at --server URL, else at tend.yaml's serve.listen.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"
#include "../../lib/ui/ui.h"
#include "../../lib/util/util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD_SERVER_OPTIONS(config, server)                                                         \
	CMD_CONFIG_OPTION(config),                                                                 \
	{                                                                                          \
		.name = "server", .letter = 's', .arg = "URL", .text = (server),                   \
		.help = "the daemon's address (default: http:// and\n"                             \
		        "tend.yaml's serve.listen)"                                                \
	}

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
	tend_buf_put(ud, data, size * n);
	return size * n;
}

/* The daemon's base URL: --server, else serve.listen of tend.yaml (or the default). */
static int server_url(const char *config, const char *server, tend_config *cfg, char **out)
{
	config = cmd_config_default(config);
	if (config ? tend_config_load(config, cfg) : (tend_config_defaults(cfg), 0))
		return -1;
	if (server) {
		*out = strstr(server, "://") ? tend_xstrdup(server)
		                             : tend_xasprintf("http://%s", server);
	} else {
		/* a wildcard listener is reached on loopback */
		const char *l = cfg->serve.listen;
		const char *colon = strrchr(l, ':');
		bool any =
		    colon == l || strncmp(l, "0.0.0.0:", 8) == 0 || strncmp(l, "[::]:", 5) == 0;
		*out = any ? tend_xasprintf("http://127.0.0.1%s", colon)
		           : tend_xasprintf("http://%s", l);
	}
	size_t n = strlen(*out);
	if (n && (*out)[n - 1] == '/')
		(*out)[n - 1] = 0;
	return 0;
}

/* One request; *status is the HTTP status. -1 when the daemon cannot be reached. */
static int request(const char *method, const char *url, const char *token, tend_buf *body,
                   long *status)
{
	CURL *c = curl_easy_init();
	if (!c)
		return tend_err("cannot start an HTTP client");
	struct curl_slist *h = NULL;
	char *auth = token ? tend_xasprintf("Authorization: Bearer %s", token) : NULL;
	if (auth)
		h = curl_slist_append(h, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return tend_err("%s: %s (is `tend run` serving there? see --server)", url,
		                curl_easy_strerror(rc));
	return 0;
}

/* GET /api/v1/status as a document (caller deletes); with `project`, the
 * daemon's ?project=NAME answer (that project alone, not all N of them)
 * as a document of one project. */
static cJSON *fetch_status(const char *base, const char *project)
{
	tend_buf q = TEND_BUF_INIT;
	tend_buf_puts(&q, "/api/v1/status");
	if (project) {
		tend_buf_puts(&q, "?project=");
		tend_ui_escape_url(&q, project);
	}
	char *url = tend_xasprintf("%s%s", base, q.data);
	tend_buf_free(&q);
	tend_buf body = TEND_BUF_INIT;
	long status = 0;
	cJSON *doc = NULL;
	if (request("GET", url, NULL, &body, &status) == 0) {
		if (project && status == 404)
			tend_err("the daemon has no project named \"%s\" (see tend get projects)",
			         project);
		else if (status != 200)
			tend_err("%s: HTTP %ld: %.200s", url, status, body.data ? body.data : "");
		else if (!(doc = cJSON_ParseWithLength(body.data ? body.data : "", body.len)))
			tend_err("%s: the answer is not JSON", url);
	}
	tend_buf_free(&body);
	free(url);
	if (doc && project) {
		cJSON *one = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(one, "projects"), doc);
		doc = one;
	}
	return doc;
}

static const char *str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : "-";
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(n) ? n->valuedouble : 0;
}

/* The SYNC column: Suspended over the last sync's status. */
static const char *sync_word(const cJSON *p)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "suspended"))
	           ? "Suspended"
	           : str(p, "syncStatus");
}

static void print_projects(const cJSON *ps, bool wide)
{
	int wn = 4, ws = 9;
	const cJSON *p;
	cJSON_ArrayForEach(p, ps)
	{
		wn = (int)strlen(str(p, "name")) > wn ? (int)strlen(str(p, "name")) : wn;
		ws = (int)strlen(str(p, "namespace")) > ws ? (int)strlen(str(p, "namespace")) : ws;
	}
	printf("%-*s  %-*s  %-12s  %-13s  %-11s  %s%s\n", wn, "NAME", ws, "NAMESPACE", "REVISION",
	       "SYNC", "HEALTH", "LAST SYNC",
	       wide ? "             OBJECTS  DRIFT  LAST ERROR" : "");
	cJSON_ArrayForEach(p, ps)
	{
		printf("%-*s  %-*s  %-12.12s  %-13s  %-11s  %-20s", wn, str(p, "name"), ws,
		       str(p, "namespace"), str(p, "revision"), sync_word(p), str(p, "health"),
		       str(p, "lastSyncTime"));
		if (wide) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "objects");
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "drift");
			const char *err = str(p, "lastError");
			const char *nl = strchr(err, '\n');
			printf("  %-7.0f  %-5.0f  %.*s", num(o, "total"), num(d, "total"),
			       nl ? (int)(nl - err) : (int)strlen(err), err);
		}
		printf("\n");
	}
}

static const cJSON *find_project(const cJSON *doc, const char *name)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(
	                          doc, "projects")) if (strcmp(str(p, "name"), name) == 0) return p;
	return NULL;
}

static void print_project(const cJSON *p)
{
	printf("Name:        %s\n", str(p, "name"));
	printf("Namespace:   %s\n", str(p, "namespace"));
	printf("Revision:    %s\n", str(p, "revision"));
	printf("Sync:        %s\n", str(p, "syncStatus"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "suspended")))
		printf("Suspended:   yes, by %s%s%s (no syncs; drift is only reported)\n",
		       str(p, "suspendedBy"),
		       cJSON_GetObjectItemCaseSensitive(p, "suspendedAt") ? " since " : "",
		       cJSON_GetObjectItemCaseSensitive(p, "suspendedAt") ? str(p, "suspendedAt")
		                                                          : "");
	const char *why = str(p, "healthMessage");
	printf("Health:      %s%s%s\n", str(p, "health"), *why != '-' ? ": " : "",
	       *why != '-' ? why : "");
	printf("Last sync:   %s\n", str(p, "lastSyncTime"));
	printf("Last error:  %s\n", str(p, "lastError"));
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(p, "objects");
	printf("Objects:     %.0f (%.0f unchanged, %.0f created, %.0f updated, %.0f pruned, "
	       "%.0f conflicts, %.0f errors)\n",
	       num(o, "total"), num(o, "unchanged"), num(o, "created"), num(o, "updated"),
	       num(o, "pruned"), num(o, "conflicts"), num(o, "errors"));
	const cJSON *quota = cJSON_GetObjectItemCaseSensitive(p, "quota"), *q;
	if (cJSON_GetArraySize(quota)) {
		printf("\nQUOTA                     RESOURCE                        USED       HARD\n");
		cJSON_ArrayForEach(q, quota)
		{
			char *name = tend_xasprintf("%s/%s", str(q, "namespace"), str(q, "quota"));
			printf("%-25s %-31s %-10s %s\n", name, str(q, "resource"), str(q, "used"),
			       str(q, "hard"));
			free(name);
		}
	}
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(p, "resources"), *r;
	if (cJSON_GetArraySize(rs)) {
		printf("\nOBJECT                                                  ACTION     "
		       "HEALTH\n");
		cJSON_ArrayForEach(r, rs)
		{
			const char *ns =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "namespace"));
			char *id =
			    ns ? tend_xasprintf("%s/%s/%s", str(r, "kind"), ns, str(r, "name"))
			       : tend_xasprintf("%s/%s", str(r, "kind"), str(r, "name"));
			printf("%-55s %-10s %s\n", id, str(r, "action"), str(r, "health"));
			free(id);
		}
	}
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(p, "events"), *e;
	const cJSON *drift = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(p, "drift"), "events");
	if (cJSON_GetArraySize(ev) || cJSON_GetArraySize(drift))
		printf("\nEvents (newest first):\n");
	cJSON_ArrayForEach(e, ev)
	    printf("  %s  %-10s %s%s%s\n", str(e, "time"), str(e, "type"), str(e, "object"),
	           cJSON_GetObjectItemCaseSensitive(e, "message") ? ": " : "",
	           cJSON_GetObjectItemCaseSensitive(e, "message") ? str(e, "message") : "");
	cJSON_ArrayForEach(e, drift)
	    printf("  %s  %-10s %s: %s%s%s\n", str(e, "time"), "drift", str(e, "object"),
	           str(e, "change"), cJSON_GetObjectItemCaseSensitive(e, "field") ? " " : "",
	           cJSON_GetObjectItemCaseSensitive(e, "field") ? str(e, "field") : "");
}

static const char GET_ABOUT[] =
    "Shows what a running `tend run` knows, from its /api/v1/status:\n"
    "  tend get projects       every project: revision, sync status, health\n"
    "  tend get project NAME   one project: its objects, last error, recent events\n"
    "\n"
    "Exit status: 0 shown, 2 the daemon cannot be reached or has no such project.\n";

int cmd_get(int argc, char **argv)
{
	const char *config = NULL, *server = NULL, *format = "table";
	const cmd_option options[] = {
	    CMD_SERVER_OPTIONS(&config, &server),
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("table", "wide", "json", "yaml", "name"),
	                       "table (default), wide (objects, drift, last\n"
	                       "error), json, yaml, or name"),
	    {0},
	};
	const cmd_spec spec = {"get",
	                       "tend get projects [-o table|wide|json|yaml|name] [--server URL]\n"
	                       "tend get project NAME [-o table|json|yaml] [--server URL]",
	                       GET_ABOUT, options, 2};
	cmd_args args;
	int code = cmd_parse(&spec, argc, argv, &args);
	if (code != CMD_GO_ON)
		return code;
	const char *what = args.len ? args.items[0] : "";
	bool many = strcmp(what, "projects") == 0, one = strcmp(what, "project") == 0;
	if ((!many && !one) || (many && args.len != 1) || (one && args.len != 2)) {
		fprintf(stderr,
		        "tend get: say `projects` or `project NAME` (see tend get --help)\n");
		return 2;
	}
	tend_config cfg;
	char *base = NULL;
	if (server_url(config, server, &cfg, &base))
		return cmd_fail(2);
	tend_config_free(&cfg);
	cJSON *doc = fetch_status(base, one ? args.items[1] : NULL);
	free(base);
	if (!doc)
		return cmd_fail(2);
	int rc = 0;
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(doc, "projects");
	if (many && cmd_structured(format)) {
		rc = cmd_print_doc(ps, format) ? cmd_fail(2) : 0;
	} else if (many && strcmp(format, "name") == 0) {
		const cJSON *p;
		cJSON_ArrayForEach(p, ps) printf("%s\n", str(p, "name"));
	} else if (many) {
		print_projects(ps, strcmp(format, "wide") == 0);
	} else {
		const cJSON *p = find_project(doc, args.items[1]);
		if (!p) {
			tend_err("the daemon has no project named \"%s\" (see tend get projects)",
			         args.items[1]);
			rc = cmd_fail(2);
		} else if (cmd_structured(format))
			rc = cmd_print_doc(p, format) ? cmd_fail(2) : 0;
		else if (strcmp(format, "name") == 0)
			printf("%s\n", str(p, "name"));
		else
			print_project(p);
	}
	cJSON_Delete(doc);
	return rc;
}

static const char EVENTS_ABOUT[] =
    "Lists what a running `tend run` did and saw, oldest first: the objects each\n"
    "sync created, updated, pruned or could not apply, and each drift (who\n"
    "changed what, and whether it was reverted). With NAME, that project's\n"
    "only. With --watch it keeps polling and prints new events as they come,\n"
    "until interrupted. Kubernetes Events on tenants' objects say the same\n"
    "where researchers look (kubectl get events -n NAMESPACE).\n"
    "\n"
    "Exit status: 0 shown, 2 the daemon cannot be reached or has no such project.\n";

/* One line of `tend events`, its time first so that lines sort by time. */
static char *event_line(const char *project, const cJSON *e, bool drift)
{
	tend_buf what = TEND_BUF_INIT;
	tend_buf_printf(&what, "%s", str(e, "object"));
	if (drift) {
		tend_buf_printf(&what, ": %s", str(e, "change"));
		if (cJSON_GetObjectItemCaseSensitive(e, "field"))
			tend_buf_printf(&what, " %s", str(e, "field"));
		if (cJSON_GetObjectItemCaseSensitive(e, "manager"))
			tend_buf_printf(&what, " by %s", str(e, "manager"));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "reverted")))
			tend_buf_printf(&what, ", reverted");
	} else if (cJSON_GetObjectItemCaseSensitive(e, "message")) {
		tend_buf_printf(&what, ": %s", str(e, "message"));
	}
	char *line = tend_xasprintf("%-24s  %-20s  %-9s  %s", str(e, "time"), project,
	                            drift ? "drift" : str(e, "type"), what.data);
	tend_buf_free(&what);
	return line;
}

static void push_line(tend_strvec *out, char *line)
{
	tend_strvec_push(out, line);
	free(line);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The events of the status document (of project `only`, or all), oldest first. */
static int collect_events(const cJSON *doc, const char *only, tend_strvec *out)
{
	const cJSON *p;
	bool found = false;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(doc, "projects"))
	{
		const char *name = str(p, "name");
		if (only && strcmp(name, only) != 0)
			continue;
		found = true;
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "events"))
		    push_line(out, event_line(name, e, false));
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
		                          cJSON_GetObjectItemCaseSensitive(p, "drift"), "events"))
		    push_line(out, event_line(name, e, true));
	}
	if (only && !found)
		return tend_err("the daemon has no project named \"%s\" (see tend get projects)",
		                only);
	if (out->len > 1)
		qsort(out->items, out->len, sizeof(*out->items), by_text);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	const char *config = NULL, *server = NULL;
	bool watch = false;
	const cmd_option options[] = {
	    CMD_SERVER_OPTIONS(&config, &server),
	    {.name = "watch", .letter = 'w', .flag = &watch,
	     .help = "keep polling (every 2 s); print new events as they come"},
	    {0},
	};
	const cmd_spec spec = {"events", "tend events [NAME] [--watch] [--server URL]",
	                       EVENTS_ABOUT, options, 1};
	cmd_args args;
	int code = cmd_parse(&spec, argc, argv, &args);
	if (code != CMD_GO_ON)
		return code;
	const char *only = args.len ? args.items[0] : NULL;
	tend_config cfg;
	char *base = NULL;
	if (server_url(config, server, &cfg, &base))
		return cmd_fail(2);
	tend_config_free(&cfg);
	tend_strset seen = TEND_STRSET_INIT;
	int rc = 0;
	for (bool first = true;; first = false) {
		cJSON *doc = fetch_status(base, only);
		tend_strvec lines = TEND_STRVEC_INIT;
		if (!doc || collect_events(doc, only, &lines)) {
			rc = cmd_fail(2);
		} else {
			if (first && !lines.len && !watch)
				printf("No events.\n");
			for (size_t i = 0; i < lines.len; i++)
				if (tend_strset_add(&seen, lines.items[i]))
					printf("%s\n", lines.items[i]);
			fflush(stdout);
		}
		tend_strvec_free(&lines);
		cJSON_Delete(doc);
		if (rc || !watch)
			break;
		nanosleep(&(struct timespec){2, 0}, NULL);
	}
	tend_strset_free(&seen);
	free(base);
	return rc;
}

static const char RECONCILE_ABOUT[] =
    "Asks a running `tend run` to sync project NAME now (what the status page's\n"
    "\"Sync now\" does); with --with-source it fetches the source first. The\n"
    "daemon must allow actions (serve.allowActions) and the request carries the\n"
    "token of serve.actionTokenFile (or --token-file).\n"
    "\n"
    "Exit status: 0 scheduled, 2 refused (no such project, a wrong token,\n"
    "actions off) or the daemon cannot be reached.\n";

/* POST base+path with the token; 0 on 2xx, else -1 naming the daemon's answer. */
static int post(const char *base, const char *path, const char *token)
{
	char *url = tend_xasprintf("%s%s", base, path);
	tend_buf body = TEND_BUF_INIT;
	long status = 0;
	int rc = request("POST", url, token, &body, &status);
	if (!rc && (status < 200 || status > 299)) {
		char *msg = tend_xstrndup(body.data ? body.data : "", body.len);
		size_t n = strlen(msg);
		while (n && msg[n - 1] == '\n')
			msg[--n] = 0;
		rc = tend_err("%s: HTTP %ld: %s", url, status, msg);
		free(msg);
	} else if (!rc) {
		fwrite(body.data ? body.data : "", 1, body.len, stdout);
	}
	tend_buf_free(&body);
	free(url);
	return rc;
}

/* The action token: --token-file, else tend.yaml's serve.actionTokenFile (caller frees). */
static int action_token(const tend_config *cfg, const char *token_file, char **token)
{
	*token = NULL;
	char *path = token_file ? tend_xstrdup(token_file)
	             : cfg->serve.action_token_file
	                 ? tend_config_path(cfg, cfg->serve.action_token_file)
	                 : NULL;
	int rc = path ? tend_ui_read_token(path, token)
	              : tend_err("an action token is needed: --token-file FILE, or "
	                         "serve.actionTokenFile in tend.yaml (-c)");
	free(path);
	return rc;
}

static void free_token(char *token)
{
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
}

/* Whether the daemon's status says project `name` is suspended (want) yet. */
static bool shows_suspended(const char *base, const char *name, bool want)
{
	cJSON *doc = fetch_status(base, name);
	bool is = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(find_project(doc, name), "suspended"));
	cJSON_Delete(doc);
	return is == want;
}

static const char SUSPEND_ABOUT[] =
    "Suspends project NAME in a running `tend run`: it is no longer synced and\n"
    "drift in it is reported, not reverted, until `tend resume NAME`, which\n"
    "syncs it at once. The suspension is kept in the cluster (a ConfigMap\n"
    "tend-suspend-NAME in the inventory namespace), so restarts and other\n"
    "replicas honour it. Waits (up to 30 s) until the daemon's status shows it.\n"
    "The daemon must allow actions (serve.allowActions); the request carries\n"
    "the token of serve.actionTokenFile (or --token-file).\n"
    "\n"
    "Exit status: 0 done, 2 refused (no such project, a wrong token, actions\n"
    "off), not seen within 30 s, or the daemon cannot be reached.\n";

static int suspend_or_resume(int argc, char **argv, bool suspend)
{
	const char *config = NULL, *server = NULL, *token_file = NULL;
	const cmd_option options[] = {
	    CMD_SERVER_OPTIONS(&config, &server),
	    {.name = "token-file",
	     .arg = "FILE",
	     .text = &token_file,
	     .help = "the action token (default: tend.yaml's\n"
	             "serve.actionTokenFile)"},
	    {0},
	};
	const char *verb = suspend ? "suspend" : "resume";
	const cmd_spec spec = {verb,
	                       suspend ? "tend suspend NAME [-c tend.yaml] [--server URL] "
	                                 "[--token-file FILE]"
	                               : "tend resume NAME [-c tend.yaml] [--server URL] "
	                                 "[--token-file FILE]",
	                       SUSPEND_ABOUT, options, 1};
	cmd_args args;
	int code = cmd_parse(&spec, argc, argv, &args);
	if (code != CMD_GO_ON)
		return code;
	if (args.len != 1) {
		fprintf(stderr, "tend %s: name the project (see tend %s --help)\n", verb, verb);
		return 2;
	}
	tend_config cfg;
	char *base = NULL, *token = NULL;
	if (server_url(config, server, &cfg, &base))
		return cmd_fail(2);
	int rc = action_token(&cfg, token_file, &token);
	tend_config_free(&cfg);
	tend_buf path = TEND_BUF_INIT;
	tend_buf_puts(&path, "/api/v1/projects/");
	tend_ui_escape_url(&path, args.items[0]);
	tend_buf_printf(&path, "/%s", verb);
	if (!rc)
		rc = post(base, path.data, token);
	tend_buf_free(&path);
	free_token(token);
	for (int i = 0; !rc && i < 300 && !shows_suspended(base, args.items[0], suspend); i++) {
		if (i == 299)
			rc = tend_err("the daemon did not show %s %s within 30 s (see tend get "
			              "project %s and its log)",
			              args.items[0], suspend ? "suspended" : "resumed",
			              args.items[0]);
		else
			nanosleep(&(struct timespec){0, 100000000L}, NULL);
	}
	free(base);
	return rc ? cmd_fail(2) : 0;
}

int cmd_suspend(int argc, char **argv)
{
	return suspend_or_resume(argc, argv, true);
}

int cmd_resume(int argc, char **argv)
{
	return suspend_or_resume(argc, argv, false);
}

int cmd_reconcile(int argc, char **argv)
{
	const char *config = NULL, *server = NULL, *token_file = NULL;
	bool with_source = false;
	const cmd_option options[] = {
	    CMD_SERVER_OPTIONS(&config, &server),
	    {.name = "with-source",
	     .flag = &with_source,
	     .help = "fetch the source first (a new commit is\n"
	             "rendered before the sync)"},
	    {.name = "token-file",
	     .arg = "FILE",
	     .text = &token_file,
	     .help = "the action token (default: tend.yaml's\n"
	             "serve.actionTokenFile)"},
	    {0},
	};
	const cmd_spec spec = {"reconcile",
	                       "tend reconcile NAME [--with-source] [-c tend.yaml] [--server URL]\n"
	                       "               [--token-file FILE]",
	                       RECONCILE_ABOUT, options, 1};
	cmd_args args;
	int code = cmd_parse(&spec, argc, argv, &args);
	if (code != CMD_GO_ON)
		return code;
	if (args.len != 1) {
		fprintf(stderr, "tend reconcile: name the project (see tend reconcile --help)\n");
		return 2;
	}
	tend_config cfg;
	char *base = NULL, *token = NULL;
	if (server_url(config, server, &cfg, &base))
		return cmd_fail(2);
	char *path = token_file ? tend_xstrdup(token_file)
	             : cfg.serve.action_token_file
	                 ? tend_config_path(&cfg, cfg.serve.action_token_file)
	                 : NULL;
	tend_config_free(&cfg);
	int rc = 0;
	if (!path)
		rc = tend_err("an action token is needed: --token-file FILE, or "
		              "serve.actionTokenFile in tend.yaml (-c)");
	else
		rc = tend_ui_read_token(path, &token);
	char *sync = tend_xasprintf("/api/v1/projects/%s/sync", args.items[0]);
	if (!rc && with_source)
		rc = post(base, "/api/v1/source/refresh", token);
	if (!rc)
		rc = post(base, sync, token);
	free(sync);
	free(path);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	free(base);
	return rc ? cmd_fail(2) : 0;
}
