/*
 * credentials.c — which bearer token a request carries, and when to fetch
 * a fresh one.
 *
 * Bound service-account tokens rotate, so a tokenFile is re-read every
 * token_refresh_s (60 s, as client-go's cachingTokenSource) and after any
 * 401. An exec plugin's credential is cached until its expirationTimestamp
 * (or a 401). A 401 is retried once only when the credential changed.
 */
#include "kube_internal.h"

#include <stdlib.h>
#include <string.h>

static int read_token_file(tend_kube *k)
{
	tend_buf b = TEND_BUF_INIT;
	if (tend_file_read(k->cfg->token_file, 64 * 1024, &b)) {
		tend_buf_free(&b);
		return tend_err_prefix("%s: tokenFile: ", k->cfg->origin);
	}
	/* Trailing whitespace (a newline from `echo`) is not part of a token. */
	while (b.len && strchr(" \t\r\n", b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	free(k->creds.file_token);
	k->creds.file_token = tend_buf_detach(&b);
	k->creds.file_read_ms = kube_now_ms();
	k->creds.file_stale = false;
	return 0;
}

int kube_creds_token(tend_kube *k, const char **token)
{
	const tend_kube_config *cfg = k->cfg;
	kube_creds *c = &k->creds;
	*token = NULL;
	if (cfg->exec) {
		int64_t now = kube_now_ms();
		if (c->exec_valid && c->exec.expires_ms && c->exec.expires_ms - 10000 <= now)
			c->exec_valid = false;
		if (!c->exec_valid) {
			kube_exec_cred_clear(&c->exec);
			if (kube_exec_run(cfg, &c->exec))
				return -1;
			c->exec_valid = true;
		}
		*token = c->exec.token;
		return 0;
	}
	if (cfg->token_file) {
		int64_t age = kube_now_ms() - c->file_read_ms;
		if (!c->file_token || c->file_stale ||
		    age >= (int64_t)k->opt.token_refresh_s * 1000) {
			if (read_token_file(k)) {
				if (!c->file_token)
					return -1;
				/* Keep using the last token while the file is being replaced. */
				tend_log(TEND_LOG_WARN, "%s", tend_err_msg());
			}
		}
		*token = c->file_token;
		return 0;
	}
	*token = cfg->token;
	return 0;
}

bool kube_creds_invalidate(tend_kube *k, const char *used)
{
	const tend_kube_config *cfg = k->cfg;
	kube_creds *c = &k->creds;
	if (cfg->exec) {
		/* The plugin may hand out a fresh credential; ask it once. */
		c->exec_valid = false;
		kube_exec_cred_clear(&c->exec);
		if (kube_exec_run(cfg, &c->exec))
			return false;
		c->exec_valid = true;
		return !c->exec.token || !used || strcmp(c->exec.token, used) != 0 ||
		       c->exec.cert != NULL;
	}
	if (cfg->token_file) {
		if (read_token_file(k)) {
			c->file_stale = true;
			return false;
		}
		bool changed = !used || strcmp(c->file_token, used) != 0;
		/* Unchanged: the kubelet may be about to rotate it; read again
		 * before the next request rather than a minute from now. */
		c->file_stale = !changed;
		return changed;
	}
	return false;
}

void kube_creds_free(kube_creds *c)
{
	free(c->file_token);
	kube_exec_cred_clear(&c->exec);
	memset(c, 0, sizeof(*c));
}
