/*
 * ui_internal.h — what the page files of lib/ui share: the page frame,
 * reading the status document, and formatting times.
 */
#ifndef TEND_UI_INTERNAL_H
#define TEND_UI_INTERNAL_H

#include "ui.h"

/* A string member, or NULL when absent or not a string. */
const char *ui_str(const cJSON *o, const char *key);
/* A number member, or 0. */
double ui_num(const cJSON *o, const char *key);
/* "2026-11-28T12:00:00Z" or "2026-11-28" as epoch ms; 0 when unparsable. */
int64_t ui_parse_time(const char *s);
/* Appends "3m ago" / "in 2d" for an ISO time relative to now, in a <time>
 * element carrying the exact value; "—" for NULL. */
void ui_put_age(tend_buf *out, const char *iso, int64_t now_ms);
/* Appends a coloured badge for a status or health value. */
void ui_put_badge(tend_buf *out, const char *value, const char *label);

/* The shared head, header and footer of every page. */
void ui_page_begin(tend_buf *out, const char *title, const tend_ui_render_opts *o);
void ui_page_end(tend_buf *out, const tend_ui_render_opts *o);

#endif
