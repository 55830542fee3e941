/*
 * doc.h — tend's document model: YAML streams in, cJSON trees, YAML or JSON
 * out, byte for byte the way `kubectl kustomize` (kustomize v5) prints them.
 *
 * Scalars are resolved the way kustomize resolves them (see scalar.c for
 * the rule table, checked against the real kubectl): `yes`/`on`/`y` stay
 * strings, `0777` is 511, unquoted timestamps become RFC 3339 strings.
 * Numbers are cJSON numbers whose `valuestring` holds their exact JSON text
 * (what Go's encoding/json would print), so integers up to 2^64-1 survive
 * unchanged although cJSON keeps only a double.
 *
 * Source positions: every node made by the loader records its line in
 * cJSON's `valueint` and, for non-numbers, its column in `valuedouble`;
 * these fields are otherwise unused for those types, and cJSON_Duplicate
 * copies them, so positions follow nodes through later transformations.
 * Read them with tend_doc_line()/tend_doc_col(), never directly.
 *
 * Memory: tend_docs owns its trees until tend_docs_free(); a caller may
 * take a tree by setting docs->items[i].root to NULL.
 */
#ifndef TEND_DOC_H
#define TEND_DOC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

/* Limits, each reported with its name when exceeded. */
#define TEND_DOC_MAX_BYTES (16u << 20)   /* one input file */
#define TEND_DOC_MAX_DEPTH 128           /* nested collections */
#define TEND_DOC_MAX_NODES 500000u       /* nodes in one stream (20x the largest CRD) */
#define TEND_DOC_MAX_ALIAS_NODES 200000u /* nodes copied by aliases, per stream */
#define TEND_DOC_MAX_DOCS 10000u         /* documents in one stream */
#define TEND_DOC_MAX_KEYS 50000u         /* keys in one mapping */

typedef struct tend_doc {
	cJSON *root; /* owned; never NULL for a loaded document */
	int line;    /* 1-based line where the document's content starts */
} tend_doc;

typedef struct tend_docs {
	tend_doc *items;
	size_t len;
	size_t cap;
	char *file; /* label used in error messages (owned) */
} tend_docs;

#define TEND_DOCS_INIT {NULL, 0, 0, NULL}

/*
 * Loads every document of a YAML (or JSON) stream. Empty documents are
 * dropped, as kustomize drops them. On error nothing is appended and the
 * last error reads "FILE:LINE:COL: what". `label` names the input in errors.
 */
int tend_doc_load(const char *label, const char *data, size_t len, tend_docs *out);
int tend_doc_load_file(const char *path, tend_docs *out);
/* tend_doc_load with flags: TEND_DOC_PLAIN_ANNOTATIONS resolves
 * metadata.annotations values like any other scalar (for patches, where
 * a null deletes), instead of keeping their source text. */
#define TEND_DOC_PLAIN_ANNOTATIONS 1u
/* TEND_DOC_V2_BOOLS reads plain y/yes/on/n/no/off (any case variant go-yaml
 * v2 knows) as booleans, as sigs.k8s.io/yaml does for JSON patches. */
#define TEND_DOC_V2_BOOLS 2u
/* TEND_DOC_LAST_KEY_WINS: a key repeated in a mapping replaces the earlier
 * value, as kubectl reads kustomization files; without it a repeated key is
 * an error naming both lines, as kubectl reads resources. */
#define TEND_DOC_LAST_KEY_WINS 4u
/* TEND_DOC_NO_BOOL_KEYS, with TEND_DOC_V2_BOOLS: a mapping key go-yaml v2
 * reads as a boolean is an error (kubectl fails on them in kustomization
 * files) instead of becoming "true"/"false" (as in JSON patches). */
#define TEND_DOC_NO_BOOL_KEYS 8u
/* TEND_DOC_FIRST_KEY_WINS: a key repeated in a mapping is ignored, as
 * kustomize reads strategic-merge patches (kyaml's first field wins). */
