/*
 * scalar.c — how kustomize resolves and prints scalars, re-derived from Go.
 *
 * kustomize reads YAML with go-yaml v3 rules, converts every object to JSON
 * (encoding/json) and prints it with go-yaml v2 (sigs.k8s.io/yaml). So:
 *   reading a plain scalar (v3 rules):
 *     ""  ~  null Null NULL               -> null
 *     true True TRUE false False FALSE    -> bool (yes/no/on/off/y/n: strings)
 *     Go ParseInt(s, 0) after removing _  -> int   (0777 -> 511, 0x1F -> 31,
 *                                                   0o17 -> 15, 0b101 -> 5, 1_000 -> 1000)
 *     else ParseUint                      -> uint  (up to 18446744073709551615)
 *     else [-+]?(\.d+|d+(\.d*)?)([eE][-+]?d+)? -> float (1e3 -> 1000, 08 -> 8)
 *     .5 and friends (leading '.')        -> float
 *     Go time formats 2006-1-2[(T|t| )15:4:5[.frac][Z07:00]] -> timestamp,
 *                                            printed as RFC 3339 ("2024-06-01T00:00:00Z")
 *     .inf .nan (any sign/case)           -> unprintable: kustomize fails
 *     anything else                        -> string
 *   JSON numbers: integers as written; floats shortest, %e form when
 *     |v| < 1e-6 or |v| >= 1e21 ("1e-7", "1e+21"), else plain (1e20 ->
 *     "100000000000000000000").
 *   printing a number (v2): integers in int64/uint64 range as is, anything
 *     else as a float in Go's %g shortest form, exponent from 1e+06 on and
 *     below 1e-04 (1234567.5 -> 1.2345675e+06, 0.000001 -> 1e-06).
 *   printing a string (v2): double-quoted when v2 would read it back as
 *     something else (v3's rules plus yes/no/on/off/y/n, timestamps and
 *     base-60 floats like 1:20); literal block when it holds a newline;
 *     otherwise plain, and libyaml's emitter decides single quotes.
 *   writing back (v3, inside kustomize): a block style only for strings its
 *     analyzer allows (doc_go_block_allowed); a string kyaml sets itself and
 *     that holds a line feed as a literal block, which go-yaml cannot read
 *     back when it starts with a tab (tend_doc_literal_rereads).
 */
#include "doc_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Go's strconv.ParseInt / ParseUint with base 0 ---- */

