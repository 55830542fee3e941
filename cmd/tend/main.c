/*
 * main.c — tend's entry point: global flags and subcommand dispatch only.
 */
#include "cmd.h"

#include "../../lib/util/util.h"

#include <stdio.h>
#include <string.h>

static const char USAGE[] =
	"tend — keeps Kubernetes tenant projects exactly as a Git repository says\n"
	"\n"
	"Usage: tend COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  render DIR     build a kustomization directory, as `kubectl kustomize DIR`\n"
	"  render -c F    render the projects generated from tend.yaml F\n"
	"  projects -c F  list the projects the directory generator finds\n"
	"  diff -c F      show what a sync would change in the cluster\n"
	"  sync -c F      apply the projects to the cluster, prune what left Git\n"
	"  check -c F     check projects against the guardrails (pull-request CI)\n"
	"  preview -c F BASE HEAD\n"
	"                 what merging HEAD into BASE does, per project and object\n"
	"  grants -c F    add-ons and grants of every project, with their history\n"
	"  run -c F       the daemon: keep the cluster equal to the config repository\n"
	"  rbac -c F      tend's ClusterRole: the kinds tenants may use and projects render\n"
	"  version        print tend's version and the versions of its libraries\n"
	"\n"
	"Run `tend COMMAND --help` for a command's options.\n";

int cmd_fail(int code)
{
	fprintf(stderr, "tend: error: %s\n", tend_err_msg());
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(USAGE, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (strcmp(cmd, "render") == 0)
		return cmd_render(argc - 1, argv + 1);
	if (strcmp(cmd, "projects") == 0)
		return cmd_projects(argc - 1, argv + 1);
	if (strcmp(cmd, "diff") == 0)
		return cmd_diff(argc - 1, argv + 1);
	if (strcmp(cmd, "sync") == 0)
		return cmd_sync(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "preview") == 0)
		return cmd_preview(argc - 1, argv + 1);
	if (strcmp(cmd, "grants") == 0)
		return cmd_grants(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "rbac") == 0)
		return cmd_rbac(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	fprintf(stderr, "tend: unknown command \"%s\"\n\n%s", cmd, USAGE);
	return 2;
}
