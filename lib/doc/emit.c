/*
 * emit.c — cJSON -> YAML exactly as `kubectl kustomize` prints it.
 *
 * kustomize prints through go-yaml v2, whose emitter is a line-by-line port
 * of libyaml's; so tend drives libyaml's emitter with the scalar styles
 * go-yaml v2's encoder would request (scalar.c) and lets the emitter make
 * the same downstream decisions: single quotes for indicator characters,
 * folding at 80 columns, `|`/`|-`/`|+`/`|2-` block scalars, `{}` and `[]`
 * for empty collections, block sequences not indented under their key.
 */
#include "doc_internal.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>
#include <locale.h>
#include <yaml.h>

/* ---- go-yaml v2 key order (keyList.Less) ---- */

static size_t utf8_decode(const char *s, size_t n, size_t i, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s + i;
	size_t left = n - i;
	if (u[0] < 0x80 || left < 2) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		*cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
		return 2;
	}
	if ((u[0] & 0xF0) == 0xE0 && left >= 3) {
		*cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
		return 3;
	}
	if (left >= 4) {
		*cp = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) |
		      (u[3] & 0x3Fu);
		return 4;
	}
	*cp = u[0];
	return 1;
}

static locale_t utf8_locale(void)
{
	static locale_t loc;
	static int tried;
	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

static bool is_letter(unsigned cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	locale_t loc = utf8_locale();
	return loc ? iswalpha_l((wint_t)cp, loc) != 0 : true;
}

static bool is_digit(unsigned cp)
{
	return cp >= '0' && cp <= '9';
}

static size_t to_runes(const char *s, unsigned *out, size_t cap)
{
	size_t n = strlen(s), i = 0, r = 0;
	while (i < n && r < cap)
		i += utf8_decode(s, n, i, &out[r++]);
	return r;
}

int tend_doc_key_cmp(const char *a, const char *b)
{
	unsigned ar_buf[256], br_buf[256];
	unsigned *ar = ar_buf, *br = br_buf;
	size_t la = strlen(a), lb = strlen(b);
	if (la > 256)
		ar = tend_xmalloc(la * sizeof(unsigned));
	if (lb > 256)
		br = tend_xmalloc(lb * sizeof(unsigned));
	size_t na = to_runes(a, ar, la > 256 ? la : 256);
	size_t nb = to_runes(b, br, lb > 256 ? lb : 256);
	int result = 0;
	bool decided = false;
	for (size_t i = 0; i < na && i < nb && !decided; i++) {
		if (ar[i] == br[i])
			continue;
		decided = true;
		bool al = is_letter(ar[i]), bl = is_letter(br[i]);
		if (al && bl) {
			result = ar[i] < br[i] ? -1 : 1;
			break;
		}
		if (al || bl) {
			result = bl ? -1 : 1;
			break;
		}
		long long an = 0, bn = 0;
		if (ar[i] == '0' || br[i] == '0') {
			for (size_t j = i; j-- > 0 && is_digit(ar[j]);) {
				if (ar[j] != '0') {
					an = 1, bn = 1;
					break;
				}
			}
		}
		size_t ai = i, bi = i;
		for (; ai < na && is_digit(ar[ai]); ai++)
			an = an * 10 + (ar[ai] - '0');
		for (; bi < nb && is_digit(br[bi]); bi++)
			bn = bn * 10 + (br[bi] - '0');
		if (an != bn)
			result = an < bn ? -1 : 1;
		else if (ai != bi)
			result = ai < bi ? -1 : 1;
		else
			result = ar[i] < br[i] ? -1 : 1;
	}
	if (!decided)
		result = na < nb ? -1 : na > nb ? 1 : 0;
	if (ar != ar_buf)
		free(ar);
	if (br != br_buf)
		free(br);
	return result;
}

static int cmp_items(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
	return tend_doc_key_cmp(a->string, b->string);
}

/* Children of an object in go-yaml v2 order; caller frees the array. */
static const cJSON **sorted_children(const cJSON *obj, size_t *n, int (*cmp)(const void *, const void *))
{
	size_t count = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		count++;
	const cJSON **items = tend_xmalloc((count ? count : 1) * sizeof(*items));
	size_t i = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		items[i++] = c;
	qsort(items, count, sizeof(*items), cmp);
	*n = count;
	return items;
}

/* ---- YAML ---- */

/*
 * Scalars libyaml cannot print as go-yaml v2 does are emitted as plain
 * placeholder tokens and replaced by their exact text afterwards. A token
 * has the simple-key properties of the scalar it stands for (over 128
 * bytes or holding a line break: not simple), and is unique in the output
 * (the nonce changes and the document is emitted again if not).
 */
typedef struct doc_emitter {
	yaml_emitter_t y;
	tend_strvec tokens, texts; /* placeholder i stands for texts[i] */
	unsigned nonce;
} doc_emitter;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	tend_buf_put((tend_buf *)data, buffer, size);
	return 1;
}

