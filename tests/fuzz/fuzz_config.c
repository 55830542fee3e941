/*
 * fuzz_config.c — libFuzzer target for tend.yaml: any input loads or fails
 * with a message naming the file; a loaded config is freed cleanly.
 */
#include "fuzz_scratch.h"
#include "lib/config/config.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_scratch_put("tend.yaml", data, size);
	char path[512];
	snprintf(path, sizeof(path), "%s/tend.yaml", fuzz_scratch_dir());
	tend_config cfg;
	if (tend_config_load(path, &cfg) == 0) {
		if (!cfg.source.url || !cfg.file)
			abort(); /* a loaded config always has its defaults */
		tend_config_free(&cfg);
	} else if (!tend_err_msg()[0]) {
		abort(); /* a failure must say why */
	}
	return 0;
}
