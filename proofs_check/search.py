"""Counterexample search: Hypothesis, steered to small margins, then a local descent.

:func:`search` looks for a configuration in the sublevel set where a claim's margin
(``claim.margin(claim.at(claim, config, dps))``, an arb ball; see
:mod:`proofs_check.claim`) is *certainly* negative:

1. saved counterexamples (``<home>/counterexamples/*.json``) of the claim are re-evaluated
   first;
2. a Hypothesis test draws samples from :func:`proofs_check.models.teacher_student.strategies.search_samples`
   (the claim's shapes and teacher class, each also made harder: ``m`` up to ``8 r``,
   ``Delta`` down to 0.1, teacher norms in ``[0.25, 2]``, relaxed specs), calls
   ``hypothesis.target(-margin)`` to steer towards small margins, and fails on a certainly
   negative margin, so that Hypothesis shrinks the counterexample to a simple one; its
   example database (``<home>/hypothesis-db``) replays it first next time;
3. the most promising examples (the smallest margins Hypothesis saw) are handed to the
   level-set optimiser (:func:`proofs_check.worst_case.minimise_margin`): it minimises the
   claim's ratio at the example's loss level, then continues the minimiser to lower and
   higher levels (by factors of 100) while the margin improves;
4. the best example seen is refined by a pattern search in the loss level along its path
   and a random-direction descent on the student entries, evaluated with arb balls at the
   sample's precision and staying in ``{L <= max_loss}``.

``budget`` (seconds) bounds the whole search: Hypothesis gets half of it (then it is
stopped), the optimiser the rest.  When the budget binds, the result
depends on the machine's speed; without it (``budget=None``) the same seed gives the same
result.

The project-local ``<home>`` is ``.proofs-check`` under the current directory (CLI:
``--db``, ``--save-dir``).  The best example is written atomically whenever a new best
is found (``json_path``), so an interrupted search keeps it.  Counterexample files are::

    {"claim": "zgj.thm4", "claim_id": "zgj.thm4", "constant": "37", "margin": "-0.12...",
     "error": "3e-40", "dps": 38, "counterexample": true, "level": "1e-3",
     "family": "claim2", "origin": "refined", "config": {"teacher": [...], "student": [...]}}

``config`` is exact (decimal strings of the evaluated rationals), so :func:`replay` at a
higher precision re-evaluates the very same configuration.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

import flint
import mpmath
import numpy as np
from flint import arb

from numeric.config import Configuration
from numeric.errors import ConfigurationError
from numeric.numbers import decimal_string, fraction_to_significant_digits, to_fraction, to_mpf
from proofs_check.files import (STDIO, ensure_writable_directory, read_json_file, write_atomically,
                                write_output)
from numeric.filtered import ScreenCounts, filtered
from numeric.precise import evaluate
from proofs_check.hypotheses import hypothesis_violations, required_assumptions
from proofs_check.registry import get_claim
from proofs_check.claim import Claim
from proofs_check.models.teacher_student.levels import DEFAULT_LEVELS, DEFAULT_SHAPES
from proofs_check.errors import Terminated, UsageError, check_termination
from proofs_check.limits import DEFAULT_LIMITS
from proofs_check.models.teacher_student.samplers import FAMILIES, configuration_at_level, dps_for_level

__all__ = [
    "DEFAULT_HOME",
    "DEFAULT_MIN_LOSS",
    "DEFAULT_BUDGET",
    "Candidate",
    "SearchResult",
    "ReplayResult",
    "search",
    "replay",
    "load_counterexample",
    "claim_from_reference",
    "parse_constant",
    "margin_at",
    "hidden_constant_note",
    "move_aside",
]

#: Project-local home of the example database and the saved counterexamples.
DEFAULT_HOME = Path(".proofs-check")
#: The search goes far below the claims' default levels: degenerate directions (Claim 2)
#: violate a PL-type bound only below a loss that shrinks like ``mu^3``.
DEFAULT_MIN_LOSS = 1e-24
#: Shapes ``(r, m, d)`` searched when the claim names none: the suite's, plus wide ones
#: (``m = 8r`` and ``4r``), where several small students can share the loss.
SEARCH_SHAPES = DEFAULT_SHAPES + ((1, 8, 2), (2, 8, 3))
#: Seconds for a whole search by default (Hypothesis half, the optimiser the rest).
DEFAULT_BUDGET = 60.0


def _fmt(x, digits=12):
    return None if x is None else decimal_string(x, digits)


@dataclass(frozen=True)
class Candidate:
    """One evaluated configuration: the margin ball at ``dps`` digits and where it came from."""

    config: Configuration
    margin: arb
    dps: int
    level: float | None = None
    family: str | None = None
    origin: str = "hypothesis"  # hypothesis | shrunk | optimised | refined (as first found)
    spec: object = field(default=None, compare=False, repr=False)
    #: Re-checked from the save directory (its level, family and origin are the file's).
    saved: bool = field(default=False, compare=False)
    #: What steers Hypothesis and ranks the examples for the optimiser (:func:`steering`).
    steer: float | None = field(default=None, compare=False, repr=False)

    @property
    def counterexample(self) -> bool:
        return bool(self.margin < 0)

    def key(self):
        """Order by the margin's upper end: the most certainly negative first."""
        return to_mpf(self.margin.mid()) + to_mpf(self.margin.rad())

    def to_json(self, claim_ref: str, claim: Claim) -> dict:
        return {
            "claim": claim_ref,
            "claim_id": claim.id,
            "constant": None if claim.constant is None else str(to_fraction(claim.constant, "constant")),
            "margin": _margin_string(self.margin),
            "error": _fmt(to_mpf(self.margin.rad()), 3),
            "dps": self.dps,
            "counterexample": self.counterexample,
            "level": None if self.level is None else mpmath.nstr(self.level, 6),
            "family": self.family,
            "origin": self.origin,
            "config": _config_dict(self.config, _config_digits(self.dps)),
        }


