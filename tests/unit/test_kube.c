/*
 * test_kube.c — lib/kube's pure logic: kubeconfig parsing, merging and
 * errors; Status parsing; the incremental watch-stream parser; JSON with
 * exact numbers; ExecCredential parsing. Nothing here touches a network.
 */
#include "test.h"

#include "lib/kube/kube.h"
#include "lib/kube/kube_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/tend-test-kube-XXXXXX";

static char *write_tmp(const char *name, const char *text)
{
	char *p = tend_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

static tend_kube_config *parse(const char *text, const char *context)
{
	tend_kube_config *c = NULL;
	if (tend_kube_config_parse("cfg.yaml", text, strlen(text), context, &c))
		return NULL;
	return c;
}

/* base64 of "PEM" */
#define B64_PEM "UEVN"

static const char *FULL = "apiVersion: v1\n"
                          "kind: Config\n"
                          "current-context: dev\n"
                          "clusters:\n"
                          "- name: dev\n"
                          "  cluster:\n"
                          "    server: https://10.0.0.1:6443/\n"
                          "    certificate-authority-data: " B64_PEM "\n"
                          "    tls-server-name: kubernetes\n"
                          "    proxy-url: http://proxy:3128\n"
                          "users:\n"
                          "- name: admin\n"
                          "  user:\n"
                          "    client-certificate-data: " B64_PEM "\n"
                          "    client-key-data: " B64_PEM "\n"
                          "    token: abc\n"
                          "    as: alice\n"
                          "    as-groups: [devs, ops]\n"
                          "contexts:\n"
                          "- name: dev\n"
                          "  context: {cluster: dev, user: admin, namespace: team-a}\n"
                          "- name: nons\n"
                          "  context: {cluster: dev}\n";

TEST(kubeconfig_fields)
{
	tend_kube_config *c = parse(FULL, NULL);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_STR("https://10.0.0.1:6443", c->server);
	CHECK_INT(3, c->ca_len);
	CHECK(c->ca_data && memcmp(c->ca_data, "PEM", 3) == 0);
	CHECK_INT(3, c->cert_len);
	CHECK_INT(3, c->key_len);
	CHECK_STR("abc", c->token);
	CHECK_STR("kubernetes", c->tls_server_name);
	CHECK_STR("http://proxy:3128", c->proxy_url);
	CHECK_STR("team-a", c->namespace);
	CHECK_STR("alice", c->as_user);
	CHECK_INT(2, c->as_groups.len);
	CHECK(!c->insecure_skip_tls_verify);
	tend_kube_config_free(c);
	c = parse(FULL, "nons");
	CHECK(c && strcmp(c->namespace, "default") == 0 && !c->token);
	tend_kube_config_free(c);
}

#define CHECK_BAD(text, ctx, msg)                                                                  \
	do {                                                                                       \
		tend_kube_config *c_ = parse(text, ctx);                                           \
		CHECK(c_ == NULL);                                                                 \
		tend_kube_config_free(c_);                                                         \
		CHECK_CONTAINS(tend_err_msg(), msg);                                               \
	} while (0)

/* Positions point at the key of the offending field, as the doc model records them. */
TEST(kubeconfig_errors_name_file_line_and_field)
{
	CHECK_BAD(
	    "apiVersion: v1\nclusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: true\n"
	    "contexts:\n- name: x\n  context: {cluster: a}\ncurrent-context: x\n",
	    NULL, "cfg.yaml:4:3: clusters[a].cluster.server: missing");
	CHECK_BAD(
	    "clusters:\n- name: a\n  cluster:\n    server: https://x\n"
	    "    insecure-skip-tls-verify: true\n    certificate-authority-data: " B64_PEM "\n"
	    "contexts:\n- name: x\n  context: {cluster: a}\ncurrent-context: x\n",
	    NULL, "specifying a root certificates file with the insecure flag is not allowed");
	CHECK_BAD(
	    "clusters:\n- name: a\n  cluster: {server: https://x}\n"
	    "users:\n- name: u\n  user:\n    client-certificate-data: " B64_PEM "\n"
	    "contexts:\n- name: x\n  context: {cluster: a, user: u}\ncurrent-context: x\n",
	    NULL,
	    "cfg.yaml:6:3: users[u].user: client-key-data or client-key must be specified for u");
	CHECK_BAD("clusters:\n- name: a\n  cluster: {server: https://x}\n"
	          "users:\n- name: u\n  user:\n    client-certificate-data: '%%%'\n    "
	          "client-key-data: x\n"
	          "contexts:\n- name: x\n  context: {cluster: a, user: u}\ncurrent-context: x\n",
	          NULL, "cfg.yaml:7:5: users[u].user.client-certificate-data: illegal base64 data");
	CHECK_BAD("clusters:\n- name: a\n  cluster: {server: https://x, certificate-authority: "
	          "/nonexistent/ca.crt}\n"
	          "contexts:\n- name: x\n  context: {cluster: a}\ncurrent-context: x\n",
	          NULL, "clusters[a].cluster.certificate-authority: ");
	CHECK_BAD("clusters:\n- name: a\n  cluster: {server: https://x}\n"
	          "contexts:\n- name: x\n  context: {cluster: b}\ncurrent-context: x\n",
	          NULL, "cfg.yaml:6:13: contexts[x].context.cluster: cluster \"b\" not found");
	CHECK_BAD("clusters:\n- name: a\n  cluster: {server: https://x}\n"
	          "contexts:\n- name: x\n  context: {cluster: a}\n",
	          NULL, "current-context is not set");
	CHECK_BAD(FULL, "missing", "context \"missing\" does not exist");
	CHECK_BAD("clusters:\n- name: a\n  cluster: {server: https://x}\n"
	          "users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
	          "client.authentication.k8s.io/v1\n"
	          "      command: plugin\n"
	          "contexts:\n- name: x\n  context: {cluster: a, user: u}\ncurrent-context: x\n",
	          NULL, "users[u].user.exec.interactiveMode: missing");
	CHECK_BAD("clusters:\n- name: a\n  cluster: {server: https://x}\n"
	          "users:\n- name: u\n  user:\n    token: t\n    username: bob\n"
	          "contexts:\n- name: x\n  context: {cluster: a, user: u}\ncurrent-context: x\n",
	          NULL, "more than one authentication method");
	CHECK_BAD("clusters: {a: b}\n", NULL, "cfg.yaml:1:1: clusters: must be a list");
	CHECK_BAD("clusters:\n- cluster: {server: https://x}\n", NULL, "clusters[0].name: missing");
	CHECK_BAD("clusters:\n- name: a\n  cluster: {server: ftp://x}\n"
	          "contexts:\n- name: x\n  context: {cluster: a}\ncurrent-context: x\n",
	          NULL, "must start with https:// or http://");
	CHECK_BAD("a: [\n", NULL, "cfg.yaml:");
}

TEST(kubeconfig_exec_and_token_file)
{
	char *tok = write_tmp("token", "file-token\n");
	char *text = tend_xasprintf(
	    "clusters:\n- name: a\n  cluster: {server: https://x}\n"
	    "users:\n- name: u\n  user:\n    tokenFile: token\n"
	    "- name: e\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
	    "      command: ./bin/plugin\n      args: [--a, b]\n      env: [{name: K, value: V}]\n"
	    "      interactiveMode: Never\n"
	    "contexts:\n- name: x\n  context: {cluster: a, user: u}\n"
	    "- name: y\n  context: {cluster: a, user: e}\ncurrent-context: x\n");
	char *path = write_tmp("config", text);
	tend_kube_config *c = NULL;
	CHECK(tend_kube_config_load(path, NULL, &c) == 0);
	CHECK_STR(tok, c ? c->token_file : NULL); /* relative to the kubeconfig's directory */
	tend_kube_config_free(c);
	c = NULL;
	CHECK(tend_kube_config_load(path, "y", &c) == 0);
	if (c) {
		CHECK(c->exec != NULL);
		char *cmd = tend_xasprintf("%s/./bin/plugin", dir);
		CHECK_STR(cmd, c->exec->command);
		free(cmd);
		CHECK_INT(2, c->exec->args.len);
		CHECK_STR("K=V", c->exec->env.items[0]);
		CHECK_STR("Never", c->exec->interactive_mode);
	}
	tend_kube_config_free(c);
	unlink(tok);
	c = NULL;
	CHECK(tend_kube_config_load(path, "x", &c) != 0);
	CHECK_CONTAINS(tend_err_msg(), "users[u].user.tokenFile: ");
	free(tok);
	free(path);
	free(text);
}

TEST(kubeconfig_merge_first_wins)
{
	char *a =
	    write_tmp("a.yaml", "current-context: ''\n"
	                        "clusters:\n- name: shared\n  cluster: {server: https://from-a}\n");
	char *b =
	    write_tmp("b.yaml", "current-context: ctx\n"
	                        "clusters:\n- name: shared\n  cluster: {server: https://from-b}\n"
	                        "contexts:\n- name: ctx\n  context: {cluster: shared}\n");
	char *c3 = write_tmp("c.yaml", "current-context: other\n"
	                               "contexts:\n- name: ctx\n  context: {cluster: nothing}\n");
	char *list = tend_xasprintf("%s:%s/absent.yaml:%s:%s:%s", a, dir, b, c3, a);
	tend_kube_config *c = NULL;
	CHECK(tend_kube_config_load(list, NULL, &c) == 0);
	if (c) {
		CHECK_STR("https://from-a", c->server);
		CHECK_STR("ctx", c->context);
		CHECK_CONTAINS(c->origin, "b.yaml");
	}
	tend_kube_config_free(c);
	/* $KUBECONFIG is used when no path is given */
	setenv("KUBECONFIG", list, 1);
	c = NULL;
	CHECK(tend_kube_config_load(NULL, NULL, &c) == 0);
	tend_kube_config_free(c);
	unsetenv("KUBECONFIG");
	/* a single explicit file must exist; a list needs one that does */
	char *absent = tend_xasprintf("%s/absent.yaml", dir);
	c = NULL;
	CHECK(tend_kube_config_load(absent, NULL, &c) != 0);
	CHECK_CONTAINS(tend_err_msg(), "absent.yaml");
	char *two = tend_xasprintf("%s:%s/absent2.yaml", absent, dir);
	CHECK(tend_kube_config_load(two, NULL, &c) != 0);
	CHECK_CONTAINS(tend_err_msg(), "none of");
	/* a bad file in the list is named */
	char *bad = write_tmp("bad.yaml", "clusters:\n- name: x\n  cluster: [1]\n");
	char *l2 = tend_xasprintf("%s:%s", b, bad);
	CHECK(tend_kube_config_load(l2, NULL, &c) != 0);
	CHECK_CONTAINS(tend_err_msg(), "bad.yaml:3:3: clusters[x].cluster: must be a mapping");
	free(l2);
	free(bad);
	free(two);
	free(absent);
	free(list);
	free(a);
	free(b);
	free(c3);
}

TEST(status_parse_and_format)
{
	const char *conflict =
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	    "\"reason\":\"Conflict\",\"code\":409,"
	    "\"message\":\"Apply failed with 1 conflict: conflict with \\\"kubectl\\\": .data.a\","
	    "\"details\":{\"causes\":[{\"reason\":\"FieldManagerConflict\","
	    "\"message\":\"conflict with \\\"kubectl\\\"\",\"field\":\".data.a\"}]}}";
	tend_kube_status st;
	tend_kube_status_parse(409, conflict, strlen(conflict), &st);
	CHECK_STR("Conflict", st.reason);
	CHECK_INT(1, st.ncauses);
	CHECK_STR(".data.a", st.causes[0].field);
	CHECK_STR("FieldManagerConflict", st.causes[0].reason);
	CHECK(tend_kube_status_is(&st, "Conflict"));
	tend_buf b = TEND_BUF_INIT;
	tend_kube_status_format(&st, &b);
	CHECK_STR("409 Conflict: Apply failed with 1 conflict: conflict with \"kubectl\": .data.a",
	          b.data);
	tend_kube_status_clear(&st);
	/* causes not already in the message are appended */
	const char *invalid =
	    "{\"kind\":\"Status\",\"reason\":\"Invalid\",\"code\":422,\"message\":\"x is invalid\","
	    "\"details\":{\"causes\":[{\"reason\":\"FieldValueInvalid\",\"message\":\"bad\","
	    "\"field\":\"spec.a\"}]}}";
	tend_kube_status_parse(422, invalid, strlen(invalid), &st);
	tend_buf_reset(&b);
	tend_kube_status_format(&st, &b);
	CHECK_STR("422 Invalid: x is invalid [spec.a: FieldValueInvalid: bad]", b.data);
	tend_kube_status_clear(&st);
	/* retryAfterSeconds */
	const char *tmr = "{\"kind\":\"Status\",\"reason\":\"TooManyRequests\",\"code\":429,"
	                  "\"message\":\"slow down\",\"details\":{\"retryAfterSeconds\":3}}";
	tend_kube_status_parse(429, tmr, strlen(tmr), &st);
	CHECK_INT(3, st.retry_after_s);
	tend_kube_status_clear(&st);
	/* not a Status: synthesised from the code */
	tend_kube_status_parse(404, "", 0, &st);
	CHECK_STR("NotFound", st.reason);
	CHECK_CONTAINS(st.message, "could not find the requested resource");
	tend_kube_status_clear(&st);
	tend_kube_status_parse(503, "<html>upstream down</html>", 26, &st);
	CHECK_STR("ServiceUnavailable", st.reason);
	CHECK_STR("<html>upstream down</html>", st.message);
	tend_kube_status_clear(&st);
	tend_buf_free(&b);
}

typedef struct got {
	int n;
	char vals[8][128];
} got;

static int take(void *ud, const char *json, size_t len)
{
	got *g = ud;
	if (g->n < 8)
		snprintf(g->vals[g->n++], 128, "%.*s", (int)len, json);
	return 0;
}

TEST(watch_parser_any_framing)
{
	const char *stream = "{\"type\":\"ADDED\",\"object\":{\"a\":\"}{\\\"\"}}\n"
	                     "{\"type\":\"BOOKMARK\",\"object\":{\"l\":[1,{\"x\":[]}]}}"
	                     "  \r\n{\"type\":\"DELETED\",\"object\":{}}\n";
	/* every split point gives the same three values */
	size_t n = strlen(stream);
	for (size_t cut = 0; cut <= n; cut++) {
		tend_kube_watch_parser p = TEND_KUBE_WATCH_PARSER_INIT;
		got g = {0};
		CHECK_INT(0, tend_kube_watch_parser_feed(&p, stream, cut, take, &g));
		CHECK_INT(0, tend_kube_watch_parser_feed(&p, stream + cut, n - cut, take, &g));
		CHECK_INT(3, g.n);
		CHECK_STR("{\"type\":\"ADDED\",\"object\":{\"a\":\"}{\\\"\"}}", g.vals[0]);
		CHECK_STR("{\"type\":\"DELETED\",\"object\":{}}", g.vals[2]);
		tend_kube_watch_parser_free(&p);
		if (test_failed_now)
			break;
	}
	/* byte by byte */
	tend_kube_watch_parser p = TEND_KUBE_WATCH_PARSER_INIT;
	got g = {0};
	for (size_t i = 0; i < n; i++)
		tend_kube_watch_parser_feed(&p, stream + i, 1, take, &g);
	CHECK_INT(3, g.n);
	tend_kube_watch_parser_free(&p);
	/* garbage between events is an error */
	got g2 = {0};
	CHECK(tend_kube_watch_parser_feed(&p, "{}x", 3, take, &g2) != 0);
	CHECK_CONTAINS(tend_err_msg(), "unexpected 'x'");
	tend_kube_watch_parser_free(&p);
}

TEST(watch_event_parse)
{
	const char *ev = "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":"
	                 "{\"name\":\"a\",\"resourceVersion\":\"12\"}}}";
	tend_kube_event_type t;
	cJSON *o = NULL;
	CHECK(tend_kube_watch_event_parse(ev, strlen(ev), &t, &o) == 0);
	CHECK_INT(TEND_KUBE_MODIFIED, t);
	CHECK_STR("12", kube_meta_str(o, "resourceVersion"));
	cJSON_Delete(o);
	const char *err =
	    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
	    "\"reason\":\"Expired\",\"message\":\"too old resource version: 5 (120)\"}}";
	CHECK(tend_kube_watch_event_parse(err, strlen(err), &t, &o) == 0);
	CHECK_INT(TEND_KUBE_ERROR, t);
	cJSON_Delete(o);
	CHECK(tend_kube_watch_event_parse("{\"type\":\"NOPE\",\"object\":{}}", 27, &t, &o) != 0);
	CHECK(tend_kube_watch_event_parse("{\"type\":\"ADDED\"}", 16, &t, &o) != 0);
}

TEST(json_keeps_exact_numbers)
{
	const char *in = "{\"big\":12345678901234567890,\"f\":1.50,\"e\":1e3,\"neg\":-0,"
	                 "\"s\":\"\\u00e9\\ud83d\\ude00\\n\\\"\",\"l\":[true,false,null],\"o\":{}}";
	cJSON *o = NULL;
	CHECK(tend_kube_json_parse(in, strlen(in), &o) == 0);
	tend_buf b = TEND_BUF_INIT;
	tend_kube_json_emit(o, &b);
	CHECK_STR("{\"big\":12345678901234567890,\"f\":1.50,\"e\":1e3,\"neg\":-0,"
	          "\"s\":\"\xc3\xa9\xf0\x9f\x98\x80\\n\\\"\",\"l\":[true,false,null],\"o\":{}}",
	          b.data);
	tend_buf_free(&b);
	cJSON_Delete(o);
	CHECK(tend_kube_json_parse("{\"a\":1} x", 9, &o) != 0);
	CHECK(tend_kube_json_parse("{\"a\":01x}", 9, &o) != 0);
	CHECK(tend_kube_json_parse("[1,]", 4, &o) != 0);
	CHECK(tend_kube_json_parse("\"abc", 4, &o) != 0);
}

TEST(exec_credential_parse)
{
	kube_exec_cred c;
	const char *ok =
	    "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	    "\"status\":{\"token\":\"t0k\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}";
	CHECK(kube_exec_parse(ok, strlen(ok), &c) == 0);
	CHECK_STR("t0k", c.token);
	CHECK(c.expires_ms > kube_now_ms() + 86400000LL);
	kube_exec_cred_clear(&c);
	const char *past = "{\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\","
	                   "\"expirationTimestamp\":\"2001-01-01T00:00:00+01:00\"}}";
	CHECK(kube_exec_parse(past, strlen(past), &c) == 0);
	CHECK(c.expires_ms < kube_now_ms());
	kube_exec_cred_clear(&c);
	const char *none = "{\"kind\":\"ExecCredential\",\"status\":{}}";
	CHECK(kube_exec_parse(none, strlen(none), &c) != 0);
	CHECK_CONTAINS(tend_err_msg(), "neither a token nor a client certificate");
	const char *half =
	    "{\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"x\"}}";
	CHECK(kube_exec_parse(half, strlen(half), &c) != 0);
	const char *badts = "{\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\","
	                    "\"expirationTimestamp\":\"tomorrow\"}}";
	CHECK(kube_exec_parse(badts, strlen(badts), &c) != 0);
}

TEST(base64)
{
	tend_buf b = TEND_BUF_INIT;
	CHECK(kube_base64_decode("aGVsbG8=\n", &b) == 0);
	CHECK(b.len == 5 && memcmp(b.data, "hello", 5) == 0);
	tend_buf_reset(&b);
	CHECK(kube_base64_decode("aGVsbG8", &b) == 0); /* unpadded */
	CHECK_INT(5, b.len);
	tend_buf_reset(&b);
	CHECK(kube_base64_decode("a!b=", &b) != 0);
	CHECK(kube_base64_decode("aGVs=bG8", &b) != 0);
	tend_buf_free(&b);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(kubeconfig_fields);
	RUN(kubeconfig_errors_name_file_line_and_field);
	RUN(kubeconfig_exec_and_token_file);
	RUN(kubeconfig_merge_first_wins);
	RUN(status_parse_and_format);
	RUN(watch_parser_any_framing);
	RUN(watch_event_parse);
	RUN(json_keeps_exact_numbers);
	RUN(exec_credential_parse);
	RUN(base64);
	char *cmd = tend_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror(cmd);
	free(cmd);
	TEST_MAIN_END();
}
