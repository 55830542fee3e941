/*
 * test_serve.c — lib/serve: the metrics registry's exposition text, webhook
 * signature checks (GitHub's documented test vector), and the HTTP router
 * over a real socket (404/405/413, bodies, headers, snapshots, a slot sent
 * without a copy).
 */
#include "lib/serve/serve.h"
#include "test.h"

#include <curl/curl.h>
#include <stdlib.h>

TEST(metrics_counter_gauge_render)
{
	tend_metrics *m = tend_metrics_new();
	tend_metrics_declare(m, "tend_syncs_total", TEND_METRIC_COUNTER, "Syncs by result.", NULL,
	                     0);
	tend_metrics_declare(m, "tend_unused", TEND_METRIC_GAUGE, "Never set.", NULL, 0);
	tend_metrics_add(m, "tend_syncs_total",
	                 (const char *[]){"project", "b", "result", "ok", NULL}, 1);
	tend_metrics_add(m, "tend_syncs_total",
	                 (const char *[]){"project", "a\"x\\", "result", "ok", NULL}, 2);
	tend_metrics_add(m, "tend_syncs_total",
	                 (const char *[]){"project", "b", "result", "ok", NULL}, 1);
	tend_metrics_add(m, "tend_undeclared", NULL, 1);
	tend_buf out = TEND_BUF_INIT;
	tend_metrics_render(m, &out);
	CHECK_STR("# HELP tend_syncs_total Syncs by result.\n"
	          "# TYPE tend_syncs_total counter\n"
	          "tend_syncs_total{project=\"a\\\"x\\\\\",result=\"ok\"} 2\n"
	          "tend_syncs_total{project=\"b\",result=\"ok\"} 2\n",
	          out.data);
	CHECK(tend_metrics_value(m, "tend_syncs_total",
	                         (const char *[]){"project", "b", "result", "ok", NULL}) == 2);
	tend_metrics_reset(m, "tend_syncs_total");
	tend_buf_reset(&out);
	tend_metrics_render(m, &out);
	CHECK_INT(0, (long)out.len);
	tend_buf_free(&out);
	tend_metrics_free(m);
}

