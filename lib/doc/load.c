/*
 * load.c — YAML stream -> cJSON documents, driven by libyaml's event parser.
 *
 * Invariants: a failed load appends nothing (documents are collected in a
 * private list and moved out only on success); every collection is bounded
 * by TEND_DOC_MAX_DEPTH, every mapping by TEND_DOC_MAX_KEYS and every stream
 * by TEND_DOC_MAX_NODES and TEND_DOC_MAX_DOCS, with alias copies counted
 * against TEND_DOC_MAX_ALIAS_NODES so a billion-laughs document fails fast
 * instead of eating memory; work is linear in the input (keys are looked
 * up by hash).
 */
#include "doc_internal.h"

#include "../fs/fs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct anchor {
	char *name;
	cJSON *node; /* borrowed: lives inside a document being built */
	size_t nodes;
	const char *text; /* a scalar's source text, for aliases inside annotations */
	bool empty_plain; /* an empty plain scalar without a tag: as a key it reads "" */
} anchor;

/*
 * A mapping's keys, indexed by hash once it holds more than a few, so that
 * the duplicate-key check and `<<` merges stay linear in the mapping's size
 * (a list scan per key made a 100k-key ConfigMap take 35 s). The entries
 * are borrowed: they point at the mapping's own children.
 */
typedef struct keyset {
	const cJSON **slots;
	size_t cap;
} keyset;

#define KEYSET_MIN 16 /* below this, a scan of the children is cheaper */

typedef struct frame {
	cJSON *node;
	keyset keys;   /* mapping: filled once n_keys reaches KEYSET_MIN */
	size_t n_keys; /* mapping: keys so far, bounded by TEND_DOC_MAX_KEYS */
	char *key;     /* mapping: the pending key, NULL when a key is expected */
	int key_line, key_col;
	bool key_is_merge;
	cJSON *merges; /* mapping: sources of `<<` keys, in order */
	char *anchor;
	size_t first_node; /* node count when the collection started */
	bool flow;         /* a [..] or {..} collection */
	bool drop_value;   /* the pending key is a quoted "<<": kustomize drops the pair */
} frame;

typedef struct loader {
	const char *label;
	const char *src; /* the input, for checks on raw scalar text */
	size_t src_len;
	frame stack[TEND_DOC_MAX_DEPTH + 1];
	int depth;
	anchor *anchors;
	size_t n_anchors, cap_anchors;
	size_t nodes, alias_nodes;
	cJSON *root;
	int root_line;
	cJSON *orphans;         /* anchored nodes no longer in a tree (keys, merge sources) */
	bool plain_annotations; /* TEND_DOC_PLAIN_ANNOTATIONS */
	bool v2_bools;          /* TEND_DOC_V2_BOOLS */
	bool last_key_wins;     /* TEND_DOC_LAST_KEY_WINS */
	bool first_key_wins;    /* TEND_DOC_FIRST_KEY_WINS */
	bool no_bool_keys;      /* TEND_DOC_NO_BOOL_KEYS */
	bool no_rewrite;        /* TEND_DOC_NO_REWRITE */
	bool lists_decoded;     /* DOC_LISTS_DECODED */
} loader;

/*
 * Private flag: the stream holds a list document among others. kustomize's
 * reader keeps the nodes of a list that is its stream's only document, but
 * decodes one among others into Go values to flatten it: its items keep no
 * annotation source text and never go through go-yaml's writer.
 */
#define DOC_LISTS_DECODED (1u << 30)

static int fail_at(loader *l, const yaml_mark_t *m, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	return tend_err("%s:%zu:%zu: %s", l->label, m->line + 1, m->column + 1, msg);
}

static void set_pos(cJSON *node, const yaml_mark_t *m)
{
	node->valueint = (int)m->line + 1;
	if (!cJSON_IsNumber(node))
		node->valuedouble = (double)m->column + 1;
}

int tend_doc_line(const cJSON *node)
{
	return node ? node->valueint : 0;
}

int tend_doc_col(const cJSON *node)
{
	if (!node || cJSON_IsNumber(node))
		return 0;
	return (int)node->valuedouble;
}

void tend_doc_no_pos(cJSON *node)
{
	node->valueint = 0;
	if (!cJSON_IsNumber(node))
		node->valuedouble = 0;
}

cJSON *tend_doc_number(const char *json_text)
{
	cJSON *n = cJSON_CreateNumber(strtod(json_text, NULL));
	n->valuestring = tend_xstrdup(json_text);
	n->valueint = 0;
	return n;
}

