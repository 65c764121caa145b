"""The template engine of the report and the filters its templates use.

Templates are Jinja2 with delimiters that cannot be mistaken for LaTeX: ``\\BLOCK{...}`` for
statements, ``\\VAR{...}`` for expressions, ``\\#{...}`` for comments; no autoescaping, so
every piece of outside text goes through the ``tex`` filter (:func:`escape`) explicitly.

Numbers have one formatter: :func:`numeric.numbers.decimal_string` rounds them, and
:func:`tex_number` only lays the rounded decimal out as mathematics:

>>> tex_number("0.0000123456789012345678901234"), tex_number("-3.25"), tex_number("1e-35")
('1.23457\\\\times10^{-5}', '-3.25', '10^{-35}')
>>> environment().from_string(r"\\VAR{ x|tex } = $\\VAR{ y|num(3) }$").render(x="a_b", y="2.71828")
'a\\\\_b = $2.72$'
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import mpmath

from numeric.numbers import decimal_string
from proofs_check.report.escaping import escape, escape_with_math

__all__ = ["environment", "tex_number", "number_or_text", "breakable_math", "math_display", "latex_fragment", "claim_id", "count_words"]


def tex_number(value, digits: int = 6) -> str:
    """Math-mode body for ``value`` (decimal string, Decimal, number, mpf or arb ball) with
    ``digits`` significant digits: plain between 1e-3 and 1e5, else ``m\\times10^{e}``."""
    if isinstance(value, (str, Decimal, int, float)):
        text = str(value).strip()
        with mpmath.workdps(max(digits, len(text)) + 10):
            rounded = Decimal(decimal_string(mpmath.mpf(text), digits))
    else:
        rounded = Decimal(decimal_string(value, digits))
    if rounded == 0:
        return "0"
    exponent = rounded.adjusted()
    if -3 <= exponent < 5:
        return _plain(format(rounded, "f"))
    mantissa = _plain(format(rounded.scaleb(-exponent), "f"))
    if mantissa in ("1", "-1"):
        return mantissa[:-1] + "10^{%d}" % exponent
    return "%s\\times10^{%d}" % (mantissa, exponent)


def _plain(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _num_filter(value, digits: int = 6) -> str:
    """``num``: a number's math body; an em dash (text) for ``None``."""
    return "\\text{---}" if value is None else tex_number(value, digits)


def number_or_text(value) -> str:
    """A field that is usually a number but may be a fraction, LaTeX (``$...$``) or text.

    >>> number_or_text("3/8"), number_or_text("0.5"), number_or_text("hidden in $O(1)$")
    ('$3/8$', '$0.5$', 'hidden in \\\\fitmath{O(1)}')
    """
    if value is None:
        return "---"
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+/\d+", text):
        return f"${text}$"
    if re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", text):
        return "$" + tex_number(text) + "$"
    return breakable_math(escape_with_math(text))


def breakable_math(latex: str) -> str:
    """Fit the inline formulas of a narrow table cell to its column: each formula is split
    after its top-level commas, where the line may break, and each piece is shrunk to the
    column if it is still too wide (``\\fitmath``).  TeX breaks inline math only after
    relations and binary operators, so ``$\\mathrm{poly}(r,w_{\\max},\\Delta^{-1})$`` ran
    into the next column.

    >>> print(breakable_math(r"$f(a,b_{x,y})$, and $c$"))
    \\fitmath{f(a,}\\allowbreak\\,\\fitmath{b_{x,y})}, and \\fitmath{c}
    """
    parts = re.split(r"(\$[^$]+\$)", latex)
    out = []
    for part in parts:
        if not (len(part) > 2 and part.startswith("$") and part.endswith("$")):
            out.append(part)
            continue
        pieces, depth, start, i, body = [], 0, 0, 0, part[1:-1]
        while i < len(body):
            ch = body[i]
            if ch == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if ch == "," and depth == 0:
                pieces.append(body[start:i + 1])
                start = i + 1
            i += 1
        pieces.append(body[start:])
        out.append("\\allowbreak\\,".join("\\fitmath{" + p + "}" for p in pieces if p))
    return "".join(out)


def math_display(expr) -> str:
    """A SymPy object as a displayed formula; LaTeX breaks it into lines where it can.

    Sums, equations and tuples, which have top-level break points, are set as display-style
    mathematics in a paragraph of their own (``\\mathpar``), where TeX breaks after top-level
    ``+``, ``-``, ``=`` and after each comma of a tuple.  Anything else (a product, a fraction,
    a matrix) cannot break and is displayed on one line, shrunk to the line if too wide
    (``\\fitline``).
    """
    import sympy as sp

    if isinstance(expr, sp.Tuple):
        return ("\\mathpar{\\bigl(" + ",\\allowbreak\\ ".join(sp.latex(e) for e in expr)
                + "\\bigr)}")
    if isinstance(expr, (sp.Add, sp.Equality)):
        return "\\mathpar{" + sp.latex(expr) + "}"
    return "\\[\\fitline{" + sp.latex(expr) + "}\\]"


def latex_fragment(text: str) -> str:
    """A LaTeX string from a producer: a text fragment (with its own displays or ``$..$``) is
    kept; a bare formula is displayed (``\\mathpar``)."""
    body = str(text).strip()
    if body.startswith("$") and body.endswith("$") and body.count("$") == 2:
        return "\\mathpar{" + body[1:-1] + "}"
    if re.search(r"\\\[|\\begin\{|\$|\\paragraph|\\section|\\subsection|\\item", body):
        return body
    return "\\mathpar{" + body + "}"


def has_math_delimiters(latex: str) -> bool:
    """Whether ``latex`` switches to math itself (``$``, ``\\(``, ``\\[``), i.e. is text.

    >>> has_math_delimiters(r"a \\\\(b)"), has_math_delimiters(r"then $x$"), has_math_delimiters(r"\\$5")
    (False, True, False)
    """
    return any(t in ("$", "\\(", "\\[") for t in re.findall(r"\\(?:[a-zA-Z]+|.)|\$", latex))


def statement(latex: str) -> str:
    """A claim's statement (trusted LaTeX from the claim): a bare formula goes in ``$..$``."""
    body = (latex or "").strip()
    if body and not has_math_delimiters(body) and re.search(r"[\\^_{}]", body):
        return "$" + body + "$"
    return body


def claim_id(text: str) -> str:
    """A claim id in typewriter type, breakable after its separators."""
    return "\\claimid{" + escape(text, breakable=True) + "}"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count_words(n: int, singular: str, plural: str | None = None) -> str:
    """``count_words(1, "claim") == "one claim"``, ``count_words(12, "claim") == "12 claims"``."""
    word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    return f"{word} {singular if n == 1 else (plural or singular + 's')}"


@lru_cache(maxsize=None)
def environment():
    """The Jinja2 environment of the report (templates in ``proofs_check/report/templates``)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("proofs_check.report", "templates"),
        block_start_string="\\BLOCK{", block_end_string="}",
        variable_start_string="\\VAR{", variable_end_string="}",
        comment_start_string="\\#{", comment_end_string="}",
        trim_blocks=True, lstrip_blocks=True, autoescape=False, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        tex=escape, tex_math=escape_with_math, num=_num_filter, claim_id=claim_id,
        statement=statement, fragment=latex_fragment, display=math_display,
        number_or_text=number_or_text,
    )
    env.globals.update(count_words=count_words)
    return env
