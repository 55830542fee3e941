/*
 * fuzz_doc_load.c — libFuzzer target for the YAML loader and emitter: any
 * input must load or fail with a message, and whatever loads must print.
 */
#include "lib/doc/doc.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load("fuzz.yaml", (const char *)data, size, &docs) != 0) {
		if (!tend_err_msg()[0])
			abort();
		return 0;
	}
	tend_buf out = TEND_BUF_INIT;
	for (size_t i = 0; i < docs.len; i++) {
		tend_doc_emit_yaml(docs.items[i].root, &out);
		tend_doc_emit_json(docs.items[i].root, &out);
	}
	/* What tend prints must load again. */
	tend_docs again = TEND_DOCS_INIT;
	tend_buf yaml = TEND_BUF_INIT;
	for (size_t i = 0; i < docs.len; i++)
		if (tend_doc_emit_yaml(docs.items[i].root, &yaml) == 0 && i + 1 < docs.len)
			tend_buf_puts(&yaml, "---\n");
	if (yaml.len && tend_doc_load("again.yaml", yaml.data, yaml.len, &again) != 0)
		abort();
	tend_docs_free(&again);
	tend_buf_free(&yaml);
	tend_buf_free(&out);
	tend_docs_free(&docs);
	return 0;
}
