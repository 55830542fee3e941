/*
 * test_doc.c — the document model: scalar resolution and printing (each
 * expectation below was produced by `kubectl kustomize` v5.5), exact
 * integers, anchors, limits, error positions, and round trips.
 */
#include "test.h"

#include "lib/doc/doc.h"

#include <stdlib.h>
#include <time.h>

/* Loads "k: <value>" inside a mapping and returns how kustomize prints it. */
static char *print_value(const char *value)
{
	char *src = tend_xasprintf("k: %s\n", value);
	tend_docs docs = TEND_DOCS_INIT;
	tend_buf out = TEND_BUF_INIT;
	if (tend_doc_load("t.yaml", src, strlen(src), &docs) != 0) {
		free(src);
		return tend_xasprintf("ERROR %s", tend_err_msg());
	}
	if (tend_doc_emit_yaml(docs.items[0].root, &out) != 0)
		tend_buf_printf(&out, "ERROR %s", tend_err_msg());
	tend_docs_free(&docs);
	free(src);
	/* strip "k: " and the trailing newline for single-line results */
	const char *text = out.data ? out.data : "";
	if (strncmp(text, "k: ", 3) == 0)
		text += 3;
	char *s = tend_xstrdup(text);
	tend_buf_free(&out);
	char *nl = strchr(s, '\n');
	if (nl && nl[1] == '\0')
		*nl = '\0';
	return s;
}

#define CHECK_PRINTS(input, expected)                                                              \
	do {                                                                                       \
		char *got_ = print_value(input);                                                   \
		CHECK_STR(expected, got_);                                                         \
		free(got_);                                                                        \
	} while (0)

static char *roundtrip(const char *src)
{
	tend_docs docs = TEND_DOCS_INIT;
	tend_buf out = TEND_BUF_INIT;
	if (tend_doc_load("t.yaml", src, strlen(src), &docs) != 0)
		return tend_xasprintf("ERROR %s", tend_err_msg());
	for (size_t i = 0; i < docs.len; i++) {
		if (i)
			tend_buf_puts(&out, "---\n");
		if (tend_doc_emit_yaml(docs.items[i].root, &out))
			tend_buf_printf(&out, "ERROR %s", tend_err_msg());
	}
	tend_docs_free(&docs);
	return tend_buf_detach(&out);
}

static char *load_error(const char *src)
{
	tend_docs docs = TEND_DOCS_INIT;
	int rc = tend_doc_load("t.yaml", src, strlen(src), &docs);
	size_t n = docs.len;
	tend_docs_free(&docs);
	if (rc == 0)
		return tend_xasprintf("loaded %zu documents", n);
	return tend_xstrdup(tend_err_msg());
}

TEST(strings_that_stay_strings)
{
	CHECK_PRINTS("yes", "\"yes\"");
	CHECK_PRINTS("no", "\"no\"");
	CHECK_PRINTS("on", "\"on\"");
	CHECK_PRINTS("off", "\"off\"");
	CHECK_PRINTS("y", "\"y\"");
	CHECK_PRINTS("n", "\"n\"");
	CHECK_PRINTS("Yes", "\"Yes\"");
	CHECK_PRINTS("'1.0'", "\"1.0\"");
	CHECK_PRINTS("\"2024-06-01\"", "\"2024-06-01\"");
	CHECK_PRINTS("\"1:20\"", "\"1:20\"");
	CHECK_PRINTS("!!str 12", "\"12\"");
	CHECK_PRINTS("!custom foo", "foo");
	CHECK_PRINTS("\"\"", "\"\"");
	CHECK_PRINTS("\"~\"", "\"~\"");
	CHECK_PRINTS("\"0777\"", "\"0777\"");
	CHECK_PRINTS("\"1e3\"", "\"1e3\"");
	CHECK_PRINTS("\"<<\"", "<<");
	CHECK_PRINTS("2024-13-01", "2024-13-01");
	CHECK_PRINTS("1e400", "1e400");
	CHECK_PRINTS("hello world", "hello world");
}

