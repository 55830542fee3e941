/*
 * metrics.c — a small Prometheus registry: families declared once (name,
 * type, help, histogram buckets), series keyed by their rendered label set,
 * and the text exposition format 0.0.4.
 *
 * Invariants: every call takes the registry's one mutex, so the controller
 * thread writes while the HTTP thread renders; series within a family stay
 * sorted by label text, so output is stable and look-ups are binary
 * searches.
 *
 * A series keeps its label values, not their text: with a gauge or two per
 * project and resource the names repeated in every series were a third of
 * the registry. Its labels are one string: the index of its label names
 * in the family's list of them (one byte), then each value, escaped and
 * followed by '"'. Two series with the same names compare as their label
 * text does: the names' text is the same in both, where the values' ends
 * are, and an escaped value never holds a bare '"'.
 */
#include "serve.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct series {
	char *labels; /* names' index, then values (see above) */
	double value; /* counter/gauge; histogram: the sum */
	unsigned long *hist; /* histogram: the count, then per bucket (not cumulative) */
} series;

#define NAMES_MAX 254 /* lists of label names per family */
#define NAMES_RAW 255 /* beyond them: the label text follows */

typedef struct family {
	char *name, *help;
	tend_metric_type type;
	double *bounds;
	size_t nbounds;
	series *s;
	size_t len, cap;
	char **names; /* the lists of label names its series use, "a,b" ("" for none) */
	size_t nnames;
} family;

struct tend_metrics {
	pthread_mutex_t lock;
	family *f;
	size_t len;
};