static void clear_anchors(loader *l)
{
	for (size_t i = 0; i < l->n_anchors; i++)
		free(l->anchors[i].name);
	l->n_anchors = 0;
}

static void add_anchor(loader *l, const char *name, cJSON *node, size_t nodes)
{
	/* A redefined anchor shadows the earlier one: search from the end. */
	if (l->n_anchors == l->cap_anchors) {
		l->cap_anchors = l->cap_anchors ? l->cap_anchors * 2 : 8;
		l->anchors = tend_xrealloc(l->anchors, l->cap_anchors * sizeof(*l->anchors));
	}
	l->anchors[l->n_anchors++] = (anchor){.name = tend_xstrdup(name), .node = node, .nodes = nodes};
}

static anchor *find_anchor(loader *l, const char *name)
{
	for (size_t i = l->n_anchors; i-- > 0;)
		if (strcmp(l->anchors[i].name, name) == 0)
			return &l->anchors[i];
	return NULL;
}

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h ^= h >> 33; /* spread the high bits into the ones the mask keeps */
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static size_t keyset_slot(const cJSON **slots, size_t cap, const char *key)
{
	size_t i = (size_t)(key_hash(key) & (cap - 1));
	while (slots[i] && strcmp(slots[i]->string, key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Adds a child (its ->string is the key); the table is at most half full. */
static void keyset_put(keyset *ks, size_t n_keys, const cJSON *item)
{
	if (n_keys * 2 > ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 2 * KEYSET_MIN;
		while (n_keys * 2 > cap)
			cap *= 2;
		const cJSON **slots = tend_xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < ks->cap; i++)
			if (ks->slots[i])
				slots[keyset_slot(slots, cap, ks->slots[i]->string)] = ks->slots[i];
		free(ks->slots);
		ks->slots = slots;
		ks->cap = cap;
	}
	ks->slots[keyset_slot(ks->slots, ks->cap, item->string)] = item;
}

/* The mapping's child named key, or NULL. */
static const cJSON *frame_key(const frame *f, const char *key)
{
	if (!f->keys.cap)
		return cJSON_GetObjectItemCaseSensitive(f->node, key);
	return f->keys.slots[keyset_slot(f->keys.slots, f->keys.cap, key)];
}

/* Adds item under key to the mapping, counting it against TEND_DOC_MAX_KEYS. */
static int frame_add(loader *l, frame *f, const char *key, cJSON *item, int line, int col)
{
	if (f->n_keys >= TEND_DOC_MAX_KEYS) {
		cJSON_Delete(item);
		return tend_err("%s:%d:%d: more than %u keys in one mapping (TEND_DOC_MAX_KEYS)",
		                l->label, line, col, TEND_DOC_MAX_KEYS);
	}
	cJSON_AddItemToObject(f->node, key, item);
	f->n_keys++;
	if (f->keys.cap) {
		keyset_put(&f->keys, f->n_keys, item);
	} else if (f->n_keys >= KEYSET_MIN) {
		const cJSON *c;
		size_t n = 0;
		cJSON_ArrayForEach(c, f->node) keyset_put(&f->keys, ++n, c);
	}
	return 0;
}

static bool in_flow(const loader *l)
{
	return l->depth > 0 && l->stack[l->depth - 1].flow;
}

/* Checks on the raw text that go-yaml v3 (kustomize's parser) rejects although libyaml accepts. */
static int check_raw(loader *l, const yaml_event_t *ev)
{
	size_t a = ev->start_mark.index, b = ev->end_mark.index;
	if (b > l->src_len || a >= b)
		return 0;
	const char *t = l->src + a;
	size_t n = b - a;
	if (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		for (size_t i = 0; i + 1 < n; i++) {
			if (t[i] != '\\')
				continue;
			if (t[i + 1] == '/')
				return fail_at(l, &ev->start_mark,
				               "invalid escape \\/ in a double-quoted "
				               "string%s",
				               NULL);
			if (t[i + 1] == 'u' && i + 5 < n && (t[i + 2] == 'd' || t[i + 2] == 'D') &&
			    strchr("89abAB", t[i + 3]))
				return fail_at(l, &ev->start_mark,
				               "UTF-16 surrogate escapes are not valid here%s",
				               NULL);
			i++;
		}
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && in_flow(l) && memchr(t, '?', n))
		return fail_at(l, &ev->start_mark,
		               "'?' inside a plain scalar in a flow collection (quote the value)%s",
		               NULL);
	return 0;
}

static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n = c < 0x80             ? 1
	           : (c & 0xE0) == 0xC0 ? 2
	           : (c & 0xF0) == 0xE0 ? 3
	           : (c & 0xF8) == 0xF0 ? 4
	                                : 0;
	if (n == 0 || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* A scalar's string value as kustomize ends up with it (tend_doc_reread_text). */
static int clean_string(loader *l, const yaml_event_t *ev, const char *v, size_t n, tend_buf *out)
{
	const char *problem = doc_reread_text(v, n, out);
	return problem ? fail_at(l, &ev->start_mark, "%s", problem) : 0;
}

/* go-yaml v3 re-emits a folded scalar with a blank line before each
 * more-indented line (its emitter checks the wrong index), and kustomize
 * reads that back: the value gains a line break there. Only where it
 * writes the scalar folded (doc_go_block_allowed), and not in annotations,
 * which kustomize rewrites as plain strings before that. */
void tend_doc_fold_like_go(tend_buf *b)
{
	if (b->len == 0 || b->data[0] == ' ' || b->data[0] == '\t' ||
	    !doc_go_block_allowed(b->data, b->len))
		return;
	tend_buf out = TEND_BUF_INIT;
	bool line_start = true, leading_blank = false;
	for (size_t i = 0; i < b->len; i++) {
		char c = b->data[i];
		if (line_start) {
			leading_blank = c == ' ' || c == '\t';
			line_start = false;
		}
		if (c == '\n') {
			bool after_text = i > 0 && b->data[i - 1] != '\n';
			if (after_text && !leading_blank && i + 1 < b->len &&
			    (b->data[i + 1] == ' ' || b->data[i + 1] == '\t'))
				tend_buf_putc(&out, '\n');
			line_start = true;
		}
		tend_buf_putc(&out, c);
	}
	tend_buf_free(b);
	*b = out;
}

static char *base64_decode(const char *s, size_t n)
{
	static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	tend_buf out = TEND_BUF_INIT;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = s[i] ? strchr(abc, s[i]) : NULL;
		if (!p)
			continue; /* whitespace and padding */
		acc = (acc << 6) | (unsigned)(p - abc);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			tend_buf_putc(&out, (char)((acc >> bits) & 0xFF));
		}
	}
	/* Go's encoding/json replaces invalid UTF-8 with U+FFFD */
	tend_buf fixed = TEND_BUF_INIT;
	for (size_t i = 0; i < out.len;) {
		size_t k = utf8_len((const unsigned char *)out.data + i, out.len - i);
		if (k == 0) {
			tend_buf_puts(&fixed, "\xEF\xBF\xBD");
			i++;
		} else {
			tend_buf_put(&fixed, out.data + i, k);
			i += k;
		}
	}
	tend_buf_free(&out);
	return tend_buf_detach(&fixed);
}

/* Inside the items of a list whose kind came before `items`: the list
 * document itself (level 0) or a list among its items (level 1). */
static bool in_list_items(const loader *l, int level)
{
	const frame *f = &l->stack[2 * level];
	if (l->depth < 2 * level + 2 || !cJSON_IsObject(f[0].node) || !f[0].key ||
	    strcmp(f[0].key, "items") != 0 || !cJSON_IsArray(f[1].node))
		return false;
	const cJSON *kind = frame_key(&f[0], "kind");
	size_t n = cJSON_IsString(kind) ? strlen(kind->valuestring) : 0;
	return n >= 4 && strcmp(kind->valuestring + n - 4, "List") == 0;
}

/* Scalar event -> node, with kustomize's resolution rules. */
/*
 * kustomize rewrites each resource's metadata.annotations as a string map:
 * values keep their source text, collections become "", and a key that
 * reads as a number, boolean or null fails the build. True when the node
 * being made sits directly in that map (depth 3 below the document root).
 */
static bool in_field(const frame *f, const char *key)
{
	return cJSON_IsObject(f->node) && f->key && strcmp(f->key, key) == 0;
}

/* Directly in an object's metadata.annotations: a document's, or an item's
 * of a list document (items[].metadata.annotations). The items of a list
 * inside a list go through a map first and keep no source text. */
static bool annotation_slot(const loader *l)
{
	int d = l->depth;
	const frame *s = l->stack;
	if ((d != 3 && (d != 5 || l->lists_decoded)) || !cJSON_IsObject(s[d - 1].node) ||
	    !in_field(&s[d - 2], "annotations") || !in_field(&s[d - 3], "metadata"))
		return false;
	return d == 3 || (cJSON_IsArray(s[1].node) && in_field(&s[0], "items"));
}

static bool in_annotations(const loader *l)
{
	return !l->plain_annotations && annotation_slot(l);
}

/* TEND_DOC_PLAIN_ANNOTATIONS: a patch's annotation value that is not null
 * (which deletes) keeps its source text too. */
static bool patch_annotation_text(const loader *l, const yaml_event_t *ev)
{
	if (!l->plain_annotations || !annotation_slot(l) || !l->stack[l->depth - 1].key)
		return false;
	doc_scalar sc = {.kind = DOC_STR};
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag)
		doc_resolve_plain((const char *)ev->data.scalar.value, ev->data.scalar.length, &sc);
	return sc.kind != DOC_NULL;
}

