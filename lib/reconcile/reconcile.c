/*
 * reconcile.c — one run over a set of projects: plan (desired objects,
 * inventories, live view, classification), then either dry runs and diffs
 * or applies in phases, prune, and the inventory records. The steps are
 * described in reconcile.h; this file strings them together.
 *
 * Invariants: an inventory is written to old ∪ new before any apply and
 * reduced only after prune; a project without objects (failed render) has
 * no item in the run at all; an object another project tracks is never
 * written or deleted.
 */
#include "reconcile_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void tend_reconcile_options_default(tend_reconcile_options *o)
{
	memset(o, 0, sizeof(*o));
	o->field_manager = "tend";
	o->force = true;
	o->prune = true;
	o->prune_guard_percent = 25;
	o->inventory_namespace = "tend-system";
	o->concurrency = 16;
	o->crd_timeout_ms = 30000;
	o->prune_guard_window_ms = 3600000;
}

void tend_reconcile_options_from_config(tend_reconcile_options *o, const tend_sync_config *s)
{
	tend_reconcile_options_default(o);
	o->force = s->force;
	o->prune = s->prune;
	o->prune_guard_percent = s->prune_guard_percent;
	o->prune_guard_window_ms = s->prune_guard_window_ms;
	o->adopt = s->adopt;
	if (s->inventory_namespace && *s->inventory_namespace)
		o->inventory_namespace = s->inventory_namespace;
	if (s->concurrency > 0)
		o->concurrency = s->concurrency;
	o->ignore = s->ignore;
	o->n_ignore = s->n_ignore;
}

int tend_reconciler_new(tend_kube *k, const tend_reconcile_options *o, tend_reconciler **out)
{
	tend_reconciler *r = tend_xcalloc(1, sizeof(*r));
	r->kube = k;
	if (o)
		r->opt = *o;
	else
		tend_reconcile_options_default(&r->opt);
	r->field_manager = tend_xstrdup(r->opt.field_manager ? r->opt.field_manager : "tend");
	r->inventory_namespace =
	    tend_xstrdup(r->opt.inventory_namespace ? r->opt.inventory_namespace : "tend-system");
	r->opt.field_manager = r->field_manager;
	r->opt.inventory_namespace = r->inventory_namespace;
	if (r->opt.concurrency <= 0)
		r->opt.concurrency = 16;
	*out = r;
	return 0;
}

void tend_reconciler_free(tend_reconciler *r)
{
	if (!r)
		return;
	free(r->field_manager);
	free(r->inventory_namespace);
	free(r->root);
	free(r->resources);
	for (size_t i = 0; i < r->n_removals; i++)
		free(r->removals[i].project);
	free(r->removals);
	free(r);
}

void tend_reconciler_set_root(tend_reconciler *r, const char *root)
{
	free(r->root);
	r->root = root ? tend_xstrdup(root) : NULL;
}

void tend_reconciler_use_cache(tend_reconciler *r, tend_kube_cache *c)
{
	r->cache = c;
}

size_t tend_reconciler_resources(const tend_reconciler *r, const tend_kube_resource *const **out)
{
	*out = r->resources;
	return r->n_resources;
}

void rc_note_resource(tend_reconciler *r, const tend_kube_resource *res)
{
	for (size_t i = 0; i < r->n_resources; i++)
		if (r->resources[i] == res)
			return;
	if (r->n_resources == r->cap_resources) {
		r->cap_resources = r->cap_resources ? r->cap_resources * 2 : 16;
		r->resources =
		    tend_xrealloc(r->resources, r->cap_resources * sizeof(*r->resources));
	}
	r->resources[r->n_resources++] = res;
}

int tend_reconcile_inventoried(tend_reconciler *r, tend_strvec *out)
{
	rc_inventory *inv;
	size_t n;
	if (rc_inventory_list(r, &inv, &n))
		return -1;
	for (size_t i = 0; i < n; i++)
		tend_strvec_push(out, inv[i].project);
	rc_inventory_free(inv, n);
	return 0;
}

/* ---- the run's state ---- */

typedef struct item {
	size_t proj;
	size_t obj;     /* index in the project's report objects */
	cJSON *desired; /* owned; NULL for a prune */
	const tend_kube_resource *res;
	char *id;
	int phase;
	bool deferred;   /* its type appears once the run's CRDs are established */
	bool unreadable; /* its live read was refused (e.g. 403): an error, nothing done */
} item;

typedef struct proj {
	const tend_reconcile_desired *in; /* NULL: removed from Git */
	tend_reconcile_report *rep;
	rc_inventory *old; /* NULL: none yet */
	tend_strset desired_ids;
	size_t first, end;      /* its items: x->items[first..end) */
	tend_strvec unresolved; /* desired ids of a type not served: kept recorded */
	size_t plan_errors;     /* objects that failed before the run had an item for them */
	tend_strvec recorded;   /* what this run wrote to the inventory */
	bool has_recorded;
	bool applies;         /* has a render: its objects are applied and pruned */
	bool removal_blocked; /* left Git, kept whole by the projects guard or prune=false */
} proj;

typedef struct run {
	tend_reconciler *r;
	tend_reconcile_mode mode;
	proj *p;
	size_t np;
	item *items;
	size_t n_items, cap_items;
	rc_inventory *inv;
	size_t n_inv;
	rc_live live;
	rc_live claims;  /* id -> the project (string) that declared it first in this run */
	rc_live leaving; /* id -> the project (string) pruning it in this run */
	rc_live handed;  /* id -> the project (string) it was handed over to */
	const tend_strset *revision_projects; /* may be NULL */
	bool has_crds;
} run;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t add_object(tend_reconcile_report *rep, const char *id, const char *api_version)
{
	tend_reconcile_object *o = &rep->objects[rep->n_objects];
	memset(o, 0, sizeof(*o));
	char *group, *kind, *ns, *name;
	if (rc_id_split(id, &group, &kind, &ns, &name) == 0) {
		o->kind = kind;
		o->namespace = ns;
		o->name = name;
		o->api_version = api_version ? tend_xstrdup(api_version) : tend_xstrdup(group);
		free(group);
	} else {
		o->kind = tend_xstrdup("");
		o->namespace = tend_xstrdup("");
		o->name = tend_xstrdup(id);
		o->api_version = tend_xstrdup("");
	}
	o->id = tend_xstrdup(id);
	o->health = TEND_HEALTH_UNKNOWN;
	return rep->n_objects++;
}

