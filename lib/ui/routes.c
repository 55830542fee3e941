/*
 * routes.c — the page's HTTP side: GET / and /projects/NAME rendered from
 * the published status snapshot, GET /ui/ASSET from the embedded assets,
 * and the two actions (POST /api/v1/projects/NAME/sync, POST
 * /api/v1/source/refresh).
 *
 * Security: every response carries a strict Content-Security-Policy (no
 * inline script or style, nothing from elsewhere, frame-ancestors 'none')
 * and nosniff. Actions are off unless allowed, and then need
 * "Authorization: Bearer TOKEN": the page keeps the token in the tab's
 * sessionStorage and sets the header from script, so there is no cookie a
 * cross-site form could ride on; requests a browser marks cross-site are
 * refused as well. Tokens are compared in constant time.
 *
 * The status document is parsed once per publish, on the first page view
 * after it, and kept for the views until the next publish (renderers only
 * read it). A view holds doc_lock while it renders: views run one at a
 * time on the server's thread anyway, so the lock costs no waiting.
 * A document published as parts (a project each, as the daemon does) is
 * kept as its frame plus what the table reads of each project: the tree
 * of 10,000 projects' whole objects would be larger than the daemon; a
 * project's page parses that project's part alone.
 */
#include "ui_internal.h"

#include "../doc/doc.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define TOKEN_MIN_LEN 16

struct tend_ui {
	tend_serve *serve;
	char *slot;
	pthread_mutex_t doc_lock; /* held by a page view from reading doc to the last byte */
	cJSON *doc; /* the status slot's publish doc_version, parsed (NULL if not JSON) */
	/* When that publish is a document of parts: each project's part's id,
	 * as in doc's projects (the parts themselves are not held) */
	uint64_t *part_ids;
	size_t n_parts;
	uint64_t doc_version;
	pthread_mutex_t lock; /* guards allow_actions and token (SIGHUP replaces them) */
	bool allow_actions;
	char *token;
	tend_ui_actions actions;
	int grant_warn_days;
};

static const char *const security_headers[] = {
    "Content-Security-Policy",
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options",
    "nosniff",
    "X-Frame-Options",
    "DENY",
    "Referrer-Policy",
    "no-referrer",
    NULL};

static const char *const unauthorized_headers[] = {"WWW-Authenticate",
                                                   "Bearer realm=\"tend\"",
                                                   "Content-Security-Policy",
                                                   "default-src 'none'; frame-ancestors 'none'",
                                                   "X-Content-Type-Options",
                                                   "nosniff",
                                                   NULL};

static int64_t wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Removes the elements of array a for which keep() is false, and trims
 * the others to keys. */
static void filter(cJSON *a, bool (*keep)(const cJSON *), const char *const *keys)
{
	for (cJSON *e = cJSON_IsArray(a) ? a->child : NULL, *next; e; e = next) {
		next = e->next;
		if (keep(e))
			tend_doc_keep_only(e, keys);
		else
			cJSON_Delete(cJSON_DetachItemViaPointer(a, e));
	}
}

static bool reverted(const cJSON *e)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "reverted"));
}

static bool granted(const cJSON *g)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "granted")) &&
	       cJSON_GetObjectItemCaseSensitive(g, "until");
}

/* What the overview reads of a project (overview.c): its status, counts,
 * the drift reverts and the grants with an end, nothing else. */
static void slim(cJSON *p)
{
	tend_doc_keep_only(p, (const char *const[]){
	                          "name", "syncStatus", "blockedByGuardrail", "suspended", "health",
	                          "revision", "lastSyncTime", "objects", "drift", "grants", NULL});
	tend_doc_keep_only(cJSON_GetObjectItemCaseSensitive(p, "objects"),
	                   (const char *const[]){"total", NULL});
	cJSON *drift = cJSON_GetObjectItemCaseSensitive(p, "drift");
	tend_doc_keep_only(drift, (const char *const[]){"events", NULL});
	filter(cJSON_GetObjectItemCaseSensitive(drift, "events"), reverted,
	       (const char *const[]){"time", "reverted", NULL});
	filter(cJSON_GetObjectItemCaseSensitive(p, "grants"), granted,
	       (const char *const[]){"granted", "until", NULL});
}

/* A project of the document kept until now, by its part's id. */
typedef struct kept {
	uint64_t id;
	cJSON *project; /* NULL once taken */
} kept;

