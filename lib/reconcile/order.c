/*
 * order.c — the apply order. Namespaces first (everything namespaced needs
 * one), then CustomResourceDefinitions (custom resources need their type,
 * so the run waits for Established and refreshes discovery after them),
 * then other cluster-scoped kinds, then namespaced kinds — first what
 * workloads use (quotas and limits, which admission applies to new pods,
 * accounts, RBAC, config, services, claims, custom resources), then the
 * workloads — each keeping the order kustomize rendered them in, which is
 * also the order requests start. Prune deletes everything else before
 * Namespaces.
 */
#include "reconcile_internal.h"

#include <string.h>

int rc_phase(const char *group, const char *kind, bool namespaced)
{
	if (!*group && strcmp(kind, "Namespace") == 0)
		return RC_PHASE_NAMESPACE;
	if (strcmp(group, "apiextensions.k8s.io") == 0 &&
	    strcmp(kind, "CustomResourceDefinition") == 0)
		return RC_PHASE_CRD;
	if (!namespaced)
		return RC_PHASE_CLUSTER;
	static const char *const workloads[] = {
	    "Deployment", "StatefulSet",           "DaemonSet", "ReplicaSet", "Job", "CronJob",
	    "Pod",        "ReplicationController", NULL};
	bool core_or_apps_or_batch =
	    !*group || strcmp(group, "apps") == 0 || strcmp(group, "batch") == 0;
	for (int i = 0; core_or_apps_or_batch && workloads[i]; i++)
		if (strcmp(kind, workloads[i]) == 0)
			return RC_PHASE_WORKLOADS;
	return RC_PHASE_NAMESPACED;
}
