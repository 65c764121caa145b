"""The LaTeX report: escaping, the document built from a results fixture, figures, the PDF,
and the command line's handling of bad input and of a machine without TeX.

PDF tests need pdflatex (and pdftotext); ``bash .ci/install-tex`` installs them.  Without
them the tests skip, except in CI (``CI=true``), where a missing TeX is a failure.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import proofs_check.claims
from proofs_check.cli import main
from proofs_check.report import ResultsError, TexNotFoundError, tex_toolchain, write_report
from proofs_check.report.document import preamble
from proofs_check.report.escaping import escape
from proofs_check.report.figure_data import FigureData, GDCurves
from proofs_check.report.mathematics import Mathematics, mathematics
from proofs_check.report.render import environment, math_display, tex_number
from proofs_check.schema import example_results, example_verdict

#: No symbolic sections: documents that only test the verdict parts render fast.
NO_MATHS = Mathematics()

FIXTURE = Path(__file__).parent / "data" / "results_small.json"
SPECIALS = "#$%&~_^\\{}<>|"
USER_CLAIM_ID = "my_claims:thm#1&x"


# -- helpers --------------------------------------------------------------------------------

def fixture_results() -> dict:
    return json.loads(FIXTURE.read_text())


def require_tex() -> None:
    """Skip without TeX; in CI (CI=true) fail instead, naming what to install."""
    message = None
    try:
        tex_toolchain()  # pdflatex and the LaTeX packages the report uses
    except TexNotFoundError as exc:
        message = str(exc)
    if message is None and shutil.which("pdftotext") is None:
        message = "pdftotext is not installed (Debian: poppler-utils); run `bash .ci/install-tex`"
    if message is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must compile the report, but {message}")
        pytest.skip(message)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def squeeze(text: str) -> str:
    """Text without whitespace: line breaks inside identifiers do not matter."""
    return re.sub(r"\s+", "", text)


def compile_fragments(tmp_path: Path, fragments: list[str]) -> str:
    """Compile the report's preamble with ``fragments`` as paragraphs; return the PDF text."""
    body = "\n\n".join(r"\noindent " + f + r"\par" for f in fragments)
    tex = tmp_path / "fragments.tex"
    tex.write_text(preamble() + "\\begin{document}\n" + body + "\n\\end{document}\n")
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    return pdf_text(tmp_path / "fragments.pdf")


@pytest.fixture(scope="module")
def maths():
    """The symbolic sections (slow to derive: computed once, and cached for the CLI too)."""
    return mathematics()


# -- escaping ---------------------------------------------------------------------------------

#: Control sequences :func:`escape` may emit.
_ALLOWED_COMMANDS = {
    "textbackslash", "textasciitilde", "textasciicircum", "textless", "textgreater", "textbar",
    "textquotedbl", "textquotesingle", "textasciigrave", "unichar", "ensuremath", "allowbreak",
    "nobreakspace", "hspace", "ss", "ae", "AE", "oe", "OE", "o", "O", "l", "L", "i", "j", "dj",
    "DJ", "dh", "DH", "th", "TH", "textexclamdown", "textquestiondown", "guillemotleft",
    "guillemotright", "guilsinglleft", "guilsinglright", "quotesinglbase", "quotedblbase",
    "dots", "textbullet", "textperiodcentered", "S", "P", "copyright", "textregistered",
    "texttrademark", "textdegree", "texteuro", "pounds", "textcent", "textyen", "dag", "ddag",
    "r", "H", "v", "c", "k", "d", "b", "u",
}


def assert_safe(latex: str) -> None:
    """No special character of ``latex`` acts as itself: # $ % & _ only as \\# etc., braces
    balanced, every control word one that :func:`escape` is meant to produce."""
    assert latex.isascii(), latex
    i, depth, math_depth = 0, 0, 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            word = re.match(r"\\([a-zA-Z]+|.)", latex[i:]).group(1)
            assert word in _ALLOWED_COMMANDS or word in "#$%&_{}'`^\"~=., " or (
                math_depth and word.isalpha()
            ), f"unexpected control sequence \\{word} in {latex!r}"
            if word == "ensuremath":
                math_depth = depth + 1
            i += len(word) + 1
            continue
        assert ch not in "#$%&_^~", f"unescaped {ch!r} at {i} in {latex!r}"
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            assert depth >= 0, f"unbalanced braces in {latex!r}"
            if depth < math_depth:
                math_depth = 0
        i += 1
    assert depth == 0, f"unbalanced braces in {latex!r}"


