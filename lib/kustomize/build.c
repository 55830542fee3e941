/*
 * build.c — kustomize's accumulateTarget and makeCustomizedResMap: the
 * order in which one kustomization's parts are applied.
 *
 * Per kustomization: resources (files, then nested kustomizations built
 * as independent sub-builds), its configurations, generators, components
 * (applied to this same accumulator), then the builtin transformers in
 * kustomize's fixed order, then vars. Only at the root: hash suffixes for
 * generated objects, name-reference fix-up, vars, dropping local-config
 * objects, and sorting.
 *
 * Invariants: files are read only in or below the kustomization's own
 * directory unless the load restrictor is lifted (kustomize's RootOnly);
 * directories may be anywhere, but one equal to or above a directory
 * already on the loading chain is a cycle; every error names the
 * kustomization file, line and field.
 */
#include "kustomize_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int accumulate(kz_build *b, const kz_kust *k, kz_acc *acc);

static void acc_init(kz_build *b, kz_acc *acc)
{
	memset(acc, 0, sizeof(*acc));
	kz_tconfig_borrow(&acc->tc, kz_cache_defaults(b->cache));
	acc->vars = cJSON_CreateArray();
}

static void acc_free(kz_acc *acc)
{
	tend_resmap_free(&acc->res);
	kz_tconfig_free(&acc->tc);
	cJSON_Delete(acc->vars);
}

/* kustomize's ResAccumulator.MergeConfig: the accumulator's configuration
 * (nothing before the first merge) merged with x, a kustomization's own
 * (custom: more than the defaults) or a base's. Until something custom
 * comes, the accumulator keeps borrowing the defaults. */
static int acc_merge_config(kz_acc *acc, const kz_tconfig *x, bool custom)
{
	int rc = 0;
	if (!custom) {
		if (acc->tc_custom)
			rc = kz_tconfig_merge(&acc->tc, x);
		acc->tc_merged = true;
		return rc;
	}
	if (!acc->tc_merged) {
		kz_tconfig fresh;
		memset(&fresh, 0, sizeof(fresh));
		rc = kz_tconfig_merge(&fresh, x);
		kz_tconfig_free(&acc->tc);
		acc->tc = fresh;
	} else {
		rc = kz_tconfig_merge(&acc->tc, x);
	}
	acc->tc_merged = acc->tc_custom = true;
	return rc;
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
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	if (cJSON_IsNull(ann) || (cJSON_IsObject(ann) && !ann->child))
		cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)meta, "annotations");
	kz_resmap_push(out, obj, file, line);
	return 0;
}

/*
 * Adds the documents of one file, a queue (taken), the way kustomize's
 * inlineAnyEmbeddedLists walks it: null and empty documents are dropped,
 * and the items of a `kind: *List` join the end of the queue, after the
 * documents that follow the list (nested lists likewise). Objects are
 * placed at `line`, or at their own line when it is 0.
 */
static int add_documents(const char *path, int line, cJSON *queue, tend_resmap *out)
{
	cJSON *doc;
	int rc = 0;
	while (!rc && (doc = cJSON_DetachItemFromArray(queue, 0))) {
		if (cJSON_IsNull(doc) || (cJSON_IsObject(doc) && !doc->child)) {
			cJSON_Delete(doc);
			continue;
		}
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
		cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
		size_t klen = cJSON_IsString(kind) ? strlen(kind->valuestring) : 0;
		bool list = klen >= 4 && strcmp(kind->valuestring + klen - 4, "List") == 0;
		if (list && (cJSON_IsArray(items) || (!items && klen == 4))) {
			cJSON *it;
			while (items && (it = cJSON_DetachItemFromArray(items, 0)))
				cJSON_AddItemToArray(queue, it);
			cJSON_Delete(doc);
			continue;
		}
		if (add_object(path, line ? line : tend_doc_line(doc), doc, out)) {
			cJSON_Delete(doc);
			rc = -1;
		}
	}
	cJSON_Delete(queue);
	return rc;
}

