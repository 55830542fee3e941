/*
 * tconfig.c — the transformer configuration: which fields each builtin
 * transformer touches (kustomize's builtinpluginconsts), extended by a
 * kustomization's `configurations:` files.
 *
 * The defaults are kept as C tables, not YAML parsed per build, because
 * re-parsing them per kustomization was a third of kustomize's CPU time
 * on large trees (kustomize issue 5082). The name-reference table keeps
 * kustomize's quirks, e.g. IngressClass's group written as
 * "networking.k8s.io/v1", which never matches, so ingressClassName is
 * never rewritten. The tables are kustomize v5.5's: HTTPRoute backendRefs,
 * added to kustomize later, are not followed.
 */
#include "kustomize_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct spec_row {
	const char *group, *version, *kind, *path;
	bool create;
} spec_row;

static const spec_row METADATA_LABELS[] = {
	{NULL, NULL, NULL, "metadata/labels", true},
	{NULL, "v1", "ReplicationController", "spec/template/metadata/labels", true},
	{NULL, NULL, "Deployment", "spec/template/metadata/labels", true},
	{NULL, NULL, "ReplicaSet", "spec/template/metadata/labels", true},
	{NULL, NULL, "DaemonSet", "spec/template/metadata/labels", true},
	{"apps", NULL, "StatefulSet", "spec/template/metadata/labels", true},
	{"apps", NULL, "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true},
	{"batch", NULL, "Job", "spec/template/metadata/labels", true},
	{"batch", NULL, "CronJob", "spec/jobTemplate/metadata/labels", true},
	{"batch", NULL, "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true},
	{NULL, NULL, NULL, NULL, false}};

#define AFF "spec/template/spec/affinity/"
static const spec_row COMMON_LABELS[] = {
	{NULL, "v1", "Service", "spec/selector", true},
	{NULL, "v1", "ReplicationController", "spec/selector", true},
	{NULL, NULL, "Deployment", "spec/selector/matchLabels", true},
	{"apps", NULL, "Deployment",
	 AFF "podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/"
	     "labelSelector/matchLabels",
	 false},
	{"apps", NULL, "Deployment",
	 AFF "podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
	 false},
	{"apps", NULL, "Deployment",
	 AFF "podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/"
	     "labelSelector/matchLabels",
	 false},
	{"apps", NULL, "Deployment",
	 AFF "podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/"
	     "matchLabels",
	 false},
	{"apps", NULL, "Deployment", "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
	 false},
	{NULL, NULL, "ReplicaSet", "spec/selector/matchLabels", true},
	{NULL, NULL, "DaemonSet", "spec/selector/matchLabels", true},
	{"apps", NULL, "StatefulSet", "spec/selector/matchLabels", true},
	{"apps", NULL, "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true},
	{"apps", NULL, "StatefulSet",
	 AFF "podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/"
	     "labelSelector/matchLabels",
	 false},
	{"apps", NULL, "StatefulSet",
	 AFF "podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
	 false},
	{"apps", NULL, "StatefulSet",
	 AFF "podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/"
	     "labelSelector/matchLabels",
	 false},
	{"apps", NULL, "StatefulSet",
	 AFF "podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/"
	     "matchLabels",
	 false},
	{"apps", NULL, "StatefulSet",
	 "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", false},
	{"batch", NULL, "Job", "spec/selector/matchLabels", false},
	{"batch", NULL, "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false},
	{"policy", NULL, "PodDisruptionBudget", "spec/selector/matchLabels", false},
	{"networking.k8s.io", NULL, "NetworkPolicy", "spec/podSelector/matchLabels", false},
	{"networking.k8s.io", NULL, "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels",
	 false},
	{"networking.k8s.io", NULL, "NetworkPolicy", "spec/egress/to/podSelector/matchLabels",
	 false},
	{NULL, NULL, NULL, NULL, false}};

static const spec_row COMMON_ANNOTATIONS[] = {
	{NULL, NULL, NULL, "metadata/annotations", true},
	{NULL, "v1", "ReplicationController", "spec/template/metadata/annotations", true},
	{NULL, NULL, "Deployment", "spec/template/metadata/annotations", true},
	{NULL, NULL, "ReplicaSet", "spec/template/metadata/annotations", true},
	{NULL, NULL, "DaemonSet", "spec/template/metadata/annotations", true},
	{NULL, NULL, "StatefulSet", "spec/template/metadata/annotations", true},
	{"batch", NULL, "Job", "spec/template/metadata/annotations", true},
	{"batch", NULL, "CronJob", "spec/jobTemplate/metadata/annotations", true},
	{"batch", NULL, "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true},
	{NULL, NULL, NULL, NULL, false}};

static const spec_row NAMESPACE[] = {
	{NULL, NULL, NULL, "metadata/namespace", true},
	{NULL, NULL, "Namespace", "metadata/name", true},
	{NULL, NULL, "RoleBinding", "subjects[]/namespace", false},
	{NULL, NULL, "ClusterRoleBinding", "subjects[]/namespace", false},
	{"apiregistration.k8s.io", NULL, "APIService", "spec/service/namespace", true},
	{"apiextensions.k8s.io", NULL, "CustomResourceDefinition",
	 "spec/conversion/webhook/clientConfig/service/namespace", false},
	{NULL, NULL, NULL, NULL, false}};

static const spec_row IMAGES[] = {
	{NULL, NULL, NULL, "spec/containers[]/image", true},
	{NULL, NULL, NULL, "spec/initContainers[]/image", true},
	{NULL, NULL, NULL, "spec/template/spec/containers[]/image", true},
	{NULL, NULL, NULL, "spec/template/spec/initContainers[]/image", true},
	{NULL, NULL, NULL, NULL, false}};

static const spec_row REPLICAS[] = {
	{NULL, NULL, "Deployment", "spec/replicas", true},
	{NULL, NULL, "StatefulSet", "spec/replicas", true},
	{NULL, NULL, "ReplicaSet", "spec/replicas", true},
	{NULL, NULL, "ReplicationController", "spec/replicas", true},
	{NULL, NULL, NULL, NULL, false}};

static const spec_row NAME[] = {{NULL, NULL, NULL, "metadata/name", false},
				{NULL, NULL, NULL, NULL, false}};

static const spec_row VAR_REFERENCE[] = {
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/containers/args", false},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/containers/command", false},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/containers/env/value", false},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/containers/volumeMounts/mountPath", false},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/args", false},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/command", false},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/env/value", false},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/initContainers/volumeMounts/mountPath", false},
	/* kustomize's row, one `spec` short of a pod template's volumes */
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/containers/args", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/containers/command", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/containers/env/value", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/containers/volumeMounts/mountPath", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/initContainers/args", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/initContainers/command", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/initContainers/env/value", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/initContainers/volumeMounts/mountPath", false},
	{NULL, NULL, "DaemonSet", "spec/template/spec/volumes/nfs/server", false},
	{NULL, NULL, "Deployment", "spec/template/spec/containers/args", false},
	{NULL, NULL, "Deployment", "spec/template/spec/containers/command", false},
	{NULL, NULL, "Deployment", "spec/template/spec/containers/env/value", false},
	{NULL, NULL, "Deployment", "spec/template/spec/containers/volumeMounts/mountPath", false},
	{NULL, NULL, "Deployment", "spec/template/spec/initContainers/args", false},
	{NULL, NULL, "Deployment", "spec/template/spec/initContainers/command", false},
	{NULL, NULL, "Deployment", "spec/template/spec/initContainers/env/value", false},
	{NULL, NULL, "Deployment", "spec/template/spec/initContainers/volumeMounts/mountPath", false},
	{NULL, NULL, "Deployment", "spec/template/spec/volumes/nfs/server", false},
	{NULL, NULL, "Deployment", "spec/template/metadata/annotations", false},
	{NULL, NULL, "Ingress", "spec/rules/host", false},
	{NULL, NULL, "Ingress", "spec/tls/hosts", false},
	{NULL, NULL, "Ingress", "spec/tls/secretName", false},
	{NULL, NULL, "Job", "spec/template/spec/containers/args", false},
	{NULL, NULL, "Job", "spec/template/spec/containers/command", false},
	{NULL, NULL, "Job", "spec/template/spec/containers/env/value", false},
	{NULL, NULL, "Job", "spec/template/spec/containers/volumeMounts/mountPath", false},
	{NULL, NULL, "Job", "spec/template/spec/initContainers/args", false},
	{NULL, NULL, "Job", "spec/template/spec/initContainers/command", false},
	{NULL, NULL, "Job", "spec/template/spec/initContainers/env/value", false},
	{NULL, NULL, "Job", "spec/template/spec/initContainers/volumeMounts/mountPath", false},
	{NULL, NULL, "Job", "spec/template/spec/volumes/nfs/server", false},
	{NULL, NULL, "Pod", "spec/containers/args", false},
	{NULL, NULL, "Pod", "spec/containers/command", false},
	{NULL, NULL, "Pod", "spec/containers/env/value", false},
	{NULL, NULL, "Pod", "spec/containers/volumeMounts/mountPath", false},
	{NULL, NULL, "Pod", "spec/initContainers/args", false},
	{NULL, NULL, "Pod", "spec/initContainers/command", false},
	{NULL, NULL, "Pod", "spec/initContainers/env/value", false},
	{NULL, NULL, "Pod", "spec/initContainers/volumeMounts/mountPath", false},
	{NULL, NULL, "Pod", "spec/volumes/nfs/server", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/containers/args", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/containers/command", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/containers/env/value", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/containers/volumeMounts/mountPath", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/initContainers/args", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/initContainers/command", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/initContainers/env/value", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/initContainers/volumeMounts/mountPath", false},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/volumes/nfs/server", false},
	{NULL, NULL, "Service", "spec/ports/port", false},
	{NULL, NULL, "Service", "spec/ports/targetPort", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/containers/args", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/containers/command", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/containers/env/value", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/containers/volumeMounts/mountPath", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/initContainers/args", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/initContainers/command", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/initContainers/env/value", false},
	{NULL, NULL, "StatefulSet", "spec/template/spec/initContainers/volumeMounts/mountPath", false},
	{NULL, NULL, "StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server", false},
	{NULL, NULL, "PersistentVolume", "spec/nfs/server", false},
	{NULL, NULL, NULL, "metadata/labels", false},
	{NULL, NULL, NULL, "metadata/annotations", false},
	{NULL, NULL, NULL, NULL, false}};

/* Pod-spec locations per workload kind, for the ConfigMap/Secret references. */
typedef struct pod_kind {
	const char *group, *version, *kind, *prefix;
} pod_kind;

static const pod_kind POD_KINDS[] = {
	{NULL, "v1", "Pod", "spec/"},
	{NULL, NULL, "PodTemplate", "template/spec/"},
	{NULL, NULL, "Deployment", "spec/template/spec/"},
	{NULL, NULL, "ReplicaSet", "spec/template/spec/"},
	{NULL, NULL, "DaemonSet", "spec/template/spec/"},
	{NULL, NULL, "StatefulSet", "spec/template/spec/"},
	{NULL, NULL, "Job", "spec/template/spec/"},
	{NULL, NULL, "CronJob", "spec/jobTemplate/spec/template/spec/"},
	{NULL, NULL, NULL, NULL}};

static const char *const CONFIGMAP_POD_PATHS[] = {
	"volumes/configMap/name",	"containers/env/valueFrom/configMapKeyRef/name",
	"initContainers/env/valueFrom/configMapKeyRef/name", "containers/envFrom/configMapRef/name",
	"initContainers/envFrom/configMapRef/name", "volumes/projected/sources/configMap/name",
	NULL};

static const char *const SECRET_POD_PATHS[] = {
	"volumes/secret/secretName",
	"containers/env/valueFrom/secretKeyRef/name",
	"initContainers/env/valueFrom/secretKeyRef/name",
	"containers/envFrom/secretRef/name",
	"initContainers/envFrom/secretRef/name",
	"imagePullSecrets/name",
	"volumes/projected/sources/secret/name",
	NULL};

/* Referrers of the remaining targets: {target group, version, kind} then rows. */
typedef struct ref_row {
	const char *tg, *tv, *tk;
	const char *group, *version, *kind, *path;
} ref_row;

static const ref_row REFERENCES[] = {
	{NULL, NULL, "Deployment", NULL, NULL, "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"},
	{NULL, NULL, "ReplicationController", NULL, NULL, "HorizontalPodAutoscaler",
	 "spec/scaleTargetRef/name"},
	{NULL, NULL, "ReplicaSet", NULL, NULL, "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"},
	{NULL, NULL, "StatefulSet", NULL, NULL, "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"},
	{NULL, "v1", "ConfigMap", NULL, NULL, "Node", "spec/configSource/configMap"},
	{NULL, "v1", "ConfigMap", NULL, NULL, "Role", "rules/resourceNames"},
	{NULL, "v1", "ConfigMap", NULL, NULL, "ClusterRole", "rules/resourceNames"},
	{NULL, "v1", "ConfigMap", NULL, NULL, "Ingress",
	 "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap"},
	{NULL, "v1", "Secret", NULL, NULL, "Ingress", "spec/tls/secretName"},
	{NULL, "v1", "Secret", NULL, NULL, "Ingress",
	 "metadata/annotations/ingress.kubernetes.io\\/auth-secret"},
	{NULL, "v1", "Secret", NULL, NULL, "Ingress",
	 "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"},
	{NULL, "v1", "Secret", NULL, NULL, "Ingress",
	 "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret"},
	/* kustomize lists it twice: it is rewritten twice, the second time
	 * by the name the first wrote */
	{NULL, "v1", "Secret", NULL, NULL, "Ingress", "spec/tls/secretName"},
	{NULL, "v1", "Secret", NULL, NULL, "ServiceAccount", "imagePullSecrets/name"},
	{NULL, "v1", "Secret", NULL, NULL, "StorageClass", "parameters/secretName"},
	{NULL, "v1", "Secret", NULL, NULL, "StorageClass", "parameters/adminSecretName"},
	{NULL, "v1", "Secret", NULL, NULL, "StorageClass", "parameters/userSecretName"},
	{NULL, "v1", "Secret", NULL, NULL, "StorageClass", "parameters/secretRef"},
	{NULL, "v1", "Secret", NULL, NULL, "Role", "rules/resourceNames"},
	{NULL, "v1", "Secret", NULL, NULL, "ClusterRole", "rules/resourceNames"},
	{NULL, "v1", "Secret", "serving.knative.dev", "v1", "Service",
	 "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"},
	{NULL, "v1", "Secret", NULL, NULL, "PersistentVolume", "spec/azureFile/secretName"},
	{NULL, "v1", "Service", "apps", NULL, "StatefulSet", "spec/serviceName"},
	{NULL, "v1", "Service", NULL, NULL, "Ingress", "spec/rules/http/paths/backend/serviceName"},
	{NULL, "v1", "Service", NULL, NULL, "Ingress", "spec/backend/serviceName"},
	{NULL, "v1", "Service", NULL, NULL, "Ingress", "spec/rules/http/paths/backend/service/name"},
	{NULL, "v1", "Service", NULL, NULL, "Ingress", "spec/defaultBackend/service/name"},
	{NULL, "v1", "Service", "apiregistration.k8s.io", NULL, "APIService", "spec/service/name"},
	{NULL, "v1", "Service", "admissionregistration.k8s.io", NULL,
	 "ValidatingWebhookConfiguration", "webhooks/clientConfig/service"},
	{NULL, "v1", "Service", "admissionregistration.k8s.io", NULL,
	 "MutatingWebhookConfiguration", "webhooks/clientConfig/service"},
	{"rbac.authorization.k8s.io", NULL, "Role", "rbac.authorization.k8s.io", NULL, "RoleBinding",
	 "roleRef/name"},
	{"rbac.authorization.k8s.io", NULL, "ClusterRole", "rbac.authorization.k8s.io", NULL,
	 "RoleBinding", "roleRef/name"},
	{"rbac.authorization.k8s.io", NULL, "ClusterRole", "rbac.authorization.k8s.io", NULL,
	 "ClusterRoleBinding", "roleRef/name"},
	{NULL, "v1", "ServiceAccount", "rbac.authorization.k8s.io", NULL, "RoleBinding", "subjects"},
	{NULL, "v1", "ServiceAccount", "rbac.authorization.k8s.io", NULL, "ClusterRoleBinding",
	 "subjects"},
	{NULL, "v1", "ServiceAccount", NULL, NULL, "Pod", "spec/serviceAccountName"},
	{NULL, "v1", "ServiceAccount", NULL, NULL, "StatefulSet",
	 "spec/template/spec/serviceAccountName"},
	{NULL, "v1", "ServiceAccount", NULL, NULL, "Deployment", "spec/template/spec/serviceAccountName"},
	{NULL, "v1", "ServiceAccount", NULL, NULL, "ReplicationController",
	 "spec/template/spec/serviceAccountName"},
	{NULL, "v1", "ServiceAccount", NULL, NULL, "CronJob",
	 "spec/jobTemplate/spec/template/spec/serviceAccountName"},
	{NULL, "v1", "ServiceAccount", NULL, NULL, "Job", "spec/template/spec/serviceAccountName"},
	{NULL, "v1", "ServiceAccount", NULL, NULL, "DaemonSet", "spec/template/spec/serviceAccountName"},
	{NULL, "v1", "PersistentVolumeClaim", NULL, NULL, "Pod",
	 "spec/volumes/persistentVolumeClaim/claimName"},
	{NULL, "v1", "PersistentVolumeClaim", NULL, NULL, "StatefulSet",
	 "spec/template/spec/volumes/persistentVolumeClaim/claimName"},
	{NULL, "v1", "PersistentVolumeClaim", NULL, NULL, "Deployment",
	 "spec/template/spec/volumes/persistentVolumeClaim/claimName"},
	{NULL, "v1", "PersistentVolumeClaim", NULL, NULL, "ReplicationController",
	 "spec/template/spec/volumes/persistentVolumeClaim/claimName"},
	{NULL, "v1", "PersistentVolumeClaim", NULL, NULL, "CronJob",
	 "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName"},
	{NULL, "v1", "PersistentVolumeClaim", NULL, NULL, "Job",
	 "spec/template/spec/volumes/persistentVolumeClaim/claimName"},
	{NULL, "v1", "PersistentVolumeClaim", NULL, NULL, "DaemonSet",
	 "spec/template/spec/volumes/persistentVolumeClaim/claimName"},
	{NULL, "v1", "PersistentVolume", NULL, NULL, "PersistentVolumeClaim", "spec/volumeName"},
	{NULL, "v1", "PersistentVolume", NULL, NULL, "ClusterRole", "rules/resourceNames"},
	{"storage.k8s.io", "v1", "StorageClass", NULL, NULL, "PersistentVolume",
	 "spec/storageClassName"},
	{"storage.k8s.io", "v1", "StorageClass", NULL, NULL, "PersistentVolumeClaim",
	 "spec/storageClassName"},
	{"storage.k8s.io", "v1", "StorageClass", NULL, NULL, "StatefulSet",
	 "spec/volumeClaimTemplates/spec/storageClassName"},
	{"scheduling.k8s.io", "v1", "PriorityClass", NULL, NULL, "Pod", "spec/priorityClassName"},
	{"scheduling.k8s.io", "v1", "PriorityClass", NULL, NULL, "StatefulSet",
	 "spec/template/spec/priorityClassName"},
	{"scheduling.k8s.io", "v1", "PriorityClass", NULL, NULL, "Deployment",
	 "spec/template/spec/priorityClassName"},
	{"scheduling.k8s.io", "v1", "PriorityClass", NULL, NULL, "ReplicationController",
	 "spec/template/spec/priorityClassName"},
	{"scheduling.k8s.io", "v1", "PriorityClass", NULL, NULL, "CronJob",
	 "spec/jobTemplate/spec/template/spec/priorityClassName"},
	{"scheduling.k8s.io", "v1", "PriorityClass", NULL, NULL, "Job",
	 "spec/template/spec/priorityClassName"},
	{"scheduling.k8s.io", "v1", "PriorityClass", NULL, NULL, "DaemonSet",
	 "spec/template/spec/priorityClassName"},
	{"networking.k8s.io/v1", "v1", "IngressClass", NULL, NULL, "Ingress", "spec/ingressClassName"},
	{"admissionregistration.k8s.io", NULL, "ValidatingAdmissionPolicy",
	 "admissionregistration.k8s.io", NULL, "ValidatingAdmissionPolicyBinding", "spec/policyName"},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL}};

