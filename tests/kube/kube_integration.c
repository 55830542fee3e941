/*
 * kube_integration.c — lib/kube against the Kubernetes API emulator over
 * HTTPS with a bearer token: kubeconfig merging, in-cluster config with a
 * rotated token, TLS and 401 failures, exec plugins, impersonation
 * headers, discovery after a CRD install, paging, watch, server-side
 * apply, retries, rate limiting, Leases and the informer cache.
 *
 *   kube-integration REPO_ROOT [FILTER]
 * One PASS/FAIL line per test, then "N passed, M failed".
 */
#include "harness.h"
#include "lib/kube/kube.h"
#include "tests/unit/test.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "s3cret-token"

static const char *root;
static emu E;

/* ---- helpers ---- */

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void write_file(const char *path, const char *text)
{
	char *tmp = tend_xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		free(tmp);
		return;
	}
	fputs(text, f);
	fclose(f);
	rename(tmp, path); /* atomic, as the kubelet swaps projected files */
	free(tmp);
}

static tend_kube_config *emu_config(void)
{
	tend_kube_config *cfg = NULL;
	if (tend_kube_config_load(E.kubeconfig, NULL, &cfg))
		printf("  config: %s\n", tend_err_msg());
	return cfg;
}

static tend_kube *client_opts(const tend_kube_options *o)
{
	tend_kube_config *cfg = emu_config();
	tend_kube *k = NULL;
	if (cfg && tend_kube_new(cfg, o, &k))
		printf("  client: %s\n", tend_err_msg());
	tend_kube_config_free(cfg);
	return k;
}

static tend_kube *client(void)
{
	tend_kube_options o;
	tend_kube_options_default(&o);
	o.qps = 0;
	o.retry_base_ms = 20;
	return client_opts(&o);
}

static const tend_kube_resource *res(tend_kube *k, const char *group, const char *name)
{
	const tend_kube_resource *r = NULL;
	if (tend_kube_resource_find(k, group, name, &r))
		printf("  resource %s: %s\n", name, tend_err_msg());
	return r;
}

static cJSON *json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static cJSON *json(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cJSON *o = NULL;
	if (tend_kube_json_parse(buf, strlen(buf), &o))
		printf("  bad test JSON: %s\n", buf);
	return o;
}

static cJSON *configmap(const char *name, const char *labels, const char *data)
{
	return json("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\","
	            "\"namespace\":\"default\",\"labels\":{%s}},\"data\":{%s}}",
	            name, labels ? labels : "", data ? data : "");
}

static const char *path_str(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_IsString(y) ? y->valuestring : NULL;
}

/* ---- configuration ---- */

TEST(kubeconfig_merged_list_and_context)
{
	/* A first file wins names and current-context; the emulator's file
	 * supplies the rest, and --context picks the working one. */
	char *a = tend_xasprintf("%s/a.yaml", E.dir);
	write_file(
	    a,
	    "apiVersion: v1\nkind: Config\ncurrent-context: broken\n"
	    "clusters:\n- name: nowhere\n  cluster: {server: 'https://127.0.0.1:1'}\n"
	    "contexts:\n- name: broken\n  context: {cluster: nowhere, user: admin}\n"
	    "- name: emulator\n  context: {cluster: emulator, user: admin, namespace: team-a}\n");
	char *list = tend_xasprintf("%s/missing.yaml:%s:%s", E.dir, a, E.kubeconfig);
	tend_kube_config *cfg = NULL;
	CHECK(tend_kube_config_load(list, NULL, &cfg) == 0);
	if (cfg) {
		CHECK_STR("broken", cfg->context);
		CHECK_STR("https://127.0.0.1:1", cfg->server);
		tend_kube_config_free(cfg);
		cfg = NULL;
	}
	CHECK(tend_kube_config_load(list, "emulator", &cfg) == 0);
	if (cfg) {
		CHECK_STR("team-a", cfg->namespace); /* a.yaml's context shadows the emulator's */
		CHECK_STR(E.url, cfg->server);
		CHECK_STR(TOKEN, cfg->token);
		tend_kube *k = NULL;
		CHECK(tend_kube_new(cfg, NULL, &k) == 0);
		cJSON *ns = NULL;
		const tend_kube_resource *r = k ? res(k, "", "namespaces") : NULL;
		CHECK(r && tend_kube_get(k, r, NULL, "default", NULL, &ns) == 0);
		CHECK_STR("default", path_str(ns, "metadata", "name"));
		cJSON_Delete(ns);
		tend_kube_free(k);
		tend_kube_config_free(cfg);
	}
	cfg = NULL;
	CHECK(tend_kube_config_load(list, "nope", &cfg) != 0);
	CHECK_CONTAINS(tend_err_msg(), "context \"nope\" does not exist");
	free(list);
	free(a);
}

TEST(tls_wrong_ca_fails_without_retry)
{
	char *cmd = tend_xasprintf(
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	    "-keyout %s/wrong.key -out %s/wrong.crt -days 1 -subj /CN=wrong-ca >/dev/null 2>&1",
	    E.dir, E.dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	char *crt = tend_xasprintf("%s/wrong.crt", E.dir);
	tend_buf pem = TEND_BUF_INIT;
	CHECK(tend_file_read(crt, 1 << 20, &pem) == 0);
	tend_kube_config *cfg = emu_config();
	free(cfg->ca_data);
	cfg->ca_len = pem.len;
	cfg->ca_data = tend_buf_detach(&pem);
	tend_kube *k = NULL;
	CHECK(tend_kube_new(cfg, NULL, &k) == 0);
	long t0 = now_ms();
	tend_buf body = TEND_BUF_INIT;
	tend_kube_call c = {.method = "GET", .path = "/api/v1/namespaces/default"};
	CHECK(tend_kube_request_sync(k, &c, NULL, &body) != 0);
	CHECK_CONTAINS(tend_err_msg(), "certificate");
	tend_kube_stats st;
	tend_kube_get_stats(k, &st);
	CHECK_INT(1, st.requests); /* a certificate that does not verify will not start to */
	CHECK(now_ms() - t0 < 2000);
	tend_kube_free(k);
	/* Without any CA the system store is used, which lacks the emulator's. */
	free(cfg->ca_data);
	cfg->ca_data = NULL;
	cfg->ca_len = 0;
	CHECK(tend_kube_new(cfg, NULL, &k) == 0);
	CHECK(tend_kube_request_sync(k, &c, NULL, &body) != 0);
	tend_kube_free(k);
	/* insecure-skip-tls-verify, when explicitly set, connects. */
	cfg->insecure_skip_tls_verify = true;
	CHECK(tend_kube_new(cfg, NULL, &k) == 0);
	CHECK(tend_kube_request_sync(k, &c, NULL, &body) == 0);
	tend_kube_free(k);
	tend_buf_free(&body);
	tend_kube_config_free(cfg);
	free(crt);
}

TEST(unauthorized_is_final)
{
	tend_kube_config *cfg = emu_config();
	free(cfg->token);
	cfg->token = tend_xstrdup("wrong");
	tend_kube *k = NULL;
	CHECK(tend_kube_new(cfg, NULL, &k) == 0);
	emu_stats_reset(&E);
	tend_kube_resource cms = {(char *)"",
	                          (char *)"v1",
	                          (char *)"ConfigMap",
	                          (char *)"configmaps",
	                          (char *)"configmap",
	                          true,
	                          0xFF,
	                          true,
	                          false};
	cJSON *o = NULL;
	CHECK(tend_kube_get(k, &cms, "default", "x", NULL, &o) != 0);
	CHECK_CONTAINS(tend_err_msg(), "401 Unauthorized");
	CHECK_INT(401, tend_kube_last_status(k)->code);
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "Unauthorized"));
	tend_kube_stats st;
	tend_kube_get_stats(k, &st);
	CHECK_INT(1, st.requests);
	tend_kube_free(k);
	tend_kube_config_free(cfg);
}

