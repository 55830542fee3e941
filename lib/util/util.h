/*
 * util.h — the small shared pieces every tend module uses: growable byte
 * buffers, string vectors, the thread-local last error, and logging.
 *
 * Ownership: a tend_buf/tend_strvec owns its memory until *_free; functions
 * that return `char *` return memory the caller frees with free().
 * Errors: functions return 0 on success and -1 on failure, after setting the
 * calling thread's last error (tend_err_msg()).
 */
#ifndef TEND_UTIL_H
#define TEND_UTIL_H

#include <stdarg.h>
#include <time.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- growable byte buffer (always NUL-terminated when len > 0) ---- */
typedef struct tend_buf {
	char *data;
	size_t len;
	size_t cap;
} tend_buf;

#define TEND_BUF_INIT {NULL, 0, 0}

void tend_buf_free(tend_buf *b);
void tend_buf_reset(tend_buf *b);
void tend_buf_grow(tend_buf *b, size_t extra);
void tend_buf_put(tend_buf *b, const void *data, size_t len);
void tend_buf_puts(tend_buf *b, const char *s);
void tend_buf_putc(tend_buf *b, char c);
void tend_buf_printf(tend_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tend_buf_vprintf(tend_buf *b, const char *fmt, va_list ap);
/* Hands the contents to the caller (never NULL, no larger than len + 1
 * bytes) and empties the buffer. */
char *tend_buf_detach(tend_buf *b);

/* ---- string vector ---- */
typedef struct tend_strvec {
	char **items;
	size_t len;
	size_t cap;
} tend_strvec;

#define TEND_STRVEC_INIT {NULL, 0, 0}

void tend_strvec_push(tend_strvec *v, const char *s); /* copies s */
void tend_strvec_free(tend_strvec *v);

/* ---- string set (open addressing; keys copied) ---- */
typedef struct tend_strset {
	char **slots;
	size_t len;
	size_t cap;
} tend_strset;

#define TEND_STRSET_INIT {NULL, 0, 0}

/* Adds s; returns false if it was already present. */
bool tend_strset_add(tend_strset *set, const char *s);
bool tend_strset_has(const tend_strset *set, const char *s);
void tend_strset_free(tend_strset *set);

/* ---- interned strings: equal text stored once, reference-counted (intern.c) ---- */
typedef struct tend_intern tend_intern;

tend_intern *tend_intern_new(void);
/* Frees the pool and every string in it; NULL ok. */
void tend_intern_free(tend_intern *t);
/* The pool's copy of s, one reference more: valid until released as often
 * as it was added. Owned by the pool (never free it). */
const char *tend_intern_add(tend_intern *t, const char *s);
/* Drops one reference to a string tend_intern_add returned; NULL ok. */
void tend_intern_release(tend_intern *t, const char *s);
size_t tend_intern_len(const tend_intern *t);   /* distinct strings held */
size_t tend_intern_bytes(const tend_intern *t); /* their text, NULs included */

/* ---- memory: allocation failure is fatal (logged, abort) ---- */
void *tend_xmalloc(size_t n);
void *tend_xcalloc(size_t n, size_t size);
void *tend_xrealloc(void *p, size_t n);
char *tend_xstrdup(const char *s);
char *tend_xstrndup(const char *s, size_t n);
char *tend_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the last error of this thread ---- */
/* Sets the message; always returns -1 so callers can `return tend_err(...)`. */
int tend_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prepends context ("file.yaml: ") to the current message; returns -1. */
int tend_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *tend_err_msg(void);
void tend_err_clear(void);

/* ---- files ---- */
/* Appends a whole file to out; refuses files larger than max_bytes (a regular
 * file before reading it). On failure out is left as it was. */
int tend_file_read(const char *path, size_t max_bytes, tend_buf *out);
/* Replaces path with len bytes of data whole: written beside it, then
 * renamed over it, so a reader sees the old file or the new, never half. */
int tend_file_replace(const char *path, const void *data, size_t len);
/* What the Git source writes in place of a blob over source.maxFileSize,
 * followed by the reason; tend_file_read fails with that reason. */
#define TEND_FILE_OVERSIZE_MAGIC "\0tend-oversize\0"
/* Lexically cleaned path, as Go's path.Clean: no "." segments, "x/.." folded,
 * no doubled or trailing '/'; "" becomes ".". Caller frees. */
char *tend_path_clean(const char *path);
/* `path` relative to the directory `base` (both cleaned first; both relative or
 * both absolute), with "../" where it lies outside. Caller frees. */
char *tend_path_relative(const char *base, const char *path);

/* The one of `candidates` (NULL-terminated) closest to the misspelt `word`,
 * for "did you mean": NULL when none is close (1 edit for words under 4
 * characters, 2 under 9, else 3) or word is one of them. Borrowed. */
const char *tend_suggest(const char *word, const char *const *candidates);

/* ---- logging (stderr) ---- */
enum tend_log_level { TEND_LOG_ERROR, TEND_LOG_WARN, TEND_LOG_INFO, TEND_LOG_DEBUG };
void tend_log_set_level(enum tend_log_level level);
void tend_log(enum tend_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool tend_log_enabled(enum tend_log_level level);
/* Text ("tend: warning: ...") or one JSON object per line. */
enum tend_log_format { TEND_LOG_TEXT, TEND_LOG_JSON };
void tend_log_set_format(enum tend_log_format f);
/* What a line is about; any field may be NULL. Never put secrets here. */
typedef struct tend_log_ctx {
	const char *project;
	const char *object;   /* "Kind/namespace/name" */
	const char *revision; /* a commit sha */
} tend_log_ctx;
void tend_log_ctx_printf(enum tend_log_level level, const tend_log_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tend_log_vctx(enum tend_log_level level, const tend_log_ctx *ctx, const char *fmt,
		   va_list ap);

/* Time (timefmt.c): t as RFC 3339 UTC to the second, "2026-12-06T05:20:29Z". */
#define TEND_RFC3339_LEN 32
void tend_rfc3339(char out[TEND_RFC3339_LEN], time_t t);

#endif
