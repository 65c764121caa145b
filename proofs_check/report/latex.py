"""LaTeX for the report: escaping, numbers, line-broken displays, the results schema and the
document itself.

Everything that comes from outside the program (claim ids, titles, notes, labels) goes
through :func:`escape`, which turns any string into ASCII LaTeX that typesets as that string
in a T1-encoded font:

>>> print(escape("my_claims:thm#1&x"))
my\\_claims:thm\\#1\\&x
>>> print(escape("50% of {a} ~ b^2 < c | \\\\d"))
50\\% of \\{a\\} \\textasciitilde{} b\\textasciicircum{}2 \\textless{} c \\textbar{} \\textbackslash{}d
>>> print(escape("é ≤ θ ☃"))
\\'{e} \\ensuremath{\\le} \\ensuremath{\\theta} \\unichar{2603}

Numbers are decimal strings; tables show about six significant digits:

>>> format_decimal("0.000012345678")
'$1.23457\\\\times10^{-5}$'
>>> format_decimal("-3.25")
'$-3.25$'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from proofs_check.report.figure_data import (
    FIGURE_KEYS,
    FigureData,
    ResultsError,
    parse_decimal,
    parse_int,
)

__all__ = [
    "escape",
    "escape_with_math",
    "decimal_math",
    "format_decimal",
    "display_math",
    "expression_display",
    "latex_fragment",
    "derivation_latex",
    "ConfigurationRows",
    "Evidence",
    "Estimate",
    "ClaimRecord",
    "Results",
    "STATUSES",
    "FigureEntry",
    "Mathematics",
    "mathematics",
    "PREAMBLE",
    "build_document",
]

# --------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------

#: ASCII characters that are not typeset as themselves in running text.  ``[``/``]`` are
#: braced so a string can follow ``\\`` or ``\item``; quotes and backquote get their
#: straight glyphs (T1 would otherwise curl them or form ligatures such as !` -> inverted !).
_ASCII = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    "[": "{[}",
    "]": "{]}",
}

#: Characters that form T1 ligatures with a copy of themselves (--, ---, ,,).
_LIGATURE_PAIRS = {"-", ","}

#: Non-ASCII characters with a text-mode command (T1 + textcomp).
_UNICODE_TEXT = {
    "ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}", "œ": r"\oe{}", "Œ": r"\OE{}",
    "ø": r"\o{}", "Ø": r"\O{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}", "ȷ": r"\j{}",
    "đ": r"\dj{}", "Đ": r"\DJ{}", "ð": r"\dh{}", "Ð": r"\DH{}", "þ": r"\th{}", "Þ": r"\TH{}",
    "¡": r"\textexclamdown{}", "¿": r"\textquestiondown{}",
    "«": r"\guillemotleft{}", "»": r"\guillemotright{}",
    "‹": r"\guilsinglleft{}", "›": r"\guilsinglright{}",
    "‘": "`", "’": "'", "‚": r"\quotesinglbase{}", "“": "``", "”": "''", "„": r"\quotedblbase{}",
    "–": "--", "—": "---", "…": r"\dots{}", "•": r"\textbullet{}", "·": r"\textperiodcentered{}",
    "§": r"\S{}", "¶": r"\P{}", "©": r"\copyright{}", "®": r"\textregistered{}",
    "™": r"\texttrademark{}", "°": r"\textdegree{}", "€": r"\texteuro{}", "£": r"\pounds{}",
    "¢": r"\textcent{}", "¥": r"\textyen{}", "†": r"\dag{}", "‡": r"\ddag{}",
    "\u00a0": r"\nobreakspace{}", "\u2009": r"\,", "\u200b": r"\hspace{0pt}",
}

#: Non-ASCII characters set in math mode.
_UNICODE_MATH = {
    "×": r"\times", "÷": r"\div", "±": r"\pm", "∓": r"\mp", "≤": r"\le", "≥": r"\ge",
    "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∼": r"\sim", "≃": r"\simeq", "∝": r"\propto",
    "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla", "∑": r"\sum", "∏": r"\prod",
    "∫": r"\int", "√": r"\surd", "∈": r"\in", "∉": r"\notin", "⊂": r"\subset", "⊆": r"\subseteq",
    "∪": r"\cup", "∩": r"\cap", "∅": r"\emptyset", "∀": r"\forall", "∃": r"\exists",
    "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee", "→": r"\to", "←": r"\leftarrow",
    "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "⇐": r"\Leftarrow", "⇔": r"\Leftrightarrow",
    "↦": r"\mapsto", "‖": r"\|", "⊤": r"\top", "⊥": r"\perp", "∘": r"\circ", "⊗": r"\otimes",
    "⊕": r"\oplus", "⟨": r"\langle", "⟩": r"\rangle", "′": r"\prime", "µ": r"\mu",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "ℚ": r"\mathbb{Q}",
    "ℂ": r"\mathbb{C}", "ℓ": r"\ell", "ϵ": r"\epsilon", "ϑ": r"\vartheta", "ϕ": r"\phi",
    "ϱ": r"\varrho", "ς": r"\varsigma", "ϖ": r"\varpi",
}
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "finalsigma sigma tau upsilon phi chi psi omega"
).split()
#: Capital Greek letters that look like Latin ones have no command of their own.
_GREEK_LATIN_CAPITALS = dict(zip(
    "alpha beta epsilon zeta eta iota kappa mu nu omicron rho tau chi".split(), "ABEZHIKMNOPTX"
))
for _offset, _name in enumerate(_GREEK):
    if _name == "finalsigma":  # U+03C2 is final sigma, U+03A2 is unassigned
        continue
    _UNICODE_MATH[chr(0x3B1 + _offset)] = {
        "epsilon": r"\varepsilon", "omicron": "o", "phi": r"\varphi"
    }.get(_name, "\\" + _name)
    _UNICODE_MATH[chr(0x391 + _offset)] = (
        r"\mathrm{%s}" % _GREEK_LATIN_CAPITALS[_name] if _name in _GREEK_LATIN_CAPITALS
        else "\\" + _name.capitalize()
    )

#: Combining marks -> text accent commands (applied to the NFD base letter).
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
    "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c",
    "\u0328": "k", "\u0323": "d", "\u0331": "b",
}

#: Characters after which a long identifier may break (``breakable=True``).
_BREAK_AFTER = set("_:./-,;=@+&#")


def _escape_char(ch: str, following: str) -> str:
    if ch in _ASCII:
        return _ASCII[ch]
    if " " <= ch <= "~":
        if ch in _LIGATURE_PAIRS and following == ch:
            return ch + "{}"
        return ch
    if ch in "\t\n\r\f\v" or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
        return _UNICODE_TEXT.get(ch, " ")
    if ch in _UNICODE_TEXT:
        return _UNICODE_TEXT[ch]
    if ch in _UNICODE_MATH:
        return r"\ensuremath{" + _UNICODE_MATH[ch] + "}"
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base.isascii() and base.isalpha() and all(m in _ACCENTS for m in marks):
        out = r"\i" if base == "i" and marks[0] in "\u0300\u0301\u0302\u0308" else base
        for mark in marks:
            out = "\\" + _ACCENTS[mark] + "{" + out + "}"
        return out
    return r"\unichar{%04X}" % ord(ch)


def escape(text, breakable: bool = False) -> str:
    """``text`` as LaTeX that typesets as ``text`` (T1 fonts; the result is pure ASCII).

    Special characters become commands; accented Latin letters become accent commands;
    Greek letters and common mathematical symbols are set in math mode; any other character
    becomes ``\\unichar{XXXX}`` (its code point, defined in :data:`PREAMBLE`).  Whitespace of
    any kind becomes a space.  With ``breakable=True`` a line may break after ``_ : . / -``
    and similar separators, which long claim identifiers need in narrow table columns.

    >>> escape("a--b,,c")
    'a-{}-b,{},c'
    >>> escape("x_y.z", breakable=True)
    'x\\\\_\\\\allowbreak{}y.\\\\allowbreak{}z'
    """
    text = unicodedata.normalize("NFC", str(text))
    out = []
    for i, ch in enumerate(text):
        following = text[i + 1] if i + 1 < len(text) else ""
        out.append(_escape_char(ch, following))
        if breakable and ch in _BREAK_AFTER and following:
            out.append(r"\allowbreak{}")
    return "".join(out)


def escape_with_math(text: str) -> str:
    """Escape ``text`` but keep ``$...$`` segments as inline mathematics (trusted producers:
    derivation step descriptions and titles follow this convention)."""
    parts = re.split(r"(\$[^$]+\$)", str(text))
    return "".join(p if len(p) > 2 and p.startswith("$") and p.endswith("$") else escape(p) for p in parts)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


def _round_significant(number: Decimal, digits: int) -> Decimal:
    if number == 0:
        return Decimal(0)
    return number.quantize(Decimal(1).scaleb(number.adjusted() - digits + 1), rounding="ROUND_HALF_EVEN")


def decimal_math(number: Decimal, digits: int = 6) -> str:
    """Math-mode body (no dollars) for ``number`` with ``digits`` significant digits."""
    if number == 0:
        return "0"
    rounded = _round_significant(number, digits)
    exponent = rounded.adjusted()
    if -3 <= exponent < 5:
        text = format(rounded, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    mantissa = rounded.scaleb(-exponent)
    text = format(mantissa, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("1", "-1"):
        return ("-" if text == "-1" else "") + "10^{%d}" % exponent
    return "%s\\times10^{%d}" % (text, exponent)


def format_decimal(value, digits: int = 6) -> str:
    """``$...$`` for a decimal string or number, rounded to ``digits`` significant digits;
    an em dash for ``None``."""
    if value is None:
        return "---"
    number = value if isinstance(value, Decimal) else parse_decimal(value, "number")
    return "$" + decimal_math(number, digits) + "$"


def _number_or_text(value) -> str:
    """A field that is usually a decimal string but may be LaTeX (``$...$``) or plain text."""
    if value is None:
        return "---"
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+/\d+", text):
        num, den = text.split("/")
        return f"${num}/{den}$"
    try:
        return format_decimal(text)
    except ResultsError:
        pass
    # Producers write mathematics between dollars ("hidden; leading coefficient $2/(3\\pi)$").
    return escape_with_math(text)


# --------------------------------------------------------------------------------------------
# Displayed mathematics with line breaks
# --------------------------------------------------------------------------------------------

#: Rough number of visible characters of mathematics that fit on one displayed line.
LINE_CHARS = 72


def visible_length(latex: str) -> int:
    """A crude estimate of the printed width of a math LaTeX string, in characters.

    Control words count as one character (sizing commands as none), braces as none, and a
    fraction as its wider part.  Lines that are still too wide are shrunk by ``\\fitline``.
    """
    def strip(s: str) -> str:
        s = re.sub(r"\\(left|right|bigl|bigr|Bigl|Bigr|big|Big|displaystyle|operatorname|mathrm|"
                   r"quad|qquad|,|;|!|limits)(?![a-zA-Z])", "", s)
        s = re.sub(r"\\[a-zA-Z]+", "x", s)
        return s.replace("{", "").replace("}", "").replace(" ", "")

    total = 0
    rest = latex
    while True:
        match = re.search(r"\\frac\{", rest)
        if not match:
            total += len(strip(rest))
            return total
        total += len(strip(rest[: match.start()]))
        num, after = _braced(rest, match.end() - 1)
        den, after = _braced(rest, after) if after < len(rest) and rest[after] == "{" else ("", after)
        total += max(visible_length(num), visible_length(den)) + 1
        rest = rest[after:]


def _braced(s: str, start: int) -> tuple[str, int]:
    """The contents of the brace group opening at ``s[start]`` and the index after it."""
    depth = 0
    for i in range(start, len(s)):
        if s[i] == "\\":
            continue
        if s[i] == "{" and (i == 0 or s[i - 1] != "\\"):
            depth += 1
        elif s[i] == "}" and s[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return s[start + 1: i], i + 1
    return s[start + 1:], len(s)


def split_latex_terms(latex: str) -> list[str]:
    """Split a math LaTeX string before each top-level binary ``+``, ``-`` or ``=``.

    Top level means outside braces, ``\\left..\\right`` pairs and environments, so the pieces
    can stand on separate lines of an ``align*``.

    >>> split_latex_terms(r"a + \\frac{b - c}{2} - \\left(d + e\\right) = f")
    ['a', '+ \\\\frac{b - c}{2}', '- \\\\left(d + e\\\\right)', '= f']
    """
    pieces, start, depth, i = [], 0, 0, 0
    previous = ""  # last significant character at depth 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            match = re.match(r"\\([a-zA-Z]+|.)", latex[i:])
            word = match.group(1)
            if word in ("left", "begin"):
                depth += 1
            elif word in ("right", "end"):
                depth -= 1
            i += len(match.group(0))
            previous = "\\" + word
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch in "+-=" and previous and previous not in (
            "=", "(", "[", ",", "{", "^", "_", "&", "+", "-", r"\left", r"\cdot", r"\times",
            r"\le", r"\ge", r"\leq", r"\geq", r"\to", r"\approx",
        ):
            pieces.append(latex[start:i].strip())
            start = i
        if not ch.isspace():
            previous = ch
        i += 1
    pieces.append(latex[start:].strip())
    return [p for p in pieces if p]


def _pack(pieces: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for piece in pieces:
        if lines and visible_length(lines[-1]) + visible_length(piece) <= width:
            lines[-1] = lines[-1] + " " + piece
        else:
            lines.append(piece)
    return lines


def _align(lines: list[str]) -> str:
    """An ``align*`` with one ``\\fitline`` per line; continued sums are indented."""
    rows = []
    for k, line in enumerate(lines):
        indent = r"\quad " if k > 0 and line.startswith(("+", "-")) else ""
        rows.append(r"  &" + indent + r"\fitline{" + line + "}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def display_math(latex: str, width: int = LINE_CHARS) -> str:
    """A display of the math LaTeX string ``latex``, broken into lines that fit.

    Strings that already contain a display environment (``\\begin{..}``, ``\\[``, ``$$``) are
    returned unchanged; strings with alignment (``&`` or ``\\\\``) go into ``align*`` as they
    are; anything else is split at top-level ``+ - =`` and packed into lines, each shrunk to
    the line width if it is still too wide.
    """
    body = latex.strip()
    if not body:
        return ""
    if body.startswith(("\\begin{", "\\[", "$$")) or re.match(r"\\begin\{(equation|align|gather|multline)", body):
        return body
    if body.startswith("$") and body.endswith("$"):
        body = body.strip("$").strip()
    top = _top_level(body)
    if "&" in top or "\\\\" in top:
        return "\\begin{align*}\n" + body + "\n\\end{align*}"
    lines = []
    for segment in _split_top_level(body, r"\qquad"):
        segment = segment.strip().rstrip(",").strip()
        if segment:
            lines.extend(_pack(split_latex_terms(segment), width))
    return _align(lines)


def _split_top_level(latex: str, separator: str) -> list[str]:
    """Split at occurrences of the control word ``separator`` outside braces and environments."""
    pieces, start, depth, i = [], 0, 0, 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            match = re.match(r"\\([a-zA-Z]+|.)", latex[i:])
            word = match.group(0)
            if word in ("\\begin", "\\left"):
                depth += 1
            elif word in ("\\end", "\\right"):
                depth -= 1
            elif word == separator and depth == 0:
                pieces.append(latex[start:i])
                start = i + len(word)
            i += len(word)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    pieces.append(latex[start:])
    return pieces


def _top_level(latex: str) -> str:
    """The characters of ``latex`` outside braces and environments (to look for ``&``)."""
    out, depth, i = [], 0, 0
    while i < len(latex):
        if latex.startswith("\\begin", i):
            depth += 1
        elif latex.startswith("\\end", i):
            depth -= 1
        ch = latex[i]
        if ch == "\\" and i + 1 < len(latex):
            if depth == 0:
                out.append(latex[i: i + 2])
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            out.append(ch)
        i += 1
    return "".join(out)


def expression_display(expr, width: int = LINE_CHARS) -> str:
    """A display of a SymPy object, broken at the terms of sums.

    Equations break on both sides of ``=``; tuples break between elements; matrices too
    wide for a line are shown one row per line.
    """
    return _align(_expression_lines(expr, width))


def _sum_pieces(expr) -> list[str]:
    import sympy as sp

    if isinstance(expr, sp.Add):
        pieces = []
        for k, term in enumerate(expr.as_ordered_terms()):
            text = sp.latex(term)
            if k == 0:
                pieces.append(text)
            elif text.startswith("-"):
                pieces.append("- " + text[1:].lstrip())
            else:
                pieces.append("+ " + text)
        return pieces
    return split_latex_terms(sp.latex(expr))


def _expression_lines(expr, width: int) -> list[str]:
    import sympy as sp

    if isinstance(expr, sp.Equality):
        rhs = _sum_pieces(expr.rhs)
        return _pack(_sum_pieces(expr.lhs) + ["= " + rhs[0]] + rhs[1:], width)
    if isinstance(expr, sp.Tuple):
        items = [sp.latex(e) for e in expr]
        if visible_length(", ".join(items)) <= width:
            return [r"\left(" + r",\ ".join(items) + r"\right)"]
        lines = _pack([item + r",\ " for item in items[:-1]] + [items[-1]], width)
        lines[0] = r"\bigl(" + lines[0]
        lines[-1] = lines[-1] + r"\bigr)"
        return lines
    if isinstance(expr, sp.MatrixBase):
        entries = [[sp.latex(e) for e in expr.row(i)] for i in range(expr.rows)]
        widest_row = max((sum(visible_length(e) + 2 for e in row) for row in entries), default=0)
        if widest_row <= 2 * width:  # \fitline shrinks it the rest of the way
            return [sp.latex(expr)]
        # Too wide even when shrunk: one row per line.
        return [
            f"\\text{{row {i + 1}: }}" + _expression_lines(sp.Tuple(*expr.row(i)), width)[0]
            if visible_length(", ".join(row)) <= width
            else f"\\text{{row {i + 1}: }}\\bigl(" + r",\ ".join(row) + "\\bigr)"
            for i, row in enumerate(entries)
        ]
    return _pack(_sum_pieces(expr), width)


# --------------------------------------------------------------------------------------------
# The results schema (the JSON written by ``proofs-check run --json``)
# --------------------------------------------------------------------------------------------

#: The three verdicts, as in python-flint's comparisons: true only when certain.
from proofs_check.judgement import ACCEPTED, REJECTED, STATUSES  # noqa: E402


def _optional_str(data: dict, key: str, field: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ResultsError(f"{field}.{key} = {value!r:.60} is not a string")
    return value


def _optional_decimal(data: dict, key: str, field: str) -> Decimal | None:
    value = data.get(key)
    return None if value is None else parse_decimal(value, f"{field}.{key}")


def _pair(data: dict, key: str, field: str) -> tuple[Decimal, Decimal] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ResultsError(f"{field}.{key} = {value!r:.60} must be [lo, hi] (two decimal strings) or null")
    return (parse_decimal(value[0], f"{field}.{key}[0]"), parse_decimal(value[1], f"{field}.{key}[1]"))


@dataclass(frozen=True)
class ConfigurationRows:
    """A teacher/student configuration as decimal rows, for display (full precision kept)."""

    teacher: tuple[tuple[Decimal, ...], ...]
    student: tuple[tuple[Decimal, ...], ...]

    @classmethod
    def from_json(cls, data, field: str) -> "ConfigurationRows":
        if not isinstance(data, dict):
            raise ResultsError(f"{field} must be a configuration object {{\"teacher\": [[..]], \"student\": [[..]]}}, got {type(data).__name__}")
        rows = {}
        for key in ("teacher", "student"):
            if key not in data:
                raise ResultsError(f"{field}: missing key {key!r} (a list of rows of decimal strings)")
            value = data[key]
            if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
                raise ResultsError(f"{field}.{key} must be a non-empty list of rows, got {value!r:.60}")
            rows[key] = tuple(
                tuple(parse_decimal(x, f"{field}.{key}[{i}][{k}]") for k, x in enumerate(row))
                for i, row in enumerate(value)
            )
        d = len(rows["teacher"][0])
        for key, value in rows.items():
            for i, row in enumerate(value):
                if len(row) != d:
                    raise ResultsError(
                        f"{field}.{key} row {i} has {len(row)} entries, but teacher row 0 has {d}"
                        f" (dimension d = {d})"
                    )
        return cls(rows["teacher"], rows["student"])

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(r, m, d)``."""
        return len(self.teacher), len(self.student), len(self.teacher[0])


def _parameter_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    import json

    return json.dumps(value, default=str)


@dataclass(frozen=True)
class Evidence:
    """The worst case (or counterexample) of a claim: a configuration, named parameters, or
    both.  Accepted shapes: a configuration ``{"teacher", "student"}``; ``{"config":
    configuration, "params": {...}}`` (either key optional); any other object, read as
    parameters."""

    config: ConfigurationRows | None = None
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_json(cls, data, field: str) -> "Evidence | None":
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ResultsError(
                f"{field} must be a configuration object, {{\"config\": .., \"params\": ..}} or null,"
                f" got {type(data).__name__}"
            )
        if "teacher" in data or "student" in data:
            return cls(ConfigurationRows.from_json(data, field))
        if "config" in data or "params" in data:
            config = data.get("config")
            params = data.get("params") or {}
            if not isinstance(params, dict):
                raise ResultsError(f"{field}.params must be an object, got {type(params).__name__}")
            return cls(
                None if config is None else ConfigurationRows.from_json(config, f"{field}.config"),
                tuple((str(k), _parameter_text(v)) for k, v in params.items()),
            )
        return cls(None, tuple((str(k), _parameter_text(v)) for k, v in data.items()))


@dataclass(frozen=True)
class Estimate:
    """A fitted constant and exponent (e.g. ``||grad L|| ~ C L^alpha``) with its interval."""

    constant: Decimal | None
    exponent: Decimal | None
    exponent_ci: tuple[Decimal, Decimal] | None
    paper_exponent: str | None
    note: str

    @classmethod
    def from_json(cls, data, field: str) -> "Estimate | None":
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ResultsError(f"{field} must be an object or null, got {type(data).__name__}")
        paper = data.get("paper_exponent")
        note = data.get("note") or ""
        if not isinstance(note, str):
            raise ResultsError(f"{field}.note = {note!r:.60} is not a string")
        return cls(
            _optional_decimal(data, "constant", field),
            _optional_decimal(data, "exponent", field),
            _pair(data, "exponent_ci", field),
            None if paper is None else str(paper),
            note,
        )


@dataclass(frozen=True)
class ClaimRecord:
    """One claim's verdict and evidence, as the suite reports it."""

    id: str
    status: str
    expected: str | None = None
    source: str | None = None
    title: str | None = None
    statement_latex: str | None = None
    paper_constant: str | None = None
    samples: int | None = None
    loss_range: tuple[Decimal, Decimal] | None = None
    min_margin: Decimal | None = None
    dps: int | None = None
    error: Decimal | None = None
    worst: Evidence | None = None
    counterexample: Evidence | None = None
    notes: str = ""
    estimate: Estimate | None = None
    min_margin_text: str | None = None  # the decimal string as given (full precision)

    @classmethod
    def from_json(cls, data, field: str) -> "ClaimRecord":
        if not isinstance(data, dict):
            raise ResultsError(f"{field} must be a JSON object, got {type(data).__name__}")
        claim_id = data.get("id")
        if not isinstance(claim_id, str) or not claim_id:
            raise ResultsError(f"{field}.id = {claim_id!r:.60} must be a non-empty string")
        for key in ("status", "expected"):
            value = data.get(key)
            if value is None and key == "expected":
                continue
            if value not in STATUSES:
                raise ResultsError(
                    f"{field}.{key} = {value!r:.60} (claim {claim_id!r}) is not one of"
                    f" {', '.join(STATUSES)}"
                )
        paper_constant = data.get("paper_constant")
        samples, dps = data.get("samples"), data.get("dps")
        margin = data.get("min_margin")
        return cls(
            id=claim_id,
            status=data["status"],
            expected=data.get("expected"),
            source=_optional_str(data, "source", field),
            title=_optional_str(data, "title", field),
            statement_latex=_optional_str(data, "statement_latex", field),
            paper_constant=None if paper_constant is None else str(paper_constant),
            samples=None if samples is None else parse_int(samples, f"{field}.samples", minimum=0),
            loss_range=_pair(data, "loss_range", field),
            min_margin=_optional_decimal(data, "min_margin", field),
            dps=None if dps is None else parse_int(dps, f"{field}.dps"),
            error=_optional_decimal(data, "error", field),
            worst=Evidence.from_json(data.get("worst"), f"{field}.worst"),
            counterexample=Evidence.from_json(data.get("counterexample"), f"{field}.counterexample"),
            notes=_optional_str(data, "notes", field) or "",
            estimate=Estimate.from_json(data.get("estimate"), f"{field}.estimate"),
            min_margin_text=None if margin is None else str(margin).strip(),
        )

    @property
    def as_expected(self) -> bool:
        return self.expected is None or self.expected == self.status


@dataclass(frozen=True)
class Results:
    """The whole results JSON: claims in order, optional figure data and run parameters."""

    claims: tuple[ClaimRecord, ...]
    figures: FigureData
    run: tuple[tuple[str, str], ...] = ()
    other_figures: tuple[str, ...] = ()  # figure data this report does not draw

    @classmethod
    def from_json(cls, data) -> "Results":
        if not isinstance(data, dict):
            raise ResultsError(f"results must be a JSON object with a 'claims' list, got {type(data).__name__}")
        if "claims" not in data:
            raise ResultsError("results: missing key 'claims' (a list of claim results)")
        claims = data["claims"]
        if not isinstance(claims, list):
            raise ResultsError(f"claims must be a list, got {type(claims).__name__}")
        run = data.get("run") or {}
        if not isinstance(run, dict):
            raise ResultsError(f"run must be an object of run parameters, got {type(run).__name__}")
        run = {**{k: data[k] for k in ("seed", "samples") if k in data}, **run}
        figures = FigureData.from_json(data.get("figures"))
        other = tuple(sorted(str(k) for k in (data.get("figures") or {}) if k not in FIGURE_KEYS))
        return cls(
            tuple(ClaimRecord.from_json(c, f"claims[{i}]") for i, c in enumerate(claims)),
            figures,
            tuple((str(k), _parameter_text(v)) for k, v in run.items() if v is not None),
            other,
        )

    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.claims) for s in STATUSES}


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------