TEST(in_cluster_rotated_token)
{
	char *sa = tend_xasprintf("%s/sa", E.dir);
	mkdir(sa, 0700);
	tend_kube_config *ecfg = emu_config();
	char *p = tend_xasprintf("%s/ca.crt", sa);
	FILE *f = fopen(p, "w");
	fwrite(ecfg->ca_data, 1, ecfg->ca_len, f);
	fclose(f);
	free(p);
	char *tok = tend_xasprintf("%s/token", sa);
	write_file(tok, TOKEN "\n");
	p = tend_xasprintf("%s/namespace", sa);
	write_file(p, "team-b\n");
	free(p);
	const char *port = strrchr(E.url, ':') + 1;
	setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	unsetenv("POD_NAMESPACE");
	tend_kube_config *cfg = NULL;
	CHECK(tend_kube_config_in_cluster(sa, &cfg) == 0);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	tend_kube *k = NULL;
	tend_kube_options o;
	tend_kube_options_default(&o);
	o.token_refresh_s = 1;
	if (cfg) {
		CHECK_STR("team-b", cfg->namespace);
		CHECK(tend_kube_new(cfg, &o, &k) == 0);
	}
	tend_kube_call c = {.method = "GET", .path = "/api/v1/namespaces/default"};
	long code = 0;
	CHECK(k && tend_kube_request_sync(k, &c, &code, NULL) == 0);
	/* The kubelet rotates the file; within the refresh interval the cached
	 * token is still used, after it the new one is read. */
	write_file(tok, "rotated-but-not-yet-valid\n");
	CHECK(tend_kube_request_sync(k, &c, &code, NULL) == 0);
	usleep(1100 * 1000);
	CHECK(tend_kube_request_sync(k, &c, &code, NULL) != 0);
	CHECK_INT(401, code);
	/* After a 401 the file is read again before the next request. */
	write_file(tok, TOKEN);
	CHECK(tend_kube_request_sync(k, &c, &code, NULL) == 0);
	CHECK_INT(200, code);
	/* A 401 whose retry finds a rotated token succeeds in one call. */
	tend_kube_free(k);
	k = NULL;
	write_file(tok, "stale");
	CHECK(cfg && tend_kube_new(cfg, &o, &k) == 0);
	CHECK(tend_kube_request_sync(k, &c, &code, NULL) != 0);
	write_file(tok, TOKEN);
	usleep(1100 * 1000);
	CHECK(tend_kube_request_sync(k, &c, &code, NULL) == 0);
	tend_kube_free(k);
	tend_kube_config_free(cfg);
	cfg = NULL;
	/* Missing environment: a clear error. */
	CHECK(tend_kube_config_in_cluster(sa, &cfg) != 0);
	CHECK_CONTAINS(tend_err_msg(), "KUBERNETES_SERVICE_HOST");
	tend_kube_config_free(ecfg);
	free(tok);
	free(sa);
}

TEST(exec_plugin_credential_is_cached)
{
	char *script = tend_xasprintf("%s/plugin.sh", E.dir);
	char *count = tend_xasprintf("%s/plugin.count", E.dir);
	char *info = tend_xasprintf("%s/plugin.info", E.dir);
	char *text = tend_xasprintf(
	    "#!/bin/sh\necho run >> %s\nprintf '%%s' \"$KUBERNETES_EXEC_INFO\" > %s\n"
	    "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	    "\"status\":{\"token\":\"'$PLUGIN_TOKEN'\",\"expirationTimestamp\":\"2099-01-01T00:00:"
	    "00Z\"}}'\n",
	    count, info);
	write_file(script, text);
	chmod(script, 0755);
	char *kc = tend_xasprintf("%s/exec.yaml", E.dir);
	tend_kube_config *ecfg = emu_config();
	char *cfgtext = tend_xasprintf(
	    "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
	    "clusters:\n- name: c\n  cluster:\n    server: %s\n    insecure-skip-tls-verify: true\n"
	    "users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
	    "client.authentication.k8s.io/v1\n"
	    "      command: ./plugin.sh\n      interactiveMode: Never\n      provideClusterInfo: "
	    "true\n"
	    "      env: [{name: PLUGIN_TOKEN, value: %s}]\n"
	    "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
	    E.url, TOKEN);
	write_file(kc, cfgtext);
	tend_kube_config *cfg = NULL;
	CHECK(tend_kube_config_load(kc, NULL, &cfg) == 0);
	tend_kube *k = NULL;
	CHECK(cfg && tend_kube_new(cfg, NULL, &k) == 0);
	tend_kube_call c = {.method = "GET", .path = "/api/v1/namespaces/default"};
	for (int i = 0; i < 3; i++)
		CHECK(k && tend_kube_request_sync(k, &c, NULL, NULL) == 0);
	tend_buf b = TEND_BUF_INIT;
	CHECK(tend_file_read(count, 4096, &b) == 0);
	CHECK_STR("run\n", b.data); /* one run for three requests */
	tend_buf_reset(&b);
	CHECK(tend_file_read(info, 1 << 20, &b) == 0);
	CHECK_CONTAINS(b.data, "\"kind\":\"ExecCredential\"");
	CHECK_CONTAINS(b.data, "\"interactive\":false");
	CHECK_CONTAINS(b.data, E.url);
	tend_buf_free(&b);
	tend_kube_free(k);
	tend_kube_config_free(cfg);
	/* a failing plugin fails the request with a message naming it */
	cfg = NULL;
	k = NULL;
	CHECK(tend_kube_config_load(kc, NULL, &cfg) == 0);
	if (cfg) {
		free(cfg->exec->command);
		cfg->exec->command = tend_xstrdup("/bin/false");
	}
	CHECK(cfg && tend_kube_new(cfg, NULL, &k) == 0);
	CHECK(k && tend_kube_request_sync(k, &c, NULL, NULL) != 0);
	CHECK_CONTAINS(tend_err_msg(), "exec plugin /bin/false (user u): exited with status 1");
	tend_kube_free(k);
	tend_kube_config_free(cfg);
	tend_kube_config_free(ecfg);
	free(cfgtext);
	free(kc);
	free(text);
	free(script);
	free(count);
	free(info);
}

