/*
 * generator.c — walking a config repo for project directories.
 *
 * Invariants: the walk never follows symlinks out of the tree and never
 * descends deeper than the deepest include glob; the result is sorted by
 * directory path, so the same tree always yields the same list.
 */
#include "generator_internal.h"

#include "../fs/fs.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static int segments(const char *glob)
{
	int n = 1;
	for (; *glob; glob++)
		n += *glob == '/';
	return n;
}

static bool matches_any(const tend_strvec *globs, const char *path)
{
	for (size_t i = 0; i < globs->len; i++)
		if (fnmatch(globs->items[i], path, FNM_PATHNAME) == 0)
			return true;
	return false;
}

/* Collects directory paths (relative to root) up to max_depth segments. */
static int walk(const char *root, const char *rel, int depth, int max_depth, tend_strvec *out)
{
	char *abs = rel[0] ? tend_xasprintf("%s/%s", root, rel) : tend_xstrdup(root);
	tend_strvec names = TEND_STRVEC_INIT;
	int code = tend_fs_path_list(abs, &names);
	if (code) {
		int rc = tend_err("%s: %s", abs, tend_fs_strerror(code));
		free(abs);
		return rc;
	}
	tend_strvec kids = TEND_STRVEC_INIT;
	for (size_t i = 0; i < names.len; i++) {
		if (names.items[i][0] == '.')
			continue;
		char *child = tend_xasprintf("%s/%s", abs, names.items[i]);
		tend_fs_kind kind;
		bool dir = tend_fs_path_lstat(child, &kind) == 0 && kind == TEND_FS_DIR;
		free(child);
		if (dir)
			tend_strvec_push(&kids, names.items[i]);
	}
	tend_strvec_free(&names);
	free(abs);
	int rc = 0;
	for (size_t i = 0; i < kids.len && !rc; i++) {
		char *path = rel[0] ? tend_xasprintf("%s/%s", rel, kids.items[i])
		                    : tend_xstrdup(kids.items[i]);
		tend_strvec_push(out, path);
		if (depth + 1 < max_depth)
			rc = walk(root, path, depth + 1, max_depth, out);
		free(path);
	}
	tend_strvec_free(&kids);
	return rc;
}

char *tend_generator_normalize_name(const char *base)
{
	size_t n = strlen(base);
	char *s = tend_xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)base[i]);
		s[o++] = (isalnum((unsigned char)c) && (unsigned char)c < 0x80) ? c : '-';
	}
	s[o] = '\0';
	size_t start = 0;
	while (s[start] == '-')
		start++;
	memmove(s, s + start, o - start + 1);
	o -= start;
	if (o > 63)
		o = 63;
	while (o > 0 && s[o - 1] == '-')
		o--;
	s[o] = '\0';
	if (!o) {
		free(s);
		return NULL;
	}
	return s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A project's name from its directory: the base name, or the whole path. */
static char *project_name(const tend_project *p)
{
	const char *slash = strrchr(p->dir, '/');
	return tend_generator_normalize_name(p->name_by_path || !slash ? p->dir : slash + 1);
}

static void add_project(tend_projects *out, size_t *cap, const char *dir,
                        const tend_generator_rule *rule)
{
	if (out->len == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		out->items = tend_xrealloc(out->items, *cap * sizeof(*out->items));
	}
	tend_project *p = &out->items[out->len++];
	memset(p, 0, sizeof(*p));
	p->dir = tend_xstrdup(dir);
	p->name_by_path = rule->name_by_path;
	p->name = project_name(p);
	p->trusted = rule->trusted;
	p->substitute = rule->substitute;
	if (!p->name) {
		p->name = tend_xstrdup(dir);
		p->error = tend_xasprintf("%s: the directory name has no character usable in a "
		                          "Kubernetes name",
		                          dir);
	}
}

/*
 * Indices of the projects sorted by a key (ties in index order), so that
 * equal keys sit side by side: pairing within a run of equal keys visits
 * the same pairs, in the same order, as comparing every pair — in
 * O(N log N), not O(N^2) (10,000 projects made 50 million strcmp).
 */
typedef struct keyed {
	const char *key;
	size_t index;
} keyed;

