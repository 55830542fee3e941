/*
 * json.c — JSON in and out of the API server without losing numbers.
 *
 * cJSON_Parse keeps numbers only as doubles, so a 64-bit integer read from a
 * live object would change when written back. This parser builds the same
 * cJSON trees but makes every number with tend_doc_number(), keeping its
 * text; the emitter prints that text back. Invariant: parse(emit(x)) == x.
 */
#include "kube_internal.h"

#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 512

typedef struct parser {
	const char *s, *end;
	int depth;
} parser;

static void skip_ws(parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(tend_buf *b, unsigned cp)
{
	char t[4];
	size_t n;
	if (cp < 0x80) {
		t[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	tend_buf_put(b, t, n);
}

/* Parses a string at p->s (on the quote) into out (NUL-terminated). */
static int parse_string(parser *p, tend_buf *out)
{
	p->s++;
	tend_buf_reset(out);
	for (;;) {
		const char *run = p->s;
		while (p->s < p->end && *p->s != '"' && *p->s != '\\' &&
		       (unsigned char)*p->s >= 0x20)
			p->s++;
		tend_buf_put(out, run, (size_t)(p->s - run));
		if (p->s >= p->end)
			return tend_err("json: unterminated string");
		char c = *p->s++;
		if (c == '"')
			break;
		if (c != '\\')
			return tend_err("json: control character in string");
		if (p->s >= p->end)
			return tend_err("json: unterminated string");
		c = *p->s++;
		switch (c) {
		case '"':
			tend_buf_putc(out, '"');
			break;
		case '\\':
			tend_buf_putc(out, '\\');
			break;
		case '/':
			tend_buf_putc(out, '/');
			break;
		case 'b':
			tend_buf_putc(out, '\b');
			break;
		case 'f':
			tend_buf_putc(out, '\f');
			break;
		case 'n':
			tend_buf_putc(out, '\n');
			break;
		case 'r':
			tend_buf_putc(out, '\r');
			break;
		case 't':
			tend_buf_putc(out, '\t');
			break;
		case 'u': {
			unsigned cp, lo;
			if (p->end - p->s < 4 || hex4(p->s, &cp))
				return tend_err("json: bad \\u escape");
			p->s += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && p->end - p->s >= 6 && p->s[0] == '\\' &&
			    p->s[1] == 'u' && !hex4(p->s + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p->s += 6;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD; /* lone surrogate, as Go decodes it */
			}
			put_utf8(out, cp);
			break;
		}
		default:
			return tend_err("json: bad escape \\%c", c);
		}
	}
	tend_buf_putc(out, '\0');
	out->len--;
	return 0;
}

static int parse_value(parser *p, tend_buf *tmp, cJSON **out);

static int parse_container(parser *p, tend_buf *tmp, bool object, cJSON **out)
{
	if (++p->depth > JSON_MAX_DEPTH)
		return tend_err("json: nesting deeper than %d", JSON_MAX_DEPTH);
	cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray();
	cJSON *last = NULL;
	char close = object ? '}' : ']';
	p->s++;
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		goto done;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(p);
		if (object) {
			if (p->s >= p->end || *p->s != '"')
				goto bad;
			if (parse_string(p, tmp))
				goto fail;
			key = tend_xstrndup(tmp->data ? tmp->data : "", tmp->len);
			skip_ws(p);
			if (p->s >= p->end || *p->s != ':') {
				free(key);
				goto bad;
			}
			p->s++;
			skip_ws(p);
		}
		cJSON *v;
		if (parse_value(p, tmp, &v)) {
			free(key);
			goto fail;
		}
		v->string = key;
		/* Append in O(1): cJSON_AddItemToArray walks the list. */
		if (!last) {
			c->child = v;
			v->prev = v;
		} else {
			last->next = v;
			v->prev = last;
			c->child->prev = v;
		}
		last = v;
		skip_ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			break;
		}
		goto bad;
	}
done:
	p->depth--;
	*out = c;
	return 0;
bad:
	tend_err("json: expected %s", object ? "',' or '}' in object" : "',' or ']' in array");
fail:
	cJSON_Delete(c);
	return -1;
}

static int parse_number(parser *p, cJSON **out)
{
	const char *b = p->s;
	if (p->s < p->end && *p->s == '-')
		p->s++;
	const char *digits = p->s;
	while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
		p->s++;
	if (p->s == digits)
		return tend_err("json: invalid number");
	if (p->s < p->end && *p->s == '.') {
		p->s++;
		const char *f = p->s;
		while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
			p->s++;
		if (p->s == f)
			return tend_err("json: invalid number");
	}
	if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
		p->s++;
		if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
			p->s++;
		const char *e = p->s;
		while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
			p->s++;
		if (p->s == e)
			return tend_err("json: invalid number");
	}
	char *text = tend_xstrndup(b, (size_t)(p->s - b));
	*out = tend_doc_number(text);
	free(text);
	return 0;
}

