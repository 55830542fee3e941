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
    "  init [DIR]     start a config repo: base, add-ons, a sample project, CI, deploy\n"
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
    "  get projects   what a running `tend run` keeps (get project NAME: one)\n"
    "  reconcile NAME ask a running `tend run` to sync NAME now\n"
    "  events [NAME]  what a running `tend run` did and saw (--watch: as it comes)\n"
    "  suspend NAME   stop syncing NAME (kept in the cluster); resume NAME: go on\n"
    "  version        print tend's version and the versions of its libraries\n"
    "\n"
    "Run `tend help COMMAND` or `tend COMMAND --help` for a command's options.\n"
    "\n"
    "Exit status (every command): 0 ok, 1 differences or violations found, 2 an\n"
    "error (bad usage, an unknown project, an unreadable config, the cluster).\n";

int cmd_fail(int code)
{
	fprintf(stderr, "tend: error: %s\n", tend_err_msg());
	return code;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} COMMANDS[] = {
    {"render", cmd_render},   {"projects", cmd_projects}, {"diff", cmd_diff},
    {"sync", cmd_sync},       {"check", cmd_check},       {"preview", cmd_preview},
    {"grants", cmd_grants},   {"run", cmd_run},           {"rbac", cmd_rbac},
    {"version", cmd_version}, {"get", cmd_get},           {"reconcile", cmd_reconcile},
    {"init", cmd_init},       {"suspend", cmd_suspend},   {"resume", cmd_resume},
    {"events", cmd_events},
};

static int (*find(const char *name))(int, char **)
{
	for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
		if (strcmp(COMMANDS[i].name, name) == 0)
			return COMMANDS[i].run;
	return NULL;
}

static int unknown(const char *cmd)
{
	fprintf(stderr, "tend: unknown command \"%s\"\n\n%s", cmd, USAGE);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(USAGE, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    (strcmp(cmd, "help") == 0 && argc == 2)) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) { /* tend help CMD: as tend CMD --help */
		if (argc > 3) {
			fprintf(stderr, "tend help: one command at a time (see tend help)\n");
			return 2;
		}
		int (*run)(int, char **) = find(argv[2]);
		char *help_argv[] = {argv[2], "--help", NULL};
		return run ? run(2, help_argv) : unknown(argv[2]);
	}
	if (strcmp(cmd, "--version") == 0)
		cmd = "version";
	int (*run)(int, char **) = find(cmd);
	return run ? run(argc - 1, argv + 1) : unknown(cmd);
}
