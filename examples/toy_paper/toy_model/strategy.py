"""The Hypothesis strategy of the toy model (what ``proofs-check search`` draws)."""
from __future__ import annotations

from fractions import Fraction

from toy_model.configuration import THETA_MAX, AnglePair

__all__ = ["angle_pairs"]


def angle_pairs():
    """Angles ``k / 1000`` in ``[1/1000, THETA_MAX]`` (``k = 1..3141``)."""
    from hypothesis import strategies as st

    return st.integers(1, int(THETA_MAX * 1000)).map(lambda k: AnglePair(Fraction(k, 1000)))