TEST(quoting_styles)
{
	CHECK_PRINTS("\"-\"", "'-'");
	CHECK_PRINTS("\"- a\"", "'- a'");
	CHECK_PRINTS("\"a #b\"", "'a #b'");
	CHECK_PRINTS("\"a: b\"", "'a: b'");
	CHECK_PRINTS("\"@daily\"", "'@daily'");
	CHECK_PRINTS("\"---\"", "'---'");
	CHECK_PRINTS("\"  lead\"", "'  lead'");
	CHECK_PRINTS("\"trail  \"", "'trail  '");
	CHECK_PRINTS("\"tab\\there\"", "\"tab\\there\"");
	CHECK_PRINTS("\"ctl\\a\"", "\"ctl\\a\"");
	CHECK_PRINTS("\"emoji \U0001F680\"", "\"emoji \\U0001F680\"");
	CHECK_PRINTS("\"caf\u00e9\"", "caf\u00e9");
}

TEST(numbers)
{
	CHECK_PRINTS("0777", "511");
	CHECK_PRINTS("0o17", "15");
	CHECK_PRINTS("0x1F", "31");
	CHECK_PRINTS("0b101", "5");
	CHECK_PRINTS("1_000", "1000");
	CHECK_PRINTS("1_", "1");
	CHECK_PRINTS("08", "8");
	CHECK_PRINTS("1e3", "1000");
	CHECK_PRINTS("1.5e3", "1500");
	CHECK_PRINTS("1.0", "1");
	CHECK_PRINTS("1.", "1");
	CHECK_PRINTS(".5", "0.5");
	CHECK_PRINTS("-0", "0");
	CHECK_PRINTS("0.1", "0.1");
	CHECK_PRINTS("0.000001", "1e-06");
	CHECK_PRINTS("1e-7", "1e-07");
	CHECK_PRINTS("1e21", "1e+21");
	CHECK_PRINTS("100000000000000000000.0", "1e+20");
	CHECK_PRINTS("1234567.5", "1.2345675e+06");
	CHECK_PRINTS("3.14159265358979", "3.14159265358979");
}

TEST(exact_integers)
{
	CHECK_PRINTS("12345678901234567890", "12345678901234567890");
	CHECK_PRINTS("9007199254740993", "9007199254740993");
	CHECK_PRINTS("-9223372036854775808", "-9223372036854775808");
	CHECK_PRINTS("18446744073709551615", "18446744073709551615");
	/* past uint64, Go reads a float: kustomize prints it as one */
	CHECK_PRINTS("123456789012345678901234567890", "1.2345678901234568e+29");
}

TEST(null_bool_time)
{
	CHECK_PRINTS("", "null");
	CHECK_PRINTS("~", "null");
	CHECK_PRINTS("NULL", "null");
	CHECK_PRINTS("True", "true");
	CHECK_PRINTS("FALSE", "false");
	CHECK_PRINTS("2024-06-01", "\"2024-06-01T00:00:00Z\"");
	CHECK_PRINTS("2024-6-1", "\"2024-06-01T00:00:00Z\"");
	CHECK_PRINTS("2001-12-14t21:59:43.10-05:00", "\"2001-12-14T21:59:43.1-05:00\"");
	CHECK_PRINTS("2001-12-14 21:59:43.10", "\"2001-12-14T21:59:43.1Z\"");
	CHECK_PRINTS("\"1:20\"", "\"1:20\"");
}

TEST(nonfinite_fails_like_kustomize)
{
	char *e = load_error("a: .inf\n");
	CHECK_CONTAINS(e, "t.yaml:1:4");
	CHECK_CONTAINS(e, "infinity and NaN");
	free(e);
	e = load_error("a: -.Inf\n");
	CHECK_CONTAINS(e, "t.yaml:1:4");
	free(e);
}

TEST(block_scalars)
{
	CHECK_PRINTS("\"multi\\nline\"", "|-\n  multi\n  line\n");
	CHECK_PRINTS("\"multi\\nline\\n\"", "|\n  multi\n  line\n");
	CHECK_PRINTS("\"multi\\nline\\n\\n\"", "|+\n  multi\n  line\n\n");
	CHECK_PRINTS("\"  indented\\nnext\"", "|2-\n    indented\n  next\n");
	CHECK_PRINTS("\"trailing space \\nnext\"", "\"trailing space \\nnext\"");
	CHECK_PRINTS(">\n  folded\n  text\n", "|\n  folded text\n");
}

TEST(long_strings_fold_at_80)
{
	/* kubectl kustomize breaks at the first space past column 80 */
	char *out = roundtrip("data:\n  o: \"this is a long string with spaces that should be "
	                      "folded somewhere past eighty columns or so I think\"\n");
	CHECK_STR("data:\n  o: this is a long string with spaces that should be folded somewhere "
	          "past eighty\n    columns or so I think\n",
	          out);
	free(out);
}

