"""Field names of the most-used built-in structs (Kubernetes 1.32), used to
find unknown fields for fieldValidation (reference section 4.1): Strict
rejects them with 400, Warn answers with Warning headers, Ignore drops them.
Structs not listed here are not checked (see README, known differences).
"""

S = set
OBJECT_META = S('name generateName namespace selfLink uid resourceVersion generation creationTimestamp '
                'deletionTimestamp deletionGracePeriodSeconds labels annotations ownerReferences '
                'finalizers managedFields'.split())
CONTAINER = S('name image command args workingDir ports envFrom env resources resizePolicy restartPolicy '
              'volumeMounts volumeDevices livenessProbe readinessProbe startupProbe lifecycle '
              'terminationMessagePath terminationMessagePolicy imagePullPolicy securityContext stdin '
              'stdinOnce tty targetContainerName'.split())
CONTAINER_PORT = S('name hostPort containerPort protocol hostIP'.split())
POD_SPEC = S('volumes initContainers containers ephemeralContainers restartPolicy '
             'terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy nodeSelector serviceAccountName '
             'serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID hostIPC '
             'shareProcessNamespace securityContext imagePullSecrets hostname subdomain affinity '
             'schedulerName tolerations hostAliases priorityClassName priority dnsConfig readinessGates '
             'runtimeClassName enableServiceLinks preemptionPolicy overhead topologySpreadConstraints '
             'setHostnameAsFQDN os hostUsers schedulingGates resourceClaims resources'.split())
TEMPLATE = S(['metadata', 'spec'])
SERVICE_PORT = S('name protocol appProtocol port targetPort nodePort'.split())

# type name -> (fields, {field: child type name}, {list field: item type name})
TYPES = {
    'ObjectMeta': (OBJECT_META, {}, {}),
    'Container': (CONTAINER, {}, {'ports': 'ContainerPort'}),
    'ContainerPort': (CONTAINER_PORT, {}, {}),
    'PodSpec': (POD_SPEC, {}, {'containers': 'Container', 'initContainers': 'Container',
                              'ephemeralContainers': 'Container'}),
    'PodTemplateSpec': (TEMPLATE, {'metadata': 'ObjectMeta', 'spec': 'PodSpec'}, {}),
    'DeploymentSpec': (S('replicas selector template strategy minReadySeconds revisionHistoryLimit paused '
                         'progressDeadlineSeconds'.split()), {'template': 'PodTemplateSpec'}, {}),
    'StatefulSetSpec': (S('replicas selector template volumeClaimTemplates serviceName podManagementPolicy '
                          'updateStrategy revisionHistoryLimit minReadySeconds '
                          'persistentVolumeClaimRetentionPolicy ordinals'.split()),
                        {'template': 'PodTemplateSpec'}, {}),
    'DaemonSetSpec': (S('selector template updateStrategy minReadySeconds revisionHistoryLimit'.split()),
                      {'template': 'PodTemplateSpec'}, {}),
    'ReplicaSetSpec': (S('replicas minReadySeconds selector template'.split()), {'template': 'PodTemplateSpec'}, {}),
    'JobSpec': (S('parallelism completions activeDeadlineSeconds podFailurePolicy successPolicy backoffLimit '
                  'backoffLimitPerIndex maxFailedIndexes selector manualSelector template '
                  'ttlSecondsAfterFinished completionMode suspend podReplacementPolicy managedBy'.split()),
                {'template': 'PodTemplateSpec'}, {}),
    'JobTemplateSpec': (TEMPLATE, {'metadata': 'ObjectMeta', 'spec': 'JobSpec'}, {}),
    'CronJobSpec': (S('schedule timeZone startingDeadlineSeconds concurrencyPolicy suspend jobTemplate '
                      'successfulJobsHistoryLimit failedJobsHistoryLimit'.split()),
                    {'jobTemplate': 'JobTemplateSpec'}, {}),
    'ServiceSpec': (S('ports selector clusterIP clusterIPs type externalIPs sessionAffinity loadBalancerIP '
                      'loadBalancerSourceRanges externalName externalTrafficPolicy healthCheckNodePort '
                      'publishNotReadyAddresses sessionAffinityConfig ipFamilies ipFamilyPolicy '
                      'allocateLoadBalancerNodePorts loadBalancerClass internalTrafficPolicy '
                      'trafficDistribution'.split()), {}, {'ports': 'ServicePort'}),
    'ServicePort': (SERVICE_PORT, {}, {}),
}

_BASE = S(['apiVersion', 'kind', 'metadata'])
_SPEC = S(['spec', 'status'])
# kind -> (top-level fields, spec type name or None)
KINDS = {
    'ConfigMap': (S(['data', 'binaryData', 'immutable']), None),
    'Secret': (S(['data', 'stringData', 'type', 'immutable']), None),
    'ServiceAccount': (S(['secrets', 'imagePullSecrets', 'automountServiceAccountToken']), None),
    'Namespace': (_SPEC, None),
    'Pod': (_SPEC, 'PodSpec'),
    'Deployment': (_SPEC, 'DeploymentSpec'),
    'StatefulSet': (_SPEC, 'StatefulSetSpec'),
    'DaemonSet': (_SPEC, 'DaemonSetSpec'),
    'ReplicaSet': (_SPEC, 'ReplicaSetSpec'),
    'Job': (_SPEC, 'JobSpec'),
    'CronJob': (_SPEC, 'CronJobSpec'),
    'Service': (_SPEC, 'ServiceSpec'),
    'Role': (S(['rules']), None),
    'ClusterRole': (S(['rules', 'aggregationRule']), None),
    'RoleBinding': (S(['subjects', 'roleRef']), None),
    'ClusterRoleBinding': (S(['subjects', 'roleRef']), None),
    'PriorityClass': (S(['value', 'globalDefault', 'description', 'preemptionPolicy']), None),
    'Lease': (S(['spec']), None),
    'ResourceQuota': (_SPEC, None),
    'LimitRange': (S(['spec']), None),
    'PersistentVolumeClaim': (_SPEC, None),
    'NetworkPolicy': (_SPEC, None),
    'PodDisruptionBudget': (_SPEC, None),
    'CustomResourceDefinition': (_SPEC, None),
}


def _walk(obj, typ, path, out, prune):
    fields, children, items = TYPES[typ]
    for k in list(obj):
        p = '%s.%s' % (path, k) if path else k
        if k not in fields:
            out.append(p)
            if prune:
                del obj[k]
            continue
        v = obj[k]
        if k in children and isinstance(v, dict):
            _walk(v, children[k], p, out, prune)
        elif k in items and isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, dict):
                    _walk(x, items[k], '%s[%d]' % (p, i), out, prune)


def unknown_fields(kind, obj, prune=True):
    """Paths of unknown fields (e.g. spec.template.spec.containers[0].imagee);
    they are removed from obj when prune is true."""
    out = []
    if kind not in KINDS or not isinstance(obj, dict):
        return out
    top, spec = KINDS[kind]
    for k in list(obj):
        if k not in _BASE and k not in top:
            out.append(k)
            if prune:
                del obj[k]
    if isinstance(obj.get('metadata'), dict):
        _walk(obj['metadata'], 'ObjectMeta', 'metadata', out, prune)
    if spec and isinstance(obj.get('spec'), dict):
        _walk(obj['spec'], spec, 'spec', out, prune)
    return out