static int literal(parser *p, const char *word, cJSON *(*make)(void), cJSON **out)
{
	size_t n = strlen(word);
	if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0)
		return tend_err("json: invalid literal");
	p->s += n;
	*out = make();
	return 0;
}

static cJSON *make_true(void)
{
	return cJSON_CreateTrue();
}
static cJSON *make_false(void)
{
	return cJSON_CreateFalse();
}
static cJSON *make_null(void)
{
	return cJSON_CreateNull();
}

static int parse_value(parser *p, tend_buf *tmp, cJSON **out)
{
	skip_ws(p);
	if (p->s >= p->end)
		return tend_err("json: unexpected end of input");
	switch (*p->s) {
	case '{':
		return parse_container(p, tmp, true, out);
	case '[':
		return parse_container(p, tmp, false, out);
	case '"':
		if (parse_string(p, tmp))
			return -1;
		*out = cJSON_CreateString(tmp->data ? tmp->data : "");
		return 0;
	case 't':
		return literal(p, "true", make_true, out);
	case 'f':
		return literal(p, "false", make_false, out);
	case 'n':
		return literal(p, "null", make_null, out);
	default:
		return parse_number(p, out);
	}
}

int tend_kube_json_parse(const char *data, size_t len, cJSON **out)
{
	parser p = {data, data + len, 0};
	tend_buf tmp = TEND_BUF_INIT;
	cJSON *v = NULL;
	int rc = parse_value(&p, &tmp, &v);
	tend_buf_free(&tmp);
	if (rc)
		return -1;
	skip_ws(&p);
	if (p.s != p.end) {
		cJSON_Delete(v);
		return tend_err("json: trailing data after the value");
	}
	*out = v;
	return 0;
}

static void emit_string(const char *s, tend_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	tend_buf_putc(out, '"');
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		tend_buf_put(out, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			tend_buf_puts(out, "\\\"");
			break;
		case '\\':
			tend_buf_puts(out, "\\\\");
			break;
		case '\n':
			tend_buf_puts(out, "\\n");
			break;
		case '\r':
			tend_buf_puts(out, "\\r");
			break;
		case '\t':
			tend_buf_puts(out, "\\t");
			break;
		default: {
			char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			tend_buf_puts(out, u);
		}
		}
	}
	tend_buf_put(out, run, (size_t)(s - run));
	tend_buf_putc(out, '"');
}

void tend_kube_json_emit(const cJSON *n, tend_buf *out)
{
	if (cJSON_IsObject(n) || cJSON_IsArray(n)) {
		bool obj = cJSON_IsObject(n);
		tend_buf_putc(out, obj ? '{' : '[');
		for (const cJSON *c = n->child; c; c = c->next) {
			if (c != n->child)
				tend_buf_putc(out, ',');
			if (obj) {
				emit_string(c->string ? c->string : "", out);
				tend_buf_putc(out, ':');
			}
			tend_kube_json_emit(c, out);
		}
		tend_buf_putc(out, obj ? '}' : ']');
	} else if (cJSON_IsString(n)) {
		emit_string(n->valuestring ? n->valuestring : "", out);
	} else if (cJSON_IsNumber(n)) {
		size_t before = out->len;
		tend_doc_number_text(n, out);
		if (out->len == before)
			tend_buf_puts(out, "null"); /* non-finite: not representable */
	} else if (cJSON_IsTrue(n)) {
		tend_buf_puts(out, "true");
	} else if (cJSON_IsFalse(n)) {
		tend_buf_puts(out, "false");
	} else if (cJSON_IsRaw(n)) {
		tend_buf_puts(out, n->valuestring);
	} else {
		tend_buf_puts(out, "null");
	}
}
