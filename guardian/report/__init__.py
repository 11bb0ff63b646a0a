"""Writers for a check run's Report: text (CI logs), json (the contract), sarif, junit."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from guardian.errors import UserError
from guardian.findings import Report

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit")


@dataclass(frozen=True)
class Options:
    """How a writer presents the report; each writer reads the options that concern it."""

    quiet: bool = False  # text: what blocks, and the verdict
    compact: bool = False  # text: one line a finding
    sarif_include_info: bool = False  # SARIF: information findings too (kind informational)


DEFAULT = Options()


def render(report: Report, fmt: str = "text", options: Options = DEFAULT) -> str:
    """The report in `fmt`; the same report always gives the same text."""
    if fmt not in FORMATS:
        raise UserError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    # Imported by name so that only the chosen writer loads.
    writer = importlib.import_module(f"guardian.report.{fmt}")
    text: str = writer.render(report, options)
    return text
