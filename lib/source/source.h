/*
 * source.h — the Git source: clone once into a cache, fetch on each poll,
 * resolve the branch (or a fixed sha/tag) to a commit, and check that
 * commit out into a tree of its own that tend only reads.
 *
 * Transports: https (token or username/password from files, a CA file),
 * ssh (private key; host keys checked against a known_hosts file, unknown
 * hosts refused unless insecureIgnoreHostKey), file:// and local paths.
 * A local directory that is not a Git repository is read as it is, which
 * is how a researcher renders a working copy.
 *
 * Safety: a failed fetch changes nothing: the last good revision stays
 * current and its tree stays on disk. Secrets are never logged.
 */
#ifndef TEND_SOURCE_H
#define TEND_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "../config/config.h"

typedef struct tend_revision {
	char sha[41];  /* "" for a plain directory */
	char *dir;     /* the tree to read (owned path) */
	char *author;  /* "Name <email>" */
	int64_t time;  /* commit time, seconds since the epoch */
	char *subject; /* first line of the message */
	bool history_rewritten; /* the branch moved to a commit that does not descend from the last one */
} tend_revision;

typedef struct tend_source tend_source;

/* Prepares a source from the configuration (paths resolved against base_dir). */
int tend_source_open(const tend_source_config *cfg, const char *base_dir, tend_source **out);
void tend_source_free(tend_source *s);

/*
 * Fetches and checks out the configured revision, then makes it current.
 * On failure the current revision is unchanged and the error says why
 * (unreachable, authentication, host key, unknown revision).
 */
int tend_source_update(tend_source *s);

/* The current revision, or NULL before the first successful update (borrowed). */
const tend_revision *tend_source_current(const tend_source *s);

/* Loads the last good revision left in the cache by an earlier process. */
int tend_source_load_cached(tend_source *s);

/* True when the source is a plain directory (no Git). */
bool tend_source_is_plain_dir(const tend_source *s);

void tend_revision_clear(tend_revision *r);

#endif
