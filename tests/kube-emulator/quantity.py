"""Kubernetes resource.Quantity parsing and canonical serialisation.

Mirrors apimachinery pkg/api/resource (reference section 5.1): a quantity keeps
its suffix family (decimal SI, binary SI, decimal exponent), is rounded up to
nano precision, binary values are capped at 2^63-1, and strings that are
already in canonical-looking form are returned unchanged (Go caches them).
Values are exact Fractions here, so no float rounding can creep in.
"""
import re
from fractions import Fraction

_RE = re.compile(r'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$')
_DEC = {'n': -9, 'u': -6, 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12,
        'P': 15, 'E': 18}
_DEC_REV = {v: k for k, v in _DEC.items()}
_BIN = {'Ki': 10, 'Mi': 20, 'Gi': 30, 'Ti': 40, 'Pi': 50, 'Ei': 60}
_BIN_REV = {v: k for k, v in _BIN.items()}
_BIN_REV[0] = ''
_MAX_BIN = (1 << 63) - 1
NANO = Fraction(1, 10 ** 9)

DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = 'DecimalSI', 'BinarySI', 'DecimalExponent'


class QuantityError(ValueError):
    pass


class Quantity:
    __slots__ = ('value', 'format', 'cached')

    def __init__(self, value, fmt, cached=None):
        self.value, self.format, self.cached = value, fmt, cached

    def __str__(self):
        return self.cached if self.cached is not None else canonical(self)


def _split(s):
    """parseQuantityString: sign, numerator digits (leading zeros stripped),
    fraction digits and suffix."""
    pos, end, positive = 0, len(s), True
    if s and s[0] in '+-':
        positive = s[0] == '+'
        pos = 1
    while pos < end and s[pos] == '0':
        pos += 1
    if pos >= end:
        return positive, '0', '', ''
    i = pos
    while i < end and s[i].isdigit():
        i += 1
    num = s[pos:i] or '0'
    pos = i
    denom = ''
    if pos < end and s[pos] == '.':
        pos += 1
        i = pos
        while i < end and s[i].isdigit():
            i += 1
        denom = s[pos:i]
        pos = i
    return positive, num, denom, s[pos:]


def _suffix(suf):
    if suf in _DEC:
        return 10, _DEC[suf], DECIMAL_SI
    if suf in _BIN:
        return 2, _BIN[suf], BINARY_SI
    if len(suf) > 1 and suf[0] in 'eE':
        try:
            return 10, int(suf[1:], 10), DECIMAL_EXPONENT
        except ValueError:
            pass
    raise QuantityError("unable to parse quantity's suffix")


def _round_up(value, unit):
    """Round magnitude away from zero to a multiple of unit (inf.RoundUp)."""
    q = abs(value) / unit
    n = q.numerator // q.denominator
    if n * q.denominator != q.numerator:
        n += 1
    return n * unit if value >= 0 else -n * unit


def parse(text):
    """Parse a quantity the way resource.ParseQuantity does."""
    if isinstance(text, bool):
        raise QuantityError('quantities must be strings or numbers')
    if isinstance(text, (int, float)):
        text = getattr(text, 'text', None) or repr(text)
    s = text.strip()
    if not s:
        raise QuantityError('quantities must match the regular expression '
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    if not _RE.match(s):
        raise QuantityError('quantities must match the regular expression '
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    positive, num, denom, suf = _split(s)
    base, exp, fmt = _suffix(suf)
    if not all(c.isdigit() for c in num + denom):
        raise QuantityError('quantities must match the regular expression '
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    # Fast path of ParseQuantity: decides whether Go keeps the input string.
    cached = None
    if fmt == BINARY_SI:
        precision = (15 - len(num) - int(exp * 3 / 10) - 1
                     if exp >= 0 and not denom else -1)
        scale = 0
    else:
        precision = 18 - (len(num) + len(denom))
        scale = exp
    if precision >= 0:
        scale -= len(denom)
        shifted = num + denom
        if scale >= -9:
            v = int(shifted)
            if fmt == BINARY_SI:
                if exp % 10 == 0 and (v & 7) != 0 and (v << exp) <= _MAX_BIN:
                    cached = s
            elif (scale % 3 == 0 and not shifted.endswith('000')
                  and shifted[0] != '0'):
                cached = s
    mag = Fraction(int(num + denom), 10 ** len(denom))
    mag = mag * (Fraction(10) ** exp if base == 10 else (1 << exp))
    value = mag if positive else -mag
    if value != 0:
        value = _round_up(value, NANO)
    if fmt == BINARY_SI:
        if abs(value) > _MAX_BIN:
            value = _MAX_BIN if value > 0 else -_MAX_BIN
            cached = None
        if 0 < abs(value) < 1:
            fmt = DECIMAL_SI
    return Quantity(value, fmt, cached)


def _dec_canonical(value, fmt):
    num, den, exp = value.numerator, value.denominator, 0
    while den != 1:          # terminates: values are nano-rounded decimals
        num, exp = num * 10, exp - 1
        if num % den == 0:
            num, den = num // den, 1
    while num % 10 == 0 and num != 0:
        num //= 10
        exp += 1
    while exp % 3 != 0:
        num *= 10
        exp -= 1
    if fmt == DECIMAL_SI and exp in _DEC_REV:
        return '%d%s' % (num, _DEC_REV[exp])
    return '%d' % num if exp == 0 else '%de%d' % (num, exp)


def canonical(q):
    v, fmt = q.value, q.format
    if v == 0:
        return '0'
    if fmt == BINARY_SI:
        if -1024 < v < 1024 or v.denominator != 1:
            fmt = DECIMAL_SI
        else:
            m, e = int(v), 0
            while m % 1024 == 0 and e < 60:
                m //= 1024
                e += 10
            return '%d%s' % (m, _BIN_REV[e])
    return _dec_canonical(v, fmt)


def normalize(text):
    """Canonical JSON string for a quantity value as the API server stores it."""
    return str(parse(text))


def round_up_milli(text):
    """SetDefaults_ResourceList: quantity.RoundUp(-3) keeps the string if exact."""
    q = parse(text)
    unit = Fraction(1, 1000)
    if (q.value / unit).denominator == 1:
        return str(q)
    return canonical(Quantity(_round_up(q.value, unit), q.format))
