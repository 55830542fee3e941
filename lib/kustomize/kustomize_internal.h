/*
 * kustomize_internal.h — what the files of lib/kustomize share: the
 * per-object bookkeeping kustomize keeps in build annotations, field specs
 * and the transformer configuration, the accumulator, and one entry point
 * per transformer. Nothing here is part of the public API.
 */
#ifndef TEND_KUSTOMIZE_INTERNAL_H
#define TEND_KUSTOMIZE_INTERNAL_H

#include "kustomize.h"

#include "../doc/doc.h"
#include "../fs/fs.h"

enum kz_behavior { KZ_BEHAVIOR_UNSPECIFIED, KZ_BEHAVIOR_CREATE, KZ_BEHAVIOR_MERGE, KZ_BEHAVIOR_REPLACE };

/*
 * What kustomize records in its internal build annotations: every earlier
 * (namespace, name, kind) of the object, oldest first (its "previous ids",
 * whose group and version are the current ones); the name prefixes and
 * suffixes applied, innermost first; and the generator flags.
 */
struct kz_meta {
	tend_strvec prev_names;
	tend_strvec prev_ns;    /* effective namespaces, parallel to prev_names */
	tend_strvec prev_kinds; /* kinds, parallel to prev_names */
	tend_strvec prefixes;
	tend_strvec suffixes;
	tend_strvec refvars; /* names of the vars whose objref selected this object */
	int next_shared; /* the last shared value group given out in this object */
	bool needs_hash;
	enum kz_behavior behavior;
};

struct kz_meta *kz_meta_of(tend_resource *r);
void kz_meta_free(struct kz_meta *m);
struct kz_meta *kz_meta_dup(const struct kz_meta *m);
/* Records the object's current (namespace, name, kind) as a previous id. */
void kz_store_previous_id(tend_resource *r);
/* Records (namespace, name, kind) as a previous id of r. */
void kz_push_previous_id(tend_resource *r, const char *ns, const char *name, const char *kind);

/* ---- object accessors ---- */
const char *kz_str(const cJSON *obj, const char *a, const char *b); /* "" when absent */
const char *kz_kind(const cJSON *obj);
const char *kz_name(const cJSON *obj);
const char *kz_namespace(const cJSON *obj);
/* Splits apiVersion into group ("" for core) and version, into caller buffers. */
void kz_api_split(const char *api, char *group, size_t gsz, char *version, size_t vsz);
/* Replaces a node's value with a string in place, whatever its type was. */
void kz_set_string(cJSON *node, const char *s);
/* Sets metadata.name / metadata.namespace (creating metadata if needed). */
void kz_set_meta_string(cJSON *obj, const char *field, const char *value);
/* Replaces a node's value (and children) with `with`'s, which is consumed;
 * the node keeps its key and its place in its parent. */
void kz_set_value(cJSON *node, cJSON *with);
/* A scalar's text as kustomize's YAML node holds it ("" for collections). */
void kz_scalar_text(const cJSON *node, tend_buf *out);

/* ---- Go regular expressions (regex.c) ---- */
typedef struct kz_regex kz_regex;
/* Compiles a Go (RE2) pattern; NULL with the last error set when invalid. */
kz_regex *kz_regex_new(const char *pattern);
/* Unanchored search, as Go's MatchString. */
bool kz_regex_match(kz_regex *re, const char *subject);
void kz_regex_free(kz_regex *re);

/* ---- scope (scope.c) ---- */
/* kustomize's built-in table: true for a known cluster-scoped apiVersion+kind. */
bool kz_is_cluster_scoped(const char *api_version, const char *kind);
/* Whether kustomize knows the kind's scope without loading its schema. */
bool kz_scope_precomputed(const char *api_version, const char *kind);
bool kz_obj_cluster_scoped(const cJSON *obj);
/* kustomize's EffectiveNamespace: "~X" for cluster-scoped, "default" for "". */
const char *kz_effective_ns(const cJSON *obj);

/* ---- the resource map (resmap.c) ---- */
void kz_resmap_push(tend_resmap *m, cJSON *obj, const char *file, int line);
/*
 * Moves every object of `from` to the end of `to`, refusing id collisions.
 * `ids`, when given, holds the id keys (kz_id_key) of `to` and is kept in
 * step, so that many appends in a row cost what they add, not what `to`
 * holds.
 */
