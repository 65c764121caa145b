"""The claim registry: papers, and the claims of each.

A paper is a package ``proofs_check/claims/<id>/`` (or a module ``<id>.py``) whose
``PAPER`` is a :class:`proofs_check.papers.Paper`, or a package of another distribution
registered under the entry-point group ``proofs_check.papers``::

    [project.entry-points."proofs_check.papers"]
    toy = "toy_paper"

Its claims are the ``CLAIMS`` tuples of the package's public submodules (and of the package
itself); every claim id starts with the paper's id.  The registry discovers all of this,
so adding a paper, or a claim to one, touches no shared file.

>>> "zgj.thm4" in all_claims()
True
>>> paper_of("du.gram").id
'du'
>>> get_claim("zgj.thm44")
Traceback (most recent call last):
...
proofs_check.errors.UsageError: unknown claim id 'zgj.thm44'; did you mean zgj.thm4? (proofs-check list shows all ids)
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import lru_cache
from importlib.metadata import entry_points
from types import ModuleType

from proofs_check.claims.base import Claim, Estimate, Observation, Request, Verdict, judge
from proofs_check.errors import UsageError
from proofs_check.papers import Paper

__all__ = ["Claim", "Observation", "Estimate", "Request", "Verdict", "judge",
           "ENTRY_POINT_GROUP", "all_papers", "get_paper", "paper_of", "claims_by_paper",
           "all_claims", "get_claim", "load_claim"]

ENTRY_POINT_GROUP = "proofs_check.papers"

#: The built-in papers' order in listings and the report; plugins follow, by id.
_BUILTIN_ORDER = ("zgj", "du", "lzb", "ss", "contrast")


def _paper_modules() -> list[ModuleType]:
    """Modules that define ``PAPER``: built-in ones under this package, then plugins."""
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "PAPER"):
            modules.append(module)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            module = ep.load()
        except Exception as exc:  # a broken plugin is named, not a traceback
            raise UsageError(f"paper plugin {ep.name!r} (entry point {ep.value!r} in group "
                             f"{ENTRY_POINT_GROUP}) failed to import: {exc}") from None
        if not isinstance(getattr(module, "PAPER", None), Paper):
            raise UsageError(f"paper plugin {ep.name!r} ({ep.value!r}) must be a module "
                             f"defining PAPER, a proofs_check.papers.Paper")
        modules.append(module)
    return modules


def _claim_modules(module: ModuleType) -> list[ModuleType]:
    """The module itself and, for a package, its public submodules, sorted by name."""
    found = [module]
    if hasattr(module, "__path__"):
        found += [importlib.import_module(f"{module.__name__}.{m.name}")
                  for m in sorted(pkgutil.iter_modules(module.__path__), key=lambda m: m.name)
                  if not m.name.startswith("_")]
    return found


@lru_cache(maxsize=None)
def _registry() -> tuple[dict, dict]:
    papers, claims = {}, {}
    for module in _paper_modules():
        paper = module.PAPER
        if paper.id in papers:
            raise RuntimeError(f"paper id {paper.id!r} is registered twice "
                               f"({papers[paper.id].package} and {module.__name__})")
        papers[paper.id] = paper
        own = {}
        for sub in _claim_modules(module):
            for claim in getattr(sub, "CLAIMS", ()):
                if not claim.id.startswith(paper.id + "."):
                    raise RuntimeError(f"claim {claim.id} in {sub.__name__} does not start with "
                                       f"its paper's id {paper.id!r}")
                if claim.id in own or any(claim.id in c for c in claims.values()):
                    raise RuntimeError(f"claim id {claim.id} is registered twice ({sub.__name__})")
                own[claim.id] = claim
        claims[paper.id] = dict(sorted(own.items(), key=lambda kv: paper.order_key(kv[0])))
    rank = {pid: i for i, pid in enumerate(_BUILTIN_ORDER)}
    order = sorted(papers, key=lambda pid: (rank.get(pid, len(rank)), pid))
    return {pid: papers[pid] for pid in order}, {pid: claims[pid] for pid in order}


def all_papers() -> dict[str, Paper]:
    """Every registered paper by id, built-in ones first."""
    return dict(_registry()[0])


def claims_by_paper() -> dict[str, dict[str, Claim]]:
    """``{paper id: {claim id: claim}}``, papers and claims in order."""
    return {pid: dict(c) for pid, c in _registry()[1].items()}


def all_claims() -> dict[str, Claim]:
    """Every registered claim by id: paper by paper, each in the paper's order."""
    return {cid: c for group in _registry()[1].values() for cid, c in group.items()}


def get_paper(paper_id: str) -> Paper:
    """The registered paper, or a :class:`UsageError` naming the known ids."""
    papers = all_papers()
    if paper_id not in papers:
        raise UsageError(f"--paper = {paper_id!r} is not a registered paper; "
                         f"use one of {', '.join(papers)}")
    return papers[paper_id]


def paper_of(claim_id: str) -> Paper | None:
    """The paper a registered claim belongs to (``None`` for a user claim)."""
    for pid, group in _registry()[1].items():
        if claim_id in group:
            return _registry()[0][pid]
    return None


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
    from proofs_check.claims.user import as_user_claim

    return as_user_claim(obj)  # the optimiser by default, a named stand-in for a hidden constant