static int by_key(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Runs of equal keys: calls pair(i, j) for i < j of each run, in index order. */
static void pair_equal(tend_projects *out, keyed *k, size_t n,
                       void (*pair)(tend_project *a, tend_project *b))
{
	qsort(k, n, sizeof(*k), by_key);
	for (size_t s = 0, e; s < n; s = e) {
		for (e = s + 1; e < n && strcmp(k[e].key, k[s].key) == 0;)
			e++;
		for (size_t i = s; i < e; i++)
			for (size_t j = i + 1; j < e; j++)
				pair(&out->items[k[i].index], &out->items[k[j].index]);
	}
}

static void mark_collision(tend_project *a, tend_project *b)
{
	char *msg = tend_xasprintf("directories \"%s\" and \"%s\" both make project "
	                           "\"%s\"; rename one of them%s",
	                           a->dir, b->dir, a->name,
	                           a->name_by_path && b->name_by_path
	                               ? ""
	                               : ", or name projects by their path "
	                                 "(projects[].naming: path in tend.yaml)");
	if (!a->error) {
		a->error = tend_xstrdup(msg);
		a->collides_with = tend_xstrdup(b->dir);
	}
	if (!b->error) {
		b->error = tend_xstrdup(msg);
		b->collides_with = tend_xstrdup(a->dir);
	}
	free(msg);
}

static void mark_collisions(tend_projects *out)
{
	keyed *k = tend_xcalloc(out->len + 1, sizeof(*k));
	for (size_t i = 0; i < out->len; i++)
		k[i] = (keyed){out->items[i].name, i};
	pair_equal(out, k, out->len, mark_collision);
	free(k);
}

static void mark_shared_namespace(tend_project *a, const tend_project *b)
{
	if (!a->conflict)
		a->conflict = tend_xasprintf("namespace \"%s\" is also project \"%s\"'s (%s); "
		                             "each project needs a namespace of its own",
		                             a->namespace, b->name, b->dir);
}

static void mark_shared_pair(tend_project *a, tend_project *b)
{
	mark_shared_namespace(a, b);
	mark_shared_namespace(b, a);
}

/* Two projects in one namespace would take each other's objects: both are told. */
static void mark_shared_namespaces(tend_projects *out)
{
	keyed *k = tend_xcalloc(out->len + 1, sizeof(*k));
	size_t n = 0;
	for (size_t i = 0; i < out->len; i++)
		if (!out->items[i].error)
			k[n++] = (keyed){out->items[i].namespace, i};
	pair_equal(out, k, n, mark_shared_pair);
	free(k);
}

/*
 * A matched directory is a project when it holds a kustomization (under any
 * of kustomize's names) or a project.yaml: a directory of notes is not one,
 * while a project whose kustomization went missing stays (and fails to
 * render) rather than being removed.
 */
static bool is_project_dir(const char *root, const char *dir)
{
	static const char *const files[] = {"kustomization.yaml", "kustomization.yml",
	                                    "Kustomization", "project.yaml", NULL};
	bool found = false;
	for (int i = 0; files[i] && !found; i++) {
		char *path = tend_xasprintf("%s/%s/%s", root, dir, files[i]);
		tend_fs_kind kind;
		found = tend_fs_path_stat(path, &kind) == 0 && kind == TEND_FS_FILE;
		free(path);
	}
	return found;
}

int tend_generator_run(const tend_generator_rule *rules, size_t n_rules, const char *root,
                       tend_projects *out)
{
	int max_depth = 1;
	for (size_t r = 0; r < n_rules; r++)
		for (size_t i = 0; i < rules[r].directories.len; i++) {
			int s = segments(rules[r].directories.items[i]);
			if (s > max_depth)
				max_depth = s;
		}
	tend_strvec dirs = TEND_STRVEC_INIT;
	if (walk(root, "", 0, max_depth, &dirs)) {
		tend_strvec_free(&dirs);
		return -1;
	}
	if (dirs.len > 1)
		qsort(dirs.items, dirs.len, sizeof(*dirs.items), cmp_str);
	memset(out, 0, sizeof(*out));
	size_t cap = 0;
	for (size_t i = 0; i < dirs.len; i++) {
		for (size_t r = 0; r < n_rules; r++) {
			if (!matches_any(&rules[r].directories, dirs.items[i]) ||
			    matches_any(&rules[r].exclude, dirs.items[i]))
				continue;
			if (is_project_dir(root, dirs.items[i]))
				add_project(out, &cap, dirs.items[i], &rules[r]);
			break;
		}
	}
	tend_strvec_free(&dirs);
	mark_collisions(out);
	for (size_t i = 0; i < out->len; i++)
		if (!out->items[i].error)
			gen_load_project_file(root, &out->items[i]);
	for (size_t i = 0; i < out->len; i++)
		if (!out->items[i].namespace)
			out->items[i].namespace = tend_xstrdup(out->items[i].name);
	mark_shared_namespaces(out);
	return 0;
}

/* ---- the projects of a tree from those of the tree before a change ---- */

static void strvec_copy(const tend_strvec *from, tend_strvec *to)
{
	*to = (tend_strvec)TEND_STRVEC_INIT;
	for (size_t i = 0; i < from->len; i++)
		tend_strvec_push(to, from->items[i]);
}

static char *dup_or_null(const char *s)
{
	return s ? tend_xstrdup(s) : NULL;
}

/* A copy of a project as its project.yaml left it: without what comparing
 * it with the others adds (conflict), which is found again. */
static void copy_loaded(const tend_project *from, tend_project *to)
{
	memset(to, 0, sizeof(*to));
	to->name = tend_xstrdup(from->name);
	to->dir = tend_xstrdup(from->dir);
	to->namespace = dup_or_null(from->namespace);
	to->group = dup_or_null(from->group);
	to->contact = dup_or_null(from->contact);
	to->description = dup_or_null(from->description);
	strvec_copy(&from->owners, &to->owners);
	to->grants = tend_xcalloc(from->n_grants + 1, sizeof(*to->grants));
	for (size_t g = 0; g < from->n_grants; g++) {
		to->grants[g] = from->grants[g];
		to->grants[g].addon = dup_or_null(from->grants[g].addon);
		to->grants[g].until = dup_or_null(from->grants[g].until);
		to->grants[g].reason = dup_or_null(from->grants[g].reason);
	}
	to->n_grants = from->n_grants;
	strvec_copy(&from->param_names, &to->param_names);
	strvec_copy(&from->param_values, &to->param_values);
	to->trusted = from->trusted;
	to->substitute = from->substitute;
	to->name_by_path = from->name_by_path;
	to->suspend = from->suspend;
	to->self_heal = from->self_heal;
	to->suspend_line = from->suspend_line;
	to->self_heal_line = from->self_heal_line;
	to->meta_file = dup_or_null(from->meta_file);
	to->error = dup_or_null(from->error);
}

/* Whether the walk would list rel: every segment a directory (not a link),
 * none starting with '.', at most max_depth of them. */
static bool walk_lists(const char *root, const char *rel, int max_depth)
{
	if (segments(rel) > max_depth)
		return false;
	char *path = tend_xasprintf("%s/%s", root, rel);
	char *seg = path + strlen(root) + 1;
	bool ok = true;
	for (char *p = seg; ok; p++) {
		if (p == seg || p[-1] == '\0' || p[-1] == '/')
			ok = *p != '.';
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			tend_fs_kind kind;
			ok = ok && tend_fs_path_lstat(path, &kind) == 0 && kind == TEND_FS_DIR;
			*p = c;
			if (!c)
				break;
		}
	}
	free(path);
	return ok;
}