static int make_annotation_scalar(loader *l, const yaml_event_t *ev, cJSON **out)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	if (!l->stack[l->depth - 1].key) {
		doc_scalar sc = {.kind = DOC_STR};
		doc_resolve_plain(v, n, &sc);
		if (sc.kind != DOC_STR && sc.kind != DOC_TIME)
			return fail_at(l, &ev->start_mark,
			               "annotation key \"%s\" reads as a number, boolean or null; "
			               "kustomize cannot build it (use a name with a letter)",
			               v);
	}
	tend_buf b = TEND_BUF_INIT;
	if (clean_string(l, ev, v, n, &b)) {
		tend_buf_free(&b);
		return -1;
	}
	*out = cJSON_CreateString(b.data ? b.data : "");
	tend_buf_free(&b);
	set_pos(*out, &ev->start_mark);
	if (ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
		(*out)->type |= TEND_DOC_FOLDED_TEXT;
	if (l->stack[l->depth - 1].key && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    !ev->data.scalar.tag) {
		doc_scalar sc = {.kind = DOC_STR};
		doc_resolve_plain(v, n, &sc);
		if (sc.kind != DOC_STR && sc.kind != DOC_NONFINITE)
			(*out)->type |= TEND_DOC_TYPED_TEXT;
	}
	return 0;
}