def _config_digits(dps: int) -> int:
    return max(60, dps + 20)


def _margin_string(margin) -> str:
    """The margin's midpoint to the digits its radius certifies (at least 3)."""
    mid, rad = to_mpf(margin.mid()), to_mpf(margin.rad())
    digits = 3
    if mid != 0 and rad != 0:
        digits = max(3, min(30, int(mpmath.floor(mpmath.log10(abs(mid) / rad)))))
    elif rad == 0:
        digits = 30
    return decimal_string(margin, digits)


def _config_dict(config: Configuration, digits: int) -> dict:
    conv = lambda rows: [[fraction_to_significant_digits(x, digits) for x in row] for row in rows]
    out = {"teacher": conv(config.teacher), "student": conv(config.student)}
    if config.activation != "abs":
        out["activation"] = config.activation
    return out


def _canonical(config: Configuration, dps: int) -> Configuration:
    """The configuration that its JSON form denotes: what is evaluated is what is saved."""
    return Configuration.from_dict(_config_dict(config, _config_digits(dps)))


def margin_at(claim: Claim, config: Configuration, dps: int, *, screen: bool = False,
              counts: ScreenCounts | None = None, decided=None):
    """``claim.margin`` at ``config`` evaluated at ``dps`` digits (an arb ball).

    ``screen=True``: first on the float64 enclosure (:mod:`numeric.filtered`); that ball is
    returned when ``decided(ball)`` (default: its sign is certain, and then it is the all-ball
    margin's sign), else the margin is evaluated on balls at ``dps`` digits.  ``counts``
    tallies the two cases."""
    if claim.at is None:
        raise UsageError(_no_at_message(claim))

    def on_balls():
        # Constants (as_ball) and the margin's division are rounded at flint's working
        # precision: set it to the sample's, or a 53-bit constant would cap the margin's digits.
        with flint.ctx.workdps(dps):
            return claim.margin(claim.at(claim, config, dps))

    if not screen:
        return on_balls()
    if decided is None:
        decided = lambda margin: bool(margin > 0 or margin < 0)
    return filtered(on_balls, decided, counts)


#: Significant digits of the steering value (see :func:`steering`).
STEERING_DIGITS = 8


def _steering_digits(x: float) -> float:
    return float(f"{x:.{STEERING_DIGITS - 1}e}") if math.isfinite(x) else x


def steering(margin) -> float | None:
    """The margin's upper end rounded to :data:`STEERING_DIGITS` significant digits, or
    ``None`` when the ball's ends round differently.  Hypothesis is steered by it and the
    optimiser's starts are ranked by it, so that a search with the float64 screen, whose balls
    are wider, takes exactly the path of the all-ball search: the screen's value is used only
    when every point of its ball rounds alike (then so does the all-ball margin)."""
    low, high = (_steering_digits(float(to_mpf(end))) for end in (margin.lower(), margin.upper()))
    return high if low == high else None


def screens(claim: Claim, screen: bool) -> bool:
    """Whether the search screens ``claim``'s margins in float64 (see :func:`margin_at`)."""
    return screen and claim.screenable


def hidden_constant_note(claim: Claim) -> str | None:
    """The caveat printed with a margin when the claim's constant is hidden in O/Theta."""
    if claim.constant is not None or claim.relation == "==":
        return None
    if hasattr(claim.at, "user_at"):  # proofs_check.models.teacher_student.user_claims: a named stand-in
        from proofs_check.models.teacher_student.user_claims import STAND_IN_CONSTANT

        return (f"claim {claim.id} has constant=None (hidden in O/Theta/Omega): it was evaluated with"
                f" the constant {STAND_IN_CONSTANT}, so a negative margin refutes that constant only;"
                " pass --constant C to test a specific C")
    return (f"the constant of {claim.id} is hidden in O/Theta/Omega; its `at` uses a stand-in "
            "(usually 1), so a negative margin refutes that constant only, not the claim; "
            "pass --constant C to test a specific C")


