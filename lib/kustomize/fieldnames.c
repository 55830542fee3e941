/*
 * fieldnames.c — kustomization field names matched as kustomize matches
 * them. kustomize decodes a kustomization (and a replacements file) with
 * Go's encoding/json, which finds a struct field by its exact name or else
 * case-insensitively (`nameprefix`, `objRef`, `fieldpath` all decode).
 * Which of two keys naming one field wins follows from how the YAML gets
 * there: go-yaml builds a Go map (a repeated key: the later value), JSON
 * marshals it with sorted keys, and the decoder lets each key overwrite
 * the field, so the key greatest in byte order wins (`newtag` over
 * `newTag` over `NewTag`), whatever the order in the file.
 * Before anything reads it, every struct-shaped map of the tree is
 * rewritten here to the canonical names, the last spelling winning.
 * Invariant: user-data maps (labels, annotations, openapi, patch options)
 * are never touched — Go decodes those into maps, whose keys are exact.
 */
#include "kustomize_internal.h"

#include <string.h>
#include <strings.h>

typedef enum shape { LEAF, ONE, LIST } shape;

typedef struct field {
	const char *name;
	shape shape;
	const struct field *type; /* for ONE and LIST; NULL-name terminated */
} field;

#define END                                                                                        \
	{                                                                                          \
		NULL, LEAF, NULL                                                                   \
	}

static const field FIELD_SPEC[] = {{"group", LEAF, NULL},  {"version", LEAF, NULL},
                                   {"kind", LEAF, NULL},   {"path", LEAF, NULL},
                                   {"create", LEAF, NULL}, END};
static const field SELECTOR[] = {{"group", LEAF, NULL},         {"version", LEAF, NULL},
                                 {"kind", LEAF, NULL},          {"name", LEAF, NULL},
                                 {"namespace", LEAF, NULL},     {"annotationSelector", LEAF, NULL},
                                 {"labelSelector", LEAF, NULL}, END};
static const field PATCH[] = {{"path", LEAF, NULL},
                              {"patch", LEAF, NULL},
                              {"target", ONE, SELECTOR},
                              {"options", LEAF, NULL},
                              END};
static const field IMAGE[] = {{"name", LEAF, NULL},      {"newName", LEAF, NULL},
                              {"newTag", LEAF, NULL},    {"digest", LEAF, NULL},
                              {"tagSuffix", LEAF, NULL}, END};
static const field REPLICA[] = {{"name", LEAF, NULL}, {"count", LEAF, NULL}, END};
static const field FIELD_OPTIONS[] = {{"delimiter", LEAF, NULL},
                                      {"index", LEAF, NULL},
                                      {"encoding", LEAF, NULL},
                                      {"create", LEAF, NULL},
                                      END};
static const field SOURCE[] = {{"group", LEAF, NULL},
                               {"version", LEAF, NULL},
                               {"kind", LEAF, NULL},
                               {"name", LEAF, NULL},
                               {"namespace", LEAF, NULL},
                               {"fieldPath", LEAF, NULL},
                               {"options", ONE, FIELD_OPTIONS},
                               END};
static const field TARGET[] = {{"select", ONE, SELECTOR},
                               {"reject", LIST, SELECTOR},
                               {"fieldPaths", LEAF, NULL},
                               {"options", ONE, FIELD_OPTIONS},
                               END};
static const field REPLACEMENT[] = {
    {"path", LEAF, NULL}, {"source", ONE, SOURCE}, {"targets", LIST, TARGET}, END};
static const field OBJREF[] = {{"group", LEAF, NULL},
                               {"version", LEAF, NULL},
                               {"kind", LEAF, NULL},
                               {"apiVersion", LEAF, NULL},
                               {"name", LEAF, NULL},
                               {"namespace", LEAF, NULL},
                               END};
static const field FIELDREF[] = {{"fieldpath", LEAF, NULL}, END}; /* sic, in kustomize */
static const field VAR[] = {
    {"name", LEAF, NULL}, {"objref", ONE, OBJREF}, {"fieldref", ONE, FIELDREF}, END};
static const field LABEL[] = {{"pairs", LEAF, NULL},
                              {"includeSelectors", LEAF, NULL},
                              {"includeTemplates", LEAF, NULL},
                              {"fields", LIST, FIELD_SPEC},
                              END};
static const field GENERATOR_OPTIONS[] = {{"labels", LEAF, NULL},
                                          {"annotations", LEAF, NULL},
                                          {"disableNameSuffixHash", LEAF, NULL},
                                          {"immutable", LEAF, NULL},
                                          END};
