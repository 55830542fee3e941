/*
 * kinds.c — the guard's allow-lists read as data: guard.tenantKinds split
 * into API group, kind and the RBAC resource name, and guard.reservedNamespaces
 * matched. One reading for the guard and for `tend rbac`, so the kinds tend
 * may write for tenants and the kinds tenants may author never disagree.
 * Invariant: a bare "Kind" is the core API group only; "group/" "*" is every
 * kind of that group.
 */
#include "guard.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *tend_kind_resource(const char *kind)
{
	if (strcmp(kind, "*") == 0)
		return tend_xstrdup("*");
	static const char *const irregular[][2] = {{"Endpoints", "endpoints"}, {NULL, NULL}};
	for (int i = 0; irregular[i][0]; i++)
		if (strcmp(kind, irregular[i][0]) == 0)
			return tend_xstrdup(irregular[i][1]);
	size_t n = strlen(kind);
	char *r = tend_xcalloc(n + 3, 1);
	for (size_t i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)kind[i]);
	if (n > 1 && r[n - 1] == 'y' && !strchr("aeiou", r[n - 2]))
		strcpy(r + n - 1, "ies");
	else if (n && (r[n - 1] == 's' || r[n - 1] == 'x'))
		strcpy(r + n, "es");
	else
		strcpy(r + n, "s");
	return r;
}

int tend_guard_tenant_kinds(const tend_guard_config *g, tend_kind_refs *out)
{
	memset(out, 0, sizeof(*out));
	out->items = tend_xcalloc(g->tenant_kinds.len + 1, sizeof(*out->items));
	for (size_t i = 0; i < g->tenant_kinds.len; i++) {
		const char *e = g->tenant_kinds.items[i], *slash = strchr(e, '/');
		if (slash == e || (slash && (!slash[1] || strchr(slash + 1, '/')))) {
			tend_kind_refs_free(out);
			return tend_err(
			    "guard.tenantKinds: \"%s\" is not Kind, group/Kind or group/*", e);
		}
		tend_kind_ref *r = &out->items[out->len++];
		r->group = slash ? tend_xstrndup(e, (size_t)(slash - e)) : tend_xstrdup("");
		r->kind = tend_xstrdup(slash ? slash + 1 : e);
		r->resource = tend_kind_resource(r->kind);
	}
	return 0;
}

void tend_kind_refs_free(tend_kind_refs *k)
{
	for (size_t i = 0; k->items && i < k->len; i++) {
		free(k->items[i].group);
		free(k->items[i].kind);
		free(k->items[i].resource);
	}
	free(k->items);
	memset(k, 0, sizeof(*k));
}

bool tend_guard_tenant_kind(const tend_guard_config *g, const char *api_version, const char *kind)
{
	const char *slash = api_version ? strchr(api_version, '/') : NULL;
	size_t glen = slash ? (size_t)(slash - api_version) : 0;
	for (size_t i = 0; i < g->tenant_kinds.len; i++) {
		const char *e = g->tenant_kinds.items[i], *k = strchr(e, '/');
		size_t elen = k ? (size_t)(k - e) : 0;
		const char *ekind = k ? k + 1 : e;
		if (elen != glen || (glen && strncmp(e, api_version, glen) != 0))
			continue;
		if (strcmp(ekind, kind) == 0 || (k && strcmp(ekind, "*") == 0))
			return true;
	}
	return false;
}

const char *tend_guard_namespace_reserved(const tend_guard_config *g, const char *ns)
{
	for (size_t i = 0; i < g->reserved_namespaces.len; i++) {
		const char *pat = g->reserved_namespaces.items[i];
		size_t n = strlen(pat);
		if (n && pat[n - 1] == '*' ? strncmp(pat, ns, n - 1) == 0 : strcmp(pat, ns) == 0)
			return pat;
	}
	return NULL;
}
