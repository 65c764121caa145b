"""A derivation as data: named steps, each a description and a SymPy expression.

Derivations are built once (and cached by their producers); the report prints them with
:meth:`Derivation.latex`, from the very objects the numbers were computed from.

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> d = Derivation("demo", "A demo", (Step("integrate $x$ on [0, 1]", sp.integrate(x, (x, 0, 1))),),
...                sp.Rational(1, 2))
>>> print(d.latex())
\\paragraph{A demo} % demo
Integrate $x$ on [0, 1]:
\\[ \\frac{1}{2} \\]
>>> symbolically_equal(sp.sin(x)**2 + sp.cos(x)**2, 1)
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

__all__ = ["Step", "Derivation", "symbolically_equal", "require_equal", "latex_text"]

_TEXT_SPECIALS = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "^": r"\^{}",
    "{": r"\{",
    "}": r"\}",
    "~": r"\~{}",
    "|": r"$|$",
    "<": r"$<$",
    ">": r"$>$",
}


def latex_text(text: str) -> str:
    """Escape ``text`` for LaTeX, keeping ``$...$`` segments as inline mathematics.

    >>> print(latex_text("g_u and $g_u$ at 100%"))
    g\\_u and $g_u$ at 100\\%
    """
    parts = re.split(r"(\$[^$]*\$)", text)
    return "".join(
        p if p.startswith("$") and p.endswith("$") and len(p) > 1
        else "".join(_TEXT_SPECIALS.get(ch, ch) for ch in p)
        for p in parts
    )


def _as_sympy(expr):
    """SymPy form of a step's expression: matrices become immutable, tuples ``Tuple``."""
    if isinstance(expr, (tuple, list)):
        return sp.Tuple(*(_as_sympy(e) for e in expr))
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr)
    return sp.sympify(expr)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what was done (plain text, ``$..$`` for inline maths)
    and the expression it produced."""

    description: str
    expr: sp.Basic

    def __post_init__(self):
        object.__setattr__(self, "expr", _as_sympy(self.expr))

    def latex(self) -> str:
        """The description as a sentence (no colon after a trailing ``=``), then a display."""
        text = latex_text(self.description)
        text = text[:1].upper() + text[1:]
        colon = "" if text.rstrip("$ ").endswith("=") else ":"
        return f"{text}{colon}\n\\[ {sp.latex(self.expr)} \\]"


@dataclass(frozen=True)
class Derivation:
    """A named, titled sequence of :class:`Step` ending in ``result``."""

    name: str
    title: str
    steps: tuple[Step, ...]
    result: sp.Basic

    def __post_init__(self):
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "result", _as_sympy(self.result))

    def latex(self) -> str:
        """A LaTeX fragment: a paragraph heading, then each step as text and a display."""
        lines = [f"\\paragraph{{{latex_text(self.title)}}} % {self.name}"]
        lines.extend(step.latex() for step in self.steps)
        return "\n".join(lines)


def symbolically_equal(lhs, rhs) -> bool:
    """True when ``lhs - rhs`` simplifies to exactly 0 (never True on a numeric near-miss).

    Cheap rewrites are tried before :func:`sympy.simplify`, which is slow on big inputs.

    >>> symbolically_equal(sp.sqrt(8), 2 * sp.sqrt(2)), symbolically_equal(sp.pi, 3.14159)
    (True, False)
    """
    diff = _as_sympy(lhs) - _as_sympy(rhs)
    if isinstance(diff, sp.MatrixBase):
        return all(symbolically_equal(e, 0) for e in diff)
    if diff.has(sp.Float):
        return False
    for rewrite in (sp.expand, lambda e: sp.expand(sp.expand_trig(e)), sp.simplify):
        if rewrite(diff) == 0:
            return True
    return False


def require_equal(description: str, lhs, rhs, display=None) -> Step:
    """A step recording that ``lhs - rhs = 0``; raises if the difference does not vanish.

    The step shows ``lhs = rhs``, or ``display`` when given (for checks whose two sides
    are too long to print, e.g. entry-by-entry coordinate computations).

    >>> require_equal("check", sp.Integer(1), sp.Integer(2))
    Traceback (most recent call last):
    ...
    ArithmeticError: check: difference 1 - 2 does not simplify to 0
    """
    if not symbolically_equal(lhs, rhs):
        raise ArithmeticError(f"{description}: difference {lhs} - {rhs} does not simplify to 0")
    if display is None:
        display = sp.Eq(_as_sympy(lhs), _as_sympy(rhs), evaluate=False)
    return Step(description, display)
