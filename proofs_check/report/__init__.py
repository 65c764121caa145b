"""The LaTeX report: derivations, claims, counterexamples and figures, as a short note.

Public surface:

* :func:`write_report` -- ``DIR/report.tex`` (and figures beside it), optionally compiled to
  ``DIR/report.pdf``;
* :func:`compile_pdf`, :func:`tex_toolchain` -- the PDF step on its own;
* :class:`TexNotFoundError` (exit code 2: TeX is missing, the message says what to install),
  :class:`LatexCompileError` (the document did not compile; the message quotes the log);
* :func:`escape` -- any text as LaTeX.

Inside: the results are checked against the one results schema (:mod:`proofs_check.schema`);
the document is the Jinja2 template ``templates/report.tex.j2`` filled by
:mod:`~proofs_check.report.document`; a paper whose claims package ships ``report.tex.j2``
contributes its model section; figures are drawn by :mod:`~proofs_check.report.figures`; the
formulas come from :mod:`~proofs_check.report.mathematics`.

>>> import tempfile, pathlib
>>> from proofs_check.schema import example_results
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> path = write_report(example_results("demo$1"), out, _maths=Mathematics())
>>> path.name, r"\\claimid{demo\\$1}" in path.read_text()
('report.tex', True)
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from proofs_check.errors import UsageError
from proofs_check.report.document import check_evidence, render_document
from proofs_check.report.escaping import escape, untypeset_characters
from proofs_check.report.figure_data import FigureData
from proofs_check.report.mathematics import Mathematics, mathematics
from proofs_check.schema import ResultsError, validate_results

__all__ = [
    "write_report",
    "compile_pdf",
    "tex_toolchain",
    "TexNotFoundError",
    "LatexCompileError",
    "ResultsError",
    "FigureData",
    "escape",
    "REQUIRED_TEX_FILES",
    "TEX_INSTALL_HINT",
    "TEX_SANDBOX_ENVIRONMENT",
    "check_typesettable",
]

#: LaTeX files the document needs -> the Debian package that ships them.
REQUIRED_TEX_FILES = {
    "amsmath.sty": "texlive-latex-base",
    "longtable.sty": "texlive-latex-base",
    "hyperref.sty": "texlive-latex-base",
    "booktabs.sty": "texlive-latex-recommended",
    "xcolor.sty": "texlive-latex-recommended",
    "microtype.sty": "texlive-latex-recommended",
    "lmodern.sty": "lmodern",
}

TEX_INSTALL_HINT = (
    "install TeX with `bash .ci/install-tex` (Debian: apt-get install --no-install-recommends"
    " texlive-latex-base texlive-latex-recommended lmodern latexmk)"
)

#: Seconds one LaTeX build may take before it is abandoned.
COMPILE_TIMEOUT = 300

#: kpathsea settings of every TeX run (environment variables override texmf.cnf): no shell
#: escape, and TeX may read and write only files in the report's directory and below, plus
#: its own installation's files found by search (paranoid mode ``p``: no absolute paths, no
#: ``..``, no dot files).
TEX_SANDBOX_ENVIRONMENT = {"shell_escape": "f", "openin_any": "p", "openout_any": "p"}


class TexNotFoundError(UsageError):
    """``--pdf`` was asked for but pdflatex (or a LaTeX package) is not installed."""


class LatexCompileError(RuntimeError):
    """``report.tex`` did not compile; the message quotes the first LaTeX error."""


def tex_toolchain() -> tuple[str, str | None]:
    """``(pdflatex, latexmk or None)`` as absolute paths; raises :class:`TexNotFoundError`.

    latexmk is preferred when present; without it pdflatex is run twice (longtable and
    cross-references settle on the second pass).
    """
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise TexNotFoundError(f"--pdf needs pdflatex, which is not on PATH; {TEX_INSTALL_HINT}")
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is not None:
        try:
            found = subprocess.run(
                [kpsewhich, *REQUIRED_TEX_FILES], capture_output=True, text=True, timeout=60
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            found = None
        if found is not None:
            names = {Path(p).name for p in found}
            missing = [f for f in REQUIRED_TEX_FILES if f not in names]
            if missing:
                packages = sorted({REQUIRED_TEX_FILES[f] for f in missing})
                raise TexNotFoundError(
                    f"--pdf needs the LaTeX files {', '.join(missing)}, which are not installed"
                    f" (Debian packages: {' '.join(packages)}); {TEX_INSTALL_HINT}"
                )
    return pdflatex, shutil.which("latexmk")


def _first_error(log: str) -> str:
    """The first LaTeX error of a log (``! ...`` or, with -file-line-error, ``./f.tex:12: ...``)
    and the lines that locate it."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!") or re.match(r"\./[^:]+:\d+: ", line):
            return " | ".join(part.strip() for part in lines[i: i + 4] if part.strip())
    return "no error message found in the log"


