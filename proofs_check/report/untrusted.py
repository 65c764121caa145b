"""LaTeX from a results file is untrusted: only whitelisted mathematics may reach TeX.

A results file (``report --from``) may come from anyone.  Its text fields are escaped
(:func:`~proofs_check.report.escaping.escape`); the few that are LaTeX by design (a claim's
``statement_latex``, ``paper_constant``, ``estimate.paper_exponent``) are checked here
against a whitelist of control sequences and environments that only typeset.  Anything
else -- ``\\input``, ``\\openin``, ``\\write18``, ``\\catcode``, ``\\csname``, ``\\def``, the
``^^5c`` notation that spells a backslash without one -- is refused with the field's name,
before anything is written.  The TeX run itself is sandboxed as well (no shell escape,
``openin_any=p``, ``openout_any=p``: see :func:`proofs_check.report.compile_pdf`).

>>> check_latex(r"\\|\\nabla L\\| \\ge \\kappa L^{3/4}", "claims[0].statement_latex")
>>> check_latex(r"$\\mathrm{\\input{/etc/hostname}}$", "claims[0].statement_latex")
Traceback (most recent call last):
...
proofs_check.schema.ResultsError: claims[0].statement_latex uses \\input, which a report made from a results file does not typeset (allowed: mathematics such as \\frac, \\sqrt, \\mathrm, Greek letters)
"""
from __future__ import annotations

import re

from proofs_check.schema import ResultsError

__all__ = ["check_latex", "check_untrusted_results", "ALLOWED_CONTROL_WORDS", "ALLOWED_ENVIRONMENTS",
           "LATEX_FIELDS"]

_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
          "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
          "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()

#: Control words that only typeset (mathematics, spacing, fonts of the document's preamble).
ALLOWED_CONTROL_WORDS = frozenset(_GREEK + """
    frac tfrac dfrac sqrt binom mathrm mathbf mathit mathsf mathtt mathcal mathbb rm text textrm
    textit textbf emph operatorname
    left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr
    cdot cdots ldots dots vdots ddots times div pm mp ast star circ bullet otimes oplus
    le leq ge geq ne neq ll gg lesssim gtrsim approx sim simeq equiv propto asymp succ prec
    succeq preceq in notin subset subseteq supset supseteq cup cap setminus emptyset not
    to rightarrow leftarrow Rightarrow Leftarrow Leftrightarrow iff implies mapsto
    forall exists neg land lor wedge vee top perp parallel mid
    infty partial nabla sum prod int oint lim liminf limsup inf sup max min arg det exp log ln
    sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh Pr
    langle rangle lvert rvert lVert rVert vert Vert lfloor rfloor lceil rceil
    hat bar tilde widetilde widehat vec dot ddot overline underline prime
    quad qquad displaystyle textstyle scriptstyle limits nolimits
    begin end
""".split())

#: Control symbols (a backslash and one non-letter) that only typeset.
ALLOWED_CONTROL_SYMBOLS = frozenset(list(" ,;:!|{}_%&#$") + ["\\"])

#: Environments ``\\begin{...}`` may open.
ALLOWED_ENVIRONMENTS = frozenset("cases matrix pmatrix bmatrix vmatrix Vmatrix aligned".split())

#: Claim fields that are LaTeX by design (everything else is escaped before TeX).
LATEX_FIELDS = (("statement_latex",), ("paper_constant",), ("estimate", "paper_exponent"))

_TOKEN = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)
_ENVIRONMENT = re.compile(r"\s*\{([A-Za-z*]*)\}")


def check_latex(text: str, field: str) -> None:
    """Raise :class:`ResultsError` naming ``field`` unless ``text`` uses only whitelisted
    control sequences and environments, and no ``^^`` character notation."""
    if "^^" in text:
        raise ResultsError(f"{field} uses TeX's ^^ character notation, which a report made from a"
                           " results file does not accept (write the character itself)")
    for match in _TOKEN.finditer(text):
        name = match.group(1)
        if name == "":
            raise ResultsError(f"{field} ends in a lone backslash")
        if len(name) == 1 and not name.isalpha():
            if name not in ALLOWED_CONTROL_SYMBOLS:
                raise ResultsError(f"{field} uses \\{name}, which a report made from a results file"
                                   " does not typeset")
            continue
        if name not in ALLOWED_CONTROL_WORDS:
            raise ResultsError(f"{field} uses \\{name}, which a report made from a results file does"
                               " not typeset (allowed: mathematics such as \\frac, \\sqrt, \\mathrm,"
                               " Greek letters)")
        if name in ("begin", "end"):
            env = _ENVIRONMENT.match(text, match.end())
            if env is None or env.group(1) not in ALLOWED_ENVIRONMENTS:
                shown = env.group(1) if env else text[match.end():match.end() + 20]
                raise ResultsError(f"{field} uses \\{name}{{{shown}}}; the environments allowed are "
                                   + ", ".join(sorted(ALLOWED_ENVIRONMENTS)))


def check_untrusted_results(results: dict) -> None:
    """Check every LaTeX field of every claim of a (schema-valid) results dict."""
    for i, claim in enumerate(results.get("claims", [])):
        for path in LATEX_FIELDS:
            value = claim
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, str):
                check_latex(value, f"claims[{i}]." + ".".join(path))
