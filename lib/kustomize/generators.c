/*
 * generators.c — configMapGenerator and secretGenerator (kustomize's
 * api/kv and generators packages).
 *
 * Key/value pairs are collected env files first, then literals, then
 * files; a repeated key is an error. Literal values lose one pair of
 * surrounding quotes; env files are read line by line (left-trimmed of
 * what Go's unicode.IsSpace calls space, NEL and U+3000 included,
 * `#` comments and blank lines skipped, split at the first `=`, a BOM
 * dropped from line 1, no further trimming). ConfigMap values that are
 * not UTF-8 go to binaryData (a NUL is UTF-8: kept, stored as C0 80);
 * kz_reread_strings later folds their NELs as kustomize's round trip
 * does, after the hash is taken; Secret values are base64, wrapped at 70
 * columns. A generated object is marked for a hash suffix (added at the
 * root) unless disableNameSuffixHash; `behavior` merge/replace folds it
 * into an object generated earlier with the same id.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct kv {
	char *key;
	char *value;
	size_t len;
} kv;

typedef struct kvlist {
	kv *items;
	size_t len, cap;
} kvlist;

static void kv_add(kvlist *l, const char *key, size_t klen, const char *value, size_t vlen)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = tend_xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	kv *e = &l->items[l->len++];
	e->key = tend_xstrndup(key, klen);
	e->value = tend_xmalloc(vlen + 1);
	memcpy(e->value, value, vlen);
	e->value[vlen] = '\0';
	e->len = vlen;
}

static void kv_free(kvlist *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len;
		unsigned cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t j = 1; j < len; j++) {
			if ((p[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

static const cJSON *list_field(const kz_kust *k, const cJSON *gen, const char *name, int *rc)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(gen, name);
	if (!l || cJSON_IsNull(l))
		return NULL;
	if (!cJSON_IsArray(l)) {
		*rc = kz_field_err(k, l, "%s: must be a list of strings", name);
		return NULL;
	}
	const cJSON *e;
	cJSON_ArrayForEach(e, l)
	{
		if (!cJSON_IsString(e)) {
			*rc = kz_field_err(k, e, "%s: entries must be strings", name);
			return NULL;
		}
	}
	return l;
}

/* Length of the character at p when Go's unicode.IsSpace holds for it
 * (ASCII white space, U+0085, U+00A0 and the Unicode space separators),
 * else 0: kustomize trims env file lines with it. */
static size_t go_space_len(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t left = (size_t)(end - p);
	if (strchr(" \t\n\v\f\r", u[0]) && u[0])
		return 1;
	if (left >= 2 && u[0] == 0xC2 && (u[1] == 0x85 || u[1] == 0xA0))
		return 2;
	if (left < 3)
		return 0;
	unsigned cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
	if ((u[0] & 0xF0) != 0xE0 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80)
		return 0;
	bool space = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
	             cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
	return space ? 3 : 0;
}

static int env_file_pairs(kz_build *b, const kz_kust *k, const cJSON *entry, kvlist *out)
{
	char *path = NULL;
	if (kz_resolve_file(b, k, entry, entry->valuestring, &path))
		return -1;
	tend_buf data = TEND_BUF_INIT;
	int rc = kz_cache_read(b, path, &data);
	free(path);
	const char *p = data.data ? data.data : "";
	const char *end = p + data.len;
	for (int lineno = 0; !rc && p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		if (le > p && le[-1] == '\r')
			le--;
		if (!valid_utf8(p, (size_t)(le - p))) {
			rc = kz_field_err(k, entry, "env file \"%s\": line %d has invalid utf8 bytes",
					  entry->valuestring, lineno);
			break;
		}
		if (lineno == 0 && le - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
			p += 3;
		for (size_t w; p < le && (w = go_space_len(p, le)) > 0;)
			p += w;
		if (p < le && *p != '#') {
			const char *eq = memchr(p, '=', (size_t)(le - p));
			if (eq)
				kv_add(out, p, (size_t)(eq - p), eq + 1, (size_t)(le - eq - 1));
			else
				kv_add(out, p, (size_t)(le - p), "", 0);
		}
		p = next;
	}
	tend_buf_free(&data);
	return rc;
}

static int literal_pair(const kz_kust *k, const cJSON *entry, kvlist *out)
{
	const char *s = entry->valuestring;
	const char *eq = strchr(s, '=');
	if (!eq || eq == s)
		return kz_field_err(k, entry, "invalid literal source %s, expected key=value", s);
	const char *v = eq + 1;
	size_t vlen = strlen(v);
	if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
		v++;
		vlen -= 2;
	}
	/* a NUL in the kustomization is stored as C0 80 (see doc.h): the real byte */
	tend_buf raw = TEND_BUF_INIT;
	for (size_t i = 0; i < vlen; i++) {
		bool nul =
		    i + 1 < vlen && (unsigned char)v[i] == 0xC0 && (unsigned char)v[i + 1] == 0x80;
		tend_buf_putc(&raw, nul ? '\0' : v[i]);
		i += nul;
	}
	kv_add(out, s, (size_t)(eq - s), raw.data ? raw.data : "", raw.len);
	tend_buf_free(&raw);
	return 0;
}

