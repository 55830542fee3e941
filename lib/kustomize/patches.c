/*
 * patches.c — the kustomization fields that patch objects: `patches`,
 * and the deprecated `patchesStrategicMerge` and `patchesJson6902`.
 *
 * A patch's content is a JSON 6902 operation list when it is a sequence
 * (text starting with '[' must be JSON), otherwise one or more strategic
 * merge documents, as kustomize decides. Objects are chosen by `target:`
 * (selector.c) or, for an untargeted strategic merge patch, by the patch's
 * own kind and name. Order follows kustomize: patchesStrategicMerge and
 * patches run before the namespace transformer, patchesJson6902 after the
 * annotations. A patch file is read only from in or below the
 * kustomization's directory unless the load restrictor is lifted.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

/* One loaded patch: either SM documents or a JSON 6902 op list. */
typedef struct patch {
	char *label;  /* names the patch in errors: file, or kustomization:line */
	tend_docs sm; /* strategic merge documents */
	cJSON *ops;   /* JSON 6902 operations (owned), or NULL */
} patch;

static void patch_free(patch *p)
{
	free(p->label);
	tend_docs_free(&p->sm);
	cJSON_Delete(p->ops);
}

/* Decides SM or JSON 6902 from the text, as kustomize's PatchTransformer does. */
static int patch_parse(const char *text, size_t len, patch *p)
{
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i < len && text[i] == '[') {
		p->ops = cJSON_ParseWithLength(text, len);
		if (!p->ops)
			return tend_err("%s: unable to parse SM or JSON patch: the text starts "
			                "with '[' but is not valid JSON",
			                p->label);
		return kz_json6902_check(p->ops, p->label);
	}
	/* kyaml reads a strategic-merge patch's repeated keys by their first
	 * occurrence; a YAML op list goes through go-yaml v2, where the last wins */
	if (tend_doc_load_flags(p->label, text, len,
	                        TEND_DOC_PLAIN_ANNOTATIONS | TEND_DOC_FIRST_KEY_WINS, &p->sm))
		return -1;
	if (p->sm.len == 0)
		return tend_err("%s: unable to parse SM or JSON patch: the patch is empty",
		                p->label);
	if (cJSON_IsArray(p->sm.items[0].root)) {
		if (p->sm.len > 1)
			return tend_err("%s: a JSON patch must be a single document", p->label);
		/* kustomize converts a YAML operation list with go-yaml v2's rules */
		tend_docs_free(&p->sm);
		if (tend_doc_load_flags(
		        p->label, text, len,
		        TEND_DOC_V2_BOOLS | TEND_DOC_LAST_KEY_WINS | TEND_DOC_NO_REWRITE, &p->sm))
			return -1;
		p->ops = p->sm.items[0].root;
		p->sm.items[0].root = NULL;
		p->sm.len = 0;
		return kz_json6902_check(p->ops, p->label);
	}
	/* each document must read as a resource: a mapping with kind and name */
	for (size_t d = 0; d < p->sm.len; d++) {
		const cJSON *doc = p->sm.items[d].root;
		if (!cJSON_IsObject(doc) || !kz_kind(doc)[0] || !kz_name(doc)[0])
			return tend_err(
			    "%s:%d: unable to parse SM or JSON patch: a strategic merge "
			    "patch must be a mapping with kind and metadata.name",
			    p->label, p->sm.items[d].line);
	}
	return 0;
}

static int patch_load_file(kz_build *b, const kz_kust *k, const cJSON *node, patch *p)
{
	char *file = NULL;
	if (kz_resolve_file(b, k, node, node->valuestring, &file))
		return -1;
	tend_buf raw = TEND_BUF_INIT;
	int rc = kz_cache_read(b, file, &raw);
	p->label = file;
	if (rc)
		rc = kz_field_err(k, node, "patch \"%s\": %s", node->valuestring, tend_err_msg());
	else
		rc = patch_parse(raw.data ? raw.data : "", raw.len, p);
	tend_buf_free(&raw);
	return rc;
}

static int patch_load_inline(const kz_kust *k, const cJSON *node, patch *p)
{
	p->label = tend_xasprintf("%s:%d: inline patch", k->file, tend_doc_line(node));
	return patch_parse(node->valuestring, strlen(node->valuestring), p);
}

static void resmap_remove(tend_resmap *m, size_t i)
{
	free(m->items[i].file);
	kz_meta_free(m->items[i].meta);
	memmove(&m->items[i], &m->items[i + 1], (m->len - i - 1) * sizeof(m->items[0]));
	m->len--;
}

/* Applies one SM document to object i, which the patch may delete. */
static int apply_one(kz_build *b, kz_acc *acc, size_t i, const cJSON *doc, bool allow_name,
                     bool allow_kind, const char *label)
{
	tend_resource *r = &acc->res.items[i];
	if (allow_name || allow_kind)
		kz_store_previous_id(r);
	if (kz_openapi_use(b) || kz_smp_apply(&r->obj, cJSON_Duplicate(doc, true), allow_name,
	                                      allow_kind, label, b->openapi))
		return -1;
	if (!r->obj)
		resmap_remove(&acc->res, i);
	return 0;
}

