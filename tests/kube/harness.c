/*
 * harness.c — see harness.h. The emulator is a child process; its stdout
 * is read until "ready URL", then left to drain into the pipe's buffer.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int emu_start(emu *e, const char *root, const char *token, bool tls, const char *const *args)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/tend-kube-emu-XXXXXX");
	if (!mkdtemp(e->dir))
		return tend_err("mkdtemp: %s", strerror(errno));
	snprintf(e->kubeconfig, sizeof(e->kubeconfig), "%s/kubeconfig.yaml", e->dir);
	char *script = tend_xasprintf("%s/tests/kube-emulator/emulator.py", root);
	const char *argv[32];
	int n = 0;
	argv[n++] = "/usr/bin/python3";
	argv[n++] = script;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--kubeconfig";
	argv[n++] = e->kubeconfig;
	if (tls)
		argv[n++] = "--tls";
	if (token) {
		argv[n++] = "--token";
		argv[n++] = token;
	}
	for (size_t i = 0; args && args[i] && n < 30; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int pfd[2];
	if (pipe(pfd))
		return tend_err("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		/* Tracebacks from aborted TLS handshakes are expected noise. */
		char *log = tend_xasprintf("%s/emulator.log", e->dir);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
			dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(script);
	close(pfd[1]);
	e->pid = pid;
	char line[512];
	size_t len = 0;
	for (;;) {
		struct pollfd p = {pfd[0], POLLIN, 0};
		if (poll(&p, 1, 20000) <= 0)
			break;
		ssize_t r = read(pfd[0], line + len, sizeof(line) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		line[len] = '\0';
		if (strchr(line, '\n'))
			break;
	}
	close(pfd[0]); /* the emulator prints nothing after "ready" */
	if (strncmp(line, "ready ", 6) != 0 || !strchr(line, '\n')) {
		emu_stop(e);
		return tend_err("emulator did not start");
	}
	*strchr(line, '\n') = '\0';
	snprintf(e->url, sizeof(e->url), "%s", line + 6);
	tend_kube_config *cfg;
	if (tend_kube_config_load(e->kubeconfig, NULL, &cfg)) {
		emu_stop(e);
		return -1;
	}
	tend_kube_options o;
	tend_kube_options_default(&o);
	o.qps = 0;
	o.max_retries = 0;
	int rc = tend_kube_new(cfg, &o, &e->ctl);
	tend_kube_config_free(cfg);
	return rc;
}

void emu_stop(emu *e)
{
	tend_kube_free(e->ctl);
	e->ctl = NULL;
	if (e->pid > 0) {
		kill(e->pid, SIGTERM);
		int st;
		waitpid(e->pid, &st, 0);
		e->pid = 0;
	}
	if (e->dir[0]) {
		char *cmd = tend_xasprintf("rm -rf '%s'", e->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", e->dir);
		free(cmd);
		e->dir[0] = '\0';
	}
}

cJSON *emu_ctl(emu *e, const char *method, const char *path, const char *json)
{
	tend_kube_call c = {0};
	c.method = method;
	c.path = path;
	if (json) {
		c.body = json;
		c.body_len = strlen(json);
		c.content_type = "application/json";
	}
	tend_buf b = TEND_BUF_INIT;
	cJSON *out = NULL;
	if (tend_kube_request_sync(e->ctl, &c, NULL, &b) == 0)
		out = cJSON_Parse(b.data ? b.data : "");
	else
		fprintf(stderr, "emulator control %s %s: %s\n", method, path, tend_err_msg());
	tend_buf_free(&b);
	return out;
}

int emu_reset(emu *e)
{
	cJSON *r = emu_ctl(e, "POST", "/_emulator/reset", "{}");
	cJSON_Delete(r);
	return r ? 0 : -1;
}

int emu_fault(emu *e, const char *json)
{
	cJSON *r = emu_ctl(e, "POST", "/_emulator/faults", json);
	cJSON_Delete(r);
	return r ? 0 : -1;
}

long emu_count(emu *e, const char *verb, const char *resource)
{
	cJSON *s = emu_ctl(e, "GET", "/_emulator/stats", NULL);
	long n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s, "requests"))
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "verb");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "resource");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "count");
		if (cJSON_IsString(v) && strcmp(v->valuestring, verb) == 0 &&
		    (!resource || (cJSON_IsString(r) && strcmp(r->valuestring, resource) == 0)))
			n += (long)c->valuedouble;
	}
	cJSON_Delete(s);
	return n;
}

void emu_stats_reset(emu *e)
{
	cJSON_Delete(emu_ctl(e, "DELETE", "/_emulator/stats", NULL));
}
