/*
 * build.c — loading a kustomization directory and accumulating its
 * resources, the first step of kustomize's accumulateTarget.
 *
 * Invariants: files are read only in or below the kustomization's own
 * directory unless the load restrictor is lifted (kustomize's RootOnly);
 * a directory equal to or above one already on the loading chain is a
 * cycle; every error names the kustomization file, line and field.
 */
#include "kustomize_internal.h"

#include "../doc/doc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Fields this version of tend builds; the rest are refused by name. */
static const char *const SUPPORTED_FIELDS[] = {"apiVersion", "kind", "metadata", "resources",
						NULL};

typedef struct kbuild {
	const tend_kustomize_opts *opts;
	tend_strvec chain; /* real paths of the kustomization roots being loaded */
} kbuild;

static int build_dir(kbuild *b, const char *dir, tend_resmap *out);

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static char *join(const char *dir, const char *rel)
{
	if (rel[0] == '/')
		return tend_xstrdup(rel);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return tend_xasprintf("%.*s/%s", (int)n, dir, rel);
}

static bool path_within(const char *child, const char *root)
{
	size_t n = strlen(root);
	if (strcmp(root, "/") == 0)
		return true;
	return strncmp(child, root, n) == 0 && (child[n] == '/' || child[n] == '\0');
}

static int find_kustomization(const char *dir, char **path_out)
{
	char *found = NULL;
	for (int i = 0; KUSTOMIZATION_FILES[i]; i++) {
		char *p = join(dir, KUSTOMIZATION_FILES[i]);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			if (found) {
				free(p);
				int rc = tend_err("%s: found multiple kustomization files", dir);
				free(found);
				return rc;
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

static int field_error(const char *file, const cJSON *node, const char *fmt, const char *field)
{
	return tend_err("%s:%d:%d: %s %s", file, tend_doc_line(node), tend_doc_col(node), fmt, field);
}

static int check_fields(const char *file, const cJSON *k)
{
	for (const cJSON *f = k->child; f; f = f->next) {
		if (!in_list(f->string, KNOWN_FIELDS)) {
			char q[300];
			snprintf(q, sizeof(q), "\"%.250s\"", f->string);
			return field_error(file, f, "unknown field", q);
		}
		if (!in_list(f->string, SUPPORTED_FIELDS)) {
			char q[300];
			snprintf(q, sizeof(q), "\"%.250s\" is not supported by this version of tend",
				 f->string);
			return field_error(file, f, "field", q);
		}
	}
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(k, "kind");
	if (kind && (!cJSON_IsString(kind) || strcmp(kind->valuestring, "Kustomization") != 0))
		return field_error(file, kind, "kind must be", "Kustomization");
	const cJSON *api = cJSON_GetObjectItemCaseSensitive(k, "apiVersion");
	if (api && (!cJSON_IsString(api) ||
		    strcmp(api->valuestring, "kustomize.config.k8s.io/v1beta1") != 0))
		return field_error(file, api, "apiVersion must be", "kustomize.config.k8s.io/v1beta1");
	return 0;
}

static void drop_empty_annotations(cJSON *obj)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	if (cJSON_IsObject(ann) && !ann->child)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "annotations");
}

static int add_object(const char *file, int line, cJSON *obj, tend_resmap *out)
{
	if (!cJSON_IsObject(obj))
		return tend_err("%s:%d: a resource must be a mapping", file, line);
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	if (!cJSON_IsString(kind) || !kind->valuestring[0])
		return tend_err("%s:%d: missing kind in object", file, line);
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "name");
	if (!cJSON_IsString(name) || !name->valuestring[0])
		return tend_err("%s:%d: missing metadata.name in object", file, line);
	drop_empty_annotations(obj);
	kz_resmap_push(out, obj, file, line);
	return 0;
}

/* Loads the objects of one resource file; `kind: List` is flattened. */
static int load_resource_file(const char *path, tend_resmap *out)
{
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load_file(path, &docs))
		return -1;
	tend_resmap got = TEND_RESMAP_INIT;
	int rc = 0;
	for (size_t i = 0; i < docs.len && !rc; i++) {
		cJSON *root = docs.items[i].root;
		docs.items[i].root = NULL;
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
		cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
		if (cJSON_IsString(kind) && strcmp(kind->valuestring, "List") == 0 &&
		    (cJSON_IsArray(items) || !items)) {
			cJSON *it;
			while (!rc && items && (it = cJSON_DetachItemFromArray(items, 0)))
				rc = add_object(path, tend_doc_line(it), it, &got) ? (cJSON_Delete(it), -1) : 0;
			cJSON_Delete(root);
			continue;
		}
		if (add_object(path, docs.items[i].line, root, &got)) {
			cJSON_Delete(root);
			rc = -1;
		}
	}
	tend_docs_free(&docs);
	if (!rc)
		rc = kz_resmap_append(out, &got);
	tend_resmap_free(&got);
	return rc;
}

