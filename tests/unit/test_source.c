/*
 * test_source.c — lib/source's list of working-tree changes (workdir.c,
 * behind tend_history_changes with no head) against libgit2's own diff of
 * a commit with the working tree and index, over random edits of a real
 * repository made with git: edits of the same size in the second the index
 * was written, deletions, untracked and ignored files and directories,
 * staged and unstaged changes, modes, symlinks, type changes, a nested
 * repository.
 */
#include "../../lib/source/source.h"
#include "fixture.h"
#include "test.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static void sh(const char *fmt, const char *arg)
{
	char *cmd = tend_xasprintf(fmt, arg, arg, arg);
	char *full = tend_xasprintf("cd '%s' && (%s) >/dev/null 2>&1", root, cmd);
	if (system(full) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		abort();
	}
	free(full);
	free(cmd);
}

/* Commits everything in the repository with `message`. */
static void commit(const char *message)
{
	sh("git add -A && git -c user.name=t -c user.email=t@t commit -qm %s", message);
}

/* libgit2's answer: the paths of every delta, old and new. */
static void long_way(const char *base, tend_strvec *out)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_diff_options o;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
	          GIT_DIFF_INCLUDE_TYPECHANGE;
	if (git_repository_open(&repo, root) || git_revparse_single(&obj, repo, base) ||
	    git_commit_tree(&tree, (git_commit *)obj) ||
	    git_diff_tree_to_workdir_with_index(&diff, repo, tree, &o))
		abort();
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		tend_strvec_push(out, d->old_file.path);
		if (strcmp(d->new_file.path, d->old_file.path) != 0)
			tend_strvec_push(out, d->new_file.path);
	}
	git_diff_free(diff);
	git_tree_free(tree);
	git_object_free(obj);
	git_repository_free(repo);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted, unique paths as one string; an untracked nested repository
 * is one path either way ("sub/" from libgit2, "sub" from workdir.c). */
static char *listing(tend_strvec *v)
{
	for (size_t i = 0; i < v->len; i++) {
		size_t n = strlen(v->items[i]);
		if (n && v->items[i][n - 1] == '/')
			v->items[i][n - 1] = '\0';
	}
	if (v->len > 1)
		qsort(v->items, v->len, sizeof(*v->items), cmp_str);
	tend_buf b = TEND_BUF_INIT;
	for (size_t i = 0; i < v->len; i++)
		if (i == 0 || strcmp(v->items[i], v->items[i - 1]) != 0)
			tend_buf_printf(&b, "%s\n", v->items[i]);
	return b.data ? tend_buf_detach(&b) : tend_xstrdup("");
}

/* One random edit of the working tree or index; `seed` drives it. */
static void edit(unsigned *seed, int n_files)
{
	*seed = *seed * 1103515245u + 12345u;
	unsigned r = *seed >> 8;
	char *file = tend_xasprintf("d%u/f%u", r % 4, (r >> 4) % (unsigned)n_files);
	char *path = tend_xasprintf("%s/%s", root, file);
	struct stat st;
	bool exists = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	switch ((r >> 12) % 13) {
	case 0: /* same size, same second: only the content tells */
		if (exists)
			sh("printf X | dd of=%s bs=1 seek=2 conv=notrunc", file);
		break;
	case 1:
		sh("rm -rf %s", file);
		break;
	case 2:
		sh("mkdir -p new%.0s/deep && echo u >new/deep/u", file);
		break;
	case 3:
		sh("echo ignored >%s.log", file);
		break;
	case 4:
		sh("mkdir -p build && echo o >build/out%.0s", file);
		break;
	case 5:
		if (exists)
			sh("echo staged >>%s && git add %s", file);
		break;
	case 6:
		if (exists)
			sh("chmod +x %s", file);
		break;
	case 7:
		sh("rm -rf %s && ln -s ../README %s", file);
		break;
	case 8:
		sh("rm -rf %s && mkdir -p %s && echo x >%s/inner", file);
		break;
	case 9:
		if (exists)
			sh("git rm -q --cached %s", file);
		break;
	case 10:
		if (exists)
			sh("touch %s", file); /* stat changes, content does not */
		break;
	case 11:
		sh("mkdir -p nested%.0s && cd nested && (git init -q . || true) && echo n >n",
		   file);
		break;
	default:
		sh("rm -rf d%.0s3", file);
		break;
	}
	free(path);
	free(file);
}