def scale_name_of(claim: Claim) -> str | None:
    """What a search example's ``level`` measures for ``claim``: ``"loss level"`` on the
    teacher-student sublevel sets, else its paper model's ``scale`` (None: no scale)."""
    from proofs_check.model_search import model_of

    model = model_of(claim)
    return "loss level" if model is None else (model.scale or None)


def _no_at_message(claim) -> str:
    return (f"claim {claim.id} has no `at(claim, config, dps)` (it is a parameter claim) and "
            "exposes no search over its parameters; the counterexample search needs `at`")


@dataclass
class SearchResult:
    claim_ref: str
    claim_id: str
    best: Candidate | None
    examples: int
    seed: int
    max_examples: int
    min_loss: float | None  # the range searched of the scale `scale_name` (None: no scale)
    max_loss: float | None
    interrupted: bool = False
    terminated: bool = False  # the interrupt was SIGTERM, not Ctrl-C
    saved_checked: int = 0
    written: list = field(default_factory=list)
    claim: Claim | None = field(default=None, repr=False)
    #: Warnings for the user: a corrupt saved file moved aside, a saved example outside
    #: the claim's hypotheses.
    notes: list = field(default_factory=list)
    #: What ``min_loss``, ``max_loss`` and a candidate's ``level`` measure: ``"loss level"``
    #: for the teacher-student sublevel sets, a paper model's own scale (``Model.scale``,
    #: e.g. the smallest input angle), or None when the claim's instances have no scale.
    scale_name: str | None = "loss level"
    #: Hypothesis examples decided on the float64 screen and those escalated to balls.
    screen_counts: ScreenCounts = field(default_factory=ScreenCounts)

    @property
    def found(self) -> bool:
        return self.best is not None and self.best.counterexample

    def range_text(self) -> str:
        """``loss levels [1e-24, 0.01]``, or the model's scale and the range its examples
        covered, or a plain statement that the claim has no loss level."""
        if self.scale_name == "loss level":
            return f"loss levels [{mpmath.nstr(self.min_loss, 3)}, {mpmath.nstr(self.max_loss, 3)}]"
        if self.scale_name and self.min_loss is not None:
            return (f"no loss level; {self.scale_name} of the examples in "
                    f"[{mpmath.nstr(mpmath.mpf(self.min_loss), 3)}, {mpmath.nstr(mpmath.mpf(self.max_loss), 3)}]")
        return "no loss level (the claim's examples have no scale variable)"

    def to_json(self) -> dict:
        return {
            "claim": self.claim_ref,
            "claim_id": self.claim_id,
            "found": self.found,
            "examples": self.examples,
            "seed": self.seed,
            "max_examples": self.max_examples,
            "loss_range": ([mpmath.nstr(self.min_loss, 3), mpmath.nstr(self.max_loss, 3)]
                           if self.scale_name == "loss level" else None),
            "scale": {"name": self.scale_name,
                      "range": None if self.min_loss is None
                      else [mpmath.nstr(self.min_loss, 3), mpmath.nstr(self.max_loss, 3)]},
            "interrupted": self.interrupted,
            "saved_checked": self.saved_checked,
            "notes": list(self.notes),
            # A hidden constant (O/Theta/Omega) is searched with `at`'s stand-in (usually 1):
            # a negative margin then refutes that constant only.
            "hidden_constant": self.claim is not None and self.claim.constant is None
            and self.claim.relation != "==",
            "best": None if self.best is None else self.best.to_json(self.claim_ref, self.claim),
        }


def parse_constant(value, field: str = "--constant") -> Fraction:
    """A claim constant from a number, a decimal string or a fraction string ``"p/q"``;
    positive, as every constant a claim hides in O/Theta/Omega is.

    >>> parse_constant("3/4"), parse_constant("1e-2")
    (Fraction(3, 4), Fraction(1, 100))
    >>> parse_constant("0")
    Traceback (most recent call last):
    ...
    proofs_check.errors.UsageError: --constant = '0' must be a positive number (a claim's constant is > 0)
    """
    if isinstance(value, str) and not value.isascii():  # Fraction and Decimal read "١" as 1
        raise UsageError(f"{field} = {value!r} is not a number (only ASCII digits 0-9 are numbers)")
    if isinstance(value, str) and "/" in value:
        try:
            number = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise UsageError(f"{field} = {value!r} is not a number or fraction p/q") from None
    else:
        try:
            number = to_fraction(value, field)
        except ConfigurationError as exc:
            raise UsageError(str(exc)) from None
    if number <= 0:
        raise UsageError(f"{field} = {value!r} must be a positive number (a claim's constant is > 0)")
    return number


def claim_from_reference(reference: str, constant=None) -> Claim:
    """The claim ``reference`` (id or ``package.module:attribute``), with ``constant`` set."""
    claim = get_claim(reference)
    if constant is not None:
        claim = claim.variant(constant=parse_constant(constant))
    return claim


def _setting(claim, name, default):
    """A sampling setting of the claim (``LevelSettings`` fields), or the search's default for
    claims whose settings do not sample configurations."""
    return getattr(claim.settings, name, default)


