/*
 * parse.c — the strict scalar formats of tend.yaml: durations and
 * percentages. Nothing is guessed: "5 m", "1.5h" or "25" are errors.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int tend_parse_duration(const char *s, int64_t *ms)
{
	int64_t total = 0;
	const char *p = s;
	if (!*p)
		return -1;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		int64_t n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p - '0');
			if (n > 1000000000LL)
				return -1;
			p++;
		}
		int64_t unit;
		if (strncmp(p, "ms", 2) == 0)
			unit = 1, p += 2;
		else if (*p == 'h')
			unit = 3600000, p++;
		else if (*p == 'm')
			unit = 60000, p++;
		else if (*p == 's')
			unit = 1000, p++;
		else
			return -1;
		total += n * unit;
	}
	*ms = total;
	return 0;
}

int tend_parse_percent(const char *s, int *percent)
{
	size_t n = strlen(s);
	if (n < 2 || s[n - 1] != '%')
		return -1;
	int v = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (!isdigit((unsigned char)s[i]) || i > 2)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 100)
		return -1;
	*percent = v;
	return 0;
}
