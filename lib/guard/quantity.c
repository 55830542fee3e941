/*
 * quantity.c — comparing Kubernetes resource quantities: the grammar of
 * apimachinery's resource.Quantity (sign, digits, fraction, then a binary
 * Ki..Ei, decimal n..E, or e<N> exponent suffix), evaluated as long double.
 * Quota ceilings need order, not canonical spelling, and long double keeps
 * every quantity a quota can hold exact enough to order correctly.
 */
#include "guard.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int tend_quantity_value(const char *s, long double *out)
{
	const char *p = s;
	int sign = 1;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	long double v = 0, scale = 1;
	bool digits = false, dot = false;
	for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
		if (*p == '.') {
			if (dot)
				return -1;
			dot = true;
			continue;
		}
		digits = true;
		if (dot)
			scale /= 10;
		v = dot ? v + (*p - '0') * scale : v * 10 + (*p - '0');
	}
	if (!digits)
		return -1;
	static const struct {
		const char *suffix;
		long double mult;
	} suffixes[] = {{"Ki", 1024.0L}, {"Mi", 1048576.0L}, {"Gi", 1073741824.0L},
			{"Ti", 1099511627776.0L}, {"Pi", 1125899906842624.0L},
			{"Ei", 1152921504606846976.0L}, {"n", 1e-9L}, {"u", 1e-6L}, {"m", 1e-3L},
			{"", 1}, {"k", 1e3L}, {"M", 1e6L}, {"G", 1e9L}, {"T", 1e12L},
			{"P", 1e15L}, {"E", 1e18L}};
	if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
					 ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
		char *end;
		long e = strtol(p + 1, &end, 10);
		if (*end || e > 18 || e < -9)
			return -1;
		*out = sign * v * powl(10.0L, (long double)e);
		return 0;
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++)
		if (strcmp(p, suffixes[i].suffix) == 0) {
			*out = sign * v * suffixes[i].mult;
			return 0;
		}
	return -1;
}

int tend_quantity_cmp(const char *a, const char *b, int *cmp)
{
	long double x, y;
	if (tend_quantity_value(a, &x) || tend_quantity_value(b, &y))
		return -1;
	*cmp = x < y ? -1 : x > y ? 1 : 0;
	return 0;
}
