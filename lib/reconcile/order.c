/*
 * order.c — the apply order. Namespaces first (everything namespaced needs
 * one), then CustomResourceDefinitions (custom resources need their type,
 * so the run waits for Established and refreshes discovery after them),
 * then other cluster-scoped kinds, then namespaced kinds, which keep the
 * order kustomize rendered them in. Prune runs the other way round, with
 * Namespaces last.
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
	return namespaced ? RC_PHASE_NAMESPACED : RC_PHASE_CLUSTER;
}
