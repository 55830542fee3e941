"""Server-side normalisation of built-in objects: Quantity canonical form,
the defaults the 1.32 API server adds, Secret stringData folding and the
omission of empty values (reference sections 5.1 and 5.2).

These are the changes that make a live object differ from what Git holds,
so they follow the reference closely; anything not listed there is left as
the client sent it.
"""
import base64

import quantity

POD_TEMPLATE_KINDS = ('Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job')


class DecodeError(Exception):
    """The body cannot be decoded as the kind (HTTP 400)."""


def pod_specs(kind, obj):
    """The pod specs inside an object, with a flag telling a Pod from a template."""
    spec = obj.get('spec')
    if not isinstance(spec, dict):
        return []
    if kind == 'Pod':
        return [(spec, True)]
    if kind in POD_TEMPLATE_KINDS:
        t = (spec.get('template') or {}).get('spec')
        return [(t, False)] if isinstance(t, dict) else []
    if kind == 'CronJob':
        t = (((spec.get('jobTemplate') or {}).get('spec') or {}).get('template') or {}).get('spec')
        return [(t, False)] if isinstance(t, dict) else []
    return []


def pod_templates(kind, obj):
    spec = obj.get('spec')
    if not isinstance(spec, dict):
        return []
    if kind in POD_TEMPLATE_KINDS and isinstance(spec.get('template'), dict):
        return [spec['template']]
    if kind == 'CronJob':
        t = ((spec.get('jobTemplate') or {}).get('spec') or {}).get('template')
        return [t] if isinstance(t, dict) else []
    return []


def _q(v, round_milli):
    try:
        return quantity.round_up_milli(v) if round_milli else quantity.normalize(v)
    except quantity.QuantityError as e:
        raise DecodeError(str(e))


def _resource_list(d, round_milli=True):
    if isinstance(d, dict):
        for k in list(d):
            d[k] = _q(d[k], round_milli)


def _containers(spec):
    for f in ('containers', 'initContainers', 'ephemeralContainers'):
        for c in spec.get(f) or []:
            if isinstance(c, dict):
                yield c


def _default_probe(p):
    if not isinstance(p, dict):
        return
    p.setdefault('timeoutSeconds', 1)
    p.setdefault('periodSeconds', 10)
    p.setdefault('successThreshold', 1)
    p.setdefault('failureThreshold', 3)
    hg = p.get('httpGet')
    if isinstance(hg, dict):
        hg.setdefault('path', '/')
        hg.setdefault('scheme', 'HTTP')


def _pull_policy(image):
    if '@' in image:
        return 'IfNotPresent'
    last = image.rsplit('/', 1)[-1]
    if ':' not in last or last.rsplit(':', 1)[1] == 'latest':
        return 'Always'
    return 'IfNotPresent'


def _pod_spec(spec, is_pod):
    spec.setdefault('restartPolicy', 'Always')
    spec.setdefault('terminationGracePeriodSeconds', 30)
    spec.setdefault('dnsPolicy', 'ClusterFirst')
    spec.setdefault('securityContext', {})
    spec.setdefault('schedulerName', 'default-scheduler')
    if is_pod:
        spec.setdefault('enableServiceLinks', True)
    for c in _containers(spec):
        if 'image' in c and isinstance(c['image'], str):
            c.setdefault('imagePullPolicy', _pull_policy(c['image']))
        c.setdefault('terminationMessagePath', '/dev/termination-log')
        c.setdefault('terminationMessagePolicy', 'File')
        c.setdefault('resources', {})
        for p in c.get('ports') or []:
            if isinstance(p, dict):
                p.setdefault('protocol', 'TCP')
        for probe in ('livenessProbe', 'readinessProbe', 'startupProbe'):
            _default_probe(c.get(probe))
        for e in c.get('env') or []:
            fr = ((e or {}).get('valueFrom') or {}).get('fieldRef')
            if isinstance(fr, dict):
                fr.setdefault('apiVersion', 'v1')
        res = c.get('resources')
        if isinstance(res, dict):
            _resource_list(res.get('limits'))
            _resource_list(res.get('requests'))
            if is_pod and isinstance(res.get('limits'), dict):
                req = res.setdefault('requests', {})
                for k, v in res['limits'].items():
                    req.setdefault(k, v)
    if isinstance(spec.get('overhead'), dict):
        _resource_list(spec['overhead'])
    for v in spec.get('volumes') or []:
        if not isinstance(v, dict):
            continue
        for src in ('secret', 'configMap', 'downwardAPI', 'projected'):
            if isinstance(v.get(src), dict):
                v[src].setdefault('defaultMode', 420)
        if isinstance(v.get('projected'), dict):
            for s in v['projected'].get('sources') or []:
                sat = (s or {}).get('serviceAccountToken')
                if isinstance(sat, dict):
                    sat.setdefault('expirationSeconds', 3600)
        if isinstance(v.get('hostPath'), dict):
            v['hostPath'].setdefault('type', '')
        ed = v.get('emptyDir')
        if isinstance(ed, dict) and 'sizeLimit' in ed:
            ed['sizeLimit'] = _q(ed['sizeLimit'], False)


