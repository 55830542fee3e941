"""Fault injection rules for the control API (POST /_emulator/faults).

A rule matches on verb, resource (plural, or plural/subresource), namespace,
name and a text the request's labelSelector contains (or, with
labelSelectorEquals, is); absent fields match anything.  It fires for the next `count`
matching requests (default 1; a negative count means every request) and then
disappears.  Actions: respond with `status` (+ Retry-After when
`retryAfterSeconds` is given), add `latencyMs` before normal handling,
`close` the connection mid-response, or `endWatch` to end watch streams.
"""
import threading

REASONS = {400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound',
           405: 'MethodNotAllowed', 409: 'Conflict', 410: 'Expired', 422: 'Invalid',
           429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable',
           504: 'Timeout'}
VERBS = {'get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'}
ACTIONS = {'status', 'latency', 'close', 'endWatch'}


class RuleError(ValueError):
    pass


class Rule:
    FIELDS = ('verb', 'resource', 'namespace', 'name', 'labelSelector', 'labelSelectorEquals', 'status',
              'retryAfterSeconds', 'latencyMs', 'action', 'count', 'message')

    def __init__(self, d):
        if not isinstance(d, dict):
            raise RuleError('a rule must be a JSON object')
        unknown = set(d) - set(self.FIELDS)
        if unknown:
            raise RuleError('unknown rule field(s): %s' % ', '.join(sorted(unknown)))
        self.verb = d.get('verb')
        if self.verb is not None and self.verb not in VERBS:
            raise RuleError('verb must be one of %s' % ', '.join(sorted(VERBS)))
        self.resource, self.namespace, self.name = d.get('resource'), d.get('namespace'), d.get('name')
        self.selector = d.get('labelSelector')
        if self.selector is not None and (not isinstance(self.selector, str) or not self.selector):
            raise RuleError('labelSelector must be a non-empty string')
        self.selector_is = d.get('labelSelectorEquals')
        if self.selector_is is not None and not isinstance(self.selector_is, str):
            raise RuleError('labelSelectorEquals must be a string')
        self.status = d.get('status')
        if self.status is not None and (not isinstance(self.status, int) or not 400 <= self.status <= 599):
            raise RuleError('status must be an HTTP error code (400-599)')
        self.retry_after = d.get('retryAfterSeconds')
        self.latency_ms = d.get('latencyMs', 0)
        action = d.get('action') or ('status' if self.status else 'latency' if self.latency_ms else None)
        if action not in ACTIONS:
            raise RuleError('a rule needs status, latencyMs or action (one of %s)' % ', '.join(sorted(ACTIONS)))
        if action == 'status' and self.status is None:
            raise RuleError('action "status" needs a status code')
        self.action = action
        self.count = d.get('count', 1)
        if not isinstance(self.count, int) or self.count == 0:
            raise RuleError('count must be a non-zero integer (negative: unlimited)')
        self.message = d.get('message') or 'injected fault'
        self.fired = 0
        self.fired_seq = []  # the Faults-wide order of each firing (the last 1000)

    def matches(self, verb, resource, namespace, name, selector=''):
        if self.verb is not None and self.verb != verb:
            return False
        if self.resource is not None and self.resource != resource \
                and self.resource != (resource or '').split('/')[0]:
            return False
        if self.namespace is not None and self.namespace != namespace:
            return False
        if self.name is not None and self.name != name:
            return False
        if self.selector is not None and self.selector not in (selector or ''):
            return False
        if self.selector_is is not None and self.selector_is != (selector or ''):
            return False
        return True

    def to_json(self):
        d = {'verb': self.verb, 'resource': self.resource, 'namespace': self.namespace,
             'name': self.name, 'labelSelector': self.selector, 'labelSelectorEquals': self.selector_is,
             'status': self.status, 'retryAfterSeconds': self.retry_after,
             'latencyMs': self.latency_ms, 'action': self.action, 'count': self.count,
             'message': self.message, 'fired': self.fired, 'firedSeq': list(self.fired_seq)}
        return {k: v for k, v in d.items() if v is not None}

    def status_body(self):
        reason = REASONS.get(self.status, 'InternalError')
        b = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
             'message': self.message, 'reason': reason, 'code': self.status}
        if self.retry_after is not None:
            b['details'] = {'retryAfterSeconds': self.retry_after}
        return b


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.seq = 0  # firings of every rule so far: tells which of two rules fired first

    def add(self, payload):
        if isinstance(payload, dict) and 'rules' in payload:
            payload = payload['rules']
        if isinstance(payload, dict):
            payload = [payload]
        if not isinstance(payload, list):
            raise RuleError('expected a rule, a list of rules or {"rules": [...]}')
        rules = [Rule(d) for d in payload]
        with self.lock:
            self.rules.extend(rules)
        return rules

    def clear(self):
        with self.lock:
            self.rules = []

    def take(self, verb, resource, namespace, name, actions=None, selector=''):
        """The first matching rule (its count is consumed), or None."""
        with self.lock:
            for r in self.rules:
                if actions is not None and r.action not in actions:
                    continue
                if r.matches(verb, resource, namespace, name, selector):
                    r.fired += 1
                    self.seq += 1
                    r.fired_seq = r.fired_seq[-999:] + [self.seq]
                    if r.count > 0:
                        r.count -= 1
                        if r.count == 0:
                            self.rules.remove(r)
                    return r
        return None

    def to_json(self):
        with self.lock:
            return {'rules': [r.to_json() for r in self.rules]}
