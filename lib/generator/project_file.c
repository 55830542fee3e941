/*
 * project_file.c — project.yaml: a project's metadata beside its
 * kustomization. It is validated strictly, exposed as parameters and never
 * sent to the cluster.
 *
 *   owners: [alice@lab.example]     contact: alice@lab.example
 *   group: chemistry                namespace: chem      (default: project name)
 *   description: "..."
 *   grants:
 *   - {addon: gpu-h100, until: 2026-12-31, reason: "paper deadline"}
 *   parameters: {queue: a100}       (extra ${vars} for substitution)
 *
 * Invariant: any problem sets p->error to one message naming file:line:col
 * and field; a project with an error is never rendered or applied.
 */
#include "generator_internal.h"

#include "../doc/doc.h"
#include "../fs/fs.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_error(tend_project *p, const char *file, const cJSON *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_error(tend_project *p, const char *file, const cJSON *node, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(p->error);
	if (tend_doc_col(node))
		p->error = tend_xasprintf("%s:%d:%d: %s", file, tend_doc_line(node),
					  tend_doc_col(node), msg);
	else /* numbers carry no column */
		p->error = tend_xasprintf("%s:%d: %s", file, tend_doc_line(node), msg);
}

static bool dns_label(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return true;
}

static bool var_name(const char *s)
{
	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

/* A date as YYYY-MM-DD; the loader turns unquoted dates into timestamps. */
static char *date_of(const cJSON *v)
{
	if (!cJSON_IsString(v))
		return NULL;
	const char *s = v->valuestring;
	if (strlen(s) < 10)
		return NULL;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return NULL;
	if (s[10] != '\0' && strcmp(s + 10, "T00:00:00Z") != 0)
		return NULL;
	return tend_xstrndup(s, 10);
}

static bool string_field(tend_project *p, const char *file, const cJSON *obj, const char *key,
			 char **dst)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return true;
	if (!cJSON_IsString(v) || !v->valuestring[0]) {
		set_error(p, file, v, "%s: must be a non-empty string", key);
		return false;
	}
	*dst = tend_xstrdup(v->valuestring);
	return true;
}

/* A boolean field; *line receives where it was set (0: absent). */
static bool bool_field(tend_project *p, const char *file, const cJSON *obj, const char *key,
		       bool *dst, int *line)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return true;
	if (!cJSON_IsBool(v)) {
		set_error(p, file, v, "%s: must be true or false", key);
		return false;
	}
	*dst = cJSON_IsTrue(v);
	*line = tend_doc_line(v) ? tend_doc_line(v) : 1;
	return true;
}

static bool load_grants(tend_project *p, const char *file, const cJSON *grants)
{
	static const char *const keys[] = {"addon", "until", "reason", NULL};
	if (!cJSON_IsArray(grants)) {
		set_error(p, file, grants, "grants: must be a list of {addon, until, reason}");
		return false;
	}
	p->grants = tend_xcalloc((size_t)cJSON_GetArraySize(grants) + 1, sizeof(*p->grants));
	const cJSON *g;
	cJSON_ArrayForEach(g, grants)
	{
		if (!cJSON_IsObject(g)) {
			set_error(p, file, g, "grants[]: must be a mapping {addon, until, reason}");
			return false;
		}
		for (const cJSON *f = g->child; f; f = f->next) {
			bool known = false;
			for (int i = 0; keys[i]; i++)
				known |= strcmp(f->string, keys[i]) == 0;
			if (!known) {
				set_error(p, file, f, "grants[]: unknown field \"%s\"", f->string);
				return false;
			}
		}
		tend_grant *gr = &p->grants[p->n_grants++];
		gr->line = tend_doc_line(g);
		if (!string_field(p, file, g, "addon", &gr->addon) ||
		    !string_field(p, file, g, "reason", &gr->reason))
			return false;
		if (!gr->addon) {
			set_error(p, file, g, "grants[]: addon is required");
			return false;
		}
		if (!gr->reason) {
			set_error(p, file, g, "grants[]: reason is required (say why it is granted)");
			return false;
		}
		const cJSON *until = cJSON_GetObjectItemCaseSensitive(g, "until");
		if (until && !(gr->until = date_of(until))) {
			set_error(p, file, until, "grants[].until: must be a date YYYY-MM-DD");
			return false;
		}
	}
	return true;
}

