/*
 * options.c — the one command-line parser of every tend command: a table of
 * cmd_option entries says each option's spellings, whether it takes a value
 * and where it lands; the same table prints the usage. Options and
 * positional arguments mix in any order, as `tend sync alpha -c tend.yaml`.
 * Invariant: argv's strings are never copied, only borrowed, and the
 * positional ones are moved to argv[1..] so no allocation is needed.
 */
#include "cmd.h"

#include "../../lib/util/util.h"

#include <stdlib.h>
#include <string.h>

static bool is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static bool takes_value(const cmd_option *o)
{
	return o->text || o->parse;
}

static bool table_end(const cmd_option *o)
{
	return !o->name && !o->letter;
}

static const cmd_option *find_long(const cmd_option *opts, const char *name, size_t len)
{
	for (const cmd_option *o = opts; !table_end(o); o++)
		if (o->name && strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const cmd_option *find_short(const cmd_option *opts, char letter)
{
	for (const cmd_option *o = opts; !table_end(o); o++)
		if (o->letter == letter)
			return o;
	return NULL;
}

/* "text|json" with sep "|", "text, github or json" with sep ", " and last " or ". */
static char *join_choices(const char *const *choices, const char *sep, const char *last)
{
	tend_buf b = TEND_BUF_INIT;
	for (size_t i = 0; choices[i]; i++)
		tend_buf_printf(&b, "%s%s", i == 0 ? "" : choices[i + 1] ? sep : last, choices[i]);
	return b.data ? b.data : tend_xstrdup("");
}

/* What the usage and errors call o's value: "REV", "text|json". */
static char *value_name(const cmd_option *o)
{
	if (o->choices)
		return join_choices(o->choices, "|", "|");
	return tend_xstrdup(o->arg ? o->arg : "VALUE");
}

static int missing_value(const cmd_option *o, const char *spelled)
{
	char *arg = value_name(o);
	tend_err("%s needs a value (%s)", spelled, arg);
	free(arg);
	return -1;
}

static int check_choice(const cmd_option *o, const char *spelled, const char *value)
{
	for (size_t i = 0; o->choices[i]; i++)
		if (strcmp(o->choices[i], value) == 0)
			return 0;
	char *list = join_choices(o->choices, ", ", " or ");
	tend_err("%s must be %s, not \"%s\"", spelled, list, value);
	free(list);
	return -1;
}

/* Stores value (NULL for a flag) where o says; `spelled` is how the user wrote o. */
static int store(const cmd_option *o, const char *spelled, const char *value)
{
	if (o->text && o->choices && check_choice(o, spelled, value))
		return -1;
	if (o->text)
		*o->text = value;
	else if (o->parse)
		return o->parse(spelled, value, o->to);
	else if (o->flag)
		*o->flag = !o->clears;
	else if (o->count)
		(*o->count)++;
	return 0;
}

/* `--name`, `--name=VALUE` or `--name VALUE`; *i moves past a value it takes. */
static int parse_long(const cmd_option *opts, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *name = a + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const cmd_option *o = find_long(opts, name, len);
	if (!o)
		return tend_err("unknown option \"%s\"", a);
	char *spelled = tend_xasprintf("--%.*s", (int)len, name);
	int rc;
	if (!takes_value(o))
		rc = eq ? tend_err("%s takes no value", spelled) : store(o, spelled, NULL);
	else if (eq)
		rc = store(o, spelled, eq + 1);
	else if (*i + 1 < argc)
		rc = store(o, spelled, argv[++*i]);
	else
		rc = missing_value(o, spelled);
	free(spelled);
	return rc;
}

/* `-x`, bundled flags `-xy`, `-xVALUE`, `-x=VALUE` or `-x VALUE`. */
static int parse_short(const cmd_option *opts, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	for (const char *p = a + 1; *p; p++) {
		const cmd_option *o = find_short(opts, *p);
		if (!o)
			return tend_err("unknown option \"%s\"", a);
		char spelled[3] = {'-', *p, 0};
		if (!takes_value(o)) {
			store(o, spelled, NULL);
			continue;
		}
		if (p[1])
			return store(o, spelled, p + 1 + (p[1] == '='));
		if (*i + 1 < argc)
			return store(o, spelled, argv[++*i]);
		return missing_value(o, spelled);
	}
	return 0;
}

int cmd_options_parse(const cmd_spec *spec, int argc, char **argv, cmd_args *args, bool *help)
{
	*help = false;
	args->items = argv + 1;
	args->len = 0;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (is_help(argv[i])) {
			*help = true;
			return 0;
		}
	bool options = true;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		int rc = 0;
		if (options && strcmp(a, "--") == 0)
			options = false;
		else if (options && a[0] == '-' && a[1] == '-')
			rc = parse_long(spec->options, argc, argv, &i);
		else if (options && a[0] == '-' && a[1])
			rc = parse_short(spec->options, argc, argv, &i);
		else if (spec->max_args != CMD_ANY_ARGS && args->len >= spec->max_args)
			rc = tend_err("unexpected argument \"%s\"", a);
		else
			args->items[args->len++] = a; /* slot len+1 <= i: already read */
		if (rc)
			return -1;
	}
	return 0;
}

/* "  -c, --config tend.yaml" or "      --base REV": the left column of one option. */
static char *spelling(const cmd_option *o)
{
	char *arg = takes_value(o) ? value_name(o) : tend_xstrdup("");
	const char *space = *arg ? " " : "";
	char *s;
	if (o->letter && o->name)
		s = tend_xasprintf("  -%c, --%s%s%s", o->letter, o->name, space, arg);
	else if (o->letter)
		s = tend_xasprintf("  -%c%s%s", o->letter, space, arg);
	else
		s = tend_xasprintf("      --%s%s%s", o->name, space, arg);
	free(arg);
	return s;
}

enum { HELP_COLUMN = 26 };

static void print_option(FILE *out, const char *left, const char *help)
{
	int w = (int)strlen(left);
	fputs(left, out);
	if (w >= HELP_COLUMN - 1) {
		fputc('\n', out);
		w = 0;
	}
	for (const char *p = help; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		fprintf(out, "%*s%.*s\n", HELP_COLUMN - w, "", len, p);
		w = 0;
		p += len + (nl ? 1 : 0);
	}
}

void cmd_usage(const cmd_spec *spec, FILE *out)
{
	const char *form = spec->synopsis;
	for (bool first = true; *form; first = false) {
		const char *nl = strchr(form, '\n');
		int len = nl ? (int)(nl - form) : (int)strlen(form);
		fprintf(out, "%s%.*s\n", first ? "Usage: " : "       ", len, form);
		form += len + (nl ? 1 : 0);
	}
	if (spec->about)
		fprintf(out, "\n%s", spec->about);
	fputs("\nOptions:\n", out);
	for (const cmd_option *o = spec->options; !table_end(o); o++) {
		char *left = spelling(o);
		print_option(out, left, o->help ? o->help : "");
		free(left);
	}
	print_option(out, "  -h, --help", "print this help");
}

int cmd_parse(const cmd_spec *spec, int argc, char **argv, cmd_args *args)
{
	bool help;
	if (cmd_options_parse(spec, argc, argv, args, &help)) {
		fprintf(stderr, "tend %s: %s (see tend %s --help)\n", spec->name, tend_err_msg(),
		        spec->name);
		return 2;
	}
	if (help) {
		cmd_usage(spec, stdout);
		return 0;
	}
	return CMD_GO_ON;
}

bool cmd_args_select(const cmd_args *args, const char *name)
{
	for (int i = 0; i < args->len; i++)
		if (strcmp(args->items[i], name) == 0)
			return true;
	return args->len == 0;
}

int cmd_parse_int(const char *option, const char *value, void *to)
{
	char *end;
	long n = strtol(value, &end, 10);
	if (!*value || *end || n < 0 || n > 1000000)
		return tend_err("%s: expected a non-negative integer, got \"%s\"", option, value);
	*(int *)to = (int)n;
	return 0;
}
