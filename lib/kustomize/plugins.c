/*
 * plugins.c — `generators:`, `transformers:` and `validators:`: kustomize's
 * built-in plugins (`apiVersion: builtin`) configured by hand.
 *
 * Each config is translated into the kustomization field the same built-in
 * serves (LabelTransformer → commonLabels, PatchTransformer → patches, …)
 * and run by that field's own code, with the config's field specs in place
 * of the defaults: a plugin uses exactly the field specs it is given (none
 * given, nothing done), except where kustomize's filter itself hard-codes a
 * field (metadata.namespace, role binding subjects, container images).
 * Generators run after the kustomization's own, transformers after its own
 * built-in transforms, validators last and must change nothing. Exec,
 * container and Go plugins, and the helm generator, are refused.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct plugin_ctx {
	kz_build *b;
	kz_kust pk;       /* the base kustomization's places, `k` the synthetic one */
	const cJSON *cfg; /* the folded config */
	const char *id;   /* "Kind/name" for errors */
} plugin_ctx;

typedef int (*plugin_fn)(plugin_ctx *c, kz_acc *acc);

static cJSON *dup_field(const cJSON *cfg, const char *field)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(cfg, field);
	return f && !cJSON_IsNull(f) ? cJSON_Duplicate(f, 1) : NULL;
}

/* The synthetic kustomization: one field holding `value` (consumed; NULL: none). */
static void set_field(plugin_ctx *c, const char *field, cJSON *value)
{
	cJSON_Delete(c->pk.k);
	c->pk.k = cJSON_CreateObject();
	if (value)
		cJSON_AddItemToObject(c->pk.k, field, value);
}

static cJSON *one_item_list(cJSON *item)
{
	cJSON *l = cJSON_CreateArray();
	if (item)
		cJSON_AddItemToArray(l, item);
	return l;
}

/* Runs fn with the config's fieldSpecs in the transformer config slot `slot`. */
static int with_specs(plugin_ctx *c, kz_acc *acc, kz_fslist *slot,
                      int (*fn)(const kz_kust *, kz_acc *))
{
	kz_fslist specs = {0};
	if (kz_fslist_load_raw(&specs, cJSON_GetObjectItemCaseSensitive(c->cfg, "fieldSpecs"),
	                   c->pk.file, "fieldSpecs")) {
		kz_fslist_free(&specs);
		return -1;
	}
	kz_fslist saved = *slot;
	*slot = specs;
	int rc = fn(&c->pk, acc);
	*slot = saved;
	kz_fslist_free(&specs);
	return rc;
}

/* A map[string]string of a config: sigs.k8s.io/yaml turns scalars into their text. */
static cJSON *string_map(const cJSON *cfg, const char *field)
{
	cJSON *m = dup_field(cfg, field);
	for (cJSON *v = cJSON_IsObject(m) ? m->child : NULL; v; v = v->next) {
		if (cJSON_IsString(v) || cJSON_IsObject(v) || cJSON_IsArray(v))
			continue;
		tend_buf text = TEND_BUF_INIT;
		if (!cJSON_IsNull(v))
			kz_scalar_text(v, &text);
		kz_set_string(v, text.data ? text.data : "");
		tend_buf_free(&text);
	}
	return m;
}

static int labels(plugin_ctx *c, kz_acc *acc)
{
	set_field(c, "commonLabels", string_map(c->cfg, "labels"));
	return with_specs(c, acc, &acc->tc.common_labels, kz_labels_transform);
}

static int annotations(plugin_ctx *c, kz_acc *acc)
{
	set_field(c, "commonAnnotations", string_map(c->cfg, "annotations"));
	return with_specs(c, acc, &acc->tc.common_annotations, kz_annotations_transform);
}

static int images(plugin_ctx *c, kz_acc *acc)
{
	cJSON *tag = dup_field(c->cfg, "imageTag");
	set_field(c, "images", one_item_list(tag ? tag : cJSON_CreateObject()));
	return with_specs(c, acc, &acc->tc.images, kz_images_transform);
}

static int replicas(plugin_ctx *c, kz_acc *acc)
{
	cJSON *r = dup_field(c->cfg, "replica");
	set_field(c, "replicas", one_item_list(r ? r : cJSON_CreateObject()));
	return with_specs(c, acc, &acc->tc.replicas, kz_replicas_transform);
}

