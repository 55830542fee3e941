"""Discovery and OpenAPI v3 documents generated from the resource table
(reference sections 0, 1.1 and 1.3).

Clients that ask for aggregated discovery (apidiscovery.k8s.io/v2) on /api
and /apis get it; everyone else gets the legacy documents as plain
application/json.  Each group-version's OpenAPI document carries, for every
kind, a PATCH operation with x-kubernetes-group-version-kind and a
fieldValidation parameter: that is what kubectl reads to decide on server-side
field validation.  The strategic-merge content type is deliberately not listed
(see README, known differences): kubectl then builds strategic patches from
its compiled-in types, exactly as it does for built-in kinds.
"""
import hashlib
import json

VERSION = {
    'major': '1', 'minor': '32', 'gitVersion': 'v1.32.0-emulator',
    'gitCommit': '0000000000000000000000000000000000000000', 'gitTreeState': 'clean',
    'buildDate': '2025-01-01T00:00:00Z', 'goVersion': 'go1.23.4', 'compiler': 'gc',
    'platform': 'linux/amd64',
}


def api_versions(host):
    return {'kind': 'APIVersions', 'versions': ['v1'],
            'serverAddressByClientCIDRs': [{'clientCIDR': '0.0.0.0/0', 'serverAddress': host}]}


def _group(g, versions):
    vs = [{'groupVersion': '%s/%s' % (g, v), 'version': v} for v in versions]
    return {'name': g, 'versions': vs, 'preferredVersion': vs[0]}


def api_group_list(cluster):
    groups = [_group(g, vs) for g, vs in cluster.groups() if g]
    return {'kind': 'APIGroupList', 'apiVersion': 'v1', 'groups': groups}


def api_group(cluster, name):
    for g, vs in cluster.groups():
        if g == name and g:
            d = _group(g, vs)
            d.update({'kind': 'APIGroup', 'apiVersion': 'v1'})
            return d
    return None


def _sub_entry(r, sub):
    e = {'name': '%s/%s' % (r.plural, sub), 'singularName': '', 'namespaced': r.namespaced,
         'kind': r.kind, 'verbs': ['get', 'patch', 'update']}
    if sub == 'scale':
        e.update({'group': 'autoscaling', 'version': 'v1', 'kind': 'Scale'})
    if sub == 'finalize':
        e['verbs'] = ['update']
    return e


def resource_list(cluster, group, version):
    rs = [r for r in cluster.all_resources() if r.group == group and r.version == version]
    if not rs:
        return None
    out = []
    for r in sorted(rs, key=lambda r: r.plural):
        e = {'name': r.plural, 'singularName': r.singular, 'namespaced': r.namespaced,
             'kind': r.kind, 'verbs': r.verbs}
        if r.short:
            e['shortNames'] = r.short
        if r.categories:
            e['categories'] = r.categories
        e['storageVersionHash'] = hashlib.sha256(r.key.encode()).hexdigest()[:12]
        out.append(e)
        for sub in r.subresources:
            out.append(_sub_entry(r, sub))
    gv = '%s/%s' % (group, version) if group else version
    return {'kind': 'APIResourceList', 'apiVersion': 'v1', 'groupVersion': gv, 'resources': out}


# --- aggregated discovery (reference 1.2) -----------------------------------------

AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'


def wants_aggregated(accept):
    for part in (accept or '').split(','):
        params = {p.strip() for p in part.split(';')[1:]}
        if {'g=apidiscovery.k8s.io', 'v=v2', 'as=APIGroupDiscoveryList'} <= params:
            return True
    return False