static void add_rows(kz_fslist *l, const spec_row *rows)
{
	for (; rows->path; rows++)
		kz_fslist_add(l, rows->group, rows->version, rows->kind, rows->path, rows->create);
}

static kz_nameref *nameref_for(kz_tconfig *tc, const char *g, const char *v, const char *k)
{
	for (size_t i = 0; i < tc->nnameref; i++) {
		kz_nameref *n = &tc->nameref[i];
		if (strcmp(n->group ? n->group : "", g ? g : "") == 0 &&
		    strcmp(n->version ? n->version : "", v ? v : "") == 0 &&
		    strcmp(n->kind ? n->kind : "", k ? k : "") == 0)
			return n;
	}
	if (tc->nnameref == tc->capnameref) {
		tc->capnameref = tc->capnameref ? tc->capnameref * 2 : 16;
		tc->nameref = tend_xrealloc(tc->nameref, tc->capnameref * sizeof(*tc->nameref));
	}
	kz_nameref *n = &tc->nameref[tc->nnameref++];
	memset(n, 0, sizeof(*n));
	n->group = g && *g ? tend_xstrdup(g) : NULL;
	n->version = v && *v ? tend_xstrdup(v) : NULL;
	n->kind = k && *k ? tend_xstrdup(k) : NULL;
	return n;
}