/* A project's series go with it, and only its: p1's removal leaves p10's. */
TEST(metrics_remove_by_label_prefix)
{
	tend_metrics *m = tend_metrics_new();
	tend_metrics_declare(m, "g", TEND_METRIC_GAUGE, "A gauge.", NULL, 0);
	const char *names[] = {"p1", "p10", "p0", "p2"};
	for (size_t i = 0; i < 4; i++) {
		tend_metrics_set(m, "g", (const char *[]){"project", names[i], "r", "a", NULL}, 1);
		tend_metrics_set(m, "g", (const char *[]){"project", names[i], "r", "b", NULL}, 2);
	}
	tend_metrics_set(m, "g", (const char *[]){"project", "p1", NULL}, 3);
	tend_metrics_remove(m, "g", (const char *[]){"project", "p1", NULL});
	tend_metrics_remove(m, "missing", (const char *[]){"project", "p1", NULL});
	tend_buf out = TEND_BUF_INIT;
	tend_metrics_render(m, &out);
	CHECK(!strstr(out.data, "project=\"p1\""));
	CHECK_CONTAINS(out.data, "g{project=\"p10\",r=\"a\"} 1\n");
	CHECK_CONTAINS(out.data, "g{project=\"p0\",r=\"b\"} 2\n");
	CHECK_CONTAINS(out.data, "g{project=\"p2\",r=\"b\"} 2\n");
	tend_buf_free(&out);
	tend_metrics_free(m);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Series come out in the order of their label text, whatever their label
 * names and whatever their values hold (characters before and after the
 * quote, escapes), also past the label name lists a family keeps. */
TEST(metrics_series_in_label_text_order)
{
	tend_metrics *m = tend_metrics_new();
	tend_metrics_declare(m, "g", TEND_METRIC_GAUGE, "A gauge.", NULL, 0);
	const char *values[] = {"a", "a b", "a!", "a\"", "a#", "a\\", "a\n", "ab", "", "a\"b"};
	tend_strvec want = TEND_STRVEC_INIT;
	for (size_t i = 0; i < 10; i++)
		for (size_t j = 0; j < 10; j += 3) {
			const char *labels[] = {"p", values[i], j % 2 ? "q" : "r", values[j], NULL};
			tend_metrics_set(m, "g", labels, 1);
		}
	for (int i = 0; i < 300; i++) { /* one label name list each */
		char name[16];
		snprintf(name, sizeof(name), "l%03d", (i * 7) % 300);
		tend_metrics_set(m, "g", (const char *[]){name, values[i % 10], NULL}, 2);
	}
	tend_metrics_set(m, "g", NULL, 3);
	tend_buf out = TEND_BUF_INIT;
	tend_metrics_render(m, &out);
	char *lines = tend_xstrdup(out.data);
	for (char *line = strtok(lines, "\n"); line; line = strtok(NULL, "\n"))
		if (line[0] != '#')
			tend_strvec_push(&want, line);
	CHECK_INT(40 + 300 + 1, (long)want.len);
	tend_strvec got = TEND_STRVEC_INIT;
	for (size_t i = 0; i < want.len; i++)
		tend_strvec_push(&got, want.items[i]);
	qsort(want.items, want.len, sizeof(char *), by_text);
	for (size_t i = 0; i < want.len; i++)
		CHECK_STR(want.items[i], got.items[i]);
	CHECK(tend_metrics_value(m, "g", (const char *[]){"p", "a\"", "r", "a\n", NULL}) == 1);
	CHECK(tend_metrics_value(m, "g", (const char *[]){"l299", "ab", NULL}) == 2);
	CHECK(tend_metrics_value(m, "g", (const char *[]){"p", "a\"", "x", "a", NULL}) == 0);
	tend_metrics_remove(m, "g", (const char *[]){"p", "a\"", NULL});
	tend_metrics_remove(m, "g", (const char *[]){"l299", "ab", NULL});
	tend_buf_reset(&out);
	tend_metrics_render(m, &out);
	CHECK(!strstr(out.data, "g{p=\"a\\\"\","));
	CHECK(!strstr(out.data, "g{l299="));
	CHECK_CONTAINS(out.data, "g{p=\"a\\\"b\",r=\"a\"} 1\n");
	CHECK_CONTAINS(out.data, "g{l298=\"a#\"} 2\n");
	CHECK_CONTAINS(out.data, "\ng 3\n");
	free(lines);
	tend_strvec_free(&want);
	tend_strvec_free(&got);
	tend_buf_free(&out);
	tend_metrics_free(m);
}

TEST(metrics_histogram_render)
{
	tend_metrics *m = tend_metrics_new();
	const double b[] = {0.1, 1};
	tend_metrics_declare(m, "d_seconds", TEND_METRIC_HISTOGRAM, "Durations.", b, 2);
	tend_metrics_observe(m, "d_seconds", NULL, 0.05);
	tend_metrics_observe(m, "d_seconds", NULL, 0.5);
	tend_metrics_observe(m, "d_seconds", NULL, 3);
	tend_buf out = TEND_BUF_INIT;
	tend_metrics_render(m, &out);
	CHECK_STR("# HELP d_seconds Durations.\n"
	          "# TYPE d_seconds histogram\n"
	          "d_seconds_bucket{le=\"0.1\"} 1\n"
	          "d_seconds_bucket{le=\"1\"} 2\n"
	          "d_seconds_bucket{le=\"+Inf\"} 3\n"
	          "d_seconds_sum 3.55\n"
	          "d_seconds_count 3\n",
	          out.data);
	tend_buf_free(&out);
	tend_metrics_free(m);
}

TEST(webhook_github_signature)
{
	/* GitHub's documented example: secret "It's a Secret to Everybody". */
	const char *secret = "It's a Secret to Everybody";
	const char *body = "Hello, World!";
	const char *good =
	    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
	CHECK(tend_webhook_github_valid(secret, strlen(secret), body, strlen(body), good));
	CHECK(!tend_webhook_github_valid(secret, strlen(secret), "Hello, World?", 13, good));
	CHECK(!tend_webhook_github_valid("other", 5, body, strlen(body), good));
	CHECK(!tend_webhook_github_valid(secret, strlen(secret), body, strlen(body),
	                                 "sha1=757107ea0eb2509fc211221cce984b8a37570b6d"));
	CHECK(!tend_webhook_github_valid(secret, strlen(secret), body, strlen(body), "sha256=zz"));
	CHECK(!tend_webhook_github_valid(secret, strlen(secret), body, strlen(body), NULL));
	CHECK(!tend_webhook_github_valid("", 0, body, strlen(body), good));
}

TEST(webhook_gitlab_token)
{
	CHECK(tend_webhook_gitlab_valid("s3cret", 6, "s3cret"));
	CHECK(!tend_webhook_gitlab_valid("s3cret", 6, "s3cre"));
	CHECK(!tend_webhook_gitlab_valid("s3cret", 6, "s3cret "));
	CHECK(!tend_webhook_gitlab_valid("s3cret", 6, NULL));
	CHECK(!tend_webhook_gitlab_valid("", 0, ""));
}

static void echo(void *ud, const tend_http_request *req, tend_http_response *res)
{
	tend_serve *s = ud;
	const char *h = tend_http_header(req, "x-test");
	const char *q = tend_http_query(req, "q");
	char *snap = tend_serve_snapshot(s, "doc");
	tend_buf_printf(&res->body, "%s %s body=%s h=%s q=%s snap=%s", req->method, req->path,
	                req->body, h ? h : "-", q ? q : "-", snap ? snap : "-");
	free(snap);
	res->status = 202;
	res->content_type = "text/x-test";
}

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
	tend_buf_put(ud, p, sz * n);
	return sz * n;
}