/* add_documents for a single document. */
static int add_document(const char *path, int line, cJSON *root, tend_resmap *out)
{
	cJSON *queue = cJSON_CreateArray();
	cJSON_AddItemToArray(queue, root);
	return add_documents(path, line, queue, out);
}

/* Loads the objects of one resource file. */
static int load_resource_file(kz_build *b, const char *path, tend_resmap *out, tend_strset *ids)
{
	tend_docs docs = TEND_DOCS_INIT;
	if (kz_cache_load(b, path, &docs))
		return -1;
	tend_resmap got = TEND_RESMAP_INIT;
	cJSON *queue = cJSON_CreateArray();
	for (size_t i = 0; i < docs.len; i++) {
		cJSON_AddItemToArray(queue, docs.items[i].root);
		docs.items[i].root = NULL;
	}
	tend_docs_free(&docs);
	int rc = add_documents(path, 0, queue, &got);
	if (!rc)
		rc = kz_resmap_append(out, &got, ids);
	tend_resmap_free(&got);
	return rc;
}

/* A URL or a Git target: refused before the disk is asked. */
static bool looks_remote(const char *entry)
{
	return strstr(entry, "://") || strncmp(entry, "github.com/", 11) == 0 ||
	       strncmp(entry, "git@", 4) == 0 || strncmp(entry, "git::", 5) == 0 ||
	       strncmp(entry, "gitlab.com/", 11) == 0 || strncmp(entry, "bitbucket.org/", 14) == 0;
}

/* What kustomize would read as a Git target once no local file has the
 * name: scp-style `host.tld:org/repo`, a `.git` or `_git` path part, a
 * `//` subdirectory marker or a `?ref=`-style query. */
static bool may_be_remote(const char *entry)
{
	const char *colon = strchr(entry, ':'), *slash = strchr(entry, '/');
	if (colon && (!slash || colon < slash) && memchr(entry, '.', (size_t)(colon - entry)))
		return true;
	static const char *const MARKS[] = {
	    ".git/", "_git/", "//", "?ref=", "?version=", "?submodules=", "?timeout=", NULL};
	for (int i = 0; MARKS[i]; i++)
		if (strstr(entry, MARKS[i]))
			return true;
	size_t n = strlen(entry);
	return n > 4 && strcmp(entry + n - 4, ".git") == 0;
}

static int refuse_remote(const kz_build *b, const kz_kust *k, const cJSON *entry, const char *what)
{
	if (!b->opts->enable_remote)
		return kz_field_err(k, entry,
		                    "\"%s\": remote resources are not enabled (they are refused by "
		                    "default; a build reads only local files)",
		                    what);
	return kz_field_err(
	    k, entry, "\"%s\": remote resources are not supported by this version of tend", what);
}

/*
 * For a path that does not exist: "; did you mean \"gpu-t4\"?" when its
 * parent directory holds a near name (a typo in the last segment), else "".
 */
static char *did_you_mean(const kz_build *b, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || !slash[1])
		return tend_xstrdup("");
	char *dir = tend_xstrndup(path, (size_t)(slash - path));
	tend_strvec names = TEND_STRVEC_INIT;
	char *out = NULL;
	if (tend_fs_list(b->fs, *dir ? dir : "/", &names) == 0 && names.len) {
		const char **cands = tend_xcalloc(names.len + 1, sizeof(*cands));
		for (size_t i = 0; i < names.len; i++)
			cands[i] = names.items[i];
		const char *near = tend_suggest(slash + 1, cands);
		if (near)
			out = tend_xasprintf("; did you mean \"%s\"?", near);
		free(cands);
	}
	tend_strvec_free(&names);
	free(dir);
	return out ? out : tend_xstrdup("");
}

