/*
 * test_fs.c — the filesystem interface: the disk implementation (kinds,
 * size limits, sorted listings, canonical paths through symlinks, cached
 * resolutions) and the kustomize engine reading only through it.
 */
#include "test.h"

#include "lib/fs/fs.h"
#include "lib/kustomize/kustomize.h"
#include "lib/source/source.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/tend-test-fs-XXXXXX";

static void put(const char *rel, const char *text)
{
	char *p = tend_xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	free(p);
}

static char *at(const char *rel)
{
	return tend_xasprintf("%s/%s", root, rel);
}

TEST(disk_stat_read_list)
{
	tend_fs *fs = tend_fs_disk_new();
	char *a = at("a"), *f = at("a/f.yaml"), *none = at("a/none");
	CHECK_INT(TEND_FS_DIR, tend_fs_kind_of(fs, a));
	CHECK_INT(TEND_FS_FILE, tend_fs_kind_of(fs, f));
	tend_fs_kind k;
	CHECK_INT(ENOENT, tend_fs_stat(fs, none, &k));
	CHECK_INT(TEND_FS_MISSING, k);
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(0, tend_fs_read(fs, f, 100, &b));
	CHECK_STR("x: 1\n", b.data);
	tend_buf_free(&b);
	CHECK_INT(-1, tend_fs_read(fs, f, 3, &b));
	CHECK_CONTAINS(tend_err_msg(), "f.yaml");
	CHECK_CONTAINS(tend_err_msg(), "larger than the limit of 3 bytes");
	CHECK(b.data == NULL);
	tend_strvec names = TEND_STRVEC_INIT;
	CHECK_INT(0, tend_fs_list(fs, a, &names));
	CHECK_INT(3, names.len);
	if (names.len == 3) {
		CHECK_STR("b", names.items[0]);
		CHECK_STR("f.yaml", names.items[1]);
		CHECK_STR("link", names.items[2]);
	}
	tend_strvec_free(&names);
	CHECK_INT(ENOENT, tend_fs_list(fs, none, &names));
	free(a), free(f), free(none);
	tend_fs_free(fs);
}

TEST(disk_canonical_matches_realpath)
{
	static const char *const paths[] = {
	    "a",         "a/f.yaml",   "a/link", "a/link/g.yaml", "a/b/../f.yaml", "a/./b/",
	    "a/link/..", "a/b/g.yaml", NULL};
	tend_fs *fs = tend_fs_disk_new();
	for (int round = 0; round < 2; round++) /* the second answers from the cache */
		for (int i = 0; paths[i]; i++) {
			char *p = at(paths[i]);
			char want[PATH_MAX], *got = NULL;
			CHECK(realpath(p, want) != NULL);
			CHECK_INT(0, tend_fs_canonical(fs, p, &got));
			CHECK_STR(want, got);
			free(got);
			free(p);
		}
	char *none = at("a/none.yaml"), *got = NULL;
	CHECK_INT(ENOENT, tend_fs_canonical(fs, none, &got));
	CHECK(got == NULL);
	free(none);
	tend_fs_free(fs);
}

/* An in-memory tree: proves a build reads only through the interface. */
static const char *const MEM[][2] = {
    {"/mem/app/kustomization.yaml", "resources: [cm.yaml, ../base]\nnamePrefix: p-\n"},
    {"/mem/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"},
    {"/mem/base/kustomization.yaml", "resources: [s.yaml]\n"},
    {"/mem/base/s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"},
    {NULL, NULL}};

static int mem_reads;

static int mem_stat(void *self, const char *path, bool follow, tend_fs_kind *kind)
{
	(void)self, (void)follow;
	char *clean = tend_path_clean(path);
	size_t n = strlen(clean);
	int rc = ENOENT;
	for (int i = 0; rc && MEM[i][0]; i++) {
		if (strcmp(MEM[i][0], clean) == 0)
			*kind = TEND_FS_FILE, rc = 0;
		else if (strncmp(MEM[i][0], clean, n) == 0 && MEM[i][0][n] == '/')
			*kind = TEND_FS_DIR, rc = 0;
	}
	free(clean);
	return rc;
}

static int mem_read(void *self, const char *path, size_t max, tend_buf *out)
{
	(void)self, (void)max;
	char *clean = tend_path_clean(path);
	for (int i = 0; MEM[i][0]; i++)
		if (strcmp(MEM[i][0], clean) == 0) {
			free(clean);
			mem_reads++;
			tend_buf_puts(out, MEM[i][1]);
			return 0;
		}
	free(clean);
	return tend_err("%s: not in the tree", path);
}

