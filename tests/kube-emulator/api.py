"""The emulated cluster: resource registry and the semantics of every verb
(reference sections 2-4).  The HTTP layer calls these methods and turns a
StatusError into a Status response; nothing here speaks HTTP.

Invariants: a write is either rejected before anything is stored or stored
with one new resourceVersion and one watch event; dryRun=All runs the whole
pipeline and stores nothing; a no-op write stores nothing.
"""
import base64
import copy
import datetime
import json
import random
import uuid

import yaml

import defaults
import knownfields
import patch as patchlib
import schema
import selection
import ssa
import status
import validation
from resources import BUILTINS, VIRTUAL_KINDS, crd_resources, version_priority
from store import Store

GENERATION_KINDS = {'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob',
                    'NetworkPolicy', 'PodDisruptionBudget', 'CustomResourceDefinition'}
APPLY = 'application/apply-patch+yaml'
JSON_PATCH = 'application/json-patch+json'
MERGE_PATCH = 'application/merge-patch+json'
SMP = 'application/strategic-merge-patch+json'
IMMORTAL_NAMESPACES = ('default', 'kube-system', 'kube-public')
_GEN_CHARS = 'bcdfghjklmnpqrstvwxz2456789'


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def deepcopy(o):
    return copy.deepcopy(o)


def _fix_numbers(v):
    """Integral floats become ints: Go re-encodes 1.0 as 1 (reference 5.2)."""
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, float) and x.is_integer() and abs(x) < 1e21:
                v[k] = int(x)
            elif isinstance(x, (dict, list)):
                _fix_numbers(x)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            if isinstance(x, float) and x.is_integer() and abs(x) < 1e21:
                v[i] = int(x)
            elif isinstance(x, (dict, list)):
                _fix_numbers(x)
    return v


class FloatText(float):
    """A JSON number that remembers its text (for Quantity parsing)."""
    def __new__(cls, text):
        f = float.__new__(cls, text)
        f.text = text
        return f


def decode_json(body):
    try:
        v = json.loads(body, parse_float=FloatText)
    except (ValueError, UnicodeDecodeError) as e:
        raise status.bad_request('error decoding request body: %s' % e)
    return v


class Result:
    def __init__(self, code, obj, warnings=()):
        self.code, self.obj, self.warnings = code, obj, list(warnings)


