/*
 * replacements.c — `replacements:`, kustomize's ReplacementTransformer:
 * copy one value from a source object into fields of target objects.
 *
 * Entries are inline `{source, targets}` or `{path}` naming a file that
 * holds one replacement or a list of them; they run in order, each seeing
 * the previous ones' results. The source must select exactly one object
 * (by its current or any earlier id: gvk, name, namespace) and its field
 * must exist; `options.delimiter` and `index` cut one part out of it.
 * Targets select objects by id, labels and annotations (Kubernetes
 * selector syntax), minus those a `reject` selector names; every field path must reach at
 * least one field, unless `options.create` makes it. A target scalar keeps
 * its type and takes the value's text, so "5" into `replicas: 1` is the
 * number 5 and a word there is an error; a new field reads the text as
 * plain YAML; a target map or list is replaced by the value whole. With a
 * target delimiter the value replaces (or, at an index before 0 or past
 * the end, prefixes or suffixes) one part of the target's text.
 */
#include "kustomize_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_FIELD_PATH "metadata.name"

static const char *const REPLACEMENT_FIELDS[] = {"source", "targets", "path", NULL};
static const char *const SOURCE_FIELDS[] = {"group",     "version",   "kind",    "name",
                                            "namespace", "fieldPath", "options", NULL};
static const char *const TARGET_FIELDS[] = {"select", "reject", "fieldPaths", "options", NULL};
static const char *const SELECTOR_FIELDS[] = {
    "group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector", NULL};
static const char *const OPTION_FIELDS[] = {"delimiter", "index", "create", NULL};
/* Fields whose values are not strings; every other field's value must be. */
static const char *const NOT_STRINGS[] = {"source", "targets", "select",      "reject",
                                          "fieldPaths", "options", "index", "create", NULL};

/* Where a replacement came from, for errors. */
typedef struct origin {
	const kz_kust *k;
	const char *file; /* a `path:` file, or NULL for the kustomization */
} origin;

static int node_err(const origin *o, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int node_err(const origin *o, const cJSON *node, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!o->file)
		return kz_field_err(o->k, node, "%s", msg);
	int line = node ? tend_doc_line(node) : 0;
	return line ? tend_err("%s:%d: %s", o->file, line, msg) : tend_err("%s: %s", o->file, msg);
}