def _agg_resource(r):
    gvk = {'group': r.group, 'version': r.version, 'kind': r.kind}
    e = {'resource': r.plural, 'responseKind': gvk,
         'scope': 'Namespaced' if r.namespaced else 'Cluster',
         'singularResource': r.singular, 'verbs': r.verbs}
    if r.short:
        e['shortNames'] = r.short
    if r.categories:
        e['categories'] = r.categories
    subs = []
    for sub in r.subresources:
        kind = {'group': 'autoscaling', 'version': 'v1', 'kind': 'Scale'} if sub == 'scale' else gvk
        subs.append({'subresource': sub, 'responseKind': kind,
                     'verbs': ['update'] if sub == 'finalize' else ['get', 'patch', 'update']})
    if subs:
        e['subresources'] = subs
    return e


def aggregated(cluster, legacy):
    items = []
    for g, vs in cluster.groups():
        if (g == '') != legacy:
            continue
        versions = []
        for v in vs:
            rs = sorted((r for r in cluster.all_resources() if r.group == g and r.version == v),
                        key=lambda r: r.plural)
            versions.append({'version': v, 'resources': [_agg_resource(r) for r in rs],
                             'freshness': 'Current'})
        md = {'name': g, 'creationTimestamp': None} if g else {'creationTimestamp': None}
        items.append({'metadata': md, 'versions': versions})
    return {'kind': 'APIGroupDiscoveryList', 'apiVersion': 'apidiscovery.k8s.io/v2',
            'metadata': {}, 'items': items}


# --- OpenAPI v3 -----------------------------------------------------------------

_QUERY = {
    'dryRun': 'When present, indicates that modifications should not be persisted.',
    'fieldManager': 'fieldManager is a name associated with the actor or entity that is making these changes.',
    'fieldValidation': 'fieldValidation instructs the server on how to handle objects in the request '
                       '(POST/PUT/PATCH) containing unknown or duplicate fields: Ignore, Warn or Strict.',
    'force': 'Force is going to "force" Apply requests.',
}


def _param(name, typ='string'):
    return {'name': name, 'in': 'query', 'description': _QUERY.get(name, name),
            'schema': {'type': typ, 'uniqueItems': True}}


def _op_id(verb, r, namespaced, collection=False):
    g = ''.join(p.capitalize() for p in (r.group or 'core').replace('-', '.').split('.')[:1])
    return '%s%s%s%s%s' % (verb, g, r.version.capitalize(), 'Namespaced' if namespaced else '',
                          r.kind + ('List' if collection else ''))


def _schema_name(r):
    g = r.group or 'core'
    return 'io.k8s.emulator.%s.%s.%s' % (g, r.version, r.kind)


def _gvk(r):
    return {'group': r.group, 'version': r.version, 'kind': r.kind}


def _ref(r):
    return {'$ref': '#/components/schemas/%s' % _schema_name(r)}


def _ok(r):
    return {'200': {'description': 'OK', 'content': {'application/json': {'schema': _ref(r)}}},
            '401': {'description': 'Unauthorized'}}


