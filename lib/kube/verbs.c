/*
 * verbs.c — single-object verbs: get, create, update (PUT), server-side
 * apply, merge/JSON/strategic patch and delete, each one synchronous call.
 *
 * Namespaces: an explicit `ns` wins, then the object's metadata.namespace,
 * then the configuration's namespace (for namespaced resources only).
 * Apply bodies are sent as compact JSON, which is valid YAML, with
 * Content-Type application/apply-patch+yaml.
 */
#include "kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kube_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *kube_meta_str(const cJSON *obj, const char *key)
{
	return kube_str(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), key);
}

void kube_fill_type(cJSON *obj, const tend_kube_resource *r)
{
	if (!cJSON_IsObject(obj))
		return;
	if (!cJSON_GetObjectItemCaseSensitive(obj, "apiVersion")) {
		char *av = *r->group ? tend_xasprintf("%s/%s", r->group, r->version)
		                     : tend_xstrdup(r->version);
		/* Put type first, where humans expect it in printed objects. */
		cJSON *kind = cJSON_CreateString(r->kind);
		cJSON *ver = cJSON_CreateString(av);
		free(av);
		if (!cJSON_GetObjectItemCaseSensitive(obj, "kind")) {
			cJSON_AddItemToObject(obj, "kind", kind);
		} else {
			cJSON_Delete(kind);
		}
		cJSON_AddItemToObject(obj, "apiVersion", ver);
	} else if (!cJSON_GetObjectItemCaseSensitive(obj, "kind")) {
		cJSON_AddStringToObject(obj, "kind", r->kind);
	}
}

static const char *pick_ns(tend_kube *k, const tend_kube_resource *r, const char *ns,
                           const cJSON *obj)
{
	if (!r->namespaced)
		return NULL;
	if (ns && *ns)
		return ns;
	const char *o = obj ? kube_meta_str(obj, "namespace") : NULL;
	if (o && *o)
		return o;
	return k->cfg->namespace;
}

static void write_query(tend_buf *p, const tend_kube_write_opts *o, bool apply)
{
	if (!o)
		return;
	if (o->field_manager)
		kube_query_add(p, "fieldManager", o->field_manager);
	if (apply && o->force)
		kube_query_add(p, "force", "true");
	if (o->dry_run)
		kube_query_add(p, "dryRun", "All");
	if (o->field_validation)
		kube_query_add(p, "fieldValidation", o->field_validation);
}

static int with_name(const cJSON *obj, const char *verb, const char **name)
{
	*name = kube_meta_str(obj, "name");
	if (!*name || !**name)
		return tend_err("%s: object has no metadata.name", verb);
	return 0;
}

int tend_kube_get(tend_kube *k, const tend_kube_resource *r, const char *ns, const char *name,
                  const tend_kube_identity *as, cJSON **out)
{
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(r, pick_ns(k, r, ns, NULL), name, NULL, &p);
	int rc = kube_call_json(k, "GET", p.data, NULL, NULL, as, out);
	tend_buf_free(&p);
	if (rc == 0 && out)
		kube_fill_type(*out, r);
	return rc;
}

int tend_kube_create(tend_kube *k, const tend_kube_resource *r, const char *ns, const cJSON *obj,
                     const tend_kube_write_opts *o, cJSON **out)
{
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(r, pick_ns(k, r, ns, obj), NULL, NULL, &p);
	write_query(&p, o, false);
	int rc = kube_call_json(k, "POST", p.data, "application/json", obj, o ? o->as : NULL, out);
	tend_buf_free(&p);
	return rc;
}

int tend_kube_update(tend_kube *k, const tend_kube_resource *r, const char *ns, const cJSON *obj,
                     const tend_kube_write_opts *o, cJSON **out)
{
	const char *name;
	if (with_name(obj, "update", &name))
		return -1;
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(r, pick_ns(k, r, ns, obj), name, NULL, &p);
	write_query(&p, o, false);
	int rc = kube_call_json(k, "PUT", p.data, "application/json", obj, o ? o->as : NULL, out);
	tend_buf_free(&p);
	return rc;
}

int tend_kube_apply(tend_kube *k, const tend_kube_resource *r, const char *ns, const cJSON *obj,
                    const tend_kube_write_opts *o, cJSON **out)
{
	const char *name;
	if (with_name(obj, "apply", &name))
		return -1;
	if (!o || !o->field_manager || !*o->field_manager)
		return tend_err("apply %s: a field manager is required", name);
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(r, pick_ns(k, r, ns, obj), name, NULL, &p);
	write_query(&p, o, true);
	int rc =
	    kube_call_json(k, "PATCH", p.data, "application/apply-patch+yaml", obj, o->as, out);
	tend_buf_free(&p);
	return rc;
}

int tend_kube_patch(tend_kube *k, const tend_kube_resource *r, const char *ns, const char *name,
                    tend_kube_patch_type type, const cJSON *patch, const tend_kube_write_opts *o,
                    cJSON **out)
{
	static const char *ctypes[] = {"application/merge-patch+json",
	                               "application/json-patch+json",
	                               "application/strategic-merge-patch+json"};
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(r, pick_ns(k, r, ns, NULL), name, NULL, &p);
	write_query(&p, o, false);
	int rc = kube_call_json(k, "PATCH", p.data, ctypes[type], patch, o ? o->as : NULL, out);
	tend_buf_free(&p);
	return rc;
}

int tend_kube_delete(tend_kube *k, const tend_kube_resource *r, const char *ns, const char *name,
                     const tend_kube_delete_opts *o, cJSON **out)
{
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "kind", "DeleteOptions");
	cJSON_AddStringToObject(body, "apiVersion", "v1");
	if (o && o->propagation)
		cJSON_AddStringToObject(body, "propagationPolicy", o->propagation);
	if (o && o->grace_period_s >= 0) {
		char num[32];
		snprintf(num, sizeof(num), "%ld", o->grace_period_s);
		cJSON_AddItemToObject(body, "gracePeriodSeconds", tend_doc_number(num));
	}
	if (o && (o->uid || o->resource_version)) {
		cJSON *pre = cJSON_AddObjectToObject(body, "preconditions");
		if (o->uid)
			cJSON_AddStringToObject(pre, "uid", o->uid);
		if (o->resource_version)
			cJSON_AddStringToObject(pre, "resourceVersion", o->resource_version);
	}
	if (o && o->dry_run) {
		cJSON *dr = cJSON_AddArrayToObject(body, "dryRun");
		cJSON_AddItemToArray(dr, cJSON_CreateString("All"));
	}
	tend_buf p = TEND_BUF_INIT;
	tend_kube_path(r, pick_ns(k, r, ns, NULL), name, NULL, &p);
	if (o && o->dry_run)
		kube_query_add(&p, "dryRun", "All");
	int rc =
	    kube_call_json(k, "DELETE", p.data, "application/json", body, o ? o->as : NULL, out);
	tend_buf_free(&p);
	cJSON_Delete(body);
	return rc;
}