static bool go_parse_uint(const char *s, size_t n, uint64_t *out)
{
	if (n == 0)
		return false;
	unsigned base = 10;
	if (s[0] == '0') {
		char p = n >= 3 ? (char)tolower((unsigned char)s[1]) : 0;
		if (p == 'b' || p == 'o' || p == 'x') {
			base = p == 'b' ? 2 : p == 'o' ? 8 : 16;
			s += 2, n -= 2;
		} else {
			base = 8;
			s += 1, n -= 1;
		}
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 10;
		else
			return false;
		if ((unsigned)d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool go_parse_int(const char *s, size_t n, int64_t *out)
{
	bool neg = false;
	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++, n--;
	}
	uint64_t u;
	if (!go_parse_uint(s, n, &u))
		return false;
	if (!neg && u > (uint64_t)INT64_MAX)
		return false;
	if (neg && u > (uint64_t)INT64_MAX + 1)
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

static bool is_digits(const char *s, size_t n, size_t *i)
{
	size_t start = *i;
	while (*i < n && isdigit((unsigned char)s[*i]))
		(*i)++;
	return *i > start;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		if (!is_digits(s, n, &i))
			return false;
	} else {
		if (!is_digits(s, n, &i))
			return false;
		if (i < n && s[i] == '.') {
			i++;
			is_digits(s, n, &i);
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!is_digits(s, n, &i))
			return false;
	}
	return i == n;
}

/* Go's ParseFloat on decimal text: false on syntax error or overflow. */
static bool parse_decimal_float(const char *s, size_t n, double *out)
{
	char tmp[512];
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	char *end;
	double v = strtod(tmp, &end);
	if (*end != '\0' || end == tmp)
		return false;
	if (isinf(v))
		return false;
	*out = v;
	return true;
}

/* ---- Go float formatting ---- */

/* Shortest round-trip decimal digits of |v|: digits without point, dp = point position. */
static void shortest_digits(double v, char digits[32], int *dp)
{
	char tmp[48];
	v = fabs(v);
	if (v == 0) {
		strcpy(digits, "0");
		*dp = 1;
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v || prec == 17)
			break;
	}
	/* tmp looks like d.ddde[+-]XX */
	size_t nd = 0;
	char *p = tmp;
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	*dp = atoi(p + 1) + 1;
}

static void fmt_e(char *out, size_t cap, bool neg, const char *d, int dp, bool clean_neg)
{
	int exp = dp - 1;
	int n = snprintf(out, cap, "%s%c", neg ? "-" : "", d[0]);
	if (d[1])
		n += snprintf(out + n, cap - (size_t)n, ".%s", d + 1);
	if (clean_neg && exp < 0 && exp > -10)
		snprintf(out + n, cap - (size_t)n, "e-%d", -exp);
	else
		snprintf(out + n, cap - (size_t)n, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
}

static void fmt_f(char *out, size_t cap, bool neg, const char *d, int dp)
{
	size_t nd = strlen(d), o = 0;
	if (neg)
		out[o++] = '-';
	if (dp <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = 0; i < -dp && o < cap - 2; i++)
			out[o++] = '0';
		for (size_t i = 0; i < nd && o < cap - 1; i++)
			out[o++] = d[i];
	} else {
		for (int i = 0; i < dp && o < cap - 1; i++)
			out[o++] = (size_t)i < nd ? d[i] : '0';
		if ((size_t)dp < nd) {
			out[o++] = '.';
			for (size_t i = (size_t)dp; i < nd && o < cap - 1; i++)
				out[o++] = d[i];
		}
	}
	out[o] = '\0';
}

bool doc_json_float(double v, char out[40])
{
	if (isnan(v) || isinf(v))
		return false;
	char d[32];
	int dp;
	shortest_digits(v, d, &dp);
	double a = fabs(v);
	bool neg = signbit(v);
	if (a != 0 && (a < 1e-6 || a >= 1e21))
		fmt_e(out, 40, neg, d, dp, true);
	else
		fmt_f(out, 40, neg, d, dp);
	return true;
}

void doc_yaml_number(const char *t, tend_buf *out)
{
	size_t n = strlen(t);
	int64_t i;
	uint64_t u;
	char tmp[48];
	if (go_parse_int(t, n, &i)) {
		snprintf(tmp, sizeof(tmp), "%" PRId64, i);
	} else if (go_parse_uint(t, n, &u)) {
		snprintf(tmp, sizeof(tmp), "%" PRIu64, u);
	} else {
		double v = strtod(t, NULL);
		char d[32];
		int dp;
		shortest_digits(v, d, &dp);
		int exp = dp - 1;
		if (exp < -4 || exp >= 6)
			fmt_e(tmp, sizeof(tmp), signbit(v), d, dp, false);
		else
			fmt_f(tmp, sizeof(tmp), signbit(v), d, dp);
	}
	tend_buf_puts(out, tmp);
}

/* ---- timestamps: Go time.Parse with go-yaml's four layouts ---- */

static bool getnum(const char *s, size_t n, size_t *i, bool fixed, int *v)
{
	if (*i >= n || !isdigit((unsigned char)s[*i]))
		return false;
	if (*i + 1 >= n || !isdigit((unsigned char)s[*i + 1])) {
		if (fixed)
			return false;
		*v = s[*i] - '0';
		*i += 1;
		return true;
	}
	*v = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
	*i += 2;
	return true;
}

static int days_in(int month, int year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return 29;
	return days[month - 1];
}

/* Writes the RFC 3339 text kustomize prints, or returns false. */
static bool parse_timestamp(const char *s, size_t n, char out[80])
{
	size_t i = 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i != 4 || i == n || s[i] != '-')
		return false;
	int year = atoi(s), month, day, hour = 0, min = 0, sec = 0, off = 0;
	long nsec = 0;
	bool has_time = false, has_zone = false;
	i = 5;
	if (!getnum(s, n, &i, false, &month) || month < 1 || month > 12)
		return false;
	if (i >= n || s[i] != '-')
		return false;
	i++;
	if (!getnum(s, n, &i, false, &day))
		return false;
	if (i < n) {
		char sep = s[i];
		if (sep != 'T' && sep != 't' && sep != ' ')
			return false;
		i++;
		has_time = true;
		if (!getnum(s, n, &i, false, &hour) || hour > 23)
			return false;
		if (i >= n || s[i] != ':')
			return false;
		i++;
		if (!getnum(s, n, &i, false, &min) || min > 59)
			return false;
		if (i >= n || s[i] != ':')
			return false;
		i++;
		if (!getnum(s, n, &i, false, &sec) || sec > 59)
			return false;
		if (i + 1 < n && (s[i] == '.' || s[i] == ',') && isdigit((unsigned char)s[i + 1])) {
			i++;
			int nd = 0;
			while (i < n && isdigit((unsigned char)s[i])) {
				if (nd < 9)
					nsec = nsec * 10 + (s[i] - '0'), nd++;
				i++;
			}
			while (nd++ < 9)
				nsec *= 10;
		}
		if (sep != ' ' && i < n) {
			if (s[i] == 'Z') {
				i++;
			} else {
				if (n - i < 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':')
					return false;
				int hh, mm;
				size_t j = i + 1;
				if (!getnum(s, n, &j, true, &hh))
					return false;
				j = i + 4;
				if (!getnum(s, n, &j, true, &mm))
					return false;
				if (hh > 24 || mm > 60)
					return false;
				off = (hh * 60 + mm) * (s[i] == '-' ? -1 : 1);
				i += 6;
			}
			has_zone = true;
		}
		if (sep != ' ' && !has_zone)
			return false;
	}
	if (i != n)
		return false;
	if (day < 1 || day > days_in(month, year))
		return false;
	(void)has_time;
	int o = snprintf(out, 80, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, min, sec);
	if (nsec) {
		char frac[16];
		snprintf(frac, sizeof(frac), "%09ld", nsec);
		size_t fl = 9;
		while (fl > 0 && frac[fl - 1] == '0')
			fl--;
		frac[fl] = '\0';
		o += snprintf(out + o, 80 - (size_t)o, ".%s", frac);
	}
	if (off == 0)
		snprintf(out + o, 80 - (size_t)o, "Z");
	else
		snprintf(out + o, 80 - (size_t)o, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
	return true;
}

/* ---- resolution ---- */

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (eq(s, n, *list))
			return true;
	return false;
}