static size_t kept_slot(const kept *k, size_t cap, uint64_t id)
{
	size_t i = (size_t)(id * 0x9E3779B97F4A7C15ull) & (cap - 1);
	while (k[i].id && k[i].id != id)
		i = (i + 1) & (cap - 1);
	return i;
}

/* The projects of the kept document, by their part's id: a part the
 * publisher handed into the next document again keeps its id, so its
 * slimmed object is taken over instead of parsed again. *cap is a power of
 * two; NULL when nothing is kept. */
static kept *index_kept(const tend_ui *ui, size_t *cap)
{
	const cJSON *projects = cJSON_GetObjectItemCaseSensitive(ui->doc, "projects");
	if (!ui->n_parts || !cJSON_IsArray(projects))
		return NULL;
	for (*cap = 16; *cap < 2 * ui->n_parts; *cap *= 2)
		;
	kept *k = tend_xcalloc(*cap, sizeof(*k));
	cJSON *p = projects->child;
	for (size_t i = 0; i < ui->n_parts && p; i++, p = p->next)
		k[kept_slot(k, *cap, ui->part_ids[i])] = (kept){ui->part_ids[i], p};
	return k;
}

/*
 * The document of t: parsed whole when one string; when parts, its frame
 * with each project slimmed, in the parts' order (an unreadable part
 * becomes an empty object, so projects[i] stays part i), and their ids in
 * *ids. A project whose part is in the kept document is moved over from
 * it: a view after a publish parses what changed.
 */
static cJSON *parse_doc(tend_ui *ui, const tend_serve_text *t, uint64_t **ids)
{
	char *frame = tend_serve_text_frame(t);
	cJSON *doc = cJSON_Parse(frame);
	free(frame);
	size_t n = tend_serve_text_parts(t);
	cJSON *projects = cJSON_GetObjectItemCaseSensitive(doc, "projects");
	*ids = NULL;
	if (!n || !cJSON_IsArray(projects))
		return doc;
	*ids = tend_xcalloc(n, sizeof(**ids));
	size_t cap = 0;
	kept *k = index_kept(ui, &cap);
	cJSON *old_projects = cJSON_GetObjectItemCaseSensitive(ui->doc, "projects");
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *text = tend_serve_text_part(t, i, &len);
		(*ids)[i] = tend_serve_text_part_id(t, i);
		kept *hit = k ? &k[kept_slot(k, cap, (*ids)[i])] : NULL;
		cJSON *p = NULL;
		if (hit && hit->project) {
			p = cJSON_DetachItemViaPointer(old_projects, hit->project);
			hit->project = NULL;
		} else {
			p = cJSON_ParseWithLength(text, len);
			if (cJSON_IsObject(p))
				slim(p);
			else {
				cJSON_Delete(p);
				p = cJSON_CreateObject();
			}
		}
		cJSON_AddItemToArray(projects, p);
	}
	free(k);
	return doc;
}

/* The status document, made again only when a newer one was published;
 * called with doc_lock held, valid until it is released. The publish is
 * not held once read: a page kept open must not keep the daemon's old
 * parts alive (at 10,000 projects, a second status document). */
static const cJSON *status_doc(tend_ui *ui)
{
	uint64_t seen = ui->doc_version;
	tend_serve_text *t = tend_serve_hold_newer(ui->serve, ui->slot, &ui->doc_version);
	if (ui->doc_version != seen) {
		uint64_t *ids = NULL;
		cJSON *doc = t ? parse_doc(ui, t, &ids) : NULL;
		cJSON_Delete(ui->doc);
		free(ui->part_ids);
		ui->doc = doc;
		ui->part_ids = ids;
		ui->n_parts = ids ? tend_serve_text_parts(t) : 0;
		tend_serve_text_drop(t);
	}
	return ui->doc;
}

/* Project `name` of a document of parts, parsed whole from its part into
 * a document of that one project (caller deletes); NULL when the document
 * is one string (it is whole already) or has no such project. Called with
 * doc_lock held; *st is made again when a publish came in between. */
static cJSON *project_doc(tend_ui *ui, const cJSON **st, const char *name)
{
	for (int tries = 0; tries < 5 && *st && ui->n_parts; tries++) {
		size_t i = 0;
		const cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(*st, "projects"))
		{
			const char *n = ui_str(p, "name");
			if (n && strcmp(n, name) == 0)
				break;
			i++;
		}
		if (!p)
			return NULL;
		char *text = tend_serve_snapshot_part(ui->serve, ui->slot, ui->doc_version, i);
		if (text) {
			cJSON *doc = cJSON_CreateObject();
			cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "projects"), cJSON_Parse(text));
			free(text);
			return doc;
		}
		*st = status_doc(ui); /* published meanwhile */
	}
	return NULL;
}