PAPER = (
    "Zhou, Ge, Jin, \\emph{A Local Convergence Theory for Mildly Over-Parameterized "
    "Two-Layer Neural Network}, COLT 2021 (PMLR 134:4577--4632)"
)

#: Packages: texlive-latex-base, texlive-latex-recommended (booktabs, xcolor, microtype) and
#: lmodern (T1 Latin Modern, so that _ < > | \ are real glyphs and copy out of the PDF).
PREAMBLE = r"""\documentclass[10pt,a4paper]{article}
\ifdefined\pdfgentounicode
  \input{glyphtounicode}\pdfgentounicode=1
\fi
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{textcomp}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage{array,booktabs,longtable}
\usepackage{xcolor}
\usepackage{microtype}
\usepackage[hidelinks]{hyperref}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5\baselineskip}
\setlength{\LTpre}{0.5\baselineskip}
\setlength{\LTpost}{0.5\baselineskip}
\AtBeginDocument{\setlength{\LTcapwidth}{\textwidth}}
\renewcommand{\arraystretch}{1.15}
% A character that the report cannot typeset is shown by its code point.
\newcommand{\unichar}[1]{{\ttfamily\textless U+#1\textgreater}}
% A displayed line that is wider than the page is shrunk to fit.
\newsavebox{\fitbox}
\newlength{\fitwidth}
\newcommand{\fitline}[1]{%
  \sbox{\fitbox}{$\displaystyle #1$}%
  \setlength{\fitwidth}{\dimexpr\linewidth-5em\relax}%
  \ifdim\wd\fitbox>\fitwidth\resizebox{\fitwidth}{!}{\usebox{\fitbox}}\else\usebox{\fitbox}\fi}
\newcommand{\claimid}[1]{\texttt{#1}}
\newcommand{\Vcertified}{\textcolor{green!40!black}{certified}}
\newcommand{\Vconsistent}{\textcolor{green!30!black}{consistent}}
\newcommand{\Vrefuted}{\textcolor{red!70!black}{\textbf{refuted}}}
\newcommand{\Vcontradicted}{\textcolor{red!60!black}{\textbf{contradicted}}}
\newcommand{\Vinconclusive}{\textcolor{black!60}{inconclusive}}
\newcolumntype{L}[1]{>{\raggedright\arraybackslash}p{#1}}
"""