static const field GENERATOR[] = {{"namespace", LEAF, NULL}, {"name", LEAF, NULL},
                                  {"behavior", LEAF, NULL},  {"literals", LEAF, NULL},
                                  {"files", LEAF, NULL},     {"envs", LEAF, NULL},
                                  {"env", LEAF, NULL},       {"options", ONE, GENERATOR_OPTIONS},
                                  {"type", LEAF, NULL},      END};
static const field LEGACY_SORT[] = {{"orderFirst", LEAF, NULL}, {"orderLast", LEAF, NULL}, END};
static const field SORT_OPTIONS[] = {
    {"order", LEAF, NULL}, {"legacySortOptions", ONE, LEGACY_SORT}, END};
static const field KUSTOMIZATION[] = {{"apiVersion", LEAF, NULL},
                                      {"kind", LEAF, NULL},
                                      {"metadata", LEAF, NULL},
                                      {"openapi", LEAF, NULL},
                                      {"namePrefix", LEAF, NULL},
                                      {"nameSuffix", LEAF, NULL},
                                      {"namespace", LEAF, NULL},
                                      {"commonLabels", LEAF, NULL},
                                      {"labels", LIST, LABEL},
                                      {"commonAnnotations", LEAF, NULL},
                                      {"patchesStrategicMerge", LEAF, NULL},
                                      {"patchesJson6902", LIST, PATCH},
                                      {"patches", LIST, PATCH},
                                      {"images", LIST, IMAGE},
                                      {"imageTags", LIST, IMAGE},
                                      {"replacements", LIST, REPLACEMENT},
                                      {"replicas", LIST, REPLICA},
                                      {"vars", LIST, VAR},
                                      {"sortOptions", ONE, SORT_OPTIONS},
                                      {"resources", LEAF, NULL},
                                      {"crds", LEAF, NULL},
                                      {"bases", LEAF, NULL},
                                      {"components", LEAF, NULL},
                                      {"configMapGenerator", LIST, GENERATOR},
                                      {"secretGenerator", LIST, GENERATOR},
                                      {"helmGlobals", LEAF, NULL},
                                      {"helmCharts", LEAF, NULL},
                                      {"helmChartInflationGenerator", LEAF, NULL},
                                      {"generatorOptions", ONE, GENERATOR_OPTIONS},
                                      {"configurations", LEAF, NULL},
                                      {"generators", LEAF, NULL},
                                      {"transformers", LEAF, NULL},
                                      {"validators", LEAF, NULL},
                                      {"buildMetadata", LEAF, NULL},
                                      {"inventory", LEAF, NULL},
                                      END};

static const field *find(const field *type, const char *key)
{
	for (const field *f = type; f->name; f++)
		if (strcmp(f->name, key) == 0)
			return f;
	for (const field *f = type; f->name; f++)
		if (strcasecmp(f->name, key) == 0)
			return f;
	return NULL;
}

static void fold(cJSON *map, const field *type, bool drop);

static void fold_value(cJSON *v, const field *f, bool drop)
{
	if (f->shape == ONE) {
		fold(v, f->type, drop);
	} else if (f->shape == LIST && cJSON_IsArray(v)) {
		for (cJSON *e = v->child; e; e = e->next)
			fold(e, f->type, drop);
	}
}

#define MAX_FIELDS 64

/* `drop`: unknown fields are deleted (plugin configs are decoded leniently). */
static void fold(cJSON *map, const field *type, bool drop)
{
	if (!cJSON_IsObject(map))
		return;
	cJSON *last[MAX_FIELDS] = {0};
	for (cJSON *k = map->child; k; k = k->next) {
		const field *f = find(type, k->string);
		cJSON **w = f ? &last[f - type] : NULL;
		if (w && (!*w || strcmp(k->string, (*w)->string) >= 0))
			*w = k;
	}
	cJSON *next;
	for (cJSON *k = map->child; k; k = next) {
		next = k->next;
		const field *f = find(type, k->string);
		if (!f && drop)
			cJSON_Delete(cJSON_DetachItemViaPointer(map, k));
		if (!f)
			continue; /* an unknown field: reported by its reader */
		if (last[f - type] != k) {
			cJSON_Delete(cJSON_DetachItemViaPointer(map, k));
			continue;
		}
		if (strcmp(k->string, f->name) != 0) {
			if (!(k->type & cJSON_StringIsConst))
				cJSON_free(k->string);
			k->string = tend_xstrdup(f->name);
			k->type &= ~cJSON_StringIsConst;
		}
		fold_value(k, f, drop);
	}
}

void kz_fold_kustomization(cJSON *k)
{
	fold(k, KUSTOMIZATION, false);
}

