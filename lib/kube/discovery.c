/*
 * discovery.c — what the API server serves: group/version/kind <->
 * resource, scope, verbs and each group's preferred version.
 *
 * A refresh reads /api and /apis, then every group-version's resource list
 * concurrently on the client's loop. Entries are interned: a resource
 * keeps its address across refreshes (fields are updated in place; one no
 * longer served is flagged `gone`), so callers may hold the pointers for
 * the client's lifetime. Lookups that miss refresh once (a CRD may just
 * have been installed).
 */
#include "kube_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct pref {
	char *group, *version;
} pref;

struct kube_discovery {
	tend_kube_resource **res;
	size_t n, cap;
	pref *prefs;
	size_t nprefs;
	bool fetched;
};

void kube_discovery_free(kube_discovery *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		tend_kube_resource *r = d->res[i];
		free(r->group);
		free(r->version);
		free(r->kind);
		free(r->name);
		free(r->singular);
		free(r);
	}
	free(d->res);
	for (size_t i = 0; i < d->nprefs; i++) {
		free(d->prefs[i].group);
		free(d->prefs[i].version);
	}
	free(d->prefs);
	free(d);
}

static kube_discovery *disc(tend_kube *k)
{
	if (!k->disc)
		k->disc = tend_xcalloc(1, sizeof(*k->disc));
	return k->disc;
}

static unsigned verb_bits(const cJSON *verbs)
{
	static const char *names[] = {"get",    "list",  "watch",  "create",
	                              "update", "patch", "delete", "deletecollection"};
	unsigned bits = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, verbs)
	{
		if (!cJSON_IsString(v))
			continue;
		for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(v->valuestring, names[i]) == 0)
				bits |= 1u << i;
	}
	return bits;
}

static void upsert(kube_discovery *d, const char *group, const char *version, const cJSON *it,
                   bool preferred)
{
	const char *name = kube_str(it, "name"), *kind = kube_str(it, "kind");
	if (!name || !kind || strchr(name, '/'))
		return; /* subresources are reached through their parent */
	tend_kube_resource *r = NULL;
	for (size_t i = 0; i < d->n; i++) {
		tend_kube_resource *x = d->res[i];
		if (strcmp(x->name, name) == 0 && strcmp(x->group, group) == 0 &&
		    strcmp(x->version, version) == 0) {
			r = x;
			break;
		}
	}
	if (!r) {
		if (d->n == d->cap) {
			d->cap = d->cap ? d->cap * 2 : 64;
			d->res = tend_xrealloc(d->res, d->cap * sizeof(*d->res));
		}
		r = tend_xcalloc(1, sizeof(*r));
		r->group = tend_xstrdup(group);
		r->version = tend_xstrdup(version);
		r->name = tend_xstrdup(name);
		d->res[d->n++] = r;
	} else {
		free(r->kind);
		free(r->singular);
	}
	r->kind = tend_xstrdup(kind);
	const char *sing = kube_str(it, "singularName");
	r->singular = tend_xstrdup(sing ? sing : "");
	r->namespaced = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "namespaced"));
	r->verbs = verb_bits(cJSON_GetObjectItemCaseSensitive(it, "verbs"));
	r->preferred = preferred;
	r->gone = false;
}

typedef struct gv_fetch {
	tend_kube *k;
	char *group, *version;
	bool preferred, done, ok, missing;
	cJSON *list;
	char *error;
} gv_fetch;

static void gv_done(void *ud, const tend_kube_response *res)
{
	gv_fetch *f = ud;
	f->done = true;
	if (res->status) {
		f->missing = res->code == 404;
		f->error = tend_xstrdup(res->error);
		return;
	}
	if (tend_kube_json_parse(res->body, res->body_len, &f->list) == 0)
		f->ok = true;
	else
		f->error = tend_xstrdup(tend_err_msg());
}

static void set_prefs(kube_discovery *d, const cJSON *groups)
{
	for (size_t i = 0; i < d->nprefs; i++) {
		free(d->prefs[i].group);
		free(d->prefs[i].version);
	}
	free(d->prefs);
	int n = cJSON_GetArraySize(groups);
	d->prefs = tend_xcalloc((size_t)n + 1, sizeof(*d->prefs));
	d->nprefs = 0;
	d->prefs[d->nprefs++] = (pref){tend_xstrdup(""), tend_xstrdup("v1")};
	const cJSON *g;
	cJSON_ArrayForEach(g, groups)
	{
		const char *name = kube_str(g, "name");
		const cJSON *pv = cJSON_GetObjectItemCaseSensitive(g, "preferredVersion");
		const char *v = kube_str(pv, "version");
		if (name && v)
			d->prefs[d->nprefs++] = (pref){tend_xstrdup(name), tend_xstrdup(v)};
	}
}

