"""The counterexample store: ``<home>/counterexamples/<claim>.json`` files, written
atomically whenever the best example improves, read back and re-checked first by the next
search; a file that cannot be used is moved aside, never overwritten.

A teacher-student configuration is stored exactly (decimal strings of the evaluated
rationals, :func:`exact_file_form`), so that replay at a higher precision re-evaluates the
very same configuration."""
from __future__ import annotations

import json
import os
from pathlib import Path

from numeric.config import Configuration
from numeric.numbers import fraction_to_significant_digits
from proofs_check.hypotheses import hypothesis_violations
from proofs_check.errors import UsageError
from proofs_check.files import STDIO, ensure_writable_directory, write_atomically, write_output
from proofs_check.limits import DEFAULT_LIMITS
from proofs_check.search.evaluation import margin_at
from proofs_check.search.replay import load_counterexample
from proofs_check.search.results import Candidate, SearchResult, config_digits

__all__ = ["DEFAULT_HOME", "safe_name", "move_aside", "save_file_in", "exact_file_form",
           "canonical", "recheck_saved", "recheck_saved_model_example", "ExampleWriter"]

#: Project-local home of the example database and the saved counterexamples.
DEFAULT_HOME = Path(".proofs-check")


def safe_name(reference: str) -> str:
    """A claim reference as a file name: characters other than letters, digits and ``._-``
    become ``_``.

    >>> safe_name("examples.my_claims:FIRST")
    'examples.my_claims_FIRST'
    """
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in reference)


def save_file_in(save_dir, claim_ref: str) -> Path:
    """The file ``<save_dir>/<claim>.json``; a named directory is made, its parents never
    (as ``--save-dir`` on the command line)."""
    return ensure_writable_directory(save_dir, "save directory", error=UsageError) \
        / f"{safe_name(claim_ref)}.json"


def move_aside(path: Path) -> Path:
    """Rename a file that cannot be used to ``<name>.corrupt[-N]``, next to it; never
    overwrite an earlier one."""
    for n in range(1000):
        target = path.with_name(path.name + (".corrupt" if n == 0 else f".corrupt-{n}"))
        if not target.exists():
            os.replace(path, target)
            return target
    raise UsageError(f"{str(path)!r} is corrupt and 1000 earlier corrupt copies are in the way")


def exact_file_form(config: Configuration, digits: int) -> dict:
    """A teacher-student configuration's JSON form, its entries to ``digits`` digits."""
    # Not Configuration.to_dict: its exact branch normalises in Decimal's default
    # 28-digit context, which rounds long entries (a 1e-24 loss needs ~50 digits).
    return config.to_dict(digits, number=fraction_to_significant_digits)


def canonical(config: Configuration, dps: int) -> Configuration:
    """The configuration that its JSON form denotes: what is evaluated is what is saved."""
    return Configuration.from_dict(exact_file_form(config, config_digits(dps)))


def _level_of(data):
    try:
        return float(data.get("level")) if data.get("level") is not None else None
    except (TypeError, ValueError):
        return None


def recheck_saved(claim, save_file: Path, result: SearchResult, max_loss):
    """The saved teacher-student counterexample as a candidate, or None with a note: a
    corrupt file is moved aside (never silently overwritten), one outside the hypotheses is
    skipped."""
    try:
        data = load_counterexample(save_file)
        if data["dps"] is None:
            raise UsageError("field 'dps' is missing")
        if data["dps"] > DEFAULT_LIMITS.max_dps:  # a search never records so many digits
            raise UsageError(f"field 'dps' = {data['dps']} is above {DEFAULT_LIMITS.max_dps}")
    except UsageError as exc:
        aside = move_aside(save_file)
        result.notes.append(f"saved counterexample {str(save_file)!r} is corrupt ({exc}); "
                            f"moved aside to {str(aside)!r}")
        return None
    dps = data["dps"]
    cfg = canonical(data["config"], dps)
    outside = hypothesis_violations(claim, cfg, dps, max_loss)
    if outside:
        result.notes.append(f"saved example {str(save_file)!r} is outside the hypotheses of "
                            f"{claim.id} ({'; '.join(outside)}); not re-checked")
        return None
    result.saved_checked = 1
    return Candidate(cfg, margin_at(claim, cfg, dps), dps, _level_of(data), data.get("family"),
                     data.get("origin") or "hypothesis", saved=True, file_form=exact_file_form)


def recheck_saved_model_example(claim, model, save_file: Path, result: SearchResult):
    """The saved counterexample of a claim on a paper model's own configuration type, as a
    candidate of origin ``saved`` (written back as such), or None: a file that cannot be read
    is left for the search to replace."""
    try:
        data = json.loads(save_file.read_text())
        config = model.configuration.from_dict(data["config"])
        cand = Candidate(config, margin_at(claim, config, int(data["dps"])), int(data["dps"]),
                         origin="saved", scale_field="scale")
    except (ValueError, KeyError, TypeError):
        return None  # a stale or foreign file: the search replaces it
    result.saved_checked = 1
    return cand


class ExampleWriter:
    """Writes the best example so far to ``json_path`` (``-``: stdout, once, at the end) and a
    counterexample to ``save_file``, atomically.  Never raises while the search runs (inside
    the Hypothesis test an error would be taken for a failure of the claim): the first error
    is kept and raised by :meth:`raise_error` once the search has stopped."""

    def __init__(self, json_path, save_file: Path | None):
        self.json_path, self.save_file = json_path, save_file
        self.to_stdout = json_path is not None and str(json_path) == STDIO
        self.error = None

    def _write(self, path, text, what):
        try:
            write_atomically(path, text, what=what, error=UsageError)
        except (OSError, UsageError) as exc:
            self.error = self.error or exc

    def best_improved(self, cand: Candidate, text: str) -> None:
        if self.json_path is not None and not self.to_stdout:
            self._write(self.json_path, text, "--json")
        if self.save_file is not None and cand.counterexample and not cand.saved:
            self._write(self.save_file, text, "saved counterexample")  # a re-checked file stays as it was

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error

    def finish(self, result: SearchResult, text: str | None) -> None:
        """At the end: the best example to stdout, or the --json file (rewritten when the
        search was cut short, so that the file says so); the files written, listed."""
        self.raise_error()
        if self.to_stdout and text is not None:
            write_output(self.json_path, text)
        elif self.json_path is not None and text is not None:
            if result.interrupted:
                self._write(self.json_path, text, "--json")
                self.raise_error()
            result.written.append(Path(self.json_path))
        if self.save_file is not None and result.found:
            result.written.append(self.save_file)