static void add_pod_refs(kz_tconfig *tc, const char *kind, const char *const *paths)
{
	kz_nameref *n = nameref_for(tc, NULL, "v1", kind);
	for (const pod_kind *pk = POD_KINDS; pk->kind; pk++)
		for (const char *const *p = paths; *p; p++) {
			char *path = tend_xasprintf("%s%s", pk->prefix, *p);
			kz_fslist_push(&n->referrers, pk->group, pk->version, pk->kind, path, false);
			free(path);
		}
}

static int cmp_namerefs(const void *pa, const void *pb)
{
	const kz_nameref *a = pa, *b = pb;
	return kz_gvk_cmp(a->group, a->version, a->kind, b->group, b->version, b->kind);
}

/* kustomize sorts its name-reference targets by gvk (kind rank first), and
 * fixes references target by target in that order: when one field is a
 * referrer of several targets, a later target sees the name an earlier one
 * wrote. Targets are unique by gvk, so the order is total. */
static void sort_namerefs(kz_tconfig *tc)
{
	if (tc->nnameref > 1)
		qsort(tc->nameref, tc->nnameref, sizeof(*tc->nameref), cmp_namerefs);
}

/* kustomize's default configuration is decoded as written, so a referrer
 * listed twice stays twice (nothing merges it). */
