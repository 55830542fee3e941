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

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const FIELDS[] = {"resources",    "bases",      "components", "generators",
                                     "transformers", "validators", NULL};
static const char *const NAMES[] = {"kustomization.yaml", "kustomization.yml", "Kustomization",
                                    NULL};

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void load_kustomization(const char *abs, tend_docs *docs)
{
	for (int i = 0; NAMES[i]; i++) {
		char *f = tend_xasprintf("%s/%s", abs, NAMES[i]);
		int rc = tend_doc_load_file(f, docs);
		free(f);
		if (rc == 0)
			return;
		tend_docs_free(docs);
	}
	tend_err_clear();
}

static void visit(const char *root, const char *dir, tend_strset *seen, tend_strvec *out)
{
	if (!tend_strset_add(seen, dir))
		return;
	tend_strvec_push(out, dir);
	char *abs = tend_xasprintf("%s/%s", root, dir);
	tend_docs docs = TEND_DOCS_INIT;
	load_kustomization(abs, &docs);
	const cJSON *k = docs.len ? docs.items[0].root : NULL;
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
				visit(root, next, seen, out);
			free(joined);
			free(next);
			free(next_abs);
		}
	}
	tend_docs_free(&docs);
	free(abs);
}

void tend_review_inputs(const char *root, const char *dir, tend_strvec *out)
{
	tend_strset seen = TEND_STRSET_INIT;
	char *start = tend_path_clean(dir);
	visit(root, start, &seen, out);
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
	for (size_t i = 0; i < ps->len; i++) {
		tend_strvec inputs = TEND_STRVEC_INIT;
		tend_review_inputs(root, ps->items[i].dir, &inputs);
		affected[i] = tend_review_touches(&inputs, changed);
		tend_strvec_free(&inputs);
	}
}