static int make_scalar(loader *l, const yaml_event_t *ev, cJSON **out)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	doc_scalar sc = {.kind = DOC_STR};
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (check_raw(l, ev))
		return -1;
	if (tag && strcmp(tag, "tag:yaml.org,2002:binary") == 0) {
		char *text = base64_decode(v, n);
		tend_buf b = TEND_BUF_INIT;
		int rc = clean_string(l, ev, text, strlen(text), &b);
		free(text);
		if (rc) {
			tend_buf_free(&b);
			return -1;
		}
		*out = cJSON_CreateString(b.data ? b.data : "");
		tend_buf_free(&b);
		set_pos(*out, &ev->start_mark);
		return 0;
	}
	if (tag && strncmp(tag, "tag:yaml.org,2002:", 18) == 0 && strcmp(tag + 18, "str") != 0) {
		if (!doc_resolve_tagged(tag, v, n, &sc))
			return fail_at(l, &ev->start_mark, "value cannot be read as %s", tag + 18);
	} else if (plain && !tag && !(n == 0 && in_flow(l))) {
		/* an empty value inside {..} is "" for go-yaml v3, not null */
		doc_resolve_plain(v, n, &sc);
		if (l->v2_bools && sc.kind == DOC_STR && doc_v2_bool(v, n, &sc.boolean))
			sc.kind = DOC_BOOL;
	}
	switch (sc.kind) {
	case DOC_NULL:
		*out = cJSON_CreateNull();
		break;
	case DOC_BOOL:
		*out = cJSON_CreateBool(sc.boolean);
		break;
	case DOC_NUMBER:
		*out = tend_doc_number(sc.text);
		break;
	case DOC_TIME: /* go-yaml v2 (sigs.k8s.io/yaml) leaves a timestamp as written */
		*out = l->v2_bools ? cJSON_CreateString(v) : cJSON_CreateString(sc.text);
		break;
	case DOC_NONFINITE:
		return fail_at(l, &ev->start_mark,
		               "%s: infinity and NaN cannot be represented in JSON", NULL);
	case DOC_STR: {
		tend_buf b = TEND_BUF_INIT;
		if (clean_string(l, ev, v, n, &b)) {
			tend_buf_free(&b);
			return -1;
		}
		if (ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE && !l->no_rewrite &&
		    !(l->lists_decoded && in_list_items(l, 0)) && !in_list_items(l, 1))
			tend_doc_fold_like_go(&b);
		*out = cJSON_CreateString(b.data ? b.data : "");
		tend_buf_free(&b);
		break;
	}
	}
	set_pos(*out, &ev->start_mark);
	return 0;
}

