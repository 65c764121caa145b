"""The configuration of a teacher-student pair, validated once at construction.

A configuration holds the teacher rows ``w*_1..w*_r`` and the student rows ``w_1..w_m`` in
``R^d`` as exact rationals (:class:`fractions.Fraction`), so a decimal string such as
``"0.1"`` is kept exactly and can be evaluated at any precision.

JSON form::

    {"teacher": [[1, 0], [0, 1]], "student": [["0.7", "0.7"], [0, 1]], "activation": "abs"}

>>> c = Configuration.from_dict({"teacher": [[1, 0]], "student": [["0.5", 0], [0, 0]]})
>>> c.r, c.m, c.d
(1, 2, 2)
>>> c.student[0][0]
Fraction(1, 2)
>>> Configuration.from_dict({"teacher": [[1, 0]], "student": [[1]]})
Traceback (most recent call last):
...
numeric.config.ConfigurationError: student row 0 has 1 entries, but teacher rows have 2 (dimension d = 2)
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import math
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from pathlib import Path

__all__ = [
    "ConfigurationError",
    "Configuration",
    "to_fraction",
    "fraction_to_decimal_string",
    "load_configuration",
    "save_configuration",
    "read_json_file",
    "write_atomically",
    "ensure_writable",
    "ensure_writable_directory",
    "write_output",
    "decimal_length_limit",
    "MAX_DECIMAL_CHARS",
    "STDIO",
]

ACTIVATIONS = ("abs", "relu")


class ConfigurationError(ValueError):
    """A configuration that is malformed; the message names the field and the value."""


#: Decimal exponents beyond this are refused: they mean nothing at any precision we
#: evaluate (<= 4000 digits) and ``Fraction(Decimal("1e99999999"))`` would not finish.
MAX_DECIMAL_EXPONENT = 10_000


#: Decimal strings longer than this are refused: converting one costs time quadratic in
#: its length (1 M digits: about half a minute) and no evaluation uses more than a few
#: thousand digits.  ``decimal_length_limit`` lifts or changes it (CLI: ``--no-limits``).
MAX_DECIMAL_CHARS = 10_000

_decimal_chars_limit: contextvars.ContextVar = contextvars.ContextVar(
    "decimal_chars_limit", default=MAX_DECIMAL_CHARS)


@contextlib.contextmanager
def decimal_length_limit(max_chars: int | None):
    """Within the block, :func:`to_fraction` accepts decimal strings of at most
    ``max_chars`` characters (None: any length).

    >>> with decimal_length_limit(5):
    ...     to_fraction("0.12345", "x")
    Traceback (most recent call last):
    ...
    numeric.config.ConfigurationError: x is a decimal string of 7 characters, more than the limit of 5 (--no-limits lifts it)
    """
    token = _decimal_chars_limit.set(max_chars)
    try:
        yield
    finally:
        _decimal_chars_limit.reset(token)


class _JsonNumber(str):
    """A JSON number literal, kept as text so that it converts exactly."""


class _JsonConstant(str):
    """A JSON ``NaN`` / ``Infinity`` / ``-Infinity``, rejected with its field's name."""


