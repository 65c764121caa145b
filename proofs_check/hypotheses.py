"""Whether a configuration is inside the hypotheses a claim needs, asked of the claim's paper.

A registered claim's paper declares its hypotheses (:class:`proofs_check.paper.Hypotheses`);
``search`` and ``replay`` call :func:`hypothesis_violations` first, so that a configuration
outside them is reported as such instead of as a counterexample or a crash.  A user claim
(``package.module:attribute``, no paper) names the keys it needs in an ``assumptions`` field
of its settings; they are decided by the registered paper whose hypotheses know every one of
them (a claim naming none is checked under none).
"""
from __future__ import annotations

from proofs_check.paper import Hypotheses
from proofs_check.registry import paper_of, paper_records

__all__ = ["hypotheses_of", "required_assumptions", "hypothesis_violations", "configuration_violations"]


def _declared_hypotheses() -> list[Hypotheses]:
    found = []
    for paper in paper_records():
        if paper.hypotheses is not None and paper.hypotheses not in found:
            found.append(paper.hypotheses)
    return found


def hypotheses_of(claim) -> Hypotheses | None:
    """The hypotheses ``claim`` is checked under: its paper's, or for a user claim the ones
    whose keys cover its ``settings.assumptions`` (``ValueError`` naming unknown keys)."""
    paper = paper_of(claim.id)
    if paper is not None:
        return paper.hypotheses
    declared = tuple(getattr(claim.settings, "assumptions", None) or ())
    if not declared:
        return None
    known = _declared_hypotheses()
    for hypotheses in known:
        if set(declared) <= set(hypotheses.keys):
            return hypotheses
    names = sorted({key for h in known for key in h.keys})
    unknown = [n for n in declared if n not in names]
    raise ValueError(f"claim {claim.id}: unknown assumption(s) {unknown or list(declared)}; known: {names}")


def required_assumptions(claim) -> tuple:
    """The assumption keys ``claim`` needs (empty when its paper declares no hypotheses)."""
    hypotheses = hypotheses_of(claim)
    return () if hypotheses is None else tuple(hypotheses.required(claim))


def hypothesis_violations(claim, config, dps: int = 30, max_loss=None) -> list[str]:
    """Why ``config`` is outside the hypotheses ``claim`` needs (empty: it is inside); the
    sublevel set, where the claim needs one, is ``L(W) <= max_loss`` (default: the claim's
    largest loss level)."""
    hypotheses = hypotheses_of(claim)
    return [] if hypotheses is None else list(hypotheses.violations(claim, config, dps, max_loss))


def configuration_violations(config) -> list[str]:
    """The violations of every registered paper's hypotheses that depend on no claim (zero or
    parallel teacher rows, say), for papers on ``config``'s type; each said once."""
    out = []
    for hypotheses in _declared_hypotheses():
        if hypotheses.of_configuration is not None and isinstance(config, hypotheses.configuration):
            out += [v for v in hypotheses.of_configuration(config) if v not in out]
    return out