int kz_resolve_file(const kz_build *b, const kz_kust *k, const cJSON *entry, const char *rel,
                    char **path_out)
{
	if (strstr(rel, "://"))
		return refuse_remote(b, k, entry, rel);
	char *path = kz_join(k->dir, rel);
	char *real = NULL;
	int code = tend_fs_canonical(b->fs, path, &real);
	int rc = 0;
	if (code) {
		char *hint = did_you_mean(b, path);
		rc = kz_field_err(k, entry, "\"%s\": %s%s", rel, tend_fs_strerror(code), hint);
		free(hint);
	} else if (!b->opts->load_restrictor_none && !kz_path_within(real, k->real))
		rc = kz_field_err(k, entry, "\"%s\": security; file '%s' is not in or below '%s'",
		                  rel, real, k->real);
	free(real);
	if (rc)
		free(path);
	else
		*path_out = path;
	return rc;
}

static int check_cycle(kz_build *b, const char *real)
{
	for (size_t i = 0; i < b->chain.len; i++)
		if (kz_path_within(b->chain.items[i], real))
			return tend_err("cycle detected: candidate root '%s' contains visited root "
			                "'%s'",
			                real, b->chain.items[i]);
	return 0;
}

/* Vars are global to a build: two bases declaring one name collide. */
static int check_var_unique(const kz_acc *acc, const cJSON *v)
{
	const char *name = kz_str(v, "name", NULL);
	const cJSON *seen;
	cJSON_ArrayForEach(seen, acc->vars)
	{
		if (strcmp(kz_str(seen, "name", NULL), name) == 0)
			return tend_err("var '%s' already encountered", name);
	}
	return 0;
}

/* Builds a nested kustomization (or applies a component) reached from k. */
static int accumulate_dir(kz_build *b, const kz_kust *k, const cJSON *entry, const char *path,
                          bool component, kz_acc *acc)
{
	char *real = NULL;
	int code = tend_fs_canonical(b->fs, path, &real);
	if (code)
		return kz_field_err(k, entry, "\"%s\": %s", entry->valuestring,
		                    tend_fs_strerror(code));
	if (check_cycle(b, real)) {
		free(real);
		return tend_err_prefix("%s:%d:%d: \"%s\": ", k->file, tend_doc_line(entry),
		                       tend_doc_col(entry), entry->valuestring);
	}
	kz_kust sub;
	int rc = kz_kust_load(b, path, &sub);
	if (!rc)
		sub.origin = kz_origin_join(k->origin, entry->valuestring);
	if (!rc && component && !sub.component)
		rc = tend_err("expected kind 'Component' for path '%s' but got 'Kustomization'",
		              path);
	if (!rc && !component && sub.component)
		rc = tend_err("expected kind != 'Component' for path '%s'", path);
	if (!rc) {
		tend_strvec_push(&b->chain, real);
		if (component) {
			rc = accumulate(b, &sub, acc);
		} else {
			kz_acc subacc;
			acc_init(b, &subacc);
			rc = accumulate(b, &sub, &subacc);
			if (!rc)
				rc = kz_resmap_append(&acc->res, &subacc.res, acc->ids);
			if (!rc)
				rc = acc_merge_config(acc, &subacc.tc, subacc.tc_custom);
			cJSON *v;
			while (!rc && (v = cJSON_DetachItemFromArray(subacc.vars, 0))) {
				rc = check_var_unique(acc, v);
				cJSON_AddItemToArray(acc->vars, v);
			}
			acc_free(&subacc);
		}
		free(b->chain.items[--b->chain.len]);
	}
	kz_kust_free(&sub);
	free(real);
	if (rc)
		tend_err_prefix("%s:%d:%d: %s \"%s\": ", k->file, tend_doc_line(entry),
		                tend_doc_col(entry), component ? "component" : "resource",
		                entry->valuestring);
	return rc;
}