static bool load_parameters(tend_project *p, const char *file, const cJSON *params)
{
	static const char *const reserved[] = {"project", "namespace", "group", "path", NULL};
	if (!cJSON_IsObject(params)) {
		set_error(p, file, params, "parameters: must be a mapping of names to strings");
		return false;
	}
	for (const cJSON *kv = params->child; kv; kv = kv->next) {
		if (!var_name(kv->string)) {
			set_error(p, file, kv, "parameters: \"%s\" is not a valid variable name",
				  kv->string);
			return false;
		}
		for (int i = 0; reserved[i]; i++)
			if (strcmp(kv->string, reserved[i]) == 0) {
				set_error(p, file, kv, "parameters: \"%s\" is set by tend itself",
					  kv->string);
				return false;
			}
		if (!cJSON_IsString(kv)) {
			set_error(p, file, kv, "parameters.%s: must be a string (quote it)",
				  kv->string);
			return false;
		}
		tend_strvec_push(&p->param_names, kv->string);
		tend_strvec_push(&p->param_values, kv->valuestring);
	}
	return true;
}

static void load_root(tend_project *p, const char *file, const cJSON *root)
{
	static const char *const keys[] = {"owners", "contact", "group", "namespace",
					   "description", "grants", "parameters", "suspend",
					   "selfHeal",	  NULL};
	if (!cJSON_IsObject(root)) {
		set_error(p, file, root, "project.yaml must be a mapping");
		return;
	}
	for (const cJSON *f = root->child; f; f = f->next) {
		bool known = false;
		for (int i = 0; keys[i]; i++)
			known |= strcmp(f->string, keys[i]) == 0;
		if (!known) {
			const char *near = tend_suggest(f->string, keys);
			if (near)
				set_error(p, file, f, "unknown field \"%s\" (did you mean \"%s\"?)",
					  f->string, near);
			else
				set_error(p, file, f, "unknown field \"%s\"", f->string);
			return;
		}
	}
	const cJSON *owners = cJSON_GetObjectItemCaseSensitive(root, "owners");
	if (owners) {
		if (!cJSON_IsArray(owners)) {
			set_error(p, file, owners, "owners: must be a list of strings");
			return;
		}
		const cJSON *o;
		cJSON_ArrayForEach(o, owners)
		{
			if (!cJSON_IsString(o) || !o->valuestring[0]) {
				set_error(p, file, o, "owners: entries must be non-empty strings");
				return;
			}
			tend_strvec_push(&p->owners, o->valuestring);
		}
	}
	if (!string_field(p, file, root, "contact", &p->contact) ||
	    !string_field(p, file, root, "group", &p->group) ||
	    !string_field(p, file, root, "namespace", &p->namespace) ||
	    !string_field(p, file, root, "description", &p->description) ||
	    !bool_field(p, file, root, "suspend", &p->suspend, &p->suspend_line) ||
	    !bool_field(p, file, root, "selfHeal", &p->self_heal, &p->self_heal_line))
		return;
	if (p->namespace && !dns_label(p->namespace)) {
		set_error(p, file, cJSON_GetObjectItemCaseSensitive(root, "namespace"),
			  "namespace: \"%s\" is not a valid namespace name (lower-case letters, "
			  "digits and '-', at most 63)",
			  p->namespace);
		return;
	}
	const cJSON *grants = cJSON_GetObjectItemCaseSensitive(root, "grants");
	if (grants && !load_grants(p, file, grants))
		return;
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "parameters");
	if (params)
		load_parameters(p, file, params);
}

void gen_load_project_file(const char *root, tend_project *p)
{
	char *rel = tend_xasprintf("%s/project.yaml", p->dir);
	char *abs = tend_xasprintf("%s/%s", root, rel);
	if (tend_fs_path_kind(abs) == TEND_FS_MISSING) {
		free(rel);
		free(abs);
		return;
	}
	p->meta_file = rel;
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load_file(abs, &docs) != 0) {
		/* name the file relative to the repo, as a user sees it */
		const char *msg = tend_err_msg();
		size_t n = strlen(abs);
		p->error = strncmp(msg, abs, n) == 0 ? tend_xasprintf("%s%s", rel, msg + n)
						     : tend_xstrdup(msg);
	} else if (docs.len > 1) {
		p->error = tend_xasprintf("%s: one YAML document expected", rel);
	} else if (docs.len == 1) {
		load_root(p, rel, docs.items[0].root);
	}
	tend_docs_free(&docs);
	free(abs);
}
