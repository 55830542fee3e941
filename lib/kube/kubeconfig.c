/*
 * kubeconfig.c — kubeconfig files to a tend_kube_config, as kubectl reads
 * them: $KUBECONFIG lists are merged (the first file to define a cluster,
 * user or context name wins; the first non-empty current-context wins),
 * relative paths resolve against the directory of the file naming them,
 * and the validation rules of client-go's clientcmd apply to the context
 * in use.
 *
 * Every error names the file, line, column and field ("cfg.yaml:9:7:
 * users[admin].user: client-key-data or client-key must be specified ...").
 */
#include "kube_internal.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KC_MAX_FILE (1u << 20)

typedef struct kc_file {
	char *path, *dir;
	tend_docs docs;
} kc_file;

typedef struct kc_entry {
	const char *name;
	const cJSON *body; /* the "cluster"/"user"/"context" mapping */
	const cJSON *item;
	const kc_file *f;
} kc_entry;

typedef struct kc_table {
	kc_entry *items;
	size_t len, cap;
} kc_table;

typedef struct kc_merged {
	kc_file *files;
	size_t nfiles;
	kc_table clusters, users, contexts;
	const char *current;
	const kc_file *current_file;
	char *origin;
} kc_merged;

static int kc_err(const kc_file *f, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int kc_err(const kc_file *f, const cJSON *node, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int line = node ? tend_doc_line(node) : 0;
	if (line > 0)
		return tend_err("%s:%d:%d: %s", f->path, line, tend_doc_col(node), msg);
	return tend_err("%s: %s", f->path, msg);
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A string field; absent and "" are the same (as Go's zero value). */
static int str_field(const kc_entry *e, const char *what, const char *key, const char **out)
{
	const cJSON *v = get(e->body, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return kc_err(e->f, v, "%s[%s].%s.%s: must be a string", what, e->name,
		              what[0] == 'c' && what[1] == 'l' ? "cluster"
		              : what[0] == 'u'                 ? "user"
		                                               : "context",
		              key);
	if (*v->valuestring)
		*out = v->valuestring;
	return 0;
}

static const char *entry_kind(const char *table)
{
	return strcmp(table, "clusters") == 0 ? "cluster"
	       : strcmp(table, "users") == 0  ? "user"
	                                      : "context";
}

static int collect(kc_merged *m, const kc_file *f, const cJSON *root, const char *table)
{
	const cJSON *list = get(root, table);
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return kc_err(f, list, "%s: must be a list", table);
	kc_table *t = strcmp(table, "clusters") == 0 ? &m->clusters
	              : strcmp(table, "users") == 0  ? &m->users
	                                             : &m->contexts;
	const char *kind = entry_kind(table);
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsObject(it))
			return kc_err(f, it, "%s[%d]: must be a mapping", table, i);
		const cJSON *name = get(it, "name");
		if (!cJSON_IsString(name) || !*name->valuestring)
			return kc_err(f, it, "%s[%d].name: missing", table, i);
		const cJSON *body = get(it, kind);
		if (body && !cJSON_IsObject(body) && !cJSON_IsNull(body))
			return kc_err(f, body, "%s[%s].%s: must be a mapping", table,
			              name->valuestring, kind);
		i++;
		bool seen = false;
		for (size_t j = 0; j < t->len; j++)
			if (strcmp(t->items[j].name, name->valuestring) == 0)
				seen = true;
		if (seen)
			continue; /* the first file to define a name wins */
		if (t->len == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 8;
			t->items = tend_xrealloc(t->items, t->cap * sizeof(*t->items));
		}
		t->items[t->len++] = (kc_entry){name->valuestring, body, it, f};
	}
	return 0;
}

static int merge_file(kc_merged *m, kc_file *f)
{
	if (f->docs.len == 0)
		return 0; /* an empty file is an empty config */
	const cJSON *root = f->docs.items[0].root;
	if (!cJSON_IsObject(root))
		return kc_err(f, root, "a kubeconfig must be a mapping");
	const cJSON *kind = get(root, "kind");
	if (kind && !(cJSON_IsString(kind) && strcmp(kind->valuestring, "Config") == 0))
		return kc_err(f, kind, "kind: expected \"Config\"");
	const cJSON *cur = get(root, "current-context");
	if (cur && !cJSON_IsString(cur) && !cJSON_IsNull(cur))
		return kc_err(f, cur, "current-context: must be a string");
	if (!m->current && cJSON_IsString(cur) && *cur->valuestring) {
		m->current = cur->valuestring;
		m->current_file = f;
	}
	if (collect(m, f, root, "clusters") || collect(m, f, root, "users") ||
	    collect(m, f, root, "contexts"))
		return -1;
	return 0;
}

static const kc_entry *lookup(const kc_table *t, const char *name)
{
	for (size_t i = 0; i < t->len; i++)
		if (strcmp(t->items[i].name, name) == 0)
			return &t->items[i];
	return NULL;
}

/* Resolves a path from a kubeconfig against that file's directory. */
static char *resolve(const kc_file *f, const char *p)
{
	if (p[0] == '/' || !f->dir)
		return tend_xstrdup(p);
	if (p[0] == '~' && p[1] == '/' && getenv("HOME"))
		return tend_xasprintf("%s%s", getenv("HOME"), p + 1);
	return tend_xasprintf("%s/%s", f->dir, p);
}

/* Reads a file field or decodes a *-data field into (data, len). */
static int load_blob(const kc_entry *e, const char *what, const char *file_key,
                     const char *data_key, char **file_out, char **data, size_t *len)
{
	const char *file, *b64;
	const char *kind = entry_kind(what);
	if (str_field(e, what, file_key, &file) || str_field(e, what, data_key, &b64))
		return -1;
	if (file && b64)
		return kc_err(e->f, get(e->body, data_key),
		              "%s[%s].%s: %s and %s are both specified; only one is allowed", what,
		              e->name, kind, data_key, file_key);
	tend_buf b = TEND_BUF_INIT;
	if (b64) {
		if (kube_base64_decode(b64, &b)) {
			tend_buf_free(&b);
			return kc_err(e->f, get(e->body, data_key),
			              "%s[%s].%s.%s: illegal base64 data", what, e->name, kind,
			              data_key);
		}
	} else if (file) {
		char *p = resolve(e->f, file);
		if (tend_file_read(p, KC_MAX_FILE, &b)) {
			tend_buf_free(&b);
			int rc = kc_err(e->f, get(e->body, file_key), "%s[%s].%s.%s: %s", what,
			                e->name, kind, file_key, tend_err_msg());
			free(p);
			return rc;
		}
		*file_out = p;
	} else {
		return 0;
	}
	*len = b.len;
	*data = tend_buf_detach(&b);
	return 0;
}

static int strlist(const kc_entry *e, const char *what, const char *key, tend_strvec *out)
{
	const cJSON *v = get(e->body, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return kc_err(e->f, v, "%s[%s].%s.%s: must be a list of strings", what, e->name,
		              entry_kind(what), key);
	const cJSON *it;
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it))
			return kc_err(e->f, it, "%s[%s].%s.%s: must be a list of strings", what,
			              e->name, entry_kind(what), key);
		tend_strvec_push(out, it->valuestring);
	}
	return 0;
}

