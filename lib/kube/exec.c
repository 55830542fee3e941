/*
 * exec.c — client.authentication.k8s.io exec credential plugins.
 *
 * The plugin runs with the caller's environment plus the kubeconfig's env
 * entries and KUBERNETES_EXEC_INFO (an ExecCredential with spec.interactive
 * false: tend never has a terminal to offer), stdin from /dev/null and
 * stderr passed through. It must print an ExecCredential whose status has
 * a token or a client certificate and key. It runs synchronously, bounded
 * by a timeout, and its result is cached by credentials.c.
 */
#include "kube_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define EXEC_TIMEOUT_MS 60000
#define EXEC_MAX_OUTPUT (1u << 20)

void kube_exec_cred_clear(kube_exec_cred *c)
{
	free(c->token);
	free(c->cert);
	free(c->key);
	memset(c, 0, sizeof(*c));
}

/* RFC 3339 to Unix seconds; -1 if malformed. */
static long long parse_rfc3339(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return -1;
		off = (hh * 3600LL + mm * 60LL) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	return (long long)timegm(&tm) - off;
}

int kube_exec_parse(const char *json, size_t len, kube_exec_cred *out)
{
	cJSON *root;
	memset(out, 0, sizeof(*out));
	if (tend_kube_json_parse(json, len, &root))
		return tend_err_prefix("ExecCredential: ");
	int rc = 0;
	const char *kind = kube_str(root, "kind");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (!kind || strcmp(kind, "ExecCredential") != 0) {
		rc = tend_err("ExecCredential: kind is \"%s\", expected ExecCredential",
		              kind ? kind : "");
		goto done;
	}
	if (!cJSON_IsObject(st)) {
		rc = tend_err("ExecCredential: status is missing");
		goto done;
	}
	const char *tok = kube_str(st, "token");
	const char *cert = kube_str(st, "clientCertificateData");
	const char *key = kube_str(st, "clientKeyData");
	const char *exp = kube_str(st, "expirationTimestamp");
	if ((cert && !key) || (key && !cert)) {
		rc = tend_err("ExecCredential: status.clientCertificateData and clientKeyData must "
		              "both be set");
		goto done;
	}
	if (!(tok && *tok) && !cert) {
		rc =
		    tend_err("ExecCredential: status has neither a token nor a client certificate");
		goto done;
	}
	if (exp && *exp) {
		long long t = parse_rfc3339(exp);
		if (t < 0) {
			rc = tend_err(
			    "ExecCredential: status.expirationTimestamp: \"%s\" is not RFC 3339",
			    exp);
			goto done;
		}
		long long left_ms = (t - (long long)time(NULL)) * 1000;
		out->expires_ms = kube_now_ms() + left_ms;
		if (out->expires_ms == 0)
			out->expires_ms = 1;
	}
	out->token = tok && *tok ? tend_xstrdup(tok) : NULL;
	out->cert = cert ? tend_xstrdup(cert) : NULL;
	out->key = key ? tend_xstrdup(key) : NULL;
done:
	cJSON_Delete(root);
	return rc;
}

/* The plugin must answer in the version it was asked for, as client-go insists. */
static int check_version(const char *json, size_t len, const char *want)
{
	cJSON *root;
	if (tend_kube_json_parse(json, len, &root))
		return -1;
	const char *got = kube_str(root, "apiVersion");
	int rc = 0;
	if (!got || strcmp(got, want) != 0)
		rc = tend_err("ExecCredential: apiVersion is \"%s\", the kubeconfig asked for %s",
		              got ? got : "", want);
	cJSON_Delete(root);
	return rc;
}

