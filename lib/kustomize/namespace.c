/*
 * namespace.c — the `namespace:` transformer (kustomize's namespace filter).
 *
 * metadata.namespace is set, overwriting, on every object kustomize's
 * built-in scope table does not call cluster-scoped (so custom resources
 * get one); a `v1 Namespace` is renamed to the namespace; RoleBinding and
 * ClusterRoleBinding subjects named "default" get the namespace (other
 * subjects move only through the name-reference pass); the remaining
 * field specs (APIService service, CRD conversion webhook, and any from
 * `configurations:`) are set too. Each object's old id is recorded first.
 * A NamespaceTransformer plugin config chooses the field specs, which
 * subjects move (default, all ServiceAccounts, none) and whether only
 * empty fields are set (unsetOnly).
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct ns_set {
	const char *ns;
	bool unset_only;
} ns_set;

static int set_ns(cJSON *node, void *ctx)
{
	const ns_set *set = ctx;
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		return tend_err("namespace field specs must target scalar nodes");
	if (set->unset_only &&
	    !(cJSON_IsNull(node) || (cJSON_IsString(node) && !*node->valuestring)))
		return 0;
	kz_set_string(node, set->ns);
	return 0;
}

static bool is_role_binding(const char *kind)
{
	return strcmp(kind, "RoleBinding") == 0 || strcmp(kind, "ClusterRoleBinding") == 0;
}

/* Does this subject get the namespace (setRoleBindingSubjects)? */
static bool subject_selected(const cJSON *s, enum kz_ns_subjects mode)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(s, "kind");
	if (!cJSON_IsObject(s) || mode == KZ_NS_SUBJECTS_NONE)
		return false;
	if (mode == KZ_NS_SUBJECTS_ALL_SERVICE_ACCOUNTS)
		return cJSON_IsString(kind) && strcmp(kind->valuestring, "ServiceAccount") == 0;
	return cJSON_IsString(name) && strcmp(name->valuestring, "default") == 0;
}

static int apply_one(tend_resource *r, const kz_ns_opts *o)
{
	cJSON *obj = r->obj;
	const char *api = kz_str(obj, "apiVersion", NULL);
	const char *kind = kz_kind(obj);
	ns_set set = {o->ns, o->unset_only};
	if (!kz_obj_cluster_scoped(obj)) {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
		cJSON *cur = cJSON_GetObjectItemCaseSensitive(meta, "namespace");
		if (cur)
			set_ns(cur, &set);
		else
			kz_set_meta_string(obj, "namespace", o->ns);
	}
	if (is_role_binding(kind)) {
		cJSON *subjects = cJSON_GetObjectItemCaseSensitive(obj, "subjects");
		cJSON *s;
		cJSON *list = cJSON_IsArray(subjects) ? subjects : NULL;
		cJSON_ArrayForEach(s, list)
		{
			if (!subject_selected(s, o->subjects))
				continue;
			cJSON *n = cJSON_GetObjectItemCaseSensitive(s, "namespace");
			if (n)
				set_ns(n, &set);
			else
				cJSON_AddStringToObject(s, "namespace", o->ns);
		}
	}
	const kz_fslist *specs = o->specs;
	for (size_t i = 0; i < specs->len; i++) {
		const kz_fs *fs = &specs->items[i];
		if (strcmp(fs->path, "metadata/namespace") == 0)
			continue;
		if (is_role_binding(kind) && strncmp(fs->path, "subjects", 8) == 0)
			continue;
		/* Only a core v1 Namespace is renamed. */
		if (strcmp(fs->path, "metadata/name") == 0 && fs->kind &&
		    strcmp(fs->kind, "Namespace") == 0 && strcmp(api, "v1") != 0)
			continue;
		if (!kz_fs_selects_obj(fs, obj))
			continue;
		if (kz_fs_apply(obj, fs, cJSON_String, set_ns, &set))
			return -1;
	}
	return 0;
}

int kz_namespace_apply(const kz_kust *k, const cJSON *where, kz_acc *acc, const kz_ns_opts *o)
{
	for (size_t i = 0; i < acc->res.len; i++) {
		tend_resource *r = &acc->res.items[i];
		kz_store_previous_id(r);
		if (apply_one(r, o))
			return kz_field_err(k, where, "namespace transformation failed: %s",
			                    tend_err_msg());
	}
	tend_strset ids = TEND_STRSET_INIT;
	int rc = 0;
	for (size_t i = 0; i < acc->res.len && !rc; i++) {
		char *id = kz_id_key(acc->res.items[i].obj);
		if (!tend_strset_add(&ids, id)) {
			char *s = kz_id_string(acc->res.items[i].obj);
			rc = kz_field_err(k, where,
			                  "namespace transformation produces ID conflict: %s", s);
			free(s);
		}
		free(id);
	}
	tend_strset_free(&ids);
	return rc;
}

int kz_namespace_transform(const kz_kust *k, kz_acc *acc)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(k->k, "namespace");
	if (f && !cJSON_IsString(f) && !cJSON_IsNull(f))
		return kz_field_err(k, f, "namespace: must be a string");
	if (!cJSON_IsString(f) || !*f->valuestring)
		return 0;
	kz_ns_opts o = {f->valuestring, &acc->tc.namespace, false, KZ_NS_SUBJECTS_DEFAULT};
	return kz_namespace_apply(k, f, acc, &o);
}
