"""One line turns a claim into a pytest property test.

    # tests/test_my_claims.py
    import proofs_check
    test_thm4 = proofs_check.property_test("zgj.thm4", max_examples=50, constant="1e-3")

The returned function runs :func:`proofs_check.search.search` (Hypothesis steered to small
margins, then a local descent) and fails with the counterexample's JSON (the format
``proofs-check replay`` reads) when a margin is certainly negative.
"""
from __future__ import annotations

import json

__all__ = ["property_test"]


def property_test(claim, *, max_examples: int = 50, seed: int = 0, constant=None,
                  min_loss=None, max_loss=None, refine_steps: int = 10, database=None,
                  save_dir=None):
    """A pytest-collectable test (no arguments) that searches ``claim`` for a counterexample.

    ``claim`` is a :class:`~proofs_check.claim.Claim`, a registered id or
    ``package.module:attribute``; ``constant`` replaces the claim's constant.  Nothing is
    written to disk unless ``database`` / ``save_dir`` are given.
    """
    from proofs_check.claim import Claim
    from proofs_check.search import claim_from_reference, parse_constant, search

    ref = claim.id if isinstance(claim, Claim) else str(claim)

    def test():
        the_claim = claim if isinstance(claim, Claim) else claim_from_reference(claim)
        if constant is not None:
            the_claim = the_claim.variant(constant=parse_constant(constant, "constant"))
        result = search(the_claim, claim_ref=ref, max_examples=max_examples, seed=seed,
                        min_loss=min_loss, max_loss=max_loss, refine_steps=refine_steps,
                        database=database, save_dir=save_dir)
        if result.found:
            text = json.dumps(result.best.to_json(ref, the_claim), indent=1)
            raise AssertionError(f"counterexample to {the_claim.id} "
                                 f"(replay: save this JSON and run proofs-check replay FILE):\n{text}")

    test.__name__ = test.__qualname__ = "test_" + "".join(c if c.isalnum() else "_" for c in ref)
    test.__doc__ = f"Counterexample search for {ref} ({max_examples} examples, seed {seed})."
    return test