void kz_tconfig_init_default(kz_tconfig *tc)
{
	memset(tc, 0, sizeof(*tc));
	add_rows(&tc->prefix, NAME);
	add_rows(&tc->suffix, NAME);
	add_rows(&tc->common_labels, COMMON_LABELS);
	add_rows(&tc->common_labels, METADATA_LABELS);
	add_rows(&tc->template_labels, METADATA_LABELS);
	add_rows(&tc->common_annotations, COMMON_ANNOTATIONS);
	add_rows(&tc->namespace, NAMESPACE);
	add_rows(&tc->var_reference, VAR_REFERENCE);
	add_rows(&tc->images, IMAGES);
	add_rows(&tc->replicas, REPLICAS);
	add_pod_refs(tc, "ConfigMap", CONFIGMAP_POD_PATHS);
	add_pod_refs(tc, "Secret", SECRET_POD_PATHS);
	for (const ref_row *r = REFERENCES; r->path; r++) {
		kz_nameref *n = nameref_for(tc, r->tg, r->tv, r->tk);
		kz_fslist_push(&n->referrers, r->group, r->version, r->kind, r->path, false);
	}
	sort_namerefs(tc);
}

static void borrow_list(kz_fslist *to, const kz_fslist *from)
{
	to->len = to->cap = from->len;
	to->items = tend_xmalloc((from->len ? from->len : 1) * sizeof(*to->items));
	memcpy(to->items, from->items, from->len * sizeof(*to->items));
	for (size_t i = 0; i < to->len; i++)
		to->items[i].borrowed = true;
}

