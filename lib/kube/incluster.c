/*
 * incluster.c — the configuration of a pod: the API server from
 * KUBERNETES_SERVICE_HOST/PORT, the service account's CA and token from the
 * projected volume. The token is configured as a token *file*, so the
 * transport re-reads it every minute and after a 401 (bound tokens rotate;
 * the kubelet replaces the file at 80% of its lifetime).
 */
#include "kube_internal.h"

#include <stdlib.h>
#include <string.h>

#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

int tend_kube_config_in_cluster(const char *sa_dir, tend_kube_config **out)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	if (!host || !*host || !port || !*port)
		return tend_err(
		    "in-cluster: unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST "
		    "and KUBERNETES_SERVICE_PORT must be defined");
	if (!sa_dir)
		sa_dir = SA_DIR;
	tend_kube_config *c = tend_xcalloc(1, sizeof(*c));
	bool v6 = strchr(host, ':') != NULL;
	c->server = tend_xasprintf("https://%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
	c->origin = tend_xstrdup("in-cluster");
	c->context = tend_xstrdup("in-cluster");
	c->token_file = tend_xasprintf("%s/token", sa_dir);
	c->ca_file = tend_xasprintf("%s/ca.crt", sa_dir);
	tend_buf b = TEND_BUF_INIT;
	if (tend_file_read(c->token_file, 64 * 1024, &b)) {
		tend_err_prefix("in-cluster: service account token: ");
		goto fail;
	}
	tend_buf_reset(&b);
	if (tend_file_read(c->ca_file, 1u << 20, &b)) {
		tend_err_prefix("in-cluster: service account CA: ");
		goto fail;
	}
	c->ca_len = b.len;
	c->ca_data = tend_buf_detach(&b);
	const char *ns = getenv("POD_NAMESPACE");
	if (ns && *ns) {
		c->namespace = tend_xstrdup(ns);
	} else {
		char *p = tend_xasprintf("%s/namespace", sa_dir);
		if (tend_file_read(p, 4096, &b) == 0 && b.len) {
			while (b.len && strchr(" \t\r\n", b.data[b.len - 1]))
				b.data[--b.len] = '\0';
			c->namespace = tend_buf_detach(&b);
		}
		free(p);
		if (!c->namespace)
			c->namespace = tend_xstrdup("default");
	}
	tend_buf_free(&b);
	*out = c;
	return 0;
fail:
	tend_buf_free(&b);
	tend_kube_config_free(c);
	return -1;
}