TEST(key_order_is_natural)
{
	char *out = roundtrip("a10: 1\na9: 2\nA: 3\n_x: 4\n\"123\": 5\nb: 6\n");
	CHECK_STR("_x: 4\n\"123\": 5\nA: 3\na9: 2\na10: 1\nb: 6\n", out);
	free(out);
	CHECK(tend_doc_key_cmp("apiVersion", "kind") < 0);
	CHECK(tend_doc_key_cmp("x2", "x10") < 0);
	CHECK(tend_doc_key_cmp("a", "a") == 0);
}

TEST(collections)
{
	char *out = roundtrip("a: []\nb: {}\nc: [1, two]\nd: {x: 1}\ne:\n- f: 1\n  g: 2\n");
	CHECK_STR("a: []\nb: {}\nc:\n- 1\n- two\nd:\n  x: 1\ne:\n- f: 1\n  g: 2\n", out);
	free(out);
}

TEST(streams_and_markers)
{
	char *out = roundtrip("\xEF\xBB\xBF---\na: 1\n...\n---\n# only a comment\n---\nb: 2\r\n");
	CHECK_STR("a: 1\n---\nb: 2\n", out);
	free(out);
	tend_docs docs = TEND_DOCS_INIT;
	const char *src = "a: 1\n---\n\n---\nb: 2\n";
	CHECK_INT(0, tend_doc_load("t.yaml", src, strlen(src), &docs));
	CHECK_INT(2, docs.len);
	CHECK_INT(5, docs.items[1].line);
	tend_docs_free(&docs);
}

TEST(anchors_and_merge_keys)
{
	char *out = roundtrip("base: &b\n  x: 1\n  y: 2\nm:\n  <<: *b\n  y: 3\nl: *b\n");
	CHECK_STR("base:\n  x: 1\n  \"y\": 2\nl:\n  x: 1\n  \"y\": 2\nm:\n  x: 1\n  \"y\": 3\n",
	          out);
	free(out);
	out = roundtrip("a: &k key\n*k : v\n");
	CHECK_STR("a: key\nkey: v\n", out);
	free(out);
	char *e = load_error("a: *nope\n");
	CHECK_CONTAINS(e, "t.yaml:1:4: unknown anchor \"nope\"");
	free(e);
}

TEST(billion_laughs_is_refused)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	                   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	                   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	                   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	                   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	                   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	                   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	char *e = load_error(bomb);
	CHECK_CONTAINS(e, "TEND_DOC_MAX_ALIAS_NODES");
	free(e);
}

TEST(limits)
{
	tend_buf deep = TEND_BUF_INIT;
	for (int i = 0; i < TEND_DOC_MAX_DEPTH + 5; i++)
		tend_buf_putc(&deep, '[');
	char *e = load_error(deep.data);
	CHECK_CONTAINS(e, "TEND_DOC_MAX_DEPTH");
	free(e);
	tend_buf_free(&deep);
	tend_docs docs = TEND_DOCS_INIT;
	CHECK_INT(-1, tend_doc_load("big.yaml", "a: 1", (size_t)TEND_DOC_MAX_BYTES + 1, &docs));
	CHECK_CONTAINS(tend_err_msg(), "TEND_DOC_MAX_BYTES");
	CHECK_INT(0, docs.len);
}

/* "data:" with n keys k0..k(n-1); dup >= 0 repeats key k<dup> at the end. */
static char *many_keys(size_t n, long dup)
{
	tend_buf b = TEND_BUF_INIT;
	tend_buf_puts(&b, "kind: ConfigMap\ndata:\n");
	for (size_t i = 0; i < n; i++)
		tend_buf_printf(&b, "  k%zu: v\n", i);
	if (dup >= 0)
		tend_buf_printf(&b, "  k%ld: again\n", dup);
	return tend_buf_detach(&b);
}

/* CPU seconds to load text, the best of three (other work on the machine only adds). */
static double load_seconds(const char *text)
{
	double best = 1e9;
	for (int r = 0; r < 3; r++) {
		struct timespec a, b;
		tend_docs docs = TEND_DOCS_INIT;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		int rc = tend_doc_load("t.yaml", text, strlen(text), &docs);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		tend_docs_free(&docs);
		CHECK_INT(0, rc);
		double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		best = s < best ? s : best;
	}
	return best;
}

/* A scan per key made a 100k-key ConfigMap take 35 s: four times the keys
 * must cost about four times the time (a quadratic check costs sixteen). */
