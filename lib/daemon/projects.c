/*
 * projects.c — the daemon's table of projects: one record per project name
 * ever generated, its desired state, schedule and last sync outcome, and
 * which shard it belongs to.
 *
 * Invariant: a record outlives its project's disappearance from Git (meta
 * becomes NULL) so the removal can still be synced and reported; records
 * are never reordered, so pointers to them stay valid until the table grows.
 */
#include "daemon_internal.h"

#include <stdlib.h>
#include <string.h>

int tend_daemon_shard_of(const char *project, int shards)
{
	if (shards <= 1)
		return 0;
	uint32_t h = 2166136261u; /* FNV-1a, 32 bit: stable across builds and hosts */
	for (const unsigned char *s = (const unsigned char *)project; *s; s++)
		h = (h ^ *s) * 16777619u;
	return (int)(h % (uint32_t)shards);
}

uint64_t daemon_key64(const char *const *parts, size_t n)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a, each part with its NUL */
	for (size_t i = 0; i < n; i++) {
		const char *s = parts[i] ? parts[i] : "";
		do {
			h ^= (unsigned char)*s;
			h *= 1099511628211ULL;
		} while (*s++);
	}
	return h ? h : 1; /* 0 means "none" to callers */
}

void daemon_truncate_utf8(char *s, size_t max, const char *ellipsis)
{
	size_t n = strlen(s), e = strlen(ellipsis);
	if (n <= max || max < e)
		return;
	size_t cut = max - e;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--; /* not inside a character */
	memcpy(s + cut, ellipsis, e + 1);
}

void daemon_proj_set_str(char **dst, const char *s)
{
	char *copy = s ? tend_xstrdup(s) : NULL;
	free(*dst);
	*dst = copy;
}

static size_t name_hash(const char *name)
{
	size_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 1099511628211ull;
	return h;
}

/* The slot of name in the index: its record's, or the empty one it would take. */
static size_t index_slot(const tend_daemon *d, const char *name)
{
	size_t mask = d->p_index_cap - 1, i = name_hash(name) & mask;
	while (d->p_index[i] && strcmp(d->p[d->p_index[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Watch events look their project up by name: a hash, not a scan of thousands. */
proj *daemon_proj_find(tend_daemon *d, const char *name)
{
	if (!d->p_index_cap)
		return NULL;
	size_t k = d->p_index[index_slot(d, name)];
	return k ? &d->p[k - 1] : NULL;
}

static void index_grow(tend_daemon *d)
{
	free(d->p_index);
	d->p_index_cap = d->p_index_cap ? d->p_index_cap * 2 : 64;
	d->p_index = tend_xcalloc(d->p_index_cap, sizeof(size_t));
	for (size_t k = 0; k < d->np; k++)
		d->p_index[index_slot(d, d->p[k].name)] = k + 1;
}

proj *daemon_proj_add(tend_daemon *d, const char *name)
{
	d->p = tend_xrealloc(d->p, (d->np + 1) * sizeof(proj));
	proj *p = &d->p[d->np++];
	memset(p, 0, sizeof(*p));
	p->name = tend_xstrdup(name);
	p->status = tend_xstrdup("Pending");
	p->health = tend_xstrdup("Unknown");
	int shards = d->opt.shards;
	p->in_shard = tend_daemon_shard_of(name, shards) == (shards > 1 ? d->opt.shard_index : 0);
	if (d->np * 2 > d->p_index_cap)
		index_grow(d); /* indexes every record, this one included */
	else
		d->p_index[index_slot(d, name)] = d->np;
	d->p_generation++;
	return p;
}

void daemon_proj_changed(proj *p)
{
	p->st_stale = true;
}

void daemon_proj_mark(proj *p, const char *reason, int64_t at)
{
	daemon_proj_changed(p);
	if (p->due && p->due_at <= at)
		return; /* already due sooner: keep the earlier reason */
	p->due = true;
	p->due_at = at;
	daemon_proj_set_str(&p->due_reason, reason);
}

void daemon_proj_clear(proj *p)
{
	free(p->name);
	free(p->render_error);
	free(p->render_revision);
	daemon_rendered_clear(&p->desired);
	free(p->due_reason);
	free(p->revision);
	free(p->status);
	free(p->health);
	free(p->error);
	for (size_t i = 0; p->drift && i < DRIFT_EVENTS_KEPT; i++) {
		free(p->drift[i].object);
		free(p->drift[i].kind);
		free(p->drift[i].what);
		free(p->drift[i].field);
		free(p->drift[i].owner);
	}
	free(p->drift);
	daemon_proj_set_objects(p, NULL);
	daemon_quota_clear(p);
	for (size_t i = 0; i < p->n_fights; i++)
		free(p->fights[i].object);
	free(p->fights);
	free(p->fighting);
	free(p->warned);
	free(p->tenant_status_message);
	free(p->tenant_status_ns);
	free(p->commit_status_sha);
	free(p->suspended_at);
	free(p->gauge_status);
	free(p->gauge_health);
	tend_serve_part_drop(p->st_part);
	memset(p, 0, sizeof(*p));
}

void daemon_proj_set_objects(proj *p, const tend_reconcile_report *rep)
{
	daemon_proj_changed(p);
	daemon_ui_record(p, rep);
	for (size_t i = 0; i < p->n_objs; i++) {
		free(p->objs[i].text);
		free(p->objs[i].health_why);
	}
	free(p->objs);
	p->objs = NULL;
	p->n_objs = 0;
	if (!rep || !rep->n_objects)
		return;
	p->objs = tend_xcalloc(rep->n_objects, sizeof(obj_ref));
	for (size_t i = 0; i < rep->n_objects; i++) {
		const tend_reconcile_object *o = &rep->objects[i];
		if (o->action == TEND_ACTION_PRUNE)
			continue;
		const char *av = o->api_version ? o->api_version : "";
		const char *slash = strchr(av, '/');
		int group_len = slash ? (int)(slash - av) : 0;
		obj_ref *r = &p->objs[p->n_objs++];
		r->text = tend_xasprintf(
		    "%.*s%c%s%c%s%c%s", group_len, av, '\0', o->kind ? o->kind : "", '\0',
		    o->namespace ? o->namespace : "", '\0', o->name ? o->name : "");
		r->group = r->text;
		r->kind = r->group + strlen(r->group) + 1;
		r->ns = r->kind + strlen(r->kind) + 1;
		r->name = r->ns + strlen(r->ns) + 1;
	}
}

void daemon_proj_namespace_event(tend_daemon *d, const cJSON *obj)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const char *confirm = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(meta, "annotations"),
	                                     TEND_DELETE_NAMESPACE_ANNOTATION));
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "kind"));
	if (!confirm || strcmp(confirm, "confirm") != 0 || !kind ||
	    strcmp(kind, "Namespace") != 0 ||
	    cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp"))
		return;
	char *project = tend_tracking_project(obj);
	proj *p = project ? daemon_proj_find(d, project) : NULL;
	if (p && p->in_shard && p->n_namespaces_kept) {
		tend_log_ctx_printf(TEND_LOG_INFO, &(tend_log_ctx){p->name, NULL, d->revision},
		                    "namespace deletion confirmed (%s: confirm)",
		                    TEND_DELETE_NAMESPACE_ANNOTATION);
		if (p->meta)
			daemon_proj_mark(p, "confirmed", daemon_now_ms());
		else
			d->complete_pending = true;
	}
	free(project);
}
