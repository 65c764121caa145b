"""Any text as LaTeX: what comes from outside the program (claim ids, titles, notes, labels).

:func:`escape` turns any string into ASCII LaTeX that typesets as that string in a
T1-encoded font; :func:`escape_with_math` keeps ``$...$`` segments of trusted producers.

>>> print(escape("my_claims:thm#1&x"))
my\\_claims:thm\\#1\\&x
>>> print(escape("50% of {a} ~ b^2 < c | \\\\d"))
50\\% of \\{a\\} \\textasciitilde{} b\\textasciicircum{}2 \\textless{} c \\textbar{} \\textbackslash{}d
>>> print(escape("é ≤ θ ☃"))
\\'{e} \\ensuremath{\\le} \\ensuremath{\\theta} \\unichar{2603}
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["escape", "escape_with_math", "untypeset_characters"]

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


def untypeset_characters(text) -> list[str]:
    """The characters of ``text`` that the report's fonts cannot typeset (:func:`escape` would
    print them as a code point, ``<U+6F22>``), in order of appearance, without repeats.

    >>> untypeset_characters("Lemma 10 (漢字) θ é")
    ['漢', '字']
    """
    seen = []
    for i, ch in enumerate(unicodedata.normalize("NFC", str(text))):
        if ch not in seen and _escape_char(ch, "").startswith("\\unichar{"):
            seen.append(ch)
    return seen
