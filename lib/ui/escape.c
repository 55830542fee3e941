/*
 * escape.c — text into HTML and URLs. Everything the page shows passes
 * through here: project names, errors and diffs come from users' commits
 * and the API server.
 *
 * Invariant: the output of tend_ui_escape never contains < > & " ' as
 * markup, so it is safe in element text and in quoted attribute values.
 */
#include "ui.h"

#include <string.h>

void tend_ui_escape(tend_buf *out, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			tend_buf_puts(out, "&amp;");
			break;
		case '<':
			tend_buf_puts(out, "&lt;");
			break;
		case '>':
			tend_buf_puts(out, "&gt;");
			break;
		case '"':
			tend_buf_puts(out, "&quot;");
			break;
		case '\'':
			tend_buf_puts(out, "&#39;");
			break;
		default:
			tend_buf_putc(out, *s);
		}
	}
}

void tend_ui_escape_url(tend_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			tend_buf_putc(out, (char)*p);
		} else {
			tend_buf_putc(out, '%');
			tend_buf_putc(out, hex[*p >> 4]);
			tend_buf_putc(out, hex[*p & 15]);
		}
	}
}