#define TEND_DOC_FIRST_KEY_WINS 16u
/* TEND_DOC_NO_REWRITE: kustomize reads the document straight into values
 * (a kustomization, a JSON patch's operation list) and never writes it back
 * as YAML, so a folded scalar keeps the value the reader gives, without the
 * line breaks go-yaml's writer adds to resources. */
#define TEND_DOC_NO_REWRITE 32u
/* The type bit the loader sets on an annotation value it kept as the text
 * of a plain scalar that reads as a number, boolean or timestamp (`1e3`,
 * `False`): where kustomize converts an object through JSON (a JSON
 * patch), the value's JSON form replaces that text. */
#define TEND_DOC_TYPED_TEXT (1 << 27)
/* The type bit the loader sets on an annotation value written as a folded
 * scalar: the loader keeps it as read, and where kustomize writes the
 * object as YAML and reads it back (a JSON patch) it gains the line breaks
 * tend_doc_fold_like_go adds. */
#define TEND_DOC_FOLDED_TEXT (1 << 28)
/* go-yaml v3 writes a folded scalar with a blank line before each
 * more-indented line, and kustomize reads that back: adds those line
 * breaks to b where go-yaml keeps the scalar folded. */
void tend_doc_fold_like_go(tend_buf *b);
int tend_doc_load_flags(const char *label, const char *data, size_t len, unsigned flags,
			tend_docs *out);
void tend_docs_free(tend_docs *docs);

/* Position recorded by the loader; 0 when the node was not loaded. */
/* False for a string kustomize cannot write and read back once it has set
 * it itself (a generated, transformed or patched value): one that starts
 * with a tab and holds a line feed, which go-yaml writes as a literal block
 * whose first line its reader refuses ("found a tab character where an
 * indentation space is expected"). */
bool tend_doc_literal_rereads(const char *s);
/*
 * Appends to out a string's value as kustomize ends up with it once it has
 * written the string as YAML and read it back: NELs fold (spaces around a
 * run of them go; one NEL is a space, k NELs k-1 line feeds), NUL is
 * stored as the two-byte form C0 80 (cJSON strings end at NUL; the emitters
 * turn it back). DEL, C1 controls and U+FFFE/U+FFFF, which the reader
 * refuses, are an error (-1, the last error says which).
 */
int tend_doc_reread_text(const char *s, size_t n, tend_buf *out);
int tend_doc_line(const cJSON *node);
int tend_doc_col(const cJSON *node);
/* Marks a node made outside the loader as having no position. */
void tend_doc_no_pos(cJSON *node);

/* Inserts item (owned by array afterwards) before element `which`, or at
 * the end when there is no such element; cJSON's own insert is broken. */
void tend_doc_array_insert(cJSON *array, int which, cJSON *item);
/* Removes the members of object o (NULL or not an object: nothing) not
 * named in keys (NULL-terminated). */
void tend_doc_keep_only(cJSON *o, const char *const *keys);

/* Creates a number node from exact JSON number text (e.g. "511"). */
cJSON *tend_doc_number(const char *json_text);
/* Writes a number node's exact JSON text (as Go's encoding/json would). */
void tend_doc_number_text(const cJSON *num, tend_buf *out);

/*
 * Makes the node kustomize reads from a scalar's text under a YAML tag:
 * NULL resolves it as an untagged plain scalar, "str" keeps it a string,
 * "int", "float", "bool" and "null" require text of that type. Returns NULL
 * with the last error set ("cannot read `x` as !!int") when it does not fit.
 */
cJSON *tend_doc_scalar(const char *text, const char *tag);

/*
 * Appends one document as YAML exactly as kustomize prints it: keys sorted
 * as Go's yaml.v2 sorts them, 2-space indent, go-yaml's quoting, folding
 * and block scalars. Fails (with a message) on values kustomize cannot
 * print, such as non-finite numbers.
 */
int tend_doc_emit_yaml(const cJSON *root, tend_buf *out);
/* Appends one document as indented JSON (keys in byte order), newline-terminated. */
void tend_doc_emit_json(const cJSON *root, tend_buf *out);

/* Compares two mapping keys the way go-yaml v2 orders them (natural order). */
int tend_doc_key_cmp(const char *a, const char *b);

#endif