static const char *const NULLS[] = {"~", "null", "Null", "NULL", NULL};
static const char *const TRUES[] = {"true", "True", "TRUE", NULL};
static const char *const FALSES[] = {"false", "False", "FALSE", NULL};
static const char *const NONFINITE[] = {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf",
					"+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL};
/* go-yaml v2 also reads these as booleans, so it quotes them on output. */
static const char *const V2_BOOLS[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N",
				       "no", "No", "NO", "off", "Off", "OFF", NULL};

bool doc_v2_bool(const char *s, size_t n, bool *value)
{
	if (!in_list(s, n, V2_BOOLS))
		return false;
	*value = s[0] == 'y' || s[0] == 'Y' || (n == 2 && (s[1] == 'n' || s[1] == 'N'));
	return true;
}

static char hint(const char *s, size_t n)
{
	if (n == 0)
		return 'N';
	char c = s[0];
	if (c == '+' || c == '-')
		return 'S';
	if (c >= '0' && c <= '9')
		return 'D';
	if (strchr("yYnNtTfFoO~", c))
		return 'M';
	if (c == '.')
		return '.';
	return 0;
}

static void set_float(double v, doc_scalar *out)
{
	if (!doc_json_float(v, out->text)) {
		out->kind = DOC_NONFINITE;
		return;
	}
	out->kind = DOC_NUMBER;
}

/* Strips every '_' (go-yaml does, before Go's own parsers see the text). */
static size_t strip_underscores(const char *s, size_t n, char *buf, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o < cap - 1; i++)
		if (s[i] != '_')
			buf[o++] = s[i];
	buf[o] = '\0';
	return o;
}

