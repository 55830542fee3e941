/*
 * load.c — YAML stream -> cJSON documents, driven by libyaml's event parser.
 *
 * Invariants: a failed load appends nothing (documents are collected in a
 * private list and moved out only on success); every collection is bounded
 * by TEND_DOC_MAX_DEPTH and every stream by TEND_DOC_MAX_NODES, with alias
 * copies counted against TEND_DOC_MAX_ALIAS_NODES so a billion-laughs
 * document fails fast instead of eating memory.
 */
#include "doc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct anchor {
	char *name;
	cJSON *node; /* borrowed: lives inside a document being built */
	size_t nodes;
} anchor;

typedef struct frame {
	cJSON *node;
	char *key; /* mapping: the pending key, NULL when a key is expected */
	int key_line, key_col;
	bool key_is_merge;
	cJSON *merges; /* mapping: sources of `<<` keys, in order */
	char *anchor;
	size_t first_node; /* node count when the collection started */
} frame;

typedef struct loader {
	const char *label;
	frame stack[TEND_DOC_MAX_DEPTH + 1];
	int depth;
	anchor *anchors;
	size_t n_anchors, cap_anchors;
	size_t nodes, alias_nodes;
	cJSON *root;
	int root_line;
	cJSON *orphans; /* anchored nodes no longer in a tree (keys, merge sources) */
} loader;

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
	l->anchors[l->n_anchors++] = (anchor){tend_xstrdup(name), node, nodes};
}

static anchor *find_anchor(loader *l, const char *name)
{
	for (size_t i = l->n_anchors; i-- > 0;)
		if (strcmp(l->anchors[i].name, name) == 0)
			return &l->anchors[i];
	return NULL;
}