/* A loopback server that answers every request with its headers as JSON. */
static const char *ECHO_PY =
    "import http.server,json,sys\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "  def do_GET(self):\n"
    "    b=json.dumps({'headers':[[k,v] for k,v in self.headers.items()]}).encode()\n"
    "    self.send_response(200);self.send_header('Content-Type','application/json')\n"
    "    self.send_header('Content-Length',str(len(b)));self.end_headers();self.wfile.write(b)\n"
    "  def log_message(self,*a): pass\n"
    "s=http.server.HTTPServer(('127.0.0.1',0),H)\n"
    "print(s.server_address[1],flush=True)\n"
    "s.serve_forever()\n";

static int header_count(const cJSON *resp, const char *name, const char *value)
{
	int n = 0;
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(resp, "headers"))
	{
		const cJSON *k = cJSON_GetArrayItem(h, 0), *v = cJSON_GetArrayItem(h, 1);
		if (strcasecmp(k->valuestring, name) == 0 &&
		    (!value || strcmp(v->valuestring, value) == 0))
			n++;
	}
	return n;
}

TEST(impersonation_headers)
{
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl("/usr/bin/python3", "python3", "-c", ECHO_PY, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	char port[32] = {0};
	struct pollfd p = {pfd[0], POLLIN, 0};
	if (poll(&p, 1, 10000) > 0 && read(pfd[0], port, sizeof(port) - 1) > 0)
		port[strcspn(port, "\n")] = '\0';
	close(pfd[0]);
	CHECK(port[0] != '\0');
	tend_kube_config cfg = {0};
	char *server = tend_xasprintf("http://127.0.0.1:%s", port);
	cfg.server = server;
	cfg.token = (char *)"t";
	cfg.as_user = (char *)"system:serviceaccount:team-a:deployer";
	tend_kube *k = NULL;
	CHECK(tend_kube_new(&cfg, NULL, &k) == 0);
	tend_buf b = TEND_BUF_INIT;
	tend_kube_call c = {.method = "GET", .path = "/x"};
	CHECK(tend_kube_request_sync(k, &c, NULL, &b) == 0);
	cJSON *r = cJSON_Parse(b.data ? b.data : "");
	CHECK_INT(1, header_count(r, "Impersonate-User", "system:serviceaccount:team-a:deployer"));
	CHECK_INT(0, header_count(r, "Impersonate-Group", NULL));
	CHECK_INT(1, header_count(r, "User-Agent", "tend/" TEND_VERSION_TEST));
	CHECK_INT(1, header_count(r, "Authorization", "Bearer t"));
	cJSON_Delete(r);
	/* Per request: another user with groups replaces the config's identity. */
	const char *groups[] = {"tenants", "team-b"};
	tend_kube_identity as = {"alice", groups, 2, NULL};
	c.as = &as;
	tend_buf_reset(&b);
	CHECK(tend_kube_request_sync(k, &c, NULL, &b) == 0);
	r = cJSON_Parse(b.data ? b.data : "");
	CHECK_INT(1, header_count(r, "Impersonate-User", "alice"));
	CHECK_INT(1, header_count(r, "Impersonate-Group", "tenants"));
	CHECK_INT(1, header_count(r, "Impersonate-Group", "team-b"));
	cJSON_Delete(r);
	tend_buf_free(&b);
	tend_kube_free(k);
	free(server);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* ---- discovery and verbs ---- */

static const char *CRD =
    "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
    "\"metadata\":{\"name\":\"crontabs.stable.example.com\"},\"spec\":{\"group\":\"stable.example."
    "com\","
    "\"scope\":\"Namespaced\",\"names\":{\"plural\":\"crontabs\",\"singular\":\"crontab\","
    "\"kind\":\"CronTab\",\"shortNames\":[\"ct\"]},\"versions\":["
    "{\"name\":\"v1beta1\",\"served\":true,\"storage\":false,\"schema\":{\"openAPIV3Schema\":"
    "{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true}}},"
    "{\"name\":\"v1\",\"served\":true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":"
    "{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true}}}]}}";

TEST(discovery_after_crd_install)
{
	emu_reset(&E);
	tend_kube *k = client();
	CHECK(tend_kube_discover(k) == 0);
	const tend_kube_resource *r = NULL;
	CHECK(tend_kube_resource_for_kind(k, "v1", "ConfigMap", &r) == 0);
	CHECK(r && r->namespaced && strcmp(r->name, "configmaps") == 0);
	CHECK(r && (r->verbs & TEND_KUBE_VERB_WATCH) && (r->verbs & TEND_KUBE_VERB_PATCH));
	CHECK(tend_kube_resource_for_kind(k, "v1", "Namespace", &r) == 0);
	CHECK(r && !r->namespaced);
	CHECK_STR("v1", tend_kube_preferred_version(k, "apps"));
	CHECK(tend_kube_resource_find(k, "apps", "deployments", &r) == 0);
	CHECK(r && strcmp(r->kind, "Deployment") == 0 && r->preferred);
	CHECK(tend_kube_resource_for_kind(k, "stable.example.com/v1", "CronTab", &r) != 0);
	CHECK_CONTAINS(tend_err_msg(), "no matches for kind \"CronTab\"");
	const tend_kube_resource *crds =
	    res(k, "apiextensions.k8s.io", "customresourcedefinitions");
	cJSON *crd = json("%s", CRD);
	tend_kube_write_opts wo = {.field_manager = "tend"};
	CHECK(crds && tend_kube_apply(k, crds, NULL, crd, &wo, NULL) == 0);
	cJSON_Delete(crd);
	/* A miss refreshes discovery: the new kind resolves without an
	 * explicit refresh, in both served versions. */
	r = NULL;
	long end = now_ms() + 5000;
	while (tend_kube_resource_for_kind(k, "stable.example.com/v1", "CronTab", &r) != 0 &&
	       now_ms() < end)
		usleep(100 * 1000);
	CHECK(r && r->namespaced && strcmp(r->name, "crontabs") == 0);
	CHECK(tend_kube_resource_for_kind(k, "stable.example.com/v1beta1", "CronTab", &r) == 0);
	CHECK_STR("v1", tend_kube_preferred_version(k, "stable.example.com"));
	CHECK(tend_kube_resource_find(k, "stable.example.com", "crontab", &r) == 0);
	CHECK(r && strcmp(r->version, "v1") == 0);
	cJSON *ct = json("{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\","
	                 "\"metadata\":{\"name\":\"nightly\"},\"spec\":{\"cron\":\"0 3 * * *\"}}");
	CHECK(r && tend_kube_apply(k, r, "default", ct, &wo, NULL) == 0);
	cJSON_Delete(ct);
	tend_kube_free(k);
}

typedef struct counter {
	int done, failed;
} counter;

static void count_done(void *ud, const tend_kube_response *res)
{
	counter *c = ud;
	c->done++;
	if (res->status) {
		c->failed++;
		if (c->failed < 3)
			printf("  %s\n", res->error);
	}
}

/* Creates n ConfigMaps concurrently on one loop. */
static int create_many(tend_kube *k, int n, const char *prefix, const char *labels)
{
	counter cnt = {0};
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s-%04d", prefix, i);
		cJSON *o = configmap(name, labels, "\"k\":\"v\"");
		tend_buf b = TEND_BUF_INIT;
		tend_kube_json_emit(o, &b);
		tend_kube_call c = {.method = "POST",
		                    .path = "/api/v1/namespaces/default/configmaps",
		                    .content_type = "application/json",
		                    .body = b.data,
		                    .body_len = b.len};
		tend_kube_submit(k, &c, count_done, &cnt, NULL);
		tend_buf_free(&b);
		cJSON_Delete(o);
	}
	while (cnt.done < n)
		tend_kube_step(k, 1000);
	return cnt.failed;
}

TEST(list_pages_over_1200_objects)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	CHECK_INT(0, create_many(k, 1200, "page", "\"set\":\"paging\""));
	CHECK_INT(0, create_many(k, 30, "other", "\"set\":\"other\""));
	emu_stats_reset(&E);
	tend_kube_list_opts o = {.label_selector = "set=paging", .limit = 100};
	cJSON *items = NULL;
	char *rv = NULL;
	CHECK(tend_kube_list(k, cm, "default", &o, &items, &rv) == 0);
	CHECK_INT(1200, cJSON_GetArraySize(items));
	CHECK_INT(12, emu_count(&E, "list", "configmaps"));
	CHECK(rv && *rv);
	/* every object once, typed */
	tend_strset seen = TEND_STRSET_INIT;
	int dups = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
	{
		if (!tend_strset_add(&seen, path_str(it, "metadata", "name")))
			dups++;
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
		if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "ConfigMap") != 0)
			dups++;
	}
	CHECK_INT(0, dups);
	tend_strset_free(&seen);
	cJSON_Delete(items);
	free(rv);
	/* field selector, all namespaces */
	tend_kube_list_opts f = {.field_selector = "metadata.name=page-0007"};
	CHECK(tend_kube_list(k, cm, NULL, &f, &items, NULL) == 0);
	CHECK_INT(1, cJSON_GetArraySize(items));
	cJSON_Delete(items);
	tend_kube_free(k);
}

