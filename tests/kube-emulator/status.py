"""metav1.Status errors with the reasons, codes and message formats of the
real API server (reference section 2.2)."""
import json


class StatusError(Exception):
    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details = details
        self.headers = headers or {}

    def body(self):
        b = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
             'message': self.message, 'reason': self.reason}
        if self.details:
            b['details'] = self.details
        b['code'] = self.code
        return b


def _details(res, name, kind=None):
    d = {}
    if name:
        d['name'] = name
    if res is not None and res.group:
        d['group'] = res.group
    d['kind'] = kind or (res.plural if res is not None else '')
    return d


def not_found(res, name):
    return StatusError(404, 'NotFound', '%s "%s" not found' % (res.group_resource, name),
                       _details(res, name))


def plain_not_found():
    return StatusError(404, 'NotFound', 'the server could not find the requested resource',
                       {'causes': [{'reason': 'UnexpectedServerResponse', 'message': '404 page not found'}]})


def already_exists(res, name):
    return StatusError(409, 'AlreadyExists', '%s "%s" already exists' % (res.group_resource, name),
                       _details(res, name))


def conflict(res, name, why):
    return StatusError(409, 'Conflict', 'Operation cannot be fulfilled on %s "%s": %s'
                       % (res.group_resource, name, why), _details(res, name))


STALE = 'the object has been modified; please apply your changes to the latest version and try again'


def invalid(res, name, errs):
    msgs = [str(e) for e in errs]
    text = msgs[0] if len(msgs) == 1 else '[' + ', '.join(msgs) + ']'
    d = {'name': name} if name else {}
    if res.group:
        d['group'] = res.group
    d['kind'] = res.kind
    d['causes'] = [e.cause() for e in errs]
    return StatusError(422, 'Invalid', '%s "%s" is invalid: %s' % (res.group_kind, name, text), d)


def bad_request(msg):
    return StatusError(400, 'BadRequest', msg)


def forbidden(res, name, why, causes=None):
    d = _details(res, name)
    if causes:
        d['causes'] = causes
    return StatusError(403, 'Forbidden', '%s "%s" is forbidden: %s' % (res.group_resource, name, why), d)


def method_not_allowed():
    return StatusError(405, 'MethodNotAllowed',
                       'the server does not allow this method on the requested resource')


def unsupported_media_type(ctype, allowed):
    return StatusError(415, 'UnsupportedMediaType',
                       'the body of the request was in an unknown format - accepted media types include: '
                       + ', '.join(allowed))


def expired(msg):
    return StatusError(410, 'Expired', msg)


def unauthorized():
    return StatusError(401, 'Unauthorized', 'Unauthorized')


def internal(msg):
    return StatusError(500, 'InternalError', 'Internal error occurred: %s' % msg,
                       {'causes': [{'message': msg}]})


def encode(body):
    return json.dumps(body, separators=(',', ':')).encode()
