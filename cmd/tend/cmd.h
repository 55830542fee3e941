/*
 * cmd.h — the subcommands of the tend program. Each describes its options
 * in a cmd_option table, parses them with cmd_parse, calls into libtend and
 * turns the result into an exit code.
 */
#ifndef TEND_CMD_H
#define TEND_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "../../lib/config/config.h"
#include "../../lib/generator/generator.h"
#include "../../lib/reconcile/reconcile.h"
#include "../../lib/guard/guard.h"
#include "../../lib/source/source.h"

int cmd_render(int argc, char **argv);
int cmd_projects(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_preview(int argc, char **argv);
int cmd_grants(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_rbac(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_suspend(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_events(int argc, char **argv);

/*
 * One option of a command (options.c). `--name VALUE`, `--name=VALUE`,
 * `-x VALUE`, `-xVALUE` and `-x=VALUE` give a value; short flags bundle
 * (`-vv`). Exactly one destination is set: `text` or `parse` take a value,
 * `flag` and `count` do not. With `choices`, `text` is one of them (the
 * usage names the value "text|json"). A table ends with an
 * entry whose name and letter are both empty: {0}.
 */
typedef struct cmd_option {
	const char *name;           /* the long spelling without "--", or NULL */
	char letter;                /* the short spelling without "-", or 0 */
	const char *arg;            /* how the usage names the value: "REV" */
	const char *const *choices; /* NULL-terminated: the only values `text` takes */
	const char **text;          /* the value as given (borrowed from argv) */
	/* converts the value into *to; returns -1 with tend_err() naming `option` */
	int (*parse)(const char *option, const char *value, void *to);
	void *to;
	bool *flag; /* set to true, or to false with `clears` */
	bool clears;
	int *count;       /* one more per use */
	const char *help; /* one line per '\n' in the usage */
} cmd_option;

/* A command's command line: what its usage and its errors say. */
typedef struct cmd_spec {
	const char *name;     /* "check" */
	const char *synopsis; /* after "Usage: ": "tend check [-c tend.yaml]...", lines indented */
	const char *about;    /* what it does and its exit status, or NULL */
	const cmd_option *options;
	int max_args; /* positional arguments allowed, CMD_ANY_ARGS for any */
} cmd_spec;

#define CMD_ANY_ARGS (-1)

/* The positional arguments, in order: argv's own strings, moved to its front. */
typedef struct cmd_args {
	char **items;
	int len;
} cmd_args;

/* Entries several commands share, to splice into an option table. */
#define CMD_CONFIG_OPTION(config)                                                               \
	{.name = "config", .letter = 'c', .arg = "tend.yaml", .text = (config),                 \
	 .help = "the configuration (default: ./tend.yaml if there\n"                          \
	         "is one, else the projects in .)"}
#define CMD_SOURCE_OPTIONS(source, revision)                                                    \
	{.name = "source", .arg = "DIR|URL", .text = (source),                                  \
	 .help = "read the projects from DIR or URL instead of\n"                               \
	         "tend.yaml's source"},                                                         \
	{.name = "revision", .arg = "REV", .text = (revision),                                  \
	 .help = "the branch, tag or commit to read (default:\n"                                \
	         "the source's)"}
#define CMD_TODAY_OPTION(today)                                                                 \
	{.name = "today", .arg = "YYYY-MM-DD", .text = (today),                                 \
	 .help = "the date grants expire against (default: today,\n"                            \
	         "UTC)"}
#define CMD_JOBS_OPTION(jobs)                                                                   \
	{.letter = 'j', .arg = "N", .parse = cmd_parse_int, .to = (jobs),                       \
	 .help = "render on N threads (default: one per CPU)"}
/* The value choices of -o and --format: CMD_CHOICES("text", "json"). */
#define CMD_CHOICES(...) ((const char *const[]){__VA_ARGS__, NULL})
/*
 * `-o, --output FORMAT` as kubectl spells it, and `--format` as its alias
 * (the spelling check, preview and grants had first). `choices` is a
 * CMD_CHOICES list; `help` describes them.
 */
#define CMD_OUTPUT_OPTIONS(format, list, about)                                                 \
	{.name = "output", .letter = 'o', .choices = (list), .text = (format), .help = (about)}, \
	{.name = "format", .choices = (list), .text = (format), .help = "the same as -o"}
/* --kubeconfig and --context: override tend.yaml's cluster section. */
#define CMD_CLUSTER_OPTIONS(kubeconfig, context)                                                \
	{.name = "kubeconfig", .arg = "FILE", .text = (kubeconfig),                             \
	 .help = "the kubeconfig to use (default: tend.yaml's\n"                                \
	         "cluster.kubeconfig, else $KUBECONFIG)"},                                      \
	{.name = "context", .arg = "NAME", .text = (context),                                   \
	 .help = "the kubeconfig context to use (default:\n"                                    \
	         "cluster.context, else the current one)"}

/* json or yaml: a format printed from one document. */
bool cmd_structured(const char *format);
/* Prints doc on stdout as json or yaml (format); -1 with tend_err() if it cannot. */
int cmd_print_doc(const cJSON *doc, const char *format);
/* Prints a report on stdout: json as cJSON prints it, or yaml; -1 with
 * tend_err() if it cannot. */
int cmd_print_report(const cJSON *doc, const char *format);
/* Prints a JSON text as it is, or (format "yaml") converted to YAML. */
int cmd_print_json_text(const char *json, const char *format);
/* "deployment.apps/web", "configmap/x": `kubectl get -o name`'s spelling (caller frees). */
char *cmd_object_name(const cJSON *obj);
/* "genomics: ConfigMap/genomics/x" for a tracking id "/ConfigMap:genomics/x" (caller frees). */
char *cmd_object_label(const char *project, const char *id);

/*
 * Parses argv[1..argc-1] by spec's table, storing each option where its
 * entry says and moving the positional arguments to argv[1..] (`--` ends
 * the options). Returns 0, or -1 with tend_err() saying what is wrong: an
 * unknown option, a missing value, a value that does not parse, too many
 * arguments. *help is set when -h or --help appears anywhere (before `--`);
 * nothing else is parsed then.
 */
int cmd_options_parse(const cmd_spec *spec, int argc, char **argv, cmd_args *args, bool *help);

/* Prints spec's usage: synopsis, about, and the options from the table. */
void cmd_usage(const cmd_spec *spec, FILE *out);

/*
 * cmd_options_parse for a command: prints the usage on -h/--help, or
 * "tend NAME: <error>" on stderr. Returns CMD_GO_ON when the command should
 * run, else the exit status to return now (0 after help, 2 after an error).
 */
#define CMD_GO_ON (-1)
int cmd_parse(const cmd_spec *spec, int argc, char **argv, cmd_args *args);

/* Whether `name` is among args, or args is empty (no names: every one). */
bool cmd_args_select(const cmd_args *args, const char *name);

/* A non-negative integer option (cmd_option.parse; `to` is an int). */
int cmd_parse_int(const char *option, const char *value, void *to);

/* -c's default: config when given, else "tend.yaml" when the working
 * directory holds one (as kubectl finds ~/.kube/config), else NULL (the
 * defaults: the projects in .). */
const char *cmd_config_default(const char *config);

/* What every `-c tend.yaml` command works on. */
typedef struct cmd_ctx {
	tend_config cfg;
	tend_source *src;         /* a remote source; NULL for a local one */
	const tend_revision *rev; /* borrowed from src, or &local */
	tend_revision local;      /* a local source: its directory, or --revision's tree */
	char *tmp;                /* where --revision's tree is mounted (never created) */
	struct tend_fs *tree;     /* that tree, read from the object database */
	tend_projects projects;
} cmd_ctx;

/* Loads tend.yaml (or defaults when config is NULL), reads the source and
 * runs the generator. A local source (a directory or working copy) is
 * read as it stands, or at `revision` (any Git revision: HEAD, a branch, a
 * tag, a sha) out of its repository; a remote one is fetched, falling back
 * to the cached revision unless `revision` was given. An unknown revision
 * is an error. On failure c is closed again. */
int cmd_ctx_open(cmd_ctx *c, const char *config, const char *source, const char *revision);
void cmd_ctx_close(cmd_ctx *c);

/* 0 when every name is a project of ps, else -1 with tend_err() naming one that is not. */
int cmd_check_project_names(const tend_projects *ps, const cmd_args *names);

/* `tend render -c`: the named projects (all when none) of the configured source. */
int cmd_render_projects(const char *config, const char *source, const char *revision,
                        const char *format, const tend_kustomize_opts *opts,
                        const cmd_args *names);

/* One reconcile run of diff or sync (cluster.c). */
typedef struct cmd_cluster {
	cmd_ctx c;
	tend_reconcile_result res;
	tend_kube_config *kcfg;
	tend_kube *kube;
	tend_reconciler *rec;
	tend_reconcile_desired *desired; /* one per selected project, render failures included */
	tend_resmap *maps;
	char **errors;
	size_t n;
	bool complete; /* every project of the revision was selected */
} cmd_cluster;

/*
 * Opens the context (cmd_ctx_open), connects to the cluster of its
 * tend.yaml, renders the named projects (all when none) and reconciles them
 * in `mode` into cl->res. flags->force false turns tend.yaml's sync.force
 * off (--no-force). Close cl whatever this returns.
 */
typedef struct cmd_cluster_flags {
	const char *kubeconfig; /* --kubeconfig, or NULL for tend.yaml's */
	const char *context;    /* --context, or NULL for tend.yaml's */
	bool force;             /* false: --no-force */
} cmd_cluster_flags;
/* Connects to the cluster of cfg (or the flags' kubeconfig and context):
 * *kcfg and *kube, for the caller to free. */
int cmd_cluster_connect(const tend_config *cfg, const cmd_cluster_flags *f, tend_kube_config **kcfg,
                        tend_kube **kube);
int cmd_cluster_run(cmd_cluster *cl, const char *config, const char *source, const char *revision,
                    const cmd_args *names, const cmd_cluster_flags *flags,
                    tend_reconcile_mode mode);
void cmd_cluster_close(cmd_cluster *cl);
/* Prints a report's project error, if any, on stderr ("tend: error: project P: ..."). */
void cmd_cluster_print_error(const tend_reconcile_report *rep);
/*
 * What check, preview and grants review: the config repo as it is on disk.
 * A local source (a directory, a working copy) is read as it stands, never
 * through the cache, so uncommitted work is checked too; a remote source is
 * fetched as cmd_ctx_open does. `hist` is the Git repository holding the
 * root (NULL when there is none and history was not required).
 */
typedef struct cmd_review {
	cmd_ctx c;          /* cfg and projects; src and rev only for a remote source */
	char *root;         /* the config repo's root directory */
	char *config_rel;   /* tend.yaml relative to root */
	tend_history *hist; /* NULL outside Git */
	char today[11];     /* the date grants expire against, YYYY-MM-DD */
} cmd_review;

/* Opens r (closed again on failure); `today` is --today, NULL for today (UTC).
 * The projects of a local root are found only when `need_projects` (preview
 * finds those of each revision itself: 10,000 project.yaml files are not free). */
int cmd_review_open(cmd_review *r, const char *config, const char *today, bool need_history,
                    bool need_projects);
void cmd_review_close(cmd_review *r);

/* `tend grants --usage` (grants_usage.c): the add-ons' quota and its share
 * in use, from the renders with and without each add-on and the live
 * ResourceQuotas; -1 with tend_err() when it cannot be made. */
struct tend_grant_list; /* lib/review/review.h */
int cmd_grants_usage(const cmd_review *r, const tend_guard_config *g,
                     const struct tend_grant_list *l, const cmd_cluster_flags *f,
                     bool expired_only, const char *format);

/* Today's date (UTC) as YYYY-MM-DD, or `override` when it is a valid date. */
int cmd_today(const char *override, char out[11]);

/* Prints "tend: error: <last error>" to stderr; returns the exit code given. */
int cmd_fail(int code);

#endif
