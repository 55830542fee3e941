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

static const char USAGE[] =
	"Usage: tend render DIR [-o yaml|json] [--load-restrictor=LoadRestrictionsRootOnly|"
	"LoadRestrictionsNone]\n"
	"       tend render -c tend.yaml [PROJECT...] [-o yaml|json] [--source DIR|URL] "
	"[--revision REV]\n"
	"\n"
	"Builds the kustomization in DIR and prints the objects exactly as\n"
	"`kubectl kustomize DIR` prints them. On error nothing is printed on\n"
	"stdout, the error names file, line and field, and the exit status is 1.\n"
	"\n"
	"With -c, renders the projects the directory generator finds in the\n"
	"configured source (all, or those named): a broken project is reported on\n"
	"stderr and the others still render. Guardrail violations (tend.yaml's\n"
	"guard section) are reported on stderr too. The exit status is 1 if any\n"
	"project failed or broke a guardrail.\n"
	"-o json then prints {\"project\", \"source\", \"object\"} per document.\n"
	"\n"
	"  -o yaml   YAML documents separated by `---` (default)\n"
	"  -o json   one indented JSON object per document\n"
	"  --load-restrictor=LoadRestrictionsNone\n"
	"            allow resource files outside DIR (kustomize's flag)\n"
	"  --enable-remote\n"
	"            allow remote resources (github.com/..., https://...); without\n"
	"            it they are refused, and this version cannot fetch them yet\n"
	"\n"
	"Deprecation warnings are printed on stderr as kustomize prints them.\n";

int cmd_render(int argc, char **argv)
{
	const char *dir = NULL, *format = "yaml";
	const char *config = NULL, *source = NULL, *revision = NULL;
	tend_strvec warnings = TEND_STRVEC_INIT;
	tend_kustomize_opts opts = {0};
	char **names = calloc((size_t)argc, sizeof(*names));
	int n_names = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(USAGE, stdout);
			free(names);
			return 0;
		} else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
			config = argv[++i];
		} else if (strcmp(a, "--source") == 0 && i + 1 < argc) {
			source = argv[++i];
		} else if (strcmp(a, "--revision") == 0 && i + 1 < argc) {
			revision = argv[++i];
		} else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
			format = argv[++i];
		} else if (strncmp(a, "-o", 2) == 0 && a[2]) {
			format = a + 2 + (a[2] == '=');
		} else if (strcmp(a, "--load-restrictor=LoadRestrictionsNone") == 0) {
			opts.load_restrictor_none = true;
		} else if (strcmp(a, "--load-restrictor=LoadRestrictionsRootOnly") == 0) {
			opts.load_restrictor_none = false;
		} else if (strcmp(a, "--load-restrictor") == 0 && i + 1 < argc &&
			   (strcmp(argv[i + 1], "LoadRestrictionsNone") == 0 ||
			    strcmp(argv[i + 1], "LoadRestrictionsRootOnly") == 0)) {
			opts.load_restrictor_none = strcmp(argv[++i], "LoadRestrictionsNone") == 0;
		} else if (strcmp(a, "--enable-remote") == 0) {
			opts.enable_remote = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "tend render: unknown option \"%s\"\n\n%s", a, USAGE);
			free(names);
			return 2;
		} else {
			names[n_names++] = argv[i];
		}
	}
	if (config || source) {
		int rc = 2;
		if (strcmp(format, "yaml") != 0 && strcmp(format, "json") != 0)
			fprintf(stderr, "tend render: -o must be yaml or json, not \"%s\"\n", format);
		else
			rc = cmd_render_projects(config, source, revision, strcmp(format, "json") == 0,
						 &opts, names, n_names);
		free(names);
		return rc;
	}
	if (n_names > 1) {
		fprintf(stderr, "tend render: one directory at a time\n\n%s", USAGE);
		free(names);
		return 2;
	}
	dir = n_names ? names[0] : NULL;
	free(names);
	if (!dir)
		dir = ".";
	if (strcmp(format, "yaml") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "tend render: -o must be yaml or json, not \"%s\"\n", format);
		return 2;
	}
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