@dataclass(frozen=True)
class FigureEntry:
    """A figure of the report: its file (``None`` when there was no data) and its caption."""

    key: str
    title: str
    filename: str | None
    caption: str
    absent: str = ""
    description: str = ""  # a phrase for the running text: "... plots <description>"


def latex_fragment(text: str) -> str:
    """A LaTeX string from a producer: a text fragment (with its own displays or ``$..$``)
    is kept; a bare formula is displayed with line breaks."""
    body = text.strip()
    is_math = not re.search(r"\\\[|\\begin\{|\$|\\paragraph|\\section|\\subsection|\\item", body)
    if body.startswith("$") and body.endswith("$") and body.count("$") == 2:
        body, is_math = body[1:-1], True
    return display_math(body) if is_math else body


def _verdict(claim: ClaimRecord) -> str:
    text = "\\V" + claim.status
    if claim.expected and claim.expected != claim.status:
        text += "\\newline{\\footnotesize\\textbf{expected: " + claim.expected + "}}"
    elif claim.expected in REJECTED:
        text += "\\newline{\\footnotesize as expected}"
    return text


def _has_math_delimiters(latex: str) -> bool:
    """Whether ``latex`` switches to math itself (``$``, ``\\(``, ``\\[``), i.e. is text.

    >>> _has_math_delimiters(r"a \\\\(b)"), _has_math_delimiters(r"then $x$"), _has_math_delimiters(r"\\$5")
    (False, True, False)
    """
    return any(t in ("$", "\\(", "\\[") for t in re.findall(r"\\(?:[a-zA-Z]+|.)|\$", latex))


