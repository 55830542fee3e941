"""Structural-schema handling for custom resources: pruning of unknown
fields, OpenAPI defaults, and validation with Kubernetes' field error
wording (reference sections 5.2 and 8; CEL rules are not evaluated).
"""
import json
import re


class FieldError:
    def __init__(self, reason, field, body):
        self.reason, self.field, self.body = reason, field, body

    def __str__(self):
        return '%s: %s' % (self.field, self.body)

    def cause(self):
        return {'reason': self.reason, 'message': self.body, 'field': self.field}


def _fmt(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    return json.dumps(v, separators=(',', ':'))


def _typename(v):
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'boolean'
    if isinstance(v, int):
        return 'integer'
    if isinstance(v, float):
        return 'number'
    if isinstance(v, str):
        return 'string'
    if isinstance(v, list):
        return 'array'
    return 'object'


def _type_ok(v, typ):
    if typ == 'string':
        return isinstance(v, str)
    if typ == 'integer':
        return isinstance(v, int) and not isinstance(v, bool)
    if typ == 'number':
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if typ == 'boolean':
        return isinstance(v, bool)
    if typ == 'array':
        return isinstance(v, list)
    if typ == 'object':
        return isinstance(v, dict)
    return True


def _join(path, key):
    return '%s.%s' % (path, key) if path else key


def prune(v, s, path, unknown, root=False):
    """Drop fields the schema does not know; record their paths."""
    if not isinstance(s, dict):
        return v
    if isinstance(v, dict):
        props = s.get('properties')
        ap = s.get('additionalProperties')
        keep_all = s.get('x-kubernetes-preserve-unknown-fields') or ap is True
        for k in list(v):
            if root and k in ('apiVersion', 'kind', 'metadata'):
                continue
            if props is not None and k in props:
                v[k] = prune(v[k], props[k], _join(path, k), unknown)
            elif isinstance(ap, dict):
                v[k] = prune(v[k], ap, _join(path, k), unknown)
            elif not keep_all and not s.get('x-kubernetes-int-or-string'):
                unknown.append(_join(path, k))
                del v[k]
    elif isinstance(v, list) and isinstance(s.get('items'), dict):
        for i, x in enumerate(v):
            v[i] = prune(x, s['items'], '%s[%d]' % (path, i), unknown)
    return v


def default(v, s):
    """Apply schema defaults and drop nulls of non-nullable fields."""
    if not isinstance(s, dict):
        return
    if isinstance(v, dict):
        props = s.get('properties') or {}
        for k, ps in props.items():
            if not isinstance(ps, dict):
                continue
            if k in v and v[k] is None and not ps.get('nullable'):
                if 'default' in ps:
                    v[k] = json.loads(json.dumps(ps['default']))
                else:
                    del v[k]
            elif k not in v and 'default' in ps:
                v[k] = json.loads(json.dumps(ps['default']))
            if k in v:
                default(v[k], ps)
        ap = s.get('additionalProperties')
        if isinstance(ap, dict):
            for k in v:
                if k not in props:
                    default(v[k], ap)
    elif isinstance(v, list) and isinstance(s.get('items'), dict):
        for x in v:
            default(x, s['items'])


def validate(v, s, path, errs):
    if not isinstance(s, dict):
        return
    if v is None:
        if not s.get('nullable') and s.get('type'):
            errs.append(FieldError('FieldValueTypeInvalid', path,
                                   'Invalid value: "null": %s in body must be of type %s: "null"'
                                   % (path, s['type'])))
        return
    typ = s.get('type')
    if s.get('x-kubernetes-int-or-string'):
        if not (isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))):
            errs.append(FieldError('FieldValueTypeInvalid', path,
                                   'Invalid value: "%s": %s in body must be of type integer,string: "%s"'
                                   % (_typename(v), path, _typename(v))))
            return
    elif typ and not _type_ok(v, typ):
        t = _typename(v)
        errs.append(FieldError('FieldValueTypeInvalid', path,
                               'Invalid value: "%s": %s in body must be of type %s: "%s"'
                               % (t, path, typ, t)))
        return
    if 'enum' in s and v not in s['enum']:
        errs.append(FieldError('FieldValueNotSupported', path,
                               'Unsupported value: %s: supported values: %s'
                               % (_fmt(v), ', '.join(_fmt(x) for x in s['enum']))))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if 'minimum' in s and (v < s['minimum'] or (s.get('exclusiveMinimum') and v == s['minimum'])):
            errs.append(FieldError('FieldValueInvalid', path,
                                   'Invalid value: %s: %s in body should be greater than or equal to %s'
                                   % (_fmt(v), path, _fmt(s['minimum']))))
        if 'maximum' in s and (v > s['maximum'] or (s.get('exclusiveMaximum') and v == s['maximum'])):
            errs.append(FieldError('FieldValueInvalid', path,
                                   'Invalid value: %s: %s in body should be less than or equal to %s'
                                   % (_fmt(v), path, _fmt(s['maximum']))))
    if isinstance(v, str):
        if 'maxLength' in s and len(v) > s['maxLength']:
            errs.append(FieldError('FieldValueTooLong', path,
                                   'Too long: may not be more than %d bytes' % s['maxLength']))
        if 'minLength' in s and len(v) < s['minLength']:
            errs.append(FieldError('FieldValueInvalid', path,
                                   'Invalid value: %s: %s in body should be at least %d chars long'
                                   % (_fmt(v), path, s['minLength'])))
        if 'pattern' in s:
            try:
                ok = re.search(s['pattern'], v) is not None
            except re.error:
                ok = True
            if not ok:
                errs.append(FieldError('FieldValueInvalid', path,
                                       "Invalid value: %s: %s in body should match '%s'"
                                       % (_fmt(v), path, s['pattern'])))
    if isinstance(v, list):
        if 'maxItems' in s and len(v) > s['maxItems']:
            errs.append(FieldError('FieldValueTooMany', path,
                                   'Too many: %d: must have at most %d items' % (len(v), s['maxItems'])))
        if 'minItems' in s and len(v) < s['minItems']:
            errs.append(FieldError('FieldValueInvalid', path,
                                   'Invalid value: %d: %s in body should have at least %d items'
                                   % (len(v), path, s['minItems'])))
        lt = s.get('x-kubernetes-list-type')
        if lt in ('set', 'map'):
            keys = s.get('x-kubernetes-list-map-keys') or []
            seen = set()
            for i, x in enumerate(v):
                k = json.dumps([x.get(k) for k in keys] if lt == 'map' and isinstance(x, dict)
                               else x, sort_keys=True)
                if k in seen:
                    errs.append(FieldError('FieldValueDuplicate', '%s[%d]' % (path, i),
                                           'Duplicate value: %s' % _fmt(
                                               {kk: x.get(kk) for kk in keys} if lt == 'map' and isinstance(x, dict) else x)))
                seen.add(k)
        if isinstance(s.get('items'), dict):
            for i, x in enumerate(v):
                validate(x, s['items'], '%s[%d]' % (path, i), errs)
    if isinstance(v, dict):
        if 'maxProperties' in s and len(v) > s['maxProperties']:
            errs.append(FieldError('FieldValueTooMany', path,
                                   'Too many: %d: must have at most %d items' % (len(v), s['maxProperties'])))
        for r in s.get('required') or []:
            if r not in v:
                errs.append(FieldError('FieldValueRequired', _join(path, r), 'Required value'))
        props = s.get('properties') or {}
        ap = s.get('additionalProperties')
        for k, x in v.items():
            if not path and k in ('apiVersion', 'kind', 'metadata'):
                continue
            if k in props:
                validate(x, props[k], _join(path, k), errs)
            elif isinstance(ap, dict):
                validate(x, ap, _join(path, k), errs)


def process(obj, schema):
    """Prune, default and validate a custom resource in place.
    Returns (unknown field paths, field errors)."""
    unknown = []
    prune(obj, schema, '', unknown, root=True)
    default(obj, schema)
    errs = []
    validate(obj, schema, '', errs)
    errs.sort(key=lambda e: e.field)   # deterministic; the real order is not specified
    return unknown, errs
