/*
 * webhook.c — authenticating Git webhook deliveries: GitHub's
 * X-Hub-Signature-256 (HMAC-SHA256 of the raw body) and GitLab's
 * X-Gitlab-Token (a shared secret).
 *
 * Invariant: secrets are compared in constant time (CRYPTO_memcmp over
 * fixed-size digests), so response timing reveals nothing about how much
 * of a guess was right, not even its length.
 */
#include "serve.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <string.h>

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool tend_webhook_github_valid(const char *secret, size_t secret_len, const char *body,
                               size_t body_len, const char *header)
{
	static const char prefix[] = "sha256=";
	if (!secret || !secret_len || !header || strncmp(header, prefix, sizeof(prefix) - 1) != 0)
		return false;
	const char *hex = header + sizeof(prefix) - 1;
	if (strlen(hex) != 2 * SHA256_DIGEST_LENGTH)
		return false;
	unsigned char given[SHA256_DIGEST_LENGTH];
	for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		given[i] = (unsigned char)(hi << 4 | lo);
	}
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned int want_len = 0;
	if (!HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)body, body_len,
	          want, &want_len) ||
	    want_len != SHA256_DIGEST_LENGTH)
		return false;
	return CRYPTO_memcmp(given, want, SHA256_DIGEST_LENGTH) == 0;
}

bool tend_webhook_gitlab_valid(const char *secret, size_t secret_len, const char *header)
{
	if (!secret || !secret_len || !header)
		return false;
	/* Digests of both sides: equal length, so the comparison time is fixed. */
	unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)secret, secret_len, a);
	SHA256((const unsigned char *)header, strlen(header), b);
	return CRYPTO_memcmp(a, b, sizeof(a)) == 0;
}
