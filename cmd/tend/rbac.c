/*
 * rbac.c — `tend rbac -c tend.yaml`: tend's ClusterRole from one source.
 * What tend may touch is the kinds tenants may use (guard.tenantKinds)
 * plus the kinds every project renders (the platform directory, the tenant
 * base and its add-ons); what it may bind is guard.bindableRoles plus the
 * ClusterRoles the rendered bindings name. deploy/clusterrole.yaml is this
 * command's output for examples/tend.yaml, and tests/deploy checks that.
 * Least privilege: no wildcards, no impersonate, no token or escalate
 * verbs; `bind` only with resourceNames.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ABOUT[] =
    "Prints tend's ClusterRole: the kinds guard.tenantKinds lets tenants use and\n"
    "the kinds the projects render (platform directory, base, add-ons), with the\n"
    "verbs sync and drift detection need, and `bind` on exactly the ClusterRoles\n"
    "the guard lets tenants bind and the rendered bindings name.\n"
    "Exit status 2 when the configuration or a project cannot be read.\n";

/* RBAC's plural of a kind, as the API server names it for built-in and CRD kinds. */
static char *plural(const char *kind)
{
	size_t n = strlen(kind);
	char *s = tend_xmalloc(n + 3);
	for (size_t i = 0; i <= n; i++)
		s[i] = (char)tolower((unsigned char)kind[i]);
	if (n > 1 && s[n - 1] == 'y' && !strchr("aeiou", s[n - 2]))
		strcpy(s + n - 1, "ies");
	else if (n && (s[n - 1] == 's' || s[n - 1] == 'x'))
		strcpy(s + n, "es");
	else
		strcpy(s + n, "s");
	return s;
}

/* "group/resource" keys, sorted on output. */
static void add(tend_strvec *v, tend_strset *seen, const char *group, const char *resource)
{
	char *key = tend_xasprintf("%s/%s", group, resource);
	if (tend_strset_add(seen, key))
		tend_strvec_push(v, key);
	free(key);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the kinds and bound ClusterRoles of one rendered project. */
static void collect(const tend_resmap *m, tend_strvec *res, tend_strset *seen, tend_strvec *binds,
                    tend_strset *bseen)
{
	for (size_t i = 0; i < m->len; i++) {
		const cJSON *o = m->items[i].obj;
		const char *av =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "apiVersion"));
		const char *kind =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind"));
		if (!av || !kind)
			continue;
		const char *slash = strrchr(av, '/');
		char *group = slash ? tend_xstrndup(av, (size_t)(slash - av)) : tend_xstrdup("");
		char *r = plural(kind);
		add(res, seen, group, r);
		if (strcmp(kind, "RoleBinding") == 0 || strcmp(kind, "ClusterRoleBinding") == 0) {
			const cJSON *ref = cJSON_GetObjectItemCaseSensitive(o, "roleRef");
			const char *rk =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "kind"));
			const char *rn =
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "name"));
			if (rk && rn && strcmp(rk, "ClusterRole") == 0 &&
			    tend_strset_add(bseen, rn))
				tend_strvec_push(binds, rn);
		}
		free(r);
		free(group);
	}
}

