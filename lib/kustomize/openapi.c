/*
 * openapi.c — the `openapi:` field and the custom schema it names, which
 * drives strategic merge in place of kustomize's built-in one.
 *
 * kustomize keeps one schema per build (kyaml's SetSchema): the top-level
 * kustomization sets it, and the first base or component that names one
 * sets it when nothing did before; a later one is ignored. `path` and
 * `version` together are an error, a `version` must be the built-in
 * v1.21.2. A custom schema replaces the built-in one, unless the built-in
 * was already loaded when it was set (a strategic merge, or a resource
 * whose scope kustomize had to look up, came before): then both are used,
 * the custom definitions first. Lookups follow kyaml's ResourceSchema:
 * kinds by `x-kubernetes-group-version-kind`, fields by `properties` or
 * `additionalProperties`, list elements by `items` of a `type: array`,
 * each `$ref` to `#/definitions/NAME` resolved (siblings of a `$ref` are
 * dropped, as go-openapi drops them).
 *
 * The schema's `paths` also decide the scope of kinds kustomize's
 * precomputed table does not know: a path whose `get` carries an
 * `x-kubernetes-group-version-kind` names a kind, namespaced if any such
 * path holds `namespaces/{namespace}`, else cluster-scoped (kz_scope_mark).
 *
 * Invariant: the schema document is parsed once, when set; it is not read
 * again. A document kustomize cannot parse fails the build only when the
 * schema is first used, as kustomize's lazy initialisation does.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct oa_kind {
	char *api_version, *kind;
	const cJSON *schema;
} oa_kind;

typedef struct oa_scope {
	char *api_version, *kind;
	bool namespaced;
} oa_scope;

struct kz_openapi {
	cJSON *doc;        /* the parsed schema file */
	const cJSON *defs; /* its `definitions`, or NULL */
	oa_kind *kinds;    /* definitions indexed by group-version-kind */
	size_t nkinds;
	oa_scope *scopes; /* kinds named by `paths`, with their scope */
	size_t nscopes;
	char *invalid;     /* why kustomize would refuse the document, or NULL */
	bool with_builtin; /* the built-in schema was loaded first: both are used */
};

void kz_openapi_free(kz_openapi *oa)
{
	if (!oa)
		return;
	cJSON_Delete(oa->doc);
	for (size_t i = 0; i < oa->nkinds; i++) {
		free(oa->kinds[i].api_version);
		free(oa->kinds[i].kind);
	}
	free(oa->kinds);
	for (size_t i = 0; i < oa->nscopes; i++) {
		free(oa->scopes[i].api_version);
		free(oa->scopes[i].kind);
	}
	free(oa->scopes);
	free(oa->invalid);
	free(oa);
}