static char *xdup(const char *s)
{
	return s ? tend_xstrdup(s) : NULL;
}

static int load_cluster(const kc_entry *e, tend_kube_config *c)
{
	const char *server, *tsn, *proxy;
	if (!e->body || str_field(e, "clusters", "server", &server))
		return e->body ? -1
		               : kc_err(e->f, e->item, "clusters[%s].cluster: missing", e->name);
	if (!server)
		return kc_err(
		    e->f, e->body,
		    "clusters[%s].cluster.server: missing (no server found for cluster \"%s\")",
		    e->name, e->name);
	if (str_field(e, "clusters", "tls-server-name", &tsn) ||
	    str_field(e, "clusters", "proxy-url", &proxy))
		return -1;
	const cJSON *ins = get(e->body, "insecure-skip-tls-verify");
	if (ins && !cJSON_IsBool(ins) && !cJSON_IsNull(ins))
		return kc_err(
		    e->f, ins,
		    "clusters[%s].cluster.insecure-skip-tls-verify: must be true or false",
		    e->name);
	c->insecure_skip_tls_verify = cJSON_IsTrue(ins);
	if (load_blob(e, "clusters", "certificate-authority", "certificate-authority-data",
	              &c->ca_file, &c->ca_data, &c->ca_len))
		return -1;
	if (c->insecure_skip_tls_verify && c->ca_data)
		return kc_err(e->f, ins,
		              "clusters[%s].cluster: specifying a root certificates file with the "
		              "insecure flag is not allowed",
		              e->name);
	size_t n = strlen(server);
	while (n > 0 && server[n - 1] == '/')
		n--;
	c->server = tend_xstrndup(server, n);
	if (strncmp(c->server, "https://", 8) != 0 && strncmp(c->server, "http://", 7) != 0)
		return kc_err(
		    e->f, get(e->body, "server"),
		    "clusters[%s].cluster.server: %s: must start with https:// or http://", e->name,
		    c->server);
	c->tls_server_name = xdup(tsn);
	c->proxy_url = xdup(proxy);
	return 0;
}

