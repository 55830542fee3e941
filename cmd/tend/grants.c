/*
 * grants.c — `tend grants`: every project's add-ons and grants, since when
 * (from Git history), until when and why; --expired lists what to reclaim.
 */
#include "cmd.h"

#include "../../lib/review/review.h"

#include <stdio.h>
#include <string.h>

static const char ABOUT[] =
    "Lists the add-ons (components) each project uses and the grants in its\n"
    "project.yaml: status (granted, expired, unused: granted but not used,\n"
    "no-grant: used without the grant guard.addons requires, add-on: needs no\n"
    "grant), until, reason, and since: the commit from which the grant (or the\n"
    "add-on) has been in the project without a break, with its author.\n"
    "\n"
    "With --usage it reads the cluster (tend.yaml's, or --kubeconfig and\n"
    "--context) and lists, per add-on and ResourceQuota resource it raises:\n"
    "the hard limit, what the add-on adds (the project rendered with and\n"
    "without it), what is used now (status.used), and the add-on's share in\n"
    "use: the use beyond what the project has without it. A share of 0 is a\n"
    "reclaim candidate: the project fits without the grant.\n"
    "\n"
    "Exit status: 0 listed, 2 the list could not be made.\n";

int cmd_grants(int argc, char **argv)
{
	const char *config = NULL, *format = "text", *today_arg = NULL;
	bool expired = false, usage = false;
	cmd_cluster_flags cf = {NULL, NULL, true};
	const char *kubeconfig = NULL, *context = NULL;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    {.name = "usage",
	     .flag = &usage,
	     .help = "each add-on's share of the quota in use now\n"
	             "(reads the cluster): the reclaim candidates"},
	    CMD_CLUSTER_OPTIONS(&kubeconfig, &context),
	    {.name = "expired",
	     .flag = &expired,
	     .help = "only grants whose until date has passed: what to\n"
	             "reclaim"},
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("text", "json", "yaml"),
	                       "text (default), json or yaml"),
	    CMD_TODAY_OPTION(&today_arg),
	    {0},
	};
	const cmd_spec spec = {"grants",
	                       "tend grants [-c tend.yaml] [--expired] [-o text|json|yaml]\n"
	                       "            [--today YYYY-MM-DD]\n"
	                       "tend grants --usage [--kubeconfig FILE] [--context NAME] ...",
	                       ABOUT, options, 0};
	cmd_args none;
	int code = cmd_parse(&spec, argc, argv, &none);
	if (code != CMD_GO_ON)
		return code;
	if (!usage && (kubeconfig || context)) {
		fprintf(stderr, "tend grants: --kubeconfig and --context are for --usage\n");
		return 2;
	}
	cmd_review r;
	if (cmd_review_open(&r, config, today_arg, false, true))
		return cmd_fail(2);
	/* a remote source is read at its current revision; a working copy at HEAD */
	const char *rev = r.c.rev ? r.c.rev->sha : "HEAD";
	tend_grant_list l;
	tend_guard_config own;
	const tend_guard_config *g = tend_guard_for(&r.c.cfg, r.root, &own);
	tend_grants_collect(g ? g : &r.c.cfg.guard, &r.c.projects, r.root, r.hist, rev, r.today,
	                    &l);
	tend_buf out = TEND_BUF_INIT;
	int rc;
	if (usage) {
		cf.kubeconfig = kubeconfig;
		cf.context = context;
		rc = cmd_grants_usage(&r, g ? g : &r.c.cfg.guard, &l, &cf, expired, format)
		         ? cmd_fail(2)
		         : 0;
	} else {
		bool yaml = strcmp(format, "yaml") == 0;
		tend_grants_format(&l, expired, yaml ? "json" : format, &out);
		rc = cmd_print_json_text(out.data ? out.data : "", yaml ? "yaml" : "json")
		         ? cmd_fail(2)
		         : 0;
	}
	tend_guard_config_free(&own);
	for (size_t i = 0; i < r.c.projects.len; i++)
		if (r.c.projects.items[i].error)
			fprintf(stderr, "tend: error: %s\n", r.c.projects.items[i].error);
	tend_buf_free(&out);
	tend_grant_list_free(&l);
	cmd_review_close(&r);
	return rc;
}
