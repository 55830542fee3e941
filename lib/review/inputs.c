/*
 * inputs.c — which files a project's build can read, so that a change is
 * previewed and checked for exactly the projects it can affect.
 *
 * Why directories are enough: kustomize's load restrictor (on by default,
 * and tend never turns it off for projects) lets a kustomization read files
 * only below its own directory; other directories enter a build only as
 * kustomizations named under resources, bases, components, generators,
 * transformers or validators. So the union of the subtrees of the
 * kustomization directories a build visits holds every file it reads. The
 * walk follows those fields lexically, without building; it over-approximates
 * (a file below a visited directory that nothing names still counts), never
 * under-approximates.
 *
 * A tend_inputs is the graph of one tree (kustomization directory -> the
 * paths it names), read lazily. It is kept per revision: advancing it to a
 * new tree forgets only the directories a change can alter (one a changed
 * path lies below, or one naming a path a change lies below: it may have
 * become a directory), so a commit costs what it touched. Saved under a
 * commit's sha (cache.c) it serves later runs.
 */
#include "review_internal.h"

#include "build_id.h"

#include "../doc/doc.h"
#include "../fs/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FIELDS[] = {"resources",    "bases",      "components", "generators",
                                     "transformers", "validators", NULL};

struct tend_inputs {
	char *root;
	tend_strvec dirs;      /* directories read, in order of first visit */
	tend_strvec *children; /* children[i]: the directories dirs.items[i] names */
	tend_strvec *named;    /* named[i]: every repo path it names, directory or not */
	bool *stale;           /* stale[i]: forgotten by an advance, read again on use */
	size_t reads;          /* kustomizations read: what a saved graph lacked */
	size_t *slots;         /* open addressing: index + 1 into dirs, 0 when empty */
	size_t cap;            /* a power of two, at least twice dirs.len */
};

static bool is_dir(const char *path)
{
	return tend_fs_path_kind(path) == TEND_FS_DIR;
}

/* The directories one kustomization directory names (read once per tend_inputs). */
static void read_children(const char *root, const char *dir, tend_strvec *out, tend_strvec *named)
{
	tend_docs docs = TEND_DOCS_INIT;
	char *file = tend_kustomization_load(root, dir, &docs);
	const cJSON *k = file ? docs.items[0].root : NULL;
	for (int f = 0; k && FIELDS[f]; f++) {
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(k, FIELDS[f]))
		{
			/* remote and inline entries cannot name a directory of this repo */
			if (!cJSON_IsString(e) || strstr(e->valuestring, "://") ||
			    e->valuestring[0] == '/')
				continue;
			char *joined = tend_xasprintf("%s/%s", dir, e->valuestring);
			char *next = tend_path_clean(joined);
			char *next_abs = tend_xasprintf("%s/%s", root, next);
			tend_strvec_push(named, next);
			if (is_dir(next_abs))
				tend_strvec_push(out, next);
			free(joined);
			free(next);
			free(next_abs);
		}
	}
	tend_docs_free(&docs);
	free(file);
}

tend_inputs *tend_inputs_new(const char *root)
{
	tend_inputs *in = tend_xcalloc(1, sizeof(*in));
	in->root = tend_xstrdup(root);
	return in;
}

void tend_inputs_free(tend_inputs *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->dirs.len; i++) {
		tend_strvec_free(&in->children[i]);
		tend_strvec_free(&in->named[i]);
	}
	free(in->children);
	free(in->named);
	free(in->stale);
	tend_strvec_free(&in->dirs);
	free(in->slots);
	free(in->root);
	free(in);
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t *slot_of(tend_inputs *in, const char *dir)
{
	size_t i = hash(dir) & (in->cap - 1);
	while (in->slots[i] && strcmp(in->dirs.items[in->slots[i] - 1], dir) != 0)
		i = (i + 1) & (in->cap - 1);
	return &in->slots[i];
}