static bool actions_allowed(tend_ui *ui)
{
	pthread_mutex_lock(&ui->lock);
	bool on = ui->allow_actions;
	pthread_mutex_unlock(&ui->lock);
	return on;
}

static tend_ui_render_opts render_opts(tend_ui *ui)
{
	return (tend_ui_render_opts){wall_ms(), actions_allowed(ui), ui->grant_warn_days};
}

/* The bearer token of the request equals the configured one (constant time). */
static bool token_matches(tend_ui *ui, const char *given)
{
	pthread_mutex_lock(&ui->lock);
	size_t n = strlen(ui->token);
	bool ok = given && strlen(given) == n && CRYPTO_memcmp(given, ui->token, n) == 0;
	pthread_mutex_unlock(&ui->lock);
	return ok;
}

static void overview(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_ui *ui = ud;
	const char *order = tend_http_query(req, "order");
	tend_ui_query q = {tend_http_query(req, "q"), tend_http_query(req, "status"),
	                   tend_http_query(req, "health"), tend_http_query(req, "sort"),
	                   order && strcmp(order, "desc") == 0};
	tend_ui_render_opts o = render_opts(ui);
	res->content_type = "text/html; charset=utf-8";
	res->headers = security_headers;
	pthread_mutex_lock(&ui->doc_lock);
	const cJSON *st = status_doc(ui);
	tend_ui_render_overview(st, &q, &o, &res->body);
	if (!st)
		res->status = 503;
	pthread_mutex_unlock(&ui->doc_lock);
}

static void project(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_ui *ui = ud;
	const char *name = req->path + strlen("/projects/");
	tend_ui_render_opts o = render_opts(ui);
	res->content_type = "text/html; charset=utf-8";
	res->headers = security_headers;
	pthread_mutex_lock(&ui->doc_lock);
	const cJSON *st = status_doc(ui);
	cJSON *one = st ? project_doc(ui, &st, name) : NULL;
	if (!st)
		tend_ui_render_overview(NULL, &(tend_ui_query){0}, &o, &res->body);
	res->status = st ? tend_ui_render_project(one ? one : st, name, &o, &res->body) : 503;
	cJSON_Delete(one);
	pthread_mutex_unlock(&ui->doc_lock);
}

static void asset(void *ud, const tend_http_request *req, tend_http_response *res)
{
	(void)ud;
	const tend_ui_asset *a = tend_ui_asset_find(req->path + strlen("/ui/"));
	res->headers = security_headers;
	if (!a) {
		res->status = 404;
		tend_buf_puts(&res->body, "not found\n");
		return;
	}
	res->content_type = a->content_type;
	tend_buf_put(&res->body, a->data, a->len);
}

/* Refuses an action unless allowed, same-site and carrying the token; 0 when fine. */
static int refuse(tend_ui *ui, const tend_http_request *req, tend_http_response *res)
{
	res->headers = security_headers;
	if (!actions_allowed(ui)) {
		res->status = 403;
		tend_buf_puts(&res->body, "actions are off: set serve.allowActions and "
		                          "serve.actionTokenFile in tend.yaml\n");
		return -1;
	}
	const char *site = tend_http_header(req, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
		res->status = 403;
		tend_buf_puts(&res->body, "cross-site request refused\n");
		return -1;
	}
	const char *auth = tend_http_header(req, "Authorization");
	const char *given = auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
	if (!token_matches(ui, given)) {
		res->status = 401;
		res->headers = unauthorized_headers;
		tend_buf_puts(&res->body, given ? "wrong action token\n"
		                                : "an action token is required "
		                                  "(Authorization: Bearer TOKEN)\n");
		return -1;
	}
	return 0;
}