TEST(status_errors_surface)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	cJSON *o = NULL;
	CHECK(tend_kube_get(k, cm, "default", "absent", NULL, &o) != 0);
	CHECK_CONTAINS(tend_err_msg(), "404 NotFound: configmaps \"absent\" not found");
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "NotFound"));
	cJSON *x = configmap("dup", NULL, NULL);
	CHECK(tend_kube_create(k, cm, NULL, x, NULL, NULL) == 0);
	CHECK(tend_kube_create(k, cm, NULL, x, NULL, NULL) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "AlreadyExists"));
	CHECK_INT(409, tend_kube_last_status(k)->code);
	cJSON_Delete(x);
	/* a validation error carries causes */
	x = configmap("Bad_Name", NULL, NULL);
	CHECK(tend_kube_create(k, cm, NULL, x, NULL, NULL) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "Invalid"));
	CHECK(tend_kube_last_status(k)->ncauses >= 1);
	cJSON_Delete(x);
	tend_kube_free(k);
}

TEST(ssa_create_update_remove_conflict_force_dryrun)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	tend_kube_write_opts tend = {.field_manager = "tend"};
	tend_kube_write_opts other = {.field_manager = "other"};
	cJSON *out = NULL, *o = configmap("ssa", "\"app\":\"web\"", "\"a\":\"1\",\"b\":\"2\"");
	CHECK(tend_kube_apply(k, cm, NULL, o, &tend, &out) == 0);
	CHECK_STR("2", path_str(out, "data", "b"));
	CHECK(path_str(out, "metadata", "uid") != NULL);
	cJSON_Delete(o);
	cJSON_Delete(out);
	/* update */
	o = configmap("ssa", "\"app\":\"web\"", "\"a\":\"1\",\"b\":\"3\"");
	CHECK(tend_kube_apply(k, cm, NULL, o, &tend, &out) == 0);
	CHECK_STR("3", path_str(out, "data", "b"));
	cJSON_Delete(o);
	cJSON_Delete(out);
	/* a field left out of the next apply is removed */
	o = configmap("ssa", "\"app\":\"web\"", "\"a\":\"1\"");
	CHECK(tend_kube_apply(k, cm, NULL, o, &tend, &out) == 0);
	CHECK(path_str(out, "data", "b") == NULL);
	cJSON_Delete(o);
	cJSON_Delete(out);
	/* another manager changing our field conflicts, with the field named */
	o = configmap("ssa", NULL, "\"a\":\"theirs\"");
	CHECK(tend_kube_apply(k, cm, NULL, o, &other, NULL) != 0);
	const tend_kube_status *st = tend_kube_last_status(k);
	CHECK(tend_kube_status_is(st, "Conflict"));
	CHECK(st->ncauses == 1 && st->causes[0].field &&
	      strcmp(st->causes[0].field, ".data.a") == 0);
	CHECK_CONTAINS(tend_err_msg(), "conflict with \"tend\"");
	/* force takes it over */
	other.force = true;
	CHECK(tend_kube_apply(k, cm, NULL, o, &other, &out) == 0);
	CHECK_STR("theirs", path_str(out, "data", "a"));
	cJSON_Delete(o);
	cJSON_Delete(out);
	/* dry run: the answer shows the change, the object does not get it */
	tend_kube_write_opts dry = {.field_manager = "tend", .force = true, .dry_run = true};
	o = configmap("ssa", "\"app\":\"web\"", "\"a\":\"1\",\"c\":\"dry\"");
	CHECK(tend_kube_apply(k, cm, NULL, o, &dry, &out) == 0);
	CHECK_STR("dry", path_str(out, "data", "c"));
	cJSON_Delete(out);
	CHECK(tend_kube_get(k, cm, "default", "ssa", NULL, &out) == 0);
	CHECK(path_str(out, "data", "c") == NULL);
	CHECK_STR("theirs", path_str(out, "data", "a"));
	cJSON_Delete(o);
	cJSON_Delete(out);
	tend_kube_free(k);
}