/* Which group-versions to fetch: core v1 and every version of every group. */
static gv_fetch *plan(tend_kube *k, const cJSON *core, const cJSON *groups, size_t *n)
{
	size_t cap = 8, len = 0;
	gv_fetch *fs = tend_xcalloc(cap, sizeof(*fs));
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(core, "versions"))
	{
		if (!cJSON_IsString(v))
			continue;
		if (len == cap) {
			cap *= 2;
			fs = tend_xrealloc(fs, cap * sizeof(*fs));
		}
		fs[len++] = (gv_fetch){.k = k,
		                       .group = tend_xstrdup(""),
		                       .version = tend_xstrdup(v->valuestring),
		                       .preferred = strcmp(v->valuestring, "v1") == 0};
	}
	const cJSON *g;
	cJSON_ArrayForEach(g, groups)
	{
		const char *name = kube_str(g, "name");
		const char *pv =
		    kube_str(cJSON_GetObjectItemCaseSensitive(g, "preferredVersion"), "version");
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(g, "versions"))
		{
			const char *ver = kube_str(v, "version");
			if (!name || !ver)
				continue;
			if (len == cap) {
				cap *= 2;
				fs = tend_xrealloc(fs, cap * sizeof(*fs));
			}
			fs[len++] = (gv_fetch){.k = k,
			                       .group = tend_xstrdup(name),
			                       .version = tend_xstrdup(ver),
			                       .preferred = pv && strcmp(pv, ver) == 0};
		}
	}
	*n = len;
	return fs;
}

int tend_kube_discover(tend_kube *k)
{
	cJSON *core = NULL, *apis = NULL;
	if (kube_call_json(k, "GET", "/api", NULL, NULL, NULL, &core)) {
		/* A 404 on /api is tolerated (no legacy group), as client-go does. */
		if (k->last.code != 404)
			return tend_err_prefix("discovery: ");
		core = cJSON_CreateObject();
	}
	if (kube_call_json(k, "GET", "/apis", NULL, NULL, NULL, &apis)) {
		cJSON_Delete(core);
		return tend_err_prefix("discovery: ");
	}
	kube_discovery *d = disc(k);
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(apis, "groups");
	size_t n;
	gv_fetch *fs = plan(k, core, groups, &n);
	set_prefs(d, groups);
	for (size_t i = 0; i < n; i++) {
		tend_buf p = TEND_BUF_INIT;
		if (*fs[i].group)
			tend_buf_printf(&p, "/apis/%s/%s", fs[i].group, fs[i].version);
		else
			tend_buf_printf(&p, "/api/%s", fs[i].version);
		tend_kube_call c = {0};
		c.method = "GET";
		c.path = p.data;
		tend_kube_submit(k, &c, gv_done, &fs[i], NULL);
		tend_buf_free(&p);
	}
	for (;;) {
		bool all = true;
		for (size_t i = 0; i < n; i++)
			all = all && fs[i].done;
		if (all)
			break;
		tend_kube_step(k, 1000);
	}
	/* Mark everything gone, then revive what the server still lists. A
	 * group-version that failed to load keeps its previous entries. */
	for (size_t i = 0; i < d->n; i++) {
		tend_kube_resource *r = d->res[i];
		bool failed = false;
		for (size_t j = 0; j < n; j++)
			if (!fs[j].ok && !fs[j].missing && strcmp(fs[j].group, r->group) == 0 &&
			    strcmp(fs[j].version, r->version) == 0)
				failed = true;
		if (!failed)
			r->gone = true;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (fs[i].ok) {
			const cJSON *it;
			cJSON_ArrayForEach(
			    it, cJSON_GetObjectItemCaseSensitive(fs[i].list, "resources"))
			    upsert(d, fs[i].group, fs[i].version, it, fs[i].preferred);
		} else if (!fs[i].missing) {
			tend_log(TEND_LOG_WARN, "discovery: %s", fs[i].error);
			if (!rc)
				rc = tend_err("discovery: %s", fs[i].error);
		}
		free(fs[i].group);
		free(fs[i].version);
		free(fs[i].error);
		cJSON_Delete(fs[i].list);
	}
	free(fs);
	cJSON_Delete(core);
	cJSON_Delete(apis);
	d->fetched = true;
	return rc;
}