/* The node of a known directory, or (size_t)-1. */
static size_t find(tend_inputs *in, const char *dir)
{
	return in->cap && *slot_of(in, dir) ? *slot_of(in, dir) - 1 : (size_t)-1;
}

/* The node of a directory (added, unread and stale, when new). */
static size_t node_of(tend_inputs *in, const char *dir)
{
	if (2 * (in->dirs.len + 1) > in->cap) {
		free(in->slots);
		in->cap = in->cap ? in->cap * 2 : 64;
		in->slots = tend_xcalloc(in->cap, sizeof(*in->slots));
		for (size_t i = 0; i < in->dirs.len; i++)
			*slot_of(in, in->dirs.items[i]) = i + 1;
	}
	size_t *slot = slot_of(in, dir);
	if (*slot)
		return *slot - 1;
	tend_strvec_push(&in->dirs, dir);
	*slot = in->dirs.len;
	size_t n = in->dirs.len;
	in->children = tend_xrealloc(in->children, n * sizeof(*in->children));
	in->named = tend_xrealloc(in->named, n * sizeof(*in->named));
	in->stale = tend_xrealloc(in->stale, n * sizeof(*in->stale));
	in->children[n - 1] = (tend_strvec)TEND_STRVEC_INIT;
	in->named[n - 1] = (tend_strvec)TEND_STRVEC_INIT;
	in->stale[n - 1] = true;
	return n - 1;
}

/* The children of a directory, read on first use: a shared base is read once. */
static const tend_strvec *children_of(tend_inputs *in, const char *dir)
{
	size_t i = node_of(in, dir);
	if (in->stale[i]) {
		tend_strvec_free(&in->children[i]);
		tend_strvec_free(&in->named[i]);
		read_children(in->root, dir, &in->children[i], &in->named[i]);
		in->stale[i] = false;
		in->reads++;
	}
	return &in->children[i];
}

static void visit(tend_inputs *in, const char *dir, tend_strset *seen, tend_strvec *out)
{
	if (!tend_strset_add(seen, dir))
		return;
	tend_strvec_push(out, dir);
	children_of(in, dir);
	/* copy: visiting may grow in->children and move the vector */
	size_t i = find(in, dir);
	tend_strvec kids = TEND_STRVEC_INIT, named = TEND_STRVEC_INIT;
	for (size_t k = 0; k < in->children[i].len; k++)
		tend_strvec_push(&kids, in->children[i].items[k]);
	for (size_t k = 0; k < in->named[i].len; k++)
		tend_strvec_push(&named, in->named[i].items[k]);
	for (size_t k = 0; k < kids.len; k++)
		visit(in, kids.items[k], seen, out);
	/* a named path that is no directory (a file, or a base deleted or not
	 * there yet): a change there changes the build too */
	for (size_t k = 0; k < named.len; k++)
		if (tend_strset_add(seen, named.items[k]))
			tend_strvec_push(out, named.items[k]);
	tend_strvec_free(&kids);
	tend_strvec_free(&named);
}

void tend_inputs_of(tend_inputs *in, const char *dir, tend_strvec *out)
{
	tend_strset seen = TEND_STRSET_INIT;
	char *start = tend_path_clean(dir);
	visit(in, start, &seen, out);
	free(start);
	tend_strset_free(&seen);
}

/* Every prefix of each changed path at a '/' (and the path itself): a
 * directory holds a change exactly when it is one of them. */
static void changed_prefixes(const tend_strvec *changed, tend_strset *out)
{
	for (size_t c = 0; c < changed->len; c++) {
		char *p = tend_xstrdup(changed->items[c]);
		for (char *slash = p; (slash = strchr(slash, '/')); slash++) {
			*slash = '\0';
			tend_strset_add(out, p);
			*slash = '/';
		}
		tend_strset_add(out, p);
		free(p);
	}
}