static int affix(plugin_ctx *c, kz_acc *acc)
{
	const char *kind = kz_kind(c->cfg);
	const cJSON *specs_node = cJSON_GetObjectItemCaseSensitive(c->cfg, "fieldSpecs");
	bool ps = strcmp(kind, "PrefixSuffixTransformer") == 0;
	if (!ps && (!specs_node || cJSON_IsNull(specs_node)))
		return tend_err("%s: plugin %s: fieldSpecs is not expected to be nil", c->pk.file,
		                c->id);
	const char *prefix = "", *suffix = "";
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(c->cfg, "prefix");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(c->cfg, "suffix");
	if ((p && !cJSON_IsString(p) && !cJSON_IsNull(p)) ||
	    (s && !cJSON_IsString(s) && !cJSON_IsNull(s)))
		return kz_field_err(&c->pk, p ? p : s,
		                    "plugin %s: prefix and suffix must be strings", c->id);
	if (cJSON_IsString(p) && (ps || strcmp(kind, "PrefixTransformer") == 0))
		prefix = p->valuestring;
	if (cJSON_IsString(s) && (ps || strcmp(kind, "SuffixTransformer") == 0))
		suffix = s->valuestring;
	kz_fslist specs = {0};
	int rc = kz_fslist_load_raw(&specs, specs_node, c->pk.file, "fieldSpecs");
	if (!rc)
		rc = kz_affix_apply(&c->pk, c->cfg, acc, prefix, suffix, &specs);
	kz_fslist_free(&specs);
	return rc;
}

static int namespace(plugin_ctx *c, kz_acc *acc)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(c->cfg, "metadata");
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(meta, "namespace");
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(c->cfg, "setRoleBindingSubjects");
	const cJSON *unset = cJSON_GetObjectItemCaseSensitive(c->cfg, "unsetOnly");
	kz_ns_opts o = {cJSON_IsString(ns) ? ns->valuestring : "", NULL, cJSON_IsTrue(unset),
	                KZ_NS_SUBJECTS_DEFAULT};
	const char *m = cJSON_IsString(mode) ? mode->valuestring : "";
	if (strcmp(m, "allServiceAccounts") == 0)
		o.subjects = KZ_NS_SUBJECTS_ALL_SERVICE_ACCOUNTS;
	else if (strcmp(m, "none") == 0)
		o.subjects = KZ_NS_SUBJECTS_NONE;
	else if (*m && strcmp(m, "defaultOnly") != 0)
		return kz_field_err(
		    &c->pk, mode,
		    "plugin %s: invalid value \"%s\" for setRoleBindingSubjects: must "
		    "be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\"",
		    c->id, m);
	if (mode && !cJSON_IsString(mode) && !cJSON_IsNull(mode))
		return kz_field_err(&c->pk, mode,
		                    "plugin %s: setRoleBindingSubjects must be a string", c->id);
	if (!*o.ns)
		return 0;
	kz_fslist specs = {0};
	int rc = kz_fslist_load_raw(&specs, cJSON_GetObjectItemCaseSensitive(c->cfg, "fieldSpecs"),
	                        c->pk.file, "fieldSpecs");
	o.specs = &specs;
	if (!rc)
		rc = kz_namespace_apply(&c->pk, c->cfg, acc, &o);
	kz_fslist_free(&specs);
	return rc;
}

static int patch(plugin_ctx *c, kz_acc *acc)
{
	cJSON *e = cJSON_CreateObject();
	static const char *const fields[] = {"path", "patch", "target", "options"};
	for (int i = 0; i < 4; i++) {
		cJSON *v = dup_field(c->cfg, fields[i]);
		if (v)
			cJSON_AddItemToObject(e, fields[i], v);
	}
	set_field(c, "patches", one_item_list(e));
	return kz_patches_early_transform(c->b, &c->pk, acc);
}

static int patch_sm(plugin_ctx *c, kz_acc *acc)
{
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(c->cfg, "paths");
	const cJSON *inl = cJSON_GetObjectItemCaseSensitive(c->cfg, "patches");
	if (paths && !cJSON_IsArray(paths) && !cJSON_IsNull(paths))
		return kz_field_err(&c->pk, paths, "plugin %s: paths must be a list", c->id);
	if (inl && !cJSON_IsString(inl) && !cJSON_IsNull(inl))
		return kz_field_err(&c->pk, inl, "plugin %s: patches must be a string", c->id);
	cJSON *list = cJSON_IsArray(paths) ? cJSON_Duplicate(paths, 1) : cJSON_CreateArray();
	if (cJSON_IsString(inl) && *inl->valuestring)
		cJSON_AddItemToArray(list, cJSON_Duplicate(inl, 1));
	if (!list->child) {
		cJSON_Delete(list);
		return tend_err("%s: plugin %s: empty file path and empty patch content",
		                c->pk.file, c->id);
	}
	set_field(c, "patchesStrategicMerge", list);
	return kz_patches_early_transform(c->b, &c->pk, acc);
}

