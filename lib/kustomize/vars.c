/*
 * vars.c — the deprecated `vars:` field, in the form kustomize v5 still
 * accepts: each var names an object by its *original* apiVersion, kind
 * and name (exact group and version; namespace only when given) and a
 * field path in it (default metadata.name; `a.b[0].c` indexes lists).
 * Vars are bound when their kustomization is accumulated and resolved at
 * the root after name references, so a var sees final names. `$(NAME)` is
 * expanded in the varReference fields; a field that is exactly `$(NAME)`
 * takes the value's type (labels and annotations stay strings); `$$`
 * escapes; unknown names stay as written.
 */
#include "kustomize_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const VAR_FIELDS[] = {"name", "objref", "fieldref", NULL};
static const char *const OBJREF_FIELDS[] = {"kind", "name", "namespace", "apiVersion", "group",
					    "version", NULL};

static bool known(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static int check_var(const kz_kust *k, const cJSON *v)
{
	if (!cJSON_IsObject(v))
		return kz_field_err(k, v, "vars: entries must be mappings");
	for (const cJSON *f = v->child; f; f = f->next)
		if (!known(f->string, VAR_FIELDS))
			return kz_field_err(k, f, "vars: unknown field \"%s\"", f->string);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(v, "name");
	if (!cJSON_IsString(name) || !*name->valuestring)
		return kz_field_err(k, v, "vars: a var needs a name");
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(v, "objref");
	if (!cJSON_IsObject(ref))
		return kz_field_err(k, v, "vars: var %s needs an objref", name->valuestring);
	for (const cJSON *f = ref->child; f; f = f->next) {
		if (!known(f->string, OBJREF_FIELDS))
			return kz_field_err(k, f, "vars: unknown field \"%s\"", f->string);
		if (!cJSON_IsString(f))
			return kz_field_err(k, f, "vars: objref.%s must be a string", f->string);
	}
	const cJSON *fr = cJSON_GetObjectItemCaseSensitive(v, "fieldref");
	if (fr && !cJSON_IsNull(fr)) {
		if (!cJSON_IsObject(fr))
			return kz_field_err(k, fr, "vars: fieldref must be a mapping");
		for (const cJSON *f = fr->child; f; f = f->next)
			if (strcmp(f->string, "fieldpath") != 0 || !cJSON_IsString(f))
				return kz_field_err(k, f, "vars: unknown field \"%s\"", f->string);
	}
	return 0;
}

/* The objref's group and version: apiVersion if set, else group/version. */
static void objref_gv(const cJSON *ref, char *g, size_t gs, char *ver, size_t vs)
{
	const char *api = kz_str(ref, "apiVersion", NULL);
	if (*api) {
		kz_api_split(api, g, gs, ver, vs);
	} else {
		snprintf(g, gs, "%s", kz_str(ref, "group", NULL));
		snprintf(ver, vs, "%s", kz_str(ref, "version", NULL));
	}
}

/* Does the object's original id match the objref (GvknEquals, or Equals with a namespace)? */
static bool selected(const tend_resource *r, const cJSON *ref)
{
	char g[256], v[256], og[256], ov[256];
	objref_gv(ref, g, sizeof(g), v, sizeof(v));
	kz_api_split(kz_str(r->obj, "apiVersion", NULL), og, sizeof(og), ov, sizeof(ov));
	if (strcmp(g, og) != 0 || strcmp(v, ov) != 0 ||
	    strcmp(kz_str(ref, "kind", NULL), kz_kind(r->obj)) != 0)
		return false;
	bool prev = r->meta && r->meta->prev_names.len;
	const char *oname = prev ? r->meta->prev_names.items[0] : kz_name(r->obj);
	if (strcmp(oname, kz_str(ref, "name", NULL)) != 0)
		return false;
	const char *ns = kz_str(ref, "namespace", NULL);
	bool cluster = kz_obj_cluster_scoped(r->obj);
	if (!*ns && !cluster)
		return true;
	const char *ons = prev ? r->meta->prev_ns.items[0] : kz_effective_ns(r->obj);
	const char *want = cluster ? "~X" : (*ns ? ns : "default");
	return strcmp(ons, want) == 0;
}

int kz_vars_collect(const kz_kust *k, kz_acc *acc)
{
	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(k->k, "vars");
	if (!vars || cJSON_IsNull(vars))
		return 0;
	if (!cJSON_IsArray(vars))
		return kz_field_err(k, vars, "vars: must be a list");
	const cJSON *v;
	cJSON_ArrayForEach(v, vars)
	{
		if (check_var(k, v))
			return -1;
		const char *name = kz_str(v, "name", NULL);
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(v, "objref");
		tend_resource *match = NULL;
		for (size_t i = 0; i < acc->res.len; i++) {
			if (!selected(&acc->res.items[i], ref))
				continue;
			if (match)
				return kz_field_err(k, v,
						    "found more than one resId match for var %s "
						    "(unable to disambiguate)",
						    name);
			match = &acc->res.items[i];
		}
		if (match)
			tend_strvec_push(&kz_meta_of(match)->refvars, name);
		const cJSON *seen;
		cJSON_ArrayForEach(seen, acc->vars)
		{
			if (strcmp(kz_str(seen, "name", NULL), name) == 0)
				return kz_field_err(k, v, "var '%s' already encountered", name);
		}
		cJSON_AddItemToArray(acc->vars, cJSON_Duplicate(v, true));
	}
	return 0;
}

/* kyaml's field path: dot-separated, `name[3]` indexes a list. */
static const cJSON *field_value(const cJSON *obj, const char *path)
{
	char *copy = tend_xstrdup(path);
	const cJSON *cur = obj;
	for (char *save = NULL, *t = strtok_r(copy, ".", &save); t && cur;
	     t = strtok_r(NULL, ".", &save)) {
		char *br = strchr(t, '[');
		if (br)
			*br = '\0';
		if (*t)
			cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, t) : NULL;
		while (cur && br) {
			char *end;
			long idx = strtol(br + 1, &end, 10);
			if (end == br + 1 || *end != ']' || !cJSON_IsArray(cur)) {
				cur = NULL;
				break;
			}
			cur = cJSON_GetArrayItem(cur, (int)idx);
			br = end[1] == '[' ? end + 1 : NULL;
		}
	}
	free(copy);
	return cur;
}