static bool is_merge_key(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       ev->data.scalar.length == 2 && memcmp(ev->data.scalar.value, "<<", 2) == 0;
}

/* Applies `<<` sources: explicit keys win, earlier sources win over later. */
static int apply_merges(loader *l, frame *f, const yaml_mark_t *m)
{
	if (!f->merges)
		return 0;
	cJSON *src;
	cJSON_ArrayForEach(src, f->merges)
	{
		cJSON *list = cJSON_IsArray(src) ? src : NULL;
		cJSON *one = list ? list->child : src;
		for (; one; one = list ? one->next : NULL) {
			if (!cJSON_IsObject(one))
				return fail_at(
				    l, m, "merge key << needs a mapping or a list of mappings%s",
				    NULL);
			cJSON *kv;
			cJSON_ArrayForEach(kv, one)
			{
				if (frame_key(f, kv->string))
					continue;
				if (frame_add(l, f, kv->string, cJSON_Duplicate(kv, 1),
				              (int)m->line + 1, (int)m->column + 1))
					return -1;
			}
			if (!list)
				break;
		}
	}
	/* Sources may carry anchors that later aliases still read. */
	cJSON_AddItemToArray(l->orphans, f->merges);
	f->merges = NULL;
	return 0;
}

static void free_frame(frame *f)
{
	free(f->key);
	free(f->anchor);
	cJSON_Delete(f->merges);
	free(f->keys.slots);
	f->key = f->anchor = NULL;
	f->merges = NULL;
	f->keys = (keyset){0};
}

/* An alias or collection as an annotation value: its text, "" for collections. */
static cJSON *annotation_text(cJSON *node)
{
	tend_buf b = TEND_BUF_INIT;
	if (cJSON_IsNumber(node))
		tend_doc_number_text(node, &b);
	else if (cJSON_IsBool(node))
		tend_buf_puts(&b, cJSON_IsTrue(node) ? "true" : "false");
	cJSON *s = cJSON_CreateString(b.data ? b.data : "");
	s->valueint = node->valueint;
	s->valuedouble = cJSON_IsNumber(node) ? 0 : node->valuedouble;
	tend_buf_free(&b);
	return s;
}

static bool is_empty_plain(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 0 &&
	       ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
}

/*
 * True when a null key is an empty plain scalar, written or through an
 * alias: kustomize writes the node back as YAML, where go-yaml quotes an
 * empty key (''), and reads the key "" from that. A key written null, ~ or
 * !!null stays null and fails.
 */
static bool key_reads_empty(loader *l, const yaml_event_t *ev)
{
	if (ev->type == YAML_ALIAS_EVENT) {
		const anchor *a = find_anchor(l, (const char *)ev->data.alias.anchor);
		return a && a->empty_plain;
	}
	return is_empty_plain(ev);
}