static char *exec_info(const tend_kube_config *cfg)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "apiVersion", cfg->exec->api_version);
	cJSON_AddStringToObject(o, "kind", "ExecCredential");
	cJSON *spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddFalseToObject(spec, "interactive");
	if (cfg->exec->provide_cluster_info) {
		cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");
		cJSON_AddStringToObject(cl, "server", cfg->server);
		if (cfg->tls_server_name)
			cJSON_AddStringToObject(cl, "tls-server-name", cfg->tls_server_name);
		if (cfg->insecure_skip_tls_verify)
			cJSON_AddTrueToObject(cl, "insecure-skip-tls-verify");
		if (cfg->ca_data) {
			/* certificate-authority-data is base64 in JSON ([]byte). */
			static const char t[] =
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
			tend_buf b = TEND_BUF_INIT;
			const unsigned char *d = (const unsigned char *)cfg->ca_data;
			for (size_t i = 0; i < cfg->ca_len; i += 3) {
				unsigned v = (unsigned)d[i] << 16;
				size_t n = cfg->ca_len - i;
				if (n > 1)
					v |= (unsigned)d[i + 1] << 8;
				if (n > 2)
					v |= d[i + 2];
				tend_buf_putc(&b, t[(v >> 18) & 63]);
				tend_buf_putc(&b, t[(v >> 12) & 63]);
				tend_buf_putc(&b, n > 1 ? t[(v >> 6) & 63] : '=');
				tend_buf_putc(&b, n > 2 ? t[v & 63] : '=');
			}
			cJSON_AddStringToObject(cl, "certificate-authority-data",
			                        b.data ? b.data : "");
			tend_buf_free(&b);
		}
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static char **build_env(const tend_kube_config *cfg, const char *info)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = tend_xcalloc(n + cfg->exec->env.len + 2, sizeof(char *));
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21) == 0)
			continue;
		env[j++] = tend_xstrdup(environ[i]);
	}
	for (size_t i = 0; i < cfg->exec->env.len; i++)
		env[j++] = tend_xstrdup(cfg->exec->env.items[i]);
	env[j++] = tend_xasprintf("KUBERNETES_EXEC_INFO=%s", info);
	env[j] = NULL;
	return env;
}

static void free_env(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int kube_exec_run(const tend_kube_config *cfg, kube_exec_cred *out)
{
	const tend_kube_exec *x = cfg->exec;
	const char *who = cfg->user ? cfg->user : "(user)";
	if (strcmp(x->interactive_mode, "Always") == 0)
		return tend_err("%s: users[%s].user.exec: interactiveMode Always needs a terminal, "
		                "which tend does not have",
		                cfg->origin, who);
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return tend_err("exec plugin: pipe: %s", strerror(errno));
	char *info = exec_info(cfg);
	char **env = build_env(cfg, info);
	char **argv = tend_xcalloc(x->args.len + 2, sizeof(char *));
	argv[0] = x->command;
	for (size_t i = 0; i < x->args.len; i++)
		argv[i + 1] = x->args.items[i];
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		execvpe(x->command, argv, env);
		_exit(127);
	}
	free(argv);
	free_env(env);
	free(info);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return tend_err("exec plugin %s: fork: %s", x->command, strerror(errno));
	}
	tend_buf b = TEND_BUF_INIT;
	int64_t deadline = kube_now_ms() + EXEC_TIMEOUT_MS;
	bool timed_out = false;
	for (;;) {
		int64_t left = deadline - kube_now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd p = {pfd[0], POLLIN, 0};
		int pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			timed_out = pr == 0;
			break;
		}
		char tmp[4096];
		ssize_t n = read(pfd[0], tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b.len + (size_t)n > EXEC_MAX_OUTPUT) {
			timed_out = false;
			break;
		}
		tend_buf_put(&b, tmp, (size_t)n);
	}
	close(pfd[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	wait_child(pid, &status);
	int rc = 0;
	if (timed_out) {
		rc = tend_err("exec plugin %s (user %s): no answer within %d s", x->command, who,
		              EXEC_TIMEOUT_MS / 1000);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			rc = tend_err("exec plugin %s (user %s): could not be run (not found?)",
			              x->command, who);
		else
			rc = tend_err("exec plugin %s (user %s): exited with %s %d", x->command,
			              who, WIFEXITED(status) ? "status" : "signal",
			              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	} else if (kube_exec_parse(b.data ? b.data : "", b.len, out)) {
		rc = tend_err_prefix("exec plugin %s (user %s): ", x->command, who);
	} else {
		rc = check_version(b.data, b.len, x->api_version);
		if (rc) {
			kube_exec_cred_clear(out);
			tend_err_prefix("exec plugin %s (user %s): ", x->command, who);
		}
	}
	tend_buf_free(&b);
	return rc;
}