static int load_exec(const kc_entry *e, const cJSON *x, tend_kube_config *c)
{
	if (!cJSON_IsObject(x))
		return kc_err(e->f, x, "users[%s].user.exec: must be a mapping", e->name);
	kc_entry sub = {e->name, x, x, e->f};
	const char *api, *cmd, *mode;
	if (str_field(&sub, "users", "apiVersion", &api) ||
	    str_field(&sub, "users", "command", &cmd) ||
	    str_field(&sub, "users", "interactiveMode", &mode))
		return -1;
	if (!cmd)
		return kc_err(e->f, x,
		              "users[%s].user.exec.command: missing (command must be specified for "
		              "%s to use exec authentication plugin)",
		              e->name, e->name);
	if (!api)
		return kc_err(e->f, x,
		              "users[%s].user.exec.apiVersion: missing (apiVersion must be "
		              "specified for %s to use exec authentication plugin)",
		              e->name, e->name);
	bool v1 = strcmp(api, "client.authentication.k8s.io/v1") == 0;
	if (!v1 && strcmp(api, "client.authentication.k8s.io/v1beta1") != 0)
		return kc_err(e->f, get(x, "apiVersion"),
		              "users[%s].user.exec.apiVersion: %s is not supported (use "
		              "client.authentication.k8s.io/v1)",
		              e->name, api);
	if (!mode && v1)
		return kc_err(e->f, x,
		              "users[%s].user.exec.interactiveMode: missing (interactiveMode must "
		              "be specified for %s to use exec authentication plugin)",
		              e->name, e->name);
	if (!mode)
		mode = "IfAvailable";
	if (strcmp(mode, "Never") && strcmp(mode, "IfAvailable") && strcmp(mode, "Always"))
		return kc_err(e->f, get(x, "interactiveMode"),
		              "users[%s].user.exec.interactiveMode: invalid value \"%s\" (Never, "
		              "IfAvailable or Always)",
		              e->name, mode);
	tend_kube_exec *ex = tend_xcalloc(1, sizeof(*ex));
	c->exec = ex;
	ex->api_version = tend_xstrdup(api);
	ex->command = strchr(cmd, '/') ? resolve(e->f, cmd) : tend_xstrdup(cmd);
	ex->interactive_mode = tend_xstrdup(mode);
	ex->provide_cluster_info = cJSON_IsTrue(get(x, "provideClusterInfo"));
	if (strlist(&sub, "users", "args", &ex->args))
		return -1;
	const cJSON *env = get(x, "env"), *it;
	if (env && !cJSON_IsNull(env) && !cJSON_IsArray(env))
		return kc_err(e->f, env, "users[%s].user.exec.env: must be a list", e->name);
	cJSON_ArrayForEach(it, env)
	{
		const cJSON *n = get(it, "name"), *v = get(it, "value");
		if (!cJSON_IsString(n) || !*n->valuestring || (v && !cJSON_IsString(v)))
			return kc_err(
			    e->f, it,
			    "users[%s].user.exec.env: each entry needs a name and a string value",
			    e->name);
		char *kv = tend_xasprintf("%s=%s", n->valuestring, v ? v->valuestring : "");
		tend_strvec_push(&ex->env, kv);
		free(kv);
	}
	return 0;
}

