/*
 * file.c — whole-file reads with a size ceiling, so that no input can make
 * tend allocate without bound.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int tend_file_read(const char *path, size_t max_bytes, tend_buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return tend_err("%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return tend_err("%s: is a directory", path);
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > max_bytes) {
			fclose(f);
			return tend_err("%s: file larger than the limit of %zu bytes",
					path, max_bytes);
		}
		tend_buf_put(out, chunk, n);
	}
	int failed = ferror(f);
	fclose(f);
	if (failed)
		return tend_err("%s: read error", path);
	if (!out->data)
		tend_buf_grow(out, 0), out->data[0] = '\0';
	return 0;
}
