/*
 * textdiff.c — a line-based unified diff, as `diff -u` prints its hunks,
 * for showing how one rendered object changes.
 *
 * The common head and tail are stripped first (an edit to a Kubernetes
 * object is usually a few lines), then the middle is aligned by a longest
 * common subsequence table. A middle too large for the table (more than
 * MAX_CELLS pairs of lines) is shown as all removed, then all added: still
 * a correct diff, only a less minimal one.
 */
#include "review.h"

#include <stdlib.h>
#include <string.h>

#define CONTEXT   3
#define MAX_CELLS (4u << 20)

typedef struct lines {
	const char **at; /* start of each line */
	size_t *len;     /* without its '\n' */
	size_t n;
} lines;

static void split(const char *s, lines *l)
{
	size_t cap = 16;
	l->at = tend_xmalloc(cap * sizeof(*l->at));
	l->len = tend_xmalloc(cap * sizeof(*l->len));
	l->n = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (l->n == cap) {
			cap *= 2;
			l->at = tend_xrealloc(l->at, cap * sizeof(*l->at));
			l->len = tend_xrealloc(l->len, cap * sizeof(*l->len));
		}
		l->at[l->n] = s;
		l->len[l->n++] = n;
		s += n + (nl != NULL);
	}
}

static bool same(const lines *a, size_t i, const lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

/* One aligned step of the edit script: ' ' keep, '-' remove a line of a, '+' add one of b. */
typedef struct step {
	char op;
	size_t i, j;
} step;

static void push(step **s, size_t *n, size_t *cap, char op, size_t i, size_t j)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*s = tend_xrealloc(*s, *cap * sizeof(**s));
	}
	(*s)[(*n)++] = (step){op, i, j};
}

/* The edit script for a[lo_a, hi_a) against b[lo_b, hi_b). */
static void align(const lines *a, size_t lo_a, size_t hi_a, const lines *b, size_t lo_b,
                  size_t hi_b, step **s, size_t *n, size_t *cap)
{
	size_t na = hi_a - lo_a, nb = hi_b - lo_b;
	if ((na + 1) * (nb + 1) > MAX_CELLS) {
		for (size_t i = lo_a; i < hi_a; i++)
			push(s, n, cap, '-', i, lo_b);
		for (size_t j = lo_b; j < hi_b; j++)
			push(s, n, cap, '+', hi_a, j);
		return;
	}
	/* lcs[i][j]: length of the LCS of a[lo_a+i..] and b[lo_b+j..] */
	unsigned *lcs = tend_xcalloc((na + 1) * (nb + 1), sizeof(*lcs));
#define L(i, j) lcs[(i) * (nb + 1) + (j)]
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			if (same(a, lo_a + i, b, lo_b + j))
				L(i, j) = L(i + 1, j + 1) + 1;
			else
				L(i, j) = L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j) : L(i, j + 1);
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && same(a, lo_a + i, b, lo_b + j)) {
			push(s, n, cap, ' ', lo_a + i, lo_b + j);
			i++, j++;
		} else if (j < nb && (i == na || L(i, j + 1) > L(i + 1, j))) {
			push(s, n, cap, '+', lo_a + i, lo_b + j);
			j++;
		} else {
			push(s, n, cap, '-', lo_a + i, lo_b + j);
			i++;
		}
	}
#undef L
	free(lcs);
}

static void put_line(tend_buf *out, char op, const lines *l, size_t k)
{
	tend_buf_putc(out, op);
	tend_buf_put(out, l->at[k], l->len[k]);
	tend_buf_putc(out, '\n');
}

/* Prints the hunks of an edit script: runs of changes with CONTEXT lines around them. */
static void print_hunks(const step *s, size_t n, const lines *a, const lines *b, tend_buf *out)
{
	size_t k = 0;
	while (k < n) {
		while (k < n && s[k].op == ' ')
			k++;
		if (k == n)
			break;
		/* join changes separated by at most 2*CONTEXT unchanged lines */
		size_t last = k;
		for (size_t t = k + 1; t < n && t - last - 1 <= 2 * CONTEXT; t++)
			if (s[t].op != ' ')
				last = t;
		size_t start = k >= CONTEXT ? k - CONTEXT : 0;
		size_t end = last + 1 + CONTEXT < n ? last + 1 + CONTEXT : n;
		size_t a0 = s[start].i, b0 = s[start].j, na = 0, nb = 0;
		for (size_t t = start; t < end; t++) {
			na += s[t].op != '+';
			nb += s[t].op != '-';
		}
		/* diff -u numbers an empty side by the line before it */
		tend_buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", na ? a0 + 1 : a0, na,
		                nb ? b0 + 1 : b0, nb);
		for (size_t t = start; t < end; t++)
			put_line(out, s[t].op, s[t].op == '+' ? b : a,
			         s[t].op == '+' ? s[t].j : s[t].i);
		k = last + 1;
	}
}

void tend_review_unified_diff(const char *ta, const char *tb, tend_buf *out)
{
	if (strcmp(ta, tb) == 0)
		return;
	lines a, b;
	split(ta, &a);
	split(tb, &b);
	size_t head = 0;
	while (head < a.n && head < b.n && same(&a, head, &b, head))
		head++;
	size_t tail = 0;
	while (tail < a.n - head && tail < b.n - head &&
	       same(&a, a.n - 1 - tail, &b, b.n - 1 - tail))
		tail++;
	step *s = NULL;
	size_t n = 0, cap = 0;
	for (size_t k = 0; k < head; k++)
		push(&s, &n, &cap, ' ', k, k);
	align(&a, head, a.n - tail, &b, head, b.n - tail, &s, &n, &cap);
	for (size_t k = 0; k < tail; k++)
		push(&s, &n, &cap, ' ', a.n - tail + k, b.n - tail + k);
	print_hunks(s, n, &a, &b, out);
	free(s);
	free(a.at);
	free(a.len);
	free(b.at);
	free(b.len);
}