void kz_tconfig_borrow(kz_tconfig *to, const kz_tconfig *defaults)
{
	memset(to, 0, sizeof(*to));
	static const size_t lists[] = {
		offsetof(kz_tconfig, prefix),		  offsetof(kz_tconfig, suffix),
		offsetof(kz_tconfig, common_labels),	  offsetof(kz_tconfig, template_labels),
		offsetof(kz_tconfig, common_annotations), offsetof(kz_tconfig, namespace),
		offsetof(kz_tconfig, var_reference),	  offsetof(kz_tconfig, images),
		offsetof(kz_tconfig, replicas)};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		borrow_list((kz_fslist *)((char *)to + lists[i]),
			    (const kz_fslist *)((const char *)defaults + lists[i]));
	to->nnameref = to->capnameref = defaults->nnameref;
	to->nameref = tend_xcalloc(to->nnameref ? to->nnameref : 1, sizeof(*to->nameref));
	for (size_t i = 0; i < to->nnameref; i++) {
		const kz_nameref *d = &defaults->nameref[i];
		to->nameref[i] = (kz_nameref){d->group, d->version, d->kind, {0}, true};
		borrow_list(&to->nameref[i].referrers, &d->referrers);
	}
}

void kz_tconfig_free(kz_tconfig *tc)
{
	kz_fslist_free(&tc->prefix);
	kz_fslist_free(&tc->suffix);
	kz_fslist_free(&tc->common_labels);
	kz_fslist_free(&tc->template_labels);
	kz_fslist_free(&tc->common_annotations);
	kz_fslist_free(&tc->namespace);
	kz_fslist_free(&tc->var_reference);
	kz_fslist_free(&tc->images);
	kz_fslist_free(&tc->replicas);
	for (size_t i = 0; i < tc->nnameref; i++) {
		if (!tc->nameref[i].borrowed) {
			free(tc->nameref[i].group);
			free(tc->nameref[i].version);
			free(tc->nameref[i].kind);
		}
		kz_fslist_free(&tc->nameref[i].referrers);
	}
	free(tc->nameref);
	memset(tc, 0, sizeof(*tc));
}