def _deployment(spec):
    spec.setdefault('replicas', 1)
    st = spec.setdefault('strategy', {})
    st.setdefault('type', 'RollingUpdate')
    if st['type'] == 'RollingUpdate':
        ru = st.setdefault('rollingUpdate', {})
        ru.setdefault('maxUnavailable', '25%')
        ru.setdefault('maxSurge', '25%')
    spec.setdefault('revisionHistoryLimit', 10)
    spec.setdefault('progressDeadlineSeconds', 600)


def _statefulset(spec):
    spec.setdefault('replicas', 1)
    spec.setdefault('podManagementPolicy', 'OrderedReady')
    us = spec.setdefault('updateStrategy', {})
    us.setdefault('type', 'RollingUpdate')
    if us['type'] == 'RollingUpdate':
        us.setdefault('rollingUpdate', {}).setdefault('partition', 0)
    spec.setdefault('revisionHistoryLimit', 10)
    pr = spec.setdefault('persistentVolumeClaimRetentionPolicy', {})
    pr.setdefault('whenDeleted', 'Retain')
    pr.setdefault('whenScaled', 'Retain')
    for t in spec.get('volumeClaimTemplates') or []:
        if isinstance(t, dict):
            _pvc(t)


def _daemonset(spec):
    us = spec.setdefault('updateStrategy', {})
    us.setdefault('type', 'RollingUpdate')
    if us['type'] == 'RollingUpdate':
        ru = us.setdefault('rollingUpdate', {})
        ru.setdefault('maxUnavailable', 1)
        ru.setdefault('maxSurge', 0)
    spec.setdefault('revisionHistoryLimit', 10)


def _job(obj, spec, uid):
    if 'completions' not in spec and 'parallelism' not in spec:
        spec['completions'] = 1
        spec['parallelism'] = 1
    spec.setdefault('parallelism', 1)
    spec.setdefault('backoffLimit', 6)
    spec.setdefault('completionMode', 'NonIndexed')
    spec.setdefault('suspend', False)
    spec.setdefault('podReplacementPolicy', 'TerminatingOrFailed')
    tmpl = spec.get('template')
    if uid and isinstance(tmpl, dict) and not spec.get('manualSelector'):
        name = obj['metadata'].get('name', '')
        gen = {'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name,
               'controller-uid': uid, 'job-name': name}
        labels = tmpl.setdefault('metadata', {}).setdefault('labels', {})
        for k, v in gen.items():
            labels.setdefault(k, v)
        spec.setdefault('selector', {'matchLabels': {'batch.kubernetes.io/controller-uid': uid}})
    if isinstance(tmpl, dict) and not obj['metadata'].get('labels'):
        tl = (tmpl.get('metadata') or {}).get('labels')
        if tl:
            obj['metadata']['labels'] = dict(tl)


def _cronjob(spec):
    spec.setdefault('concurrencyPolicy', 'Allow')
    spec.setdefault('suspend', False)
    spec.setdefault('successfulJobsHistoryLimit', 3)
    spec.setdefault('failedJobsHistoryLimit', 1)


def _service(spec):
    spec.setdefault('type', 'ClusterIP')
    spec.setdefault('sessionAffinity', 'None')
    for p in spec.get('ports') or []:
        if isinstance(p, dict):
            p.setdefault('protocol', 'TCP')
            if 'targetPort' not in p and 'port' in p:
                p['targetPort'] = p['port']
    if spec['type'] != 'ExternalName':
        spec.setdefault('internalTrafficPolicy', 'Cluster')
    if spec['type'] in ('NodePort', 'LoadBalancer'):
        spec.setdefault('externalTrafficPolicy', 'Cluster')
    if spec['type'] == 'LoadBalancer':
        spec.setdefault('allocateLoadBalancerNodePorts', True)


def _pvc(obj):
    spec = obj.get('spec')
    if isinstance(spec, dict):
        spec.setdefault('volumeMode', 'Filesystem')
        res = spec.get('resources')
        if isinstance(res, dict):
            _resource_list(res.get('requests'))
            _resource_list(res.get('limits'))


def _secret(obj):
    obj.setdefault('type', 'Opaque')
    sd = obj.pop('stringData', None)
    if isinstance(sd, dict):
        data = obj.get('data') or {}
        for k, v in sd.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        obj['data'] = data