static long http(int port, const char *method, const char *path, const char *body, tend_buf *out)
{
	CURL *c = curl_easy_init();
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	struct curl_slist *h = curl_slist_append(NULL, "X-Test: yes");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	long code = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

TEST(server_routes)
{
	tend_serve *s = tend_serve_new();
	tend_serve_route(s, NULL, "/get", 0, echo, s);
	tend_serve_route(s, "POST", "/post", 16, echo, s);
	tend_serve_route(s, NULL, "/ui/*", 0, echo, s);
	CHECK(tend_serve_start(s, "127.0.0.1:0") == 0);
	int port = tend_serve_port(s);
	CHECK(port > 0);
	tend_serve_publish(s, "doc", "v1");
	tend_serve_publish(s, "doc", "v2");
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(202, http(port, "GET", "/get?q=1", NULL, &b));
	CHECK_STR("GET /get body= h=yes q=1 snap=v2", b.data);
	tend_buf_reset(&b);
	CHECK_INT(202, http(port, "POST", "/post", "0123456789abcdef", &b));
	CHECK_STR("POST /post body=0123456789abcdef h=yes q=- snap=v2", b.data);
	tend_buf_reset(&b);
	CHECK_INT(413, http(port, "POST", "/post", "0123456789abcdefX", &b));
	tend_buf_reset(&b);
	CHECK_INT(405, http(port, "GET", "/post", NULL, &b));
	CHECK_INT(404, http(port, "GET", "/nope", NULL, &b));
	tend_buf_reset(&b);
	CHECK_INT(202, http(port, "GET", "/ui/app.js", NULL, &b));
	CHECK_STR("GET /ui/app.js body= h=yes q=- snap=v2", b.data);
	tend_buf_free(&b);
	tend_serve_free(s);
}

static void tagged(void *ud, const tend_http_request *req, tend_http_response *res)
{
	(void)ud, (void)req;
	snprintf(res->etag, sizeof(res->etag), "\"v7\"");
	tend_buf_puts(&res->body, "x");
}

static size_t header_line(char *p, size_t sz, size_t n, void *ud)
{
	if (n * sz > 6 && strncasecmp(p, "ETag: ", 6) == 0)
		tend_buf_put(ud, p + 6, strcspn(p + 6, "\r\n"));
	return sz * n;
}

TEST(server_etag_and_ranges)
{
	tend_serve *s = tend_serve_new();
	tend_serve_route(s, NULL, "/t", 0, tagged, s);
	CHECK(tend_serve_start(s, "127.0.0.1:0") == 0);
	CURL *c = curl_easy_init();
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/t", tend_serve_port(s));
	tend_buf tag = TEND_BUF_INIT, body = TEND_BUF_INIT;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &tag);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	CHECK(curl_easy_perform(c) == CURLE_OK);
	CHECK_STR("\"v7\"", tag.data);
	curl_easy_cleanup(c);
	tend_buf_free(&tag);
	tend_buf_free(&body);
	/* a part of a published document, only while it is still that publish */
	CHECK(tend_serve_version(s, "doc") == 0);
	tend_serve_part *parts[] = {tend_serve_part_new(tend_xstrdup("[1]"), 3),
	                            tend_serve_part_new(tend_xstrdup("[22]"), 4)};
	uint64_t v = tend_serve_publish_parts(s, "doc", tend_xstrdup("{\"a\":["), parts, 2, ",",
	                                      tend_xstrdup("]}"));
	CHECK(v > 0 && tend_serve_version(s, "doc") == v);
	char *whole = tend_serve_snapshot(s, "doc");
	CHECK_STR("{\"a\":[[1],[22]]}", whole);
	free(whole);
	char *part = tend_serve_snapshot_part(s, "doc", v, 1);
	CHECK_STR("[22]", part);
	free(part);
	CHECK(tend_serve_snapshot_part(s, "doc", v, 2) == NULL);     /* no such part */
	CHECK(tend_serve_snapshot_part(s, "doc", v + 1, 0) == NULL); /* another publish */
	tend_serve_publish(s, "doc", "{}");
	CHECK(tend_serve_snapshot_part(s, "doc", v, 0) == NULL);
	CHECK(tend_serve_snapshot_part(s, "doc", v + 1, 0) == NULL); /* one string: no parts */
	tend_serve_free(s);
}