def _statement(claim: ClaimRecord) -> str:
    if claim.statement_latex:
        body = claim.statement_latex.strip()
        if not _has_math_delimiters(body) and re.search(r"[\\^_{}]", body):
            body = "$" + body + "$"  # a bare formula (the usual case); text carries its own $..$
        if claim.title:
            return "\\textit{" + escape(claim.title) + ".} " + body
        return body
    if claim.title:
        return escape(claim.title)
    return "\\textit{(no statement given)}"


def _claim_cell(claim: ClaimRecord) -> str:
    cell = "\\claimid{" + escape(claim.id, breakable=True) + "}"
    if claim.source:
        cell += "\\newline{\\footnotesize " + escape(claim.source) + "}"
    return cell


def _estimate_cells(claim: ClaimRecord) -> tuple[str, str]:
    est = claim.estimate
    if est is None:
        return "---", "---"
    constant = format_decimal(est.constant)
    if est.exponent is None:
        exponent = "---"
    else:
        exponent = format_decimal(est.exponent, 4)
        if est.exponent_ci:
            lo, hi = est.exponent_ci
            exponent += " $[" + decimal_math(lo, 4) + ",\\," + decimal_math(hi, 4) + "]$"
    if est.paper_exponent is not None:
        exponent += "\\newline{\\footnotesize paper: " + _number_or_text(est.paper_exponent) + "}"
    return constant, exponent