int kz_resmap_append(tend_resmap *to, tend_resmap *from, tend_strset *ids);
/* Index of the object with this gvk+effective namespace+name, or -1. */
long kz_resmap_find_current(const tend_resmap *m, const cJSON *like);
/* "Kind.version.group/name.namespace" as kustomize prints ids in errors. */
char *kz_id_string(const cJSON *obj);
/* Key for id equality: gvk|effective namespace|name. */
char *kz_id_key(const cJSON *obj);

/* ---- field specs (fieldspec.c) ---- */
typedef struct kz_fs {
	char *group, *version, *kind; /* NULL = any */
	char *path;                   /* as written, e.g. "spec/volumeClaimTemplates[]/metadata" */
	char **seg;                   /* unescaped segments */
	bool *seq;                    /* segment carried a "[]" hint */
	size_t nseg;
	bool create;
	bool borrowed; /* strings belong to the cache's default configuration */
} kz_fs;

typedef struct kz_fslist {
	kz_fs *items;
	size_t len, cap;
} kz_fslist;

typedef struct kz_nameref {
	char *group, *version, *kind; /* the referral target */
	kz_fslist referrers;
	bool borrowed; /* group, version, kind belong to the default configuration */
} kz_nameref;

typedef struct kz_tconfig {
	kz_fslist prefix, suffix, common_labels, template_labels, common_annotations, namespace,
		var_reference, images, replicas;
	kz_nameref *nameref;
	size_t nnameref, capnameref;
} kz_tconfig;

void kz_fs_free(kz_fs *fs);
void kz_fslist_free(kz_fslist *l);
/* Adds one spec unless one with its path and a gvk it selects is there ("create"
 * may not differ: error). */
int kz_fslist_add(kz_fslist *l, const char *group, const char *version, const char *kind,
		  const char *path, bool create);
int kz_fslist_merge(kz_fslist *to, const kz_fslist *from);
/* Sorts by gvk as kustomize's sortFields does (kind rank, then
 * "kind.version.group"), keeping the order of equal gvks. */
void kz_fslist_sort(kz_fslist *l);
/* kyaml's Gvk.IsLessThan as a comparison: kind rank, then "kind.version.group"
 * (NULL parts are empty). */
int kz_gvk_cmp(const char *ga, const char *va, const char *ka, const char *gb, const char *vb,
               const char *kb);
/* Reads a YAML list of field specs ({group, version, kind, path, create}); `field` names
 * it in errors. */
int kz_fslist_load(kz_fslist *l, const cJSON *list, const char *file, const char *field);
/* A plugin config's fieldSpecs, kept as given: kustomize neither merges nor
 * checks them, so a spec listed twice applies twice. */
int kz_fslist_load_raw(kz_fslist *l, const cJSON *list, const char *file, const char *field);
/* Appends a spec without kz_fslist_add's merging. */
void kz_fslist_push(kz_fslist *l, const char *group, const char *version, const char *kind,
		    const char *path, bool create);
/* Does the spec's gvk select this group/version/kind (empty parts are wildcards)? */
bool kz_fs_selects(const char *sg, const char *sv, const char *sk, const char *group,
		   const char *version, const char *kind);
bool kz_fs_selects_obj(const kz_fs *fs, const cJSON *obj);

/*
 * Walks `fs` in `obj` the way kyaml's fieldspec filter does: sequences are
 * entered element by element, missing maps are created when fs->create
 * and create_type != 0 (the last field gets create_type), and `fn` is
 * called on every node the path reaches. A scalar in the middle of the
 * path is an error.
 */
typedef int (*kz_fs_fn)(cJSON *node, void *ctx);
int kz_fs_apply(cJSON *obj, const kz_fs *fs, int create_type, kz_fs_fn fn, void *ctx);
/* kz_fs_apply for every spec of the list that selects obj. */
int kz_fslist_apply(cJSON *obj, const kz_fslist *l, int create_type, kz_fs_fn fn, void *ctx);

void kz_tconfig_init_default(kz_tconfig *tc);
/*
 * Makes `to` a configuration equal to `defaults` whose field specs borrow
 * their strings from it: a copy costs one array per list, not thousands of
 * allocations, which mattered (kustomize issue 5082 is the same cost).
 * `defaults` must outlive `to`.
 */
void kz_tconfig_borrow(kz_tconfig *to, const kz_tconfig *defaults);
void kz_tconfig_free(kz_tconfig *tc);
/* kustomize's TransformerConfig.Merge: from's specs merged into to's, whose
 * field spec lists are then sorted. */
