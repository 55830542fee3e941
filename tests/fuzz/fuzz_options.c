/*
 * fuzz_options.c — libFuzzer target for the command-line parser of every
 * tend command (cmd/tend/options.c): the input is argv, one word per line.
 * Whatever it holds, parsing ends with 0 or an error message, every value
 * stored is one of argv's strings (or a part of one), the positional
 * arguments are argv's own words, and a value with choices is one of them.
 */
#include "cmd/tend/cmd.h"
#include "lib/util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WORDS = 64 };

static bool inside(const char *p, char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (p >= words[i] && p <= words[i] + strlen(words[i]))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char *argv[MAX_WORDS + 1], *words[MAX_WORDS + 1];
	int argc = 0;
	argv[argc++] = "tend";
	for (char *w = text; w && argc < MAX_WORDS;) {
		char *nl = strchr(w, '\n');
		if (nl)
			*nl = '\0';
		argv[argc++] = w;
		w = nl ? nl + 1 : NULL;
	}
	memcpy(words, argv, sizeof(*argv) * (size_t)argc);
	const char *config = NULL, *format = NULL;
	bool dry = false, force = true, help = false;
	int verbosity = 0, jobs = 0;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    {.letter = 'o', .choices = CMD_CHOICES("text", "json"), .text = &format},
	    {.name = "dry-run", .flag = &dry},
	    {.name = "no-force", .flag = &force, .clears = true},
	    {.letter = 'v', .count = &verbosity},
	    CMD_JOBS_OPTION(&jobs),
	    {0},
	};
	const cmd_spec spec = {"fuzz", "tend fuzz", NULL, options, argc % 2 ? CMD_ANY_ARGS : 2};
	cmd_args args;
	tend_err_clear();
	if (cmd_options_parse(&spec, argc, argv, &args, &help) != 0) {
		if (!*tend_err_msg())
			abort(); /* an error always says what is wrong */
	} else if (!help) {
		if (config && !inside(config, words, argc))
			abort();
		if (format && strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
			abort();
		if (args.len < 0 || args.len > argc - 1 || args.items != argv + 1)
			abort();
		if (spec.max_args != CMD_ANY_ARGS && args.len > spec.max_args)
			abort();
		for (int i = 0; i < args.len; i++)
			if (!inside(args.items[i], words, argc))
				abort();
		if (jobs < 0 || verbosity > (int)size)
			abort();
	}
	free(text);
	return 0;
}
