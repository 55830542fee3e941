/*
 * credentials.c — libgit2 callbacks: credentials from files (read at the
 * moment they are needed, never logged) and host identity checks.
 * Invariant: each fetch offers credentials once; a server that asks again
 * has refused them, and the fetch fails with "authentication failed"
 * instead of looping.
 */
#include "source_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_secret(const char *path)
{
	tend_buf b = TEND_BUF_INIT;
	if (tend_file_read(path, 64 * 1024, &b)) {
		tend_buf_free(&b);
		return NULL;
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	return tend_buf_detach(&b);
}

int src_credentials_cb(git_credential **out, const char *url, const char *user_from_url,
		       unsigned int allowed, void *payload)
{
	(void)url;
	src_callbacks *cb = payload;
	const tend_source_auth *a = cb->auth;
	if (++cb->attempts > 1) {
		snprintf(cb->reason, sizeof(cb->reason), "authentication failed: the server refused "
							 "the configured credentials");
		return GIT_EAUTH;
	}
	const char *user = a->username ? a->username : user_from_url;
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && a->ssh_key_file)
		return git_credential_ssh_key_new(out, user ? user : "git", NULL, a->ssh_key_file,
						  NULL);
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && (a->token_file || a->password_file)) {
		const char *file = a->token_file ? a->token_file : a->password_file;
		char *secret = read_secret(file);
		if (!secret) {
			snprintf(cb->reason, sizeof(cb->reason), "cannot read credentials file %s",
				 file);
			return GIT_EAUTH;
		}
		int rc = git_credential_userpass_plaintext_new(out, user ? user : "tend", secret);
		memset(secret, 0, strlen(secret));
		free(secret);
		return rc;
	}
	snprintf(cb->reason, sizeof(cb->reason),
		 "the server asks for credentials and none are configured for this transport "
		 "(source.auth)");
	return GIT_EAUTH;
}

int src_certificate_cb(git_cert *cert, int valid, const char *host, void *payload)
{
	src_callbacks *cb = payload;
	(void)host;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
		return valid ? 0 : GIT_PASSTHROUGH;
	if (cb->auth->insecure_ignore_host_key)
		return 0;
	const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
	if (!cb->auth->known_hosts_file) {
		snprintf(cb->reason, sizeof(cb->reason),
			 "ssh host %s cannot be verified: set source.auth.knownHostsFile", cb->host);
		return GIT_ECERTIFICATE;
	}
	if (!(hk->type & GIT_CERT_SSH_RAW)) {
		snprintf(cb->reason, sizeof(cb->reason), "ssh host key of %s not available",
			 cb->host);
		return GIT_ECERTIFICATE;
	}
	int v = src_known_hosts_check(cb->auth->known_hosts_file, cb->host, cb->port,
				      (const unsigned char *)hk->hostkey, hk->hostkey_len,
				      cb->reason, sizeof(cb->reason));
	return v == 1 ? 0 : GIT_ECERTIFICATE;
}
