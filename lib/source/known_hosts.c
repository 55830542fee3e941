/*
 * known_hosts.c — checking an ssh host key against an OpenSSH known_hosts
 * file: plain and hashed (|1|salt|hmac) host patterns, comma lists,
 * "[host]:port" for non-standard ports, negations ("!host") and the
 * @revoked marker. Any mismatch is a refusal; tend never adds keys.
 */
#include "source_internal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t b64_decode(const char *in, unsigned char *out, size_t cap)
{
	size_t n = strlen(in);
	if (n % 4 != 0 || n / 4 * 3 > cap)
		return 0;
	int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (len < 0)
		return 0;
	while (n > 0 && in[n - 1] == '=')
		n--, len--;
	return (size_t)len;
}

static bool hashed_match(const char *pattern, const char *name)
{
	/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)) */
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", pattern + 3);
	char *bar = strchr(buf, '|');
	if (!bar)
		return false;
	*bar = '\0';
	unsigned char salt[64], want[64], got[EVP_MAX_MD_SIZE];
	size_t salt_len = b64_decode(buf, salt, sizeof(salt));
	size_t want_len = b64_decode(bar + 1, want, sizeof(want));
	unsigned int got_len = 0;
	if (!salt_len || want_len != 20)
		return false;
	HMAC(EVP_sha1(), salt, (int)salt_len, (const unsigned char *)name, strlen(name), got,
	     &got_len);
	return got_len == 20 && memcmp(got, want, 20) == 0;
}

/* OpenSSH host patterns: '*' and '?' wildcards only ('[' is literal). */
/* OpenSSH's `*` and `?` patterns, iteratively: linear in practice, no recursion. */
static bool wildcard_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* 1 match, -1 negated match, 0 no match */
static int hosts_match(char *patterns, const char *name)
{
	int result = 0;
	for (char *save = NULL, *p = strtok_r(patterns, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		bool neg = p[0] == '!';
		if (neg)
			p++;
		bool m = strncmp(p, "|1|", 3) == 0 ? hashed_match(p, name) : wildcard_match(p, name);
		if (m && neg)
			return -1;
		if (m)
			result = 1;
	}
	return result;
}

int src_known_hosts_check(const char *file, const char *host, int port, const unsigned char *key,
			  size_t key_len, char *reason, size_t reason_len)
{
	char name[300];
	if (port == 22)
		snprintf(name, sizeof(name), "%s", host);
	else
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(reason, reason_len, "cannot read known_hosts file %s", file);
		return -1;
	}
	char line[16384];
	int verdict = 0;
	unsigned char blob[8192];
	while (fgets(line, sizeof(line), f)) {
		char *fields[4] = {0};
		int nf = 0;
		for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t && nf < 4;
		     t = strtok_r(NULL, " \t\r\n", &save))
			fields[nf++] = t;
		if (nf < 3 || fields[0][0] == '#')
			continue;
		bool revoked = false;
		int at = 0;
		if (fields[0][0] == '@') {
			if (strcmp(fields[0], "@revoked") != 0 || nf < 4)
				continue; /* @cert-authority: certificates are not supported */
			revoked = true;
			at = 1;
		}
		if (hosts_match(fields[at], name) != 1)
			continue;
		size_t n = b64_decode(fields[at + 2], blob, sizeof(blob));
		bool same = n == key_len && memcmp(blob, key, n) == 0;
		if (revoked && same) {
			snprintf(reason, reason_len, "host key of %s is marked @revoked in %s", name, file);
			verdict = -1;
			break;
		}
		if (revoked)
			continue;
		if (same) {
			verdict = 1;
			continue;
		}
		if (verdict == 0) {
			snprintf(reason, reason_len,
				 "host key of %s does not match %s (possible man-in-the-middle, or the "
				 "server's key changed)",
				 name, file);
			verdict = -2;
		}
	}
	fclose(f);
	if (verdict == -2)
		return -1;
	if (verdict == 0)
		snprintf(reason, reason_len, "host %s is not in known_hosts file %s", name, file);
	return verdict;
}
