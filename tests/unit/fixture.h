/*
 * fixture.h — writing a unit test's files: a file at a path relative to a
 * temporary root, its directories made on the way. Aborts on failure, so a
 * test never runs on a half-written tree.
 */
#ifndef TEND_TEST_FIXTURE_H
#define TEND_TEST_FIXTURE_H

#include "../../lib/util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline void fixture_write(const char *root, const char *rel, const char *text)
{
	char *path = tend_xasprintf("%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) != 0 && errno != EEXIST)
				abort();
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	free(path);
}

#endif
