/*
 * run.c — `tend run -c tend.yaml`: parses the daemon's flags, installs the
 * signal handlers (SIGTERM/SIGINT stop, SIGHUP reloads) and hands over to
 * lib/daemon. The one piece of global state is the daemon the handlers
 * signal.
 */
#include "cmd.h"

#include "../../lib/daemon/daemon.h"
#include "../../lib/util/util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ABOUT[] =
    "Keeps the cluster equal to the config repository: polls the source every\n"
    "source.interval (POST /webhook/github or /webhook/gitlab fetch at once),\n"
    "syncs projects whose render changed, reverts drift, resyncs everything every\n"
    "sync.resync. Serves /healthz, /readyz, /metrics and /api/v1/status on\n"
    "serve.listen. SIGTERM finishes in-flight work and exits; SIGHUP reloads\n"
    "tend.yaml (an invalid file is reported and the running one kept).\n"
    "\n"
    "Exit status: 0 after a clean stop, 2 when the daemon cannot start.\n";

static tend_daemon *running;

static void on_signal(int sig)
{
	if (running)
		tend_daemon_signal(running, sig == SIGHUP ? TEND_DAEMON_RELOAD : TEND_DAEMON_STOP);
}

/* A number of seconds into milliseconds (cmd_option.parse; `to` is a long). */
static int parse_seconds(const char *flag, const char *v, void *to)
{
	char *end;
	double s = strtod(v, &end);
	if (!*v || *end || s <= 0)
		return tend_err("%s: expected a number of seconds, got \"%s\"", flag, v);
	*(long *)to = (long)(s * 1000);
	return 0;
}

/* path made absolute against the working directory (the daemon reads it later). */
static char *absolute(const char *path)
{
	char cwd[4096];
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return tend_xstrdup(path);
	return tend_xasprintf("%s/%s", cwd, path);
}

/* The checks that span options. */
static int check_options(const tend_daemon_options *o)
{
	if (!o->config)
		return tend_err("-c tend.yaml is required (see tend run --help)");
	if (o->shards > 1 && o->shard_index >= o->shards)
		return tend_err("--shard-index %d must be below --shards %d", o->shard_index,
		                o->shards);
	if (o->renew_deadline_ms >= o->lease_duration_ms ||
	    o->retry_period_ms >= o->renew_deadline_ms)
		return tend_err("lease timings must satisfy retry-period < renew-deadline < "
		                "lease-duration");
	return 0;
}

int cmd_run(int argc, char **argv)
{
	tend_daemon_options o;
	tend_daemon_options_default(&o);
	o.leader_elect = getenv("KUBERNETES_SERVICE_HOST") != NULL;
	int verbosity = 0;
	const char *log_format = NULL;
	const cmd_option options[] = {
	    {.name = "config",
	     .letter = 'c',
	     .arg = "tend.yaml",
	     .text = &o.config,
	     .help = "the configuration (required)"},
	    {.name = "listen",
	     .arg = "HOST:PORT",
	     .text = &o.listen,
	     .help = "serve here instead of tend.yaml's serve.listen"},
	    {.name = "leader-elect",
	     .flag = &o.leader_elect,
	     .help = "act only while holding a coordination.k8s.io/v1\n"
	             "Lease (default when running in a cluster)"},
	    {.name = "no-leader-elect",
	     .flag = &o.leader_elect,
	     .clears = true,
	     .help = "act without a Lease"},
	    {.name = "lease-namespace",
	     .arg = "NS",
	     .text = &o.lease_namespace,
	     .help = "the Lease's namespace (default: $POD_NAMESPACE,\n"
	             "else sync.inventoryNamespace)"},
	    {.name = "lease-name",
	     .arg = "NAME",
	     .text = &o.lease_name,
	     .help = "the Lease's name (default tend, tend-shard-I)"},
	    {.name = "identity",
	     .arg = "ID",
	     .text = &o.identity,
	     .help = "this replica's name in the Lease (default:\n"
	             "$POD_NAME, else hostname_pid)"},
	    {.name = "lease-duration",
	     .arg = "S",
	     .parse = parse_seconds,
	     .to = &o.lease_duration_ms,
	     .help = "seconds a Lease lasts unrenewed (default 15)"},
	    {.name = "renew-deadline",
	     .arg = "S",
	     .parse = parse_seconds,
	     .to = &o.renew_deadline_ms,
	     .help = "seconds the leader has to renew (default 10)"},
	    {.name = "retry-period",
	     .arg = "S",
	     .parse = parse_seconds,
	     .to = &o.retry_period_ms,
	     .help = "seconds between tries to take the Lease (default 2)"},
	    {.name = "shards",
	     .arg = "N",
	     .parse = cmd_parse_int,
	     .to = &o.shards,
	     .help = "with --shard-index I: own only projects whose\n"
	             "name hashes to shard I of N"},
	    {.name = "shard-index",
	     .arg = "I",
	     .parse = cmd_parse_int,
	     .to = &o.shard_index,
	     .help = "this replica's shard, 0 to N-1"},
	    CMD_CLUSTER_OPTIONS(&o.kubeconfig, &o.context),
	    {.name = "log-format",
	     .choices = CMD_CHOICES("json", "text"),
	     .text = &log_format,
	     .help = "default json when stderr is not a terminal"},
	    {.letter = 'v',
	     .count = &verbosity,
	     .help = "info logging; -vv debug (default: warnings and\n"
	             "errors)"},
	    {0},
	};
	const cmd_spec spec = {
	    "run",
	    "tend run -c tend.yaml [--listen HOST:PORT] [--leader-elect]\n"
	    "         [--lease-namespace NS] [--lease-name NAME] [--identity ID]\n"
	    "         [--lease-duration S] [--renew-deadline S] [--retry-period S]\n"
	    "         [--shards N --shard-index I] [--kubeconfig FILE] [--context NAME]\n"
	    "         [--log-format text|json] [-v|-vv]",
	    ABOUT, options, 0};
	cmd_args none;
	int code = cmd_parse(&spec, argc, argv, &none);
	if (code != CMD_GO_ON)
		return code;
	if (check_options(&o))
		return cmd_fail(2);
	char *kubeconfig = o.kubeconfig ? absolute(o.kubeconfig) : NULL;
	o.kubeconfig = kubeconfig;
	bool json = log_format ? strcmp(log_format, "json") == 0 : !isatty(STDERR_FILENO);
	tend_log_set_format(json ? TEND_LOG_JSON : TEND_LOG_TEXT);
	tend_log_set_level(verbosity >= 2   ? TEND_LOG_DEBUG
	                   : verbosity == 1 ? TEND_LOG_INFO
	                                    : TEND_LOG_WARN);
	tend_daemon *d;
	int made = tend_daemon_new(&o, &d);
	free(kubeconfig);
	if (made) {
		tend_log(TEND_LOG_ERROR, "%s", tend_err_msg());
		return 2;
	}
	running = d;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	code = tend_daemon_run(d);
	running = NULL;
	tend_daemon_free(d);
	return code;
}