/* Whether a change lies below dir (dir "." holds every path but "../" ones). */
static bool holds_change(const char *dir, const tend_strset *prefixes, bool inside_changed)
{
	return strcmp(dir, ".") == 0 ? inside_changed : tend_strset_has(prefixes, dir);
}

static bool any_inside(const tend_strvec *changed)
{
	for (size_t c = 0; c < changed->len; c++)
		if (strncmp(changed->items[c], "../", 3) != 0)
			return true;
	return false;
}

void tend_inputs_advance(tend_inputs *in, const char *root, const tend_strvec *changed)
{
	free(in->root);
	in->root = tend_xstrdup(root);
	tend_strset pre = TEND_STRSET_INIT;
	changed_prefixes(changed, &pre);
	bool inside = any_inside(changed);
	for (size_t i = 0; i < in->dirs.len; i++) {
		bool stale = holds_change(in->dirs.items[i], &pre, inside);
		for (size_t k = 0; !stale && k < in->named[i].len; k++)
			stale = holds_change(in->named[i].items[k], &pre, inside);
		in->stale[i] |= stale;
	}
	tend_strset_free(&pre);
}

tend_inputs *tend_inputs_copy(const tend_inputs *from, const char *root)
{
	tend_inputs *in = tend_inputs_new(root);
	for (size_t i = 0; i < from->dirs.len; i++) {
		size_t k = node_of(in, from->dirs.items[i]);
		for (size_t j = 0; j < from->children[i].len; j++)
			tend_strvec_push(&in->children[k], from->children[i].items[j]);
		for (size_t j = 0; j < from->named[i].len; j++)
			tend_strvec_push(&in->named[k], from->named[i].items[j]);
		in->stale[k] = from->stale[i];
	}
	return in;
}

/*
 * Marks every node the projects' builds reach (reading what is not known
 * yet), iteratively: one pass over the graph, not one walk per project.
 */
static void reach_all(tend_inputs *in, const tend_projects *ps, size_t *project_node)
{
	tend_strvec todo = TEND_STRVEC_INIT;
	size_t done = 0;
	bool *seen = NULL;
	size_t n_seen = 0;
	for (size_t p = 0; p < ps->len; p++) {
		char *dir = tend_path_clean(ps->items[p].dir);
		project_node[p] = node_of(in, dir);
		tend_strvec_push(&todo, dir);
		free(dir);
	}
	while (done < todo.len) {
		const char *dir = todo.items[done++];
		size_t i = node_of(in, dir);
		if (i >= n_seen) {
			seen = tend_xrealloc(seen, in->dirs.len * sizeof(*seen));
			memset(seen + n_seen, 0, (in->dirs.len - n_seen) * sizeof(*seen));
			n_seen = in->dirs.len;
		}
		if (seen[i])
			continue;
		seen[i] = true;
		const tend_strvec *kids = children_of(in, dir);
		for (size_t k = 0; k < kids->len; k++)
			tend_strvec_push(&todo, kids->items[k]);
	}
	free(seen);
	tend_strvec_free(&todo);
}