def to_fraction(value, field: str) -> Fraction:
    """Convert a JSON number, decimal string, int, Fraction or finite float exactly.

    Anything with ``mpf``-like ``man``/``exp`` (an mpmath number) or ``mid()`` is converted
    exactly too.  NaN, infinities, booleans and non-numbers raise :class:`ConfigurationError`.
    """
    if isinstance(value, bool) or value is None:
        raise ConfigurationError(f"{field} = {value!r} is not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        return Fraction(value)
    if isinstance(value, _JsonConstant):
        raise ConfigurationError(f"{field} = {value} is not finite")
    if isinstance(value, str):
        limit = _decimal_chars_limit.get()
        if limit is not None and len(value) > limit:
            raise ConfigurationError(
                f"{field} is a decimal string of {len(value)} characters, more than the limit "
                f"of {limit} (--no-limits lifts it)"
            )
        if not value.isascii():  # Decimal would read "١" or "１" as digits
            raise ConfigurationError(f"{field} = {value!r} is not a decimal number (only ASCII digits"
                                     " 0-9 are numbers)")
        try:
            dec = Decimal(value.strip())
        except InvalidOperation:
            raise ConfigurationError(f"{field} = {value!r} is not a decimal number") from None
        if not dec.is_finite():
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        if isinstance(value, _JsonNumber) and not math.isfinite(float(dec)):
            raise ConfigurationError(
                f"{field} = {value} overflows to infinity as a JSON number; "
                "write it as a decimal string if you mean it"
            )
        if dec != 0 and abs(dec.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise ConfigurationError(
                f"{field} = {value!r} has a decimal exponent beyond +-{MAX_DECIMAL_EXPONENT}"
            )
        return Fraction(dec)
    if hasattr(value, "_mpf_"):  # mpmath.mpf: (sign, mantissa, exponent, bitcount)
        import mpmath

        if not mpmath.isfinite(value):
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        sign, man, exp, _ = value._mpf_
        return (-1) ** sign * Fraction(int(man)) * (Fraction(2) ** int(exp))
    if hasattr(value, "mid") and hasattr(value, "rad"):  # flint.arb: its midpoint
        if not value.is_finite():
            raise ConfigurationError(f"{field} = {value!r} is not finite")
        return _arb_mid(value)
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalar
        return to_fraction(value.item(), field)
    raise ConfigurationError(f"{field} = {value!r} is not a number (type {type(value).__name__})")


def _arb_mid(value) -> Fraction:
    man, exp = value.mid().man_exp()
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def fraction_to_decimal_string(x: Fraction, digits: int = 60) -> str:
    """Exact decimal string when ``x`` has one with at most ``digits`` decimal places,
    else ``digits`` significant digits.

    >>> fraction_to_decimal_string(Fraction(1, 8))
    '0.125'
    >>> fraction_to_decimal_string(Fraction(1, 3), digits=5)
    '0.33333'
    >>> x = Fraction(10**40 + 1, 10**45)
    >>> Fraction(Decimal(fraction_to_decimal_string(x))) == x
    True
    """
    if x == 0:
        return "0"
    den = x.denominator
    places = 0
    for p in (2, 5):
        k = 0
        while den % p == 0:
            den //= p
            k += 1
        places = max(places, k)
    if den == 1 and places <= digits:
        scaled = x.numerator * 10**places // x.denominator  # exact
        with localcontext() as ctx:
            ctx.prec = len(str(abs(scaled))) + 5  # never round: normalize() obeys prec
            dec = Decimal(scaled).scaleb(-places).normalize()
            return format(dec, "f") if -30 < dec.adjusted() < 30 else str(dec)
    with localcontext() as ctx:
        ctx.prec = digits
        return str(Decimal(x.numerator) / Decimal(x.denominator))


def _rows(value, field: str) -> tuple:
    if not isinstance(value, (list, tuple)) or len(value) == 0:
        raise ConfigurationError(f"{field} must be a non-empty list of rows, got {value!r:.80}")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, (list, tuple)):
            raise ConfigurationError(f"{field} row {i} = {row!r:.80} is not a list of numbers")
        rows.append(tuple(to_fraction(x, f"{field}[{i}][{k}]") for k, x in enumerate(row)))
    return tuple(rows)


def loads_exact(text: str):
    """``json.loads`` keeping numbers exact (as decimal strings for :func:`to_fraction`), with
    malformed JSON reported by line and column as a :class:`ConfigurationError`."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys("JSON", ConfigurationError), **_EXACT_NUMBERS)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


@dataclass(frozen=True)
class Configuration:
    """Teacher ``r x d`` and student ``m x d`` rows, exact, with ``m >= r >= 1``.

    ``activation`` is ``"abs"`` (the paper's network) or ``"relu"`` (App. A: ReLU student
    with the best linear term fitted, whose loss is exactly 1/4 of the abs loss).
    """

    teacher: tuple
    student: tuple
    activation: str = "abs"

    def __post_init__(self):
        teacher = _rows(self.teacher, "teacher")
        student = _rows(self.student, "student")
        object.__setattr__(self, "teacher", teacher)
        object.__setattr__(self, "student", student)
        d = len(teacher[0])
        if d == 0:
            raise ConfigurationError("teacher row 0 is empty: the dimension d must be >= 1")
        for i, row in enumerate(teacher):
            if len(row) != d:
                raise ConfigurationError(
                    f"teacher row {i} has {len(row)} entries, but teacher row 0 has {d}"
                    " (rows must all have the dimension d)"
                )
        for j, row in enumerate(student):
            if len(row) != d:
                raise ConfigurationError(
                    f"student row {j} has {len(row)} entries, but teacher rows have {d}"
                    f" (dimension d = {d})"
                )
        if len(student) < len(teacher):
            raise ConfigurationError(
                f"student has m = {len(student)} rows but teacher has r = {len(teacher)};"
                " the paper's setting needs m >= r"
            )
        if self.activation not in ACTIVATIONS:
            raise ConfigurationError(
                f"activation = {self.activation!r} is not one of {ACTIVATIONS}"
            )

    @property
    def r(self) -> int:
        return len(self.teacher)

    @property
    def m(self) -> int:
        return len(self.student)

    @property
    def d(self) -> int:
        return len(self.teacher[0])

    def zero_students(self) -> tuple:
        """Indices of student rows that are exactly the zero vector."""
        return tuple(j for j, row in enumerate(self.student) if not any(row))

    def replace(self, **changes) -> "Configuration":
        fields = {"teacher": self.teacher, "student": self.student, "activation": self.activation}
        fields.update(changes)
        return Configuration(**fields)

    @classmethod
    def from_dict(cls, data) -> "Configuration":
        if not isinstance(data, dict):
            raise ConfigurationError(
                f"configuration must be a JSON object with keys 'teacher' and 'student', got {type(data).__name__}"
            )
        for key in ("teacher", "student"):
            if key not in data:
                raise ConfigurationError(f"missing key {key!r} (a list of rows of numbers)")
        unknown = set(data) - {"teacher", "student", "activation"}
        if unknown:
            raise ConfigurationError(f"unknown key(s) {sorted(unknown)}; allowed: teacher, student, activation")
        return cls(data["teacher"], data["student"], data.get("activation", "abs"))

    def to_dict(self, digits: int = 60) -> dict:
        """JSON-ready dict; numbers as decimal strings (exact where short, else ``digits``)."""
        conv = lambda rows: [[fraction_to_decimal_string(x, digits) for x in row] for row in rows]
        out = {"teacher": conv(self.teacher), "student": conv(self.student)}
        if self.activation != "abs":
            out["activation"] = self.activation
        return out

    @classmethod
    def from_json(cls, text: str) -> "Configuration":
        return cls.from_dict(loads_exact(text))

    def to_json(self, digits: int = 60) -> str:
        return json.dumps(self.to_dict(digits), indent=1)


def _json_int(text: str):
    # Huge integer literals would be exact but meaningless; route them through the
    # decimal checks (exponent cap) by keeping them as number text.
    return int(text) if len(text) <= 400 else _JsonNumber(text)


#: ``json.loads`` hooks that keep numbers as text for exact conversion by field.
_EXACT_NUMBERS = dict(parse_float=_JsonNumber, parse_int=_json_int, parse_constant=_JsonConstant)


#: The path that means standard input (for reading) or standard output (for writing).
STDIO = "-"

_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def _json_text(raw: bytes, name: str, error) -> str:
    """Decode a JSON file's bytes as UTF-8 (a UTF-8 byte-order mark is allowed); other
    encodings and binary files raise ``error`` naming the file and what it looks like."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise error(f"{name} is {encoding} text; JSON files must be UTF-8 (re-save it as UTF-8)")
    if b"\x00" in raw[:4096]:
        raise error(f"{name} is a binary file (it holds NUL bytes), not JSON text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                    "JSON files must be UTF-8") from None


def _unique_keys(name: str, error):
    """A ``json.loads`` hook that builds objects and refuses a repeated key (JSON would keep
    the last value silently), naming the key and the file."""
    def build(pairs):
        out = {}
        for key, value in pairs:
            if key in out:
                raise error(f"{name}: the key {key!r} appears twice in one object; keep one")
            out[key] = value
        return out

    return build


def read_json_file(path, what: str, *, error=ConfigurationError, **loads_kwargs):
    """Parse a JSON file (``"-"``: standard input); an unreadable file, a file that is not
    UTF-8 text, malformed or too deeply nested JSON raises ``error`` (an input error class)
    naming the file, and the line and column."""
    if str(path) == "":
        raise error(f"the {what} path is empty")
    if str(path) == STDIO:
        name = "<stdin>"
        try:
            raw = sys.stdin.buffer.read()
        except OSError as exc:
            raise error(f"cannot read {what} from standard input: {exc.strerror}") from None
    else:
        path = Path(path)
        name = path.name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise error(f"cannot read {what} {str(path)!r}: {exc.strerror}") from None
    text = _json_text(raw, name if name == "<stdin>" else repr(str(path)), error)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys(name, error), **loads_kwargs)
    except json.JSONDecodeError as exc:
        raise error(f"{name}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise error(f"{name}: JSON nested too deeply to parse (a configuration is only two levels deep)") from None


def load_configuration(path) -> Configuration:
    """Read a configuration JSON file, or a file wrapping one under ``"config"``;
    errors name the file."""
    data = read_json_file(path, "configuration file", **_EXACT_NUMBERS)
    if isinstance(data, dict) and "config" in data and "teacher" not in data:
        # A wrapper that carries a configuration: a verdict's "worst" entry or a saved
        # counterexample ({"config": {...}, "margin": ..., ...}).
        data = data["config"]
    try:
        return Configuration.from_dict(data)
    except ConfigurationError as exc:
        name = "<stdin>" if str(path) == STDIO else Path(path).name
        raise ConfigurationError(f"{name}: {exc}") from None


def _output_target(path, what: str, error) -> Path:
    """The file that writing ``path`` must change: a symlink is followed (the link stays a
    link), and anything but a regular file or a new name is refused, naming the path."""
    if str(path) == "":
        raise error(f"{what} is an empty path: give a file name, or '-' for standard output")
    target = Path(os.path.realpath(path))
    try:
        st = target.stat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise error(f"{what} {str(path)!r} cannot be written: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{what} {str(path)!r} is a directory")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if
                stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise error(f"{what} {str(path)!r} is {kind}; write to a regular file, or '-' for standard output")
    return target


def _probe_directory(directory: Path, what: str, named, error, *, create: bool = True,
                     parents: bool = False) -> None:
    """Make and remove a file in ``directory`` (created first when ``create``, with its
    missing parents only when ``parents``); an ``OSError`` becomes ``error`` naming the
    path the user gave (``named``)."""
    missing = directory if not create else directory.parent
    if not os.path.lexists(missing) and not (create and parents):
        raise error(f"{what} {str(named)!r} cannot be written: the directory {str(missing)!r} does not"
                    " exist (create it first; missing directories are not made silently)")
    try:
        directory.mkdir(parents=parents, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".proofs-check.", suffix=".probe")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise error(f"{what} {str(named)!r} cannot be written: {exc.strerror}") from None


def ensure_writable(path, what: str = "output file", *, error=ConfigurationError) -> Path:
    """Check before a long computation that ``path`` can be written (creating its folder),
    so that a result is never computed only to be lost.  ``"-"`` (standard output) always
    can; a symlink is checked at its target; a read-only file is refused, not replaced."""
    if str(path) == STDIO:
        return Path(STDIO)
    target = _output_target(path, what, error)
    if target.exists() and not os.access(target, os.W_OK):
        raise error(f"{what} {str(path)!r} cannot be written: the file is read-only")
    # The file's directory must exist (also a dangling link's target's): never made silently.
    _probe_directory(target.parent, what, path, error, create=False)
    return Path(path)


def ensure_writable_directory(path, what: str = "output directory", *, error=ConfigurationError,
                              parents: bool = False) -> Path:
    """Create the directory ``path`` if needed (its parent must exist, unless ``parents``:
    for a program's own default location) and check that files can be made in it."""
    path = Path(path)
    if str(path) == "":
        raise error(f"{what} is an empty path")
    if path.exists() and not path.is_dir():
        raise error(f"{what} {str(path)!r} is not a directory")
    _probe_directory(path, what, path, error, parents=parents)
    return path


def _new_file_mode(target: Path) -> int:
    """An existing file keeps its permissions; a new one gets ``0o666`` minus the umask,
    as ``open(path, "w")`` would give it."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path, text: str, *, what: str = "output file", error=ConfigurationError) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never a torn file.

    A symlink is written through (its target is replaced, the link kept); a FIFO, device
    or directory raises ``error`` naming the path; permissions are those ``open`` would
    give (an existing file keeps its own).
    """
    target = _output_target(path, what, error)
    if not os.path.lexists(target.parent):
        raise error(f"{what} {str(path)!r} cannot be written: the directory {str(target.parent)!r}"
                    " does not exist")
    mode = _new_file_mode(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_output(path, text: str, *, what: str = "output file", error=ConfigurationError) -> None:
    """:func:`write_atomically`, or standard output when ``path`` is ``"-"``."""
    if str(path) == STDIO:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomically(path, text, what=what, error=error)


def save_configuration(config: Configuration, path, digits: int = 60) -> None:
    write_atomically(path, config.to_json(digits) + "\n")
