/*
 * fuzz_kube_response.c — libFuzzer target for what an API server sends:
 * the input is read as a JSON body (exact numbers), as an error Status,
 * and as a watch stream fed in two pieces. Whatever parses must print and
 * parse back to the same text.
 */
#include "lib/kube/kube.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int on_event(void *ud, const char *json, size_t len)
{
	(void)ud;
	tend_kube_event_type type;
	cJSON *obj = NULL;
	if (tend_kube_watch_event_parse(json, len, &type, &obj) == 0)
		cJSON_Delete(obj);
	return 0;
}

static void check_round_trip(const char *data, size_t size)
{
	cJSON *v = NULL;
	if (tend_kube_json_parse(data, size, &v) != 0)
		return;
	tend_buf once = TEND_BUF_INIT, twice = TEND_BUF_INIT;
	tend_kube_json_emit(v, &once);
	cJSON *again = NULL;
	if (tend_kube_json_parse(once.data, once.len, &again) != 0)
		abort(); /* what tend prints, tend must read */
	tend_kube_json_emit(again, &twice);
	if (once.len != twice.len || memcmp(once.data, twice.data, once.len) != 0)
		abort();
	cJSON_Delete(v);
	cJSON_Delete(again);
	tend_buf_free(&once);
	tend_buf_free(&twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	check_round_trip(text, size);

	tend_kube_status st;
	memset(&st, 0, sizeof(st));
	tend_kube_status_parse(422, text, size, &st);
	tend_buf msg = TEND_BUF_INIT;
	tend_kube_status_format(&st, &msg);
	tend_buf_free(&msg);
	tend_kube_status_clear(&st);

	tend_kube_watch_parser p = TEND_KUBE_WATCH_PARSER_INIT;
	size_t half = size / 2;
	if (tend_kube_watch_parser_feed(&p, text, half, on_event, NULL) == 0)
		tend_kube_watch_parser_feed(&p, text + half, size - half, on_event, NULL);
	tend_kube_watch_parser_free(&p);
	return 0;
}
