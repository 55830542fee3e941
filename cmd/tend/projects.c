/*
 * projects.c — `tend projects -c tend.yaml`: what the directory generator
 * finds, with each project's directory, revision and parameters.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"

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

int cmd_projects(int argc, char **argv)
{
	const char *config = NULL, *source = NULL, *revision = NULL, *format = "table";
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    {.letter = 'o',
	     .choices = CMD_CHOICES("table", "json"),
	     .text = &format,
	     .help = "a table (default) or a JSON array"},
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {"projects",
	                       "tend projects [-c tend.yaml] [-o table|json] [--source DIR|URL]\n"
	                       "              [--revision REV]",
	                       ABOUT, options, 0};
	cmd_args none;
	int code = cmd_parse(&spec, argc, argv, &none);
	if (code != CMD_GO_ON)
		return code;
	cmd_ctx c;
	if (cmd_ctx_open(&c, config, source, revision))
		return cmd_fail(2);
	int failed = 0;
	if (strcmp(format, "json") == 0) {
		cJSON *list = cJSON_CreateArray();
		for (size_t i = 0; i < c.projects.len; i++)
			cJSON_AddItemToArray(list, project_json(&c.projects.items[i], c.rev));
		tend_buf out = TEND_BUF_INIT;
		tend_doc_emit_json(list, &out);
		fputs(out.data, stdout);
		tend_buf_free(&out);
		cJSON_Delete(list);
	} else {
		printf("%-24s %-32s %-24s %-12s %s\n", "NAME", "DIRECTORY", "NAMESPACE", "REVISION",
		       "GROUP");
		for (size_t i = 0; i < c.projects.len; i++) {
			const tend_project *p = &c.projects.items[i];
			printf("%-24s %-32s %-24s %-12.12s %s\n", p->name, p->dir, p->namespace,
			       c.rev->sha[0] ? c.rev->sha : "(directory)",
			       p->group ? p->group : "-");
		}
	}
	for (size_t i = 0; i < c.projects.len; i++)
		if (c.projects.items[i].error) {
			fprintf(stderr, "tend: error: %s\n", c.projects.items[i].error);
			failed = 1;
		}
	cmd_ctx_close(&c);
	return failed;
}