static int load_user(const kc_entry *e, tend_kube_config *c)
{
	if (!e->body)
		return 0; /* a user with no credentials: anonymous */
	const char *token, *token_file, *user, *pass, *as, *as_uid;
	if (str_field(e, "users", "token", &token) ||
	    str_field(e, "users", "tokenFile", &token_file) ||
	    str_field(e, "users", "username", &user) || str_field(e, "users", "password", &pass) ||
	    str_field(e, "users", "as", &as) || str_field(e, "users", "as-uid", &as_uid))
		return -1;
	if (get(e->body, "auth-provider"))
		return kc_err(e->f, get(e->body, "auth-provider"),
		              "users[%s].user.auth-provider: not supported (use an exec plugin)",
		              e->name);
	const cJSON *x = get(e->body, "exec");
	int methods = (token || token_file) + (user || pass) + (x && !cJSON_IsNull(x));
	if (methods > 1)
		return kc_err(e->f, e->body,
		              "users[%s].user: more than one authentication method found for %s "
		              "(token/tokenFile, username/password, exec); only one is allowed",
		              e->name, e->name);
	if (load_blob(e, "users", "client-certificate", "client-certificate-data", &c->cert_file,
	              &c->cert_data, &c->cert_len) ||
	    load_blob(e, "users", "client-key", "client-key-data", &c->key_file, &c->key_data,
	              &c->key_len))
		return -1;
	if (c->cert_data && !c->key_data)
		return kc_err(e->f, e->body,
		              "users[%s].user: client-key-data or client-key must be specified for "
		              "%s to use the clientCert authentication method",
		              e->name, e->name);
	if (c->key_data && !c->cert_data)
		return kc_err(e->f, e->body,
		              "users[%s].user: client-certificate-data or client-certificate must "
		              "be specified for %s to use the clientCert authentication method",
		              e->name, e->name);
	if (token_file) {
		c->token_file = resolve(e->f, token_file);
		struct stat st;
		if (stat(c->token_file, &st) != 0)
			return kc_err(e->f, get(e->body, "tokenFile"),
			              "users[%s].user.tokenFile: %s: %s", e->name, c->token_file,
			              strerror(errno));
	}
	c->token = xdup(token);
	c->username = xdup(user);
	c->password = xdup(pass);
	c->as_user = xdup(as);
	c->as_uid = xdup(as_uid);
	if (strlist(e, "users", "as-groups", &c->as_groups))
		return -1;
	if (x && !cJSON_IsNull(x) && load_exec(e, x, c))
		return -1;
	return 0;
}

