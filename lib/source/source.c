/*
 * source.c — clone, fetch and resolve, with the cache layout
 *   <cacheDir>/<hash of url>/repo.git      bare clone, fetched on each poll
 *   <cacheDir>/<hash of url>/current       symlink naming the current commit
 * A revision's tree is never checked out: its files are read from repo.git
 * through a tend_fs mounted at <home>/trees/<sha> (tree.c), a path that is
 * never created. Invariants: `current` is switched by an atomic rename; the
 * previous revision stays mounted, so a reader holding its path never sees
 * it vanish mid-render; trees an older tend checked out are removed. A
 * local source's object files are hard-linked into repo.git before its
 * fetch, so no object is copied through memory, whatever its size.
 */
#include "source_internal.h"

#include "../fs/fs.h"

#include <errno.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tend_source {
	char *url;
	char *branch;
	char *revision;
	tend_source_auth auth; /* owned copies, paths resolved */
	char *home;            /* <cacheDir>/<hash> */
	char *repo_path;       /* <home>/repo.git; NULL for a plain directory */
	bool plain_dir;
	char host[256];
	int port;
	tend_revision current;
	bool has_current;
	int64_t max_file_size;
	struct mounted {
		char *root;
		struct tend_fs *fs;
	} cur, prev; /* the trees of the current and the previous revision */
};

typedef struct mounted mounted;
static void unmount(mounted *m);

static char *resolve(const char *base, const char *p)
{
	if (!p)
		return NULL;
	if (strstr(p, "://") || p[0] == '/' || !base || !base[0] || strcmp(base, ".") == 0)
		return tend_xstrdup(p);
	return tend_xasprintf("%s/%s", base, p);
}

static bool is_remote_url(const char *u)
{
	if (strncmp(u, "file://", 7) == 0)
		return false;
	if (strstr(u, "://"))
		return true;
	/* scp-like user@host:path */
	const char *colon = strchr(u, ':'), *slash = strchr(u, '/');
	return colon && (!slash || colon < slash) && u[0] != '/' && u[0] != '.';
}

static void parse_host(tend_source *s)
{
	const char *u = s->url, *p;
	s->port = 22;
	if ((p = strstr(u, "://")))
		u = p + 3;
	const char *at = strchr(u, '@'), *end;
	if (at && (!strchr(u, '/') || at < strchr(u, '/')))
		u = at + 1;
	if (u[0] == '[') {
		end = strchr(u, ']');
		if (!end)
			return;
		snprintf(s->host, sizeof(s->host), "%.*s", (int)(end - u - 1), u + 1);
		p = end + 1;
	} else {
		end = u + strcspn(u, ":/");
		snprintf(s->host, sizeof(s->host), "%.*s", (int)(end - u), u);
		p = end;
	}
	if (*p == ':' && strstr(s->url, "://"))
		s->port = atoi(p + 1) > 0 ? atoi(p + 1) : 22;
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return tend_err("%s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return tend_err("%s: %s", tmp, strerror(errno));
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int make_writable(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DP)
		chmod(path, 0700);
	(void)st;
	return 0;
}

static void rm_tree(const char *path)
{
	nftw(path, make_writable, 16, FTW_PHYS);
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A local path or file:// URL as its canonical path (symlinks and `..`
 * resolved); a remote URL as written. */
static char *cache_key(const char *url)
{
	if (is_remote_url(url))
		return tend_xstrdup(url);
	bool file = strncmp(url, "file://", 7) == 0;
	char *real = realpath(file ? url + 7 : url, NULL);
	if (!real)
		return tend_xstrdup(url);
	char *key = tend_xasprintf("%s%s", file ? "file://" : "", real);
	free(real);
	return key;
}

int tend_source_open(const tend_source_config *cfg, const char *base_dir, tend_source **out)
{
	git_libgit2_init();
	/* libgit2 keeps each small tree it parses, up to 256 MB: reading
	 * 10,000 projects' directories kept 10 MB of them for the daemon's
	 * life. An evicted tree is read again from the pack. */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)(4 << 20));
	tend_source *s = tend_xcalloc(1, sizeof(*s));
	s->url = is_remote_url(cfg->url) ? tend_xstrdup(cfg->url) : resolve(base_dir, cfg->url);
	s->branch = tend_xstrdup(cfg->branch ? cfg->branch : "main");
	s->revision = cfg->revision && cfg->revision[0] ? tend_xstrdup(cfg->revision) : NULL;
	s->auth.token_file = resolve(base_dir, cfg->auth.token_file);
	s->auth.username = cfg->auth.username ? tend_xstrdup(cfg->auth.username) : NULL;
	s->auth.password_file = resolve(base_dir, cfg->auth.password_file);
	s->auth.ssh_key_file = resolve(base_dir, cfg->auth.ssh_key_file);
	s->auth.known_hosts_file = resolve(base_dir, cfg->auth.known_hosts_file);
	s->auth.ca_file = resolve(base_dir, cfg->auth.ca_file);
	s->auth.insecure_ignore_host_key = cfg->auth.insecure_ignore_host_key;
	s->max_file_size = cfg->max_file_size > 0 ? cfg->max_file_size : 16 << 20;
	parse_host(s);
	/* A plain path may be a working copy; a file:// URL is always Git. */
	if (!is_remote_url(s->url) && strncmp(s->url, "file://", 7) != 0) {
		const char *path = s->url;
		git_repository *r = NULL;
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			int rc = tend_err("source %s: %s", path,
			                  errno ? strerror(errno) : "not a directory");
			tend_source_free(s);
			return rc;
		}
		if (git_repository_open_ext(&r, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
			s->plain_dir = true;
			s->current.dir = tend_xstrdup(path);
			s->has_current = true;
		}
		git_repository_free(r);
	}
	if (!s->plain_dir) {
		/* The cache is keyed by the repository, not by how tend.yaml spells it:
		 * `url: .` in two config repos are two repositories. */
		char *key = cache_key(s->url);
		unsigned char h[SHA256_DIGEST_LENGTH];
		SHA256((const unsigned char *)key, strlen(key), h);
		free(key);
		char *cache = resolve(base_dir, cfg->cache_dir);
		s->home = tend_xasprintf("%s/%02x%02x%02x%02x%02x%02x%02x%02x", cache, h[0], h[1],
		                         h[2], h[3], h[4], h[5], h[6], h[7]);
		free(cache);
		s->repo_path = tend_xasprintf("%s/repo.git", s->home);
		if (s->auth.ca_file)
			git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, s->auth.ca_file, NULL);
	}
	*out = s;
	return 0;
}