tend_metrics *tend_metrics_new(void)
{
	tend_metrics *m = tend_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

static void family_clear(family *f)
{
	for (size_t i = 0; i < f->len; i++) {
		free(f->s[i].labels);
		free(f->s[i].hist);
	}
	free(f->s);
	f->s = NULL;
	f->len = f->cap = 0;
}

void tend_metrics_free(tend_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->len; i++) {
		family_clear(&m->f[i]);
		for (size_t j = 0; j < m->f[i].nnames; j++)
			free(m->f[i].names[j]);
		free(m->f[i].names);
		free(m->f[i].name);
		free(m->f[i].help);
		free(m->f[i].bounds);
	}
	free(m->f);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static family *find_family(tend_metrics *m, const char *name)
{
	for (size_t i = 0; i < m->len; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

void tend_metrics_declare(tend_metrics *m, const char *name, tend_metric_type type,
                          const char *help, const double *buckets, size_t nbuckets)
{
	pthread_mutex_lock(&m->lock);
	if (!find_family(m, name)) {
		m->f = tend_xrealloc(m->f, (m->len + 1) * sizeof(family));
		family *f = &m->f[m->len++];
		memset(f, 0, sizeof(*f));
		f->name = tend_xstrdup(name);
		f->help = tend_xstrdup(help);
		f->type = type;
		if (type == TEND_METRIC_HISTOGRAM && nbuckets) {
			f->bounds = tend_xmalloc(nbuckets * sizeof(double));
			memcpy(f->bounds, buckets, nbuckets * sizeof(double));
			f->nbounds = nbuckets;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

static void escape_value(tend_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			tend_buf_putc(b, '\\'), tend_buf_putc(b, *v);
		else if (*v == '\n')
			tend_buf_puts(b, "\\n");
		else
			tend_buf_putc(b, *v);
	}
}

static void render_labels(tend_buf *b, const char *const *labels)
{
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		if (i)
			tend_buf_putc(b, ',');
		tend_buf_printf(b, "%s=\"", labels[i]);
		escape_value(b, labels[i + 1]);
		tend_buf_putc(b, '"');
	}
}

/* The index (from 1) of labels' names in f's lists, added with create;
 * 0 when absent, NAMES_RAW when the lists are full. */
static unsigned names_index(family *f, const char *const *labels, bool create)
{
	tend_buf b = TEND_BUF_INIT;
	tend_buf_puts(&b, "");
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2)
		tend_buf_printf(&b, "%s%s", i ? "," : "", labels[i]);
	size_t at = 0;
	while (at < f->nnames && strcmp(f->names[at], b.data) != 0)
		at++;
	if (at == f->nnames && (!create || f->nnames == NAMES_MAX)) {
		tend_buf_free(&b);
		return at == NAMES_MAX ? NAMES_RAW : 0;
	}
	if (at == f->nnames) {
		f->names = tend_xrealloc(f->names, (f->nnames + 1) * sizeof(char *));
		f->names[f->nnames++] = tend_buf_detach(&b);
	}
	tend_buf_free(&b);
	return (unsigned)at + 1;
}

/* labels as a series keeps them; NULL when !create and no series of f has
 * their names. */
static char *encode(family *f, const char *const *labels, bool create)
{
	unsigned at = names_index(f, labels, create);
	if (!at)
		return NULL;
	tend_buf b = TEND_BUF_INIT;
	tend_buf_putc(&b, (char)at);
	if (at == NAMES_RAW) {
		render_labels(&b, labels);
		return tend_buf_detach(&b);
	}
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		escape_value(&b, labels[i + 1]);
		tend_buf_putc(&b, '"');
	}
	return tend_buf_detach(&b);
}

/* Appends a series' label text: `a="x",b="y"` (nothing for none). */
static void put_labels(tend_buf *b, const family *f, const char *labels)
{
	unsigned at = (unsigned char)labels[0];
	const char *v = labels + 1;
	if (at == NAMES_RAW) {
		tend_buf_puts(b, v);
		return;
	}
	const char *names = f->names[at - 1], *name = names;
	while (*name) {
		const char *comma = strchr(name, ',');
		size_t n = comma ? (size_t)(comma - name) : strlen(name);
		if (name != names)
			tend_buf_putc(b, ',');
		tend_buf_put(b, name, n);
		tend_buf_puts(b, "=\"");
		const char *end = v; /* the value's closing quote */
		while (*end != '"')
			end += *end == '\\' ? 2 : 1;
		tend_buf_put(b, v, (size_t)(end - v) + 1);
		v = end + 1;
		name += n + (comma ? 1 : 0);
	}
}

/* As strcmp of the two series' label text. */
static int labels_cmp(const family *f, const char *a, const char *b)
{
	if (a[0] == b[0] && (unsigned char)a[0] != NAMES_RAW)
		return strcmp(a + 1, b + 1);
	tend_buf x = TEND_BUF_INIT, y = TEND_BUF_INIT;
	tend_buf_puts(&x, "");
	tend_buf_puts(&y, "");
	put_labels(&x, f, a);
	put_labels(&y, f, b);
	int c = strcmp(x.data, y.data);
	tend_buf_free(&x);
	tend_buf_free(&y);
	return c;
}

/* The series for labels, created (zeroed) when absent; NULL if !create and absent. */
static series *find_series(family *f, const char *const *labels, bool create)
{
	char *key = encode(f, labels, create);
	if (!key)
		return NULL;
	size_t lo = 0, hi = f->len;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = labels_cmp(f, f->s[mid].labels, key);
		if (c == 0) {
			free(key);
			return &f->s[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create) {
		free(key);
		return NULL;
	}
	if (f->len == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->s = tend_xrealloc(f->s, f->cap * sizeof(series));
	}
	memmove(&f->s[lo + 1], &f->s[lo], (f->len - lo) * sizeof(series));
	f->len++;
	series *s = &f->s[lo];
	memset(s, 0, sizeof(*s));
	s->labels = key;
	if (f->type == TEND_METRIC_HISTOGRAM)
		s->hist = tend_xcalloc(f->nbounds + 2, sizeof(unsigned long));
	return s;
}

static void update(tend_metrics *m, const char *name, const char *const *labels, double v, int op)
{
	pthread_mutex_lock(&m->lock);
	family *f = find_family(m, name);
	if (f) {
		series *s = find_series(f, labels, true);
		if (op == 0) {
			s->value += v;
		} else if (op == 1) {
			s->value = v;
		} else if (f->type == TEND_METRIC_HISTOGRAM) {
			size_t i = 0;
			while (i < f->nbounds && v > f->bounds[i])
				i++;
			s->hist[1 + i]++;
			s->hist[0]++;
			s->value += v;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

void tend_metrics_add(tend_metrics *m, const char *name, const char *const *labels, double v)
{
	update(m, name, labels, v, 0);
}

void tend_metrics_set(tend_metrics *m, const char *name, const char *const *labels, double v)
{
	update(m, name, labels, v, 1);
}

void tend_metrics_observe(tend_metrics *m, const char *name, const char *const *labels, double v)
{
	update(m, name, labels, v, 2);
}

void tend_metrics_reset(tend_metrics *m, const char *name)
{
	pthread_mutex_lock(&m->lock);
	family *f = find_family(m, name);
	if (f)
		family_clear(f);
	pthread_mutex_unlock(&m->lock);
}

/* Appends a series' label text to b, emptied first. */
static const char *labels_text(tend_buf *b, const family *f, const series *s)
{
	tend_buf_reset(b);
	tend_buf_puts(b, "");
	put_labels(b, f, s->labels);
	return b->data;
}

void tend_metrics_remove(tend_metrics *m, const char *name, const char *const *labels)
{
	tend_buf prefix = TEND_BUF_INIT, text = TEND_BUF_INIT;
	tend_buf_puts(&prefix, "");
	render_labels(&prefix, labels);
	size_t plen = prefix.len;
	pthread_mutex_lock(&m->lock);
	family *f = find_family(m, name);
	size_t lo = 0, hi = f ? f->len : 0;
	while (lo < hi) { /* the first series not below the prefix */
		size_t mid = (lo + hi) / 2;
		if (strcmp(labels_text(&text, f, &f->s[mid]), prefix.data) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* sorted: the series it begins form one run (a="x" never matches a="xy":
	 * the closing quote is part of the prefix) */
	size_t end = lo;
	while (f && end < f->len) {
		const char *t = labels_text(&text, f, &f->s[end]);
		if (strncmp(t, prefix.data, plen) != 0 || (t[plen] != '\0' && t[plen] != ','))
			break;
		end++;
	}
	if (f && end > lo) {
		for (size_t i = lo; i < end; i++) {
			free(f->s[i].labels);
			free(f->s[i].hist);
		}
		memmove(&f->s[lo], &f->s[end], (f->len - end) * sizeof(series));
		f->len -= end - lo;
	}
	pthread_mutex_unlock(&m->lock);
	tend_buf_free(&prefix);
	tend_buf_free(&text);
}

double tend_metrics_value(tend_metrics *m, const char *name, const char *const *labels)
{
	double v = 0;
	pthread_mutex_lock(&m->lock);
	family *f = find_family(m, name);
	series *s = f ? find_series(f, labels, false) : NULL;
	if (s)
		v = s->value;
	pthread_mutex_unlock(&m->lock);
	return v;
}

static void put_number(tend_buf *b, double v)
{
	if (isinf(v))
		tend_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		tend_buf_printf(b, "%.0f", v);
	else
		tend_buf_printf(b, "%.9g", v);
}

/* name{labels[,extra]} */
static void put_sample_name(tend_buf *b, const char *name, const char *suffix, const char *labels,
                            const char *extra)
{
	tend_buf_printf(b, "%s%s", name, suffix);
	bool any = *labels || extra;
	if (!any)
		return;
	tend_buf_putc(b, '{');
	tend_buf_puts(b, labels);
	if (extra)
		tend_buf_printf(b, "%s%s", *labels ? "," : "", extra);
	tend_buf_putc(b, '}');
}

static void render_histogram(tend_buf *out, const family *f, const series *s, const char *labels)
{
	unsigned long cum = 0;
	for (size_t i = 0; i <= f->nbounds; i++) {
		cum += s->hist[1 + i];
		tend_buf le = TEND_BUF_INIT;
		tend_buf_puts(&le, "le=\"");
		put_number(&le, i < f->nbounds ? f->bounds[i] : INFINITY);
		tend_buf_putc(&le, '"');
		put_sample_name(out, f->name, "_bucket", labels, le.data);
		tend_buf_printf(out, " %lu\n", cum);
		tend_buf_free(&le);
	}
	put_sample_name(out, f->name, "_sum", labels, NULL);
	tend_buf_putc(out, ' ');
	put_number(out, s->value);
	tend_buf_putc(out, '\n');
	put_sample_name(out, f->name, "_count", labels, NULL);
	tend_buf_printf(out, " %lu\n", s->hist[0]);
}

void tend_metrics_render(tend_metrics *m, tend_buf *out)
{
	static const char *types[] = {"counter", "gauge", "histogram"};
	tend_buf labels = TEND_BUF_INIT;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->len; i++) {
		const family *f = &m->f[i];
		if (!f->len)
			continue;
		tend_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		                types[f->type]);
		for (size_t j = 0; j < f->len; j++) {
			tend_buf_reset(&labels);
			tend_buf_puts(&labels, "");
			put_labels(&labels, f, f->s[j].labels);
			if (f->type == TEND_METRIC_HISTOGRAM) {
				render_histogram(out, f, &f->s[j], labels.data);
				continue;
			}
			put_sample_name(out, f->name, "", labels.data, NULL);
			tend_buf_putc(out, ' ');
			put_number(out, f->s[j].value);
			tend_buf_putc(out, '\n');
		}
	}
	pthread_mutex_unlock(&m->lock);
	tend_buf_free(&labels);
}
