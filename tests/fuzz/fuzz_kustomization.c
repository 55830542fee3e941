/*
 * fuzz_kustomization.c — libFuzzer target for kustomization files: the
 * input becomes kustomization.yaml in a scratch directory beside a few
 * fixed resource, component and generator-source files, and is built.
 * Any input must build or fail with a message; whatever builds must print.
 */
#include "lib/kustomize/kustomize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const FIXED[][2] = {
	{"deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n"
			"  template:\n    spec:\n      serviceAccountName: sa\n      containers:\n"
			"      - name: c\n        image: x\n        envFrom:\n"
			"        - configMapRef: {name: conf}\n        - secretRef: {name: creds}\n"},
	{"rbac.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\n"
		      "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
		      "metadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, "
		      "name: r}\nsubjects:\n- {kind: ServiceAccount, name: sa}\n"},
	{"app.env", "A=1\nB=2\n"},
	{"file.txt", "hello\n"},
	{"base/kustomization.yaml", "resources: [cm.yaml]\nnamePrefix: base-\n"},
	{"base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\n"},
	{"comp/kustomization.yaml", "kind: Component\nnamespace: comp\n"
				    "secretGenerator:\n- name: creds\n  literals: [k=v]\n"},
};

static char dir_template[] = "/tmp/tend-fuzz-kz-XXXXXX";
static const char *dir;

static void put(const char *rel, const char *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir) {
		dir = mkdtemp(dir_template);
		if (!dir)
			abort();
		for (size_t i = 0; i < sizeof(FIXED) / sizeof(FIXED[0]); i++)
			put(FIXED[i][0], FIXED[i][1], strlen(FIXED[i][1]));
	}
	put("kustomization.yaml", (const char *)data, size);
	tend_resmap m = TEND_RESMAP_INIT;
	tend_strvec warnings = TEND_STRVEC_INIT;
	tend_kustomize_opts opts = {.warnings = &warnings};
	if (tend_kustomize_build(dir, &opts, &m) != 0) {
		if (!tend_err_msg()[0] || m.len)
			abort();
	} else {
		tend_buf out = TEND_BUF_INIT;
		tend_resmap_emit_yaml(&m, &out);
		tend_buf_free(&out);
	}
	tend_resmap_free(&m);
	tend_strvec_free(&warnings);
	return 0;
}
