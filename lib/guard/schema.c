/*
 * schema.c — the API server's validation of the kinds a tenant project is
 * made of, checked before merge: object names and namespaces, labels,
 * quantities in ResourceQuotas, LimitRanges and container resources, the
 * shape of RoleBindings, containers' name and image, and extended resources
 * (GPUs) whose request and limit differ.
 *
 * Not the OpenAPI schema: a hand-written subset, the mistakes a pull
 * request actually makes ("4 GB", a Group subject without a name), each
 * with the rule the API server applies. Unknown kinds are left alone.
 */
#include "guard_internal.h"

#include "../doc/doc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct schema {
	const tend_project *p;
	const char *root;
	const tend_resource *r;
	tend_violations *out;
} schema;

static void bad(const schema *s, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad(const schema *s, const char *fix, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	guard_object_violation(s->p, s->root, s->r, "schema", false, fix, msg, s->out);
}

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63. */
static bool dns_label(const char *v, size_t n)
{
	if (n == 0 || n > 63 || v[0] == '-' || v[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)v[i]) || isdigit((unsigned char)v[i]) || v[i] == '-'))
			return false;
	return true;
}

/* RFC 1123 subdomain: labels joined by '.', at most 253. */
static bool dns_subdomain(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 253)
		return false;
	for (const char *p = v;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (!dns_label(p, len))
			return false;
		if (!dot)
			return true;
		p = dot + 1;
	}
}

/* A label value or name part: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends. */
static bool label_part(const char *v, size_t n, bool may_be_empty)
{
	if (n == 0)
		return may_be_empty;
	if (n > 63 || !isalnum((unsigned char)v[0]) || !isalnum((unsigned char)v[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)v[i]) || strchr("-_.", v[i])))
			return false;
	return true;
}

static bool label_key(const char *k)
{
	const char *slash = strchr(k, '/');
	if (!slash)
		return label_part(k, strlen(k), false);
	char prefix[254];
	size_t n = (size_t)(slash - k);
	if (n == 0 || n >= sizeof(prefix))
		return false;
	memcpy(prefix, k, n);
	prefix[n] = '\0';
	return dns_subdomain(prefix) && label_part(slash + 1, strlen(slash + 1), false);
}

static bool is_rbac(const char *kind)
{
	return !strcmp(kind, "Role") || !strcmp(kind, "ClusterRole") ||
	       !strcmp(kind, "RoleBinding") || !strcmp(kind, "ClusterRoleBinding");
}

static void check_metadata(const schema *s, const char *kind)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(s->r->obj, "metadata");
	const char *name = guard_str(md, "name", NULL), *ns = guard_str(md, "namespace", NULL);
	if (!*name) {
		bad(s, "give the object a metadata.name", "metadata.name is missing");
	} else if (!strcmp(kind, "Namespace") ? !dns_label(name, strlen(name))
	           : is_rbac(kind) ? strchr(name, '/') || strchr(name, '%') || !strcmp(name, ".") ||
	                                 !strcmp(name, "..")
	                           : !dns_subdomain(name)) {
		bad(s, "use lower-case letters, digits, '-' (and '.' between parts)",
		    "metadata.name \"%s\" is not a valid %s name", name, kind);
	}
	if (*ns && !dns_label(ns, strlen(ns)))
		bad(s, "use a namespace name of lower-case letters, digits and '-'",
		    "metadata.namespace \"%s\" is not a valid namespace name", ns);
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(md, "labels");
	for (const cJSON *kv = labels ? labels->child : NULL; kv; kv = kv->next) {
		if (!label_key(kv->string))
			bad(s,
			    "label keys are [prefix/]name: a DNS prefix, a name of at most 63 "
			    "letters, digits, '-', '_' or '.'",
			    "metadata.labels: \"%s\" is not a valid label key", kv->string);
		else if (!cJSON_IsString(kv) ||
		         !label_part(kv->valuestring, strlen(kv->valuestring), true))
			bad(s,
			    "label values are at most 63 letters, digits, '-', '_' or '.', "
			    "starting and ending alphanumeric (quote numbers and booleans)",
			    "metadata.labels.%s: not a valid label value", kv->string);
	}
}

/* Every value of a map must be a quantity. */
static void check_quantities(const schema *s, const cJSON *map, const char *path)
{
	for (const cJSON *kv = map ? map->child : NULL; kv; kv = kv->next) {
		tend_buf v = TEND_BUF_INIT;
		if (cJSON_IsString(kv))
			tend_buf_puts(&v, kv->valuestring);
		else if (cJSON_IsNumber(kv))
			tend_doc_number_text(kv, &v);
		long double x;
		if (!v.data || tend_quantity_value(v.data, &x) != 0)
			bad(s, "write a Kubernetes quantity such as 4, 500m, 16Gi or 1Ti",
			    "%s.%s: \"%s\" is not a quantity", path, kv->string,
			    v.data ? v.data : "");
		tend_buf_free(&v);
	}
}

static bool extended_resource(const char *name)
{
	/* anything with a domain outside kubernetes.io: nvidia.com/gpu and friends */
	const char *slash = strchr(name, '/');
	return slash && !strstr(name, "kubernetes.io/") && strncmp(name, "requests.", 9) != 0;
}