@given(st.text())
def test_escape_leaves_no_special_character_active(text):
    assert_safe(escape(text))
    assert_safe(escape(text, breakable=True))


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1))
def test_escape_of_ascii_keeps_every_visible_character(text):
    latex = escape(text)
    # Undo the escapes in one pass: what remains must be the text itself.
    named = {"textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
             "textless": "<", "textgreater": ">", "textbar": "|", "textquotedbl": '"',
             "textquotesingle": "'", "textasciigrave": "`"}
    token = re.compile(r"\\([a-z]+)\{\}|\\([#$%&_{}])|\{([\[\]])\}|([-,])\{\}|(.)", re.S)

    def undo(match):
        word, escaped, bracket, ligature, plain = match.groups()
        if word is not None:
            return named[word]
        if plain is not None:
            assert plain not in SPECIALS, f"unescaped {plain!r} in {latex!r}"
        return escaped or bracket or ligature or plain

    undone = token.sub(undo, latex)
    assert undone == text


def test_escape_examples():
    assert escape(USER_CLAIM_ID) == r"my\_claims:thm\#1\&x"
    assert escape("a<<b>>c") == r"a\textless{}\textless{}b\textgreater{}\textgreater{}c"
    assert escape("Łódź") == r"\L{}\'{o}d\'{z}"
    assert escape("\u2603") == r"\unichar{2603}"
    assert escape("x\ty\nz") == "x y z"


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=40), min_size=15, max_size=15))
def test_escaped_arbitrary_text_compiles(tmp_path, texts):
    require_tex()
    fragments = [escape(t, breakable=True) for t in texts]
    fragments += [r"\texttt{" + escape(t) + "}" for t in texts]
    compile_fragments(tmp_path, fragments)


def test_escaped_specials_typeset_as_themselves(tmp_path):
    require_tex()
    texts = [SPECIALS, USER_CLAIM_ID, "a--b---c,,d <<e>> !`x ?`y ''q'' ``r", "[x] *y* 'z'",
             "".join(chr(c) for c in range(33, 127))]
    out = compile_fragments(tmp_path, [escape(t) for t in texts]
                            + [r"\texttt{" + escape(t) + "}" for t in texts])
    for text in texts:
        assert out.count(text) >= 2, (text, out)


# -- numbers, templates and displays -----------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("0.0000123456789012345678901234", r"1.23457\times10^{-5}"),
    ("-0.000211987654321098765432109876543", r"-2.11988\times10^{-4}"),
    ("0.0351", "0.0351"),
    ("2000", "2000"),
    ("123456789", r"1.23457\times10^{8}"),
    ("1e-35", "10^{-35}"),
    ("0", "0"),
])
def test_decimals_are_shortened_to_six_digits(value, expected):
    assert tex_number(value) == expected
    assert tex_number(Decimal(value)) == expected


def _undo_tex_number(text: str) -> Decimal:
    match = re.fullmatch(r"(-?[\d.]*?)(?:\\times)?(?:10\^\{(-?\d+)\})?", text)
    mantissa, exponent = match.group(1), match.group(2)
    if mantissa in ("", "-"):
        mantissa += "1"
    return Decimal(mantissa).scaleb(int(exponent or 0))


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e300"),
                   max_value=Decimal("1e300")))
def test_tex_number_keeps_six_significant_digits(value):
    shown = _undo_tex_number(tex_number(value))
    assert abs(shown - value) <= abs(value) * Decimal("5.000001e-6")


def test_template_delimiters_leave_latex_alone():
    env = environment()
    text = env.from_string(r"\section{\VAR{ t|tex }} \#{ a comment } {\bf x} \# 50\%"
                           r"\BLOCK{ if n > 1 } many\BLOCK{ endif }").render(t="a_b & c", n=2)
    assert text == r"\section{a\_b \& c}  {\bf x} \# 50\% many"


def test_displays_let_latex_break_sums_and_shrink_what_cannot_break():
    import sympy as sp

    x = sp.Symbol("x")
    long_sum = sum(sp.sin(k * x) / (k + 1) for k in range(1, 25))
    assert math_display(sp.Eq(sp.Symbol("S"), long_sum)).startswith(r"\mathpar{S = ")
    assert math_display(sp.Tuple(x, x**2)).count(r"\allowbreak") == 1
    assert math_display(sp.Matrix([[x, 1], [0, x]])).startswith(r"\[\fitline{")
    assert math_display(sp.sin(x) / x).startswith(r"\[\fitline{")


# -- the document from the fixture -----------------------------------------------------------

