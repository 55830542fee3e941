/*
 * regex.c — Go regular expressions, as kustomize uses them to match image
 * names and list entries, run on PCRE2.
 *
 * Go's RE2 syntax is a subset of PCRE2's for everything kustomize users
 * write (classes, alternation, repetition, anchors). Two settings keep the
 * semantics Go's: `$` matches only at the very end (no final-newline
 * exception), and subjects are matched as UTF-8 without rejecting invalid
 * sequences. A pattern PCRE2 cannot compile is an error; callers name
 * the field it came from.
 */
#include "kustomize_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>

struct kz_regex {
	pcre2_code *code;
	pcre2_match_data *md;
};

kz_regex *kz_regex_new(const char *pattern)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                                 PCRE2_DOLLAR_ENDONLY | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
	                                 &errcode, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		tend_err("not a valid regular expression: %s", (const char *)msg);
		return NULL;
	}
	kz_regex *re = tend_xcalloc(1, sizeof(*re));
	re->code = code;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	return re;
}

bool kz_regex_match(kz_regex *re, const char *subject)
{
	return pcre2_match(re->code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, re->md,
	                   NULL) >= 0;
}

void kz_regex_free(kz_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}
