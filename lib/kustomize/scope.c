/*
 * scope.c — which objects are cluster-scoped, and object accessors.
 *
 * kustomize decides scope from a table precomputed from its built-in
 * Kubernetes schema, keyed by exact apiVersion and kind; anything not in
 * the table (custom resources, newer API versions) counts as namespaced.
 * Only the cluster-scoped entries are kept here. A custom schema
 * (`openapi: path:`) decides the others: the build marks those objects
 * (kz_scope_mark, KZ_CLUSTER_BY_SCHEMA) and kz_obj_cluster_scoped reads it.
 */
#include "kustomize_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const CLUSTER_SCOPED[][2] = {
	{"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"},
	{"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"},
	{"admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"},
	{"admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"},
	{"apiextensions.k8s.io/v1", "CustomResourceDefinition"},
	{"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"},
	{"apiregistration.k8s.io/v1", "APIService"},
	{"apiregistration.k8s.io/v1beta1", "APIService"},
	{"certificates.k8s.io/v1", "CertificateSigningRequest"},
	{"certificates.k8s.io/v1beta1", "CertificateSigningRequest"},
	{"flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"},
	{"flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"},
	{"networking.k8s.io/v1", "IngressClass"},
	{"networking.k8s.io/v1beta1", "IngressClass"},
	{"node.k8s.io/v1", "RuntimeClass"},
	{"node.k8s.io/v1beta1", "RuntimeClass"},
	{"policy/v1beta1", "PodSecurityPolicy"},
	{"rbac.authorization.k8s.io/v1", "ClusterRole"},
	{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"},
	{"rbac.authorization.k8s.io/v1beta1", "ClusterRole"},
	{"rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"},
	{"scheduling.k8s.io/v1", "PriorityClass"},
	{"scheduling.k8s.io/v1beta1", "PriorityClass"},
	{"storage.k8s.io/v1", "CSIDriver"},
	{"storage.k8s.io/v1", "CSINode"},
	{"storage.k8s.io/v1", "StorageClass"},
	{"storage.k8s.io/v1", "VolumeAttachment"},
	{"storage.k8s.io/v1beta1", "CSIDriver"},
	{"storage.k8s.io/v1beta1", "CSINode"},
	{"storage.k8s.io/v1beta1", "StorageClass"},
	{"storage.k8s.io/v1beta1", "VolumeAttachment"},
	{"v1", "ComponentStatus"},
	{"v1", "Namespace"},
	{"v1", "Node"},
	{"v1", "NodeProxyOptions"},
	{"v1", "PersistentVolume"},
};

/* The namespaced entries of the same precomputed table: with the cluster-scoped
 * ones, the kinds whose scope kustomize knows without loading its schema. */
static const char *const NAMESPACED[][2] = {
	{"apps/v1", "ControllerRevision"},
	{"apps/v1", "DaemonSet"},
	{"apps/v1", "Deployment"},
	{"apps/v1", "ReplicaSet"},
	{"apps/v1", "StatefulSet"},
	{"autoscaling/v1", "HorizontalPodAutoscaler"},
	{"autoscaling/v1", "Scale"},
	{"autoscaling/v2beta1", "HorizontalPodAutoscaler"},
	{"autoscaling/v2beta2", "HorizontalPodAutoscaler"},
	{"batch/v1", "CronJob"},
	{"batch/v1", "Job"},
	{"batch/v1beta1", "CronJob"},
	{"coordination.k8s.io/v1", "Lease"},
	{"coordination.k8s.io/v1beta1", "Lease"},
	{"discovery.k8s.io/v1", "EndpointSlice"},
	{"discovery.k8s.io/v1beta1", "EndpointSlice"},
	{"events.k8s.io/v1", "Event"},
	{"events.k8s.io/v1beta1", "Event"},
	{"extensions/v1beta1", "Ingress"},
	{"networking.k8s.io/v1", "Ingress"},
	{"networking.k8s.io/v1", "NetworkPolicy"},
	{"networking.k8s.io/v1beta1", "Ingress"},
	{"policy/v1", "PodDisruptionBudget"},
	{"policy/v1beta1", "PodDisruptionBudget"},
	{"rbac.authorization.k8s.io/v1", "Role"},
	{"rbac.authorization.k8s.io/v1", "RoleBinding"},
	{"rbac.authorization.k8s.io/v1beta1", "Role"},
	{"rbac.authorization.k8s.io/v1beta1", "RoleBinding"},
	{"storage.k8s.io/v1beta1", "CSIStorageCapacity"},
	{"v1", "ConfigMap"},
	{"v1", "Endpoints"},
	{"v1", "Event"},
	{"v1", "LimitRange"},
	{"v1", "PersistentVolumeClaim"},
	{"v1", "Pod"},
	{"v1", "PodAttachOptions"},
	{"v1", "PodExecOptions"},
	{"v1", "PodPortForwardOptions"},
	{"v1", "PodProxyOptions"},
	{"v1", "PodTemplate"},
	{"v1", "ReplicationController"},
	{"v1", "ResourceQuota"},
	{"v1", "Secret"},
	{"v1", "Service"},
	{"v1", "ServiceAccount"},
	{"v1", "ServiceProxyOptions"},
};