def test_report_matches_results_json(tmp_path, maths):
    results = fixture_results()
    tex_path = write_report(results, tmp_path / "out", _maths=maths)
    assert tex_path == tmp_path / "out" / "report.tex"
    tex = tex_path.read_text()
    assert tex.isascii()
    for claim in results["claims"]:
        # the kind stands next to the status in the claims table
        assert escape(claim["id"], breakable=True) + "}" in tex
        assert f"& {claim['kind']} & \\V{claim['status']}" in tex
        assert tex_number(claim["min_margin"]) in tex
        if claim["status"] == "refuted":  # the counterexample's margin in full
            assert escape(claim["min_margin"], breakable=True) in tex
    assert r"\section{Counterexamples and witnesses}" in tex
    assert "0.729812" in tex  # the counterexample's configuration, rounded
    assert "expected: consistent" in tex  # the inconclusive claim that was expected consistent
    for section in ("A Local Convergence Theory for Mildly Over-Parameterized Two-Layer Neural Network",
                    "Numbers behind the verdicts", "How verdicts are decided",
                    "The pair kernel from the Gaussian integral", "Closed-form loss, gradient and Hessian",
                    "Exact identities", "Figures"):
        assert r"\section{" + section + "}" in tex
    assert r"\subsection{Model and notation}" in tex  # from the paper's report.tex.j2
    assert "Zhou, Ge, Jin (COLT 2021)" in tex  # the paper record's citation


def test_how_verdicts_are_decided_is_generated_from_the_results(tmp_path):
    tex = write_report(fixture_results(), tmp_path, _maths=NO_MATHS).read_text()
    decided = tex[tex.index(r"\section{How verdicts are decided}"):tex.index(r"\section{Counterexamples")]
    assert r"Kind proved (one claim)" in decided and r"Kind empirical (three claims)" in decided
    assert r"Kind checked" not in decided  # no claim of that kind in the fixture
    proved, empirical = decided.split(r"\subsection*{Kind empirical")
    assert "planted" in proved and "theorem4.\\allowbreak{}gradient" not in proved
    # each method used is named with the claims that used it, and explained
    assert re.search(r"\\emph\{bootstrap\} \(\\claimid\{zgj.\\allowbreak\{\}theorem4[^)]*\): the interval is the 2.5",
                     empirical)
    assert re.search(r"\\emph\{secant\} \(\\claimid\{zgj.\\allowbreak\{\}claim2[^)]*\): the interval is the range",
                     empirical)
    # the judgement's own sentence where the results give one, else the fit's numbers
    assert "consistent with exponent = 3 to within 0.01" in empirical
    assert r"exponent $0.998712$ in $[0.981, 1.0164]$ (bootstrap)" in empirical


def test_no_sentence_claims_more_than_the_results(tmp_path):
    """Only checked claims, none rejected: no word of fits, of proofs, of counterexamples found,
    of a search (the suite runs none) or of planted variants."""
    results = example_results("zgj.a", "zgj.b", shown="checked at 3 instances (one draw each)")
    tex = write_report(results, tmp_path, _maths=NO_MATHS).read_text()
    body = tex[tex.index(r"\begin{document}"):]
    assert "No claim was refuted or contradicted." in body
    assert r"Kind empirical" not in body and "bootstrap" not in body
    assert ("Checked at finitely many instances, each decided on balls, not proved beyond them "
            "(kind \\emph{checked}): 2 checked.") in " ".join(body.split())
    assert r"Kind proved" not in body and r"\Vproved" not in body
    for word in ("search", "planted", "counterexamples were found", "does find"):
        assert word not in body.lower()
    results["claims"][1].update(status="inconclusive", shown="a margin's ball contains 0")
    body = write_report(results, tmp_path, _maths=NO_MATHS).read_text()
    assert "1 checked, 1 inconclusive" in body


def test_a_mismatch_is_named_in_the_abstract(tmp_path):
    results = example_results("zgj.a", "zgj.b")
    results["claims"][1].update(status="inconclusive")
    body = write_report(results, tmp_path, _maths=NO_MATHS).read_text()
    assert "Every verdict is the one this tool is recorded to reach" not in body
    assert (r"One verdict differs from the verdict this tool is recorded to reach (a regression of the tool"
            r" or a new finding): \claimid{zgj.\allowbreak{}b} (inconclusive, expected checked).") in " ".join(body.split())


def test_a_finding_against_the_paper_is_shown_as_such(tmp_path):
    """A verdict against what the paper states is named in the abstract and marked in the
    paper's table, whether or not the tool expected it (it is recorded: not a regression)."""
    results = example_results("zgj.a", "zgj.b")
    results["claims"][1].update(status="contradicted", expected="contradicted", kind="empirical",
                                versus_paper="against", instances=None, drawn_from="")
    body = " ".join(write_report(results, tmp_path, _maths=NO_MATHS).read_text().split())
    assert r"Against the paper's statement (findings): \claimid{zgj.\allowbreak{}b} (contradicted)." in body
    assert body.count(r"\textbf{against the paper}") == 1
    assert "Every verdict is the one this tool is recorded to reach" in body