static int emit(doc_emitter *e, yaml_event_t *ev)
{
	if (!yaml_emitter_emit(&e->y, ev))
		return tend_err("YAML emitter: %s", e->y.problem ? e->y.problem : "failed");
	return 0;
}

static int emit_scalar(doc_emitter *e, const char *s, size_t n, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	/* libyaml refuses invalid UTF-8 here and leaves ev unset */
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, 1, 1, style))
		return tend_err("YAML emitter: a string is not valid UTF-8");
	return emit(e, &ev);
}

static bool has_break(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		i += utf8_decode(s, n, i, &cp);
		if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
			return true;
	}
	return false;
}

/* go-yaml's short escapes: \0 \a ... \L \P */
static const struct {
	unsigned cp;
	char c;
} SHORT_ESCAPES[] = {{0x00, '0'},  {0x07, 'a'}, {0x08, 'b'}, {0x09, 't'},   {0x0A, 'n'},
                     {0x0B, 'v'},  {0x0C, 'f'}, {0x0D, 'r'}, {0x1B, 'e'},   {0x22, '"'},
                     {0x5C, '\\'}, {0x85, 'N'}, {0xA0, '_'}, {0x2028, 'L'}, {0x2029, 'P'}};

/*
 * go-yaml v2's double-quoted writer asks is_bom() of the scalar's first
 * bytes, not of the current character: a string that starts with U+FEFF
 * has every character escaped (spaces too, so it never folds).
 */
static void bom_escaped(const char *s, size_t n, tend_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	tend_buf_putc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned cp;
		i += utf8_decode(s, n, i, &cp);
		char short_esc = 0;
		for (size_t k = 0; k < sizeof(SHORT_ESCAPES) / sizeof(SHORT_ESCAPES[0]); k++)
			if (SHORT_ESCAPES[k].cp == cp)
				short_esc = SHORT_ESCAPES[k].c;
		tend_buf_putc(out, '\\');
		if (short_esc) {
			tend_buf_putc(out, short_esc);
			continue;
		}
		int digits = cp <= 0xFF ? 2 : cp <= 0xFFFF ? 4 : 8;
		tend_buf_putc(out, digits == 2 ? 'x' : digits == 4 ? 'u' : 'U');
		for (int d = digits - 1; d >= 0; d--)
			tend_buf_putc(out, hex[(cp >> (4 * d)) & 0xF]);
	}
	tend_buf_putc(out, '"');
}

/* Emits a placeholder for text, as simple a key as the scalar of n bytes. */
static int emit_verbatim(doc_emitter *e, const char *scalar, size_t n, tend_buf *text)
{
	tend_buf token = TEND_BUF_INIT;
	tend_buf_printf(&token, "tendverbatim%uq%zuq", e->nonce, e->tokens.len);
	if (n > 128 || has_break(scalar, n))
		while (token.len <= 128)
			tend_buf_putc(&token, 'q');
	tend_strvec_push(&e->tokens, token.data);
	tend_strvec_push(&e->texts, text->data);
	int rc = emit_scalar(e, token.data, token.len, YAML_PLAIN_SCALAR_STYLE);
	tend_buf_free(&token);
	return rc;
}