static int mem_list(void *self, const char *dir, tend_strvec *names)
{
	(void)self, (void)dir, (void)names;
	return ENOTDIR;
}

static int mem_canonical(void *self, const char *path, char **out)
{
	tend_fs_kind k;
	char *clean = tend_path_clean(path);
	int rc = mem_stat(self, clean, true, &k);
	if (rc)
		free(clean);
	else
		*out = clean;
	return rc;
}

static const tend_fs_ops MEM_OPS = {mem_stat, mem_read, mem_list, mem_canonical, NULL};

TEST(kustomize_reads_through_fs)
{
	tend_fs *fs = tend_fs_new(&MEM_OPS, NULL);
	tend_kustomize_opts o = {.fs = fs};
	tend_resmap m = TEND_RESMAP_INIT;
	mem_reads = 0;
	CHECK_INT(0, tend_kustomize_build("/mem/app", &o, &m));
	if (m.len == 0)
		printf("%s\n", tend_err_msg());
	CHECK_INT(2, m.len);
	tend_buf y = TEND_BUF_INIT;
	tend_resmap_emit_yaml(&m, &y);
	CHECK_CONTAINS(y.data, "name: p-s");
	CHECK_CONTAINS(y.data, "name: p-c");
	CHECK_INT(4, mem_reads);
	tend_buf_free(&y);
	tend_resmap_free(&m);
	CHECK_INT(-1, tend_kustomize_build("/mem/none", &o, &m));
	tend_fs_free(fs);
}

/*
 * A Git tree: app/ (a kustomization, a file, a symlink to a file inside),
 * evil/ (an absolute symlink, a "../" chain out of the tree, a link loop),
 * big.yaml (over the limit), and a 3 MB blob nobody reads.
 */
static char repo[] = "/tmp/tend-test-gitfs-XXXXXX";
#define VROOT "/virtual/tree"

static tend_fs *open_tree(int64_t max)
{
	tend_fs *fs = NULL;
	if (tend_source_tree_fs(repo, "HEAD", VROOT, max, &fs))
		printf("tree fs: %s\n", tend_err_msg());
	return fs;
}

TEST(git_tree_reads_without_checkout)
{
	tend_fs *fs = open_tree(1024);
	CHECK(fs != NULL);
	if (!fs)
		return;
	CHECK_INT(TEND_FS_DIR, tend_fs_kind_of(fs, VROOT));
	CHECK_INT(TEND_FS_DIR, tend_fs_kind_of(fs, VROOT "/app"));
	CHECK_INT(TEND_FS_FILE, tend_fs_kind_of(fs, VROOT "/app/cm.yaml"));
	tend_fs_kind k;
	CHECK_INT(0, tend_fs_lstat(fs, VROOT "/app/alias.yaml", &k));
	CHECK_INT(TEND_FS_LINK, k);
	CHECK_INT(ENOENT, tend_fs_stat(fs, VROOT "/app/none", &k));
	CHECK_INT(ENOTDIR, tend_fs_stat(fs, VROOT "/app/cm.yaml/x", &k));
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(0, tend_fs_read(fs, VROOT "/app/alias.yaml", 1024, &b));
	CHECK_CONTAINS(b.data, "kind: ConfigMap");
	tend_buf_free(&b);
	char *c = NULL;
	CHECK_INT(0, tend_fs_canonical(fs, VROOT "/app/../app/./alias.yaml", &c));
	CHECK_STR(VROOT "/app/cm.yaml", c);
	free(c);
	tend_strvec names = TEND_STRVEC_INIT;
	CHECK_INT(0, tend_fs_list(fs, VROOT, &names));
	CHECK_INT(4, names.len);
	if (names.len == 4)
		CHECK_STR("app", names.items[0]);
	tend_strvec_free(&names);
	/* a build through the mount, as the daemon renders a revision */
	tend_fs_mount(VROOT, fs);
	tend_resmap m = TEND_RESMAP_INIT;
	CHECK_INT(0, tend_kustomize_build(VROOT "/app", NULL, &m));
	CHECK_INT(1, m.len);
	tend_resmap_free(&m);
	CHECK_INT(TEND_FS_FILE, tend_fs_path_kind(VROOT "/app/cm.yaml"));
	tend_fs_unmount(VROOT);
	CHECK_INT(TEND_FS_MISSING, tend_fs_path_kind(VROOT "/app/cm.yaml"));
	tend_fs_free(fs);
}

