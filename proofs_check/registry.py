"""The claim registry: papers, and the claims of each.

A paper is a package ``proofs_check/claims/<id>/`` (or a module ``<id>.py``) whose
``PAPER`` is a :class:`proofs_check.paper.Paper`, or a package of another distribution
registered under the entry-point group ``proofs_check.papers``::

    [project.entry-points."proofs_check.papers"]
    toy = "toy_paper"

Its claims are the ``CLAIMS`` tuples of the package's public submodules (and of the package
itself); every claim id starts with the id of the paper's record or of one of its
``parts`` (Zhou-Ge-Jin's package also holds the ``contrast.*`` claims).  The registry
discovers all of this, so adding a paper, or a claim to one, touches no shared file.
Papers are listed in their records' ``order`` (the built-in ones), then by id.

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

import proofs_check.claims as builtin_papers
from proofs_check.claim import Claim
from proofs_check.errors import UsageError
from proofs_check.paper import Paper

__all__ = ["ENTRY_POINT_GROUP", "paper_records", "all_papers", "get_paper", "paper_of", "claims_by_paper",
           "all_claims", "get_claim", "load_claim"]

ENTRY_POINT_GROUP = "proofs_check.papers"


def _paper_modules() -> list[ModuleType]:
    """Modules that define ``PAPER``: built-in ones (``proofs_check/claims/``), then plugins."""
    modules = []
    for info in pkgutil.iter_modules(builtin_papers.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{builtin_papers.__name__}.{info.name}")
        # A ``PAPER`` that is not a Paper record is not registered (the report still groups
        # its claims by their prefix and reads its title and template).
        if isinstance(getattr(module, "PAPER", None), Paper):
            modules.append(module)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            module = ep.load()
        except Exception as exc:  # a broken plugin is named, not a traceback
            raise UsageError(f"paper plugin {ep.name!r} (entry point {ep.value!r} in group "
                             f"{ENTRY_POINT_GROUP}) failed to import: {exc}") from None
        if not isinstance(getattr(module, "PAPER", None), Paper):
            raise UsageError(f"paper plugin {ep.name!r} ({ep.value!r}) must be a module "
                             f"defining PAPER, a proofs_check.paper.Paper")
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
        records = (module.PAPER, *module.PAPER.parts)
        for paper in records:
            if paper.id in papers:
                raise RuntimeError(f"paper id {paper.id!r} is registered twice "
                                   f"({papers[paper.id].package} and {module.__name__})")
            papers[paper.id] = paper
        own = {paper.id: {} for paper in records}
        for sub in _claim_modules(module):
            for claim in getattr(sub, "CLAIMS", ()):
                prefix = claim.id.split(".", 1)[0]
                if prefix not in own or "." not in claim.id:
                    raise RuntimeError(f"claim {claim.id} in {sub.__name__} does not start with "
                                       f"its paper's id {module.PAPER.id!r}"
                                       + "".join(f" or {p.id!r}" for p in module.PAPER.parts))
                if any(claim.id in c for c in (*own.values(), *claims.values())):
                    raise RuntimeError(f"claim id {claim.id} is registered twice ({sub.__name__})")
                own[prefix][claim.id] = claim
        for paper in records:
            claims[paper.id] = dict(sorted(own[paper.id].items(), key=lambda kv: paper.order_key(kv[0])))
    last = 1 + max((p.order for p in papers.values() if p.order is not None), default=0)
    order = sorted(papers, key=lambda pid: (last if papers[pid].order is None else papers[pid].order, pid))
    return {pid: papers[pid] for pid in order}, {pid: claims[pid] for pid in order}


def paper_records() -> list[Paper]:
    """Every paper record (parts included) without importing the papers' claim modules, in
    the registry's order: for questions about the papers alone (``proofs-check eval``'s
    warnings), which need not load every claim."""
    records = [record for module in _paper_modules() for record in (module.PAPER, *module.PAPER.parts)]
    last = 1 + max((p.order for p in records if p.order is not None), default=0)
    return sorted(records, key=lambda p: (last if p.order is None else p.order, p.id))


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
    from proofs_check.models import builtin_models

    for model in builtin_models():  # the user claims' model gives its checking defaults
        if model.user_claim is not None:
            return model.user_claim(obj)
    return obj