TEST(many_keys_load_in_linear_time)
{
	char *small = many_keys(TEND_DOC_MAX_KEYS / 4, -1), *big = many_keys(TEND_DOC_MAX_KEYS, -1);
	double ts = load_seconds(small), tb = load_seconds(big);
	if (tb > 8 * ts + 0.05) {
		printf("%s:%d: %u keys took %.3f s, a quarter of them %.3f s\n", __FILE__, __LINE__,
		       TEND_DOC_MAX_KEYS, tb, ts);
		test_failed_now = 1;
	}
	free(small);
	free(big);
	/* the hashed check still finds a duplicate, and where its first was */
	char *dup = many_keys(1000, 3);
	char *e = load_error(dup);
	CHECK_STR("t.yaml:1003:3: duplicate key \"k3\" (first at line 6)", e);
	free(e);
	free(dup);
}

/* Kustomization files: a repeated key replaces the earlier value, in a small
 * mapping (scanned) and a large one (hashed); the key count stays right and an
 * anchor on the replaced value still serves its alias. */
TEST(last_key_wins_when_asked)
{
	const char *small = "a: &x 1\nb: 2\na: 3\nc: *x\n";
	tend_docs docs = TEND_DOCS_INIT;
	CHECK_INT(0, tend_doc_load_flags("k.yaml", small, strlen(small), TEND_DOC_LAST_KEY_WINS,
					 &docs));
	const cJSON *r = docs.len ? docs.items[0].root : NULL;
	CHECK_INT(3, cJSON_GetArraySize(r));
	char *a = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "a"));
	char *c = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "c"));
	CHECK_STR("3", a);
	CHECK_STR("1", c);
	cJSON_free(a);
	cJSON_free(c);
	tend_docs_free(&docs);
	char *big = many_keys(1000, 3);
	CHECK_INT(0, tend_doc_load_flags("k.yaml", big, strlen(big), TEND_DOC_LAST_KEY_WINS, &docs));
	const cJSON *data = docs.len ? cJSON_GetObjectItemCaseSensitive(docs.items[0].root, "data") : NULL;
	CHECK_INT(1000, cJSON_GetArraySize(data));
	CHECK_STR("again", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(data, "k3")));
	tend_docs_free(&docs);
	free(big);
}

TEST(merge_keys_into_a_large_mapping)
{
	tend_buf b = TEND_BUF_INIT;
	tend_buf_puts(&b, "base: &b\n");
	for (int i = 0; i < 40; i++)
		tend_buf_printf(&b, "  k%d: base\n", i);
	tend_buf_puts(&b, "m:\n  <<: *b\n");
	for (int i = 20; i < 60; i++)
		tend_buf_printf(&b, "  k%d: own\n", i);
	tend_docs docs = TEND_DOCS_INIT;
	CHECK_INT(0, tend_doc_load("t.yaml", b.data, b.len, &docs));
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(docs.items[0].root, "m");
	CHECK_INT(60, cJSON_GetArraySize(m));
	CHECK_STR("base", cJSON_GetObjectItemCaseSensitive(m, "k0")->valuestring);
	CHECK_STR("own", cJSON_GetObjectItemCaseSensitive(m, "k25")->valuestring);
	tend_docs_free(&docs);
	tend_buf_free(&b);
}

TEST(documents_keys_and_nodes_are_bounded)
{
	char *keys = many_keys(TEND_DOC_MAX_KEYS, -1);
	size_t n = strlen(keys);
	keys = realloc(keys, n + 16);
	strcpy(keys + n, "  one: more\n");
	char *e = load_error(keys);
	char *want =
	    tend_xasprintf("t.yaml:%u:3: more than %u keys in one mapping (TEND_DOC_MAX_KEYS)",
	                   TEND_DOC_MAX_KEYS + 3, TEND_DOC_MAX_KEYS);
	CHECK_STR(want, e);
	free(want);
	free(e);
	free(keys);

	tend_buf b = TEND_BUF_INIT;
	for (unsigned i = 0; i <= TEND_DOC_MAX_DOCS; i++)
		tend_buf_printf(&b, "---\nkind: ConfigMap\nmetadata: {name: c%u}\n", i);
	e = load_error(b.data);
	want = tend_xasprintf("t.yaml:%u: more than %u documents in one file (TEND_DOC_MAX_DOCS)",
	                      3 * TEND_DOC_MAX_DOCS + 2, TEND_DOC_MAX_DOCS);
	CHECK_STR(want, e);
	free(want);
	free(e);
	tend_buf_free(&b);

	/* one long list: refused at the limit, before it costs hundreds of MB */
	tend_buf_puts(&b, "items:\n");
	for (unsigned i = 0; i < TEND_DOC_MAX_NODES; i++)
		tend_buf_puts(&b, "- 1\n");
	e = load_error(b.data);
	CHECK_CONTAINS(e, "more than 500000 nodes in one file (TEND_DOC_MAX_NODES)");
	CHECK_CONTAINS(e, "t.yaml:");
	free(e);
	tend_buf_free(&b);
}

