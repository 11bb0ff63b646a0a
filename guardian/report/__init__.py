"""Writers for a check run's Report: text (CI logs), json (the contract), sarif, junit."""

from __future__ import annotations

import importlib
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
    checkout that holds the page, the page at the commit being checked; else None."""
    explicit = environ.get("GUARDIAN_DOCS_URL")
    if explicit:
        return explicit
    server, repo, sha = (environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repo and sha and (repository / RULES_PAGE).is_file():
        return f"{server}/{repo}/blob/{sha}/{RULES_PAGE}"
    return None


def render(report: Report, fmt: str = "text", options: Options = DEFAULT) -> str:
    """The report in `fmt`; the same report always gives the same text."""
    if fmt not in FORMATS:
        raise UserError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    # Imported by name so that only the chosen writer loads.
    writer = importlib.import_module(f"guardian.report.{fmt}")
    text: str = writer.render(report, options)
    return text
