"""The symbolic part of the report, gathered from the SymPy objects the checker evaluates.

Every formula here is printed (``sympy.latex``) from the very expression the numeric side
compiles or the identity the claims use, so the report cannot disagree with the computation.
What a build lacks (an older ``symbolic`` without :mod:`symbolic.loss` or
:mod:`symbolic.identities`) is named in a sentence instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from proofs_check.report.escaping import escape, escape_with_math
from proofs_check.report.render import latex_fragment, math_display

__all__ = ["DerivationView", "IdentityView", "Mathematics", "mathematics", "derivation_view"]


@dataclass(frozen=True)
class DerivationView:
    """A derivation ready for the template: a LaTeX title, its name (plain text) and steps
    as (sentence in LaTeX, display in LaTeX)."""

    title: str
    name: str
    steps: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class IdentityView:
    """An exact identity: LaTeX title, name, source (plain text), derived form (math LaTeX)
    and its value to 30 digits (``None`` when it is not a number)."""

    title: str
    name: str
    source: str
    form: str
    value: str | None


@dataclass(frozen=True)
class Mathematics:
    """The symbolic sections; ``missing`` maps a section to the sentence that replaces it."""

    kernel: tuple[DerivationView, ...] = ()
    loss: str = ""  # the closed-form loss, displayed
    closed_forms: tuple[DerivationView, ...] = ()
    pair_limits: tuple[tuple[str, str, str, str], ...] = ()  # name, expression, theta=0, theta=pi
    pair_basis: tuple[str, ...] = ()
    identities: tuple[IdentityView, ...] = ()
    appendix: tuple[DerivationView, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()

    def missing_text(self, section: str) -> str:
        return dict(self.missing).get(section, "")


def _sentence(description: str) -> str:
    text = escape_with_math(description.strip())
    text = text[:1].upper() + text[1:]
    return text if text.rstrip().endswith((":", "=", "=$")) else text + ":"


def derivation_view(derivation) -> DerivationView:
    """A :class:`symbolic.derivation.Derivation` (or anything with ``title``, ``name`` and
    ``steps`` of ``(description, expr)``) for the template."""
    steps = []
    for step in derivation.steps:
        description, expr = ((step.description, step.expr) if hasattr(step, "description") else step)
        steps.append((_sentence(description), math_display(expr)))
    title = getattr(derivation, "title", None) or getattr(derivation, "name", "Derivation")
    return DerivationView(escape_with_math(title), str(getattr(derivation, "name", "") or ""), tuple(steps))


def _missing(what: str, module: str) -> str:
    return f"{what} is not available in this build ({escape(module)} could not be imported); it is omitted."


def _collect_derivations() -> list:
    """Every derivation the symbolic side offers, in reading order, best effort."""
    try:
        from symbolic.loss import derivations

        return list(derivations())
    except ImportError:
        pass
    try:
        from symbolic.gaussian_integral import kernel_derivation

        return [kernel_derivation("abs"), kernel_derivation("relu")]
    except ImportError:
        return []


def _pair_fallback():
    """Pair derivatives from :mod:`symbolic.pair`, with their values at theta = 0 and pi."""
    import sympy as sp

    from symbolic.kernel import theta
    from symbolic.pair import HESSIAN_BASIS, pair_derivatives

    pd = pair_derivatives("abs")
    view = derivation_view(type("PairSteps", (), {
        "title": "Derivatives of one pair kernel through the invariants A, B, P",
        "name": "symbolic.pair", "steps": pd.steps})())
    rows = []
    for name, expr in pd.expressions().items():
        if name == "kernel":
            continue
        ends = [sp.simplify(expr.subs(theta, t)) for t in (0, sp.pi)]
        rows.append((name, sp.latex(expr), sp.latex(ends[0]), sp.latex(ends[1])))
    return view, tuple(rows), tuple(HESSIAN_BASIS)


@lru_cache(maxsize=None)
def mathematics() -> Mathematics:
    """Gather the symbolic side's derivations and identities (imported lazily, cached)."""
    derivs = _collect_derivations()
    missing = []

    def section(prefixes):
        return [d for d in derivs if str(getattr(d, "name", "")).startswith(prefixes)]

    kernel = section(("kernel.",))
    if not kernel:
        missing.append(("kernel", _missing("The Gaussian-integral derivation of the kernel",
                                           "symbolic.gaussian_integral")))
    loss = ""
    try:
        from symbolic.loss import loss_latex

        loss = latex_fragment(loss_latex())
    except ImportError:
        missing.append(("loss", _missing("The closed-form loss", "symbolic.loss")))
    closed = section(("loss.", "pair.", "gradient.", "hessian."))
    closed_views = [derivation_view(d) for d in closed]
    pair_rows, basis = (), ()
    if not closed:
        view, pair_rows, basis = _pair_fallback()
        closed_views.append(view)
    identities = ()
    try:
        from symbolic.identities import identities as all_identities

        identities = tuple(
            IdentityView(escape_with_math(getattr(i, "title", None) or i.name), i.name,
                         getattr(i, "source", "") or "", i.latex().strip(),
                         (lambda v: None if v is None or str(v).strip() in ("", "None") else str(v).strip())(
                             i.value_string(digits=30)))
            for i in all_identities())
    except ImportError:
        missing.append(("identities", _missing("The list of exact identities", "symbolic.identities")))
    used = set(map(id, kernel)) | set(map(id, closed))
    appendix = tuple(derivation_view(d) for d in derivs if id(d) not in used)
    return Mathematics(tuple(derivation_view(d) for d in kernel), loss, tuple(closed_views), pair_rows,
                       basis, identities, appendix, tuple(missing))