static int build(kc_merged *m, const char *context, tend_kube_config **out)
{
	const char *name = context && *context ? context : m->current;
	if (!name) {
		if (m->contexts.len == 0 && m->clusters.len == 0)
			return tend_err("%s: no configuration has been provided (no contexts)",
			                m->origin);
		return tend_err("%s: current-context is not set and no context was given",
		                m->origin);
	}
	const kc_entry *ctx = lookup(&m->contexts, name);
	if (!ctx) {
		if (!context && m->current_file)
			return kc_err(m->current_file, NULL,
			              "current-context: context \"%s\" does not exist", name);
		return tend_err("%s: context \"%s\" does not exist", m->origin, name);
	}
	const char *cl_name, *user_name, *ns;
	if (str_field(ctx, "contexts", "cluster", &cl_name) ||
	    str_field(ctx, "contexts", "user", &user_name) ||
	    str_field(ctx, "contexts", "namespace", &ns))
		return -1;
	if (!cl_name)
		return kc_err(ctx->f, ctx->body ? ctx->body : ctx->item,
		              "contexts[%s].context.cluster: missing", name);
	const kc_entry *cl = lookup(&m->clusters, cl_name);
	if (!cl)
		return kc_err(ctx->f, get(ctx->body, "cluster"),
		              "contexts[%s].context.cluster: cluster \"%s\" not found", name,
		              cl_name);
	const kc_entry *us = NULL;
	if (user_name) {
		us = lookup(&m->users, user_name);
		if (!us)
			return kc_err(ctx->f, get(ctx->body, "user"),
			              "contexts[%s].context.user: user \"%s\" not found", name,
			              user_name);
	}
	tend_kube_config *c = tend_xcalloc(1, sizeof(*c));
	c->context = tend_xstrdup(name);
	c->cluster = tend_xstrdup(cl_name);
	c->user = xdup(user_name);
	c->namespace = tend_xstrdup(ns ? ns : "default");
	c->origin = tend_xstrdup(m->origin);
	if (load_cluster(cl, c) || (us && load_user(us, c))) {
		tend_kube_config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static void merged_free(kc_merged *m)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].dir);
		tend_docs_free(&m->files[i].docs);
	}
	free(m->files);
	free(m->clusters.items);
	free(m->users.items);
	free(m->contexts.items);
	free(m->origin);
}

static char *dir_of(const char *path)
{
	char *tmp = tend_xstrdup(path);
	char *d = tend_xstrdup(dirname(tmp));
	free(tmp);
	return d;
}

int tend_kube_config_load(const char *paths, const char *context, tend_kube_config **out)
{
	char *home_cfg = NULL;
	bool explicit_one = false;
	if (!paths || !*paths)
		paths = getenv("KUBECONFIG");
	else
		explicit_one = !strchr(paths, ':');
	if (!paths || !*paths) {
		const char *home = getenv("HOME");
		home_cfg = tend_xasprintf("%s/.kube/config", home ? home : "");
		paths = home_cfg;
		explicit_one = true;
	}
	kc_merged m = {0};
	tend_buf origin = TEND_BUF_INIT;
	char *list = tend_xstrdup(paths);
	int rc = 0;
	m.files = tend_xcalloc(strlen(paths) / 2 + 2, sizeof(*m.files));
	char *save = NULL;
	for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		bool dup = false;
		for (size_t i = 0; i < m.nfiles; i++)
			if (strcmp(m.files[i].path, p) == 0)
				dup = true;
		if (dup)
			continue;
		struct stat st;
		if (stat(p, &st) != 0 && errno == ENOENT && !explicit_one)
			continue; /* kubectl skips missing files in $KUBECONFIG */
		kc_file *f = &m.files[m.nfiles];
		tend_docs tmp = TEND_DOCS_INIT;
		if (tend_doc_load_file(p, &tmp)) {
			tend_docs_free(&tmp);
			rc = tend_err_prefix("kubeconfig: ");
			goto done;
		}
		f->path = tend_xstrdup(p);
		f->dir = dir_of(p);
		f->docs = tmp;
		m.nfiles++;
		tend_buf_printf(&origin, "%s%s", origin.len ? ":" : "", p);
	}
	if (m.nfiles == 0) {
		rc = tend_err("kubeconfig: none of %s exists", paths);
		goto done;
	}
	m.origin = tend_buf_detach(&origin);
	for (size_t i = 0; i < m.nfiles && rc == 0; i++)
		rc = merge_file(&m, &m.files[i]);
	if (rc == 0)
		rc = build(&m, context, out);
done:
	tend_buf_free(&origin);
	merged_free(&m);
	free(list);
	free(home_cfg);
	return rc;
}

int tend_kube_config_parse(const char *label, const char *data, size_t len, const char *context,
                           tend_kube_config **out)
{
	kc_merged m = {0};
	m.files = tend_xcalloc(1, sizeof(*m.files));
	kc_file *f = &m.files[0];
	int rc = tend_doc_load(label, data, len, &f->docs);
	f->path = tend_xstrdup(label);
	f->dir = dir_of(label);
	m.nfiles = 1;
	m.origin = tend_xstrdup(label);
	if (rc == 0)
		rc = merge_file(&m, f);
	if (rc == 0)
		rc = build(&m, context, out);
	merged_free(&m);
	return rc;
}

