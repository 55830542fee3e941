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
 */
#include "review.h"

#include "../doc/doc.h"
#include "../fs/fs.h"

#include <stdlib.h>
#include <string.h>

static const char *const FIELDS[] = {"resources",    "bases",      "components", "generators",
                                     "transformers", "validators", NULL};

struct tend_inputs {
	char *root;
	tend_strvec dirs;      /* directories read, in order of first visit */
	tend_strvec *children; /* children[i]: the directories dirs.items[i] names */
	size_t *slots;         /* open addressing: index + 1 into dirs, 0 when empty */
	size_t cap;            /* a power of two, at least twice dirs.len */
};

static bool is_dir(const char *path)
{
	return tend_fs_path_kind(path) == TEND_FS_DIR;
}

/* The directories one kustomization directory names (read once per tend_inputs). */
static void read_children(const char *root, const char *dir, tend_strvec *out)
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
	for (size_t i = 0; i < in->dirs.len; i++)
		tend_strvec_free(&in->children[i]);
	free(in->children);
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

/* The children of a directory, read on first use: a shared base is read once. */
static const tend_strvec *children_of(tend_inputs *in, const char *dir)
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
		return &in->children[*slot - 1];
	tend_strvec_push(&in->dirs, dir);
	*slot = in->dirs.len;
	in->children = tend_xrealloc(in->children, in->dirs.len * sizeof(*in->children));
	tend_strvec *c = &in->children[in->dirs.len - 1];
	*c = (tend_strvec)TEND_STRVEC_INIT;
	read_children(in->root, dir, c);
	return c;
}

static void visit(tend_inputs *in, const char *dir, tend_strset *seen, tend_strvec *out)
{
	if (!tend_strset_add(seen, dir))
		return;
	tend_strvec_push(out, dir);
	const tend_strvec *kids = children_of(in, dir);
	/* copy: visiting may grow in->children and move the vector */
	tend_strvec copy = TEND_STRVEC_INIT;
	for (size_t i = 0; i < kids->len; i++)
		tend_strvec_push(&copy, kids->items[i]);
	for (size_t i = 0; i < copy.len; i++)
		visit(in, copy.items[i], seen, out);
	tend_strvec_free(&copy);
}

void tend_inputs_of(tend_inputs *in, const char *dir, tend_strvec *out)
{
	tend_strset seen = TEND_STRSET_INIT;
	char *start = tend_path_clean(dir);
	visit(in, start, &seen, out);
	free(start);
	tend_strset_free(&seen);
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

void tend_review_affected(const tend_projects *ps, const char *root, const tend_strvec *changed,
                          bool *affected)
{
	tend_inputs *in = tend_inputs_new(root);
	for (size_t i = 0; i < ps->len; i++) {
		tend_strvec inputs = TEND_STRVEC_INIT;
		tend_inputs_of(in, ps->items[i].dir, &inputs);
		affected[i] = tend_review_touches(&inputs, changed);
		tend_strvec_free(&inputs);
	}
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
		*everything |= (config_rel && strcmp(p, config_rel) == 0) ||
		               strcmp(p, TEND_GUARD_FILE) == 0;
		tend_strvec_push(out, p);
		free(p);
	}
	tend_strvec_free(&changed);
	return 0;
}
