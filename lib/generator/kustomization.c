/*
 * kustomization.c — a project's kustomization file read for what tend
 * itself needs from it (its components, the directories it reaches), found
 * under the three names kustomize accepts, in kustomize's order.
 */
#include "generator.h"

#include <stdlib.h>
#include <string.h>

static const char *const NAMES[] = {"kustomization.yaml", "kustomization.yml", "Kustomization",
                                    NULL};

char *tend_kustomization_load(const char *root, const char *dir, tend_docs *docs)
{
	for (int i = 0; NAMES[i]; i++) {
		char *abs = tend_xasprintf("%s/%s/%s", root, dir, NAMES[i]);
		int rc = tend_doc_load_file(abs, docs);
		free(abs);
		if (rc == 0 && docs->len)
			return tend_xasprintf("%s/%s", dir, NAMES[i]);
		tend_docs_free(docs);
	}
	tend_err_clear();
	return NULL;
}

char *tend_component_name(const char *entry)
{
	char *clean = tend_path_clean(entry);
	const char *slash = strrchr(clean, '/');
	char *name = tend_xstrdup(slash ? slash + 1 : clean);
	free(clean);
	return name;
}
