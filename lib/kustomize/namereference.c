/*
 * namereference.c — the name-reference pass (kustomize's nameref filter),
 * run once at the root after hash suffixes: every field that names another
 * object (configMapRef, secretName, roleRef, subjects, ...) is rewritten
 * to that object's final name.
 *
 * A field is rewritten only if it equals a *previous* name of an object
 * of the target kind that the referrer can see: same effective namespace,
 * or cluster-scoped on either side, or a ServiceAccount, or a namespace a
 * RoleBinding's ServiceAccount subjects name. Several candidates are told
 * apart by the prefixes and suffixes they share with the referrer;
 * still-ambiguous candidates are an error unless they all carry the same
 * name. Map-valued fields ({name, namespace}) take the namespace too.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct nr_ctx {
	tend_resource *referrer;
	const kz_nameref *target;
	const kz_fs *fs;
	tend_resource **cands; /* what the referrer can see */
	size_t ncands;
	tend_resource **work; /* scratch, ncands long */
} nr_ctx;

static bool gvk_selected(const cJSON *obj, const char *sg, const char *sv, const char *sk)
{
	char g[256], v[256];
	kz_api_split(kz_str(obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
	return kz_fs_selects(sg, sv, sk, g, v, kz_kind(obj));
}

static bool prev_name_matches(const tend_resource *r, const char *name)
{
	if (!r->meta)
		return false;
	for (size_t i = 0; i < r->meta->prev_names.len; i++)
		if (strcmp(r->meta->prev_names.items[i], name) == 0)
			return true;
	return false;
}

static bool has_prev(const tend_resource *r)
{
	return r->meta && r->meta->prev_names.len > 0;
}

/* kustomize's SameEndingSubSlice: the shorter list ends the longer one. */
static bool same_ending(const tend_strvec *a, const tend_strvec *b)
{
	static const tend_strvec empty = TEND_STRVEC_INIT;
	if (!a)
		a = &empty;
	if (!b)
		b = &empty;
	const tend_strvec *s = a->len <= b->len ? a : b, *l = a->len <= b->len ? b : a;
	size_t diff = l->len - s->len;
	if (s->len == 0)
		return diff == 0;
	for (size_t i = 0; i < s->len; i++)
		if (strcmp(l->items[i + diff], s->items[i]) != 0)
			return false;
	return true;
}

static bool affixes_equal(const tend_resource *a, const tend_resource *b)
{
	return same_ending(a->meta ? &a->meta->prefixes : NULL,
	                   b->meta ? &b->meta->prefixes : NULL) &&
	       same_ending(a->meta ? &a->meta->suffixes : NULL,
	                   b->meta ? &b->meta->suffixes : NULL);
}

static size_t sieve_name_gvk(nr_ctx *c, tend_resource **in, size_t n, const char *name,
                             tend_resource **out)
{
	size_t m = 0;
	const cJSON *roleref = NULL;
	size_t plen = strlen(c->fs->path);
	bool is_roleref = plen >= 12 && strcmp(c->fs->path + plen - 12, "roleRef/name") == 0;
	if (is_roleref) {
		roleref = cJSON_GetObjectItemCaseSensitive(c->referrer->obj, "roleRef");
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(roleref, "apiGroup");
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(roleref, "kind");
		if (!cJSON_IsString(g) || !cJSON_IsString(k))
			roleref = NULL;
	}
	bool referrer_cluster = kz_obj_cluster_scoped(c->referrer->obj);
	const char *referrer_ns = kz_effective_ns(c->referrer->obj);
	for (size_t i = 0; i < n; i++) {
		tend_resource *r = in[i];
		if (!prev_name_matches(r, name) || !has_prev(r))
			continue;
		if (!gvk_selected(r->obj, c->target->group, c->target->version, c->target->kind))
			continue;
		if (roleref &&
		    !gvk_selected(
		        r->obj, cJSON_GetObjectItemCaseSensitive(roleref, "apiGroup")->valuestring,
		        NULL, cJSON_GetObjectItemCaseSensitive(roleref, "kind")->valuestring))
			continue;
		if (!referrer_cluster && !kz_obj_cluster_scoped(r->obj) &&
		    strcmp(kz_kind(r->obj), "ServiceAccount") != 0 &&
		    strcmp(referrer_ns, kz_effective_ns(r->obj)) != 0)
			continue;
		out[m++] = r;
	}
	return m;
}

/* selectReferral: NULL with no error when nothing matches. */
static int select_referral(nr_ctx *c, tend_resource **in, size_t n, const char *name, bool with_ns,
                           tend_resource **found)
{
	*found = NULL;
	tend_resource **w = c->work;
	size_t m = sieve_name_gvk(c, in, n, name, w);
	if (m == 1) {
		*found = w[0];
		return 0;
	}
	size_t k = 0;
	for (size_t i = 0; i < m; i++)
		if (affixes_equal(w[i], c->referrer))
			w[k++] = w[i];
	if (k == 0)
		return 0;
	bool identical = true;
	for (size_t i = 1; i < k; i++)
		if (strcmp(kz_name(w[i]->obj), kz_name(w[0]->obj)) != 0 ||
		    (with_ns && strcmp(kz_namespace(w[i]->obj), kz_namespace(w[0]->obj)) != 0))
			identical = false;
	if (k == 1 || identical) {
		*found = w[0];
		return 0;
	}
	tend_buf ids = TEND_BUF_INIT;
	for (size_t i = 0; i < k; i++) {
		char *s = kz_id_string(w[i]->obj);
		tend_buf_printf(&ids, "%s%s", i ? ", " : "", s);
		free(s);
	}
	char *r = kz_id_string(c->referrer->obj);
	int rc = tend_err("'%s': found multiple possible referrals: %s", r, ids.data);
	free(r);
	tend_buf_free(&ids);
	return rc;
}

static int set_scalar(nr_ctx *c, cJSON *node)
{
	if (!cJSON_IsString(node))
		return 0;
	tend_resource *ref;
	if (select_referral(c, c->cands, c->ncands, node->valuestring, false, &ref))
		return -1;
	if (ref && strcmp(kz_name(ref->obj), node->valuestring) != 0)
		kz_set_string(node, kz_name(ref->obj));
	return 0;
}

/* Candidates for a {name, namespace} map: by original, else current namespace. */
static size_t by_namespace(nr_ctx *c, const char *ns, tend_resource **out)
{
	size_t m = 0;
	for (size_t i = 0; i < c->ncands; i++) {
		tend_resource *r = c->cands[i];
		const char *org = has_prev(r) ? r->meta->prev_ns.items[0] : kz_effective_ns(r->obj);
		if (strcmp(org, "~X") != 0 && strcmp(org, ns) == 0)
			out[m++] = r;
	}
	if (m)
		return m;
	for (size_t i = 0; i < c->ncands; i++) {
		const char *cur = kz_effective_ns(c->cands[i]->obj);
		if (strcmp(cur, "~X") != 0 && strcmp(cur, ns) == 0)
			out[m++] = c->cands[i];
	}
	return m;
}

static int set_mapping(nr_ctx *c, cJSON *node)
{
	cJSON *name = cJSON_GetObjectItemCaseSensitive(node, "name");
	if (!name)
		return tend_err("path config error; no 'name' field in node");
	if (!cJSON_IsString(name))
		return 0;
	const cJSON *nsn = cJSON_GetObjectItemCaseSensitive(node, "namespace");
	tend_resource **in = c->cands;
	size_t n = c->ncands;
	tend_resource **sub = NULL;
	if (nsn) {
		sub = tend_xcalloc(c->ncands ? c->ncands : 1, sizeof(*sub));
		n = by_namespace(c, cJSON_IsString(nsn) ? nsn->valuestring : "", sub);
		in = sub;
	}
	tend_resource *ref;
	int rc = select_referral(c, in, n, name->valuestring, true, &ref);
	free(sub);
	if (rc || !ref)
		return rc;
	const char *rns = kz_namespace(ref->obj);
	if (strcmp(kz_name(ref->obj), name->valuestring) == 0 && !*rns)
		return 0;
	kz_set_string(name, kz_name(ref->obj));
	if (*rns) {
		cJSON *ns = cJSON_GetObjectItemCaseSensitive(node, "namespace");
		if (ns)
			kz_set_string(ns, rns);
		else
			cJSON_AddStringToObject(node, "namespace", rns);
	}
	return 0;
}

static int set_node(cJSON *node, void *ctx)
{
	nr_ctx *c = ctx;
	if (cJSON_IsNull(node))
		return 0;
	if (cJSON_IsObject(node))
		return set_mapping(c, node);
	if (cJSON_IsArray(node)) {
		cJSON *el;
		cJSON_ArrayForEach(el, node)
		{
			int rc = cJSON_IsObject(el) ? set_mapping(c, el) : set_scalar(c, el);
			if (rc)
				return rc;
		}
		return 0;
	}
	return set_scalar(c, node);
}

/*
 * Each object's effective namespace and scope, computed once per pass, and
 * the objects ordered by namespace, so that finding what a referrer can see
 * costs the size of its namespace, not of the whole build (an all-projects
 * build has thousands of objects in hundreds of namespaces).
 */
typedef struct scope_index {
	const char **ens;  /* effective namespace per object */
	bool *cluster;     /* cluster-scoped per object */
	size_t *by_ns;     /* object indices sorted by (namespace, index) */
	size_t *clustered; /* indices of cluster-scoped objects, ascending */
	size_t nclustered;
} scope_index;

static int by_ns_cmp(const void *a, const void *b, void *ctx)
{
	const scope_index *ix = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(ix->ens[x], ix->ens[y]);
	return c ? c : (x > y) - (x < y);
}

static void scope_index_build(const tend_resmap *m, scope_index *ix)
{
	ix->ens = tend_xcalloc(m->len, sizeof(*ix->ens));
	ix->cluster = tend_xcalloc(m->len, sizeof(*ix->cluster));
	ix->by_ns = tend_xcalloc(m->len, sizeof(*ix->by_ns));
	ix->clustered = tend_xcalloc(m->len, sizeof(*ix->clustered));
	ix->nclustered = 0;
	for (size_t i = 0; i < m->len; i++) {
		ix->cluster[i] = kz_obj_cluster_scoped(m->items[i].obj);
		ix->ens[i] = kz_effective_ns(m->items[i].obj);
		ix->by_ns[i] = i;
		if (ix->cluster[i])
			ix->clustered[ix->nclustered++] = i;
	}
	qsort_r(ix->by_ns, m->len, sizeof(*ix->by_ns), by_ns_cmp, ix);
}

static void scope_index_free(scope_index *ix)
{
	free(ix->ens);
	free(ix->cluster);
	free(ix->by_ns);
	free(ix->clustered);
}

/* Objects the referrer could name (SubsetThatCouldBeReferencedByResource),
 * in build order. */
static size_t visible_to(tend_resmap *m, const scope_index *ix, size_t ri, tend_resource **out)
{
	tend_resource *referrer = &m->items[ri];
	size_t n = 0;
	if (ix->cluster[ri]) {
		for (size_t i = 0; i < m->len; i++)
			out[n++] = &m->items[i];
		return n;
	}
	tend_strset rb_ns = TEND_STRSET_INIT;
	if (strcmp(kz_kind(referrer->obj), "RoleBinding") == 0) {
		const cJSON *subjects = cJSON_GetObjectItemCaseSensitive(referrer->obj, "subjects");
		const cJSON *s;
		const cJSON *list = cJSON_IsArray(subjects) ? subjects : NULL;
		cJSON_ArrayForEach(s, list)
		{
			const cJSON *ns = cJSON_GetObjectItemCaseSensitive(s, "namespace");
			const cJSON *kind = cJSON_GetObjectItemCaseSensitive(s, "kind");
			if (cJSON_IsString(ns) && cJSON_IsString(kind) &&
			    strcmp(kind->valuestring, "ServiceAccount") == 0)
				tend_strset_add(&rb_ns, ns->valuestring);
		}
	}
	const char *rns = ix->ens[ri];
	if (rb_ns.len) { /* rare: ServiceAccounts of other namespaces; scan everything */
		for (size_t i = 0; i < m->len; i++)
			if (ix->cluster[i] || strcmp(ix->ens[i], rns) == 0 ||
			    tend_strset_has(&rb_ns, kz_namespace(m->items[i].obj)))
				out[n++] = &m->items[i];
		tend_strset_free(&rb_ns);
		return n;
	}
	/* the referrer's namespace: a run of by_ns found by binary search */
	size_t lo = 0, hi = m->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->ens[ix->by_ns[mid]], rns) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < m->len && strcmp(ix->ens[ix->by_ns[end]], rns) == 0)
		end++;
	/* merge it with the cluster-scoped objects, both ascending */
	size_t a = lo, b = 0;
	while (a < end || b < ix->nclustered) {
		bool take_a = b == ix->nclustered || (a < end && ix->by_ns[a] < ix->clustered[b]);
		out[n++] = &m->items[take_a ? ix->by_ns[a++] : ix->clustered[b++]];
	}
	return n;
}

