"""Configurations: exact parsing, round trips, and bad input rejected with the field named.

The command-line side of bad input (exit code 2, one line on stderr) is in test_cli_eval.py.
"""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numeric import float64
from numeric.config import Configuration
from numeric.errors import ConfigurationError
from numeric.numbers import to_fraction
from proofs_check.files import load_configuration, save_configuration


def test_from_dict_is_exact():
    c = Configuration.from_dict({"teacher": [[1, "0.1"]], "student": [["-2.5", "1e-30"], [0, 0]]})
    assert (c.r, c.m, c.d, c.activation) == (1, 2, 2, "abs")
    assert c.teacher[0][1] == Fraction(1, 10)
    assert c.student[0] == (Fraction(-5, 2), Fraction(1, 10**30))
    assert c.zero_students() == (1,)


@pytest.mark.parametrize("value, exact", [
    ("0.1", Fraction(1, 10)),
    (" 7 ", Fraction(7)),
    ("-1.5e-3", Fraction(-3, 2000)),
    (0.1, Fraction(3602879701896397, 36028797018963968)),  # the float itself, exactly
    (3, Fraction(3)),
    (Decimal("2.25"), Fraction(9, 4)),
    (Fraction(1, 3), Fraction(1, 3)),
    (np.float64(0.5), Fraction(1, 2)),
    (np.int64(-4), Fraction(-4)),
])
def test_to_fraction_is_exact(value, exact):
    assert to_fraction(value, "x") == exact


def test_to_fraction_of_multiprecision_numbers_is_exact():
    with mpmath.workdps(50):
        third = mpmath.mpf(1) / 3
        assert mpmath.mpf(to_fraction(third, "x").numerator) / to_fraction(third, "x").denominator == third
    with flint.ctx.workdps(50):
        ball = flint.arb(1) / 3
        f = to_fraction(ball, "x")
        assert flint.arb(flint.fmpq(f.numerator, f.denominator)) == ball.mid()


