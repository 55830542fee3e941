/*
 * file.c — whole-file reads with a size ceiling, so that no input can make
 * tend allocate without bound. A failed read leaves the caller's buffer as
 * it was: nothing to free on an error path.
 */
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Undoes what a failed read appended, so a caller has nothing to free. */
static int read_failed(tend_buf *out, size_t start)
{
	if (start == 0)
		tend_buf_free(out);
	else
		out->len = start, out->data[start] = '\0';
	return -1;
}

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
	/* a regular file says its size: refuse before reading a byte */
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max_bytes) {
		fclose(f);
		return tend_err("%s: file of %jd bytes is larger than the limit of %zu bytes", path,
		                (intmax_t)st.st_size, max_bytes);
	}
	size_t start = out->len;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len - start + n > max_bytes) {
			fclose(f);
			tend_err("%s: file larger than the limit of %zu bytes", path, max_bytes);
			return read_failed(out, start);
		}
		tend_buf_put(out, chunk, n);
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		tend_err("%s: read error", path);
		return read_failed(out, start);
	}
	if (!out->data)
		tend_buf_grow(out, 0), out->data[0] = '\0';
	/* a blob the Git source did not check out (over source.maxFileSize) */
	size_t m = sizeof(TEND_FILE_OVERSIZE_MAGIC) - 1;
	if (out->len - start > m && memcmp(out->data + start, TEND_FILE_OVERSIZE_MAGIC, m) == 0) {
		tend_err("%s: %.*s", path, (int)(out->len - start - m), out->data + start + m);
		return read_failed(out, start);
	}
	return 0;
}

char *tend_path_clean(const char *path)
{
	bool abs = path[0] == '/';
	size_t n = strlen(path);
	char *out = tend_xmalloc(n + 2);
	size_t o = 0, floor = 0; /* out[0..floor) is "../" segments that cannot fold */
	if (abs)
		out[o++] = '/', floor = 1;
	for (const char *p = path; *p;) {
		const char *seg = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - seg);
		while (*p == '/')
			p++;
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (o > floor) { /* drop the last segment */
				while (o > floor && out[o - 1] != '/')
					o--;
				if (o > floor)
					o--;
				else if (abs)
					o = 1;
				continue;
			}
			if (abs)
				continue; /* "/.." is "/" */
			if (o)
				out[o++] = '/';
			memcpy(out + o, "..", 2);
			o += 2;
			floor = o;
			continue;
		}
		if (o && out[o - 1] != '/')
			out[o++] = '/';
		memcpy(out + o, seg, len);
		o += len;
	}
	if (!o)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

char *tend_path_relative(const char *base, const char *path)
{
	char *b = tend_path_clean(base), *p = tend_path_clean(path);
	tend_buf out = TEND_BUF_INIT;
	if (strcmp(b, ".") == 0) {
		tend_buf_puts(&out, p);
	} else {
		/* longest common run of whole segments */
		size_t common = 0, i = 0;
		for (;; i++) {
			bool b_end = b[i] == '\0' || b[i] == '/',
			     p_end = p[i] == '\0' || p[i] == '/';
			if (b_end && p_end)
				common = i;
			if (b[i] == '\0' || p[i] == '\0' || b[i] != p[i])
				break;
		}
		for (const char *s = b + common; *s;) {
			while (*s == '/')
				s++;
			if (!*s)
				break;
			tend_buf_puts(&out, "../");
			while (*s && *s != '/')
				s++;
		}
		const char *rest = p + common;
		while (*rest == '/')
			rest++;
		tend_buf_puts(&out, rest);
		if (out.len && out.data[out.len - 1] == '/')
			out.data[--out.len] = '\0';
		if (!out.len)
			tend_buf_puts(&out, ".");
	}
	free(b);
	free(p);
	return tend_buf_detach(&out);
}

int tend_file_replace(const char *path, const void *data, size_t len)
{
	char *tmp = tend_xasprintf("%s.%d.tmp", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	bool ok = f && fwrite(data, 1, len, f) == len;
	ok = (f && fclose(f) == 0) && ok;
	ok = ok && rename(tmp, path) == 0;
	int err = errno;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : tend_err("%s: %s", path, strerror(err));
}
