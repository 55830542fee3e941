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
 * apart by the prefixes and suffixes they share with the referrer, in two
 * sieves as kustomize (v5.4 and later) has them: first a list of affixes
 * that is empty on either side matches any, then, if several are left,
 * the lists must end alike; still-ambiguous candidates are an error unless
 * they all carry the same name. Map-valued fields ({name, namespace}) take
 * the namespace too.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

struct nr_index;

typedef struct nr_ctx {
	tend_resmap *m;
	const struct nr_index *ix;
	size_t ri; /* the referrer's index in m */
	tend_resource *referrer;
	const kz_nameref *target;
	const kz_fs *fs;
	const tend_strset *rb_ns; /* namespaces of a RoleBinding's ServiceAccount subjects */
	tend_resource **cands;    /* scratch, m->len long: candidates of one look-up */
	tend_resource **work;     /* scratch, m->len long */
} nr_ctx;

static size_t candidates_named(const nr_ctx *c, const char *name, tend_resource **out);
static size_t candidates_in_ns(const nr_ctx *c, const char *ns, tend_resource **out);

/* kustomize's previousIdSelectedByGvk: one of r's previous ids (its
 * group and version, the kind it had then) is of the target's gvk. */
static bool prev_id_selected(const tend_resource *r, const char *sg, const char *sv, const char *sk)
{
	char g[256], v[256];
	kz_api_split(kz_str(r->obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
	for (size_t i = 0; r->meta && i < r->meta->prev_kinds.len; i++)
		if (kz_fs_selects(sg, sv, sk, g, v, r->meta->prev_kinds.items[i]))
			return true;
	return false;
}

/* Whether fs names a field of r, judged by r's original id (kustomize's
 * determineFilters selects referrers by OrgId: the first previous kind). */
static bool referrer_selected(const kz_fs *fs, const tend_resource *r)
{
	if (!r->meta || !r->meta->prev_kinds.len)
		return kz_fs_selects_obj(fs, r->obj);
	char g[256], v[256];
	kz_api_split(kz_str(r->obj, "apiVersion", NULL), g, sizeof(g), v, sizeof(v));
	return kz_fs_selects(fs->group, fs->version, fs->kind, g, v, r->meta->prev_kinds.items[0]);
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

static bool affix_lists_match(const tend_strvec *a, const tend_strvec *b, bool allow_empty)
{
	if (allow_empty && (!a || a->len == 0 || !b || b->len == 0))
		return true;
	return same_ending(a, b);
}

/*
 * kustomize's PrefixesSuffixesEquals. With allow_empty, a resource that no
 * layer prefixed (or suffixed) matches any prefixes (or suffixes): a
 * ConfigMap from an unprefixed base still answers a Deployment that an
 * inner layer prefixed.
 */
static bool affixes_equal(const tend_resource *a, const tend_resource *b, bool allow_empty)
{
	return affix_lists_match(a->meta ? &a->meta->prefixes : NULL,
	                         b->meta ? &b->meta->prefixes : NULL, allow_empty) &&
	       affix_lists_match(a->meta ? &a->meta->suffixes : NULL,
	                         b->meta ? &b->meta->suffixes : NULL, allow_empty);
}

static size_t sieve_affixes(tend_resource **w, size_t n, const tend_resource *referrer,
                            bool allow_empty)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (affixes_equal(w[i], referrer, allow_empty))
			w[k++] = w[i];
	return k;
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
		if (!prev_id_selected(r, c->target->group, c->target->version, c->target->kind))
			continue;
		if (roleref &&
		    !prev_id_selected(
		        r, cJSON_GetObjectItemCaseSensitive(roleref, "apiGroup")->valuestring, NULL,
		        cJSON_GetObjectItemCaseSensitive(roleref, "kind")->valuestring))
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
	size_t k = sieve_affixes(w, m, c->referrer, true);
	if (k > 1)
		k = sieve_affixes(w, k, c->referrer, false);
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
	size_t n = candidates_named(c, node->valuestring, c->cands);
	if (select_referral(c, c->cands, n, node->valuestring, false, &ref))
		return -1;
	if (ref && strcmp(kz_name(ref->obj), node->valuestring) != 0)
		kz_set_string(node, kz_name(ref->obj));
	return 0;
}

static int set_mapping(nr_ctx *c, cJSON *node)
{
	cJSON *name = cJSON_GetObjectItemCaseSensitive(node, "name");
	if (!name)
		return tend_err("path config error; no 'name' field in node");
	if (!cJSON_IsString(name))
		return 0;
	const cJSON *nsn = cJSON_GetObjectItemCaseSensitive(node, "namespace");
	size_t n = nsn ? candidates_in_ns(c, cJSON_IsString(nsn) ? nsn->valuestring : "", c->cands)
	               : candidates_named(c, name->valuestring, c->cands);
	tend_resource *ref;
	int rc = select_referral(c, c->cands, n, name->valuestring, true, &ref);
	if (rc || !ref)
		return rc;
	const char *rns = kz_namespace(ref->obj);
	if (strcmp(kz_name(ref->obj), name->valuestring) == 0 && !*rns)
		return 0;
	kz_set_string(name, kz_name(ref->obj));
	if (*rns) {
		/* kustomize writes an existing namespace's new text into the node
		 * untagged (read back as plain text: "0777" is 511), a new one as a string */
		cJSON *ns = cJSON_GetObjectItemCaseSensitive(node, "namespace");
		if (ns) {
			kz_set_string(ns, rns);
			ns->type |= KZ_PLAIN_SCALAR;
		} else {
			cJSON_AddStringToObject(node, "namespace", rns);
		}
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
 * The candidates of a look-up (kustomize's SubsetThatCouldBeReferencedBy-
 * Resource, then the name) come from indexes built once per pass, so that
 * a look-up costs the few objects that carry the name, not the whole
 * build: an all-projects build has thousands of namespaces and as many
 * cluster-scoped Namespace objects, which every namespaced referrer may
 * see. Every index is sorted by its key, then by build order, so a run of
 * equal keys lists candidates in build order, as kustomize scans them.
 */
typedef struct nr_key {
	const char *ns;   /* effective namespace, original namespace, or NULL */
	const char *name; /* a previous name, or NULL */
	size_t idx;
} nr_key;

typedef struct nr_index {
	const char **ens; /* effective namespace per object */
	bool *cluster;    /* cluster-scoped per object */
	nr_key *all;      /* (name) of every object with previous names */
	nr_key *nsd;      /* (namespace, name) of namespaced objects */
	nr_key *cl;       /* (name) of cluster-scoped objects */
	nr_key *org;      /* (original namespace) of every object */
	nr_key *cur;      /* (effective namespace) of every object */
	size_t nall, nnsd, ncl, norg, ncur;
} nr_index;

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int key_cmp(const void *pa, const void *pb)
{
	const nr_key *a = pa, *b = pb;
	int c = cmp_str(a->ns, b->ns);
	if (!c)
		c = cmp_str(a->name, b->name);
	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* The run of keys equal to (ns, name): *n of them from the returned one. */
static const nr_key *key_run(const nr_key *keys, size_t len, const char *ns, const char *name,
                             size_t *n)
{
	size_t lo = 0, hi = len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_str(keys[mid].ns, ns);
		if (!c)
			c = cmp_str(keys[mid].name, name);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < len && cmp_str(keys[end].ns, ns) == 0 && cmp_str(keys[end].name, name) == 0)
		end++;
	*n = end - lo;
	return keys + lo;
}

static void push_key(nr_key **keys, size_t *len, size_t *cap, nr_key k)
{
	if (*len == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*keys = tend_xrealloc(*keys, *cap * sizeof(**keys));
	}
	(*keys)[(*len)++] = k;
}

/* qsort's array may not be NULL even when empty (an empty resource map). */
static void sort_keys(nr_key *keys, size_t n)
{
	if (n > 1)
		qsort(keys, n, sizeof(*keys), key_cmp);
}

static void nr_index_build(const tend_resmap *m, nr_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	ix->ens = tend_xcalloc(m->len, sizeof(*ix->ens));
	ix->cluster = tend_xcalloc(m->len, sizeof(*ix->cluster));
	size_t call = 0, cnsd = 0, ccl = 0;
	ix->org = tend_xcalloc(m->len, sizeof(*ix->org));
	ix->cur = tend_xcalloc(m->len, sizeof(*ix->cur));
	for (size_t i = 0; i < m->len; i++) {
		const tend_resource *r = &m->items[i];
		ix->cluster[i] = kz_obj_cluster_scoped(r->obj);
		ix->ens[i] = kz_effective_ns(r->obj);
		ix->cur[ix->ncur++] = (nr_key){ix->ens[i], NULL, i};
		ix->org[ix->norg++] =
		    (nr_key){has_prev(r) ? r->meta->prev_ns.items[0] : ix->ens[i], NULL, i};
		for (size_t p = 0; has_prev(r) && p < r->meta->prev_names.len; p++) {
			const char *name = r->meta->prev_names.items[p];
			bool seen = false;
			for (size_t q = 0; q < p && !seen; q++)
				seen = strcmp(r->meta->prev_names.items[q], name) == 0;
			if (seen)
				continue;
			push_key(&ix->all, &ix->nall, &call, (nr_key){NULL, name, i});
			if (ix->cluster[i])
				push_key(&ix->cl, &ix->ncl, &ccl, (nr_key){NULL, name, i});
			else
				push_key(&ix->nsd, &ix->nnsd, &cnsd, (nr_key){ix->ens[i], name, i});
		}
	}
	sort_keys(ix->all, ix->nall);
	sort_keys(ix->nsd, ix->nnsd);
	sort_keys(ix->cl, ix->ncl);
	sort_keys(ix->org, ix->norg);
	sort_keys(ix->cur, ix->ncur);
}

static void nr_index_free(nr_index *ix)
{
	free(ix->ens);
	free(ix->cluster);
	free(ix->all);
	free(ix->nsd);
	free(ix->cl);
	free(ix->org);
	free(ix->cur);
}

/* Whether the referrer may name object j: it is cluster-scoped, or j is,
 * or j shares its namespace, or j is in a namespace its RoleBinding's
 * ServiceAccount subjects name. */
static bool visible(const nr_ctx *c, size_t j)
{
	const nr_index *ix = c->ix;
	return ix->cluster[c->ri] || ix->cluster[j] || strcmp(ix->ens[j], ix->ens[c->ri]) == 0 ||
	       (c->rb_ns->len && tend_strset_has(c->rb_ns, kz_namespace(c->m->items[j].obj)));
}

/* The visible objects with `name` among their previous names, in build order. */
static size_t candidates_named(const nr_ctx *c, const char *name, tend_resource **out)
{
	const nr_index *ix = c->ix;
	size_t n = 0, na, nb;
	if (ix->cluster[c->ri] || c->rb_ns->len) {
		const nr_key *run = key_run(ix->all, ix->nall, NULL, name, &na);
		for (size_t i = 0; i < na; i++)
			if (visible(c, run[i].idx))
				out[n++] = &c->m->items[run[i].idx];
		return n;
	}
	/* its namespace's objects and the cluster-scoped ones, merged by index */
	const nr_key *a = key_run(ix->nsd, ix->nnsd, ix->ens[c->ri], name, &na);
	const nr_key *b = key_run(ix->cl, ix->ncl, NULL, name, &nb);
	for (size_t i = 0, j = 0; i < na || j < nb;) {
		bool take_a = j == nb || (i < na && a[i].idx < b[j].idx);
		out[n++] = &c->m->items[take_a ? a[i++].idx : b[j++].idx];
	}
	return n;
}

/* For a {name, namespace} map: the visible objects whose original namespace
 * is ns, or if there are none, those now in ns; in build order. */
static size_t candidates_in_ns(const nr_ctx *c, const char *ns, tend_resource **out)
{
	const nr_index *ix = c->ix;
	size_t n = 0, nrun;
	if (strcmp(ns, "~X") == 0)
		return 0;
	const nr_key *run = key_run(ix->org, ix->norg, ns, NULL, &nrun);
	for (size_t i = 0; i < nrun; i++)
		if (visible(c, run[i].idx))
			out[n++] = &c->m->items[run[i].idx];
	if (n)
		return n;
	run = key_run(ix->cur, ix->ncur, ns, NULL, &nrun);
	for (size_t i = 0; i < nrun; i++)
		if (visible(c, run[i].idx))
			out[n++] = &c->m->items[run[i].idx];
	return n;
}

/* The namespaces of a RoleBinding's ServiceAccount subjects. */
static void rolebinding_namespaces(const cJSON *obj, tend_strset *out)
{
	if (strcmp(kz_kind(obj), "RoleBinding") != 0)
		return;
	const cJSON *subjects = cJSON_GetObjectItemCaseSensitive(obj, "subjects");
	const cJSON *s;
	const cJSON *list = cJSON_IsArray(subjects) ? subjects : NULL;
	cJSON_ArrayForEach(s, list)
	{
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(s, "namespace");
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(s, "kind");
		if (cJSON_IsString(ns) && cJSON_IsString(kind) &&
		    strcmp(kind->valuestring, "ServiceAccount") == 0)
			tend_strset_add(out, ns->valuestring);
	}
}

int kz_fix_name_references(tend_resmap *m, const kz_tconfig *tc)
{
	if (!m->len)
		return 0;
	tend_resource **cands = tend_xcalloc(m->len, sizeof(*cands));
	tend_resource **work = tend_xcalloc(m->len, sizeof(*work));
	nr_index ix;
	nr_index_build(m, &ix);
	int rc = 0;
	for (size_t i = 0; i < m->len && !rc; i++) {
		tend_resource *r = &m->items[i];
		tend_strset rb_ns = TEND_STRSET_INIT;
		bool computed = false;
		for (size_t t = 0; t < tc->nnameref && !rc; t++) {
			const kz_nameref *target = &tc->nameref[t];
			for (size_t f = 0; f < target->referrers.len && !rc; f++) {
				const kz_fs *fs = &target->referrers.items[f];
				if (!referrer_selected(fs, r))
					continue;
				if (!computed) {
					rolebinding_namespaces(r->obj, &rb_ns);
					computed = true;
				}
				nr_ctx c = {m, &ix, i, r, target, fs, &rb_ns, cands, work};
				rc = kz_fs_apply(r->obj, fs, 0, set_node, &c);
				if (rc)
					tend_err_prefix(
					    "%s:%d: updating name reference in '%s' field: ",
					    r->file, r->line, fs->path);
			}
		}
		tend_strset_free(&rb_ns);
	}
	nr_index_free(&ix);
	free(cands);
	free(work);
	return rc;
}