/* Places a finished node into its parent (or as the document root). */
static int attach(loader *l, cJSON *node, const yaml_event_t *ev, bool anchored)
{
	if (l->depth == 0) {
		l->root = node;
		l->root_line = (int)ev->start_mark.line + 1;
		return 0;
	}
	frame *p = &l->stack[l->depth - 1];
	if (cJSON_IsArray(p->node)) {
		cJSON_AddItemToArray(p->node, node);
		return 0;
	}
	if (!p->key) {
		/* kustomize's JSON round trip leaves NEL raw in a key, where the
		 * YAML reader takes it for a line break in a one-line key */
		if (ev->type == YAML_SCALAR_EVENT &&
		    memmem(ev->data.scalar.value, ev->data.scalar.length, "\xC2\x85", 2)) {
			cJSON_Delete(node);
			return fail_at(l, &ev->start_mark,
			               "a mapping key holding U+0085 (NEL) cannot be built%s",
			               NULL);
		}
		/* node is a key; JSON conversion writes a v2 boolean key as its name */
		if (l->v2_bools && cJSON_IsBool(node) && l->no_bool_keys) {
			cJSON_Delete(node);
			return fail_at(l, &ev->start_mark,
			               "mapping key read as a boolean (YAML 1.1 y/n/yes/no/on/off): "
			               "quote it%s",
			               NULL);
		}
		if (l->v2_bools && cJSON_IsBool(node)) {
			cJSON *name = cJSON_CreateString(cJSON_IsTrue(node) ? "true" : "false");
			name->valueint = node->valueint;
			name->valuedouble = node->valuedouble;
			cJSON_Delete(node);
			node = name;
		}
		if (cJSON_IsNull(node) && key_reads_empty(l, ev)) {
			cJSON *empty = cJSON_CreateString("");
			empty->valueint = node->valueint;
			empty->valuedouble = node->valuedouble;
			if (anchored)
				cJSON_AddItemToArray(l->orphans, node);
			else
				cJSON_Delete(node);
			node = empty;
			anchored = false;
		}
		if (!cJSON_IsString(node)) {
			cJSON_Delete(node);
			return fail_at(l, &ev->start_mark,
			               "mapping keys must be strings (quote it)%s", NULL);
		}
		p->key = tend_xstrdup(node->valuestring);
		p->key_line = (int)ev->start_mark.line + 1;
		p->key_col = (int)ev->start_mark.column + 1;
		p->key_is_merge = is_merge_key(ev);
		p->drop_value = !p->key_is_merge && strcmp(p->key, "<<") == 0;
		if (anchored)
			cJSON_AddItemToArray(l->orphans, node);
		else
			cJSON_Delete(node);
		return 0;
	}
	if (p->drop_value) {
		/* go-yaml treats any "<<" key as a merge and kustomize then loses it */
		cJSON_AddItemToArray(l->orphans, node);
	} else if (p->key_is_merge) {
		if (!p->merges)
			p->merges = cJSON_CreateArray();
		cJSON_AddItemToArray(p->merges, node);
	} else {
		if (in_annotations(l) && !cJSON_IsString(node)) {
			cJSON *text = annotation_text(node);
			if (anchored)
				cJSON_AddItemToArray(l->orphans, node);
			else
				cJSON_Delete(node);
			node = text;
		}
		cJSON *dup = (cJSON *)frame_key(p, p->key);
		if (dup && l->first_key_wins) {
			/* may be an anchor's node: kept aside, not freed */
			cJSON_AddItemToArray(l->orphans, node);
			free(p->key);
			p->key = NULL;
			return 0;
		}
		if (dup && l->last_key_wins) {
			/* the earlier value may be an anchor's: kept aside, not freed */
			cJSON_AddItemToArray(l->orphans, cJSON_DetachItemViaPointer(p->node, dup));
			p->n_keys--;
		} else if (dup) {
			char msg[600];
			snprintf(msg, sizeof(msg), "duplicate key \"%.400s\" (first at line %d)",
			         p->key, tend_doc_line(dup));
			cJSON_Delete(node);
			return tend_err("%s:%d:%d: %s", l->label, p->key_line, p->key_col, msg);
		}
		/* The node's position is where its key is: that is where a user looks. */
		node->valueint = p->key_line;
		if (!cJSON_IsNumber(node))
			node->valuedouble = p->key_col;
		if (frame_add(l, p, p->key, node, p->key_line, p->key_col))
			return -1;
	}
	free(p->key);
	p->key = NULL;
	return 0;
}

static int count_node(loader *l, const yaml_event_t *ev)
{
	if (++l->nodes > TEND_DOC_MAX_NODES)
		return tend_err("%s:%zu:%zu: more than %u nodes in one file (TEND_DOC_MAX_NODES)",
		                l->label, ev->start_mark.line + 1, ev->start_mark.column + 1,
		                TEND_DOC_MAX_NODES);
	return 0;
}

