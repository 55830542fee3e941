/*
 * projects.c — `tend projects -c tend.yaml`: what the directory generator
 * finds, with each project's directory, revision and parameters.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char ABOUT[] =
    "Lists the projects the directory generator finds in the configured source.\n"
    "Exit status 1 when any project has an error (bad project.yaml, a name\n"
    "collision), 2 when the source cannot be read.\n";

static cJSON *project_json(const tend_project *p, const tend_revision *rev)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddStringToObject(o, "directory", p->dir);
	cJSON_AddStringToObject(o, "namespace", p->namespace);
	cJSON_AddStringToObject(o, "revision", rev->sha);
	cJSON_AddBoolToObject(o, "trusted", p->trusted);
	cJSON_AddBoolToObject(o, "substitute", p->substitute);
	if (p->group)
		cJSON_AddStringToObject(o, "group", p->group);
	if (p->contact)
		cJSON_AddStringToObject(o, "contact", p->contact);
	cJSON *owners = cJSON_AddArrayToObject(o, "owners");
	for (size_t i = 0; i < p->owners.len; i++)
		cJSON_AddItemToArray(owners, cJSON_CreateString(p->owners.items[i]));
	cJSON *grants = cJSON_AddArrayToObject(o, "grants");
	for (size_t i = 0; i < p->n_grants; i++) {
		cJSON *g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "addon", p->grants[i].addon);
		if (p->grants[i].until)
			cJSON_AddStringToObject(g, "until", p->grants[i].until);
		cJSON_AddStringToObject(g, "reason", p->grants[i].reason);
		cJSON_AddItemToArray(grants, g);
	}
	tend_strvec names = TEND_STRVEC_INIT, values = TEND_STRVEC_INIT;
	tend_project_variables(p, &names, &values);
	cJSON *params = cJSON_AddObjectToObject(o, "parameters");
	for (size_t i = 0; i < names.len; i++)
		cJSON_AddStringToObject(params, names.items[i], values.items[i]);
	tend_strvec_free(&names);
	tend_strvec_free(&values);
	if (p->error)
		cJSON_AddStringToObject(o, "error", p->error);
	return o;
}

/* The width of the widest of `header` and each project's field, so long names widen the table. */
static int column(const tend_projects *ps, const char *header, size_t offset)
{
	int w = (int)strlen(header);
	for (size_t i = 0; i < ps->len; i++) {
		const char *v = *(const char *const *)((const char *)&ps->items[i] + offset);
		if (v && (int)strlen(v) > w)
			w = (int)strlen(v);
	}
	return w;
}

static void print_table(const cmd_ctx *c, bool wide)
{
	const tend_projects *ps = &c->projects;
	int wn = column(ps, "NAME", offsetof(tend_project, name));
	int wd = column(ps, "DIRECTORY", offsetof(tend_project, dir));
	int ws = column(ps, "NAMESPACE", offsetof(tend_project, namespace));
	int wg = column(ps, "GROUP", offsetof(tend_project, group));
	const char *rev = c->rev->sha[0] ? c->rev->sha : "(directory)";
	if (wide) {
		printf("%-*s  %-*s  %-*s  %-12s  %-*s  %-7s  %-6s  %s\n", wn, "NAME", wd,
		       "DIRECTORY", ws, "NAMESPACE", "REVISION", wg, "GROUP", "TRUSTED", "GRANTS",
		       "CONTACT");
	} else {
		printf("%-*s  %-*s  %-*s  %-12s  %s\n", wn, "NAME", wd, "DIRECTORY", ws,
		       "NAMESPACE", "REVISION", "GROUP");
	}
	for (size_t i = 0; i < ps->len; i++) {
		const tend_project *p = &ps->items[i];
		const char *group = p->group ? p->group : "-";
		if (wide)
			printf("%-*s  %-*s  %-*s  %-12.12s  %-*s  %-7s  %-6zu  %s\n", wn, p->name,
			       wd, p->dir, ws, p->namespace, rev, wg, group,
			       p->trusted ? "yes" : "no", p->n_grants,
			       p->contact ? p->contact : "-");
		else
			printf("%-*s  %-*s  %-*s  %-12.12s  %s\n", wn, p->name, wd, p->dir, ws,
			       p->namespace, rev, group);
	}
}

int cmd_projects(int argc, char **argv)
{
	const char *config = NULL, *source = NULL, *revision = NULL, *format = "table";
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("table", "wide", "json", "yaml", "name"),
	                       "table (default), wide (trusted, grants,\n"
	                       "contact too), json, yaml, or name: one name\n"
	                       "a line"),
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {"projects",
	                       "tend projects [-c tend.yaml] [-o table|wide|json|yaml|name]\n"
	                       "              [--source DIR|URL] [--revision REV]",
	                       ABOUT, options, 0};
	cmd_args none;
	int code = cmd_parse(&spec, argc, argv, &none);
	if (code != CMD_GO_ON)
		return code;
	cmd_ctx c;
	if (cmd_ctx_open(&c, config, source, revision))
		return cmd_fail(2);
	int failed = 0;
	if (cmd_structured(format)) {
		cJSON *list = cJSON_CreateArray();
		for (size_t i = 0; i < c.projects.len; i++)
			cJSON_AddItemToArray(list, project_json(&c.projects.items[i], c.rev));
		if (cmd_print_doc(list, format))
			failed = cmd_fail(2);
		cJSON_Delete(list);
	} else if (strcmp(format, "name") == 0) {
		for (size_t i = 0; i < c.projects.len; i++)
			printf("%s\n", c.projects.items[i].name);
	} else {
		print_table(&c, strcmp(format, "wide") == 0);
	}
	for (size_t i = 0; i < c.projects.len; i++)
		if (c.projects.items[i].error) {
			fprintf(stderr, "tend: error: %s\n", c.projects.items[i].error);
			failed = failed ? failed : 1;
		}
	cmd_ctx_close(&c);
	return failed;
}
