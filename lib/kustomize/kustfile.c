/*
 * kustfile.c — finding, parsing and checking one kustomization file.
 *
 * Decoding is as strict as kustomize's: an unknown top-level field is an
 * error, `kind` must be Kustomization or Component with the matching
 * apiVersion, a file without any field but those two is "empty". Fields
 * kustomize deprecates produce its warning text; fields this version of
 * tend does not build are refused by name, never silently ignored.
 */
#include "kustomize_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KUSTOMIZATION_FILES[] = {"kustomization.yaml", "kustomization.yml",
						   "Kustomization", NULL};

/* Every top-level field kustomize v5.5 accepts. */
static const char *const KNOWN_FIELDS[] = {
	"apiVersion", "kind", "metadata", "resources", "bases", "components", "namespace",
	"namePrefix", "nameSuffix", "labels", "commonLabels", "commonAnnotations", "patches",
	"patchesStrategicMerge", "patchesJson6902", "configMapGenerator", "secretGenerator",
	"generatorOptions", "images", "imageTags", "replicas", "replacements", "vars", "crds",
	"configurations", "openapi", "helmCharts", "helmGlobals", "helmChartInflationGenerator",
	"generators", "transformers", "validators", "sortOptions", "buildMetadata", "inventory",
	NULL};

/* Fields tend does not build; refused with this note. */
static const char *const UNSUPPORTED_FIELDS[] = {"inventory", NULL};

/* Fields that need the helm binary, which tend never runs. */
static const char *const HELM_FIELDS[] = {"helmCharts", "helmGlobals",
					  "helmChartInflationGenerator", NULL};

static const struct {
	const char *field, *use, *extra;
} DEPRECATED[] = {
	{"bases", "resources", ""},
	{"commonLabels", "labels", ""},
	{"imageTags", "images", ""},
	{"patchesJson6902", "patches", ""},
	{"patchesStrategicMerge", "patches", ""},
	{"vars", "replacements", " [EXPERIMENTAL]"},
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

char *kz_join(const char *dir, const char *rel)
{
	if (rel[0] == '/')
		return tend_xstrdup(rel);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return tend_xasprintf("%.*s/%s", (int)n, dir, rel);
}

bool kz_path_within(const char *child, const char *root)
{
	size_t n = strlen(root);
	if (strcmp(root, "/") == 0)
		return true;
	return strncmp(child, root, n) == 0 && (child[n] == '/' || child[n] == '\0');
}

int kz_field_err(const kz_kust *k, const cJSON *node, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int line = node ? tend_doc_line(node) : 0;
	int col = line ? tend_doc_col(node) : 0; /* numbers keep no column */
	if (col)
		return tend_err("%s:%d:%d: %s", k->file, line, col, msg);
	if (line)
		return tend_err("%s:%d: %s", k->file, line, msg);
	return tend_err("%s: %s", k->file, msg);
}

static int find_kustomization(tend_fs *fs, const char *dir, char **path_out)
{
	char *found = NULL;
	for (int i = 0; KUSTOMIZATION_FILES[i]; i++) {
		char *p = kz_join(dir, KUSTOMIZATION_FILES[i]);
		if (tend_fs_kind_of(fs, p) == TEND_FS_FILE) {
			if (found) {
				free(p);
				free(found);
				return tend_err("%s: found multiple kustomization files", dir);
			}
			found = p;
		} else {
			free(p);
		}
	}
	if (!found)
		return tend_err("%s: unable to find one of 'kustomization.yaml', "
				"'kustomization.yml' or 'Kustomization' in directory",
				dir);
	*path_out = found;
	return 0;
}

static int check_fields(kz_kust *k)
{
	bool any = false;
	for (const cJSON *f = k->k->child; f; f = f->next) {
		if (!in_list(f->string, KNOWN_FIELDS)) {
			const char *near = tend_suggest(f->string, KNOWN_FIELDS);
			return near ? kz_field_err(k, f, "unknown field \"%s\" (did you mean \"%s\"?)",
						   f->string, near)
				    : kz_field_err(k, f, "unknown field \"%s\"", f->string);
		}
		if (in_list(f->string, HELM_FIELDS) && !cJSON_IsNull(f))
			return kz_field_err(k, f,
					    "field \"%s\" is not supported: tend does not run helm "
					    "(no helm binary is shipped, as with Flux); render the chart "
					    "into the repository (helm template ... > chart.yaml) and "
					    "list that file under resources",
					    f->string);
		if (in_list(f->string, UNSUPPORTED_FIELDS) && !cJSON_IsNull(f))
			return kz_field_err(k, f,
					    "field \"%s\" is not supported yet by this version of "
					    "tend",
					    f->string);
		/* kustomize's CheckEmpty compares the decoded struct with an empty
		 * one: a null or "" is Go's zero value, and `bases: []` is appended
		 * to (nil) resources and dropped */
		bool zero = cJSON_IsNull(f) || (cJSON_IsString(f) && !f->valuestring[0]) ||
			    (strcmp(f->string, "bases") == 0 && cJSON_IsArray(f) && !f->child);
		if (strcmp(f->string, "kind") != 0 && strcmp(f->string, "apiVersion") != 0 && !zero)
			any = true;
	}
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(k->k, "kind");
	const cJSON *api = cJSON_GetObjectItemCaseSensitive(k->k, "apiVersion");
	if (kind && !cJSON_IsString(kind))
		return kz_field_err(k, kind, "kind must be a string");
	if (api && !cJSON_IsString(api))
		return kz_field_err(k, api, "apiVersion must be a string");
	const char *kv = kind ? kind->valuestring : "";
	if (*kv && strcmp(kv, "Kustomization") != 0 && strcmp(kv, "Component") != 0)
		return kz_field_err(k, kind, "kind should be Kustomization or Component");
	k->component = strcmp(kv, "Component") == 0;
	const char *want = k->component ? "kustomize.config.k8s.io/v1alpha1"
					: "kustomize.config.k8s.io/v1beta1";
	if (api && *api->valuestring && strcmp(api->valuestring, want) != 0)
		return kz_field_err(k, api, "apiVersion for %s should be %s",
				    k->component ? "Component" : "Kustomization", want);
	if (!any)
		return tend_err("%s: kustomization.yaml is empty", k->file);
	return 0;
}

static void warn_deprecated(kz_build *b, const kz_kust *k)
{
	if (!b->opts->warnings)
		return;
	for (size_t i = 0; i < sizeof(DEPRECATED) / sizeof(DEPRECATED[0]); i++) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(k->k, DEPRECATED[i].field);
		if (!f || cJSON_IsNull(f))
			continue;
		char *msg = tend_xasprintf(
			"# Warning: '%s' is deprecated. Please use '%s' instead.%s Run 'kustomize "
			"edit fix' to update your Kustomization automatically.",
			DEPRECATED[i].field, DEPRECATED[i].use, DEPRECATED[i].extra);
		tend_strvec_push(b->opts->warnings, msg);
		free(msg);
	}
}

