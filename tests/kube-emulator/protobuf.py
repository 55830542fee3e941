"""Just enough of the Kubernetes protobuf encoding to accept what kubectl's
typed clients POST as application/vnd.kubernetes.protobuf: `kubectl create`
namespace, configmap, secret, serviceaccount, deployment, service, job,
cronjob, role, rolebinding, clusterrole, clusterrolebinding, priorityclass,
quota and pdb, and `kubectl auth can-i`.  Only the fields those commands set
are decoded.  Responses are always JSON, which those clients also accept.
Other kinds are answered with 415.

Wire format: magic "k8s\\0", then runtime.Unknown {1: TypeMeta{1 apiVersion,
2 kind}, 2: raw object bytes}.  Field numbers below are from the generated
k8s.io/api .proto files; zero values are dropped as Go's JSON omitempty does.
"""

MAGIC = b'k8s\x00'


class ProtobufError(ValueError):
    pass


def _varint(b, i):
    shift = result = 0
    while True:
        if i >= len(b):
            raise ProtobufError('truncated varint')
        c = b[i]
        i += 1
        result |= (c & 0x7f) << shift
        if not c & 0x80:
            return result, i
        shift += 7


def fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ProtobufError('unsupported wire type %d' % wt)
        out.append((num, wt, v))
    return out


def _map(v, value_bytes=False):
    k = val = None
    for num, _, x in fields(v):
        if num == 1:
            k = x.decode()
        elif num == 2:
            val = x if value_bytes else x.decode()
    return k, val


# Field types: s string, i int (0 dropped, as omitempty), i0 int (0 kept: pointer
# fields), bool (false dropped), rep_s repeated string (empty strings kept),
# map / map_b / map_q string-, bytes- and Quantity-valued maps, ios IntOrString,
# a dict a nested message, ('rep', dict) a repeated message.
OBJECT_META = {1: ('name', 's'), 2: ('generateName', 's'), 3: ('namespace', 's'),
               5: ('uid', 's'), 6: ('resourceVersion', 's'), 11: ('labels', 'map'),
               12: ('annotations', 'map'), 14: ('finalizers', 'rep_s')}
LOCAL_REF = {1: ('name', 's')}
LABEL_SELECTOR = {1: ('matchLabels', 'map'), 2: ('matchExpressions', ('rep', {
    1: ('key', 's'), 2: ('operator', 's'), 3: ('values', 'rep_s')}))}
CONTAINER = {1: ('name', 's'), 2: ('image', 's'), 3: ('command', 'rep_s'), 4: ('args', 'rep_s'),
             5: ('workingDir', 's'),
             6: ('ports', ('rep', {1: ('name', 's'), 2: ('hostPort', 'i'), 3: ('containerPort', 'i'),
                                   4: ('protocol', 's'), 5: ('hostIP', 's')})),
             7: ('env', ('rep', {1: ('name', 's'), 2: ('value', 's')})),
             8: ('resources', {1: ('limits', 'map_q'), 2: ('requests', 'map_q')}),
             13: ('terminationMessagePath', 's'), 14: ('imagePullPolicy', 's'),
             20: ('terminationMessagePolicy', 's')}
POD_SPEC = {2: ('containers', ('rep', CONTAINER)), 3: ('restartPolicy', 's'),
            8: ('serviceAccountName', 's'), 20: ('initContainers', ('rep', CONTAINER))}
POD_TEMPLATE = {1: ('metadata', OBJECT_META), 2: ('spec', POD_SPEC)}
JOB_SPEC = {1: ('parallelism', 'i0'), 2: ('completions', 'i0'), 3: ('activeDeadlineSeconds', 'i0'),
            4: ('selector', LABEL_SELECTOR), 5: ('manualSelector', 'bool'), 6: ('template', POD_TEMPLATE),
            7: ('backoffLimit', 'i0'), 8: ('ttlSecondsAfterFinished', 'i0'), 9: ('completionMode', 's'),
            10: ('suspend', 'bool')}
POLICY_RULE = {1: ('verbs', 'rep_s'), 2: ('apiGroups', 'rep_s'), 3: ('resources', 'rep_s'),
               4: ('resourceNames', 'rep_s'), 5: ('nonResourceURLs', 'rep_s')}
