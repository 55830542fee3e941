/*
 * health.c — each project's live health, kept current by the watch
 * cache's events instead of being read back from the cache on every
 * publish: the cache holds objects as text, and parsing ten thousand of
 * them once a second would cost more than the rest of the loop.
 *
 * Invariant: an object of the last sync that the cache does not hold
 * (deleted, or of a type with no informer) is Missing, as it would be read
 * from the cache directly.
 */
#include "daemon_internal.h"

#include <stdlib.h>
#include <string.h>

static void set_health(obj_ref *o, const cJSON *live)
{
	free(o->health_why);
	o->health_why = NULL;
	o->health = tend_health_of(live, &o->health_why);
}

void daemon_health_refresh(tend_daemon *d, proj *p)
{
	daemon_proj_changed(p);
	for (size_t i = 0; i < p->n_objs; i++) {
		obj_ref *o = &p->objs[i];
		cJSON *live = d->cache ? tend_kube_cache_copy(d->cache, o->group, o->kind,
		                                              *o->ns ? o->ns : NULL, o->name)
		                       : NULL;
		set_health(o, live);
		cJSON_Delete(live);
	}
}

static const char *meta_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

void daemon_health_track(tend_daemon *d, const cJSON *obj, bool gone)
{
	char *project = tend_tracking_project(obj);
	proj *p = project ? daemon_proj_find(d, project) : NULL;
	free(project);
	if (!p)
		return;
	daemon_quota_track(d, p, obj, gone);
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	const char *ns = meta_str(obj, "namespace"), *name = meta_str(obj, "name");
	for (size_t i = 0; i < p->n_objs; i++) {
		obj_ref *o = &p->objs[i];
		if (cJSON_IsString(kind) && strcmp(o->kind, kind->valuestring) == 0 &&
		    strcmp(o->ns, ns) == 0 && strcmp(o->name, name) == 0) {
			tend_health was = o->health;
			set_health(o, gone ? NULL : obj);
			daemon_proj_changed(p);
			d->dirty = true;
			if (o->health != was)
				daemon_tenant_status_due(d, p);
			return;
		}
	}
}

tend_health daemon_health_of_project(const proj *p, char **why)
{
	tend_health worst = TEND_HEALTH_HEALTHY;
	*why = NULL;
	for (size_t i = 0; i < p->n_objs; i++) {
		const obj_ref *o = &p->objs[i];
		if (o->health <= worst)
			continue;
		worst = o->health;
		free(*why);
		*why = tend_xasprintf("%s/%s: %s", o->kind, o->name,
		                      o->health_why ? o->health_why : tend_health_name(o->health));
	}
	/* objects the last sync could not apply: their live state is not Git's */
	size_t failed = p->n_conflicts + p->n_errors;
	if (failed && worst < TEND_HEALTH_DEGRADED) {
		worst = TEND_HEALTH_DEGRADED;
		free(*why);
		*why = tend_xasprintf("%zu object%s not applied (conflict or error): see lastError",
		                      failed, failed == 1 ? "" : "s");
	}
	return worst;
}