def _margin_cell(claim: ClaimRecord) -> str:
    if claim.min_margin is None:
        return "---"
    cell = format_decimal(claim.min_margin)
    details = []
    if claim.error is not None:
        details.append("$\\pm" + decimal_math(claim.error, 2) + "$")
    if claim.dps is not None:
        details.append(f"{claim.dps} digits")
    if details:
        cell += "\\newline{\\footnotesize " + ", ".join(details) + "}"
    return cell


def _loss_range_cell(claim: ClaimRecord) -> str:
    if claim.loss_range is None:
        return "---"
    lo, hi = claim.loss_range
    return format_decimal(lo, 3) + " to\\newline " + format_decimal(hi, 3)


def claims_tables(results: Results) -> str:
    """The two claims tables: statements and verdicts, then the numbers behind them."""
    if not results.claims:
        return "The results contain no claims.\n"
    rows = []
    for claim in results.claims:
        rows.append(f"{_claim_cell(claim)} & {_statement(claim)} & {_verdict(claim)} \\\\")
    statements = "\n".join([
        "\\begin{longtable}{@{}L{0.25\\linewidth}L{0.53\\linewidth}L{0.14\\linewidth}@{}}",
        "\\caption{Claims and verdicts. \\emph{Certified} and \\emph{refuted} are decided on"
        " balls at every checked instance; \\emph{consistent} and \\emph{contradicted} are"
        " empirical (a fitted exponent or trend with its interval); otherwise \\emph{inconclusive}.}"
        "\\label{tab:claims}\\\\",
        "\\toprule Claim & Statement & Verdict \\\\ \\midrule\\endfirsthead",
        "\\toprule Claim & Statement & Verdict \\\\ \\midrule\\endhead",
        "\\bottomrule\\endfoot",
        "\n\\addlinespace\n".join(rows),
        "\\end{longtable}",
    ])

    rows = []
    for claim in results.claims:
        constant, exponent = _estimate_cells(claim)
        cells = [
            "\\claimid{" + escape(claim.id, breakable=True) + "}",
            _number_or_text(claim.paper_constant),
            constant,
            exponent,
            "---" if claim.samples is None else str(claim.samples),
            _loss_range_cell(claim),
            _margin_cell(claim),
        ]
        rows.append(" & ".join(cells) + " \\\\")
    any_violated = any(c.status in REJECTED for c in results.claims)
    header = ("Claim & Paper's constant & Estimated constant & Exponent [interval] & Samples"
              " & Loss range & Smallest margin \\\\")
    numbers = "\n".join([
        "{\\footnotesize\\setlength{\\tabcolsep}{4pt}",
        "\\begin{longtable}{@{}L{0.16\\linewidth}L{0.12\\linewidth}L{0.1\\linewidth}"
        "L{0.15\\linewidth}>{\\raggedleft\\arraybackslash}p{0.06\\linewidth}"
        "L{0.13\\linewidth}L{0.15\\linewidth}@{}}",
        "\\caption{Numbers behind the verdicts, rounded to six significant digits (the results"
        " JSON keeps every digit" + ("; Section~\\ref{sec:counterexamples} repeats the margins of"
                                     " the counterexamples in full" if any_violated else "")
        + "). The smallest margin is shown with its error bound and the working precision in"
        " decimal digits.}\\label{tab:numbers}\\\\",
        "\\toprule " + header + " \\midrule\\endfirsthead",
        "\\toprule " + header + " \\midrule\\endhead",
        "\\bottomrule\\endfoot",
        "\n\\addlinespace\n".join(rows),
        "\\end{longtable}}",
    ])
    notes = []
    for c in results.claims:
        texts = [c.estimate.note.strip() if c.estimate is not None else "", c.notes.strip()]
        texts = [t if t.endswith(".") else t + "." for t in texts if t]
        if texts:
            notes.append("\\item[\\claimid{" + escape(c.id, breakable=True) + "}] "
                         + " ".join(escape(t) for t in texts))
    out = statements + "\n\n" + numbers + "\n"
    if notes:
        out += ("\nNotes from the checks:\n\\begin{description}\\small\n" + "\n".join(notes)
                + "\n\\end{description}\n")
    return out


