/*
 * preview.c — one project's rendered change between two revisions: objects
 * added, removed and changed (matched by group, kind, namespace and name),
 * each with a unified diff of its YAML, and the call-outs admins read first
 * (deletions with their prune count, new projects, quota, grant and RBAC
 * changes, guardrail violations, render errors).
 *
 * Invariant: the result depends only on the two sides, in render order, so
 * a preview is reproducible byte for byte.
 */
#include "review.h"

#include "../doc/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		n = cJSON_GetObjectItemCaseSensitive(n, b);
	return cJSON_IsString(n) ? n->valuestring : "";
}

static char *display_name(const cJSON *o)
{
	const char *ns = str_at(o, "metadata", "namespace");
	return tend_xasprintf("%s/%s%s%s", str_at(o, "kind", NULL), ns, *ns ? "/" : "",
	                      str_at(o, "metadata", "name"));
}

static char *yaml_of(const cJSON *o)
{
	tend_buf b = TEND_BUF_INIT;
	if (tend_doc_emit_yaml(o, &b) != 0) {
		tend_buf_reset(&b);
		tend_doc_emit_json(o, &b);
	}
	return tend_buf_detach(&b);
}

static void callout(tend_project_preview *p, tend_callout_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void callout(tend_project_preview *p, tend_callout_kind kind, const char *fmt, ...)
{
	tend_buf b = TEND_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	tend_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p->callouts = tend_xrealloc(p->callouts, (p->n_callouts + 1) * sizeof(*p->callouts));
	p->callouts[p->n_callouts++] = (tend_callout){kind, tend_buf_detach(&b)};
}

static void value_text(const cJSON *v, tend_buf *out)
{
	if (!v)
		tend_buf_puts(out, "(none)");
	else if (cJSON_IsString(v))
		tend_buf_puts(out, v->valuestring);
	else if (cJSON_IsNumber(v))
		tend_doc_number_text(v, out);
	else
		tend_buf_puts(out, "(complex)");
}

static bool same_value(const cJSON *a, const cJSON *b)
{
	tend_buf x = TEND_BUF_INIT, y = TEND_BUF_INIT;
	value_text(a, &x);
	value_text(b, &y);
	bool same = strcmp(x.data, y.data) == 0;
	tend_buf_free(&x);
	tend_buf_free(&y);
	return same;
}

/* "requests.nvidia.com/gpu 4 → 32, pods 100 → 300" over the union of both
 * spec.hard maps; "requests.cpu: 64, ..." for a quota that is new. */
static void quota_changes(const cJSON *a, const cJSON *b, tend_buf *out)
{
	const cJSON *ha =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "spec"), "hard");
	const cJSON *hb =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "spec"), "hard");
	for (const cJSON *kv = hb ? hb->child : NULL; kv; kv = kv->next) {
		const cJSON *old = cJSON_GetObjectItemCaseSensitive(ha, kv->string);
		if (a && same_value(old, kv))
			continue;
		tend_buf_printf(out, "%s%s%s", out->len ? ", " : "", kv->string, a ? " " : ": ");
		if (a) {
			value_text(old, out);
			tend_buf_puts(out, " → ");
		}
		value_text(kv, out);
	}
	for (const cJSON *kv = ha && b ? ha->child : NULL; kv; kv = kv->next) {
		if (cJSON_GetObjectItemCaseSensitive(hb, kv->string))
			continue;
		tend_buf_printf(out, "%s%s ", out->len ? ", " : "", kv->string);
		value_text(kv, out);
		tend_buf_puts(out, " → (none)");
	}
}

/* "ClusterRole/edit to Group a, User b" */
static void binding_summary(const cJSON *o, tend_buf *out)
{
	tend_buf_printf(out, "%s/%s to ", str_at(o, "roleRef", "kind"),
	                str_at(o, "roleRef", "name"));
	const cJSON *s;
	int n = 0;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(o, "subjects"))
	{
		const char *ns = str_at(s, "namespace", NULL);
		tend_buf_printf(out, "%s%s %s%s%s", n++ ? ", " : "", str_at(s, "kind", NULL), ns,
		                *ns ? "/" : "", str_at(s, "name", NULL));
	}
	if (!n)
		tend_buf_puts(out, "no subjects");
}

static bool is_rbac(const char *kind)
{
	return strcmp(kind, "Role") == 0 || strcmp(kind, "RoleBinding") == 0 ||
	       strcmp(kind, "ClusterRole") == 0 || strcmp(kind, "ClusterRoleBinding") == 0;
}

static const char *const VERB[] = {"added", "removed", "changed"};

