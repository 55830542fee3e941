/*
 * fuzz_webhook.c — libFuzzer target for webhook authentication: the input
 * is a signature header and a body split at the first newline. A header
 * that verifies must be "sha256=" and the HMAC of the body under the
 * secret, so accepting anything else (or a GitLab token other than the
 * secret) aborts.
 */
#include "lib/serve/serve.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SECRET[] = "fuzz-secret";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char *body = strchr(text, '\n');
	if (body)
		*body++ = '\0';
	else
		body = text + size;
	size_t body_len = size - (size_t)(body - text);
	bool ok = tend_webhook_github_valid(SECRET, strlen(SECRET), body, body_len, text);
	if (ok) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned int n = 0;
		HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body, body_len,
		     mac, &n);
		char want[7 + 64 + 1] = "sha256=";
		for (unsigned i = 0; i < n; i++)
			snprintf(want + 7 + 2 * i, 3, "%02x", mac[i]);
		if (strcasecmp(want, text) != 0)
			abort();
	}
	if (tend_webhook_gitlab_valid(SECRET, strlen(SECRET), text) && strcmp(text, SECRET) != 0)
		abort();
	free(text);
	return 0;
}
