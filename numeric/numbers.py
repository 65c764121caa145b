"""Number conversion, each converter once: exact Fractions, decimal strings, mpmath numbers
and python-flint balls.

* to a :class:`fractions.Fraction`, exactly: :func:`to_fraction` (JSON numbers, decimal
  strings, ints, floats, mpf, arb midpoints; bad values raise
  :class:`numeric.errors.ConfigurationError` naming the field), :func:`arb_midpoint_fraction`;
* to a decimal string: :func:`fraction_to_decimal_string` (exact where short),
  :func:`fraction_to_significant_digits` (always ``digits`` significant digits),
  :func:`decimal_string` (a ball's midpoint or an mpf);
* to an mpmath number: :func:`to_mpf`; to a ball: :func:`to_arb`.

Decimal strings are guarded: exponents beyond :data:`MAX_DECIMAL_EXPONENT` and strings longer
than :data:`MAX_DECIMAL_CHARS` (changed for a block by :func:`decimal_length_limit`) are
refused, since converting them costs time without meaning anything at our precisions.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

import mpmath
from flint import arb, fmpq

from numeric.errors import ConfigurationError

__all__ = [
    "to_fraction",
    "arb_midpoint_fraction",
    "fraction_to_decimal_string",
    "fraction_to_significant_digits",
    "decimal_string",
    "to_mpf",
    "to_arb",
    "JsonNumberText",
    "JsonConstantText",
    "decimal_length_limit",
    "MAX_DECIMAL_CHARS",
    "MAX_DECIMAL_EXPONENT",
]


#: Decimal exponents beyond this are refused: they mean nothing at any precision we
#: evaluate (<= 4000 digits) and ``Fraction(Decimal("1e99999999"))`` would not finish.
MAX_DECIMAL_EXPONENT = 10_000


#: Decimal strings longer than this are refused: converting one costs time quadratic in
#: its length (1 M digits: about half a minute) and no evaluation uses more than a few
#: thousand digits.  ``decimal_length_limit`` lifts or changes it (CLI: ``--no-limits``).
MAX_DECIMAL_CHARS = 10_000

_decimal_chars_limit: contextvars.ContextVar = contextvars.ContextVar(
    "decimal_chars_limit", default=MAX_DECIMAL_CHARS)


@contextlib.contextmanager
def decimal_length_limit(max_chars: int | None):
    """Within the block, :func:`to_fraction` accepts decimal strings of at most
    ``max_chars`` characters (None: any length).

    >>> with decimal_length_limit(5):
    ...     to_fraction("0.12345", "x")
    Traceback (most recent call last):
    ...
    numeric.errors.ConfigurationError: x is a decimal string of 7 characters, more than the limit of 5 (--no-limits lifts it)
    """
    token = _decimal_chars_limit.set(max_chars)
    try:
        yield
    finally:
        _decimal_chars_limit.reset(token)


class JsonNumberText(str):
    """A JSON number literal, kept as text so that it converts exactly."""


class JsonConstantText(str):
    """A JSON ``NaN`` / ``Infinity`` / ``-Infinity``, rejected with its field's name."""