/* Call-outs for one object change: quota values and RBAC. */
static void object_callouts(tend_project_preview *p, const tend_object_change *ch, const cJSON *old,
                            const cJSON *new)
{
	const char *verb = VERB[ch->change];
	const cJSON *o = new ? new : old;
	if (strcmp(ch->kind, "ResourceQuota") == 0) {
		tend_buf b = TEND_BUF_INIT;
		quota_changes(old, new, &b);
		callout(p, TEND_CALLOUT_QUOTA, "%s %s%s%s", ch->object, verb, b.len ? ": " : "",
		        b.len ? b.data : "");
		tend_buf_free(&b);
	} else if (strcmp(ch->kind, "LimitRange") == 0) {
		callout(p, TEND_CALLOUT_QUOTA, "%s %s", ch->object, verb);
	} else if (is_rbac(ch->kind)) {
		tend_buf b = TEND_BUF_INIT;
		if (strstr(ch->kind, "Binding")) {
			if (ch->change == TEND_CHANGED) {
				binding_summary(old, &b);
				tend_buf_puts(&b, " → ");
			}
			binding_summary(o, &b);
		}
		callout(p, TEND_CALLOUT_RBAC, "%s %s%s%s", ch->object, verb, b.len ? ": " : "",
		        b.len ? b.data : "");
		tend_buf_free(&b);
	}
}

static void add_change(tend_project_preview *p, tend_change change, const cJSON *old,
                       const cJSON *new)
{
	char *a = old ? yaml_of(old) : tend_xstrdup("");
	char *b = new ? yaml_of(new) : tend_xstrdup("");
	if (change == TEND_CHANGED && strcmp(a, b) == 0) {
		free(a);
		free(b);
		return;
	}
	tend_buf d = TEND_BUF_INIT;
	tend_review_unified_diff(a, b, &d);
	free(a);
	free(b);
	p->changes = tend_xrealloc(p->changes, (p->n_changes + 1) * sizeof(*p->changes));
	tend_object_change *ch = &p->changes[p->n_changes++];
	const cJSON *o = new ? new : old;
	ch->change = change;
	ch->object = display_name(o);
	ch->kind = tend_xstrdup(str_at(o, "kind", NULL));
	ch->diff = tend_buf_detach(&d);
	*(change == TEND_ADDED     ? &p->added
	  : change == TEND_REMOVED ? &p->removed
	                           : &p->changed) += 1;
	if (p->status != TEND_PROJECT_DELETED) /* the deletion call-out says it all */
		object_callouts(p, ch, old, new);
}

static const cJSON *find(const tend_resmap *m, const char *id, char **ids)
{
	for (size_t i = 0; m && i < m->len; i++)
		if (strcmp(ids[i], id) == 0)
			return m->items[i].obj;
	return NULL;
}

static char **ids_of(const tend_resmap *m)
{
	size_t n = m ? m->len : 0;
	char **ids = tend_xcalloc(n + 1, sizeof(*ids));
	for (size_t i = 0; i < n; i++)
		ids[i] = tend_resource_id(m->items[i].obj);
	return ids;
}

static void free_ids(char **ids)
{
	for (size_t i = 0; ids[i]; i++)
		free(ids[i]);
	free(ids);
}

static void compare_objects(tend_project_preview *p, const tend_resmap *base,
                            const tend_resmap *head)
{
	char **bi = ids_of(base), **hi = ids_of(head);
	for (size_t i = 0; head && i < head->len; i++) {
		const cJSON *old = find(base, hi[i], bi);
		add_change(p, old ? TEND_CHANGED : TEND_ADDED, old, head->items[i].obj);
	}
	for (size_t i = 0; base && i < base->len; i++)
		if (!find(head, bi[i], hi))
			add_change(p, TEND_REMOVED, base->items[i].obj, NULL);
	free_ids(bi);
	free_ids(hi);
}

static const tend_grant *find_grant(const tend_project *p, const char *addon)
{
	for (size_t i = 0; p && i < p->n_grants; i++)
		if (strcmp(p->grants[i].addon, addon) == 0)
			return &p->grants[i];
	return NULL;
}

static void grant_callouts(tend_project_preview *pp, const tend_project *a, const tend_project *b)
{
	for (size_t i = 0; b && i < b->n_grants; i++) {
		const tend_grant *g = &b->grants[i], *old = find_grant(a, g->addon);
		const char *until = g->until ? g->until : "no end";
		if (!old)
			callout(pp, TEND_CALLOUT_GRANT, "grant %s added (until %s): %s", g->addon,
			        until, g->reason);
		else if (strcmp(old->until ? old->until : "", g->until ? g->until : "") ||
		         strcmp(old->reason, g->reason))
			callout(pp, TEND_CALLOUT_GRANT, "grant %s changed: until %s → %s: %s",
			        g->addon, old->until ? old->until : "no end", until, g->reason);
	}
	for (size_t i = 0; a && i < a->n_grants; i++)
		if (!find_grant(b, a->grants[i].addon))
			callout(pp, TEND_CALLOUT_GRANT, "grant %s removed", a->grants[i].addon);
}

