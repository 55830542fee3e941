/*
 * test_fs.c — the filesystem interface: the disk implementation (kinds,
 * size limits, sorted listings, canonical paths through symlinks, cached
 * resolutions) and the kustomize engine reading only through it.
 */
#include "test.h"

#include "lib/fs/fs.h"
#include "lib/kustomize/kustomize.h"

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

static int mem_stat(void *self, const char *path, tend_fs_kind *kind)
{
	(void)self;
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
	int rc = mem_stat(self, clean, &k);
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
	char *cmd = tend_xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	free(cmd);
	TEST_MAIN_END();
}