static int file_pair(kz_build *b, const kz_kust *k, const cJSON *entry, kvlist *out)
{
	const char *s = entry->valuestring;
	int eqs = 0;
	for (const char *p = s; *p; p++)
		eqs += *p == '=';
	const char *key, *rel;
	size_t klen;
	if (eqs == 0) {
		rel = s;
		const char *slash = strrchr(s, '/');
		key = slash ? slash + 1 : s;
		klen = strlen(key);
	} else if (eqs > 1) {
		return kz_field_err(k, entry, "key names or file paths cannot contain '='");
	} else if (s[0] == '=') {
		return kz_field_err(k, entry, "key name for file path %s missing", s + 1);
	} else if (s[strlen(s) - 1] == '=') {
		return kz_field_err(k, entry, "file path for key name %.*s missing",
				    (int)(strlen(s) - 1), s);
	} else {
		key = s;
		rel = strchr(s, '=') + 1;
		klen = (size_t)(rel - 1 - s);
	}
	char *path = NULL;
	if (kz_resolve_file(b, k, entry, rel, &path))
		return -1;
	tend_buf data = TEND_BUF_INIT;
	int rc = kz_cache_read(b, path, &data);
	free(path);
	if (!rc)
		kv_add(out, key, klen, data.data ? data.data : "", data.len);
	tend_buf_free(&data);
	return rc;
}

static int collect_pairs(kz_build *b, const kz_kust *k, const cJSON *gen, const char *name,
			 kvlist *out)
{
	int rc = 0;
	const cJSON *envs = list_field(k, gen, "envs", &rc);
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(gen, "env");
	const cJSON *lits = rc ? NULL : list_field(k, gen, "literals", &rc);
	const cJSON *files = rc ? NULL : list_field(k, gen, "files", &rc);
	if (rc)
		return -1;
	if (env && !cJSON_IsNull(env) && !cJSON_IsString(env))
		return kz_field_err(k, env, "env: must be a string");
	const cJSON *e;
	cJSON_ArrayForEach(e, envs)
	{
		if (env_file_pairs(b, k, e, out))
			return -1;
	}
	if (cJSON_IsString(env) && *env->valuestring && env_file_pairs(b, k, env, out))
		return -1;
	cJSON_ArrayForEach(e, lits)
	{
		if (literal_pair(k, e, out))
			return -1;
	}
	cJSON_ArrayForEach(e, files)
	{
		if (file_pair(b, k, e, out))
			return -1;
	}
	/* kubectl's kustomize does not validate key names; only repeats fail. */
	tend_strset seen = TEND_STRSET_INIT;
	for (size_t i = 0; i < out->len && !rc; i++)
		if (!tend_strset_add(&seen, out->items[i].key))
			rc = kz_field_err(k, gen, "configmap %s illegally repeats the key `%s`", name,
					  out->items[i].key);
	tend_strset_free(&seen);
	return rc;
}

/* A map[string]string field: a mapping whose values are all strings. */
int kz_string_map(const kz_kust *k, const cJSON *field, const char *name)
{
	if (!field || cJSON_IsNull(field))
		return 0;
	if (!cJSON_IsObject(field))
		return kz_field_err(k, field, "%s: must be a map of strings", name);
	for (const cJSON *e = field->child; e; e = e->next)
		if (!cJSON_IsString(e))
			return kz_field_err(k, e, "%s.%s: value must be a string", name, e->string);
	return 0;
}

typedef struct gen_opts {
	cJSON *labels;      /* owned object */
	cJSON *annotations; /* owned object */
	bool disable_hash;
	bool immutable;
} gen_opts;

