/*
 * fuzz_image_ref.c — libFuzzer target for image references: the input is
 * split as kustomize's image.Split splits it, and rewritten by an `images`
 * entry whose name is the split name with regex metacharacters escaped.
 * The parts must lie inside the input, in order, and such an entry must
 * match every reference that has no tag characters outside [a-zA-Z0-9_.{}-].
 */
#include "lib/kustomize/kustomize_internal.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *escape_regex(const char *s)
{
	tend_buf b = TEND_BUF_INIT;
	for (; *s; s++) {
		if (strchr("\\^$.|?*+()[]{}", *s))
			tend_buf_putc(&b, '\\');
		tend_buf_putc(&b, *s);
	}
	return tend_buf_detach(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ref = tend_xstrndup((const char *)data, size);
	char *name, *tag, *digest;
	kz_image_split(ref, &name, &tag, &digest);
	size_t n = strlen(name);
	assert(strncmp(ref, name, n) == 0);
	assert(n + strlen(tag) + strlen(digest) <= strlen(ref));
	assert(!*tag || strstr(ref + n, tag));
	assert(!*digest || strcmp(ref + strlen(ref) - strlen(digest), digest) == 0);

	char *pattern = escape_regex(name);
	char *full =
	    tend_xasprintf("^%s(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$", pattern);
	kz_image img = {name, "registry.example:5000/mirror", "v1", "", "", kz_regex_new(full)};
	if (img.match) {
		char *out = kz_image_rewrite(&img, ref);
		if (out)
			assert(strncmp(out, "registry.example:5000/mirror:v1", 31) == 0);
		free(out);
		kz_regex_free(img.match);
	}
	free(full);
	free(pattern);
	free(name);
	free(tag);
	free(digest);
	free(ref);
	return 0;
}
