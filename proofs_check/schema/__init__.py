"""The results file's schema (``results.schema.json``, shipped with the package) and its check.

One schema describes what ``proofs-check run --json`` writes and what ``proofs-check report
--from`` reads: ``{"schema_version", "seed", "samples", "claims": [verdict, ...], "figures"}``,
each verdict exactly as :meth:`proofs_check.verdict.Verdict.to_json` writes it.  A file
that does not match (truncated, from another version, a field of the wrong type) raises
:class:`ResultsError` (exit code 2) naming the JSON path of the first offending field:

>>> validate_results({"schema_version": 2, "seed": 0, "samples": None, "claims": [{"id": "x"}]})
Traceback (most recent call last):
...
proofs_check.schema.ResultsError: claims[0].title: missing (every verdict field is required; is the file truncated or from another version?)
>>> validate_results({"schema_version": 2, "seed": -1, "samples": None, "claims": []})
Traceback (most recent call last):
...
proofs_check.schema.ResultsError: seed = -1: must be at least 0 (a non-negative integer)
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from proofs_check.errors import UsageError

__all__ = ["SCHEMA_VERSION", "ResultsError", "ResultsBug", "example_verdict", "example_results",
           "results_schema", "validate_results", "json_path", "short_repr"]

#: The version of the results file this code writes and reads (``schema_version``).
SCHEMA_VERSION = 2


class ResultsError(UsageError):
    """A results JSON that does not have the documented shape; the message names the field."""


class ResultsBug(RuntimeError):
    """Results this program produced do not match its own schema: an internal error, not
    bad input (the command line must not report it as exit code 2)."""


@lru_cache(maxsize=1)
def results_schema() -> dict:
    """The JSON Schema of the results file, as a dict."""
    return json.loads(resources.files(__name__).joinpath("results.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    cls = jsonschema.validators.validator_for(results_schema())
    cls.check_schema(results_schema())
    return cls(results_schema())


def json_path(parts) -> str:
    """``["claims", 3, "kind"]`` -> ``"claims[3].kind"``.

    >>> json_path(["claims", 3, "estimate", "fit"]), json_path([])
    ('claims[3].estimate.fit', 'results')
    """
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "results"


def short_repr(value, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for one-line messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _leaf(error):
    """The most specific error below ``anyOf``/``oneOf`` (the deepest path, then the first)."""
    while error.context:
        error = max(error.context, key=lambda e: (len(e.absolute_path), -e.relative_schema_path.__len__()))
    return error


def _explain(error) -> str:
    path = list(error.absolute_path)
    where = json_path(path)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        field = json_path(path + missing[:1])
        why = ("every verdict field is required" if len(path) == 2 and path[0] == "claims"
               else "a required field")
        if not path and missing[:1] == ["schema_version"]:
            why = f"this program reads results schema version {SCHEMA_VERSION}"
        return f"{field}: missing ({why}; is the file truncated or from another version?)"
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "const" and path == ["schema_version"]:
        return (f"schema_version = {short_repr(error.instance)}: this program reads results schema"
                f" version {SCHEMA_VERSION} (the file comes from another version; rerun"
                " `proofs-check run --json`)")
    if error.validator in ("enum", "const"):
        allowed = error.validator_value if error.validator == "enum" else [error.validator_value]
        text = f"must be one of {', '.join(map(repr, allowed))}"
    elif error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        text = "must be " + " or ".join({"object": "an object", "array": "a list", "integer": "an integer",
                                          "null": "null"}.get(k, "a " + k) for k in kinds)
    elif error.validator == "minimum":
        text = f"must be at least {error.validator_value}"
    elif error.validator in ("minItems", "maxItems"):
        text = f"has {len(error.instance)} items"
    elif error.validator == "pattern":
        text = "is not in the expected form"
    else:
        text = error.message if len(error.message) < 120 else error.message[:117] + "..."
    return f"{where} = {short_repr(error.instance)}: {text}" + (f" ({described})" if described else "")


def validate_results(results, *, produced: bool = False) -> None:
    """Raise :class:`ResultsError` unless ``results`` matches the results schema.

    The message names the JSON path of the first offending field (in document order) and
    says what was expected.  With ``produced=True`` (results this program has just
    computed, about to be written) a mismatch is a :class:`ResultsBug` instead.
    """
    version = results.get("schema_version") if isinstance(results, dict) else None
    if isinstance(results, dict) and "schema_version" in results and version != SCHEMA_VERSION:
        # Checked first: every verdict of an older file would otherwise fail on its own.
        message = (f"schema_version = {short_repr(version)}: this program reads results schema version "
                   f"{SCHEMA_VERSION}" + (" (version 1 files name statuses certified/empirical; version 2 "
                                         "has the kinds proved / checked / empirical and the paper's "
                                         "statement beside each verdict)" if version == 1 else "")
                   + "; rerun `proofs-check run --json` to write a current file")
        if produced:
            raise ResultsBug(f"internal error: {message}")
        raise ResultsError(message)
    errors = list(_validator().iter_errors(results))
    if not errors:
        return
    first = min(errors, key=lambda e: [str(p).zfill(8) if isinstance(p, int) else p
                                       for p in e.absolute_path] or [""])
    message = _explain(_leaf(first))
    if produced:
        raise ResultsBug(f"internal error: the results do not match the results schema: {message}")
    raise ResultsError(message)


def example_verdict(claim_id: str, status: str = "checked", **fields) -> dict:
    """A minimal verdict that matches the schema (every field present, most empty); ``fields``
    override any of them.  For examples and tests.

    >>> example_verdict("x", "consistent")["kind"]
    'empirical'
    """
    from proofs_check.judgement import kind_of, versus_paper

    verdict = {"id": claim_id, "title": "", "source": "", "statement_latex": "",
               "kind": kind_of(status, "checked"), "status": status, "expected": status,
               "shown": "", "samples": 0, "loss_range": None, "min_margin": None, "dps": 0,
               "error": None, "worst": None, "estimate": None, "counterexample": None,
               "paper_constant": None, "notes": "", "paper": {"says": "holds", "detail": ""},
               "versus_paper": versus_paper("holds", status), "margin_kind": "relative",
               "instances": 1 if status == "checked" else None,
               "drawn_from": "one example instance" if status == "checked" else ""}
    verdict.update(fields)
    return verdict


def example_results(*claim_ids: str, **verdict_fields) -> dict:
    """A minimal results dict with one :func:`example_verdict` per id.

    >>> validate_results(example_results("a", "b", status="refuted"))
    """
    return {"schema_version": SCHEMA_VERSION, "seed": 0, "samples": None,
            "claims": [example_verdict(cid, **verdict_fields) for cid in claim_ids]}