static void split_api_version(const char *av, char **group, char **version)
{
	const char *slash = strchr(av, '/');
	if (slash) {
		*group = tend_xstrndup(av, (size_t)(slash - av));
		*version = tend_xstrdup(slash + 1);
	} else {
		*group = tend_xstrdup("");
		*version = tend_xstrdup(av);
	}
}

static const tend_kube_resource *find_kind(kube_discovery *d, const char *g, const char *v,
                                           const char *kind)
{
	for (size_t i = 0; d && i < d->n; i++) {
		const tend_kube_resource *r = d->res[i];
		if (!r->gone && strcmp(r->kind, kind) == 0 && strcmp(r->group, g) == 0 &&
		    strcmp(r->version, v) == 0)
			return r;
	}
	return NULL;
}

int tend_kube_resource_for_kind(tend_kube *k, const char *api_version, const char *kind,
                                const tend_kube_resource **out)
{
	char *g, *v;
	split_api_version(api_version, &g, &v);
	const tend_kube_resource *r = find_kind(k->disc, g, v, kind);
	if (!r) {
		/* A miss may be a CRD installed since the last refresh. */
		int rc = tend_kube_discover(k);
		r = find_kind(k->disc, g, v, kind);
		if (!r && rc) {
			free(g);
			free(v);
			return -1;
		}
	}
	free(g);
	free(v);
	if (!r)
		return tend_err("no matches for kind \"%s\" in version \"%s\"", kind, api_version);
	*out = r;
	return 0;
}

static const tend_kube_resource *find_name(kube_discovery *d, const char *group, const char *name)
{
	const tend_kube_resource *best = NULL;
	for (size_t i = 0; d && i < d->n; i++) {
		const tend_kube_resource *r = d->res[i];
		if (r->gone || strcmp(r->group, group) != 0)
			continue;
		if (strcmp(r->name, name) != 0 && strcmp(r->singular, name) != 0 &&
		    strcasecmp(r->kind, name) != 0)
			continue;
		if (!best || (r->preferred && !best->preferred))
			best = r;
	}
	return best;
}

int tend_kube_resource_find(tend_kube *k, const char *group, const char *name,
                            const tend_kube_resource **out)
{
	const tend_kube_resource *r = find_name(k->disc, group, name);
	if (!r) {
		int rc = tend_kube_discover(k);
		r = find_name(k->disc, group, name);
		if (!r && rc)
			return -1;
	}
	if (!r)
		return tend_err("the server doesn't have a resource type \"%s%s%s\"", name,
		                *group ? "." : "", group);
	*out = r;
	return 0;
}

int tend_kube_resource_for_object(tend_kube *k, const cJSON *obj, const tend_kube_resource **out)
{
	const char *av = kube_str(obj, "apiVersion"), *kind = kube_str(obj, "kind");
	if (!av || !*av || !kind || !*kind)
		return tend_err("object has no apiVersion or kind");
	return tend_kube_resource_for_kind(k, av, kind, out);
}

size_t tend_kube_resources(const tend_kube *k, const tend_kube_resource *const **out)
{
	*out = k->disc ? (const tend_kube_resource *const *)k->disc->res : NULL;
	return k->disc ? k->disc->n : 0;
}

const char *tend_kube_preferred_version(tend_kube *k, const char *group)
{
	kube_discovery *d = k->disc;
	for (size_t i = 0; d && i < d->nprefs; i++)
		if (strcmp(d->prefs[i].group, group) == 0)
			return d->prefs[i].version;
	return NULL;
}

void tend_kube_path(const tend_kube_resource *r, const char *ns, const char *name, const char *sub,
                    tend_buf *out)
{
	if (*r->group)
		tend_buf_printf(out, "/apis/%s/%s", r->group, r->version);
	else
		tend_buf_printf(out, "/api/%s", r->version);
	if (r->namespaced && ns && *ns)
		tend_buf_printf(out, "/namespaces/%s", ns);
	tend_buf_printf(out, "/%s", r->name);
	if (name && *name)
		tend_buf_printf(out, "/%s", name);
	if (sub && *sub)
		tend_buf_printf(out, "/%s", sub);
}