int kz_tconfig_merge(kz_tconfig *to, const kz_tconfig *from);
void kz_tconfig_sort(kz_tconfig *tc);
/* Reads a `configurations:` file (a transformer config) into tc. */
int kz_tconfig_load(kz_tconfig *tc, const cJSON *doc, const char *file);
/* Adds the name references a CRD file's x-kubernetes-object-ref-* declare (legacy `crds:`). */
int kz_tconfig_load_crds(kz_tconfig *tc, const cJSON *doc, const char *file);

/* ---- parse cache (cache.c) ---- */
/*
 * Reads and parses `path` (YAML stream) once per cache; returns a private
 * deep copy of every document in `out`. `label` names the file in errors.
 */
struct kz_build;
int kz_cache_load(const struct kz_build *b, const char *path, tend_docs *out);
/* kz_cache_load with tend_doc_load_flags' flags (a file parsed with other
 * flags is parsed again). */
int kz_cache_load_flags(const struct kz_build *b, const char *path, unsigned flags,
			tend_docs *out);
/* Raw bytes of a file (generator sources), read through the build's fs. */
int kz_cache_read(const struct kz_build *b, const char *path, tend_buf *out);
/* kustomize's default transformer configuration, built once per cache. */
const kz_tconfig *kz_cache_defaults(tend_kustomize_cache *c);

/* ---- the build (build.c) ---- */
typedef struct kz_acc {
	tend_resmap res;
	tend_strset *ids; /* ids of res while only appends happen (resources, bases) */
	kz_tconfig tc;
	bool tc_merged; /* a configuration was merged into tc (before: empty) */
	bool tc_custom; /* tc is more than the borrowed defaults */
	cJSON *vars;    /* array of accepted `vars:` entries */
} kz_acc;

typedef struct kz_kust {
	char *file; /* path of the kustomization file */
	char *dir;  /* the directory as reached */
	char *real; /* its real path */
	cJSON *k;   /* the parsed kustomization (owned) */
	char *origin; /* its directory as reached from the root ("" at the root) */
	bool component;
	/* set on the stand-in kustomization of a plugin config: the config's
	 * origin path and name, for origin and transformer annotations */
	const char *plugin_origin, *plugin_name;
} kz_kust;

typedef struct kz_openapi kz_openapi; /* a custom OpenAPI schema (openapi.c) */

typedef struct kz_build {
	const tend_kustomize_opts *opts;
	tend_kustomize_cache *cache;
	tend_fs *fs; /* where files are read: opts->fs, or the disk for this build */
	tend_strvec chain; /* real paths of the kustomization roots being loaded */
	bool origin_annotations; /* the root's buildMetadata, which applies everywhere */
	bool managed_by_label;
	bool transformer_annotations;
	bool schema_set;     /* an `openapi:` version or path was taken (kyaml's SetSchema) */
	bool schema_used;    /* kustomize has loaded its schema (a strategic merge, a scope) */
	kz_openapi *openapi; /* the custom schema, or NULL for the built-in one */
} kz_build;

