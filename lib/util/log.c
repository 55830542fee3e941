/*
 * log.c — leveled logging to stderr, as readable text, one timestamped
 * line per entry ("2026-12-05T12:00:00.123Z tend: warning: ...", a
 * message's line breaks written as \n) or as one JSON object per line (time, level, msg and, when
 * known, project, object, revision) for log collectors. The only global mutable state outside
 * explicit contexts: the current level and format.
 *
 * Invariant: one call writes one whole line with one write, so lines from
 * the HTTP thread and the controller thread never interleave.
 */
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum tend_log_level current = TEND_LOG_WARN;
static enum tend_log_format format = TEND_LOG_TEXT;

void tend_log_set_level(enum tend_log_level level)
{
	current = level;
}

void tend_log_set_format(enum tend_log_format f)
{
	format = f;
}

bool tend_log_enabled(enum tend_log_level level)
{
	return level <= current;
}

static void json_string(tend_buf *b, const char *s)
{
	tend_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			tend_buf_putc(b, '\\');
			tend_buf_putc(b, (char)c);
		} else if (c == '\n') {
			tend_buf_puts(b, "\\n");
		} else if (c < 0x20) {
			tend_buf_printf(b, "\\u%04x", c);
		} else {
			tend_buf_putc(b, (char)c);
		}
	}
	tend_buf_putc(b, '"');
}

static void json_field(tend_buf *b, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	tend_buf_printf(b, ",\"%s\":", key);
	json_string(b, value);
}

/* Now, UTC, to the millisecond: "2026-12-05T12:00:00.123Z". */
static void timestamp(char out[40])
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[24];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%03dZ", ts, (int)(tv.tv_usec / 1000) % 1000);
}

static void format_json(tend_buf *line, enum tend_log_level level, const tend_log_ctx *ctx,
                        const char *msg)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	char ts[40];
	timestamp(ts);
	tend_buf_printf(line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", ts, names[level]);
	json_string(line, msg);
	if (ctx) {
		json_field(line, "project", ctx->project);
		json_field(line, "object", ctx->object);
		json_field(line, "revision", ctx->revision);
	}
	tend_buf_puts(line, "}\n");
}

static void format_text(tend_buf *line, enum tend_log_level level, const tend_log_ctx *ctx,
                        const char *msg)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	char ts[40];
	timestamp(ts);
	tend_buf_printf(line, "%s tend: %s: ", ts, names[level]);
	if (ctx && ctx->project && *ctx->project)
		tend_buf_printf(line, "%s: ", ctx->project);
	if (ctx && ctx->object && *ctx->object)
		tend_buf_printf(line, "%s: ", ctx->object);
	/* one entry, one line: a message's own line breaks are written as \n */
	for (const char *p = msg; *p; p++)
		if (*p == '\n')
			tend_buf_puts(line, p[1] ? "\\n" : "");
		else
			tend_buf_putc(line, *p);
	if (ctx && ctx->revision && *ctx->revision)
		tend_buf_printf(line, " (revision %.12s)", ctx->revision);
	tend_buf_putc(line, '\n');
}

void tend_log_vctx(enum tend_log_level level, const tend_log_ctx *ctx, const char *fmt, va_list ap)
{
	if (level > current)
		return;
	tend_buf msg = TEND_BUF_INIT, line = TEND_BUF_INIT;
	tend_buf_vprintf(&msg, fmt, ap);
	if (format == TEND_LOG_JSON)
		format_json(&line, level, ctx, msg.len ? msg.data : "");
	else
		format_text(&line, level, ctx, msg.len ? msg.data : "");
	ssize_t ignored = write(STDERR_FILENO, line.data, line.len);
	(void)ignored;
	tend_buf_free(&msg);
	tend_buf_free(&line);
}

void tend_log_ctx_printf(enum tend_log_level level, const tend_log_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tend_log_vctx(level, ctx, fmt, ap);
	va_end(ap);
}

void tend_log(enum tend_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tend_log_vctx(level, NULL, fmt, ap);
	va_end(ap);
}