typedef struct var_ctx {
	const cJSON *values; /* object: name -> value */
	bool stringify;      /* labels/annotations keep string values */
} var_ctx;

static void scalar_text(const cJSON *v, tend_buf *out)
{
	if (cJSON_IsString(v))
		tend_buf_puts(out, v->valuestring);
	else if (cJSON_IsNumber(v))
		tend_doc_number_text(v, out);
	else if (cJSON_IsBool(v))
		tend_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
}

/* Expands one string node in place (kustomize's expansion.Expand). */
static void expand(cJSON *node, const var_ctx *c)
{
	const char *in = node->valuestring;
	size_t n = strlen(in);
	tend_buf out = TEND_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (in[i] != '$' || i + 1 >= n) {
			tend_buf_putc(&out, in[i]);
			continue;
		}
		if (in[i + 1] == '$') {
			tend_buf_putc(&out, '$');
			i++;
			continue;
		}
		if (in[i + 1] != '(') {
			tend_buf_put(&out, in + i, 2);
			i++;
			continue;
		}
		const char *close = strchr(in + i + 2, ')');
		if (!close) {
			tend_buf_puts(&out, "$(");
			i++;
			continue;
		}
		char *name = tend_xstrndup(in + i + 2, (size_t)(close - in - i - 2));
		const cJSON *val = cJSON_GetObjectItemCaseSensitive(c->values, name);
		if (val && i == 0 && (size_t)(close - in) == n - 1 && !c->stringify &&
		    !cJSON_IsString(val)) {
			/* the whole field is one var: keep the value's type */
			free(name);
			tend_buf_free(&out);
			cJSON *dup = cJSON_Duplicate(val, true);
			free(node->valuestring);
			node->valuestring = dup->valuestring;
			dup->valuestring = NULL;
			node->type = dup->type;
			node->valueint = dup->valueint;
			node->valuedouble = dup->valuedouble;
			cJSON_Delete(dup);
			return;
		}
		if (val)
			scalar_text(val, &out);
		else
			tend_buf_printf(&out, "$(%s)", name);
		free(name);
		i = (size_t)(close - in);
	}
	char *s = tend_buf_detach(&out);
	kz_set_string(node, s);
	free(s);
}

static int replace_vars(cJSON *node, void *ctx)
{
	const var_ctx *c = ctx;
	if (cJSON_IsString(node)) {
		expand(node, c);
	} else if (cJSON_IsObject(node)) {
		for (cJSON *e = node->child; e; e = e->next)
			if (cJSON_IsString(e))
				expand(e, c);
	} else if (cJSON_IsArray(node)) {
		for (cJSON *e = node->child; e; e = e->next) {
			if (!cJSON_IsString(e))
				return tend_err("invalid value type expect a string");
			expand(e, c);
		}
	}
	return 0;
}

int kz_vars_resolve(kz_acc *acc)
{
	if (!acc->vars || !acc->vars->child)
		return 0;
	cJSON *values = cJSON_CreateObject();
	int rc = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, acc->vars)
	{
		const char *name = kz_str(v, "name", NULL);
		const char *path = kz_str(v, "fieldref", "fieldpath");
		if (!*path)
			path = "metadata.name";
		const tend_resource *holder = NULL;
		for (size_t i = 0; i < acc->res.len && !holder; i++) {
			const struct kz_meta *m = acc->res.items[i].meta;
			for (size_t j = 0; m && j < m->refvars.len && !holder; j++)
				if (strcmp(m->refvars.items[j], name) == 0)
					holder = &acc->res.items[i];
		}
		if (!holder) {
			rc = tend_err("var '%s' cannot be mapped to a field in the set of known "
				      "resources",
				      name);
			break;
		}
		const cJSON *val = field_value(holder->obj, path);
		if (!val || cJSON_IsObject(val) || cJSON_IsArray(val) || cJSON_IsNull(val)) {
			rc = tend_err("%s:%d: field specified in var '%s' (%s) not found in "
				      "corresponding resource",
				      holder->file, holder->line, name, path);
			break;
		}
		cJSON_AddItemToObject(values, name, cJSON_Duplicate(val, true));
	}
	for (size_t i = 0; !rc && i < acc->res.len; i++) {
		const kz_fslist *l = &acc->tc.var_reference;
		for (size_t j = 0; !rc && j < l->len; j++) {
			const kz_fs *fs = &l->items[j];
			if (!kz_fs_selects_obj(fs, acc->res.items[i].obj))
				continue;
			var_ctx c = {values, strcmp(fs->path, "metadata/labels") == 0 ||
						     strcmp(fs->path, "metadata/annotations") == 0};
			if (kz_fs_apply(acc->res.items[i].obj, fs, 0, replace_vars, &c))
				rc = tend_err_prefix("%s:%d: ", acc->res.items[i].file,
						     acc->res.items[i].line);
		}
	}
	cJSON_Delete(values);
	return rc;
}
