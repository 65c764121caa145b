"""Counterexample search and replay for claims on a paper's own configuration type.

:mod:`proofs_check.search` searches the teacher-student sublevel sets of Zhou, Ge, Jin's
model.  A paper whose :class:`proofs_check.models.Model` has another configuration type (a
data set, a network on data) and a ``strategy`` is searched here, with the same steps and
the same file format, minus the model-specific local descent:

1. a saved counterexample ``<save_dir>/<claim>.json`` is re-evaluated first;
2. Hypothesis draws configurations from ``model.strategy()``, is steered by
   ``target(-margin)`` and shrinks a certainly negative margin to a simple configuration.
   A configuration the claim cannot evaluate (a gate or an angle undecided on balls, a
   ``ValueError`` from ``at``) is rejected with ``assume``.

Margins are ``claim.margin(claim.at(claim, config, dps))`` at ``claim.settings.search_dps``
digits when the settings have it (default 30).  Files: ``{"claim", "claim_id", "constant", "margin", "error", "dps",
"counterexample", "origin", "config": config.to_dict()}``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import mpmath
from flint import arb

from numeric.numbers import to_fraction, to_mpf
from proofs_check.files import STDIO, read_json_file, write_atomically, write_output
from proofs_check.claim import Claim
from proofs_check.errors import UsageError

__all__ = ["ModelCandidate", "search_model_claim", "replay_model_claim", "model_of"]


def model_of(claim: Claim):
    """The claim's paper model when it is searched here (its own configuration type and a
    strategy), else ``None``."""
    from numeric.config import Configuration
    from proofs_check.registry import paper_of

    paper = paper_of(claim.id)
    model = None if paper is None else paper.model
    if model is None or model.configuration is Configuration:
        return None
    return model


@dataclass(frozen=True)
class ModelCandidate:
    """One evaluated configuration (same interface as :class:`proofs_check.search.Candidate`)."""

    config: object
    margin: arb
    dps: int
    origin: str = "hypothesis"
    level: float | None = None
    family: str | None = None
    #: as :class:`proofs_check.search.Candidate`: True for a saved counterexample read back
    saved: bool = field(default=False, compare=False)

    @property
    def counterexample(self) -> bool:
        return bool(self.margin < 0)

    def key(self):
        """The margin's upper end (most certainly negative first); a non-finite ball (no
        bound certified) ranks last."""
        if not self.margin.is_finite():
            return mpmath.inf
        return to_mpf(self.margin.mid()) + to_mpf(self.margin.rad())

    def to_json(self, claim_ref: str, claim: Claim) -> dict:
        from proofs_check.search import _fmt, _margin_string

        return {"claim": claim_ref, "claim_id": claim.id,
                "constant": None if claim.constant is None else str(to_fraction(claim.constant, "constant")),
                "margin": _margin_string(self.margin), "error": _fmt(to_mpf(self.margin.rad()), 3),
                "dps": self.dps, "counterexample": self.counterexample, "level": None,
                "scale": None if self.level is None else mpmath.nstr(mpmath.mpf(self.level), 6),
                "family": None, "origin": self.origin,
                "config": self.config.to_dict(max(60, self.dps + 20))}


def search_model_claim(claim: Claim, model, *, claim_ref: str, max_examples: int, seed: int,
                       database=None, save_dir=None, json_path=None, shrink: bool = True,
                       on_example: Callable[[int], None] | None = None,
                       on_best: Callable[[ModelCandidate], None] | None = None):
    """Search ``claim`` over ``model.strategy()``; returns a :class:`proofs_check.search.SearchResult`."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    from proofs_check.search import SearchResult, _safe_name, margin_at

    if model.strategy is None:
        raise UsageError(f"claim {claim.id}: its paper's model has no search strategy")
    dps = int(getattr(claim.settings, "search_dps", 30))
    save_file = Path(save_dir) / f"{_safe_name(claim_ref)}.json" if save_dir is not None else None
    # Model claims have no loss level: the range is that of the observations' own scale
    # (``Model.scale``, e.g. the smallest input angle), or None when they have none.
    result = SearchResult(claim_ref, claim.id, None, 0, seed, max_examples, None, None, claim=claim,
                          scale_name=model.scale or None)
    state = {"best": None, "examples": 0, "failure": None, "scales": []}

    def offer(cand):
        if state["best"] is None or cand.key() < state["best"].key():
            state["best"] = cand
            text = json.dumps(cand.to_json(claim_ref, claim), indent=1) + "\n"
            if json_path is not None and str(json_path) != STDIO:
                write_atomically(json_path, text)
            if save_file is not None and cand.counterexample:
                write_atomically(save_file, text)
            if on_best is not None:
                on_best(cand)

    class _Violation(AssertionError):
        pass

    try:
        if save_file is not None and save_file.exists():
            try:
                data = json.loads(save_file.read_text())
                config = model.configuration.from_dict(data["config"])
                offer(ModelCandidate(config, margin_at(claim, config, int(data["dps"])),
                                     int(data["dps"]), "saved"))
                result.saved_checked = 1
            except (ValueError, KeyError, TypeError):
                pass  # a stale or foreign file: the search replaces it
        phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target] + ([Phase.shrink] if shrink else [])
        db = DirectoryBasedExampleDatabase(str(database)) if database is not None else None

        @settings(max_examples=max_examples, database=db, deadline=None, phases=phases,
                  suppress_health_check=list(HealthCheck), verbosity=hypothesis.Verbosity.quiet,
                  print_blob=False)
        @hypothesis.seed(seed)
        @given(model.strategy())
        def probe(config):
            try:
                margin, level = _margin_and_scale(claim, config, dps)
            except (ValueError, ZeroDivisionError):
                hypothesis.assume(False)  # not evaluable on balls here (measure zero)
            if level is not None:
                state["scales"].append(level)
            cand = ModelCandidate(config, margin, dps, level=level)
            upper = float(cand.key())
            hypothesis.target(-max(-1e300, min(1e300, upper)) if math.isfinite(upper) else -1e300,
                              label="margin")
            state["examples"] += 1
            offer(cand)
            if on_example is not None:
                on_example(state["examples"])
            if cand.counterexample:
                state["failure"] = cand
                raise _Violation("margin < 0")

        try:
            probe()
        except _Violation:
            pass
        except BaseExceptionGroup as group:
            if not all(isinstance(e, _Violation) for e in group.exceptions):
                raise
        if state["failure"] is not None:
            offer(ModelCandidate(state["failure"].config, state["failure"].margin, dps, "shrunk",
                                 level=state["failure"].level))
    except KeyboardInterrupt:
        result.interrupted = True
    result.best = state["best"]
    result.examples = state["examples"]
    if state["scales"]:
        result.min_loss, result.max_loss = min(state["scales"]), max(state["scales"])
    if json_path is not None and str(json_path) == STDIO and result.best is not None:
        write_output(json_path, json.dumps(result.best.to_json(claim_ref, claim), indent=1) + "\n")
    elif json_path is not None and result.best is not None:
        result.written.append(Path(json_path))
    if save_file is not None and result.found:
        result.written.append(save_file)
    return result