TEST(patch_update_and_delete_preconditions)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	cJSON *o = configmap("p", NULL, "\"a\":\"1\""), *out = NULL;
	CHECK(tend_kube_create(k, cm, NULL, o, NULL, &out) == 0);
	cJSON_Delete(o);
	char *uid =
	    tend_xstrdup(path_str(out, "metadata", "uid") ? path_str(out, "metadata", "uid") : "");
	cJSON_Delete(out);
	cJSON *mp = json("{\"data\":{\"a\":null,\"m\":\"merged\"}}");
	CHECK(tend_kube_patch(k, cm, "default", "p", TEND_KUBE_PATCH_MERGE, mp, NULL, &out) == 0);
	CHECK_STR("merged", path_str(out, "data", "m"));
	CHECK(path_str(out, "data", "a") == NULL);
	cJSON_Delete(mp);
	/* optimistic concurrency on PUT */
	cJSON *stale = cJSON_Duplicate(out, 1);
	cJSON_Delete(out);
	cJSON *jp = json("[{\"op\":\"add\",\"path\":\"/data/j\",\"value\":\"json\"}]");
	CHECK(tend_kube_patch(k, cm, "default", "p", TEND_KUBE_PATCH_JSON, jp, NULL, &out) == 0);
	CHECK_STR("json", path_str(out, "data", "j"));
	cJSON_Delete(jp);
	cJSON_Delete(out);
	CHECK(tend_kube_update(k, cm, NULL, stale, NULL, NULL) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "Conflict"));
	cJSON_Delete(stale);
	/* delete: a wrong uid precondition fails, the right one deletes */
	tend_kube_delete_opts d = TEND_KUBE_DELETE_OPTS_INIT;
	d.uid = "00000000-0000-0000-0000-000000000000";
	CHECK(tend_kube_delete(k, cm, "default", "p", &d, NULL) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "Conflict"));
	CHECK_CONTAINS(tend_err_msg(), "Precondition failed");
	d.uid = uid;
	d.propagation = "Background";
	CHECK(tend_kube_delete(k, cm, "default", "p", &d, NULL) == 0);
	CHECK(tend_kube_get(k, cm, "default", "p", NULL, &out) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "NotFound"));
	free(uid);
	tend_kube_free(k);
}

/* ---- retries and rate limiting ---- */

TEST(retries_on_500_429_and_dropped_connections_not_422)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	cJSON *o = configmap("r", NULL, NULL), *out = NULL;
	CHECK(tend_kube_create(k, cm, NULL, o, NULL, NULL) == 0);
	cJSON_Delete(o);
	tend_kube_stats s0, s1;
	tend_kube_get_stats(k, &s0);
	emu_fault(&E, "{\"verb\":\"get\",\"resource\":\"configmaps\",\"status\":500,\"count\":2}");
	CHECK(tend_kube_get(k, cm, "default", "r", NULL, &out) == 0);
	cJSON_Delete(out);
	tend_kube_get_stats(k, &s1);
	CHECK_INT(3, s1.requests - s0.requests);
	/* 429 honours Retry-After */
	emu_fault(&E, "{\"verb\":\"get\",\"resource\":\"configmaps\",\"status\":429,"
	              "\"retryAfterSeconds\":1}");
	long t0 = now_ms();
	CHECK(tend_kube_get(k, cm, "default", "r", NULL, &out) == 0);
	cJSON_Delete(out);
	CHECK(now_ms() - t0 >= 1000);
	/* a connection closed mid-response */
	emu_fault(&E, "{\"verb\":\"get\",\"resource\":\"configmaps\",\"action\":\"close\"}");
	CHECK(tend_kube_get(k, cm, "default", "r", NULL, &out) == 0);
	cJSON_Delete(out);
	/* 422 will not change: one attempt */
	tend_kube_get_stats(k, &s0);
	emu_fault(&E, "{\"verb\":\"get\",\"resource\":\"configmaps\",\"status\":422}");
	CHECK(tend_kube_get(k, cm, "default", "r", NULL, &out) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(k), "Invalid"));
	tend_kube_get_stats(k, &s1);
	CHECK_INT(1, s1.requests - s0.requests);
	/* retries run out: the last error, and how many attempts */
	emu_fault(&E, "{\"verb\":\"get\",\"resource\":\"configmaps\",\"status\":503,\"count\":20}");
	CHECK(tend_kube_get(k, cm, "default", "r", NULL, &out) != 0);
	CHECK_CONTAINS(tend_err_msg(), "503 ServiceUnavailable");
	CHECK_CONTAINS(tend_err_msg(), "after 6 attempts");
	cJSON_Delete(emu_ctl(&E, "DELETE", "/_emulator/faults", NULL));
	tend_kube_free(k);
}

TEST(rate_limit_qps_and_burst)
{
	tend_kube_options o;
	tend_kube_options_default(&o);
	o.qps = 40;
	o.burst = 10;
	tend_kube *k = client_opts(&o);
	counter cnt = {0};
	long t0 = now_ms();
	tend_kube_call c = {.method = "GET", .path = "/api/v1/namespaces/default"};
	for (int i = 0; i < 50; i++)
		tend_kube_submit(k, &c, count_done, &cnt, NULL);
	while (cnt.done < 50)
		tend_kube_step(k, 1000);
	long el = now_ms() - t0;
	/* 10 at once, then 40 more at 40/s: about one second */
	CHECK(el >= 950);
	CHECK(el < 3000);
	CHECK_INT(0, cnt.failed);
	tend_kube_stats st;
	tend_kube_get_stats(k, &st);
	CHECK(st.throttled_ms > 0);
	tend_kube_free(k);
}

/* ---- Lease ---- */

TEST(lease_optimistic_concurrency)
{
	emu_reset(&E);
	tend_kube *a = client(), *b = client();
	tend_kube_lease l = {0}, la = {0}, lb = {0};
	CHECK(tend_kube_lease_get(a, "default", "tend-leader", &la) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(a), "NotFound"));
	l.holder = (char *)"replica-a";
	l.duration_s = 15;
	char *now = tend_kube_micro_time_now();
	l.acquire_time = now;
	l.renew_time = now;
	CHECK(tend_kube_lease_create(a, "default", "tend-leader", &l, &la) == 0);
	CHECK(la.resource_version != NULL);
	CHECK(tend_kube_lease_create(b, "default", "tend-leader", &l, NULL) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(b), "AlreadyExists"));
	CHECK(tend_kube_lease_get(b, "default", "tend-leader", &lb) == 0);
	CHECK_STR("replica-a", lb.holder);
	CHECK_INT(15, lb.duration_s);
	CHECK_STR(now, lb.renew_time);
	/* a renews; b's takeover built on the older version must fail */
	free(la.renew_time);
	la.renew_time = tend_kube_micro_time_now();
	CHECK(tend_kube_lease_update(a, "default", "tend-leader", &la, &la) == 0);
	free(lb.holder);
	lb.holder = tend_xstrdup("replica-b");
	lb.transitions++;
	CHECK(tend_kube_lease_update(b, "default", "tend-leader", &lb, &lb) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(b), "Conflict"));
	/* after a fresh read it succeeds, and a's copy is now stale */
	CHECK(tend_kube_lease_get(b, "default", "tend-leader", &lb) == 0);
	free(lb.holder);
	lb.holder = tend_xstrdup("replica-b");
	lb.transitions++;
	CHECK(tend_kube_lease_update(b, "default", "tend-leader", &lb, &lb) == 0);
	CHECK_INT(1, lb.transitions);
	CHECK(tend_kube_lease_update(a, "default", "tend-leader", &la, NULL) != 0);
	CHECK(tend_kube_status_is(tend_kube_last_status(a), "Conflict"));
	tend_kube_lease_clear(&la);
	tend_kube_lease_clear(&lb);
	free(now);
	tend_kube_free(a);
	tend_kube_free(b);
}

