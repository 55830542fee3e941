"""Wire-level tests of the emulator with a plain HTTP client: the request
and response shapes client-go and tend depend on.  Each assertion is real
API server behaviour; comments cite shared/reference/kubernetes-api.md."""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Emulator, EmulatorTest, need_shared  # noqa: E402

CMS = '/api/v1/namespaces/default/configmaps'
DEPLOYS = '/apis/apps/v1/namespaces/default/deployments'


def cm(name, labels=None, data=None):
    o = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name}, 'data': data or {'k': 'v'}}
    if labels:
        o['metadata']['labels'] = labels
    return o


def watch_lines(emu, path, max_lines=100, timeout=10, headers=None):
    """Read a chunked watch stream until it ends; returns the decoded events."""
    c = emu.conn()
    c.request('GET', path, headers=dict(headers or {}, Authorization='Bearer ' + emu.token))
    r = c.getresponse()
    assert r.status == 200, r.status
    assert r.getheader('Transfer-Encoding') == 'chunked'
    events = []
    c.sock.settimeout(timeout)
    while len(events) < max_lines:
        line = r.readline()
        if not line:
            break
        events.append(json.loads(line))
    c.close()
    return events


class HTTPTest(EmulatorTest):
    TLS = False

    def req(self, *a, **kw):
        return self.emu.request(*a, **kw)

    def create(self, obj, path=CMS):
        code, body, _ = self.req('POST', path, obj)
        self.assertEqual(code, 201, body)
        return body

    def wait_status(self, path, timeout=5):
        """The object's status once a controller has written one."""
        deadline = time.time() + timeout
        while True:
            st = self.req('GET', path)[1].get('status')
            if st or time.time() > deadline:
                self.assertTrue(st, 'no status on %s after %ss' % (path, timeout))
                return st
            time.sleep(0.05)

    def test_metadata_owned_by_server(self):
        # section 2.3: uid, creationTimestamp (RFC3339 Z), increasing RV, managedFields Update
        a = self.create(cm('a'))
        b = self.create(cm('b'))
        self.assertRegex(a['metadata']['uid'], r'^[0-9a-f-]{36}$')
        self.assertRegex(a['metadata']['creationTimestamp'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        self.assertGreater(int(b['metadata']['resourceVersion']), int(a['metadata']['resourceVersion']))
        self.assertNotIn('generation', a['metadata'])
        mf = a['metadata']['managedFields'][0]
        self.assertEqual((mf['operation'], mf['apiVersion'], mf['fieldsType']), ('Update', 'v1', 'FieldsV1'))
        # section 2.3: a create carrying a resourceVersion is rejected
        bad = cm('c')
        bad['metadata']['resourceVersion'] = '5'
        self.assertNotEqual(self.req('POST', CMS, bad)[0], 201)

    def test_optimistic_concurrency_and_noop(self):
        # section 2.3: stale RV -> 409 Conflict with the exact wording; no-op keeps RV
        a = self.create(cm('a'))
        upd = dict(a, data={'k': 'w'})
        code, b, _ = self.req('PUT', CMS + '/a', upd)
        self.assertEqual(code, 200)
        code, body, _ = self.req('PUT', CMS + '/a', upd)
        self.assertEqual((code, body['reason']), (409, 'Conflict'))
        self.assertEqual(body['message'], 'Operation cannot be fulfilled on configmaps "a": the object has '
                                          'been modified; please apply your changes to the latest version '
                                          'and try again')
        code, c, _ = self.req('PUT', CMS + '/a', b)
        self.assertEqual(c['metadata']['resourceVersion'], b['metadata']['resourceVersion'])

    def test_errors_are_status_objects(self):
        # section 2.2: NotFound shape; namespace missing -> 404 namespaces "x" not found
        code, body, r = self.req('GET', CMS + '/nope')
        self.assertEqual(r.getheader('Content-Type'), 'application/json')
        self.assertEqual(body, {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                                'message': 'configmaps "nope" not found', 'reason': 'NotFound',
                                'details': {'name': 'nope', 'kind': 'configmaps'}, 'code': 404})
        code, body, _ = self.req('POST', '/api/v1/namespaces/ghost/configmaps', cm('a'))
        self.assertEqual((code, body['message']), (404, 'namespaces "ghost" not found'))
        # path segments are percent-decoded (a placeholder left in a rendered manifest)
        code, body, _ = self.req('POST', '/api/v1/namespaces/%24%7Bns%7D/configmaps', cm('a'))
        self.assertEqual((code, body['message']), (404, 'namespaces "${ns}" not found'))
        code, body, _ = self.req('POST', CMS, cm('a'))
        code, body, _ = self.req('POST', CMS, cm('a'))
        self.assertEqual((code, body['reason']), (409, 'AlreadyExists'))
        code, body, _ = self.req('GET', '/apis/nothing.example/v1/things')
        self.assertEqual((code, body['reason']), (404, 'NotFound'))
        # verbs a resource does not serve -> 405 MethodNotAllowed
        for method, path in (('PUT', CMS), ('DELETE', '/api/v1/namespaces'),
                             ('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')):
            code, body, _ = self.req(method, path, {} if method == 'PUT' else None)
            self.assertEqual((code, body['reason']), (405, 'MethodNotAllowed'), (method, path))

    def test_validation_422_with_causes(self):
        # section 2.2: Invalid uses Kind.group and field causes
        d = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'x'},
             'spec': {'replicas': -1, 'selector': {'matchLabels': {'a': 'b'}},
                      'template': {'metadata': {'labels': {'a': 'b'}},
                                   'spec': {'containers': [{'name': 'c', 'image': 'i'}]}}}}
        code, body, _ = self.req('POST', DEPLOYS, d)
        self.assertEqual(code, 422)
        self.assertEqual(body['message'], 'Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: '
                                          'must be greater than or equal to 0')
        self.assertEqual(body['details']['causes'], [{'reason': 'FieldValueInvalid', 'field': 'spec.replicas',
                                                      'message': 'Invalid value: -1: must be greater than or '
                                                                 'equal to 0'}])

    def test_list_pagination_and_selectors(self):
        # section 3.2: limit/continue, every page has the first page's RV
        for i in range(5):
            self.create(cm('c%d' % i, labels={'i': str(i), 'even': str(i % 2 == 0).lower()}))
        code, p1, _ = self.req('GET', CMS + '?limit=2')
        self.assertEqual((p1['kind'], p1['apiVersion']), ('ConfigMapList', 'v1'))
        self.assertEqual([o['metadata']['name'] for o in p1['items']], ['c0', 'c1'])
        # section 3.2: built-in list items carry no kind/apiVersion
        self.assertNotIn('kind', p1['items'][0])
        names = [o['metadata']['name'] for o in p1['items']]
        tok = p1['metadata']['continue']
        while tok:
            self.create(cm('z-late%d' % len(names)))
            code, p, _ = self.req('GET', CMS + '?limit=2&continue=' + tok)
            self.assertEqual(p['metadata']['resourceVersion'], p1['metadata']['resourceVersion'])
            names += [o['metadata']['name'] for o in p['items']]
            tok = p['metadata'].get('continue')
        self.assertEqual(names[:5], ['c0', 'c1', 'c2', 'c3', 'c4'])
        code, p, _ = self.req('GET', CMS + '?labelSelector=i+in+(1,3),even!=true')
        self.assertEqual([o['metadata']['name'] for o in p['items']], ['c1', 'c3'])
        code, p, _ = self.req('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dc2')
        self.assertEqual([o['metadata']['name'] for o in p['items']], ['c2'])
        code, body, _ = self.req('GET', CMS + '?fieldSelector=data.k%3Dv')
        self.assertEqual((code, body['message']), (400, 'field label not supported: data.k'))

    def test_watch_events_and_selector_transitions(self):
        # section 3.3/3.1: chunked JSON lines; label-selector watch sees ADDED/DELETED transitions
        a = self.create(cm('a', labels={'x': '1'}))
        rv = a['metadata']['resourceVersion']
        out = []
        t = threading.Thread(target=lambda: out.extend(watch_lines(
            self.emu, CMS + '?watch=true&labelSelector=x%3D1&timeoutSeconds=2&resourceVersion=' + rv)))
        t.start()
        time.sleep(0.3)
        a2 = dict(a)
        a2['metadata'] = dict(a['metadata'], labels={'x': '2'})
        self.req('PUT', CMS + '/a', a2)
        self.create(cm('b', labels={'x': '1'}))
        self.req('DELETE', CMS + '/b')
        t.join(10)
        self.assertEqual([(e['type'], e['object']['metadata']['name']) for e in out],
                         [('DELETED', 'a'), ('ADDED', 'b'), ('DELETED', 'b')])
        self.assertEqual(out[1]['object']['kind'], 'ConfigMap')

    def test_watch_initial_events_and_bookmarks(self):
        # section 3.3: RV unset => synthetic ADDED; bookmarks only when allowed
        self.create(cm('a'))
        ev = watch_lines(self.emu, CMS + '?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Da')
        self.assertEqual([e['type'] for e in ev], ['ADDED'])
        ev = watch_lines(self.emu, CMS + '?watch=1&timeoutSeconds=1&allowWatchBookmarks=true'
                                         '&fieldSelector=metadata.name%3Da')
        self.assertEqual(ev[-1]['type'], 'BOOKMARK')
        self.assertEqual(set(ev[-1]['object']['metadata']), {'resourceVersion'})

    def test_dry_run_stores_nothing(self):
        # section 2.1/4.2: dryRun=All runs the pipeline, returns the full object, stores nothing
        code, body, _ = self.req('POST', CMS + '?dryRun=All', cm('d'))
        self.assertEqual(code, 201)
        self.assertIn('uid', body['metadata'])
        self.assertEqual(self.req('GET', CMS + '/d')[0], 404)
        self.create(cm('d'))
        code, body, _ = self.req('PATCH', CMS + '/d?dryRun=All', {'data': {'k': 'z'}},
                                 ctype='application/merge-patch+json')
        self.assertEqual((code, body['data']), (200, {'k': 'z'}))
        self.assertEqual(self.req('GET', CMS + '/d')[1]['data'], {'k': 'v'})
        code, body, _ = self.req('DELETE', CMS + '/d?dryRun=All')
        self.assertEqual(code, 200)
        self.assertEqual(self.req('GET', CMS + '/d')[0], 200)

    def test_apply_options_validation(self):
        # section 4.1: fieldManager required for apply; force forbidden for other patches; 415
        code, body, _ = self.req('PATCH', CMS + '/a', json.dumps(cm('a')), ctype='application/apply-patch+yaml')
        self.assertEqual(code, 422)
        self.assertIn('fieldManager: Required value: is required for apply patch', body['message'])
        code, body, _ = self.req('PATCH', CMS + '/a?fieldManager=t', 'apiVersion: v1\nkind: ConfigMap\n'
                                 'metadata: {name: a}\ndata: {k: v}\n', ctype='application/apply-patch+yaml')
        self.assertEqual(code, 201)
        code, body, _ = self.req('PATCH', CMS + '/a?force=true', {'data': {}}, ctype='application/merge-patch+json')
        self.assertEqual(code, 422)
        self.assertIn('force: Forbidden: may not be specified for non-apply patch', body['message'])
        code, body, _ = self.req('PATCH', CMS + '/a', '{}', ctype='text/plain')
        self.assertEqual((code, body['reason']), (415, 'UnsupportedMediaType'))
        # section 2.3: a resourceVersion in an apply body is an optimistic-concurrency precondition
        code, body, _ = self.req('PATCH', CMS + '/a?fieldManager=t', 'apiVersion: v1\nkind: ConfigMap\n'
                                 'metadata: {name: a, resourceVersion: "1"}\ndata: {k: w}\n',
                                 ctype='application/apply-patch+yaml')
        self.assertEqual((code, body['reason']), (409, 'Conflict'))
        bad = cm('a')
        bad['metadata']['managedFields'] = [{'manager': 'x'}]
        code, body, _ = self.req('PATCH', CMS + '/a?fieldManager=t', json.dumps(bad),
                                 ctype='application/apply-patch+yaml')
        self.assertEqual((code, body['message']), (400, 'metadata.managedFields must be nil'))

    def test_delete_preconditions_and_finalizers(self):
        # section 2.4: precondition mismatch -> 409; finalizers keep the object until removed
        a = self.create(cm('a'))
        code, body, _ = self.req('DELETE', CMS + '/a', {'preconditions': {'uid': 'nope'}})
        self.assertEqual(code, 409)
        self.assertIn('Precondition failed: UID in precondition: nope', body['message'])
        b = cm('f')
        b['metadata']['finalizers'] = ['example.com/hold']
        self.create(b)
        code, body, _ = self.req('DELETE', CMS + '/f')
        self.assertEqual(code, 200)
        self.assertIn('deletionTimestamp', body['metadata'])
        code, live, _ = self.req('GET', CMS + '/f')
        live['metadata']['finalizers'] = []
        code, body, _ = self.req('PUT', CMS + '/f', live)
        self.assertEqual(code, 200)
        self.assertEqual(self.req('GET', CMS + '/f')[0], 404)
        code, body, _ = self.req('DELETE', CMS + '/a')
        self.assertEqual((body['kind'], body['status'], body['details']['uid']),
                         ('Status', 'Success', a['metadata']['uid']))

    def test_owner_reference_garbage_collection(self):
        # section 2.4: background GC deletes dependents; Orphan keeps them without the reference
        def owned(name, owner):
            o = cm(name)
            o['metadata']['ownerReferences'] = [{'apiVersion': 'v1', 'kind': 'ConfigMap',
                                                 'name': owner['metadata']['name'],
                                                 'uid': owner['metadata']['uid']}]
            return self.create(o)
        p = self.create(cm('parent'))
        owned('child', p)
        self.req('DELETE', CMS + '/parent', {'propagationPolicy': 'Background'})
        deadline = time.time() + 5
        while time.time() < deadline and self.req('GET', CMS + '/child')[0] == 200:
            time.sleep(0.05)
        self.assertEqual(self.req('GET', CMS + '/child')[0], 404)
        p = self.create(cm('parent2'))
        owned('child2', p)
        self.req('DELETE', CMS + '/parent2', {'propagationPolicy': 'Orphan'})
        while time.time() < deadline + 5 and self.req('GET', CMS + '/parent2')[0] == 200:
            time.sleep(0.05)
        code, child, _ = self.req('GET', CMS + '/child2')
        self.assertEqual(code, 200)
        self.assertNotIn('ownerReferences', child['metadata'])

    def test_expired_watch_and_continue_with_small_history(self):
        # section 3.3: too-old RV -> 200 then one ERROR event with 410 Expired
        emu = Emulator('--history', '3', tls=False)
        try:
            first = None
            for i in range(6):
                code, b, _ = emu.request('POST', CMS, cm('h%d' % i))
                first = first or b['metadata']['resourceVersion']
            ev = watch_lines(emu, CMS + '?watch=true&resourceVersion=' + first)
            self.assertEqual(len(ev), 1)
            self.assertEqual((ev[0]['type'], ev[0]['object']['code'], ev[0]['object']['reason']),
                             ('ERROR', 410, 'Expired'))
            self.assertTrue(ev[0]['object']['message'].startswith('too old resource version: %s (' % first))
            code, p, _ = emu.request('GET', CMS + '?limit=1')
            for i in range(4):
                emu.request('POST', CMS, cm('g%d' % i))
            code, body, _ = emu.request('GET', CMS + '?limit=1&continue=' + p['metadata']['continue'])
            self.assertEqual((code, body['reason']), (410, 'Expired'))
        finally:
            rc, err = emu.stop()
            self.assertEqual(rc, 0, err)

    def test_openapi_v3_advertises_field_validation(self):
        # section 1.3: PATCH op with x-kubernetes-group-version-kind and fieldValidation param
        code, root, _ = self.req('GET', '/openapi/v3')
        url = root['paths']['apis/apps/v1']['serverRelativeURL']
        self.assertTrue(url.startswith('/openapi/v3/apis/apps/v1?hash='))
        code, doc, r = self.req('GET', url)
        self.assertEqual(r.getheader('Cache-Control'), 'public, immutable')
        op = doc['paths']['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']['patch']
        self.assertEqual(op['x-kubernetes-group-version-kind'],
                         {'group': 'apps', 'version': 'v1', 'kind': 'Deployment'})
        self.assertIn('fieldValidation', [p['name'] for p in op['parameters']])
        self.assertIn('application/apply-patch+yaml', op['requestBody']['content'])
        self.assertEqual(self.req('GET', '/openapi/v2')[0], 404)

    def test_discovery_documents(self):
        # sections 0/1.1: version minor 32; APIResourceList with subresources
        code, v, _ = self.req('GET', '/version')
        self.assertEqual((v['major'], v['minor']), ('1', '32'))
        code, rl, _ = self.req('GET', '/apis/apps/v1')
        byname = {r['name']: r for r in rl['resources']}
        self.assertEqual(byname['deployments/scale']['group'], 'autoscaling')
        self.assertEqual(byname['deployments/status']['singularName'], '')
        self.assertEqual(byname['deployments']['shortNames'], ['deploy'])
        code, gl, _ = self.req('GET', '/apis')
        self.assertIn('apps', [g['name'] for g in gl['groups']])

    def test_aggregated_discovery_when_asked(self):
        # section 1.2: the v2 Accept gets APIGroupDiscoveryList with that exact Content-Type;
        # a plain Accept keeps the legacy document
        accept = ('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,'
                  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json')
        code, body, r = self.req('GET', '/apis', headers={'Accept': accept})
        self.assertEqual(r.getheader('Content-Type'), 'application/json;g=apidiscovery.k8s.io;v=v2;'
                                                      'as=APIGroupDiscoveryList')
        self.assertEqual((body['kind'], body['apiVersion']), ('APIGroupDiscoveryList', 'apidiscovery.k8s.io/v2'))
        apps = [i for i in body['items'] if i['metadata'].get('name') == 'apps'][0]
        dep = [x for x in apps['versions'][0]['resources'] if x['resource'] == 'deployments'][0]
        self.assertEqual((dep['scope'], dep['singularResource'], dep['responseKind']['kind']),
                         ('Namespaced', 'deployment', 'Deployment'))
        self.assertIn({'subresource': 'scale', 'verbs': ['get', 'patch', 'update'],
                       'responseKind': {'group': 'autoscaling', 'version': 'v1', 'kind': 'Scale'}},
                      dep['subresources'])
        code, core, _ = self.req('GET', '/api', headers={'Accept': accept})
        self.assertEqual(len(core['items']), 1)
        self.assertEqual(core['items'][0]['versions'][0]['version'], 'v1')
        code, legacy, r = self.req('GET', '/api', headers={'Accept': 'application/json'})
        self.assertEqual((legacy['kind'], r.getheader('Content-Type')), ('APIVersions', 'application/json'))

    def test_table_printing_when_asked(self):
        # section 3.3: kubectl's Table Accept gets a meta.k8s.io/v1 Table with PartialObjectMetadata rows
        self.create(cm('a', data={'x': '1', 'y': '2'}))
        accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
        code, t, _ = self.req('GET', CMS + '?fieldSelector=metadata.name%3Da', headers={'Accept': accept})
        self.assertEqual((t['kind'], t['apiVersion']), ('Table', 'meta.k8s.io/v1'))
        self.assertEqual([c['name'] for c in t['columnDefinitions']], ['Name', 'Data', 'Age'])
        self.assertEqual(t['rows'][0]['cells'][:2], ['a', 2])
        self.assertEqual(t['rows'][0]['object']['kind'], 'PartialObjectMetadata')
        ev = watch_lines(self.emu, CMS + '?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Da',
                         headers={'Accept': accept})
        self.assertEqual((ev[0]['type'], ev[0]['object']['kind']), ('ADDED', 'Table'))
        code, plain, _ = self.req('GET', CMS + '/a')
        self.assertEqual(plain['kind'], 'ConfigMap')

    def test_self_subject_access_review(self):
        # section 7: SSAR answers 201 with status.allowed
        code, body, _ = self.req('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
            'apiVersion': 'authorization.k8s.io/v1', 'kind': 'SelfSubjectAccessReview',
            'spec': {'resourceAttributes': {'namespace': 'a', 'verb': 'create', 'group': 'apps',
                                            'resource': 'deployments'}}})
        self.assertEqual((code, body['status']['allowed']), (201, True))

    def test_fault_close_and_end_watch(self):
        # issue: faults can close the connection mid-response and end watch streams
        self.create(cm('a'))
        self.emu.control('POST', 'faults', {'verb': 'get', 'resource': 'configmaps', 'action': 'close'})
        c = self.emu.conn()
        c.request('GET', CMS + '/a', headers={'Authorization': 'Bearer test-token'})
        r = c.getresponse()
        with self.assertRaises(Exception):
            r.read()
        c.close()
        self.assertEqual(self.req('GET', CMS + '/a')[0], 200)
        out = []
        t = threading.Thread(target=lambda: out.extend(watch_lines(self.emu, CMS + '?watch=true&fieldSelector=metadata.name%3Da')))
        t.start()
        deadline = time.time() + 5
        while time.time() < deadline and not self.emu.control('GET', 'stats')['watchesOpen']:
            time.sleep(0.05)
        r = self.emu.control('POST', 'faults', {'verb': 'watch', 'resource': 'configmaps',
                                                'action': 'endWatch'})
        self.assertEqual(r['watchesEnded'], 1)
        t.join(5)
        self.assertFalse(t.is_alive())
        self.assertEqual([e['type'] for e in out], ['ADDED'])
        stats = self.emu.control('GET', 'stats')
        self.assertEqual(stats['watchesOpen'], 0)
        self.assertGreaterEqual(stats['byVerb']['watch'], 1)

    def test_reset_and_latency(self):
        self.create(cm('a'))
        self.emu.control('POST', 'reset')
        self.assertEqual(self.req('GET', CMS + '/a')[0], 404)
        self.emu.control('POST', 'faults', {'verb': 'get', 'latencyMs': 300})
        t0 = time.monotonic()
        self.req('GET', CMS + '/a')
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)

    def test_fault_by_label_selector(self):
        # a rule with labelSelector fires only for requests whose selector contains that text
        self.create(cm('a', labels={'p': 'slow-1'}))
        self.emu.control('POST', 'faults', {'verb': 'list', 'labelSelector': 'slow-', 'status': 503,
                                            'count': -1})
        self.assertEqual(self.req('GET', CMS + '?labelSelector=p+in+(fast-1)')[0], 200)
        self.assertEqual(self.req('GET', CMS)[0], 200)
        self.assertEqual(self.req('GET', CMS + '?labelSelector=p+in+(fast-1,slow-1)')[0], 503)
        self.emu.control('POST', 'faults', {'verb': 'get', 'latencyMs': 1, 'count': -1})
        self.req('GET', CMS + '/a')
        self.req('GET', CMS + '?labelSelector=p+in+(slow-1)')
        rules = self.emu.control('GET', 'faults')['rules']
        self.assertEqual((rules[0]['labelSelector'], rules[0]['fired']), ('slow-', 2))
        self.assertEqual((rules[0]['firedSeq'], rules[1]['firedSeq']), ([1, 3], [2]))
        self.emu.control('DELETE', 'faults')

    def test_workload_and_job_controllers(self):
        # issue: Deployments report ready replicas after a delay, or never; Jobs complete
        d = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'w'},
             'spec': {'replicas': 2, 'selector': {'matchLabels': {'a': 'b'}},
                      'template': {'metadata': {'labels': {'a': 'b'}},
                                   'spec': {'containers': [{'name': 'c', 'image': 'i'}]}}}}
        self.create(d, DEPLOYS)
        deadline = time.time() + 5
        st = {}
        while time.time() < deadline and st.get('readyReplicas') != 2:
            st = self.req('GET', DEPLOYS + '/w')[1].get('status', {})
            time.sleep(0.05)
        self.assertEqual((st['readyReplicas'], st['observedGeneration']), (2, 1))
        self.emu.control('POST', 'controllers', {'workloads': 'never'})
        self.create(dict(d, metadata={'name': 'stuck'}), DEPLOYS)
        st = self.wait_status(DEPLOYS + '/stuck')
        self.assertNotIn('readyReplicas', st)
        self.assertEqual(st['conditions'][0]['status'], 'False')
        pod = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'p'},
               'spec': {'containers': [{'name': 'c', 'image': 'i'}]}}
        self.create(pod, '/api/v1/namespaces/default/pods')
        st = self.wait_status('/api/v1/namespaces/default/pods/p')
        self.assertEqual(st['phase'], 'Pending')
        self.emu.control('POST', 'controllers', {'workloads': 'ready'})
        self.create(dict(pod, metadata={'name': 'q'}), '/api/v1/namespaces/default/pods')
        deadline = time.time() + 5
        st = {}
        while time.time() < deadline and st.get('phase') != 'Running':
            st = self.req('GET', '/api/v1/namespaces/default/pods/q')[1].get('status', {})
            time.sleep(0.05)
        self.assertEqual(st['phase'], 'Running')
        self.assertIn(('Ready', 'True'), [(c['type'], c['status']) for c in st['conditions']])
        job = {'apiVersion': 'batch/v1', 'kind': 'Job', 'metadata': {'name': 'j'},
               'spec': {'template': {'spec': {'restartPolicy': 'Never',
                                              'containers': [{'name': 'c', 'image': 'i'}]}}}}
        code, j, _ = self.req('POST', '/apis/batch/v1/namespaces/default/jobs', job)
        # section 5.2: Job defaults incl. generated selector labels
        self.assertEqual((j['spec']['backoffLimit'], j['spec']['completions'], j['spec']['parallelism']), (6, 1, 1))
        self.assertEqual(j['spec']['selector']['matchLabels'],
                         {'batch.kubernetes.io/controller-uid': j['metadata']['uid']})
        deadline = time.time() + 5
        conds = []
        while time.time() < deadline and 'Complete' not in conds:
            st = self.req('GET', '/apis/batch/v1/namespaces/default/jobs/j')[1].get('status', {})
            conds = [c['type'] for c in st.get('conditions', [])]
            time.sleep(0.05)
        self.assertIn('Complete', conds)

    def test_custom_resources_from_crd_flag(self):
        # section 8: --crd pre-installs; CR PUT needs resourceVersion (422); apiVersion per version
        crd = need_shared(self, 'crds', 'kueue', 'kueue.x-k8s.io_resourceflavors.yaml')
        emu = Emulator('--crd', crd, tls=False)
        try:
            base = '/apis/kueue.x-k8s.io/v1beta2/resourceflavors'
            rf = {'apiVersion': 'kueue.x-k8s.io/v1beta2', 'kind': 'ResourceFlavor',
                  'metadata': {'name': 'f'}, 'spec': {'nodeLabels': {'gpu': 'a100'}}}
            code, body, _ = emu.request('POST', base, rf)
            self.assertEqual(code, 201, body)
            code, body, _ = emu.request('PUT', base + '/f', rf)
            self.assertEqual(code, 422)
            self.assertIn('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
                          body['message'])
            code, old, _ = emu.request('GET', '/apis/kueue.x-k8s.io/v1beta1/resourceflavors/f')
            self.assertEqual((code, old['apiVersion']), (200, 'kueue.x-k8s.io/v1beta1'))
            code, lst, _ = emu.request('GET', base)
            # section 3.2: CR list items carry kind/apiVersion
            self.assertEqual(lst['items'][0]['kind'], 'ResourceFlavor')
            code, body, _ = emu.request('PATCH', base + '/f', {'spec': {}},
                                        ctype='application/strategic-merge-patch+json')
            self.assertEqual(code, 415)
            # a deleted CRD takes its instances with it
            crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/'
            code, crd_obj, _ = emu.request('GET', crds + 'resourceflavors.kueue.x-k8s.io')
            self.assertEqual(emu.request('DELETE', crds + 'resourceflavors.kueue.x-k8s.io')[0], 200)
            self.assertEqual(emu.request('GET', base + '/f')[0], 404)
            for k in ('resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation'):
                crd_obj['metadata'].pop(k, None)
            crd_obj.pop('status')
            self.assertEqual(emu.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
                                         crd_obj)[0], 201)
            code, lst, _ = emu.request('GET', base)
            self.assertEqual((code, lst['items']), (200, []))
        finally:
            rc, err = emu.stop()
            self.assertEqual(rc, 0, err)

    def test_crd_directory_flag_and_preferred_version(self):
        # section 8: --crd DIR installs every CRD; preferredVersion is the highest by version
        # priority (v1beta2 > v1beta1), and only served versions are listed
        d = need_shared(self, 'crds', 'kueue')
        emu = Emulator('--crd', d, tls=False)
        try:
            code, g, _ = emu.request('GET', '/apis/kueue.x-k8s.io')
            self.assertEqual(code, 200)
            self.assertEqual(g['preferredVersion'], {'groupVersion': 'kueue.x-k8s.io/v1beta2', 'version': 'v1beta2'})
            self.assertEqual([v['version'] for v in g['versions']], ['v1beta2', 'v1beta1'])
            code, rl, _ = emu.request('GET', '/apis/kueue.x-k8s.io/v1beta2')
            names = {r['name'] for r in rl['resources']}
            self.assertTrue({'clusterqueues', 'clusterqueues/status', 'localqueues', 'workloads',
                             'resourceflavors'} <= names, names)
            code, crd, _ = emu.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/'
                                              'workloads.kueue.x-k8s.io')
            self.assertEqual(crd['status']['storedVersions'], ['v1beta2'])
            self.assertEqual(crd['status']['acceptedNames']['kind'], 'Workload')
        finally:
            rc, err = emu.stop()
            self.assertEqual(rc, 0, err)

    def test_inline_crd_lifecycle(self):
        # section 8: a CRD made here (no ../shared needed): Established, served, validated,
        # pruned, defaulted; status subresource; SSA list-map keys from x-kubernetes-list-map-keys
        crd = {'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
               'metadata': {'name': 'widgets.example.com'},
               'spec': {'group': 'example.com', 'scope': 'Namespaced',
                        'names': {'plural': 'widgets', 'singular': 'widget', 'kind': 'Widget',
                                  'shortNames': ['wd']},
                        'versions': [{'name': 'v1', 'served': True, 'storage': True,
                                      'subresources': {'status': {}},
                                      'schema': {'openAPIV3Schema': {'type': 'object', 'properties': {
                                          'spec': {'type': 'object', 'required': ['size'], 'properties': {
                                              'size': {'type': 'integer', 'minimum': 1},
                                              'mode': {'type': 'string', 'enum': ['fast', 'slow'],
                                                       'default': 'slow'},
                                              'ports': {'type': 'array', 'x-kubernetes-list-type': 'map',
                                                        'x-kubernetes-list-map-keys': ['name'],
                                                        'items': {'type': 'object', 'required': ['name'],
                                                                  'properties': {
                                                                      'name': {'type': 'string'},
                                                                      'port': {'type': 'integer'}}}}}},
                                          'status': {'type': 'object', 'properties': {
                                              'ready': {'type': 'boolean'}}}}}}}]}}
        code, body, _ = self.req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)
        self.assertEqual(code, 201, body)
        deadline = time.time() + 5
        conds = {}
        while time.time() < deadline and conds.get('Established') != 'True':
            st = self.req('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/'
                                 'widgets.example.com')[1].get('status', {})
            conds = {c['type']: c['status'] for c in st.get('conditions', [])}
            time.sleep(0.05)
        self.assertEqual(conds, {'NamesAccepted': 'True', 'Established': 'True'})
        code, rl, _ = self.req('GET', '/apis/example.com/v1')
        self.assertEqual([(r['name'], r.get('shortNames')) for r in rl['resources']],
                         [('widgets', ['wd']), ('widgets/status', None)])
        base = '/apis/example.com/v1/namespaces/default/widgets'
        w = {'apiVersion': 'example.com/v1', 'kind': 'Widget', 'metadata': {'name': 'w'},
             'spec': {'size': 2.0, 'extra': True, 'ports': [{'name': 'http', 'port': 80}]},
             'status': {'ready': True}}
        code, body, r = self.req('POST', base + '?fieldValidation=Warn', w)
        self.assertEqual(code, 201, body)
        self.assertEqual(r.getheader('Warning'), '299 - "unknown field \\"spec.extra\\""')
        # integral 2.0 re-encoded as 2; default applied; unknown field pruned; status dropped on create
        self.assertEqual(body['spec'], {'size': 2, 'mode': 'slow', 'ports': [{'name': 'http', 'port': 80}]})
        self.assertNotIn('status', body)
        self.assertEqual(body['metadata']['generation'], 1)
        code, body, _ = self.req('POST', base + '?fieldValidation=Strict', dict(w, metadata={'name': 'x'}))
        self.assertEqual((code, body['message']), (400, 'strict decoding error: unknown field "spec.extra"'))
        bad = {'apiVersion': 'example.com/v1', 'kind': 'Widget', 'metadata': {'name': 'b'},
               'spec': {'size': 0, 'mode': 'warp'}}
        code, body, _ = self.req('POST', base, bad)
        self.assertEqual(code, 422)
        self.assertEqual(body['message'], 'Widget.example.com "b" is invalid: [spec.mode: Unsupported value: '
                                          '"warp": supported values: "fast", "slow", spec.size: Invalid value: '
                                          '0: spec.size in body should be greater than or equal to 1]')
        # status subresource: /status writes change only status and keep generation
        code, cur, _ = self.req('GET', base + '/w')
        cur['status'] = {'ready': True}
        cur['spec']['size'] = 9
        code, body, _ = self.req('PUT', base + '/w/status', cur)
        self.assertEqual((code, body['status'], body['spec']['size'], body['metadata']['generation']),
                         (200, {'ready': True}, 2, 1))
        # and main-resource writes ignore status
        cur = body
        cur['status'] = {'ready': False}
        code, body, _ = self.req('PUT', base + '/w', cur)
        self.assertEqual((code, body['status']), (200, {'ready': True}))
        # SSA by a second manager adds a list-map entry by key, owned separately
        apply = ('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n'
                 'spec:\n  ports:\n  - {name: metrics, port: 9090}\n')
        code, body, _ = self.req('PATCH', base + '/w?fieldManager=sidecar', apply,
                                 ctype='application/apply-patch+yaml')
        self.assertEqual(code, 200, body)
        self.assertEqual([p['name'] for p in body['spec']['ports']], ['http', 'metrics'])
        self.assertEqual(body['metadata']['generation'], 2)
        mine = [m for m in body['metadata']['managedFields'] if m['manager'] == 'sidecar'][0]
        self.assertEqual(mine['fieldsV1'], {'f:spec': {'f:ports': {'k:{"name":"metrics"}': {
            '.': {}, 'f:name': {}, 'f:port': {}}}}})
        # the status manager is recorded with its subresource
        subs = {m['manager']: m.get('subresource') for m in body['metadata']['managedFields']}
        self.assertIn('status', subs.values())
        # server-side apply to /status changes only status, owned with subresource "status"
        code, body, _ = self.req('PATCH', base + '/w/status?fieldManager=ctl&force=true',
                                 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n'
                                 'spec: {size: 99}\nstatus: {ready: false}\n', ctype='application/apply-patch+yaml')
        self.assertEqual(code, 200, body)
        self.assertEqual((body['status'], body['spec']['size']), ({'ready': False}, 2))
        ctl = [m for m in body['metadata']['managedFields'] if m['manager'] == 'ctl'][0]
        self.assertEqual((ctl['operation'], ctl['subresource'], ctl['fieldsV1']),
                         ('Apply', 'status', {'f:status': {'f:ready': {}}}))

    def test_abandoned_watch_is_closed(self):
        # a client that hangs up mid-watch is noticed without waiting for an event
        c = self.emu.conn()
        c.request('GET', CMS + '?watch=true', headers={'Authorization': 'Bearer test-token'})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        deadline = time.time() + 5
        while time.time() < deadline and not self.emu.control('GET', 'stats')['watchesOpen']:
            time.sleep(0.05)
        c.close()
        deadline = time.time() + 5
        while time.time() < deadline and self.emu.control('GET', 'stats')['watchesOpen']:
            time.sleep(0.1)
        self.assertEqual(self.emu.control('GET', 'stats')['watchesOpen'], 0)

    def test_keep_alive_and_sigterm(self):
        # issue: HTTP/1.1 keep-alive; many requests on one connection
        c = self.emu.conn()
        for _ in range(20):
            c.request('GET', '/version', headers={'Authorization': 'Bearer test-token'})
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            r.read()
        c.close()
        s = socket.create_connection((self.emu.host, self.emu.port))
        s.close()


