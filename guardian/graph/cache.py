"""Unchanged programs are not run again: synthesized graphs kept in a cache directory.

An entry is found by a key over everything outside the files that decides what a program
registers: the Python version and the installed distributions (Pulumi, pulumi_aws and every
other; `name-version.dist-info`), the project and program directories, the stack, its final
config (Pulumi.yaml defaults, Pulumi.<stack>.yaml, --config) and the project and stack files
themselves. The entry then lists every file the run read (the program's modules, Guardian's
own code, the catalog and any file the program opened, directories it listed) with a digest
of its content; it is used only when each still has that digest. What a run reads beyond
files (environment variables, the clock) is not seen: `--no-cache` for such programs.

Entries are written atomically; a cache that cannot be read or written is never an error, it
is only not used. The newest KEEP entries are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from guardian.graph.model import Resource, ResourceGraph, Source

FORMAT = "guardian.synth-cache/v1"
KEEP = 64
CI_VARIABLE = "CI"
ENVIRONMENT = "GUARDIAN_CACHE"  # a directory, or "off"


def default_directory(environ: Mapping[str, str] = os.environ) -> Path | None:
    """$GUARDIAN_CACHE ("off" for none), else none under CI, else the user's cache directory."""
    chosen = environ.get(ENVIRONMENT, "").strip()
    if chosen:
        return None if chosen.lower() in ("off", "0", "false", "no") else Path(chosen)
    if environ.get(CI_VARIABLE, "").strip().lower() not in ("", "0", "false", "no"):
        return None
    home = environ.get("HOME") or os.path.expanduser("~")
    base = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return Path(base) / "guardian"


def add_options(group: Any) -> None:
    """`--cache DIR` and `--no-cache` on a parser or argument group."""
    group.add_argument(
        "--cache", metavar="DIR",
        help="keep synthesized graphs here and reuse them while the program's files, the "
        f"catalog and the config are unchanged (default: ~/.cache/guardian, or ${ENVIRONMENT}; "
        f"off when ${CI_VARIABLE} is set)",
    )
    group.add_argument("--no-cache", action="store_true",
                       help="run the program even if an unchanged graph is cached")


def from_args(args: Any) -> Path | None:
    """The cache directory the options ask for; None for no cache."""
    if getattr(args, "no_cache", False):
        return None
    chosen = getattr(args, "cache", None)
    return Path(chosen) if chosen else default_directory()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return _digest(f.read())
    except OSError:
        return None


def _listing_digest(path: str) -> str | None:
    try:
        return _digest("\0".join(sorted(os.listdir(path))).encode("utf-8", "surrogateescape"))
    except OSError:
        return None


def _installed() -> list[str]:
    """Every distribution installed where packages are imported from, as name-version."""
    out: set[str] = set()
    for key in ("purelib", "platlib"):
        with contextlib.suppress(OSError):
            out.update(n for n in os.listdir(sysconfig.get_paths()[key])
                       if n.endswith((".dist-info", ".egg-info")))
    return sorted(out)


def _installed_roots() -> tuple[str, ...]:
    """Directories whose files the key covers already (by the distributions' versions)."""
    paths = sysconfig.get_paths()
    roots = {os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(sorted(r + os.sep for r in roots))


class _Reads:
    """The files and directories read while a run is recorded (a process-wide audit hook,
    added once, that records only while a recording is active)."""

    _lock = threading.Lock()
    _active: list[_Reads] = []
    _hooked = False

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.dirs: set[str] = set()

    @classmethod
    def _hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if not cls._active:
            return
        if event == "open":
            path, mode = args[0], args[1]
            if isinstance(path, str | bytes) and (mode is None or "r" in str(mode)):
                for reads in cls._active:
                    reads.files.add(os.fsdecode(path))
        elif event in ("os.listdir", "os.scandir") and isinstance(args[0], str | bytes):
            for reads in cls._active:
                reads.dirs.add(os.fsdecode(args[0]))

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        with self._lock:
            if not _Reads._hooked:
                sys.addaudithook(_Reads._hook)
                _Reads._hooked = True
            self._active.append(self)
        try:
            yield
        finally:
            with self._lock:
                self._active.remove(self)


class Entry:
    """One program, stack and config in a cache directory."""

    def __init__(self, directory: Path, material: Mapping[str, Any]) -> None:
        self.directory = directory
        self.material = dict(material, format=FORMAT, python=sys.version,
                             installed=_installed())
        key = _digest(json.dumps(self.material, sort_keys=True).encode())
        self.path = directory / f"{key[:32]}.json"
        self.reads = _Reads()

    def load(self, source: Source) -> ResourceGraph | None:
        """The cached graph, if every file it was made from is unchanged; else None."""
        from guardian.errors import UserError
        from guardian.io import read_bytes

        try:  # a regular file, bounded: a FIFO or device put in its place is a miss, not a hang
            data = json.loads(read_bytes(self.path, "a synthesis cache entry"))
        except (UserError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("material") != self.material:
            return None
        try:
            if any(file_digest(p) != d for p, d in data["files"].items()):
                return None
            if any(_listing_digest(p) != d for p, d in data["dirs"].items()):
                return None
            resources = [Resource.from_json(r) for r in data["resources"]]
        except (KeyError, TypeError, AttributeError, ValueError):
            return None
        with contextlib.suppress(OSError):
            os.utime(self.path)  # recently used: kept when pruning
        return ResourceGraph(resources, source)

    def recording(self) -> contextlib.AbstractContextManager[None]:
        return self.reads.recording()

    def save(self, graph: ResourceGraph) -> None:
        """Keep the graph with the digest of every file the run read."""
        skip = (*_installed_roots(), os.path.realpath(self.directory) + os.sep)
        files: set[str] = set()
        for module in list(sys.modules.values()):  # code loaded before the run: Guardian's own
            origin = getattr(module, "__file__", None)
            if isinstance(origin, str):
                files.add(origin)
        for path in self.reads.files:
            if path.endswith(".pyc"):
                with contextlib.suppress(ValueError):
                    path = importlib.util.source_from_cache(path)
            files.add(path)
        kept: dict[str, str] = {}
        for path in files:
            real = os.path.realpath(path)
            if real.startswith(skip) or not os.path.isfile(real):
                continue
            digest = file_digest(real)
            if digest is not None:
                kept[real] = digest
        dirs = {os.path.realpath(d) for d in self.reads.dirs}
        listed = {d: _listing_digest(d) for d in dirs if not d.startswith(skip)}
        entry = {"material": self.material, "files": dict(sorted(kept.items())),
                 "dirs": {d: h for d, h in sorted(listed.items()) if h is not None},
                 "resources": [r.to_json() for r in graph]}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.directory, suffix=".tmp",
                                             delete=False, encoding="utf-8") as tmp:
                json.dump(entry, tmp, separators=(",", ":"))
            os.replace(tmp.name, self.path)
            _prune(self.directory)
        except OSError as exc:
            print(f"guardian: warning: the synthesis cache in {self.directory} is not used: "
                  f"{exc.strerror or exc}", file=sys.stderr)


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