static void check_containers(const schema *s, const cJSON *pod, const char *path)
{
	static const char *const lists[] = {"initContainers", "containers", NULL};
	for (int l = 0; lists[l]; l++) {
		int i = 0;
		const cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(pod, lists[l]))
		{
			char *where = tend_xasprintf("%s.%s[%d]", path, lists[l], i++);
			if (!*guard_str(c, "name", NULL))
				bad(s, "give every container a name", "%s.name is missing", where);
			if (!*guard_str(c, "image", NULL))
				bad(s, "name the container's image", "%s.image is missing", where);
			const cJSON *res = cJSON_GetObjectItemCaseSensitive(c, "resources");
			const cJSON *req = cJSON_GetObjectItemCaseSensitive(res, "requests");
			const cJSON *lim = cJSON_GetObjectItemCaseSensitive(res, "limits");
			char *p = tend_xasprintf("%s.resources.requests", where);
			check_quantities(s, req, p);
			free(p);
			p = tend_xasprintf("%s.resources.limits", where);
			check_quantities(s, lim, p);
			free(p);
			for (const cJSON *kv = req ? req->child : NULL; kv; kv = kv->next) {
				const cJSON *l2 = cJSON_GetObjectItemCaseSensitive(lim, kv->string);
				int cmp = 0;
				if (!extended_resource(kv->string) || !cJSON_IsString(kv))
					continue;
				if (!l2 || !cJSON_IsString(l2) ||
				    (tend_quantity_cmp(kv->valuestring, l2->valuestring, &cmp) ==
				         0 &&
				     cmp != 0))
					bad(s,
					    "set resources.limits to the same value (extended "
					    "resources "
					    "such as GPUs cannot be overcommitted)",
					    "%s.resources: the request for %s must equal its limit",
					    where, kv->string);
			}
			free(where);
		}
	}
}

/* The pod spec of workload kinds, and its path. */
static const cJSON *pod_spec(const cJSON *o, const char *kind, const char **path)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "spec");
	if (!strcmp(kind, "Pod")) {
		*path = "spec";
		return spec;
	}
	if (!strcmp(kind, "CronJob")) {
		*path = "spec.jobTemplate.spec.template.spec";
		spec = cJSON_GetObjectItemCaseSensitive(spec, "jobTemplate");
		spec = cJSON_GetObjectItemCaseSensitive(spec, "spec");
	} else if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") ||
	           !strcmp(kind, "DaemonSet") || !strcmp(kind, "ReplicaSet") ||
	           !strcmp(kind, "Job")) {
		*path = "spec.template.spec";
	} else {
		return NULL;
	}
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "template"),
	                                        "spec");
}

static void check_binding(const schema *s, const char *kind)
{
	const cJSON *o = s->r->obj;
	const char *group = guard_str(o, "roleRef", "apiGroup");
	const char *rk = guard_str(o, "roleRef", "kind");
	if (strcmp(group, "rbac.authorization.k8s.io") != 0)
		bad(s, "set roleRef.apiGroup: rbac.authorization.k8s.io",
		    "roleRef.apiGroup must be rbac.authorization.k8s.io, not \"%s\"", group);
	if (strcmp(rk, "ClusterRole") != 0 &&
	    (strcmp(rk, "Role") != 0 || strcmp(kind, "RoleBinding")))
		bad(s, "set roleRef.kind to ClusterRole (or Role, in a RoleBinding)",
		    "roleRef.kind \"%s\" is not a role kind a %s can name", rk, kind);
	if (!*guard_str(o, "roleRef", "name"))
		bad(s, "name the role in roleRef.name", "roleRef.name is missing");
	int i = 0;
	const cJSON *sub;
	cJSON_ArrayForEach(sub, cJSON_GetObjectItemCaseSensitive(o, "subjects"))
	{
		const char *sk = guard_str(sub, "kind", NULL);
		if (strcmp(sk, "User") && strcmp(sk, "Group") && strcmp(sk, "ServiceAccount"))
			bad(s, "subjects are User, Group or ServiceAccount",
			    "subjects[%d].kind \"%s\" is not User, Group or ServiceAccount", i, sk);
		if (!*guard_str(sub, "name", NULL))
			bad(s, "name every subject", "subjects[%d].name is missing", i);
		i++;
	}
}

static void check_limit_range(const schema *s)
{
	static const char *const maps[] = {"default", "defaultRequest",       "max",
	                                   "min",     "maxLimitRequestRatio", NULL};
	int i = 0;
	const cJSON *l;
	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(
	                          cJSON_GetObjectItemCaseSensitive(s->r->obj, "spec"), "limits"))
	{
		const char *type = guard_str(l, "type", NULL);
		if (strcmp(type, "Container") && strcmp(type, "Pod") &&
		    strcmp(type, "PersistentVolumeClaim"))
			bad(s, "use type Container, Pod or PersistentVolumeClaim",
			    "spec.limits[%d].type \"%s\" is not a limit type", i, type);
		for (int m = 0; maps[m]; m++) {
			char *path = tend_xasprintf("spec.limits[%d].%s", i, maps[m]);
			check_quantities(s, cJSON_GetObjectItemCaseSensitive(l, maps[m]), path);
			free(path);
		}
		i++;
	}
}

void tend_guard_schema(const tend_project *p, const char *root, const tend_resmap *objects,
                       tend_violations *out)
{
	for (size_t i = 0; objects && i < objects->len; i++) {
		schema s = {p, root, &objects->items[i], out};
		const cJSON *o = s.r->obj;
		const char *kind = guard_str(o, "kind", NULL);
		check_metadata(&s, kind);
		if (!strcmp(kind, "ResourceQuota"))
			check_quantities(&s,
			                 cJSON_GetObjectItemCaseSensitive(
			                     cJSON_GetObjectItemCaseSensitive(o, "spec"), "hard"),
			                 "spec.hard");
		else if (!strcmp(kind, "LimitRange"))
			check_limit_range(&s);
		else if (!strcmp(kind, "RoleBinding") || !strcmp(kind, "ClusterRoleBinding"))
			check_binding(&s, kind);
		const char *path;
		const cJSON *pod = pod_spec(o, kind, &path);
		if (pod)
			check_containers(&s, pod, path);
	}
}
