"""Server-side apply: field sets, FieldsV1, merge, prune and conflicts
(reference sections 4.3-4.5, structured-merge-diff semantics).

A field set is a Python set of paths; a path is a tuple of elements
('f', name) | ('k', compact-json-key) | ('v', json-value) | ('i', index).
A path is in the set when that node is owned: leaves, atomic nodes, empty
maps and list items of sets and list maps.  Managers are keyed by
(manager, operation, subresource, apiVersion-for-Update-only), which is how
the API server tells managers apart.
"""
import copy
import json


IGNORED_META = ('name', 'namespace', 'creationTimestamp', 'selfLink', 'uid',
                'clusterName', 'generation', 'managedFields', 'resourceVersion')


class ConflictError(Exception):
    def __init__(self, conflicts):
        super().__init__('conflict')
        self.conflicts = conflicts   # list of (manager_entry, path)


class ApplyError(Exception):
    pass


def cjson(v):
    return json.dumps(v, separators=(',', ':'), sort_keys=True, ensure_ascii=False)


# --- paths -----------------------------------------------------------------

def _key_elem(item, t):
    if not isinstance(item, dict):
        raise ApplyError('associative list with keys has an element that is not a map')
    key = {}
    for k in t.keys:
        if k in item:
            key[k] = item[k]
        elif k in t.key_defaults:
            key[k] = t.key_defaults[k]
        else:
            raise ApplyError('associative list with keys has an element that omits key field "%s"' % k)
    return ('k', cjson(key))


def path_string(path):
    out = ''
    for kind, v in path:
        if kind == 'f':
            out += '.' + v
        elif kind == 'k':
            parts = ['%s=%s' % (k, json.dumps(x, separators=(',', ':')))
                     for k, x in json.loads(v).items()]
            out += '[' + ','.join(parts) + ']'
        elif kind == 'v':
            out += '[=' + v + ']'
        else:
            out += '[%d]' % v
    return out


def to_set(obj, t, prefix=(), out=None):
    """Field set of an object (toFieldSet)."""
    if out is None:
        out = set()
    if t.is_atomic() or not isinstance(obj, (dict, list)):
        out.add(prefix)
        return out
    if isinstance(obj, dict):
        if not obj:
            out.add(prefix)
            return out
        for k, v in obj.items():
            to_set(v, t.child(k), prefix + (('f', k),), out)
        return out
    if t.kind == 'set':
        for item in obj:
            out.add(prefix + (('v', cjson(item)),))
    elif t.kind == 'lmap':
        seen = set()
        for item in obj:
            p = prefix + (_key_elem(item, t),)
            if p in seen:
                raise ApplyError('duplicate entries for key %s' % path_string(p))
            seen.add(p)
            out.add(p)
            if item:
                to_set(item, t.item(), p, out)
    else:
        out.add(prefix)
    return out


def strip_ignored(obj, has_status_sub=False):
    o = {k: v for k, v in obj.items() if k not in ('apiVersion', 'kind')}
    if has_status_sub:
        o.pop('status', None)
    md = o.get('metadata')
    if isinstance(md, dict):
        md = {k: v for k, v in md.items() if k not in IGNORED_META}
        if md:
            o['metadata'] = md
        else:
            o.pop('metadata')
    return o


def object_set(obj, t, has_status_sub=False):
    return to_set(strip_ignored(obj, has_status_sub), t)


# --- navigation ---------------------------------------------------------------

_MISSING = object()


def _find(container, elem, t):
    kind, v = elem
    if kind == 'f':
        if isinstance(container, dict) and v in container:
            return v
        return _MISSING
    if not isinstance(container, list):
        return _MISSING
    if kind == 'i':
        return v if v < len(container) else _MISSING
    for i, item in enumerate(container):
        try:
            if kind == 'k' and _key_elem(item, t)[1] == v:
                return i
        except ApplyError:
            continue
        if kind == 'v' and cjson(item) == v:
            return i
    return _MISSING


def _child_type(t, elem):
    return t.child(elem[1]) if elem[0] == 'f' else t.item()


def get_at(obj, path, t):
    cur = obj
    for elem in path:
        idx = _find(cur, elem, t)
        if idx is _MISSING:
            return _MISSING
        cur = cur[idx]
        t = _child_type(t, elem)
    return cur


def _type_at(t, path):
    for elem in path:
        t = _child_type(t, elem)
    return t


def remove_at(obj, path, t):
    """Remove the node at path; maps emptied by the removal disappear too."""
    if not path:
        return
    stack = []
    cur, ct = obj, t
    for elem in path[:-1]:
        idx = _find(cur, elem, ct)
        if idx is _MISSING:
            return
        stack.append((cur, idx))
        cur = cur[idx]
        ct = _child_type(ct, elem)
    idx = _find(cur, path[-1], ct)
    if idx is _MISSING:
        return
    del cur[idx]
    while stack and isinstance(cur, dict) and not cur:
        parent, pidx = stack.pop()
        del parent[pidx]
        cur = parent


