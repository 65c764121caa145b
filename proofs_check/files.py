"""Reading and writing files for the command line and the library: JSON input that names the
file on any fault, atomic output that never leaves a torn file, and checks before a long
computation that its result can be written.

Parsing a dict or a string into a configuration is :mod:`numeric` (pure); this module only
moves bytes between files and those parsers.  Every function raises the input error class
it is given (``error=``), :class:`numeric.errors.ConfigurationError` by default, with one
line naming the path.
"""
from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from numeric.config import EXACT_NUMBER_HOOKS, Configuration, refuse_repeated_keys
from numeric.errors import ConfigurationError
from numeric.dataset import DataSet

__all__ = [
    "STDIO",
    "read_json_file",
    "load_configuration",
    "save_configuration",
    "load_dataset",
    "ensure_writable",
    "ensure_writable_directory",
    "write_atomically",
    "write_output",
]


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
        return json.loads(text, object_pairs_hook=refuse_repeated_keys(name, error), **loads_kwargs)
    except json.JSONDecodeError as exc:
        raise error(f"{name}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise error(f"{name}: JSON nested too deeply to parse (a configuration is only two levels deep)") from None


def load_configuration(path) -> Configuration:
    """Read a configuration JSON file, or a file wrapping one under ``"config"``;
    errors name the file."""
    data = read_json_file(path, "configuration file", **EXACT_NUMBER_HOOKS)
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


def load_dataset(path) -> DataSet:
    """Read a data set JSON file (or one wrapped under ``"config"``); errors name the file."""
    data = read_json_file(path, "data set file", **EXACT_NUMBER_HOOKS)
    if isinstance(data, dict) and "config" in data and "points" not in data:
        data = data["config"]
    try:
        return DataSet.from_dict(data)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{Path(path).name}: {exc}") from None
