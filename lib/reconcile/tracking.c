/*
 * tracking.c — ownership. Every object tend applies carries the label
 * app.kubernetes.io/managed-by: tend (so watches can select them) and the
 * annotation tend.dev/tracking-id: "<project>:<group>/<Kind>:<ns>/<name>".
 * The annotation, not the label, decides ownership: tend prunes an object
 * only while it still names the pruning project, and never writes an
 * object another project claims. The id after the project is also the
 * object's key in inventories and in the live view.
 */
#include "reconcile_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *str_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_GetStringValue(v);
}

const char *rc_meta_str(const cJSON *obj, const char *key)
{
	return str_at(obj, "metadata", key);
}

char *rc_object_id(const tend_kube_resource *res, const cJSON *obj)
{
	const char *ns = res->namespaced ? str_at(obj, "metadata", "namespace") : NULL;
	const char *name = str_at(obj, "metadata", "name");
	return tend_xasprintf("%s/%s:%s/%s", res->group, res->kind, ns ? ns : "", name ? name : "");
}

int rc_id_split(const char *id, char **group, char **kind, char **ns, char **name)
{
	const char *slash = strchr(id, '/');
	const char *colon = slash ? strchr(slash, ':') : NULL;
	const char *slash2 = colon ? strchr(colon, '/') : NULL;
	if (!slash || !colon || !slash2 || colon == slash + 1 || !slash2[1])
		return -1;
	*group = tend_xstrndup(id, (size_t)(slash - id));
	*kind = tend_xstrndup(slash + 1, (size_t)(colon - slash - 1));
	*ns = tend_xstrndup(colon + 1, (size_t)(slash2 - colon - 1));
	*name = tend_xstrdup(slash2 + 1);
	return 0;
}

static cJSON *object_at(cJSON *parent, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(parent, key);
	if (cJSON_IsObject(v))
		return v;
	if (v)
		cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
	return cJSON_AddObjectToObject(parent, key);
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
	cJSON *s = cJSON_CreateString(value);
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, s);
	else
		cJSON_AddItemToObject(obj, key, s);
}

void rc_mark_owned(cJSON *obj, const char *project, const char *id)
{
	cJSON *meta = object_at(obj, "metadata");
	set_string(object_at(meta, "labels"), TEND_MANAGED_BY_LABEL, TEND_MANAGED_BY_VALUE);
	char *tracking = tend_xasprintf("%s:%s", project, id);
	set_string(object_at(meta, "annotations"), TEND_TRACKING_ANNOTATION, tracking);
	free(tracking);
}

char *tend_tracking_project(const cJSON *obj)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "annotations");
	const char *t = str_at(ann, TEND_TRACKING_ANNOTATION, NULL);
	const char *colon = t ? strchr(t, ':') : NULL;
	if (!colon || colon == t)
		return NULL;
	return tend_xstrndup(t, (size_t)(colon - t));
}

char *rc_ownership_conflict(const cJSON *live, const char *project, bool adopt)
{
	char *owner = tend_tracking_project(live);
	char *why = NULL;
	if (owner && strcmp(owner, project) != 0)
		why = tend_xasprintf("owned by project \"%s\" (annotation %s); not overwritten",
		                     owner, TEND_TRACKING_ANNOTATION);
	else if (!owner && !adopt)
		why = tend_xasprintf("exists and is not managed by tend; not overwritten (set "
		                     "sync.adopt: true to take it over)");
	free(owner);
	return why;
}