/* The numeric part shared by reading (v3) and quoting (v2): 'D'/'S' hints. */
static bool resolve_number(const char *s, size_t n, doc_scalar *out)
{
	char plain[512];
	if (n >= sizeof(plain))
		return false;
	size_t pn = strip_underscores(s, n, plain, sizeof(plain));
	int64_t i;
	uint64_t u;
	double f;
	if (go_parse_int(plain, pn, &i)) {
		out->kind = DOC_NUMBER;
		snprintf(out->text, sizeof(out->text), "%" PRId64, i);
		return true;
	}
	if (go_parse_uint(plain, pn, &u)) {
		out->kind = DOC_NUMBER;
		snprintf(out->text, sizeof(out->text), "%" PRIu64, u);
		return true;
	}
	if (yaml_style_float(plain, pn) && parse_decimal_float(plain, pn, &f)) {
		set_float(f, out);
		return true;
	}
	return false;
}

static bool dot_float(const char *s, size_t n, double *f)
{
	/* Go's ParseFloat on text starting with '.': only \.d+([eE][-+]?d+)? */
	return n >= 2 && yaml_style_float(s, n) && parse_decimal_float(s, n, f);
}

void doc_resolve_plain(const char *s, size_t n, doc_scalar *out)
{
	out->kind = DOC_STR;
	out->text[0] = '\0';
	char h = hint(s, n);
	if (!h)
		return;
	if (n == 0 || in_list(s, n, NULLS)) {
		out->kind = DOC_NULL;
		return;
	}
	if (in_list(s, n, TRUES) || in_list(s, n, FALSES)) {
		out->kind = DOC_BOOL;
		out->boolean = in_list(s, n, TRUES);
		return;
	}
	if (in_list(s, n, NONFINITE)) {
		out->kind = DOC_NONFINITE;
		return;
	}
	double f;
	if (h == '.' && dot_float(s, n, &f)) {
		set_float(f, out);
		return;
	}
	if (h == 'D' || h == 'S') {
		if (parse_timestamp(s, n, out->text)) {
			out->kind = DOC_TIME;
			return;
		}
		resolve_number(s, n, out);
	}
}

bool doc_resolve_tagged(const char *tag, const char *s, size_t n, doc_scalar *out)
{
	doc_resolve_plain(s, n, out);
	if (strcmp(tag, "tag:yaml.org,2002:int") == 0 || strcmp(tag, "tag:yaml.org,2002:float") == 0)
		return out->kind == DOC_NUMBER || out->kind == DOC_NONFINITE;
	if (strcmp(tag, "tag:yaml.org,2002:bool") == 0)
		return out->kind == DOC_BOOL;
	if (strcmp(tag, "tag:yaml.org,2002:null") == 0)
		return out->kind == DOC_NULL;
	if (strcmp(tag, "tag:yaml.org,2002:timestamp") == 0)
		return out->kind == DOC_TIME;
	return false;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool is_base60_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return false;
	while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	int groups = 0;
	while (i < n && s[i] == ':') {
		i++;
		size_t start = i;
		if (i < n && s[i] >= '0' && s[i] <= '5' && i + 1 < n && isdigit((unsigned char)s[i + 1]))
			i += 2;
		else if (i < n && isdigit((unsigned char)s[i]))
			i += 1;
		if (i == start)
			return false;
		groups++;
	}
	if (groups == 0)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'))
			i++;
	}
	return i == n;
}

bool doc_string_needs_quotes(const char *s, size_t n)
{
	if (is_base60_float(s, n))
		return true;
	char h = hint(s, n);
	if (!h)
		return false;
	if (n == 0 || in_list(s, n, NULLS) || in_list(s, n, TRUES) || in_list(s, n, FALSES) ||
	    in_list(s, n, NONFINITE) || in_list(s, n, V2_BOOLS))
		return true;
	double f;
	if (h == '.')
		return dot_float(s, n, &f);
	if (h == 'D' || h == 'S') {
		char ts[80];
		doc_scalar tmp;
		if (parse_timestamp(s, n, ts))
			return true;
		return resolve_number(s, n, &tmp);
	}
	return false;
}

cJSON *tend_doc_scalar(const char *text, const char *tag)
{
	size_t n = strlen(text);
	doc_scalar sc = {.kind = DOC_STR};
	if (tag && strcmp(tag, "str") == 0)
		return cJSON_CreateString(text);
	if (tag) {
		char full[64];
		snprintf(full, sizeof(full), "tag:yaml.org,2002:%s", tag);
		if (!doc_resolve_tagged(full, text, n, &sc)) {
			tend_err("cannot read `%s` as !!%s", text, tag);
			return NULL;
		}
	} else {
		doc_resolve_plain(text, n, &sc);
	}
	switch (sc.kind) {
	case DOC_NULL: return cJSON_CreateNull();
	case DOC_BOOL: return cJSON_CreateBool(sc.boolean);
	case DOC_NUMBER: return tend_doc_number(sc.text);
	case DOC_TIME: return cJSON_CreateString(sc.text);
	case DOC_NONFINITE: tend_err("`%s`: infinity and NaN cannot be represented in JSON", text); return NULL;
	case DOC_STR: break;
	}
	return cJSON_CreateString(text);
}