def test_verdicts_are_grouped_by_paper_with_the_paper_template(tmp_path, monkeypatch):
    package = tmp_path / "pkgs" / "fakepaper"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "class PAPER:\n    title = 'A Fake Paper'\n    citation = 'Doe (2099)'\n")
    (package / "report.tex.j2").write_text(
        r"\subsection{Model of \VAR{ paper.title|tex }}" "\n"
        r"\BLOCK{ for v in verdicts }[\VAR{ v.id|tex }]\BLOCK{ endfor }" "\n")
    monkeypatch.setattr(proofs_check.claims, "__path__", [*proofs_check.claims.__path__, str(tmp_path / "pkgs")])
    results = example_results("fakepaper.one", "nopaper.x", "fakepaper.two", "zgj.y", "my_claims:thm#1")
    tex = write_report(results, tmp_path / "out", _maths=NO_MATHS).read_text()
    sections = re.findall(r"\\section\{([^\n]*)\}\\label\{sec:paper-", tex)
    assert sections[:2] == ["A Fake Paper", r"Claims \texttt{nopaper.*}"]
    # zgj's title comes from its registered paper record
    assert sections[2] == "A Local Convergence Theory for Mildly Over-Parameterized Two-Layer Neural Network"
    assert sections[3] == r"Claims \texttt{my\_claims:thm\#1.*}"
    fake = tex[tex.index(r"\section{A Fake Paper}"):tex.index(r"\section{Claims \texttt{nopaper")]
    assert r"\subsection{Model of A Fake Paper}" in fake and "[fakepaper.one][fakepaper.two]" in fake
    assert "Doe (2099)" in fake
    nopaper = tex[tex.index(r"\section{Claims \texttt{nopaper"):tex.index(r"\label{sec:paper-3}")]
    assert r"\subsection" not in nopaper  # no template: no model subsection
    zgj = tex[tex.index(r"\label{sec:paper-3}"):tex.index(r"\label{sec:paper-4}")]
    assert "This section checks 1 claims of the paper" in zgj  # its template saw only zgj's verdicts


