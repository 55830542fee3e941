/*
 * test_util.c — lib/util pieces users see: "did you mean" suggestions and
 * the text log's shape (timestamped, one line per entry), text handed out
 * of buffers without their slack, and interned text.
 */
#include "test.h"

#include "../../lib/util/util.h"

#include <malloc.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const FIELDS[] = {"resources", "components", "patches", "namespace", NULL};
static const char *const ADDONS[] = {"gpu-a100", "gpu-h100", "gpu-v100", "gpu-t4", NULL};

TEST(suggest_near_misses)
{
	CHECK_STR("resources", tend_suggest("resorces", FIELDS));
	CHECK_STR("components", tend_suggest("compnents", FIELDS));
	CHECK_STR("patches", tend_suggest("pacthes", FIELDS)); /* a swap is one edit */
	CHECK_STR("gpu-v100", tend_suggest("gpu-v10", ADDONS));
	CHECK_STR("gpu-t4", tend_suggest("gpu-t5", ADDONS));
}

TEST(suggest_nothing_when_far_or_exact)
{
	CHECK(tend_suggest("images", FIELDS) == NULL);
	CHECK(tend_suggest("resources", FIELDS) == NULL);
	CHECK(tend_suggest("", FIELDS) == NULL);
	CHECK(tend_suggest("x", NULL) == NULL);
}

/* What one tend_log call writes on stderr, in text format. */
static char *text_log(const char *msg)
{
	fflush(stderr);
	FILE *tmp = tmpfile();
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	tend_log_set_format(TEND_LOG_TEXT);
	tend_log_set_level(TEND_LOG_INFO);
	tend_log_ctx ctx = {.project = "genomics"};
	tend_log_ctx_printf(TEND_LOG_WARN, &ctx, "%s", msg);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	char *out = calloc(1, 4096);
	size_t n = fread(out, 1, 4095, tmp);
	out[n] = 0;
	fclose(tmp);
	return out;
}

TEST(text_log_is_one_timestamped_line)
{
	char *out = text_log("render failed:\nline two\nline three\n");
	regex_t re;
	regcomp(&re,
	        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z tend: "
	        "warning: genomics: render failed:\\\\nline two\\\\nline three\n$",
	        REG_EXTENDED);
	CHECK(regexec(&re, out, 0, NULL, 0) == 0);
	if (regexec(&re, out, 0, NULL, 0) != 0)
		printf("  got: %s", out);
	regfree(&re);
	free(out);
}

/* Strings the daemon keeps for its lifetime (cache keys, renders, labels)
 * come from buffers: their slack would be memory held for nothing. */
TEST(detached_text_holds_no_slack)
{
	char *key = tend_xasprintf("%s\x1f%s\x1f%s", "ResourceQuota", "p0001", "compute");
	CHECK(malloc_usable_size(key) < strlen(key) + 1 + 32);
	free(key);
	tend_buf b = TEND_BUF_INIT;
	for (int i = 0; i < 3000; i++)
		tend_buf_putc(&b, 'x');
	char *s = tend_buf_detach(&b);
	CHECK_INT(3000, (long)strlen(s));
	CHECK(malloc_usable_size(s) < 3001 + 32);
	free(s);
}

/* Equal text is held once, as long as anyone holds it. */
TEST(interned_text_is_shared_until_released)
{
	tend_intern *t = tend_intern_new();
	char a[] = "{\"manager\":\"tend\"}", b[] = "{\"manager\":\"tend\"}";
	const char *x = tend_intern_add(t, a), *y = tend_intern_add(t, b);
	CHECK(x == y);
	CHECK(x != a);
	const char *z = tend_intern_add(t, "{\"manager\":\"kubectl\"}");
	CHECK(z != x);
	CHECK_INT(2, (long)tend_intern_len(t));
	for (int i = 0; i < 500; i++) { /* the table grows under the held strings */
		char s[16];
		snprintf(s, sizeof(s), "s%d", i);
		tend_intern_add(t, s);
	}
	CHECK(tend_intern_add(t, a) == x);
	CHECK_INT(502, (long)tend_intern_len(t));
	tend_intern_release(t, x);
	tend_intern_release(t, x);
	CHECK_STR("{\"manager\":\"tend\"}", x); /* one reference left */
	tend_intern_release(t, x);
	CHECK_INT(501, (long)tend_intern_len(t));
	CHECK(tend_intern_add(t, a) != NULL);
	CHECK_INT(502, (long)tend_intern_len(t));
	tend_intern_free(t);
}

TEST(rfc3339_is_utc_to_the_second)
{
	char out[TEND_RFC3339_LEN];
	tend_rfc3339(out, 0);
	CHECK_STR("1970-01-01T00:00:00Z", out);
	tend_rfc3339(out, 1796536829);
	CHECK_STR("2026-12-06T06:00:29Z", out);
}

int main(void)
{
	RUN(suggest_near_misses);
	RUN(suggest_nothing_when_far_or_exact);
	RUN(text_log_is_one_timestamped_line);
	RUN(detached_text_holds_no_slack);
	RUN(interned_text_is_shared_until_released);
	RUN(rfc3339_is_utc_to_the_second);
	TEST_MAIN_END();
}
