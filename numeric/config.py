"""The configuration of a teacher-student pair, validated once at construction.

A configuration holds the teacher rows ``w*_1..w*_r`` and the student rows ``w_1..w_m`` in
``R^d`` as exact rationals (:class:`fractions.Fraction`), so a decimal string such as
``"0.1"`` is kept exactly and can be evaluated at any precision.

JSON form::

    {"teacher": [[1, 0], [0, 1]], "student": [["0.7", "0.7"], [0, 1]], "activation": "abs"}

>>> c = Configuration.from_dict({"teacher": [[1, 0]], "student": [["0.5", 0], [0, 0]]})
>>> c.r, c.m, c.d
(1, 2, 2)
>>> c.student[0][0]
Fraction(1, 2)
>>> Configuration.from_dict({"teacher": [[1, 0]], "student": [[1]]})
Traceback (most recent call last):
...
numeric.errors.ConfigurationError: student row 0 has 1 entries, but teacher rows have 2 (dimension d = 2)
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from numeric.errors import ConfigurationError
from numeric.numbers import JsonConstantText, JsonNumberText, fraction_to_decimal_string, to_fraction

__all__ = [
    "Configuration",
    "TeacherStudentRows",
    "exact_rows",
    "loads_exact",
    "refuse_repeated_keys",
    "EXACT_NUMBER_HOOKS",
]

ACTIVATIONS = ("abs", "relu")


def exact_rows(value, field: str) -> tuple:
    """A non-empty list of rows of numbers as a tuple of tuples of exact Fractions; entries
    are named ``field[i][k]`` in errors."""
    if not isinstance(value, (list, tuple)) or len(value) == 0:
        raise ConfigurationError(f"{field} must be a non-empty list of rows, got {value!r:.80}")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, (list, tuple)):
            raise ConfigurationError(f"{field} row {i} = {row!r:.80} is not a list of numbers")
        rows.append(tuple(to_fraction(x, f"{field}[{i}][{k}]") for k, x in enumerate(row)))
    return tuple(rows)


def loads_exact(text: str):
    """``json.loads`` keeping numbers exact (as decimal strings for :func:`to_fraction`), with
    malformed JSON reported by line and column as a :class:`ConfigurationError`."""
    try:
        return json.loads(text, object_pairs_hook=refuse_repeated_keys("JSON", ConfigurationError), **EXACT_NUMBER_HOOKS)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


class TeacherStudentRows:
    """The sizes and zero rows read off ``teacher`` and ``student`` row sequences: what the
    evaluators need of a configuration, shared by :class:`Configuration` and unvalidated
    exact rows (:class:`numeric.integer_rows.ExactRows`)."""

    @property
    def r(self) -> int:
        return len(self.teacher)

    @property
    def m(self) -> int:
        return len(self.student)

    @property
    def d(self) -> int:
        return len(self.teacher[0])

    def zero_students(self) -> tuple:
        """Indices of student rows that are exactly the zero vector."""
        return tuple(j for j, row in enumerate(self.student) if not any(row))


@dataclass(frozen=True)
class Configuration(TeacherStudentRows):
    """Teacher ``r x d`` and student ``m x d`` rows, exact, with ``m >= r >= 1``.

    ``activation`` is ``"abs"`` (the paper's network) or ``"relu"`` (App. A: ReLU student
    with the best linear term fitted, whose loss is exactly 1/4 of the abs loss).
    """

    teacher: tuple
    student: tuple
    activation: str = "abs"

    def __post_init__(self):
        teacher = exact_rows(self.teacher, "teacher")
        student = exact_rows(self.student, "student")
        object.__setattr__(self, "teacher", teacher)
        object.__setattr__(self, "student", student)
        d = len(teacher[0])
        if d == 0:
            raise ConfigurationError("teacher row 0 is empty: the dimension d must be >= 1")
        for i, row in enumerate(teacher):
            if len(row) != d:
                raise ConfigurationError(
                    f"teacher row {i} has {len(row)} entries, but teacher row 0 has {d}"
                    " (rows must all have the dimension d)"
                )
        for j, row in enumerate(student):
            if len(row) != d:
                raise ConfigurationError(
                    f"student row {j} has {len(row)} entries, but teacher rows have {d}"
                    f" (dimension d = {d})"
                )
        if len(student) < len(teacher):
            raise ConfigurationError(
                f"student has m = {len(student)} rows but teacher has r = {len(teacher)};"
                " the paper's setting needs m >= r"
            )
        if self.activation not in ACTIVATIONS:
            raise ConfigurationError(
                f"activation = {self.activation!r} is not one of {ACTIVATIONS}"
            )


    def replace(self, **changes) -> "Configuration":
        fields = {"teacher": self.teacher, "student": self.student, "activation": self.activation}
        fields.update(changes)
        return Configuration(**fields)

    @classmethod
    def from_dict(cls, data) -> "Configuration":
        if not isinstance(data, dict):
            raise ConfigurationError(
                f"configuration must be a JSON object with keys 'teacher' and 'student', got {type(data).__name__}"
            )
        for key in ("teacher", "student"):
            if key not in data:
                raise ConfigurationError(f"missing key {key!r} (a list of rows of numbers)")
        unknown = set(data) - {"teacher", "student", "activation"}
        if unknown:
            raise ConfigurationError(f"unknown key(s) {sorted(unknown)}; allowed: teacher, student, activation")
        return cls(data["teacher"], data["student"], data.get("activation", "abs"))

    def to_dict(self, digits: int = 60, *, number=fraction_to_decimal_string) -> dict:
        """JSON-ready dict; numbers as decimal strings (exact where short, else ``digits``),
        written by ``number(x, digits)``."""
        conv = lambda rows: [[number(x, digits) for x in row] for row in rows]
        out = {"teacher": conv(self.teacher), "student": conv(self.student)}
        if self.activation != "abs":
            out["activation"] = self.activation
        return out

    @classmethod
    def from_json(cls, text: str) -> "Configuration":
        return cls.from_dict(loads_exact(text))

    def to_json(self, digits: int = 60) -> str:
        return json.dumps(self.to_dict(digits), indent=1)


def _json_int(text: str):
    # Huge integer literals would be exact but meaningless; route them through the
    # decimal checks (exponent cap) by keeping them as number text.
    return int(text) if len(text) <= 400 else JsonNumberText(text)


#: ``json.loads`` hooks that keep numbers as text for exact conversion by field.
EXACT_NUMBER_HOOKS = dict(parse_float=JsonNumberText, parse_int=_json_int, parse_constant=JsonConstantText)


def refuse_repeated_keys(name: str, error):
    """A ``json.loads`` hook that builds objects and refuses a repeated key (JSON would keep
    the last value silently), naming the key and the file."""
    def build(pairs):
        out = {}
        for key, value in pairs:
            if key in out:
                raise error(f"{name}: the key {key!r} appears twice in one object; keep one")
            out[key] = value
        return out

    return build
