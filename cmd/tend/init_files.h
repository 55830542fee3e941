/*
 * init_files.h — the files `tend init` writes, compiled into the binary by
 * scripts/embed-tree (see meson.build): tend's base/ and overlays/, tend's
 * the YAML files of deploy/ as deploy/base/, and cmd/tend/init-template/.
 */
#ifndef TEND_INIT_FILES_H
#define TEND_INIT_FILES_H

#include <stddef.h>

typedef struct tend_init_file {
	const char *path; /* relative to the new repository: "base/project/quota.yaml" */
	const unsigned char *data;
	size_t len;
} tend_init_file;

/* Sorted by path; ends with an entry whose path is NULL. */
extern const tend_init_file tend_init_files[];

#endif