void kz_tconfig_sort(kz_tconfig *tc)
{
	kz_fslist *lists[] = {&tc->prefix,
	                      &tc->suffix,
	                      &tc->common_labels,
	                      &tc->template_labels,
	                      &tc->common_annotations,
	                      &tc->namespace,
	                      &tc->var_reference,
	                      &tc->images,
	                      &tc->replicas};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		kz_fslist_sort(lists[i]);
	sort_namerefs(tc);
}

int kz_tconfig_merge(kz_tconfig *to, const kz_tconfig *from)
{
	if (kz_fslist_merge(&to->prefix, &from->prefix) ||
	    kz_fslist_merge(&to->suffix, &from->suffix) ||
	    kz_fslist_merge(&to->common_labels, &from->common_labels) ||
	    kz_fslist_merge(&to->template_labels, &from->template_labels) ||
	    kz_fslist_merge(&to->common_annotations, &from->common_annotations) ||
	    kz_fslist_merge(&to->namespace, &from->namespace) ||
	    kz_fslist_merge(&to->var_reference, &from->var_reference) ||
	    kz_fslist_merge(&to->images, &from->images) ||
	    kz_fslist_merge(&to->replicas, &from->replicas))
		return -1;
	/* as kustomize's nbrSlice.mergeOne: the referrers of a target both
	 * configurations have are merged; a target new to `to` is taken whole,
	 * its referrers as they are */
	for (size_t i = 0; i < from->nnameref; i++) {
		const kz_nameref *f = &from->nameref[i];
		size_t before = to->nnameref;
		kz_nameref *n = nameref_for(to, f->group, f->version, f->kind);
		if (to->nnameref > before) {
			for (size_t j = 0; j < f->referrers.len; j++) {
				const kz_fs *fs = &f->referrers.items[j];
				kz_fslist_push(&n->referrers, fs->group, fs->version, fs->kind,
				               fs->path, fs->create);
			}
		} else if (kz_fslist_merge(&n->referrers, &f->referrers)) {
			return -1;
		}
	}
	kz_tconfig_sort(to);
	return 0;
}