def test_figures_exist_and_are_vector_pdf(tmp_path):
    write_report(fixture_results(), tmp_path, _maths=NO_MATHS)
    tex = (tmp_path / "report.tex").read_text()
    for name in ("fig-gradient-vs-loss.pdf", "fig-gd-loss.pdf", "fig-lambda-min-M.pdf",
                 "fig-threshold.pdf"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 2000, name
        assert b"/Subtype /Image" not in data, f"{name} should be vector, not a raster"
        assert "{" + name + "}" in tex
    assert "has slope $1" in tex  # the least-squares slope of the fixture's gradient data (~1.005)


def test_new_figure_shapes_are_drawn(tmp_path):
    """thm4's points labelled by the sampler family of their start (and their origin), and
    eps0's lower and upper bounds per geometry with witnesses, next to the old shapes."""
    results = fixture_results()
    grad = results["figures"]["gradient_vs_loss"]
    n = len(grad["loss"])
    grad["family"] = [("claim2_split", "random_near_teacher", None)[i % 3] for i in range(n)]
    grad["origin"] = [("sampler", "descent")[i % 2] for i in range(n)]
    results["figures"]["threshold"] = {
        "paper_eps0": ["1e-62", "1e-95"], "empirical": ["0.2", "1e-4"], "labels": ["r=2", "r=3"],
        "lower": ["1e-4", None], "upper": ["0.2", "0.1"],
        "witness": [{"teacher": [["1", "0"]], "student": [["1", "0"]]}, None]}
    results["figures"]["gd"].pop("kappa")
    tex = write_report(results, tmp_path, _maths=NO_MATHS).read_text()
    for name in ("fig-gradient-vs-loss.pdf", "fig-threshold.pdf", "fig-gd-loss.pdf"):
        assert (tmp_path / name).read_bytes().startswith(b"%PDF")
    assert ("marked by the sampler family of the start it came from (claim2\\_split,"
            " random\\_near\\_teacher (descent), family not given, claim2\\_split (descent),") in tex
    assert ("against optimiser scan (not a bound) and certified spurious point (upper bound) as the"
            " results give them") in tex
    assert ("The optimiser scan (not a bound) divided by the paper's $\\epsilon_0$ ranges from $10^{58}$"
            " to $10^{58}$") in tex
    assert "empirical threshold divided" not in tex  # the bounds replace the single threshold
    assert "1 of the 2 geometries carry a witness configuration" in tex
    assert "the results give no $\\kappa$" in tex
    # labels of the wrong length are refused, naming the field
    grad["family"] = grad["family"][:-1]
    with pytest.raises(ResultsError, match=r"figures.gradient_vs_loss: 'loss' has 25 values but 'family' has 24"):
        write_report(results, tmp_path, _maths=NO_MATHS)
    grad.pop("family")
    results["figures"]["threshold"]["lower"] = ["1e-4"]
    with pytest.raises(ResultsError, match=r"figures.threshold: 'paper_eps0' has 2 values but 'lower' has 1"):
        write_report(results, tmp_path, _maths=NO_MATHS)


def test_missing_figure_data_is_said_not_drawn(tmp_path):
    results = fixture_results()
    del results["figures"]["gd"]
    results["figures"]["claim2"] = {"delta": ["0.1"], "loss": ["0.0002"]}
    write_report(results, tmp_path, _maths=NO_MATHS)
    tex = (tmp_path / "report.tex").read_text()
    assert "no data for this figure (key \\texttt{figures.gd})" in tex
    assert not (tmp_path / "fig-gd-loss.pdf").exists()
    assert "does not draw (\\texttt{claim2})" in tex
    results.pop("figures")
    write_report(results, tmp_path, _maths=NO_MATHS)
    assert not list(tmp_path.glob("fig-*.pdf"))


def test_evidence_shapes_from_the_suite(tmp_path):
    results = example_results()
    results["claims"] = [
        example_verdict("p", "refuted", worst={"params": {"k": 200000, "s": "[2.8e-14 +/- 3.5e-26]"}},
                        counterexample={"params": {"k": 200000}}, notes="50% of k_2 ~ #3"),
        example_verdict("q", "refuted", counterexample={
            "params": {"delta": "1e-08"}, "config": {"teacher": [["1", "0"]], "student": [["0.5", "0"]]}}),
        example_verdict("r", "contradicted", worst={"teacher": [["1", "0"]], "student": [["0.25", "1e-9"]]}),
    ]
    tex = write_report(results, tmp_path, _maths=NO_MATHS).read_text()
    assert r"k = \texttt{200000}" in tex
    assert r"50\% of k\_2 \textasciitilde{} \#3" in tex
    assert "$w_{1} = (0.5,\\allowbreak\\ 0)$" in tex
    assert "$w_{1} = (0.25,\\allowbreak\\ 10^{-9})$" in tex
    assert "binding sample of an empirical fit, not a proof" in tex and "a certified counterexample" in tex
    results["claims"] = results["claims"][:2]  # refuted only: nothing said of contradicted claims
    tex = write_report(results, tmp_path, _maths=NO_MATHS).read_text()
    assert "empirical fit, not a proof" not in tex and "a certified counterexample" in tex


# -- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("mutate, field", [
    (lambda r: r["claims"][3]["counterexample"].update(student=[["1", "2", "3"]]),
     "claims[3].counterexample.student row 0"),
    (lambda r: r["claims"][3]["counterexample"].update(student=[["1", "x"]]),
     "claims[3].counterexample.student[0][1]"),
    (lambda r: r["figures"]["gd"].update(eta="-1"), "figures.gd.eta"),
    (lambda r: r["figures"]["gradient_vs_loss"]["loss"].pop(), "figures.gradient_vs_loss"),
])
def test_what_the_schema_cannot_say_is_checked_too(tmp_path, capsys, mutate, field):
    results = fixture_results()
    mutate(results)
    with pytest.raises(ResultsError, match=re.escape(field)):
        write_report(results, tmp_path / "direct", _maths=NO_MATHS)
    assert not (tmp_path / "direct").exists()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(results))
    assert main(["report", "--from", str(path), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert field in captured.err and str(path) in captured.err
    assert captured.out == ""
    assert not (tmp_path / "out" / "report.tex").exists()


def test_missing_and_malformed_files_exit_2(tmp_path, capsys):
    assert main(["report", "--from", str(tmp_path / "nope.json"), "--out", str(tmp_path)]) == 2
    assert "nope.json" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"claims": [')
    assert main(["report", "--from", str(bad), "--out", str(tmp_path)]) == 2
    assert "malformed JSON at line 1" in capsys.readouterr().err
    bad.write_text('{"claims": [], "x": NaN}')
    assert main(["report", "--from", str(bad), "--out", str(tmp_path)]) == 2
    assert "NaN" in capsys.readouterr().err


def test_conflicting_and_unknown_options_exit_2(tmp_path, capsys):
    assert main(["report", "--from", str(FIXTURE), "--seed", "3", "--out", str(tmp_path)]) == 2
    assert "--seed" in capsys.readouterr().err
    assert main(["report", "--from", str(FIXTURE), "--claims", "zgj.nope", "--out", str(tmp_path)]) == 2
    assert "'zgj.nope' not in the results" in capsys.readouterr().err


def test_an_invalid_file_leaves_the_previous_report_untouched(tmp_path):
    write_report(example_results("first"), tmp_path, _maths=NO_MATHS)
    before = (tmp_path / "report.tex").read_text()
    bad = example_results("second")
    bad["claims"][0]["status"] = "nope"
    with pytest.raises(ResultsError):
        write_report(bad, tmp_path, _maths=NO_MATHS)
    assert (tmp_path / "report.tex").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.tex.")]


def test_without_the_suite_the_message_points_to_from(tmp_path, capsys, monkeypatch):
    import sys

    from proofs_check.cli import build_parser

    build_parser()  # other commands import the suite when the parser is built
    monkeypatch.setitem(sys.modules, "proofs_check.suite", None)  # import raises ImportError
    assert main(["report", "--out", str(tmp_path)]) == 2
    assert "--from RESULTS.json" in capsys.readouterr().err


def test_claims_subset_from_a_file(tmp_path, maths, capsys):
    assert main(["report", "--from", str(FIXTURE), "--claims", "zgj.claim2.cubic_loss",
                 "--out", str(tmp_path)]) == 0
    tex = (tmp_path / "report.tex").read_text()
    assert r"\claimid{zgj.\allowbreak{}claim2.\allowbreak{}cubic\_\allowbreak{}loss}" in tex
    assert "lambda\\_\\allowbreak{}min" not in tex


def test_pdf_without_tex_exits_2_and_keeps_the_tex(tmp_path, capsys, monkeypatch, maths):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "out"
    assert main(["report", "--from", str(FIXTURE), "--out", str(out), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "pdflatex" in err and "texlive-latex-base" in err and ".ci/install-tex" in err
    assert (out / "report.tex").exists()
    assert not (out / "report.pdf").exists()
    with pytest.raises(TexNotFoundError):
        write_report(fixture_results(), out, pdf=True, _maths=NO_MATHS)


# -- the PDF, for real ------------------------------------------------------------------------

def test_pdf_compiles_and_shows_claims_and_identities(tmp_path, capsys, maths):
    require_tex()
    out = tmp_path / "out"
    assert main(["report", "--from", str(FIXTURE), "--out", str(out), "--pdf"]) == 0
    assert f"wrote {out / 'report.pdf'}" in capsys.readouterr().out
    pdf = out / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not list(out.glob("build-*")), "the build directory is cleaned up"
    text = pdf_text(pdf)
    flat = squeeze(text)
    for claim in fixture_results()["claims"]:
        assert squeeze(claim["id"]) in flat, claim["id"]
        assert claim["status"] in text and claim["kind"] in text
    assert squeeze("-0.000211987654321098765432109876543") in flat  # a margin in full
    assert "Figure 1" in text and "Figure 4" in text
    assert "How verdicts are decided" in text and "Model and notation" in text
    identities = pytest.importorskip("symbolic.identities")
    for ident in identities.identities():
        assert squeeze(ident.name) in flat, ident.name
        value = ident.value_string(digits=30)
        if value is not None:
            assert squeeze(value) in flat, (ident.name, value)


def test_user_defined_claim_with_special_characters_compiles(tmp_path, maths):
    require_tex()
    results = example_results()
    results["claims"] = [example_verdict(
        USER_CLAIM_ID, "refuted", expected="checked",
        title="50% of {all} ~ #cases & $money$ ^_^ <a|b> \\end{document} Łódź θ≤1",  # ☃ is refused (test_safety_tex)
        source="user file ~/claims_#1.py, line 3 & 4",
        statement_latex=r"\|\nabla L\|_F \ge \kappa L", samples=3,
        min_margin="-1.5", error="0.1", dps=20, paper_constant="100% & more",
        estimate={"constant": None, "exponent": None, "exponent_ci": None,
                  "paper_exponent": "1/2", "note": "fit #1: 5% off & ~ok_", "fit": None},
        notes="see {x} \\ y", shown="refuted: instance 0 <0 & 100%",
        counterexample={"teacher": [["1", "0"]], "student": [["0.5", "-0.25"]]},
    )]
    pdf = write_report(results, tmp_path, pdf=True, _maths=maths)
    text = pdf_text(pdf)
    assert USER_CLAIM_ID in squeeze(text)
    assert squeeze("50% of {all} ~ #cases & $money$ ^_^ <a|b> \\end{document} Łódź") in squeeze(text)
    assert "expected:checked" in squeeze(text)  # the narrow verdict column may break the line


def test_compile_error_is_reported_with_the_log(tmp_path, capsys, maths):
    require_tex()
    results = fixture_results()
    results["claims"][0]["statement_latex"] = r"$\left( x$"  # whitelisted macros, broken LaTeX
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results))
    # 5, not 1 (a finding): the report could not be compiled
    assert main(["report", "--from", str(path), "--out", str(tmp_path / "o"), "--pdf"]) == 5
    err = capsys.readouterr().err
    assert "Missing \\right" in err and "report.log" in err
    assert (tmp_path / "o" / "report.log").exists()
    assert not (tmp_path / "o" / "report.pdf").exists()


def test_figure_data_round_trips():
    data = FigureData.from_json(fixture_results()["figures"])
    assert data.available() == ("gradient_vs_loss", "gd", "lambda_min_M", "threshold")
    assert FigureData.from_json(data.to_json()) == data
    gd = GDCurves.from_json(fixture_results()["figures"]["gd"])
    assert gd.bound(2) == Decimal(4) / (2 * Decimal("0.5") * 4)


def test_without_from_the_suite_runs_first(tmp_path, capsys, maths):
    pytest.importorskip("proofs_check.suite")
    out = tmp_path / "out"
    assert main(["report", "--claims", "zgj.lemmaC11", "--samples", "2", "--seed", "1",
                 "--no-progress", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert [c["id"] for c in results["claims"]] == ["zgj.lemmaC11"]
    tex = (out / "report.tex").read_text()
    assert r"\claimid{zgj.\allowbreak{}lemmaC11}" in tex
    assert "\\V" + results["claims"][0]["status"] in tex
    assert main(["report", "--claims", "zgj.no_such_claim", "--out", str(out)]) == 2
    assert "zgj.no_such_claim" in capsys.readouterr().err


def test_pdflatex_alone_builds_the_pdf_without_latexmk(tmp_path, monkeypatch, maths):
    require_tex()
    which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "latexmk" else which(name, *a, **k))
    pdf = write_report(fixture_results(), tmp_path, pdf=True, _maths=maths)
    text = pdf_text(pdf)
    assert "Table" in text and "??" not in text  # cross-references resolved on the second pass


def test_report_without_the_newer_symbolic_modules(tmp_path, monkeypatch):
    """With only symbolic.pair (and the Gaussian integral) the report still stands: the
    missing parts are named in a sentence, the pair derivatives come from symbolic.pair."""
    import sys

    for name in ("symbolic.loss", "symbolic.identities"):
        monkeypatch.setitem(sys.modules, name, None)
    maths = mathematics.__wrapped__()  # bypass the cache filled by the full symbolic side
    results = example_results("x")
    tex = write_report(results, tmp_path, _maths=maths).read_text()
    assert "symbolic.identities could not be imported" in tex
    assert "huu\\_I" in tex  # the pair coefficients, with their limits
    require_tex()
    pdf = write_report(results, tmp_path, pdf=True, _maths=maths)
    assert "Exact identities" in pdf_text(pdf)


def test_campaign_summary_section(tmp_path, capsys):
    campaign = {
        "database": "runs/c_1.sqlite", "schema": 1,
        "campaigns": [{"campaign": "sweep_1", "tasks": 5, "done": 3, "failed": 1, "timeout": 1, "pending": 0,
                       "seconds": 12.5}],
        "versions": [], "failed": [{"key": "k#1", "kind": "claim_check", "inputs": {}, "error": "boom & 50%"}],
        "timeouts": [{"key": "k#2", "kind": "stationary", "inputs": {}, "seconds": 600.2, "worker": "h:1"}],
        "tasks": {
            "claim_check": [{"claim": "zgj.thm4", "samples": 8, "seeds": [0, 1], "runs": 2, "expected": "consistent",
                             "kind": "empirical", "statuses": {"consistent": 2}, "matches": 2,
                             "min_margin": "0.0123", "min_margin_error": "0.001", "min_margin_seed": 1,
                             "exponent_range": [0.66, 0.69], "paper_exponent": "1"}],
            "stationary": [{"geometry": "orthogonal", "Delta": "1.5708", "r": 2, "m": 2, "d": 2, "w_min": "1",
                            "w_max": "1", "activation": "abs", "hunts": 3,
                            "lowest_spurious": {"loss": "0.0579", "loss_error": "1e-30", "kind": "saddle",
                                                "task_key": "t", "label": "x", "config": {}},
                            "paper_eps0": "1.96e-42", "log10_gap": 40.5, "spurious_minima": 0,
                            "budget_exhausted": 0}],
            "worst_case": [{"claim": "zgj.thm4", "level": "1e-8", "geometry": "orthogonal", "Delta": "1.5708",
                            "r": 2, "m": 4, "d": 3, "w_min": "1", "w_max": "1", "runs": 2, "ratio": "0.83",
                            "ratio_error": "1e-20", "task_key": "t", "family": "split"}],
        },
    }
    tex = write_report(example_results("zgj.a"), tmp_path, campaign=campaign, _maths=NO_MATHS).read_text()
    section = tex[tex.index(r"\section{Campaign results}"):tex.index(r"\section{Figures}")]
    assert r"\texttt{runs/\allowbreak{}c\_\allowbreak{}1.\allowbreak{}sqlite}" in section
    assert r"boom \& 50\%" in section and "2~consistent" in section and "$[0.66, 0.69]$" in section
    assert "Timed out" in section and "stopped by the campaign's timeout" in section
    assert "spread of the fitted exponents over the seeds: empirical, not a bound" in section
    assert "$0.0579$ (saddle)" in section and "$40.5$" in section and "$0.83$" in section
    assert "not shown" in section  # no claim that the lowest spurious point is the lowest there is
    assert r"\section{Campaign results}" not in write_report(example_results("zgj.a"), tmp_path,
                                                             _maths=NO_MATHS).read_text()
    pytest.importorskip("proofs_check.campaign")
    assert main(["report", "--from", str(FIXTURE), "--from-db", str(tmp_path / "none.sqlite"),
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--from-db" in err and "none.sqlite" in err
    assert not (tmp_path / "out").exists()


def test_neighbouring_papers_figures_are_drawn_from_their_verdicts_data(tmp_path):
    """Du et al.'s widths and the PL* contrast (lzb.wide_pl beside contrast.pl) are drawn when
    the results carry their data, and a malformed entry names its field."""
    from proofs_check.report.figure_data import FigureData
    from proofs_check.report.figures import render_figures
    from proofs_check.schema import ResultsError

    figures = {
        "du.gd_rate": {"widths": [8, 16, 32], "fraction_holding": [0.5, 1.0, 1.0], "measured_width": 16,
                       "theory_width": 4.0e10},
        "lzb.wide_pl": {"widths": [16, 64, 256], "mu_over_lambda0_min": [0.3, 0.5, 0.7]},
        "contrast.pl": {"loss": ["1e-8", "1e-6", "1e-4"], "pl_ratio": ["1e-4", "1e-3", "1e-2"]},
    }
    data = FigureData.from_json(figures)
    assert data.available() == ("du_gd_rate", "pl_contrast")
    entries = {e.key: e for e in render_figures(data, tmp_path)}
    assert (tmp_path / entries["du_gd_rate"].filename).stat().st_size > 0
    assert "m = 16" in entries["du_gd_rate"].caption
    assert "slope in $L$ is $0.5" in entries["pl_contrast"].caption  # pl_ratio ~ L^(1/2) here
    assert FigureData.from_json({"lzb.wide_pl": figures["lzb.wide_pl"]}).pl_contrast is None
    with pytest.raises(ResultsError, match=r"figures.du.gd_rate: 'widths' has 3 values but 'fraction_holding' has 1"):
        FigureData.from_json({"du.gd_rate": {**figures["du.gd_rate"], "fraction_holding": [1.0]}})


# -- the lemmas' worst-case ladders ---------------------------------------------------------

def _ladder(exponent="0.500034", paper="3/8", loss=("1e-6", "1e-4", "1e-2"), lhs=("1e-3", "1e-2", "1e-1")):
    return {"loss": list(loss), "lhs": list(lhs), "family": ["stray", "split", "stray"],
            "fitted_exponent": exponent, "paper_exponent": paper, "title": "t", "lhs_tex": r"\|v\|"}


def test_worst_case_ladders_one_panel_per_series_and_drawn(tmp_path):
    from proofs_check.report.figures import render_figures

    figures = {"zgj.lemma10.worst_case": _ladder(), "zgj.lemma10.tight.worst_case": _ladder(),
               "zgj.lemma12.worst_case": _ladder("0.999400", "3/4", lhs=("1e-6", "1e-4", "1e-2"))}
    data = FigureData.from_json(figures)
    assert [lad.claim for lad in data.worst_case_ladders] == ["zgj.lemma10", "zgj.lemma12"]
    assert FigureData.from_json(data.to_json()).worst_case_ladders == data.worst_case_ladders
    entry = next(e for e in render_figures(data, tmp_path) if e.key == "worst_case_ladders")
    assert (tmp_path / entry.filename).stat().st_size > 0
    assert "\\texttt{zgj.lemma10}" in entry.caption and "fitted exponent $0.5$ (paper $3/8$)" in entry.caption
    assert "\t" not in entry.caption


@pytest.mark.parametrize("bad, needle", [
    ({"paper_exponent": "three eighths"}, "figures.zgj.lemma10.worst_case.paper_exponent"),
    ({"lhs": ["1e-3"]}, "figures.zgj.lemma10.worst_case"),
    ({"loss": ["-1", "1e-4", "1e-2"]}, "figures.zgj.lemma10.worst_case.loss"),
])
def test_worst_case_ladder_bad_data_names_the_field(bad, needle):
    with pytest.raises(ResultsError, match=re.escape(needle)):
        FigureData.from_json({"zgj.lemma10.worst_case": {**_ladder(), **bad}})
