/*
 * page.c — the frame around every page (head with the embedded stylesheet,
 * script and favicon, header, footer) and the small formatting helpers the
 * pages share: badges, ages, reading members of the status document.
 *
 * Invariant: every value from the document is written through
 * tend_ui_escape; the only markup written raw is literal text in this file.
 */
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *ui_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double ui_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

int64_t ui_parse_time(const char *s)
{
	struct tm tm = {0};
	if (!s)
		return 0;
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return 0;
	return (int64_t)timegm(&tm) * 1000;
}

static void put_span(tend_buf *out, int64_t ms)
{
	int64_t s = ms / 1000;
	if (s < 60)
		tend_buf_printf(out, "%llds", (long long)s);
	else if (s < 3600)
		tend_buf_printf(out, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		tend_buf_printf(out, "%lldh", (long long)(s / 3600));
	else
		tend_buf_printf(out, "%lldd", (long long)(s / 86400));
}

void ui_put_age(tend_buf *out, const char *iso, int64_t now_ms)
{
	int64_t t = ui_parse_time(iso);
	if (!t) {
		tend_buf_puts(out, "—");
		return;
	}
	tend_buf_puts(out, "<time datetime=\"");
	tend_ui_escape(out, iso);
	tend_buf_puts(out, "\" title=\"");
	tend_ui_escape(out, iso);
	tend_buf_puts(out, "\">");
	if (t <= now_ms) {
		put_span(out, now_ms - t);
		tend_buf_puts(out, " ago");
	} else {
		tend_buf_puts(out, "in ");
		put_span(out, t - now_ms);
	}
	tend_buf_puts(out, "</time>");
}

/* Only known values become class names; anything else is "other". */
static const char *badge_class(const char *v)
{
	static const char *const known[] = {"Synced",   "OutOfSync", "Failed",       "Blocked",
	                                    "Pending",  "Healthy",   "Progressing",  "Missing",
	                                    "Degraded", "Unknown",   "PruneBlocked", NULL};
	for (int i = 0; v && known[i]; i++)
		if (strcmp(v, known[i]) == 0)
			return known[i];
	return "other";
}

void ui_put_badge(tend_buf *out, const char *value, const char *label)
{
	tend_buf_printf(out, "<span class=\"badge b-%s\">", badge_class(value));
	tend_ui_escape(out, label ? label : value ? value : "—");
	tend_buf_puts(out, "</span>");
}

void ui_page_begin(tend_buf *out, const char *title, const tend_ui_render_opts *o)
{
	tend_buf_puts(out,
	              "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	              "<title>");
	tend_ui_escape(out, title);
	tend_buf_puts(out, " · tend</title>"
	                   "<link rel=\"icon\" href=\"/ui/favicon.svg\" type=\"image/svg+xml\">"
	                   "<link rel=\"stylesheet\" href=\"/ui/ui.css\">"
	                   "<script src=\"/ui/ui.js\" defer></script></head>\n");
	tend_buf_printf(out,
	                "<body data-actions=\"%s\"><header class=\"top\">"
	                "<a class=\"brand\" href=\"/\"><img src=\"/ui/favicon.svg\" alt=\"\" "
	                "width=\"20\" height=\"20\"> tend</a>",
	                o->allow_actions ? "on" : "off");
	if (o->allow_actions)
		tend_buf_puts(out,
		              "<details class=\"token\" hidden data-js><summary>Actions</summary>"
		              "<form id=\"token-form\"><label>Action token "
		              "<input type=\"password\" id=\"token\" autocomplete=\"off\"></label> "
		              "<button type=\"submit\">Keep for this tab</button> "
		              "<button type=\"button\" id=\"token-forget\">Forget</button>"
		              "</form><p class=\"hint\">Kept in this tab's sessionStorage only; "
		              "sent as a bearer token with each action.</p></details>");
	tend_buf_puts(out,
	              "<span id=\"live\" class=\"live\" aria-live=\"polite\"></span></header>\n"
	              "<main id=\"main\">\n");
}

void ui_page_end(tend_buf *out, const tend_ui_render_opts *o)
{
	time_t t = (time_t)(o->now_ms / 1000);
	struct tm tm;
	char when[32];
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	tend_buf_printf(out,
	                "</main>\n<footer>Rendered %s · <a href=\"/api/v1/status\">status "
	                "JSON</a> · <a href=\"/metrics\">metrics</a></footer></body></html>\n",
	                when);
}
