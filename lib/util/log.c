/*
 * log.c — leveled logging to stderr. The only global mutable state outside
 * explicit contexts: the current level.
 */
#include "util.h"

#include <stdio.h>

static enum tend_log_level current = TEND_LOG_WARN;

void tend_log_set_level(enum tend_log_level level)
{
	current = level;
}

void tend_log(enum tend_log_level level, const char *fmt, ...)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	if (level > current)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "tend: %s: ", names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