static tend_reconcile_object *obj_of(run *x, const item *it)
{
	return &x->p[it->proj].rep->objects[it->obj];
}

static void set_message(tend_reconcile_object *o, tend_action a, char *msg)
{
	o->action = a;
	free(o->message);
	o->message = msg;
}

static item *push_item(run *x)
{
	if (x->n_items == x->cap_items) {
		x->cap_items = x->cap_items ? x->cap_items * 2 : 256;
		x->items = tend_xrealloc(x->items, x->cap_items * sizeof(*x->items));
	}
	item *it = &x->items[x->n_items++];
	memset(it, 0, sizeof(*it));
	return it;
}

/* Group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""), caller frees. */
static char *group_of(const char *api_version)
{
	const char *slash = strchr(api_version, '/');
	return slash ? tend_xstrndup(api_version, (size_t)(slash - api_version)) : tend_xstrdup("");
}

/* Resolves an item's type; fills namespace, id, ownership marks and phase. */
static int resolve_desired(run *x, item *it)
{
	proj *pj = &x->p[it->proj];
	if (tend_kube_resource_for_object(x->r->kube, it->desired, &it->res))
		return -1;
	rc_note_resource(x->r, it->res);
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(it->desired, "metadata");
	if (it->res->namespaced && !rc_meta_str(it->desired, "namespace") && pj->in->namespace)
		cJSON_AddStringToObject(meta, "namespace", pj->in->namespace);
	if (!it->res->namespaced)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	char *id = rc_object_id(it->res, it->desired);
	if (it->id && strcmp(it->id, id) != 0) {
		free(id);
		return tend_err("%s resolved to a different object", it->id);
	}
	free(it->id);
	it->id = id;
	rc_mark_owned(it->desired, pj->in->project, it->id);
	it->phase = rc_phase(it->res->group, it->res->kind, it->res->namespaced);
	return 0;
}

/* A provisional id for an object whose type is not served yet. */
static char *provisional_id(const cJSON *obj, const char *default_ns)
{
	const char *av = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "apiVersion"));
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "kind"));
	char *g = group_of(av ? av : "");
	const char *ns = rc_meta_str(obj, "namespace");
	char *id = tend_xasprintf("%s/%s:%s/%s", g, kind ? kind : "",
	                          ns           ? ns
	                          : default_ns ? default_ns
	                                       : "",
	                          rc_meta_str(obj, "name") ? rc_meta_str(obj, "name") : "");
	free(g);
	return id;
}

static void plan_desired(run *x, size_t pi)
{
	proj *pj = &x->p[pi];
	const tend_resmap *m = pj->in->objects;
	for (size_t i = 0; i < m->len; i++) {
		item *it = push_item(x);
		it->proj = pi;
		it->desired = cJSON_Duplicate(m->items[i].obj, true);
		const char *av = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it->desired, "apiVersion"));
		if (resolve_desired(x, it) == 0) {
			it->obj = add_object(pj->rep, it->id, av);
		} else if (x->has_crds) {
			it->deferred = true;
			it->id = provisional_id(it->desired, pj->in->namespace);
			it->phase = RC_PHASE_NAMESPACED;
			it->obj = add_object(pj->rep, it->id, av);
		} else {
			char *id = provisional_id(it->desired, pj->in->namespace);
			it->obj = add_object(pj->rep, id, av);
			/* it may exist (discovery failing for a moment): never prune or forget it
			 */
			tend_strset_add(&pj->desired_ids, id);
			tend_strvec_push(&pj->unresolved, id);
			free(id);
			const char *file = m->items[i].file;
			size_t rl = x->r->root ? strlen(x->r->root) : 0;
			if (rl && strncmp(file, x->r->root, rl) == 0 && file[rl] == '/')
				file += rl + 1;
			set_message(
			    &pj->rep->objects[it->obj], TEND_ACTION_ERROR,
			    tend_xasprintf("%s (%s:%d)", tend_err_msg(), file, m->items[i].line));
			pj->plan_errors++;
			cJSON_Delete(it->desired);
			it->desired = NULL;
			x->n_items--;
			continue;
		}
		tend_strset_add(&pj->desired_ids, it->id);
	}
}

/* Old inventory entries that the new render no longer has. */
static void plan_prunes(run *x, size_t pi)
{
	proj *pj = &x->p[pi];
	if (!pj->old)
		return;
	for (size_t i = 0; i < pj->old->ids.len; i++) {
		const char *id = pj->old->ids.items[i];
		if (tend_strset_has(&pj->desired_ids, id))
			continue;
		char *group, *kind, *ns, *name;
		if (rc_id_split(id, &group, &kind, &ns, &name))
			continue;
		const tend_kube_resource *res = NULL;
		if (tend_kube_resource_find(x->r->kube, group, kind, &res) == 0) {
			item *it = push_item(x);
			it->proj = pi;
			it->res = res;
			it->id = tend_xstrdup(id);
			it->phase = rc_phase(group, kind, res->namespaced);
			char *av = *res->group ? tend_xasprintf("%s/%s", res->group, res->version)
			                       : tend_xstrdup(res->version);
			it->obj = add_object(pj->rep, id, av);
			free(av);
			rc_note_resource(x->r, res);
		}
		/* a type no longer served has no objects left to prune */
		free(group), free(kind), free(ns), free(name);
	}
}