/* Applies one SM document to every selected object. */
static int apply_sm(kz_build *b, kz_acc *acc, const kz_selector *sel, const cJSON *doc,
                    bool allow_name, bool allow_kind, const char *label)
{
	for (size_t i = 0; i < acc->res.len; i++) {
		tend_resource *r = &acc->res.items[i];
		if (!kz_selector_matches(sel, r))
			continue;
		size_t before = acc->res.len;
		if (apply_one(b, acc, i, doc, allow_name, allow_kind, label))
			return -1;
		if (acc->res.len < before)
			i--;
	}
	return 0;
}

/* Applies JSON6902 ops to every selected object. Under `patches:` each
 * object's id is first stored as a previous id, renamed or not (kustomize's
 * PatchTransformer calls StorePreviousId), so references to a name it had
 * follow it; `patchesJson6902` stores none, so a rename there is not
 * followed. */
static int apply_json(kz_acc *acc, const kz_selector *sel, const cJSON *ops, const char *label,
                      bool store_prev)
{
	for (size_t i = 0; i < acc->res.len; i++) {
		tend_resource *r = &acc->res.items[i];
		if (!kz_selector_matches(sel, r))
			continue;
		if (store_prev)
			kz_store_previous_id(r);
		/* kustomize rebuilds the patched object from JSON, setting every string */
		kz_annotations_as_json(r->obj);
		if (kz_json6902_apply(r->obj, ops, label) || kz_reread_check_all(r, r->obj, ""))
			return -1;
	}
	return 0;
}

static int bool_option(const kz_kust *k, const cJSON *options, const char *name, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(options, name);
	*out = cJSON_IsTrue(v);
	if (v && !cJSON_IsBool(v) && !cJSON_IsNull(v))
		return kz_field_err(k, v, "options.%s: must be true or false", name);
	return 0;
}

static int check_entry_fields(const kz_kust *k, const cJSON *entry, const char *field,
                              const char *const *known)
{
	if (!cJSON_IsObject(entry))
		return kz_field_err(k, entry, "%s: entries must be mappings", field);
	for (const cJSON *f = entry->child; f; f = f->next) {
		bool ok = false;
		for (int i = 0; known[i]; i++)
			ok = ok || strcmp(f->string, known[i]) == 0;
		if (!ok)
			return kz_field_err(k, f, "%s: unknown field \"%s\"", field, f->string);
	}
	return 0;
}

/* Loads the patch of a `patches:`/`patchesJson6902:` entry (path: or patch:). */
static int entry_patch(kz_build *b, const kz_kust *k, const cJSON *entry, const char *field,
                       patch *p)
{
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(entry, "path");
	const cJSON *inl = cJSON_GetObjectItemCaseSensitive(entry, "patch");
	if (cJSON_IsNull(path))
		path = NULL;
	if (cJSON_IsNull(inl))
		inl = NULL;
	if (path && inl)
		return kz_field_err(k, entry, "%s: patch and path can't be set at the same time",
		                    field);
	if (!path && !inl)
		return kz_field_err(k, entry, "%s: must specify one of patch and path", field);
	const cJSON *n = path ? path : inl;
	if (!cJSON_IsString(n) || !n->valuestring[0])
		return kz_field_err(k, n, "%s.%s: must be a non-empty string", field,
		                    path ? "path" : "patch");
	return path ? patch_load_file(b, k, n, p) : patch_load_inline(k, n, p);
}

/* kustomize's GetById for patchesStrategicMerge: group, version, effective
 * namespace, and the current or any earlier (name, kind), exactly; one object
 * or an error. */
static long find_by_id(tend_resmap *m, const cJSON *doc)
{
	long found = -1;
	const char *ns = kz_effective_ns(doc);
	for (size_t i = 0; i < m->len; i++) {
		tend_resource *r = &m->items[i];
		if (strcmp(kz_str(r->obj, "apiVersion", NULL), kz_str(doc, "apiVersion", NULL)) !=
		    0)
			continue;
		bool hit = strcmp(kz_kind(r->obj), kz_kind(doc)) == 0 &&
		           strcmp(kz_name(r->obj), kz_name(doc)) == 0 &&
		           strcmp(kz_effective_ns(r->obj), ns) == 0;
		for (size_t j = 0; !hit && r->meta && j < r->meta->prev_names.len; j++)
			hit = strcmp(r->meta->prev_kinds.items[j], kz_kind(doc)) == 0 &&
			      strcmp(r->meta->prev_names.items[j], kz_name(doc)) == 0 &&
			      strcmp(r->meta->prev_ns.items[j], ns) == 0;
		if (!hit)
			continue;
		if (found >= 0)
			return -2;
		found = (long)i;
	}
	return found;
}

