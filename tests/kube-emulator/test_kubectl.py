"""The real kubectl against the emulator over HTTPS with a bearer token.
Every assertion is what kubectl 1.32 shows against a real 1.32 API server;
comments cite shared/reference/kubernetes-api.md sections."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import EmulatorTest, need_shared  # noqa: E402

CM = '''apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  namespace: default
data:
  a: "1"
  b: "2"
'''

DEPLOY = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          requests: {cpu: 0.5, memory: 1024Mi}
          limits: {cpu: "1000m", memory: 1Gi}
'''

SERVICE = '''apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports:
  - port: 80
'''

SECRET = '''apiVersion: v1
kind: Secret
metadata: {name: s, namespace: default}
stringData: {password: hunter2}
'''


class KubectlTest(EmulatorTest):
    KUBECTL = True

    def stats(self):
        return self.emu.control('GET', 'stats')

    def count(self, verb, resource, code=None):
        return sum(r['count'] for r in self.stats()['requests']
                   if r['verb'] == verb and r['resource'] == resource
                   and (code is None or r['code'] == code))

    def test_version_reports_1_32(self):
        # section 0: the dispatcher must pick kubectl 1.32 and print no skew warning
        r = self.kubectl('version')
        self.assertIn('Server Version: v1.32', r.stdout)
        self.assertNotIn('exceeds the supported minor version skew', r.stderr)

    def test_api_resources(self):
        # section 1.1: legacy discovery lists built-ins with short names and groups
        out = self.kubectl('api-resources').stdout
        lines = {l.split()[0]: l for l in out.splitlines()[1:]}
        self.assertIn('cm', lines['configmaps'])
        self.assertIn('apps/v1', lines['deployments'])
        self.assertIn('Deployment', lines['deployments'])
        self.assertIn('false', lines['namespaces'].split())
        for r in ('leases', 'customresourcedefinitions', 'selfsubjectaccessreviews',
                  'priorityclasses', 'networkpolicies', 'cronjobs', 'clusterrolebindings'):
            self.assertIn(r, lines)

    def test_create_namespace_defaults(self):
        # sections 2.4/5.2: label kubernetes.io/metadata.name, finalizer kubernetes, phase Active
        self.assertIn('namespace/team-a created', self.kubectl('create', 'namespace', 'team-a').stdout)
        ns = self.kjson('get', 'namespace', 'team-a')
        self.assertEqual(ns['metadata']['labels'], {'kubernetes.io/metadata.name': 'team-a'})
        self.assertEqual(ns['spec']['finalizers'], ['kubernetes'])
        self.assertEqual(ns['status']['phase'], 'Active')
        self.assertIn('kubectl-create', [m['manager'] for m in ns['metadata']['managedFields']])
        r = self.kubectl('create', 'namespace', 'team-a', ok=False)
        # section 2.2: create of an existing name -> 409 AlreadyExists
        self.assertIn('Error from server (AlreadyExists): namespaces "team-a" already exists', r.stderr)

    def test_client_side_apply_uses_strategic_merge(self):
        # section 4.2: CSA creates with last-applied annotation, then 3-way SMP patch
        self.assertIn('configmap/demo created', self.kubectl('apply', '-f', '-', stdin=CM).stdout)
        self.assertIn('configmap/demo unchanged', self.kubectl('apply', '-f', '-', stdin=CM).stdout)
        r = self.kubectl('apply', '-f', '-', stdin=CM.replace('  b: "2"\n', '  c: "3"\n'))
        self.assertIn('configmap/demo configured', r.stdout)
        cm = self.kjson('get', 'cm', 'demo')
        self.assertEqual(cm['data'], {'a': '1', 'c': '3'})
        self.assertIn('kubectl.kubernetes.io/last-applied-configuration', cm['metadata']['annotations'])
        self.assertGreaterEqual(self.count('patch', 'configmaps', 200), 1)
        self.assertEqual(cm['metadata']['managedFields'][0]['manager'], 'kubectl-client-side-apply')

    def test_server_side_apply_removes_dropped_field(self):
        # section 4.5: a field dropped from the manifest disappears on re-apply
        self.assertIn('serverside-applied', self.kubectl('apply', '--server-side', '-f', '-', stdin=CM).stdout)
        self.kubectl('apply', '--server-side', '-f', '-', stdin=CM.replace('  b: "2"\n', ''))
        cm = self.kjson('get', 'cm', 'demo')
        self.assertEqual(cm['data'], {'a': '1'})
        mf = cm['metadata']['managedFields']
        self.assertEqual([(m['manager'], m['operation']) for m in mf], [('kubectl', 'Apply')])
        self.assertEqual(mf[0]['fieldsV1'], {'f:data': {'f:a': {}}})

    def test_server_side_apply_conflict_and_force(self):
        # section 4.3: another manager's field -> 409 naming it, unless --force-conflicts
        self.kubectl('apply', '--server-side', '--field-manager', 'gitops', '-f', '-', stdin=CM)
        r = self.kubectl('apply', '--server-side', '-f', '-', stdin=CM.replace('"2"', '"20"'), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('Apply failed with 1 conflict: conflict with "gitops": .data.b', r.stderr)
        self.assertEqual(self.kjson('get', 'cm', 'demo')['data']['b'], '2')
        self.kubectl('apply', '--server-side', '--force-conflicts', '-f', '-', stdin=CM.replace('"2"', '"20"'))
        cm = self.kjson('get', 'cm', 'demo')
        self.assertEqual(cm['data']['b'], '20')
        owners = {m['manager']: m['fieldsV1'] for m in cm['metadata']['managedFields']}
        self.assertEqual(owners['gitops'], {'f:data': {'f:a': {}}})

    def test_diff_server_side_exit_codes(self):
        # section 4.2: exit 0 without differences, 1 with; dry-run stores nothing
        self.kubectl('apply', '--server-side', '-f', '-', stdin=DEPLOY)
        self.assertEqual(self.kubectl('diff', '--server-side', '-f', '-', stdin=DEPLOY).returncode, 0)
        r = self.kubectl('diff', '--server-side', '-f', '-', stdin=DEPLOY.replace('nginx:1.27', 'nginx:1.28'),
                         ok=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('+      - image: nginx:1.28', r.stdout)
        img = self.kjson('get', 'deploy', 'web')['spec']['template']['spec']['containers'][0]['image']
        self.assertEqual(img, 'nginx:1.27')

    def test_get_json_shows_defaults_and_canonical_quantities(self):
        # sections 5.1/5.2: server defaults and Quantity canonical form
        self.kubectl('apply', '-f', '-', stdin=DEPLOY + '---\n' + SERVICE + '---\n' + SECRET)
        d = self.kjson('get', 'deploy', 'web')
        self.assertEqual(d['spec']['strategy'], {'type': 'RollingUpdate', 'rollingUpdate': {
            'maxUnavailable': '25%', 'maxSurge': '25%'}})
        self.assertEqual(d['spec']['revisionHistoryLimit'], 10)
        self.assertEqual(d['spec']['progressDeadlineSeconds'], 600)
        ps = d['spec']['template']['spec']
        self.assertEqual((ps['dnsPolicy'], ps['restartPolicy'], ps['schedulerName'],
                          ps['terminationGracePeriodSeconds'], ps['securityContext']),
                         ('ClusterFirst', 'Always', 'default-scheduler', 30, {}))
        c = ps['containers'][0]
        self.assertEqual(c['imagePullPolicy'], 'IfNotPresent')
        self.assertEqual(c['terminationMessagePath'], '/dev/termination-log')
        self.assertEqual(c['ports'], [{'containerPort': 80, 'protocol': 'TCP'}])
        self.assertEqual(c['resources'], {'requests': {'cpu': '500m', 'memory': '1Gi'},
                                          'limits': {'cpu': '1', 'memory': '1Gi'}})
        self.assertEqual(d['metadata']['generation'], 1)
        svc = self.kjson('get', 'svc', 'web')
        self.assertEqual(svc['spec']['ports'], [{'port': 80, 'protocol': 'TCP', 'targetPort': 80}])
        self.assertEqual((svc['spec']['type'], svc['spec']['sessionAffinity']), ('ClusterIP', 'None'))
        self.assertRegex(svc['spec']['clusterIP'], r'^\d+\.\d+\.\d+\.\d+$')
        sec = self.kjson('get', 'secret', 's')
        self.assertEqual(sec['data'], {'password': 'aHVudGVyMg=='})
        self.assertEqual(sec['type'], 'Opaque')
        self.assertNotIn('stringData', sec)

    def test_patch_types(self):
        # section 4.1: merge replaces lists, strategic merges containers by name, json ops
        self.kubectl('apply', '-f', '-', stdin=DEPLOY)
        self.kubectl('patch', 'deploy', 'web', '--type', 'strategic', '-p',
                     '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}')
        cs = self.kjson('get', 'deploy', 'web')['spec']['template']['spec']['containers']
        self.assertEqual([c['name'] for c in cs], ['nginx', 'side'])
        self.kubectl('patch', 'deploy', 'web', '--type', 'merge', '-p',
                     '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}')
        cs = self.kjson('get', 'deploy', 'web')['spec']['template']['spec']['containers']
        self.assertEqual([c['name'] for c in cs], ['only'])
        self.kubectl('patch', 'deploy', 'web', '--type', 'json', '-p',
                     '[{"op":"replace","path":"/spec/replicas","value":4}]')
        self.assertEqual(self.kjson('get', 'deploy', 'web')['spec']['replicas'], 4)
        r = self.kubectl('patch', 'deploy', 'web', '--type', 'json', '-p',
                         '[{"op":"test","path":"/spec/replicas","value":9}]', ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('testing value /spec/replicas failed', r.stderr)

    def test_label_and_selectors(self):
        # section 3.1: label writes a merge patch; -l supports set-based operators
        for n in ('a', 'b', 'c'):
            self.kubectl('create', 'configmap', n)
        self.kubectl('label', 'cm', 'a', 'tier=front')
        self.kubectl('label', 'cm', 'b', 'tier=back')
        names = lambda sel: sorted(self.kubectl('get', 'cm', '-l', sel, '-o', 'name').stdout.split())  # noqa
        self.assertEqual(names('tier=front'), ['configmap/a'])
        self.assertEqual(names('tier in (front,back)'), ['configmap/a', 'configmap/b'])
        self.assertEqual(names('tier notin (front),tier'), ['configmap/b'])
        self.assertIn('configmap/c', names('!tier'))
        r = self.kubectl('label', 'cm', 'a', 'tier=x', ok=False)
        self.assertIn("'tier' already has a value (front)", r.stderr)

    def test_get_prints_server_side_columns(self):
        # section 3.3: kubectl prints the server's Table columns (Deployment READY, CRD printer columns)
        self.kubectl('apply', '-f', '-', stdin=DEPLOY)
        deadline = time.time() + 5
        out = ''
        while time.time() < deadline and '2/2' not in out:
            out = self.kubectl('get', 'deploy', 'web').stdout
            time.sleep(0.1)
        header, row = out.splitlines()[:2]
        self.assertEqual(header.split(), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'])
        self.assertEqual(row.split()[:4], ['web', '2/2', '2', '2'])

    def test_scale_uses_scale_subresource(self):
        # section 1.1: deployments/scale (autoscaling/v1 Scale); ownership recorded per subresource
        self.kubectl('apply', '--server-side', '-f', '-', stdin=DEPLOY)
        self.assertIn('deployment.apps/web scaled', self.kubectl('scale', 'deploy', 'web', '--replicas=5').stdout)
        d = self.kjson('get', 'deploy', 'web')
        self.assertEqual(d['spec']['replicas'], 5)
        self.assertEqual(d['metadata']['generation'], 2)
        subs = [m.get('subresource') for m in d['metadata']['managedFields'] if m['manager'] == 'kubectl']
        self.assertIn('scale', subs)
        # section 4.3: the next apply conflicts with the scale manager
        r = self.kubectl('apply', '--server-side', '-f', '-', stdin=DEPLOY, ok=False)
        self.assertIn('conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas', r.stderr)

    def test_delete(self):
        # section 2.4: delete then NotFound with the exact message
        self.kubectl('create', 'configmap', 'gone')
        self.assertIn('configmap "gone" deleted', self.kubectl('delete', 'cm', 'gone').stdout)
        r = self.kubectl('get', 'cm', 'gone', ok=False)
        self.assertIn('Error from server (NotFound): configmaps "gone" not found', r.stderr)

    def test_get_watch_with_timeout(self):
        # section 3.3: kubectl get -w lists, then watches from the list RV
        self.kubectl('create', 'configmap', 'first')
        p = subprocess.Popen(['kubectl', 'get', 'cm', '-w', '--request-timeout=4s'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.emu.env())
        deadline = time.time() + 10
        while time.time() < deadline and not self.stats()['watchesOpen']:
            time.sleep(0.1)
        self.assertEqual(self.stats()['watchesOpen'], 1)
        self.kubectl('create', 'configmap', 'second')
        out, _ = p.communicate(timeout=15)
        rows = [l.split()[0] for l in out.splitlines()[1:]]
        self.assertIn('first', rows)
        self.assertIn('second', rows)

    def test_kueue_crd_and_cluster_queue(self):
        # section 8: CRD established, group served; CR defaults from schema; 422 with causes
        crd = need_shared(self, 'crds', 'kueue', 'kueue.x-k8s.io_clusterqueues.yaml')
        self.kubectl('apply', '-f', crd)
        self.kubectl('wait', '--for=condition=Established', '--timeout=10s',
                     'crd/clusterqueues.kueue.x-k8s.io')
        cq = '''apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata: {name: team-a}
spec:
  namespaceSelector: {}
  resourceGroups:
  - coveredResources: ["cpu", "memory"]
    flavors:
    - name: default-flavor
      resources:
      - {name: cpu, nominalQuota: 9}
      - {name: memory, nominalQuota: 36Gi}
'''
        self.assertIn('clusterqueue.kueue.x-k8s.io/team-a created', self.kubectl('apply', '-f', '-', stdin=cq).stdout)
        got = self.kjson('get', 'clusterqueue', 'team-a')
        self.assertEqual(got['spec']['queueingStrategy'], 'BestEffortFIFO')
        # section 5.1: CR quantities are stored verbatim
        self.assertEqual(got['spec']['resourceGroups'][0]['flavors'][0]['resources'][1]['nominalQuota'], '36Gi')
        bad = cq.replace('team-a', 'team-b').replace('namespaceSelector: {}', 'queueingStrategy: Sometimes')
        bad = bad.replace('{name: cpu, nominalQuota: 9}', '{name: cpu}')
        r = self.kubectl('apply', '-f', '-', stdin=bad, ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('The ClusterQueue "team-b" is invalid', r.stderr)
        self.assertIn('spec.queueingStrategy: Unsupported value: "Sometimes": supported values: '
                      '"StrictFIFO", "BestEffortFIFO"', r.stderr)
        self.assertIn('spec.resourceGroups[0].flavors[0].resources[0].nominalQuota: Required value', r.stderr)
        # section 4.1: no strategic merge patch for custom resources (415)
        r = self.kubectl('patch', 'clusterqueue', 'team-a', '--type', 'strategic', '-p', '{"spec":{}}', ok=False)
        self.assertIn('application/strategic-merge-patch+json is not supported', r.stderr)
        self.assertIn('the body of the request was in an unknown format', r.stderr)

    def test_delete_namespace_with_contents(self):
        # section 2.4: Terminating, creates forbidden, contents deleted, then gone
        self.kubectl('create', 'namespace', 'doomed')
        self.kubectl('create', 'configmap', 'x', '-n', 'doomed')
        self.kubectl('apply', '-f', '-', stdin=DEPLOY.replace('namespace: default', 'namespace: doomed'))
        self.kubectl('apply', '-f', '-', stdin='apiVersion: v1\nkind: PersistentVolumeClaim\n'
                     'metadata: {name: data, namespace: doomed}\nspec:\n  accessModes: [ReadWriteOnce]\n'
                     '  resources: {requests: {storage: 1Gi}}\n')
        self.emu.control('POST', 'controllers', {'namespaces': False})
        self.kubectl('delete', 'namespace', 'doomed', '--wait=false')
        self.assertEqual(self.kjson('get', 'ns', 'doomed')['status']['phase'], 'Terminating')
        r = self.kubectl('create', 'configmap', 'late', '-n', 'doomed', ok=False)
        self.assertIn('unable to create new content in namespace doomed because it is being terminated',
                      r.stderr)
        self.emu.control('POST', 'controllers', {'namespaces': True})
        self.kubectl('wait', '--for=delete', 'namespace/doomed', '--timeout=20s')
        self.assertEqual(self.kubectl('get', 'all,cm,pvc', '-n', 'doomed', '-o', 'name').stdout.strip(), '')
        r = self.kubectl('delete', 'namespace', 'default', ok=False)
        self.assertIn('this namespace may not be deleted', r.stderr)

    def test_field_validation_of_unknown_fields(self):
        # section 4.1: Strict -> 400 naming the field; Warn -> Warning; Ignore -> dropped
        typo = DEPLOY.replace('        image: nginx:1.27', '        image: nginx:1.27\n        imagee: x')
        r = self.kubectl('apply', '-f', '-', stdin=typo, ok=False)
        self.assertIn('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
                      'unknown field "spec.template.spec.containers[0].imagee"', r.stderr)
        r = self.kubectl('apply', '--server-side', '-f', '-', stdin=typo, ok=False)
        self.assertIn('unknown field "spec.template.spec.containers[0].imagee"', r.stderr)
        r = self.kubectl('apply', '--validate=warn', '-f', '-', stdin=typo)
        self.assertIn('Warning: unknown field "spec.template.spec.containers[0].imagee"', r.stderr)
        self.kubectl('apply', '--validate=false', '-f', '-', stdin=typo.replace('name: web', 'name: web2', 1))
        c = self.kjson('get', 'deploy', 'web2')['spec']['template']['spec']['containers'][0]
        self.assertNotIn('imagee', c)

    def test_create_generators(self):
        # kubectl create <generator> POSTs protobuf; the stored objects carry the server defaults
        self.kubectl('create', 'deployment', 'web', '--image', 'nginx:1.27', '--port', '80', '--replicas', '2')
        d = self.kjson('get', 'deploy', 'web')
        self.assertEqual(d['spec']['replicas'], 2)
        self.assertEqual(d['spec']['selector'], {'matchLabels': {'app': 'web'}})
        c = d['spec']['template']['spec']['containers'][0]
        self.assertEqual((c['name'], c['image'], c['ports'], c['resources']),
                         ('nginx', 'nginx:1.27', [{'containerPort': 80, 'protocol': 'TCP'}], {}))
        self.assertIn(('kubectl-create', 'Update'),
                      [(m['manager'], m['operation']) for m in d['metadata']['managedFields']])
        self.kubectl('create', 'service', 'clusterip', 'web', '--tcp=80:8080')
        self.assertEqual(self.kjson('get', 'svc', 'web')['spec']['ports'],
                         [{'name': '80-8080', 'port': 80, 'protocol': 'TCP', 'targetPort': 8080}])
        self.kubectl('create', 'role', 'r', '--verb=get,list', '--resource=pods')
        self.kubectl('create', 'rolebinding', 'rb', '--role=r', '--serviceaccount=default:sa')
        self.assertEqual(self.kjson('get', 'role', 'r')['rules'],
                         [{'apiGroups': [''], 'resources': ['pods'], 'verbs': ['get', 'list']}])
        rb = self.kjson('get', 'rolebinding', 'rb')
        self.assertEqual(rb['subjects'], [{'kind': 'ServiceAccount', 'name': 'sa', 'namespace': 'default'}])
        self.kubectl('create', 'quota', 'q', '--hard=cpu=1.5,memory=1024Mi')
        # section 5.1: quantities canonicalised
        self.assertEqual(self.kjson('get', 'quota', 'q')['spec']['hard'], {'cpu': '1500m', 'memory': '1Gi'})
        self.kubectl('create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *')
        cj = self.kjson('get', 'cronjob', 'cj')['spec']
        self.assertEqual((cj['schedule'], cj['concurrencyPolicy']), ('*/5 * * * *', 'Allow'))
        self.assertEqual(cj['jobTemplate']['spec']['template']['spec']['restartPolicy'], 'OnFailure')

    def test_immutable_fields(self):
        # section 2.2: 422 Invalid for a changed Deployment selector, the familiar GitOps error
        self.kubectl('apply', '--server-side', '-f', '-', stdin=DEPLOY)
        r = self.kubectl('apply', '--server-side', '-f', '-', stdin=DEPLOY.replace('app: web', 'app: web2'),
                         ok=False)
        self.assertIn('The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{'
                      'MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:'
                      '[]v1.LabelSelectorRequirement(nil)}: field is immutable', r.stderr)
        self.kubectl('create', 'configmap', 'frozen', '--from-literal=a=1')
        self.kubectl('patch', 'configmap', 'frozen', '-p', '{"immutable":true}')
        r = self.kubectl('patch', 'configmap', 'frozen', '-p', '{"data":{"a":"2"}}', ok=False)
        self.assertIn('data: Forbidden: field is immutable when `immutable` is set', r.stderr)

    def test_auth_can_i(self):
        # section 7: kubectl auth can-i posts a SelfSubjectAccessReview (protobuf body)
        self.assertEqual(self.kubectl('auth', 'can-i', 'create', 'deployments', '-n', 'x').stdout.strip(), 'yes')

    def test_impersonated_service_account_is_confined_by_rbac(self):
        # section 7: --as system:serviceaccount:NS:NAME is authorized by RBAC as that SA
        self.kubectl('create', 'namespace', 'team-a')
        rbac_yaml = '''apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-editor, namespace: team-a}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-cm, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-editor}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: team-a}
'''
        self.kubectl('apply', '-f', '-', stdin=rbac_yaml)
        sa = 'system:serviceaccount:team-a:deployer'
        self.assertIn('configmap/x created', self.kubectl('create', 'configmap', 'x', '-n', 'team-a', '--as', sa).stdout)
        r = self.kubectl('get', 'configmaps', '-n', 'default', '--as', sa, ok=False)
        self.assertIn('Error from server (Forbidden): configmaps is forbidden: User '
                      '"system:serviceaccount:team-a:deployer" cannot list resource "configmaps" in API group "" '
                      'in the namespace "default"', r.stderr)
        r = self.kubectl('create', 'deployment', 'web', '--image', 'nginx', '-n', 'team-a', '--as', sa, ok=False)
        self.assertIn('cannot create resource "deployments" in API group "apps" in the namespace "team-a"',
                      r.stderr)
        yes_no = lambda *a: self.kubectl('auth', 'can-i', *a, '--as', sa, ok=False).stdout.strip()  # noqa
        self.assertEqual(yes_no('create', 'configmaps', '-n', 'team-a'), 'yes')
        self.assertEqual(yes_no('create', 'deployments', '-n', 'team-a'), 'no')
        self.assertEqual(yes_no('list', 'namespaces'), 'no')

    def test_wrong_token_is_unauthorized(self):
        # section 2.2 / issue: requests without the bearer token get 401 Status
        code, body, _ = self.emu.request('GET', '/api/v1/namespaces', token=False)
        self.assertEqual((code, body['reason'], body['kind']), (401, 'Unauthorized', 'Status'))
        r = self.kubectl('--token', 'wrong', 'get', 'ns', ok=False)
        self.assertIn('error: You must be logged in to the server', r.stderr)

    def test_client_retries_injected_503_with_retry_after(self):
        # section 2.2: client-go retries 429/5xx only when Retry-After is present
        self.kubectl('create', 'configmap', 'flaky')
        self.emu.control('POST', 'faults', {'verb': 'get', 'resource': 'configmaps', 'name': 'flaky',
                                            'status': 503, 'retryAfterSeconds': 1, 'count': 2})
        self.assertIn('flaky', self.kubectl('get', 'cm', 'flaky').stdout)
        self.assertEqual(self.count('get', 'configmaps', 503), 2)
        self.emu.control('POST', 'faults', {'verb': 'get', 'resource': 'configmaps', 'status': 500,
                                            'count': 1})
        r = self.kubectl('get', 'cm', 'flaky', ok=False)
        self.assertIn('Error from server (InternalError)', r.stderr)

    def test_mutator_is_not_fought_by_server_side_apply(self):
        # issue/DESIGN: admission mutation owned by its own manager; re-apply keeps it
        self.emu.control('POST', 'mutator', {'enabled': True})
        self.kubectl('apply', '--server-side', '-f', '-', stdin=DEPLOY)
        d = self.kjson('get', 'deploy', 'web')
        tmpl = d['spec']['template']
        terms = tmpl['spec']['affinity']['nodeAffinity']['requiredDuringSchedulingIgnoredDuringExecution'][
            'nodeSelectorTerms']
        self.assertEqual(terms, [{'matchExpressions': [
            {'key': 'nvidia.com/gpu.present', 'operator': 'NotIn', 'values': ['true']}]}])
        self.assertIn('platform.tend.dev/scheduling', tmpl['metadata']['annotations'])
        managers = {m['manager'] for m in d['metadata']['managedFields']}
        self.assertIn('kyverno', managers)
        self.assertEqual(self.kubectl('diff', '--server-side', '-f', '-', stdin=DEPLOY).returncode, 0)
        self.kubectl('apply', '--server-side', '-f', '-', stdin=DEPLOY)
        self.assertIn('affinity', self.kjson('get', 'deploy', 'web')['spec']['template']['spec'])
        gpu = DEPLOY.replace('web', 'gpu').replace('memory: 1Gi}', 'memory: 1Gi, nvidia.com/gpu: 1}')
        self.kubectl('apply', '--server-side', '-f', '-', stdin=gpu)
        self.assertNotIn('affinity', self.kjson('get', 'deploy', 'gpu')['spec']['template']['spec'])


if __name__ == '__main__':
    import unittest
    unittest.main()