def _vector_lines(name: str, rows) -> str:
    lines = []
    for i, row in enumerate(rows, start=1):
        entries = ",\\allowbreak\\ ".join("$" + decimal_math(x) + "$" for x in row)
        lines.append(f"${name}_{{{i}}} = ($" + entries + "$)$")
    return "\\\\\n".join(lines)


def counterexamples_section(results: Results) -> str:
    found = [c for c in results.claims if c.status in REJECTED]
    out = ["\\section{Counterexamples and witnesses}\\label{sec:counterexamples}"]
    if not found:
        out.append("No claim was refuted or contradicted.")
        return "\n".join(out) + "\n"
    expected = sum(c.expected in REJECTED for c in found)
    if len(found) == 1:
        intro = "One claim was rejected" + (
            "; the suite expected it (the paper says it is false, or it is false as printed)."
            if expected else ".")
    else:
        intro = f"{len(found)} claims were rejected" + (
            f"; {expected} of them as expected (the paper says they are false, or they are false"
            " as printed)." if expected else ".")
    intro += (" A refuted claim's witness is a certified counterexample; a contradicted claim's"
              " witness is the binding sample of an empirical fit, not a proof.")
    intro += (
        " A claim's margin says by how much its inequality holds at a configuration, and is"
        " negative where it fails; a negative margin larger than its error bound is a certified"
        " violation. Entries of configurations are rounded to six significant digits; the"
        " margin is also given in full."
    )
    out.append(intro)
    for claim in found:
        out.append("\\subsection*{\\claimid{" + escape(claim.id, breakable=True) + "}}")
        if claim.title or claim.statement_latex:
            out.append(_statement(claim))
        if claim.source:
            out.append("\\emph{Source:} " + escape(claim.source) + ".")
        facts = []
        if claim.min_margin is not None:
            margin = "smallest margin " + format_decimal(claim.min_margin)
            if claim.error is not None:
                margin += " $\\pm$ " + format_decimal(claim.error, 2)
            if claim.dps is not None:
                margin += f" at {claim.dps} digits"
            facts.append(margin)
        if claim.samples is not None:
            facts.append(f"{claim.samples} samples")
        if facts:
            out.append("Evidence: " + "; ".join(facts) + ".")
        if claim.min_margin_text is not None:
            out.append("Margin in full: {\\small\\texttt{" + escape(claim.min_margin_text, breakable=True) + "}}")
        out.append(_evidence_latex(claim.counterexample or claim.worst))
        if claim.notes.strip():
            out.append("\\emph{Notes:} " + escape(claim.notes.strip()))
    return "\n\n".join(out) + "\n"


def _evidence_latex(evidence: Evidence | None) -> str:
    if evidence is None:
        return "The results do not include the counterexample itself."
    out = []
    if evidence.params:
        out.append("Parameters: " + "; ".join(
            escape(key) + " = \\texttt{" + escape(value, breakable=True) + "}"
            for key, value in evidence.params) + ".")
    if evidence.config is not None:
        config = evidence.config
        r, m, d = config.shape
        out.append(f"Configuration ($r = {r}$ teacher{'s' if r != 1 else ''}, $m = {m}$"
                   f" student{'s' if m != 1 else ''}, $d = {d}$):")
        out.append("\\begin{flushleft}\\small\n" + _vector_lines("w^*", config.teacher)
                   + "\\\\[0.3em]\n" + _vector_lines("w", config.student) + "\n\\end{flushleft}")
    return "\n\n".join(out)


def figures_section(figures, other_figures=()) -> str:
    out = ["\\section{Empirical rates}\\label{sec:figures}"]
    drawn = [fig for fig in figures if fig.filename is not None]
    missing = [fig for fig in figures if fig.filename is None]
    intro = ("The figures set the rates that the paper proves against those the search"
             " observes; the numbers in each caption are read off the plotted data.")
    if drawn:
        intro += " " + "; ".join(
            f"Figure~\\ref{{fig:{fig.key}}} plots {fig.description or fig.title}" for fig in drawn) + "."
    if other_figures:
        intro += (" The results also carry data that this report does not draw ("
                  + ", ".join("\\texttt{" + escape(k, breakable=True) + "}" for k in other_figures) + ").")
    out.append(intro)
    for fig in drawn:
        out.append(
            "\\begin{figure}[!htbp]\n\\centering\n"
            f"\\includegraphics[width=0.72\\linewidth]{{{fig.filename}}}\n"
            f"\\caption{{{fig.caption}}}\\label{{fig:{fig.key}}}\n\\end{{figure}}"
        )
    for fig in missing:
        out.append("\\paragraph{" + fig.title + ".} " + fig.absent)
    return "\n\n".join(out) + "\n"


