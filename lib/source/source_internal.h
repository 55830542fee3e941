/*
 * source_internal.h — shared between the files of lib/source.
 */
#ifndef TEND_SOURCE_INTERNAL_H
#define TEND_SOURCE_INTERNAL_H

#include "source.h"

#include <git2.h>

/* State the libgit2 callbacks read and write during one fetch. */
typedef struct src_callbacks {
	const tend_source_auth *auth;
	const char *host; /* from the URL, for known_hosts */
	int port;         /* 22 unless the URL says otherwise */
	int attempts;     /* credential requests in this fetch */
	char reason[512]; /* why a callback refused, for the error message */
} src_callbacks;

int src_credentials_cb(git_credential **out, const char *url, const char *user_from_url,
		       unsigned int allowed, void *payload);
int src_certificate_cb(git_cert *cert, int valid, const char *host, void *payload);

/* 1 when known_hosts has this host's key, 0 when the host is unknown,
 * -1 when the host is listed with a different key (reason set). */
int src_known_hosts_check(const char *file, const char *host, int port, const unsigned char *key,
			  size_t key_len, char *reason, size_t reason_len);

/*
 * Appends the paths (relative to the repository's top) where the working
 * tree differs from the tree `base`: committed, staged, unstaged and
 * untracked, ignored files left out (workdir.c). 0 done; 1 when this way
 * cannot be taken (no working tree, an index with conflicts, a directory
 * that cannot be read), out untouched: diff the long way.
 */
int src_workdir_changes(git_repository *repo, const git_oid *base, const char *diffs,
                        tend_strvec *out);

/*
 * The paths trees a and b differ in, kept under dir (diffs.c; dir NULL:
 * nothing kept): load appends the kept list (0) or fails (-1, nothing
 * appended); save keeps one, quietly skipping what cannot be kept.
 */
int src_diff_load(const char *dir, const git_oid *a, const git_oid *b, tend_strvec *out);
void src_diff_save(const char *dir, const git_oid *a, const git_oid *b, const tend_strvec *paths);

#endif