static const char *ext_string(const cJSON *schema, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(schema, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *api_version_of(const char *group, const char *version)
{
	return group && group[0] ? tend_xasprintf("%s/%s", group, version) : tend_xstrdup(version);
}

/* Indexes a definition under each group-version-kind it declares. */
static void index_kinds(kz_openapi *oa, const cJSON *def)
{
	const cJSON *gvks =
	    cJSON_GetObjectItemCaseSensitive(def, "x-kubernetes-group-version-kind");
	if (!cJSON_IsArray(gvks))
		return;
	const cJSON *g;
	cJSON_ArrayForEach(g, gvks)
	{
		const char *group = ext_string(g, "group"), *version = ext_string(g, "version");
		const char *kind = ext_string(g, "kind");
		if (!cJSON_IsObject(g) || !version || !kind)
			continue;
		oa->kinds = tend_xrealloc(oa->kinds, (oa->nkinds + 1) * sizeof(*oa->kinds));
		oa->kinds[oa->nkinds++] =
		    (oa_kind){api_version_of(group, version), tend_xstrdup(kind), def};
	}
}

/* Notes the scope of the kind a path's `get` returns, if it names one. */
static void index_path(kz_openapi *oa, const char *path, const cJSON *item)
{
	const cJSON *get = cJSON_GetObjectItemCaseSensitive(item, "get");
	const cJSON *gvk = cJSON_GetObjectItemCaseSensitive(get, "x-kubernetes-group-version-kind");
	const char *version = ext_string(gvk, "version"), *kind = ext_string(gvk, "kind");
	if (!cJSON_IsObject(gvk) || !version || !kind)
		return;
	char *api = api_version_of(ext_string(gvk, "group"), version);
	bool namespaced = strstr(path, "namespaces/{namespace}") != NULL;
	for (size_t i = 0; i < oa->nscopes; i++) {
		if (strcmp(oa->scopes[i].kind, kind) == 0 &&
		    strcmp(oa->scopes[i].api_version, api) == 0) {
			oa->scopes[i].namespaced = oa->scopes[i].namespaced || namespaced;
			free(api);
			return;
		}
	}
	oa->scopes = tend_xrealloc(oa->scopes, (oa->nscopes + 1) * sizeof(*oa->scopes));
	oa->scopes[oa->nscopes++] = (oa_scope){api, tend_xstrdup(kind), namespaced};
}

/* Parses the schema file's text: JSON when it starts with '{', else YAML. */
static kz_openapi *openapi_parse(const char *file, const char *text, size_t len)
{
	kz_openapi *oa = tend_xcalloc(1, sizeof(*oa));
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load(file, text, len, &docs)) {
		oa->invalid = tend_xstrdup(tend_err_msg());
		tend_err_clear();
	} else if (docs.len == 0 || !cJSON_IsObject(docs.items[0].root)) {
		oa->invalid = tend_xasprintf("%s: not an OpenAPI document (a mapping)", file);
	} else {
		oa->doc = docs.items[0].root;
		docs.items[0].root = NULL;
		const cJSON *defs = cJSON_GetObjectItemCaseSensitive(oa->doc, "definitions");
		if (defs && !cJSON_IsNull(defs) && !cJSON_IsObject(defs))
			oa->invalid = tend_xasprintf("%s: definitions: must be a mapping", file);
		oa->defs = cJSON_IsObject(defs) ? defs : NULL;
		for (const cJSON *d = oa->defs ? oa->defs->child : NULL; d && !oa->invalid;
		     d = d->next) {
			if (!cJSON_IsObject(d))
				oa->invalid = tend_xasprintf(
				    "%s: definitions.%s: must be a schema (a mapping)", file,
				    d->string);
			else
				index_kinds(oa, d);
		}
		const cJSON *paths = cJSON_GetObjectItemCaseSensitive(oa->doc, "paths");
		for (const cJSON *p = cJSON_IsObject(paths) ? paths->child : NULL; p; p = p->next)
			index_path(oa, p->string, p);
	}
	tend_docs_free(&docs);
	return oa;
}

/* Reads `openapi:` of one kustomization and sets the build's schema the
 * way kustomize's SetSchema does (top: the root kustomization). */
int kz_openapi_set(kz_build *b, const kz_kust *k, bool top)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(k->k, "openapi");
	if (!o || cJSON_IsNull(o))
		return 0;
	if (kz_string_map(k, o, "openapi"))
		return -1;
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(o, "version");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(o, "path");
	tend_buf raw = TEND_BUF_INIT;
	char *file = NULL;
	int rc = 0;
	if (path) {
		rc = kz_resolve_file(b, k, path, path->valuestring, &file);
		if (!rc && kz_cache_read(b, file, &raw))
			rc = kz_field_err(k, path, "openapi: \"%s\": %s", path->valuestring,
			                  tend_err_msg());
	}
	if (rc || (b->schema_set && !top))
		goto out;
	if (path && version) {
		rc = kz_field_err(k, version,
		                  "openapi: builtin version and custom schema provided, cannot "
		                  "use both");
	} else if (path) {
		kz_openapi_free(b->openapi);
		b->openapi = openapi_parse(file, raw.data ? raw.data : "", raw.len);
		b->openapi->with_builtin = b->schema_used;
		b->schema_set = true;
	} else if (version && version->valuestring[0]) {
		if (strcmp(version->valuestring, "v1.21.2") != 0)
			rc = kz_field_err(k, version,
			                  "openapi: the specified OpenAPI version is not built in");
		else
			b->schema_set = true;
	}
out:
	tend_buf_free(&raw);
	free(file);
	return rc;
}

int kz_openapi_use(kz_build *b)
{
	b->schema_used = true;
	if (b->openapi && b->openapi->invalid)
		return tend_err("invalid schema file: %s", b->openapi->invalid);
	return 0;
}