/* ---- watch ---- */

typedef struct events {
	int n;
	tend_kube_event_type types[16];
	char names[16][64];
	bool ended;
	long end_code;
	char *end_reason;
} events;

static int collect(void *ud, tend_kube_event_type t, cJSON *obj)
{
	events *e = ud;
	if (t != TEND_KUBE_BOOKMARK && e->n < 16) {
		e->types[e->n] = t;
		snprintf(e->names[e->n], 64, "%s", path_str(obj, "metadata", "name"));
		e->n++;
	}
	cJSON_Delete(obj);
	return 0;
}

static void ended(void *ud, const tend_kube_response *res)
{
	events *e = ud;
	e->ended = true;
	e->end_code = res->code;
	if (res->status)
		e->end_reason = tend_xstrdup(res->status->reason);
}

TEST(watch_create_update_delete)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	cJSON *items = NULL;
	char *rv = NULL;
	tend_kube_list_opts lo = {.limit = 1};
	CHECK(tend_kube_list(k, cm, "default", &lo, &items, &rv) == 0);
	cJSON_Delete(items);
	events ev = {0};
	tend_kube_watch_opts wo = {.resource_version = rv, .bookmarks = true};
	tend_kube_request *w = NULL;
	tend_kube_watch(k, cm, "default", &wo, collect, ended, &ev, &w);
	cJSON *o = configmap("w1", NULL, "\"a\":\"1\"");
	CHECK(tend_kube_create(k, cm, NULL, o, NULL, NULL) == 0);
	cJSON *mp = json("{\"data\":{\"a\":\"2\"}}");
	CHECK(tend_kube_patch(k, cm, "default", "w1", TEND_KUBE_PATCH_MERGE, mp, NULL, NULL) == 0);
	CHECK(tend_kube_delete(k, cm, "default", "w1", NULL, NULL) == 0);
	long end = now_ms() + 5000;
	while (ev.n < 3 && now_ms() < end)
		tend_kube_step(k, 100);
	CHECK_INT(3, ev.n);
	CHECK_INT(TEND_KUBE_ADDED, ev.types[0]);
	CHECK_INT(TEND_KUBE_MODIFIED, ev.types[1]);
	CHECK_INT(TEND_KUBE_DELETED, ev.types[2]);
	CHECK_STR("w1", ev.names[2]);
	CHECK(!ev.ended);
	/* an injected drop ends the stream normally */
	emu_fault(&E, "{\"action\":\"endWatch\",\"resource\":\"configmaps\"}");
	end = now_ms() + 5000;
	while (!ev.ended && now_ms() < end)
		tend_kube_step(k, 100);
	CHECK(ev.ended);
	CHECK(ev.end_reason == NULL);
	free(ev.end_reason);
	/* resuming from a version older than the server's history: ERROR 410 */
	cJSON_Delete(o);
	CHECK_INT(0, create_many(k, 60, "hist", NULL));
	events ev2 = {0};
	tend_kube_watch(k, cm, "default", &wo, collect, ended, &ev2, NULL);
	end = now_ms() + 5000;
	while (!ev2.ended && now_ms() < end)
		tend_kube_step(k, 100);
	CHECK(ev2.ended);
	CHECK_INT(410, ev2.end_code);
	CHECK_STR("Expired", ev2.end_reason);
	free(ev2.end_reason);
	cJSON_Delete(mp);
	free(rv);
	tend_kube_free(k);
}

/* ---- the cache ---- */

typedef struct mirror {
	tend_strset live; /* names per callbacks (adds minus deletes) */
	int added, updated, deleted;
	tend_strvec order;
} mirror;

static void m_added(void *ud, const cJSON *o)
{
	mirror *m = ud;
	m->added++;
	tend_strvec_push(&m->order, path_str(o, "metadata", "name"));
}
static void m_updated(void *ud, const cJSON *old, const cJSON *o)
{
	(void)old;
	(void)o;
	((mirror *)ud)->updated++;
}
static void m_deleted(void *ud, const cJSON *o)
{
	(void)o;
	((mirror *)ud)->deleted++;
}

/* The cache equals the emulator's state for the selector: same names, same versions. */
static bool cache_equal(tend_kube_cache *c, const tend_kube_resource *cm, const char *sel,
                        bool verbose)
{
	cJSON *items = NULL;
	tend_kube_list_opts lo = {.label_selector = sel};
	if (tend_kube_list(E.ctl, cm, "default", &lo, &items, NULL))
		return false;
	bool eq = (size_t)cJSON_GetArraySize(items) == tend_kube_cache_len(c);
	if (!eq && verbose)
		printf("  cache holds %zu, server %d\n", tend_kube_cache_len(c),
		       cJSON_GetArraySize(items));
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
	{
		const char *name = path_str(it, "metadata", "name");
		cJSON *got = tend_kube_cache_copy(c, "", "ConfigMap", "default", name);
		const char *rv = path_str(it, "metadata", "resourceVersion");
		if (!got || strcmp(path_str(got, "metadata", "resourceVersion"), rv) != 0) {
			if (verbose)
				printf("  %s: cache %s, server %s\n", name,
				       got ? path_str(got, "metadata", "resourceVersion") : "-",
				       rv);
			eq = false;
		}
		cJSON_Delete(got);
	}
	cJSON_Delete(items);
	return eq;
}

static bool wait_equal(tend_kube *k, tend_kube_cache *c, const tend_kube_resource *cm,
                       const char *sel)
{
	long end = now_ms() + 8000;
	while (now_ms() < end) {
		tend_kube_step(k, 50);
		if (cache_equal(c, cm, sel, false))
			return true;
	}
	return cache_equal(c, cm, sel, true);
}

/* Steps the client until the emulator holds an open watch: a fault that
 * ends watches must find the cache's stream already there. */
static bool wait_watch_open(tend_kube *k)
{
	long end = now_ms() + 5000;
	while (now_ms() < end) {
		cJSON *s = emu_ctl(&E, "GET", "/_emulator/stats", NULL);
		const cJSON *open = cJSON_GetObjectItemCaseSensitive(s, "watchesOpen");
		bool ok = cJSON_IsNumber(open) && open->valuedouble >= 1;
		cJSON_Delete(s);
		if (ok)
			return true;
		tend_kube_step(k, 50);
	}
	return false;
}

