/*
 * selector.c — kustomize's target selector (types.Selector): group,
 * version, kind, name and namespace as Go regular expressions anchored as
 * ^(?:re)$, a Kubernetes label selector and an annotation selector.
 *
 * As kustomize's ResMap.Select, a name or namespace matches when either the
 * object's original or its current value matches, namespaces compared in
 * their effective form ("default" for none). An empty field selects all.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

enum { SEL_GROUP, SEL_VERSION, SEL_KIND, SEL_NAME, SEL_NAMESPACE, SEL_N };
static const char *const SEL_FIELDS[SEL_N] = {"group", "version", "kind", "name", "namespace"};

/* One requirement of a label selector: key, operator, values. */
typedef struct req {
	char *key;
	enum { OP_EXISTS, OP_NOT_EXISTS, OP_IN, OP_NOT_IN } op;
	tend_strvec values;
} req;

typedef struct reqs {
	req *items;
	size_t len;
} reqs;

struct kz_selector {
	kz_regex *re[SEL_N];
	reqs labels, annotations;
};

static void reqs_free(reqs *r)
{
	for (size_t i = 0; i < r->len; i++) {
		free(r->items[i].key);
		tend_strvec_free(&r->items[i].values);
	}
	free(r->items);
}

void kz_selector_free(kz_selector *s)
{
	if (!s)
		return;
	for (int i = 0; i < SEL_N; i++)
		kz_regex_free(s->re[i]);
	reqs_free(&s->labels);
	reqs_free(&s->annotations);
	free(s);
}

