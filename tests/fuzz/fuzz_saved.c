/*
 * fuzz_saved.c — libFuzzer target for the files tend keeps in its cache
 * between runs, by the first byte modulo 3: a saved project list (0; this
 * build's id is stamped on a document that parses), a saved graph of
 * inputs (1; the lines after this build's header) and a kept diff (2). A
 * file that is not what tend wrote must be refused or read whole, never
 * crash; a list or graph that is read saves and loads again unchanged.
 */
#include "build_id.h"
#include "fuzz_scratch.h"
#include "lib/generator/generator.h"
#include "lib/review/review.h"
#include "lib/source/source.h"

#include <cJSON.h>
#include <stdint.h>

static void projects(const uint8_t *data, size_t size)
{
	char *dirs[] = {"projects/*"};
	tend_generator_rule rule = {0};
	rule.directories.items = dirs;
	rule.directories.len = 1;
	tend_projects ps, again;
	/* a document of another build is refused before anything else is read:
	 * stamp this build's id on what parses, so the rest is fuzzed too */
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	if (cJSON_IsObject(doc)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "build");
		cJSON_AddStringToObject(doc, "build", TEND_BUILD_ID);
	}
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	int rc = text ? tend_projects_load_text(text, strlen(text), &rule, 1, &ps)
	              : tend_projects_load_text((const char *)data, size, &rule, 1, &ps);
	free(text);
	if (rc != 0) {
		tend_err_clear();
		return;
	}
	for (size_t i = 0; i < ps.len; i++)
		if (!ps.items[i].name || !ps.items[i].dir || !ps.items[i].namespace ||
		    ps.items[i].param_names.len != ps.items[i].param_values.len)
			abort();
	char path[512];
	snprintf(path, sizeof(path), "%s/projects.json", fuzz_scratch_dir());
	if (tend_projects_save(&ps, &rule, 1, path) || tend_projects_load(path, &rule, 1, &again) ||
	    again.len != ps.len)
		abort();
	for (size_t i = 0; i < ps.len; i++)
		if (strcmp(ps.items[i].name, again.items[i].name) != 0 ||
		    ps.items[i].n_grants != again.items[i].n_grants)
			abort();
	tend_projects_free(&again);
	tend_projects_free(&ps);
}

static void inputs(const uint8_t *data, size_t size)
{
	/* the header names this build; the lines after it are the input */
	static const char header[] = "tend-inputs 2 " TEND_BUILD_ID "\n";
	char *text = malloc(sizeof(header) + size);
	if (!text)
		abort();
	memcpy(text, header, sizeof(header) - 1);
	memcpy(text + sizeof(header) - 1, data, size);
	fuzz_scratch_put("inputs", text, sizeof(header) - 1 + size);
	free(text);
	char path[512], again[512];
	snprintf(path, sizeof(path), "%s/inputs", fuzz_scratch_dir());
	snprintf(again, sizeof(again), "%s/inputs.again", fuzz_scratch_dir());
	tend_inputs *in = tend_inputs_load(path, fuzz_scratch_dir());
	if (!in)
		return;
	if (tend_inputs_save(in, again))
		tend_err_clear(); /* a path with a tab is not saved: refused, not wrong */
	else {
		tend_inputs *back = tend_inputs_load(again, fuzz_scratch_dir());
		if (!back)
			abort();
		tend_inputs_free(back);
	}
	tend_inputs_free(in);
}

/* A kept diff: read whole or not at all; every path read is a line. */
static void diff(const uint8_t *data, size_t size)
{
	tend_strvec paths = TEND_STRVEC_INIT;
	if (tend_history_diff_parse((const char *)data, size, &paths) == 0)
		for (size_t i = 0; i < paths.len; i++)
			if (!*paths.items[i] || strchr(paths.items[i], '\n'))
				abort();
	tend_strvec_free(&paths);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 3 == 0)
		projects(data + 1, size - 1);
	else if (data[0] % 3 == 1)
		inputs(data + 1, size - 1);
	else
		diff(data + 1, size - 1);
	return 0;
}
