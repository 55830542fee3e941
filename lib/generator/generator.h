/*
 * generator.h — the directory generator: which directories of a config
 * repo are tenant projects, their names, their project.yaml metadata and
 * the parameters post-build substitution offers them.
 *
 * Globs follow Argo CD's Git directory generator: Go path.Match, `*` is one
 * path segment, exclude always wins, directories whose name starts with '.'
 * are skipped, order is by path. A project's name is its directory's base
 * name normalised to a DNS label.
 *
 * Memory: tend_projects owns everything until tend_projects_free().
 */
#ifndef TEND_GENERATOR_H
#define TEND_GENERATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "../doc/doc.h"
#include "../kustomize/kustomize.h"
#include "../util/util.h"

typedef struct tend_grant {
	char *addon;
	char *until;  /* YYYY-MM-DD, or NULL for no end */
	char *reason;
	int line;     /* in project.yaml */
} tend_grant;

typedef struct tend_project {
	char *name;      /* normalised, unique */
	char *dir;       /* path relative to the repo root */
	char *namespace; /* project.yaml `namespace`, default: the name */
	char *group;     /* tenant group (project.yaml), or NULL */
	char *contact;
	char *description;
	tend_strvec owners;
	tend_grant *grants;
	size_t n_grants;
	tend_strvec param_names; /* project.yaml `parameters`, in file order */
	tend_strvec param_values;
	bool trusted;
	bool substitute;
	bool name_by_path; /* named by its whole path (projects[].naming: path) */
	/* project.yaml `suspend` and `selfHeal` (sync options the admins allow
	 * with sync.projectOptions); *_line: where set, 0 when not. */
	bool suspend, self_heal;
	int suspend_line, self_heal_line;
	char *meta_file; /* relative path of project.yaml, or NULL */
	char *error;     /* set when this project cannot be used (others still can) */
	/* Another project of the tree uses the same namespace (both sides set):
	 * `tend check` refuses it; the daemon keeps the project that had it. */
	char *conflict;
	/* With error: the other directory whose name normalises to the same project. */
	char *collides_with;
} tend_project;

typedef struct tend_projects {
	tend_project *items;
	size_t len;
} tend_projects;

/* Finds the projects under `root`. Fails only when root cannot be read;
 * per-project problems (bad project.yaml, a name collision) set ->error. */
int tend_generator_run(const tend_generator_rule *rules, size_t n_rules, const char *root,
		       tend_projects *out);
/*
 * The projects under `root` after a change, from those before it (`prev`,
 * a tend_generator_run or tend_generator_update result with the same
 * rules): only the directories holding a changed path (relative to root)
 * are listed and their project.yaml read again, so a commit costs what it
 * touched; collisions and shared namespaces are judged anew over all. The
 * result equals tend_generator_run's at root (a project.yaml that is a
 * symlink to a file elsewhere is read again only when its directory
 * changes).
 */
int tend_generator_update(const tend_generator_rule *rules, size_t n_rules, const char *root,
                          const tend_projects *prev, const tend_strvec *changed,
                          tend_projects *out);
void tend_projects_free(tend_projects *p);

/*
 * A generator result kept in a file (saved.c), so that a review of a change
 * from a commit starts from that commit's projects instead of reading every
 * project.yaml again. tend_projects_load takes only a file written by this
 * version under the same rules and checks every field; otherwise it fails
 * (the caller generates the list again). Paths are the caller's cache.
 */
int tend_projects_save(const tend_projects *ps, const tend_generator_rule *rules, size_t n_rules,
                       const char *path);
int tend_projects_load(const char *path, const tend_generator_rule *rules, size_t n_rules,
                       tend_projects *out);
/* The same from text in memory (the fuzz target's entry). */
int tend_projects_load_text(const char *text, size_t len, const tend_generator_rule *rules,
                            size_t n_rules, tend_projects *out);
const tend_project *tend_projects_find(const tend_projects *p, const char *name);

/* Normalises a directory base name (or a path: '/' becomes '-') to a DNS
 * label (caller frees); NULL if nothing is left. */
char *tend_generator_normalize_name(const char *basename);

/* Substitution variables of a project: project, namespace, group, path, and parameters. */
void tend_project_variables(const tend_project *p, tend_strvec *names, tend_strvec *values);

/*
 * Post-build substitution, as Flux's postBuild.substitute: in every string
 * value, ${var} and ${var:=default} are replaced, $${var} gives a literal
 * ${var}. An unknown variable without a default is an error naming the
 * object and the variable.
 */
int tend_generator_substitute(const tend_project *p, tend_resmap *m);

/*
 * Renders one project of the tree at `root`: the kustomize build of its
 * directory, then substitution when the project's generator enables it.
 * Fails (message prefixed with the project name) for a project with ->error.
 */
int tend_project_render(const tend_project *p, const char *root, const tend_kustomize_opts *opts,
			tend_resmap *out);

/*
 * Loads the kustomization file of `dir` under `root` (kustomization.yaml,
 * .yml or Kustomization). Returns its path relative to root (caller frees),
 * or NULL, with docs empty, when there is none or it does not parse.
 */
char *tend_kustomization_load(const char *root, const char *dir, tend_docs *docs);

/* The add-on a `components:` entry names: its directory's base name
 * ("../../../overlays/gpu-t4/" -> "gpu-t4"). Caller frees. */
char *tend_component_name(const char *entry);

#endif
