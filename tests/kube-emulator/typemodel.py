"""Schema-light type model shared by server-side apply, strategic merge patch
and CRD handling (reference sections 4.5 and 8).

A node says how a value merges: granular struct/map, atomic, or a list that
is atomic, a set, or a map keyed by some fields.  Anything a table does not
describe is deduced the way structured-merge-diff deduces it: objects are
granular maps, lists are atomic.  Built-in kinds get their overrides from the
tables below (written from the reference's list of 1.32 OpenAPI markers);
CRDs get theirs from their structural schema.
"""


class T:
    __slots__ = ('kind', 'fields', 'elem', 'keys', 'key_defaults', 'schema')

    def __init__(self, kind, fields=None, elem=None, keys=None,
                 key_defaults=None, schema=None):
        self.kind = kind            # 'struct', 'atomic', 'list-atomic', 'set', 'lmap'
        self.fields = fields or {}
        self.elem = elem
        self.keys = keys or []
        self.key_defaults = key_defaults or {}
        self.schema = schema        # CRD structural schema node, if any

    def child(self, name):
        if self.kind != 'struct':
            return DEDUCED
        t = self.fields.get(name)
        if t is not None:
            return t
        return self.elem or DEDUCED

    def item(self):
        if self.kind in ('set', 'lmap') and self.elem is not None:
            return self.elem
        return DEDUCED

    def is_atomic(self):
        return self.kind in ('atomic', 'list-atomic')


DEDUCED = T('struct')
ATOMIC = T('atomic')


def S(**fields):
    return T('struct', fields=fields)


def LMAP(keys, item=None, defaults=None):
    return T('lmap', elem=item or DEDUCED, keys=list(keys), key_defaults=defaults or {})


SET = T('set', elem=ATOMIC)

# --- built-in types (only what differs from the deduced default) ----------

OBJECT_META = S(finalizers=SET, ownerReferences=LMAP(['uid'], ATOMIC))

_SELECTOR_REFS = S(configMapKeyRef=ATOMIC, secretKeyRef=ATOMIC,
                   fieldRef=ATOMIC, resourceFieldRef=ATOMIC)
CONTAINER = S(
    ports=LMAP(['containerPort', 'protocol'], defaults={'protocol': 'TCP'}),
    env=LMAP(['name'], S(valueFrom=_SELECTOR_REFS)),
    volumeMounts=LMAP(['mountPath']),
    volumeDevices=LMAP(['devicePath']),
    resources=S(claims=LMAP(['name'])),
)
_TERM = S(labelSelector=ATOMIC, namespaceSelector=ATOMIC)
POD_SPEC = S(
    containers=LMAP(['name'], CONTAINER),
    initContainers=LMAP(['name'], CONTAINER),
    ephemeralContainers=LMAP(['name'], CONTAINER),
    volumes=LMAP(['name']),
    imagePullSecrets=LMAP(['name'], ATOMIC),
    hostAliases=LMAP(['ip']),
    topologySpreadConstraints=LMAP(['topologyKey', 'whenUnsatisfiable'],
                                   S(labelSelector=ATOMIC)),
    schedulingGates=LMAP(['name']),
    resourceClaims=LMAP(['name']),
    nodeSelector=ATOMIC,
    affinity=S(nodeAffinity=S(requiredDuringSchedulingIgnoredDuringExecution=ATOMIC)),
)
POD_TEMPLATE = S(metadata=OBJECT_META, spec=POD_SPEC)
CONDITIONS = LMAP(['type'])
JOB_SPEC = S(selector=ATOMIC, template=POD_TEMPLATE)


def _obj(spec=None, status=None, **extra):
    fields = {'metadata': OBJECT_META}
    if spec is not None:
        fields['spec'] = spec
    fields['status'] = status or S(conditions=CONDITIONS)
    fields.update(extra)
    return T('struct', fields=fields)


BUILTIN_TYPES = {
    'Pod': _obj(POD_SPEC, S(conditions=CONDITIONS, podIPs=LMAP(['ip']),
                            hostIPs=LMAP(['ip']))),
    'Deployment': _obj(S(selector=ATOMIC, template=POD_TEMPLATE)),
    'ReplicaSet': _obj(S(selector=ATOMIC, template=POD_TEMPLATE)),
    'StatefulSet': _obj(S(selector=ATOMIC, template=POD_TEMPLATE)),
    'DaemonSet': _obj(S(selector=ATOMIC, template=POD_TEMPLATE)),
    'Job': _obj(JOB_SPEC),
    'CronJob': _obj(S(jobTemplate=S(metadata=OBJECT_META, spec=JOB_SPEC))),
    'Service': _obj(S(ports=LMAP(['port', 'protocol'], defaults={'protocol': 'TCP'}),
                      selector=ATOMIC)),
    'ServiceAccount': _obj(secrets=LMAP(['name'], ATOMIC)),
    'NetworkPolicy': _obj(S(podSelector=ATOMIC)),
    'PodDisruptionBudget': _obj(S(selector=ATOMIC)),
}


def builtin_type(kind):
    return BUILTIN_TYPES.get(kind) or _obj()


# --- CRD structural schemas ----------------------------------------------

def from_schema(s):
    """Type node for a structural (OpenAPI v3) schema node."""
    if not isinstance(s, dict):
        return DEDUCED
    typ = s.get('type')
    if typ == 'array':
        lt = s.get('x-kubernetes-list-type', 'atomic')
        item = from_schema(s.get('items') or {})
        if lt == 'map':
            keys = s.get('x-kubernetes-list-map-keys') or []
            props = (s.get('items') or {}).get('properties') or {}
            defaults = {k: props[k]['default'] for k in keys
                        if isinstance(props.get(k), dict) and 'default' in props[k]}
            return T('lmap', elem=item, keys=keys, key_defaults=defaults, schema=s)
        if lt == 'set':
            return T('set', elem=ATOMIC, schema=s)
        return T('list-atomic', schema=s)
    if typ == 'object' or 'properties' in s or 'additionalProperties' in s:
        if s.get('x-kubernetes-map-type') == 'atomic':
            return T('atomic', schema=s)
        fields = {k: from_schema(v) for k, v in (s.get('properties') or {}).items()}
        ap = s.get('additionalProperties')
        elem = from_schema(ap) if isinstance(ap, dict) else None
        return T('struct', fields=fields, elem=elem, schema=s)
    if s.get('x-kubernetes-preserve-unknown-fields'):
        return T('struct', schema=s)
    return T('atomic', schema=s)


def crd_type(schema):
    t = from_schema(schema or {})
    if t.kind != 'struct':
        t = T('struct')
    fields = dict(t.fields)
    fields['metadata'] = OBJECT_META
    return T('struct', fields=fields, elem=t.elem, schema=t.schema)