/* Sends the slot's text as it is, then publishes the next one: what the
 * daemon's loop may do while a large document is on its way out. */
static void shared_doc(void *ud, const tend_http_request *req, tend_http_response *res)
{
	(void)req;
	tend_serve *s = ud;
	if (!tend_serve_respond_slot(s, "doc", res)) {
		res->status = 503;
		return;
	}
	tend_serve_publish(s, "doc", "next");
}

TEST(server_sends_a_slot_without_a_copy)
{
	tend_serve *s = tend_serve_new();
	tend_serve_route(s, NULL, "/doc", 0, shared_doc, s);
	CHECK(tend_serve_start(s, "127.0.0.1:0") == 0);
	int port = tend_serve_port(s);
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(503, http(port, "GET", "/doc", NULL, &b));
	size_t n = 3 * 1024 * 1024;
	char *big = tend_xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	tend_serve_publish_take(s, "doc", big);
	tend_buf_reset(&b);
	CHECK_INT(200, http(port, "GET", "/doc", NULL, &b));
	CHECK_INT((long)n, (long)b.len); /* the whole of the text it started with */
	CHECK(b.len == n && b.data[0] == 'a' && b.data[n - 1] == (char)('a' + (n - 1) % 26));
	tend_buf_reset(&b);
	CHECK_INT(200, http(port, "GET", "/doc", NULL, &b));
	CHECK_STR("next", b.data);
	tend_buf_free(&b);
	tend_serve_free(s);
}

/* Parts of pseudo-random sizes (0 to 40,000 bytes, so 64 kB blocks end
 * anywhere), each filled with one letter: the document they make. */