TEST(git_tree_refuses_escapes)
{
	tend_fs *fs = open_tree(1024);
	if (!fs)
		return;
	char *c = NULL;
	CHECK_INT(TEND_FS_ESCAPE, tend_fs_canonical(fs, VROOT "/evil/abs", &c));
	CHECK_INT(TEND_FS_ESCAPE, tend_fs_canonical(fs, VROOT "/evil/up", &c));
	CHECK_INT(TEND_FS_ESCAPE, tend_fs_canonical(fs, VROOT "/app/../../etc/passwd", &c));
	CHECK_INT(ELOOP, tend_fs_canonical(fs, VROOT "/evil/loop", &c));
	CHECK(c == NULL);
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(-1, tend_fs_read(fs, VROOT "/evil/up", 1024, &b));
	CHECK_CONTAINS(tend_err_msg(), VROOT "/evil/up: symbolic link or \"..\" leads outside");
	CHECK(b.data == NULL);
	/* the kustomize engine names the entry and the file */
	tend_fs_mount(VROOT, fs);
	tend_resmap m = TEND_RESMAP_INIT;
	CHECK_INT(-1, tend_kustomize_build(VROOT "/evil", NULL, &m));
	CHECK_CONTAINS(tend_err_msg(), VROOT "/evil/kustomization.yaml");
	CHECK_CONTAINS(tend_err_msg(), "\"up\": symbolic link or \"..\" leads outside");
	tend_fs_unmount(VROOT);
	tend_fs_free(fs);
}

TEST(git_tree_oversize_blob_refused_by_header)
{
	tend_fs *fs = open_tree(1024);
	if (!fs)
		return;
	tend_buf b = TEND_BUF_INIT;
	CHECK_INT(-1, tend_fs_read(fs, VROOT "/big.yaml", 1 << 20, &b));
	CHECK_CONTAINS(tend_err_msg(), VROOT "/big.yaml: 2000 bytes in Git, over "
	                                     "source.maxFileSize (1024 bytes): not read");
	CHECK(b.data == NULL);
	CHECK_INT(-1, tend_fs_read(fs, VROOT "/app/cm.yaml", 10, &b));
	CHECK_CONTAINS(tend_err_msg(), "larger than the limit of 10 bytes");
	tend_fs_free(fs);
}

int main(void)
{
	if (!mkdtemp(root))
		return 1;
	char *p;
	mkdir(p = at("a"), 0755), free(p);
	mkdir(p = at("a/b"), 0755), free(p);
	put("a/f.yaml", "x: 1\n");
	put("a/b/g.yaml", "y: 2\n");
	symlink("b", p = at("a/link")), free(p);
	RUN(disk_stat_read_list);
	RUN(disk_canonical_matches_realpath);
	RUN(kustomize_reads_through_fs);
	if (mkdtemp(repo)) {
		char *mk = tend_xasprintf(
		    "cd '%s' && git init -q . && mkdir app evil && "
		    "printf 'resources: [alias.yaml]\\n' >app/kustomization.yaml && "
		    "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: c}\\n' "
		    ">app/cm.yaml && ln -s cm.yaml app/alias.yaml && "
		    "printf 'resources: [up]\\n' >evil/kustomization.yaml && "
		    "ln -s /etc/passwd evil/abs && ln -s ../../../../etc/passwd evil/up && "
		    "ln -s loop evil/loop && head -c 2000 /dev/zero >big.yaml && "
		    "head -c 3000000 /dev/urandom >unread.bin && git add -A && "
		    "git -c user.name=t -c user.email=t@t commit -qm t",
		    repo);
		CHECK_INT(0, system(mk));
		free(mk);
		RUN(git_tree_reads_without_checkout);
		RUN(git_tree_refuses_escapes);
		RUN(git_tree_oversize_blob_refused_by_header);
		char *rm = tend_xasprintf("rm -rf '%s'", repo);
		if (system(rm) != 0)
			fprintf(stderr, "could not remove %s\n", repo);
		free(rm);
	}
	char *cmd = tend_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	free(cmd);
	TEST_MAIN_END();
}