static int add_resource(kz_build *b, const kz_kust *k, const cJSON *entry, kz_acc *acc)
{
	if (!cJSON_IsString(entry))
		return kz_field_err(k, entry, "resources: entries must be strings");
	const char *rel = entry->valuestring;
	if (looks_remote(rel))
		return refuse_remote(b, k, entry, rel);
	char *path = kz_join(k->dir, rel);
	tend_fs_kind kind;
	int rc, code = tend_fs_stat(b->fs, path, &kind);
	if (code && may_be_remote(rel)) {
		rc = refuse_remote(b, k, entry, rel);
	} else if (code) {
		char *hint = did_you_mean(b, path);
		rc = kz_field_err(k, entry, "resource \"%s\": %s%s", rel, tend_fs_strerror(code),
		                  hint);
		free(hint);
	} else if (kind == TEND_FS_DIR) {
		rc = accumulate_dir(b, k, entry, path, false, acc);
	} else {
		char *file = NULL;
		size_t before = acc->res.len;
		rc = kz_resolve_file(b, k, entry, rel, &file);
		if (!rc)
			rc = load_resource_file(b, file, &acc->res, acc->ids);
		if (!rc)
			rc = kz_openapi_use_for(b, &acc->res, before);
		if (!rc && b->origin_annotations) {
			char *origin = kz_origin_join(k->origin, rel);
			for (size_t i = before; i < acc->res.len; i++)
				kz_origin_resource(b, acc->res.items[i].obj, origin);
			free(origin);
		}
		free(file);
	}
	free(path);
	return rc;
}

/* An inline plugin config: a string that parses as resources. */
static bool inline_configs(const kz_kust *k, const cJSON *entry, tend_resmap *out)
{
	tend_docs docs = TEND_DOCS_INIT;
	const char *text = entry->valuestring;
	if (tend_doc_load(k->file, text, strlen(text), &docs)) {
		tend_err_clear();
		return false;
	}
	int rc = 0;
	for (size_t i = 0; i < docs.len && !rc; i++) {
		cJSON *root = docs.items[i].root;
		docs.items[i].root = NULL;
		rc = add_document(k->file, tend_doc_line(entry), root, out);
	}
	tend_docs_free(&docs);
	if (rc) {
		tend_err_clear();
		tend_resmap_free(out);
		*out = (tend_resmap)TEND_RESMAP_INIT;
	}
	return rc == 0;
}

int kz_plugin_configs(kz_build *b, const kz_kust *k, const char *field, tend_resmap *out)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(k->k, field);
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return kz_field_err(k, list, "%s: must be a list", field);
	kz_acc acc;
	acc_init(b, &acc);
	tend_strset ids = TEND_STRSET_INIT;
	acc.ids = &ids;
	int rc = 0;
	const cJSON *e;
	/* every config records where it is configured, for the annotations that name it */
	bool origins = b->origin_annotations;
	b->origin_annotations = true;
	const char *base = strrchr(k->file, '/');
	char *here = kz_origin_join(k->origin, base ? base + 1 : k->file);
	cJSON_ArrayForEach(e, list)
	{
		if (!cJSON_IsString(e)) {
			rc = kz_field_err(k, e, "%s: entries must be strings", field);
			break;
		}
		tend_resmap got = TEND_RESMAP_INIT;
		bool is_inline = inline_configs(k, e, &got);
		for (size_t i = 0; is_inline && i < got.len; i++)
			kz_origin_resource(b, got.items[i].obj, here);
		if (is_inline)
			rc = kz_resmap_append(&acc.res, &got, acc.ids);
		tend_resmap_free(&got);
		if (rc)
			break;
	}
	for (e = list->child; e && !rc; e = e->next) {
		tend_resmap got = TEND_RESMAP_INIT;
		bool is_inline = inline_configs(k, e, &got);
		tend_resmap_free(&got);
		if (!is_inline)
			rc = add_resource(b, k, e, &acc);
	}
	acc.ids = NULL;
	tend_strset_free(&ids);
	b->origin_annotations = origins;
	free(here);
	if (!rc) {
		*out = acc.res;
		acc.res = (tend_resmap)TEND_RESMAP_INIT;
	} else {
		tend_err_prefix("%s: ", field);
	}
	acc_free(&acc);
	return rc ? -1 : 0;
}

