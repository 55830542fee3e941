/*
 * test_config.c — tend.yaml: defaults, every section, strict scalar
 * formats, and errors that name file, line, column and field.
 */
#include "test.h"

#include "lib/config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *write_tmp(const char *content)
{
	char *path = tend_xstrdup("/tmp/tend-config-XXXXXX.yaml");
	int fd = mkstemps(path, 5);
	FILE *f = fdopen(fd, "w");
	fputs(content, f);
	fclose(f);
	return path;
}

static char *load_error(const char *content)
{
	char *path = write_tmp(content);
	tend_config cfg;
	int rc = tend_config_load(path, &cfg);
	char *msg;
	if (rc == 0) {
		msg = tend_xstrdup("loaded");
		tend_config_free(&cfg);
	} else {
		/* replace the random path with "tend.yaml" for stable assertions */
		const char *m = tend_err_msg();
		size_t n = strlen(path);
		msg = strncmp(m, path, n) == 0 ? tend_xasprintf("tend.yaml%s", m + n) : tend_xstrdup(m);
	}
	unlink(path);
	free(path);
	return msg;
}

TEST(durations_are_strict)
{
	int64_t ms;
	CHECK_INT(0, tend_parse_duration("90s", &ms));
	CHECK_INT(90000, ms);
	CHECK_INT(0, tend_parse_duration("1h30m", &ms));
	CHECK_INT(5400000, ms);
	CHECK_INT(0, tend_parse_duration("250ms", &ms));
	CHECK_INT(250, ms);
	CHECK_INT(-1, tend_parse_duration("5 m", &ms));
	CHECK_INT(-1, tend_parse_duration("1.5h", &ms));
	CHECK_INT(-1, tend_parse_duration("60", &ms));
	CHECK_INT(-1, tend_parse_duration("", &ms));
	CHECK_INT(-1, tend_parse_duration("m", &ms));
}

TEST(percentages_are_strict)
{
	int p;
	CHECK_INT(0, tend_parse_percent("25%", &p));
	CHECK_INT(25, p);
	CHECK_INT(0, tend_parse_percent("100%", &p));
	CHECK_INT(-1, tend_parse_percent("101%", &p));
	CHECK_INT(-1, tend_parse_percent("25", &p));
	CHECK_INT(-1, tend_parse_percent("2.5%", &p));
	CHECK_INT(-1, tend_parse_percent("%", &p));
}

TEST(defaults_work_for_one_cluster)
{
	tend_config cfg;
	tend_config_defaults(&cfg);
	CHECK_STR("main", cfg.source.branch);
	CHECK_INT(60000, cfg.source.interval_ms);
	CHECK_INT(1, cfg.n_rules);
	CHECK_STR("projects/*", cfg.rules[0].directories.items[0]);
	CHECK(cfg.sync.prune && cfg.sync.self_heal && cfg.sync.force);
	CHECK_INT(25, cfg.sync.prune_guard_percent);
	CHECK_STR("127.0.0.1:8080", cfg.serve.listen);
	tend_config_free(&cfg);
}

TEST(full_file_loads)
{
	char *path = write_tmp("source:\n"
			       "  url: https://git.example.org/platform/config.git\n"
			       "  branch: prod\n"
			       "  interval: 90s\n"
			       "  auth: {tokenFile: token, username: bot}\n"
			       "projects:\n"
			       "  - directories: [\"projects/*\"]\n"
			       "    exclude: [\"projects/_archive/*\"]\n"
			       "  - directories: [platform]\n"
			       "    trusted: true\n"
			       "sync: {prune: false, selfHeal: true, resync: 5m, pruneGuard: 10%}\n"
			       "cluster: {kubeconfig: kc.yaml, context: lab}\n"
			       "serve: {listen: \"0.0.0.0:9090\"}\n");
	tend_config cfg;
	CHECK_INT(0, tend_config_load(path, &cfg));
	CHECK_STR("https://git.example.org/platform/config.git", cfg.source.url);
	CHECK_STR("prod", cfg.source.branch);
	CHECK_INT(90000, cfg.source.interval_ms);
	CHECK_STR("token", cfg.source.auth.token_file);
	CHECK_INT(2, cfg.n_rules);
	CHECK_STR("projects/_archive/*", cfg.rules[0].exclude.items[0]);
	CHECK(cfg.rules[1].trusted);
	CHECK(!cfg.sync.prune);
	CHECK_INT(10, cfg.sync.prune_guard_percent);
	CHECK_INT(300000, cfg.sync.resync_ms);
	CHECK_STR("lab", cfg.cluster.context);
	CHECK_STR("0.0.0.0:9090", cfg.serve.listen);
	char *p = tend_config_path(&cfg, "kc.yaml");
	CHECK_STR("/tmp/kc.yaml", p);
	free(p);
	tend_config_free(&cfg);
	unlink(path);
	free(path);
}

