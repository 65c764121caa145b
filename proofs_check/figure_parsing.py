"""Reading figure data from a results file: exact decimals and integers, JSON objects with
their required keys, series paired point by point; every error names the field.  Shared by
the report's figure data (:mod:`proofs_check.report.figure_data`) and the papers' own figures.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from proofs_check.schema import ResultsError, short_repr

__all__ = ["parse_decimal", "parse_int", "json_object", "decimal_series", "check_paired"]


def parse_decimal(value, field: str, *, positive: bool = False, nonnegative: bool = False) -> Decimal:
    """A finite number from a decimal string (or JSON number), exactly.

    >>> parse_decimal("1.50", "x")
    Decimal('1.50')
    >>> parse_decimal("nan", "claims[0].min_margin")
    Traceback (most recent call last):
    ...
    proofs_check.schema.ResultsError: claims[0].min_margin = 'nan' is not a finite decimal number
    """
    if (isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal))
            or (isinstance(value, str) and not value.isascii())):  # Decimal reads "١" as 1
        raise ResultsError(f"{field} = {short_repr(value)} is not a decimal number (a string such as \"0.25\")")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise ResultsError(f"{field} = {short_repr(value)} is not a decimal number (a string such as \"0.25\")") from None
    if not number.is_finite():
        raise ResultsError(f"{field} = {short_repr(value)} is not a finite decimal number")
    if positive and number <= 0:
        raise ResultsError(f"{field} = {short_repr(value)} must be positive")
    if nonnegative and number < 0:
        raise ResultsError(f"{field} = {short_repr(value)} must not be negative")
    return number


def parse_int(value, field: str, *, minimum: int = 1) -> int:
    """An integer from a JSON integer or an integral decimal string."""
    if isinstance(value, bool):
        raise ResultsError(f"{field} = {short_repr(value)} is not an integer")
    if isinstance(value, int):
        number = value
    else:
        dec = parse_decimal(value, field)
        if dec != dec.to_integral_value():
            raise ResultsError(f"{field} = {short_repr(value)} is not an integer")
        number = int(dec)
    if number < minimum:
        raise ResultsError(f"{field} = {short_repr(value)} must be at least {minimum}")
    return number


def json_object(data, field: str, required: tuple[str, ...]) -> dict:
    if not isinstance(data, dict):
        raise ResultsError(f"{field} must be a JSON object, got {type(data).__name__}")
    for key in required:
        if key not in data:
            raise ResultsError(f"{field}: missing key {key!r}")
    return data


def decimal_series(data, key: str, field: str, **kw) -> tuple[Decimal, ...]:
    values = data[key]
    if not isinstance(values, list):
        raise ResultsError(f"{field}.{key} must be a list of decimal strings, got {type(values).__name__}")
    return tuple(parse_decimal(v, f"{field}.{key}[{i}]", **kw) for i, v in enumerate(values))


def check_paired(field: str, first: str, a: tuple, second: str, b: tuple) -> None:
    if len(a) != len(b):
        raise ResultsError(
            f"{field}: {first!r} has {len(a)} values but {second!r} has {len(b)};"
            " they are paired point by point"
        )