TEST(workdir_changes_match_libgit2)
{
	snprintf(root, sizeof(root), "/tmp/tend-test-source-XXXXXX");
	if (!mkdtemp(root))
		abort();
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	git_libgit2_init();
	int differed = 0, rounds = 60;
	for (int round = 0; round < rounds; round++) {
		sh("rm -rf ./* ./.g* && git init -q -b main .%.0s", "");
		fixture_write(root, "README", "readme\n");
		fixture_write(root, ".gitignore", "*.log\nbuild/\n");
		for (int d = 0; d < 4; d++)
			for (int f = 0; f < 6; f++) {
				char *rel = tend_xasprintf("d%d/f%d", d, f);
				char *text = tend_xasprintf("file %d %d\n", d, f);
				fixture_write(root, rel, text);
				free(rel);
				free(text);
			}
		commit("base");
		/* a second commit, so that base differs from HEAD */
		fixture_write(root, "d0/f0", "changed in HEAD\n");
		commit("head");
		unsigned seed = (unsigned)round * 7919u + 1;
		for (int e = 0; e < 1 + round % 5; e++)
			edit(&seed, 6);
		tend_history *h = NULL;
		CHECK_INT(0, tend_history_open(root, &h));
		tend_strvec fast = TEND_STRVEC_INIT, slow = TEND_STRVEC_INIT,
		            kept = TEND_STRVEC_INIT;
		CHECK_INT(0, tend_history_changes(h, "HEAD~1", NULL, &fast));
		/* the same with the trees' diff kept, then read back */
		char *diffs = tend_xasprintf("%s/.git/tend-diffs", root);
		tend_history_keep_diffs(h, diffs);
		tend_strvec_free(&fast);
		CHECK_INT(0, tend_history_changes(h, "HEAD~1", NULL, &fast));
		CHECK_INT(0, tend_history_changes(h, "HEAD~1", NULL, &kept));
		free(diffs);
		tend_history_free(h);
		long_way("HEAD~1", &slow);
		char *f = listing(&fast), *s = listing(&slow), *k = listing(&kept);
		CHECK_STR(s, f);
		CHECK_STR(s, k);
		free(k);
		tend_strvec_free(&kept);
		differed += strcmp(s, "d0/f0\n") != 0;
		free(f);
		free(s);
		tend_strvec_free(&fast);
		tend_strvec_free(&slow);
	}
	CHECK(differed >= rounds / 2); /* the edits changed something */
	git_libgit2_shutdown();
	sh("rm -rf '%s'", root);
}

/* A kept diff is read back when the same two trees are compared again, and
 * taken only whole: a file cut short is diffed again. */
TEST(kept_diffs_are_read_back_whole)
{
	snprintf(root, sizeof(root), "/tmp/tend-test-diffs-XXXXXX");
	if (!mkdtemp(root))
		abort();
	sh("git init -q -b main .%.0s", "");
	fixture_write(root, "a", "1\n");
	commit("one");
	fixture_write(root, "a", "2\n");
	commit("two");
	tend_history *h = NULL;
	CHECK_INT(0, tend_history_open(root, &h));
	char *dir = tend_xasprintf("%s/kept", root);
	tend_history_keep_diffs(h, dir);
	tend_strvec out = TEND_STRVEC_INIT;
	CHECK_INT(0, tend_history_changes(h, "HEAD~1", "HEAD", &out));
	char *got = listing(&out);
	CHECK_STR("a\n", got);
	free(got);
	/* the one file kept: make it say more, then cut it short */
	sh("cd kept && for f in *; do printf 'tend-diff 1\\na\\nzzz\\n' >$f; done%.0s", "");
	tend_strvec_free(&out);
	CHECK_INT(0, tend_history_changes(h, "HEAD~1", "HEAD", &out));
	got = listing(&out);
	CHECK_STR("a\nzzz\n", got);
	free(got);
	sh("cd kept && for f in *; do printf 'tend-diff 1\\na\\nzz' >$f; done%.0s", "");
	tend_strvec_free(&out);
	CHECK_INT(0, tend_history_changes(h, "HEAD~1", "HEAD", &out));
	got = listing(&out);
	CHECK_STR("a\n", got);
	free(got);
	tend_strvec_free(&out);
	tend_history_free(h);
	free(dir);
	sh("rm -rf '%s'", root);
}

int main(void)
{
	RUN(workdir_changes_match_libgit2);
	RUN(kept_diffs_are_read_back_whole);
	TEST_MAIN_END();
}