static int on_event(loader *l, yaml_event_t *ev)
{
	cJSON *node = NULL;
	const char *anchor_name = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (count_node(l, ev))
			return -1;
		anchor_name = (const char *)ev->data.scalar.anchor;
		if (in_annotations(l) || patch_annotation_text(l, ev)) {
			/* the map gets the text; an alias elsewhere still reads the value */
			cJSON *value = NULL;
			if (make_annotation_scalar(l, ev, &node) ||
			    (anchor_name && make_scalar(l, ev, &value))) {
				cJSON_Delete(node);
				return -1;
			}
			if (anchor_name) {
				cJSON_AddItemToArray(l->orphans, value);
				add_anchor(l, anchor_name, value, 1);
				l->anchors[l->n_anchors - 1].text = node->valuestring;
				l->anchors[l->n_anchors - 1].empty_plain = is_empty_plain(ev);
			}
			return attach(l, node, ev, false);
		}
		if (make_scalar(l, ev, &node))
			return -1;
		if (anchor_name) {
			add_anchor(l, anchor_name, node, 1);
			l->anchors[l->n_anchors - 1].empty_plain = is_empty_plain(ev);
		}
		return attach(l, node, ev, anchor_name != NULL);
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		anchor *a = find_anchor(l, name);
		if (!a)
			return fail_at(l, &ev->start_mark, "unknown anchor \"%s\"", name);
		l->alias_nodes += a->nodes;
		l->nodes += a->nodes;
		if (l->alias_nodes > TEND_DOC_MAX_ALIAS_NODES)
			return fail_at(
			    l, &ev->start_mark,
			    "aliases expand to more than TEND_DOC_MAX_ALIAS_NODES (200000) "
			    "nodes (alias \"%s\")",
			    name);
		if (l->nodes > TEND_DOC_MAX_NODES)
			return tend_err("%s:%zu:%zu: more than %u nodes in one file "
			                "(TEND_DOC_MAX_NODES)",
			                l->label, ev->start_mark.line + 1,
			                ev->start_mark.column + 1, TEND_DOC_MAX_NODES);
		node = cJSON_Duplicate(a->node, 1);
		if (a->text && in_annotations(l)) {
			cJSON_Delete(node);
			node = cJSON_CreateString(a->text);
			set_pos(node, &ev->start_mark);
		}
		return attach(l, node, ev, false);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		if (count_node(l, ev))
			return -1;
		if (l->depth >= TEND_DOC_MAX_DEPTH)
			return fail_at(l, &ev->start_mark,
			               "nesting deeper than TEND_DOC_MAX_DEPTH (128)%s", NULL);
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		frame *f = &l->stack[l->depth++];
		memset(f, 0, sizeof(*f));
		f->node = seq ? cJSON_CreateArray() : cJSON_CreateObject();
		f->flow = seq ? ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
		              : ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		set_pos(f->node, &ev->start_mark);
		f->first_node = l->nodes;
		anchor_name = (const char *)(seq ? ev->data.sequence_start.anchor
		                                 : ev->data.mapping_start.anchor);
		if (anchor_name)
			f->anchor = tend_xstrdup(anchor_name);
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		frame *f = &l->stack[l->depth - 1];
		if (apply_merges(l, f, &ev->start_mark))
			return -1;
		node = f->node;
		f->node = NULL;
		bool anchored = f->anchor != NULL;
		if (anchored)
			add_anchor(l, f->anchor, node, l->nodes - f->first_node + 1);
		free_frame(f);
		l->depth--;
		/* attach() reads the start mark for root_line; use the node's own line */
		yaml_event_t at = *ev;
		at.start_mark.line = (size_t)(tend_doc_line(node) - 1);
		at.start_mark.column = (size_t)(tend_doc_col(node) - 1);
		return attach(l, node, &at, anchored);
	}
	case YAML_DOCUMENT_START_EVENT:
		if (ev->data.document_start.version_directive ||
		    ev->data.document_start.tag_directives.start !=
		        ev->data.document_start.tag_directives.end)
			return fail_at(l, &ev->start_mark,
			               "%%YAML and %%TAG directives are not supported (kustomize "
			               "rejects them)%s",
			               NULL);
		return 0;
	default:
		return 0;
	}
}

static void unwind(loader *l)
{
	while (l->depth > 0) {
		frame *f = &l->stack[--l->depth];
		cJSON_Delete(f->node);
		free_frame(f);
	}
	cJSON_Delete(l->root);
	l->root = NULL;
	cJSON_Delete(l->orphans);
	l->orphans = NULL;
}

static void push_doc(tend_docs *docs, cJSON *root, int line)
{
	if (docs->len == docs->cap) {
		docs->cap = docs->cap ? docs->cap * 2 : 4;
		docs->items = tend_xrealloc(docs->items, docs->cap * sizeof(*docs->items));
	}
	docs->items[docs->len++] = (tend_doc){root, line};
}

static bool has_list(const tend_docs *docs)
{
	for (size_t i = 0; i < docs->len; i++) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(docs->items[i].root, "kind");
		size_t n = cJSON_IsString(kind) ? strlen(kind->valuestring) : 0;
		if (n >= 4 && strcmp(kind->valuestring + n - 4, "List") == 0 &&
		    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(docs->items[i].root, "items")))
			return true;
	}
	return false;
}

int tend_doc_load(const char *label, const char *data, size_t len, tend_docs *out)
{
	return tend_doc_load_flags(label, data, len, 0, out);
}