def _loss_range(claim, min_loss, max_loss):
    levels = _setting(claim, "levels", DEFAULT_LEVELS)
    hi = float(max_loss) if max_loss is not None else float(max(levels))
    lo = float(min_loss) if min_loss is not None else float(_setting(claim, "search_min_loss", DEFAULT_MIN_LOSS))
    if not (0 < lo <= hi):
        raise UsageError(f"loss range [--min-loss {lo:g}, --max-loss {hi:g}] needs 0 < min <= max")
    return lo, hi


def _safe_name(reference: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in reference)


def move_aside(path: Path) -> Path:
    """Rename a file that cannot be used to ``<name>.corrupt[-N]``, next to it; never
    overwrite an earlier one."""
    for n in range(1000):
        target = path.with_name(path.name + (".corrupt" if n == 0 else f".corrupt-{n}"))
        if not target.exists():
            os.replace(path, target)
            return target
    raise UsageError(f"{str(path)!r} is corrupt and 1000 earlier corrupt copies are in the way")


@contextlib.contextmanager
def _hypothesis_storage_in_temporary_directory():
    """Hypothesis caches the constants it finds in local modules under ``./.hypothesis``;
    keep that cache in a temporary directory, so that no stray directory appears and
    nothing a previous run left there can change this one.  Restores the previous home."""
    from hypothesis import configuration

    # The module-level setting itself (None: the default), so that it is restored exactly;
    # its public setter has no getter.
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    with tempfile.TemporaryDirectory(prefix="proofs-check-hypothesis-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


def _recheck_saved(claim: Claim, save_file: Path, result: "SearchResult", max_loss):
    """The saved counterexample as a candidate, or None with a note: a corrupt file is
    moved aside (never silently overwritten), one outside the hypotheses is skipped."""
    try:
        data = load_counterexample(save_file)
        if data["dps"] is None:
            raise UsageError("field 'dps' is missing")
        if data["dps"] > DEFAULT_LIMITS.max_dps:  # a search never records so many digits
            raise UsageError(f"field 'dps' = {data['dps']} is above {DEFAULT_LIMITS.max_dps}")
    except UsageError as exc:
        aside = move_aside(save_file)
        result.notes.append(f"saved counterexample {str(save_file)!r} is corrupt ({exc}); "
                            f"moved aside to {str(aside)!r}")
        return None
    dps = data["dps"]
    cfg = _canonical(data["config"], dps)
    outside = hypothesis_violations(claim, cfg, dps, max_loss)
    if outside:
        result.notes.append(f"saved example {str(save_file)!r} is outside the hypotheses of "
                            f"{claim.id} ({'; '.join(outside)}); not re-checked")
        return None
    result.saved_checked = 1
    return Candidate(cfg, margin_at(claim, cfg, dps), dps, _level_of(data), data.get("family"),
                     data.get("origin") or "hypothesis", saved=True)


def search(claim: Claim | str, *, claim_ref: str | None = None, max_examples: int = 60,
           seed: int = 0, database: str | Path | None = None,
           save_dir: str | Path | None = None, json_path: str | Path | None = None,
           min_loss=None, max_loss=None, shapes=None, families=None, refine_steps: int = 40,
           shrink: bool = True, on_example: Callable[[int], None] | None = None,
           budget: float | None = DEFAULT_BUDGET, optimise: bool = True,
           on_best: Callable[[Candidate], None] | None = None,
           screen: bool = False) -> SearchResult:
    """Search for a certainly negative margin of ``claim``; see the module docstring.

    ``database``: a directory for Hypothesis's example database (None: no database).
    ``save_dir``: where counterexamples are saved as ``<claim>.json`` and read back first
    (None: neither).  ``json_path``: the best example so far is written there atomically
    whenever it improves.  ``on_example(n)`` is called after each evaluated example (a
    ``KeyboardInterrupt`` from it, or from Ctrl-C, ends the search with what it found).
    ``budget``: seconds for the whole search (None: unbounded); ``optimise``: run the
    level-set optimiser on the most promising examples; ``on_best(candidate)`` is called
    whenever the best margin improves (progress).  Same arguments and seed, same result,
    unless the budget binds.  ``screen``: decide each Hypothesis example's margin on the
    float64 enclosure first and on balls only where its sign is uncertain (the verdict is the
    same; :mod:`numeric.filtered`); an example that becomes the best, or a counterexample, is
    re-evaluated on balls, so what is reported and saved is always the all-ball margin.
    Off by default: at the search's shapes (r <= 3, m <= 5) the screen costs about as much as
    the balls, and most examples need the balls anyway (measured in ``benchmarks/bench_core.py``).
    """
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    from proofs_check.models.teacher_student.strategies import search_samples

    if isinstance(claim, str):
        claim_ref = claim_ref or claim
        claim = claim_from_reference(claim)
    claim_ref = claim_ref or claim.id
    if claim.at is None:
        raise UsageError(_no_at_message(claim))
    if max_examples < 1:
        raise UsageError(f"--max-examples = {max_examples} must be a positive integer")
    if budget is not None and not budget > 0:
        raise UsageError(f"--budget = {budget} must be a positive number of seconds")
    clock = time.monotonic()
    out_of_time = lambda share: budget is not None and time.monotonic() - clock > share * budget
    from proofs_check.model_search import model_of, search_model_claim

    if model_of(claim) is not None:  # a paper with its own configuration type
        result = search_model_claim(claim, model_of(claim), claim_ref=claim_ref,
                                    max_examples=max_examples, seed=seed, database=database,
                                    save_dir=save_dir, json_path=json_path, shrink=shrink,
                                    on_example=on_example, on_best=on_best)
        if screen:
            result.notes.append(f"the float64 screen serves teacher-student configurations only; "
                                f"{claim.id}'s margins were all evaluated on balls")
        return result
    lo, hi = _loss_range(claim, min_loss, max_loss)
    screening = screens(claim, screen)
    top = max(_setting(claim, "levels", DEFAULT_LEVELS))
    shapes = tuple(shapes or _setting(claim, "shapes", SEARCH_SHAPES))
    families = tuple(families or _setting(claim, "families", FAMILIES))
    save_file = None
    if save_dir is not None:
        # a named directory is made, its parents never (as --save-dir on the command line)
        save_file = ensure_writable_directory(save_dir, "save directory", error=UsageError) \
            / f"{_safe_name(claim_ref)}.json"

    state = {"best": None, "examples": 0, "failure": None, "pool": [], "write_error": None}
    result = SearchResult(claim_ref, claim.id, None, 0, seed, max_examples, lo, hi, claim=claim)
    if max_loss is not None and hi > float(top) and "sublevel" in required_assumptions(claim):
        result.notes.append(f"--max-loss {hi:g} is above {float(top):g}, the largest loss level {claim.id} is"
                            " checked at: the paper states it only for L(W) <= eps0, so a counterexample"
                            " above that level tests it outside its hypotheses (replay applies the same"
                            " --max-loss, recorded in the file)")
    to_stdout = json_path is not None and str(json_path) == STDIO

    def write(path, text, what):
        # Never raise inside the Hypothesis test (it would be taken for a failure of the
        # claim); the first error is raised once the search has stopped.
        try:
            write_atomically(path, text, what=what, error=UsageError)
        except (OSError, UsageError) as exc:
            state["write_error"] = state["write_error"] or exc

    def as_json(cand: Candidate) -> dict:
        # The sublevel bound searched is the hypothesis replay checks by default (the
        # same hypothesis_violations, the same max_loss).
        return {**cand.to_json(claim_ref, claim), "max_loss": repr(hi),
                "interrupted": result.interrupted}

    def inside_hypotheses(cand: Candidate) -> bool:
        """A counterexample counts only inside the claim's hypotheses, checked as replay
        checks them (an example drawn in [lo, hi] meets them by construction)."""
        if not cand.counterexample:
            return True
        outside = hypothesis_violations(claim, cand.config, cand.dps, hi)
        if outside and len(result.notes) < 20:
            result.notes.append(f"a negative margin outside the hypotheses of {claim.id} was set aside"
                                f" ({'; '.join(outside)})")
        return not outside

    def offer(cand: Candidate) -> None:
        check_termination()  # a SIGTERM whose exception was dropped (see errors.py)
        best = state["best"]
        if (best is None or cand.key() < best.key()) and inside_hypotheses(cand):
            state["best"] = cand
            text = json.dumps(as_json(cand), indent=1) + "\n"
            if json_path is not None and not to_stdout:
                write(json_path, text, "--json")
            if save_file is not None and cand.counterexample and not cand.saved:
                write(save_file, text, "saved counterexample")  # a re-checked file stays as it was
            if on_best is not None:
                on_best(cand)

    try:
        # 1. Saved counterexamples first: the database is keyed to the test's source.
        if save_file is not None and save_file.exists():
            saved = _recheck_saved(claim, save_file, result, hi)
            if saved is not None:
                offer(saved)

        # 2. Hypothesis, steered by target(-margin); a certain violation fails the test.
        strategy = search_samples(shapes, max_loss=hi, min_loss=lo, families=families,
                                  Delta=_setting(claim, "Delta", 0.5),
                                  w_min=_setting(claim, "w_min", 0.8),
                                  w_max=_setting(claim, "w_max", 1.2))
        phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
        if shrink:
            phases.append(Phase.shrink)
        db = DirectoryBasedExampleDatabase(str(database)) if database is not None else None

        class _Violation(AssertionError):
            pass

        @settings(max_examples=max_examples, database=db, deadline=None, phases=phases,
                  suppress_health_check=list(HealthCheck), derandomize=False,
                  verbosity=hypothesis.Verbosity.quiet, print_blob=False)
        @hypothesis.seed(seed)
        @given(strategy)
        def probe(sample):
            if out_of_time(0.5):
                raise _OutOfTime  # Hypothesis's share of the budget is spent
            dps = sample.dps
            cfg = _canonical(sample.config, dps)
            best = state["best"]

            def settled(m):
                # The screen's ball settles all this example is used for: not a counterexample
                # (those are reported), the steering value, and not better than the best.
                return (bool(m > 0) and steering(m) is not None and best is not None
                        and bool(m.lower() >= best.margin.upper()))

            margin = margin_at(claim, cfg, dps, screen=screening, counts=result.screen_counts,
                               decided=settled)
            steer = steering(margin)
            if steer is None:  # a ball across a rounding boundary of the steering value
                steer = _steering_digits(float(to_mpf(margin.mid()) + to_mpf(margin.rad())))
            cand = Candidate(cfg, margin, dps, sample.level, sample.spec.family, "hypothesis",
                             sample.spec, steer=steer)
            hypothesis.target(-max(-1e300, min(1e300, steer)) if math.isfinite(steer) else -1e300,
                              label="margin")
            state["examples"] += 1
            state["pool"].append(cand)
            offer(cand)
            if on_example is not None:
                on_example(state["examples"])
            if cand.counterexample and (state["best"] is cand or inside_hypotheses(cand)):
                state["failure"] = cand  # the last failure raised is the shrunk one
                raise _Violation(f"margin {_margin_string(margin)} < 0")

        try:
            with _hypothesis_storage_in_temporary_directory():
                probe()
        except _OutOfTime:
            pass  # on to the optimiser with what Hypothesis has seen
        except _Violation:
            pass
        except BaseExceptionGroup as group:  # several distinct failures: all are violations
            if not all(isinstance(e, _Violation) for e in group.exceptions):
                raise
        shrunk = state["failure"]
        if shrunk is not None:
            shrunk = Candidate(shrunk.config, shrunk.margin, shrunk.dps, shrunk.level,
                               shrunk.family, "shrunk", shrunk.spec)

        # 3. The level-set optimiser on the most promising examples.
        if optimise and shrunk is None:
            for cand in _optimise(claim, state["pool"], lo, hi, seed, lambda: out_of_time(1.0)):
                offer(cand)
                if cand.counterexample:
                    break

        # 4. Local descent from the best example seen (and from the shrunk one).
        starts = [c for c in (state["best"], shrunk) if c is not None]
        rng = np.random.default_rng([seed, 7])
        for start in starts:
            for cand in _refine(claim, start, lo, hi, refine_steps, rng):
                offer(cand)
    except KeyboardInterrupt as exc:
        result.interrupted = True
        result.terminated = isinstance(exc, Terminated)
    if state["write_error"] is not None:
        raise state["write_error"]
    result.best = state["best"]
    result.examples = state["examples"]
    if to_stdout and result.best is not None:
        write_output(json_path, json.dumps(as_json(result.best), indent=1) + "\n")
    elif json_path is not None and result.best is not None:
        if result.interrupted:  # the file says the search was cut short, not complete
            write(json_path, json.dumps(as_json(result.best), indent=1) + "\n", "--json")
            if state["write_error"] is not None:
                raise state["write_error"]
        result.written.append(Path(json_path))
    if save_file is not None and result.found:
        result.written.append(save_file)
    return result


#: Examples handed to the optimiser, and the level factor of its continuation.
_PROMISING = 3
_LEVEL_STEP = 100.0


def _optimise(claim, pool, lo, hi, seed, stop):
    """Yield optimised candidates: for each of the most promising distinct examples, the
    minimiser at its level (from the example and from a relaxed stray start on its teacher), then the minimiser continued level by level (factor 100) down
    to ``lo`` and up to ``hi`` while the margin improves; ``stop()`` ends it."""
    from proofs_check.models.teacher_student.worst_case_starts import relaxed_stray_start
    from proofs_check.worst_case import Start, WorstCaseSettings, minimise_margin

    settings = WorstCaseSettings(starts_per_family=0, seed=seed)
    seen, chosen = set(), []
    for cand in sorted((c for c in pool if c.level is not None),
                       key=lambda c: c.steer if c.steer is not None else float(c.key())):
        shape = (cand.config.r, cand.config.m, cand.config.d, cand.family)
        if shape not in seen:
            seen.add(shape)
            chosen.append(cand)
        if len(chosen) == _PROMISING:
            break
    def at(cand, level, start, relaxed=False):
        teacher = [[float(x) for x in row] for row in cand.config.teacher]
        starts = [Start(start, cand.family, "hypothesis")]
        if relaxed:  # and a small student re-fitted around, on the example's teacher
            rng = np.random.default_rng([seed, cand.config.m, len(starts)])
            starts += [s for s in (relaxed_stray_start(teacher, cand.config.m, level, rng),) if s is not None]
        wc = minimise_margin(claim, teacher, students=cand.config.m, level=level, settings=settings,
                             starts=starts)
        config = _canonical(wc.config, wc.dps)
        return Candidate(config, margin_at(claim, config, wc.dps), wc.dps, level, cand.family,
                         "optimised")

    # Every promising example at its own level first, then the continuations.
    here = []
    for cand in chosen:
        if stop():
            return
        try:
            found = at(cand, cand.level, cand.config, relaxed=True)
        except (UsageError, ValueError):
            continue
        yield found
        if found.counterexample:
            return
        here.append(found)
    for found in sorted(here, key=lambda c: c.key()):
        for factor in (1 / _LEVEL_STEP, _LEVEL_STEP):
            current = found
            while not stop():
                level = current.level * factor
                if not lo <= level <= hi / (1 + 1e-3):
                    break
                try:
                    nxt = at(current, level, current.config)
                except (UsageError, ValueError):
                    break
                if not nxt.key() < current.key():
                    break
                yield nxt
                if nxt.counterexample:
                    return
                current = nxt


class _OutOfTime(KeyboardInterrupt):
    """Stops Hypothesis as Ctrl-C does (it does not shrink or report it), but the search
    goes on: raised when Hypothesis's share of the budget is spent."""


def _level_of(data):
    try:
        return float(data.get("level")) if data.get("level") is not None else None
    except (TypeError, ValueError):
        return None


def _loss(config, dps):
    return evaluate(config, dps, backend="arb", gradient=False).loss


def _refine(claim, start: Candidate, lo, hi, steps, rng):
    """Yield improving candidates: a pattern search on ``log10(level)`` along the start's
    path, then random-direction moves of the student entries (step adapted: doubled on
    success, halved on failure), keeping ``L <= hi``."""
    best = start
    if start.spec is not None and start.level is not None and steps > 0:
        x, step = math.log10(start.level), 2.0
        log_lo, log_hi = math.log10(lo), math.log10(hi) - math.log10(1.001)
        for _ in range(12):
            improved = False
            for y in (x - step, x + step):
                y = min(max(y, log_lo), log_hi)
                if y == x:
                    continue
                try:
                    sample = configuration_at_level(start.spec, mpmath.mpf(10) ** mpmath.mpf(y))
                except UsageError:
                    continue
                cfg = _canonical(sample.config, sample.dps)
                cand = Candidate(cfg, margin_at(claim, cfg, sample.dps), sample.dps, float(10**y),
                                 start.family, "refined", start.spec)
                if cand.key() < best.key():
                    best, x, improved = cand, y, True
                    yield cand
                    break
            if not improved:
                step /= 2
                if step < 0.05:
                    break
    # Random-direction descent on the student entries, in the sublevel set.
    dps = best.dps
    with mpmath.workdps(dps + 10):
        L = to_mpf(_loss(best.config, dps).mid())
        sigma = mpmath.sqrt(max(L, mpmath.mpf(10) ** (-dps // 2))) * mpmath.mpf("0.1")
        failures = 0
        for _ in range(steps):
            m, d = best.config.m, best.config.d
            xi = rng.standard_normal((m, d))
            rows = [[mpmath.mpf(x.numerator) / x.denominator + sigma * mpmath.mpf(float(e))
                     for x, e in zip(row, erow)] for row, erow in zip(best.config.student, xi)]
            cfg = _canonical(best.config.replace(student=[[to_fraction(v, "student") for v in row] for row in rows]), dps)
            loss = _loss(cfg, dps)
            if not bool(loss <= hi):
                sigma /= 2
                continue
            cand = Candidate(cfg, margin_at(claim, cfg, dps), dps, float(to_mpf(loss.mid())),
                             best.family, "refined", None)
            if cand.key() < best.key():
                best, sigma, failures = cand, sigma * 2, 0
                yield cand
            else:
                sigma, failures = sigma / 2, failures + 1
                if failures > 8:
                    break


# -- replay ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReplayResult:
    claim_ref: str
    claim_id: str
    margin: arb
    dps: int
    recorded_margin: str | None
    recorded_dps: int | None
    agreeing_digits: int | None
    claim: Claim | None = field(default=None, compare=False, repr=False)
    #: The sublevel bound the hypotheses were checked with (None: the claim's largest level).
    max_loss: str | None = None

    @property
    def counterexample(self) -> bool:
        return bool(self.margin < 0)

    def to_json(self) -> dict:
        return {
            "claim": self.claim_ref,
            "claim_id": self.claim_id,
            "margin": _margin_string(self.margin),
            "error": _fmt(to_mpf(self.margin.rad()), 3),
            "dps": self.dps,
            "counterexample": self.counterexample,
            "recorded_margin": self.recorded_margin,
            "recorded_dps": self.recorded_dps,
            "agreeing_digits": self.agreeing_digits,
            "max_loss": self.max_loss,
            "hidden_constant": self.claim is not None and hidden_constant_note(self.claim) is not None,
        }


def load_counterexample(path) -> dict:
    """Read a counterexample file (wrapper or bare configuration); errors name the field."""
    path = Path(path)
    data = read_json_file(path, "counterexample file", error=UsageError, parse_float=str)
    if not isinstance(data, dict):
        raise UsageError(f"{path.name}: expected a JSON object, got {type(data).__name__}")
    if "config" not in data:  # a bare configuration
        try:
            return {"config": Configuration.from_dict(data), "claim": None, "dps": None,
                    "margin": None, "constant": None, "family": None, "origin": None,
                    "level": None, "max_loss": None}
        except ConfigurationError as exc:
            raise UsageError(f"{path.name}: {exc}") from None
    out = {}
    try:
        out["config"] = Configuration.from_dict(data["config"])
    except ConfigurationError as exc:
        raise UsageError(f"{path.name}: field 'config': {exc}") from None
    claim = data.get("claim")
    if claim is not None and not isinstance(claim, str):
        raise UsageError(f"{path.name}: field 'claim' = {claim!r} must be a claim id string")
    out["claim"] = claim
    dps = data.get("dps")
    if dps is not None and (isinstance(dps, bool) or not isinstance(dps, int) or dps < 1):
        raise UsageError(f"{path.name}: field 'dps' = {dps!r} must be a positive integer")
    out["dps"] = dps
    margin = data.get("margin")
    if margin is not None:
        try:
            to_fraction(margin, "margin")
        except ConfigurationError:
            raise UsageError(f"{path.name}: field 'margin' = {margin!r} is not a decimal number") from None
    out["margin"] = margin
    constant = data.get("constant")
    if constant is not None:
        parse_constant(constant, f"{path.name}: field 'constant'")
    out["constant"] = constant
    for key in ("family", "origin"):  # provenance, kept when the file is re-checked
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{path.name}: field {key!r} = {value!r} must be a string")
        out[key] = value
    for key in ("level", "max_loss"):
        value = data.get(key)
        if value is not None:
            try:
                number = to_fraction(value, key)
            except ConfigurationError:
                raise UsageError(f"{path.name}: field {key!r} = {value!r} is not a decimal number") from None
            if number <= 0:
                raise UsageError(f"{path.name}: field {key!r} = {value!r} must be positive")
        out[key] = value
    return out


def replay(path, claim: str | None = None, dps: int | None = None, max_loss=None,
           max_dps: int | None = None) -> ReplayResult:
    """Re-evaluate a saved counterexample at ``dps`` digits (default: twice the recorded).

    A configuration outside the claim's hypotheses (:mod:`proofs_check.hypotheses`, with
    the sublevel set ``L <= max_loss``, default the claim's largest level) raises
    :class:`UsageError` saying why, and so does a precision above ``max_dps``."""
    from proofs_check.model_search import model_of, read_counterexample_claim, replay_model_claim

    raw, named = read_counterexample_claim(path)
    if claim is None and named is None and "teacher" not in raw.get("config", raw):
        raise UsageError(f"{Path(path).name} names no claim (a bare configuration): pass --claim ID")
    if (claim or named) is not None and model_of(claim_from_reference(claim or named)) is not None:
        ref = claim or named
        return replay_model_claim(path, ref, model_of(claim_from_reference(ref)), raw, dps)
    data = load_counterexample(path)
    ref = claim or data["claim"]
    if ref is None:
        raise UsageError(f"{Path(path).name} has no 'claim' field (a bare configuration): pass --claim ID")
    the_claim = claim_from_reference(ref, data["constant"])
    config = data["config"]
    if max_loss is None and data["max_loss"] is not None:
        max_loss = data["max_loss"]  # the sublevel bound the search assumed: the same hypotheses
    if dps is None:
        if data["dps"] is not None:
            dps = 2 * data["dps"]
        else:
            loss = to_mpf(_loss(config, 60).mid())
            dps = 2 * dps_for_level(loss if loss > 0 else mpmath.mpf(10) ** -30)
    if dps < 1:
        raise UsageError(f"--dps = {dps} must be a positive integer")
    if max_dps is not None and dps > max_dps:
        raise UsageError(f"replaying {Path(path).name} at twice its recorded dps = {data['dps']} needs "
                         f"{dps} digits, above the limit of {max_dps} (pass --dps, or --no-limits)")
    outside = hypothesis_violations(the_claim, config, dps, max_loss)
    if outside:
        raise UsageError(f"{Path(path).name} is outside the hypotheses of {the_claim.id}, so it "
                         f"cannot be a counterexample to it: {'; '.join(outside)}")
    margin = margin_at(the_claim, config, dps)
    agree = None
    if data["margin"] is not None:
        with mpmath.workdps(dps):
            recorded = mpmath.mpf(data["margin"])
            diff = abs(to_mpf(margin.mid()) - recorded)
            agree = 30 if diff == 0 else max(0, int(mpmath.floor(
                mpmath.log10(max(abs(recorded), mpmath.mpf(10) ** -dps) / diff))))
    return ReplayResult(ref, the_claim.id, margin, dps, data["margin"], data["dps"], agree, the_claim,
                        None if max_loss is None else str(max_loss))
