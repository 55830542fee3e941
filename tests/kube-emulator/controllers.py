"""Simulated controllers, switchable through POST /_emulator/controllers:
workload readiness (Deployments, StatefulSets, ReplicaSets, DaemonSets),
Job completion, namespace finalisation (delete contents, then the
namespace), ownerReference garbage collection, CRD status (NamesAccepted,
Established) and the per-namespace defaults a real cluster creates.

They run on one background thread from a queue of due tasks; every write
goes through the Cluster like any client's, as manager
kube-controller-manager (or apiextensions-apiserver for CRDs).
"""
import heapq
import itertools
import threading
import time

import status

KCM = 'kube-controller-manager'
WORKLOADS = {'Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'}


class Controllers:
    def __init__(self, cluster):
        self.cluster = cluster
        self.config = {'workloads': 'ready', 'readyDelaySeconds': 0.2, 'jobs': 'complete',
                       'jobDelaySeconds': 0.2, 'namespaces': True, 'garbageCollector': True,
                       'namespaceDefaults': True, 'enabled': True}
        self.cv = threading.Condition()
        self.tasks = []
        self.seq = itertools.count()
        self.stopped = False
        cluster.on_change.append(self.on_change)
        self.thread = threading.Thread(target=self.run, name='controllers', daemon=True)

    def start(self):
        self.resync()
        self.thread.start()

    def resync(self):
        """Queue work for objects that exist already (bootstrap, reset, re-enable)."""
        c = self.cluster
        with c.lock:
            for r in c.all_resources():
                if r.kind in ('Namespace', 'CustomResourceDefinition') or r.kind in WORKLOADS:
                    for e in c.store.items(r.key):
                        self.on_change(r, e.obj, 'ADDED' if r.kind == 'Namespace' and
                                       not e.obj['metadata'].get('deletionTimestamp') else 'MODIFIED')

    def stop(self):
        with self.cv:
            self.stopped = True
            self.cv.notify()

    def configure(self, d):
        for k, v in d.items():
            if k not in self.config:
                raise ValueError('unknown controller setting %r (known: %s)' % (k, ', '.join(sorted(self.config))))
            if k == 'workloads' and v not in ('ready', 'never'):
                raise ValueError('workloads must be "ready" or "never"')
            if k == 'jobs' and v not in ('complete', 'never'):
                raise ValueError('jobs must be "complete" or "never"')
            self.config[k] = v
        self.resync()

    def schedule(self, delay, fn, *args):
        with self.cv:
            heapq.heappush(self.tasks, (time.monotonic() + delay, next(self.seq), fn, args))
            self.cv.notify()

    # called with the cluster lock held: only enqueue
    def on_change(self, res, obj, ev):
        if not self.config['enabled']:
            return
        md = obj['metadata']
        ref = (res, md.get('namespace', ''), md['name'])
        if res.kind == 'CustomResourceDefinition' and ev != 'DELETED':
            self.schedule(0, self.crd_status, *ref)
        elif res.kind == 'Namespace':
            if ev == 'ADDED' and self.config['namespaceDefaults']:
                self.schedule(0, self.namespace_defaults, md['name'])
            if md.get('deletionTimestamp') and ev != 'DELETED' and self.config['namespaces']:
                self.schedule(0.05, self.finalize_namespace, md['name'])
        elif res.kind == 'Pod' and ev == 'ADDED':
            self.schedule(self.config['readyDelaySeconds'], self.pod_status, *ref)
        elif res.kind in WORKLOADS and ev != 'DELETED':
            self.schedule(self.config['readyDelaySeconds'], self.workload_status, *ref)
        elif res.kind == 'Job' and ev == 'ADDED':
            self.schedule(self.config['jobDelaySeconds'], self.job_status, *ref)
        if self.config['garbageCollector']:
            if ev == 'DELETED':
                self.schedule(0.05, self.collect_dependents, md['uid'])
            elif md.get('deletionTimestamp') and set(md.get('finalizers') or []) & {'orphan', 'foregroundDeletion'}:
                self.schedule(0.05, self.gc_finalizers, *ref)

    def run(self):
        while True:
            with self.cv:
                while not self.stopped and (not self.tasks or self.tasks[0][0] > time.monotonic()):
                    timeout = self.tasks[0][0] - time.monotonic() if self.tasks else None
                    self.cv.wait(timeout)
                if self.stopped:
                    return
                _, _, fn, args = heapq.heappop(self.tasks)
            try:
                with self.cluster.lock:
                    fn(*args)
            except status.StatusError:
                pass
            except Exception as e:  # a controller bug must not kill the server
                import sys
                print('emulator: controller %s failed: %r' % (fn.__name__, e), file=sys.stderr)

    # --- helpers ------------------------------------------------------------------
    def _current(self, res, ns, name):
        e = self.cluster.store.get(res.key, ns, name)
        return e.obj if e else None

    def _write_status(self, res, obj, st, manager=KCM):
        body = dict(obj)
        body['status'] = st
        q = {'fieldManager': manager}
        sub = 'status' if res.status_sub else ''
        self.cluster.update(res, obj['metadata'].get('namespace', ''), obj['metadata']['name'],
                            body, q, sub=sub)

    # --- controllers ----------------------------------------------------------------
    def crd_status(self, res, ns, name):
        crd = self._current(res, ns, name)
        if crd is None:
            return
        spec = crd.get('spec') or {}
        ts = crd['metadata']['creationTimestamp']
        names = dict(spec.get('names') or {})
        names.setdefault('singular', names.get('kind', '').lower())
        names.setdefault('listKind', names.get('kind', '') + 'List')
        stored = [v['name'] for v in spec.get('versions') or [] if v.get('storage')]
        old = crd.get('status') or {}
        for v in old.get('storedVersions') or []:
            if v not in stored:
                stored.insert(0, v)
        st = {'acceptedNames': names, 'storedVersions': stored, 'conditions': [
            {'type': 'NamesAccepted', 'status': 'True', 'lastTransitionTime': ts,
             'reason': 'NoConflicts', 'message': 'no conflicts found'},
            {'type': 'Established', 'status': 'True', 'lastTransitionTime': ts,
             'reason': 'InitialNamesAccepted', 'message': 'the initial names have been accepted'}]}
        if old != st:
            self._write_status(res, crd, st, 'kube-apiserver')

    def namespace_defaults(self, ns):
        c = self.cluster
        nsobj = self._current(c.resource('', 'v1', 'namespaces'), '', ns)
        if nsobj is None or nsobj['metadata'].get('deletionTimestamp'):
            return
        sa = c.resource('', 'v1', 'serviceaccounts')
        if not c.store.get(sa.key, ns, 'default'):
            c.create(sa, ns, {'metadata': {'name': 'default'}}, {'fieldManager': KCM})
        cm = c.resource('', 'v1', 'configmaps')
        if not c.store.get(cm.key, ns, 'kube-root-ca.crt'):
            c.create(cm, ns, {'metadata': {'name': 'kube-root-ca.crt', 'annotations': {
                'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the '
                                             'kube-apiserver when using internal endpoints such as the '
                                             'internal service IP or kubernetes.default.svc. No other '
                                             'usage is guaranteed across distributions of Kubernetes '
                                             'clusters.'}},
                'data': {'ca.crt': '-----BEGIN CERTIFICATE-----\nemulator\n-----END CERTIFICATE-----\n'}},
                {'fieldManager': KCM})

    def finalize_namespace(self, ns):
        c = self.cluster
        nsres = c.resource('', 'v1', 'namespaces')
        nsobj = self._current(nsres, '', ns)
        if nsobj is None or not nsobj['metadata'].get('deletionTimestamp'):
            return
        for r in c.all_resources():
            if not r.namespaced or r.kind in ('SelfSubjectAccessReview',) or r.key in seen_keys(c, r):
                continue
            for e in c.store.items(r.key, ns):
                if not e.obj['metadata'].get('deletionTimestamp'):
                    try:
                        c.delete(r, ns, e.obj['metadata']['name'], {'propagationPolicy': 'Background'}, {})
                    except status.StatusError:
                        pass
        if any(c.store.items(r.key, ns) for r in c.all_resources() if r.namespaced):
            self.schedule(0.1, self.finalize_namespace, ns)
            return
        fins = [f for f in (nsobj.get('spec') or {}).get('finalizers') or [] if f != 'kubernetes']
        if fins != (nsobj.get('spec') or {}).get('finalizers'):
            body = dict(nsobj)
            body['spec'] = dict(nsobj.get('spec') or {}, finalizers=fins)
            c.update(nsres, '', ns, body, {'fieldManager': KCM}, sub='finalize')
            nsobj = self._current(nsres, '', ns)
        if nsobj is not None and not (nsobj.get('spec') or {}).get('finalizers') \
                and not nsobj['metadata'].get('finalizers'):
            c._delete_now(nsres, nsobj)

    def workload_status(self, res, ns, name):
        obj = self._current(res, ns, name)
        if obj is None or obj['metadata'].get('deletionTimestamp'):
            return
        spec = obj.get('spec') or {}
        gen = obj['metadata'].get('generation', 1)
        ready = self.config['workloads'] == 'ready'
        if res.kind == 'DaemonSet':
            n = 1
            st = {'currentNumberScheduled': n, 'desiredNumberScheduled': n, 'numberMisscheduled': 0,
                  'numberReady': n if ready else 0, 'observedGeneration': gen,
                  'updatedNumberScheduled': n}
            if ready:
                st['numberAvailable'] = n
            else:
                st['numberUnavailable'] = n
        else:
            n = spec.get('replicas', 1)
            st = {'observedGeneration': gen, 'replicas': n}
            if ready and n:
                st.update({'readyReplicas': n, 'availableReplicas': n})
            st['updatedReplicas'] = n
            if res.kind == 'StatefulSet':
                st['currentReplicas'] = n
                st['currentRevision'] = st['updateRevision'] = '%s-%d' % (name, gen)
                st['collisionCount'] = 0
                if not ready:
                    st.pop('readyReplicas', None)
            if res.kind == 'Deployment':
                if not ready and n:
                    st['unavailableReplicas'] = n
                prev = {c.get('type'): c for c in (obj.get('status') or {}).get('conditions') or []}
                ts = prev.get('Available', {}).get('lastTransitionTime') or obj['metadata']['creationTimestamp']
                st['conditions'] = [
                    {'type': 'Available', 'status': 'True' if ready else 'False',
                     'lastUpdateTime': ts, 'lastTransitionTime': ts,
                     'reason': 'MinimumReplicasAvailable' if ready else 'MinimumReplicasUnavailable',
                     'message': 'Deployment has minimum availability.' if ready else
                     'Deployment does not have minimum availability.'},
                    {'type': 'Progressing', 'status': 'True', 'lastUpdateTime': ts, 'lastTransitionTime': ts,
                     'reason': 'NewReplicaSetAvailable' if ready else 'ReplicaSetUpdated',
                     'message': 'ReplicaSet "%s" has successfully progressed.' % name if ready else
                     'ReplicaSet "%s" is progressing.' % name}]
        if (obj.get('status') or {}) != st:
            self._write_status(res, obj, st)

    def pod_status(self, res, ns, name):
        """Pods run and become Ready (workloads "ready"), or stay Pending."""
        obj = self._current(res, ns, name)
        if obj is None or obj['metadata'].get('deletionTimestamp'):
            return
        from api import now
        ts = now()
        ready = self.config['workloads'] == 'ready'
        cs = [c.get('name', '') for c in (obj.get('spec') or {}).get('containers') or []]
        if not ready:
            st = {'phase': 'Pending', 'conditions': [
                {'type': 'PodScheduled', 'status': 'False', 'lastTransitionTime': ts, 'reason': 'Unschedulable',
                 'message': '0/1 nodes are available: emulated cluster keeps pods pending.'}],
                'qosClass': 'BestEffort'}
        else:
            conds = [{'type': t, 'status': 'True', 'lastTransitionTime': ts}
                     for t in ('PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady',
                               'PodScheduled')]
            st = {'phase': 'Running', 'conditions': conds, 'hostIP': '10.0.0.1',
                  'hostIPs': [{'ip': '10.0.0.1'}], 'podIP': '10.244.0.%d' % (hash(name) % 250 + 2),
                  'startTime': ts, 'qosClass': 'BestEffort',
                  'containerStatuses': [{'name': c, 'ready': True, 'restartCount': 0, 'started': True,
                                         'image': '', 'imageID': '', 'state': {'running': {'startedAt': ts}}}
                                        for c in cs]}
            st['podIPs'] = [{'ip': st['podIP']}]
        self._write_status(res, obj, st, 'kubelet')

    def job_status(self, res, ns, name):
        obj = self._current(res, ns, name)
        if obj is None or self.config['jobs'] != 'complete' or (obj.get('spec') or {}).get('suspend'):
            return
        spec = obj.get('spec') or {}
        ts = obj['metadata']['creationTimestamp']
        from api import now
        done = now()
        st = {'startTime': ts, 'completionTime': done, 'succeeded': spec.get('completions') or 1,
              'ready': 0, 'terminating': 0, 'uncountedTerminatedPods': {},
              'conditions': [
                  {'type': 'SuccessCriteriaMet', 'status': 'True', 'lastProbeTime': done,
                   'lastTransitionTime': done, 'reason': 'CompletionsReached',
                   'message': 'Reached expected number of succeeded pods'},
                  {'type': 'Complete', 'status': 'True', 'lastProbeTime': done,
                   'lastTransitionTime': done, 'reason': 'CompletionsReached',
                   'message': 'Reached expected number of succeeded pods'}]}
        self._write_status(res, obj, st)

    def _dependents(self, uid):
        c = self.cluster
        for r in c.all_resources():
            for e in c.store.items(r.key):
                refs = e.obj['metadata'].get('ownerReferences') or []
                if any(ref.get('uid') == uid for ref in refs):
                    yield r, e.obj

    def _alive(self, uid):
        c = self.cluster
        for r in c.all_resources():
            for e in c.store.items(r.key):
                if e.obj['metadata'].get('uid') == uid:
                    return True
        return False

    def collect_dependents(self, uid):
        for r, obj in list(self._dependents(uid)):
            refs = obj['metadata'].get('ownerReferences') or []
            if any(self._alive(ref.get('uid')) for ref in refs if ref.get('uid') != uid):
                continue
            md = obj['metadata']
            if not md.get('deletionTimestamp'):
                self.cluster.delete(r, md.get('namespace', ''), md['name'],
                                    {'propagationPolicy': 'Background'}, {})

    def gc_finalizers(self, res, ns, name):
        obj = self._current(res, ns, name)
        if obj is None:
            return
        md = obj['metadata']
        fins = md.get('finalizers') or []
        uid = md['uid']
        deps = list(self._dependents(uid))
        if 'orphan' in fins:
            for r, d in deps:
                body = dict(d)
                body['metadata'] = dict(d['metadata'])
                body['metadata']['ownerReferences'] = [o for o in d['metadata'].get('ownerReferences') or []
                                                       if o.get('uid') != uid]
                self.cluster.update(r, d['metadata'].get('namespace', ''), d['metadata']['name'],
                                    body, {'fieldManager': KCM})
            deps = []
            fins = [f for f in fins if f != 'orphan']
        if 'foregroundDeletion' in fins:
            if deps:
                for r, d in deps:
                    if not d['metadata'].get('deletionTimestamp'):
                        self.cluster.delete(r, d['metadata'].get('namespace', ''), d['metadata']['name'],
                                            {'propagationPolicy': 'Foreground'}, {})
                self.schedule(0.1, self.gc_finalizers, res, ns, name)
                return
            fins = [f for f in fins if f != 'foregroundDeletion']
        if fins != md.get('finalizers'):
            body = dict(obj)
            body['metadata'] = dict(md, finalizers=fins)
            self.cluster.update(res, ns, name, body, {'fieldManager': KCM})


def seen_keys(cluster, r):
    """Keys served at more than one version are visited once (first version)."""
    first = {}
    for x in cluster.all_resources():
        first.setdefault(x.key, x)
    return set() if first[r.key] is r else {r.key}