def to_fraction(value, field: str) -> Fraction:
    """Convert a JSON number, decimal string, int, Fraction or finite float exactly.

    Anything with ``mpf``-like ``man``/``exp`` (an mpmath number) or ``mid()`` is converted
    exactly too.  NaN, infinities, booleans and non-numbers raise :class:`ConfigurationError`
    naming ``field``.

    >>> to_fraction("0.1", "x"), to_fraction(0.5, "x"), to_fraction(3, "x")
    (Fraction(1, 10), Fraction(1, 2), Fraction(3, 1))
    >>> to_fraction("nan", "teacher[0][1]")
    Traceback (most recent call last):
    ...
    numeric.errors.ConfigurationError: teacher[0][1] = 'nan' is not finite
    """
    if isinstance(value, bool) or value is None:
        raise ConfigurationError(f"{field} = {value!r} is not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        return Fraction(value)
    if isinstance(value, JsonConstantText):
        raise ConfigurationError(f"{field} = {value} is not finite")
    if isinstance(value, str):
        limit = _decimal_chars_limit.get()
        if limit is not None and len(value) > limit:
            raise ConfigurationError(
                f"{field} is a decimal string of {len(value)} characters, more than the limit "
                f"of {limit} (--no-limits lifts it)"
            )
        if not value.isascii():  # Decimal would read "١" or "１" as digits
            raise ConfigurationError(f"{field} = {value!r} is not a decimal number (only ASCII digits"
                                     " 0-9 are numbers)")
        try:
            dec = Decimal(value.strip())
        except InvalidOperation:
            raise ConfigurationError(f"{field} = {value!r} is not a decimal number") from None
        if not dec.is_finite():
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        if isinstance(value, JsonNumberText) and not math.isfinite(float(dec)):
            raise ConfigurationError(
                f"{field} = {value} overflows to infinity as a JSON number; "
                "write it as a decimal string if you mean it"
            )
        if dec != 0 and abs(dec.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise ConfigurationError(
                f"{field} = {value!r} has a decimal exponent beyond +-{MAX_DECIMAL_EXPONENT}"
            )
        return Fraction(dec)
    if hasattr(value, "_mpf_"):  # mpmath.mpf: (sign, mantissa, exponent, bitcount)
        import mpmath

        if not mpmath.isfinite(value):
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        sign, man, exp, _ = value._mpf_
        return (-1) ** sign * Fraction(int(man)) * (Fraction(2) ** int(exp))
    if hasattr(value, "mid") and hasattr(value, "rad"):  # flint.arb: its midpoint
        if not value.is_finite():
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        return arb_midpoint_fraction(value)
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalar
        return to_fraction(value.item(), field)
    raise ConfigurationError(f"{field} = {value!r} is not a number (type {type(value).__name__})")


def arb_midpoint_fraction(value) -> Fraction:
    """The midpoint of a python-flint ball, exactly.

    >>> from flint import arb
    >>> arb_midpoint_fraction(arb(0.375, 0.001))
    Fraction(3, 8)
    """
    man, exp = value.mid().man_exp()
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def fraction_to_decimal_string(x: Fraction, digits: int = 60) -> str:
    """Exact decimal string when ``x`` has one with at most ``digits`` decimal places,
    else ``digits`` significant digits.

    >>> fraction_to_decimal_string(Fraction(1, 8))
    '0.125'
    >>> fraction_to_decimal_string(Fraction(1, 3), digits=5)
    '0.33333'
    >>> x = Fraction(10**40 + 1, 10**45)
    >>> Fraction(Decimal(fraction_to_decimal_string(x))) == x
    True
    """
    if x == 0:
        return "0"
    den = x.denominator
    places = 0
    for p in (2, 5):
        k = 0
        while den % p == 0:
            den //= p
            k += 1
        places = max(places, k)
    if den == 1 and places <= digits:
        scaled = x.numerator * 10**places // x.denominator  # exact
        with localcontext() as ctx:
            ctx.prec = len(str(abs(scaled))) + 5  # never round: normalize() obeys prec
            dec = Decimal(scaled).scaleb(-places).normalize()
            return format(dec, "f") if -30 < dec.adjusted() < 30 else str(dec)
    with localcontext() as ctx:
        ctx.prec = digits
        return str(Decimal(x.numerator) / Decimal(x.denominator))


def fraction_to_significant_digits(x: Fraction, digits: int) -> str:
    """``x`` to ``digits`` significant digits (Decimal's own string form, exponent notation
    below ``1e-6``), exact when that many digits hold it.

    Unlike :func:`fraction_to_decimal_string`, never a positional string for a short exact
    value: ``1e-10`` stays ``'1E-10'``.

    >>> fraction_to_significant_digits(Fraction(1, 3), 5), fraction_to_significant_digits(Fraction(1, 10**10), 60)
    ('0.33333', '1E-10')
    """
    with localcontext() as ctx:
        ctx.prec = digits
        return str(Decimal(x.numerator) / Decimal(x.denominator))


def to_mpf(value):
    """An mpmath number from an arb ball (its midpoint, exactly), a Fraction, an mpf or a
    number (at mpmath's working precision).

    A Fraction (anything with ``numerator`` that is not an int or float) is its numerator
    divided by its denominator at the working precision.

    >>> from flint import arb
    >>> to_mpf(arb(0.375, 0.001)), to_mpf(2), to_mpf(Fraction(3, 8))
    (mpf('0.375'), mpf('2.0'), mpf('0.375'))
    """
    if hasattr(value, "mid") and hasattr(value, "rad"):
        man, exp = value.mid().man_exp()
        return mpmath.ldexp(mpmath.mpf(int(man)), int(exp)) if man != 0 else mpmath.mpf(0)
    if hasattr(value, "numerator") and not isinstance(value, (int, float)):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


def decimal_string(value, digits: int) -> str:
    """``value`` (arb ball midpoint, mpf, or number) as a decimal string of ``digits`` digits.

    >>> decimal_string(mpmath.mpf(1) / 3, 5)
    '0.33333'
    """
    if hasattr(value, "mid") and hasattr(value, "rad"):
        text = value.mid().str(digits, radius=False)
    else:
        text = mpmath.nstr(mpmath.mpf(value), digits, strip_zeros=False)
    if text in ("0e-0", "-0", "0.0"):
        return "0"
    return text.replace("e+", "e")


def to_arb(x):
    """An arb ball from a ball, int, Fraction, decimal string, mpf or float (exactly; a
    decimal string as python-flint reads it, at its working precision).

    >>> x = to_arb(Fraction(1, 4))
    >>> x == 0.25, x.rad() == 0, to_arb(2) == 2
    (True, True, True)
    """
    if isinstance(x, arb):
        return x
    if isinstance(x, str):
        return arb(x)
    f = x if isinstance(x, Fraction) else to_fraction(x, "constant")
    return arb(fmpq(f.numerator, f.denominator))