static bool ends_in_line_separator(const char *s, size_t n)
{
	return n >= 3 && (unsigned char)s[n - 3] == 0xE2 && (unsigned char)s[n - 2] == 0x80 &&
	       ((unsigned char)s[n - 1] == 0xA8 || (unsigned char)s[n - 1] == 0xA9);
}

/*
 * libyaml indents before the closing quote of a quoted scalar that ends in
 * a line break (U+2028, U+2029); go-yaml v2 does not. The scalar is emitted
 * with a token after the break, which goes afterwards with the indent
 * libyaml wrote before it: the style is decided as for the scalar itself
 * (it has line breaks either way) and nothing before the break moves.
 */
static int emit_trailing_break(doc_emitter *e, const char *s, size_t n, yaml_scalar_style_t style)
{
	tend_buf with = TEND_BUF_INIT, token = TEND_BUF_INIT;
	tend_buf_printf(&token, "tendverbatim%uq%zuq", e->nonce, e->tokens.len);
	tend_buf_put(&with, s, n);
	tend_buf_puts(&with, token.data);
	tend_strvec_push(&e->tokens, token.data);
	tend_strvec_push(&e->texts, "");
	int rc = emit_scalar(e, with.data, with.len, style);
	tend_buf_free(&with);
	tend_buf_free(&token);
	return rc;
}