static int add_component(kz_build *b, const kz_kust *k, const cJSON *entry, kz_acc *acc)
{
	if (!cJSON_IsString(entry))
		return kz_field_err(k, entry, "components: entries must be strings");
	const char *rel = entry->valuestring;
	if (looks_remote(rel))
		return refuse_remote(b, k, entry, rel);
	char *path = kz_join(k->dir, rel);
	tend_fs_kind kind;
	int rc, code = tend_fs_stat(b->fs, path, &kind);
	if (code && may_be_remote(rel))
		rc = refuse_remote(b, k, entry, rel);
	else if (code) {
		char *hint = did_you_mean(b, path);
		rc = kz_field_err(k, entry, "component \"%s\": %s%s", rel, tend_fs_strerror(code),
		                  hint);
		free(hint);
	} else if (kind != TEND_FS_DIR)
		rc = kz_field_err(k, entry, "component \"%s\": must be a directory", rel);
	else
		rc = accumulate_dir(b, k, entry, path, true, acc);
	free(path);
	return rc;
}

int kz_each_entry(kz_build *b, const kz_kust *k, const char *field, kz_entry_fn fn, kz_acc *acc)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(k->k, field);
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return kz_field_err(k, list, "%s: must be a list", field);
	const cJSON *entry;
	cJSON_ArrayForEach(entry, list)
	{
		if (fn(b, k, entry, acc))
			return -1;
	}
	return 0;
}

/* One kustomization's `configurations:` (kustomize's MakeTransformerConfig:
 * each file sorted and merged in turn, then merged into the defaults) and
 * `crds:`, each merged into the accumulator. */
static int load_configurations(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	static const char *const fields[] = {"configurations", "crds"};
	const kz_tconfig *defaults = kz_cache_defaults(b->cache);
	for (int f = 0; f < 2; f++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(k->k, fields[f]);
		if (!list || cJSON_IsNull(list) || (cJSON_IsArray(list) && !list->child)) {
			if (f == 0 && acc_merge_config(acc, defaults, false))
				return -1;
			continue;
		}
		if (!cJSON_IsArray(list))
			return kz_field_err(k, list, "%s: must be a list", fields[f]);
		kz_tconfig own, file;
		memset(&own, 0, sizeof(own));
		int rc = 0;
		const cJSON *entry;
		cJSON_ArrayForEach(entry, list)
		{
			if (!cJSON_IsString(entry)) {
				rc = kz_field_err(k, entry, "%s: entries must be strings",
				                  fields[f]);
				break;
			}
			char *path = NULL;
			if ((rc = kz_resolve_file(b, k, entry, entry->valuestring, &path)))
				break;
			tend_docs docs = TEND_DOCS_INIT;
			rc = kz_cache_load(b, path, &docs);
			memset(&file, 0, sizeof(file));
			for (size_t i = 0; !rc && i < docs.len; i++)
				rc = f == 0 ? kz_tconfig_load(&file, docs.items[i].root, path)
				            : kz_tconfig_load_crds(&file, docs.items[i].root, path);
			kz_tconfig_sort(&file);
			if (!rc && kz_tconfig_merge(&own, &file))
				rc = tend_err_prefix("%s: ", path);
			kz_tconfig_free(&file);
			tend_docs_free(&docs);
			free(path);
			if (rc)
				break;
		}
		if (!rc && f == 0) { /* the defaults first, the files' specs after them */
			kz_tconfig_borrow(&file, defaults);
			if (kz_tconfig_merge(&file, &own))
				rc = kz_field_err(k, list, "configurations: %s", tend_err_msg());
			kz_tconfig_free(&own);
			own = file;
		}
		if (!rc && acc_merge_config(acc, &own, true))
			rc = kz_field_err(k, list, "%s: %s", fields[f], tend_err_msg());
		kz_tconfig_free(&own);
		if (rc)
			return -1;
	}
	return 0;
}