static bool is_line_break(const unsigned char *p, size_t left)
{
	return p[0] == '\n' || p[0] == '\r' || (left > 1 && p[0] == 0xC2 && p[1] == 0x85) ||
	       (left > 2 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9));
}

/* A character go-yaml's emitter prints as it is (its is_printable). */
static bool go_printable(const unsigned char *p, size_t left)
{
	if (p[0] == '\n' || (p[0] >= 0x20 && p[0] <= 0x7E))
		return true;
	if (p[0] == 0xC2)
		return left > 1 && p[1] >= 0xA0;
	if (p[0] == 0xED)
		return left > 1 && p[1] < 0xA0;
	if (p[0] == 0xEF)
		return left > 2 && !(p[1] == 0xBB && p[2] == 0xBF) &&
		       !(p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF));
	return (p[0] > 0xC2 && p[0] < 0xED) || p[0] == 0xEE || (p[0] >= 0x80 && p[0] < 0xC0);
}

bool doc_go_block_allowed(const char *s, size_t n)
{
	const unsigned char *v = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++) {
		if (v[i] != '\t' && !go_printable(v + i, n - i))
			return false;
		if (v[i] == ' ' && (i + 1 == n || is_line_break(v + i + 1, n - i - 1)))
			return false;
	}
	return true;
}

/*
 * kyaml sets a string holding a line feed as a literal block, and go-yaml
 * writes one starting with a tab without an indentation indicator: reading
 * it back, the reader meets the tab where it looks for the indentation.
 */
bool tend_doc_literal_rereads(const char *s)
{
	return s[0] != '\t' || !strchr(s, '\n') || !doc_go_block_allowed(s, strlen(s));
}

/*
 * NELs as kustomize's JSON round trip leaves them: raw in a double-quoted
 * JSON string that a YAML reader folds. The spaces before the first NEL
 * of a run of NELs and spaces go, and the run becomes one space, or k-1
 * line feeds for k NELs. v[*i] is the run's first NEL; *i ends on its last
 * byte.
 */
static void fold_nel_run(const char *v, size_t n, size_t *i, tend_buf *out)
{
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		out->len--;
	size_t nels = 0, j = *i;
	for (;;) {
		if (j + 1 < n && (unsigned char)v[j] == 0xC2 && (unsigned char)v[j + 1] == 0x85) {
			nels++;
			j += 2;
		} else if (j < n && v[j] == ' ') {
			j++;
		} else {
			break;
		}
	}
	if (nels == 1)
		tend_buf_putc(out, ' ');
	for (size_t k = 1; k < nels; k++)
		tend_buf_putc(out, '\n');
	*i = j - 1;
}

const char *doc_reread_text(const char *v, size_t n, tend_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == 0) {
			tend_buf_put(out, "\xC0\x80", 2);
		} else if (c == 0x7F) {
			return "control character U+007F is not allowed";
		} else if (c == 0xEF && i + 2 < n && (unsigned char)v[i + 1] == 0xBF &&
		           ((unsigned char)v[i + 2] == 0xBE || (unsigned char)v[i + 2] == 0xBF)) {
			return "noncharacters U+FFFE and U+FFFF are not allowed";
		} else if (c == 0xC2 && i + 1 < n && (unsigned char)v[i + 1] >= 0x80 &&
		           (unsigned char)v[i + 1] <= 0x9F) {
			if ((unsigned char)v[i + 1] != 0x85)
				return "C1 control characters are not allowed";
			fold_nel_run(v, n, &i, out);
		} else {
			tend_buf_putc(out, (char)c);
		}
	}
	return NULL;
}

int tend_doc_reread_text(const char *s, size_t n, tend_buf *out)
{
	const char *problem = doc_reread_text(s, n, out);
	return problem ? tend_err("%s", problem) : 0;
}