/* NUL is stored as C0 80 inside tend (see load.c); give libyaml the real byte. */
static int emit_string(doc_emitter *e, const char *s)
{
	if (s[0] == '\xEF' && s[1] == '\xBB' && s[2] == '\xBF') {
		tend_buf text = TEND_BUF_INIT;
		bom_escaped(s, strlen(s), &text);
		int rc = emit_verbatim(e, s, strlen(s), &text);
		tend_buf_free(&text);
		return rc;
	}
	if (strstr(s, "\xC0\x80")) {
		tend_buf raw = TEND_BUF_INIT;
		for (const char *p = s; *p; p++) {
			if ((unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80) {
				tend_buf_put(&raw, "", 1);
				p++;
			} else {
				tend_buf_putc(&raw, *p);
			}
		}
		int rc = emit_scalar(e, raw.data, raw.len, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
		tend_buf_free(&raw);
		return rc;
	}
	size_t n = strlen(s);
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	if (memchr(s, '\n', n))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (doc_string_needs_quotes(s, n))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (style != YAML_LITERAL_SCALAR_STYLE && ends_in_line_separator(s, n))
		return emit_trailing_break(e, s, n, style);
	return emit_scalar(e, s, n, style);
}

static int emit_node(doc_emitter *e, const cJSON *node, int depth)
{
	yaml_event_t ev;
	if (depth > TEND_DOC_MAX_DEPTH * 4)
		return tend_err("document nested too deeply to print");
	if (cJSON_IsObject(node)) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (emit(e, &ev))
			return -1;
		size_t n;
		const cJSON **items = sorted_children(node, &n, cmp_items);
		for (size_t i = 0; i < n; i++) {
			if (emit_string(e, items[i]->string) || emit_node(e, items[i], depth + 1)) {
				free(items);
				return -1;
			}
		}
		free(items);
		yaml_mapping_end_event_initialize(&ev);
		return emit(e, &ev);
	}
	if (cJSON_IsArray(node)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (emit(e, &ev))
			return -1;
		for (const cJSON *c = node->child; c; c = c->next)
			if (emit_node(e, c, depth + 1))
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return emit(e, &ev);
	}
	if (cJSON_IsString(node))
		return emit_string(e, node->valuestring);
	if (cJSON_IsNumber(node)) {
		tend_buf text = TEND_BUF_INIT, yaml = TEND_BUF_INIT;
		tend_doc_number_text(node, &text);
		if (text.len == 0) {
			tend_buf_free(&text);
			return tend_err("json: unsupported value: a non-finite number");
		}
		doc_yaml_number(text.data, &yaml);
		int rc = emit_scalar(e, yaml.data, yaml.len, YAML_PLAIN_SCALAR_STYLE);
		tend_buf_free(&text);
		tend_buf_free(&yaml);
		return rc;
	}
	if (cJSON_IsBool(node))
		return emit_scalar(e, cJSON_IsTrue(node) ? "true" : "false",
				   cJSON_IsTrue(node) ? 4 : 5, YAML_PLAIN_SCALAR_STYLE);
	if (cJSON_IsRaw(node))
		return emit_scalar(e, node->valuestring, strlen(node->valuestring),
				   YAML_PLAIN_SCALAR_STYLE);
	return emit_scalar(e, "null", 4, YAML_PLAIN_SCALAR_STYLE);
}

void tend_doc_number_text(const cJSON *num, tend_buf *out)
{
	if (num->valuestring) {
		tend_buf_puts(out, num->valuestring);
		return;
	}
	char tmp[40];
	if (doc_json_float(num->valuedouble, tmp))
		tend_buf_puts(out, tmp);
}

static char *find_bytes(char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; m && i + m <= n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

/* Replaces each placeholder, found exactly once, by its text; -1 if one is
 * missing or repeated (the output held the token by chance). */
static int replace_verbatim(const doc_emitter *e, tend_buf *buf)
{
	for (size_t i = 0; i < e->tokens.len; i++) {
		const char *tok = e->tokens.items[i];
		size_t tl = strlen(tok);
		char *at = find_bytes(buf->data, buf->len, tok, tl);
		if (!at || find_bytes(at + tl, buf->len - (size_t)(at - buf->data) - tl, tok, tl))
			return -1;
		size_t start = (size_t)(at - buf->data);
		if (!e->texts.items[i][0]) /* a trailing-break token: its indent goes too */
			while (start > 0 && buf->data[start - 1] == ' ')
				start--;
		tend_buf out = TEND_BUF_INIT;
		tend_buf_put(&out, buf->data, start);
		tend_buf_puts(&out, e->texts.items[i]);
		tend_buf_put(&out, at + tl, buf->len - (size_t)(at - buf->data) - tl);
		tend_buf_free(buf);
		*buf = out;
	}
	return 0;
}

static int emit_document(doc_emitter *e, const cJSON *root, tend_buf *tmp)
{
	yaml_event_t ev;
	yaml_emitter_initialize(&e->y);
	yaml_emitter_set_output(&e->y, write_handler, tmp);
	yaml_emitter_set_unicode(&e->y, 1);
	yaml_emitter_set_indent(&e->y, 2);
	yaml_emitter_set_width(&e->y, 80);
	yaml_emitter_set_break(&e->y, YAML_LN_BREAK);
	int rc = 0;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	rc = emit(e, &ev);
	if (!rc) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
		rc = emit(e, &ev);
	}
	if (!rc)
		rc = emit_node(e, root, 0);
	if (!rc) {
		yaml_document_end_event_initialize(&ev, 1);
		rc = emit(e, &ev);
	}
	if (!rc) {
		yaml_stream_end_event_initialize(&ev);
		rc = emit(e, &ev);
	}
	yaml_emitter_delete(&e->y);
	return rc;
}

int tend_doc_emit_yaml(const cJSON *root, tend_buf *out)
{
	doc_emitter e = {.tokens = TEND_STRVEC_INIT, .texts = TEND_STRVEC_INIT};
	tend_buf tmp = TEND_BUF_INIT;
	int rc;
	for (;;) {
		rc = emit_document(&e, root, &tmp);
		if (rc || replace_verbatim(&e, &tmp) == 0 || e.nonce > 8)
			break;
		e.nonce++;
		tend_buf_reset(&tmp);
		tend_strvec_free(&e.tokens);
		tend_strvec_free(&e.texts);
	}
	if (!rc && e.nonce > 8)
		rc = tend_err("YAML emitter: no unique placeholder for a scalar");
	if (!rc) {
		/* libyaml closes an open-ended document (one ending in a |+ block)
		 * with "..."; go-yaml v2 does not. A root that is a mapping never
		 * has a "..." line of its own at column 0. */
		if (tmp.len >= 4 && memcmp(tmp.data + tmp.len - 4, "...\n", 4) == 0 &&
		    (tmp.len == 4 || tmp.data[tmp.len - 5] == '\n'))
			tmp.len -= 4;
		tend_buf_put(out, tmp.data, tmp.len);
	}
	tend_strvec_free(&e.tokens);
	tend_strvec_free(&e.texts);
	tend_buf_free(&tmp);
	return rc;
}

/* ---- JSON ---- */

static int cmp_bytes(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
	return strcmp(a->string, b->string);
}

static void json_string(tend_buf *out, const char *s)
{
	tend_buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': tend_buf_puts(out, "\\\""); break;
		case '\\': tend_buf_puts(out, "\\\\"); break;
		case '\n': tend_buf_puts(out, "\\n"); break;
		case '\r': tend_buf_puts(out, "\\r"); break;
		case '\t': tend_buf_puts(out, "\\t"); break;
		case 0xC0:
			if (p[1] == 0x80) {
				tend_buf_puts(out, "\\u0000");
				p++;
				break;
			}
			tend_buf_putc(out, (char)*p);
			break;
		default:
			if (*p < 0x20)
				tend_buf_printf(out, "\\u%04x", *p);
			else
				tend_buf_putc(out, (char)*p);
		}
	}
	tend_buf_putc(out, '"');
}

