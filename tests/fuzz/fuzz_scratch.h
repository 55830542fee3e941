/*
 * fuzz_scratch.h — a scratch directory per fuzz process and a helper that
 * writes one file in it, for targets whose parser reads files.
 */
#ifndef TEND_FUZZ_SCRATCH_H
#define TEND_FUZZ_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *fuzz_scratch_dir(void)
{
	static char dir_template[] = "/tmp/tend-fuzz-XXXXXX";
	static const char *dir;
	if (!dir && !(dir = mkdtemp(dir_template)))
		abort();
	return dir;
}

/* Writes data to <scratch>/rel, making the directories on the way. */
static void fuzz_scratch_put(const char *rel, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", fuzz_scratch_dir(), rel);
	for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

#endif
