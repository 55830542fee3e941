/*
 * saved.c — the projects of a commit's tree, kept in a file: a review of a
 * change from that commit (`tend check --base`, `tend preview`) starts from
 * them and reads only the directories the change touched, not every
 * project.yaml of the repository.
 *
 * The file is JSON: {"format": SAVED_FORMAT, "build": TEND_BUILD_ID,
 * "rules": "...", "projects": [...]}, every field of tend_project that is
 * not its default (false, 0, empty, NULL). It is taken only when written by
 * this build of tend (so a generator that changed between builds never
 * reads a list the old one made) under the same generator rules; anything
 * else (absent, truncated, edited, another build) is refused and the caller
 * generates the list again. Bump SAVED_FORMAT when the file's layout
 * changes (builds outside Git share the version as their build id).
 *
 * Invariant: a loaded list equals what tend_generator_run gave when it was
 * saved; a file is replaced whole (written aside, then renamed).
 */
#include "generator_internal.h"

#include "build_id.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define SAVED_FORMAT 1
/* A list of 100,000 projects with long descriptions stays well under this. */
#define SAVED_MAX_BYTES ((size_t)256 << 20)

/* The generator rules as one string: a saved list is only as good as the
 * rules that made it. */
static char *rules_key(const tend_generator_rule *rules, size_t n_rules)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t r = 0; r < n_rules; r++) {
		cJSON *o = cJSON_CreateObject(), *dirs = cJSON_CreateArray(),
		      *excl = cJSON_CreateArray();
		for (size_t i = 0; i < rules[r].directories.len; i++)
			cJSON_AddItemToArray(dirs,
			                     cJSON_CreateString(rules[r].directories.items[i]));
		for (size_t i = 0; i < rules[r].exclude.len; i++)
			cJSON_AddItemToArray(excl, cJSON_CreateString(rules[r].exclude.items[i]));
		cJSON_AddItemToObject(o, "d", dirs);
		cJSON_AddItemToObject(o, "x", excl);
		cJSON_AddBoolToObject(o, "t", rules[r].trusted);
		cJSON_AddBoolToObject(o, "s", rules[r].substitute);
		cJSON_AddBoolToObject(o, "p", rules[r].name_by_path);
		cJSON_AddItemToArray(a, o);
	}
	char *key = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return key;
}

static void add_string(cJSON *o, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, key, value);
}

/* Defaults are left out (most projects have no owners, grants or options):
 * the file is read at every review, so its size is its cost. */
static void add_strings(cJSON *o, const char *key, const tend_strvec *v)
{
	if (!v->len)
		return;
	cJSON *a = cJSON_AddArrayToObject(o, key);
	for (size_t i = 0; i < v->len; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v->items[i]));
}

static void add_true(cJSON *o, const char *key, bool value)
{
	if (value)
		cJSON_AddTrueToObject(o, key);
}

static void add_line(cJSON *o, const char *key, int line)
{
	if (line)
		cJSON_AddNumberToObject(o, key, line);
}

static cJSON *project_json(const tend_project *p)
{
	cJSON *o = cJSON_CreateObject();
	add_string(o, "name", p->name);
	add_string(o, "dir", p->dir);
	add_string(o, "namespace", p->namespace);
	add_string(o, "group", p->group);
	add_string(o, "contact", p->contact);
	add_string(o, "description", p->description);
	add_strings(o, "owners", &p->owners);
	cJSON *grants = p->n_grants ? cJSON_AddArrayToObject(o, "grants") : NULL;
	for (size_t g = 0; g < p->n_grants; g++) {
		cJSON *e = cJSON_CreateObject();
		add_string(e, "addon", p->grants[g].addon);
		add_string(e, "until", p->grants[g].until);
		add_string(e, "reason", p->grants[g].reason);
		add_line(e, "line", p->grants[g].line);
		cJSON_AddItemToArray(grants, e);
	}
	add_strings(o, "paramNames", &p->param_names);
	add_strings(o, "paramValues", &p->param_values);
	add_true(o, "trusted", p->trusted);
	add_true(o, "substitute", p->substitute);
	add_true(o, "nameByPath", p->name_by_path);
	add_true(o, "suspend", p->suspend);
	add_true(o, "selfHeal", p->self_heal);
	add_line(o, "suspendLine", p->suspend_line);
	add_line(o, "selfHealLine", p->self_heal_line);
	add_string(o, "metaFile", p->meta_file);
	add_string(o, "error", p->error);
	add_string(o, "conflict", p->conflict);
	add_string(o, "collidesWith", p->collides_with);
	return o;
}

int tend_projects_save(const tend_projects *ps, const tend_generator_rule *rules, size_t n_rules,
                       const char *path)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "format", SAVED_FORMAT);
	cJSON_AddStringToObject(doc, "build", TEND_BUILD_ID);
	char *key = rules_key(rules, n_rules);
	cJSON_AddStringToObject(doc, "rules", key);
	free(key);
	cJSON *list = cJSON_AddArrayToObject(doc, "projects");
	for (size_t i = 0; i < ps->len; i++)
		cJSON_AddItemToArray(list, project_json(&ps->items[i]));
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!text)
		return tend_err("%s: out of memory printing the project list", path);
	int rc = tend_file_replace(path, text, strlen(text));
	free(text);
	return rc;
}

/* ---- loading: every field checked, nothing taken on trust ---- */

typedef struct reader {
	const char *error; /* the first problem, NULL while none */
} reader;