static int one_patch(kz_build *b, const kz_kust *k, const cJSON *entry, kz_acc *acc)
{
	static const char *const known[] = {"path", "patch", "target", "options", NULL};
	if (check_entry_fields(k, entry, "patches", known))
		return -1;
	const cJSON *options = cJSON_GetObjectItemCaseSensitive(entry, "options");
	if (options && !cJSON_IsNull(options) && !cJSON_IsObject(options))
		return kz_field_err(k, options, "patches.options: must be a mapping");
	bool allow_name, allow_kind;
	if (bool_option(k, options, "allowNameChange", &allow_name) ||
	    bool_option(k, options, "allowKindChange", &allow_kind))
		return -1;
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(entry, "target");
	kz_selector *sel = NULL;
	if (target && !cJSON_IsNull(target) && kz_selector_parse(k, target, &sel))
		return -1;
	patch p = {0};
	int rc = entry_patch(b, k, entry, "patches", &p);
	if (!rc && p.ops && !sel)
		rc = kz_field_err(k, entry, "patches: a JSON patch needs a target");
	if (!rc && p.ops)
		rc = apply_json(acc, sel, p.ops, p.label, true);
	if (!rc && sel && p.sm.len > 1)
		rc = kz_field_err(k, target,
		                  "patches: a target cannot be given for a patch holding %zu "
		                  "strategic merge documents",
		                  p.sm.len);
	for (size_t d = 0; !rc && d < p.sm.len; d++) {
		const cJSON *doc = p.sm.items[d].root;
		if (sel) {
			rc = apply_sm(b, acc, sel, doc, allow_name, allow_kind, p.label);
			continue;
		}
		long i = find_by_id(&acc->res, doc);
		if (i < 0)
			rc = kz_field_err(
			    k, entry, "patches: %s strategic merge patch %s/%s (%s:%d)",
			    i == -1 ? "no resource matches" : "several resources match",
			    kz_kind(doc), kz_name(doc), p.label, p.sm.items[d].line);
		else
			rc = apply_one(b, acc, (size_t)i, doc, allow_name, allow_kind, p.label);
	}
	patch_free(&p);
	kz_selector_free(sel);
	return rc;
}

static int one_sm_patch(kz_build *b, const kz_kust *k, const cJSON *entry, kz_acc *acc)
{
	if (!cJSON_IsString(entry) || !entry->valuestring[0])
		return kz_field_err(k, entry,
		                    "patchesStrategicMerge: entries must be file paths "
		                    "or inline patches");
	patch p = {0};
	char *path = kz_join(k->dir, entry->valuestring);
	tend_fs_kind kind;
	bool is_file = !strchr(entry->valuestring, '\n') && tend_fs_stat(b->fs, path, &kind) == 0;
	free(path);
	int rc = is_file ? patch_load_file(b, k, entry, &p) : patch_load_inline(k, entry, &p);
	if (rc && !is_file && !strchr(entry->valuestring, '\n'))
		rc = kz_field_err(k, entry, "patchesStrategicMerge: \"%s\": no such file",
		                  entry->valuestring);
	if (!rc && p.ops)
		rc = kz_field_err(k, entry,
		                  "patchesStrategicMerge: \"%s\" holds a JSON patch, not a "
		                  "strategic merge patch",
		                  entry->valuestring);
	for (size_t d = 0; !rc && d < p.sm.len; d++) {
		const cJSON *doc = p.sm.items[d].root;
		long i = find_by_id(&acc->res, doc);
		if (i < 0) {
			rc = kz_field_err(
			    k, entry, "patchesStrategicMerge: %s for patch %s/%s (%s:%d)",
			    i == -1 ? "no resource matches" : "several resources match",
			    kz_kind(doc), kz_name(doc), p.label, p.sm.items[d].line);
			break;
		}
		rc = apply_one(b, acc, (size_t)i, doc, false, false, p.label);
	}
	patch_free(&p);
	return rc;
}

static int one_json6902(kz_build *b, const kz_kust *k, const cJSON *entry, kz_acc *acc)
{
	static const char *const known[] = {"path", "patch", "target", NULL};
	if (check_entry_fields(k, entry, "patchesJson6902", known))
		return -1;
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(entry, "target");
	if (!target || cJSON_IsNull(target))
		return kz_field_err(k, entry, "patchesJson6902: must specify a target");
	kz_selector *sel = NULL;
	if (kz_selector_parse(k, target, &sel))
		return -1;
	patch p = {0};
	int rc = entry_patch(b, k, entry, "patchesJson6902", &p);
	if (!rc && !p.ops)
		rc = kz_field_err(k, entry,
		                  "patchesJson6902: the patch is not a JSON 6902 "
		                  "operation list");
	if (!rc)
		rc = apply_json(acc, sel, p.ops, p.label, false);
	patch_free(&p);
	kz_selector_free(sel);
	return rc;
}

int kz_patches_early_transform(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	if (kz_each_entry(b, k, "patchesStrategicMerge", one_sm_patch, acc))
		return -1;
	return kz_each_entry(b, k, "patches", one_patch, acc);
}

int kz_patches_json6902_transform(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	return kz_each_entry(b, k, "patchesJson6902", one_json6902, acc);
}
