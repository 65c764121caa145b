"""Replay: a saved counterexample re-evaluated at a higher precision (default twice the
recorded digits), after its hypotheses are checked as the search checked them.

A file is a search's counterexample file (``{"claim", "dps", "margin", "config", ...}``,
see :mod:`proofs_check.search.store`) or a bare configuration (then the claim is named by
the caller).  A claim on a paper model's own configuration type is read with that type's
``from_dict``."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import mpmath
from flint import arb

from numeric.config import Configuration
from numeric.errors import ConfigurationError
from numeric.level_set import digits_for_level
from numeric.numbers import to_fraction, to_mpf
from proofs_check.hypotheses import hypothesis_violations
from proofs_check.claim import Claim
from proofs_check.errors import UsageError
from proofs_check.files import read_json_file
from proofs_check.search.evaluation import (claim_from_reference, hidden_constant_note, loss_ball,
                                            margin_at, model_of, parse_constant)
from proofs_check.search.results import margin_string, rounded_decimal

__all__ = ["ReplayResult", "replay", "load_counterexample", "replay_model_claim",
           "read_counterexample_claim", "agreeing_digits"]


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
            "margin": margin_string(self.margin),
            "error": rounded_decimal(to_mpf(self.margin.rad()), 3),
            "dps": self.dps,
            "counterexample": self.counterexample,
            "recorded_margin": self.recorded_margin,
            "recorded_dps": self.recorded_dps,
            "agreeing_digits": self.agreeing_digits,
            "max_loss": self.max_loss,
            "hidden_constant": self.claim is not None and hidden_constant_note(self.claim) is not None,
        }


def agreeing_digits(margin, recorded: str | None, dps: int) -> int | None:
    """Significant digits on which the replayed margin's midpoint and the recorded margin
    agree (30 when equal; None when nothing was recorded)."""
    if recorded is None:
        return None
    with mpmath.workdps(dps):
        recorded = mpmath.mpf(recorded)
        diff = abs(to_mpf(margin.mid()) - recorded)
        return 30 if diff == 0 else max(0, int(mpmath.floor(
            mpmath.log10(max(abs(recorded), mpmath.mpf(10) ** -dps) / diff))))


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
            loss = to_mpf(loss_ball(config, 60).mid())
            # a bare configuration: the digits its loss level needs (numeric's level-set rule)
            dps = 2 * digits_for_level(loss if loss > 0 else mpmath.mpf(10) ** -30)
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
    agree = agreeing_digits(margin, data["margin"], dps)
    return ReplayResult(ref, the_claim.id, margin, dps, data["margin"], data["dps"], agree, the_claim,
                        None if max_loss is None else str(max_loss))


def replay_model_claim(path, claim_ref: str, model, data: dict, dps: int | None):
    """Re-evaluate a saved counterexample of a model claim; a
    :class:`proofs_check.search.ReplayResult`."""
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
    agree = agreeing_digits(margin, data.get("margin"), dps)
    return ReplayResult(claim_ref, the_claim.id, margin, dps, data.get("margin"), recorded_dps, agree,
                        the_claim)


def read_counterexample_claim(path) -> tuple[dict, str | None]:
    """The raw JSON of a counterexample file and the claim it names (if any)."""
    data = read_json_file(path, "counterexample file", error=UsageError, parse_float=str)
    if not isinstance(data, dict):
        raise UsageError(f"{Path(path).name}: expected a JSON object, got {type(data).__name__}")
    claim = data.get("claim")
    return data, claim if isinstance(claim, str) else None