TEST(cache_survives_drop_and_410)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	mirror m = {0};
	tend_kube_cache_handlers h = {m_added, m_updated, m_deleted, &m};
	tend_kube_cache *c = tend_kube_cache_new(k, &h);
	CHECK_INT(0, create_many(k, 5, "pre", "\"app\":\"tend\""));
	CHECK_INT(0, create_many(k, 3, "unmanaged", NULL));
	CHECK(tend_kube_cache_add(c, cm, "default", "app=tend") == 0);
	CHECK(!tend_kube_cache_synced(c));
	CHECK(tend_kube_cache_wait_synced(c, 5000) == 0);
	CHECK_INT(5, tend_kube_cache_len(c));
	CHECK_INT(5, m.added);
	/* drop: the watch resumes from its resourceVersion and misses nothing */
	CHECK(wait_watch_open(k));
	emu_fault(&E, "{\"action\":\"endWatch\",\"resource\":\"configmaps\"}");
	CHECK_INT(0, create_many(E.ctl, 3, "after-drop", "\"app\":\"tend\""));
	cJSON_Delete(emu_ctl(&E, "DELETE", "/api/v1/namespaces/default/configmaps/pre-0000", NULL));
	CHECK(wait_equal(k, c, cm, "app=tend"));
	tend_kube_cache_stats st;
	tend_kube_cache_get_stats(c, &st);
	CHECK(st.watches >= 2);
	CHECK_INT(1, st.lists);
	/* 410 as an ERROR event: more changes than the history holds while
	 * the watch is down, so resuming fails and the cache re-lists. */
	CHECK(wait_watch_open(k));
	emu_fault(&E, "{\"action\":\"endWatch\",\"resource\":\"configmaps\"}");
	CHECK_INT(0, create_many(E.ctl, 60, "burst", "\"app\":\"tend\""));
	cJSON_Delete(emu_ctl(&E, "DELETE", "/api/v1/namespaces/default/configmaps/pre-0001", NULL));
	CHECK(wait_equal(k, c, cm, "app=tend"));
	tend_kube_cache_get_stats(c, &st);
	CHECK(st.relists_410 >= 1);
	CHECK(st.lists >= 2);
	/* 410 as an HTTP status on the next watch request */
	emu_fault(&E, "[{\"action\":\"endWatch\",\"resource\":\"configmaps\"},"
	              "{\"verb\":\"watch\",\"resource\":\"configmaps\",\"status\":410}]");
	cJSON_Delete(emu_ctl(&E, "DELETE", "/api/v1/namespaces/default/configmaps/pre-0002", NULL));
	CHECK(wait_equal(k, c, cm, "app=tend"));
	tend_kube_cache_stats st2;
	tend_kube_cache_get_stats(c, &st2);
	CHECK(st2.relists_410 > st.relists_410);
	CHECK_INT((int)tend_kube_cache_len(c), m.added - m.deleted);
	tend_kube_cache_free(c);
	tend_strvec_free(&m.order);
	tend_kube_free(k);
}

TEST(cache_equals_server_after_random_changes)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	mirror m = {0};
	tend_kube_cache_handlers h = {m_added, m_updated, m_deleted, &m};
	tend_kube_cache *c = tend_kube_cache_new(k, &h);
	CHECK(tend_kube_cache_add(c, cm, "default", "managed-by=tend") == 0);
	CHECK(tend_kube_cache_wait_synced(c, 5000) == 0);
	unsigned seed = 12345;
	bool exists[40] = {0};
	int ops = 400;
	for (int i = 0; i < ops; i++) {
		int n = rand_r(&seed) % 40, what = rand_r(&seed) % 10;
		char name[32];
		snprintf(name, sizeof(name), "rnd-%02d", n);
		bool labelled = rand_r(&seed) % 3 != 0;
		char data[64];
		snprintf(data, sizeof(data), "\"v\":\"%d\"", i);
		tend_kube_write_opts wo = {.field_manager = "test", .force = true};
		if (!exists[n] || what < 6) {
			/* apply: create or change data and maybe the label */
			cJSON *o =
			    configmap(name, labelled ? "\"managed-by\":\"tend\"" : NULL, data);
			if (tend_kube_apply(k, cm, NULL, o, &wo, NULL) == 0)
				exists[n] = true;
			cJSON_Delete(o);
		} else {
			if (tend_kube_delete(k, cm, "default", name, NULL, NULL) == 0)
				exists[n] = false;
		}
		if (i == 130)
			emu_fault(&E, "{\"action\":\"endWatch\",\"resource\":\"configmaps\"}");
		if (i == 260)
			emu_fault(
			    &E, "[{\"action\":\"endWatch\",\"resource\":\"configmaps\"},"
			        "{\"verb\":\"watch\",\"resource\":\"configmaps\",\"status\":410}]");
	}
	CHECK(wait_equal(k, c, cm, "managed-by=tend"));
	CHECK_INT((int)tend_kube_cache_len(c), m.added - m.deleted);
	CHECK(m.updated > 0);
	tend_kube_cache_stats st;
	tend_kube_cache_get_stats(c, &st);
	CHECK(st.relists_410 >= 1);
	tend_kube_cache_free(c);
	tend_strvec_free(&m.order);
	tend_kube_free(k);
}

TEST(cache_can_drop_managed_fields)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	cJSON *o = configmap("mf", NULL, "\"a\":\"1\"");
	tend_kube_write_opts wo = {.field_manager = "tend"};
	CHECK(tend_kube_apply(k, cm, NULL, o, &wo, NULL) == 0);
	cJSON_Delete(o);
	for (int strip = 0; strip < 2; strip++) {
		tend_kube_cache *c = tend_kube_cache_new(k, NULL);
		tend_kube_cache_strip_managed_fields(c, strip);
		CHECK(tend_kube_cache_add(c, cm, "default", NULL) == 0);
		CHECK(tend_kube_cache_wait_synced(c, 5000) == 0);
		cJSON *got = tend_kube_cache_copy(c, "", "ConfigMap", "default", "mf");
		const cJSON *md = cJSON_GetObjectItemCaseSensitive(got, "metadata");
		CHECK(got != NULL);
		CHECK_INT(!strip, cJSON_GetObjectItemCaseSensitive(md, "managedFields") != NULL);
		CHECK_STR("1", path_str(got, "data", "a"));
		cJSON_Delete(got);
		tend_kube_cache_free(c);
	}
	tend_kube_free(k);
}

static int index_of_key(const cJSON *obj, const char *key)
{
	int i = 0;
	for (const cJSON *v = obj->child; v && strcmp(v->string, key) != 0; v = v->next)
		i++;
	return i;
}

/* A cached copy is the server's object as it was, every key where it was,
 * although the entry keeps apiVersion, kind, name, namespace, the version
 * and managedFields out of its text; a field that differs from what the
 * entry would say stays as it is. */
