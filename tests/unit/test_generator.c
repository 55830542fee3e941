/*
 * test_generator.c — the directory generator on real directory trees:
 * globs with include/exclude, dot directories, name normalisation and
 * collisions, project.yaml validation, and post-build substitution.
 */
#include "test.h"

#include "lib/doc/doc.h"
#include "lib/generator/generator.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void mk(const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	if (content) {
		FILE *f = fopen(path, "w");
		fputs(content, f);
		fclose(f);
	} else {
		mkdir(path, 0755);
	}
}

static void fresh_tree(void)
{
	if (root[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		CHECK_INT(0, system(cmd));
	}
	strcpy(root, "/tmp/tend-gen-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
}

static tend_generator_rule rule(const char *inc, const char *exc)
{
	tend_generator_rule r = {0};
	tend_strvec_push(&r.directories, inc);
	if (exc)
		tend_strvec_push(&r.exclude, exc);
	return r;
}

static void free_rule(tend_generator_rule *r)
{
	tend_strvec_free(&r->directories);
	tend_strvec_free(&r->exclude);
}

TEST(globs_include_exclude_and_dot_dirs)
{
	fresh_tree();
	mk("projects/beta/kustomization.yaml", "resources: []\n");
	mk("projects/alpha/kustomization.yaml", "resources: []\n");
	mk("projects/_archive/old/kustomization.yaml", "resources: []\n");
	mk("projects/.hidden/kustomization.yaml", "resources: []\n");
	mk("projects/alpha/nested/kustomization.yaml", "resources: []\n");
	mk("projects/_archive/kustomization.yaml", "resources: []\n");
	tend_generator_rule r = rule("projects/*", "projects/_archive*");
	tend_projects ps;
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	CHECK_INT(2, ps.len);
	if (ps.len == 2) {
		CHECK_STR("alpha", ps.items[0].name);
		CHECK_STR("projects/alpha", ps.items[0].dir);
		CHECK_STR("alpha", ps.items[0].namespace);
		CHECK_STR("beta", ps.items[1].name);
	}
	tend_projects_free(&ps);
	free_rule(&r);
	/* exclude wins even when it matches exactly what include matches */
	r = rule("projects/*", "projects/*");
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	CHECK_INT(0, ps.len);
	tend_projects_free(&ps);
	free_rule(&r);
}

TEST(names_are_normalised_and_collisions_reported)
{
	fresh_tree();
	mk("projects/My_Lab/kustomization.yaml", "resources: []\n");
	mk("projects/my-lab/kustomization.yaml", "resources: []\n");
	mk("projects/HPC/kustomization.yaml", "resources: []\n");
	char *n = tend_generator_normalize_name("--Deep_Learning.Lab--");
	CHECK_STR("deep-learning-lab", n);
	free(n);
	CHECK(tend_generator_normalize_name("___") == NULL);
	tend_generator_rule r = rule("projects/*", NULL);
	tend_projects ps;
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	CHECK_INT(3, ps.len);
	const tend_project *hpc = tend_projects_find(&ps, "hpc");
	CHECK(hpc && !hpc->error);
	int collided = 0;
	for (size_t i = 0; i < ps.len; i++)
		if (ps.items[i].error && strstr(ps.items[i].error, "projects/My_Lab") &&
		    strstr(ps.items[i].error, "projects/my-lab"))
			collided++;
	CHECK_INT(2, collided);
	tend_projects_free(&ps);
	free_rule(&r);
}

/* Three directories making one name and three projects sharing a namespace,
 * among others: each is told of the first other one, in directory order
 * (the pairs are found by sorting, not by comparing all of them). */
TEST(collisions_name_the_first_partner)
{
	fresh_tree();
	mk("projects/a-lab/kustomization.yaml", "resources: []\n");
	mk("projects/A_Lab/kustomization.yaml", "resources: []\n");
	mk("projects/a_lab/kustomization.yaml", "resources: []\n");
	mk("projects/b/project.yaml", "namespace: shared\n");
	mk("projects/c/kustomization.yaml", "resources: []\n");
	mk("projects/d/project.yaml", "namespace: shared\n");
	mk("projects/e/project.yaml", "namespace: shared\n");
	tend_generator_rule r = rule("projects/*", NULL);
	tend_projects ps;
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	CHECK_INT(7, ps.len);
	/* sorted by directory: A_Lab, a-lab, a_lab, b, c, d, e */
	CHECK_STR("projects/a-lab", ps.items[0].collides_with);
	CHECK_STR("projects/A_Lab", ps.items[1].collides_with);
	CHECK_STR("projects/A_Lab", ps.items[2].collides_with);
	CHECK(ps.items[4].conflict == NULL);
	CHECK_CONTAINS(ps.items[3].conflict, "(projects/d)");
	CHECK_CONTAINS(ps.items[5].conflict, "(projects/b)");
	CHECK_CONTAINS(ps.items[6].conflict, "(projects/b)");
	tend_projects_free(&ps);
	free_rule(&r);
}

/* naming: path names a project by its whole path, so a layout of apps/NAME/app
 * is not 84 projects called app; by base name the clash says how out. */
TEST(naming_by_path)
{
	fresh_tree();
	mk("apps/x/app/kustomization.yaml", "resources: []\n");
	mk("apps/y/app/kustomization.yaml", "resources: []\n");
	mk("apps/Y/app/kustomization.yaml", "resources: []\n");
	tend_generator_rule r = rule("apps/*/app", NULL);
	tend_projects ps;
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	CHECK_INT(3, ps.len);
	CHECK_CONTAINS(ps.items[0].error, "(projects[].naming: path in tend.yaml)");
	tend_projects_free(&ps);
	r.name_by_path = true;
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	CHECK_INT(3, ps.len);
	CHECK(tend_projects_find(&ps, "apps-x-app") != NULL);
	CHECK(tend_projects_find(&ps, "apps-x-app")->error == NULL);
	CHECK_STR("apps-x-app", tend_projects_find(&ps, "apps-x-app")->namespace);
	/* apps/Y/app and apps/y/app still make one name: both are told, without the hint */
	const tend_project *y = tend_projects_find(&ps, "apps-y-app");
	CHECK(y != NULL && y->error != NULL);
	CHECK_CONTAINS(y->error, "both make project \"apps-y-app\"; rename one of them");
	CHECK(strstr(y->error, "naming: path") == NULL);
	tend_projects_free(&ps);
	free_rule(&r);
}

/* A directory with neither a kustomization nor a project.yaml is not a project. */
TEST(directories_without_a_kustomization_are_not_projects)
{
	fresh_tree();
	mk("projects/notes/README.md", "meeting notes\n");
	mk("projects/empty", NULL);
	mk("projects/a/Kustomization", "resources: []\n");
	mk("projects/b/kustomization.yml", "resources: []\n");
	mk("projects/c/project.yaml", "namespace: c\n");
	tend_generator_rule r = rule("projects/*", NULL);
	tend_projects ps;
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	CHECK_INT(3, ps.len);
	CHECK(tend_projects_find(&ps, "notes") == NULL);
	CHECK(tend_projects_find(&ps, "empty") == NULL);
	CHECK(tend_projects_find(&ps, "c") != NULL);
	tend_projects_free(&ps);
	free_rule(&r);
}

/* Everything a project holds, as one string, to compare two runs. */
static void describe(const tend_projects *ps, tend_buf *out)
{
	for (size_t i = 0; i < ps->len; i++) {
		const tend_project *p = &ps->items[i];
		tend_buf_printf(
		    out, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d%d%d|s%d:%d|h%d:%d|", p->name, p->dir,
		    p->namespace, p->group ? p->group : "-", p->contact ? p->contact : "-",
		    p->description ? p->description : "-", p->meta_file ? p->meta_file : "-",
		    p->error ? p->error : "-", p->conflict ? p->conflict : "-",
		    p->collides_with ? p->collides_with : "-", p->trusted, p->substitute,
		    p->name_by_path, p->suspend, p->suspend_line, p->self_heal, p->self_heal_line);
		for (size_t k = 0; k < p->owners.len; k++)
			tend_buf_printf(out, "o=%s,", p->owners.items[k]);
		for (size_t g = 0; g < p->n_grants; g++)
			tend_buf_printf(out, "g=%s:%s:%s:%d,", p->grants[g].addon,
			                p->grants[g].until ? p->grants[g].until : "-",
			                p->grants[g].reason ? p->grants[g].reason : "-",
			                p->grants[g].line);
		for (size_t k = 0; k < p->param_names.len; k++)
			tend_buf_printf(out, "%s=%s,", p->param_names.items[k],
			                p->param_values.items[k]);
		tend_buf_puts(out, "\n");
	}
}

/* The tree a seed and round make: project directories (some colliding by
 * name, some sharing a namespace, some with a bad project.yaml, some with
 * notes and no kustomization, a dot directory, a file where a directory may
 * be), nested teams. */
static void random_tree(const char *dir, unsigned *seed, unsigned present, tend_strvec *files)
{
	static const char *const names[] = {
	    "projects/a",      "projects/b",       "projects/c", "projects/My_Lab",
	    "projects/my-lab", "projects/.hidden", "projects/d", "teams/x/e",
	    "teams/y/f",       "teams/x/g",        "projects/h"};
	static const char *const yamls[] = {
	    NULL,
	    "namespace: shared\n",
	    "owners: [a@b.c]\n",
	    "namespace: Bad_NS\n",
	    "group: g1\nnamespace: h\n",
	    "suspend: true\nselfHeal: false\n"
	    "grants:\n- {addon: gpu-a100, until: 2027-01-31, reason: thesis}\n"};
	char *old = tend_xstrdup(root);
	snprintf(root, sizeof(root), "%s", dir);
	mkdir(root, 0755);
	for (unsigned i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (!(present & (1u << i)))
			continue;
		*seed = *seed * 1103515245u + 12345u;
		const char *y = yamls[(*seed >> 16) % (sizeof(yamls) / sizeof(*yamls))];
		/* one in four holds notes, not a kustomization: a project only by project.yaml */
		bool notes = (*seed >> 24) % 4 == 0;
		char *path = tend_xasprintf("%s/%s", names[i], notes ? "README.md" : "kustomization.yaml");
		mk(path, "resources: []\n");
		tend_strvec_push(files, path);
		tend_strvec_push(files, "resources: []\n");
		free(path);
		if (y) {
			path = tend_xasprintf("%s/project.yaml", names[i]);
			mk(path, y);
			tend_strvec_push(files, path);
			tend_strvec_push(files, y);
			free(path);
		}
	}
	snprintf(root, sizeof(root), "%s", old);
	free(old);
}

/* Paths (pairs path, content in a and b) whose content differs or that only one has. */
static void changed_files(const tend_strvec *a, const tend_strvec *b, tend_strvec *out)
{
	for (int side = 0; side < 2; side++) {
		const tend_strvec *x = side ? b : a, *y = side ? a : b;
		for (size_t i = 0; i < x->len; i += 2) {
			size_t j = 0;
			while (j < y->len && strcmp(y->items[j], x->items[i]) != 0)
				j += 2;
			if (j >= y->len ? true
			                : !side && strcmp(y->items[j + 1], x->items[i + 1]) != 0)
				tend_strvec_push(out, x->items[i]);
		}
	}
}

/* tend_generator_update from the projects before a change equals a fresh
 * run after it, over random trees and changes (projects added, removed,
 * renamed into a collision and out of it, project.yaml edited). */
TEST(update_equals_full_run)
{
	fresh_tree();
	tend_generator_rule rules[2] = {rule("projects/*", NULL), rule("teams/*/*", "teams/y/*")};
	rules[1].trusted = true;
	rules[1].name_by_path = true;
	unsigned seed = 7;
	int differed = 0;
	for (int round = 0; round < 40; round++) {
		char *a = tend_xasprintf("%s/r%da", root, round),
		     *b = tend_xasprintf("%s/r%db", root, round);
		seed = seed * 1103515245u + 12345u;
		unsigned keep = seed;
		unsigned s1 = round, s2 = round;
		tend_strvec fa = TEND_STRVEC_INIT, fb = TEND_STRVEC_INIT;
		random_tree(a, &s1, (keep >> 8) & 0x7ff, &fa);
		seed = seed * 1103515245u + 12345u;
		/* flip a few directories, and edit project.yaml files at round's whim */
		unsigned flip = (seed >> 8) & ((seed >> 20) & 0x7ff);
		s2 = (round % 3) ? round : round + 1;
		random_tree(b, &s2, ((keep >> 8) & 0x7ff) ^ flip, &fb);
		tend_projects before, want, got;
		CHECK_INT(0, tend_generator_run(rules, 2, a, &before));
		CHECK_INT(0, tend_generator_run(rules, 2, b, &want));
		tend_strvec changed = TEND_STRVEC_INIT;
		changed_files(&fa, &fb, &changed);
		tend_strvec_free(&fa);
		tend_strvec_free(&fb);
		CHECK_INT(0, tend_generator_update(rules, 2, b, &before, &changed, &got));
		tend_buf w = TEND_BUF_INIT, g = TEND_BUF_INIT, x = TEND_BUF_INIT;
		describe(&want, &w);
		describe(&got, &g);
		describe(&before, &x);
		CHECK_STR(w.data ? w.data : "", g.data ? g.data : "");
		differed += strcmp(w.data ? w.data : "", x.data ? x.data : "") != 0;
		tend_buf_free(&w);
		tend_buf_free(&g);
		tend_buf_free(&x);
		tend_strvec_free(&changed);
		tend_projects_free(&before);
		tend_projects_free(&want);
		tend_projects_free(&got);
		free(a);
		free(b);
	}
	CHECK(differed >= 20); /* the changes changed the projects */
	free_rule(&rules[0]);
	free_rule(&rules[1]);
}

/* A saved list loads as the list that was saved, over the same random trees
 * (collisions, shared namespaces, errors, grants); anything else is refused:
 * other rules, another format, a truncated or edited file, a missing one. */
TEST(saved_list_round_trips)
{
	fresh_tree();
	tend_generator_rule rules[2] = {rule("projects/*", NULL), rule("teams/*/*", "teams/y/*")};
	rules[1].trusted = true;
	rules[1].name_by_path = true;
	char *file = tend_xasprintf("%s/saved.json", root);
	unsigned seed = 11;
	for (int round = 0; round < 20; round++) {
		char *dir = tend_xasprintf("%s/s%d", root, round);
		seed = seed * 1103515245u + 12345u;
		unsigned s = round;
		tend_strvec files = TEND_STRVEC_INIT;
		random_tree(dir, &s, (seed >> 8) & 0x7ff, &files);
		tend_projects want, got;
		CHECK_INT(0, tend_generator_run(rules, 2, dir, &want));
		CHECK_INT(0, tend_projects_save(&want, rules, 2, file));
		CHECK_INT(0, tend_projects_load(file, rules, 2, &got));
		tend_buf w = TEND_BUF_INIT, g = TEND_BUF_INIT;
		describe(&want, &w);
		describe(&got, &g);
		CHECK_STR(w.data ? w.data : "", g.data ? g.data : "");
		tend_buf_free(&w);
		tend_buf_free(&g);
		tend_projects_free(&got);
		/* the first rule alone made no such list */
		CHECK_INT(-1, tend_projects_load(file, rules, 1, &got));
		CHECK_INT(0, (int)got.len);
		tend_projects_free(&want);
		tend_strvec_free(&files);
		free(dir);
	}
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(0, tend_file_read(file, 1 << 24, &b));
	tend_projects got;
	CHECK_INT(-1, tend_projects_load_text(b.data, b.len / 2, rules, 2, &got)); /* truncated */
	CHECK_CONTAINS(tend_err_msg(), "saved project list: not JSON");
	char *other = tend_xstrdup(b.data);
	char *f = strstr(other, "\"format\":1");
	CHECK(f != NULL);
	if (f) {
		f[9] = '9';
		CHECK_INT(-1, tend_projects_load_text(other, strlen(other), rules, 2, &got));
		CHECK_CONTAINS(tend_err_msg(), "another format");
		f[9] = '1';
	}
	char *t = strstr(other, "\"trusted\":");
	if (t) { /* a field of the wrong type: a number for a boolean */
		memset(t + 10, ' ', t[10] == 't' ? 4 : 5);
		t[10] = '0';
		CHECK_INT(-1, tend_projects_load_text(other, strlen(other), rules, 2, &got));
		CHECK_CONTAINS(tend_err_msg(), "trusted");
	}
	CHECK_INT(-1, tend_projects_load_text("{\"format\":1,\"rules\":[],\"projects\":[{}]}",
	                                      40, rules, 2, &got));
	free(other);
	tend_buf_free(&b);
	char *missing = tend_xasprintf("%s/none.json", root);
	CHECK_INT(-1, tend_projects_load(missing, rules, 2, &got));
	free(missing);
	free(file);
	free_rule(&rules[0]);
	free_rule(&rules[1]);
}

static const tend_project *only(tend_projects *ps)
{
	return ps->len == 1 ? &ps->items[0] : NULL;
}

static char *project_error(const char *yaml)
{
	fresh_tree();
	mk("projects/chem/kustomization.yaml", "resources: []\n");
	mk("projects/chem/project.yaml", yaml);
	tend_generator_rule r = rule("projects/*", NULL);
	tend_projects ps;
	char *e = NULL;
	if (tend_generator_run(&r, 1, root, &ps) == 0 && only(&ps))
		e = tend_xstrdup(only(&ps)->error ? only(&ps)->error : "ok");
	else
		e = tend_xstrdup("generator failed");
	tend_projects_free(&ps);
	free_rule(&r);
	return e;
}

TEST(project_yaml_is_read)
{
	fresh_tree();
	mk("projects/chem/project.yaml",
	   "owners: [alice@lab.example]\ncontact: alice@lab.example\ngroup: chemistry\n"
	   "namespace: chem-lab\ngrants:\n- {addon: gpu-h100, until: 2026-12-31, reason: paper}\n"
	   "parameters: {queue: a100}\n");
	tend_generator_rule r = rule("projects/*", NULL);
	tend_projects ps;
	CHECK_INT(0, tend_generator_run(&r, 1, root, &ps));
	const tend_project *p = only(&ps);
	CHECK(p != NULL);
	if (p) {
		CHECK(p->error == NULL);
		CHECK_STR("chemistry", p->group);
		CHECK_STR("chem-lab", p->namespace);
		CHECK_STR("projects/chem/project.yaml", p->meta_file);
		CHECK_INT(1, p->n_grants);
		if (p->n_grants) {
			CHECK_STR("gpu-h100", p->grants[0].addon);
			CHECK_STR("2026-12-31", p->grants[0].until);
			CHECK_INT(6, p->grants[0].line);
		}
		CHECK_STR("queue", p->param_names.items[0]);
	}
	tend_projects_free(&ps);
	free_rule(&r);
}

TEST(project_yaml_errors_name_the_place)
{
	char *e = project_error("owner: [a]\n");
	CHECK_STR(
	    "projects/chem/project.yaml:1:1: unknown field \"owner\" (did you mean \"owners\"?)",
	    e);
	free(e);
	e = project_error("namespace: Chem_Lab\n");
	CHECK_CONTAINS(e, "projects/chem/project.yaml:1:1: namespace: \"Chem_Lab\" is not a valid");
	free(e);
	e = project_error("grants:\n- addon: gpu-h100\n  until: soon\n  reason: x\n");
	CHECK_STR("projects/chem/project.yaml:3:3: grants[].until: must be a date YYYY-MM-DD", e);
	free(e);
	e = project_error("grants:\n- addon: gpu-h100\n");
	CHECK_CONTAINS(e, "reason is required");
	free(e);
	e = project_error("parameters: {project: x}\n");
	CHECK_CONTAINS(e, "\"project\" is set by tend itself");
	free(e);
	e = project_error("parameters: {replicas: 3}\n");
	CHECK_CONTAINS(e, "parameters.replicas: must be a string");
	free(e);
	e = project_error("group: [a\n");
	CHECK_CONTAINS(e, "projects/chem/project.yaml:");
	free(e);
}

static tend_resmap one_object(const char *yaml)
{
	tend_docs docs = TEND_DOCS_INIT;
	tend_resmap m = TEND_RESMAP_INIT;
	if (tend_doc_load("obj.yaml", yaml, strlen(yaml), &docs) == 0 && docs.len == 1) {
		m.items = calloc(1, sizeof(*m.items));
		m.items[0].obj = docs.items[0].root;
		m.items[0].file = tend_xstrdup("obj.yaml");
		m.items[0].line = 1;
		m.len = m.cap = 1;
		docs.items[0].root = NULL;
	}
	tend_docs_free(&docs);
	return m;
}

TEST(substitution)
{
	tend_project p = {0};
	p.name = "chem";
	p.namespace = "chem-lab";
	p.dir = "projects/chem";
	p.group = "chemistry";
	tend_strvec_push(&p.param_names, "queue");
	tend_strvec_push(&p.param_values, "a100");
	tend_resmap m =
	    one_object("kind: RoleBinding\nmetadata: {name: x, namespace: \"${namespace}\"}\n"
	               "subjects:\n- name: ${group}\n- name: \"q-${queue}-${tier:=gold}\"\n"
	               "- name: $${literal} and $HOME\n- name: \"${none:-}\"\n"
	               "replicas: 3\n");
	CHECK_INT(0, tend_generator_substitute(&p, &m));
	tend_buf out = TEND_BUF_INIT;
	CHECK_INT(0, tend_doc_emit_yaml(m.items[0].obj, &out));
	CHECK_STR(
	    "kind: RoleBinding\nmetadata:\n  name: x\n  namespace: chem-lab\nreplicas: 3\n"
	    "subjects:\n- name: chemistry\n- name: q-a100-gold\n- name: ${literal} and $HOME\n"
	    "- name: \"\"\n",
	    out.data);
	tend_buf_free(&out);
	tend_resmap_free(&m);
	m = one_object("kind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: ${nope}\n");
	CHECK_INT(-1, tend_generator_substitute(&p, &m));
	CHECK_CONTAINS(tend_err_msg(),
	               "obj.yaml:1: ~G_~V_ConfigMap|~X|x: data.a: unknown variable ${nope}");
	tend_resmap_free(&m);
	tend_strvec_free(&p.param_names);
	tend_strvec_free(&p.param_values);
}

int main(void)
{
	RUN(globs_include_exclude_and_dot_dirs);
	RUN(names_are_normalised_and_collisions_reported);
	RUN(collisions_name_the_first_partner);
	RUN(directories_without_a_kustomization_are_not_projects);
	RUN(naming_by_path);
	RUN(update_equals_full_run);
	RUN(saved_list_round_trips);
	RUN(project_yaml_is_read);
	RUN(project_yaml_errors_name_the_place);
	RUN(substitution);
	if (root[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd) != 0)
			return 1;
	}
	TEST_MAIN_END();
}
