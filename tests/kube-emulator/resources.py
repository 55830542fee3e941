"""The emulator's resource table: every built-in kind it serves, and the
Resource record that CRDs add at run time (reference sections 1.1 and 8).

Discovery documents, OpenAPI documents and request routing are all generated
from this one table, so adding a kind here is enough to serve it.
"""
from typemodel import builtin_type, crd_type

VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']


class Resource:
    def __init__(self, group, version, kind, plural, namespaced, short=(),
                 categories=(), verbs=VERBS, subresources=(), typ=None,
                 crd=None, schema=None, served_versions=None, storage_version=None,
                 selectable=()):
        self.group, self.version, self.kind = group, version, kind
        self.plural, self.namespaced = plural, namespaced
        self.singular = kind.lower()
        self.short, self.categories = list(short), list(categories)
        self.verbs = list(verbs)
        self.subresources = list(subresources)
        self.type = typ if typ is not None else builtin_type(kind)
        self.crd = crd                  # CRD name for custom resources
        self.schema = schema            # structural schema (custom resources)
        self.storage_version = storage_version or version
        self.selectable = list(selectable)

    @property
    def key(self):
        return '%s/%s' % (self.group, self.plural)

    @property
    def gv(self):
        return '%s/%s' % (self.group, self.version) if self.group else self.version

    api_version = gv

    @property
    def group_resource(self):
        """resource.group as used in Status messages (configmaps for core)."""
        return '%s.%s' % (self.plural, self.group) if self.group else self.plural

    @property
    def group_kind(self):
        return '%s.%s' % (self.kind, self.group) if self.group else self.kind

    @property
    def status_sub(self):
        return 'status' in self.subresources

    @property
    def list_kind(self):
        return self.kind + 'List'

    def field_selectors(self):
        f = {'metadata.name'}
        if self.namespaced:
            f.add('metadata.namespace')
        f.update(self.selectable)
        return f


def _r(group, kind, plural, namespaced, short=(), all_=False, subs=('status',),
       verbs=VERBS, version='v1', selectable=()):
    return Resource(group, version, kind, plural, namespaced, short,
                    ['all'] if all_ else [], verbs, subs, selectable=selectable)


NS_VERBS = [v for v in VERBS if v != 'deletecollection']

BUILTINS = [
    _r('', 'Namespace', 'namespaces', False, ['ns'], subs=('status', 'finalize'),
       verbs=NS_VERBS, selectable=('status.phase',)),
    _r('', 'ConfigMap', 'configmaps', True, ['cm'], subs=()),
    _r('', 'Secret', 'secrets', True, subs=(), selectable=('type',)),
    _r('', 'ServiceAccount', 'serviceaccounts', True, ['sa'], subs=()),
    _r('', 'Service', 'services', True, ['svc'], True),
    _r('', 'Pod', 'pods', True, ['po'], True,
       selectable=('spec.nodeName', 'status.phase', 'spec.restartPolicy',
                   'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP')),
    _r('', 'ResourceQuota', 'resourcequotas', True, ['quota']),
    _r('', 'LimitRange', 'limitranges', True, ['limits'], subs=()),
    _r('', 'PersistentVolumeClaim', 'persistentvolumeclaims', True, ['pvc']),
    _r('', 'Event', 'events', True, ['ev'], subs=(),
       selectable=('involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace',
                   'involvedObject.uid', 'reason', 'type', 'source')),
    _r('apps', 'Deployment', 'deployments', True, ['deploy'], True, ('status', 'scale')),
    _r('apps', 'StatefulSet', 'statefulsets', True, ['sts'], True, ('status', 'scale')),
    _r('apps', 'DaemonSet', 'daemonsets', True, ['ds'], True),
    _r('apps', 'ReplicaSet', 'replicasets', True, ['rs'], True, ('status', 'scale')),
    _r('batch', 'Job', 'jobs', True, (), True),
    _r('batch', 'CronJob', 'cronjobs', True, ['cj'], True),
    _r('rbac.authorization.k8s.io', 'Role', 'roles', True, subs=()),
    _r('rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings', True, subs=()),
    _r('rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', False, subs=()),
    _r('rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', False, subs=()),
    _r('networking.k8s.io', 'NetworkPolicy', 'networkpolicies', True, ['netpol'], subs=()),
    _r('policy', 'PodDisruptionBudget', 'poddisruptionbudgets', True, ['pdb']),
    _r('scheduling.k8s.io', 'PriorityClass', 'priorityclasses', False, ['pc'], subs=()),
    _r('coordination.k8s.io', 'Lease', 'leases', True, subs=()),
    _r('apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions',
       False, ['crd', 'crds']),
    _r('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews',
       False, subs=(), verbs=['create']),
    _r('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews',
       False, subs=(), verbs=['create']),
]

VIRTUAL_KINDS = {'SelfSubjectAccessReview', 'SubjectAccessReview'}

_PRIORITY = {'alpha': 0, 'beta': 1, '': 2}


def version_priority(v):
    """Kubernetes version ordering: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > other."""
    import re
    m = re.match(r'^v(\d+)(?:(alpha|beta)(\d+))?$', v)
    if not m:
        return (-1, 0, 0, v)
    return (_PRIORITY[m.group(2) or ''], int(m.group(1)), int(m.group(3) or 0), '')


def crd_resources(crd):
    """Resources (one per served version) a CRD object defines."""
    spec = crd.get('spec') or {}
    names = spec.get('names') or {}
    group = spec.get('group', '')
    out = []
    storage = next((v.get('name') for v in spec.get('versions') or [] if v.get('storage')), None)
    for v in spec.get('versions') or []:
        if not v.get('served'):
            continue
        schema = ((v.get('schema') or {}).get('openAPIV3Schema')) or {}
        subs = []
        sr = v.get('subresources') or {}
        if 'status' in sr:
            subs.append('status')
        if 'scale' in sr:
            subs.append('scale')
        r = Resource(group, v.get('name'), names.get('kind', ''), names.get('plural', ''),
                     spec.get('scope') == 'Namespaced', names.get('shortNames') or (),
                     names.get('categories') or (), VERBS, subs, crd_type(schema),
                     crd=(crd.get('metadata') or {}).get('name'), schema=schema,
                     storage_version=storage,
                     selectable=[f.get('jsonPath', '').lstrip('.')
                                 for f in v.get('selectableFields') or []])
        r.singular = names.get('singular') or names.get('kind', '').lower()
        r.scale = sr.get('scale')
        r.printer_columns = v.get('additionalPrinterColumns') or []
        out.append(r)
    return out
