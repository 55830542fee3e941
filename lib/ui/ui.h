/*
 * ui.h — the status web page: server-rendered HTML for `/` (source,
 * counts, the project table with filter and sort) and `/projects/NAME`
 * (objects, last error, events, diffs, add-ons and grants), rendered from
 * the very JSON document the daemon publishes as /api/v1/status, plus the
 * embedded static assets (CSS, a small script, the favicon) and the
 * token-protected "sync now" / "refresh source" actions.
 *
 * The page works without JavaScript; the script only polls the status
 * JSON and swaps in the freshly rendered page, and keeps the action token.
 *
 * Threading: handlers run on the HTTP thread and read only the published
 * snapshot; actions call the controller's callbacks, which must only record
 * the request and wake its loop.
 * Memory: tend_ui copies what it is given; render functions append to the
 * caller's buffer.
 */
#ifndef TEND_UI_H
#define TEND_UI_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../serve/serve.h"
#include "../util/util.h"

/* ------------------------------------------------------------------------
 * Escaping (escape.c)
 * ---------------------------------------------------------------------- */

/* Appends s with & < > " ' as entities; NULL appends nothing. */
void tend_ui_escape(tend_buf *out, const char *s);
/* Appends s percent-encoded for a URL path segment or query value. */
void tend_ui_escape_url(tend_buf *out, const char *s);

/* ------------------------------------------------------------------------
 * Rendering (overview.c, project.c)
 * ---------------------------------------------------------------------- */

/* What the overview shows: filter and sort, from the query string. */
typedef struct tend_ui_query {
	const char *q;      /* name contains (case-insensitive); NULL or "": all */
	const char *status; /* sync status class ("Synced", "OutOfSync", "Failed",
	                       "Blocked", "Pending"); NULL or "": all */
	const char *health; /* "Healthy", "Progressing", ...; NULL or "": all */
	const char *sort;   /* "name" (default), "status", "health", "revision",
	                       "lastSync", "objects", "drift", "grants" */
	bool desc;
} tend_ui_query;

typedef struct tend_ui_render_opts {
	int64_t now_ms;      /* wall clock, for ages and "in the last hour" */
	bool allow_actions;  /* render the action controls */
	int grant_warn_days; /* a grant ending within this many days is "expiring soon" */
} tend_ui_render_opts;

/*
 * The overview page for a status document (the /api/v1/status JSON; NULL
 * renders a "starting" page).
 */
void tend_ui_render_overview(const cJSON *status, const tend_ui_query *q,
                             const tend_ui_render_opts *o, tend_buf *out);
/* The page of one project; returns 404 (and renders a not-found page) when
 * the document has no project of that name, else 200. */
int tend_ui_render_project(const cJSON *status, const char *name, const tend_ui_render_opts *o,
                           tend_buf *out);

/* The sync status class a project is shown and filtered by (never NULL). */
const char *tend_ui_status_class(const cJSON *project);
/* Drift reverts of a project in the hour before now_ms. */
int tend_ui_drift_reverts_last_hour(const cJSON *project, int64_t now_ms);
/* Grants of a project whose `until` is within warn_days of now_ms (or past). */
int tend_ui_grants_expiring(const cJSON *project, int64_t now_ms, int warn_days);

/* ------------------------------------------------------------------------
 * Assets embedded at build time (assets.c, generated from lib/ui/assets/)
 * ---------------------------------------------------------------------- */

typedef struct tend_ui_asset {
	const char *name; /* "ui.css", "ui.js", "favicon.svg" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
} tend_ui_asset;

/* The asset of that name, or NULL. */
const tend_ui_asset *tend_ui_asset_find(const char *name);

/* ------------------------------------------------------------------------
 * Routes and actions (routes.c)
 * ---------------------------------------------------------------------- */

typedef struct tend_ui_actions {
	/* Both run on the HTTP thread and must only set a flag and wake the
	 * controller. sync_project returns -1 (message in tend_err_msg()) for
	 * a project the controller does not know. */
	int (*sync_project)(void *ud, const char *project);
	void (*refresh_source)(void *ud);
	void *ud;
	/* POST /api/v1/projects/NAME/suspend and /resume (tend suspend, tend
	 * resume): -1 for a project the controller does not know; optional. */
	int (*suspend_project)(void *ud, const char *project, bool suspend);
} tend_ui_actions;

typedef struct tend_ui_options {
	const char *status_slot; /* the tend_serve slot holding the status JSON; default "status" */
	bool allow_actions;
	const char *action_token; /* required when allow_actions */
	tend_ui_actions actions;
	int grant_warn_days; /* default 14 */
} tend_ui_options;

typedef struct tend_ui tend_ui;

/*
 * Adds the routes to s (before tend_serve_start): GET / and /projects/NAME,
 * GET /ui/ASSET, POST /api/v1/projects/NAME/sync and POST
 * /api/v1/source/refresh. Fails when actions are allowed without a token.
 * The tend_ui must outlive the server.
 */
int tend_ui_new(tend_serve *s, const tend_ui_options *o, tend_ui **out);
void tend_ui_free(tend_ui *ui);
/* Turns the actions on or off and replaces the token (a reload); same rules
 * as tend_ui_new, and nothing changes on failure. Any thread. */
int tend_ui_set_actions(tend_ui *ui, bool allow, const char *token);

/*
 * Reads an action token file: the first line, surrounding whitespace
 * removed; refuses an empty token or one shorter than 16 characters.
 * Caller frees.
 */
int tend_ui_read_token(const char *path, char **out);

#endif