/* Scalar event -> node, with kustomize's resolution rules. */
static int make_scalar(loader *l, const yaml_event_t *ev, cJSON **out)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	doc_scalar sc = {.kind = DOC_STR};
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (tag && strncmp(tag, "tag:yaml.org,2002:", 18) == 0 && strcmp(tag + 18, "str") != 0 &&
	    strcmp(tag + 18, "binary") != 0) {
		if (!doc_resolve_tagged(tag, v, n, &sc))
			return fail_at(l, &ev->start_mark, "value cannot be read as %s", tag + 18);
	} else if (plain && !tag) {
		doc_resolve_plain(v, n, &sc);
	}
	if (memchr(v, '\0', n) && sc.kind == DOC_STR)
		return fail_at(l, &ev->start_mark, "NUL character in a string%s", NULL);
	switch (sc.kind) {
	case DOC_NULL: *out = cJSON_CreateNull(); break;
	case DOC_BOOL: *out = cJSON_CreateBool(sc.boolean); break;
	case DOC_NUMBER: *out = tend_doc_number(sc.text); break;
	case DOC_TIME: *out = cJSON_CreateString(sc.text); break;
	case DOC_NONFINITE:
		return fail_at(l, &ev->start_mark,
			       "%s: infinity and NaN cannot be represented in JSON", NULL);
	case DOC_STR: {
		char *s = tend_xstrndup(v, n);
		*out = cJSON_CreateString(s);
		free(s);
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
				return fail_at(l, m, "merge key << needs a mapping or a list of mappings%s", NULL);
			cJSON *kv;
			cJSON_ArrayForEach(kv, one)
			{
				if (cJSON_GetObjectItemCaseSensitive(f->node, kv->string))
					continue;
				cJSON_AddItemToObject(f->node, kv->string, cJSON_Duplicate(kv, 1));
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
	f->key = f->anchor = NULL;
	f->merges = NULL;
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
		/* node is a key */
		if (!cJSON_IsString(node)) {
			cJSON_Delete(node);
			return fail_at(l, &ev->start_mark,
				       "mapping keys must be strings (quote it)%s", NULL);
		}
		p->key = tend_xstrdup(node->valuestring);
		p->key_line = (int)ev->start_mark.line + 1;
		p->key_col = (int)ev->start_mark.column + 1;
		p->key_is_merge = is_merge_key(ev);
		if (anchored)
			cJSON_AddItemToArray(l->orphans, node);
		else
			cJSON_Delete(node);
		return 0;
	}
	if (p->key_is_merge) {
		if (!p->merges)
			p->merges = cJSON_CreateArray();
		cJSON_AddItemToArray(p->merges, node);
	} else {
		cJSON *dup = cJSON_GetObjectItemCaseSensitive(p->node, p->key);
		if (dup) {
			char msg[600];
			snprintf(msg, sizeof(msg), "duplicate key \"%.400s\" (first at line %d)", p->key,
				 tend_doc_line(dup));
			cJSON_Delete(node);
			return tend_err("%s:%d:%d: %s", l->label, p->key_line, p->key_col, msg);
		}
		/* The node's position is where its key is: that is where a user looks. */
		node->valueint = p->key_line;
		if (!cJSON_IsNumber(node))
			node->valuedouble = p->key_col;
		cJSON_AddItemToObject(p->node, p->key, node);
	}
	free(p->key);
	p->key = NULL;
	return 0;
}

static int count_node(loader *l, const yaml_event_t *ev)
{
	if (++l->nodes > TEND_DOC_MAX_NODES)
		return fail_at(l, &ev->start_mark, "more than TEND_DOC_MAX_NODES (2000000) nodes%s", NULL);
	return 0;
}

static int on_event(loader *l, yaml_event_t *ev)
{
	cJSON *node = NULL;
	const char *anchor_name = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (count_node(l, ev) || make_scalar(l, ev, &node))
			return -1;
		anchor_name = (const char *)ev->data.scalar.anchor;
		if (anchor_name)
			add_anchor(l, anchor_name, node, 1);
		return attach(l, node, ev, anchor_name != NULL);
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		anchor *a = find_anchor(l, name);
		if (!a)
			return fail_at(l, &ev->start_mark, "unknown anchor \"%s\"", name);
		l->alias_nodes += a->nodes;
		l->nodes += a->nodes;
		if (l->alias_nodes > TEND_DOC_MAX_ALIAS_NODES)
			return fail_at(l, &ev->start_mark,
				       "aliases expand to more than TEND_DOC_MAX_ALIAS_NODES (200000) "
				       "nodes (alias \"%s\")",
				       name);
		if (l->nodes > TEND_DOC_MAX_NODES)
			return fail_at(l, &ev->start_mark, "more than TEND_DOC_MAX_NODES nodes%s", NULL);
		node = cJSON_Duplicate(a->node, 1);
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

int tend_doc_load(const char *label, const char *data, size_t len, tend_docs *out)
{
	if (len > TEND_DOC_MAX_BYTES)
		return tend_err("%s: larger than TEND_DOC_MAX_BYTES (%u bytes)", label,
				TEND_DOC_MAX_BYTES);
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	loader l = {.label = label, .orphans = cJSON_CreateArray()};
	tend_docs got = TEND_DOCS_INIT;
	int rc = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			const yaml_mark_t *m = parser.problem_mark.line || parser.problem_mark.column
						       ? &parser.problem_mark
						       : &parser.context_mark;
			rc = tend_err("%s:%zu:%zu: %s%s%s", label, m->line + 1, m->column + 1,
				      parser.problem ? parser.problem : "invalid YAML",
				      parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		yaml_event_type_t type = ev.type;
		if (type == YAML_DOCUMENT_END_EVENT) {
			if (l.root && !cJSON_IsNull(l.root))
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
	unwind(&l);
	clear_anchors(&l);
	free(l.anchors);
	if (rc) {
		tend_docs_free(&got);
		return -1;
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
	if (tend_file_read(path, TEND_DOC_MAX_BYTES, &b)) {
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