static void sync_project(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_ui *ui = ud;
	const char *start = req->path + strlen("/api/v1/projects/");
	const char *end = strrchr(start, '/');
	const char *verb = end ? end + 1 : "";
	bool sync = strcmp(verb, "sync") == 0;
	bool suspend = strcmp(verb, "suspend") == 0, resume = strcmp(verb, "resume") == 0;
	if (!end || end == start || (!sync && !suspend && !resume)) {
		res->status = 404;
		tend_buf_puts(&res->body, "not found\n");
		return;
	}
	if (refuse(ui, req, res))
		return;
	char *name = tend_xstrndup(start, (size_t)(end - start));
	if (!sync) {
		if (!ui->actions.suspend_project ||
		    ui->actions.suspend_project(ui->actions.ud, name, suspend)) {
			res->status = 404;
			tend_buf_printf(&res->body, "%s\n",
			                ui->actions.suspend_project ? tend_err_msg()
			                                            : "suspend is not available");
		} else {
			res->status = 202;
			tend_buf_printf(&res->body, "%s of %s requested\n",
			                suspend ? "suspension" : "resumption", name);
		}
		free(name);
		return;
	}
	if (!ui->actions.sync_project || ui->actions.sync_project(ui->actions.ud, name)) {
		res->status = 404;
		tend_buf_printf(&res->body, "%s\n",
		                ui->actions.sync_project ? tend_err_msg()
		                                         : "sync is not available");
	} else {
		res->status = 202;
		tend_buf_printf(&res->body, "sync of %s scheduled\n", name);
	}
	free(name);
}

static void refresh_source(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_ui *ui = ud;
	if (refuse(ui, req, res))
		return;
	if (ui->actions.refresh_source)
		ui->actions.refresh_source(ui->actions.ud);
	res->status = 202;
	tend_buf_puts(&res->body, "fetch scheduled\n");
}

static int check_token(bool allow, const char *token)
{
	if (allow && (!token || strlen(token) < TOKEN_MIN_LEN))
		return tend_err("serve.allowActions: an action token of at least %d characters is "
		                "required",
		                TOKEN_MIN_LEN);
	return 0;
}

static void free_token(char *token)
{
	if (token)
		OPENSSL_cleanse(token, strlen(token));
	free(token);
}

int tend_ui_set_actions(tend_ui *ui, bool allow, const char *token)
{
	if (check_token(allow, token))
		return -1;
	char *copy = tend_xstrdup(allow ? token : "");
	pthread_mutex_lock(&ui->lock);
	char *old = ui->token;
	ui->allow_actions = allow;
	ui->token = copy;
	pthread_mutex_unlock(&ui->lock);
	free_token(old);
	return 0;
}

int tend_ui_new(tend_serve *s, const tend_ui_options *o, tend_ui **out)
{
	*out = NULL;
	if (check_token(o->allow_actions, o->action_token))
		return -1;
	tend_ui *ui = tend_xcalloc(1, sizeof(*ui));
	pthread_mutex_init(&ui->lock, NULL);
	pthread_mutex_init(&ui->doc_lock, NULL);
	ui->serve = s;
	ui->slot = tend_xstrdup(o->status_slot ? o->status_slot : "status");
	ui->allow_actions = o->allow_actions;
	ui->token = tend_xstrdup(o->allow_actions ? o->action_token : "");
	ui->actions = o->actions;
	ui->grant_warn_days = o->grant_warn_days > 0 ? o->grant_warn_days : 14;
	tend_serve_route(s, NULL, "/", 0, overview, ui);
	tend_serve_route(s, NULL, "/projects/*", 0, project, ui);
	tend_serve_route(s, NULL, "/ui/*", 0, asset, ui);
	tend_serve_route(s, "POST", "/api/v1/projects/*", 0, sync_project, ui);
	tend_serve_route(s, "POST", "/api/v1/source/refresh", 0, refresh_source, ui);
	*out = ui;
	return 0;
}

void tend_ui_free(tend_ui *ui)
{
	if (!ui)
		return;
	free(ui->slot);
	free_token(ui->token);
	cJSON_Delete(ui->doc);
	free(ui->part_ids);
	pthread_mutex_destroy(&ui->doc_lock);
	pthread_mutex_destroy(&ui->lock);
	free(ui);
}

int tend_ui_read_token(const char *path, char **out)
{
	*out = NULL;
	tend_buf b = TEND_BUF_INIT;
	if (tend_file_read(path, 4096, &b))
		return tend_err_prefix("serve.actionTokenFile: ");
	const char *s = b.data ? b.data : "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strcspn(s, "\r\n");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	int rc = 0;
	if (n < TOKEN_MIN_LEN)
		rc = tend_err("serve.actionTokenFile: %s: the token must be at least %d characters",
		              path, TOKEN_MIN_LEN);
	else
		*out = tend_xstrndup(s, n);
	if (b.data)
		OPENSSL_cleanse(b.data, b.cap);
	tend_buf_free(&b);
	return rc;
}