bool tend_source_url_is_directory(const char *url)
{
	return !is_remote_url(url) && strncmp(url, "file://", 7) != 0;
}

bool tend_source_is_plain_dir(const tend_source *s)
{
	return s->plain_dir;
}

const char *tend_source_repo_path(const tend_source *s)
{
	return s->repo_path;
}

void tend_revision_clear(tend_revision *r)
{
	free(r->dir);
	free(r->author);
	free(r->subject);
	memset(r, 0, sizeof(*r));
}

void tend_source_free(tend_source *s)
{
	if (!s)
		return;
	free(s->url);
	free(s->branch);
	free(s->revision);
	tend_source_auth_free(&s->auth);
	free(s->home);
	free(s->repo_path);
	tend_revision_clear(&s->current);
	unmount(&s->cur);
	unmount(&s->prev);
	free(s);
	git_libgit2_shutdown();
}

const tend_revision *tend_source_current(const tend_source *s)
{
	return s->has_current ? &s->current : NULL;
}

static int git_fail(const char *what, const src_callbacks *cb)
{
	const git_error *e = git_error_last();
	if (cb && cb->reason[0])
		return tend_err("%s: %s", what, cb->reason);
	return tend_err("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

/*
 * The remote for s->url, in memory (name NULL) or saved as `name`. The URL
 * is used as written: libgit2 1.5 leaks a PCRE2 match block (20 KB) each
 * time it looks for url.*.insteadOf rewrites, which a daemon fetching every
 * minute cannot afford, and tend.yaml names the URL to fetch anyway.
 */
static int make_remote(git_remote **out, git_repository *repo, const char *name, const char *url)
{
	git_remote_create_options o;
	git_remote_create_options_init(&o, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	o.repository = repo;
	o.name = name;
	o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	return git_remote_create_with_opts(out, url, &o);
}

/*
 * A repository on this machine (file:// or a path) gives the cache its
 * object files, as `git clone --local` does: every loose object and pack
 * of the source that the cache lacks is hard-linked into repo.git (copied
 * in 64 KiB pieces across filesystems). The fetch then finds each wanted
 * object present and copies nothing. libgit2's local transport would pack
 * every object whole in memory instead: a 130 MB loose blob took 260 MB
 * (the file read, then inflated). Object files never change once named, so
 * a link is a copy; the cache stays whole if the source goes away.
 */
static bool is_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", p[i]))
			return false;
	return p[n] == '\0';
}

static int copy_file(const char *from, const char *to)
{
	char *tmp = tend_xasprintf("%s.tmp-%d", to, (int)getpid());
	FILE *in = fopen(from, "rb"), *out = in ? fopen(tmp, "wb") : NULL;
	char buf[65536];
	size_t n;
	int rc = in && out ? 0 : -1;
	while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
	if (in && ferror(in))
		rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	if (!rc && (chmod(tmp, 0444) != 0 || rename(tmp, to) != 0))
		rc = -1;
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Links (or copies) from/name to to/name unless it is there; 1 when added. */
static int give_file(const char *from, const char *to, const char *name)
{
	char *src = tend_xasprintf("%s/%s", from, name), *dst = tend_xasprintf("%s/%s", to, name);
	struct stat st;
	int rc = 0;
	if (lstat(dst, &st) != 0) {
		if (link(src, dst) == 0 || (errno == EEXIST))
			rc = 1;
		else if (errno != ENOENT) /* another filesystem, or links refused */
			rc = copy_file(src, dst) == 0 ? 1 : -1;
	}
	free(src);
	free(dst);
	return rc;
}

/* Gives the cache at `to` (an objects directory) the objects of `from`. */
static void give_objects(const char *from, const char *to)
{
	size_t added = 0, failed = 0;
	char *pack_from = tend_xasprintf("%s/pack", from), *pack_to = tend_xasprintf("%s/pack", to);
	struct dirent **names = NULL;
	int n = scandir(pack_from, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t len = strlen(nm);
		/* pack-<hex>.pack, then its .idx: libgit2 never sees an index without its pack */
		if (len == 50 && strncmp(nm, "pack-", 5) == 0 && strcmp(nm + 45, ".pack") == 0) {
			char *idx = tend_xasprintf("pack-%.40s.idx", nm + 5);
			int r = give_file(pack_from, pack_to, nm);
			int r2 = r >= 0 ? give_file(pack_from, pack_to, idx) : -1;
			added += (r > 0) + (r2 > 0);
			failed += (r < 0) + (r2 < 0);
			free(idx);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	for (int d = 0; d < 256; d++) {
		char sub[3];
		snprintf(sub, sizeof(sub), "%02x", d);
		char *dir_from = tend_xasprintf("%s/%s", from, sub), *dir_to = NULL;
		DIR *dir = opendir(dir_from);
		for (struct dirent *e; dir && (e = readdir(dir));) {
			if (strlen(e->d_name) != 38 || !is_hex(e->d_name, 38))
				continue;
			if (!dir_to) {
				dir_to = tend_xasprintf("%s/%s", to, sub);
				mkdir(dir_to, 0755);
			}
			int r = give_file(dir_from, dir_to, e->d_name);
			added += r > 0;
			failed += r < 0;
		}
		if (dir)
			closedir(dir);
		free(dir_from);
		free(dir_to);
	}
	if (failed)
		tend_log(TEND_LOG_WARN,
		         "source: %zu object files of %s could not be linked nor copied", failed,
		         from);
	else if (added)
		tend_log(TEND_LOG_DEBUG, "source: %zu object files linked from %s", added, from);
	free(pack_from);
	free(pack_to);
}

static void link_local_objects(const tend_source *s)
{
	if (is_remote_url(s->url))
		return;
	const char *path = strncmp(s->url, "file://", 7) == 0 ? s->url + 7 : s->url;
	git_repository *src = NULL;
	if (git_repository_open_ext(&src, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		git_error_clear(); /* the fetch says why */
		return;
	}
	char *from = tend_xasprintf("%sobjects", git_repository_commondir(src));
	git_repository_free(src);
	char *to = tend_xasprintf("%s/objects", s->repo_path);
	give_objects(from, to);
	free(from);
	free(to);
}

static int open_repo(tend_source *s, git_repository **repo)
{
	char *path = tend_xasprintf("%s/repo.git", s->home);
	int rc = 0;
	if (git_repository_open_bare(repo, path) != 0) {
		if (mkdirs(s->home)) {
			free(path);
			return -1;
		}
		git_remote *remote = NULL;
		if (git_repository_init(repo, path, 1) != 0 ||
		    make_remote(&remote, *repo, "origin", s->url) != 0)
			rc = git_fail(path, NULL);
		git_remote_free(remote);
	}
	free(path);
	return rc;
}

static int fetch(tend_source *s, git_repository *repo)
{
	git_remote *remote = NULL;
	src_callbacks cb = {.auth = &s->auth, .host = s->host, .port = s->port};
	char *what = tend_xasprintf("fetch %s", s->url);
	if (make_remote(&remote, repo, NULL, s->url) != 0) {
		int rc = git_fail(what, NULL);
		free(what);
		return rc;
	}
	git_fetch_options opts;
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	opts.callbacks.credentials = src_credentials_cb;
	opts.callbacks.certificate_check = src_certificate_cb;
	opts.callbacks.payload = &cb;
	char *spec = NULL;
	char *specs_buf[2];
	git_strarray specs = {specs_buf, 0};
	if (s->revision) {
		specs_buf[specs.count++] = "+refs/heads/*:refs/remotes/origin/*";
		specs_buf[specs.count++] = "+refs/tags/*:refs/tags/*";
	} else {
		spec =
		    tend_xasprintf("+refs/heads/%s:refs/remotes/origin/%s", s->branch, s->branch);
		specs_buf[specs.count++] = spec;
		opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	}
	int rc = git_remote_fetch(remote, &specs, &opts, NULL) != 0 ? git_fail(what, &cb) : 0;
	git_remote_free(remote);
	free(spec);
	free(what);
	return rc;
}

static int resolve_commit(tend_source *s, git_repository *repo, git_oid *oid)
{
	if (s->revision) {
		git_object *obj = NULL, *peeled = NULL;
		int rc = 0;
		if (git_revparse_single(&obj, repo, s->revision) != 0 ||
		    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0)
			rc = tend_err("source %s: revision \"%s\" not found", s->url, s->revision);
		else
			git_oid_cpy(oid, git_object_id(peeled));
		git_object_free(obj);
		git_object_free(peeled);
		return rc;
	}
	char *ref = tend_xasprintf("refs/remotes/origin/%s", s->branch);
	int rc = git_reference_name_to_id(oid, repo, ref) != 0
	             ? tend_err("source %s: branch \"%s\" not found", s->url, s->branch)
	             : 0;
	free(ref);
	return rc;
}

static int read_metadata(git_repository *repo, const git_oid *oid, tend_revision *r)
{
	git_commit *c = NULL;
	if (git_commit_lookup(&c, repo, oid) != 0)
		return git_fail("read commit", NULL);
	git_oid_tostr(r->sha, sizeof(r->sha), oid);
	const git_signature *a = git_commit_author(c);
	r->author = tend_xasprintf("%s <%s>", a->name, a->email);
	r->time = (int64_t)git_commit_time(c);
	const char *summary = git_commit_summary(c);
	r->subject = tend_xstrdup(summary ? summary : "");
	git_commit_free(c);
	return 0;
}

/*
 * A revision's tree is never written out: it is read from the object
 * database through a tend_fs mounted at <home>/trees/<sha>, the path the
 * revision is known by (nothing is created there). The current and the
 * previous revision stay mounted, so a reader holding the old path never
 * sees it vanish mid-render.
 */
static void unmount(mounted *m)
{
	if (!m->root)
		return;
	tend_fs_unmount(m->root);
	tend_fs_free(m->fs);
	free(m->root);
	memset(m, 0, sizeof(*m));
}

static int mount_tree(tend_source *s, const char *sha, char **dir_out)
{
	char *dir = tend_xasprintf("%s/trees/%s", s->home, sha);
	if (s->cur.root && strcmp(s->cur.root, dir) == 0) {
		*dir_out = dir;
		return 0;
	}
	tend_fs *fs = NULL;
	if (tend_source_tree_fs(s->repo_path, sha, dir, s->max_file_size, &fs)) {
		free(dir);
		return -1;
	}
	unmount(&s->prev);
	s->prev = s->cur;
	s->cur = (mounted){tend_xstrdup(dir), fs};
	tend_fs_mount(dir, fs);
	*dir_out = dir;
	return 0;
}

/* Points <home>/current at the tree atomically and removes trees older than the previous one. */
static int switch_current(tend_source *s, const char *sha, const char *previous)
{
	char *link = tend_xasprintf("%s/current", s->home);
	char *tmp = tend_xasprintf("%s/.current-%d", s->home, (int)getpid());
	char *target = tend_xasprintf("trees/%s", sha);
	unlink(tmp);
	int rc = 0;
	if (symlink(target, tmp) != 0 || rename(tmp, link) != 0)
		rc = tend_err("%s: %s", link, strerror(errno));
	free(link);
	free(tmp);
	free(target);
	if (rc)
		return rc;
	char *trees = tend_xasprintf("%s/trees", s->home);
	tend_strvec old = TEND_STRVEC_INIT;
	{
		struct dirent **names = NULL;
		int n = scandir(trees, &names, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			const char *nm = names[i]->d_name;
			if (nm[0] != '.' && strcmp(nm, sha) != 0 &&
			    (!previous || strcmp(nm, previous) != 0))
				tend_strvec_push(&old, nm);
			free(names[i]);
		}
		free(names);
	}
	for (size_t i = 0; i < old.len; i++) {
		char *p = tend_xasprintf("%s/%s", trees, old.items[i]);
		rm_tree(p);
		free(p);
	}
	tend_strvec_free(&old);
	free(trees);
	return 0;
}

/*
 * Each fetch adds one pack to repo.git (102 packs after 101 commits) and
 * libgit2 cannot repack without inflating every object. So once the cache
 * holds TEND_SOURCE_MAX_PACKS packs it is fetched again from scratch into a
 * fresh repo.git: one pack, unreachable objects gone, no large blob
 * inflated (the indexer streams). The old one is kept until that fetch
 * succeeds and put back if it fails.
 */
static size_t count_packs(const char *repo_path)
{
	char *dir = tend_xasprintf("%s/objects/pack", repo_path);
	size_t n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		n += len > 5 && strcmp(e->d_name + len - 5, ".pack") == 0;
	}
	if (d)
		closedir(d);
	free(dir);
	return n;
}

static char *set_aside_if_fragmented(tend_source *s)
{
	if (count_packs(s->repo_path) < TEND_SOURCE_MAX_PACKS)
		return NULL;
	char *old = tend_xasprintf("%s.old", s->repo_path);
	rm_tree(old);
	if (rename(s->repo_path, old) != 0) {
		free(old);
		return NULL;
	}
	return old;
}

int tend_source_update(tend_source *s)
{
	if (s->plain_dir)
		return 0;
	if (!s->has_current && tend_source_load_cached(s) != 0)
		tend_err_clear(); /* first run: nothing cached yet */
	char *aside = set_aside_if_fragmented(s);
	git_repository *repo = NULL;
	int rc = open_repo(s, &repo);
	if (!rc) {
		link_local_objects(s);
		rc = fetch(s, repo);
	}
	if (aside) {
		if (rc) { /* keep the old cache: it still has the current revision */
			git_repository_free(repo);
			repo = NULL;
			rm_tree(s->repo_path);
			rename(aside, s->repo_path);
		} else {
			rm_tree(aside);
		}
		free(aside);
	}
	if (rc) {
		git_repository_free(repo);
		return -1;
	}
	git_oid oid;
	tend_revision next = {0};
	char *dir = NULL;
	if (!rc)
		rc = resolve_commit(s, repo, &oid);
	if (!rc && s->has_current) {
		git_oid cur;
		if (git_oid_fromstr(&cur, s->current.sha) == 0 && git_oid_equal(&cur, &oid)) {
			git_repository_free(repo);
			return 0; /* nothing new */
		}
	}
	if (!rc)
		rc = read_metadata(repo, &oid, &next);
	if (!rc)
		rc = mount_tree(s, next.sha, &dir);
	if (!rc && s->has_current && s->current.sha[0]) {
		git_oid cur;
		if (git_oid_fromstr(&cur, s->current.sha) == 0 &&
		    git_graph_descendant_of(repo, &oid, &cur) != 1)
			next.history_rewritten = true;
	}
	if (!rc)
		rc = switch_current(s, next.sha, s->has_current ? s->current.sha : NULL);
	git_repository_free(repo);
	if (rc) {
		tend_revision_clear(&next);
		free(dir);
		return -1;
	}
	next.dir = dir;
	tend_revision_clear(&s->current);
	s->current = next;
	s->has_current = true;
	return 0;
}

int tend_source_load_cached(tend_source *s)
{
	if (s->plain_dir)
		return 0;
	char *link = tend_xasprintf("%s/current", s->home);
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	free(link);
	if (n <= 0)
		return tend_err("source %s: no revision in the cache yet", s->url);
	target[n] = '\0';
	const char *sha = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	git_repository *repo = NULL;
	git_oid oid;
	if (open_repo(s, &repo))
		return -1;
	tend_revision r = {0};
	int rc = git_oid_fromstr(&oid, sha) != 0 ? tend_err("cache: bad current link %s", target)
	                                         : read_metadata(repo, &oid, &r);
	git_repository_free(repo);
	if (rc)
		return -1;
	char *dir = NULL;
	if (mount_tree(s, r.sha, &dir)) {
		tend_revision_clear(&r);
		return -1;
	}
	r.dir = dir;
	tend_revision_clear(&s->current);
	s->current = r;
	s->has_current = true;
	return 0;
}