static int load_live(run *x)
{
	int rc = 0;
	if (x->r->cache) {
		const char **ids = tend_xcalloc(x->n_items + 1, sizeof(*ids));
		size_t nid = 0;
		for (size_t i = 0; i < x->n_items; i++)
			if (x->items[i].res)
				ids[nid++] = x->items[i].id;
		rc_live_load_ids(x->r, ids, nid, &x->live);
		free(ids);
	} else {
		const tend_kube_resource **types = tend_xcalloc(x->n_items + 1, sizeof(*types));
		size_t nt = 0;
		for (size_t i = 0; i < x->n_items; i++) {
			const tend_kube_resource *res = x->items[i].res;
			bool seen = !res;
			for (size_t j = 0; j < nt && !seen; j++)
				seen = types[j] == res;
			if (!seen)
				types[nt++] = res;
		}
		rc = rc_live_load(x->r, types, nt, &x->live);
		free(types);
	}
	if (rc || !x->r->cache)
		return rc;
	/* the cache may not hold every type: ask for what it lacks */
	rc_req *reqs = tend_xcalloc(x->n_items + 1, sizeof(*reqs));
	size_t *which = tend_xcalloc(x->n_items + 1, sizeof(*which));
	size_t nq = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		bool known;
		if (!it->res || (rc_live_get(&x->live, it->id, &known), known))
			continue;
		char *g, *k, *ns, *name;
		if (rc_id_split(it->id, &g, &k, &ns, &name))
			continue;
		rc_req_get(&reqs[nq], it->res, ns, name);
		which[nq++] = i;
		free(g), free(k), free(ns), free(name);
	}
	rc_batch(x->r->kube, reqs, nq, x->r->opt.concurrency);
	for (size_t q = 0; q < nq; q++) {
		item *it = &x->items[which[q]];
		if (reqs[q].resp || reqs[q].not_found) {
			rc_live_put(&x->live, it->id, reqs[q].resp);
			reqs[q].resp = NULL;
		} else if (reqs[q].code >= 400 && reqs[q].code < 500 && reqs[q].code != 429) {
			/* Refused for this object (a role without its kind): the
			 * object fails, the rest of its project goes on. */
			it->unreadable = true;
			set_message(obj_of(x, it), TEND_ACTION_ERROR,
			            tend_xstrdup(reqs[q].error ? reqs[q].error : "read refused"));
		} else {
			rc = tend_err("%s", reqs[q].error);
		}
		rc_req_clear(&reqs[q]);
	}
	free(reqs);
	free(which);
	return rc;
}

/*
 * Two projects declaring one object would take it from each other on every
 * sync; the owner named by the live object keeps it, else the first project
 * of the run, and every other claim is a conflict.
 */
/*
 * A move is a hand-over: an object tracked by a project that lets go of it
 * in this run (prunes it), or that is no longer in the revision at all,
 * goes to the project that now declares it — applied in place with the new
 * tracking, never deleted and re-created.
 */
static bool hand_over(run *x, item *it, const cJSON *live, const char *project)
{
	char *owner = tend_tracking_project(live);
	bool gone = false;
	if (owner && strcmp(owner, project) != 0) {
		const cJSON *leaving = rc_live_get(&x->leaving, it->id, NULL);
		gone = (leaving && strcmp(leaving->valuestring, owner) == 0) ||
		       (x->revision_projects && !tend_strset_has(x->revision_projects, owner));
	}
	if (gone && !rc_live_get(&x->handed, it->id, NULL)) {
		tend_reconcile_object *o = obj_of(x, it);
		rc_live_put(&x->handed, it->id, cJSON_CreateString(project));
		set_message(o, TEND_ACTION_UPDATE,
		            tend_xasprintf("handed over from project \"%s\"", owner));
		x->p[it->proj].rep->n_handed_over++;
	} else {
		gone = false;
	}
	free(owner);
	return gone;
}

static void classify_desired(run *x, item *it)
{
	tend_reconcile_object *o = obj_of(x, it);
	const char *project = x->p[it->proj].in->project;
	const cJSON *live = rc_live_get(&x->live, it->id, NULL);
	if (live)
		rc_ignore_differences(x->r, it->desired, live);
	if (live && hand_over(x, it, live, project)) {
		rc_live_put(&x->claims, it->id, cJSON_CreateString(project));
		return;
	}
	char *why = live ? rc_ownership_conflict(live, project, x->r->opt.adopt) : NULL;
	if (why) {
		set_message(o, TEND_ACTION_CONFLICT, why);
		return;
	}
	const cJSON *claim = rc_live_get(&x->claims, it->id, NULL);
	if (claim && strcmp(claim->valuestring, project) != 0) {
		set_message(o, TEND_ACTION_CONFLICT,
		            tend_xasprintf("also declared by project \"%s\", which keeps it; not "
		                           "applied",
		                           claim->valuestring));
		return;
	}
	rc_live_put(&x->claims, it->id, cJSON_CreateString(project));
	if (live && rc_unmanaged(live))
		/* left as it is; still recorded, so removing the annotation hands it back */
		set_message(o, TEND_ACTION_NONE,
		            tend_xasprintf("not managed (%s: disabled): left as it is",
		                           TEND_MANAGED_ANNOTATION));
	else if (!live)
		o->action = TEND_ACTION_CREATE;
	else
		o->action = rc_live_matches(it->desired, live, x->r->field_manager)
		                ? TEND_ACTION_NONE
		                : TEND_ACTION_UPDATE;
}

static void classify_prune(run *x, item *it)
{
	tend_reconcile_object *o = obj_of(x, it);
	const cJSON *live = rc_live_get(&x->live, it->id, NULL);
	o->action = TEND_ACTION_NONE; /* gone already, or no longer ours: just forget it */
	o->health = TEND_HEALTH_MISSING;
	if (!live)
		return;
	const cJSON *to = rc_live_get(&x->handed, it->id, NULL);
	char *owner = tend_tracking_project(live);
	if (to)
		o->message = tend_xasprintf("handed over to project \"%s\"", to->valuestring);
	else if (rc_unmanaged(live))
		o->message = tend_xasprintf("left in place and forgotten: %s: disabled",
		                            TEND_MANAGED_ANNOTATION);
	else if (owner && strcmp(owner, x->p[it->proj].rep->project) == 0 &&
	         rc_prune_disabled(live))
		o->message = tend_xasprintf("left in place and forgotten: %s: disabled",
		                            TEND_PRUNE_ANNOTATION);
	else if (owner && strcmp(owner, x->p[it->proj].rep->project) == 0)
		o->action = TEND_ACTION_PRUNE;
	else
		o->message = tend_xasprintf("no longer tracked by this project (owner: %s); not "
		                            "pruned",
		                            owner ? owner : "none");
	free(owner);
}

/* The per-project prune guard, and sync.prune=false. */
static void guard_prunes(run *x)
{
	for (size_t pi = 0; pi < x->np; pi++) {
		proj *pj = &x->p[pi];
		size_t n = 0;
		for (size_t i = pj->first; i < pj->end; i++)
			n += !x->items[i].desired &&
			     obj_of(x, &x->items[i])->action == TEND_ACTION_PRUNE;
		if (!n || !pj->in)
			continue;
		size_t total = pj->old ? pj->old->ids.len : n;
		bool blocked = n > 1 && n * 100 > (size_t)x->r->opt.prune_guard_percent * total;
		if (!blocked && x->r->opt.prune)
			continue;
		if (blocked) {
			free(pj->rep->error);
			pj->rep->error = tend_xasprintf(
			    "prune guard: %zu of %zu objects would be deleted (more than "
			    "sync.pruneGuard %d%%); nothing pruned",
			    n, total, x->r->opt.prune_guard_percent);
		}
		for (size_t i = pj->first; i < pj->end; i++) {
			item *it = &x->items[i];
			tend_reconcile_object *o = obj_of(x, it);
			if (!it->desired && o->action == TEND_ACTION_PRUNE)
				set_message(o, TEND_ACTION_KEEP,
				            tend_xstrdup(blocked ? "kept by the prune guard"
				                                 : "kept: sync.prune is false"));
		}
	}
}

