"""A claim as the search sees it: the claim a reference names, its margin at a
configuration on balls (optionally screened in float64), the value that steers Hypothesis,
and the notes printed with a margin."""
from __future__ import annotations

import math
from fractions import Fraction

import flint

from numeric.errors import ConfigurationError
from numeric.filtered import ScreenCounts, filtered
from numeric.precise import evaluate
from numeric.numbers import to_fraction, to_mpf
from proofs_check.registry import get_claim
from proofs_check.claim import Claim
from proofs_check.errors import UsageError

__all__ = ["STEERING_DIGITS", "claim_from_reference", "parse_constant", "margin_at", "steering",
           "steering_upper_end", "screens", "hidden_constant_note", "no_at_message", "model_of",
           "scale_name_of", "loss_ball"]


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


def no_at_message(claim) -> str:
    return (f"claim {claim.id} has no `at(claim, config, dps)` (it is a parameter claim) and "
            "exposes no search over its parameters; the counterexample search needs `at`")


def margin_at(claim: Claim, config, dps: int, *, screen: bool = False,
              counts: ScreenCounts | None = None, decided=None):
    """``claim.margin`` at ``config`` evaluated at ``dps`` digits (an arb ball).

    ``screen=True``: first on the float64 enclosure (:mod:`numeric.filtered`); that ball is
    returned when ``decided(ball)`` (default: its sign is certain, and then it is the all-ball
    margin's sign), else the margin is evaluated on balls at ``dps`` digits.  ``counts``
    tallies the two cases."""
    if claim.at is None:
        raise UsageError(no_at_message(claim))

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


def loss_ball(config, dps: int):
    """The loss of a teacher-student configuration on balls at ``dps`` digits."""
    return evaluate(config, dps, backend="arb", gradient=False).loss


#: Significant digits of the steering value (see :func:`steering`).
STEERING_DIGITS = 8


def steering_upper_end(x: float) -> float:
    """``x`` rounded to :data:`STEERING_DIGITS` significant digits (non-finite unchanged)."""
    return float(f"{x:.{STEERING_DIGITS - 1}e}") if math.isfinite(x) else x


def steering(margin) -> float | None:
    """The margin's upper end rounded to :data:`STEERING_DIGITS` significant digits, or
    ``None`` when the ball's ends round differently.  Hypothesis is steered by it and the
    optimiser's starts are ranked by it, so that a search with the float64 screen, whose balls
    are wider, takes exactly the path of the all-ball search: the screen's value is used only
    when every point of its ball rounds alike (then so does the all-ball margin)."""
    low, high = (steering_upper_end(float(to_mpf(end))) for end in (margin.lower(), margin.upper()))
    return high if low == high else None


def screens(claim: Claim, screen: bool) -> bool:
    """Whether the search screens ``claim``'s margins in float64 (see :func:`margin_at`)."""
    return screen and claim.screenable


def hidden_constant_note(claim: Claim) -> str | None:
    """The caveat printed with a margin when the claim's constant is hidden in O/Theta."""
    if claim.constant is not None or claim.relation == "==":
        return None
    stand_in = getattr(claim.at, "stand_in_constant", None)  # a user claim's named stand-in
    if stand_in is not None:
        return (f"claim {claim.id} has constant=None (hidden in O/Theta/Omega): it was evaluated with"
                f" the constant {stand_in}, so a negative margin refutes that constant only;"
                " pass --constant C to test a specific C")
    return (f"the constant of {claim.id} is hidden in O/Theta/Omega; its `at` uses a stand-in "
            "(usually 1), so a negative margin refutes that constant only, not the claim; "
            "pass --constant C to test a specific C")


def model_of(claim: Claim):
    """The claim's paper model when it has its own configuration type (searched with the
    model's ``strategy``), else ``None`` (the teacher-student sublevel sets)."""
    from numeric.config import Configuration
    from proofs_check.registry import paper_of

    paper = paper_of(claim.id)
    model = None if paper is None else paper.model
    if model is None or model.configuration is Configuration:
        return None
    return model


def scale_name_of(claim: Claim) -> str | None:
    """What a search example's ``level`` measures for ``claim``: ``"loss level"`` on the
    teacher-student sublevel sets, else its paper model's ``scale`` (None: no scale)."""
    model = model_of(claim)
    return "loss level" if model is None else (model.scale or None)