void kz_kust_free(kz_kust *k)
{
	free(k->file);
	free(k->dir);
	free(k->real);
	free(k->origin);
	cJSON_Delete(k->k);
	memset(k, 0, sizeof(*k));
}

int kz_kust_load(kz_build *b, const char *dir, kz_kust *out)
{
	memset(out, 0, sizeof(*out));
	char *real = NULL;
	int code = tend_fs_canonical(b->fs, dir, &real);
	if (code)
		return tend_err("%s: %s", dir, tend_fs_strerror(code));
	out->dir = tend_xstrdup(dir);
	out->real = real;
	if (find_kustomization(b->fs, dir, &out->file))
		return -1;
	tend_docs docs = TEND_DOCS_INIT;
	/* kubectl reads a kustomization with go-yaml v2 (y/n/on/off are booleans,
	 * and fail as keys) and accepts a key given twice: the later wins */
	int rc = kz_cache_load_flags(b, out->file,
	                             TEND_DOC_LAST_KEY_WINS | TEND_DOC_V2_BOOLS |
	                                 TEND_DOC_NO_BOOL_KEYS | TEND_DOC_NO_REWRITE,
	                             &docs);
	if (!rc && docs.len > 1)
		rc = tend_err("%s: a kustomization must be a single YAML document", out->file);
	if (!rc && docs.len == 0)
		rc = tend_err("%s: kustomization.yaml is empty", out->file);
	if (!rc) {
		out->k = docs.items[0].root;
		docs.items[0].root = NULL;
		if (!cJSON_IsObject(out->k))
			rc = tend_err("%s:%d: a kustomization must be a mapping", out->file,
				      docs.items[0].line);
	}
	tend_docs_free(&docs);
	if (!rc)
		kz_fold_kustomization(out->k);
	if (!rc)
		rc = check_fields(out);
	if (!rc)
		warn_deprecated(b, out);
	return rc;
}
