"""Label and field selectors for LIST and WATCH (reference section 3.1).

A parsed selector is a list of requirements that are ANDed.  Label selectors
support =, ==, !=, in, notin, exists, !exists, > and <; field selectors only
=, == and !=, and only on the fields a resource declares selectable.
"""
import re


class SelectorError(ValueError):
    pass


_KEY = re.compile(r'^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?'
                  r'[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$')
_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$')


def _split_top(text):
    """Split on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, ''
    for ch in text:
        if ch == '(':
            depth += 1
        elif ch == ')':
            depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _check_key(key):
    if not _KEY.match(key) or len(key.split('/')[-1]) > 63:
        raise SelectorError('unable to parse requirement: invalid label key "%s"' % key)


def _check_value(v):
    if len(v) > 63 or not _VALUE.match(v):
        raise SelectorError('unable to parse requirement: invalid label value: "%s"' % v)


def parse_labels(text):
    reqs = []
    for tok in _split_top(text or ''):
        m = re.match(r'^(\S+)\s+(in|notin)\s*\((.*)\)$', tok)
        if m:
            key, op = m.group(1), m.group(2)
            vals = [v.strip() for v in m.group(3).split(',')]
            vals = [v for v in vals if v != ''] if op == 'notin' else vals
            _check_key(key)
            for v in vals:
                _check_value(v)
            reqs.append((key, op, set(vals)))
            continue
        m = re.match(r'^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$', tok)
        if m:
            key, op, val = m.groups()
            _check_key(key)
            if op in ('>', '<'):
                try:
                    int(val)
                except ValueError:
                    raise SelectorError('unable to parse requirement: for \'gt\', \'lt\' '
                                        'operators, the value must be an integer')
            else:
                _check_value(val)
            reqs.append((key, '=' if op == '==' else op, val))
            continue
        m = re.match(r'^(!?)\s*([^=!<>\s()]+)$', tok)
        if m:
            _check_key(m.group(2))
            reqs.append((m.group(2), '!' if m.group(1) else 'exists', None))
            continue
        raise SelectorError('unable to parse requirement: found \'%s\', expected a valid selector' % tok)
    return reqs


def match_labels(reqs, labels):
    labels = labels or {}
    for key, op, val in reqs:
        has = key in labels
        cur = labels.get(key)
        if op == '=':
            ok = has and cur == val
        elif op == '!=':
            ok = not has or cur != val
        elif op == 'in':
            ok = has and cur in val
        elif op == 'notin':
            ok = not has or cur not in val
        elif op == 'exists':
            ok = has
        elif op == '!':
            ok = not has
        else:
            try:
                n = int(cur)
            except (TypeError, ValueError):
                ok = False
            else:
                ok = n > int(val) if op == '>' else n < int(val)
        if not ok:
            return False
    return True


def parse_fields(text, allowed):
    """allowed: set of supported field paths (e.g. metadata.name)."""
    reqs = []
    for tok in _split_top(text or ''):
        m = re.match(r'^([^=!\s]+)\s*(==|=|!=)\s*(.*)$', tok)
        if not m:
            raise SelectorError('invalid selector: \'%s\'; can\'t understand \'%s\'' % (text, tok))
        field, op, val = m.groups()
        if field not in allowed:
            raise SelectorError('field label not supported: %s' % field)
        reqs.append((field, '!=' if op == '!=' else '=', val.strip()))
    return reqs


def field_value(obj, path):
    cur = obj
    for part in path.split('.'):
        if not isinstance(cur, dict):
            return ''
        cur = cur.get(part)
    if cur is None:
        return ''
    if isinstance(cur, bool):
        return 'true' if cur else 'false'
    return str(cur)


def match_fields(reqs, obj):
    for field, op, val in reqs:
        cur = field_value(obj, field)
        if (cur == val) != (op == '='):
            return False
    return True
