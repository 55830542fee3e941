/*
 * test_options.c — the command-line parser every tend command uses
 * (cmd/tend/options.c): spellings of options and values, positional
 * arguments mixed with options, and the errors a user sees.
 */
#include "test.h"

#include "../../cmd/tend/cmd.h"
#include "../../lib/util/util.h"

#include <stdlib.h>

/* What a made-up command's options land in. */
typedef struct parsed {
	const char *config, *format, *base, *output;
	bool dry, force, help;
	int verbosity, jobs;
	cmd_args args;
	char *words[16];
	char line[256];
} parsed;

/* Parses `line` (split at spaces, argv[0] is "cmd") with at most max_args positionals. */
static int parse(parsed *p, const char *line, int max_args)
{
	memset(p, 0, sizeof(*p));
	p->format = "text";
	p->force = true;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&p->config),
	    {.name = "format", .arg = "FORMAT", .text = &p->format, .help = "text or json"},
	    {.name = "base", .arg = "REV", .text = &p->base, .help = "compare with REV"},
	    {.letter = 'o', .choices = CMD_CHOICES("yaml", "json"), .text = &p->output},
	    {.name = "dry-run", .flag = &p->dry, .help = "change nothing"},
	    {.name = "no-force", .flag = &p->force, .clears = true, .help = "keep others' fields"},
	    {.letter = 'v', .count = &p->verbosity, .help = "more logging"},
	    {.letter = 'j', .arg = "N", .parse = cmd_parse_int, .to = &p->jobs, .help = "threads"},
	    {0},
	};
	const cmd_spec spec = {"cmd", "tend cmd [OPTIONS] [NAME...]", NULL, options, max_args};
	snprintf(p->line, sizeof(p->line), "cmd %s", line);
	int argc = 0;
	for (char *w = strtok(p->line, " "); w && argc < 15; w = strtok(NULL, " "))
		p->words[argc++] = w;
	tend_err_clear();
	return cmd_options_parse(&spec, argc, p->words, &p->args, &p->help);
}

TEST(long_option_value_spellings)
{
	parsed p;
	CHECK_INT(0, parse(&p, "--format json --base=main", CMD_ANY_ARGS));
	CHECK_STR("json", p.format);
	CHECK_STR("main", p.base);
	CHECK_INT(0, parse(&p, "--config=a.yaml --config b.yaml", CMD_ANY_ARGS));
	CHECK_STR("b.yaml", p.config);
	/* a value is the next word even when it starts with a dash */
	CHECK_INT(0, parse(&p, "--base -x", CMD_ANY_ARGS));
	CHECK_STR("-x", p.base);
	CHECK_INT(0, parse(&p, "--base=", CMD_ANY_ARGS));
	CHECK_STR("", p.base);
}

TEST(short_option_value_spellings)
{
	parsed p;
	CHECK_INT(0, parse(&p, "-c a.yaml", CMD_ANY_ARGS));
	CHECK_STR("a.yaml", p.config);
	CHECK_INT(0, parse(&p, "-cb.yaml", CMD_ANY_ARGS));
	CHECK_STR("b.yaml", p.config);
	CHECK_INT(0, parse(&p, "-c=c.yaml -j4", CMD_ANY_ARGS));
	CHECK_STR("c.yaml", p.config);
	CHECK_INT(4, p.jobs);
}

TEST(flags_set_clear_and_count)
{
	parsed p;
	CHECK_INT(0, parse(&p, "", CMD_ANY_ARGS));
	CHECK(!p.dry && p.force && p.verbosity == 0);
	CHECK_INT(0, parse(&p, "--dry-run --no-force -vv", CMD_ANY_ARGS));
	CHECK(p.dry && !p.force);
	CHECK_INT(2, p.verbosity);
	CHECK_INT(0, parse(&p, "-v -v -v", CMD_ANY_ARGS));
	CHECK_INT(3, p.verbosity);
	CHECK_INT(0, parse(&p, "-vj2", CMD_ANY_ARGS));
	CHECK_INT(1, p.verbosity);
	CHECK_INT(2, p.jobs);
}

TEST(positional_arguments_mix_with_options)
{
	parsed p;
	CHECK_INT(0, parse(&p, "alpha -c t.yaml beta - -- --format -v", CMD_ANY_ARGS));
	CHECK_STR("t.yaml", p.config);
	CHECK_STR("text", p.format); /* after --, options are arguments */
	CHECK_INT(5, p.args.len);
	const char *want[] = {"alpha", "beta", "-", "--format", "-v"};
	for (int i = 0; i < 5 && i < p.args.len; i++)
		CHECK_STR(want[i], p.args.items[i]);
	CHECK_INT(0, p.verbosity);
}

TEST(too_many_arguments)
{
	parsed p;
	CHECK_INT(0, parse(&p, "base head", 2));
	CHECK_INT(2, p.args.len);
	CHECK_INT(-1, parse(&p, "base head third", 2));
	CHECK_STR("unexpected argument \"third\"", tend_err_msg());
	CHECK_INT(-1, parse(&p, "name", 0));
	CHECK_STR("unexpected argument \"name\"", tend_err_msg());
}

