/*
 * fuzz_ui_render.c — libFuzzer target for the status page: the input is a
 * status document (JSON of any shape). Rendering the overview (with a few
 * filters and sorts) and every project's page must not crash, and no text
 * from the document may become markup: the only "<script" in a page is the
 * page's own, and no "<img", "<iframe" or "<svg" appears at all.
 */
#include "lib/ui/ui.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_page(const tend_buf *b)
{
	const char *s = strstr(b->data, "<script");
	if (!s || strncmp(s, "<script src=\"/ui/ui.js\"", 23) != 0 || strstr(s + 1, "<script"))
		abort();
	if (strstr(b->data, "<iframe") || strstr(b->data, "<svg"))
		abort();
	/* the header's favicon is the one image */
	const char *img = strstr(b->data, "<img");
	if (img && (strncmp(img, "<img src=\"/ui/favicon.svg\"", 26) != 0 || strstr(img + 1, "<img")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	cJSON *st = cJSON_Parse(text);
	free(text);
	if (!st)
		return 0;
	static const char *const sorts[] = {"name", "status", "health", "revision", "lastSync",
	                                    "objects", "drift", "grants", "bogus"};
	tend_ui_render_opts o = {1795867200000LL, true, 14};
	for (size_t i = 0; i < sizeof(sorts) / sizeof(*sorts); i++) {
		tend_buf b = TEND_BUF_INIT;
		tend_ui_query q = {i % 2 ? "a" : NULL, i % 3 ? NULL : "Failed", NULL, sorts[i], i % 2};
		tend_ui_render_overview(st, &q, &o, &b);
		check_page(&b);
		tend_buf_free(&b);
	}
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(st, "projects"))
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
		tend_buf b = TEND_BUF_INIT;
		tend_ui_render_project(st, cJSON_IsString(name) ? name->valuestring : "x", &o, &b);
		check_page(&b);
		tend_buf_free(&b);
	}
	cJSON_Delete(st);
	return 0;
}
