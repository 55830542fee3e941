/*
 * crds.c — the legacy `crds:` field (kustomize's LoadConfigFromCRDs): each
 * file is a map of OpenAPI definitions (type name -> {Schema, ...}). For
 * every definition that looks like a Kubernetes type (has kind, apiVersion
 * and metadata properties), its properties are walked, following $ref,
 * and their x-kubernetes-* extensions become field specs for the kind
 * named by the type name's last dotted part: object-ref-api-version +
 * object-ref-kind a name reference (at property/<object-ref-name-key, or
 * "name">), annotation an annotations spec, label-selector a labels spec,
 * identity a name-prefix spec.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

static const cJSON *field_ci(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return v ? v : cJSON_GetObjectItemCaseSensitive(o, b);
}

static const cJSON *properties_of(const cJSON *def)
{
	const cJSON *schema = field_ci(def, "Schema", "schema");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	return cJSON_IsObject(props) ? props : NULL;
}

static const char *ext(const cJSON *prop, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(prop, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int walk(kz_tconfig *tc, const char *kind, const cJSON *defs, const char *type,
		const char *path, int depth)
{
	const cJSON *props = properties_of(cJSON_GetObjectItemCaseSensitive(defs, type));
	if (!props || depth > 32)
		return 0;
	for (const cJSON *p = props->child; p; p = p->next) {
		char *fp = *path ? tend_xasprintf("%s/%s", path, p->string) : tend_xstrdup(p->string);
		int rc = 0;
		if (ext(p, "x-kubernetes-annotation"))
			rc = kz_fslist_add(&tc->common_annotations, NULL, NULL, kind, fp, false);
		if (!rc && ext(p, "x-kubernetes-label-selector"))
			rc = kz_fslist_add(&tc->common_labels, NULL, NULL, kind, fp, false);
		if (!rc && ext(p, "x-kubernetes-identity"))
			rc = kz_fslist_add(&tc->prefix, NULL, NULL, kind, fp, false);
		const char *ver = ext(p, "x-kubernetes-object-ref-api-version");
		const char *rkind = ext(p, "x-kubernetes-object-ref-kind");
		if (!rc && ver && rkind) {
			const char *key = ext(p, "x-kubernetes-object-ref-name-key");
			char *refpath = tend_xasprintf("%s/%s", fp, key ? key : "name");
			kz_tconfig one;
			memset(&one, 0, sizeof(one));
			one.nameref = tend_xcalloc(1, sizeof(*one.nameref));
			one.nnameref = one.capnameref = 1;
			one.nameref[0].version = tend_xstrdup(ver);
			one.nameref[0].kind = tend_xstrdup(rkind);
			rc = kz_fslist_add(&one.nameref[0].referrers, NULL, NULL, kind, refpath, false);
			if (!rc)
				rc = kz_tconfig_merge(tc, &one);
			kz_tconfig_free(&one);
			free(refpath);
		}
		const char *ref = ext(p, "$ref");
		if (!rc && ref)
			rc = walk(tc, kind, defs, ref, fp, depth + 1);
		free(fp);
		if (rc)
			return -1;
	}
	return 0;
}

int kz_tconfig_load_crds(kz_tconfig *tc, const cJSON *doc, const char *file)
{
	if (!cJSON_IsObject(doc))
		return tend_err("%s: unable to parse open API definition: expected a map of "
				"definitions",
				file);
	for (const cJSON *def = doc->child; def; def = def->next) {
		const cJSON *props = properties_of(def);
		if (!props || !cJSON_GetObjectItemCaseSensitive(props, "kind") ||
		    !cJSON_GetObjectItemCaseSensitive(props, "apiVersion") ||
		    !cJSON_GetObjectItemCaseSensitive(props, "metadata"))
			continue;
		const char *dot = strrchr(def->string, '.');
		const char *kind = dot ? dot + 1 : def->string;
		if (walk(tc, kind, doc, def->string, "", 0))
			return tend_err_prefix("%s: ", file);
	}
	return 0;
}
