/*
 * fuzz_patch.c — libFuzzer target for patch application: the input is an
 * object and a patch separated by a line "%%" (without one, the whole
 * input patches a fixed Deployment). Every document of the patch is
 * applied in turn, as a strategic merge patch when it is a mapping and as
 * JSON 6902 operations when it is a list. Any input must apply or fail
 * with a message; whatever remains must print.
 */
#include "lib/kustomize/kustomize_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char DEPLOY[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n"
                             "spec:\n  template:\n    spec:\n      containers:\n"
                             "      - name: c\n        image: x\n        ports:\n"
                             "        - {containerPort: 80, protocol: TCP}\n"
                             "        env: [{name: A, value: a}]\n";

static cJSON *load_object(const char *data, size_t len)
{
	tend_docs docs = TEND_DOCS_INIT;
	cJSON *obj = NULL;
	if (tend_doc_load("object", data, len, &docs) == 0 && docs.len &&
	    cJSON_IsObject(docs.items[0].root)) {
		obj = docs.items[0].root;
		docs.items[0].root = NULL;
	}
	tend_docs_free(&docs);
	return obj;
}

static void apply_all(cJSON **obj, const char *data, size_t len)
{
	tend_docs docs = TEND_DOCS_INIT;
	if (tend_doc_load_flags("patch", data, len, TEND_DOC_PLAIN_ANNOTATIONS, &docs))
		return;
	for (size_t i = 0; i < docs.len && *obj; i++) {
		cJSON *p = docs.items[i].root;
		if (cJSON_IsArray(p)) {
			if (kz_json6902_check(p, "patch") == 0)
				kz_json6902_apply(*obj, p, "patch");
		} else if (cJSON_IsObject(p)) {
			kz_smp_apply(obj, cJSON_Duplicate(p, true), i & 1, i & 2, "patch", NULL);
		}
	}
	tend_docs_free(&docs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *sep = size >= 3 ? memmem(in, size, "%%\n", 3) : NULL;
	size_t olen = sep ? (size_t)(sep - in) : 0;
	cJSON *obj = sep ? load_object(in, olen) : NULL;
	if (!obj)
		obj = load_object(DEPLOY, sizeof(DEPLOY) - 1);
	const char *patch = sep ? sep + 3 : in;
	apply_all(&obj, patch, size - (size_t)(patch - in));
	if (obj) {
		tend_buf out = TEND_BUF_INIT;
		tend_doc_emit_yaml(obj, &out);
		tend_buf_free(&out);
	}
	cJSON_Delete(obj);
	tend_err_clear();
	return 0;
}
