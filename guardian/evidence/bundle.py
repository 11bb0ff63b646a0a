"""The evidence bundle: every export plus the catalog and the check results, and a manifest of
SHA-256 digests that `guardian evidence verify` holds the bundle to.

`build` is pure: (catalog, graph, report, rules, time) -> {path: bytes}; the same inputs give
the same bytes, the time aside (it appears in manifest.json, the OSCAL documents and the HTML
report). Writing to a directory or a zip (sorted entries, fixed entry dates) and verifying are
the edges.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import subprocess
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from guardian import __version__
from guardian.catalog.model import Catalog
from guardian.errors import UserError
from guardian.evidence.stable import zip_bytes
from guardian.findings import Report, Rule
from guardian.graph.model import ResourceGraph

MANIFEST = "manifest.json"
FORMAT = "guardian.evidence/v1"


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    """The catalog as loaded: every field the loader produced, source locations left out."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                    if f.name != "loc"}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, date):
            return value.isoformat()
        return value

    data = plain(catalog)
    data["files"] = [os.path.basename(f) for f in catalog.files]
    data["path"] = os.path.basename(catalog.path)
    return data


def _git(directory: str | os.PathLike[str], *args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=directory, capture_output=True, text=True,
                             timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_state(directory: str | os.PathLike[str], *,
              output: str | os.PathLike[str] | None = None) -> tuple[str | None, bool | None]:
    """(HEAD, dirty) of the git repository holding `directory`; (None, None) outside one or
    without git. Dirty when `git status --porcelain` lists anything (modified, staged or
    untracked), `output` aside: the bundle being written is no input of itself."""
    found = _git(directory, "rev-parse", "--show-toplevel", "HEAD")
    lines = found.splitlines() if found else []
    if len(lines) != 2 or len(lines[1]) != 40:
        return None, None
    top, commit = Path(lines[0]).resolve(), lines[1]
    pathspec = [":(top)"]
    if output is not None:
        out = Path(output).resolve()
        if out != top and out.is_relative_to(top):
            pathspec.append(f":(exclude){out}")
    status = _git(directory, "status", "--porcelain", "--", *pathspec)
    return commit, None if status is None else bool(status.strip())


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (the reproducible-builds convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except ValueError:
            raise UserError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    return datetime.now(UTC).replace(microsecond=0)


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def build(catalog: Catalog, graph: ResourceGraph, report: Report, rules: Sequence[Rule],
          *, time: datetime, commit: str | None, dirty: bool | None = None) -> dict[str, bytes]:
    """Every file of the bundle, manifest.json included, by path. `commit` and `dirty` are
    the catalog repository's `git_state` (None: unknown)."""
    from guardian.evidence import datamap, fides, notice, oscal, ropa
    from guardian.report import render
    from guardian.report.html import render_html

    records = ropa.rows(catalog, graph)
    dmap = datamap.build(catalog, graph)
    files: dict[str, bytes] = {
        "ropa.csv": ropa.to_csv(records).encode(),
        "ropa.xlsx": ropa.to_xlsx(records),
        "notice.md": notice.to_markdown(catalog).encode(),
        "notice.html": notice.to_html(catalog).encode(),
        "datamap.mmd": datamap.to_mermaid(dmap).encode(),
        "datamap.json": _json(dmap),
        "fides.yml": fides.to_yaml(catalog).encode(),
        "catalog.json": _json(catalog_json(catalog)),
        "check/results.json": render(report, "json").encode(),
        "check/results.sarif": render(report, "sarif").encode(),
        "report.html": render_html(catalog, graph, report, time=time).encode(),
        **{f"oscal/{name}": text.encode()
           for name, text in oscal.documents(catalog, report, rules, time).items()},
    }
    files[MANIFEST] = _json({
        "format": FORMAT,
        "tool": {"name": "guardian", "version": __version__},
        "git_commit": commit,
        "git_dirty": dirty,  # true: the inputs are not (all) that commit's
        "created": time.isoformat(),
        "source": {"kind": report.source_kind, "path": report.source_path,
                   "resources": report.resources},
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())},
    })
    return files


def write(files: Mapping[str, bytes], target: str | os.PathLike[str]) -> Path:
    """Write the bundle as a directory, or as a zip when the target ends with .zip."""
    out = Path(target)
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(zip_bytes(sorted(files.items())))
        return out
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UserError(f"{out}: the directory is not empty and holds no evidence bundle; "
                        "choose an empty or new directory")
    if (out / MANIFEST).is_file():  # replace an earlier bundle, file by file
        for old in _listing_dir(out):
            (out / old).unlink()
    for path, data in files.items():
        dest = out / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return out


def _listing_dir(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def read(bundle: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file of a bundle directory or zip, by path."""
    path = Path(bundle)
    if path.is_dir():
        return {name: p.read_bytes() for name, p in _listing_dir(path).items()}
    if path.is_file():
        try:
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
                return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
        except zipfile.BadZipFile:
            raise UserError(f"{path}: neither a bundle directory nor a zip file") from None
    raise UserError(f"{path}: no such bundle")


def verify(files: Mapping[str, bytes]) -> list[str]:
    """What is wrong with a bundle, one line per file ("modified: ropa.csv"); empty if intact.
    Files without a manifest are no bundle at all: a UserError, not a failed verification."""
    if MANIFEST not in files:
        raise UserError(f"not an evidence bundle (no {MANIFEST})")
    try:
        manifest = json.loads(files[MANIFEST])
        expected = manifest["files"]
        if manifest.get("format") != FORMAT or not isinstance(expected, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return [f"modified: {MANIFEST} (not a {FORMAT} manifest)"]
    problems = []
    for path in sorted(set(expected) | set(files) - {MANIFEST}):
        if path not in files:
            problems.append(f"removed: {path}")
        elif path not in expected:
            problems.append(f"added: {path}")
        elif hashlib.sha256(files[path]).hexdigest() != expected[path]:
            problems.append(f"modified: {path}")
    return problems