class Cluster:
    def __init__(self, history=1000):
        self.store = Store(history)
        self.lock = self.store.lock
        self.builtins = {(r.group, r.version, r.plural): r for r in BUILTINS}
        self.custom = {}          # crd name -> [Resource]
        self.on_change = []       # callbacks(key, obj, event) for controllers
        self.mutator = None
        self.next_ip = 10
        self.discovery_version = 0
        self._bootstrap()

    # --- registry -----------------------------------------------------------
    def _bootstrap(self):
        for ns in ('default', 'kube-system', 'kube-public', 'kube-node-lease'):
            self.create(self.resource('', 'v1', 'namespaces'), None,
                        {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': ns}},
                        {'fieldManager': 'kube-apiserver'})

    def resource(self, group, version, plural):
        r = self.builtins.get((group, version, plural))
        if r is not None:
            return r
        for rs in list(self.custom.values()):
            for c in rs:
                if c.group == group and c.version == version and c.plural == plural:
                    return c
        return None

    def all_resources(self):
        out = list(BUILTINS)
        for rs in list(self.custom.values()):
            out.extend(rs)
        return out

    def groups(self):
        """[(group, [versions sorted by priority])], core first."""
        gv = {}
        for r in self.all_resources():
            gv.setdefault(r.group, set()).add(r.version)
        out = []
        for g in sorted(gv, key=lambda g: (g != '', g)):
            out.append((g, sorted(gv[g], key=version_priority, reverse=True)))
        return out

    def install_crd(self, crd):
        name = crd['metadata']['name']
        established = any(c.get('type') == 'Established' and c.get('status') == 'True'
                          for c in (crd.get('status') or {}).get('conditions') or [])
        if established:
            self.custom[name] = crd_resources(crd)
        else:
            self.custom.pop(name, None)
        self.discovery_version += 1

    # --- helpers --------------------------------------------------------------
    def _out(self, res, obj):
        """Object as served at res's version."""
        if res.crd and obj.get('apiVersion') != res.api_version:
            obj = dict(obj)
            obj['apiVersion'] = res.api_version
        return obj

    def _ns_check(self, res, ns, name, creating=True):
        if not res.namespaced:
            return
        nsres = self.builtins[('', 'v1', 'namespaces')]
        e = self.store.get(nsres.key, '', ns)
        if e is None:
            raise status.not_found(nsres, ns)
        if creating and e.obj['metadata'].get('deletionTimestamp'):
            raise status.StatusError(
                403, 'Forbidden',
                '%s "%s" is forbidden: unable to create new content in namespace %s because it is '
                'being terminated' % (res.group_resource, name, ns),
                {'name': name, 'group': res.group, 'kind': res.plural,
                 'causes': [{'reason': 'NamespaceTerminating',
                             'message': 'namespace %s is being terminated' % ns,
                             'field': 'metadata.namespace'}]} if res.group else
                {'name': name, 'kind': res.plural,
                 'causes': [{'reason': 'NamespaceTerminating',
                             'message': 'namespace %s is being terminated' % ns,
                             'field': 'metadata.namespace'}]})

    def _check_identity(self, res, ns, body, name=None):
        if not isinstance(body, dict):
            raise status.bad_request('Object is not a valid JSON object')
        av, kind = body.get('apiVersion'), body.get('kind')
        if kind and kind != res.kind:
            raise status.bad_request('%s in version "%s" cannot be handled as a %s: '
                                     'the kind in the data (%s) does not match the expected kind (%s)'
                                     % (kind, res.version, res.kind, kind, res.kind))
        if av and av != res.api_version:
            raise status.bad_request('the API version in the data (%s) does not match the expected '
                                     'API version (%s)' % (av, res.api_version))
        body['apiVersion'], body['kind'] = res.api_version, res.kind
        md = body.get('metadata')
        if md is None:
            md = body['metadata'] = {}
        if not isinstance(md, dict):
            raise status.bad_request('metadata must be an object')
        if res.namespaced:
            if md.get('namespace') and md['namespace'] != ns:
                raise status.bad_request('the namespace of the provided object does not match '
                                         'the namespace sent on the request')
            md['namespace'] = ns
        else:
            md.pop('namespace', None)
        if name is not None and md.get('name') and md['name'] != name:
            raise status.bad_request('the name of the object (%s) does not match the name on the '
                                     'URL (%s)' % (md['name'], name))
        if name is not None:
            md['name'] = name
        return md

    def _content(self, res, obj, q, uid=None):
        """Prune/default/validate content; returns warnings."""
        warnings = []
        fv = q.get('fieldValidation', 'Warn')
        if fv not in ('Ignore', 'Warn', 'Strict'):
            raise status.bad_request('fieldValidation must be one of Ignore, Warn or Strict')
        _fix_numbers(obj)
        if res.crd:
            unknown, errs = schema.process(obj, res.schema or {})
            errs = validation.annotations_size(obj) + errs
            if unknown:
                self._unknown(res, unknown, fv, warnings)
            if errs:
                raise status.invalid(res, obj['metadata'].get('name', ''), errs)
        else:
            unknown = knownfields.unknown_fields(res.kind, obj)
            if unknown:
                self._unknown(res, unknown, fv, warnings)
            try:
                defaults.apply_defaults(res.kind, obj, uid)
            except defaults.DecodeError as e:
                raise status.bad_request('%s in version "%s" cannot be handled as a %s: %s'
                                         % (res.kind, res.version, res.kind, e))
            errs = validation.validate(res.kind, obj)
            if errs:
                raise status.invalid(res, obj['metadata'].get('name', ''), errs)
        return warnings

    @staticmethod
    def _unknown(res, unknown, fv, warnings):
        if fv == 'Strict':
            msg = 'strict decoding error: ' + ', '.join('unknown field "%s"' % u for u in unknown)
            if not res.crd:
                msg = '%s in version "%s" cannot be handled as a %s: %s' % (
                    res.kind, res.version, res.kind, msg)
            raise status.bad_request(msg)
        if fv == 'Warn':
            warnings += ['unknown field "%s"' % u for u in unknown]

    def _mutate(self, res, obj, managers, ts):
        """Admission mutation, attributed to the mutator's own manager."""
        if self.mutator is None:
            return managers
        before = deepcopy(obj)
        self.mutator.admit(res, obj)
        if before == obj:
            return managers
        return ssa.update(before, obj, res.type, managers, self.mutator.manager,
                          'v1' if not res.group else res.api_version, ts, res.status_sub)

    def _manager(self, q, ua):
        m = q.get('fieldManager')
        if m is None:
            m = (ua or '').split('/')[0][:128]
        if len(m) > 128:
            raise status.StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                                     'Too long: may not be more than 128 bytes')
        return m

    def _dry(self, q):
        d = q.get('dryRun')
        if d and d != 'All':
            raise status.bad_request('Invalid dry run value: %s' % d)
        return d == 'All'

    def _commit(self, res, old, new, dry):
        """Store new (or a deletion when new is None).  Returns the stored object."""
        if dry:
            return new
        md = new['metadata']
        md['resourceVersion'] = str(self.store.next_rv())
        self.store.put(res.key, new, 'ADDED' if old is None else 'MODIFIED', old)
        self._changed(res, new, 'ADDED' if old is None else 'MODIFIED')
        return new

    def _changed(self, res, obj, ev):
        if res.kind == 'CustomResourceDefinition':
            if ev == 'DELETED':
                gone = self.custom.pop(obj['metadata']['name'], None) or []
                self.discovery_version += 1
                for key in {r.key: r for r in gone}.items():
                    # instances go with their CRD (customresourcecleanup finalizer)
                    for e in self.store.items(key[0]):
                        self._delete_now(key[1], e.obj)
            else:
                self.install_crd(obj)
        for cb in self.on_change:
            cb(res, obj, ev)

    def _delete_now(self, res, obj):
        gone = deepcopy(obj)
        gone['metadata']['resourceVersion'] = str(self.store.next_rv())
        self.store.put(res.key, gone, 'DELETED', obj)
        self._changed(res, gone, 'DELETED')
        return gone

    @staticmethod
    def _same(a, b):
        def norm(o):
            o = dict(o)
            md = dict(o.get('metadata') or {})
            md.pop('resourceVersion', None)
            md['managedFields'] = [{k: v for k, v in e.items() if k != 'time'}
                                   for e in md.get('managedFields') or []]
            o['metadata'] = md
            return o
        return norm(a) == norm(b)

    def _bump_generation(self, res, old, new):
        if not (res.crd or res.kind in GENERATION_KINDS):
            return
        gen = old['metadata'].get('generation', 1)
        strip = ('metadata', 'status') if res.status_sub else ('metadata',)
        a = {k: v for k, v in old.items() if k not in strip}
        b = {k: v for k, v in new.items() if k not in strip}
        if a != b:
            gen += 1
        new['metadata']['generation'] = gen

    # --- reads ------------------------------------------------------------------
    def get(self, res, ns, name):
        e = self.store.get(res.key, ns if res.namespaced else '', name)
        if e is None:
            raise status.not_found(res, name)
        return e

    def list(self, res, ns, q):
        lsel = selection.parse_labels(q.get('labelSelector', ''))
        fsel = selection.parse_fields(q.get('fieldSelector', ''), res.field_selectors())
        try:
            limit = int(q.get('limit') or 0)
        except ValueError:
            raise status.bad_request('invalid limit: %s' % q.get('limit'))
        if q.get('resourceVersionMatch') and not q.get('resourceVersion'):
            raise status.StatusError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: '
                                     'resourceVersionMatch: Forbidden: resourceVersionMatch is '
                                     'forbidden unless resourceVersion is provided')
        start, rv = None, None
        cont = q.get('continue')
        with self.lock:
            if cont:
                try:
                    tok = json.loads(base64.urlsafe_b64decode(cont + '=' * (-len(cont) % 4)))
                    start, rv = tok['start'], int(tok['rv'])
                except (ValueError, KeyError, TypeError):
                    raise status.bad_request('continue key is not valid: %s' % cont)
                if rv < self.store.compacted:
                    raise status.expired(
                        'The provided continue parameter is too old to display a consistent list '
                        'result. You can start a new list without the continue parameter, or use the '
                        'continue token in this response to retrieve the remainder of the results. '
                        'Continuing with the provided token results in an inconsistent list - objects '
                        'that were created, modified, or deleted between the time the first chunk was '
                        'returned and now may show up in the list.')
            else:
                rv = self.store.rv
            entries = self.store.items(res.key, ns if res.namespaced and ns else None)
            items, more = [], False
            for e in entries:
                md = e.obj['metadata']
                k = '%s/%s' % (md.get('namespace', ''), md['name'])
                if start is not None and k <= start:
                    continue
                if lsel and not selection.match_labels(lsel, md.get('labels')):
                    continue
                if fsel and not selection.match_fields(fsel, e.obj):
                    continue
                if limit and len(items) >= limit:
                    more = True
                    break
                items.append(e)
            meta = {'resourceVersion': str(rv)}
            if more:
                last = items[-1].obj['metadata']
                tok = {'v': 'meta.k8s.io/v1', 'rv': rv,
                       'start': '%s/%s' % (last.get('namespace', ''), last['name'])}
                meta['continue'] = base64.urlsafe_b64encode(
                    json.dumps(tok, separators=(',', ':')).encode()).decode().rstrip('=')
        return meta, items

    # --- create -----------------------------------------------------------------
    def create(self, res, ns, body, q, ua='', user=None):
        if res.kind in VIRTUAL_KINDS:
            return self._review(res, body, user)
        dry = self._dry(q)
        obj = deepcopy(body)
        md = self._check_identity(res, ns, obj)
        if not md.get('name'):
            if md.get('generateName'):
                md['name'] = md['generateName'][:58] + ''.join(
                    random.choice(_GEN_CHARS) for _ in range(5))
            else:
                raise status.invalid(res, '', [schema.FieldError(
                    'FieldValueRequired', 'metadata.name',
                    'Required value: name or generateName is required')])
        if md.get('resourceVersion'):
            raise status.internal('resourceVersion should not be set on objects to be created')
        manager = self._manager(q, ua)
        with self.lock:
            self._ns_check(res, ns, md['name'])
            if self.store.get(res.key, ns if res.namespaced else '', md['name']):
                raise status.already_exists(res, md['name'])
            errs = validation.validate_name(res.kind, md['name'])
            if errs:
                raise status.invalid(res, md['name'], errs)
            new, warnings = self._prepare_new(res, obj, q, manager)
            return Result(201, self._commit(res, None, new, dry), warnings)

    def _prepare_new(self, res, obj, q, manager, managers=None, apply_cfg=None):
        md = obj['metadata']
        uid = str(uuid.uuid4())
        if res.status_sub and apply_cfg is None:
            obj.pop('status', None)
        md.pop('managedFields', None)
        md['uid'] = uid
        md['creationTimestamp'] = now()
        for k in ('deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'):
            md.pop(k, None)
        if res.crd or res.kind in GENERATION_KINDS:
            md['generation'] = 1
        if res.kind == 'Service':
            self._allocate_ip(obj)
        warnings = self._content(res, obj, q, uid)
        ts = now()
        if managers is None:
            managers = ssa.update({}, obj, res.type, {}, manager, res.api_version, ts, res.status_sub)
        managers = self._mutate(res, obj, managers, ts)
        md['managedFields'] = ssa.encode_managers(managers)
        if not md['managedFields']:
            del md['managedFields']
        return obj, warnings

    def _allocate_ip(self, obj):
        spec = obj.get('spec')
        if not isinstance(spec, dict) or spec.get('type') == 'ExternalName':
            return
        if not spec.get('clusterIP'):
            self.next_ip += 1
            spec['clusterIP'] = '10.96.%d.%d' % (self.next_ip // 250, self.next_ip % 250 + 1)
        spec.setdefault('clusterIPs', [spec['clusterIP']])
        if spec['clusterIP'] != 'None':
            spec.setdefault('ipFamilies', ['IPv4'])
            spec.setdefault('ipFamilyPolicy', 'SingleStack')
        if spec.get('type') in ('NodePort', 'LoadBalancer'):
            for i, p in enumerate(spec.get('ports') or []):
                if isinstance(p, dict) and 'nodePort' not in p:
                    p['nodePort'] = 30000 + (self.next_ip * 7 + i) % 2767

    def _review(self, res, body, user):
        import rbac
        obj = deepcopy(body) if isinstance(body, dict) else {}
        obj['apiVersion'], obj['kind'] = res.api_version, res.kind
        obj.setdefault('metadata', {})
        spec = obj.get('spec') or {}
        who = user or rbac.ADMIN
        if res.kind == 'SubjectAccessReview':
            who = rbac.User(spec.get('user', ''), spec.get('groups') or [], spec.get('uid', ''))
        obj['status'] = rbac.review(self, who, spec)
        return Result(201, obj)

    # --- update -----------------------------------------------------------------
    def update(self, res, ns, name, body, q, sub='', ua=''):
        if res.kind in VIRTUAL_KINDS:
            raise status.method_not_allowed()
        dry = self._dry(q)
        body = deepcopy(body)
        md = self._check_identity(res, ns, body, name)
        manager = self._manager(q, ua)
        with self.lock:
            e = self.store.get(res.key, ns if res.namespaced else '', name)
            if e is None:
                if res.crd or sub:
                    raise status.not_found(res, name)
                md.pop('resourceVersion', None)
                return self.create(res, ns, body, q, ua)
            old = e.obj
            rv = md.get('resourceVersion')
            if rv is None and res.crd:
                raise status.invalid(res, name, [schema.FieldError(
                    'FieldValueInvalid', 'metadata.resourceVersion',
                    'Invalid value: 0x0: must be specified for an update')])
            if rv is not None and rv != old['metadata']['resourceVersion']:
                raise status.conflict(res, name, status.STALE)
            return self._update_from(res, old, body, q, manager, sub, dry)

    def _update_from(self, res, old, body, q, manager, sub, dry, managers=None):
        new = self._merge_sub(res, old, body, sub)
        baseline = managers
        if baseline is None:
            bmf = body['metadata'].get('managedFields')
            if sub == '' and bmf is not None and bmf != old['metadata'].get('managedFields'):
                try:
                    baseline = ssa.decode_managers(bmf)
                except (ValueError, TypeError, AttributeError):
                    raise status.bad_request('invalid managedFields')
            else:
                baseline = ssa.decode_managers(old['metadata'].get('managedFields'))
        warnings = self._content(res, new, q, old['metadata'].get('uid'))
        if not res.crd and sub == '':
            errs = validation.validate_update(res.kind, old, new)
            if errs:
                raise status.invalid(res, old['metadata']['name'], errs)
        ts = now()
        if managers is None:
            managers = ssa.update(old, new, res.type, baseline, manager, res.api_version, ts,
                                  res.status_sub, sub if sub in ('status', 'scale') else '')
        managers = self._mutate(res, new, managers, ts)
        managers = ssa.cap_updates(managers)
        new['metadata']['managedFields'] = ssa.encode_managers(managers)
        if not new['metadata']['managedFields']:
            del new['metadata']['managedFields']
        return self._finish_update(res, old, new, dry, warnings)

    def _finish_update(self, res, old, new, dry, warnings):
        self._bump_generation(res, old, new)
        new['metadata']['resourceVersion'] = old['metadata']['resourceVersion']
        if self._same(old, new):
            return Result(200, old, warnings)
        nmd = new['metadata']
        if nmd.get('deletionTimestamp') and not nmd.get('finalizers') and res.kind != 'Namespace':
            if dry:
                return Result(200, new, warnings)
            return Result(200, self._delete_now(res, new), warnings)
        return Result(200, self._commit(res, old, new, dry), warnings)

    def _merge_sub(self, res, old, body, sub):
        md = body['metadata']
        omd = old['metadata']
        if sub == 'status':
            new = deepcopy(old)
            if 'status' in body:
                new['status'] = body['status']
            else:
                new.pop('status', None)
            return new
        if sub == 'finalize':
            new = deepcopy(old)
            new.setdefault('spec', {})['finalizers'] = (body.get('spec') or {}).get('finalizers') or []
            return new
        new = body
        for k in ('uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds',
                  'generation'):
            if k in omd:
                md[k] = omd[k]
            else:
                md.pop(k, None)
        if res.status_sub:
            if 'status' in old:
                new['status'] = deepcopy(old['status'])
            else:
                new.pop('status', None)
        if res.kind == 'Namespace':
            # spec.finalizers change only through /finalize (NamespaceStrategy.PrepareForUpdate)
            ofin = (old.get('spec') or {}).get('finalizers')
            if ofin is not None:
                new.setdefault('spec', {})['finalizers'] = list(ofin)
            elif isinstance(new.get('spec'), dict):
                new['spec'].pop('finalizers', None)
        if res.kind == 'Service':
            spec, ospec = new.get('spec'), old.get('spec') or {}
            if isinstance(spec, dict):
                for k in ('clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'):
                    if k in ospec and k not in spec:
                        spec[k] = deepcopy(ospec[k])
        return new

    # --- patch ------------------------------------------------------------------
    def patch(self, res, ns, name, raw, ctype, q, sub='', ua=''):
        if res.kind in VIRTUAL_KINDS:
            raise status.method_not_allowed()
        ctype = (ctype or '').split(';')[0].strip()
        allowed = [JSON_PATCH, MERGE_PATCH, APPLY] if res.crd else [JSON_PATCH, MERGE_PATCH, SMP, APPLY]
        if ctype not in allowed:
            raise status.unsupported_media_type(ctype, allowed)
        dry = self._dry(q)
        force = q.get('force')
        if force is not None and ctype != APPLY:
            raise status.StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: '
                                     'Forbidden: may not be specified for non-apply patch',
                                     {'group': 'meta.k8s.io', 'kind': 'PatchOptions',
                                      'causes': [{'reason': 'FieldValueForbidden',
                                                  'message': 'Forbidden: may not be specified for non-apply patch',
                                                  'field': 'force'}]})
        if ctype == APPLY:
            return self._apply(res, ns, name, raw, q, force in ('true', '1'), dry, sub)
        manager = self._manager(q, ua)
        body = decode_json(raw)
        with self.lock:
            e = self.store.get(res.key, ns if res.namespaced else '', name)
            if e is None:
                raise status.not_found(res, name)
            old = e.obj
            cur = self._out(res, deepcopy(old))
            try:
                if ctype == JSON_PATCH:
                    patched = patchlib.json_patch(cur, body)
                elif ctype == MERGE_PATCH:
                    patched = patchlib.merge_patch(cur, body)
                else:
                    patched = patchlib.smp(cur, body, res.type)
            except patchlib.PatchError as ex:
                raise status.StatusError(422, 'Invalid', str(ex))
            if not isinstance(patched, dict):
                raise status.bad_request('patch result is not an object')
            if sub == 'scale':
                return self._scale_write(res, old, patched, q, manager, dry)
            md = self._check_identity(res, ns, patched, name)
            if md.get('resourceVersion') != old['metadata']['resourceVersion']:
                raise status.conflict(res, name, status.STALE)
            return self._update_from(res, old, patched, q, manager, sub, dry)

    def _apply(self, res, ns, name, raw, q, force, dry, sub):
        manager = q.get('fieldManager')
        if not manager:
            raise status.StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: '
                                     'fieldManager: Required value: is required for apply patch',
                                     {'group': 'meta.k8s.io', 'kind': 'PatchOptions',
                                      'causes': [{'reason': 'FieldValueRequired',
                                                  'message': 'Required value: is required for apply patch',
                                                  'field': 'fieldManager'}]})
        try:
            cfg = yaml.load(raw, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
        except yaml.YAMLError as e:
            raise status.bad_request('error decoding YAML: %s' % e)
        if not isinstance(cfg, dict):
            raise status.bad_request('apply patch must be an object')
        _fix_numbers(cfg)
        if cfg.get('apiVersion') != res.api_version:
            raise status.bad_request('Incorrect version specified in apply patch. Specified patch '
                                     'version: %s, expected: %s' % (cfg.get('apiVersion'), res.api_version))
        if cfg.get('kind') != res.kind:
            raise status.bad_request('Incorrect kind specified in apply patch: %s, expected: %s'
                                     % (cfg.get('kind'), res.kind))
        md = cfg.get('metadata') or {}
        if md.get('managedFields') is not None:
            raise status.bad_request('metadata.managedFields must be nil')
        self._check_identity(res, ns, cfg, name)
        warnings = []
        fv = q.get('fieldValidation', 'Warn')
        if res.crd:
            unknown = []
            schema.prune(cfg, res.schema or {}, '', unknown, root=True)
        else:
            unknown = knownfields.unknown_fields(res.kind, cfg)
        if unknown:
            self._unknown(res, unknown, fv, warnings)
        if not res.crd:
            try:
                defaults.canonicalize(res.kind, cfg)
            except defaults.DecodeError as e:
                raise status.bad_request('%s in version "%s" cannot be handled as a %s: %s'
                                         % (res.kind, res.version, res.kind, e))
        with self.lock:
            e = self.store.get(res.key, ns if res.namespaced else '', name)
            old = e.obj if e else None
            if old is None:
                if sub:
                    raise status.not_found(res, name)
                self._ns_check(res, ns, name)
                errs = validation.validate_name(res.kind, name)
                if errs:
                    raise status.invalid(res, name, errs)
                live = {'apiVersion': res.api_version, 'kind': res.kind,
                        'metadata': {'name': name}}
                if res.namespaced:
                    live['metadata']['namespace'] = ns
                managers = {}
            else:
                want = md.get('resourceVersion')
                if want and want != old['metadata']['resourceVersion']:
                    # a resourceVersion in the apply body is a precondition (section 2.3)
                    raise status.conflict(res, name, status.STALE)
                live = self._out(res, deepcopy(old))
                managers = ssa.decode_managers(old['metadata'].get('managedFields'))
            ts = now()
            if sub not in ('', 'status'):
                raise status.method_not_allowed()
            try:
                merged, managers = ssa.apply(live, cfg, res.type, managers, manager,
                                             res.api_version, ts, force, res.status_sub, sub)
            except ssa.ConflictError as ce:
                raise status.StatusError(409, 'Conflict', ssa.conflict_message(ce.conflicts), {
                    'causes': [{'reason': 'FieldManagerConflict',
                                'message': 'conflict with %s' % ssa.manager_label(m),
                                'field': ssa.path_string(p)} for m, p in ce.conflicts]})
            except ssa.ApplyError as ae:
                raise status.StatusError(500, 'InternalError', 'failed to create typed patch object: %s' % ae)
            if old is None:
                new, w2 = self._prepare_new(res, merged, q, manager, managers, apply_cfg=cfg)
                r = Result(201, self._commit(res, None, new, dry), warnings + w2)
                return r
            r = self._update_from(res, old, merged, q, manager, sub, dry, managers=managers)
            r.warnings = warnings + r.warnings
            return r

    # --- scale ------------------------------------------------------------------
    def scale_of(self, res, obj):
        md = obj['metadata']
        spec = obj.get('spec') or {}
        sel = (spec.get('selector') or {}).get('matchLabels') or {}
        return {'kind': 'Scale', 'apiVersion': 'autoscaling/v1',
                'metadata': {'name': md['name'], 'namespace': md.get('namespace'), 'uid': md['uid'],
                             'resourceVersion': md['resourceVersion'],
                             'creationTimestamp': md['creationTimestamp']},
                'spec': {'replicas': spec.get('replicas', 0)},
                'status': {'replicas': (obj.get('status') or {}).get('replicas', 0),
                           'selector': ','.join('%s=%s' % kv for kv in sorted(sel.items()))}}

    def update_scale(self, res, ns, name, body, q, ua=''):
        manager = self._manager(q, ua)
        with self.lock:
            old = self.get(res, ns, name).obj
            rv = ((body or {}).get('metadata') or {}).get('resourceVersion')
            if rv and rv != old['metadata']['resourceVersion']:
                raise status.conflict(res, name, status.STALE)
            return self._scale_write(res, old, body, q, manager, self._dry(q))

    def _scale_write(self, res, old, scale, q, manager, dry):
        replicas = (scale.get('spec') or {}).get('replicas')
        if not isinstance(replicas, int) or replicas < 0:
            raise status.StatusError(422, 'Invalid', 'Scale.autoscaling "%s" is invalid: spec.replicas: '
                                     'Invalid value: %s: must be greater than or equal to 0'
                                     % (old['metadata']['name'], replicas))
        body = deepcopy(old)
        body['spec']['replicas'] = replicas
        r = self._update_from(res, old, body, q, manager, 'scale', dry)
        return Result(200, self.scale_of(res, r.obj), r.warnings)

    # --- delete -----------------------------------------------------------------
    def delete(self, res, ns, name, opts, q):
        dry = self._dry(q) or (opts or {}).get('dryRun') == ['All']
        opts = opts or {}
        with self.lock:
            e = self.store.get(res.key, ns if res.namespaced else '', name)
            if e is None:
                raise status.not_found(res, name)
            old = e.obj
            pre = opts.get('preconditions') or {}
            if pre.get('uid') and pre['uid'] != old['metadata']['uid']:
                raise status.conflict(res, name, 'Precondition failed: UID in precondition: %s, UID in '
                                      'object meta: %s' % (pre['uid'], old['metadata']['uid']))
            if pre.get('resourceVersion') and pre['resourceVersion'] != old['metadata']['resourceVersion']:
                raise status.conflict(res, name, 'Precondition failed: ResourceVersion in precondition: '
                                      '%s, ResourceVersion in object meta: %s'
                                      % (pre['resourceVersion'], old['metadata']['resourceVersion']))
            if res.kind == 'Namespace' and name in IMMORTAL_NAMESPACES:
                raise status.forbidden(res, name, 'this namespace may not be deleted')
            new = deepcopy(old)
            md = new['metadata']
            policy = opts.get('propagationPolicy')
            if policy is None and opts.get('orphanDependents') is not None:
                policy = 'Orphan' if opts['orphanDependents'] else 'Background'
            fins = list(md.get('finalizers') or [])
            if policy == 'Orphan' and 'orphan' not in fins:
                fins.append('orphan')
            if policy == 'Foreground' and 'foregroundDeletion' not in fins:
                fins.append('foregroundDeletion')
            if res.kind == 'Namespace':
                if md.get('deletionTimestamp'):
                    raise status.conflict(res, name, 'The system is ensuring all content is removed from '
                                          'this namespace.  Upon completion, this namespace will '
                                          'automatically be purged by the system.')
                md['deletionTimestamp'] = now()
                md['deletionGracePeriodSeconds'] = 0
                new.setdefault('status', {})['phase'] = 'Terminating'
                return Result(200, self._commit(res, old, new, dry))
            if fins:
                if md.get('deletionTimestamp'):
                    return Result(200, old)
                md['finalizers'] = fins
                md['deletionTimestamp'] = now()
                md['deletionGracePeriodSeconds'] = 0
                if 'generation' in md:
                    md['generation'] += 1
                return Result(200, self._commit(res, old, new, dry))
            if dry:
                return Result(200, self._success(res, old))
            self._delete_now(res, old)
            return Result(200, self._success(res, old))

    def _success(self, res, obj):
        d = {'name': obj['metadata']['name']}
        if res.group:
            d['group'] = res.group
        d['kind'] = res.plural
        d['uid'] = obj['metadata']['uid']
        return {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Success', 'details': d}

    def deletecollection(self, res, ns, opts, q):
        _, items = self.list(res, ns, q)
        for e in items:
            md = e.obj['metadata']
            try:
                self.delete(res, md.get('namespace', ''), md['name'], opts, q)
            except status.StatusError:
                pass
        kind = res.list_kind
        return Result(200, {'kind': kind, 'apiVersion': res.api_version,
                            'metadata': {'resourceVersion': str(self.store.rv)},
                            'items': [self._out(res, e.obj) for e in items]})

    # --- control ----------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.store.reset()
            self.custom.clear()
            self.discovery_version += 1
            self._bootstrap()

