/*
 * preview_report.c — a preview as text for a terminal, as Markdown ready to
 * post as a pull-request comment (a summary table, the admin call-outs, then
 * one collapsible section per project), or as JSON for other tools.
 * Invariant: the call-outs come first and in tend_callout_kind order, in
 * every format.
 */
#include "review.h"

#include "../doc/doc.h"

#include <string.h>

static const char *const CALLOUT_ID[] = {"deleted", "new",   "quota",     "grant",
                                         "rbac",    "prune", "violation", "error"};
static const char *const CALLOUT_TITLE[] = {"deleted", "new project", "quota",     "grant",
                                            "RBAC",    "prune",       "violation", "render error"};
static const char *const STATUS[] = {"changed", "new", "deleted", "unchanged"};
static const char *const CHANGE[] = {"added", "removed", "changed"};
static const char CHANGE_MARK[] = {'+', '-', '~'};

typedef struct totals {
	size_t by_status[4], added, removed, changed, violations;
} totals;

static totals count(const tend_preview *pv)
{
	totals t = {0};
	for (size_t i = 0; i < pv->len; i++) {
		const tend_project_preview *p = &pv->projects[i];
		t.by_status[p->status]++;
		t.added += p->added;
		t.removed += p->removed;
		t.changed += p->changed;
		t.violations += tend_guard_errors(&p->violations);
	}
	return t;
}

/* Walks the call-outs of every project in tend_callout_kind order, then project order. */
typedef struct callout_iter {
	const tend_preview *pv;
	int kind;
	size_t project, index;
} callout_iter;

/* The next call-out, with its project's name in *project; NULL after the last. */
static const tend_callout *next_callout(callout_iter *it, const char **project)
{
	for (; it->kind < TEND_CALLOUT_KINDS; it->kind++, it->project = 0)
		for (; it->project < it->pv->len; it->project++, it->index = 0) {
			const tend_project_preview *p = &it->pv->projects[it->project];
			while (it->index < p->n_callouts) {
				const tend_callout *co = &p->callouts[it->index++];
				if ((int)co->kind == it->kind) {
					*project = p->name;
					return co;
				}
			}
		}
	return NULL;
}

/* The call-outs under `heading`, one item() each; nothing when there are none. */
static void list_callouts(const tend_preview *pv, const char *heading,
                          void (*item)(const tend_callout *co, const char *project, tend_buf *out),
                          tend_buf *out)
{
	callout_iter it = {pv, 0, 0, 0};
	const char *project;
	bool any = false;
	for (const tend_callout *co; (co = next_callout(&it, &project)); any = true) {
		if (!any)
			tend_buf_puts(out, heading);
		item(co, project, out);
	}
}

static void short_sha(const char *sha, tend_buf *out)
{
	tend_buf_printf(out, "%.12s", sha);
}

/* ---- text ---- */

static void indent(const char *s, const char *pad, tend_buf *out)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
		tend_buf_puts(out, pad);
		tend_buf_put(out, s, n);
		if (!nl)
			tend_buf_putc(out, '\n');
		s += n;
	}
}

static void text_callout(const tend_callout *co, const char *project, tend_buf *out)
{
	tend_buf_printf(out, "  %-12s %s: %s\n", CALLOUT_TITLE[co->kind], project, co->text);
}

static void text(const tend_preview *pv, tend_buf *out)
{
	totals t = count(pv);
	tend_buf_puts(out, "tend preview ");
	short_sha(pv->base, out);
	tend_buf_puts(out, "..");
	short_sha(pv->head, out);
	tend_buf_printf(out,
	                ": %zu project%s (%zu changed, %zu new, %zu deleted, %zu unchanged); "
	                "objects +%zu -%zu ~%zu; %zu violations\n",
	                pv->len, pv->len == 1 ? "" : "s", t.by_status[0], t.by_status[1],
	                t.by_status[2], t.by_status[3], t.added, t.removed, t.changed,
	                t.violations);
	if (pv->guard_diff) {
		tend_buf_puts(out, "\nAdmin attention: the guard (" TEND_GUARD_FILE
		                   ") changes; every project is judged by the new rules:\n");
		indent(pv->guard_diff, "    ", out);
	}
	list_callouts(pv, "\nAdmin attention:\n", text_callout, out);
	for (size_t i = 0; i < pv->len; i++) {
		const tend_project_preview *p = &pv->projects[i];
		tend_buf_printf(out, "\n%s (%s): %s, +%zu -%zu ~%zu\n", p->name, p->dir,
		                STATUS[p->status], p->added, p->removed, p->changed);
		for (size_t c = 0; c < p->n_changes; c++) {
			const tend_object_change *ch = &p->changes[c];
			tend_buf_printf(out, "  %c %s\n", CHANGE_MARK[ch->change], ch->object);
			indent(ch->diff, "    ", out);
		}
	}
}

/* ---- markdown ---- */

/* A code fence longer than any run of backticks in s. */
static void fence(const char *s, tend_buf *out)
{
	size_t longest = 0, run = 0;
	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i < (longest >= 3 ? longest + 1 : 3); i++)
		tend_buf_putc(out, '`');
}

/* Text inside a table cell or list item: no line breaks, no pipes, no HTML. */
static void md_inline(const char *s, tend_buf *out)
{
	for (; *s; s++) {
		if (*s == '|')
			tend_buf_puts(out, "\\|");
		else if (*s == '<')
			tend_buf_puts(out, "&lt;");
		else if (*s == '>')
			tend_buf_puts(out, "&gt;");
		else if (*s == '\n')
			tend_buf_putc(out, ' ');
		else
			tend_buf_putc(out, *s);
	}
}