static void print_role(tend_strvec *res, tend_strvec *binds)
{
	qsort(res->items, res->len, sizeof(char *), by_str);
	qsort(binds->items, binds->len, sizeof(char *), by_str);
	printf("# tend's ClusterRole, printed by `tend rbac -c examples/tend.yaml`: do not edit;\n"
	       "# change guard.tenantKinds / guard.bindableRoles or the config repo and print it\n"
	       "# again. It grants the kinds tenants may use and the kinds the projects render,\n"
	       "# with what server-side apply (patch), drift detection (list, watch) and prune\n"
	       "# (delete) need; `bind` only on the ClusterRoles tenants and the platform bind.\n"
	       "# No wildcards, no impersonate, no serviceaccounts/token, no escalate.\n"
	       "apiVersion: rbac.authorization.k8s.io/v1\n"
	       "kind: ClusterRole\n"
	       "metadata:\n"
	       "  name: tend\n"
	       "rules:\n");
	for (size_t i = 0; i < res->len;) {
		const char *g = res->items[i];
		size_t glen = (size_t)(strchr(g, '/') - g);
		printf("- apiGroups: [\"%.*s\"]\n  resources: [", (int)glen, g);
		size_t j = i;
		for (; j < res->len && strncmp(res->items[j], g, glen + 1) == 0; j++)
			printf("%s%s", j > i ? ", " : "", res->items[j] + glen + 1);
		printf("]\n  verbs: [get, list, watch, create, update, patch, delete]\n");
		i = j;
	}
	printf("# CRDs a project ships are waited for until Established.\n"
	       "- apiGroups: [apiextensions.k8s.io]\n"
	       "  resources: [customresourcedefinitions]\n"
	       "  verbs: [get, list, watch]\n");
	if (binds->len) {
		printf("# A binding may only name a role its writer holds or may `bind`.\n"
		       "- apiGroups: [rbac.authorization.k8s.io]\n"
		       "  resources: [clusterroles]\n"
		       "  verbs: [bind]\n"
		       "  resourceNames: [");
		for (size_t i = 0; i < binds->len; i++)
			printf("%s%s", i ? ", " : "", binds->items[i]);
		printf("]\n");
	}
}

int cmd_rbac(int argc, char **argv)
{
	const char *config = NULL, *source = NULL, *revision = NULL;
	const cmd_option options[] = {
	    CMD_CONFIG_OPTION(&config),
	    CMD_SOURCE_OPTIONS(&source, &revision),
	    {0},
	};
	const cmd_spec spec = {"rbac",
	                       "tend rbac [-c tend.yaml] [--source DIR|URL] [--revision REV]",
	                       ABOUT, options, 0};
	cmd_args none;
	int code = cmd_parse(&spec, argc, argv, &none);
	if (code != CMD_GO_ON)
		return code;
	cmd_ctx c;
	if (cmd_ctx_open(&c, config, source, revision))
		return cmd_fail(2);
	tend_strvec res = TEND_STRVEC_INIT, binds = TEND_STRVEC_INIT;
	tend_strset seen = {0}, bseen = {0};
	tend_kind_refs kinds = {0};
	int rc = 0;
	add(&res, &seen, "", "namespaces"); /* every project's namespace is tend's */
	if (tend_guard_tenant_kinds(&c.cfg.guard, &kinds)) {
		rc = cmd_fail(2);
		goto out;
	}
	for (size_t i = 0; i < kinds.len; i++) {
		if (strcmp(kinds.items[i].resource, "*") == 0) {
			fprintf(stderr,
			        "tend rbac: guard.tenantKinds grants all of %s: name its kinds "
			        "(tend grants no wildcards)\n",
			        kinds.items[i].group);
			rc = 2;
			goto out;
		}
		add(&res, &seen, kinds.items[i].group, kinds.items[i].resource);
	}
	for (size_t i = 0; i < c.cfg.guard.bindable_roles.len; i++)
		if (tend_strset_add(&bseen, c.cfg.guard.bindable_roles.items[i]))
			tend_strvec_push(&binds, c.cfg.guard.bindable_roles.items[i]);
	tend_kustomize_cache *cache = tend_kustomize_cache_new();
	tend_kustomize_opts opts = {.cache = cache};
	for (size_t i = 0; i < c.projects.len && !rc; i++) {
		tend_resmap m = TEND_RESMAP_INIT;
		if (tend_project_render(&c.projects.items[i], c.rev->dir, &opts, &m))
			rc = cmd_fail(2);
		else
			collect(&m, &res, &seen, &binds, &bseen);
		tend_resmap_free(&m);
	}
	tend_kustomize_cache_free(cache);
	if (!rc)
		print_role(&res, &binds);
out:
	tend_kind_refs_free(&kinds);
	tend_strvec_free(&res);
	tend_strvec_free(&binds);
	tend_strset_free(&seen);
	tend_strset_free(&bseen);
	cmd_ctx_close(&c);
	return rc;
}