/* resources and bases only append to acc: their ids are tracked as they come */
static int add_resources(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	tend_strset ids = TEND_STRSET_INIT;
	for (size_t i = 0; i < acc->res.len; i++) {
		char *id = kz_id_key(acc->res.items[i].obj);
		tend_strset_add(&ids, id);
		free(id);
	}
	acc->ids = &ids;
	int rc = kz_each_entry(b, k, "resources", add_resource, acc) ||
	         kz_each_entry(b, k, "bases", add_resource, acc);
	acc->ids = NULL;
	tend_strset_free(&ids);
	return rc ? -1 : 0;
}

/* kustomize's built-in transformers of one kustomization, in its order, each
 * step noted for transformerAnnotations after it runs. */
static int builtin_transforms(kz_build *b, const kz_kust *k, kz_acc *acc)
{
#define STEP(call, step)                                                                           \
	do {                                                                                       \
		if (call)                                                                          \
			return -1;                                                                 \
		kz_scope_mark(b, &acc->res);                                                       \
		kz_builtin_transformer_annotations(b, k, &acc->res, step);                         \
	} while (0)
	kz_scope_mark(b, &acc->res);
	STEP(kz_patches_early_transform(b, k, acc), KZ_STEP_PATCHES);
	STEP(kz_namespace_transform(k, acc), KZ_STEP_NAMESPACE);
	STEP(kz_prefix_suffix_transform(k, acc), KZ_STEP_AFFIXES);
	STEP(kz_labels_transform(k, acc), KZ_STEP_LABELS);
	STEP(kz_annotations_transform(k, acc), KZ_STEP_ANNOTATIONS);
	STEP(kz_patches_json6902_transform(b, k, acc), KZ_STEP_JSON6902);
	STEP(kz_replicas_transform(k, acc), KZ_STEP_REPLICAS);
	STEP(kz_images_transform(k, acc), KZ_STEP_IMAGES);
	STEP(kz_replacements_transform(b, k, acc), KZ_STEP_REPLACEMENTS);
#undef STEP
	return 0;
}

static int accumulate(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	if (kz_openapi_set(b, k, b->chain.len == 1) || add_resources(b, k, acc))
		return -1;
	kz_scope_mark(b, &acc->res); /* a base may have set the schema */
	if (load_configurations(b, k, acc) || kz_run_generators(b, k, acc) ||
	    kz_plugins_generate(b, k, acc) ||
	    kz_each_entry(b, k, "components", add_component, acc) ||
	    builtin_transforms(b, k, acc) || kz_plugins_transform(b, k, acc))
		return -1;
	kz_scope_mark(b, &acc->res); /* a plugin may have changed a kind */
	if (kz_plugins_validate(b, k, acc) || kz_vars_collect(k, acc))
		return -1;
	return 0;
}

/*
 * kustomize's name-reference pass reads the namespaces of every
 * RoleBinding's ServiceAccount subjects and refuses one that is present
 * but not a string (`namespace:` left blank is null). It does so for each
 * RoleBinding, whether or not anything is renamed.
 */
