/*
 * rbac.c — `tend rbac -c tend.yaml`: prints tend's ClusterRole
 * (lib/guard/rbac.c) for the guard the revision is judged by (its
 * .tend/guard.yaml, else tend.yaml's guard:) and the rendered projects.
 * deploy/clusterrole.yaml is this command's output for examples/tend.yaml,
 * and tests/deploy checks that.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"
#include "../../lib/guard/guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ABOUT[] =
    "Prints tend's ClusterRole: the kinds guard.tenantKinds lets tenants use and\n"
    "the kinds the projects render (platform directory, base, add-ons), with the\n"
    "verbs sync and drift detection need, and `bind` on exactly the ClusterRoles\n"
    "the guard lets tenants bind and the rendered bindings name.\n"
    "\n"
    "Exit status: 0 printed, 2 the configuration or a project cannot be read.\n";

/* The role as one JSON document (-o json): the commented YAML, read back. */
static int print_json(tend_rbac_role *role)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return tend_err("out of memory");
	tend_rbac_role_print(role, mem);
	fclose(mem);
	tend_docs docs;
	int rc = tend_doc_load("ClusterRole", text, len, &docs);
	free(text);
	if (rc)
		return -1;
	rc = docs.len == 1 ? cmd_print_doc(docs.items[0].root, "json")
	                   : tend_err("internal error: %zu roles", docs.len);
	tend_docs_free(&docs);
	return rc;
}

int cmd_rbac(int argc, char **argv)
{
	const char *config = NULL, *source = NULL, *revision = NULL, *format = "yaml";
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("yaml", "json"),
	                       "yaml (default, commented) or json"),
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {"rbac",
	                       "tend rbac [-c tend.yaml] [-o yaml|json] [--source DIR|URL]\n"
	                       "          [--revision REV]",
	                       ABOUT, options, 0};
	cmd_args none;
	int code = cmd_parse(&spec, argc, argv, &none);
	if (code != CMD_GO_ON)
		return code;
	cmd_ctx c;
	if (cmd_ctx_open(&c, config, source, revision))
		return cmd_fail(2);
	tend_guard_config own;
	const tend_guard_config *g = tend_guard_for(&c.cfg, c.rev->dir, &own);
	tend_rbac_role role;
	int rc = 0;
	if (!g || tend_rbac_role_init(&role, g)) {
		fprintf(stderr, "tend rbac: %s\n", tend_err_msg());
		rc = 2;
		goto out;
	}
	tend_kustomize_cache *cache = tend_kustomize_cache_new();
	tend_kustomize_opts opts = {.cache = cache};
	for (size_t i = 0; i < c.projects.len && !rc; i++) {
		tend_resmap m = TEND_RESMAP_INIT;
		if (tend_project_render(&c.projects.items[i], c.rev->dir, &opts, &m))
			rc = cmd_fail(2);
		else
			tend_rbac_role_add(&role, &m);
		tend_resmap_free(&m);
	}
	tend_kustomize_cache_free(cache);
	if (!rc && strcmp(format, "json") == 0)
		rc = print_json(&role) ? cmd_fail(2) : 0;
	else if (!rc)
		tend_rbac_role_print(&role, stdout);
	tend_rbac_role_free(&role);
out:
	tend_guard_config_free(&own);
	cmd_ctx_close(&c);
	return rc;
}