/* Appends to the project's "kept" note. */
static void note_kept(tend_reconcile_report *rep, const char *text)
{
	char *joined = rep->kept ? tend_xasprintf("%s; %s", rep->kept, text) : tend_xstrdup(text);
	free(rep->kept);
	rep->kept = joined;
}

/*
 * Data outlives Git: a Namespace about to be pruned is listed first, and
 * kept (with the project's PersistentVolumeClaims in it) while it holds
 * anything that is not the project's. See removal.c.
 */
static void protect_namespaces(run *x)
{
	rc_census *c = tend_xcalloc(x->n_items + 1, sizeof(*c));
	size_t *which = tend_xcalloc(x->n_items + 1, sizeof(*which));
	size_t n = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		tend_reconcile_object *o = obj_of(x, it);
		if (it->desired || o->action != TEND_ACTION_PRUNE ||
		    it->phase != RC_PHASE_NAMESPACE || strcmp(o->kind, "Namespace") != 0 ||
		    !x->p[it->proj].applies)
			continue;
		if (rc_namespace_delete_confirmed(rc_live_get(&x->live, it->id, NULL))) {
			free(o->message);
			o->message = tend_xasprintf("deleted with everything in it: %s: confirm",
			                            TEND_DELETE_NAMESPACE_ANNOTATION);
			continue;
		}
		c[n].ns = o->name;
		c[n].project = x->p[it->proj].rep->project;
		which[n++] = i;
	}
	if (n)
		rc_namespace_census(x->r, c, n);
	for (size_t k = 0; k < n; k++) {
		item *it = &x->items[which[k]];
		proj *pj = &x->p[it->proj];
		if (!c[k].failed && !c[k].n_foreign) {
			rc_census_clear(&c[k]);
			continue;
		}
		char *why =
		    c[k].failed
		        ? tend_xasprintf("namespace %s kept: %s", c[k].ns, c[k].foreign)
		        : tend_xasprintf("namespace %s kept: %s not in Git", c[k].ns, c[k].foreign);
		note_kept(pj->rep, why);
		pj->rep->n_namespaces_kept++;
		set_message(obj_of(x, it), TEND_ACTION_KEEP, why);
		for (size_t i = pj->first; i < pj->end; i++) {
			tend_reconcile_object *o = obj_of(x, &x->items[i]);
			if (!x->items[i].desired && o->action == TEND_ACTION_PRUNE &&
			    strcmp(o->kind, "PersistentVolumeClaim") == 0 &&
			    strcmp(o->namespace, c[k].ns) == 0)
				set_message(
				    o, TEND_ACTION_KEEP,
				    tend_xasprintf("kept with namespace %s (data)", c[k].ns));
		}
		rc_census_clear(&c[k]);
	}
	free(c);
	free(which);
}

/*
 * Diff mode, a run of a few projects (`tend diff`): what each project's
 * Namespaces hold that is not in Git, so an admin sees what a removal
 * would leave behind. Skipped for long runs: one LIST per type and
 * namespace.
 */
static void count_not_in_git(run *x)
{
	if (x->np > 32)
		return;
	rc_census *c = tend_xcalloc(x->n_items + 1, sizeof(*c));
	size_t *which = tend_xcalloc(x->n_items + 1, sizeof(*which));
	size_t n = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		tend_reconcile_object *o = obj_of(x, it);
		if (!it->desired || it->deferred || strcmp(o->kind, "Namespace") != 0 ||
		    (o->action != TEND_ACTION_NONE && o->action != TEND_ACTION_UPDATE))
			continue;
		c[n].ns = o->name;
		c[n].project = x->p[it->proj].rep->project;
		which[n++] = i;
	}
	if (n)
		rc_namespace_census(x->r, c, n);
	for (size_t k = 0; k < n; k++) {
		tend_reconcile_report *rep = x->p[x->items[which[k]].proj].rep;
		if (!c[k].failed && !c[k].n_foreign) {
			rc_census_clear(&c[k]);
			continue;
		}
		char *line = tend_xasprintf("namespace %s %s%s%s", c[k].ns,
		                            c[k].failed ? "could not be listed: " : "holds ",
		                            c[k].foreign, c[k].failed ? "" : " not in Git");
		char *joined = rep->not_in_git ? tend_xasprintf("%s; %s", rep->not_in_git, line)
		                               : tend_xstrdup(line);
		free(rep->not_in_git);
		rep->not_in_git = joined;
		free(line);
		rc_census_clear(&c[k]);
	}
	free(c);
	free(which);
}

/* ---- diff mode ---- */

static void diff_all(run *x)
{
	rc_req *reqs = tend_xcalloc(x->n_items + 1, sizeof(*reqs));
	size_t *which = tend_xcalloc(x->n_items + 1, sizeof(*which));
	size_t nq = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		tend_reconcile_object *o = obj_of(x, it);
		const cJSON *live = rc_live_get(&x->live, it->id, NULL);
		if (o->action == TEND_ACTION_UPDATE ||
		    (o->action == TEND_ACTION_CREATE && !it->deferred)) {
			rc_req_apply(&reqs[nq], x->r, it->res, it->desired, true);
			which[nq++] = i;
		} else if (o->action == TEND_ACTION_CREATE) {
			o->diff = rc_yaml_diff(it->id, NULL, it->desired);
		} else if (o->action == TEND_ACTION_PRUNE) {
			o->diff = rc_yaml_diff(it->id, live, NULL);
		}
	}
	rc_batch(x->r->kube, reqs, nq, x->r->opt.concurrency);
	for (size_t q = 0; q < nq; q++) {
		item *it = &x->items[which[q]];
		tend_reconcile_object *o = obj_of(x, it);
		const cJSON *live = rc_live_get(&x->live, it->id, NULL);
		if (o->action == TEND_ACTION_CREATE && (reqs[q].resp || reqs[q].not_found)) {
			/* as the server would store it; its namespace may be new in this sync */
			o->diff =
			    rc_yaml_diff(it->id, NULL, reqs[q].resp ? reqs[q].resp : it->desired);
		} else if (!reqs[q].resp) {
			set_message(o,
			            reqs[q].code == 409 ? TEND_ACTION_CONFLICT : TEND_ACTION_ERROR,
			            tend_xstrdup(reqs[q].error ? reqs[q].error : "dry run failed"));
		} else if (rc_managed_equal(reqs[q].resp, live, x->r->field_manager)) {
			o->action = TEND_ACTION_NONE;
		} else {
			o->diff = rc_yaml_diff(it->id, live, reqs[q].resp);
		}
		rc_req_clear(&reqs[q]);
	}
	free(reqs);
	free(which);
}

