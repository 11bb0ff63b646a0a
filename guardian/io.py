"""Files in and out, at the edge: every input is a bounded regular file, every output is written
without ever replacing or following what it should not.

Inputs (catalog and includes, preview, state, graph, baseline, journal, manifest, bundle, keys)
go through `read_bytes`: it opens without blocking and refuses anything but a regular file (a
FIFO would hang, `/dev/zero` would never end), and reads at most a bound. JSON goes through
`parse_json`: nesting depth, number length and lone surrogates are bounded too, so no input can
exhaust the recursion limit, the integer parser or an encoder later on.

Outputs go through `write_output`: `-` is stdout; a regular file (or a new one) is replaced
atomically, through a temporary file that never survives a failure; an existing character
device (`/dev/null`, a terminal) or an open pipe (`/dev/stdout`, `/dev/fd/N`, a FIFO that has a
reader) is written to, never replaced; a symbolic link to a file, a FIFO nobody reads, a socket
or a directory is refused.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from guardian.errors import UserError

MiB = 2**20
MAX_INPUT = 1024 * MiB  # a graph of 10,000 resources is ~17 MiB, of 50,000 ~84 MiB; ~600,000 fit
MAX_JSON_DEPTH = 200  # Pulumi state nests a few dozen levels at most
MAX_NUMBER_CHARS = 64  # far beyond any port, size or timestamp; int() refuses 4,300 digits

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class InputError(UserError):
    """A file that cannot be read as an input; `path` and `reason` for callers that locate it."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: str | os.PathLike[str], what: str, *, limit: int = MAX_INPUT) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; InputError otherwise.

    `what` says what was expected ("a catalog", "`pulumi preview --json` output").
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise InputError(path, f"no such file (expected {what})") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc} (expected {what})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(path, f"is {_kind(mode)}, not a regular file (expected {what})")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(MiB, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc} (expected {what})") from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(path, f"is larger than {limit // MiB} MiB (expected {what})")
    return b"".join(chunks)


def read_text(path: str | os.PathLike[str], what: str, *, limit: int = MAX_INPUT) -> str:
    """`read_bytes` decoded as UTF-8 (a byte order mark is dropped)."""
    data = read_bytes(path, what, limit=limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}", f"is not UTF-8 text (expected {what})") from None


class _Bound(Exception):
    pass


def _number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Bound(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if value in (float("inf"), float("-inf")):
        raise _Bound(f"the number {text} is out of range")
    return value


def _constant(name: str) -> Any:
    raise _Bound(f"{name} is not a JSON number")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_tree(data: Any, surrogates: bool) -> None:
    """Depth at most MAX_JSON_DEPTH; no lone surrogate (only looked for when escapes exist)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _Bound(f"nested deeper than {MAX_JSON_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if surrogates and isinstance(key, str) and _SURROGATE.search(key):
                    raise _Bound("a lone surrogate (\\ud800-\\udfff) is not text")
                stack.append((item, depth + 1))
        elif surrogates and isinstance(value, str) and _SURROGATE.search(value):
            raise _Bound("a lone surrogate (\\ud800-\\udfff) is not text")


def parse_json(text: str, name: str, expected: str) -> Any:
    """Parse bounded JSON; UserError "NAME:LINE:COL: not valid JSON (...); expected ..."."""
    try:
        data = json.loads(text, parse_int=_number, parse_float=_number,
                          parse_constant=_constant)
        _check_tree(data, surrogates=_SURROGATE_ESCAPE.search(text) is not None)
    except json.JSONDecodeError as exc:
        raise UserError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); "
                        f"expected {expected}") from None
    except RecursionError:
        raise UserError(f"{name}: not valid JSON (nested deeper than {MAX_JSON_DEPTH} "
                        f"levels); expected {expected}") from None
    except _Bound as exc:
        raise UserError(f"{name}: not valid JSON ({exc}); expected {expected}") from None
    return data


def read_json(path: str | os.PathLike[str], expected: str, *, limit: int = MAX_INPUT) -> Any:
    """A bounded JSON file: `read_text`, then `parse_json`."""
    return parse_json(read_text(path, expected, limit=limit), str(path), expected)


# --- output ------------------------------------------------------------------------------


def write_output(text: str | bytes, path: str | os.PathLike[str] | None) -> None:
    """Print to stdout when no path (or `-`) is given; else write `path` as the module says."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    if path is None or str(path) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror or exc}") from None
    if mode is None or stat.S_ISREG(mode):
        replace_file(target, data, keep_mode=mode)
    elif stat.S_ISLNK(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        _write_stream(target, data)
    else:
        raise UserError(f"{target}: is {_kind(mode)}; refusing to write over it")


def _write_stream(target: Path, data: bytes) -> None:
    """Write into an existing character device or open pipe (a link may lead to one), never
    replacing it; a link to anything else is refused."""
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        raise UserError(f"{target}: is a symbolic link to nothing; refusing to follow it"
                        ) from None
    except OSError as exc:
        if exc.errno == 6:  # ENXIO: a FIFO nobody reads; writing would wait forever
            raise UserError(f"{target}: is a FIFO with no reader; refusing to wait for one"
                            ) from None
        if os.path.islink(target):
            raise UserError(f"{target}: is a symbolic link; refusing to follow it") from None
        raise UserError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise UserError(f"{target}: is a symbolic link to {_kind(mode).replace('not ', '')}"
                            if not stat.S_ISREG(mode) else
                            f"{target}: is a symbolic link to a file; refusing to follow it "
                            "(name the file itself)")
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def replace_file(target: Path, data: bytes, *, keep_mode: int | None = None) -> None:
    """Write a new file beside `target`, then rename it over `target` (never following a link
    there); the temporary file is gone whatever happens."""
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp makes 0600; an output keeps the mode of the file it replaces, else the umask's
        os.chmod(tmp, stat.S_IMODE(keep_mode) if keep_mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