static void indent(tend_buf *out, int level)
{
	tend_buf_putc(out, '\n');
	for (int i = 0; i < level; i++)
		tend_buf_puts(out, "  ");
}

static void json_node(tend_buf *out, const cJSON *node, int level)
{
	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		bool obj = cJSON_IsObject(node);
		if (!node->child) {
			tend_buf_puts(out, obj ? "{}" : "[]");
			return;
		}
		tend_buf_putc(out, obj ? '{' : '[');
		size_t n;
		const cJSON **items = obj ? sorted_children(node, &n, cmp_bytes) : NULL;
		const cJSON *c = node->child;
		for (size_t i = 0; obj ? i < n : c != NULL; i++) {
			const cJSON *item = obj ? items[i] : c;
			if (i)
				tend_buf_putc(out, ',');
			indent(out, level + 1);
			if (obj) {
				json_string(out, item->string);
				tend_buf_puts(out, ": ");
			}
			json_node(out, item, level + 1);
			if (!obj)
				c = c->next;
		}
		free(items);
		indent(out, level);
		tend_buf_putc(out, obj ? '}' : ']');
	} else if (cJSON_IsString(node)) {
		json_string(out, node->valuestring);
	} else if (cJSON_IsNumber(node)) {
		size_t before = out->len;
		tend_doc_number_text(node, out);
		if (out->len == before)
			tend_buf_puts(out, "null");
	} else if (cJSON_IsBool(node)) {
		tend_buf_puts(out, cJSON_IsTrue(node) ? "true" : "false");
	} else if (cJSON_IsRaw(node)) {
		tend_buf_puts(out, node->valuestring);
	} else {
		tend_buf_puts(out, "null");
	}
}

void tend_doc_emit_json(const cJSON *root, tend_buf *out)
{
	json_node(out, root, 0);
	tend_buf_putc(out, '\n');
}
