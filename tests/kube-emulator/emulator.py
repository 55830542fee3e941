#!/usr/bin/python3
"""Kubernetes API server emulator for tend's tests.

Usage:
  emulator.py --listen 127.0.0.1:0 --kubeconfig OUT.yaml [--tls] [--token TOKEN]
              [--latency-ms N] [--crd FILE ...] [--history N]

Prints `ready URL` once it accepts connections and serves until SIGTERM.
This file owns the HTTP side: routing, authentication, watch streaming, the
/_emulator/ control API, TLS material and the kubeconfig.  Verb semantics
live in api.py; see README.md for the whole design and its known differences.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import yaml  # noqa: E402

import api  # noqa: E402
import discovery  # noqa: E402
import printing  # noqa: E402
import protobuf  # noqa: E402
import rbac  # noqa: E402
import selection  # noqa: E402
import status  # noqa: E402
from controllers import Controllers  # noqa: E402
from faults import Faults, RuleError  # noqa: E402
from mutator import Mutator  # noqa: E402
from store import Expired  # noqa: E402

JSON = 'application/json'
DEBUG = bool(os.environ.get('EMULATOR_DEBUG'))


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, 'lock', threading.Lock()):
            self.total = 0
            self.by_verb, self.by_resource, self.by_code, self.by_all = {}, {}, {}, {}
            # watchesOpen is a gauge of streams open now: a reset keeps it.
            self.watches_open = getattr(self, 'watches_open', 0)
            self.watches_total = 0

    def record(self, verb, resource, code):
        with self.lock:
            self.total += 1
            self.by_verb[verb] = self.by_verb.get(verb, 0) + 1
            if resource:
                self.by_resource[resource] = self.by_resource.get(resource, 0) + 1
            c = str(code)
            self.by_code[c] = self.by_code.get(c, 0) + 1
            k = (verb, resource or '', c)
            self.by_all[k] = self.by_all.get(k, 0) + 1

    def watch(self, delta):
        with self.lock:
            self.watches_open += delta
            if delta > 0:
                self.watches_total += 1

    def to_json(self):
        with self.lock:
            return {'total': self.total, 'byVerb': dict(self.by_verb),
                    'byResource': dict(self.by_resource), 'byCode': dict(self.by_code),
                    'requests': [{'verb': v, 'resource': r, 'code': int(c), 'count': n}
                                 for (v, r, c), n in sorted(self.by_all.items())],
                    'watchesOpen': self.watches_open, 'watchesTotal': self.watches_total}


class Emulator:
    """Shared state of one running emulator."""

    def __init__(self, args):
        self.args = args
        self.cluster = api.Cluster(args.history)
        self.controllers = Controllers(self.cluster)
        self.openapi = discovery.OpenAPICache(self.cluster)
        self.stats = Stats()
        self.faults = Faults()
        self.token = args.token
        self.latency = args.latency_ms / 1000.0
        self.bookmark_interval = args.bookmark_interval
        self.host = ''
        self.crd_docs = []
        for path in args.crd or []:
            files = [path]
            if os.path.isdir(path):
                files = sorted(os.path.join(path, n) for n in os.listdir(path)
                               if n.endswith(('.yaml', '.yml', '.json')))
            for fn in files:
                with open(fn) as f:
                    for doc in yaml.load_all(f, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader)):
                        if doc and doc.get('kind') == 'CustomResourceDefinition':
                            self.crd_docs.append(doc)
        self.install_crds()

    def install_crds(self):
        res = self.cluster.resource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')
        for doc in self.crd_docs:
            r = self.cluster.create(res, None, json.loads(json.dumps(doc)), {'fieldManager': 'kubectl'})
            self.controllers.crd_status(res, '', r.obj['metadata']['name'])

    def reset(self):
        self.faults.clear()
        self.cluster.reset()
        self.cluster.mutator = None
        self.install_crds()
        self.stats.reset()
        self.controllers.resync()


def parse_path(path):
    """-> (group, version, namespace, plural, name, subresource, watch) or None."""
    segs = [urllib.parse.unquote(s) for s in path.split('/') if s]
    if len(segs) < 3:
        return None
    if segs[0] == 'api':
        group, version, rest = '', segs[1], segs[2:]
    elif segs[0] == 'apis' and len(segs) >= 4:
        group, version, rest = segs[1], segs[2], segs[3:]
    else:
        return None
    watch = False
    if rest and rest[0] == 'watch':
        watch, rest = True, rest[1:]
    ns = None
    if len(rest) >= 3 and rest[0] == 'namespaces' and rest[2] not in ('status', 'finalize'):
        ns, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    plural = rest[0]
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else ''
    return group, version, ns, plural, name, sub, watch


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'kube-emulator'
    sys_version = ''
    emu = None   # set on the subclass

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body are separate writes: without this, Nagle's
        # algorithm and delayed ACKs cost ~40 ms per keep-alive request.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    # --- plumbing -----------------------------------------------------------------
    def _body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            out = b''
            while True:
                size = int(self.rfile.readline().strip().split(b';')[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def _send(self, code, body, ctype=JSON, headers=None):
        if not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body, separators=(',', ':')).encode()
        if getattr(self, 'stat_key', None):
            # count the request before the client can read the reply, so a
            # client that asks for the stats next always sees it
            self.emu.stats.record(self.stat_key[0], self.stat_key[1], code)
            self.stat_key = False
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        if 'Cache-Control' not in (headers or {}):
            self.send_header('Cache-Control', 'no-cache, private')
        for k, v in (headers or {}).items():
            if isinstance(v, list):
                for x in v:
                    self.send_header(k, x)
            else:
                self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)
        self.code = code

    def _error(self, err):
        h = dict(err.headers)
        self._send(err.code, status.encode(err.body()), headers=h)

    def do_GET(self):
        self.dispatch('GET')

    def do_HEAD(self):
        self.dispatch('GET')

    def do_POST(self):
        self.dispatch('POST')

    def do_PUT(self):
        self.dispatch('PUT')

    def do_PATCH(self):
        self.dispatch('PATCH')

    def do_DELETE(self):
        self.dispatch('DELETE')

    def dispatch(self, method):
        emu = self.emu
        self.code = 0
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        path = url.path
        verb, resource = method.lower(), ''
        self.stat_key = None  # (verb, resource) once known; counted before the reply is written
        try:
            if path.startswith('/_emulator/'):
                verb = 'control'
                return self.control(method, path, q)
            body = self._body() if method in ('POST', 'PUT', 'PATCH', 'DELETE') else b''
            if DEBUG:
                sys.stderr.write('emulator: %s %s ct=%s accept=%s body=%r\n' % (
                    method, self.path, self.headers.get('Content-Type'), self.headers.get('Accept'),
                    body if os.environ.get('EMULATOR_DEBUG') == '2' else body[:300]))
            if emu.token is not None:
                auth = self.headers.get('Authorization', '')
                if auth != 'Bearer ' + emu.token:
                    raise status.unauthorized()
            if emu.latency:
                time.sleep(emu.latency)
            self.user = rbac.from_headers(self.headers)
            parsed = parse_path(path)
            if parsed is None:
                verb = 'get' if method == 'GET' else verb
                self.stat_key = (verb, resource)
                return self.non_resource(method, path, q)
            group, version, ns, plural, name, sub, watch = parsed
            watch = watch or q.get('watch') in ('true', '1')
            verb = self.verb_of(method, name, watch)
            resource = plural + ('/' + sub if sub else '')
            self.stat_key = (verb, resource)
            rule = emu.faults.take(verb, resource, ns or '', name or '', {'status', 'latency', 'close'},
                                   q.get('labelSelector', ''))
            if rule is not None:
                if rule.latency_ms:
                    time.sleep(rule.latency_ms / 1000.0)
                if rule.action == 'status':
                    h = {}
                    if rule.retry_after is not None:
                        h['Retry-After'] = str(rule.retry_after)
                    return self._send(rule.status, rule.status_body(), headers=h)
                if rule.action == 'close':
                    return self.close_mid_response()
            res = emu.cluster.resource(group, version, plural)
            if res is None or (ns is not None and not res.namespaced) or \
                    (res.namespaced and ns is None and name is not None) or \
                    (sub and sub not in res.subresources):
                raise status.plain_not_found()
            if (verb in ('update', 'patch') and name is None) or \
                    (not sub and verb not in res.verbs) or \
                    (sub and verb not in ('get', 'update', 'patch')):
                raise status.method_not_allowed()
            if not rbac.allowed(emu.cluster, self.user, verb, group, plural, sub, ns or '', name or ''):
                raise rbac.forbidden(self.user, verb, res, sub, ns or '', name or '')
            self.resource_request(method, verb, res, ns, name, sub, q, body)
        except status.StatusError as e:
            self._error(e)
        except selection.SelectorError as e:
            self._error(status.bad_request(str(e)))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # never leave a client without a Status
            import traceback
            traceback.print_exc()
            try:
                self._error(status.internal(repr(e)))
            except OSError:
                self.close_connection = True
        finally:
            if verb != 'control' and self.stat_key is not False:
                emu.stats.record(verb, resource, self.code or 0)

    @staticmethod
    def verb_of(method, name, watch):
        if method == 'GET':
            return 'get' if name else ('watch' if watch else 'list')
        if method == 'POST':
            return 'create'
        if method == 'PUT':
            return 'update'
        if method == 'PATCH':
            return 'patch'
        return 'delete' if name else 'deletecollection'

    def close_mid_response(self):
        body = json.dumps({'kind': 'Status', 'apiVersion': 'v1'}).encode()
        self.send_response(200)
        self.send_header('Content-Type', JSON)
        self.send_header('Content-Length', str(len(body) * 4))
        self.end_headers()
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.code = 200

    # --- non-resource paths -------------------------------------------------------------
    def non_resource(self, method, path, q):
        emu = self.emu
        c = emu.cluster
        p = path.rstrip('/') or '/'
        if method != 'GET':
            raise status.method_not_allowed()
        if p == '/version':
            return self._send(200, discovery.VERSION)
        if p in ('/healthz', '/readyz', '/livez'):
            return self._send(200, b'ok', 'text/plain; charset=utf-8')
        if p in ('/api', '/apis') and discovery.wants_aggregated(self.headers.get('Accept')):
            return self._send(200, discovery.aggregated(c, p == '/api'), discovery.AGGREGATED,
                              headers={'Vary': 'Accept'})
        if p == '/api':
            return self._send(200, discovery.api_versions(emu.host))
        if p == '/apis':
            return self._send(200, discovery.api_group_list(c))
        if p == '/openapi/v3':
            return self._send(200, emu.openapi.root())
        if p.startswith('/openapi/v3/'):
            d = emu.openapi.doc(p[len('/openapi/v3/'):])
            if d is None:
                raise status.plain_not_found()
            body, h = d
            headers = {'Etag': '"%s"' % h}
            if q.get('hash') == h:
                headers['Cache-Control'] = 'public, immutable'
                headers['Expires'] = time.strftime('%a, %d %b %Y %H:%M:%S GMT',
                                                   time.gmtime(time.time() + 365 * 86400))
            return self._send(200, body, headers=headers)
        segs = [s for s in p.split('/') if s]
        if len(segs) == 2 and segs[0] == 'api':
            d = discovery.resource_list(c, '', segs[1])
        elif len(segs) == 2 and segs[0] == 'apis':
            d = discovery.api_group(c, segs[1])
        elif len(segs) == 3 and segs[0] == 'apis':
            d = discovery.resource_list(c, segs[1], segs[2])
        else:
            d = None
        if d is None:
            raise status.plain_not_found()
        return self._send(200, d)

    # --- resources --------------------------------------------------------------------
    def resource_request(self, method, verb, res, ns, name, sub, q, body):
        c = self.emu.cluster
        ua = self.headers.get('User-Agent', '')
        ns = ns or ''
        as_table = printing.wants_table(self.headers.get('Accept'))
        include = q.get('includeObject', 'Metadata')
        if verb == 'get':
            e = c.get(res, ns, name)
            if sub == 'scale':
                return self._send(200, c.scale_of(res, e.obj))
            if as_table:
                return self._send(200, printing.table(res, [c._out(res, e.obj)], {
                    'resourceVersion': e.obj['metadata']['resourceVersion']}, include))
            if res.crd and e.obj.get('apiVersion') != res.api_version:
                return self._send(200, c._out(res, e.obj))
            return self._send(200, e.bytes())
        if verb == 'list':
            if as_table:
                meta, entries = c.list(res, ns or None, q)
                return self._send(200, printing.table(res, [c._out(res, e.obj) for e in entries], meta,
                                                      include))
            return self.send_list(res, ns, q)
        if verb == 'watch':
            return self.watch(res, ns, q)
        if verb == 'delete':
            opts = api.decode_json(body) if body.strip() else {}
            if q.get('propagationPolicy'):
                opts['propagationPolicy'] = q['propagationPolicy']
            r = c.delete(res, ns, name, opts, q)
            return self._send(r.code, r.obj)
        if verb == 'deletecollection':
            opts = api.decode_json(body) if body.strip() else {}
            r = c.deletecollection(res, ns, opts, q)
            return self._send(r.code, r.obj)
        if verb == 'create':
            if name is not None:
                raise status.method_not_allowed()
            r = c.create(res, ns, self.decode_body(body), q, ua, user=self.user)
        elif verb == 'update':
            if sub == 'scale':
                r = c.update_scale(res, ns, name, api.decode_json(body), q, ua)
            else:
                r = c.update(res, ns, name, self.decode_body(body), q, sub, ua)
        else:
            r = c.patch(res, ns, name, body, self.headers.get('Content-Type'), q, sub, ua)
        headers = {}
        if r.warnings:
            headers['Warning'] = ['299 - %s' % json.dumps(w) for w in r.warnings]
        obj = r.obj
        if isinstance(obj, dict) and obj.get('kind') == res.kind:
            obj = c._out(res, obj)
        self._send(r.code, obj, headers=headers)

    def decode_body(self, body):
        ctype = (self.headers.get('Content-Type') or JSON).split(';')[0].strip()
        if ctype == 'application/vnd.kubernetes.protobuf':
            try:
                return protobuf.decode(body)[2]
            except (protobuf.ProtobufError, UnicodeDecodeError, IndexError):
                raise status.unsupported_media_type(ctype, [JSON, 'application/yaml'])
        if ctype == 'application/yaml':
            try:
                return yaml.safe_load(body)
            except yaml.YAMLError as e:
                raise status.bad_request('error decoding YAML: %s' % e)
        return api.decode_json(body)

    def send_list(self, res, ns, q):
        c = self.emu.cluster
        meta, entries = c.list(res, ns or None, q)
        parts = []
        for e in entries:
            if res.crd:
                parts.append(json.dumps(c._out(res, e.obj), separators=(',', ':')).encode())
            else:
                parts.append(e.item_bytes())
        head = json.dumps({'kind': res.list_kind, 'apiVersion': res.api_version,
                           'metadata': meta}, separators=(',', ':')).encode()
        body = head[:-1] + b',"items":[' + b','.join(parts) + b']}'
        self._send(200, body)

    # --- watch ----------------------------------------------------------------------
    def _chunk(self, data):
        self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))
        self.wfile.flush()

    def watch(self, res, ns, q):
        emu = self.emu
        c = emu.cluster
        lsel = selection.parse_labels(q.get('labelSelector', ''))
        fsel = selection.parse_fields(q.get('fieldSelector', ''), res.field_selectors())
        rv = q.get('resourceVersion', '')
        since = None if rv in ('', '0') else None
        if rv not in ('', '0'):
            try:
                since = int(rv)
            except ValueError:
                raise status.bad_request('invalid resource version: %s' % rv)
        try:
            timeout = float(q.get('timeoutSeconds') or 1800)
        except ValueError:
            raise status.bad_request('invalid timeoutSeconds: %s' % q.get('timeoutSeconds'))
        bookmarks = q.get('allowWatchBookmarks') in ('true', '1')
        namespace = ns if res.namespaced and ns else None
        self.as_table = printing.wants_table(self.headers.get('Accept'))
        self.include = q.get('includeObject', 'Metadata')

        def matches(obj):
            md = obj['metadata']
            if namespace is not None and md.get('namespace') != namespace:
                return False
            if lsel and not selection.match_labels(lsel, md.get('labels')):
                return False
            if fsel and not selection.match_fields(fsel, obj):
                return False
            return True

        self.send_response(200)
        self.send_header('Content-Type', JSON)
        self.send_header('Transfer-Encoding', 'chunked')
        self.send_header('Cache-Control', 'no-cache, private')
        self.end_headers()
        self.code = 200
        try:
            w, replay = c.store.watch(res.key, namespace, since, matches)
        except Expired as ex:
            self._chunk(json.dumps({'type': 'ERROR', 'object': status.expired(str(ex)).body()},
                                   separators=(',', ':')).encode() + b'\n')
            self.wfile.write(b'0\r\n\r\n')
            return
        w.resource = res.plural
        w.ns = ns
        emu.stats.watch(1)
        end_rule = emu.faults.take('watch', res.plural, ns, '', {'endWatch'})
        deadline = time.monotonic() + timeout
        last_rv = since or c.store.rv
        try:
            for ev in replay:
                last_rv = self._emit(res, ev, matches) or last_rv
            if end_rule is not None:
                return
            next_bm = time.monotonic() + self.emu.bookmark_interval
            while True:
                now = time.monotonic()
                if now >= deadline:
                    if bookmarks:
                        self._bookmark(res, max(last_rv, 0))
                    return
                wait = min(deadline - now, 1.0)
                if bookmarks:
                    wait = min(wait, max(0.0, next_bm - now))
                try:
                    ev = w.q.get(timeout=wait)
                except Exception:
                    ev = False
                if ev is None or w.closed:
                    return
                if ev is False:
                    if self._peer_gone():
                        self.close_connection = True
                        return
                    if bookmarks and time.monotonic() >= next_bm:
                        with c.lock:
                            cur = c.store.rv
                        self._bookmark(res, cur)
                        next_bm = time.monotonic() + self.emu.bookmark_interval
                    continue
                last_rv = self._emit(res, ev, matches) or last_rv
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            c.store.unwatch(w)
            emu.stats.watch(-1)
            if not self.close_connection:
                try:
                    self.wfile.write(b'0\r\n\r\n')
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True

    def _peer_gone(self):
        """A watch client never sends while streaming: readable means it hung up."""
        import select
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            if not r:
                return False
            return socket.socket.recv(self.connection, 1, socket.MSG_PEEK) is not None
        except (OSError, ValueError):
            return True

    def _bookmark(self, res, rv):
        ev = {'type': 'BOOKMARK', 'object': {'kind': res.kind, 'apiVersion': res.api_version,
                                             'metadata': {'resourceVersion': str(rv)}}}
        self._chunk(json.dumps(ev, separators=(',', ':')).encode() + b'\n')

    def _emit(self, res, ev, matches):
        rv, _, typ, obj, prev = ev
        now_m = matches(obj)
        if typ == 'MODIFIED':
            was = prev is not None and matches(prev)
            if now_m and not was:
                typ = 'ADDED'
            elif was and not now_m:
                typ = 'DELETED'
            elif not now_m:
                return rv
        elif not now_m:
            return rv
        out = self.emu.cluster._out(res, obj)
        if self.as_table:
            out = printing.table(res, [out], {'resourceVersion': obj['metadata']['resourceVersion']},
                                 self.include)
        self._chunk(b'{"type":"%s","object":%s}\n' % (typ.encode(), json.dumps(
            out, separators=(',', ':')).encode()))
        return rv

    # --- control API -------------------------------------------------------------------
    def control(self, method, path, q):
        emu = self.emu
        what = path[len('/_emulator/'):].strip('/')
        body = self._body() if method in ('POST', 'PUT', 'DELETE') else b''
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError as e:
            return self._send(400, {'error': 'invalid JSON: %s' % e})
        try:
            if what == 'stats' and method == 'GET':
                return self._send(200, emu.stats.to_json())
            if what == 'stats' and method == 'DELETE':
                emu.stats.reset()
                return self._send(200, emu.stats.to_json())
            if what == 'reset' and method == 'POST':
                emu.reset()
                return self._send(200, {'reset': True, 'resourceVersion': str(emu.cluster.store.rv)})
            if what == 'faults':
                if method == 'GET':
                    return self._send(200, emu.faults.to_json())
                if method == 'DELETE':
                    emu.faults.clear()
                    return self._send(200, emu.faults.to_json())
                if method == 'POST':
                    rules = emu.faults.add(payload)
                    ended = self.end_watches(rules)
                    d = emu.faults.to_json()
                    d['watchesEnded'] = ended
                    return self._send(200, d)
            if what == 'mutator':
                if method == 'POST':
                    if payload.get('enabled', True):
                        m = Mutator()
                        for k, attr in (('manager', 'manager'), ('nodeLabel', 'node_label'),
                                        ('annotationKey', 'annotation_key'),
                                        ('annotationValue', 'annotation_value')):
                            if k in payload:
                                setattr(m, attr, str(payload[k]))
                        emu.cluster.mutator = m
                    else:
                        emu.cluster.mutator = None
                m = emu.cluster.mutator
                return self._send(200, m.to_json() if m else {'enabled': False})
            if what == 'controllers':
                if method == 'POST':
                    emu.controllers.configure(payload)
                return self._send(200, emu.controllers.config)
        except (RuleError, ValueError) as e:
            return self._send(400, {'error': str(e)})
        return self._send(404, {'error': 'unknown control endpoint %s %s' % (method, path)})

    def end_watches(self, rules):
        """endWatch rules also end matching streams that are already open."""
        emu = self.emu
        ended = 0
        for r in rules:
            if r.action != 'endWatch':
                continue
            with emu.cluster.lock:
                for w in list(emu.cluster.store.watchers):
                    if r.count == 0:
                        break
                    if r.matches('watch', getattr(w, 'resource', ''), getattr(w, 'ns', ''), ''):
                        w.close()
                        ended += 1
                        r.fired += 1
                        if r.count > 0:
                            r.count -= 1
            if r.count == 0:
                with emu.faults.lock:
                    if r in emu.faults.rules:
                        emu.faults.rules.remove(r)
        return ended


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # A client that hangs up (or fails the TLS handshake) is not a server error.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


def make_tls(tmp):
    """A throwaway CA and a server certificate for 127.0.0.1/localhost."""
    ca_key, ca_crt = os.path.join(tmp, 'ca.key'), os.path.join(tmp, 'ca.crt')
    key, csr, crt = (os.path.join(tmp, n) for n in ('server.key', 'server.csr', 'server.crt'))
    ext = os.path.join(tmp, 'ext.cnf')
    with open(ext, 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1,DNS:localhost\n'
                'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n'
                'extendedKeyUsage=serverAuth\n')

    def run(*a):
        subprocess.run(['openssl'] + list(a), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', ca_key, '-out', ca_crt, '-days', '2', '-subj', '/CN=kube-emulator-ca',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
    run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', csr, '-subj', '/CN=kube-apiserver')
    run('x509', '-req', '-in', csr, '-CA', ca_crt, '-CAkey', ca_key, '-CAcreateserial',
        '-out', crt, '-days', '2', '-extfile', ext)
    return ca_crt, crt, key


def write_kubeconfig(path, url, ca_pem, token):
    cluster = {'server': url}
    if ca_pem:
        cluster['certificate-authority-data'] = base64.b64encode(ca_pem).decode()
    user = {'token': token} if token is not None else {}
    cfg = {'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'emulator',
           'clusters': [{'name': 'emulator', 'cluster': cluster}],
           'users': [{'name': 'admin', 'user': user}],
           'contexts': [{'name': 'emulator', 'context': {'cluster': 'emulator', 'user': 'admin',
                                                          'namespace': 'default'}}],
           'preferences': {}}
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        yaml.safe_dump(cfg, f, default_flow_style=False, sort_keys=False)
    os.replace(tmp, path)


def main(argv=None):
    p = argparse.ArgumentParser(description='Kubernetes API emulator for tests')
    p.add_argument('--listen', default='127.0.0.1:0', help='HOST:PORT to bind (default 127.0.0.1:0)')
    p.add_argument('--kubeconfig', required=True, help='where to write the kubeconfig')
    p.add_argument('--tls', action='store_true', help='serve HTTPS with a throwaway CA')
    p.add_argument('--token', help='require this bearer token on every API request')
    p.add_argument('--latency-ms', type=int, default=0, help='delay every API request by N ms')
    p.add_argument('--crd', action='append', default=[],
                   help='pre-install the CRDs in this YAML file (or every *.yaml in this directory)')
    p.add_argument('--history', type=int, default=1000,
                   help='watch events retained; older resourceVersions get 410 Expired')
    p.add_argument('--bookmark-interval', type=float, default=2.0,
                   help='seconds between BOOKMARK events on watches that allow them')
    args = p.parse_args(argv)

    host, _, port = args.listen.rpartition(':')
    host = host.strip('[]')
    emu = Emulator(args)
    handler = type('BoundHandler', (Handler,), {'emu': emu})
    server_cls = Server
    if ':' in host:
        server_cls = type('Server6', (Server,), {'address_family': socket.AF_INET6})
    server = server_cls((host, int(port)), handler)
    tmp = tempfile.mkdtemp(prefix='kube-emulator-')
    ca_pem = None
    scheme = 'http'
    if args.tls:
        ca_crt, crt, key = make_tls(tmp)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(crt, key)
        ctx.set_alpn_protocols(['http/1.1'])
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        with open(ca_crt, 'rb') as f:
            ca_pem = f.read()
        scheme = 'https'
    bound_host, bound_port = server.server_address[:2]
    if ':' in bound_host:
        bound_host = '[%s]' % bound_host
    emu.host = '%s:%d' % (bound_host, bound_port)
    url = '%s://%s:%d' % (scheme, bound_host, bound_port)
    write_kubeconfig(args.kubeconfig, url, ca_pem, args.token)
    emu.controllers.start()

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print('ready %s' % url, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        emu.controllers.stop()
        with emu.cluster.lock:
            for w in list(emu.cluster.store.watchers):
                w.close()
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