/* ---- apply mode ---- */

/*
 * What stands between Git and the cluster for objects an apply left
 * unchanged (a conflict, a refusal): live, read again (a watch cache may
 * hold only the metadata of objects tend does not own) and reduced to the
 * fields Git sets, against Git's object. One GET per such object; none for
 * objects in sync. A Secret gets no diff, so its data never reaches a report.
 */
static void diff_unsynced(run *x)
{
	rc_req *reqs = tend_xcalloc(x->n_items + 1, sizeof(*reqs));
	size_t *which = tend_xcalloc(x->n_items + 1, sizeof(*which));
	size_t nq = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		tend_reconcile_object *o = obj_of(x, it);
		if (!it->desired || !it->res || o->diff || strcmp(o->kind, "Secret") == 0 ||
		    (o->action != TEND_ACTION_CONFLICT && o->action != TEND_ACTION_ERROR))
			continue;
		rc_req_get(&reqs[nq], it->res, *o->namespace ? o->namespace : NULL, o->name);
		which[nq++] = i;
	}
	rc_batch(x->r->kube, reqs, nq, x->r->opt.concurrency);
	for (size_t q = 0; q < nq; q++) {
		item *it = &x->items[which[q]];
		tend_reconcile_object *o = obj_of(x, it);
		if (reqs[q].resp || reqs[q].not_found) {
			cJSON *seen =
			    reqs[q].resp ? rc_project_onto(reqs[q].resp, it->desired) : NULL;
			o->diff = rc_yaml_diff(it->id, seen, it->desired);
			cJSON_Delete(seen);
		}
		rc_req_clear(&reqs[q]);
	}
	free(reqs);
	free(which);
}

static void inventory_ids(run *x, size_t pi, bool interim, tend_strvec *ids)
{
	proj *pj = &x->p[pi];
	tend_strset seen = TEND_STRSET_INIT;
	if (interim && pj->old)
		for (size_t i = 0; i < pj->old->ids.len; i++)
			if (tend_strset_add(&seen, pj->old->ids.items[i]))
				tend_strvec_push(ids, pj->old->ids.items[i]);
	for (size_t i = 0; i < pj->unresolved.len; i++)
		if (tend_strset_add(&seen, pj->unresolved.items[i]))
			tend_strvec_push(ids, pj->unresolved.items[i]);
	for (size_t i = pj->first; i < pj->end; i++) {
		item *it = &x->items[i];
		tend_reconcile_object *o = obj_of(x, it);
		bool keep;
		if (it->desired)
			keep = o->action != TEND_ACTION_CONFLICT;
		else
			keep = o->action == TEND_ACTION_KEEP || o->action == TEND_ACTION_ERROR ||
			       (o->action == TEND_ACTION_PRUNE && !o->done);
		if (keep && tend_strset_add(&seen, it->id))
			tend_strvec_push(ids, it->id);
	}
	tend_strset_free(&seen);
}

/* Whether the inventory in the cluster already lists exactly ids. */
static bool same_ids(const proj *pj, const tend_strvec *ids)
{
	const tend_strvec *cur = pj->has_recorded ? &pj->recorded : pj->old ? &pj->old->ids : NULL;
	if (!cur || cur->len != ids->len)
		return false;
	if (!pj->in && !pj->has_recorded && pj->old && !pj->old->removed_at)
		return false; /* record when the removal began */
	for (size_t i = 0; i < ids->len; i++)
		if (strcmp(cur->items[i], ids->items[i]) != 0)
			return false;
	return true;
}

/* Writes the inventories that changed; interim: old ∪ new, before applying. */
static int write_inventories(run *x, bool interim)
{
	const tend_kube_resource *cm;
	if (tend_kube_resource_for_kind(x->r->kube, "v1", "ConfigMap", &cm))
		return -1;
	rc_req *reqs = tend_xcalloc(x->np + 1, sizeof(*reqs));
	size_t *which = tend_xcalloc(x->np + 1, sizeof(*which));
	size_t nq = 0;
	for (size_t pi = 0; pi < x->np; pi++) {
		proj *pj = &x->p[pi];
		if (!pj->applies)
			continue;
		tend_strvec ids = TEND_STRVEC_INIT;
		inventory_ids(x, pi, interim, &ids);
		const char *rev = pj->in ? pj->in->revision : NULL;
		if (!pj->in && ids.len == 0 && !interim) {
			char *name = tend_xasprintf("tend-inventory-%s", pj->rep->project);
			rc_req_delete(&reqs[nq], cm, x->r->inventory_namespace, name, "Background");
			which[nq++] = pi;
			free(name);
		} else if (!same_ids(pj, &ids)) {
			cJSON *obj =
			    rc_inventory_object(x->r, pj->rep->project, &ids,
			                        interim && pj->old ? pj->old->revision : rev);
			if (!pj->in) {
				int64_t at = pj->old && pj->old->removed_at ? pj->old->removed_at
				                                            : (int64_t)time(NULL);
				char *v = tend_xasprintf("%lld", (long long)at);
				cJSON_AddStringToObject(
				    cJSON_GetObjectItemCaseSensitive(obj, "data"), "removedAt", v);
				free(v);
			}
			rc_req_apply(&reqs[nq], x->r, cm, obj, false);
			which[nq++] = pi;
			cJSON_Delete(obj);
			tend_strvec_free(&pj->recorded);
			pj->recorded = ids;
			pj->has_recorded = true;
			continue;
		}
		tend_strvec_free(&ids);
	}
	int rc = 0;
	if (nq && rc_inventory_namespace_ensure(x->r))
		rc = -1;
	if (rc == 0)
		rc_batch(x->r->kube, reqs, nq, x->r->opt.concurrency);
	for (size_t q = 0; q < nq; q++) {
		proj *pj = &x->p[which[q]];
		if (rc || (reqs[q].error && !reqs[q].not_found))
			pj->has_recorded = false; /* unknown: write again next time */
		if (rc == 0 && reqs[q].error && !reqs[q].not_found) {
			free(pj->rep->error);
			pj->rep->error = tend_xasprintf("writing the inventory: %s", reqs[q].error);
			if (interim)
				pj->applies = false; /* never apply what could not be recorded */
		}
		rc_req_clear(&reqs[q]);
	}
	free(reqs);
	free(which);
	return rc;
}

