/*
 * doc_throughput.c — loader and emitter throughput on one large YAML file.
 * Usage: doc-throughput FILE [ROUNDS]. Prints MB/s for load and for emit.
 * Driven by bench/doc-throughput.sh, which also generates the input.
 */
#include "lib/doc/doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: doc-throughput FILE [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	tend_buf in = TEND_BUF_INIT;
	if (tend_file_read(argv[1], TEND_DOC_MAX_BYTES, &in)) {
		fprintf(stderr, "%s\n", tend_err_msg());
		return 1;
	}
	double load_s = 0, emit_s = 0;
	size_t out_bytes = 0, docs_n = 0;
	for (int r = 0; r < rounds; r++) {
		tend_docs docs = TEND_DOCS_INIT;
		double t0 = now();
		if (tend_doc_load(argv[1], in.data, in.len, &docs)) {
			fprintf(stderr, "%s\n", tend_err_msg());
			return 1;
		}
		double t1 = now();
		tend_buf out = TEND_BUF_INIT;
		for (size_t i = 0; i < docs.len; i++)
			tend_doc_emit_yaml(docs.items[i].root, &out);
		double t2 = now();
		load_s += t1 - t0;
		emit_s += t2 - t1;
		out_bytes = out.len;
		docs_n = docs.len;
		tend_buf_free(&out);
		tend_docs_free(&docs);
	}
	double mb = (double)in.len / 1e6;
	printf("input %.1f MB, %zu documents, %d rounds\n", mb, docs_n, rounds);
	printf("load: %.1f MB/s\n", mb * rounds / load_s);
	printf("emit: %.1f MB/s (%.1f MB out)\n", (double)out_bytes / 1e6 * rounds / emit_s,
	       (double)out_bytes / 1e6);
	tend_buf_free(&in);
	return 0;
}