static int check_options(const kz_kust *k, const cJSON *o, const char *name)
{
	if (!o || cJSON_IsNull(o))
		return 0;
	if (!cJSON_IsObject(o))
		return kz_field_err(k, o, "%s: must be a mapping", name);
	for (const cJSON *f = o->child; f; f = f->next) {
		if (strcmp(f->string, "labels") == 0 || strcmp(f->string, "annotations") == 0) {
			if (kz_string_map(k, f, f->string))
				return -1;
		} else if (strcmp(f->string, "disableNameSuffixHash") == 0 ||
			   strcmp(f->string, "immutable") == 0) {
			if (!cJSON_IsBool(f) && !cJSON_IsNull(f))
				return kz_field_err(k, f, "%s.%s: must be true or false", name,
						    f->string);
		} else {
			return kz_field_err(k, f, "%s: unknown field \"%s\"", name, f->string);
		}
	}
	return 0;
}

/* kustomize's MergeGlobalOptionsIntoLocal: local entries win, true flags stick. */
static void merge_options(const cJSON *local, const cJSON *global, gen_opts *o)
{
	static const char *const maps[] = {"labels", "annotations"};
	for (int m = 0; m < 2; m++) {
		cJSON *dst = cJSON_CreateObject();
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(local, maps[m]);
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(global, maps[m]);
		for (const cJSON *e = cJSON_IsObject(l) ? l->child : NULL; e; e = e->next)
			cJSON_AddStringToObject(dst, e->string, e->valuestring);
		for (const cJSON *e = cJSON_IsObject(g) ? g->child : NULL; e; e = e->next)
			if (!cJSON_GetObjectItemCaseSensitive(dst, e->string))
				cJSON_AddStringToObject(dst, e->string, e->valuestring);
		if (m == 0)
			o->labels = dst;
		else
			o->annotations = dst;
	}
	o->disable_hash =
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(local, "disableNameSuffixHash")) ||
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(global, "disableNameSuffixHash"));
	o->immutable = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(local, "immutable")) ||
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(global, "immutable"));
}

static cJSON *make_object(const char *kind, const char *name, const char *ns, const char *type,
			  const kvlist *pairs, const gen_opts *o)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", kind);
	cJSON *meta = cJSON_AddObjectToObject(obj, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	if (ns && *ns)
		cJSON_AddStringToObject(meta, "namespace", ns);
	if (o->labels->child)
		cJSON_AddItemToObject(meta, "labels", cJSON_Duplicate(o->labels, true));
	if (o->annotations->child)
		cJSON_AddItemToObject(meta, "annotations", cJSON_Duplicate(o->annotations, true));
	bool secret = strcmp(kind, "Secret") == 0;
	if (secret)
		cJSON_AddStringToObject(obj, "type", type && *type ? type : "Opaque");
	/* A Secret always carries a data map, a ConfigMap only when it has data. */
	cJSON *data = secret ? cJSON_AddObjectToObject(obj, "data") : NULL, *bin = NULL;
	for (size_t i = 0; i < pairs->len; i++) {
		const kv *p = &pairs->items[i];
		bool text = !secret && valid_utf8(p->value, p->len);
		cJSON **dst = text || secret ? &data : &bin;
		if (!*dst)
			*dst = cJSON_AddObjectToObject(obj, dst == &data ? "data" : "binaryData");
		if (text) {
			tend_buf nul_safe = TEND_BUF_INIT; /* NUL as tend stores it: C0 80 */
			for (size_t j = 0; j < p->len; j++)
				if (p->value[j])
					tend_buf_putc(&nul_safe, p->value[j]);
				else
					tend_buf_put(&nul_safe, "\xC0\x80", 2);
			cJSON_AddStringToObject(*dst, p->key, nul_safe.data ? nul_safe.data : "");
			tend_buf_free(&nul_safe);
		} else {
			tend_buf enc = TEND_BUF_INIT;
			kz_base64_wrapped((const unsigned char *)p->value, p->len, &enc);
			cJSON_AddStringToObject(*dst, p->key, enc.data ? enc.data : "");
			tend_buf_free(&enc);
		}
	}
	if (o->immutable)
		cJSON_AddTrueToObject(obj, "immutable");
	return obj;
}

static const char *const GEN_FIELDS[] = {"name",  "namespace", "behavior", "literals", "files",
					 "envs",  "env",       "options",  "type",     NULL};