# --- compare and merge ------------------------------------------------------

def compare(old, new, t, old_set=None, new_set=None):
    fo = old_set if old_set is not None else to_set(old, t)
    fn = new_set if new_set is not None else to_set(new, t)
    added, removed = fn - fo, fo - fn
    modified = set()
    for p in fo & fn:
        if p and p[-1][0] == 'k' and not _type_at(t, p).is_atomic():
            continue
        if get_at(old, p, t) != get_at(new, p, t):
            modified.add(p)
    return added, removed, modified


def merge(live, cfg, t):
    if t.is_atomic() or not isinstance(cfg, (dict, list)) or type(live) is not type(cfg):
        return copy.deepcopy(cfg)
    if isinstance(cfg, dict):
        out = dict(live)
        for k, v in cfg.items():
            out[k] = merge(live[k], v, t.child(k)) if k in live else copy.deepcopy(v)
        return out
    if t.kind == 'set':
        out = list(live)
        have = {cjson(x) for x in live}
        for x in cfg:
            if cjson(x) not in have:
                out.append(copy.deepcopy(x))
                have.add(cjson(x))
        return out
    if t.kind == 'lmap':
        out = list(live)
        index = {}
        for i, item in enumerate(out):
            try:
                index[_key_elem(item, t)[1]] = i
            except ApplyError:
                pass
        for item in cfg:
            k = _key_elem(item, t)[1]
            if k in index:
                out[index[k]] = merge(out[index[k]], item, t.item())
            else:
                index[k] = len(out)
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(cfg)


# --- managedFields ----------------------------------------------------------

_ORDER = {'f': 0, 'k': 1, 'v': 2, 'i': 3}


def _elem_str(e):
    return '%s:%s' % (e[0], e[1])


def _parse_elem(s):
    kind, _, rest = s.partition(':')
    if kind == 'i':
        return ('i', int(rest))
    if kind == 'k':
        return ('k', cjson(json.loads(rest)))
    if kind == 'v':
        return ('v', cjson(json.loads(rest)))
    if kind == 'f':
        return ('f', rest)
    raise ValueError('unknown path element %r' % s)


def to_fields_v1(paths):
    tree = {}
    for p in paths:
        node = tree
        for e in p:
            node = node.setdefault(e, {})

    def build(node, prefix):
        out = {}
        if node and prefix in paths:
            out['.'] = {}
        for e in sorted(node, key=lambda e: (_ORDER[e[0]], str(e[1]))):
            out[_elem_str(e)] = build(node[e], prefix + (e,))
        return out
    return build(tree, ())


def from_fields_v1(fv1):
    out = set()

    def walk(node, prefix):
        for k, v in node.items():
            if k == '.':
                out.add(prefix)
                continue
            p = prefix + (_parse_elem(k),)
            if not v:
                out.add(p)
            else:
                walk(v, p)
    walk(fv1 or {}, ())
    return out


def ident(entry):
    op = entry.get('operation')
    return (entry.get('manager', ''), op, entry.get('subresource', ''),
            entry.get('apiVersion', '') if op == 'Update' else '')


def decode_managers(entries):
    """managedFields list -> {ident: [entry-without-fields, set]}"""
    out = {}
    for e in entries or []:
        meta = {k: v for k, v in e.items() if k not in ('fieldsV1', 'fieldsType')}
        out[ident(e)] = [meta, from_fields_v1(e.get('fieldsV1'))]
    return out


def encode_managers(managers):
    entries = []
    for meta, s in managers.values():
        if not s:
            continue
        e = {'manager': meta.get('manager', ''), 'operation': meta['operation']}
        if meta.get('apiVersion'):
            e['apiVersion'] = meta['apiVersion']
        if meta.get('time'):
            e['time'] = meta['time']
        e['fieldsType'] = 'FieldsV1'
        e['fieldsV1'] = to_fields_v1(s)
        if meta.get('subresource'):
            e['subresource'] = meta['subresource']
        entries.append(e)
    entries.sort(key=lambda e: (e['operation'], e.get('time', ''), e['manager'],
                                e.get('apiVersion', ''), e.get('subresource', '')))
    return entries


def manager_label(meta):
    s = json.dumps(meta.get('manager', ''))
    if meta.get('subresource'):
        s += ' with subresource %s' % json.dumps(meta['subresource'])
    if meta.get('operation') == 'Update':
        s += ' using %s' % meta.get('apiVersion', '')
    return s