SUBJECT = {1: ('kind', 's'), 2: ('apiGroup', 's'), 3: ('name', 's'), 4: ('namespace', 's')}
ROLE_REF = {1: ('apiGroup', 's'), 2: ('kind', 's'), 3: ('name', 's')}
BINDING = {1: ('metadata', OBJECT_META), 2: ('subjects', ('rep', SUBJECT)), 3: ('roleRef', ROLE_REF)}
SCHEMAS = {
    'Namespace': {1: ('metadata', OBJECT_META), 2: ('spec', {1: ('finalizers', 'rep_s')}),
                  3: ('status', {1: ('phase', 's')})},
    'ConfigMap': {1: ('metadata', OBJECT_META), 2: ('data', 'map'), 3: ('binaryData', 'map_b'),
                  4: ('immutable', 'bool')},
    'Secret': {1: ('metadata', OBJECT_META), 2: ('data', 'map_b'), 3: ('type', 's'),
               4: ('stringData', 'map'), 5: ('immutable', 'bool')},
    'SelfSubjectAccessReview': {1: ('metadata', OBJECT_META), 2: ('spec', {
        1: ('resourceAttributes', {1: ('namespace', 's'), 2: ('verb', 's'), 3: ('group', 's'),
                                   4: ('version', 's'), 5: ('resource', 's'),
                                   6: ('subresource', 's'), 7: ('name', 's')}),
        2: ('nonResourceAttributes', {1: ('path', 's'), 2: ('verb', 's')})})},
    'ServiceAccount': {1: ('metadata', OBJECT_META), 3: ('imagePullSecrets', ('rep', LOCAL_REF)),
                       4: ('automountServiceAccountToken', 'bool')},
    'Deployment': {1: ('metadata', OBJECT_META), 2: ('spec', {
        1: ('replicas', 'i0'), 2: ('selector', LABEL_SELECTOR), 3: ('template', POD_TEMPLATE),
        4: ('strategy', {1: ('type', 's')}), 5: ('minReadySeconds', 'i'),
        6: ('revisionHistoryLimit', 'i0'), 7: ('paused', 'bool'), 9: ('progressDeadlineSeconds', 'i0')})},
    'Service': {1: ('metadata', OBJECT_META), 2: ('spec', {
        1: ('ports', ('rep', {1: ('name', 's'), 2: ('protocol', 's'), 3: ('port', 'i'),
                              4: ('targetPort', 'ios'), 5: ('nodePort', 'i')})),
        2: ('selector', 'map'), 3: ('clusterIP', 's'), 4: ('type', 's'), 5: ('externalIPs', 'rep_s'),
        7: ('sessionAffinity', 's'), 10: ('externalName', 's')})},
    'Job': {1: ('metadata', OBJECT_META), 2: ('spec', JOB_SPEC)},
    'CronJob': {1: ('metadata', OBJECT_META), 2: ('spec', {
        1: ('schedule', 's'), 2: ('startingDeadlineSeconds', 'i0'), 3: ('concurrencyPolicy', 's'),
        4: ('suspend', 'bool'), 5: ('jobTemplate', {1: ('metadata', OBJECT_META), 2: ('spec', JOB_SPEC)}),
        6: ('successfulJobsHistoryLimit', 'i0'), 7: ('failedJobsHistoryLimit', 'i0'),
        8: ('timeZone', 's')})},
    'Role': {1: ('metadata', OBJECT_META), 2: ('rules', ('rep', POLICY_RULE))},
    'ClusterRole': {1: ('metadata', OBJECT_META), 2: ('rules', ('rep', POLICY_RULE)),
                    3: ('aggregationRule', {1: ('clusterRoleSelectors', ('rep', LABEL_SELECTOR))})},
    'RoleBinding': BINDING,
    'ClusterRoleBinding': BINDING,
    'PriorityClass': {1: ('metadata', OBJECT_META), 2: ('value', 'i0'), 3: ('globalDefault', 'bool'),
                      4: ('description', 's'), 5: ('preemptionPolicy', 's')},
    'ResourceQuota': {1: ('metadata', OBJECT_META), 2: ('spec', {1: ('hard', 'map_q'),
                                                                 2: ('scopes', 'rep_s')})},
    'PodDisruptionBudget': {1: ('metadata', OBJECT_META), 2: ('spec', {
        1: ('minAvailable', 'ios'), 2: ('selector', LABEL_SELECTOR), 3: ('maxUnavailable', 'ios')})},
}


def _signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _int_or_string(b):
    typ, iv, sv = 0, 0, ''
    for num, _, x in fields(b):
        if num == 1:
            typ = x
        elif num == 2:
            iv = _signed(x)
        elif num == 3:
            sv = x.decode()
    return sv if typ == 1 else iv


def _decode(b, schema):
    import base64
    out = {}
    for num, _, v in fields(b):
        if num not in schema:
            continue
        name, typ = schema[num]
        if typ == 's':
            if v:
                out[name] = v.decode()
        elif typ == 'bool':
            if v:
                out[name] = True
        elif typ in ('i', 'i0'):
            if v or typ == 'i0':
                out[name] = _signed(v)
        elif typ == 'ios':
            out[name] = _int_or_string(v)
        elif typ == 'map_q':
            k, val = _map(v, True)
            q = ''
            for n2, _, x in fields(val or b''):
                if n2 == 1:
                    q = x.decode()
            out.setdefault(name, {})[k] = q
        elif typ == 'rep_s':
            out.setdefault(name, []).append(v.decode())
        elif typ in ('map', 'map_b'):
            k, val = _map(v, typ == 'map_b')
            if typ == 'map_b':
                val = base64.b64encode(val or b'').decode()
            out.setdefault(name, {})[k] = val if val is not None else ''
        elif isinstance(typ, tuple):
            out.setdefault(name, []).append(_decode(v, typ[1]))
        else:
            out[name] = _decode(v, typ)
    return out


def decode(body):
    """-> (apiVersion, kind, object dict)."""
    if not body.startswith(MAGIC):
        raise ProtobufError('missing protobuf magic')
    api_version = kind = ''
    raw = b''
    for num, _, v in fields(body[len(MAGIC):]):
        if num == 1:
            for n2, _, x in fields(v):
                if n2 == 1:
                    api_version = x.decode()
                elif n2 == 2:
                    kind = x.decode()
        elif num == 2:
            raw = v
    if kind not in SCHEMAS:
        raise ProtobufError('kind %s' % kind)
    obj = {'apiVersion': api_version, 'kind': kind}
    obj.update(_decode(raw, SCHEMAS[kind]))
    return api_version, kind, obj