static int parse_behavior(const kz_kust *k, const cJSON *b, enum kz_behavior *out)
{
	*out = KZ_BEHAVIOR_UNSPECIFIED;
	if (!b || cJSON_IsNull(b))
		return 0;
	if (!cJSON_IsString(b))
		return kz_field_err(k, b, "behavior: must be a string");
	if (strcmp(b->valuestring, "create") == 0)
		*out = KZ_BEHAVIOR_CREATE;
	else if (strcmp(b->valuestring, "merge") == 0)
		*out = KZ_BEHAVIOR_MERGE;
	else if (strcmp(b->valuestring, "replace") == 0)
		*out = KZ_BEHAVIOR_REPLACE;
	return 0;
}

/* Merges src's map field into dst's: dst (the new object) wins. */
static void merge_map_field(cJSON *dst_parent, const cJSON *src_parent, const char *field)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(src_parent, field);
	if (!cJSON_IsObject(src) || !src->child)
		return;
	cJSON *dst = cJSON_GetObjectItemCaseSensitive(dst_parent, field);
	if (!cJSON_IsObject(dst)) {
		cJSON_DeleteItemFromObjectCaseSensitive(dst_parent, field);
		dst = cJSON_AddObjectToObject(dst_parent, field);
	}
	for (const cJSON *e = src->child; e; e = e->next)
		if (!cJSON_GetObjectItemCaseSensitive(dst, e->string))
			cJSON_AddItemToObject(dst, e->string, cJSON_Duplicate(e, true));
}

/* kustomize's appendReplaceOrMerge for a generated object: the objects with
 * its id as their current or an earlier id; several are an error. */
