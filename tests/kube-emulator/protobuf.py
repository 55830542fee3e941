"""Just enough of the Kubernetes protobuf encoding to accept what kubectl's
typed clients send (`kubectl create namespace|configmap|secret|serviceaccount` and `kubectl auth can-i`
POST application/vnd.kubernetes.protobuf).  Responses are always JSON,
which those clients also accept.  Other kinds are answered with 415.

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


OBJECT_META = {1: ('name', 's'), 2: ('generateName', 's'), 3: ('namespace', 's'),
               5: ('uid', 's'), 6: ('resourceVersion', 's'), 11: ('labels', 'map'),
               12: ('annotations', 'map'), 14: ('finalizers', 'rep_s')}
LOCAL_REF = {1: ('name', 's')}
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
}


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
            out[name] = bool(v)
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