void tend_preview_add(tend_preview *pv, const char *name, const tend_preview_side *base,
                      const tend_preview_side *head, tend_violations *violations)
{
	tend_project_preview p = {0};
	const tend_project *bp = base->project, *hp = head->project;
	p.name = tend_xstrdup(name);
	p.dir = tend_xstrdup(hp ? hp->dir : bp->dir);
	p.status = !bp ? TEND_PROJECT_NEW : !hp ? TEND_PROJECT_DELETED : TEND_PROJECT_CHANGED;
	if (hp && !head->objects) {
		callout(&p, TEND_CALLOUT_ERROR, "does not render: %s", head->error);
	} else {
		/* a base that failed to render is compared as empty: everything is new */
		compare_objects(&p, base->objects, head->objects);
	}
	if (p.status == TEND_PROJECT_NEW)
		callout(&p, TEND_CALLOUT_NEW,
		        "new project in %s (namespace %s): creates %zu objects", hp->dir,
		        hp->namespace, p.added);
	else if (p.status == TEND_PROJECT_DELETED)
		callout(&p, TEND_CALLOUT_DELETED,
		        "project deleted (%s): a merge prunes %zu objects", bp->dir,
		        base->objects ? base->objects->len : 0);
	else if (p.removed)
		callout(&p, TEND_CALLOUT_PRUNE, "a merge prunes %zu objects", p.removed);
	if (p.status != TEND_PROJECT_DELETED)
		grant_callouts(&p, bp, hp);
	for (size_t i = 0; violations && i < violations->len; i++) {
		const tend_violation *v = &violations->items[i];
		callout(&p, TEND_CALLOUT_VIOLATION, "%s[%s] %s%s%s (%s:%d)",
		        v->warning ? "warning " : "", v->rule, v->object, *v->object ? ": " : "",
		        v->message, v->file, v->line);
	}
	if (violations) {
		p.violations = *violations;
		memset(violations, 0, sizeof(*violations));
	}
	if (!p.n_changes && !p.n_callouts && p.status == TEND_PROJECT_CHANGED)
		p.status = TEND_PROJECT_UNCHANGED;
	pv->projects = tend_xrealloc(pv->projects, (pv->len + 1) * sizeof(*pv->projects));
	pv->projects[pv->len++] = p;
}

/* Kinds whose deletion takes data with it. */
static bool data_bearing(const char *kind)
{
	static const char *const kinds[] = {"PersistentVolumeClaim", "PersistentVolume",
	                                    "StatefulSet", "VolumeSnapshot", NULL};
	for (int i = 0; kind && kinds[i]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

/* The project of pv other than `self` that adds `object`, or NULL. */
static const char *taker(const tend_preview *pv, const tend_project_preview *self,
                         const char *object)
{
	for (size_t i = 0; i < pv->len; i++) {
		const tend_project_preview *q = &pv->projects[i];
		for (size_t k = 0; q != self && k < q->n_changes; k++)
			if (q->changes[k].change == TEND_ADDED &&
			    strcmp(q->changes[k].object, object) == 0)
				return q->name;
	}
	return NULL;
}

void tend_preview_deletions(tend_preview *pv)
{
	for (size_t i = 0; i < pv->len; i++) {
		tend_project_preview *p = &pv->projects[i];
		for (size_t k = 0; k < p->n_changes; k++) {
			const tend_object_change *ch = &p->changes[k];
			if (ch->change != TEND_REMOVED)
				continue;
			bool ns = ch->kind && strcmp(ch->kind, "Namespace") == 0;
			if (!ns && !data_bearing(ch->kind))
				continue;
			const char *to = taker(pv, p, ch->object);
			if (to)
				callout(p, TEND_CALLOUT_PRUNE,
				        "hands %s over to project %s in place: nothing is deleted",
				        ch->object, to);
			else if (ns)
				callout(p,
				        p->status == TEND_PROJECT_DELETED ? TEND_CALLOUT_DELETED
				                                          : TEND_CALLOUT_PRUNE,
				        "deletes Namespace %s and everything in it (tend keeps it, "
				        "and reports it, while it holds anything not in Git)",
				        ch->object + strlen("Namespace/"));
			else
				callout(p, TEND_CALLOUT_PRUNE, "prunes %s: its data goes with it",
				        ch->object);
		}
	}
}

void tend_preview_move(tend_preview *dst, tend_preview *src)
{
	dst->projects =
	    tend_xrealloc(dst->projects, (dst->len + src->len + 1) * sizeof(*dst->projects));
	memcpy(dst->projects + dst->len, src->projects, src->len * sizeof(*src->projects));
	dst->len += src->len;
	free(src->projects);
	memset(src, 0, sizeof(*src));
}

void tend_preview_free(tend_preview *pv)
{
	free(pv->guard_diff);
	pv->guard_diff = NULL;
	for (size_t i = 0; i < pv->len; i++) {
		tend_project_preview *p = &pv->projects[i];
		for (size_t c = 0; c < p->n_changes; c++) {
			free(p->changes[c].object);
			free(p->changes[c].kind);
			free(p->changes[c].diff);
		}
		free(p->changes);
		for (size_t c = 0; c < p->n_callouts; c++)
			free(p->callouts[c].text);
		free(p->callouts);
		tend_violations_free(&p->violations);
		free(p->name);
		free(p->dir);
	}
	free(pv->projects);
	memset(pv, 0, sizeof(*pv));
}