def conflict_message(conflicts):
    if len(conflicts) == 1:
        meta, p = conflicts[0]
        return 'Apply failed with 1 conflict: conflict with %s: %s' % (
            manager_label(meta), path_string(p))
    by = {}
    for meta, p in conflicts:
        by.setdefault(manager_label(meta), []).append(path_string(p))
    lines = []
    for m in sorted(by):
        lines.append('conflicts with %s:' % m)
        lines.extend('- ' + p for p in by[m])
    return 'Apply failed with %d conflicts: %s' % (len(conflicts), '\n'.join(lines))


def _settle(managers, me, changed, removed, force):
    conflicts = []
    for key, (meta, s) in managers.items():
        if key == me:
            continue
        for p in sorted(s & changed, key=path_string):
            conflicts.append((meta, p))
    if conflicts and not force:
        raise ConflictError(conflicts)
    for key, entry in managers.items():
        if key != me:
            entry[1] = entry[1] - changed
        entry[1] = entry[1] - removed


def apply(live, cfg, t, managers, manager, api_version, now, force,
          has_status_sub=False, subresource=''):
    """Return (merged object, managers).  live/cfg are full objects."""
    me = (manager, 'Apply', subresource, '')
    if subresource == 'status':
        cfg_s = {'status': cfg['status']} if 'status' in cfg else {}
        has_status_sub = False
    else:
        cfg_s = strip_ignored(cfg, has_status_sub)
    new_set = to_set(cfg_s, t)
    merged = merge(live, cfg_s, t)
    last = managers.get(me, [None, set()])[1]
    others = [s for k, (_, s) in managers.items() if k != me]
    # structured-merge-diff prune: what the applier owned last time and no
    # longer applies goes, unless some manager owns that very path; a removed
    # list item goes whole, even if another manager owns a field inside it.
    doomed = {p for p in last - new_set if not any(p in s for s in others)}
    for p in sorted(doomed, key=len, reverse=True):
        if any(p[:i] in doomed for i in range(1, len(p))):
            continue        # goes with its removed ancestor
        remove_at(merged, p, t)
    live_s = strip_ignored(live, has_status_sub)
    merged_s = strip_ignored(merged, has_status_sub)
    added, removed, modified = compare(live_s, merged_s, t)
    managers = {k: [dict(m), set(s)] for k, (m, s) in managers.items()}
    managers[me] = [{'manager': manager, 'operation': 'Apply', 'apiVersion': api_version,
                     'time': now, 'subresource': subresource}, new_set]
    _settle(managers, me, added | modified, removed, force)
    return merged, managers


def update(old, new, t, managers, manager, api_version, now,
           has_status_sub=False, subresource=''):
    """Attribute a non-apply write to manager (operation Update)."""
    me = (manager, 'Update', subresource, api_version)
    old_s = strip_ignored(old, has_status_sub and not subresource)
    new_s = strip_ignored(new, has_status_sub and not subresource)
    if subresource == 'status':
        old_s = {'status': old_s.get('status')} if 'status' in old_s else {}
        new_s = {'status': new_s.get('status')} if 'status' in new_s else {}
    added, removed, modified = compare(old_s, new_s, t)
    managers = {k: [dict(m), set(s)] for k, (m, s) in managers.items()}
    _settle(managers, me, added | modified, removed, True)
    mine = managers.get(me, [None, set()])[1]
    mine = (mine | added | modified) - removed
    meta = {'manager': manager, 'operation': 'Update', 'apiVersion': api_version,
            'time': now, 'subresource': subresource}
    if me in managers and not (added or modified or removed):
        meta['time'] = managers[me][0].get('time', now)
    managers[me] = [meta, mine]
    return managers


def cap_updates(managers, limit=10, bucket_name='ancient-changes'):
    """Keep at most `limit` Update managers: the oldest are merged, per
    apiVersion, into an 'ancient-changes' entry (fieldmanager capmanagers.go)."""
    updaters = [k for k, (m, _) in managers.items() if m.get('operation') == 'Update']
    if len(updaters) <= limit:
        return managers
    updaters.sort(key=lambda k: (managers[k][0].get('time', ''), json.dumps(k)))
    first_by_version = {}
    length = len(updaters)
    for k in updaters:
        if length <= limit:
            break
        meta, s = managers[k]
        version = meta.get('apiVersion', '')
        bucket = (bucket_name, 'Update', '', version)
        if version in first_by_version:
            if bucket not in managers:
                first = first_by_version[version]
                managers[bucket] = [dict(managers[first][0], manager=bucket_name, subresource=''),
                                    managers[first][1]]
                del managers[first]
            managers[bucket] = [dict(managers[bucket][0], time=meta.get('time')),
                                managers[bucket][1] | s]
            del managers[k]
            length -= 1
        else:
            first_by_version[version] = k
    return managers