static int patch_json6902(plugin_ctx *c, kz_acc *acc)
{
	cJSON *e = cJSON_CreateObject();
	cJSON *v;
	if ((v = dup_field(c->cfg, "target")))
		cJSON_AddItemToObject(e, "target", v);
	if ((v = dup_field(c->cfg, "path")))
		cJSON_AddItemToObject(e, "path", v);
	if ((v = dup_field(c->cfg, "jsonOp")))
		cJSON_AddItemToObject(e, "patch", v);
	set_field(c, "patchesJson6902", one_item_list(e));
	return kz_patches_json6902_transform(c->b, &c->pk, acc);
}

static int replacement(plugin_ctx *c, kz_acc *acc)
{
	set_field(c, "replacements", dup_field(c->cfg, "replacements"));
	return kz_replacements_transform(c->b, &c->pk, acc);
}

static int hash(plugin_ctx *c, kz_acc *acc)
{
	(void)c;
	return kz_add_hash_suffixes(&acc->res);
}

/* ConfigMapGenerator and SecretGenerator: the generator arguments, named by
 * metadata when they name nothing themselves; generatorOptions do not apply. */
static int generator(plugin_ctx *c, kz_acc *acc)
{
	bool secret = strcmp(kz_kind(c->cfg), "SecretGenerator") == 0;
	cJSON *args = cJSON_Duplicate(c->cfg, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(args, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(args, "kind");
	cJSON_DeleteItemFromObjectCaseSensitive(args, "metadata");
	static const char *const ids[] = {"name", "namespace"};
	for (int i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, ids[i]);
		const char *meta = kz_str(c->cfg, "metadata", ids[i]);
		if ((!v || (cJSON_IsString(v) && !*v->valuestring) || cJSON_IsNull(v)) && *meta) {
			cJSON_DeleteItemFromObjectCaseSensitive(args, ids[i]);
			cJSON_AddStringToObject(args, ids[i], meta);
		}
	}
	set_field(c, secret ? "secretGenerator" : "configMapGenerator", one_item_list(args));
	return kz_run_generators(c->b, &c->pk, acc);
}

static const struct {
	const char *kind;
	bool generator;
	plugin_fn fn;
} PLUGINS[] = {
    {"AnnotationsTransformer", false, annotations},
    {"HashTransformer", false, hash},
    {"ImageTagTransformer", false, images},
    {"LabelTransformer", false, labels},
    {"NamespaceTransformer", false, namespace},
    {"PatchJson6902Transformer", false, patch_json6902},
    {"PatchStrategicMergeTransformer", false, patch_sm},
    {"PatchTransformer", false, patch},
    {"PrefixSuffixTransformer", false, affix},
    {"PrefixTransformer", false, affix},
    {"SuffixTransformer", false, affix},
    {"ReplacementTransformer", false, replacement},
    {"ReplicaCountTransformer", false, replicas},
    {"ConfigMapGenerator", true, generator},
    {"SecretGenerator", true, generator},
};

/* Built-ins kubectl knows that tend does not build (yet). */
static const char *const UNSUPPORTED[] = {"ValueAddTransformer", "IAMPolicyGenerator", NULL};

/* Runs one config as a generator (or transformer). */
enum role { GENERATOR, TRANSFORMER, VALIDATOR };

static int run_config(kz_build *b, const kz_kust *k, const tend_resource *r, enum role role,
                      kz_acc *acc)
{
	bool generator = role == GENERATOR;
	const char *api = kz_str(r->obj, "apiVersion", NULL);
	const char *kind = kz_kind(r->obj);
	char *id = tend_xasprintf("%s/%s", kind, kz_name(r->obj));
	const char *file = r->file ? r->file : k->file;
	int rc = 0;
	if (strcmp(api, "builtin") != 0) {
		rc =
		    tend_err("%s: plugin %s (apiVersion %s): external plugins (exec, container and "
		             "Go plugins, KRM functions) are not supported by tend; only built-in "
		             "plugins (apiVersion: builtin) run",
		             file, id, api);
	} else if (strcmp(kind, "HelmChartInflationGenerator") == 0) {
		rc =
		    tend_err("%s: plugin %s: tend does not run helm (no helm binary is shipped, as "
		             "with Flux); render the chart into the repository (helm template ... "
		             "> chart.yaml) and list that file under resources",
		             file, id);
	}
	size_t n = sizeof(PLUGINS) / sizeof(PLUGINS[0]), i = 0;
	while (!rc && i < n && strcmp(PLUGINS[i].kind, kind) != 0)
		i++;
	for (int u = 0; !rc && i == n && UNSUPPORTED[u]; u++)
		if (strcmp(UNSUPPORTED[u], kind) == 0)
			rc = tend_err(
			    "%s: plugin %s: the built-in %s is not supported by this version "
			    "of tend",
			    file, id, kind);
	if (!rc && i == n)
		rc = tend_err("%s: plugin %s: unable to load builtin %s (no such built-in plugin)",
		              file, id, kind);
	if (!rc && PLUGINS[i].generator != generator)
		rc = tend_err("%s: plugin %s is not a %s", file, id,
		              generator ? "generator" : "transformer");
	if (rc) {
		free(id);
		return rc;
	}
	cJSON *cfg = cJSON_Duplicate(r->obj, 1);
	kz_fold_plugin(cfg, kind);
	plugin_ctx c = {b, *k, cfg, id};
	c.pk.file = (char *)file;
	c.pk.k = NULL;
	c.pk.component = false;
	/* "path: X\n", set when the configs were loaded */
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(r->obj, "metadata"), "annotations");
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(ann, "config.kubernetes.io/origin");
	char *in = tend_xstrdup(cJSON_IsString(o) && strncmp(o->valuestring, "path: ", 6) == 0
	                            ? o->valuestring + 6
	                            : "");
	in[strcspn(in, "\n")] = '\0';
	c.pk.plugin_origin = in;
	c.pk.plugin_name = kz_name(r->obj);
	rc = PLUGINS[i].fn(&c, acc);
	if (!rc && role == TRANSFORMER)
		kz_transformer_annotation(b, &acc->res, in, kind, kz_name(r->obj), 1);
	free(in);
	cJSON_Delete(c.pk.k);
	cJSON_Delete(cfg);
	if (rc && !strstr(tend_err_msg(), id))
		tend_err_prefix("plugin %s: ", id);
	free(id);
	return rc;
}

