"""Test harness: starts an emulator process on 127.0.0.1 port 0 with its own
kubeconfig and KUBECACHEDIR, runs the real kubectl against it, talks to the
API and the control API directly, and stops it again (SIGTERM, exit 0)."""
import atexit
import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import unittest
import urllib.parse

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(HERE, 'emulator.py')
PYTHON = '/usr/bin/python3'


def shared_dir():
    """../shared beside the repo; tests that need it skip loudly without it."""
    d = os.path.join(os.path.dirname(REPO), 'shared')
    return d if os.path.isdir(d) else None


def need_shared(test, *parts):
    d = shared_dir()
    path = os.path.join(d, *parts) if d else None
    if not path or not os.path.exists(path):
        test.skipTest('SKIP LOUDLY: %s not found (../shared is absent in this clone)'
                      % os.path.join('..', 'shared', *parts))
    return path


def need_kubectl(test):
    k = shutil.which('kubectl')
    if k is None:
        if os.environ.get('CI') == 'true':
            test.fail('kubectl is not on PATH and CI=true: the kubectl tests must run in CI')
        test.skipTest('SKIP LOUDLY: kubectl is not on PATH; kubectl-driven tests not run')
    return k


_LIVE = set()


@atexit.register
def _stop_leftovers():
    """Never leave an emulator running, even when a test run is interrupted."""
    for emu in list(_LIVE):
        emu.stop()


class Emulator:
    def __init__(self, *args, tls=True, token='test-token'):
        self.tmp = tempfile.mkdtemp(prefix='emu-test-')
        self.kubeconfig = os.path.join(self.tmp, 'kubeconfig')
        self.cache = os.path.join(self.tmp, 'kubecache')
        self.token = token
        cmd = [PYTHON, EMULATOR, '--listen', '127.0.0.1:0', '--kubeconfig', self.kubeconfig]
        if tls:
            cmd.append('--tls')
        if token:
            cmd += ['--token', token]
        cmd += list(args)
        self.stderr = open(os.path.join(self.tmp, 'stderr'), 'w+')
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith('ready '):
            self.proc.kill()
            self.stderr.seek(0)
            raise RuntimeError('emulator did not start: %r %s' % (line, self.stderr.read()))
        _LIVE.add(self)
        self.url = line.split()[1]
        u = urllib.parse.urlsplit(self.url)
        self.host, self.port, self.tls = u.hostname, u.port, u.scheme == 'https'
        self.ctx = None
        if self.tls:
            with open(self.kubeconfig) as f:
                kc = yaml.safe_load(f)
            ca = base64.b64decode(kc['clusters'][0]['cluster']['certificate-authority-data'])
            self.ctx = ssl.create_default_context(cadata=ca.decode())

    def env(self):
        e = dict(os.environ)
        e['KUBECONFIG'] = self.kubeconfig
        e['KUBECACHEDIR'] = self.cache
        e.pop('KUBERNETES_SERVICE_HOST', None)
        return e

    def kubectl(self, *args, stdin=None, timeout=60):
        return subprocess.run(['kubectl'] + list(args), input=stdin, capture_output=True,
                              text=True, env=self.env(), timeout=timeout)

    def conn(self):
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method, path, body=None, ctype='application/json', token=True, headers=None):
        c = self.conn()
        h = dict(headers or {})
        if token and self.token:
            h['Authorization'] = 'Bearer ' + self.token
        if body is not None:
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
            h['Content-Type'] = ctype
        c.request(method, path, body, h)
        r = c.getresponse()
        data = r.read()
        c.close()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data
        return r.status, parsed, r

    def control(self, method, what, payload=None):
        code, body, _ = self.request(method, '/_emulator/' + what, payload, token=False)
        if code != 200:
            raise AssertionError('control %s %s -> %s %s' % (method, what, code, body))
        return body

    def stop(self):
        _LIVE.discard(self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = 'killed'
        else:
            rc = self.proc.returncode
        self.proc.stdout.close()
        self.stderr.seek(0)
        err = self.stderr.read()
        self.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return rc, err


class EmulatorTest(unittest.TestCase):
    """One emulator per test (HTTPS + token unless a class says otherwise)."""
    TLS = True
    TOKEN = 'test-token'
    ARGS = ()
    KUBECTL = False

    def setUp(self):
        if self.KUBECTL:
            need_kubectl(self)
        self.emu = Emulator(*self.ARGS, tls=self.TLS, token=self.TOKEN)

    def tearDown(self):
        rc, err = self.emu.stop()
        # the emulator must exit 0 on SIGTERM and never print a traceback
        self.assertEqual(rc, 0, 'emulator exit status %s; stderr:\n%s' % (rc, err))
        self.assertNotIn('Traceback', err, err)

    def kubectl(self, *args, stdin=None, ok=True, timeout=60):
        r = self.emu.kubectl(*args, stdin=stdin, timeout=timeout)
        if ok and r.returncode != 0:
            self.fail('kubectl %s failed (%d):\n%s%s' % (' '.join(args), r.returncode, r.stdout, r.stderr))
        return r

    def kjson(self, *args):
        return json.loads(self.kubectl(*(list(args) + ['-o', 'json', '--show-managed-fields'])).stdout)
