/*
 * err.c — the calling thread's last error, libgit2 style: a failing function
 * sets a message and returns -1; each caller up the stack may prepend
 * context (file, project) before returning -1 itself.
 */
#include "util.h"

#include <stdio.h>
#include <string.h>

#define ERR_MAX 4096

static _Thread_local char last[ERR_MAX];

int tend_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last, sizeof(last), fmt, ap);
	va_end(ap);
	return -1;
}

int tend_err_prefix(const char *fmt, ...)
{
	char prefix[ERR_MAX];
	char old[ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last, sizeof(old));
	size_t n = strlen(prefix);
	if (n >= sizeof(last))
		n = sizeof(last) - 1;
	memcpy(last, prefix, n);
	size_t rest = strlen(old);
	if (rest > sizeof(last) - 1 - n)
		rest = sizeof(last) - 1 - n;
	memcpy(last + n, old, rest);
	last[n + rest] = '\0';
	return -1;
}

const char *tend_err_msg(void)
{
	return last[0] ? last : "unknown error";
}

void tend_err_clear(void)
{
	last[0] = '\0';
}