static int run_all(kz_build *b, const kz_kust *k, const char *field, enum role role, kz_acc *acc)
{
	tend_resmap configs = TEND_RESMAP_INIT;
	int rc = kz_plugin_configs(b, k, field, &configs);
	for (size_t i = 0; i < configs.len && !rc; i++)
		rc = run_config(b, k, &configs.items[i], role, acc);
	tend_resmap_free(&configs);
	return rc;
}

int kz_plugins_generate(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	return run_all(b, k, "generators", GENERATOR, acc);
}

int kz_plugins_transform(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	return run_all(b, k, "transformers", TRANSFORMER, acc);
}

/* Removes the label kustomize lets a validator add before it compares. */
static void drop_validated_by(cJSON *obj)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	cJSON_DeleteItemFromObjectCaseSensitive(labels, "validated-by");
}

int kz_plugins_validate(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	tend_resmap configs = TEND_RESMAP_INIT;
	int rc = kz_plugin_configs(b, k, "validators", &configs);
	for (size_t i = 0; i < configs.len && !rc; i++) {
		size_t n = acc->res.len;
		cJSON **before = tend_xcalloc(n ? n : 1, sizeof(cJSON *));
		for (size_t j = 0; j < n; j++)
			before[j] = cJSON_Duplicate(acc->res.items[j].obj, 1);
		rc = run_config(b, k, &configs.items[i], VALIDATOR, acc);
		bool same = acc->res.len == n;
		for (size_t j = 0; !rc && same && j < n; j++) {
			cJSON *now = cJSON_Duplicate(acc->res.items[j].obj, 1);
			drop_validated_by(now);
			same = cJSON_Compare(before[j], now, true);
			cJSON_Delete(now);
		}
		if (!rc && !same)
			rc = tend_err(
			    "%s: validators: plugin %s/%s: validator shouldn't modify the "
			    "resource map",
			    k->file, kz_kind(configs.items[i].obj), kz_name(configs.items[i].obj));
		for (size_t j = 0; j < n; j++)
			cJSON_Delete(before[j]);
		free(before);
	}
	tend_resmap_free(&configs);
	return rc;
}
