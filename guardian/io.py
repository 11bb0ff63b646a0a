"""Writing a command's output: to stdout, or atomically to a file."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from guardian.errors import UserError


def write_output(text: str | bytes, path: str | os.PathLike[str] | None) -> None:
    """Print to stdout when no path is given; else write then rename, so no reader sees half."""
    if path is None or str(path) == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        return
    target = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.chmod(tmp.name, 0o666 & ~_umask())  # temp files are 0600; outputs are for others too
        os.replace(tmp.name, target)
    except OSError as exc:
        raise UserError(f"{target}: cannot write: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
