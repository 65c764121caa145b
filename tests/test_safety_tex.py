"""A results file is untrusted input to TeX (issue 21).

Two layers, each tested on its own: ``report --from`` refuses LaTeX fields that use anything
but typesetting macros (exit 2, naming the field), and the TeX run itself is sandboxed (no
shell escape, ``openin_any=p``, ``openout_any=p``), so that even a document that contains
``\\input``, ``\\openin``, ``\\write18``, ``\\catcode`` or ``\\csname`` tricks reads and writes
nothing outside the report's directory.  The sandbox tests run the real TeX installation
(``bash .ci/install-tex``); without it they skip, except in CI, where they fail.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from proofs_check.report import (LatexCompileError, ResultsError, TexNotFoundError, check_typesettable,
                                 compile_pdf, tex_toolchain)
from proofs_check.report.untrusted import check_untrusted_results
from proofs_check.schema import example_results

ROOT = Path(__file__).resolve().parents[1]
SECRET = "SECRETOUTSIDETHEREPORT"


def _require_tex() -> None:
    try:
        tex_toolchain()
        missing = None if shutil.which("pdftotext") else "pdftotext (poppler-utils) is not installed"
    except TexNotFoundError as exc:
        missing = str(exc)
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI installs TeX (.ci/install-tex), but {missing}")
        pytest.skip(f"needs the TeX installation of .ci/install-tex: {missing}")


def _cli(*args, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "proofs_check", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture
def outside(tmp_path):
    """A secret file beside (not inside) the report's directory, and that directory."""
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    report_dir = tmp_path / "report"
    report_dir.mkdir()
    return tmp_path, report_dir


#: Each trick tries to read the secret file or to write/run something outside the report's
#: directory.  ``{secret}`` is the secret's absolute path, ``{parent}`` its directory.
TRICKS = {
    "input_absolute": r"\input{{{secret}}}",
    "input_parent": r"\input{{../secret.txt}}",
    "openin": r"\newread\rd \openin\rd={secret} \ifeof\rd closed\else\read\rd to\x [\x]\fi",
    "write18": r"\immediate\write18{{touch {parent}/pwned}}",
    "openout": r"\newwrite\wr \immediate\openout\wr={parent}/written.tex"
               r" \immediate\write\wr{{x}}\immediate\closeout\wr",
    "openout_parent": r"\newwrite\wr \immediate\openout\wr=../written2.tex"
                      r" \immediate\write\wr{{x}}\immediate\closeout\wr",
    "catcode": r"{{\catcode`\|=0 |input{{{secret}}}}}",
    "csname": r"\csname input\endcsname{{{secret}}}",
    "hathat": r"^^5cinput{{{secret}}}",
}


def _document(trick: str, tmp_path: Path) -> str:
    body = TRICKS[trick].format(secret=tmp_path / "secret.txt", parent=tmp_path)
    return "\\documentclass{article}\n\\begin{document}\nbefore " + body + " after\n\\end{document}\n"


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _nothing_escaped(tmp_path: Path, report_dir: Path) -> None:
    outside_names = sorted(p.name for p in tmp_path.iterdir())
    assert outside_names == ["report", "secret.txt"], outside_names  # nothing written beside it
    for pdf in report_dir.glob("*.pdf"):
        assert SECRET not in _pdf_text(pdf)


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_the_tex_sandbox_reads_and_writes_nothing_outside_the_report(outside, trick):
    _require_tex()
    tmp_path, report_dir = outside
    tex = report_dir / "report.tex"
    tex.write_text(_document(trick, tmp_path))
    try:
        compile_pdf(tex, timeout=120)
    except LatexCompileError:
        pass  # refusing to open the file stops the build: also safe
    _nothing_escaped(tmp_path, report_dir)


