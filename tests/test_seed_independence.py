"""Verdicts do not depend on the seed: every registered claim gives the same status at seeds
0..9 (issue 20, item 2).  Slow: the whole suite, ten times.

Work is shared three ways, none of which changes what a claim decides:

* a claim whose verdict JSON is identical, number for number, at seeds 0 and 1 does not read
  the seed (an exact family, a fixed grid); it is not run again at seeds 2..9;
* the claims that observe Theorem 4's worst cases (``zgj.thm4``, ``contrast.pl``, ``zgj.lemma8``,
  ``zgj.lemma14``) run in one process per seed, so the optimiser's ladder of one seed is
  computed once (:func:`proofs_check.claims.zgj.worst_cases.gradient_minimisers` is cached per process);
* two worker processes (the CI machine's two cores), each running whole seeds.

Every claim runs at its own default settings: a smaller sample could change a verdict, and
the point is the suite as ``proofs-check run --seed S`` runs it.
"""
from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from proofs_check.registry import all_claims

SEEDS = tuple(range(10))
#: Claims sharing Theorem 4's worst-case ladder: one process per seed runs them together.
SHARED_LADDER = ("zgj.thm4", "contrast.pl", "zgj.lemma8", "zgj.lemma14")


def _verdicts(seed: int, claim_ids: tuple) -> dict:
    """``{claim id: (status, verdict JSON text, seconds)}`` at ``seed`` (runs in a worker)."""
    from proofs_check.registry import get_claim

    out = {}
    for cid in claim_ids:
        start = time.perf_counter()
        verdict = get_claim(cid).check(seed=seed)
        out[cid] = (verdict.status, json.dumps(verdict.to_json(), sort_keys=True, default=str),
                    time.perf_counter() - start)
    return out


def _order(ids) -> tuple:
    """The shared-ladder claims first, together; then the rest in registry order."""
    ids = list(ids)
    return tuple([c for c in SHARED_LADDER if c in ids] + [c for c in ids if c not in SHARED_LADDER])


def _run(pool, seeds, ids) -> dict:
    futures = {seed: pool.submit(_verdicts, seed, _order(ids)) for seed in seeds}
    return {seed: fut.result() for seed, fut in futures.items()}


@pytest.mark.slow
def test_every_claim_gives_the_same_verdict_at_seeds_0_to_9():
    ids = tuple(all_claims())
    workers = min(2, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = _run(pool, SEEDS[:2], ids)
        seed_free = {cid for cid in ids if results[0][cid][1] == results[1][cid][1]}
        results.update(_run(pool, SEEDS[2:], tuple(c for c in ids if c not in seed_free)))
    differing = {}
    for cid in ids:
        statuses = {seed: results[seed][cid][0] for seed in SEEDS if cid in results[seed]}
        if len(set(statuses.values())) > 1:
            differing[cid] = statuses
    assert not differing, f"verdicts that depend on the seed: {differing}"
    # Every claim that reads the seed ran at all ten seeds.
    assert all(len([s for s in SEEDS if cid in results[s]]) == len(SEEDS) for cid in ids if cid not in seed_free)
