/*
 * test.h — a tiny assertion header for tend's unit tests.
 *
 * Each TEST(name) is a function registered by RUN(name) in main. A failing
 * CHECK prints file, line, expected and actual, marks the test failed and
 * continues. TEST_MAIN_END prints "N passed, M failed" and sets the exit code.
 */
#ifndef TEND_TEST_H
#define TEND_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failed_now;
static int tests_passed, tests_failed;

#define TEST(name) static void name(void)

#define RUN(name)                                                                    \
	do {                                                                         \
		test_failed_now = 0;                                                 \
		name();                                                              \
		if (test_failed_now) {                                               \
			tests_failed++;                                              \
			printf("FAIL %s\n", #name);                                  \
		} else {                                                             \
			tests_passed++;                                              \
			printf("PASS %s\n", #name);                                  \
		}                                                                    \
	} while (0)

#define TEST_MAIN_END()                                                              \
	do {                                                                         \
		printf("%d passed, %d failed\n", tests_passed, tests_failed);        \
		return tests_failed ? 1 : 0;                                         \
	} while (0)

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			printf("%s:%d: expected %s\n", __FILE__, __LINE__, #cond);   \
			test_failed_now = 1;                                         \
		}                                                                    \
	} while (0)

#define CHECK_INT(expected, actual)                                                  \
	do {                                                                         \
		long long e_ = (long long)(expected), a_ = (long long)(actual);      \
		if (e_ != a_) {                                                      \
			printf("%s:%d: %s: expected %lld, actual %lld\n", __FILE__,  \
			       __LINE__, #actual, e_, a_);                           \
			test_failed_now = 1;                                         \
		}                                                                    \
	} while (0)

#define CHECK_STR(expected, actual)                                                  \
	do {                                                                         \
		const char *e_ = (expected), *a_ = (actual);                         \
		if (!a_ || !e_ || strcmp(e_, a_) != 0) {                             \
			printf("%s:%d: %s:\n  expected: \"%s\"\n  actual:   \"%s\"\n",   \
			       __FILE__, __LINE__, #actual, e_ ? e_ : "(null)",          \
			       a_ ? a_ : "(null)");                                  \
			test_failed_now = 1;                                         \
		}                                                                    \
	} while (0)

#define CHECK_CONTAINS(haystack, needle)                                             \
	do {                                                                         \
		const char *h_ = (haystack), *n_ = (needle);                         \
		if (!h_ || !strstr(h_, n_)) {                                        \
			printf("%s:%d: %s: expected to contain \"%s\", actual \"%s\"\n",  \
			       __FILE__, __LINE__, #haystack, n_, h_ ? h_ : "(null)");    \
			test_failed_now = 1;                                         \
		}                                                                    \
	} while (0)

#endif
