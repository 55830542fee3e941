"""Non-apply PATCH bodies: RFC 6902 JSON patch, RFC 7386 merge patch and
strategic merge patch (reference section 4.1).

Strategic merge uses the same type tables as server-side apply: a list map's
first key is its patchMergeKey (containers by name, ports by containerPort or
port, conditions by type ...), sets merge as primitive lists, and every other
list is replaced.  Directives: $patch (replace/merge/delete), $retainKeys,
$deleteFromPrimitiveList/<f>, $setElementOrder/<f>.
"""
import copy


class PatchError(Exception):
    pass


# --- JSON patch ----------------------------------------------------------------

def _pointer(path):
    if path == '':
        return []
    if not path.startswith('/'):
        raise PatchError('JSON pointer must start with "/": %s' % path)
    return [p.replace('~1', '/').replace('~0', '~') for p in path[1:].split('/')]


def _parent(doc, parts, path):
    cur = doc
    for p in parts[:-1]:
        if isinstance(cur, dict):
            if p not in cur:
                raise PatchError('doc is missing path: "%s": missing value' % path)
            cur = cur[p]
        elif isinstance(cur, list):
            try:
                cur = cur[int(p)]
            except (ValueError, IndexError):
                raise PatchError('doc is missing path: "%s": missing value' % path)
        else:
            raise PatchError('doc is missing path: "%s": missing value' % path)
    return cur


def _get(doc, path):
    parts = _pointer(path)
    if not parts:
        return doc
    par = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(par, dict) and last in par:
        return par[last]
    if isinstance(par, list):
        try:
            return par[int(last)]
        except (ValueError, IndexError):
            pass
    raise PatchError('doc is missing path: "%s": missing value' % path)


def _add(doc, path, value, replace=False):
    parts = _pointer(path)
    if not parts:
        return value
    par = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(par, dict):
        if replace and last not in par:
            raise PatchError('replace operation does not apply: doc is missing key: %s: missing value' % path)
        par[last] = value
    elif isinstance(par, list):
        if last == '-':
            idx = len(par)
        else:
            try:
                idx = int(last)
            except ValueError:
                raise PatchError('unable to access invalid index: %s' % last)
        if replace:
            if not 0 <= idx < len(par):
                raise PatchError('replace operation does not apply: doc is missing key: %s: missing value' % path)
            par[idx] = value
        else:
            if not 0 <= idx <= len(par):
                raise PatchError('add operation does not apply: doc is missing path: "%s": missing value' % path)
            par.insert(idx, value)
    else:
        raise PatchError('add operation does not apply: doc is missing path: "%s": missing value' % path)
    return doc


def _remove(doc, path):
    parts = _pointer(path)
    par = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(par, dict) and last in par:
        return par.pop(last)
    if isinstance(par, list):
        try:
            return par.pop(int(last))
        except (ValueError, IndexError):
            pass
    raise PatchError('Unable to remove nonexistent key: %s: missing value' % last)


def json_patch(doc, ops):
    if not isinstance(ops, list):
        raise PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError('invalid JSON patch operation')
        kind, path = op.get('op'), op.get('path', '')
        if kind == 'add':
            doc = _add(doc, path, copy.deepcopy(op.get('value')))
        elif kind == 'replace':
            doc = _add(doc, path, copy.deepcopy(op.get('value')), replace=True)
        elif kind == 'remove':
            _remove(doc, path)
        elif kind == 'move':
            v = _remove(doc, op.get('from', ''))
            doc = _add(doc, path, v)
        elif kind == 'copy':
            doc = _add(doc, path, copy.deepcopy(_get(doc, op.get('from', ''))))
        elif kind == 'test':
            if _get(doc, path) != op.get('value'):
                raise PatchError('testing value %s failed: test failed' % path)
        else:
            raise PatchError('Unexpected kind: %s' % kind)
    return doc


# --- merge patch ---------------------------------------------------------------

def merge_patch(doc, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# --- strategic merge patch -----------------------------------------------------

def _merge_key(t):
    return t.keys[0] if t.kind == 'lmap' and t.keys else None


def _strip(v):
    """Remove directives from a value being added wholesale."""
    if isinstance(v, dict):
        if v.get('$patch') == 'delete':
            return None
        return {k: _strip(x) for k, x in v.items() if not k.startswith('$')}
    if isinstance(v, list):
        return [_strip(x) for x in v if not (isinstance(x, dict) and x.get('$patch') == 'delete')]
    return v


def _smp_list(orig, patch, t, order):
    key = _merge_key(t)
    if t.kind == 'set':
        out = list(orig)
        for x in patch:
            if x not in out:
                out.append(x)
        return out
    if key is None:
        return _strip(patch)
    if any(isinstance(x, dict) and x.get('$patch') == 'replace' for x in patch):
        return [_strip(x) for x in patch if not (isinstance(x, dict) and '$patch' in x)]
    out = [copy.deepcopy(x) for x in orig]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise PatchError('map: %s does not contain declared merge key: %s' % (item, key))
        idx = next((i for i, x in enumerate(out)
                    if isinstance(x, dict) and x.get(key) == item[key]), None)
        if item.get('$patch') == 'delete':
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(_strip(item))
        else:
            out[idx] = smp(out[idx], item, t.item())
    if order:
        pos = {}
        for i, o in enumerate(order):
            if isinstance(o, dict) and key in o:
                pos[str(o[key])] = i
        out.sort(key=lambda x: pos.get(str(x.get(key)), len(pos)))
    return out


def smp(orig, patch, t):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(orig, dict):
        orig = {}
    directive = patch.get('$patch')
    if directive == 'replace':
        return _strip(patch)
    if directive == 'delete':
        return None
    out = dict(orig)
    for k, v in patch.items():
        if k.startswith('$deleteFromPrimitiveList/'):
            f = k.split('/', 1)[1]
            if isinstance(out.get(f), list):
                out[f] = [x for x in out[f] if x not in v]
            continue
        if k.startswith('$'):
            continue
        ct = t.child(k)
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and not ct.is_atomic():
            r = smp(out.get(k), v, ct)
            if r is None:
                out.pop(k, None)
            else:
                out[k] = r
        elif isinstance(v, list) and isinstance(out.get(k), list):
            out[k] = _smp_list(out[k], v, ct, patch.get('$setElementOrder/' + k))
        else:
            out[k] = _strip(v)
    retain = patch.get('$retainKeys')
    if isinstance(retain, list):
        out = {k: x for k, x in out.items() if k in retain}
    return out
