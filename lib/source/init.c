/*
 * init.c — a new repository with one commit: what `tend init` turns the
 * files it wrote into, so the daemon has a branch to follow from the first
 * minute. Invariant: the commit holds exactly the files under the
 * directory (as `git add -A` would stage them) and the branch is the one
 * named; on failure the error names the directory and libgit2's reason.
 */
#include "source.h"

#include <git2.h>
#include <stdlib.h>

static int fail(const char *dir, const char *what)
{
	const git_error *e = git_error_last();
	return tend_err("%s: %s: %s", dir, what,
	                e && e->message ? e->message : "unknown libgit2 error");
}

/* As git does: NAME_VAR and EMAIL_VAR from the environment, else the user's
 * Git configuration (user.name, user.email), else a placeholder. */
static int signature(git_signature **out, git_repository *repo, const char *name_var,
                     const char *email_var)
{
	const char *name = getenv(name_var), *email = getenv(email_var);
	if (name && *name && email && *email)
		return git_signature_now(out, name, email);
	if (git_signature_default(out, repo) == 0)
		return 0;
	return git_signature_now(out, "tend init", "tend-init@localhost");
}

int tend_source_init_repo(const char *dir, const char *branch, const char *message, char sha[41])
{
	git_libgit2_init();
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *author = NULL, *committer = NULL;
	git_oid tree_id, commit_id;
	int rc = -1;
	char *head = tend_xasprintf("refs/heads/%s", branch);
	git_repository_init_options o;
	git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	o.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	o.initial_head = head;
	if (git_repository_init_ext(&repo, dir, &o) != 0) {
		fail(dir, "git init");
		goto out;
	}
	if (git_repository_index(&index, repo) != 0 ||
	    git_index_add_all(index, NULL, GIT_INDEX_ADD_DEFAULT, NULL, NULL) != 0 ||
	    git_index_write(index) != 0 || git_index_write_tree(&tree_id, index) != 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) != 0) {
		fail(dir, "git add");
		goto out;
	}
	if (signature(&author, repo, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL") != 0 ||
	    signature(&committer, repo, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL") != 0 ||
	    git_commit_create_v(&commit_id, repo, "HEAD", author, committer, NULL, message, tree,
	                        0) != 0) {
		fail(dir, "git commit");
		goto out;
	}
	if (sha)
		git_oid_tostr(sha, 41, &commit_id);
	rc = 0;
out:
	git_signature_free(author);
	git_signature_free(committer);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
	free(head);
	git_libgit2_shutdown();
	return rc;
}
