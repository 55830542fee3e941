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

static void fold(cJSON *map, const field *type);

static void fold_value(cJSON *v, const field *f)
{
	if (f->shape == ONE) {
		fold(v, f->type);
	} else if (f->shape == LIST && cJSON_IsArray(v)) {
		for (cJSON *e = v->child; e; e = e->next)
			fold(e, f->type);
	}
}

#define MAX_FIELDS 64

static void fold(cJSON *map, const field *type)
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
		fold_value(k, f);
	}
}

void kz_fold_kustomization(cJSON *k)
{
	fold(k, KUSTOMIZATION);
}

void kz_fold_replacement(cJSON *r)
{
	fold(r, REPLACEMENT);
}