TEST(unknown_option)
{
	parsed p;
	CHECK_INT(-1, parse(&p, "--colour", CMD_ANY_ARGS));
	CHECK_STR("unknown option \"--colour\"", tend_err_msg());
	CHECK_INT(-1, parse(&p, "--colour=always", CMD_ANY_ARGS));
	CHECK_STR("unknown option \"--colour=always\"", tend_err_msg());
	CHECK_INT(-1, parse(&p, "-x", CMD_ANY_ARGS));
	CHECK_STR("unknown option \"-x\"", tend_err_msg());
	CHECK_INT(-1, parse(&p, "-vx", CMD_ANY_ARGS));
	CHECK_STR("unknown option \"-vx\"", tend_err_msg());
	/* a prefix of a long name is not that option */
	CHECK_INT(-1, parse(&p, "--form json", CMD_ANY_ARGS));
	CHECK_STR("unknown option \"--form\"", tend_err_msg());
}

TEST(missing_or_bad_value)
{
	parsed p;
	CHECK_INT(-1, parse(&p, "--format", CMD_ANY_ARGS));
	CHECK_STR("--format needs a value (FORMAT)", tend_err_msg());
	CHECK_INT(-1, parse(&p, "alpha -c", CMD_ANY_ARGS));
	CHECK_STR("-c needs a value (tend.yaml)", tend_err_msg());
	CHECK_INT(-1, parse(&p, "--dry-run=yes", CMD_ANY_ARGS));
	CHECK_STR("--dry-run takes no value", tend_err_msg());
	CHECK_INT(-1, parse(&p, "-j many", CMD_ANY_ARGS));
	CHECK_STR("-j: expected a non-negative integer, got \"many\"", tend_err_msg());
	CHECK_INT(-1, parse(&p, "-j -1", CMD_ANY_ARGS));
	CHECK_STR("-j: expected a non-negative integer, got \"-1\"", tend_err_msg());
}

TEST(value_from_choices)
{
	parsed p;
	CHECK_INT(0, parse(&p, "-o json", CMD_ANY_ARGS));
	CHECK_STR("json", p.output);
	CHECK_INT(-1, parse(&p, "-o=xml", CMD_ANY_ARGS));
	CHECK_STR("-o must be yaml or json, not \"xml\"", tend_err_msg());
	CHECK_INT(-1, parse(&p, "-o", CMD_ANY_ARGS));
	CHECK_STR("-o needs a value (yaml|json)", tend_err_msg());
}

TEST(help_wins_anywhere_before_double_dash)
{
	parsed p;
	CHECK_INT(0, parse(&p, "--colour --help", CMD_ANY_ARGS));
	CHECK(p.help);
	CHECK_INT(0, parse(&p, "alpha -h", 0));
	CHECK(p.help);
	CHECK_INT(0, parse(&p, "-- --help", CMD_ANY_ARGS));
	CHECK(!p.help);
	CHECK_INT(1, p.args.len);
}

TEST(usage_lists_every_option)
{
	const char *config = NULL, *format = NULL;
	bool dry = false;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    {.letter = 'o',
	     .choices = CMD_CHOICES("a", "b", "c"),
	     .text = &format,
	     .help = "output"},
	    {.name = "format", .arg = "FORMAT", .text = &format, .help = "text (default)\nor json"},
	    {.name = "dry-run", .flag = &dry, .help = "change nothing"},
	    {0},
	};
	const cmd_spec spec = {"cmd", "tend cmd [-c tend.yaml]\n         [NAME...]",
	                       "Does a thing.\n", options, CMD_ANY_ARGS};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	cmd_usage(&spec, out);
	fclose(out);
	CHECK_CONTAINS(
	    text, "Usage: tend cmd [-c tend.yaml]\n                [NAME...]\n\nDoes a thing.\n");
	CHECK_CONTAINS(text, "\n  -c, --config tend.yaml  the configuration");
	CHECK_CONTAINS(text, "\n      --format FORMAT     text (default)\n"
	                     "                          or json\n");
	CHECK_CONTAINS(text, "\n  -o a|b|c                output\n");
	CHECK_CONTAINS(text, "\n      --dry-run           change nothing\n");
	CHECK_CONTAINS(text, "\n  -h, --help              print this help\n");
	free(text);
}

int main(void)
{
	RUN(long_option_value_spellings);
	RUN(short_option_value_spellings);
	RUN(flags_set_clear_and_count);
	RUN(positional_arguments_mix_with_options);
	RUN(too_many_arguments);
	RUN(unknown_option);
	RUN(missing_or_bad_value);
	RUN(value_from_choices);
	RUN(help_wins_anywhere_before_double_dash);
	RUN(usage_lists_every_option);
	TEST_MAIN_END();
}