MODEL_SECTION = r"""\section{Model and loss}\label{sec:model}
The paper (Definition~2, Section~2, pp.~4--5) studies a teacher and a student network with
the absolute value as activation. The input is $x \sim N(0, I_d)$. The teacher has $r$
neurons and no second layer; the student has $m \ge r$ neurons whose top-layer weight is the
norm of the neuron:
\begin{align*}
  f^*(x) &= \sum_{i=1}^{r} |w_i^{*\top} x|, &
  f(x) &= \sum_{j=1}^{m} \|w_j\|\, |w_j^\top x|, &
  L(W) &= \tfrac12\, \mathbb{E}_x\bigl[(f(x) - f^*(x))^2\bigr].
\end{align*}
The teachers are $\Delta$-separated up to sign, $\angle(w_i^*, w_k^*) \ge \Delta$, with
$w_{\min} \le \|w_i^*\| \le w_{\max}$. Writing $u_j = \|w_j\| w_j$ turns every term of the
expanded square into a pair kernel $k(u, v) = \mathbb{E}\,|u^\top x|\,|v^\top x|$, which has
a closed form in the norms $a = \|u\|$, $b = \|v\|$ and the angle $\theta \in [0, \pi]$. The
closed forms below are printed from the very SymPy expressions that the numeric side compiles,
so the report cannot disagree with the computation.
"""


def _step_parts(step) -> tuple[str, object]:
    if hasattr(step, "description"):
        return step.description, step.expr
    description, expr = step
    return description, expr


def derivation_latex(derivation) -> str:
    """A derivation as a titled list of steps, each a sentence and a line-broken display.

    Works with :class:`symbolic.derivation.Derivation` (``name``, ``title``, ``steps`` of
    ``Step(description, expr)``) and with anything carrying ``steps`` of ``(description,
    expr)`` pairs; without ``steps`` it falls back to the object's own ``latex()``.
    """
    steps = getattr(derivation, "steps", None)
    if steps is None:
        return derivation.latex()
    title = getattr(derivation, "title", None) or getattr(derivation, "name", "Derivation")
    name = getattr(derivation, "name", None)
    head = "\\paragraph{" + escape_with_math(title) + ".}"
    if name:
        head += " {\\footnotesize(\\texttt{" + escape(name, breakable=True) + "})}"
    items = []
    for step in steps:
        description, expr = _step_parts(step)
        text = escape_with_math(description.strip())
        text = text[:1].upper() + text[1:]
        if not text.rstrip().endswith((":", "=", "=$")):
            text += ":"
        items.append("\\item " + text + "\n" + expression_display(expr))
    if not items:
        return head + "\n"
    return head + "\n\\begin{enumerate}\n" + "\n".join(items) + "\n\\end{enumerate}\n"


@dataclass(frozen=True)
class Mathematics:
    """The symbolic part of the report, as LaTeX, with notes on what was unavailable."""

    kernel: str
    closed_forms: str
    identities: str
    identity_derivations: str


def _missing(what: str, module: str) -> str:
    return (f"\\emph{{{what} is not available in this build ({escape(module)} could not be"
            f" imported); it is omitted.}}\n")


def _collect_derivations() -> list:
    """Every derivation the symbolic side offers, in reading order, best effort."""
    try:
        from symbolic.loss import derivations

        return list(derivations())
    except ImportError:
        pass
    found = []
    try:
        from symbolic.gaussian_integral import kernel_derivation

        found += [kernel_derivation("abs"), kernel_derivation("relu")]
    except ImportError:
        pass
    try:
        import symbolic.loss as loss
    except ImportError:
        return found
    for name, args in (("loss_derivation", ()), ("pair_derivation", ("abs",)),
                       ("gradient_derivation", ("abs",)), ("hessian_derivation", ("abs",))):
        if hasattr(loss, name):
            found.append(getattr(loss, name)(*args))
    return found


def _pair_fallback() -> str:
    """Pair derivatives from :mod:`symbolic.pair`, with their values at theta = 0 and pi."""
    import sympy as sp

    from symbolic.kernel import theta
    from symbolic.pair import HESSIAN_BASIS, pair_derivatives

    pd = pair_derivatives("abs")
    out = [derivation_latex(type("PairSteps", (), {
        "title": "Derivatives of one pair kernel through the invariants A, B, P",
        "name": "symbolic.pair", "steps": pd.steps})())]
    rows = []
    for name, expr in pd.expressions().items():
        if name == "kernel":
            continue
        ends = [sp.simplify(expr.subs(theta, t)) for t in (0, sp.pi)]
        rows.append(f"\\texttt{{{escape(name)}}} & ${sp.latex(expr)}$ & ${sp.latex(ends[0])}$ &"
                    f" ${sp.latex(ends[1])}$ \\\\")
    out.append(
        "Coefficients of the pair gradient and Hessian blocks (basis "
        + ", ".join(f"\\texttt{{{escape(b)}}}" for b in HESSIAN_BASIS)
        + ") and their values at the singular angles $\\theta = 0$ and $\\theta = \\pi$:\n"
        "\\begin{center}\\small\\begin{tabular}{@{}llll@{}}\\toprule\n"
        "Coefficient & Expression & $\\theta = 0$ & $\\theta = \\pi$ \\\\ \\midrule\n"
        + "\n".join(rows) + "\n\\bottomrule\\end{tabular}\\end{center}\n"
    )
    return "\n".join(out)


#: Identities whose derived form is at most this wide (visible characters) go in the table.
IDENTITY_TABLE_WIDTH = 30


def _identity_head(ident) -> tuple[str, str]:
    title = escape_with_math(getattr(ident, "title", None) or ident.name)
    name = "\\texttt{" + escape(ident.name, breakable=True) + "}"
    source = getattr(ident, "source", None)
    return title, name + ("; " + escape(source) if source else "")


def _identity_value(ident) -> str | None:
    value = ident.value_string(digits=30)
    return None if value is None or str(value).strip() in ("", "None") else str(value).strip()


