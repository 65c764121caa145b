"""A finite data set ``(x_i, y_i)``, i = 1..n, validated once at construction.

The configuration of the finite-sample papers (Du, Zhai, Poczos, Singh; Liu, Zhu, Belkin):
points ``x_i`` in ``R^d`` and labels ``y_i``, kept as exact rationals like
:class:`numeric.config.Configuration`.  Du et al. assume ``|x_i| = 1``; a decimal point is
rarely exactly on the sphere, so the points are read as *directions*: every evaluation uses
``x_i / |x_i|``, computed at the evaluation's precision (on balls, enclosed).

JSON form::

    {"points": [[1, 0], ["0.6", "0.8"]], "labels": ["0.5", -1]}

>>> s = DataSet.from_dict({"points": [[1, 0], ["0.6", "0.8"]], "labels": ["0.5", -1]})
>>> s.n, s.d, s.labels[0]
(2, 2, Fraction(1, 2))
>>> DataSet.from_dict({"points": [[1, 0], [0, 0]], "labels": [1, 1]})
Traceback (most recent call last):
...
numeric.errors.ConfigurationError: points row 1 is the zero vector; a data point needs a direction
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from numeric.config import exact_rows, loads_exact
from numeric.errors import ConfigurationError
from numeric.numbers import fraction_to_decimal_string, to_fraction

__all__ = ["DataSet", "NetworkOnData"]


@dataclass(frozen=True)
class DataSet:
    """Points ``n x d`` (directions, see the module docstring) and ``n`` labels, exact."""

    points: tuple
    labels: tuple

    def __post_init__(self):
        points = exact_rows(self.points, "points")
        d = len(points[0])
        if d == 0:
            raise ConfigurationError("points row 0 is empty: the dimension d must be >= 1")
        for i, row in enumerate(points):
            if len(row) != d:
                raise ConfigurationError(f"points row {i} has {len(row)} entries, but points row 0 "
                                         f"has {d} (rows must all have the dimension d)")
            if not any(row):
                raise ConfigurationError(f"points row {i} is the zero vector; a data point needs a direction")
        if not isinstance(self.labels, (list, tuple)):
            raise ConfigurationError(f"labels must be a list of numbers, got {self.labels!r:.80}")
        labels = tuple(to_fraction(y, f"labels[{i}]") for i, y in enumerate(self.labels))
        if len(labels) != len(points):
            raise ConfigurationError(f"labels has {len(labels)} entries, but points has n = "
                                     f"{len(points)} rows (one label per point)")
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "labels", labels)

    @property
    def n(self) -> int:
        return len(self.points)

    @property
    def d(self) -> int:
        return len(self.points[0])

    @classmethod
    def from_dict(cls, data) -> "DataSet":
        if not isinstance(data, dict):
            raise ConfigurationError(f"data set must be a JSON object with keys 'points' and "
                                     f"'labels', got {type(data).__name__}")
        for key in ("points", "labels"):
            if key not in data:
                raise ConfigurationError(f"missing key {key!r} of the data set")
        unknown = set(data) - {"points", "labels"}
        if unknown:
            raise ConfigurationError(f"unknown key(s) {sorted(unknown)}; allowed: points, labels")
        return cls(data["points"], data["labels"])

    def to_dict(self, digits: int = 60) -> dict:
        """JSON-ready dict; numbers as decimal strings (exact where short, else ``digits``)."""
        conv = lambda x: fraction_to_decimal_string(x, digits)  # noqa: E731
        return {"points": [[conv(x) for x in row] for row in self.points],
                "labels": [conv(y) for y in self.labels]}

    @classmethod
    def from_json(cls, text: str) -> "DataSet":
        return cls.from_dict(loads_exact(text))

    def to_json(self, digits: int = 60) -> str:
        return json.dumps(self.to_dict(digits), indent=1)


@dataclass(frozen=True)
class NetworkOnData:
    """A data set with a two-layer network on it: first layer ``W`` (``m x d``, exact) and
    second layer ``a`` (entries ``+1`` or ``-1``), as in Du et al. and Liu, Zhu, Belkin.

    JSON form: the data set's keys plus ``"W"`` and ``"a"``.

    >>> p = NetworkOnData.from_dict({"points": [[1, 0]], "labels": [1], "W": [[1, 2]], "a": [-1]})
    >>> p.m, p.data.n
    (1, 1)
    """

    data: DataSet
    W: tuple
    a: tuple

    def __post_init__(self):
        W = exact_rows(self.W, "W")
        for r, row in enumerate(W):
            if len(row) != self.data.d:
                raise ConfigurationError(f"W row {r} has {len(row)} entries, but the points have "
                                         f"dimension d = {self.data.d}")
        if not isinstance(self.a, (list, tuple)) or len(self.a) != len(W):
            raise ConfigurationError(f"a must list one sign per row of W (m = {len(W)}), got {self.a!r:.80}")
        a = tuple(to_fraction(v, f"a[{r}]") for r, v in enumerate(self.a))
        for r, v in enumerate(a):
            if v not in (1, -1):
                raise ConfigurationError(f"a[{r}] = {v} must be +1 or -1 (Du et al.'s fixed second layer)")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "a", a)

    @property
    def m(self) -> int:
        return len(self.W)

    @classmethod
    def from_dict(cls, data) -> "NetworkOnData":
        if not isinstance(data, dict):
            raise ConfigurationError(f"network on data must be a JSON object, got {type(data).__name__}")
        for key in ("W", "a"):
            if key not in data:
                raise ConfigurationError(f"missing key {key!r} (the network's first layer W and signs a)")
        rest = {k: v for k, v in data.items() if k not in ("W", "a")}
        return cls(DataSet.from_dict(rest), data["W"], data["a"])

    def to_dict(self, digits: int = 60) -> dict:
        conv = lambda x: fraction_to_decimal_string(x, digits)  # noqa: E731
        return {**self.data.to_dict(digits), "W": [[conv(x) for x in row] for row in self.W],
                "a": [int(v) for v in self.a]}
