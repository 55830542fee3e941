/*
 * hash.c — the content hash kustomize appends to generated ConfigMap and
 * Secret names (api/hasher), and the base64 wrapping its generators use.
 *
 * The hash is SHA-256 over Go's encoding/json rendering of a small object:
 * {"data":D,"kind":"ConfigMap","name":""} (plus "binaryData" when it is a
 * map) or {"data":D,"kind":"Secret","name":"","type":T} (plus
 * "stringData"). Keys sorted, no spaces, and Go's HTML escaping of < > &.
 * "name" is always empty: kustomize looks it up under a path that never
 * exists, so equal data gives equal suffixes whatever the object's name.
 * Missing fields hash as "". The first ten hex digits are kept, with
 * 0 1 3 a e mapped to g h k m t so the suffix never reads as a number.
 */
#include "kustomize_internal.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) {
		len = 2;
		min = 0x80;
		c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		min = 0x800;
		c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

static void go_json_string(const char *str, tend_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	tend_buf_putc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				tend_buf_putc(out, '\\');
				tend_buf_putc(out, (char)c);
			} else if (c == '\n') {
				tend_buf_puts(out, "\\n");
			} else if (c == '\r') {
				tend_buf_puts(out, "\\r");
			} else if (c == '\t') {
				tend_buf_puts(out, "\\t");
			} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				tend_buf_puts(out, "\\u00");
				tend_buf_putc(out, hex[c >> 4]);
				tend_buf_putc(out, hex[c & 15]);
			} else {
				tend_buf_putc(out, (char)c);
			}
			i++;
			continue;
		}
		if (c == 0xC0 && i + 1 < n && s[i + 1] == 0x80) { /* NUL, as tend stores it */
			tend_buf_puts(out, "\\u0000");
			i += 2;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		if (!len) {
			tend_buf_puts(out, "\\ufffd");
			i++;
			continue;
		}
		/* U+2028 and U+2029 are escaped by Go. */
		if (len == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] & 0xFE) == 0xA8) {
			tend_buf_puts(out, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
		} else {
			tend_buf_put(out, s + i, len);
		}
		i += len;
	}
	tend_buf_putc(out, '"');
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void go_json(const cJSON *v, tend_buf *out)
{
	if (cJSON_IsString(v)) {
		go_json_string(v->valuestring, out);
	} else if (cJSON_IsNumber(v)) {
		tend_doc_number_text(v, out);
	} else if (cJSON_IsTrue(v)) {
		tend_buf_puts(out, "true");
	} else if (cJSON_IsFalse(v)) {
		tend_buf_puts(out, "false");
	} else if (cJSON_IsArray(v)) {
		tend_buf_putc(out, '[');
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				tend_buf_putc(out, ',');
			go_json(c, out);
		}
		tend_buf_putc(out, ']');
	} else if (cJSON_IsObject(v)) {
		size_t n = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			n++;
		const cJSON **keys = tend_xcalloc(n ? n : 1, sizeof(*keys));
		n = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			keys[n++] = c;
		qsort(keys, n, sizeof(*keys), cmp_key);
		tend_buf_putc(out, '{');
		for (size_t i = 0; i < n; i++) {
			if (i)
				tend_buf_putc(out, ',');
			go_json_string(keys[i]->string, out);
			tend_buf_putc(out, ':');
			go_json(keys[i], out);
		}
		tend_buf_putc(out, '}');
		free(keys);
	} else {
		tend_buf_puts(out, "null");
	}
}

/* A field as kustomize's getNodeValues sees it: "" if absent, maps as maps. */
static void node_value(const cJSON *obj, const char *key, tend_buf *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v) {
		tend_buf_puts(out, "\"\"");
	} else if (cJSON_IsObject(v)) {
		go_json(v, out);
	} else if (cJSON_IsArray(v)) {
		tend_buf_puts(out, "null");
	} else if (cJSON_IsNull(v)) {
		tend_buf_puts(out, "\"\"");
	} else if (cJSON_IsString(v)) {
		go_json_string(v->valuestring, out);
	} else {
		tend_buf tmp = TEND_BUF_INIT;
		go_json(v, &tmp);
		/* a scalar's YAML text, as a string */
		char *s = tend_buf_detach(&tmp);
		go_json_string(s, out);
		free(s);
	}
}

char *tend_kustomize_hash(const cJSON *obj)
{
	tend_buf j = TEND_BUF_INIT;
	const char *kind = kz_kind(obj);
	if (strcmp(kind, "ConfigMap") == 0) {
		tend_buf_puts(&j, "{");
		if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(obj, "binaryData"))) {
			tend_buf_puts(&j, "\"binaryData\":");
			node_value(obj, "binaryData", &j);
			tend_buf_puts(&j, ",");
		}
		tend_buf_puts(&j, "\"data\":");
		node_value(obj, "data", &j);
		tend_buf_puts(&j, ",\"kind\":\"ConfigMap\",\"name\":\"\"}");
	} else if (strcmp(kind, "Secret") == 0) {
		tend_buf_puts(&j, "{\"data\":");
		node_value(obj, "data", &j);
		tend_buf_puts(&j, ",\"kind\":\"Secret\",\"name\":\"\"");
		if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(obj, "stringData"))) {
			tend_buf_puts(&j, ",\"stringData\":");
			node_value(obj, "stringData", &j);
		}
		tend_buf_puts(&j, ",\"type\":");
		node_value(obj, "type", &j);
		tend_buf_puts(&j, "}");
	} else {
		go_json(obj, &j);
	}
	unsigned char sha[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)(j.data ? j.data : ""), j.len, sha);
	tend_buf_free(&j);
	static const char hex[] = "0123456789abcdef";
	char *out = tend_xmalloc(11);
	for (int i = 0; i < 10; i++) {
		char c = hex[(sha[i / 2] >> (i % 2 ? 0 : 4)) & 15];
		switch (c) {
		case '0': c = 'g'; break;
		case '1': c = 'h'; break;
		case '3': c = 'k'; break;
		case 'a': c = 'm'; break;
		case 'e': c = 't'; break;
		default: break;
		}
		out[i] = c;
	}
	out[10] = '\0';
	return out;
}

void kz_base64_wrapped(const unsigned char *data, size_t len, tend_buf *out)
{
	size_t enc_len = 4 * ((len + 2) / 3);
	char *enc = tend_xmalloc(enc_len + 1);
	EVP_EncodeBlock((unsigned char *)enc, data, (int)len);
	const size_t line = 70;
	bool wrap = enc_len / line + 1 > 1;
	for (size_t i = 0; i < enc_len; i += line) {
		size_t n = enc_len - i < line ? enc_len - i : line;
		tend_buf_put(out, enc + i, n);
		if (wrap)
			tend_buf_putc(out, '\n');
	}
	if (!out->data)
		tend_buf_puts(out, "");
	free(enc);
}

/* Hash suffixes for generated objects, at the root only; the suffix goes after nameSuffix. */
int kz_add_hash_suffixes(tend_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		tend_resource *r = &m->items[i];
		if (!r->meta || !r->meta->needs_hash)
			continue;
		char *h = tend_kustomize_hash(r->obj);
		char *name = tend_xasprintf("%s-%s", kz_name(r->obj), h);
		kz_store_previous_id(r);
		kz_set_meta_string(r->obj, "name", name);
		free(name);
		free(h);
	}
	return 0;
}
