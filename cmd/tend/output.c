/*
 * output.c — kubectl's output conventions for every command: `-o FORMAT`
 * (with `--format` as its alias), json and yaml printed from one cJSON
 * document, and object names spelled as `kubectl get -o name` spells them.
 */
#include "cmd.h"

#include "../../lib/doc/doc.h"
#include "../../lib/util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cmd_structured(const char *format)
{
	return strcmp(format, "json") == 0 || strcmp(format, "yaml") == 0;
}

int cmd_print_doc(const cJSON *doc, const char *format)
{
	tend_buf out = TEND_BUF_INIT;
	int rc = 0;
	if (strcmp(format, "yaml") == 0)
		rc = tend_doc_emit_yaml(doc, &out);
	else
		tend_doc_emit_json(doc, &out);
	if (!rc)
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	tend_buf_free(&out);
	return rc;
}

int cmd_print_report(const cJSON *doc, const char *format)
{
	if (strcmp(format, "yaml") == 0)
		return cmd_print_doc(doc, "yaml");
	char *text = cJSON_Print(doc);
	puts(text);
	free(text);
	return 0;
}

int cmd_print_json_text(const char *json, const char *format)
{
	if (strcmp(format, "yaml") != 0) {
		fputs(json, stdout);
		return 0;
	}
	cJSON *doc = cJSON_Parse(json);
	if (!doc)
		return tend_err("internal error: the report is not JSON");
	int rc = cmd_print_doc(doc, "yaml");
	cJSON_Delete(doc);
	return rc;
}

char *cmd_object_name(const cJSON *obj)
{
	const char *av = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "apiVersion"));
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "kind"));
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name"));
	const char *slash = av ? strrchr(av, '/') : NULL;
	char *k = tend_xstrdup(kind ? kind : "");
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char *s = slash ? tend_xasprintf("%s.%.*s/%s", k, (int)(slash - av), av, name ? name : "")
	                : tend_xasprintf("%s/%s", k, name ? name : "");
	free(k);
	return s;
}

char *cmd_object_label(const char *project, const char *id)
{
	/* id is "group/Kind:namespace/name" (tracking ids); cluster-scoped has no namespace */
	const char *slash = strchr(id, '/'), *colon = slash ? strchr(slash, ':') : NULL;
	if (!slash || !colon)
		return tend_xasprintf("%s: %s", project, id);
	int glen = (int)(slash - id), klen = (int)(colon - slash - 1);
	const char *rest = colon + 1;
	if (*rest == '/')
		rest++;
	return glen ? tend_xasprintf("%s: %.*s.%.*s/%s", project, klen, slash + 1, glen, id, rest)
	            : tend_xasprintf("%s: %.*s/%s", project, klen, slash + 1, rest);
}