/* A string field: required ones must be there; NULL when absent. */
static char *string_at(reader *r, const cJSON *o, const char *key, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v && !required)
		return NULL;
	if (!cJSON_IsString(v) || !v->valuestring) {
		r->error = r->error ? r->error : key;
		return NULL;
	}
	return tend_xstrdup(v->valuestring);
}

static bool bool_at(reader *r, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (v && !cJSON_IsBool(v))
		r->error = r->error ? r->error : key;
	return cJSON_IsTrue(v);
}

static int line_at(reader *r, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	double d = !v ? 0 : cJSON_IsNumber(v) ? v->valuedouble : -1;
	if (!(d >= 0 && d <= 1e9 && d == (int)d)) {
		r->error = r->error ? r->error : key;
		return 0;
	}
	return (int)d;
}

static void strings_at(reader *r, const cJSON *o, const char *key, tend_strvec *out)
{
	*out = (tend_strvec)TEND_STRVEC_INIT;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	if (a && !cJSON_IsArray(a)) {
		r->error = r->error ? r->error : key;
		return;
	}
	cJSON_ArrayForEach(e, a)
	{
		if (!cJSON_IsString(e) || !e->valuestring) {
			r->error = r->error ? r->error : key;
			return;
		}
		tend_strvec_push(out, e->valuestring);
	}
}

static void read_project(reader *r, const cJSON *o, tend_project *p)
{
	memset(p, 0, sizeof(*p));
	if (!cJSON_IsObject(o)) {
		r->error = "projects";
		return;
	}
	p->name = string_at(r, o, "name", true);
	p->dir = string_at(r, o, "dir", true);
	p->namespace = string_at(r, o, "namespace", true);
	p->group = string_at(r, o, "group", false);
	p->contact = string_at(r, o, "contact", false);
	p->description = string_at(r, o, "description", false);
	strings_at(r, o, "owners", &p->owners);
	const cJSON *grants = cJSON_GetObjectItemCaseSensitive(o, "grants"), *e;
	int n = cJSON_IsArray(grants) ? cJSON_GetArraySize(grants) : 0;
	if (grants && !cJSON_IsArray(grants))
		r->error = r->error ? r->error : "grants";
	p->grants = tend_xcalloc((size_t)n + 1, sizeof(*p->grants));
	cJSON_ArrayForEach(e, grants)
	{
		tend_grant *g = &p->grants[p->n_grants++];
		if (!cJSON_IsObject(e)) {
			r->error = r->error ? r->error : "grants";
			continue;
		}
		g->addon = string_at(r, e, "addon", true);
		g->until = string_at(r, e, "until", false);
		g->reason = string_at(r, e, "reason", false);
		g->line = line_at(r, e, "line");
	}
	strings_at(r, o, "paramNames", &p->param_names);
	strings_at(r, o, "paramValues", &p->param_values);
	if (p->param_names.len != p->param_values.len)
		r->error = r->error ? r->error : "paramValues";
	p->trusted = bool_at(r, o, "trusted");
	p->substitute = bool_at(r, o, "substitute");
	p->name_by_path = bool_at(r, o, "nameByPath");
	p->suspend = bool_at(r, o, "suspend");
	p->self_heal = bool_at(r, o, "selfHeal");
	p->suspend_line = line_at(r, o, "suspendLine");
	p->self_heal_line = line_at(r, o, "selfHealLine");
	p->meta_file = string_at(r, o, "metaFile", false);
	p->error = string_at(r, o, "error", false);
	p->conflict = string_at(r, o, "conflict", false);
	p->collides_with = string_at(r, o, "collidesWith", false);
}

int tend_projects_load_text(const char *text, size_t len, const tend_generator_rule *rules,
                            size_t n_rules, tend_projects *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(doc, "format");
	const cJSON *build = cJSON_GetObjectItemCaseSensitive(doc, "build");
	const cJSON *saved_rules = cJSON_GetObjectItemCaseSensitive(doc, "rules");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "projects");
	char *key = rules_key(rules, n_rules);
	const char *why = NULL;
	if (!doc)
		why = "not JSON";
	else if (!cJSON_IsNumber(format) || format->valuedouble != SAVED_FORMAT)
		why = "another format";
	else if (!cJSON_IsString(build) || strcmp(build->valuestring, TEND_BUILD_ID) != 0)
		why = "written by another build of tend";
	else if (!cJSON_IsString(saved_rules) || strcmp(saved_rules->valuestring, key) != 0)
		why = "other generator rules";
	else if (!cJSON_IsArray(list))
		why = "no project list";
	free(key);
	reader r = {why};
	int n = r.error ? 0 : cJSON_GetArraySize(list);
	out->items = tend_xcalloc((size_t)n + 1, sizeof(*out->items));
	const cJSON *e;
	if (!r.error)
		cJSON_ArrayForEach(e, list) read_project(&r, e, &out->items[out->len++]);
	cJSON_Delete(doc);
	if (r.error) {
		tend_projects_free(out);
		return tend_err("saved project list: %s", r.error);
	}
	return 0;
}

int tend_projects_load(const char *path, const tend_generator_rule *rules, size_t n_rules,
                       tend_projects *out)
{
	memset(out, 0, sizeof(*out));
	tend_buf b = TEND_BUF_INIT;
	if (tend_file_read(path, SAVED_MAX_BYTES, &b)) {
		tend_buf_free(&b);
		return -1;
	}
	int rc = tend_projects_load_text(b.data ? b.data : "", b.len, rules, n_rules, out);
	tend_buf_free(&b);
	return rc ? tend_err_prefix("%s: ", path) : 0;
}