int kz_fix_name_references(tend_resmap *m, const kz_tconfig *tc)
{
	if (!m->len)
		return 0;
	tend_resource **cands = tend_xcalloc(m->len, sizeof(*cands));
	tend_resource **work = tend_xcalloc(m->len, sizeof(*work));
	scope_index ix;
	scope_index_build(m, &ix);
	int rc = 0;
	for (size_t i = 0; i < m->len && !rc; i++) {
		tend_resource *r = &m->items[i];
		size_t ncands = 0;
		bool computed = false;
		for (size_t t = 0; t < tc->nnameref && !rc; t++) {
			const kz_nameref *target = &tc->nameref[t];
			for (size_t f = 0; f < target->referrers.len && !rc; f++) {
				const kz_fs *fs = &target->referrers.items[f];
				if (!kz_fs_selects_obj(fs, r->obj))
					continue;
				if (!computed) {
					ncands = visible_to(m, &ix, i, cands);
					computed = true;
				}
				nr_ctx c = {r, target, fs, cands, ncands, work};
				rc = kz_fs_apply(r->obj, fs, 0, set_node, &c);
				if (rc)
					tend_err_prefix(
					    "%s:%d: updating name reference in '%s' field: ",
					    r->file, r->line, fs->path);
			}
		}
	}
	scope_index_free(&ix);
	free(cands);
	free(work);
	return rc;
}