void tend_inputs_affected(tend_inputs *in, const tend_projects *ps, const tend_strvec *changed,
                          bool *affected)
{
	size_t *pnode = tend_xcalloc(ps->len + 1, sizeof(*pnode));
	reach_all(in, ps, pnode);
	/* reverse edges, then every node that reaches one holding a change */
	size_t n = in->dirs.len;
	size_t *deg = tend_xcalloc(n + 1, sizeof(*deg)), edges = 0;
	/* nodes no project reaches (a saved graph's) may name unknown ones: skipped */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; !in->stale[i] && k < in->children[i].len; k++) {
			size_t c = find(in, in->children[i].items[k]);
			if (c != (size_t)-1) {
				deg[c]++;
				edges++;
			}
		}
	size_t *start = tend_xcalloc(n + 1, sizeof(*start));
	for (size_t i = 0; i < n; i++)
		start[i + 1] = start[i] + deg[i];
	size_t *parents = tend_xcalloc(edges + 1, sizeof(*parents));
	memset(deg, 0, n * sizeof(*deg));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; !in->stale[i] && k < in->children[i].len; k++) {
			size_t c = find(in, in->children[i].items[k]);
			if (c != (size_t)-1)
				parents[start[c] + deg[c]++] = i;
		}
	tend_strset pre = TEND_STRSET_INIT;
	changed_prefixes(changed, &pre);
	bool inside = any_inside(changed);
	bool *hit = tend_xcalloc(n + 1, sizeof(*hit));
	size_t *queue = tend_xcalloc(n + 1, sizeof(*queue)), qn = 0;
	for (size_t i = 0; i < n; i++) {
		/* as in visit: a named path that is no directory counts as read */
		bool h = holds_change(in->dirs.items[i], &pre, inside);
		for (size_t k = 0; !h && !in->stale[i] && k < in->named[i].len; k++)
			h = holds_change(in->named[i].items[k], &pre, inside);
		if (h) {
			hit[i] = true;
			queue[qn++] = i;
		}
	}
	for (size_t q = 0; q < qn; q++)
		for (size_t e = start[queue[q]]; e < start[queue[q] + 1]; e++)
			if (!hit[parents[e]]) {
				hit[parents[e]] = true;
				queue[qn++] = parents[e];
			}
	for (size_t p = 0; p < ps->len; p++)
		affected[p] = hit[pnode[p]];
	tend_strset_free(&pre);
	free(hit);
	free(queue);
	free(parents);
	free(start);
	free(deg);
	free(pnode);
}

/* ---- saved graphs: one file per commit and config root ---- */

/* the build too: a graph another build of tend read is not taken */
#define SAVED_HEADER "tend-inputs 2 " TEND_BUILD_ID "\n"

static bool plain(const char *s)
{
	return !strpbrk(s, "\t\n");
}

int tend_inputs_save(const tend_inputs *in, const char *path)
{
	tend_buf b = TEND_BUF_INIT;
	tend_buf_puts(&b, SAVED_HEADER);
	for (size_t i = 0; i < in->dirs.len; i++) {
		if (in->stale[i])
			continue;
		if (!plain(in->dirs.items[i])) {
			tend_buf_free(&b);
			return tend_err("%s: a path holds a tab or newline: not saved",
			                in->dirs.items[i]);
		}
		tend_buf_printf(&b, "D\t%s\n", in->dirs.items[i]);
		const tend_strvec *kids = &in->children[i];
		size_t c = 0;
		for (size_t k = 0; k < in->named[i].len; k++) {
			const char *x = in->named[i].items[k];
			bool child = c < kids->len && strcmp(kids->items[c], x) == 0;
			c += child;
			if (!plain(x)) {
				tend_buf_free(&b);
				return tend_err("%s: a path holds a tab or newline: not saved", x);
			}
			tend_buf_printf(&b, "%c\t%s\n", child ? 'C' : 'N', x);
		}
	}
	int rc = tend_file_replace(path, b.data, b.len);
	tend_buf_free(&b);
	return rc;
}

tend_inputs *tend_inputs_load(const char *path, const char *root)
{
	tend_buf b = TEND_BUF_INIT;
	if (tend_file_read(path, (size_t)1 << 30, &b) || !b.data ||
	    strncmp(b.data, SAVED_HEADER, strlen(SAVED_HEADER)) != 0) {
		tend_err_clear();
		tend_buf_free(&b);
		return NULL;
	}
	tend_inputs *in = tend_inputs_new(root);
	size_t cur = (size_t)-1;
	bool ok = true;
	for (char *line = b.data + strlen(SAVED_HEADER), *nl; ok && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ok = nl && nl - line > 2 && line[1] == '\t';
		if (!ok)
			break;
		*nl = '\0';
		const char *x = line + 2;
		if (line[0] == 'D') {
			cur = node_of(in, x);
			ok = in->stale[cur] && !in->named[cur].len; /* each once */
			in->stale[cur] = false;
		} else if ((line[0] == 'C' || line[0] == 'N') && cur != (size_t)-1) {
			tend_strvec_push(&in->named[cur], x);
			if (line[0] == 'C')
				tend_strvec_push(&in->children[cur], x);
		} else {
			ok = false;
		}
	}
	tend_buf_free(&b);
	if (!ok) {
		tend_inputs_free(in);
		return NULL;
	}
	return in;
}