def identities_latex(identities) -> str:
    """The identities: short ones in a table (derived form and 30-digit value), the rest as
    displays below it, each with its name and source."""
    short, long = [], []
    for ident in identities:
        form = ident.latex().strip()
        fits = latex_fragment(form) != form and visible_length(form) <= IDENTITY_TABLE_WIDTH
        (short if fits else long).append(ident)
    out = []
    if short:
        rows = []
        for ident in short:
            title, about = _identity_head(ident)
            value = _identity_value(ident)
            rows.append(
                f"{title}\\newline{{\\footnotesize {about}}} & $\\displaystyle {ident.latex().strip()}$ & "
                + ("{\\footnotesize\\texttt{" + escape(value) + "}}" if value else "---") + " \\\\"
            )
        header = "Identity & Derived form & Value to 30 digits \\\\"
        out.append("\n".join([
            "{\\small",
            "\\begin{longtable}{@{}L{0.44\\linewidth}L{0.2\\linewidth}L{0.3\\linewidth}@{}}",
            "\\caption{Exact identities derived by SymPy, with their values to 30 significant"
            " digits.}\\label{tab:identities}\\\\",
            "\\toprule " + header + " \\midrule\\endfirsthead",
            "\\toprule " + header + " \\midrule\\endhead",
            "\\bottomrule\\endfoot",
            "\n\\addlinespace\n".join(rows),
            "\\end{longtable}}",
        ]))
    for ident in long:
        title, about = _identity_head(ident)
        out.append("\\paragraph{" + title + ".} {\\footnotesize(" + about + ")}")
        out.append(latex_fragment(ident.latex()))
        value = _identity_value(ident)
        if value:
            out.append("Value to 30 digits: \\texttt{" + escape(value, breakable=True) + "}")
    return "\n\n".join(out) + "\n"


@lru_cache(maxsize=None)
def mathematics() -> Mathematics:
    """Gather the symbolic side's derivations and identities (imported lazily)."""
    derivs = _collect_derivations()

    def section(prefixes):
        return [d for d in derivs if str(getattr(d, "name", "")).startswith(prefixes)]

    kernel_parts = section(("kernel.",))
    kernel = ("Reducing to the plane of the two vectors and integrating in polar coordinates"
              " gives the kernel; each step below is the expression SymPy produced.\n\n"
              + "\n".join(derivation_latex(d) for d in kernel_parts)
              if kernel_parts else _missing("The Gaussian-integral derivation of the kernel",
                                            "symbolic.gaussian_integral"))

    closed = []
    try:
        from symbolic.loss import loss_latex

        closed.append("With $u_j = \\|w_j\\| w_j$ the loss is a finite sum of kernels:\n"
                      + latex_fragment(loss_latex()))
    except ImportError:
        closed.append(_missing("The closed-form loss", "symbolic.loss"))
    derivative_parts = section(("loss.", "pair.", "gradient.", "hessian."))
    if derivative_parts:
        closed.extend(derivation_latex(d) for d in derivative_parts)
    else:
        closed.append(_pair_fallback())

    try:
        from symbolic.identities import identities

        idents = tuple(identities())
        ident_text = ("Each identity below is derived exactly by SymPy and evaluated to 30 digits;"
                      " Appendix~\\ref{app:identities} gives the derivations.\n\n"
                      + identities_latex(idents)) if idents else "The symbolic side lists no identities.\n"
    except ImportError:
        ident_text = _missing("The list of exact identities", "symbolic.identities")

    used = set(map(id, kernel_parts)) | set(map(id, derivative_parts))
    rest = [d for d in derivs if id(d) not in used]
    appendix = "\n".join(derivation_latex(d) for d in rest)
    return Mathematics(kernel, "\n\n".join(closed), ident_text, appendix)


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _number(n: int) -> str:
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)


def _count(n: int, singular: str) -> str:
    """``_count(1, "claim") == "one claim"``, ``_count(12, "claim") == "12 claims"``."""
    return f"{_number(n)} {singular if n == 1 else singular + 's'}"


def _summary(results: Results) -> str:
    counts = results.counts()
    n = len(results.claims)
    if n == 0:
        return "The results contain no claims."
    verbs = {"certified": ("is certified", "are certified"), "refuted": ("is refuted", "are refuted"),
             "consistent": ("is consistent with the data", "are consistent with the data"),
             "contradicted": ("is contradicted by the data", "are contradicted by the data"),
             "inconclusive": ("is inconclusive", "are inconclusive")}
    parts = [_number(counts[s]) + " " + verbs[s][counts[s] != 1]
             for s in STATUSES if counts[s]]
    listing = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    text = f"This note reports a check of {_count(n, 'claim')} of the paper by proofs-check: {listing}."
    mismatched = [c for c in results.claims if not c.as_expected]
    if mismatched:
        verb = "differs" if len(mismatched) == 1 else "differ"
        text += (f" {_count(len(mismatched), 'verdict').capitalize()} {verb} from the expectation: "
                 + ", ".join("\\claimid{" + escape(c.id, breakable=True) + "}" for c in mismatched)
                 + ".")
    else:
        text += " Every verdict matches its expectation."
    return text


def build_document(results: Results, figures, maths: Mathematics | None = None,
                   version: str = "") -> str:
    """The complete ``report.tex``."""
    if maths is None:
        maths = mathematics()
    run = ""
    if results.run:
        run = ("Run parameters: " + ", ".join(
            escape(k) + " = \\texttt{" + escape(v, breakable=True) + "}" for k, v in results.run) + ".")
    parts = [
        PREAMBLE,
        "\\hypersetup{pdftitle={proofs-check report: Zhou, Ge, Jin (COLT 2021)}}",
        "\\title{Checking the local convergence theory of Zhou, Ge and Jin:\\\\"
        " derivations and findings}",
        "\\author{proofs-check" + (" " + escape(version) if version else "") + "}",
        "\\date{}",
        "\\begin{document}",
        "\\maketitle",
        "\\begin{abstract}\n" + _summary(results) + " The mathematics (kernel, loss,"
        " gradient, Hessian and the exact identities) is printed from the SymPy derivations"
        " the checker evaluates. Paper: " + PAPER + ".\n" + run + "\n\\end{abstract}",
        MODEL_SECTION,
        "\\section{The pair kernel from the Gaussian integral}\\label{sec:kernel}\n" + maths.kernel,
        "\\section{Closed-form loss, gradient and Hessian}\\label{sec:closed}\n"
        "The derivatives are taken once for a single pair of vectors, in their scalar"
        " invariants; the network's gradient and Hessian are sums of these pair terms. At"
        " aligned ($\\theta = 0$) and antipodal ($\\theta = \\pi$) pairs the angle is not"
        " differentiable, yet every coefficient has a finite limit there, which the tables"
        " list.\n\n" + maths.closed_forms,
        "\\section{Exact identities}\\label{sec:identities}\n" + maths.identities,
        "\\section{Claims}\\label{sec:claims}\nTable~\\ref{tab:claims} lists each claim with"
        " its source and verdict; Table~\\ref{tab:numbers} the numbers behind the verdicts.\n\n"
        + claims_tables(results),
        counterexamples_section(results),
        figures_section(figures, results.other_figures),
    ]
    if maths.identity_derivations.strip():
        parts.append("\\clearpage\n\\appendix\n\\section{Derivations of the identities}\\label{app:identities}\n"
                     + maths.identity_derivations)
    parts.append("\\end{document}\n")
    return "\n\n".join(parts)
