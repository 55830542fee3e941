/*
 * fuzz_quantity.c — libFuzzer target for Kubernetes quantities: the input
 * is two strings split at the first newline. Anything that reads as a
 * quantity compares equal to itself, and comparison is antisymmetric.
 */
#include "lib/guard/guard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char *b = strchr(text, '\n');
	if (b)
		*b++ = '\0';
	else
		b = text;
	long double va, vb;
	int a_ok = tend_quantity_value(text, &va) == 0;
	int b_ok = tend_quantity_value(b, &vb) == 0;
	int ab, ba, aa;
	if (a_ok && (tend_quantity_cmp(text, text, &aa) != 0 || aa != 0))
		abort();
	if (a_ok && b_ok) {
		if (tend_quantity_cmp(text, b, &ab) != 0 || tend_quantity_cmp(b, text, &ba) != 0)
			abort();
		if ((ab > 0) != (ba < 0) || (ab == 0) != (ba == 0))
			abort();
	} else if (tend_quantity_cmp(text, b, &ab) == 0) {
		abort(); /* a non-quantity cannot compare */
	}
	free(text);
	return 0;
}