def compile_pdf(tex_path, timeout: float = COMPILE_TIMEOUT) -> Path:
    """Compile ``tex_path`` to a PDF beside it; returns the PDF's path.

    The build runs in a temporary directory inside the output directory and the PDF is moved
    into place only when complete, so an interrupted build never leaves a torn PDF.  On
    failure the log is kept as ``report.log`` beside the .tex.
    """
    tex_path = Path(tex_path).resolve()
    out_dir = tex_path.parent
    pdf = out_dir / (tex_path.stem + ".pdf")
    try:
        pdflatex, latexmk = tex_toolchain()
    except TexNotFoundError:
        pdf.unlink(missing_ok=True)  # a PDF from an older .tex would contradict the new one
        raise
    build = Path(tempfile.mkdtemp(dir=out_dir, prefix="build-"))
    # Relative to the report's directory: paranoid openout_any refuses absolute paths.
    build_name = build.name
    env = {**os.environ, **TEX_SANDBOX_ENVIRONMENT}
    try:
        if latexmk:
            commands = [[latexmk, "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                         "-file-line-error", f"-outdir={build_name}",
                         f"-pdflatex={pdflatex} -no-shell-escape %O %S", tex_path.name]]
        else:
            once = [pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                    "-file-line-error", f"-output-directory={build_name}", tex_path.name]
            commands = [once, once]
        for command in commands:
            try:
                proc = subprocess.run(command, cwd=out_dir, capture_output=True,
                                      text=True, errors="replace", timeout=timeout,
                                      stdin=subprocess.DEVNULL, env=env)
            except subprocess.TimeoutExpired:
                raise LatexCompileError(
                    f"{Path(command[0]).name} did not finish within {timeout:g} s") from None
            if proc.returncode != 0:
                log_file = build / (tex_path.stem + ".log")
                log = log_file.read_text(errors="replace") if log_file.exists() else proc.stdout
                kept = out_dir / (tex_path.stem + ".log")
                kept.write_text(log)
                pdf.unlink(missing_ok=True)
                raise LatexCompileError(
                    f"{tex_path.name} did not compile ({Path(command[0]).name} exit code"
                    f" {proc.returncode}): {_first_error(log)}; full log: {kept}"
                )
        os.replace(build / (tex_path.stem + ".pdf"), pdf)
        stale_log = out_dir / (tex_path.stem + ".log")
        if stale_log.exists():
            stale_log.unlink()
        return pdf
    finally:
        shutil.rmtree(build, ignore_errors=True)


#: Text fields of a verdict that the report prints (escaped or as LaTeX).
_PRINTED_FIELDS = ("id", "title", "source", "notes", "statement_latex", "paper_constant")


def check_typesettable(claims: list) -> None:
    """Refuse, naming the field, a printed text with characters the report's fonts lack
    (e.g. Chinese): the PDF would show their code points instead (``<U+6F22>``)."""
    for i, claim in enumerate(claims):
        for key in _PRINTED_FIELDS:
            value = claim.get(key)
            missing = untypeset_characters(value) if isinstance(value, str) else []
            if missing:
                shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:3])
                raise ResultsError(
                    f"claims[{i}].{key} holds {shown}, which the report's fonts cannot typeset"
                    " (Latin letters with accents, Greek and common mathematical symbols can be);"
                    " write it in Latin script or LaTeX")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("proofs-check")
    except Exception:  # not installed as a distribution: no version to print
        return ""


def write_report(results: dict, out_dir, pdf: bool = False, *, campaign: dict | None = None,
                 _maths: Mathematics | None = None) -> Path:
    """Write ``out_dir/report.tex`` and its figures from a results dict; compile with ``pdf``.

    ``results`` has the shape written by ``proofs-check run --json`` (see
    :mod:`proofs_check.schema`); input that does not match raises :class:`ResultsError`
    naming the field, before anything is written.  Returns the path of ``report.pdf`` when
    ``pdf`` is true, else of ``report.tex``.  ``campaign`` (a
    ``proofs_check.campaign.summary`` dict) adds a section "Campaign results".  The .tex is written (atomically) before any
    compilation, so it exists even when TeX is missing (:class:`TexNotFoundError`) or the
    build fails (:class:`LatexCompileError`).
    """
    from proofs_check.files import write_atomically
    from proofs_check.report.figures import render_figures

    validate_results(results)
    figure_data = FigureData.from_json(results.get("figures"))
    check_evidence(results["claims"])
    check_typesettable(results["claims"])
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {str(out_dir)!r}: cannot create the directory: {exc.strerror}") from None
    figures = render_figures(figure_data, out_dir)
    text = render_document(results, figures, _maths if _maths is not None else mathematics(),
                           version=_version(), campaign=campaign)
    tex = out_dir / "report.tex"
    write_atomically(tex, text)
    os.chmod(tex, 0o644)  # the temporary file behind the atomic write is private
    if pdf:
        try:
            return compile_pdf(tex)
        except TexNotFoundError as exc:
            raise TexNotFoundError(f"{exc} ({tex} was written; compile it later)") from None
    return tex