static int check_role_binding_subjects(const tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		const tend_resource *r = &m->items[i];
		const char *kind = kz_kind(r->obj);
		if (!kind || strcmp(kind, "RoleBinding") != 0)
			continue;
		const cJSON *subjects = cJSON_GetObjectItemCaseSensitive(r->obj, "subjects");
		const cJSON *s;
		int n = 0;
		if (!cJSON_IsArray(subjects))
			continue;
		cJSON_ArrayForEach(s, subjects)
		{
			const cJSON *ns = cJSON_GetObjectItemCaseSensitive(s, "namespace");
			const cJSON *sk = cJSON_GetObjectItemCaseSensitive(s, "kind");
			if (ns && cJSON_IsString(sk) &&
			    strcmp(sk->valuestring, "ServiceAccount") == 0 && !cJSON_IsString(ns))
				return tend_err(
				    "%s:%d: RoleBinding \"%s\": subjects[%d].namespace is "
				    "blank; a ServiceAccount subject needs a namespace",
				    r->file ? r->file : "?", r->line, kz_name(r->obj), n);
			n++;
		}
	}
	return 0;
}

/* kustomize rebuilds the final resource map from its objects (IgnoreLocal),
 * which fails (kubectl panics) when patches gave two objects one id. */
static int check_unique_ids(const tend_resmap *m)
{
	tend_strset ids = TEND_STRSET_INIT;
	int rc = 0;
	for (size_t i = 0; i < m->len && !rc; i++) {
		char *id = kz_id_key(m->items[i].obj);
		if (!tend_strset_add(&ids, id)) {
			char *s = kz_id_string(m->items[i].obj);
			rc = tend_err("%s:%d: may not add resource with an already registered id: "
			              "%s (two objects have this id after the build's transformations)",
			              m->items[i].file ? m->items[i].file : "?", m->items[i].line, s);
			free(s);
		}
		free(id);
	}
	tend_strset_free(&ids);
	return rc;
}

static void drop_local_config(tend_resmap *m)
{
	size_t w = 0;
	for (size_t i = 0; i < m->len; i++) {
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(m->items[i].obj, "metadata");
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		const cJSON *lc =
		    cJSON_GetObjectItemCaseSensitive(ann, "config.kubernetes.io/local-config");
		if (lc && !(cJSON_IsString(lc) && strcmp(lc->valuestring, "false") == 0)) {
			cJSON_Delete(m->items[i].obj);
			free(m->items[i].file);
			kz_meta_free(m->items[i].meta);
			continue;
		}
		m->items[w++] = m->items[i];
	}
	m->len = w;
}

/* sortOptions: honoured only in the top-level kustomization. */
static int sort_output(const kz_kust *k, tend_resmap *m)
{
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(k->k, "sortOptions");
	if (!so || cJSON_IsNull(so)) {
		tend_resmap_sort_legacy(m);
		return 0;
	}
	if (!cJSON_IsObject(so))
		return kz_field_err(k, so, "sortOptions: must be a mapping");
	for (const cJSON *f = so->child; f; f = f->next)
		if (strcmp(f->string, "order") != 0 && strcmp(f->string, "legacySortOptions") != 0)
			return kz_field_err(k, f, "sortOptions: unknown field \"%s\"", f->string);
	const cJSON *order = cJSON_GetObjectItemCaseSensitive(so, "order");
	const cJSON *lso = cJSON_GetObjectItemCaseSensitive(so, "legacySortOptions");
	const char *o = cJSON_IsString(order) ? order->valuestring : "";
	if (order && !cJSON_IsString(order) && !cJSON_IsNull(order))
		return kz_field_err(k, order, "sortOptions.order: must be a string");
	if (strcmp(o, "fifo") == 0) {
		if (lso && !cJSON_IsNull(lso))
			return kz_field_err(
			    k, lso,
			    "the field 'sortOptions.legacySortOptions' is set but the "
			    "selected sort order is 'fifo', not 'legacy'");
		return 0;
	}
	if (strcmp(o, "legacy") != 0)
		return kz_field_err(k, order ? order : so,
		                    "the field 'sortOptions.order' must be one of [fifo, legacy]");
	if (!lso || cJSON_IsNull(lso)) {
		tend_resmap_sort_legacy(m);
		return 0;
	}
	if (!cJSON_IsObject(lso))
		return kz_field_err(k, lso, "sortOptions.legacySortOptions: must be a mapping");
	const char **lists[2] = {NULL, NULL};
	static const char *const names[2] = {"orderFirst", "orderLast"};
	int rc = 0;
	for (const cJSON *f = lso->child; f && !rc; f = f->next)
		if (strcmp(f->string, names[0]) != 0 && strcmp(f->string, names[1]) != 0)
			rc = kz_field_err(k, f, "legacySortOptions: unknown field \"%s\"",
			                  f->string);
	for (int i = 0; i < 2 && !rc; i++) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(lso, names[i]);
		size_t n = cJSON_IsArray(l) ? (size_t)cJSON_GetArraySize(l) : 0;
		if (l && !cJSON_IsArray(l) && !cJSON_IsNull(l)) {
			rc = kz_field_err(k, l, "legacySortOptions.%s: must be a list", names[i]);
			break;
		}
		lists[i] = tend_xcalloc(n + 1, sizeof(char *));
		size_t j = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, l)
		{
			if (!cJSON_IsString(e)) {
				rc = kz_field_err(k, e,
				                  "legacySortOptions.%s: entries must be strings",
				                  names[i]);
				break;
			}
			lists[i][j++] = e->valuestring;
		}
	}
	if (!rc)
		tend_resmap_sort_legacy_custom(m, (const char *const *)lists[0],
		                               (const char *const *)lists[1]);
	free(lists[0]);
	free(lists[1]);
	return rc;
}

