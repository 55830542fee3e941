"""The few built-in validation rules the emulator enforces (names, replicas,
containers, selectors), worded as the API server words them (reference 2.2)."""
import re

from schema import FieldError

_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_LABEL_KINDS = {'Namespace', 'Service'}
_RBAC_KINDS = {'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'}


def _q(v):
    return '"%s"' % v


def validate_name(kind, name):
    if kind in _RBAC_KINDS:
        if name in ('.', '..') or '/' in name or '%' in name:
            return [FieldError('FieldValueInvalid', 'metadata.name',
                               'Invalid value: %s: may not contain \'/\' or \'%%\'' % _q(name))]
        return []
    if kind in _LABEL_KINDS:
        if len(name) > 63 or not _LABEL.match(name):
            return [FieldError('FieldValueInvalid', 'metadata.name',
                               'Invalid value: %s: a lowercase RFC 1123 label must consist of lower case '
                               'alphanumeric characters or \'-\', and must start and end with an alphanumeric '
                               'character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is '
                               '\'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')' % _q(name))]
        return []
    if len(name) > 253 or not _SUBDOMAIN.match(name):
        return [FieldError('FieldValueInvalid', 'metadata.name',
                           'Invalid value: %s: a lowercase RFC 1123 subdomain must consist of lower case '
                           'alphanumeric characters, \'-\' or \'.\', and must start and end with an '
                           'alphanumeric character (e.g. \'example.com\', regex used for validation is '
                           '\'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')' % _q(name))]
    return []


def _pod_spec(ps, path):
    errs = []
    cs = ps.get('containers')
    if not cs:
        errs.append(FieldError('FieldValueRequired', path + '.containers', 'Required value'))
    for i, c in enumerate(cs or []):
        p = '%s.containers[%d]' % (path, i)
        if not isinstance(c, dict):
            continue
        if not c.get('name'):
            errs.append(FieldError('FieldValueRequired', p + '.name', 'Required value'))
        if not c.get('image'):
            errs.append(FieldError('FieldValueRequired', p + '.image', 'Required value'))
    return errs


def _selector_matches(sel, labels):
    ml = (sel or {}).get('matchLabels') or {}
    return all((labels or {}).get(k) == v for k, v in ml.items())


def annotations_size(obj):
    ann = (obj.get('metadata') or {}).get('annotations') or {}
    size = sum(len(k) + len(str(v)) for k, v in ann.items())
    if size > 262144:
        return [FieldError('FieldValueTooLong', 'metadata.annotations',
                           'Too long: may not be more than 262144 bytes')]
    return []


def validate(kind, obj):
    errs = annotations_size(obj)
    spec = obj.get('spec') if isinstance(obj.get('spec'), dict) else {}
    if kind in ('Deployment', 'StatefulSet', 'ReplicaSet'):
        r = spec.get('replicas')
        if isinstance(r, int) and r < 0:
            errs.append(FieldError('FieldValueInvalid', 'spec.replicas',
                                   'Invalid value: %d: must be greater than or equal to 0' % r))
    if kind in ('Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'):
        sel = spec.get('selector')
        if not sel:
            errs.append(FieldError('FieldValueRequired', 'spec.selector', 'Required value'))
        else:
            labels = ((spec.get('template') or {}).get('metadata') or {}).get('labels')
            if not _selector_matches(sel, labels):
                errs.append(FieldError('FieldValueInvalid', 'spec.template.metadata.labels',
                                       'Invalid value: map[string]string{%s}: `selector` does not match '
                                       'template `labels`' % ', '.join(
                                           '"%s":"%s"' % kv for kv in sorted((labels or {}).items()))))
        ps = (spec.get('template') or {}).get('spec')
        errs += _pod_spec(ps if isinstance(ps, dict) else {}, 'spec.template.spec')
    elif kind == 'Pod':
        errs += _pod_spec(spec, 'spec')
    elif kind == 'Job':
        ps = (spec.get('template') or {}).get('spec')
        errs += _pod_spec(ps if isinstance(ps, dict) else {}, 'spec.template.spec')
        rp = (ps or {}).get('restartPolicy')
        if rp not in ('OnFailure', 'Never'):
            errs.append(FieldError('FieldValueNotSupported', 'spec.template.spec.restartPolicy',
                                   'Unsupported value: "%s": supported values: "OnFailure", "Never"' % rp))
    elif kind == 'Service':
        for i, p in enumerate(spec.get('ports') or []):
            port = (p or {}).get('port')
            if not isinstance(port, int) or not 0 < port < 65536:
                errs.append(FieldError('FieldValueInvalid', 'spec.ports[%d].port' % i,
                                       'Invalid value: %s: must be between 1 and 65535, inclusive' % port))
    return errs


def _go_str_map(m):
    return 'map[string]string{%s}' % ', '.join('"%s":"%s"' % kv for kv in sorted((m or {}).items()))


def go_label_selector(sel):
    """%#v of a v1.LabelSelector, as the API server prints it in field errors."""
    sel = sel or {}
    ml = 'map[string]string(nil)' if sel.get('matchLabels') is None else _go_str_map(sel['matchLabels'])
    exprs = sel.get('matchExpressions')
    if not exprs:
        me = '[]v1.LabelSelectorRequirement(nil)'
    else:
        me = '[]v1.LabelSelectorRequirement{%s}' % ', '.join(
            'v1.LabelSelectorRequirement{Key:"%s", Operator:"%s", Values:%s}' % (
                e.get('key', ''), e.get('operator', ''),
                '[]string{%s}' % ', '.join('"%s"' % v for v in e['values']) if e.get('values')
                else '[]string(nil)') for e in exprs)
    return 'v1.LabelSelector{MatchLabels:%s, MatchExpressions:%s}' % (ml, me)


_STS_MUTABLE = ('replicas', 'ordinals', 'template', 'updateStrategy',
                'persistentVolumeClaimRetentionPolicy', 'minReadySeconds')


def validate_update(kind, old, new):
    """Immutable fields (apps selectors, Job template, Service clusterIPs,
    RBAC roleRef, immutable ConfigMaps/Secrets, StatefulSet spec)."""
    errs = []
    ospec = old.get('spec') if isinstance(old.get('spec'), dict) else {}
    nspec = new.get('spec') if isinstance(new.get('spec'), dict) else {}
    if kind in ('Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'):
        if kind != 'ReplicaSet' and ospec.get('selector') != nspec.get('selector'):
            errs.append(FieldError('FieldValueInvalid', 'spec.selector', 'Invalid value: %s: field is immutable'
                                   % go_label_selector(nspec.get('selector'))))
    if kind == 'Job' and ospec.get('template') != nspec.get('template'):
        errs.append(FieldError('FieldValueInvalid', 'spec.template',
                               'Invalid value: core.PodTemplateSpec{...}: field is immutable'))
    if kind == 'StatefulSet':
        a = {k: v for k, v in ospec.items() if k not in _STS_MUTABLE + ('selector',)}
        b = {k: v for k, v in nspec.items() if k not in _STS_MUTABLE + ('selector',)}
        if a != b:
            errs.append(FieldError('FieldValueForbidden', 'spec',
                                   "Forbidden: updates to statefulset spec for fields other than 'replicas', "
                                   "'ordinals', 'template', 'updateStrategy', "
                                   "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
    if kind == 'Service':
        oips, nips = ospec.get('clusterIPs') or [], nspec.get('clusterIPs') or []
        if oips and nips and oips[0] != nips[0] and ospec.get('type') != 'ExternalName' \
                and nspec.get('type') != 'ExternalName':
            errs.append(FieldError('FieldValueInvalid', 'spec.clusterIPs[0]',
                                   'Invalid value: []string{%s}: may not change once set'
                                   % ', '.join('"%s"' % ip for ip in nips)))
    if kind in ('RoleBinding', 'ClusterRoleBinding') and old.get('roleRef') != new.get('roleRef'):
        r = new.get('roleRef') or {}
        errs.append(FieldError('FieldValueInvalid', 'roleRef',
                               'Invalid value: rbac.RoleRef{APIGroup:"%s", Kind:"%s", Name:"%s"}: '
                               'cannot change roleRef' % (r.get('apiGroup', ''), r.get('kind', ''),
                                                          r.get('name', ''))))
    if kind in ('ConfigMap', 'Secret') and old.get('immutable'):
        for f in ('data', 'binaryData') if kind == 'ConfigMap' else ('data',):
            if old.get(f) != new.get(f):
                errs.append(FieldError('FieldValueForbidden', f,
                                       'Forbidden: field is immutable when `immutable` is set'))
        if not new.get('immutable'):
            errs.append(FieldError('FieldValueForbidden', 'immutable',
                                   'Forbidden: field is immutable when `immutable` is set'))
    return errs