static void markdown_callout(const tend_callout *co, const char *project, tend_buf *out)
{
	tend_buf_printf(out, "- **%s** `%s`: ", CALLOUT_TITLE[co->kind], project);
	md_inline(co->text, out);
	tend_buf_putc(out, '\n');
}

static void markdown(const tend_preview *pv, tend_buf *out)
{
	totals t = count(pv);
	tend_buf_puts(out, "### tend preview `");
	short_sha(pv->base, out);
	tend_buf_puts(out, "` → `");
	short_sha(pv->head, out);
	tend_buf_printf(out,
	                "`\n\n%zu project%s affected: %zu changed, %zu new, %zu deleted, %zu "
	                "unchanged. Objects: %zu added, %zu removed, %zu changed. "
	                "Guardrail violations: %zu.\n",
	                pv->len, pv->len == 1 ? "" : "s", t.by_status[0], t.by_status[1],
	                t.by_status[2], t.by_status[3], t.added, t.removed, t.changed,
	                t.violations);
	if (pv->guard_diff) {
		tend_buf_puts(out, "\n**Admin attention: the guard (`" TEND_GUARD_FILE
		                   "`) changes**; every project is judged by the new rules:\n\n");
		fence(pv->guard_diff, out);
		tend_buf_puts(out, "diff\n");
		tend_buf_puts(out, pv->guard_diff);
		fence(pv->guard_diff, out);
		tend_buf_putc(out, '\n');
	}
	list_callouts(pv, "\n**Admin attention**\n\n", markdown_callout, out);
	if (!pv->len)
		return;
	tend_buf_puts(out, "\n| project | status | added | removed | changed | violations |\n"
	                   "| --- | --- | ---: | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < pv->len; i++) {
		const tend_project_preview *p = &pv->projects[i];
		tend_buf_printf(out, "| `%s` | %s | %zu | %zu | %zu | %zu |\n", p->name,
		                STATUS[p->status], p->added, p->removed, p->changed,
		                tend_guard_errors(&p->violations));
	}
	for (size_t i = 0; i < pv->len; i++) {
		const tend_project_preview *p = &pv->projects[i];
		if (!p->n_changes)
			continue;
		tend_buf_printf(out,
		                "\n<details><summary><b>%s</b> (%s): %s, +%zu −%zu ~%zu"
		                "</summary>\n",
		                p->name, p->dir, STATUS[p->status], p->added, p->removed,
		                p->changed);
		for (size_t c = 0; c < p->n_changes; c++) {
			const tend_object_change *ch = &p->changes[c];
			tend_buf_printf(out, "\n`%s` %s\n\n", ch->object, CHANGE[ch->change]);
			fence(ch->diff, out);
			tend_buf_puts(out, "diff\n");
			tend_buf_puts(out, ch->diff);
			fence(ch->diff, out);
			tend_buf_putc(out, '\n');
		}
		tend_buf_puts(out, "\n</details>\n");
	}
}

/* ---- json ---- */

static void json(const tend_preview *pv, tend_buf *out)
{
	totals t = count(pv);
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "base", pv->base);
	cJSON_AddStringToObject(root, "head", pv->head);
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "projects", (double)pv->len);
	for (int s = 0; s < 4; s++)
		cJSON_AddNumberToObject(sum, STATUS[s], (double)t.by_status[s]);
	cJSON_AddNumberToObject(sum, "objectsAdded", (double)t.added);
	cJSON_AddNumberToObject(sum, "objectsRemoved", (double)t.removed);
	cJSON_AddNumberToObject(sum, "objectsChanged", (double)t.changed);
	cJSON_AddNumberToObject(sum, "violations", (double)t.violations);
	if (pv->guard_diff)
		cJSON_AddStringToObject(root, "guardDiff", pv->guard_diff);
	cJSON *callouts = cJSON_AddArrayToObject(root, "callouts");
	callout_iter it = {pv, 0, 0, 0};
	const char *project;
	for (const tend_callout *co; (co = next_callout(&it, &project));) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", CALLOUT_ID[co->kind]);
		cJSON_AddStringToObject(o, "project", project);
		cJSON_AddStringToObject(o, "text", co->text);
		cJSON_AddItemToArray(callouts, o);
	}
	cJSON *projects = cJSON_AddArrayToObject(root, "projects");
	for (size_t i = 0; i < pv->len; i++) {
		const tend_project_preview *p = &pv->projects[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", p->name);
		cJSON_AddStringToObject(o, "directory", p->dir);
		cJSON_AddStringToObject(o, "status", STATUS[p->status]);
		cJSON_AddNumberToObject(o, "added", (double)p->added);
		cJSON_AddNumberToObject(o, "removed", (double)p->removed);
		cJSON_AddNumberToObject(o, "changed", (double)p->changed);
		cJSON_AddNumberToObject(o, "violations", (double)tend_guard_errors(&p->violations));
		cJSON *objs = cJSON_AddArrayToObject(o, "objects");
		for (size_t c = 0; c < p->n_changes; c++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "object", p->changes[c].object);
			cJSON_AddStringToObject(x, "change", CHANGE[p->changes[c].change]);
			cJSON_AddStringToObject(x, "diff", p->changes[c].diff);
			cJSON_AddItemToArray(objs, x);
		}
		cJSON_AddItemToArray(projects, o);
	}
	tend_doc_emit_json(root, out);
	cJSON_Delete(root);
}

int tend_preview_format(const tend_preview *pv, const char *format, tend_buf *out)
{
	if (strcmp(format, "text") == 0)
		text(pv, out);
	else if (strcmp(format, "markdown") == 0)
		markdown(pv, out);
	else if (strcmp(format, "json") == 0)
		json(pv, out);
	else
		return tend_err("unknown format \"%s\" (text, markdown or json)", format);
	return 0;
}
