/*
 * labels.c — `labels:` and `commonLabels:` (kustomize's LabelTransformer).
 *
 * Each `labels` entry chooses its field specs: metadata.labels only by
 * default; plus the pod/job/claim templates with includeTemplates; the
 * full commonLabels set (selectors too) with includeSelectors; plus its
 * own `fields`. `commonLabels` is one more entry with includeSelectors,
 * applied last. Values always become strings; existing keys are
 * overwritten.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

void kz_shared_note(kz_shared_set *s, int group, const cJSON *value)
{
	for (size_t i = 0; i < s->len; i++)
		if (s->groups[i] == group) {
			cJSON_Delete(s->values[i]);
			s->values[i] = cJSON_Duplicate(value, true);
			return;
		}
	if (s->len == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4;
		s->groups = tend_xrealloc(s->groups, s->cap * sizeof(*s->groups));
		s->values = tend_xrealloc(s->values, s->cap * sizeof(*s->values));
	}
	s->groups[s->len] = group;
	s->values[s->len++] = cJSON_Duplicate(value, true);
}

static void shared_walk(cJSON *n, const kz_shared_set *s)
{
	for (cJSON *c = n->child; c; c = c->next) {
		if (c->child)
			shared_walk(c, s);
		if (!(c->type & KZ_SHARED))
			continue;
		for (size_t i = 0; i < s->len; i++) {
			if (s->groups[i] != c->valueint)
				continue;
			const cJSON *v = s->values[i];
			free(c->valuestring);
			c->valuestring = v->valuestring ? tend_xstrdup(v->valuestring) : NULL;
			c->valuedouble = v->valuedouble;
			c->type = (v->type & ~cJSON_IsReference) | KZ_SHARED;
			break;
		}
	}
}

void kz_shared_apply(cJSON *obj, kz_shared_set *s)
{
	if (obj && s->len)
		shared_walk(obj, s);
	for (size_t i = 0; i < s->len; i++)
		cJSON_Delete(s->values[i]);
	free(s->groups);
	free(s->values);
	*s = (kz_shared_set){0};
}

void kz_shared_forget(cJSON *obj)
{
	for (cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
		c->type &= ~KZ_SHARED;
		kz_shared_forget(c);
	}
}

int kz_set_pairs(cJSON *node, void *ctx)
{
	kz_pairs_ctx *c = ctx;
	if (!cJSON_IsObject(node))
		return tend_err("wrong node kind: expected a mapping");
	int group = c->first_group;
	for (const cJSON *p = c->pairs->child; p; p = p->next, group++) {
		cJSON *old = cJSON_GetObjectItemCaseSensitive(node, p->string);
		if (old) {
			int was = old->type & KZ_SHARED, g = old->valueint;
			kz_set_string(old, p->valuestring);
			if (was) {
				old->type |= KZ_SHARED;
				kz_shared_note(&c->noted, g, old);
			}
			continue;
		}
		cJSON *v = cJSON_CreateString(p->valuestring);
		v->type |= KZ_SHARED;
		v->valueint = group;
		cJSON_AddItemToObject(node, p->string, v);
	}
	return 0;
}

int kz_apply_pairs(tend_resmap *m, const kz_fslist *specs, const cJSON *pairs)
{
	for (const cJSON *p = m->len ? pairs->child : NULL; p; p = p->next)
		if (kz_reread_check(NULL, 0, p->string, p))
			return -1;
	for (size_t i = 0; i < m->len; i++) {
		struct kz_meta *meta = kz_meta_of(&m->items[i]);
		kz_pairs_ctx c = {.pairs = pairs, .first_group = meta->next_shared + 1};
		meta->next_shared += cJSON_GetArraySize(pairs);
		int rc = kz_fslist_apply(m->items[i].obj, specs, cJSON_Object, kz_set_pairs, &c);
		kz_shared_apply(m->items[i].obj, &c.noted);
		if (rc)
			return -1;
	}
	return 0;
}

static int apply(const kz_kust *k, kz_acc *acc, const cJSON *where, const cJSON *pairs,
		 const kz_fslist *specs)
{
	if (kz_apply_pairs(&acc->res, specs, pairs))
		return kz_field_err(k, where, "labels: %s", tend_err_msg());
	return 0;
}

static int load_fields(const kz_kust *k, const cJSON *fields, kz_fslist *out)
{
	if (!fields || cJSON_IsNull(fields))
		return 0;
	if (!cJSON_IsArray(fields))
		return kz_field_err(k, fields, "labels.fields: must be a list");
	const cJSON *fs;
	cJSON_ArrayForEach(fs, fields)
	{
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(fs, "path");
		if (!cJSON_IsObject(fs) || !cJSON_IsString(path))
			return kz_field_err(k, fs, "labels.fields: a field spec needs a path");
		for (const cJSON *f = fs->child; f; f = f->next)
			if (strcmp(f->string, "path") != 0 && strcmp(f->string, "create") != 0 &&
			    strcmp(f->string, "group") != 0 && strcmp(f->string, "version") != 0 &&
			    strcmp(f->string, "kind") != 0)
				return kz_field_err(k, f, "labels.fields: unknown field \"%s\"",
						    f->string);
		if (kz_fslist_add(out, kz_str(fs, "group", NULL), kz_str(fs, "version", NULL),
				  kz_str(fs, "kind", NULL), path->valuestring,
				  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fs, "create"))))
			return kz_field_err(k, fs, "%s", tend_err_msg());
	}
	return 0;
}

static int one_entry(const kz_kust *k, kz_acc *acc, const cJSON *e)
{
	if (!cJSON_IsObject(e))
		return kz_field_err(k, e, "labels: entries must be mappings");
	for (const cJSON *f = e->child; f; f = f->next)
		if (strcmp(f->string, "pairs") != 0 && strcmp(f->string, "includeSelectors") != 0 &&
		    strcmp(f->string, "includeTemplates") != 0 && strcmp(f->string, "fields") != 0)
			return kz_field_err(k, f, "labels: unknown field \"%s\"", f->string);
	const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(e, "pairs");
	if (kz_string_map(k, pairs, "labels.pairs"))
		return -1;
	if (!cJSON_IsObject(pairs) || !pairs->child)
		return 0;
	kz_fslist specs = {0};
	int rc = load_fields(k, cJSON_GetObjectItemCaseSensitive(e, "fields"), &specs);
	if (!rc && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "includeSelectors"))) {
		rc = kz_fslist_merge(&specs, &acc->tc.common_labels);
	} else if (!rc) {
		rc = kz_fslist_add(&specs, NULL, NULL, NULL, "metadata/labels", true);
		if (!rc && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "includeTemplates")))
			rc = kz_fslist_merge(&specs, &acc->tc.template_labels);
	}
	if (rc)
		rc = kz_field_err(k, e, "labels: %s", tend_err_msg());
	if (!rc)
		rc = apply(k, acc, e, pairs, &specs);
	kz_fslist_free(&specs);
	return rc;
}

int kz_labels_transform(const kz_kust *k, kz_acc *acc)
{
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(k->k, "labels");
	if (labels && !cJSON_IsArray(labels) && !cJSON_IsNull(labels))
		return kz_field_err(k, labels, "labels: must be a list");
	const cJSON *e;
	const cJSON *list = cJSON_IsArray(labels) ? labels : NULL;
	cJSON_ArrayForEach(e, list)
	{
		if (one_entry(k, acc, e))
			return -1;
	}
	const cJSON *common = cJSON_GetObjectItemCaseSensitive(k->k, "commonLabels");
	if (kz_string_map(k, common, "commonLabels"))
		return -1;
	if (!cJSON_IsObject(common) || !common->child)
		return 0;
	return apply(k, acc, common, common, &acc->tc.common_labels);
}
