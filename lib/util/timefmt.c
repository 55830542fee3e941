/*
 * timefmt.c — times as Kubernetes and the status documents write them:
 * RFC 3339 in UTC, to the second ("2026-12-06T05:20:29Z").
 */
#include "util.h"

#include <time.h>

void tend_rfc3339(char out[TEND_RFC3339_LEN], time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, TEND_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