int tend_doc_load_flags(const char *label, const char *data, size_t len, unsigned flags,
                        tend_docs *out)
{
	if (len > TEND_DOC_MAX_BYTES)
		return tend_err("%s: larger than TEND_DOC_MAX_BYTES (%u bytes)", label,
		                TEND_DOC_MAX_BYTES);
	const char *text = data;
	size_t text_len = len;
	/* kustomize splits streams at `---` lines itself and strips a byte-order
	 * mark at the start of each document; libyaml accepts one only first. */
	tend_buf nobom = TEND_BUF_INIT;
	static const char BOM[] = "\xEF\xBB\xBF";
	bool inner_bom = false;
	for (size_t i = 1; i + 3 <= len && !inner_bom; i++)
		inner_bom = data[i - 1] == '\n' && memcmp(data + i, BOM, 3) == 0;
	if (inner_bom) {
		for (size_t i = 0; i < len; i++) {
			if (i > 0 && data[i - 1] == '\n' && i + 3 <= len &&
			    memcmp(data + i, BOM, 3) == 0) {
				i += 2;
				continue;
			}
			tend_buf_putc(&nobom, data[i]);
		}
		data = nobom.data;
		len = nobom.len;
	}
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	loader l = {.label = label,
	            .src = data,
	            .src_len = len,
	            .orphans = cJSON_CreateArray(),
	            .plain_annotations = flags & TEND_DOC_PLAIN_ANNOTATIONS,
	            .v2_bools = flags & TEND_DOC_V2_BOOLS,
	            .last_key_wins = flags & TEND_DOC_LAST_KEY_WINS,
	            .first_key_wins = flags & TEND_DOC_FIRST_KEY_WINS,
	            .no_bool_keys = flags & TEND_DOC_NO_BOOL_KEYS,
	            .no_rewrite = flags & TEND_DOC_NO_REWRITE,
	            .lists_decoded = flags & DOC_LISTS_DECODED};
	tend_docs got = TEND_DOCS_INIT;
	int rc = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			const yaml_mark_t *m =
			    parser.problem_mark.line || parser.problem_mark.column
			        ? &parser.problem_mark
			        : &parser.context_mark;
			rc = tend_err("%s:%zu:%zu: %s%s%s", label, m->line + 1, m->column + 1,
			              parser.problem ? parser.problem : "invalid YAML",
			              parser.context ? " " : "",
			              parser.context ? parser.context : "");
			break;
		}
		yaml_event_type_t type = ev.type;
		if (type == YAML_DOCUMENT_END_EVENT) {
			if (l.root && !cJSON_IsNull(l.root) && got.len >= TEND_DOC_MAX_DOCS) {
				rc = tend_err("%s:%d: more than %u documents in one file "
				              "(TEND_DOC_MAX_DOCS)",
				              label, l.root_line, TEND_DOC_MAX_DOCS);
				cJSON_Delete(l.root);
			} else if (l.root && !cJSON_IsNull(l.root))
				push_doc(&got, l.root, l.root_line);
			else
				cJSON_Delete(l.root);
			l.root = NULL;
			clear_anchors(&l);
			cJSON_Delete(l.orphans);
			l.orphans = cJSON_CreateArray();
		} else {
			rc = on_event(&l, &ev);
		}
		yaml_event_delete(&ev);
		if (rc || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	tend_buf_free(&nobom);
	unwind(&l);
	clear_anchors(&l);
	free(l.anchors);
	if (rc) {
		tend_docs_free(&got);
		return -1;
	}
	if (!(flags & DOC_LISTS_DECODED) && got.len > 1 && has_list(&got)) {
		tend_docs_free(&got);
		return tend_doc_load_flags(label, text, text_len, flags | DOC_LISTS_DECODED, out);
	}
	for (size_t i = 0; i < got.len; i++)
		push_doc(out, got.items[i].root, got.items[i].line);
	free(got.items);
	if (!out->file)
		out->file = tend_xstrdup(label);
	return 0;
}

int tend_doc_load_file(const char *path, tend_docs *out)
{
	tend_buf b = TEND_BUF_INIT;
	if (tend_fs_path_read(path, TEND_DOC_MAX_BYTES, &b)) {
		tend_buf_free(&b);
		return -1;
	}
	int rc = tend_doc_load(path, b.data, b.len, out);
	tend_buf_free(&b);
	return rc;
}

void tend_docs_free(tend_docs *docs)
{
	for (size_t i = 0; i < docs->len; i++)
		cJSON_Delete(docs->items[i].root);
	free(docs->items);
	free(docs->file);
	docs->items = NULL;
	docs->file = NULL;
	docs->len = docs->cap = 0;
}
