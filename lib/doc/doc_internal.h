/*
 * doc_internal.h — scalar rules shared by the loader and the emitters.
 * Private to lib/doc.
 */
#ifndef TEND_DOC_INTERNAL_H
#define TEND_DOC_INTERNAL_H

#include "doc.h"

enum doc_scalar_kind {
	DOC_STR,
	DOC_NULL,
	DOC_BOOL,
	DOC_NUMBER,   /* text holds exact JSON number text */
	DOC_TIME,     /* text holds the RFC 3339 string kustomize prints */
	DOC_NONFINITE /* .inf / .nan: kustomize cannot print these */
};

typedef struct doc_scalar {
	enum doc_scalar_kind kind;
	bool boolean;
	char text[80];
} doc_scalar;

/* Resolves an untagged plain scalar as kustomize reads it. */
void doc_resolve_plain(const char *s, size_t len, doc_scalar *out);
/* go-yaml v2's extra booleans (y, yes, on, n, no, off and case variants). */
bool doc_v2_bool(const char *s, size_t n, bool *value);
/* Resolves a scalar carrying an explicit !!int/!!float/!!bool/!!null tag. */
bool doc_resolve_tagged(const char *tag, const char *s, size_t len, doc_scalar *out);
/* True when go-yaml v2 must quote the string to keep it a string. */
bool doc_string_needs_quotes(const char *s, size_t len);
/* JSON number text -> the YAML text go-yaml v2 prints for it. */
void doc_yaml_number(const char *json_text, tend_buf *out);
/* True when go-yaml's writer may give the string a block style (its
 * analyzer): every character printable or a tab, no space before a line
 * break and none at the end. */
bool doc_go_block_allowed(const char *s, size_t n);
/* tend_doc_reread_text: NULL, or what the YAML reader refuses. */
const char *doc_reread_text(const char *s, size_t n, tend_buf *out);
/* A double as Go's encoding/json prints it; false for NaN/Inf. */
bool doc_json_float(double v, char out[40]);

#endif