static bool looks_remote(const char *entry)
{
	return strstr(entry, "://") || strncmp(entry, "github.com/", 11) == 0 ||
	       strncmp(entry, "git@", 4) == 0 || strncmp(entry, "gitlab.com/", 11) == 0;
}

static int add_resource(kbuild *b, const char *kfile, const char *dir, const char *root_real,
			const cJSON *entry, tend_resmap *out)
{
	if (!cJSON_IsString(entry))
		return field_error(kfile, entry, "resources:", "entries must be strings");
	const char *rel = entry->valuestring;
	if (looks_remote(rel))
		return tend_err("%s:%d:%d: resource \"%s\": remote resources are not enabled", kfile,
				tend_doc_line(entry), tend_doc_col(entry), rel);
	char *path = join(dir, rel);
	struct stat st;
	int rc;
	if (stat(path, &st) != 0) {
		rc = tend_err("%s:%d:%d: resource \"%s\": %s", kfile, tend_doc_line(entry),
			      tend_doc_col(entry), rel, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		tend_resmap sub = TEND_RESMAP_INIT;
		rc = build_dir(b, path, &sub);
		if (rc)
			tend_err_prefix("%s:%d:%d: resource \"%s\": ", kfile, tend_doc_line(entry),
					tend_doc_col(entry), rel);
		else
			rc = kz_resmap_append(out, &sub);
		tend_resmap_free(&sub);
	} else {
		char real[PATH_MAX];
		if (!b->opts->load_restrictor_none &&
		    (!realpath(path, real) || !path_within(real, root_real)))
			rc = tend_err("%s:%d:%d: resource \"%s\": security; file '%s' is not in or "
				      "below '%s'",
				      kfile, tend_doc_line(entry), tend_doc_col(entry), rel, path,
				      root_real);
		else
			rc = load_resource_file(path, out);
	}
	free(path);
	return rc;
}

static int check_cycle(kbuild *b, const char *real)
{
	for (size_t i = 0; i < b->chain.len; i++)
		if (path_within(b->chain.items[i], real))
			return tend_err("cycle detected: candidate root '%s' contains visited root "
					"'%s'",
					real, b->chain.items[i]);
	return 0;
}

static int build_dir(kbuild *b, const char *dir, tend_resmap *out)
{
	char real[PATH_MAX];
	if (!realpath(dir, real))
		return tend_err("%s: %s", dir, strerror(errno));
	if (check_cycle(b, real))
		return -1;
	char *kfile = NULL;
	if (find_kustomization(dir, &kfile))
		return -1;
	tend_docs docs = TEND_DOCS_INIT;
	int rc = tend_doc_load_file(kfile, &docs);
	cJSON *k = NULL;
	if (!rc && docs.len > 1)
		rc = tend_err("%s: a kustomization must be a single YAML document", kfile);
	if (!rc && docs.len == 1) {
		k = docs.items[0].root;
		if (!cJSON_IsObject(k))
			rc = tend_err("%s:%d: a kustomization must be a mapping", kfile,
				      docs.items[0].line);
	}
	if (!rc && k)
		rc = check_fields(kfile, k);
	tend_strvec_push(&b->chain, real);
	const cJSON *res = k ? cJSON_GetObjectItemCaseSensitive(k, "resources") : NULL;
	if (!rc && res && !cJSON_IsArray(res) && !cJSON_IsNull(res))
		rc = field_error(kfile, res, "resources:", "must be a list");
	const cJSON *entry;
	if (!rc && cJSON_IsArray(res)) {
		cJSON_ArrayForEach(entry, res)
		{
			if ((rc = add_resource(b, kfile, dir, real, entry, out)))
				break;
		}
	}
	free(b->chain.items[--b->chain.len]);
	tend_docs_free(&docs);
	free(kfile);
	return rc;
}

int tend_kustomize_build(const char *dir, const tend_kustomize_opts *opts, tend_resmap *out)
{
	static const tend_kustomize_opts defaults = {0};
	kbuild b = {.opts = opts ? opts : &defaults};
	tend_resmap got = TEND_RESMAP_INIT;
	int rc = build_dir(&b, dir, &got);
	tend_strvec_free(&b.chain);
	if (rc) {
		tend_resmap_free(&got);
		return -1;
	}
	tend_resmap_sort_legacy(&got);
	*out = got;
	return 0;
}