static const char *opt_str(const cJSON *o, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(n) ? n->valuestring : NULL;
}

static int fslist_load(kz_fslist *l, const cJSON *list, const char *file, const char *field,
		       bool raw)
{
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return tend_err("%s:%d: %s must be a list of field specs", file, tend_doc_line(list),
				field);
	const cJSON *fs;
	cJSON_ArrayForEach(fs, list)
	{
		const char *path = opt_str(fs, "path");
		if (!cJSON_IsObject(fs) || !path)
			return tend_err("%s:%d: %s: a field spec needs a path", file,
					tend_doc_line(fs), field);
		const cJSON *create = cJSON_GetObjectItemCaseSensitive(fs, "create");
		if (raw)
			kz_fslist_push(l, opt_str(fs, "group"), opt_str(fs, "version"),
				       opt_str(fs, "kind"), path, cJSON_IsTrue(create));
		else if (kz_fslist_add(l, opt_str(fs, "group"), opt_str(fs, "version"),
				  opt_str(fs, "kind"), path, cJSON_IsTrue(create)))
			return tend_err_prefix("%s:%d: ", file, tend_doc_line(fs));
	}
	return 0;
}

int kz_fslist_load(kz_fslist *l, const cJSON *list, const char *file, const char *field)
{
	return fslist_load(l, list, file, field, false);
}

