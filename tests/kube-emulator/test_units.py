"""Unit tests of the emulator's building blocks: Quantity canonical form,
selectors, server-side apply ownership, patches, structural schemas and
fault rules.  Each test states the real API server behaviour it checks and
the section of shared/reference/kubernetes-api.md it comes from."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import api  # noqa: E402
import faults  # noqa: E402
import patch  # noqa: E402
import quantity  # noqa: E402
import schema  # noqa: E402
import selection  # noqa: E402
import ssa  # noqa: E402
import status  # noqa: E402
from typemodel import builtin_type, crd_type  # noqa: E402

# Section 5.1: vectors computed from apimachinery v0.32.13 (input -> JSON output).
QUANTITY_VECTORS = '''1000m->1 0.5->500m 1.5->1500m 0.1->100m 0.25->250m 3000m->3 3500m->3500m 3.5->3500m
1.0->1 1.00->1 10e-1->1 .5->500m -0.5->-500m 0->0 0m->0 0Gi->0 1m->1m 0.001->1m 0.0001->100u
0.0005->500u 1.23456789->1234567890n 1000->1k 2000->2k 1500->1500 1024->1024 100000->100k
1000000->1M 1000k->1M 1.5k->1500 0.5M->500k 1.5M->1500k 1.5G->1500M 1Gi->1Gi 1024Mi->1Gi
2048Mi->2Gi 4096Mi->4Gi 1000Mi->1000Mi 1.5Gi->1536Mi 0.5Gi->512Mi 2.5Gi->2560Mi 1024Ki->1Mi
1048576Ki->1Gi 1.5Ki->1536 0.5Ki->512 1048576->1048576 8Ei->9223372036854775807 1e3->1e3 1E3->1E3
1e+3->1e+3 1e0->1e0 1e2->100 1e6->1e6 1e10->10e9 1e-3->1e-3 1e-4->100e-6 2e-2->20e-3
1.1e-3->1100e-6 129e6->129e6 +1->+1 01->01 007->007 5.->5.'''


class QuantityTest(unittest.TestCase):
    def test_reference_vectors(self):
        # section 5.1: every vector of the reference round-trips exactly
        for tok in QUANTITY_VECTORS.split():
            inp, want = tok.split('->')
            with self.subTest(quantity=inp):
                self.assertEqual(quantity.normalize(inp), want)

    def test_errors(self):
        # section 5.1: bad suffix and regex failures are errors
        for bad in ('1mi', '2e3m', '1.5e3m', 'abc'):
            with self.subTest(quantity=bad):
                self.assertRaises(quantity.QuantityError, quantity.normalize, bad)

    def test_json_number_and_trim(self):
        # section 5.1: JSON numbers parse like strings; JSON " 1" is trimmed
        self.assertEqual(quantity.normalize(api.FloatText('0.5')), '500m')
        self.assertEqual(quantity.normalize(' 1'), '1')

    def test_pod_resource_lists_round_up_to_milli(self):
        # section 5.1: SetDefaults_ResourceList RoundUp(-3)
        for inp, want in (('0.0001', '1m'), ('100u', '1m'), ('1n', '1m'),
                          ('2.0001', '2001m'), ('1e-4', '1e-3'), ('1500m', '1500m')):
            with self.subTest(quantity=inp):
                self.assertEqual(quantity.round_up_milli(inp), want)


class SelectorTest(unittest.TestCase):
    LABELS = {'app': 'web', 'tier': 'front', 'n': '5'}

    def m(self, sel):
        return selection.match_labels(selection.parse_labels(sel), self.LABELS)

    def test_every_operator(self):
        # section 3.1: =, ==, !=, in, notin, exists, !exists, >, <, comma = AND
        self.assertTrue(self.m('app=web'))
        self.assertTrue(self.m('app==web'))
        self.assertFalse(self.m('app!=web'))
        self.assertTrue(self.m('tier in (front,back)'))
        self.assertFalse(self.m('tier notin (front)'))
        self.assertTrue(self.m('missing notin (x)'))
        self.assertTrue(self.m('app'))
        self.assertFalse(self.m('!app'))
        self.assertTrue(self.m('!missing'))
        self.assertTrue(self.m('n>4'))
        self.assertFalse(self.m('n<5'))
        self.assertFalse(self.m('app=web,tier=back'))

    def test_field_selector_unsupported_field(self):
        # section 3.1: unsupported field -> "field label not supported: <field>"
        with self.assertRaises(selection.SelectorError) as cm:
            selection.parse_fields('spec.foo=bar', {'metadata.name'})
        self.assertEqual(str(cm.exception), 'field label not supported: spec.foo')


DEPLOY = builtin_type('Deployment')


def deployment(image='nginx:1', replicas=None, extra_env=None):
    c = {'name': 'nginx', 'image': image, 'ports': [{'containerPort': 80}]}
    if extra_env:
        c['env'] = extra_env
    spec = {'selector': {'matchLabels': {'app': 'w'}},
            'template': {'metadata': {'labels': {'app': 'w'}}, 'spec': {'containers': [c]}}}
    if replicas is not None:
        spec['replicas'] = replicas
    return {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'w', 'namespace': 'd'},
            'spec': spec}


def apply(live, cfg, managers, manager='kubectl', force=False):
    return ssa.apply(live, cfg, DEPLOY, managers, manager, 'apps/v1', 'T', force)


class SSATest(unittest.TestCase):
    def test_fields_v1_format_matches_reference_example(self):
        # section 4.4: list-map keys sorted compact JSON with protocol defaulted,
        # "." only on nodes with children, LabelSelector atomic
        merged, m = apply({}, deployment(replicas=3), {})
        fv1 = ssa.encode_managers(m)[0]['fieldsV1']
        c = fv1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']
        self.assertEqual(c['.'], {})
        self.assertEqual(c['f:ports']['k:{"containerPort":80,"protocol":"TCP"}'],
                         {'.': {}, 'f:containerPort': {}})
        self.assertEqual(fv1['f:spec']['f:selector'], {})
        self.assertEqual(fv1['f:spec']['f:replicas'], {})
        self.assertNotIn('.', fv1['f:spec'])
        self.assertNotIn('f:name', fv1.get('f:metadata', {}))
        self.assertEqual(ssa.from_fields_v1(fv1), ssa.object_set(deployment(replicas=3), DEPLOY))

    def test_removed_field_disappears(self):
        # section 4.5: a field the manager stops applying is removed
        live, m = apply({}, deployment(replicas=3), {})
        live2, m2 = apply(live, deployment(), m)
        self.assertNotIn('replicas', live2['spec'])

    def test_removed_field_kept_when_co_owned(self):
        # section 4.5: if another manager owns it, only ownership is dropped
        live, m = apply({}, deployment(replicas=3), {})
        live, m = apply(live, deployment(replicas=3), m, manager='other')
        live2, m2 = apply(live, deployment(), m)
        self.assertEqual(live2['spec']['replicas'], 3)
        owners = [k[0] for k, (_, s) in m2.items() if (('f', 'spec'), ('f', 'replicas')) in s]
        self.assertEqual(owners, ['other'])

    def test_removed_list_item_goes_whole(self):
        # section 4.5 (structured-merge-diff prune): the applier drops a container it owned;
        # another manager owning a field inside it does not keep the item
        two = deployment()
        two['spec']['template']['spec']['containers'].append({'name': 'side', 'image': 's:1'})
        live, m = apply({}, two, {}, manager='tend')
        new = json.loads(json.dumps(live))
        new['spec']['template']['spec']['containers'][1]['image'] = 's:2'
        m = ssa.update(live, new, DEPLOY, m, 'kubectl-set', 'apps/v1', 'T')
        live, m = apply(new, deployment(), m, manager='tend')
        self.assertEqual([c['name'] for c in live['spec']['template']['spec']['containers']], ['nginx'])

    def test_conflict_names_other_manager(self):
        # section 4.3: different value on a field another manager owns -> conflict
        live, m = apply({}, deployment(replicas=3), {}, manager='gitops')
        with self.assertRaises(ssa.ConflictError) as cm:
            apply(live, deployment(replicas=5), m, manager='kubectl')
        (meta, path), = cm.exception.conflicts
        self.assertEqual(ssa.path_string(path), '.spec.replicas')
        self.assertEqual(ssa.conflict_message(cm.exception.conflicts),
                         'Apply failed with 1 conflict: conflict with "gitops": .spec.replicas')

    def test_update_manager_conflict_wording(self):
        # section 4.3: Update managers print " using <apiVersion>"
        live, m = apply({}, deployment(replicas=3), {}, manager='gitops')
        new = json.loads(json.dumps(live))
        new['spec']['replicas'] = 4
        m = ssa.update(live, new, DEPLOY, m, 'kubectl-scale', 'apps/v1', 'T')
        with self.assertRaises(ssa.ConflictError) as cm:
            apply(new, deployment(replicas=5), m, manager='gitops')
        self.assertIn('conflict with "kubectl-scale" using apps/v1: .spec.replicas',
                      ssa.conflict_message(cm.exception.conflicts))

    def test_same_value_is_shared_not_conflict(self):
        # section 4.3: same value => shared ownership
        live, m = apply({}, deployment(replicas=3), {}, manager='a')
        live, m = apply(live, deployment(replicas=3), m, manager='b')
        owners = sorted(k[0] for k, (_, s) in m.items() if (('f', 'spec'), ('f', 'replicas')) in s)
        self.assertEqual(owners, ['a', 'b'])

    def test_force_moves_ownership(self):
        # section 4.3: force=true overwrites and moves ownership to the applier
        live, m = apply({}, deployment(replicas=3), {}, manager='a')
        live, m = apply(live, deployment(replicas=7), m, manager='b', force=True)
        self.assertEqual(live['spec']['replicas'], 7)
        self.assertNotIn((('f', 'spec'), ('f', 'replicas')), m[('a', 'Apply', '', '')][1])

    def test_list_map_items_merge_by_key(self):
        # section 4.5: containers merge by name; env is a list map keyed by name
        live, m = apply({}, deployment(extra_env=[{'name': 'A', 'value': '1'}]), {}, manager='a')
        cfg = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'w'},
               'spec': {'template': {'spec': {'containers': [
                   {'name': 'nginx', 'env': [{'name': 'B', 'value': '2'}]}]}}}}
        live, m = apply(live, cfg, m, manager='b')
        env = live['spec']['template']['spec']['containers'][0]['env']
        self.assertEqual([e['name'] for e in env], ['A', 'B'])

    def test_atomic_list_is_replaced(self):
        # section 4.5: lists without list-type markers (args) are atomic
        d = deployment()
        d['spec']['template']['spec']['containers'][0]['args'] = ['a', 'b']
        live, m = apply({}, d, {}, manager='a')
        d2 = deployment()
        d2['spec']['template']['spec']['containers'][0]['args'] = ['c']
        live, m = apply(live, d2, m, manager='a')
        self.assertEqual(live['spec']['template']['spec']['containers'][0]['args'], ['c'])

    def test_duplicate_list_map_keys_rejected(self):
        # section 4.5: duplicate list-map keys in an apply body are an error
        d = deployment()
        d['spec']['template']['spec']['containers'].append(dict(d['spec']['template']['spec']['containers'][0]))
        self.assertRaises(ssa.ApplyError, apply, {}, d, {})

    def test_crd_list_markers(self):
        # section 4.5: CRD x-kubernetes-list-type/map-keys drive list merging
        s = {'type': 'object', 'properties': {'spec': {'type': 'object', 'properties': {
            'items': {'type': 'array', 'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['name'],
                      'items': {'type': 'object', 'properties': {'name': {'type': 'string'},
                                                                 'v': {'type': 'integer'}}}}}}}}
        t = crd_type(s)
        cfg = {'apiVersion': 'x/v1', 'kind': 'X', 'metadata': {'name': 'a'},
               'spec': {'items': [{'name': 'a', 'v': 1}]}}
        live, m = ssa.apply({}, cfg, t, {}, 'm1', 'x/v1', 'T', False)
        cfg2 = {'apiVersion': 'x/v1', 'kind': 'X', 'metadata': {'name': 'a'},
                'spec': {'items': [{'name': 'b', 'v': 2}]}}
        live, m = ssa.apply(live, cfg2, t, m, 'm2', 'x/v1', 'T', False)
        self.assertEqual([i['name'] for i in live['spec']['items']], ['a', 'b'])

    def test_managed_fields_sorted_apply_before_update(self):
        # section 4.4: sorted by operation (Apply < Update) then time, manager
        live, m = apply({}, deployment(replicas=3), {}, manager='z')
        new = json.loads(json.dumps(live))
        new.setdefault('metadata', {})['labels'] = {'x': 'y'}
        m = ssa.update(live, new, DEPLOY, m, 'a', 'apps/v1', 'T')
        ops = [e['operation'] for e in ssa.encode_managers(m)]
        self.assertEqual(ops, ['Apply', 'Update'])


class CapManagersTest(unittest.TestCase):
    def test_more_than_ten_update_managers_are_bucketed(self):
        # section 4.4: at most 10 Update managers are kept, older ones merged
        live = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'}, 'data': {}}
        m = {}
        t = builtin_type('ConfigMap')
        for i in range(12):
            new = json.loads(json.dumps(live))
            new['data']['k%02d' % i] = 'v'
            m = ssa.update(live, new, t, m, 'writer-%02d' % i, 'v1', 'T%02d' % i)
            m = ssa.cap_updates(m)
            live = new
        names = sorted(k[0] for k in m)
        self.assertEqual(len(names), 10)
        self.assertIn('ancient-changes', names)
        self.assertNotIn('writer-00', names)
        self.assertNotIn('writer-02', names)
        bucket = m[('ancient-changes', 'Update', '', 'v1')][1]
        self.assertEqual(bucket, {(('f', 'data'), ('f', 'k00')), (('f', 'data'), ('f', 'k01')),
                                  (('f', 'data'), ('f', 'k02'))})


class PatchTest(unittest.TestCase):
    def test_merge_patch_null_deletes_and_lists_replace(self):
        # section 4.1: RFC 7386
        out = patch.merge_patch({'a': 1, 'l': [1, 2], 'm': {'x': 1}}, {'a': None, 'l': [3], 'm': {'y': 2}})
        self.assertEqual(out, {'l': [3], 'm': {'x': 1, 'y': 2}})

    def test_json_patch_ops_and_failure(self):
        # section 4.1: RFC 6902; a failing op is an error (422 at the server)
        doc = {'a': {'b': [1, 2]}}
        out = patch.json_patch(doc, [{'op': 'add', 'path': '/a/b/-', 'value': 3},
                                     {'op': 'replace', 'path': '/a/b/0', 'value': 0},
                                     {'op': 'test', 'path': '/a/b/1', 'value': 2}])
        self.assertEqual(out, {'a': {'b': [0, 2, 3]}})
        self.assertRaises(patch.PatchError, patch.json_patch, doc, [{'op': 'remove', 'path': '/zz'}])

    def test_strategic_merges_containers_by_name(self):
        # section 4.1: SMP merges lists by patchMergeKey, $patch: delete removes
        cur = deployment()
        cur['spec']['template']['spec']['containers'].append({'name': 'side', 'image': 's'})
        p = {'spec': {'template': {'spec': {'containers': [
            {'name': 'nginx', 'image': 'nginx:2'}, {'name': 'side', '$patch': 'delete'}]}}}}
        out = patch.smp(cur, p, DEPLOY)
        cs = out['spec']['template']['spec']['containers']
        self.assertEqual([(c['name'], c['image']) for c in cs], [('nginx', 'nginx:2')])
        self.assertEqual(cs[0]['ports'], [{'containerPort': 80}])


class SchemaTest(unittest.TestCase):
    S = {'type': 'object', 'properties': {'spec': {'type': 'object', 'required': ['size'], 'properties': {
        'size': {'type': 'integer', 'minimum': 1},
        'mode': {'type': 'string', 'enum': ['A', 'B'], 'default': 'A'}}}}}

    def test_prune_default_validate(self):
        # sections 5.2/8: unknown fields pruned, defaults applied, errors worded like the server
        obj = {'apiVersion': 'x/v1', 'kind': 'X', 'metadata': {'name': 'a'},
               'spec': {'size': 'big', 'junk': 1}}
        unknown, errs = schema.process(obj, self.S)
        self.assertEqual(unknown, ['spec.junk'])
        self.assertEqual(obj['spec']['mode'], 'A')
        self.assertEqual([str(e) for e in errs],
                         ['spec.size: Invalid value: "string": spec.size in body must be of type '
                          'integer: "string"'])

    def test_required_and_enum(self):
        obj = {'spec': {'mode': 'C'}}
        _, errs = schema.process(obj, self.S)
        self.assertEqual(sorted(e.reason for e in errs), ['FieldValueNotSupported', 'FieldValueRequired'])


class DefaultsTest(unittest.TestCase):
    def d(self, kind, obj):
        import defaults
        obj.setdefault('metadata', {'name': 'x'})
        return defaults.apply_defaults(kind, obj, uid='u-1')

    def test_statefulset_daemonset_cronjob(self):
        # section 5.2: workload defaults
        pod = {'containers': [{'name': 'c', 'image': 'busybox'}]}
        sts = self.d('StatefulSet', {'spec': {'template': {'spec': dict(pod)}}})['spec']
        self.assertEqual((sts['replicas'], sts['podManagementPolicy'], sts['revisionHistoryLimit']),
                         (1, 'OrderedReady', 10))
        self.assertEqual(sts['updateStrategy'], {'type': 'RollingUpdate', 'rollingUpdate': {'partition': 0}})
        self.assertEqual(sts['persistentVolumeClaimRetentionPolicy'],
                         {'whenDeleted': 'Retain', 'whenScaled': 'Retain'})
        # untagged image -> Always
        self.assertEqual(sts['template']['spec']['containers'][0]['imagePullPolicy'], 'Always')
        ds = self.d('DaemonSet', {'spec': {'template': {'spec': dict(pod)}}})['spec']
        self.assertEqual(ds['updateStrategy'], {'type': 'RollingUpdate',
                                                'rollingUpdate': {'maxUnavailable': 1, 'maxSurge': 0}})
        cj = self.d('CronJob', {'spec': {'schedule': '* * * * *', 'jobTemplate': {'spec': {
            'template': {'spec': dict(pod)}}}}})['spec']
        self.assertEqual((cj['concurrencyPolicy'], cj['suspend'], cj['successfulJobsHistoryLimit'],
                          cj['failedJobsHistoryLimit']), ('Allow', False, 3, 1))
        self.assertEqual(cj['jobTemplate']['spec']['template']['spec']['dnsPolicy'], 'ClusterFirst')

    def test_pod_requests_default_to_limits_and_probes(self):
        # section 5.2: Pod only: requests default to limits; probe and volume defaults
        pod = self.d('Pod', {'spec': {'containers': [{
            'name': 'c', 'image': 'app:latest', 'resources': {'limits': {'cpu': '0.0001', 'memory': '1Gi'}},
            'livenessProbe': {'httpGet': {'port': 8080}}}],
            'volumes': [{'name': 'v', 'configMap': {'name': 'x'}}]}})['spec']
        c = pod['containers'][0]
        self.assertEqual(c['resources'], {'limits': {'cpu': '1m', 'memory': '1Gi'},
                                          'requests': {'cpu': '1m', 'memory': '1Gi'}})
        self.assertEqual(c['imagePullPolicy'], 'Always')
        self.assertEqual(c['livenessProbe'], {'httpGet': {'port': 8080, 'path': '/', 'scheme': 'HTTP'},
                                              'timeoutSeconds': 1, 'periodSeconds': 10,
                                              'successThreshold': 1, 'failureThreshold': 3})
        self.assertEqual(pod['volumes'][0]['configMap']['defaultMode'], 420)
        self.assertTrue(pod['enableServiceLinks'])

    def test_empty_values_omitted(self):
        # section 5.2: labels: {} disappears, securityContext {} stays
        o = self.d('ConfigMap', {'metadata': {'name': 'x', 'labels': {}, 'annotations': None}, 'data': {}})
        self.assertEqual(o, {'metadata': {'name': 'x'}})


class ImmutableFieldsTest(unittest.TestCase):
    def test_update_rules(self):
        import validation
        v = validation.validate_update
        rb = {'roleRef': {'apiGroup': 'rbac.authorization.k8s.io', 'kind': 'Role', 'name': 'a'}}
        self.assertEqual([str(e) for e in v('RoleBinding', rb, {'roleRef': dict(rb['roleRef'], name='b')})],
                         ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", '
                          'Kind:"Role", Name:"b"}: cannot change roleRef'])
        sts = {'spec': {'replicas': 1, 'serviceName': 'a', 'selector': {}, 'template': {}}}
        self.assertEqual(v('StatefulSet', sts, {'spec': dict(sts['spec'], replicas=3)}), [])
        self.assertEqual([e.field for e in v('StatefulSet', sts, {'spec': dict(sts['spec'], serviceName='b')})],
                         ['spec'])
        job = {'spec': {'selector': {'matchLabels': {'a': 'b'}}, 'template': {'spec': {}}}}
        self.assertEqual([e.field for e in v('Job', job, {'spec': dict(job['spec'], template={'x': 1})})],
                         ['spec.template'])
        self.assertEqual(validation.go_label_selector({'matchExpressions': [
            {'key': 'k', 'operator': 'In', 'values': ['a']}]}),
            'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement'
            '{v1.LabelSelectorRequirement{Key:"k", Operator:"In", Values:[]string{"a"}}}}')


class StatusTest(unittest.TestCase):
    def test_not_found_shape(self):
        # section 2.2: details.kind is the plural, group omitted for core
        c = api.Cluster()
        res = c.resource('apps', 'v1', 'deployments')
        b = status.not_found(res, 'web').body()
        self.assertEqual(b['message'], 'deployments.apps "web" not found')
        self.assertEqual(b['details'], {'name': 'web', 'group': 'apps', 'kind': 'deployments'})
        self.assertEqual(b['code'], 404)


class RBACTest(unittest.TestCase):
    def headers(self, pairs):
        import email.message
        m = email.message.Message()
        for k, v in pairs:
            m[k] = v
        return m

    def test_impersonation_identity(self):
        # section 7: SA users get the serviceaccount groups and system:authenticated
        import rbac
        u = rbac.from_headers(self.headers([('Impersonate-User', 'system:serviceaccount:t:d')]))
        self.assertEqual(u.groups, ['system:serviceaccounts', 'system:serviceaccounts:t', 'system:authenticated'])
        u = rbac.from_headers(self.headers([('Impersonate-User', 'alice'), ('Impersonate-Group', 'dev'),
                                            ('Impersonate-Group', 'ops')]))
        self.assertEqual(u.groups, ['dev', 'ops', 'system:authenticated'])
        # groups without a user -> 500
        with self.assertRaises(status.StatusError) as cm:
            rbac.from_headers(self.headers([('Impersonate-Group', 'dev')]))
        self.assertEqual(cm.exception.code, 500)
        self.assertIs(rbac.from_headers(self.headers([])), rbac.ADMIN)

    def test_role_binding_scopes_rules_to_namespace(self):
        import rbac
        c = api.Cluster()
        r = lambda p: c.resource('rbac.authorization.k8s.io', 'v1', p)  # noqa: E731
        c.create(c.resource('', 'v1', 'namespaces'), None, {'metadata': {'name': 't'}}, {})
        c.create(r('clusterroles'), None, {'metadata': {'name': 'view-cm'}, 'rules': [
            {'apiGroups': [''], 'resources': ['configmaps'], 'verbs': ['get', 'list']},
            {'apiGroups': ['apps'], 'resources': ['deployments/scale'], 'verbs': ['*'],
             'resourceNames': ['web']}]}, {})
        c.create(r('rolebindings'), 't', {'metadata': {'name': 'b'}, 'subjects': [
            {'kind': 'Group', 'name': 'dev'}], 'roleRef': {'apiGroup': 'rbac.authorization.k8s.io',
                                                         'kind': 'ClusterRole', 'name': 'view-cm'}}, {})
        alice = rbac.User('alice', ['dev', 'system:authenticated'])
        self.assertTrue(rbac.allowed(c, alice, 'list', '', 'configmaps', '', 't'))
        self.assertFalse(rbac.allowed(c, alice, 'list', '', 'configmaps', '', 'default'))
        self.assertFalse(rbac.allowed(c, alice, 'delete', '', 'configmaps', '', 't', 'x'))
        self.assertTrue(rbac.allowed(c, alice, 'patch', 'apps', 'deployments', 'scale', 't', 'web'))
        self.assertFalse(rbac.allowed(c, alice, 'patch', 'apps', 'deployments', 'scale', 't', 'db'))
        self.assertFalse(rbac.allowed(c, alice, 'patch', 'apps', 'deployments', '', 't', 'web'))
        e = rbac.forbidden(alice, 'list', c.resource('', 'v1', 'configmaps'), '', 'default', '')
        # section 2.2: authz message
        self.assertEqual(e.message, 'configmaps is forbidden: User "alice" cannot list resource "configmaps" '
                                    'in API group "" in the namespace "default"')


class FaultRuleTest(unittest.TestCase):
    def test_count_and_matching(self):
        f = faults.Faults()
        f.add({'verb': 'get', 'resource': 'configmaps', 'status': 503, 'retryAfterSeconds': 1,
               'count': 2})
        self.assertIsNone(f.take('list', 'configmaps', 'd', ''))
        self.assertIsNone(f.take('get', 'secrets', 'd', 'x'))
        r = f.take('get', 'configmaps', 'd', 'x')
        self.assertEqual(r.status, 503)
        # section 2.2: 429/5xx carry Retry-After for client-go's retry
        self.assertEqual(r.status_body()['details'], {'retryAfterSeconds': 1})
        self.assertEqual(r.status_body()['reason'], 'ServiceUnavailable')
        self.assertIsNotNone(f.take('get', 'configmaps', 'd', 'y'))
        self.assertIsNone(f.take('get', 'configmaps', 'd', 'z'))

    def test_subresource_and_unlimited(self):
        f = faults.Faults()
        f.add([{'resource': 'deployments', 'namespace': 'a', 'status': 500, 'count': -1}])
        for _ in range(5):
            self.assertIsNotNone(f.take('patch', 'deployments/status', 'a', 'x'))
        self.assertIsNone(f.take('patch', 'deployments', 'b', 'x'))

    def test_invalid_rules_rejected(self):
        f = faults.Faults()
        for bad in ({'verb': 'fly', 'status': 500}, {'status': 200}, {'resource': 'x'},
                    {'status': 500, 'count': 0}, {'status': 500, 'colour': 'red'}):
            with self.subTest(rule=bad):
                self.assertRaises(faults.RuleError, f.add, bad)


if __name__ == '__main__':
    unittest.main()