def _margin_and_scale(claim: Claim, config, dps: int):
    """The margin ball of ``claim`` at ``config`` and the observation's scale (a float,
    None when the claim's observations have none)."""
    import flint

    from numeric.numbers import to_mpf as _mpf

    with flint.ctx.workdps(dps):
        obs = claim.at(claim, config, dps)
        margin = claim.margin(obs)
    # A scale ball that is not certainly positive (a degenerate data set, wide balls) says
    # nothing about where the example lies: it is left out of the range.
    scale = obs.scale if isinstance(obs.scale, arb) else (None if obs.scale is None else arb(obs.scale))
    if scale is None or not scale > 0 or scale.rad() > scale.mid() / 1000:
        return margin, None
    return margin, float(_mpf(scale.mid()))


def replay_model_claim(path, claim_ref: str, model, data: dict, dps: int | None):
    """Re-evaluate a saved counterexample of a model claim; a
    :class:`proofs_check.search.ReplayResult`."""
    from proofs_check.search import ReplayResult, claim_from_reference, margin_at

    the_claim = claim_from_reference(claim_ref, data.get("constant"))
    raw = data.get("config", data)
    try:
        config = model.configuration.from_dict(raw)
    except ValueError as exc:
        raise UsageError(f"{Path(path).name}: field 'config': {exc}") from None
    recorded_dps = data.get("dps")
    if recorded_dps is not None and (isinstance(recorded_dps, bool) or not isinstance(recorded_dps, int)
                                     or recorded_dps < 1):
        raise UsageError(f"{Path(path).name}: field 'dps' = {recorded_dps!r} must be a positive integer")
    dps = dps if dps is not None else 2 * (recorded_dps or 30)
    if dps < 1:
        raise UsageError(f"--dps = {dps} must be a positive integer")
    margin = margin_at(the_claim, config, dps)
    agree = None
    if data.get("margin") is not None:
        with mpmath.workdps(dps):
            recorded = mpmath.mpf(data["margin"])
            diff = abs(to_mpf(margin.mid()) - recorded)
            agree = 30 if diff == 0 else max(0, int(mpmath.floor(
                mpmath.log10(max(abs(recorded), mpmath.mpf(10) ** -dps) / diff))))
    return ReplayResult(claim_ref, the_claim.id, margin, dps, data.get("margin"), recorded_dps, agree)


def read_counterexample_claim(path) -> tuple[dict, str | None]:
    """The raw JSON of a counterexample file and the claim it names (if any)."""
    data = read_json_file(path, "counterexample file", error=UsageError, parse_float=str)
    if not isinstance(data, dict):
        raise UsageError(f"{Path(path).name}: expected a JSON object, got {type(data).__name__}")
    claim = data.get("claim")
    return data, claim if isinstance(claim, str) else None