int kz_fslist_load_raw(kz_fslist *l, const cJSON *list, const char *file, const char *field)
{
	return fslist_load(l, list, file, field, true);
}

int kz_tconfig_load(kz_tconfig *tc, const cJSON *doc, const char *file)
{
	if (!cJSON_IsObject(doc))
		return tend_err("%s: a transformer configuration must be a mapping", file);
	static const struct {
		const char *key;
		size_t off;
	} lists[] = {
		{"namePrefix", offsetof(kz_tconfig, prefix)},
		{"nameSuffix", offsetof(kz_tconfig, suffix)},
		{"commonLabels", offsetof(kz_tconfig, common_labels)},
		{"templateLabels", offsetof(kz_tconfig, template_labels)},
		{"commonAnnotations", offsetof(kz_tconfig, common_annotations)},
		{"namespace", offsetof(kz_tconfig, namespace)},
		{"varReference", offsetof(kz_tconfig, var_reference)},
		{"images", offsetof(kz_tconfig, images)},
		{"replicas", offsetof(kz_tconfig, replicas)},
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		kz_fslist *l = (kz_fslist *)((char *)tc + lists[i].off);
		if (kz_fslist_load(l, cJSON_GetObjectItemCaseSensitive(doc, lists[i].key), file,
				lists[i].key))
			return -1;
	}
	const cJSON *refs = cJSON_GetObjectItemCaseSensitive(doc, "nameReference");
	if (refs && !cJSON_IsNull(refs)) {
		if (!cJSON_IsArray(refs))
			return tend_err("%s:%d: nameReference must be a list", file,
					tend_doc_line(refs));
		const cJSON *r;
		cJSON_ArrayForEach(r, refs)
		{
			if (!cJSON_IsObject(r))
				return tend_err("%s:%d: nameReference entries must be mappings", file,
						tend_doc_line(r));
			size_t before = tc->nnameref;
			kz_nameref *n = nameref_for(tc, opt_str(r, "group"), opt_str(r, "version"),
						    opt_str(r, "kind"));
			/* a target's first entry is decoded as written, a repeated
			 * target merged into it (kustomize's mergeOne) */
			const cJSON *specs = cJSON_GetObjectItemCaseSensitive(r, "fieldSpecs");
			if (tc->nnameref > before
				? kz_fslist_load_raw(&n->referrers, specs, file,
						     "nameReference.fieldSpecs")
				: kz_fslist_load(&n->referrers, specs, file,
						 "nameReference.fieldSpecs"))
				return -1;
		}
	}
	return 0;
}