bool tend_review_touches(const tend_strvec *inputs, const tend_strvec *changed)
{
	for (size_t i = 0; i < inputs->len; i++) {
		const char *d = inputs->items[i];
		size_t n = strlen(d);
		bool all = strcmp(d, ".") == 0; /* a project at the root reads everything */
		for (size_t c = 0; c < changed->len; c++) {
			const char *p = changed->items[c];
			if (all ? strncmp(p, "../", 3) != 0
			        : strncmp(p, d, n) == 0 && (p[n] == '/' || p[n] == '\0'))
				return true;
		}
	}
	return false;
}

size_t tend_inputs_reads(const tend_inputs *in)
{
	return in->reads;
}

/* The graph of commit sha, read from its tree (mounted for the purpose) for
 * the projects ps, and saved at `path`; NULL when the tree cannot be read. */
static tend_inputs *build_at(const tend_config *cfg, tend_history *h, const char *sha,
                             const tend_projects *ps, const char *path)
{
	review_tree t;
	tend_inputs *in = NULL;
	if (review_tree_open(cfg, h, sha, "inputs", &t) == 0) {
		in = tend_inputs_new(t.root);
		bool *scratch = tend_xcalloc(ps->len + 1, sizeof(bool));
		tend_inputs_affected(in, ps, &(tend_strvec)TEND_STRVEC_INIT, scratch);
		free(scratch);
		if (tend_inputs_save(in, path)) /* the cache is an optimisation */
			tend_err_clear();
	}
	tend_err_clear();
	review_tree_close(&t);
	return in;
}

void tend_review_affected_since(const tend_config *cfg, tend_history *h, const char *base,
                                const char *root, const tend_projects *ps,
                                const tend_strvec *changed, bool *affected)
{
	char sha[41];
	char *path = NULL;
	tend_inputs *in = NULL;
	if (h && tend_history_resolve(h, base, sha) == 0 &&
	    (path = tend_review_cache_path(cfg->source.cache_dir, "inputs", sha,
	                                   tend_history_prefix(h))))
		in = tend_inputs_load(path, root);
	tend_err_clear();
	if (!in && path)
		in = build_at(cfg, h, sha, ps, path);
	if (in) {
		tend_inputs_advance(in, root, changed);
		tend_inputs_affected(in, ps, changed, affected);
	} else {
		tend_review_affected(ps, root, changed, affected);
	}
	tend_inputs_free(in);
	free(path);
}

void tend_review_affected(const tend_projects *ps, const char *root, const tend_strvec *changed,
                          bool *affected)
{
	tend_inputs *in = tend_inputs_new(root);
	tend_inputs_affected(in, ps, changed, affected);
	tend_inputs_free(in);
}

int tend_review_changes(tend_history *h, const char *base, const char *head, const char *config_rel,
                        tend_strvec *out, bool *everything)
{
	tend_strvec changed = TEND_STRVEC_INIT;
	if (tend_history_changes(h, base, head, &changed)) {
		tend_strvec_free(&changed);
		return -1;
	}
	*everything = false;
	for (size_t i = 0; i < changed.len; i++) {
		char *p = tend_path_relative(tend_history_prefix(h), changed.items[i]);
		*everything |=
		    (config_rel && strcmp(p, config_rel) == 0) || strcmp(p, TEND_GUARD_FILE) == 0;
		tend_strvec_push(out, p);
		free(p);
	}
	tend_strvec_free(&changed);
	return 0;
}
