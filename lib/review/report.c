/*
 * report.c — guardrail violations as CI wants them: text for people, GitHub
 * Actions workflow commands (`::error file=...,line=...::`) that annotate
 * the pull request's lines, or JSON. Every line names project, object,
 * file:line, rule, message and the fix.
 */
#include "review.h"

#include "../doc/doc.h"

#include <stdlib.h>
#include <string.h>

/* Workflow command escaping: data escapes % CR LF; properties also : and ,. */
static void gh_escape(const char *s, bool property, tend_buf *out)
{
	for (; *s; s++) {
		if (*s == '%')
			tend_buf_puts(out, "%25");
		else if (*s == '\r')
			tend_buf_puts(out, "%0D");
		else if (*s == '\n')
			tend_buf_puts(out, "%0A");
		else if (property && *s == ':')
			tend_buf_puts(out, "%3A");
		else if (property && *s == ',')
			tend_buf_puts(out, "%2C");
		else
			tend_buf_putc(out, *s);
	}
}

static void github(const tend_violation *v, const char *prefix, tend_buf *out)
{
	tend_buf_printf(out, "::%s ", v->warning ? "warning" : "error");
	if (v->file[0]) {
		char *joined = prefix && *prefix ? tend_xasprintf("%s/%s", prefix, v->file)
		                                 : tend_xstrdup(v->file);
		char *path = tend_path_clean(joined);
		tend_buf_puts(out, "file=");
		gh_escape(path, true, out);
		free(joined);
		free(path);
		if (v->line)
			tend_buf_printf(out, ",line=%d", v->line);
		tend_buf_putc(out, ',');
	}
	tend_buf_puts(out, "title=");
	char *title = tend_xasprintf("tend %s: %s", v->rule, v->project);
	gh_escape(title, true, out);
	free(title);
	tend_buf_puts(out, "::");
	char *msg = tend_xasprintf("%s%s%s\nFix: %s", v->object, *v->object ? ": " : "", v->message,
	                           v->fix);
	gh_escape(msg, false, out);
	free(msg);
	tend_buf_putc(out, '\n');
}

/* "file:line: error: project Kind/ns/name: message [rule]" and the fix below it */
static void text(const tend_violation *v, tend_buf *out)
{
	if (v->file[0] && v->line)
		tend_buf_printf(out, "%s:%d: ", v->file, v->line);
	else if (v->file[0])
		tend_buf_printf(out, "%s: ", v->file);
	tend_buf_printf(out, "%s: %s%s%s: %s [%s]\n  fix: %s\n", v->warning ? "warning" : "error",
	                v->project, *v->object ? " " : "", v->object, v->message, v->rule, v->fix);
}

int tend_violations_format(const tend_violations *v, size_t checked, const char *format,
                           const char *path_prefix, tend_buf *out)
{
	size_t errors = tend_guard_errors(v), warnings = v->len - errors;
	if (strcmp(format, "json") == 0) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddNumberToObject(root, "projects", (double)checked);
		cJSON_AddNumberToObject(root, "errors", (double)errors);
		cJSON_AddNumberToObject(root, "warnings", (double)warnings);
		cJSON *list = cJSON_AddArrayToObject(root, "violations");
		for (size_t i = 0; i < v->len; i++) {
			const tend_violation *x = &v->items[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "severity", x->warning ? "warning" : "error");
			cJSON_AddStringToObject(o, "project", x->project);
			cJSON_AddStringToObject(o, "object", x->object);
			cJSON_AddStringToObject(o, "file", x->file);
			cJSON_AddNumberToObject(o, "line", x->line);
			cJSON_AddStringToObject(o, "rule", x->rule);
			cJSON_AddStringToObject(o, "message", x->message);
			cJSON_AddStringToObject(o, "fix", x->fix);
			cJSON_AddItemToArray(list, o);
		}
		tend_doc_emit_json(root, out);
		cJSON_Delete(root);
		return 0;
	}
	bool gh = strcmp(format, "github") == 0;
	if (!gh && strcmp(format, "text") != 0)
		return tend_err("unknown format \"%s\" (text, github or json)", format);
	for (size_t i = 0; i < v->len; i++) {
		if (gh)
			github(&v->items[i], path_prefix, out);
		else
			text(&v->items[i], out);
	}
	if (checked)
		tend_buf_printf(out, "%zu project%s checked: %zu error%s, %zu warning%s\n", checked,
		                checked == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
		                warnings == 1 ? "" : "s");
	return 0;
}