def _rbac_subjects(obj):
    for s in obj.get('subjects') or []:
        if isinstance(s, dict) and 'apiGroup' not in s and s.get('kind') in ('User', 'Group'):
            s['apiGroup'] = 'rbac.authorization.k8s.io'


def _netpol(spec):
    if 'policyTypes' not in spec:
        types = ['Ingress']
        if spec.get('egress'):
            types.append('Egress')
        spec['policyTypes'] = types
    for direction in ('ingress', 'egress'):
        for rule in spec.get(direction) or []:
            for p in (rule or {}).get('ports') or []:
                if isinstance(p, dict):
                    p.setdefault('protocol', 'TCP')


_MAP_KEYS = {'labels', 'annotations', 'data', 'binaryData', 'matchLabels',
             'nodeSelector', 'limits', 'requests', 'hard', 'used', 'capacity'}


def omit_empty(v, key=None):
    """Drop nulls, empty lists and empty maps of map-typed fields (Go omitempty)."""
    if isinstance(v, dict):
        for k in list(v):
            x = v[k]
            if x is None:
                del v[k]
                continue
            omit_empty(x, k)
            if isinstance(x, list) and not x:
                del v[k]
            elif isinstance(x, dict) and not x and k in _MAP_KEYS:
                del v[k]
    elif isinstance(v, list):
        for x in v:
            omit_empty(x)
    return v


def apply_defaults(kind, obj, uid=None):
    """Normalise and default a built-in object in place."""
    md = obj.setdefault('metadata', {})
    for k in ('namespace', 'generateName', 'resourceVersion', 'uid'):
        if md.get(k) == '':
            del md[k]
    spec = obj.get('spec') if isinstance(obj.get('spec'), dict) else None
    for ps, is_pod in pod_specs(kind, obj):
        _pod_spec(ps, is_pod)
    if kind == 'Deployment' and spec is not None:
        _deployment(spec)
    elif kind == 'ReplicaSet' and spec is not None:
        spec.setdefault('replicas', 1)
    elif kind == 'StatefulSet' and spec is not None:
        _statefulset(spec)
    elif kind == 'DaemonSet' and spec is not None:
        _daemonset(spec)
    elif kind == 'Job' and spec is not None:
        _job(obj, spec, uid)
    elif kind == 'CronJob' and spec is not None:
        _cronjob(spec)
    elif kind == 'Service' and spec is not None:
        _service(spec)
    elif kind == 'PersistentVolumeClaim':
        _pvc(obj)
    elif kind == 'Secret':
        _secret(obj)
    elif kind in ('RoleBinding', 'ClusterRoleBinding'):
        _rbac_subjects(obj)
    elif kind == 'NetworkPolicy' and spec is not None:
        _netpol(spec)
    elif kind == 'PriorityClass':
        obj.setdefault('preemptionPolicy', 'PreemptLowerPriority')
    elif kind == 'ResourceQuota' and spec is not None:
        _resource_list(spec.get('hard'))
    elif kind == 'LimitRange' and spec is not None:
        for item in spec.get('limits') or []:
            for f in ('max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'):
                if isinstance(item, dict):
                    _resource_list(item.get(f))
    elif kind == 'Namespace':
        md.setdefault('labels', {})['kubernetes.io/metadata.name'] = md.get('name', '')
        obj.setdefault('spec', {}).setdefault('finalizers', ['kubernetes'])
        obj.setdefault('status', {}).setdefault('phase', 'Active')
    elif kind == 'CustomResourceDefinition' and spec is not None:
        spec.setdefault('conversion', {'strategy': 'None'})
    omit_empty(obj)
    return obj


def canonicalize(kind, obj):
    """Quantity canonical form only (no defaults): used on apply configurations
    so that "0.5" and "500m" are one value when ownership is compared."""
    for ps, _ in pod_specs(kind, obj):
        for c in _containers(ps):
            res = c.get('resources')
            if isinstance(res, dict):
                _resource_list(res.get('limits'))
                _resource_list(res.get('requests'))
        if isinstance(ps.get('overhead'), dict):
            _resource_list(ps['overhead'])
    spec = obj.get('spec')
    if kind == 'PersistentVolumeClaim' and isinstance(spec, dict):
        res = spec.get('resources')
        if isinstance(res, dict):
            _resource_list(res.get('requests'))
            _resource_list(res.get('limits'))
    elif kind == 'ResourceQuota' and isinstance(spec, dict):
        _resource_list(spec.get('hard'))
    elif kind == 'LimitRange' and isinstance(spec, dict):
        for item in spec.get('limits') or []:
            for f in ('max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'):
                if isinstance(item, dict):
                    _resource_list(item.get(f))
    return obj
