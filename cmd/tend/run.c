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

static const char USAGE[] =
    "Usage: tend run -c tend.yaml [--listen HOST:PORT] [--leader-elect]\n"
    "                [--lease-namespace NS] [--lease-name NAME] [--identity ID]\n"
    "                [--lease-duration S] [--renew-deadline S] [--retry-period S]\n"
    "                [--shards N --shard-index I] [--log-format text|json] [-v|-vv]\n"
    "\n"
    "Keeps the cluster equal to the config repository: polls the source every\n"
    "source.interval (POST /webhook/github or /webhook/gitlab fetch at once),\n"
    "syncs projects whose render changed, reverts drift, resyncs everything every\n"
    "sync.resync. Serves /healthz, /readyz, /metrics and /api/v1/status on\n"
    "serve.listen. SIGTERM finishes in-flight work and exits; SIGHUP reloads\n"
    "tend.yaml (an invalid file is reported and the running one kept).\n"
    "\n"
    "  --leader-elect      act only while holding a coordination.k8s.io/v1 Lease\n"
    "                      (default when running in a cluster; --no-leader-elect)\n"
    "  --shards N --shard-index I   own only projects whose name hashes to shard I\n"
    "  --log-format        json (default when stderr is not a terminal) or text\n"
    "  -v, -vv             info, debug logging (default: warnings and errors)\n";

static tend_daemon *running;

static void on_signal(int sig)
{
	if (running)
		tend_daemon_signal(running, sig == SIGHUP ? TEND_DAEMON_RELOAD : TEND_DAEMON_STOP);
}

static int parse_seconds(const char *flag, const char *v, long *ms)
{
	char *end;
	double s = strtod(v, &end);
	if (!*v || *end || s <= 0)
		return tend_err("%s: expected a number of seconds, got \"%s\"", flag, v);
	*ms = (long)(s * 1000);
	return 0;
}

static int parse_int(const char *flag, const char *v, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 0 || n > 1000000)
		return tend_err("%s: expected a non-negative integer, got \"%s\"", flag, v);
	*out = (int)n;
	return 0;
}

static int parse_args(int argc, char **argv, tend_daemon_options *o, int *verbosity,
                      const char **log_format)
{
	o->leader_elect = getenv("KUBERNETES_SERVICE_HOST") != NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		int rc = 0;
		if (strcmp(a, "-v") == 0 || strcmp(a, "-vv") == 0) {
			*verbosity = (int)strlen(a) - 1;
			takes = false;
		} else if (strcmp(a, "--leader-elect") == 0 ||
		           strcmp(a, "--no-leader-elect") == 0) {
			o->leader_elect = a[2] == 'l';
			takes = false;
		} else if (!v) {
			return tend_err("%s: missing value (see tend run --help)", a);
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			o->config = v;
		} else if (strcmp(a, "--listen") == 0) {
			o->listen = v;
		} else if (strcmp(a, "--lease-namespace") == 0) {
			o->lease_namespace = v;
		} else if (strcmp(a, "--lease-name") == 0) {
			o->lease_name = v;
		} else if (strcmp(a, "--identity") == 0) {
			o->identity = v;
		} else if (strcmp(a, "--lease-duration") == 0) {
			rc = parse_seconds(a, v, &o->lease_duration_ms);
		} else if (strcmp(a, "--renew-deadline") == 0) {
			rc = parse_seconds(a, v, &o->renew_deadline_ms);
		} else if (strcmp(a, "--retry-period") == 0) {
			rc = parse_seconds(a, v, &o->retry_period_ms);
		} else if (strcmp(a, "--shards") == 0) {
			rc = parse_int(a, v, &o->shards);
		} else if (strcmp(a, "--shard-index") == 0) {
			rc = parse_int(a, v, &o->shard_index);
		} else if (strcmp(a, "--log-format") == 0) {
			*log_format = v;
		} else {
			return tend_err("unknown option \"%s\" (see tend run --help)", a);
		}
		if (rc)
			return -1;
		if (takes)
			i++;
	}
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
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(USAGE, stdout);
			return 0;
		}
	tend_daemon_options o;
	tend_daemon_options_default(&o);
	int verbosity = 0;
	const char *log_format = NULL;
	if (parse_args(argc, argv, &o, &verbosity, &log_format))
		return cmd_fail(2);
	if (log_format && strcmp(log_format, "json") != 0 && strcmp(log_format, "text") != 0) {
		tend_err("--log-format: expected json or text, got \"%s\"", log_format);
		return cmd_fail(2);
	}
	bool json = log_format ? strcmp(log_format, "json") == 0 : !isatty(STDERR_FILENO);
	tend_log_set_format(json ? TEND_LOG_JSON : TEND_LOG_TEXT);
	tend_log_set_level(verbosity >= 2   ? TEND_LOG_DEBUG
	                   : verbosity == 1 ? TEND_LOG_INFO
	                                    : TEND_LOG_WARN);
	tend_daemon *d;
	if (tend_daemon_new(&o, &d)) {
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
	int code = tend_daemon_run(d);
	running = NULL;
	tend_daemon_free(d);
	return code;
}
