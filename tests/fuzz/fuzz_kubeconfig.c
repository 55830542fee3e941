/*
 * fuzz_kubeconfig.c — libFuzzer target for kubeconfig files: any input is
 * read into a config or rejected with a message naming the file.
 */
#include "lib/kube/kube.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tend_kube_config *cfg = NULL;
	if (tend_kube_config_parse("/nonexistent/kubeconfig", (const char *)data, size, NULL,
				   &cfg) == 0) {
		if (!cfg)
			abort();
		tend_kube_config_free(cfg);
	} else if (!tend_err_msg()[0]) {
		abort();
	}
	return 0;
}