void kz_fold_replacement(cJSON *r)
{
	fold(r, REPLACEMENT, false);
}

/*
 * Built-in plugin configs, as their Go structs read them (sigs.k8s.io/yaml:
 * encoding/json without DisallowUnknownFields, so unknown fields are
 * dropped, not refused). `metadata` is decoded by kustomize's ObjectMeta.
 */
static const field PLUGIN_META[] = {{"name", LEAF, NULL},
                                    {"namespace", LEAF, NULL},
                                    {"labels", LEAF, NULL},
                                    {"annotations", LEAF, NULL},
                                    END};
#define PLUGIN_HEAD                                                                                \
	{"apiVersion", LEAF, NULL}, {"kind", LEAF, NULL},                                          \
	{                                                                                          \
		"metadata", ONE, PLUGIN_META                                                       \
	}
#define FIELD_SPECS                                                                                \
	{                                                                                          \
		"fieldSpecs", LIST, FIELD_SPEC                                                     \
	}
static const field P_LABELS[] = {PLUGIN_HEAD, {"labels", LEAF, NULL}, FIELD_SPECS, END};
static const field P_ANNOTATIONS[] = {PLUGIN_HEAD, {"annotations", LEAF, NULL}, FIELD_SPECS, END};
static const field P_AFFIX[] = {
    PLUGIN_HEAD, {"prefix", LEAF, NULL}, {"suffix", LEAF, NULL}, FIELD_SPECS, END};
static const field P_NAMESPACE[] = {PLUGIN_HEAD,
                                    {"unsetOnly", LEAF, NULL},
                                    {"setRoleBindingSubjects", LEAF, NULL},
                                    FIELD_SPECS,
                                    END};
static const field P_IMAGE[] = {PLUGIN_HEAD, {"imageTag", ONE, IMAGE}, FIELD_SPECS, END};
static const field P_REPLICA[] = {PLUGIN_HEAD, {"replica", ONE, REPLICA}, FIELD_SPECS, END};
static const field P_PATCH[] = {PLUGIN_HEAD,
                                {"path", LEAF, NULL},
                                {"patch", LEAF, NULL},
                                {"target", ONE, SELECTOR},
                                {"options", LEAF, NULL},
                                END};
static const field P_SMP[] = {PLUGIN_HEAD, {"paths", LEAF, NULL}, {"patches", LEAF, NULL}, END};
static const field P_JSON6902[] = {
    PLUGIN_HEAD, {"target", ONE, SELECTOR}, {"path", LEAF, NULL}, {"jsonOp", LEAF, NULL}, END};
static const field P_REPLACEMENT[] = {PLUGIN_HEAD, {"replacements", LIST, REPLACEMENT}, END};
static const field P_GENERATOR[] = {PLUGIN_HEAD,
                                    {"namespace", LEAF, NULL},
                                    {"name", LEAF, NULL},
                                    {"behavior", LEAF, NULL},
                                    {"literals", LEAF, NULL},
                                    {"files", LEAF, NULL},
                                    {"envs", LEAF, NULL},
                                    {"env", LEAF, NULL},
                                    {"options", ONE, GENERATOR_OPTIONS},
                                    {"type", LEAF, NULL},
                                    END};
static const field P_NONE[] = {PLUGIN_HEAD, END};

void kz_fold_plugin(cJSON *cfg, const char *kind)
{
	static const struct {
		const char *kind;
		const field *type;
	} KINDS[] = {
	    {"LabelTransformer", P_LABELS},
	    {"AnnotationsTransformer", P_ANNOTATIONS},
	    {"PrefixSuffixTransformer", P_AFFIX},
	    {"PrefixTransformer", P_AFFIX},
	    {"SuffixTransformer", P_AFFIX},
	    {"NamespaceTransformer", P_NAMESPACE},
	    {"ImageTagTransformer", P_IMAGE},
	    {"ReplicaCountTransformer", P_REPLICA},
	    {"PatchTransformer", P_PATCH},
	    {"PatchStrategicMergeTransformer", P_SMP},
	    {"PatchJson6902Transformer", P_JSON6902},
	    {"ReplacementTransformer", P_REPLACEMENT},
	    {"ConfigMapGenerator", P_GENERATOR},
	    {"SecretGenerator", P_GENERATOR},
	};
	const field *type = P_NONE;
	for (size_t i = 0; i < sizeof(KINDS) / sizeof(KINDS[0]); i++)
		if (strcmp(KINDS[i].kind, kind) == 0)
			type = KINDS[i].type;
	fold(cfg, type, true);
}
