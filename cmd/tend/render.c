/*
 * render.c — `tend render DIR`: kustomize-compatible build of one directory.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"
#include "../../lib/kustomize/kustomize.h"
#include "../../lib/util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ABOUT[] =
    "Builds the kustomization in DIR (default .) and prints the objects exactly\n"
    "as `kubectl kustomize DIR` prints them. On error nothing is printed on\n"
    "stdout, the error names file, line and field, and the exit status is 1.\n"
    "\n"
    "With -c, renders the projects the directory generator finds in the\n"
    "configured source (all, or those named): a broken project is reported on\n"
    "stderr and the others still render. Guardrail violations (tend.yaml's\n"
    "guard section) are reported on stderr too. The exit status is 1 if any\n"
    "project failed or broke a guardrail.\n"
    "-o json then prints {\"project\", \"source\", \"object\"} per document,\n"
    "-o name \"PROJECT: kind.group/name\" per object.\n"
    "\n"
    "Deprecation warnings are printed on stderr as kustomize prints them.\n"
    "\n"
    "Exit status: 0 rendered, 1 a build failed or a project broke a guardrail,\n"
    "2 the command could not run (bad usage, an unknown project, an unreadable\n"
    "config or source).\n";

int cmd_render(int argc, char **argv)
{
	const char *format = "yaml", *restrictor = NULL;
	const char *config = NULL, *source = NULL, *revision = NULL;
	tend_kustomize_opts opts = {0};
	const cmd_option options[] = {
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("yaml", "json", "name"),
	                       "yaml: YAML documents separated by `---` (default)\n"
	                       "json: one indented JSON object per document\n"
	                       "name: kind.group/name per object, as kubectl"),
	    {.name = "load-restrictor",
	     .choices = CMD_CHOICES("LoadRestrictionsRootOnly", "LoadRestrictionsNone"),
	     .text = &restrictor,
	     .help = "LoadRestrictionsNone allows resource files\n"
	             "outside DIR (kustomize's flag; default\n"
	             "LoadRestrictionsRootOnly)"},
	    {.name = "enable-remote",
	     .flag = &opts.enable_remote,
	     .help = "allow remote resources (github.com/...,\n"
	             "https://...); without it they are refused, and\n"
	             "this version cannot fetch them yet"},
	    CMD_CONFIG_OPTION(&config),
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {
	    "render",
	    "tend render DIR [-o yaml|json|name] [--enable-remote]\n"
	    "            [--load-restrictor=LoadRestrictionsRootOnly|LoadRestrictionsNone]\n"
	    "tend render -c tend.yaml [PROJECT...] [-o yaml|json|name] [--source DIR|URL]\n"
	    "            [--revision REV]",
	    ABOUT, options, CMD_ANY_ARGS};
	cmd_args args;
	int code = cmd_parse(&spec, argc, argv, &args);
	if (code != CMD_GO_ON)
		return code;
	opts.load_restrictor_none = restrictor && strcmp(restrictor, "LoadRestrictionsNone") == 0;
	if (config || source)
		return cmd_render_projects(config, source, revision, format, &opts, &args);
	if (args.len > 1) {
		fprintf(stderr, "tend render: one directory at a time (see tend render --help)\n");
		return 2;
	}
	const char *dir = args.len ? args.items[0] : ".";
	tend_strvec warnings = TEND_STRVEC_INIT;
	tend_resmap m = TEND_RESMAP_INIT;
	opts.warnings = &warnings;
	int built = tend_kustomize_build(dir, &opts, &m);
	for (size_t i = 0; i < warnings.len; i++)
		fprintf(stderr, "%s\n", warnings.items[i]);
	tend_strvec_free(&warnings);
	if (built)
		return cmd_fail(1);
	tend_buf out = TEND_BUF_INIT;
	int rc = 0;
	if (strcmp(format, "json") == 0) {
		for (size_t i = 0; i < m.len; i++)
			tend_doc_emit_json(m.items[i].obj, &out);
	} else if (strcmp(format, "name") == 0) {
		for (size_t i = 0; i < m.len; i++) {
			char *name = cmd_object_name(m.items[i].obj);
			tend_buf_printf(&out, "%s\n", name);
			free(name);
		}
	} else {
		rc = tend_resmap_emit_yaml(&m, &out);
	}
	tend_resmap_free(&m);
	if (rc) {
		tend_buf_free(&out);
		return cmd_fail(1);
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	tend_buf_free(&out);
	return fflush(stdout) == 0 ? 0 : 1;
}