static size_t make_parts(tend_serve_part **parts, size_t n, unsigned seed, tend_buf *expect)
{
	tend_buf_puts(expect, "HEAD[");
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 8) % 40000;
		char *text = tend_xmalloc(len + 1);
		memset(text, 'a' + (int)(i % 26), len);
		text[len] = '\0';
		if (i)
			tend_buf_puts(expect, ";;");
		tend_buf_put(expect, text, len);
		parts[i] = tend_serve_part_new(text, len);
	}
	tend_buf_puts(expect, "]TAIL\n");
	return expect->len;
}

/* A document of parts goes out whole, read in place; the parts a later
 * document shares stay until no document holds them. */
TEST(server_sends_a_document_of_parts)
{
	tend_serve *s = tend_serve_new();
	tend_serve_route(s, NULL, "/doc", 0, shared_doc, s);
	CHECK(tend_serve_start(s, "127.0.0.1:0") == 0);
	int port = tend_serve_port(s);
	tend_serve_part *parts[60];
	tend_buf expect = TEND_BUF_INIT, b = TEND_BUF_INIT;
	size_t n = make_parts(parts, 60, 7, &expect);
	/* a second document sharing the first's parts 10..19 */
	tend_serve_part *shared[10];
	for (size_t i = 0; i < 10; i++)
		shared[i] = tend_serve_part_hold(parts[10 + i]);
	tend_serve_publish_parts(s, "doc", tend_xstrdup("HEAD["), parts, 60, ";;",
	                         tend_xstrdup("]TAIL\n"));
	CHECK_INT(200, http(port, "GET", "/doc", NULL, &b)); /* publishes "next" meanwhile */
	CHECK_INT((long)n, (long)b.len);
	CHECK(b.len == n && memcmp(b.data, expect.data, n) == 0);
	tend_buf_reset(&b);
	tend_buf_reset(&expect);
	tend_buf_puts(&expect, "{");
	for (size_t i = 0; i < 10; i++) {
		size_t len;
		const char *t = tend_serve_part_text(shared[i], &len);
		if (i)
			tend_buf_putc(&expect, ',');
		tend_buf_put(&expect, t, len);
	}
	tend_buf_puts(&expect, "}");
	uint64_t v = tend_serve_publish_parts(s, "doc", tend_xstrdup("{"), shared, 10, ",",
	                                      tend_xstrdup("}"));
	uint64_t seen = 0;
	tend_serve_text *t = tend_serve_hold_newer(s, "doc", &seen);
	CHECK(t && seen == v && tend_serve_text_parts(t) == 10);
	char *frame = tend_serve_text_frame(t);
	CHECK_STR("{}", frame);
	free(frame);
	size_t len, len13;
	const char *p3 = tend_serve_text_part(t, 3, &len);
	CHECK(p3 == tend_serve_part_text(shared[3], &len13) && len == len13);
	CHECK(tend_serve_hold_newer(s, "doc", &seen) == NULL); /* nothing newer */
	CHECK_INT(200, http(port, "GET", "/doc", NULL, &b));
	CHECK(b.len == expect.len && memcmp(b.data, expect.data, b.len) == 0);
	tend_serve_text_drop(t); /* the last holder of the parts: ASan sees a leak or a double free */
	tend_buf_free(&b);
	tend_buf_free(&expect);
	tend_serve_free(s);
}

TEST(server_listen_errors)
{
	tend_serve *s = tend_serve_new();
	CHECK(tend_serve_start(s, "127.0.0.1") != 0);
	CHECK_CONTAINS(tend_err_msg(), "expected HOST:PORT");
	CHECK(tend_serve_start(s, "127.0.0.1:99999") != 0);
	CHECK_CONTAINS(tend_err_msg(), "bad port");
	tend_serve_free(s);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(metrics_counter_gauge_render);
	RUN(metrics_histogram_render);
	RUN(metrics_series_in_label_text_order);
	RUN(metrics_remove_by_label_prefix);
	RUN(webhook_github_signature);
	RUN(webhook_gitlab_token);
	RUN(server_routes);
	RUN(server_etag_and_ranges);
	RUN(server_sends_a_slot_without_a_copy);
	RUN(server_sends_a_document_of_parts);
	RUN(server_listen_errors);
	curl_global_cleanup();
	TEST_MAIN_END();
}
