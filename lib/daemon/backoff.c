/*
 * backoff.c — exponential backoff with jitter, shared by failed syncs,
 * failed fetches and objects something keeps changing back. Jitter (±10%)
 * keeps a thousand failing projects from retrying in the same instant.
 */
#include "daemon_internal.h"

#include <stdlib.h>

int64_t tend_daemon_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms)
{
	if (attempt < 1)
		return 0;
	int64_t d = base_ms;
	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	int64_t spread = d / 10;
	if (spread > 0)
		d += (int64_t)(rand() % (2 * spread + 1)) - spread;
	return d;
}
