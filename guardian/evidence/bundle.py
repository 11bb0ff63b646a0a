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
import shutil
import stat
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from guardian import __version__
from guardian.catalog.model import Catalog
from guardian.errors import UserError
from guardian.evidence import signing
from guardian.evidence.stable import zip_bytes
from guardian.findings import Report, Rule
from guardian.graph.model import ResourceGraph
from guardian.io import InputError, MiB, parse_json, read_bytes, write_output

MANIFEST = "manifest.json"
SIGNATURE = signing.SIGNATURE  # beside the manifest, over its bytes; not in its list
FORMAT = "guardian.evidence/v1"
# What every bundle holds besides its manifest: verify refuses a bundle without one of them.
MANDATORY = ("catalog.json", "check/results.json", "check/results.sarif", "datamap.json",
             "datamap.mmd", "fides.yml", "notice.html", "notice.md",
             "oscal/assessment-plan.json", "oscal/assessment-results.json",
             "oscal/component-definition.json", "oscal/profile.json",
             "oscal/system-security-plan.json", "report.html", "ropa.csv", "ropa.xlsx")


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
    """Write the bundle as a zip when the target ends with .zip (like any output: atomic, never
    over a link), else as a directory: built beside the target in a new directory, then
    renamed into place, so no link inside an earlier bundle is ever followed and a failure
    leaves the earlier bundle (or nothing) behind."""
    out = Path(target)
    if out.suffix.lower() == ".zip":
        write_output(zip_bytes(sorted(files.items())), out)
        return out
    try:
        mode: int | None = os.lstat(out).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror or exc}") from None
    earlier = False
    if mode is not None:
        if stat.S_ISLNK(mode):
            raise UserError(f"{out}: is a symbolic link; a bundle directory is never followed "
                            "(name the directory itself)")
        if not stat.S_ISDIR(mode):
            raise UserError(f"{out}: exists and is no directory; name a directory (or a .zip)")
        earlier = _is_bundle(out)
        if not earlier and any(os.scandir(out)):
            raise UserError(f"{out}: the directory is not empty and holds no evidence bundle; "
                            "choose an empty or new directory")
    tmp: str | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        for path, data in files.items():
            dest = Path(tmp, path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        for folder, _, _ in os.walk(tmp):
            os.chmod(folder, 0o777 & ~_umask())  # mkdtemp makes 0700; a bundle is for others
        if earlier:  # swap, then drop the earlier bundle (rmtree never follows its links)
            old = tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".old")
            os.rename(out, Path(old, "bundle"))
            os.rename(tmp, out)
            shutil.rmtree(old)
        else:
            os.rename(tmp, out)  # onto nothing or an empty directory
        tmp = None
    except OSError as exc:
        raise UserError(f"{out}: cannot write the bundle: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _is_bundle(folder: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(folder / MANIFEST).st_mode)
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- reading a bundle someone hands over ------------------------------------------------

MAX_ENTRIES = 1_000
MAX_FILE = 64 * MiB  # one file, uncompressed
MAX_TOTAL = 256 * MiB  # every file, uncompressed; also the largest zip read
MAX_RATIO = 200  # uncompressed / compressed, for entries over 1 MiB: a zip bomb is far above
_LINK = stat.S_IFLNK


def read(bundle: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file of a bundle directory or zip, by path; UserError (exit 2) for anything that
    is not plainly a set of files: links, duplicate or escaping names, encrypted or unknown
    entries, a corrupt zip, and sizes or ratios past the limits."""
    path = Path(bundle)
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        raise UserError(f"{path}: no such bundle") from None
    return _read_dir(path) if is_dir else _read_zip(path)


def _read_dir(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for folder, dirs, names in os.walk(root):
        for name in sorted(dirs + names):
            full = Path(folder, name)
            rel = full.relative_to(root).as_posix()
            if full.is_symlink():
                raise UserError(f"{root}: holds a symbolic link, {rel}; a bundle holds files only")
            if name in names:
                if len(files) >= MAX_ENTRIES:
                    raise UserError(f"{root}: holds more than {MAX_ENTRIES} files")
                try:
                    files[rel] = read_bytes(full, "a file of an evidence bundle", limit=MAX_FILE)
                except InputError as exc:
                    raise UserError(f"{root}: {rel}: {exc.reason}") from None
                total += len(files[rel])
                if total > MAX_TOTAL:
                    raise UserError(f"{root}: holds more than {MAX_TOTAL // MiB} MiB")
    return files


def _read_zip(path: Path) -> dict[str, bytes]:
    data = read_bytes(path, "an evidence bundle (a directory or a .zip)", limit=MAX_TOTAL)
    files: dict[str, bytes] = {}
    name = "(the archive)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise UserError(f"{path}: holds more than {MAX_ENTRIES} entries")
            total = 0
            for info in infos:
                name = info.filename
                problem = _entry_problem(info, files)
                if problem:
                    raise UserError(f"{path}: entry {name!r}: {problem}")
                if info.is_dir():
                    continue
                with zf.open(info) as fh:
                    content = fh.read(MAX_FILE + 1)
                if len(content) > MAX_FILE:
                    raise UserError(f"{path}: entry {name!r}: larger than {MAX_FILE // MiB} MiB")
                total += len(content)
                if total > MAX_TOTAL:
                    raise UserError(f"{path}: expands to more than {MAX_TOTAL // MiB} MiB")
                files[name] = content
    except zipfile.BadZipFile as exc:
        which = "" if name == "(the archive)" else f"entry {name!r}: "
        raise UserError(f"{path}: {which}not a readable zip ({exc})") from None
    except (NotImplementedError, RuntimeError, ValueError, EOFError, OSError,
            zlib.error) as exc:
        raise UserError(f"{path}: entry {name!r}: cannot be read ({exc})") from None
    return files


def _entry_problem(info: zipfile.ZipInfo, seen: Mapping[str, bytes]) -> str | None:
    name = info.filename
    parts = name.rstrip("/").split("/")
    if name.startswith("/") or "\\" in name or ":" in parts[0] or \
            any(p in ("", ".", "..") for p in parts):
        return "an absolute, parent or empty path; a bundle's names stay inside it"
    if any(ord(c) < 32 for c in name):
        return "a control character in the name"
    if name in seen or name.rstrip("/") + "/" in seen:
        return "the name appears twice (viewers and verify would read different entries)"
    kind = (info.external_attr >> 16) & 0o170000
    if kind == _LINK:
        return "a symbolic link; a bundle holds files only"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "not a regular file"
    if info.flag_bits & 0x1:
        return "encrypted; a bundle is never encrypted"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"compression method {info.compress_type} (a bundle is stored or deflated)"
    if info.file_size > MAX_FILE:
        return f"declares {info.file_size} bytes (at most {MAX_FILE // MiB} MiB)"
    if info.file_size > MiB and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"compressed more than {MAX_RATIO} to 1 (a zip bomb?)"
    return None


# --- verifying ---------------------------------------------------------------------------


def verify(files: Mapping[str, bytes], public_key: bytes | None = None,
           key_name: str = "the public key") -> list[str]:
    """What is wrong with a bundle, one line per file ("modified: ropa.csv"); empty if intact.
    Files without a manifest are no bundle at all: a UserError, not a failed verification.
    With `public_key`, manifest.json must also carry a valid signature by that key."""
    if MANIFEST not in files:
        raise UserError(f"not an evidence bundle (no {MANIFEST})")
    try:
        manifest = parse_json(files[MANIFEST].decode("utf-8"), MANIFEST, FORMAT)
        expected = manifest["files"]
        if manifest.get("format") != FORMAT or not isinstance(expected, dict) or \
                not all(isinstance(v, str) for v in expected.values()):
            raise ValueError
    except (UserError, ValueError, KeyError, TypeError):
        return [f"modified: {MANIFEST} (not a {FORMAT} manifest)"]
    problems = []
    for path in sorted(set(expected) | set(files) - {MANIFEST, SIGNATURE}):
        if path not in files:
            problems.append(f"removed: {path}")
        elif path not in expected:
            problems.append(f"added: {path}")
        elif hashlib.sha256(files[path]).hexdigest() != expected[path]:
            problems.append(f"modified: {path}")
    problems += [f"missing: {path} (every bundle holds it)"
                 for path in MANDATORY if path not in expected and path not in files]
    if public_key is not None:
        problems += signing.check(files[MANIFEST], files.get(SIGNATURE), public_key, key_name)
    return problems