TEST(errors_name_file_line_column)
{
	char *e = load_error("metadata:\n  name: x\nspec:\n  hard:\n    a: 1\n  hard:\n    b: 2\n");
	CHECK_STR("t.yaml:6:3: duplicate key \"hard\" (first at line 4)", e);
	free(e);
	e = load_error("a:\n\tb: 1\n");
	CHECK_CONTAINS(e, "t.yaml:2:");
	free(e);
	e = load_error("a: [1, 2\n");
	CHECK_CONTAINS(e, "t.yaml:");
	free(e);
	e = load_error("1: a\n");
	CHECK_CONTAINS(e, "t.yaml:1:1: mapping keys must be strings");
	free(e);
	e = load_error("? [a]\n: b\n");
	CHECK_CONTAINS(e, "mapping keys must be strings");
	free(e);
	/* a failed load appends nothing, even when earlier documents were fine */
	tend_docs docs = TEND_DOCS_INIT;
	const char *src = "a: 1\n---\nb: [\n";
	CHECK_INT(-1, tend_doc_load("t.yaml", src, strlen(src), &docs));
	CHECK_INT(0, docs.len);
}

TEST(positions_survive_duplication)
{
	tend_docs docs = TEND_DOCS_INIT;
	const char *src = "kind: X\nspec:\n  hard:\n    gpu: 4\n";
	CHECK_INT(0, tend_doc_load("t.yaml", src, strlen(src), &docs));
	cJSON *copy = cJSON_Duplicate(docs.items[0].root, 1);
	cJSON *hard = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(copy, "spec"), "hard");
	CHECK_INT(3, tend_doc_line(hard));
	CHECK_INT(3, tend_doc_col(hard));
	CHECK_INT(4, tend_doc_line(cJSON_GetObjectItem(hard, "gpu")));
	cJSON_Delete(copy);
	tend_docs_free(&docs);
}

TEST(json_output_is_exact)
{
	tend_docs docs = TEND_DOCS_INIT;
	const char *src = "b: 12345678901234567890\na: [yes, 0.000001, \"x\\ty\", null, true]\n";
	CHECK_INT(0, tend_doc_load("t.yaml", src, strlen(src), &docs));
	tend_buf out = TEND_BUF_INIT;
	tend_doc_emit_json(docs.items[0].root, &out);
	CHECK_STR("{\n  \"a\": [\n    \"yes\",\n    0.000001,\n    \"x\\ty\",\n    null,\n    "
	          "true\n  ],\n  \"b\": 12345678901234567890\n}\n",
	          out.data);
	tend_buf_free(&out);
	tend_docs_free(&docs);
}

TEST(roundtrip_is_stable)
{
	const char *src = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\n  "
	                  "namespace: chem\nspec:\n  hard:\n    limits.memory: 512Gi\n    "
	                  "requests.nvidia.com/gpu: \"4\"\n";
	char *once = roundtrip(src);
	char *twice = roundtrip(once);
	CHECK_STR(src, once);
	CHECK_STR(once, twice);
	free(once);
	free(twice);
}

int main(void)
{
	RUN(strings_that_stay_strings);
	RUN(quoting_styles);
	RUN(numbers);
	RUN(exact_integers);
	RUN(null_bool_time);
	RUN(nonfinite_fails_like_kustomize);
	RUN(block_scalars);
	RUN(long_strings_fold_at_80);
	RUN(key_order_is_natural);
	RUN(collections);
	RUN(streams_and_markers);
	RUN(anchors_and_merge_keys);
	RUN(billion_laughs_is_refused);
	RUN(limits);
	RUN(many_keys_load_in_linear_time);
	RUN(last_key_wins_when_asked);
	RUN(merge_keys_into_a_large_mapping);
	RUN(documents_keys_and_nodes_are_bounded);
	RUN(errors_name_file_line_column);
	RUN(positions_survive_duplication);
	RUN(json_output_is_exact);
	RUN(roundtrip_is_stable);
	TEST_MAIN_END();
}
