/*
 * guard_internal.h — shared between the files of lib/guard.
 */
#ifndef TEND_GUARD_INTERNAL_H
#define TEND_GUARD_INTERNAL_H

#include "guard.h"

#include "../doc/doc.h"

/*
 * Provenance of one project's render (provenance.c): the render of its
 * base and granted add-ons only, and the real paths of the configured
 * roots. An object of the full render whose id is in `ids` is
 * platform-owned; every other object is the tenant's.
 */
typedef struct guard_prov {
	bool ready;          /* the platform render exists */
	bool loaded;         /* kust holds the project's kustomization */
	tend_resmap platform; /* base + granted add-ons, substituted */
	tend_strset ids;      /* tend_resource_id of each platform object */
	tend_strvec base_real;
	tend_strvec addon_real;
	char *kust_file; /* the project's kustomization, relative to root */
	tend_docs kust;
} guard_prov;

typedef struct check {
	const tend_guard_config *g;
	const tend_project *p;
	const char *root;
	const char *today;
	tend_violations *out;
	guard_prov prov;
	const tend_strvec *reclaimed; /* add-ons rendered without: expired grants */
	bool reclaim_only;            /* guard_prov_init: the roots and kustomization only */
} check;

/* Appends a violation about one object: names it "Kind/namespace/name" and
 * places it at the object's file (relative to root) and line. */
void guard_object_violation(const tend_project *p, const char *root, const tend_resource *r,
                            const char *rule, bool warning, const char *fix, const char *message,
                            tend_violations *out);

/* A string field of a cJSON object ("" when absent or not a string); b may be NULL. */
const char *guard_str(const cJSON *o, const char *a, const char *b);

/* The live grant of project p for an add-on on `today`, or NULL. */
const tend_grant *guard_live_grant(const tend_project *p, const char *today, const char *addon);
/* The guard.addons rule of an add-on, or NULL when it is not listed. */
const tend_addon_rule *guard_addon_rule(const tend_guard_config *g, const char *name);
/* Whether the project may use an add-on now: listed without requiresGrant,
 * not listed at all (content under an add-ons root is the platform's), or
 * with a live grant. */
bool guard_addon_usable(const check *c, const char *name);

/* Builds c->prov: renders the project's base and usable add-ons. A render
 * that fails is reported (rule "provenance") and leaves prov not ready. */
void guard_prov_init(check *c);
void guard_prov_free(guard_prov *pv);
/* The add-on a path (file or directory) lies in, by its real path under a
 * guard.addonsRoots entry: the directory name right under the root (caller
 * frees), or NULL. */
char *guard_addon_of(const check *c, const char *path);
/* Whether an object of the full render is platform-owned. */
bool guard_platform_owned(const check *c, const cJSON *obj);
/* The platform render's version of an object of the full render, or NULL. */
const cJSON *guard_platform_object(const check *c, const cJSON *obj);
/* The tenant's kustomization entry that changes kind/name: the file (a path
 * under root, caller frees) and line; NULL when the kustomization is unknown. */
char *guard_blame(const check *c, const char *kind, const char *name, int *line);
/* Requires every platform object in the full render, its platform-set
 * fields unchanged (rule "platform"). */
void guard_check_platform(const check *c, const tend_resmap *objects);

#endif