TEST(errors_name_the_place)
{
	char *e = load_error("source:\n  url: x\n  branh: main\n");
	CHECK_STR("tend.yaml:3:3: source: unknown field \"branh\" (did you mean \"branch\"?)", e);
	free(e);
	e = load_error("source:\n  interval: 5 m\n");
	CHECK_STR("tend.yaml:2:3: source.interval: not a duration (write e.g. 90s, 5m or 1h30m)", e);
	free(e);
	e = load_error("sync:\n  pruneGuard: 25\n");
	CHECK_CONTAINS(e, "tend.yaml:2: sync.pruneGuard: not a percentage");
	free(e);
	e = load_error("sync: {prune: yes}\n");
	CHECK_CONTAINS(e, "sync.prune: must be true or false");
	free(e);
	e = load_error("projects:\n  - exclude: [a]\n");
	CHECK_CONTAINS(e, "tend.yaml:2:5: projects[]: directories: at least one glob is required");
	free(e);
	e = load_error("projects:\n  - directories: [a/*]\n    naming: full\n");
	CHECK_CONTAINS(e, "tend.yaml:3:5: projects[].naming: must be basename");
	free(e);
	e = load_error("resorces: []\n");
	CHECK_STR("tend.yaml:1:1: tend.yaml: unknown field \"resorces\"", e);
	free(e);
	e = load_error("source: [1]\n");
	CHECK_CONTAINS(e, "source: must be a mapping");
	free(e);
	e = load_error("a: 1\n---\nb: 2\n");
	CHECK_CONTAINS(e, "one YAML document expected");
	free(e);
	e = load_error("");
	CHECK_STR("loaded", e);
	free(e);
	e = load_error("serve:\n  listen: :8080\n  allowActions: true\n");
	CHECK_STR("tend.yaml:3:3: serve.allowActions: needs serve.actionTokenFile (the bearer "
	          "token the actions require)",
	          e);
	free(e);
	e = load_error("serve: {allowActions: 1}\n");
	CHECK_CONTAINS(e, "serve.allowActions: must be true or false");
	free(e);
	e = load_error("serve: {allowActions: true, actionTokenFile: /run/tend/token}\n");
	CHECK_STR("loaded", e);
	free(e);
}

TEST(commit_status)
{
	char *e = load_error("commitStatus:\n  provider: gitea\n");
	CHECK_STR("tend.yaml:2:3: commitStatus.provider: github or gitlab", e);
	free(e);
	e = load_error("commitStatus:\n  provider: github\n  tokenFile: t\n");
	CHECK_CONTAINS(e, "tend.yaml:1:1: commitStatus.repository: required (owner/name)");
	free(e);
	e = load_error("commitStatus: {provider: github, repository: a/b}\n");
	CHECK_CONTAINS(e, "commitStatus.tokenFile: required");
	free(e);
	e = load_error("commitStatus: {provider: gitlab, repository: a/b, tokenFile: t}\n");
	CHECK_CONTAINS(e, "commitStatus.apiURL: required for gitlab");
	free(e);
	e = load_error("commitStatus: {provider: github, repository: a/b, tokenFile: t, "
	               "apiURL: x}\n");
	CHECK_CONTAINS(e, "commitStatus.apiURL: an http(s):// URL");
	free(e);
	e = load_error("commitStatus: {provider: github, repository: a/b, tokenFile: t, "
	               "tokenfile: u}\n");
	CHECK_CONTAINS(e, "commitStatus: unknown field \"tokenfile\"");
	free(e);
	char *path = write_tmp("commitStatus:\n  provider: github\n  repository: lab/config\n"
	                       "  tokenFile: token\n");
	tend_config cfg;
	CHECK(tend_config_load(path, &cfg) == 0);
	CHECK_STR("https://api.github.com", cfg.commit_status.api_url);
	CHECK_STR("lab/config", cfg.commit_status.repository);
	tend_config_free(&cfg);
	unlink(path);
	free(path);
}

TEST(sync_and_cluster_settings_for_the_reconciler)
{
	char *path = write_tmp("sync:\n  adopt: true\n  inventoryNamespace: gitops\n"
			       "  concurrency: 32\ncluster:\n  qps: 200\n  burst: 400\n");
	tend_config cfg;
	CHECK(tend_config_load(path, &cfg) == 0);
	CHECK(cfg.sync.adopt);
	CHECK_STR("gitops", cfg.sync.inventory_namespace);
	CHECK_INT(32, cfg.sync.concurrency);
	CHECK_INT(200, (int)cfg.cluster.qps);
	CHECK_INT(400, cfg.cluster.burst);
	tend_config_free(&cfg);
	unlink(path);
	free(path);
	tend_config_defaults(&cfg);
	CHECK(!cfg.sync.adopt);
	CHECK_STR("tend-system", cfg.sync.inventory_namespace);
	CHECK_INT(16, cfg.sync.concurrency);
	CHECK_INT(50, (int)cfg.cluster.qps);
	tend_config_free(&cfg);
	char *e = load_error("sync:\n  concurrency: 0\n");
	CHECK_STR("tend.yaml:2: sync.concurrency: must be a whole number from 1 to 256", e);
	free(e);
	e = load_error("sync: {inventoryNamespace: \"\"}\n");
	CHECK_CONTAINS(e, "sync.inventoryNamespace: empty");
	free(e);
	e = load_error("cluster:\n  qps: -1\n");
	CHECK_CONTAINS(e, "tend.yaml:2: cluster.qps: must be a number above 0");
	free(e);
	e = load_error("cluster: {burst: 1.5}\n");
	CHECK_CONTAINS(e, "cluster.burst: must be a whole number above 0");
	free(e);
}

