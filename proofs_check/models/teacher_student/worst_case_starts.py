"""Starts of the level-set optimiser (:func:`proofs_check.worst_case.minimise_margin`) for
the teacher-student model: configurations of the sublevel sampler's families placed at a
loss level (:mod:`.samplers`), and the relaxed stray start."""
from __future__ import annotations

import numpy as np

from proofs_check.errors import UsageError
from proofs_check.models.teacher_student.samplers import FAMILIES, configuration_at_level, random_spec
from proofs_check.worst_case import Start, WorstCaseSettings

__all__ = ["sampled_starts", "relaxed_stray_start"]


def sampled_starts(teacher, m: int, level, settings: WorstCaseSettings, rng=None) -> list:
    """``settings.starts_per_family`` configurations of each family in ``settings.families``
    (all of the sampler's ``FAMILIES`` when None) at ``level``, and (when ``m > r`` and any are asked
    for) one relaxed stray start."""
    families = FAMILIES if settings.families is None else tuple(settings.families)
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise UsageError(f"families {sorted(unknown)} are not among {FAMILIES}")
    rng = rng if rng is not None else np.random.default_rng([settings.seed, m])
    T = np.asarray(teacher, float)
    r, d = T.shape
    out = []
    for family in families:
        for _ in range(settings.starts_per_family):
            for _attempt in range(10):
                spec = random_spec(rng, r, m, d, family=family, teacher=T)
                try:
                    sample = configuration_at_level(spec, level)
                except UsageError:
                    continue
                out.append(Start(sample.config, spec.family, "sampler"))
                break
    if settings.starts_per_family > 0 and "stray" in families:
        relaxed = relaxed_stray_start(T, m, level, rng)
        out += [relaxed] if relaxed is not None else []
    return out


def relaxed_stray_start(teacher, m: int, level, rng) -> Start | None:
    """A start of the relaxed stray family (the strays held, the others re-fitted), or
    None when ``m == r`` or the path does not reach the level."""
    T = np.asarray(teacher, float)
    r, d = T.shape
    if m <= r:
        return None
    spec = random_spec(rng, r, m, d, family="stray", teacher=T, relaxed=True)
    try:
        return Start(configuration_at_level(spec, level).config, "stray", "relaxed")
    except (UsageError, ValueError):
        return None