void tend_kube_config_free(tend_kube_config *c)
{
	if (!c)
		return;
	char **strs[] = {&c->server,    &c->ca_file,  &c->ca_data,    &c->cert_file,
	                 &c->cert_data, &c->key_file, &c->key_data,   &c->tls_server_name,
	                 &c->proxy_url, &c->token,    &c->token_file, &c->username,
	                 &c->password,  &c->as_user,  &c->as_uid,     &c->namespace,
	                 &c->context,   &c->cluster,  &c->user,       &c->origin};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	tend_strvec_free(&c->as_groups);
	if (c->exec) {
		free(c->exec->api_version);
		free(c->exec->command);
		free(c->exec->interactive_mode);
		tend_strvec_free(&c->exec->args);
		tend_strvec_free(&c->exec->env);
		free(c->exec);
	}
	free(c);
}

static char *blobdup(const char *p, size_t n)
{
	if (!p)
		return NULL;
	char *d = tend_xmalloc(n + 1);
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

static void vecdup(tend_strvec *dst, const tend_strvec *src)
{
	for (size_t i = 0; i < src->len; i++)
		tend_strvec_push(dst, src->items[i]);
}

tend_kube_config *kube_config_dup(const tend_kube_config *s)
{
	tend_kube_config *c = tend_xcalloc(1, sizeof(*c));
	c->server = xdup(s->server);
	c->ca_file = xdup(s->ca_file);
	c->ca_data = blobdup(s->ca_data, s->ca_len);
	c->ca_len = s->ca_len;
	c->cert_file = xdup(s->cert_file);
	c->cert_data = blobdup(s->cert_data, s->cert_len);
	c->cert_len = s->cert_len;
	c->key_file = xdup(s->key_file);
	c->key_data = blobdup(s->key_data, s->key_len);
	c->key_len = s->key_len;
	c->insecure_skip_tls_verify = s->insecure_skip_tls_verify;
	c->tls_server_name = xdup(s->tls_server_name);
	c->proxy_url = xdup(s->proxy_url);
	c->token = xdup(s->token);
	c->token_file = xdup(s->token_file);
	c->username = xdup(s->username);
	c->password = xdup(s->password);
	c->as_user = xdup(s->as_user);
	c->as_uid = xdup(s->as_uid);
	vecdup(&c->as_groups, &s->as_groups);
	c->namespace = xdup(s->namespace ? s->namespace : "default");
	c->context = xdup(s->context);
	c->cluster = xdup(s->cluster);
	c->user = xdup(s->user);
	c->origin = xdup(s->origin ? s->origin : "(config)");
	if (s->exec) {
		c->exec = tend_xcalloc(1, sizeof(*c->exec));
		c->exec->api_version = xdup(s->exec->api_version);
		c->exec->command = xdup(s->exec->command);
		c->exec->interactive_mode = xdup(s->exec->interactive_mode);
		c->exec->provide_cluster_info = s->exec->provide_cluster_info;
		vecdup(&c->exec->args, &s->exec->args);
		vecdup(&c->exec->env, &s->exec->env);
	}
	return c;
}

int kube_base64_decode(const char *in, tend_buf *out)
{
	unsigned acc = 0;
	int bits = 0, pad = 0;
	for (const char *p = in; *p; p++) {
		char ch = *p;
		int v;
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '+' || ch == '-')
			v = 62;
		else if (ch == '/' || ch == '_')
			v = 63;
		else if (ch == '=') {
			pad++;
			continue;
		} else if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t')
			continue;
		else
			return -1;
		if (pad)
			return -1; /* data after padding */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			tend_buf_putc(out, (char)((acc >> bits) & 0xFF));
		}
	}
	if (bits >= 6 || pad > 2)
		return -1;
	return 0;
}
