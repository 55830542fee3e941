"""Server-side printing: meta.k8s.io/v1 Table responses for clients that ask
for them (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, as
`kubectl get` does, reference section 3.3), with the columns the real API
server's printers produce for common kinds, CRD additionalPrinterColumns
(JSONPath subset: dotted fields, [N] and [?(@.f=="v")] filters), and
Name/Age for everything else.  Rows carry PartialObjectMetadata objects.
"""
import datetime
import re


def wants_table(accept):
    for part in (accept or '').split(','):
        params = {p.strip() for p in part.split(';')[1:]}
        if {'as=Table', 'g=meta.k8s.io', 'v=v1'} <= params:
            return True
    return False


def human_duration(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration"""
    s = int(seconds)
    if s < -1:
        return '<invalid>'
    if s < 0:
        return '0s'
    if s < 120:
        return '%ds' % s
    m = s // 60
    if m < 10:
        return '%dm' % m if s % 60 == 0 else '%dm%ds' % (m, s % 60)
    if m < 180:
        return '%dm' % m
    h = s // 3600
    if h < 8:
        return '%dh' % h if m % 60 == 0 else '%dh%dm' % (h, m % 60)
    if h < 48:
        return '%dh' % h
    if h < 24 * 8:
        return '%dd' % (h // 24) if h % 24 == 0 else '%dd%dh' % (h // 24, h % 24)
    if h < 24 * 365 * 2:
        return '%dd' % (h // 24)
    if h < 24 * 365 * 8:
        dy = (h // 24) % 365
        return '%dy' % (h // 24 // 365) if dy == 0 else '%dy%dd' % (h // 24 // 365, dy)
    return '%dy' % (h // 24 // 365)


def age(ts):
    if not ts:
        return '<unknown>'
    try:
        t = datetime.datetime.strptime(ts, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return '<unknown>'
    return human_duration((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())


_TOKEN = re.compile(r'\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*["\']([^"\']*)["\']\)\]')


def jsonpath(obj, path):
    """Values selected by a simple JSONPath (list, possibly empty)."""
    cur = [obj]
    pos = 0
    path = path.strip()
    if path.startswith('{') and path.endswith('}'):
        path = path[1:-1]
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m:
            return []
        pos = m.end()
        nxt = []
        for v in cur:
            if m.group(1) is not None:
                if isinstance(v, dict) and m.group(1) in v:
                    nxt.append(v[m.group(1)])
            elif m.group(2) is not None:
                if isinstance(v, list) and int(m.group(2)) < len(v):
                    nxt.append(v[int(m.group(2))])
            elif isinstance(v, list):
                for x in v:
                    f = x
                    for part in m.group(3).split('.'):
                        f = f.get(part) if isinstance(f, dict) else None
                    if f is not None and str(f) == m.group(4):
                        nxt.append(x)
        cur = nxt
    return cur


def _col(name, typ='string', fmt='', priority=0, desc=''):
    return {'name': name, 'type': typ, 'format': fmt, 'description': desc or name, 'priority': priority}


NAME = _col('Name', fmt='name', desc='Name must be unique within a namespace.')
AGE = _col('Age', desc='CreationTimestamp is a timestamp representing the server time when this object '
                       'was created.')


def _containers(obj):
    ps = ((obj.get('spec') or {}).get('template') or {}).get('spec') or {}
    cs = ps.get('containers') or []
    return ','.join(c.get('name', '') for c in cs), ','.join(c.get('image', '') for c in cs)


def _selector(obj):
    ml = ((obj.get('spec') or {}).get('selector') or {}).get('matchLabels') or {}
    return ','.join('%s=%s' % kv for kv in sorted(ml.items())) or '<none>'


def _deployment(o):
    st, sp = o.get('status') or {}, o.get('spec') or {}
    names, images = _containers(o)
    return ['%d/%d' % (st.get('readyReplicas', 0), sp.get('replicas', 0)), st.get('updatedReplicas', 0),
            st.get('availableReplicas', 0), age(o['metadata'].get('creationTimestamp')), names, images,
            _selector(o)]


def _statefulset(o):
    st, sp = o.get('status') or {}, o.get('spec') or {}
    names, images = _containers(o)
    return ['%d/%d' % (st.get('readyReplicas', 0), sp.get('replicas', 0)),
            age(o['metadata'].get('creationTimestamp')), names, images]


def _pod(o):
    st, sp = o.get('status') or {}, o.get('spec') or {}
    cs = st.get('containerStatuses') or []
    ready = sum(1 for c in cs if c.get('ready'))
    return ['%d/%d' % (ready, len(sp.get('containers') or [])), st.get('phase', 'Pending'),
            str(sum(c.get('restartCount', 0) for c in cs)), age(o['metadata'].get('creationTimestamp')),
            st.get('podIP', '<none>'), sp.get('nodeName', '<none>')]


def _service(o):
    sp = o.get('spec') or {}
    ports = ','.join('%s%s/%s' % (p.get('port'), (':%s' % p['nodePort']) if p.get('nodePort') else '',
                                  p.get('protocol', 'TCP')) for p in sp.get('ports') or []) or '<none>'
    ext = ','.join(sp.get('externalIPs') or []) or ('<pending>' if sp.get('type') == 'LoadBalancer'
                                                    else '<none>')
    return [sp.get('type', ''), sp.get('clusterIP', '<none>'), ext, ports,
            age(o['metadata'].get('creationTimestamp')), _selector_map(sp.get('selector'))]


def _selector_map(m):
    return ','.join('%s=%s' % kv for kv in sorted((m or {}).items())) or '<none>'


def _job(o):
    st, sp = o.get('status') or {}, o.get('spec') or {}
    conds = {c.get('type'): c.get('status') for c in st.get('conditions') or []}
    state = 'Complete' if conds.get('Complete') == 'True' else \
        'Failed' if conds.get('Failed') == 'True' else 'Suspended' if sp.get('suspend') else 'Running'
    return [state, '%d/%d' % (st.get('succeeded', 0), sp.get('completions', 1)),
            '0s' if st.get('completionTime') else '', age(o['metadata'].get('creationTimestamp'))]


BUILTIN = {
    'Deployment': ([NAME, _col('Ready'), _col('Up-to-date', 'integer'), _col('Available', 'integer'), AGE,
                    _col('Containers', priority=1), _col('Images', priority=1), _col('Selector', priority=1)],
                   _deployment),
    'StatefulSet': ([NAME, _col('Ready'), AGE, _col('Containers', priority=1), _col('Images', priority=1)],
                    _statefulset),
    'Pod': ([NAME, _col('Ready'), _col('Status'), _col('Restarts'), AGE, _col('IP', priority=1),
             _col('Node', priority=1)], _pod),
    'Service': ([NAME, _col('Type'), _col('Cluster-IP'), _col('External-IP'), _col('Port(s)'), AGE,
                 _col('Selector', priority=1)], _service),
    'ConfigMap': ([NAME, _col('Data', 'integer'), AGE],
                  lambda o: [len(o.get('data') or {}) + len(o.get('binaryData') or {}),
                             age(o['metadata'].get('creationTimestamp'))]),
    'Secret': ([NAME, _col('Type'), _col('Data', 'integer'), AGE],
               lambda o: [o.get('type', ''), len(o.get('data') or {}),
                          age(o['metadata'].get('creationTimestamp'))]),
    'Namespace': ([NAME, _col('Status'), AGE],
                  lambda o: [(o.get('status') or {}).get('phase', ''),
                             age(o['metadata'].get('creationTimestamp'))]),
    'Job': ([NAME, _col('Status'), _col('Completions'), _col('Duration'), AGE], _job),
    'CronJob': ([NAME, _col('Schedule'), _col('Timezone'), _col('Suspend', 'boolean'), _col('Active', 'integer'),
                 _col('Last Schedule'), AGE],
                lambda o: [(o.get('spec') or {}).get('schedule', ''),
                           (o.get('spec') or {}).get('timeZone', '<none>'),
                           (o.get('spec') or {}).get('suspend', False),
                           len((o.get('status') or {}).get('active') or []), '<none>',
                           age(o['metadata'].get('creationTimestamp'))]),
}


def _crd_columns(res):
    return list(getattr(res, 'printer_columns', None) or [])


def columns(res):
    if res.crd:
        cols = _crd_columns(res)
        if not cols:
            return [NAME, AGE]
        return [NAME] + [_col(c.get('name', ''), c.get('type', 'string'), c.get('format', ''),
                              c.get('priority', 0), c.get('description', '')) for c in cols]
    if res.kind in BUILTIN:
        return BUILTIN[res.kind][0]
    return [NAME, AGE]


def cells(res, obj):
    name = obj['metadata']['name']
    if res.crd:
        cols = _crd_columns(res)
        if not cols:
            return [name, age(obj['metadata'].get('creationTimestamp'))]
        out = [name]
        for c in cols:
            vals = jsonpath(obj, c.get('jsonPath', ''))
            if not vals:
                out.append(None)
            elif c.get('type') == 'date':
                out.append(age(vals[0]) if isinstance(vals[0], str) else vals[0])
            elif len(vals) == 1:
                out.append(vals[0])
            else:
                out.append(','.join(str(v) for v in vals))
        return out
    if res.kind in BUILTIN:
        return [name] + BUILTIN[res.kind][1](obj)
    return [name, age(obj['metadata'].get('creationTimestamp'))]


def _partial(obj):
    return {'kind': 'PartialObjectMetadata', 'apiVersion': 'meta.k8s.io/v1', 'metadata': obj['metadata']}


def table(res, objs, meta=None, include='Metadata'):
    rows = []
    for o in objs:
        row = {'cells': cells(res, o)}
        if include == 'Object':
            row['object'] = o
        elif include != 'None':
            row['object'] = _partial(o)
        rows.append(row)
    return {'kind': 'Table', 'apiVersion': 'meta.k8s.io/v1', 'metadata': meta or {},
            'columnDefinitions': columns(res), 'rows': rows}