static int add_generated(const kz_kust *k, const cJSON *gen, kz_acc *acc, cJSON *obj,
			 enum kz_behavior behavior, bool needs_hash)
{
	long idx = -1, found = 0;
	char *want = kz_id_key(obj);
	for (size_t i = 0; i < acc->res.len; i++) {
		tend_resource *r = &acc->res.items[i];
		char *id = kz_id_key(r->obj);
		bool hit = strcmp(id, want) == 0;
		free(id);
		for (size_t j = 0; !hit && r->meta && j < r->meta->prev_names.len; j++) {
			char g[256], v[256];
			kz_api_split(kz_str(r->obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
			char *pid = tend_xasprintf("%s|%s|%s|%s|%s", g, v,
						   r->meta->prev_kinds.items[j],
						   r->meta->prev_ns.items[j],
						   r->meta->prev_names.items[j]);
			hit = strcmp(pid, want) == 0;
			free(pid);
		}
		if (hit && found++ == 0)
			idx = (long)i;
	}
	free(want);
	if (found > 1) {
		char *id = kz_id_string(obj);
		int rc = kz_field_err(k, gen, "found multiple objects that could accept merge of %s",
				      id);
		free(id);
		cJSON_Delete(obj);
		return rc;
	}
	if (idx < 0) {
		if (behavior == KZ_BEHAVIOR_MERGE || behavior == KZ_BEHAVIOR_REPLACE) {
			char *id = kz_id_string(obj);
			int rc = kz_field_err(k, gen, "id %s does not exist; cannot merge or replace",
					      id);
			free(id);
			cJSON_Delete(obj);
			return rc;
		}
		kz_resmap_push(&acc->res, obj, k->file, tend_doc_line(gen));
		struct kz_meta *m = kz_meta_of(&acc->res.items[acc->res.len - 1]);
		m->needs_hash = needs_hash;
		m->behavior = behavior;
		return 0;
	}
	tend_resource *old = &acc->res.items[idx];
	if (behavior != KZ_BEHAVIOR_MERGE && behavior != KZ_BEHAVIOR_REPLACE) {
		char *id = kz_id_string(obj);
		int rc = kz_field_err(k, gen, "id %s exists; behavior must be merge or replace", id);
		free(id);
		cJSON_Delete(obj);
		return rc;
	}
	/* CopyMergeMetaDataFieldsFrom: labels and annotations merged (new wins),
	 * name, namespace and build bookkeeping taken from the old object. */
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *ometa = cJSON_GetObjectItemCaseSensitive(old->obj, "metadata");
	merge_map_field(meta, ometa, "labels");
	merge_map_field(meta, ometa, "annotations");
	kz_set_meta_string(obj, "name", kz_name(old->obj));
	const char *ons = kz_namespace(old->obj);
	if (*ons)
		kz_set_meta_string(obj, "namespace", ons);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	if (behavior == KZ_BEHAVIOR_MERGE) {
		/* kustomize keeps the first generator's origin annotation on merge */
		const cJSON *oann = cJSON_GetObjectItemCaseSensitive(ometa, "annotations");
		const cJSON *origin =
			cJSON_GetObjectItemCaseSensitive(oann, "config.kubernetes.io/origin");
		cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
		if (cJSON_IsString(origin) && cJSON_IsObject(ann)) {
			cJSON_DeleteItemFromObjectCaseSensitive(ann, "config.kubernetes.io/origin");
			cJSON_AddStringToObject(ann, "config.kubernetes.io/origin", origin->valuestring);
		}
		merge_map_field(obj, old->obj, "data");
		merge_map_field(obj, old->obj, "binaryData");
		/* kustomize sets every merged value anew */
		tend_resource merged = {.obj = obj, .file = k->file, .line = tend_doc_line(gen)};
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(obj, "data");
		if (kz_reread_check_all(&merged, data, "data")) {
			cJSON_Delete(obj);
			return -1;
		}
	}
	cJSON_Delete(old->obj);
	old->obj = obj;
	/* Observed with kubectl kustomize v5.5: disabling the hash on either
	 * generator wins, for merge and replace alike. */
	kz_meta_of(old)->needs_hash = kz_meta_of(old)->needs_hash && needs_hash;
	return 0;
}

static int run_one(kz_build *b, const kz_kust *k, const cJSON *gen, const char *kind,
		   kz_acc *acc)
{
	if (!cJSON_IsObject(gen))
		return kz_field_err(k, gen, "%s generator entries must be mappings", kind);
	for (const cJSON *f = gen->child; f; f = f->next) {
		bool known = false;
		for (int i = 0; GEN_FIELDS[i]; i++)
			known = known || strcmp(f->string, GEN_FIELDS[i]) == 0;
		if (!known || (strcmp(f->string, "type") == 0 && strcmp(kind, "Secret") != 0))
			return kz_field_err(k, f, "unknown field \"%s\"", f->string);
	}
	static const char *const strs[] = {"name", "namespace", "type"};
	for (int i = 0; i < 3; i++) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(gen, strs[i]);
		if (s && !cJSON_IsString(s) && !cJSON_IsNull(s))
			return kz_field_err(k, s, "%s: must be a string", strs[i]);
	}
	const cJSON *options = cJSON_GetObjectItemCaseSensitive(gen, "options");
	if (check_options(k, options, "options"))
		return -1;
	enum kz_behavior behavior;
	if (parse_behavior(k, cJSON_GetObjectItemCaseSensitive(gen, "behavior"), &behavior))
		return -1;
	const char *name = kz_str(gen, "name", NULL);
	if (!*name)
		return kz_field_err(k, gen, "a %s generator needs a name", kind);
	kvlist pairs = {0};
	if (collect_pairs(b, k, gen, name, &pairs)) {
		kv_free(&pairs);
		return -1;
	}
	gen_opts o = {0};
	merge_options(options, cJSON_GetObjectItemCaseSensitive(k->k, "generatorOptions"), &o);
	cJSON *obj = make_object(kind, name, kz_str(gen, "namespace", NULL),
				 kz_str(gen, "type", NULL), &pairs, &o);
	kv_free(&pairs);
	tend_resource made = {.obj = obj, .file = k->file, .line = tend_doc_line(gen)};
	if (kz_reread_check_all(&made, cJSON_GetObjectItemCaseSensitive(obj, "data"), "data")) {
		cJSON_Delete(obj);
		cJSON_Delete(o.labels);
		cJSON_Delete(o.annotations);
		return -1;
	}
	kz_origin_generator(b, obj, k, kind);
	cJSON_Delete(o.labels);
	cJSON_Delete(o.annotations);
	return add_generated(k, gen, acc, obj, behavior, !o.disable_hash);
}

int kz_run_generators(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	if (check_options(k, cJSON_GetObjectItemCaseSensitive(k->k, "generatorOptions"),
			  "generatorOptions"))
		return -1;
	static const char *const fields[] = {"configMapGenerator", "secretGenerator"};
	static const char *const kinds[] = {"ConfigMap", "Secret"};
	for (int i = 0; i < 2; i++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(k->k, fields[i]);
		if (!list || cJSON_IsNull(list))
			continue;
		if (!cJSON_IsArray(list))
			return kz_field_err(k, list, "%s: must be a list", fields[i]);
		const cJSON *gen;
		cJSON_ArrayForEach(gen, list)
		{
			if (run_one(b, k, gen, kinds[i], acc))
				return -1;
		}
	}
	return 0;
}