TEST(sync_ignore_differences_and_project_options)
{
	char *path = write_tmp("sync:\n"
	                       "  ignoreDifferences:\n"
	                       "  - group: apps\n"
	                       "    kind: Deployment\n"
	                       "    jsonPointers: [/spec/replicas]\n"
	                       "  - kind: \"*\"\n"
	                       "    namespace: ml\n"
	                       "    name: web\n"
	                       "    managedFieldsManagers: [hpa-controller]\n"
	                       "  projectOptions: [suspend, selfHeal]\n");
	tend_config cfg;
	CHECK(tend_config_load(path, &cfg) == 0);
	CHECK_INT(2, (int)cfg.sync.n_ignore);
	CHECK_STR("apps", cfg.sync.ignore[0].group);
	CHECK_STR("Deployment", cfg.sync.ignore[0].kind);
	CHECK_STR("/spec/replicas", cfg.sync.ignore[0].json_pointers.items[0]);
	CHECK(cfg.sync.ignore[1].group == NULL);
	CHECK_STR("ml", cfg.sync.ignore[1].namespace);
	CHECK_STR("hpa-controller", cfg.sync.ignore[1].managers.items[0]);
	CHECK_INT(TEND_PROJECT_OPTION_SUSPEND | TEND_PROJECT_OPTION_SELF_HEAL,
	          (int)cfg.sync.project_options);
	tend_config_free(&cfg);
	unlink(path);
	free(path);
	tend_config_defaults(&cfg);
	CHECK_INT(0, (int)cfg.sync.n_ignore);
	CHECK_INT(0, (int)cfg.sync.project_options);
	tend_config_free(&cfg);

	char *e = load_error("sync:\n  ignoreDifferences:\n  - kind: Deployment\n"
	                     "    jsonPointer: [/spec/replicas]\n");
	CHECK_STR("tend.yaml:4:5: sync.ignoreDifferences[]: unknown field \"jsonPointer\" "
	          "(did you mean \"jsonPointers\"?)",
	          e);
	free(e);
	e = load_error("sync:\n  ignoreDifferences:\n  - kind: Deployment\n"
	               "    jsonPointers: [spec.replicas]\n");
	CHECK_STR("tend.yaml:4:20: sync.ignoreDifferences[]: jsonPointers: \"spec.replicas\" is "
	          "not a JSON pointer to a field (write e.g. /spec/replicas)",
	          e);
	free(e);
	e = load_error("sync:\n  ignoreDifferences:\n  - group: apps\n    jsonPointers: [/x]\n");
	CHECK_CONTAINS(e, "tend.yaml:3:5: sync.ignoreDifferences[]: kind: required");
	free(e);
	e = load_error("sync:\n  ignoreDifferences:\n  - kind: Deployment\n");
	CHECK_CONTAINS(e, "tend.yaml:3:5: sync.ignoreDifferences[]: jsonPointers or "
	                  "managedFieldsManagers: at least one is required");
	free(e);
	e = load_error("sync:\n  ignoreDifferences: {kind: Deployment}\n");
	CHECK_CONTAINS(e, "tend.yaml:2:3: sync.ignoreDifferences: must be a list of rules");
	free(e);
	e = load_error("sync:\n  ignoreDifferences:\n  - kind: Deployment\n"
	               "    managedFieldsManagers: hpa\n");
	CHECK_CONTAINS(e, "tend.yaml:4:5: sync.ignoreDifferences[].managedFieldsManagers: must "
	                  "be a list of strings");
	free(e);
	e = load_error("sync:\n  projectOptions: [suspend, selfheal]\n");
	CHECK_STR("tend.yaml:2:29: sync.projectOptions: unknown option \"selfheal\" (did you "
	          "mean \"selfHeal\"?)",
	          e);
	free(e);
}

int main(void)
{
	RUN(durations_are_strict);
	RUN(percentages_are_strict);
	RUN(defaults_work_for_one_cluster);
	RUN(full_file_loads);
	RUN(errors_name_the_place);
	RUN(sync_and_cluster_settings_for_the_reconciler);
	RUN(sync_ignore_differences_and_project_options);
	RUN(commit_status);
	TEST_MAIN_END();
}