static bool re_match(kz_regex *re, const char *s)
{
	return !re || kz_regex_match(re, s);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static char *token(const char **pp, const char *stops)
{
	const char *p = skip_ws(*pp), *start = p;
	while (*p && !strchr(stops, *p) && *p != ' ' && *p != '\t')
		p++;
	*pp = p;
	return tend_xstrndup(start, (size_t)(p - start));
}

/* Parses "a=b,c!=d,e in (x,y),f notin (z),g,!h" into requirements. */
static int parse_reqs(const char *sel, reqs *out)
{
	const char *p = sel;
	size_t cap = 0;
	while (*(p = skip_ws(p))) {
		req r = {0};
		if (*p == '!') {
			p++;
			r.op = OP_NOT_EXISTS;
			r.key = token(&p, ",");
		} else {
			r.key = token(&p, "=!,(");
			p = skip_ws(p);
			if (strncmp(p, "!=", 2) == 0 || *p == '=') {
				r.op = *p == '!' ? OP_NOT_IN : OP_IN;
				p += *p == '!' || p[1] == '=' ? 2 : 1;
				char *v = token(&p, ",");
				tend_strvec_push(&r.values, v);
				free(v);
			} else if (strncmp(p, "in", 2) == 0 || strncmp(p, "notin", 5) == 0) {
				r.op = p[0] == 'i' ? OP_IN : OP_NOT_IN;
				p = skip_ws(p + (p[0] == 'i' ? 2 : 5));
				if (*p != '(') {
					free(r.key);
					return tend_err("label selector \"%s\": expected '(' after "
					                "in/notin",
					                sel);
				}
				p++;
				while (*(p = skip_ws(p)) && *p != ')') {
					char *v = token(&p, ",)");
					tend_strvec_push(&r.values, v);
					free(v);
					p = skip_ws(p);
					if (*p == ',')
						p++;
				}
				if (*p != ')') {
					free(r.key);
					tend_strvec_free(&r.values);
					return tend_err("label selector \"%s\": missing ')'", sel);
				}
				p++;
			} else {
				r.op = OP_EXISTS;
			}
		}
		if (!r.key[0]) {
			free(r.key);
			tend_strvec_free(&r.values);
			return tend_err("label selector \"%s\": empty key", sel);
		}
		if (out->len == cap) {
			cap = cap ? 2 * cap : 4;
			out->items = tend_xrealloc(out->items, cap * sizeof(req));
		}
		out->items[out->len++] = r;
		p = skip_ws(p);
		if (*p == ',')
			p++;
		else if (*p)
			return tend_err("label selector \"%s\": unexpected \"%s\"", sel, p);
	}
	return 0;
}

static bool reqs_match(const reqs *r, const cJSON *map)
{
	for (size_t i = 0; i < r->len; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(map, r->items[i].key);
		const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
		bool in = false;
		for (size_t j = 0; s && j < r->items[i].values.len; j++)
			in = in || strcmp(s, r->items[i].values.items[j]) == 0;
		switch (r->items[i].op) {
		case OP_EXISTS:
			if (!v)
				return false;
			break;
		case OP_NOT_EXISTS:
			if (v)
				return false;
			break;
		case OP_IN:
			if (!in)
				return false;
			break;
		case OP_NOT_IN:
			if (in)
				return false;
			break;
		}
	}
	return true;
}

int kz_selector_parse(const kz_kust *k, const cJSON *node, kz_selector **out)
{
	*out = NULL;
	if (!cJSON_IsObject(node))
		return kz_field_err(k, node, "target: must be a mapping");
	kz_selector *s = tend_xcalloc(1, sizeof(*s));
	for (const cJSON *f = node->child; f; f = f->next) {
		int i = 0;
		while (i < SEL_N && strcmp(f->string, SEL_FIELDS[i]) != 0)
			i++;
		bool lsel = strcmp(f->string, "labelSelector") == 0;
		bool asel = strcmp(f->string, "annotationSelector") == 0;
		if (i == SEL_N && !lsel && !asel) {
			kz_selector_free(s);
			return kz_field_err(k, f, "target: unknown field \"%s\"", f->string);
		}
		if (cJSON_IsNull(f))
			continue;
		if (!cJSON_IsString(f)) {
			kz_selector_free(s);
			return kz_field_err(k, f, "target.%s: must be a string", f->string);
		}
		if (!f->valuestring[0])
			continue;
		if (lsel || asel) {
			if (parse_reqs(f->valuestring, lsel ? &s->labels : &s->annotations)) {
				kz_selector_free(s);
				return kz_field_err(k, f, "target.%s: %s", f->string,
				                    tend_err_msg());
			}
			continue;
		}
		char *anchored = tend_xasprintf("^(?:%s)$", f->valuestring);
		s->re[i] = kz_regex_new(anchored);
		free(anchored);
		if (!s->re[i]) {
			kz_selector_free(s);
			return kz_field_err(k, f, "target.%s: \"%s\": %s", f->string,
			                    f->valuestring, tend_err_msg());
		}
	}
	*out = s;
	return 0;
}

bool kz_selector_matches(const kz_selector *s, tend_resource *r)
{
	const cJSON *obj = r->obj;
	const struct kz_meta *m = r->meta;
	bool prev = m && m->prev_names.len;
	const char *org_ns = prev ? m->prev_ns.items[0] : kz_effective_ns(obj);
	const char *org_name = prev ? m->prev_names.items[0] : kz_name(obj);
	if (!re_match(s->re[SEL_NAMESPACE], org_ns) &&
	    !re_match(s->re[SEL_NAMESPACE], kz_effective_ns(obj)))
		return false;
	if (!re_match(s->re[SEL_NAME], org_name) && !re_match(s->re[SEL_NAME], kz_name(obj)))
		return false;
	char group[256], version[128];
	kz_api_split(kz_str(obj, "apiVersion", NULL), group, sizeof(group), version,
	             sizeof(version));
	if (!re_match(s->re[SEL_GROUP], group) || !re_match(s->re[SEL_VERSION], version) ||
	    !re_match(s->re[SEL_KIND], kz_kind(obj)))
		return false;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	return reqs_match(&s->labels, cJSON_GetObjectItemCaseSensitive(meta, "labels")) &&
	       reqs_match(&s->annotations, cJSON_GetObjectItemCaseSensitive(meta, "annotations"));
}
