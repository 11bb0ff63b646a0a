"""Writers for a check run's Report: text (CI logs), json (the contract), sarif, junit."""

from __future__ import annotations

from guardian.errors import UserError
from guardian.findings import Report

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit")


def render(report: Report, fmt: str = "text") -> str:
    """The report in `fmt`; the same report always gives the same text."""
    if fmt == "text":
        from guardian.report import text as writer
    elif fmt == "json":
        from guardian.report import json as writer
    elif fmt == "sarif":
        from guardian.report import sarif as writer
    elif fmt == "junit":
        from guardian.report import junit as writer
    else:
        raise UserError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return writer.render(report)