static void take_apply_result(run *x, item *it, rc_req *q)
{
	tend_reconcile_object *o = obj_of(x, it);
	if (!q->resp) {
		set_message(o, q->code == 409 ? TEND_ACTION_CONFLICT : TEND_ACTION_ERROR,
		            tend_xstrdup(q->error ? q->error : "apply failed"));
		return;
	}
	const cJSON *live = rc_live_get(&x->live, it->id, NULL);
	const char *before = live ? rc_meta_str(live, "resourceVersion") : NULL;
	const char *after = rc_meta_str(q->resp, "resourceVersion");
	if (o->action == TEND_ACTION_UPDATE && before && after && strcmp(before, after) == 0)
		o->action = TEND_ACTION_NONE; /* the server found nothing to change */
	else
		o->done = true;
	rc_live_put(&x->live, it->id, q->resp);
	q->resp = NULL;
}

/* Polls the run's CRDs until Established, then refreshes discovery. */
static int wait_crds(run *x)
{
	int64_t deadline = (int64_t)(now_s() * 1000) + x->r->opt.crd_timeout_ms;
	for (;;) {
		rc_req *reqs = tend_xcalloc(x->n_items + 1, sizeof(*reqs));
		size_t nq = 0;
		for (size_t i = 0; i < x->n_items; i++) {
			item *it = &x->items[i];
			if (it->desired && it->phase == RC_PHASE_CRD &&
			    obj_of(x, it)->action != TEND_ACTION_CONFLICT)
				rc_req_get(&reqs[nq++], it->res, NULL,
				           rc_meta_str(it->desired, "name"));
		}
		rc_batch(x->r->kube, reqs, nq, x->r->opt.concurrency);
		bool all = true;
		for (size_t q = 0; q < nq; q++) {
			all &= reqs[q].resp &&
			       tend_health_of(reqs[q].resp, NULL) == TEND_HEALTH_HEALTHY;
			rc_req_clear(&reqs[q]);
		}
		free(reqs);
		if (all)
			break;
		if ((int64_t)(now_s() * 1000) > deadline)
			return tend_err("CustomResourceDefinitions not Established after %ld ms",
			                x->r->opt.crd_timeout_ms);
		tend_kube_step(x->r->kube, 200);
	}
	return tend_kube_discover(x->r->kube);
}

static void resolve_deferred(run *x)
{
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		if (!it->deferred)
			continue;
		it->deferred = false;
		tend_reconcile_object *o = obj_of(x, it);
		if (resolve_desired(x, it)) {
			set_message(o, TEND_ACTION_ERROR, tend_xstrdup(tend_err_msg()));
			continue;
		}
		o->action = TEND_ACTION_CREATE; /* a type that did not exist has no objects */
	}
}

static void apply_phase(run *x, int phase)
{
	rc_req *reqs = tend_xcalloc(x->n_items + 1, sizeof(*reqs));
	size_t *which = tend_xcalloc(x->n_items + 1, sizeof(*which));
	size_t nq = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		tend_action a = obj_of(x, it)->action;
		if (it->desired && !it->deferred && it->phase == phase && x->p[it->proj].applies &&
		    (a == TEND_ACTION_CREATE || a == TEND_ACTION_UPDATE)) {
			rc_req_apply(&reqs[nq], x->r, it->res, it->desired, false);
			which[nq++] = i;
		}
	}
	rc_batch(x->r->kube, reqs, nq, x->r->opt.concurrency);
	for (size_t q = 0; q < nq; q++) {
		take_apply_result(x, &x->items[which[q]], &reqs[q]);
		rc_req_clear(&reqs[q]);
	}
	free(reqs);
	free(which);
}

static void prune_wave(run *x, bool namespaces)
{
	rc_req *reqs = tend_xcalloc(x->n_items + 1, sizeof(*reqs));
	size_t *which = tend_xcalloc(x->n_items + 1, sizeof(*which));
	size_t nq = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		item *it = &x->items[i];
		if (it->desired || obj_of(x, it)->action != TEND_ACTION_PRUNE ||
		    (it->phase == RC_PHASE_NAMESPACE) != namespaces || !x->p[it->proj].applies)
			continue;
		const tend_reconcile_object *o = obj_of(x, it);
		rc_req_delete(&reqs[nq], it->res, o->namespace, o->name, "Background");
		which[nq++] = i;
	}
	rc_batch(x->r->kube, reqs, nq, x->r->opt.concurrency);
	for (size_t q = 0; q < nq; q++) {
		item *it = &x->items[which[q]];
		tend_reconcile_object *o = obj_of(x, it);
		if (reqs[q].error && !reqs[q].not_found)
			set_message(o, TEND_ACTION_ERROR, tend_xstrdup(reqs[q].error));
		else
			o->done = true;
		rc_req_clear(&reqs[q]);
	}
	free(reqs);
	free(which);
}

static int apply_all(run *x)
{
	if (write_inventories(x, true))
		return -1;
	for (int phase = 0; phase < RC_PHASES; phase++) {
		apply_phase(x, phase);
		if (phase == RC_PHASE_CRD && x->has_crds) {
			if (wait_crds(x))
				return -1;
			resolve_deferred(x);
		}
	}
	prune_wave(x, false);
	prune_wave(x, true);
	return write_inventories(x, false);
}

/* ---- summary ---- */