static bool known(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Strict decoding of one mapping: known fields, strings where strings go. */
static int check_map(const origin *o, const cJSON *m, const char *what, const char *const *fields)
{
	if (!cJSON_IsObject(m))
		return node_err(o, m, "replacements: %s must be a mapping", what);
	for (const cJSON *f = m->child; f; f = f->next) {
		if (!known(f->string, fields))
			return node_err(o, f, "replacements: %s: unknown field \"%s\"", what,
			                f->string);
		if (!known(f->string, NOT_STRINGS) && !cJSON_IsString(f) && !cJSON_IsNull(f))
			return node_err(o, f, "replacements: %s.%s must be a string", what,
			                f->string);
	}
	return 0;
}

typedef struct options {
	const char *delimiter;
	long index;
	bool create;
} options;

static int read_options(const origin *o, const cJSON *parent, options *out)
{
	memset(out, 0, sizeof(*out));
	out->delimiter = "";
	const cJSON *opt = cJSON_GetObjectItemCaseSensitive(parent, "options");
	if (!opt || cJSON_IsNull(opt))
		return 0;
	if (check_map(o, opt, "options", OPTION_FIELDS))
		return -1;
	out->delimiter = kz_str(opt, "delimiter", NULL);
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(opt, "index");
	if (idx && !cJSON_IsNull(idx)) {
		tend_buf t = TEND_BUF_INIT;
		if (cJSON_IsNumber(idx))
			tend_doc_number_text(idx, &t);
		char *end = NULL;
		out->index = t.data ? strtol(t.data, &end, 10) : 0;
		bool ok = t.data && end && !*end;
		tend_buf_free(&t);
		if (!ok)
			return node_err(o, idx, "replacements: options.index must be an integer");
	}
	const cJSON *create = cJSON_GetObjectItemCaseSensitive(opt, "create");
	if (create && !cJSON_IsBool(create) && !cJSON_IsNull(create))
		return node_err(o, create, "replacements: options.create must be true or false");
	out->create = cJSON_IsTrue(create);
	return 0;
}

/* ---- selecting objects by id (kustomize's ResId.IsSelectedBy) ---- */

typedef struct id_sel {
	char group[256], version[256];
	const char *kind, *name, *namespace;
	kz_selector *meta; /* labelSelector and annotationSelector, or NULL */
} id_sel;

static void read_id_sel(const cJSON *m, id_sel *s)
{
	snprintf(s->group, sizeof(s->group), "%s", kz_str(m, "group", NULL));
	snprintf(s->version, sizeof(s->version), "%s", kz_str(m, "version", NULL));
	s->kind = kz_str(m, "kind", NULL);
	s->name = kz_str(m, "name", NULL);
	s->namespace = kz_str(m, "namespace", NULL);
	s->meta = NULL;
}

static bool id_sel_empty(const id_sel *s)
{
	return !*s->group && !*s->version && !*s->kind && !*s->name && !*s->namespace;
}

static const char *sel_effective_ns(const id_sel *s)
{
	char api[600];
	snprintf(api, sizeof(api), "%s%s%s", s->group, *s->group ? "/" : "", s->version);
	if (kz_is_cluster_scoped(api, s->kind))
		return "~X";
	return *s->namespace ? s->namespace : "default";
}

/* Does one id (kind, name, effective namespace) of r satisfy s? */
static bool id_selected(const tend_resource *r, const char *kind, const char *name,
                        const char *ens, const id_sel *s)
{
	char g[256], v[256];
	kz_api_split(kz_str(r->obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
	if (!kz_fs_selects(s->group, s->version, s->kind, g, v, kind))
		return false;
	if (*s->name && strcmp(s->name, name) != 0)
		return false;
	return !*s->namespace || strcmp(sel_effective_ns(s), ens) == 0;
}

/* One of r's ids, 0 the current one, then its earlier ones (oldest first). */
static size_t id_count(const tend_resource *r)
{
	return 1 + (r->meta ? r->meta->prev_names.len : 0);
}

static bool id_at(const tend_resource *r, size_t i, const id_sel *s)
{
	const char *name = i == 0 ? kz_name(r->obj) : r->meta->prev_names.items[i - 1];
	const char *ens = i == 0 ? kz_effective_ns(r->obj) : r->meta->prev_ns.items[i - 1];
	const char *kind = i == 0 ? kz_kind(r->obj) : r->meta->prev_kinds.items[i - 1];
	return id_selected(r, kind, name, ens, s);
}

/* Does s select one of r's ids while no reject (with an id) selects any? */
static bool selected(const tend_resource *r, const id_sel *s, const id_sel *rejects,
                     size_t nrejects)
{
	bool hit = false;
	for (size_t i = 0; i < id_count(r) && !hit; i++)
		hit = id_at(r, i, s);
	for (size_t j = 0; j < nrejects && hit; j++)
		for (size_t i = 0; i < id_count(r) && hit; i++)
			hit = id_sel_empty(&rejects[j]) || !id_at(r, i, &rejects[j]);
	return hit;
}

/* Labels and annotations: select's must match, no reject's may. */
static bool meta_selected(tend_resource *r, const id_sel *s, const id_sel *rejects,
                          size_t nrejects)
{
	if (s->meta && !kz_selector_matches(s->meta, r))
		return false;
	for (size_t j = 0; j < nrejects; j++)
		if (rejects[j].meta && kz_selector_matches(rejects[j].meta, r))
			return false;
	return true;
}

/* ---- the value ---- */

static void text_of(const cJSON *node, tend_buf *out)
{
	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		kz_scalar_text(node, out);
	if (!out->data)
		tend_buf_puts(out, "");
}

static bool nil_or_empty(const cJSON *n)
{
	return !n || cJSON_IsNull(n) || ((cJSON_IsObject(n) || cJSON_IsArray(n)) && !n->child);
}

static char *describe_sel(const id_sel *s)
{
	return tend_xasprintf("%s%s%s%s%s%s%s%s%s", *s->kind ? s->kind : "(any kind)",
	                      *s->group || *s->version ? " " : "", s->group,
	                      *s->group && *s->version ? "/" : "", s->version,
	                      *s->name ? " named " : "", s->name,
	                      *s->namespace ? " in namespace " : "", s->namespace);
}

/* The source value (a private copy), refined by the source's options. */
static int source_value(const origin *o, const cJSON *src, const tend_resmap *res, cJSON **out)
{
	if (check_map(o, src, "source", SOURCE_FIELDS))
		return -1;
	options opt;
	if (read_options(o, src, &opt))
		return -1;
	id_sel s;
	read_id_sel(src, &s);
	const tend_resource *match = NULL;
	char *what = describe_sel(&s);
	int rc = 0;
	for (size_t i = 0; i < res->len && !rc; i++) {
		if (!selected(&res->items[i], &s, NULL, 0))
			continue;
		if (match)
			rc = node_err(o, src,
			              "replacements: source %s selects more than one object (%s "
			              "and %s)",
			              what, kz_name(match->obj), kz_name(res->items[i].obj));
		match = &res->items[i];
	}
	if (!rc && !match)
		rc = node_err(o, src, "replacements: source %s selects nothing", what);
	free(what);
	if (rc)
		return -1;
	const char *fp = kz_str(src, "fieldPath", NULL);
	if (!*fp)
		fp = DEFAULT_FIELD_PATH;
	tend_strvec path = TEND_STRVEC_INIT;
	kz_fieldpath_split(fp, &path);
	cJSON *node = NULL;
	rc = kz_fieldpath_get(match->obj, path.items, path.len, &node);
	tend_strvec_free(&path);
	if (rc)
		return node_err(o, src, "replacements: source fieldPath %s: %s", fp,
		                tend_err_msg());
	if (nil_or_empty(node))
		return node_err(o, src,
		                "replacements: source fieldPath %s is missing in %s (%s:%d)", fp,
		                kz_name(match->obj), match->file, match->line);
	if (!*opt.delimiter) {
		*out = cJSON_Duplicate(node, true);
		return 0;
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		return node_err(o, src,
		                "replacements: source options.delimiter needs a scalar at %s", fp);
	tend_buf text = TEND_BUF_INIT;
	text_of(node, &text);
	size_t nparts = 1, dl = strlen(opt.delimiter);
	for (const char *p = strstr(text.data, opt.delimiter); p; p = strstr(p + dl, opt.delimiter))
		nparts++;
	if (opt.index < 0 || (size_t)opt.index >= nparts) {
		rc = node_err(o, src,
		              "replacements: source options.index %ld is out of bounds for "
		              "value %s",
		              opt.index, text.data);
		tend_buf_free(&text);
		return rc;
	}
	const char *start = text.data;
	for (long i = 0; i < opt.index; i++)
		start = strstr(start, opt.delimiter) + dl;
	const char *end = strstr(start, opt.delimiter);
	char *part = tend_xstrndup(start, end ? (size_t)(end - start) : strlen(start));
	tend_buf_free(&text);
	/* kustomize copies the node and changes only its text: the tag stays */
	cJSON *n = cJSON_IsString(node) ? cJSON_CreateString(part) : tend_doc_scalar(part, NULL);
	free(part);
	if (!n)
		return node_err(o, src, "replacements: source %s: %s", fp, tend_err_msg());
	*out = n;
	return 0;
}

/* ---- writing a target field ---- */

/* The YAML tag kustomize's node for this scalar carries. */
static const char *tag_of(const cJSON *n)
{
	if (cJSON_IsString(n))
		return "str";
	if (cJSON_IsBool(n))
		return "bool";
	if (cJSON_IsNull(n))
		return "null";
	tend_buf t = TEND_BUF_INIT;
	tend_doc_number_text(n, &t);
	bool integer = t.data && !strpbrk(t.data, ".eE");
	tend_buf_free(&t);
	return integer ? "int" : "float"; /* both tags take any number */
}

/* Splices the value's text into the target's text at options.index. */
static char *delimited(const options *opt, const char *target, const char *value)
{
	tend_strvec parts = TEND_STRVEC_INIT;
	size_t dl = strlen(opt->delimiter);
	const char *p = target;
	for (const char *q; (q = strstr(p, opt->delimiter)); p = q + dl) {
		char *s = tend_xstrndup(p, (size_t)(q - p));
		tend_strvec_push(&parts, s);
		free(s);
	}
	tend_strvec_push(&parts, p);
	tend_buf out = TEND_BUF_INIT;
	if (opt->index < 0)
		tend_buf_printf(&out, "%s%s", value, opt->delimiter);
	for (size_t i = 0; i < parts.len; i++) {
		if (i)
			tend_buf_puts(&out, opt->delimiter);
		tend_buf_puts(&out,
		              opt->index >= 0 && (size_t)opt->index == i ? value : parts.items[i]);
	}
	if (opt->index >= 0 && (size_t)opt->index >= parts.len)
		tend_buf_printf(&out, "%s%s", opt->delimiter, value);
	tend_strvec_free(&parts);
	return tend_buf_detach(&out);
}

static int set_field(const options *opt, cJSON *target, bool created, const cJSON *value)
{
	bool target_scalar = created || (!cJSON_IsObject(target) && !cJSON_IsArray(target));
	tend_buf vtext = TEND_BUF_INIT;
	text_of(value, &vtext);
	char *text = tend_xstrdup(vtext.data);
	tend_buf_free(&vtext);
	if (*opt->delimiter) {
		if (!target_scalar) {
			free(text);
			return tend_err("options.delimiter needs a scalar target");
		}
		tend_buf ttext = TEND_BUF_INIT;
		if (!created)
			text_of(target, &ttext);
		char *joined = delimited(opt, ttext.data ? ttext.data : "", text);
		tend_buf_free(&ttext);
		free(text);
		text = joined;
	}
	cJSON *now = target_scalar ? tend_doc_scalar(text, created ? NULL : tag_of(target))
	                           : cJSON_Duplicate(value, true);
	free(text);
	if (!now)
		return -1;
	if (kz_reread_check(NULL, 0, "value", now)) {
		cJSON_Delete(now);
		return -1;
	}
	kz_set_value(target, now);
	return 0;
}

static int apply_to(const origin *o, const cJSON *t, const options *opt, tend_resource *r,
                    const cJSON *value)
{
	const cJSON *fps = cJSON_GetObjectItemCaseSensitive(t, "fieldPaths");
	cJSON *dflt = NULL;
	if (!fps || cJSON_IsNull(fps) || (cJSON_IsArray(fps) && !fps->child)) {
		dflt = cJSON_CreateArray();
		cJSON_AddItemToArray(dflt, cJSON_CreateString(DEFAULT_FIELD_PATH));
		fps = dflt;
	}
	int create_type = cJSON_IsObject(value)  ? cJSON_Object
	                  : cJSON_IsArray(value) ? cJSON_Array
	                                         : cJSON_String;
	int rc = 0;
	kz_shared_set noted = {0};
	const cJSON *fp;
	cJSON_ArrayForEach(fp, fps)
	{
		if (!cJSON_IsString(fp)) {
			rc = node_err(o, fp, "replacements: fieldPaths entries must be strings");
			break;
		}
		tend_strvec path = TEND_STRVEC_INIT;
		const char *text = fp->valuestring;
		kz_fieldpath_split(text[0] == '.' ? text + 1 : text, &path);
		kz_field *fields = NULL;
		size_t n = 0;
		rc = kz_fieldpath_match(r->obj, path.items, path.len, opt->create ? create_type : 0,
		                        &fields, &n);
		if (!rc && n == 0)
			rc = tend_err(opt->create ? "cannot be found or created" : "not found");
		for (size_t i = 0; i < n && !rc; i++) {
			cJSON *node = fields[i].node;
			int shared = node->type & KZ_SHARED, group = node->valueint;
			rc = set_field(opt, node, fields[i].created, value);
			/* kyaml sets a scalar in its node, which other fields may share */
			if (!rc && shared && !node->child) {
				node->type |= KZ_SHARED;
				node->valueint = group;
				kz_shared_note(&noted, group, node);
			}
		}
		if (rc)
			rc = node_err(o, fp, "replacements: target %s (%s:%d): field %s: %s",
			              kz_name(r->obj), r->file, r->line, fp->valuestring,
			              tend_err_msg());
		free(fields);
		tend_strvec_free(&path);
		if (rc)
			break;
	}
	kz_shared_apply(rc ? NULL : r->obj, &noted);
	cJSON_Delete(dflt);
	return rc;
}

static int read_selector(const origin *o, const cJSON *m, const char *what, id_sel *out)
{
	if (check_map(o, m, what, SELECTOR_FIELDS))
		return -1;
	read_id_sel(m, out);
	out->meta = NULL;
	cJSON *meta = cJSON_CreateObject();
	for (const char *const *f =
	         (const char *const[]){"labelSelector", "annotationSelector", NULL};
	     *f; f++) {
		const cJSON *sel = cJSON_GetObjectItemCaseSensitive(m, *f);
		if (cJSON_IsString(sel) && *sel->valuestring)
			cJSON_AddItemToObject(meta, *f, cJSON_Duplicate(sel, true));
	}
	int rc = 0;
	if (meta->child) {
		kz_kust where = *o->k; /* errors name the file the selector is in */
		if (o->file)
			where.file = (char *)o->file;
		rc = kz_selector_parse(&where, meta, &out->meta);
		if (rc)
			tend_err_prefix("replacements: %s: ", what);
	}
	cJSON_Delete(meta);
	return rc;
}

static int apply_target(const origin *o, const cJSON *t, tend_resmap *res, const cJSON *value)
{
	if (check_map(o, t, "target", TARGET_FIELDS))
		return -1;
	const cJSON *sel = cJSON_GetObjectItemCaseSensitive(t, "select");
	if (!sel || cJSON_IsNull(sel))
		return node_err(o, t, "replacements: a target must have select");
	id_sel s;
	if (read_selector(o, sel, "select", &s))
		return -1;
	const cJSON *rej = cJSON_GetObjectItemCaseSensitive(t, "reject");
	if (rej && !cJSON_IsArray(rej) && !cJSON_IsNull(rej))
		return node_err(o, rej, "replacements: reject must be a list");
	size_t nrej = cJSON_IsArray(rej) ? (size_t)cJSON_GetArraySize(rej) : 0;
	id_sel *rejects = tend_xcalloc(nrej ? nrej : 1, sizeof(*rejects));
	int rc = 0;
	/* select and reject work on labels and annotations too */
	for (size_t i = 0; i < nrej && !rc; i++)
		rc = read_selector(o, cJSON_GetArrayItem(rej, (int)i), "reject", &rejects[i]);
	options opt;
	if (!rc)
		rc = read_options(o, t, &opt);
	const cJSON *fps = cJSON_GetObjectItemCaseSensitive(t, "fieldPaths");
	if (!rc && fps && !cJSON_IsArray(fps) && !cJSON_IsNull(fps))
		rc = node_err(o, fps, "replacements: fieldPaths must be a list");
	for (size_t i = 0; i < res->len && !rc; i++)
		if (meta_selected(&res->items[i], &s, rejects, nrej) &&
		    selected(&res->items[i], &s, rejects, nrej))
			rc = apply_to(o, t, &opt, &res->items[i], value);
	kz_selector_free(s.meta);
	for (size_t i = 0; i < nrej; i++)
		kz_selector_free(rejects[i].meta);
	free(rejects);
	return rc;
}

static int apply_one(const origin *o, const cJSON *r, tend_resmap *res)
{
	if (check_map(o, r, "replacement", REPLACEMENT_FIELDS))
		return -1;
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(r, "source");
	const cJSON *targets = cJSON_GetObjectItemCaseSensitive(r, "targets");
	if (!src || cJSON_IsNull(src) || !targets || cJSON_IsNull(targets))
		return node_err(o, r, "replacements: a replacement needs a source and targets");
	if (!cJSON_IsArray(targets))
		return node_err(o, targets, "replacements: targets must be a list");
	cJSON *value = NULL;
	if (source_value(o, src, res, &value))
		return -1;
	int rc = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, targets)
	{
		if ((rc = apply_target(o, t, res, value)))
			break;
	}
	cJSON_Delete(value);
	return rc;
}

/* A `path:` entry: a file holding one replacement or a list of them. */
static int apply_file(kz_build *b, const kz_kust *k, const cJSON *e, tend_resmap *res)
{
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(e, "path");
	if (cJSON_GetObjectItemCaseSensitive(e, "source") ||
	    cJSON_GetObjectItemCaseSensitive(e, "targets"))
		return kz_field_err(k, e,
		                    "replacements: an entry has either path or source and "
		                    "targets, not both");
	char *file = NULL;
	if (kz_resolve_file(b, k, path, path->valuestring, &file))
		return -1;
	tend_docs docs = TEND_DOCS_INIT;
	int rc = kz_cache_load(b, file, &docs);
	origin o = {k, file};
	/* the cache's tree is shared: fold the field names of a copy */
	cJSON *root = !rc && docs.len ? cJSON_Duplicate(docs.items[0].root, true) : NULL;
	if (cJSON_IsArray(root))
		for (cJSON *r = root->child; r; r = r->next)
			kz_fold_replacement(r);
	else
		kz_fold_replacement(root);
	if (!rc && cJSON_IsArray(root)) {
		const cJSON *r;
		cJSON_ArrayForEach(r, root)
		{
			if ((rc = apply_one(&o, r, res)))
				break;
		}
	} else if (!rc && cJSON_IsObject(root)) {
		rc = apply_one(&o, root, res);
	} else if (!rc) {
		rc = tend_err("%s: a replacements file must hold a replacement or a list of them",
		              file);
	}
	cJSON_Delete(root);
	tend_docs_free(&docs);
	free(file);
	if (rc)
		tend_err_prefix("%s:%d:%d: replacements: path \"%s\": ", k->file,
		                tend_doc_line(path), tend_doc_col(path), path->valuestring);
	return rc;
}

int kz_replacements_transform(kz_build *b, const kz_kust *k, kz_acc *acc)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(k->k, "replacements");
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return kz_field_err(k, list, "replacements: must be a list");
	origin o = {k, NULL};
	const cJSON *e;
	cJSON_ArrayForEach(e, list)
	{
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(e, "path");
		int rc;
		if (path && !cJSON_IsString(path) && !cJSON_IsNull(path))
			return kz_field_err(k, path, "replacements: path must be a string");
		if (cJSON_IsString(path) && *path->valuestring)
			rc = apply_file(b, k, e, &acc->res);
		else
			rc = apply_one(&o, e, &acc->res);
		if (rc)
			return -1;
	}
	return 0;
}