int kz_openapi_use_for(kz_build *b, const tend_resmap *m, size_t from)
{
	if (b->schema_used && !(b->openapi && b->openapi->invalid))
		return 0;
	for (size_t i = from; i < m->len; i++) {
		const cJSON *obj = m->items[i].obj;
		if (!kz_scope_precomputed(kz_str(obj, "apiVersion", NULL), kz_kind(obj)))
			return kz_openapi_use(b);
	}
	return 0;
}

void kz_scope_mark(const kz_build *b, tend_resmap *m)
{
	const kz_openapi *oa = b->openapi;
	if (!oa || oa->invalid)
		return;
	for (size_t i = 0; i < m->len; i++) {
		cJSON *obj = m->items[i].obj;
		const char *api = kz_str(obj, "apiVersion", NULL), *kind = kz_kind(obj);
		obj->type &= ~KZ_CLUSTER_BY_SCHEMA;
		if (kz_scope_precomputed(api, kind))
			continue;
		for (size_t j = 0; j < oa->nscopes; j++)
			if (strcmp(oa->scopes[j].kind, kind) == 0 &&
			    strcmp(oa->scopes[j].api_version, api) == 0 &&
			    !oa->scopes[j].namespaced)
				obj->type |= KZ_CLUSTER_BY_SCHEMA;
	}
}

bool kz_openapi_with_builtin(const kz_openapi *oa)
{
	return !oa || oa->with_builtin;
}

/* Follows `$ref` to `#/definitions/NAME`: NULL when it leads nowhere. */
static const cJSON *resolve(const kz_openapi *oa, const cJSON *s)
{
	for (int depth = 0; s && depth < 64; depth++) {
		const char *ref = ext_string(s, "$ref");
		if (!ref)
			return cJSON_IsObject(s) ? s : NULL;
		if (strncmp(ref, "#/definitions/", 14) != 0)
			return NULL;
		tend_buf name = TEND_BUF_INIT;
		for (const char *p = ref + 14; *p; p++) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
				tend_buf_putc(&name, p[1] == '0' ? '~' : '/');
				p++;
			} else if (*p == '/') {
				break; /* a pointer into a definition: not a schema kyaml resolves
				          here */
			} else {
				tend_buf_putc(&name, *p);
			}
		}
		tend_buf_putc(&name, '\0');
		s = cJSON_GetObjectItemCaseSensitive(oa->defs, name.data);
		tend_buf_free(&name);
	}
	return NULL;
}

const cJSON *kz_openapi_kind(const kz_openapi *oa, const char *api_version, const char *kind)
{
	for (size_t i = oa->nkinds; i-- > 0;)
		if (strcmp(oa->kinds[i].kind, kind) == 0 &&
		    strcmp(oa->kinds[i].api_version, api_version) == 0)
			return oa->kinds[i].schema;
	return NULL;
}

const cJSON *kz_openapi_field(const kz_openapi *oa, const cJSON *schema, const char *name)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	const cJSON *f =
	    cJSON_IsObject(props) ? cJSON_GetObjectItemCaseSensitive(props, name) : NULL;
	if (!f) {
		f = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
		if (!cJSON_IsObject(f))
			return NULL;
	}
	return resolve(oa, f);
}

const cJSON *kz_openapi_elements(const kz_openapi *oa, const cJSON *schema)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	if (cJSON_IsArray(type) && cJSON_GetArraySize(type) == 1)
		type = type->child;
	if (!cJSON_IsString(type) || strcmp(type->valuestring, "array") != 0)
		return NULL;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
	return cJSON_IsObject(items) ? resolve(oa, items) : NULL;
}

bool kz_openapi_merge_keys(const cJSON *schema, tend_strvec *keys)
{
	const char *strategy = ext_string(schema, "x-kubernetes-patch-strategy");
	if (!strategy)
		return false;
	bool merge = false;
	for (const char *p = strategy; !merge;) {
		size_t n = strcspn(p, ",");
		merge = n == 5 && strncmp(p, "merge", 5) == 0;
		if (!p[n])
			break;
		p += n + 1;
	}
	if (!merge)
		return false;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(schema, "x-kubernetes-list-map-keys");
	const char *key = ext_string(schema, "x-kubernetes-patch-merge-key");
	if (cJSON_IsArray(list)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, list)
		    tend_strvec_push(keys, cJSON_IsString(e) ? e->valuestring : "");
	} else if (key) {
		tend_strvec_push(keys, key);
	}
	return true;
}
