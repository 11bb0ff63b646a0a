"""Where things are written: a file and line, and the repository every output is relative to.

A resource's location is where the user's program declared it: found by offline synthesis, or
read from the `sourcePosition` a preview or a stack export records. Locations in a graph and in
a report are relative to the repository root (the nearest directory holding `.git`, else the
Pulumi project's directory), so code scanning can put a finding on the line that caused it.
A position in a library (node_modules, site-packages, a virtualenv) is not the user's: it gives
no location, and the resource is located by the component that created it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
# Directories that hold other people's code, wherever they sit.
LIBRARY_DIRS = frozenset({"node_modules", "site-packages", "dist-packages", ".venv", "venv",
                          "vendor", "__pypackages__"})
# An entry file per Pulumi runtime, when Pulumi.yaml's `main` names a directory (or nothing).
ENTRY_FILES = {"python": ("__main__.py",), "nodejs": ("index.ts", "index.js"),
               "go": ("main.go",), "dotnet": ("Program.cs", "Program.fs"), "java": ()}


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int  # 1-based; 0 when only the file is known
    col: int = 0  # 1-based; 0 when unknown

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}" if self.line else self.file
        return f"{text}:{self.col}" if self.line and self.col else text

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line}
        if self.col:
            out["column"] = self.col
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Location:
        file, line, col = data["file"], data.get("line", 0), data.get("column", 0)
        if not isinstance(file, str) or not file or not isinstance(line, int) \
                or not isinstance(col, int) or line < 0 or col < 0:
            raise ValueError("a location is {file: non-empty string, line: int, column?: int}")
        return cls(file, line, col)


_TEXT = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>\d+))?$")


def parse(text: str) -> Location:
    """`file:line:col` (line and col optional) as a Location."""
    match = _TEXT.match(text)
    if not match:
        return Location(text, 0, 0)
    return Location(match["file"], int(match["line"]), int(match["col"] or 0))


def is_library(path: PurePosixPath | Path) -> bool:
    return any(part in LIBRARY_DIRS for part in path.parts)


def nearest(start: Path, names: tuple[str, ...]) -> Path | None:
    for folder in (start, *start.parents):
        if any((folder / name).exists() for name in names):
            return folder
    return None


def relative_to(path: str | Path, repository: Path) -> str | None:
    """`path` (absolute, or relative to the working directory) relative to `repository`, as a
    POSIX path; None outside it."""
    try:
        return Path(os.path.abspath(path)).relative_to(repository).as_posix()
    except ValueError:
        return None


def shown(path: Path) -> str:
    """A path as the user would write it: relative to the working directory when inside it."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()


def repository_root(start: Path) -> Path:
    """The repository holding `start`: the nearest directory with `.git`, else `start`."""
    start = start.resolve()
    return nearest(start, (".git",)) or start


@dataclass(frozen=True)
class Roots:
    """What positions are read against: the Pulumi project (`project:///` URIs start there) and
    the repository (every location is made relative to it)."""

    project: Path
    repository: Path

    @classmethod
    def of_project(cls, project: Path) -> Roots:
        project = project.resolve()
        return cls(project, repository_root(project))

    @classmethod
    def around(cls, start: Path | None = None) -> Roots:
        """The Pulumi project at or above `start` (default: the working directory), else
        `start` itself, and its repository."""
        here = (start or Path.cwd()).resolve()
        return cls.of_project(nearest(here, PROJECT_FILES) or here)

    @classmethod
    def of_file(cls, path: Path, project: str | None) -> Roots:
        """The Pulumi project a preview or stack export came from, whose `project:///`
        positions it holds: of the projects at or above the working directory and the file,
        the first named `project` (its URNs' project), else the first found, else the
        working directory."""
        here = Path.cwd().resolve()
        found = [f for f in (nearest(here, PROJECT_FILES),
                             nearest(path.resolve().parent, PROJECT_FILES)) if f]
        named = [f for f in found if project and _project(f).get("name") == project]
        return cls.of_project((named or found or [here])[0])

    def relative(self, path: str | Path) -> str | None:
        return relative_to(path, self.repository)

    def position(self, uri: str, line: int, col: int = 0) -> Location | None:
        """A Pulumi source position (`project:///index.ts`, `file:///abs/app.py`) as a
        location in the repository; None for a library's file, one outside the repository,
        or no usable position."""
        if not uri or line < 1:
            return None
        parts = urlsplit(uri)
        if parts.scheme == "project":
            path = self.project / unquote(parts.path).lstrip("/")
        elif parts.scheme == "file":
            path = Path(unquote(parts.path))
        else:
            return None
        relative = self.relative(path)
        if relative is None or is_library(PurePosixPath(relative)):
            return None
        return Location(relative, line, max(col, 0))

    def entry(self) -> str | None:
        """The project's entry file relative to the repository (Pulumi.yaml's `main` and
        runtime); Pulumi.yaml itself when no entry file is found; None without a project."""
        project_file = _project_file(self.project)
        if project_file is None:
            return None
        main, runtime = _main_and_runtime(_project(self.project))
        target = (self.project / main) if main else self.project
        if target.is_file():
            return self.relative(target)
        for name in ENTRY_FILES.get(runtime, ()):
            if (target / name).is_file():
                return self.relative(target / name)
        return self.relative(project_file)


def _project_file(folder: Path) -> Path | None:
    return next((folder / n for n in PROJECT_FILES if (folder / n).is_file()), None)


def _project(folder: Path) -> Mapping[str, Any]:
    """The Pulumi project file in `folder`, read; empty when absent or unreadable."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from guardian.errors import UserError
    from guardian.io import MiB, read_text

    project_file = _project_file(folder)
    try:
        data = YAML(typ="safe").load(read_text(project_file, "a Pulumi project file",
                                               limit=MiB)) if project_file else None
    except (UserError, YAMLError):
        return {}
    return data if isinstance(data, Mapping) else {}


def _main_and_runtime(data: Mapping[str, Any]) -> tuple[str | None, str]:
    runtime = data.get("runtime")
    name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    main = data.get("main")
    return (main if isinstance(main, str) else None), (name if isinstance(name, str) else "")


_POSITION = re.compile(r"^(?P<uri>.+?)#(?P<line>\d+)(?:,(?P<col>\d+))?$")


def split_position(text: str) -> tuple[str, int, int] | None:
    """The engine's JSON form of a source position, `uri#line,col`, split; None otherwise."""
    match = _POSITION.match(text)
    if not match:
        return None
    return match["uri"], int(match["line"]), int(match["col"] or 0)
