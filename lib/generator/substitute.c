/*
 * substitute.c — post-build substitution, as Flux's postBuild.substitute,
 * applied to string values of rendered objects (never keys, never numbers):
 *   ${var}            the variable's value; unknown variable: an error
 *   ${var:=default}   the value, or default when unset (also ${var:-default})
 *   $${var}           a literal ${var}
 * Anything else, including a bare $var, is left as written.
 */
#include "generator.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct vars {
	tend_strvec names, values;
} vars;

static const char *lookup(const vars *v, const char *name, size_t n)
{
	for (size_t i = 0; i < v->names.len; i++)
		if (strlen(v->names.items[i]) == n && memcmp(v->names.items[i], name, n) == 0)
			return v->values.items[i];
	return NULL;
}

/* Returns 1 when s changed (result in out), 0 when unchanged, -1 on error. */
static int expand(const vars *v, const char *s, tend_buf *out, const char *where)
{
	if (!strchr(s, '$'))
		return 0;
	tend_buf_reset(out);
	bool changed = false;
	for (const char *p = s; *p;) {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			tend_buf_puts(out, "${");
			p += 3;
			changed = true;
			continue;
		}
		if (!(p[0] == '$' && p[1] == '{')) {
			tend_buf_putc(out, *p++);
			continue;
		}
		const char *name = p + 2, *q = name;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		size_t n = (size_t)(q - name);
		const char *def = NULL, *end = NULL;
		if (n && *q == '}') {
			end = q;
		} else if (n && (strncmp(q, ":=", 2) == 0 || strncmp(q, ":-", 2) == 0)) {
			def = q + 2;
			end = strchr(def, '}');
		}
		if (!end) {
			tend_buf_putc(out, *p++);
			continue;
		}
		const char *val = lookup(v, name, n);
		if (val) {
			tend_buf_puts(out, val);
		} else if (def) {
			tend_buf_put(out, def, (size_t)(end - def));
		} else {
			return tend_err("%s: unknown variable ${%.*s} (define it in project.yaml "
					"parameters, or write ${%.*s:=default})",
					where, (int)n, name, (int)n, name);
		}
		changed = true;
		p = end + 1;
	}
	return changed ? 1 : 0;
}

static int walk(const vars *v, cJSON *node, tend_buf *path, tend_buf *tmp, const char *obj_id)
{
	size_t mark = path->len;
	if (cJSON_IsString(node)) {
		char *where = tend_xasprintf("%s: %s", obj_id, path->len ? path->data + 1 : "");
		int rc = expand(v, node->valuestring, tmp, where);
		free(where);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			/* keep the node (and its source position): swap its string */
			char *s = tend_xstrndup(tmp->data, tmp->len);
			free(node->valuestring);
			node->valuestring = s;
		}
		return 0;
	}
	int i = 0;
	for (cJSON *c = node->child; c; c = c->next, i++) {
		if (cJSON_IsObject(node))
			tend_buf_printf(path, ".%s", c->string);
		else
			tend_buf_printf(path, "[%d]", i);
		if (walk(v, c, path, tmp, obj_id))
			return -1;
		path->len = mark;
		path->data[mark] = '\0';
	}
	return 0;
}

int tend_generator_substitute(const tend_project *p, tend_resmap *m)
{
	vars v = {TEND_STRVEC_INIT, TEND_STRVEC_INIT};
	tend_project_variables(p, &v.names, &v.values);
	tend_buf path = TEND_BUF_INIT, tmp = TEND_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < m->len && !rc; i++) {
		char *id = tend_resource_id(m->items[i].obj);
		tend_buf_reset(&path);
		tend_buf_putc(&path, '\0');
		path.len = 0;
		rc = walk(&v, m->items[i].obj, &path, &tmp, id);
		if (rc)
			tend_err_prefix("%s:%d: ", m->items[i].file, m->items[i].line);
		free(id);
	}
	tend_buf_free(&path);
	tend_buf_free(&tmp);
	tend_strvec_free(&v.names);
	tend_strvec_free(&v.values);
	return rc;
}