TEST(cache_copy_is_the_object_key_for_key)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	cJSON *o = configmap("exact", "\"team\":\"a\"", "\"a\":\"1\"");
	tend_kube_write_opts wo = {.field_manager = "tend"};
	CHECK(tend_kube_apply(k, cm, NULL, o, &wo, NULL) == 0);
	cJSON_Delete(o);
	cJSON *server = NULL;
	CHECK(tend_kube_get(k, cm, "default", "exact", NULL, &server) == 0);
	tend_kube_cache *c = tend_kube_cache_new(k, NULL);
	CHECK(tend_kube_cache_add(c, cm, "default", "team=a") == 0);
	CHECK(tend_kube_cache_wait_synced(c, 5000) == 0);
	cJSON *got = tend_kube_cache_copy(c, "", "ConfigMap", "default", "exact");
	CHECK(got != NULL);
	/* a list's items get kind and apiVersion after the rest (kube_fill_type) */
	cJSON *want = cJSON_Duplicate(server, true);
	CHECK(index_of_key(got, "apiVersion") == cJSON_GetArraySize(got) - 1);
	cJSON_AddItemToObject(want, "kind", cJSON_DetachItemFromObjectCaseSensitive(want, "kind"));
	cJSON_AddItemToObject(want, "apiVersion",
	                      cJSON_DetachItemFromObjectCaseSensitive(want, "apiVersion"));
	char *a = cJSON_PrintUnformatted(want), *b = cJSON_PrintUnformatted(got);
	CHECK_STR(a, b);
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(got, "metadata");
	CHECK(md && md->child && strcmp(md->child->string, "name") == 0);
	free(a), free(b);
	cJSON_Delete(want);
	cJSON_Delete(got);
	cJSON_Delete(server);
	tend_kube_cache_free(c);
	tend_kube_free(k);
}

static void drop_times(void *ud, cJSON *obj)
{
	(void)ud;
	cJSON *e;
	cJSON_ArrayForEach(
	    e, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
	                                        "managedFields"))
	    cJSON_DeleteItemFromObjectCaseSensitive(e, "time");
}

/* Alike objects of one manager share one managedFields text in the cache,
 * alike labels and data one text each; a reader's copy still has every
 * entry, and the text goes with the last object that held it. */
TEST(cache_keeps_alike_managed_fields_once)
{
	emu_reset(&E);
	tend_kube *k = client();
	const tend_kube_resource *cm = res(k, "", "configmaps");
	tend_kube_write_opts wo = {.field_manager = "tend"};
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "alike-%d", i);
		cJSON *o = configmap(name, "\"team\":\"a\"",
		                     i == 2 ? "\"a\":\"1\",\"b\":\"2\"" : "\"a\":\"1\"");
		CHECK(tend_kube_apply(k, cm, NULL, o, &wo, NULL) == 0);
		cJSON_Delete(o);
	}
	tend_kube_cache *c = tend_kube_cache_new(k, NULL);
	tend_kube_cache_set_transform(c, drop_times, NULL);
	CHECK(tend_kube_cache_add(c, cm, "default", "team=a") == 0);
	CHECK(tend_kube_cache_wait_synced(c, 5000) == 0);
	tend_kube_cache_stats st;
	tend_kube_cache_get_stats(c, &st);
	CHECK_INT(3, (long)st.objects);
	CHECK_INT(2, (long)st.fields); /* alike-0 and alike-1 share theirs */
	CHECK_INT(3, (long)st.bodies); /* all three their labels, two their data */
	cJSON *got = tend_kube_cache_copy(c, "", "ConfigMap", "default", "alike-1");
	const cJSON *mf = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(got, "metadata"), "managedFields");
	CHECK_INT(1, cJSON_GetArraySize(mf));
	const cJSON *entry = cJSON_GetArrayItem(mf, 0);
	CHECK_STR("tend", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "manager")));
	CHECK(cJSON_GetObjectItemCaseSensitive(
	          cJSON_GetObjectItemCaseSensitive(
	              cJSON_GetObjectItemCaseSensitive(entry, "fieldsV1"), "f:data"),
	          "f:a") != NULL);
	CHECK_STR("1", path_str(got, "data", "a"));
	CHECK_STR("alike-1", path_str(got, "metadata", "name"));
	cJSON_Delete(got);
	tend_kube_delete_opts d = TEND_KUBE_DELETE_OPTS_INIT;
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "alike-%d", i);
		CHECK(tend_kube_delete(k, cm, "default", name, &d, NULL) == 0);
	}
	long end = now_ms() + 5000;
	do {
		tend_kube_step(k, 50);
		tend_kube_cache_get_stats(c, &st);
	} while (st.objects && now_ms() < end);
	CHECK_INT(0, (long)st.objects);
	CHECK_INT(0, (long)st.fields);
	CHECK_INT(0, (long)st.bodies);
	CHECK_INT(0, (long)st.json_bytes);
	tend_kube_cache_free(c);
	tend_kube_free(k);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s REPO_ROOT [FILTER]\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	root = argv[1];
	const char *filter = argc > 2 ? argv[2] : "";
	const char *args[] = {"--history", "50", NULL};
	if (emu_start(&E, root, TOKEN, true, args)) {
		printf("FAIL emulator: %s\n0 passed, 1 failed\n", tend_err_msg());
		return 1;
	}
#define RUN_IF(t)                                                                                  \
	do {                                                                                       \
		if (!*filter || strstr(#t, filter)) {                                              \
			long t0_ = now_ms();                                                       \
			RUN(t);                                                                    \
			if (getenv("KUBE_TEST_TIMING"))                                            \
				fprintf(stderr, "  %s: %ld ms\n", #t, now_ms() - t0_);             \
		}                                                                                  \
	} while (0)
	RUN_IF(kubeconfig_merged_list_and_context);
	RUN_IF(tls_wrong_ca_fails_without_retry);
	RUN_IF(unauthorized_is_final);
	RUN_IF(in_cluster_rotated_token);
	RUN_IF(exec_plugin_credential_is_cached);
	RUN_IF(impersonation_headers);
	RUN_IF(discovery_after_crd_install);
	RUN_IF(list_pages_over_1200_objects);
	RUN_IF(status_errors_surface);
	RUN_IF(ssa_create_update_remove_conflict_force_dryrun);
	RUN_IF(patch_update_and_delete_preconditions);
	RUN_IF(retries_on_500_429_and_dropped_connections_not_422);
	RUN_IF(rate_limit_qps_and_burst);
	RUN_IF(lease_optimistic_concurrency);
	RUN_IF(watch_create_update_delete);
	RUN_IF(cache_survives_drop_and_410);
	RUN_IF(cache_equals_server_after_random_changes);
	RUN_IF(cache_can_drop_managed_fields);
	RUN_IF(cache_keeps_alike_managed_fields_once);
	RUN_IF(cache_copy_is_the_object_key_for_key);
	emu_stop(&E);
	TEST_MAIN_END();
}