int tend_kustomize_build(const char *dir, const tend_kustomize_opts *opts, tend_resmap *out)
{
	static const tend_kustomize_opts defaults = {0};
	kz_build b = {.opts = opts ? opts : &defaults};
	b.cache = b.opts->cache ? b.opts->cache : tend_kustomize_cache_new();
	tend_fs *own_fs = b.opts->fs || tend_fs_mounted(dir) ? NULL : tend_fs_disk_new();
	b.fs = b.opts->fs ? b.opts->fs : own_fs ? own_fs : tend_fs_mounted(dir);
	kz_kust k;
	kz_acc acc;
	acc_init(&b, &acc);
	int rc = kz_kust_load(&b, dir, &k);
	if (!rc && b.opts->kustomization) {
		cJSON_Delete(k.k);
		k.k = cJSON_Duplicate(b.opts->kustomization, 1);
	}
	if (!rc) {
		k.origin = tend_xstrdup("");
		rc = kz_build_metadata_read(&b, &k);
	}
	if (!rc) {
		tend_strvec_push(&b.chain, k.real);
		rc = accumulate(&b, &k, &acc);
	}
	if (!rc)
		rc = kz_add_hash_suffixes(&acc.res);
	if (!rc)
		rc = check_role_binding_subjects(&acc.res);
	if (!rc)
		rc = kz_fix_name_references(&acc.res, &acc.tc);
	if (!rc)
		rc = kz_vars_resolve(&acc);
	if (!rc) {
		drop_local_config(&acc.res);
		rc = check_unique_ids(&acc.res);
	}
	/* the output's round trip: after the hashes, which kustomize takes of
	 * generated values as they were made, and after every transformation */
	if (!rc)
		rc = kz_reread_strings(&acc.res);
	if (!rc) {
		kz_stringify_annotations(&acc.res);
		kz_managed_by_label(&b, &acc.res);
		rc = kz_reread_check_annotations(&acc.res);
	}
	if (!rc) {
		rc = sort_output(&k, &acc.res);
	}
	if (!rc) {
		*out = acc.res;
		acc.res = (tend_resmap)TEND_RESMAP_INIT;
	}
	kz_kust_free(&k);
	acc_free(&acc);
	tend_strvec_free(&b.chain);
	kz_openapi_free(b.openapi);
	if (!b.opts->cache)
		tend_kustomize_cache_free(b.cache);
	tend_fs_free(own_fs);
	return rc ? -1 : 0;
}
