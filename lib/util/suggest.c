/*
 * suggest.c — "did you mean": the known word closest to a misspelt one,
 * by edit distance (insert, delete, substitute, swap of neighbours), when
 * it is close enough to be the likely intent. Linear in the candidates;
 * words are short, so the quadratic table per pair stays small (bounded).
 */
#include "util.h"

#include <string.h>

enum { SUGGEST_MAX_LEN = 64 };

/* Optimal string alignment distance, or SUGGEST_MAX_LEN when either is too long. */
static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n >= SUGGEST_MAX_LEN || m >= SUGGEST_MAX_LEN)
		return SUGGEST_MAX_LEN;
	size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[n][m];
}

const char *tend_suggest(const char *word, const char *const *candidates)
{
	if (!word || !candidates)
		return NULL;
	size_t len = strlen(word);
	size_t limit = len < 4 ? 1 : len < 9 ? 2 : 3;
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (size_t i = 0; candidates[i]; i++) {
		size_t d = distance(word, candidates[i]);
		if (d && d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
