"""The hunt's settings and results: what is asked (:class:`HuntSettings`), which model
(:class:`HuntModel`), and what is found (:class:`StationaryPoint`, :class:`Landscape`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import mpmath

from numeric.numbers import fraction_to_decimal_string, to_mpf
from proofs_check.errors import UsageError

__all__ = ["ZERO_ROW", "ALIGNED", "NEAR_GLOBAL", "KEY_DECIMALS", "STRATEGIES", "DEFAULT_STRATEGIES", "HuntSettings",
           "HuntModel", "ModelPoint", "StationaryPoint", "StrategyCount", "Landscape", "HuntInterrupted"]

ZERO_ROW = 1e-7  # float64 student rows below this norm are exactly zero
ALIGNED = 1e-6  # sin of the angle below which two students are one aligned group
#: Below this float64 loss a point is near the global minima's manifold: the generic hunt
#: counts it as global; the teacher-student hunt, where students sharing a teacher meet at
#: angles ~ L^(1/3) (Claim 2), reduces it coarsely.
NEAR_GLOBAL = 1e-9
KEY_DECIMALS = 5  # rounding of the effective vectors in the deduplication key

#: Start strategies of the teacher-student hunt (:mod:`proofs_check.models.teacher_student.hunt`):
#: ``symmetry`` (zero search on fixed-point subspaces of the teachers' symmetries, lifted),
#: ``atoms`` (students parked on teachers, bisectors, the diagonal, then zero search),
#: ``random`` (Gaussian rows and the sampler's families, then zero search), ``descent``
#: (the same families, descent on the loss), ``hop`` (from certified saddles along
#: negative curvature, descent).
STRATEGIES = ("symmetry", "atoms", "random", "descent")
DEFAULT_STRATEGIES = STRATEGIES


@dataclass(frozen=True)
class HuntSettings:
    """What the hunt does: ``students`` (m), ``starts`` (zero searches and descents in all,
    saddle hops included), ``seed``, a time ``budget`` in seconds (no start begins and no certificate is
    tried after it), the working precision ``dps`` of the
    certificate, the activation, and ``hops``: starts taken from each new certified saddle
    along its most negative curvature directions (both ways); ``dim``: the ambient
    dimension searched (teacher rows padded with zeros; every configuration of ``m``
    students lies, up to a rotation fixing the teachers, in ``R^(r+m)``), ``strategies``
    (:data:`STRATEGIES`), ``deflation``, and ``max_memory`` (bytes) for the estimates of
    :mod:`proofs_check.landscape.memory`."""

    students: int
    starts: int = 200
    seed: int = 0
    budget: float = 240.0
    dps: int = 40
    activation: str = "abs"
    hops: int = 2  # starts taken from each certified saddle along negative curvature
    dim: int | None = None  # search in R^dim: teacher rows padded with zeros (None: as given)
    strategies: tuple = DEFAULT_STRATEGIES
    deflation: bool = True  # zero searches deflate the points (and orbits) found before
    max_memory: int | None = None  # bytes; None: proofs_check.landscape.memory.default_cap()

    def __post_init__(self):
        unknown = [s for s in self.strategies if s not in STRATEGIES]
        if unknown or not self.strategies:
            raise UsageError(f"--strategies = {','.join(self.strategies)!r}: use one or more of "
                             f"{', '.join(STRATEGIES)}")
        if self.dim is not None and self.dim < 1:
            raise UsageError(f"--dim = {self.dim} must be >= 1")
        if self.max_memory is not None and self.max_memory <= 0:
            raise UsageError(f"--max-memory = {self.max_memory} must be a positive number of bytes")
        if self.students < 1:
            raise UsageError(f"--students = {self.students} must be >= 1")
        if self.starts < 1:
            raise UsageError(f"--starts = {self.starts} must be >= 1")
        if self.seed < 0:
            raise UsageError(f"--seed = {self.seed} must be >= 0")
        if not self.budget > 0:
            raise UsageError(f"--budget = {self.budget} must be a positive number of seconds")
        if self.dps < 20:
            raise UsageError(f"dps = {self.dps} must be >= 20")


@dataclass(frozen=True)
class HuntModel:
    """A model the stationary-point hunt applies to, declared by a paper
    (``Paper.model.hunts``); ``proofs-check stationary --paper ID`` or ``--model ID``
    selects it.

    ``build(teacher, students, activation)`` returns the model (the protocol of
    :mod:`numeric.stationary`) and raises :class:`UsageError` on a combination outside
    the paper's setting; ``activations`` are the values a teacher file's ``activation``
    may take (the first is the default).  A model hunted by :func:`hunt_generic` gives
    ``starts(model, count, seed) -> [(family, flat x0), ...]`` and
    ``symmetry_key(model, x) -> (key, orbit size or None)`` (points with equal keys are one
    point up to the loss's symmetries); a model with a specialised hunt gives
    ``hunt(teacher, settings, progress) -> Landscape`` instead.
    """

    id: str
    description: str
    build: Callable
    activations: tuple = ("abs",)
    starts: Callable | None = None
    symmetry_key: Callable | None = None
    hunt: Callable | None = None
    gd_steps: int = 400  # gradient steps of each descent before Newton takes over

    def __post_init__(self):
        if self.hunt is None and (self.starts is None or self.symmetry_key is None):
            raise ValueError(f"hunt model {self.id}: give either `hunt`, or `starts` and `symmetry_key`")


@dataclass(frozen=True)
class ModelPoint:
    """A point of a generic model: its exact teacher rows and its parameters as exact
    rows (``student``), written by :func:`landscape_json` as decimal strings."""

    model: str
    teacher: tuple
    student: tuple

    def to_dict(self, digits: int = 40) -> dict:
        with mpmath.workdps(digits + 5):
            return {"model": self.model,
                    "teacher": [[fraction_to_decimal_string(x) for x in row] for row in self.teacher],
                    "student": [[mpmath.nstr(mpmath.mpf(x.numerator) / x.denominator, digits)
                                 for x in row] for row in self.student]}


@dataclass(frozen=True)
class StationaryPoint:
    """One stationary point up to symmetry (its representative ``config``)."""

    config: Any  # Configuration (teacher-student) or ModelPoint (a generic model)
    loss: Any  # arb ball enclosing the loss of the exact stationary point
    point_type: str  # global | minimum | saddle | degenerate
    certified: bool
    radius: Any  # mpf: Frobenius distance from config to the exact point, or None
    gradient_norm: Any  # arb: ||grad L|| at config
    min_eigenvalue: Any  # arb or None
    classification: str  # how the point type was decided
    multiplicity: int | None  # copies under the teacher's symmetries (up to relabelling students); None: not counted
    hits: int  # starts that reached it
    zero_rows: tuple = ()
    merged: tuple = ()


@dataclass(frozen=True)
class StrategyCount:
    """What one start strategy did: starts run, runs that reached a zero of the gradient,
    and ``new``: distinct points (up to symmetry) it found first."""

    strategy: str
    starts: int = 0
    converged: int = 0
    new: int = 0


@dataclass(frozen=True)
class Landscape:
    """The hunt's result.  ``teacher`` rows as searched (padded to ``dim``), ``points``
    lowest loss first, ``strategies`` (:class:`StrategyCount` per start strategy), and
    ``interrupted``: the hunt was cut short (Ctrl-C, SIGTERM) and holds what it had."""

    teacher: tuple
    students: int
    points: tuple
    starts_run: int
    starts_converged: int
    seconds: float
    symmetries: int
    dps: int = 40
    strategies: tuple = ()
    interrupted: bool = False
    notes: tuple = ()

    @property
    def dim(self) -> int:
        """The ambient dimension searched."""
        return len(self.teacher[0])

    @property
    def lowest_spurious(self):
        """Index of the lowest certified point with a loss certainly > 0, or None."""
        best = None
        for i, p in enumerate(self.points):
            if p.certified and p.point_type != "global" and p.loss > 0:
                if best is None or to_mpf(p.loss.mid()) < to_mpf(self.points[best].loss.mid()):
                    best = i
        return best



class HuntInterrupted(KeyboardInterrupt):
    """Raised by a hunt cut short by Ctrl-C or SIGTERM (``cause``), carrying the
    :class:`Landscape` of every point found so far (``interrupted=True``).  A
    ``KeyboardInterrupt``, so that callers that do not look for it stop as before."""

    def __init__(self, landscape: Landscape, cause: BaseException):
        super().__init__("the hunt was interrupted")
        self.landscape = landscape
        self.cause = cause