static int by_dir(const void *a, const void *b)
{
	return strcmp(((const tend_project *)a)->dir, ((const tend_project *)b)->dir);
}

/* Frees what a project holds (not the struct). */
static void project_clear(tend_project *p)
{
	free(p->name);
	free(p->dir);
	free(p->namespace);
	free(p->group);
	free(p->contact);
	free(p->description);
	tend_strvec_free(&p->owners);
	for (size_t g = 0; g < p->n_grants; g++) {
		free(p->grants[g].addon);
		free(p->grants[g].until);
		free(p->grants[g].reason);
	}
	free(p->grants);
	tend_strvec_free(&p->param_names);
	tend_strvec_free(&p->param_values);
	free(p->meta_file);
	free(p->error);
	free(p->conflict);
	free(p->collides_with);
	memset(p, 0, sizeof(*p));
}

/* A project a collision makes unusable holds nothing of its project.yaml
 * (as tend_generator_run, which never reads it). */
static void forget_loaded(tend_project *p)
{
	tend_project keep = {.name = p->name,
	                     .dir = p->dir,
	                     .trusted = p->trusted,
	                     .substitute = p->substitute,
	                     .name_by_path = p->name_by_path};
	p->name = p->dir = NULL;
	project_clear(p);
	*p = keep;
}

