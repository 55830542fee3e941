"""Admission-like mutation modelled on the platform's Kyverno policy
(reference: platform-policy.md section 1.9): Pods whose containers request no
nvidia.com/gpu get a required node-affinity expression
`nvidia.com/gpu.present NotIn ["true"]` in every nodeSelectorTerm (or one new
term) and the policy's annotation `platform.tend.dev/scheduling`.  DaemonSets
and DaemonSet-owned Pods are left alone.  Unlike the real policy (Pods only,
autogen off) it also mutates pod templates: the emulator runs no controllers,
so templates are where tend's own objects meet an admission mutation.  The real
policy's CEL is evaluated in tests/platform.  The change is recorded in managedFields under the mutator's own
manager, so appliers that never set these fields never own or fight them.
"""
import defaults

GPU = 'nvidia.com/gpu'


class Mutator:
    def __init__(self, manager='kyverno', node_label='nvidia.com/gpu.present',
                 annotation_key='platform.tend.dev/scheduling',
                 annotation_value='kept off GPU nodes: no container requests nvidia.com/gpu'):
        self.manager = manager
        self.node_label = node_label
        self.annotation_key, self.annotation_value = annotation_key, annotation_value

    def to_json(self):
        return {'enabled': True, 'manager': self.manager, 'nodeLabel': self.node_label,
                'annotationKey': self.annotation_key, 'annotationValue': self.annotation_value}

    @staticmethod
    def wants_gpu(spec):
        for f in ('containers', 'initContainers'):
            for c in spec.get(f) or []:
                res = (c or {}).get('resources') or {}
                for part in ('limits', 'requests'):
                    if GPU in (res.get(part) or {}):
                        return True
        return False

    def _mutate(self, meta_holder, spec):
        if self.wants_gpu(spec):
            return
        expr = {'key': self.node_label, 'operator': 'NotIn', 'values': ['true']}
        na = spec.setdefault('affinity', {}).setdefault('nodeAffinity', {})
        req = na.setdefault('requiredDuringSchedulingIgnoredDuringExecution', {})
        terms = req.get('nodeSelectorTerms') or []
        if not terms:
            terms = [{'matchExpressions': [expr]}]
        for t in terms:
            exprs = t.setdefault('matchExpressions', [])
            if expr not in exprs:
                exprs.append(dict(expr, values=['true']))
        req['nodeSelectorTerms'] = terms
        md = meta_holder.setdefault('metadata', {})
        md.setdefault('annotations', {})[self.annotation_key] = self.annotation_value

    def admit(self, res, obj):
        if res.group not in ('', 'apps', 'batch') or res.kind == 'DaemonSet':
            return
        if res.kind == 'Pod':
            owners = (obj.get('metadata') or {}).get('ownerReferences') or []
            if any(o.get('kind') == 'DaemonSet' for o in owners):
                return
            if isinstance(obj.get('spec'), dict):
                self._mutate(obj, obj['spec'])
            return
        for tmpl in defaults.pod_templates(res.kind, obj):
            if isinstance(tmpl.get('spec'), dict):
                self._mutate(tmpl, tmpl['spec'])