def _paths(r):
    base = '/api/%s' % r.version if not r.group else '/apis/%s/%s' % (r.group, r.version)
    coll = '%s/namespaces/{namespace}/%s' % (base, r.plural) if r.namespaced else '%s/%s' % (base, r.plural)
    item = coll + '/{name}'
    ext = {'x-kubernetes-group-version-kind': _gvk(r)}
    write = [_param('dryRun'), _param('fieldManager'), _param('fieldValidation')]
    paths = {}
    if 'create' in r.verbs:
        paths[coll] = {
            'post': dict(ext, **{'operationId': _op_id('create', r, r.namespaced),
                                 'parameters': write, 'x-kubernetes-action': 'post',
                                 'requestBody': {'content': {'application/json': {'schema': _ref(r)}}},
                                 'responses': _ok(r)}),
        }
    if 'list' in r.verbs:
        paths.setdefault(coll, {})['get'] = dict(ext, **{
            'operationId': _op_id('list', r, r.namespaced, True), 'x-kubernetes-action': 'list',
            'parameters': [_param('labelSelector'), _param('fieldSelector'), _param('limit', 'integer'),
                           _param('continue'), _param('watch', 'boolean'),
                           _param('resourceVersion'), _param('timeoutSeconds', 'integer'),
                           _param('allowWatchBookmarks', 'boolean')],
            'responses': {'200': {'description': 'OK'}}})
    if 'get' in r.verbs:
        content = {ct: {'schema': {'$ref': '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch'}}
                   for ct in (['application/apply-patch+yaml', 'application/json-patch+json',
                               'application/merge-patch+json'])}
        paths[item] = {
            'get': dict(ext, **{'operationId': _op_id('read', r, r.namespaced),
                                'x-kubernetes-action': 'get', 'responses': _ok(r)}),
            'put': dict(ext, **{'operationId': _op_id('replace', r, r.namespaced),
                                'x-kubernetes-action': 'put', 'parameters': write,
                                'requestBody': {'content': {'application/json': {'schema': _ref(r)}}},
                                'responses': _ok(r)}),
            'patch': dict(ext, **{'operationId': _op_id('patch', r, r.namespaced),
                                  'x-kubernetes-action': 'patch',
                                  'parameters': write + [_param('force', 'boolean')],
                                  'requestBody': {'content': content}, 'responses': _ok(r)}),
            'delete': dict(ext, **{'operationId': _op_id('delete', r, r.namespaced),
                                   'x-kubernetes-action': 'delete', 'parameters': [_param('dryRun')],
                                   'responses': {'200': {'description': 'OK'}}}),
            'parameters': [{'name': 'name', 'in': 'path', 'required': True,
                            'schema': {'type': 'string', 'uniqueItems': True}}],
        }
        if r.namespaced:
            paths[item]['parameters'].append({'name': 'namespace', 'in': 'path', 'required': True,
                                              'schema': {'type': 'string', 'uniqueItems': True}})
    return paths


def _kind_schema(r):
    if r.crd and isinstance(r.schema, dict) and r.schema:
        s = json.loads(json.dumps(r.schema))
    else:
        s = {'type': 'object', 'description': '%s (emulator schema: fields are not enumerated)' % r.kind,
             'properties': {'apiVersion': {'type': 'string'}, 'kind': {'type': 'string'},
                            'metadata': {'type': 'object'}},
             'x-kubernetes-preserve-unknown-fields': True}
    s['x-kubernetes-group-version-kind'] = [_gvk(r)]
    return s


def openapi_doc(cluster, group, version):
    rs = [r for r in cluster.all_resources() if r.group == group and r.version == version]
    if not rs:
        return None
    paths, schemas = {}, {}
    for r in rs:
        paths.update(_paths(r))
        schemas[_schema_name(r)] = _kind_schema(r)
    schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = {
        'description': 'Patch is provided to give a concrete name and type to the Kubernetes PATCH '
                       'request body.', 'type': 'object'}
    return {'openapi': '3.0.0', 'info': {'title': 'Kubernetes', 'version': 'v1.32.0'},
            'paths': paths, 'components': {'schemas': schemas}}


class OpenAPICache:
    """Serialised OpenAPI documents, rebuilt when the resource set changes."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.version = -1
        self.docs = {}

    def _refresh(self):
        if self.version == self.cluster.discovery_version:
            return
        docs = {}
        for g, vs in self.cluster.groups():
            for v in vs:
                key = 'api/%s' % v if not g else 'apis/%s/%s' % (g, v)
                body = json.dumps(openapi_doc(self.cluster, g, v), separators=(',', ':')).encode()
                docs[key] = (body, hashlib.sha512(body).hexdigest().upper())
        self.docs = docs
        self.version = self.cluster.discovery_version

    def root(self):
        self._refresh()
        return {'paths': {k: {'serverRelativeURL': '/openapi/v3/%s?hash=%s' % (k, h)}
                          for k, (_, h) in sorted(self.docs.items())}}

    def doc(self, key):
        self._refresh()
        return self.docs.get(key)
