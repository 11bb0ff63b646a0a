"""Writers for a check run's Report: text (CI logs), json (the contract), sarif, junit."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from guardian.errors import UserError
from guardian.findings import Report

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit")


@dataclass(frozen=True)
class Options:
    """How a writer presents the report; each writer reads the options that concern it."""

    quiet: bool = False  # text: what blocks, and the verdict
    compact: bool = False  # text: one line a finding
    sarif_include_info: bool = False  # SARIF: information findings too (kind informational)
    docs_url: str | None = None  # SARIF: the rules page (helpUri anchors, informationUri)


DEFAULT = Options()
RULES_PAGE = "docs/rules.md"


def docs_url(environ: Mapping[str, str], repository: Path) -> str | None:
    """Where the rules page can be read: `GUARDIAN_DOCS_URL`, else, in GitHub Actions on a
    checkout that holds Guardian's page (a `docs/rules.md` of another kind is not linked), the
    page at the commit being checked: a pull request's head commit, which GitHub keeps after
    the pull request closes (GITHUB_SHA is then a merge commit it may drop); else None."""
    explicit = environ.get("GUARDIAN_DOCS_URL")
    if explicit:
        return explicit
    server, repo, sha = (environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repo and sha and _is_rules_page(repository / RULES_PAGE):
        return f"{server}/{repo}/blob/{_head_sha(environ) or sha}/{RULES_PAGE}"
    return None


def _is_rules_page(path: Path) -> bool:
    from guardian.report.rules_page import TITLE

    if not path.is_file():  # never a FIFO or a device
        return False
    try:
        with path.open("rb") as f:
            return f.readline(len(TITLE) + 2).rstrip(b"\r\n") == TITLE.encode()
    except OSError:
        return False


def _head_sha(environ: Mapping[str, str]) -> str | None:
    """A pull request event's head commit, from the event payload GitHub writes."""
    from guardian.io import read_json

    event = environ.get("GITHUB_EVENT_PATH")
    if not event or not environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        return None
    try:
        payload = read_json(event, "a GitHub event payload")
    except UserError:
        return None
    pull = payload.get("pull_request") if isinstance(payload, Mapping) else None
    head = pull.get("head") if isinstance(pull, Mapping) else None
    sha = head.get("sha") if isinstance(head, Mapping) else None
    return sha if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha) else None


def render(report: Report, fmt: str = "text", options: Options = DEFAULT) -> str:
    """The report in `fmt`; the same report always gives the same text."""
    if fmt not in FORMATS:
        raise UserError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    # Imported by name so that only the chosen writer loads.
    writer = importlib.import_module(f"guardian.report.{fmt}")
    text: str = writer.render(report, options)
    return text