int tend_generator_update(const tend_generator_rule *rules, size_t n_rules, const char *root,
                          const tend_projects *prev, const tend_strvec *changed, tend_projects *out)
{
	int max_depth = 1;
	for (size_t r = 0; r < n_rules; r++)
		for (size_t i = 0; i < rules[r].directories.len; i++)
			if (segments(rules[r].directories.items[i]) > max_depth)
				max_depth = segments(rules[r].directories.items[i]);
	/* the directories a change may have made, unmade or altered */
	tend_strset redo = TEND_STRSET_INIT;
	tend_strvec order = TEND_STRVEC_INIT;
	for (size_t c = 0; c < changed->len; c++) {
		const char *p = changed->items[c];
		if (strncmp(p, "../", 3) == 0)
			continue;
		for (const char *slash = p;; slash++) {
			slash = strchr(slash, '/');
			/* each directory above it, and the path itself (a link, say) */
			char *dir = slash ? tend_xstrndup(p, (size_t)(slash - p)) : tend_xstrdup(p);
			if (segments(dir) <= max_depth && tend_strset_add(&redo, dir))
				tend_strvec_push(&order, dir);
			free(dir);
			if (!slash)
				break;
		}
	}
	/* a collision is judged again: the other side may be gone */
	for (size_t i = 0; i < prev->len; i++)
		if (prev->items[i].collides_with && tend_strset_add(&redo, prev->items[i].dir))
			tend_strvec_push(&order, prev->items[i].dir);
	memset(out, 0, sizeof(*out));
	size_t cap = prev->len + order.len + 1;
	out->items = tend_xcalloc(cap, sizeof(*out->items));
	for (size_t i = 0; i < prev->len; i++)
		if (!tend_strset_has(&redo, prev->items[i].dir))
			copy_loaded(&prev->items[i], &out->items[out->len++]);
	for (size_t i = 0; i < order.len; i++) {
		const char *dir = order.items[i];
		if (!walk_lists(root, dir, max_depth))
			continue;
		for (size_t r = 0; r < n_rules; r++) {
			if (!matches_any(&rules[r].directories, dir) ||
			    matches_any(&rules[r].exclude, dir))
				continue;
			if (!is_project_dir(root, dir))
				break;
			add_project(out, &cap, dir, &rules[r]);
			tend_project *p = &out->items[out->len - 1];
			if (!p->error)
				gen_load_project_file(root, p);
			break;
		}
	}
	tend_strset_free(&redo);
	tend_strvec_free(&order);
	if (out->len)
		qsort(out->items, out->len, sizeof(*out->items), by_dir);
	/* colliding names: as tend_generator_run, nothing of project.yaml */
	keyed *k = tend_xcalloc(out->len + 1, sizeof(*k));
	for (size_t i = 0; i < out->len; i++)
		k[i] = (keyed){out->items[i].name, i};
	qsort(k, out->len, sizeof(*k), by_key);
	for (size_t i = 0; i < out->len; i++) {
		bool twin = (i > 0 && strcmp(k[i].key, k[i - 1].key) == 0) ||
		            (i + 1 < out->len && strcmp(k[i].key, k[i + 1].key) == 0);
		tend_project *p = &out->items[k[i].index];
		char *named = twin ? project_name(p) : NULL;
		if (named) /* a name error is the directory's own, and stays */
			forget_loaded(p);
		free(named);
	}
	free(k);
	mark_collisions(out);
	for (size_t i = 0; i < out->len; i++)
		if (!out->items[i].namespace)
			out->items[i].namespace = tend_xstrdup(out->items[i].name);
	mark_shared_namespaces(out);
	return 0;
}

const tend_project *tend_projects_find(const tend_projects *p, const char *name)
{
	for (size_t i = 0; i < p->len; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	return NULL;
}

void tend_projects_free(tend_projects *ps)
{
	for (size_t i = 0; i < ps->len; i++)
		project_clear(&ps->items[i]);
	free(ps->items);
	ps->items = NULL;
	ps->len = 0;
}

void tend_project_variables(const tend_project *p, tend_strvec *names, tend_strvec *values)
{
	tend_strvec_push(names, "project");
	tend_strvec_push(values, p->name);
	tend_strvec_push(names, "namespace");
	tend_strvec_push(values, p->namespace ? p->namespace : p->name);
	tend_strvec_push(names, "path");
	tend_strvec_push(values, p->dir);
	if (p->group) {
		tend_strvec_push(names, "group");
		tend_strvec_push(values, p->group);
	}
	for (size_t i = 0; i < p->param_names.len; i++) {
		tend_strvec_push(names, p->param_names.items[i]);
		tend_strvec_push(values, p->param_values.items[i]);
	}
}
