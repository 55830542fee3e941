/*
 * fuzz_project_file.c — libFuzzer target for project.yaml: the input sits
 * beside a kustomization in projects/alpha/ and the directory generator
 * runs over it. A bad file must mark that project with an error, never
 * fail the run or crash; a good one yields usable substitution variables.
 */
#include "fuzz_scratch.h"
#include "lib/generator/generator.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char kust[] = "resources: []\n";
	fuzz_scratch_put("projects/alpha/kustomization.yaml", kust, sizeof(kust) - 1);
	fuzz_scratch_put("projects/alpha/project.yaml", data, size);
	char *dirs[] = {"projects/*"};
	tend_generator_rule rule = {0};
	rule.directories.items = dirs;
	rule.directories.len = 1;
	rule.substitute = true;
	tend_projects ps = {0};
	if (tend_generator_run(&rule, 1, fuzz_scratch_dir(), &ps) != 0)
		abort(); /* the root is readable: only the project may fail */
	if (ps.len != 1)
		abort();
	if (!ps.items[0].error) {
		tend_strvec names = TEND_STRVEC_INIT, values = TEND_STRVEC_INIT;
		tend_project_variables(&ps.items[0], &names, &values);
		if (names.len != values.len)
			abort();
		tend_strvec_free(&names);
		tend_strvec_free(&values);
	}
	tend_projects_free(&ps);
	return 0;
}
