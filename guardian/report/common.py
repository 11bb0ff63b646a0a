"""What every writer says the same way: a result's status, its target and the run's summary."""

from __future__ import annotations

import re
from typing import Any

from guardian import __version__
from guardian.catalog.model import Waiver
from guardian.findings import Report, Result

TOOL = "guardian"
VERSION = __version__


def is_waived(result: Result) -> bool:
    """Waived and still in force: an expired waiver leaves the result blocking."""
    return result.waiver is not None and not result.blocking


def status(result: Result) -> str:
    """fail (blocks the gate) | waived | baseline (known before: `--baseline`) | note (reported,
    below the threshold)."""
    if result.blocking:
        return "fail"
    if is_waived(result):
        return "waived"
    return "baseline" if result.baseline else "note"


def target(result: Result) -> str:
    """What the finding is about, for a human: the resource, else the catalog location."""
    f = result.finding
    if f.resource is not None:
        return f"{f.resource.type} {f.resource.name}"
    if f.location:
        return f.location
    return f"dataset {f.dataset}" if f.dataset else "catalog"


def waiver_text(waiver: Waiver) -> str:
    return f"{waiver.reason} (approved by {waiver.approved_by}, expires {waiver.expires})"


def summary(report: Report) -> dict[str, Any]:
    results = report.results
    out: dict[str, Any] = {
        "resources": report.resources,
        "findings": len(results),
        "blocking": sum(r.blocking for r in results),
        "waived": sum(is_waived(r) for r in results),
        "unknown": sum(r.finding.unknown for r in results),
        "unused_waivers": len(report.unused_waivers),
        "fail_on": report.fail_on,
    }
    if report.fixed is not None:  # only with --baseline, so the contract is unchanged without
        out["baseline"] = sum(r.baseline for r in results)
        out["fixed"] = report.fixed
    return out


def waiver_json(waiver: Waiver) -> dict[str, Any]:
    return {
        "rule": waiver.rule,
        "resource": waiver.resource,
        "reason": waiver.reason,
        "approved_by": waiver.approved_by,
        "expires": waiver.expires.isoformat(),
        "location": str(waiver.loc) if waiver.loc.line else None,
    }


_LOCATION = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>\d+))?$")


def split_location(location: str) -> tuple[str, int, int]:
    """`file:line:col` (line and col optional, 0 when absent)."""
    match = _LOCATION.match(location)
    if not match:
        return location, 0, 0
    return match["file"], int(match["line"]), int(match["col"] or 0)