static void summarise(run *x, size_t pi, double started)
{
	proj *pj = &x->p[pi];
	tend_reconcile_report *rep = pj->rep;
	rep->health = TEND_HEALTH_HEALTHY;
	rep->n_errors = pj->plan_errors;
	for (size_t i = pj->first; i < pj->end; i++) {
		item *it = &x->items[i];
		tend_reconcile_object *o = obj_of(x, it);
		if (it->desired) {
			free(o->health_message);
			o->health =
			    tend_health_of(rc_live_get(&x->live, it->id, NULL), &o->health_message);
			if (x->mode == TEND_RECONCILE_DIFF && o->action == TEND_ACTION_CREATE)
				o->health = TEND_HEALTH_MISSING;
			if (o->health > rep->health)
				rep->health = o->health;
		}
		switch (o->action) {
		case TEND_ACTION_NONE:
			rep->n_unchanged += it->desired != NULL;
			break;
		case TEND_ACTION_CREATE:
			rep->n_created++, rep->drift = true;
			break;
		case TEND_ACTION_UPDATE:
			rep->n_updated++, rep->drift = true;
			break;
		case TEND_ACTION_PRUNE:
			rep->n_pruned++, rep->drift = true;
			break;
		case TEND_ACTION_CONFLICT:
			rep->n_conflicts++;
			break;
		case TEND_ACTION_ERROR:
			rep->n_errors++;
			break;
		case TEND_ACTION_KEEP:
			rep->n_kept++;
			break;
		}
	}
	if (!pj->in)
		rep->status = pj->removal_blocked      ? TEND_SYNC_REMOVAL_BLOCKED
		              : rep->n_errors          ? TEND_SYNC_FAILED
		              : rep->n_namespaces_kept ? TEND_SYNC_NAMESPACE_KEPT
		                                       : TEND_SYNC_REMOVED;
	else if (!pj->in->objects || rep->n_errors || rep->n_conflicts || !pj->applies)
		rep->status = TEND_SYNC_FAILED;
	else if (rep->n_kept && rep->error)
		rep->status = TEND_SYNC_PRUNE_BLOCKED;
	else if (rep->n_namespaces_kept)
		rep->status = TEND_SYNC_NAMESPACE_KEPT;
	else if (x->mode == TEND_RECONCILE_DIFF && rep->drift)
		rep->status = TEND_SYNC_OUT_OF_SYNC;
	else
		rep->status = TEND_SYNC_SYNCED;
	if (!rep->error && (rep->n_errors || rep->n_conflicts))
		rep->error = tend_xasprintf("%zu object%s failed, %zu conflict%s", rep->n_errors,
		                            rep->n_errors == 1 ? "" : "s", rep->n_conflicts,
		                            rep->n_conflicts == 1 ? "" : "s");
	rep->seconds = now_s() - started;
}

static rc_inventory *find_inventory(run *x, const char *project)
{
	for (size_t i = 0; i < x->n_inv; i++)
		if (strcmp(x->inv[i].project, project) == 0)
			return &x->inv[i];
	return NULL;
}

/* Whether the revision still has project `name`: in this run, or in o->others. */
static bool listed(const tend_reconcile_desired *projects, size_t n,
                   const tend_reconcile_run_opts *o, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(projects[i].project, name) == 0)
			return true;
	return o->others && tend_strset_has(o->others, name);
}

static bool removable(const tend_reconcile_run_opts *o, const char *project)
{
	return !o->may_remove || o->may_remove(o->may_remove_ud, project);
}

/* Forgets removals older than the window and those of projects back in Git. */
static void expire_removals(tend_reconciler *r, const tend_reconcile_desired *projects, size_t n,
                            const tend_reconcile_run_opts *o, int64_t now)
{
	size_t k = 0;
	for (size_t i = 0; i < r->n_removals; i++) {
		rc_removal *e = &r->removals[i];
		if ((now - e->at) * 1000 >= r->opt.prune_guard_window_ms ||
		    listed(projects, n, o, e->project))
			free(e->project);
		else
			r->removals[k++] = *e;
	}
	r->n_removals = k;
}

static bool removed_recently(const tend_reconciler *r, const char *project)
{
	for (size_t i = 0; i < r->n_removals; i++)
		if (strcmp(r->removals[i].project, project) == 0)
			return true;
	return false;
}

static void note_removal(tend_reconciler *r, const char *project, int64_t at)
{
	if (r->opt.prune_guard_window_ms <= 0 || removed_recently(r, project))
		return;
	r->removals = tend_xrealloc(r->removals, (r->n_removals + 1) * sizeof(*r->removals));
	r->removals[r->n_removals++] = (rc_removal){tend_xstrdup(project), at};
}

/*
 * Projects with an inventory and no render: removed, unless too many are —
 * counted over sync.pruneGuardWindow, so that removals spread over several
 * commits (salami deletion) meet the same limit as one commit. A removal
 * already under way (its inventory says when it began) is not counted
 * again and goes on.
 */
static void plan_removed(run *x, const tend_reconcile_desired *projects, size_t n,
                         const tend_reconcile_run_opts *o, tend_reconcile_result *out)
{
	tend_reconciler *r = x->r;
	int64_t now = (int64_t)time(NULL);
	expire_removals(r, projects, n, o, now);
	/* restarted: removals under way within the window count as recent */
	for (size_t i = 0; i < x->n_inv; i++)
		if (x->inv[i].removed_at && !listed(projects, n, o, x->inv[i].project) &&
		    (now - x->inv[i].removed_at) * 1000 < r->opt.prune_guard_window_ms)
			note_removal(r, x->inv[i].project, x->inv[i].removed_at);
	size_t removed = 0, owned = 0; /* of the inventories this run may remove */
	for (size_t i = 0; i < x->n_inv; i++) {
		const rc_inventory *inv = &x->inv[i];
		if (!removable(o, inv->project) ||
		    (inv->removed_at && !listed(projects, n, o, inv->project)))
			continue;
		owned++;
		removed += !listed(projects, n, o, inv->project);
	}
	size_t recent = r->n_removals, total = removed + recent;
	bool tripped = removed && total > 1 &&
	               total * 100 > (size_t)r->opt.prune_guard_percent * (owned + recent);
	if (tripped) {
		out->projects_guard_tripped = true;
		if (recent)
			out->error = tend_xasprintf(
			    "projects guard: %zu of %zu projects with objects in the cluster are "
			    "gone "
			    "from Git, %zu of them removed in the last %ld minutes (more than "
			    "sync.pruneGuard %d%% within sync.pruneGuardWindow); none more was "
			    "removed",
			    total, owned + recent, recent, r->opt.prune_guard_window_ms / 60000,
			    r->opt.prune_guard_percent);
		else
			out->error = tend_xasprintf(
			    "projects guard: %zu of %zu projects with objects in the cluster are "
			    "gone "
			    "from Git (more than sync.pruneGuard %d%%); none was removed",
			    removed, owned, r->opt.prune_guard_percent);
	}
	for (size_t i = 0; i < x->n_inv; i++) {
		const rc_inventory *inv = &x->inv[i];
		if (!removable(o, inv->project) || listed(projects, n, o, inv->project))
			continue;
		bool under_way = inv->removed_at != 0;
		proj *pj = &x->p[x->np];
		pj->rep = &out->reports[x->np];
		pj->rep->project = tend_xstrdup(inv->project);
		pj->rep->objects = tend_xcalloc(inv->ids.len + 1, sizeof(*pj->rep->objects));
		pj->old = &x->inv[i];
		pj->applies = (under_way || !tripped) && r->opt.prune;
		pj->removal_blocked = !pj->applies;
		if (!pj->applies)
			pj->rep->error = tend_xstrdup(!r->opt.prune ? "kept: sync.prune is false"
			                                            : "kept by the projects guard");
		else if (x->mode == TEND_RECONCILE_APPLY)
			note_removal(r, inv->project, under_way ? inv->removed_at : now);
		x->np++;
		pj->first = x->n_items;
		if (pj->applies)
			plan_prunes(x, x->np - 1);
		pj->end = x->n_items;
	}
}