/* Calls fn on every entry of the list field `field` of k (absent or null: none). */
typedef int (*kz_entry_fn)(kz_build *b, const kz_kust *k, const cJSON *entry, kz_acc *acc);
int kz_each_entry(kz_build *b, const kz_kust *k, const char *field, kz_entry_fn fn, kz_acc *acc);
/* Field access with positions for errors. */
int kz_field_err(const kz_kust *k, const cJSON *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Resolves a file a kustomization names, enforcing the load restrictor. */
int kz_resolve_file(const kz_build *b, const kz_kust *k, const cJSON *entry, const char *rel,
		    char **path_out);

/*
 * The plugin configs a `generators:`, `transformers:` or `validators:` list
 * names, as kustomize reads them: entries that parse as resources are
 * inline configs (all of them first), the others are loaded as `resources:`
 * entries (files, or directories built as kustomizations).
 */
int kz_plugin_configs(kz_build *b, const kz_kust *k, const char *field, tend_resmap *out);
/* plugins.c: the built-in plugins those configs name, after the kustomization's own. */
int kz_plugins_generate(kz_build *b, const kz_kust *k, kz_acc *acc);
int kz_plugins_transform(kz_build *b, const kz_kust *k, kz_acc *acc);
int kz_plugins_validate(kz_build *b, const kz_kust *k, kz_acc *acc);
/* Renames a plugin config's fields as its Go struct decodes them, dropping unknown ones. */
void kz_fold_plugin(cJSON *cfg, const char *kind);

/* kustfile.c */
int kz_kust_load(kz_build *b, const char *dir, kz_kust *out);
/* Renames the fields of a kustomization (a replacement) to their canonical
 * spelling as Go's encoding/json finds them: exact, else case-insensitive;
 * of two keys naming one field the later stays (fieldnames.c). */
void kz_fold_kustomization(cJSON *k);
void kz_fold_replacement(cJSON *r);
void kz_kust_free(kz_kust *k);
char *kz_join(const char *dir, const char *rel);
bool kz_path_within(const char *child, const char *root);

/* generators.c: configMapGenerator then secretGenerator into acc. */
int kz_run_generators(kz_build *b, const kz_kust *k, kz_acc *acc);
/* hash.c */
void kz_base64_wrapped(const unsigned char *data, size_t len, tend_buf *out);

/* ---- strategic merge (smp.c, schema table in merge_keys.c) ---- */
/* One property of a schema type: its value (or list element) type, an index
 * into kz_schema_types or -1, and for lists the merge strategy and keys. */
typedef struct kz_schema_field {
	const char *name; /* "*" for a map's values (additionalProperties) */
	int type;
	bool list;
	bool merge;      /* x-kubernetes-patch-strategy contains "merge" */
	const char *key; /* merge key(s), comma-separated; NULL for scalar lists */
} kz_schema_field;
typedef const kz_schema_field *kz_schema_type; /* NULL-name terminated */
typedef struct kz_schema_kind {
	const char *group, *version, *kind;
	int type;
} kz_schema_kind;
extern const kz_schema_type kz_schema_types[];
extern const kz_schema_kind kz_schema_kinds[]; /* NULL-group terminated */

/*
 * Merges the strategic-merge patch `patch` (consumed) into *obj as
 * kustomize's kyaml merge2 does; *obj becomes NULL when the patch deletes
 * the object. Kind and name are restored unless allowed to change, the
 * namespace always. `label` names the patch in errors. `oa` is the
 * custom OpenAPI schema in effect, or NULL for the built-in one.
 */
int kz_smp_apply(cJSON **obj, cJSON *patch, bool allow_name, bool allow_kind, const char *label,
                 const kz_openapi *oa);

/* ---- JSON 6902 (json6902.c) ---- */
/* Checks an operation list (a cJSON array) before it is applied. */
int kz_json6902_check(const cJSON *ops, const char *label);
/* Applies ops to obj; numbers come out as Go's float64 JSON round trip prints them. */
int kz_json6902_apply(cJSON *obj, const cJSON *ops, const char *label);

/* ---- target selection (selector.c) ---- */
typedef struct kz_selector kz_selector;
/* Reads a `target:` mapping; the error names k's file, line and field. */
int kz_selector_parse(const kz_kust *k, const cJSON *node, kz_selector **out);
void kz_selector_free(kz_selector *s);
/* kustomize's Select: regexes on the original or current name and namespace,
 * on group, version and kind; label and annotation selectors. */
bool kz_selector_matches(const kz_selector *s, tend_resource *r);

/* transformers, in kustomize's order */
int kz_namespace_transform(const kz_kust *k, kz_acc *acc);
/* The namespace transformer with explicit options (NamespaceTransformer plugin configs):
 * metadata.namespace of namespaced objects always, role binding subjects by `subjects`,
 * the other field specs of `specs`; with unset_only only empty fields are set. */
enum kz_ns_subjects {
	KZ_NS_SUBJECTS_DEFAULT,
	KZ_NS_SUBJECTS_ALL_SERVICE_ACCOUNTS,
	KZ_NS_SUBJECTS_NONE
};
typedef struct kz_ns_opts {
	const char *ns;
	const kz_fslist *specs;
	bool unset_only;
	enum kz_ns_subjects subjects;
} kz_ns_opts;
int kz_namespace_apply(const kz_kust *k, const cJSON *where, kz_acc *acc, const kz_ns_opts *o);
int kz_prefix_suffix_transform(const kz_kust *k, kz_acc *acc);
/* Adds prefix and suffix (either may be "") at every field of specs, as one transformer. */
int kz_affix_apply(const kz_kust *k, const cJSON *where, kz_acc *acc, const char *prefix,
		   const char *suffix, const kz_fslist *specs);
int kz_labels_transform(const kz_kust *k, kz_acc *acc);
int kz_annotations_transform(const kz_kust *k, kz_acc *acc);
int kz_replicas_transform(const kz_kust *k, kz_acc *acc);
int kz_images_transform(const kz_kust *k, kz_acc *acc);
/* patches.c: patchesStrategicMerge and patches (before namespace), patchesJson6902 (after
 * annotations) */
int kz_patches_early_transform(kz_build *b, const kz_kust *k, kz_acc *acc);
int kz_patches_json6902_transform(kz_build *b, const kz_kust *k, kz_acc *acc);
int kz_replacements_transform(kz_build *b, const kz_kust *k, kz_acc *acc);
/*
 * Shared values. kustomize's label and annotation transformers make one value
 * node per key and object and put that very node into every field they
 * create, so the object's metadata labels, selector and template labels can
 * hold one node. A later transformer or strategic-merge patch that sets an
 * existing field copies the new value into its node, so every field holding
 * that node changes with it. tend marks each such value with a group (the
 * KZ_SHARED type bit, the group in valueint, which is otherwise a source
 * line) and, after a set, gives the group's other fields the new value.
 */
#define KZ_SHARED (1 << 24)
/* An object's root carries this type bit when the build's custom schema
 * makes its kind cluster-scoped (kz_scope_mark): kind and scope travel
 * together through copies, so id and namespace functions need no context. */
#define KZ_CLUSTER_BY_SCHEMA (1 << 25)
/* A string kustomize set as an untagged scalar node: read back from YAML,
 * it resolves as plain text does ("0777" becomes 511). kz_reread_strings
 * resolves it at the end of the build. */
#define KZ_PLAIN_SCALAR (1 << 26)
typedef struct kz_shared_set {
	int *groups;
	cJSON **values; /* owned copies */
	size_t len, cap;
} kz_shared_set;
/* Records that group's fields now hold value (copied). */
void kz_shared_note(kz_shared_set *s, int group, const cJSON *value);
/* Gives every field of obj in a noted group its value; empties s. */
void kz_shared_apply(cJSON *obj, kz_shared_set *s);
/* Ends all sharing in obj (kustomize's JSON round trip of a JSON patch). */
void kz_shared_forget(cJSON *obj);
/* Sets every pair of the string map on a mapping node (labels,
 * annotations): ctx is a kz_pairs_ctx. */
typedef struct kz_pairs_ctx {
	const cJSON *pairs;
	int first_group;     /* the pairs' shared groups in this object: first_group + index */
	kz_shared_set noted; /* groups whose existing field was set */
} kz_pairs_ctx;
int kz_set_pairs(cJSON *node, void *ctx);
/* Applies a string map to every object through field specs, with shared values. */
int kz_apply_pairs(tend_resmap *m, const kz_fslist *specs, const cJSON *pairs);
/* openapi.c: `openapi:` and the custom schema. kz_openapi_set takes one
 * kustomization's field (top: the root's); kz_openapi_use notes that
 * kustomize loads its schema now (an error if the custom one is invalid),
 * kz_openapi_use_for does so if an object of m from index `from` on has a
 * kind whose scope kustomize must look up. Schema nodes are borrowed. */
int kz_openapi_set(kz_build *b, const kz_kust *k, bool top);
int kz_openapi_use(kz_build *b);
int kz_openapi_use_for(kz_build *b, const tend_resmap *m, size_t from);
void kz_openapi_free(kz_openapi *oa);
bool kz_openapi_with_builtin(const kz_openapi *oa); /* true for NULL */
/* Marks each object of m whose kind the custom schema's paths make
 * cluster-scoped (KZ_CLUSTER_BY_SCHEMA on its root), and unmarks the rest:
 * the build's scope decision, which kz_obj_cluster_scoped reads. Called
 * whenever objects may be new or have a new kind. */
void kz_scope_mark(const kz_build *b, tend_resmap *m);
const cJSON *kz_openapi_kind(const kz_openapi *oa, const char *api_version, const char *kind);
const cJSON *kz_openapi_field(const kz_openapi *oa, const cJSON *schema, const char *name);
const cJSON *kz_openapi_elements(const kz_openapi *oa, const cJSON *schema);
/* Whether the list schema's patch strategy merges; its merge keys into keys. */
bool kz_openapi_merge_keys(const cJSON *schema, tend_strvec *keys);
/* buildMetadata (build_metadata.c) */
int kz_build_metadata_read(kz_build *b, const kz_kust *root);
/* Go's path.Join + Clean of the origin directory and an entry. */
char *kz_origin_join(const char *origin, const char *entry);
void kz_origin_resource(const kz_build *b, cJSON *obj, const char *path);
void kz_origin_generator(const kz_build *b, cJSON *obj, const kz_kust *k, const char *kind);
void kz_managed_by_label(const kz_build *b, tend_resmap *m);
/* transformerAnnotations: `times` entries for one transformer on every object of m. */
void kz_transformer_annotation(const kz_build *b, tend_resmap *m, const char *in, const char *kind,
			       const char *name, size_t times);
/* The entries of the built-in transformers one step of a kustomization configures. */
enum kz_step {
	KZ_STEP_PATCHES,
	KZ_STEP_NAMESPACE,
	KZ_STEP_AFFIXES,
	KZ_STEP_LABELS,
	KZ_STEP_ANNOTATIONS,
	KZ_STEP_JSON6902,
	KZ_STEP_REPLICAS,
	KZ_STEP_IMAGES,
	KZ_STEP_REPLACEMENTS
};
void kz_builtin_transformer_annotations(const kz_build *b, const kz_kust *k, tend_resmap *m,
					enum kz_step step);

/* at the root: hash suffixes, name references, vars */
int kz_add_hash_suffixes(tend_resmap *m);
int kz_fix_name_references(tend_resmap *m, const kz_tconfig *tc);
int kz_vars_collect(const kz_kust *k, kz_acc *acc);
int kz_vars_resolve(kz_acc *acc);

/*
 * Annotation values become strings holding their text, as kustomize's
 * final RemoveBuildAnnotations rewrites them through a string map.
 */
void kz_stringify_annotations(tend_resmap *m);
/* kustomize converted obj through JSON (a JSON patch):
 * annotation values kept as the text of a typed plain scalar
 * (TEND_DOC_TYPED_TEXT) become that value's JSON text (1e3 -> "1000"). */
void kz_annotations_as_json(cJSON *obj);

/* ---- values kustomize sets and reads back (reread.c) ---- */
/* An error naming file:line (the value's own line when it has one) and
 * field when kustomize could not read back the string value it set; with
 * file NULL, the field only (the caller names the place). */
int kz_reread_check(const char *file, int line, const char *field, const cJSON *value);
/* kz_reread_check on every string under node, named field.key... */
int kz_reread_check_all(const tend_resource *r, const cJSON *node, const char *field);
/* Every string of every object as the YAML round trip leaves it
 * (tend_doc_reread_text); an error names file, line and field. */
int kz_reread_strings(tend_resmap *m);
/* Every annotation of every object: kustomize sets them all anew. */
int kz_reread_check_annotations(const tend_resmap *m);

/* ---- kyaml field paths (fieldpath.c) ---- */
/* Splits `a.b.[k=v].c` as kustomize's SmarterPathSplitter does. */
void kz_fieldpath_split(const char *path, tend_strvec *out);
typedef struct kz_field {
	cJSON *node;
	bool created; /* the replacement created this scalar: read its text as plain YAML */
} kz_field;
/*
 * Every node the path reaches (kyaml's PathMatcher: `*`, `[k=regexp]`,
 * `[=regexp]`, indexes), creating missing parts when create_type is
 * cJSON_String (for a scalar), cJSON_Object or cJSON_Array. *out is an array
 * the caller frees (NULL when nothing matched).
 */
int kz_fieldpath_match(cJSON *root, char *const *path, size_t n, int create_type, kz_field **out,
		       size_t *nout);
/* The one node the path names (kyaml's PathGetter, `[k=v]` exact), or NULL. */
int kz_fieldpath_get(cJSON *root, char *const *path, size_t n, cJSON **out);

/* ---- image references (images.c) ---- */
/*
 * kustomize's image.Split: `[host[:port]/]path[:tag][@digest]` into name,
 * tag and digest (without their separators); each is owned by the caller.
 */
void kz_image_split(const char *image, char **name, char **tag, char **digest);
typedef struct kz_image {
	const char *name, *new_name, *new_tag, *digest, *tag_suffix; /* "" when unset */
	kz_regex *match; /* ^name(:tag)?(@sha256:digest)?$ */
} kz_image;
/* The new reference for `value`, or NULL when the entry does not match it. */
char *kz_image_rewrite(const kz_image *img, const char *value);

/* string-map helpers for kustomization fields (map[string]string in Go) */
int kz_string_map(const kz_kust *k, const cJSON *field, const char *name);

#endif
