"""The claim registry.

Claims live one per module: ``proofs_check/claims/zgj/<name>.py`` for Zhou, Ge, Jin
(COLT 2021) and ``proofs_check/claims/contrast.py`` for the contrast claims the paper says
are false here.  Each module exposes ``CLAIMS``, a tuple of :class:`Claim`; the registry
discovers them, so adding a claim is adding a module.

>>> "zgj.thm4" in all_claims()
True
>>> get_claim("zgj.thm44")
Traceback (most recent call last):
...
proofs_check.errors.UsageError: unknown claim id 'zgj.thm44'; did you mean zgj.thm4? (proofs-check list shows all ids)
"""
from __future__ import annotations

import difflib
import re
import importlib
import pkgutil
from functools import lru_cache

from proofs_check.claims.base import Claim, Estimate, Observation, Request, Verdict, judge
from proofs_check.errors import UsageError

__all__ = ["Claim", "Observation", "Estimate", "Request", "Verdict", "judge",
           "all_claims", "get_claim", "load_claim"]

_PACKAGES = ("proofs_check.claims.zgj",)
_MODULES = ("proofs_check.claims.contrast",)


@lru_cache(maxsize=None)
def all_claims() -> dict:
    """Every registered claim by id, in the paper's order."""
    names = list(_MODULES)
    for pkg in _PACKAGES:
        mod = importlib.import_module(pkg)
        names[:0] = sorted(f"{pkg}.{m.name}" for m in pkgutil.iter_modules(mod.__path__)
                           if not m.name.startswith("_"))
    out = {}
    for name in names:
        for claim in getattr(importlib.import_module(name), "CLAIMS", ()):
            if claim.id in out:
                raise RuntimeError(f"claim id {claim.id} is registered twice ({name})")
            out[claim.id] = claim
    return dict(sorted(out.items(), key=lambda kv: _order(kv[0])))


#: The paper's order: main results, then the lemmas of the body, the appendix lemmas,
#: Section 4's Claim 2, and last the contrast claims.  Ids not listed follow, naturally sorted.
_PAPER_ORDER = ("zgj.thm4", "zgj.eps0", "zgj.thm5", "zgj.lemma8", "zgj.lemma9", "zgj.lemma10",
                "zgj.lemma11", "zgj.lemma12", "zgj.lemma13", "zgj.lemma14", "zgj.lemmaC3",
                "zgj.lemmaC5", "zgj.lemmaC6", "zgj.lemmaC7", "zgj.lemmaC8", "zgj.lemmaC11",
                "zgj.lemmaD2", "zgj.claim2", "contrast.")


def _order(claim_id: str):
    """Sort key: position of the longest listed prefix, then natural order (lemma9 < lemma10)."""
    rank = len(_PAPER_ORDER)
    for i, prefix in enumerate(_PAPER_ORDER):
        if claim_id == prefix or claim_id.startswith(prefix + ".") or (
                prefix.endswith(".") and claim_id.startswith(prefix)):
            rank = i
    natural = tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", claim_id))
    return (rank, natural)


def get_claim(claim_id: str) -> Claim:
    """The registered claim, or a user claim ``package.module:attribute``."""
    if ":" in claim_id:
        return load_claim(claim_id)
    claims = all_claims()
    if claim_id not in claims:
        close = difflib.get_close_matches(claim_id, list(claims), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UsageError(f"unknown claim id {claim_id!r}{hint} (proofs-check list shows all ids)")
    return claims[claim_id]


def load_claim(reference: str) -> Claim:
    """Import a user-defined claim ``package.module:attribute``."""
    module_name, _, attr = reference.partition(":")
    if not module_name or not attr:
        raise UsageError(f"claim reference {reference!r} must look like package.module:attribute")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"claim reference {reference!r}: cannot import module {module_name!r} ({exc})") from None
    except Exception as exc:  # the user's module is broken, not the checker
        raise UsageError(f"claim reference {reference!r}: importing module {module_name!r} raised "
                         f"{type(exc).__name__}: {exc}") from None
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise UsageError(f"claim reference {reference!r}: module {module_name!r} has no attribute {attr!r}") from None
    if not isinstance(obj, Claim):
        raise UsageError(
            f"claim reference {reference!r} is a {type(obj).__name__}, not a proofs_check.Claim"
        )
    return obj
