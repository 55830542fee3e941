/*
 * scope.c — which kinds are cluster-scoped: Kubernetes 1.32 built-ins and
 * the Kueue and Kyverno kinds the platform bundle uses. Anything else is
 * namespaced (as kustomize assumes too). tests/unit/test_guard.c checks the
 * third-party rows against the real CRDs in ../shared/crds when present.
 */
#include "guard.h"

#include <string.h>

static const char *const CLUSTER_SCOPED[] = {
	/* group/Kind; "" group is core */
	"/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
	"rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
	"apiextensions.k8s.io/CustomResourceDefinition", "apiregistration.k8s.io/APIService",
	"admissionregistration.k8s.io/MutatingWebhookConfiguration",
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration",
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy",
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
	"admissionregistration.k8s.io/MutatingAdmissionPolicy",
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
	"scheduling.k8s.io/PriorityClass", "storage.k8s.io/StorageClass",
	"storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode", "storage.k8s.io/VolumeAttachment",
	"node.k8s.io/RuntimeClass", "networking.k8s.io/IngressClass",
	"networking.k8s.io/IPAddress", "networking.k8s.io/ServiceCIDR",
	"certificates.k8s.io/CertificateSigningRequest",
	"flowcontrol.apiserver.k8s.io/FlowSchema",
	"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
	"kueue.x-k8s.io/ClusterQueue", "kueue.x-k8s.io/ResourceFlavor", "kueue.x-k8s.io/Cohort",
	"kueue.x-k8s.io/WorkloadPriorityClass", "kueue.x-k8s.io/AdmissionCheck",
	"kueue.x-k8s.io/MultiKueueCluster", "kueue.x-k8s.io/MultiKueueConfig",
	"kueue.x-k8s.io/ProvisioningRequestConfig", "kueue.x-k8s.io/Topology",
	"kyverno.io/ClusterPolicy", "kyverno.io/ClusterCleanupPolicy",
	"kyverno.io/GlobalContextEntry", "policies.kyverno.io/ValidatingPolicy",
	"policies.kyverno.io/MutatingPolicy", "policies.kyverno.io/GeneratingPolicy",
	"policies.kyverno.io/DeletingPolicy", "policies.kyverno.io/ImageValidatingPolicy", NULL};

bool tend_guard_cluster_scoped(const char *api_version, const char *kind)
{
	const char *slash = api_version ? strchr(api_version, '/') : NULL;
	size_t glen = slash ? (size_t)(slash - api_version) : 0;
	for (int i = 0; CLUSTER_SCOPED[i]; i++) {
		const char *e = CLUSTER_SCOPED[i], *k = strchr(e, '/');
		if ((size_t)(k - e) == glen && strncmp(e, api_version, glen) == 0 &&
		    strcmp(k + 1, kind) == 0)
			return true;
	}
	return false;
}