static void run_free(run *x)
{
	for (size_t i = 0; i < x->n_items; i++) {
		cJSON_Delete(x->items[i].desired);
		free(x->items[i].id);
	}
	free(x->items);
	for (size_t i = 0; i < x->np; i++) {
		tend_strset_free(&x->p[i].desired_ids);
		tend_strvec_free(&x->p[i].recorded);
		tend_strvec_free(&x->p[i].unresolved);
	}
	free(x->p);
	rc_inventory_free(x->inv, x->n_inv);
	rc_live_free(&x->live);
	rc_live_free(&x->claims);
	rc_live_free(&x->leaving);
	rc_live_free(&x->handed);
}

static bool is_crd(const cJSON *obj)
{
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "kind"));
	return kind && strcmp(kind, "CustomResourceDefinition") == 0;
}

int tend_reconcile_run(tend_reconciler *r, const tend_reconcile_desired *projects, size_t n,
                       const tend_reconcile_run_opts *o, tend_reconcile_result *out)
{
	memset(out, 0, sizeof(*out));
	double started = now_s();
	tend_kube_stats s0;
	tend_kube_get_stats(r->kube, &s0);
	if (!r->discovered) {
		if (tend_kube_discover(r->kube))
			return -1;
		r->discovered = true;
	}
	run x = {0};
	x.r = r;
	x.mode = o ? o->mode : TEND_RECONCILE_DIFF;
	bool all = (o && o->complete) || n == 0 || n > 32;
	const char **names = tend_xcalloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = projects[i].project;
	int listed_rc = 0;
	if (all && o && o->complete && o->inventories)
		rc_inventory_from_items(o->inventories, &x.inv, &x.n_inv);
	else
		listed_rc = all ? rc_inventory_list(r, &x.inv, &x.n_inv)
		                : rc_inventory_list_projects(r, names, n, &x.inv, &x.n_inv);
	free(names);
	if (listed_rc)
		return -1;
	out->reports = tend_xcalloc(n + x.n_inv + 1, sizeof(*out->reports));
	x.p = tend_xcalloc(n + x.n_inv + 1, sizeof(*x.p));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; projects[i].objects && j < projects[i].objects->len; j++)
			x.has_crds |= is_crd(projects[i].objects->items[j].obj);
	for (size_t i = 0; i < n; i++) {
		proj *pj = &x.p[x.np++];
		pj->in = &projects[i];
		pj->rep = &out->reports[i];
		pj->rep->project = tend_xstrdup(projects[i].project);
		pj->rep->revision =
		    projects[i].revision ? tend_xstrdup(projects[i].revision) : NULL;
		pj->old = find_inventory(&x, projects[i].project);
		if (!projects[i].objects) {
			pj->rep->error =
			    tend_xstrdup(projects[i].error ? projects[i].error : "render failed");
			continue;
		}
		pj->applies = true;
		size_t cap = projects[i].objects->len + (pj->old ? pj->old->ids.len : 0);
		pj->rep->objects = tend_xcalloc(cap + 1, sizeof(*pj->rep->objects));
		pj->first = x.n_items;
		plan_desired(&x, x.np - 1);
		plan_prunes(&x, x.np - 1);
		pj->end = x.n_items;
	}
	if (o && o->complete)
		plan_removed(&x, projects, n, o, out);
	out->len = x.np;
	int rc = load_live(&x);
	x.revision_projects = o ? o->revision_projects : NULL;
	for (size_t i = 0; i < x.n_items; i++)
		if (!x.items[i].desired && x.p[x.items[i].proj].applies)
			rc_live_put(&x.leaving, x.items[i].id,
			            cJSON_CreateString(x.p[x.items[i].proj].rep->project));
	/* what is declared first: a prune must know whether it was handed over */
	for (size_t i = 0; rc == 0 && i < x.n_items; i++) {
		item *it = &x.items[i];
		if (it->unreadable)
			continue;
		if (it->deferred)
			obj_of(&x, it)->action = TEND_ACTION_CREATE;
		else if (it->desired)
			classify_desired(&x, it);
	}
	for (size_t i = 0; rc == 0 && i < x.n_items; i++)
		if (!x.items[i].desired)
			classify_prune(&x, &x.items[i]);
	if (rc == 0) {
		guard_prunes(&x);
		protect_namespaces(&x);
		if (x.mode == TEND_RECONCILE_DIFF) {
			diff_all(&x);
			count_not_in_git(&x);
		} else
			rc = apply_all(&x);
		if (rc == 0 && x.mode == TEND_RECONCILE_APPLY)
			diff_unsynced(&x);
	}
	if (rc == 0)
		for (size_t pi = 0; pi < x.np; pi++)
			summarise(&x, pi, started);
	run_free(&x);
	tend_kube_stats s1;
	tend_kube_get_stats(r->kube, &s1);
	out->requests = s1.requests - s0.requests;
	if (rc) {
		char *why = tend_xstrdup(tend_err_msg());
		tend_reconcile_result_free(out);
		tend_err("%s", why);
		free(why);
	}
	return rc;
}