@pytest.mark.parametrize("trick", ["input_absolute", "catcode", "openout"])
def test_without_the_sandbox_the_same_tricks_do_escape(outside, trick):
    """The control: TeX's permissive settings let the trick through, so the test above
    would fail if compile_pdf dropped its sandbox."""
    _require_tex()
    tmp_path, report_dir = outside
    tex = report_dir / "report.tex"
    tex.write_text(_document(trick, tmp_path))
    env = {**os.environ, "openin_any": "a", "openout_any": "a"}
    subprocess.run(["pdflatex", "-interaction=nonstopmode", tex.name], cwd=report_dir, env=env,
                   capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    with pytest.raises(AssertionError):
        _nothing_escaped(tmp_path, report_dir)


# -- the first layer: report --from refuses macros that do more than typeset -----------------

PLANTED = {
    "input": r"$\mathrm{\input{/etc/hostname}}$",
    "openin": r"\openin1=/etc/hostname",
    "write18": r"\immediate\write18{id}",
    "catcode": r"{\catcode`\|=0 |input{/etc/hostname}}",
    "csname": r"\csname input\endcsname{/etc/hostname}",
    "hathat": r"$^^5cinput{/etc/hostname}$",
    "filecontents": r"\begin{filecontents*}{x.tex}x\end{filecontents*}",
}


@pytest.mark.parametrize("field", ["statement_latex", "paper_constant"])
def test_report_from_refuses_planted_latex_naming_the_field(tmp_path, field):
    results = example_results("demo.one", "demo.two")
    results["claims"][1][field] = PLANTED["input"]
    path = tmp_path / "planted.json"
    path.write_text(json.dumps(results))
    proc = _cli("report", "--from", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"claims[1].{field}" in proc.stderr and "\\input" in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists(), "refused before anything is written"


@pytest.mark.parametrize("field", [("statement_latex",), ("paper_constant",), ("estimate", "paper_exponent")])
@pytest.mark.parametrize("trick", sorted(PLANTED))
def test_every_planted_trick_is_refused_in_every_latex_field(trick, field):
    results = example_results("demo.one", "demo.two")
    target = results["claims"][1]
    for key in field[:-1]:
        target[key] = target.get(key) or {}
        target = target[key]
    target[field[-1]] = PLANTED[trick]
    with pytest.raises(ResultsError, match=r"claims\[1\]\." + r"\.".join(field)):
        check_untrusted_results(results)
    target[field[-1]] = r"\frac{1}{2}\,\|\nabla L\|^{3/4} \le \kappa"
    check_untrusted_results(results)  # the same field with mathematics passes


def test_report_from_accepts_the_suites_own_latex(tmp_path):
    """Every statement the registered claims write passes the whitelist (no false alarm)."""
    from proofs_check.registry import all_claims
    from proofs_check.report.untrusted import check_latex

    for claim in all_claims().values():
        for text in (claim.statement, claim.paper_constant):
            if isinstance(text, str):
                check_latex(text, claim.id)


@pytest.mark.slow
def test_report_pdf_from_planted_text_fields_prints_them_verbatim(outside):
    """Tricks in the escaped fields (title, source, notes) are typeset as text, in the real
    PDF, and read nothing (about 20 s: the whole report is compiled)."""
    _require_tex()
    tmp_path, report_dir = outside
    trick = r"\input{" + str(tmp_path / "secret.txt") + "}"
    results = example_results("demo.one", title=trick, notes=r"\write18{touch ../pwned}",
                              source=r"\csname input\endcsname")
    path = report_dir / "planted.json"
    path.write_text(json.dumps(results))
    proc = _cli("report", "--from", "planted.json", "--out", ".", "--pdf", cwd=report_dir)
    assert proc.returncode == 0, proc.stderr
    text = _pdf_text(report_dir / "report.pdf")
    assert "\\input{" in text and SECRET not in text
    _nothing_escaped(tmp_path, report_dir)


def test_untypesettable_title_is_refused_naming_the_field(tmp_path):
    results = example_results("demo.one", title="Lemma 10 (漢字)")
    path = tmp_path / "cjk.json"
    path.write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    proc = _cli("report", "--from", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "claims[0].title" in proc.stderr and "U+6F22" in proc.stderr
    check_typesettable(example_results("demo.one", title="Lemme de Łojasiewicz, θ ≤ π")["claims"])


def _overfull_in_narrow_cell(tmp_path: Path, cell: str) -> bool:
    """Whether ``cell`` overflows a column as narrow as the report's 'Paper's constant'."""
    from proofs_check.report.document import preamble

    tex = tmp_path / "cell.tex"
    tex.write_text(preamble() + "\\begin{document}\n{\\footnotesize\\begin{tabular}{p{0.12\\linewidth}}\n"
                   + cell + "\n\\end{tabular}}\n\\end{document}\n")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                   capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    log = (tmp_path / "cell.log").read_text(errors="replace")
    assert "Output written" in log, log[-2000:]
    return "Overfull \\hbox" in log


def test_lemma10_paper_constant_wraps_in_its_column(tmp_path):
    """The report's numbers table printed Lemma 10's "poly(r, w_max, Delta^-1)" over the next
    column: inline math breaks only after operators, so the cell now breaks after its commas."""
    _require_tex()
    from proofs_check.registry import get_claim
    from proofs_check.report.escaping import escape_with_math
    from proofs_check.report.render import number_or_text

    text = get_claim("zgj.lemma10").paper_constant
    assert not _overfull_in_narrow_cell(tmp_path, number_or_text(text))
    assert _overfull_in_narrow_cell(tmp_path, escape_with_math(text))  # the old cell overflowed