bool kz_is_cluster_scoped(const char *api_version, const char *kind)
{
	for (size_t i = 0; i < sizeof(CLUSTER_SCOPED) / sizeof(CLUSTER_SCOPED[0]); i++)
		if (strcmp(CLUSTER_SCOPED[i][1], kind) == 0 &&
		    strcmp(CLUSTER_SCOPED[i][0], api_version) == 0)
			return true;
	return false;
}

bool kz_scope_precomputed(const char *api_version, const char *kind)
{
	if (kz_is_cluster_scoped(api_version, kind))
		return true;
	for (size_t i = 0; i < sizeof(NAMESPACED) / sizeof(NAMESPACED[0]); i++)
		if (strcmp(NAMESPACED[i][1], kind) == 0 &&
		    strcmp(NAMESPACED[i][0], api_version) == 0)
			return true;
	return false;
}

bool kz_obj_cluster_scoped(const cJSON *obj)
{
	if (obj && (obj->type & KZ_CLUSTER_BY_SCHEMA))
		return true;
	return kz_is_cluster_scoped(kz_str(obj, "apiVersion", NULL), kz_kind(obj));
}

const char *kz_effective_ns(const cJSON *obj)
{
	if (kz_obj_cluster_scoped(obj))
		return "~X";
	const char *ns = kz_namespace(obj);
	return *ns ? ns : "default";
}

const char *kz_str(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, a);
	if (b)
		n = cJSON_IsObject(n) ? cJSON_GetObjectItemCaseSensitive(n, b) : NULL;
	return cJSON_IsString(n) ? n->valuestring : "";
}

const char *kz_kind(const cJSON *obj)
{
	return kz_str(obj, "kind", NULL);
}

const char *kz_name(const cJSON *obj)
{
	return kz_str(obj, "metadata", "name");
}

const char *kz_namespace(const cJSON *obj)
{
	return kz_str(obj, "metadata", "namespace");
}

void kz_api_split(const char *api, char *group, size_t gsz, char *version, size_t vsz)
{
	const char *slash = strchr(api, '/');
	if (slash) {
		snprintf(group, gsz, "%.*s", (int)(slash - api), api);
		snprintf(version, vsz, "%s", slash + 1);
	} else {
		snprintf(group, gsz, "%s", "");
		snprintf(version, vsz, "%s", api);
	}
}

void kz_set_string(cJSON *node, const char *s)
{
	char *copy = tend_xstrdup(s);
	if (node->child) {
		cJSON_Delete(node->child);
		node->child = NULL;
	}
	free(node->valuestring);
	node->valuestring = copy;
	node->type = cJSON_String;
}

void kz_set_meta_string(cJSON *obj, const char *field, const char *value)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(meta)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		meta = cJSON_AddObjectToObject(obj, "metadata");
	}
	cJSON *f = cJSON_GetObjectItemCaseSensitive(meta, field);
	if (f)
		kz_set_string(f, value);
	else
		cJSON_AddStringToObject(meta, field, value);
}

void kz_set_value(cJSON *node, cJSON *with)
{
	cJSON_Delete(node->child);
	node->child = with->child;
	with->child = NULL;
	free(node->valuestring);
	node->valuestring = with->valuestring;
	with->valuestring = NULL;
	node->type = (with->type & ~cJSON_StringIsConst) | (node->type & cJSON_StringIsConst);
	node->valueint = with->valueint;
	node->valuedouble = with->valuedouble;
	cJSON_Delete(with);
}

void kz_scalar_text(const cJSON *node, tend_buf *out)
{
	if (cJSON_IsString(node))
		tend_buf_puts(out, node->valuestring);
	else if (cJSON_IsNumber(node))
		tend_doc_number_text(node, out);
	else if (cJSON_IsBool(node))
		tend_buf_puts(out, cJSON_IsTrue(node) ? "true" : "false");
	else if (cJSON_IsNull(node))
		tend_buf_puts(out, "null");
}
