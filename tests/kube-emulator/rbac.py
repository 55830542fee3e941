"""Identity, impersonation and RBAC authorization (reference section 7).

The bearer-token holder (or, without --token, every client) is the user
"admin" in group system:masters, which may do anything, including
impersonate.  Impersonate-User / -Group / -Uid / -Extra-* headers switch the
identity; the impersonated user is then authorized by RBAC evaluated from
the stored Roles, ClusterRoles and their bindings (no aggregation rules).
Every authenticated user may read discovery, /version and /openapi and may
create SelfSubjectAccessReviews, as the bootstrap roles system:discovery and
system:basic-user allow on a real cluster.
"""
import urllib.parse

import status

RBAC = 'rbac.authorization.k8s.io'
MASTERS = 'system:masters'


class User:
    def __init__(self, name, groups, uid='', extra=None):
        self.name, self.groups, self.uid, self.extra = name, list(groups), uid, extra or {}

    def to_json(self):
        d = {'username': self.name, 'groups': self.groups}
        if self.uid:
            d['uid'] = self.uid
        if self.extra:
            d['extra'] = self.extra
        return d


ADMIN = User('admin', [MASTERS, 'system:authenticated'])


def from_headers(headers):
    """The effective user of a request authenticated as ADMIN."""
    user = headers.get('Impersonate-User')
    groups = headers.get_all('Impersonate-Group') or []
    uid = headers.get('Impersonate-Uid')
    extra = {}
    for k, v in headers.items():
        if k.lower().startswith('impersonate-extra-'):
            key = urllib.parse.unquote(k[len('impersonate-extra-'):]).lower()
            extra.setdefault(key, []).append(v)
    if not user:
        if groups or uid or extra:
            asked = ['group %s' % g for g in groups] + (['uid %s' % uid] if uid else []) + \
                    ['extra %s' % k for k in extra]
            raise status.StatusError(500, 'InternalError', 'Internal error occurred: requested [%s] '
                                     'without impersonating a user' % ', '.join(asked))
        return ADMIN
    if user.startswith('system:serviceaccount:') and not groups:
        parts = user.split(':')
        if len(parts) == 4:
            groups = ['system:serviceaccounts', 'system:serviceaccounts:' + parts[2]]
    if user != 'system:anonymous' and 'system:authenticated' not in groups:
        groups = list(groups) + ['system:authenticated']
    return User(user, groups, uid or '', extra)


def _subject_matches(s, user, binding_ns):
    kind = s.get('kind')
    if kind == 'User':
        return s.get('name') == user.name
    if kind == 'Group':
        return s.get('name') in user.groups
    if kind == 'ServiceAccount':
        ns = s.get('namespace') or binding_ns
        return user.name == 'system:serviceaccount:%s:%s' % (ns, s.get('name'))
    return False


def _rule_allows(rule, verb, group, resource, sub, name):
    verbs = rule.get('verbs') or []
    if '*' not in verbs and verb not in verbs:
        return False
    groups = rule.get('apiGroups') or []
    if '*' not in groups and group not in groups:
        return False
    full = '%s/%s' % (resource, sub) if sub else resource
    res = rule.get('resources') or []
    if not ('*' in res or full in res or (sub and '*/' + sub in res)):
        return False
    names = rule.get('resourceNames') or []
    return not names or name in names


def _rules_for(cluster, user, ns):
    """(rules, where) pairs that apply to user in namespace ns ('' = cluster scope)."""
    store = cluster.store
    roles = {e.obj['metadata']['name']: e.obj for e in store.items(RBAC + '/clusterroles')}
    for e in store.items(RBAC + '/clusterrolebindings'):
        b = e.obj
        if any(_subject_matches(s, user, '') for s in b.get('subjects') or []):
            ref = b.get('roleRef') or {}
            if ref.get('kind') == 'ClusterRole' and ref.get('name') in roles:
                yield roles[ref['name']].get('rules') or []
    if not ns:
        return
    for e in store.items(RBAC + '/rolebindings', ns):
        b = e.obj
        if not any(_subject_matches(s, user, ns) for s in b.get('subjects') or []):
            continue
        ref = b.get('roleRef') or {}
        if ref.get('kind') == 'ClusterRole' and ref.get('name') in roles:
            yield roles[ref['name']].get('rules') or []
        elif ref.get('kind') == 'Role':
            r = store.get(RBAC + '/roles', ns, ref.get('name', ''))
            if r is not None:
                yield r.obj.get('rules') or []


def allowed(cluster, user, verb, group, resource, sub='', ns='', name=''):
    if MASTERS in user.groups:
        return True
    if group == 'authorization.k8s.io' and resource in ('selfsubjectaccessreviews',
                                                        'selfsubjectrulesreviews') and verb == 'create':
        return True
    with cluster.lock:
        for rules in _rules_for(cluster, user, ns):
            if any(_rule_allows(r, verb, group, resource, sub, name) for r in rules):
                return True
    return False


def forbidden(user, verb, res, sub, ns, name):
    resource = res.plural + ('/' + sub if sub else '')
    if ns:
        why = 'User "%s" cannot %s resource "%s" in API group "%s" in the namespace "%s"' % (
            user.name, verb, resource, res.group, ns)
    else:
        why = 'User "%s" cannot %s resource "%s" in API group "%s" at the cluster scope' % (
            user.name, verb, resource, res.group)
    gr = res.group_resource
    msg = '%s "%s" is forbidden: %s' % (gr, name, why) if name else '%s is forbidden: %s' % (gr, why)
    d = {'name': name} if name else {}
    if res.group:
        d['group'] = res.group
    d['kind'] = res.plural
    return status.StatusError(403, 'Forbidden', msg, d)


def review(cluster, user, attrs):
    """status of a SelfSubjectAccessReview for user."""
    ra = attrs.get('resourceAttributes')
    if ra:
        ok = allowed(cluster, user, ra.get('verb', ''), ra.get('group', ''), ra.get('resource', ''),
                     ra.get('subresource', ''), ra.get('namespace', ''), ra.get('name', ''))
    else:
        ok = True   # non-resource URLs: system:discovery covers what clients ask about
    st = {'allowed': ok}
    if ok and MASTERS not in user.groups:
        st['reason'] = 'allowed by RBAC'
    elif ok:
        st['reason'] = 'member of system:masters'
    return st