class LatencyFlagTest(EmulatorTest):
    TLS = False
    ARGS = ('--latency-ms', '800')

    def test_every_api_request_is_delayed(self):
        # issue: --latency-ms N delays every Kubernetes request (not the control API)
        self.assertTrue(self.emu.url.startswith('http://127.0.0.1:'))
        t0 = time.monotonic()
        code, _, _ = self.emu.request('GET', '/version')
        self.assertEqual(code, 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.8)
        t0 = time.monotonic()
        self.emu.control('GET', 'stats')
        self.assertLess(time.monotonic() - t0, 0.6)


class TLSTokenTest(EmulatorTest):
    def test_https_with_ca_and_token(self):
        # issue: --tls makes a CA; the kubeconfig carries certificate-authority-data and the token
        code, body, _ = self.emu.request('GET', '/api/v1/namespaces')
        self.assertEqual((code, body['kind']), (200, 'NamespaceList'))
        self.assertEqual(sorted(n['metadata']['name'] for n in body['items']),
                         ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
        code, body, _ = self.emu.request('GET', '/version', token=False)
        self.assertEqual((code, body['reason']), (401, 'Unauthorized'))


# The same hang-up detection over TLS, where the peer's close arrives as a TLS alert.
TLSTokenTest.test_abandoned_watch_is_closed = HTTPTest.test_abandoned_watch_is_closed
