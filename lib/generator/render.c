/*
 * render.c — one project from directory to objects: kustomize build, then
 * post-build substitution where enabled. A failure leaves `out` empty.
 */
#include "generator.h"

#include <stdlib.h>
#include <string.h>

/* Error messages name files as a user sees them: relative to the repo. */
static void strip_root(const char *root)
{
	char *prefix = tend_xasprintf("%s/", root);
	const char *msg = tend_err_msg();
	tend_buf b = TEND_BUF_INIT;
	size_t n = strlen(prefix);
	for (const char *p = msg; *p;) {
		/* only where a path starts: "./" inside "../" is part of the path */
		bool starts = p == msg || strchr(" \t\"'(", p[-1]);
		if (starts && strncmp(p, prefix, n) == 0)
			p += n;
		else
			tend_buf_putc(&b, *p++);
	}
	tend_err("%s", b.data ? b.data : "");
	tend_buf_free(&b);
	free(prefix);
}

int tend_project_render(const tend_project *p, const char *root, const tend_kustomize_opts *opts,
			tend_resmap *out)
{
	if (p->error)
		return tend_err("project %s: %s", p->name, p->error);
	char *dir = tend_xasprintf("%s/%s", root, p->dir);
	tend_resmap m = TEND_RESMAP_INIT;
	int rc = tend_kustomize_build(dir, opts, &m);
	free(dir);
	if (!rc && p->substitute)
		rc = tend_generator_substitute(p, &m);
	if (rc) {
		strip_root(root);
		tend_resmap_free(&m);
		return tend_err_prefix("project %s: ", p->name);
	}
	*out = m;
	return 0;
}