def test_configuration_is_frozen_and_replace_validates():
    c = Configuration([[1, 0]], [[1, 0], [0, 1]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.student = ()
    assert c.replace(activation="relu").activation == "relu"
    with pytest.raises(ConfigurationError, match="student row 1 has 3 entries"):
        c.replace(student=[[1, 0], [0, 1, 2]])


# -- round trips -------------------------------------------------------------------------------

dyadic = st.integers(-400, 400).map(lambda k: Fraction(k, 16))


@st.composite
def dyadic_configurations(draw):
    d = draw(st.integers(1, 4))
    r = draw(st.integers(1, 3))
    m = r + draw(st.integers(0, 2))
    rows = lambda n: st.lists(st.lists(dyadic, min_size=d, max_size=d), min_size=n, max_size=n)
    return Configuration(draw(rows(r)), draw(rows(m)), draw(st.sampled_from(["abs", "relu"])))


@settings(max_examples=100, deadline=None)
@given(config=dyadic_configurations())
def test_json_round_trip_is_exact(config):
    """Entries with a short decimal expansion survive to_json / from_json exactly."""
    assert Configuration.from_json(config.to_json()) == config


def test_save_and_load(tmp_path):
    config = Configuration([[1, "0.25"]], [["0.125", -3], [0, "1e-20"]], "relu")
    path = tmp_path / "sub" / "c.json"
    with pytest.raises(ConfigurationError, match="does not exist"):  # no folder made silently
        save_configuration(config, path)
    path.parent.mkdir()
    save_configuration(config, path)
    assert load_configuration(path) == config
    assert [p.name for p in path.parent.iterdir()] == ["c.json"]  # no temporary file left


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(teacher=JSON_VALUES, student=JSON_VALUES, activation=JSON_VALUES)
def test_any_malformed_input_raises_configuration_error_only(teacher, student, activation):
    """Whatever the JSON holds, the result is a configuration or a ConfigurationError."""
    try:
        Configuration.from_dict({"teacher": teacher, "student": student, "activation": activation})
    except ConfigurationError as exc:
        assert "\n" not in str(exc)


# -- bad input: each rejected with the field and the value named -------------------------------

GOOD = {"teacher": [[1, 0]], "student": [[1, 0], [0, 1]]}


def _with(**changes):
    data = json.loads(json.dumps(GOOD))
    data.update(changes)
    return data


BAD_DICTS = {
    "missing key": ({"teacher": [[1, 0]]}, ["'student'"]),
    "ragged teacher rows": (_with(teacher=[[1, 0], [1]]), ["teacher row 1", "1 entries"]),
    "dimension mismatch": (_with(student=[[1, 0], [0, 1, 2]]), ["student row 1", "3 entries", "d = 2"]),
    "NaN float": (_with(teacher=[[1, float("nan")]]), ["teacher[0][1]", "nan"]),
    "inf float": (_with(student=[[1, 0], [float("-inf"), 1]]), ["student[1][0]", "inf"]),
    "'nan' string": (_with(teacher=[[1, "nan"]]), ["teacher[0][1]", "'nan'"]),
    "'Infinity' string": (_with(teacher=[["Infinity", 0]]), ["teacher[0][0]", "'Infinity'"]),
    "m < r": (_with(teacher=[[1, 0], [0, 1], [1, 1]]), ["m = 2", "r = 3"]),
    "unknown activation": (_with(activation="tanh"), ["activation", "'tanh'"]),
    "unknown top-level key": (_with(learning_rate=1), ["learning_rate"]),
    "empty teacher list": (_with(teacher=[]), ["teacher", "[]"]),
    "empty row": (_with(teacher=[[]], student=[[]]), ["teacher row 0", "empty"]),
    "non-numeric entry": (_with(student=[[1, "one"], [0, 1]]), ["student[0][1]", "'one'"]),
    "boolean entry": (_with(student=[[True, 0], [0, 1]]), ["student[0][0]", "True"]),
    "null entry": (_with(student=[[None, 0], [0, 1]]), ["student[0][0]", "None"]),
    "nested entry": (_with(student=[[[1], 0], [0, 1]]), ["student[0][0]", "[1]"]),
    "row is not a list": (_with(student=[[1, 0], "0 1"]), ["student row 1", "'0 1'"]),
}


@pytest.mark.parametrize("case", sorted(BAD_DICTS))
def test_bad_configuration_is_rejected_naming_field_and_value(case):
    data, names = BAD_DICTS[case]
    with pytest.raises(ConfigurationError) as info:
        Configuration.from_dict(data)
    message = str(info.value)
    assert "\n" not in message
    for name in names:
        assert name in message, (case, message)


def test_non_object_json_is_rejected():
    with pytest.raises(ConfigurationError, match="JSON object"):
        Configuration.from_json("[[1, 0]]")


def test_malformed_json_names_line_and_column():
    with pytest.raises(ConfigurationError, match=r"malformed JSON at line 1 column \d+"):
        Configuration.from_json('{"teacher": [[1, 0]], "student": [[1, 0]')


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_constants_name_the_field(constant):
    """BUG (numeric/config.py, Configuration.from_json): the constant is rejected during
    json.loads, before the entry's position is known, so the message is only
    "JSON constant NaN is not a finite number"; it should name teacher[0][1] like every
    other bad entry does."""
    with pytest.raises(ConfigurationError) as info:
        Configuration.from_json('{"teacher": [[1, %s]], "student": [[1, 0]]}' % constant)
    assert constant in str(info.value)
    assert "teacher[0][1]" in str(info.value)


def test_json_number_overflowing_float_is_rejected():
    """BUG (numeric/config.py, to_fraction / from_json): 1e999 is inf in every float parser
    (json.loads gives inf), but parse_float=str keeps it as the exact integer 10^999 and the
    configuration is accepted; float64.as_arrays then raises OverflowError.  Expected: a
    ConfigurationError naming teacher[0][1] and the value."""
    with pytest.raises(ConfigurationError) as info:
        Configuration.from_json('{"teacher": [[1, 1e999]], "student": [[1, 0]]}')
    assert "teacher[0][1]" in str(info.value) and "1e999" in str(info.value)


def test_huge_decimal_exponent_is_rejected_quickly():
    """BUG (numeric/config.py, to_fraction): Fraction(Decimal("1e99999999")) builds the
    exact integer 10^99999999 (hundreds of megabits), so a 45-byte configuration makes
    `proofs-check eval` hang (measured: > 20 s without finishing).  Expected: a
    ConfigurationError naming the field, in well under a second.  Run in a subprocess so the
    hang cannot take the test session with it."""
    code = (
        "from numeric.config import Configuration\n"
        "from numeric.errors import ConfigurationError\n"
        "try:\n"
        "    Configuration.from_json('{\"teacher\": [[1, 1e99999999]], \"student\": [[1, 0]]}')\n"
        "except ConfigurationError as exc:\n"
        "    print('rejected:', exc)\n"
        "else:\n"
        "    print('accepted')\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=4)
    except subprocess.TimeoutExpired:
        pytest.fail("parsing a configuration with the entry 1e99999999 did not finish in 4 s")
    assert done.stdout.startswith("rejected:") and "teacher[0][1]" in done.stdout, done.stdout


def test_load_configuration_names_the_file(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read configuration file .*missing.json"):
        load_configuration(tmp_path / "missing.json")
    with pytest.raises(ConfigurationError, match="cannot read configuration file"):
        load_configuration(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"teacher": [[1, "x"]], "student": [[1, 0]]}')
    with pytest.raises(ConfigurationError, match=r"^bad.json: teacher\[0\]\[1\] = 'x'"):
        load_configuration(bad)


# -- the float64 fast path checks its arrays ----------------------------------------------------

@pytest.mark.parametrize("function", [float64.loss, float64.loss_and_gradient, float64.hessian])
def test_float64_rejects_non_finite_entries_naming_them(function):
    T = np.array([[1.0, 0.0], [0.0, 1.0]])
    S = np.array([[1.0, 0.5], [0.3, 1.0], [1.0, 1.0]])
    bad_T = T.copy()
    bad_T[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"teacher\[1\]\[0\] = nan is not finite"):
        function(bad_T, S)
    bad_S = S.copy()
    bad_S[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"student\[2\]\[1\] = inf is not finite"):
        function(T, bad_S)


@pytest.mark.parametrize("function", [float64.loss, float64.loss_and_gradient, float64.hessian])
def test_float64_rejects_wrong_shapes_naming_them(function):
    """BUG for float64.hessian (numeric/float64.py, hessian): it looks for zero student rows
    with np.any(..., axis=1) *before* _check validates the shapes, so a 1-d student array
    raises numpy's AxisError "axis 1 is out of bounds for array of dimension 1" instead of
    the named shape error (and a zero row in a student of the wrong dimension is reported as
    an undefined Hessian rather than as the dimension mismatch)."""
    T = np.array([[1.0, 0.0]])
    with pytest.raises(ValueError, match=r"student rows have 3 entries, teacher rows have 2"):
        function(T, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"2-d arrays.*\(2,\)"):
        function(T, np.ones(2))
