"""What every writer says the same way: a result's status, its target and the run's summary."""

from __future__ import annotations

from typing import Any

from guardian import __version__
from guardian.catalog.model import Waiver
from guardian.findings import Report, Result
from guardian.locations import Location

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
    if result.locations:
        return str(result.locations[0])
    if f.location:
        return f.location
    return f"dataset {f.dataset}" if f.dataset else "catalog"


def location_of(result: Result, report: Report) -> Location | None:
    """The file and line a result points at: its own, else the program's entry file."""
    if result.locations:
        return result.locations[0]
    return Location(report.entry, 0) if report.entry else None


def unlocated_note(report: Report) -> str | None:
    """Said once per report: how many findings have no location of their own, and where they
    point instead."""
    count = sum(not r.locations for r in report.results)
    if not count:
        return None
    where = (f"they point at the program's entry file, {report.entry}" if report.entry
             else "they point at no file")
    return (f"{count} finding(s) have no source location (the {report.source_kind} records "
            f"none for their resource); {where}")


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
