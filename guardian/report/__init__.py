"""Writers for a check run's Report: text (CI logs), json (the contract), sarif, junit."""

from __future__ import annotations

import importlib

from guardian.errors import UserError
from guardian.findings import Report

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit")


def render(report: Report, fmt: str = "text") -> str:
    """The report in `fmt`; the same report always gives the same text."""
    if fmt not in FORMATS:
        raise UserError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    # Imported by name so that only the chosen writer loads.
    writer = importlib.import_module(f"guardian.report.{fmt}")
    text: str = writer.render(report)
    return text
