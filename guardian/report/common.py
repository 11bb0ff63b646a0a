"""What every writer says the same way: a result's status, its target and the run's summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guardian import __version__
from guardian.catalog.model import Waiver
from guardian.findings import CONTROLS, Check, Report, Result, Subject, severity_rank
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


STATUS_ORDER = ("fail", "waived", "baseline", "note")


def ordered(report: Report) -> list[Result]:
    """Failures first, by severity; then waived, known (baseline) and notes, by severity. Within
    a severity the report's own order stays: by the value at risk of the findings' dataset, then
    resource, rule and message (`guardian.check.ranked`)."""
    return sorted(report.results,
                  key=lambda r: (STATUS_ORDER.index(status(r)), severity_rank(r.severity)))


# What a check can come to (`Outcome.state`), in the order reports show them.
CHECK_STATES = ("passed", "failed", "waived", "unknown", "known", "notes")


@dataclass(frozen=True)
class Outcome:
    check: Check
    results: tuple[Result, ...]  # its findings, in `order`

    @property
    def state(self) -> str:
        """failed: a decided finding blocks; unknown: a finding could not be decided (a value
        unknown offline, a read a live audit could not make; it blocks when its severity does);
        waived; known (in the baseline); notes: findings below the threshold; passed: none."""
        rs = self.results
        if any(r.blocking and not r.finding.unknown for r in rs):
            return "failed"
        if any(r.finding.unknown and not is_waived(r) for r in rs):
            return "unknown"
        if any(is_waived(r) for r in rs):
            return "waived"
        if any(r.baseline for r in rs):
            return "known"
        return "notes" if rs else "passed"


def outcomes(report: Report) -> list[Outcome]:
    """Every check with its findings: the rules' checks (passing ones included) and a check
    for each finding outside them (checkov's), by control order, rule and subject."""
    found: dict[tuple[str, str, str], list[Result]] = {}
    for r in ordered(report):
        found.setdefault((r.rule.id, *Subject.of(r.finding).key), []).append(r)
    checks = {c.key: c for c in report.checks}
    for key, rs in found.items():
        if key not in checks:
            f = rs[0].finding
            checks[key] = Check(rs[0].rule, Subject.of(f), f.dataset,
                                rs[0].locations[0] if rs[0].locations else None)
    rank = {c: i for i, c in enumerate(CONTROLS)}
    by_control = sorted(checks.values(), key=lambda c: (
        rank.get(c.rule.control, len(rank)), c.rule.id, str(c.subject)))
    return [Outcome(c, tuple(found.get(c.key, ()))) for c in by_control]


def tally(report: Report) -> dict[str, Counter[str]]:
    """Control -> how many of its checks came to each state."""
    out: dict[str, Counter[str]] = {}
    for o in outcomes(report):
        out.setdefault(o.check.rule.control, Counter())[o.state] += 1
    return out


def target(result: Result, report: Report | None = None) -> str:
    """What the finding is about, for a human: the resource (and its account and region, or
    its project, when the report covers several), else the catalog location."""
    f = result.finding
    account, region = f.where
    where = ""
    if report is not None and len(report.accounts) > 1 and account:
        where = f" in account {account}" + (f" ({region})" if region else "")
    if f.resource is not None:
        several = report is not None and len(report.projects) > 1 and f.resource.project
        if several and not where and f.resource.project != account:
            where = f" in project {f.resource.project}"
        return f"{f.resource.type} {f.resource.name}{where}"
    if result.locations:
        return str(result.locations[0])
    if f.location:
        return f.location
    if account:
        return f"account {account}" + (f" ({region})" if region else "")
    return f"dataset {f.dataset}" if f.dataset else "catalog"


def location_of(result: Result, report: Report) -> Location | None:
    """The file and line a result points at: its own, else the program's entry file."""
    if result.locations:
        return result.locations[0]
    return Location(report.entry, 0) if report.entry else None


def unlocated_note(report: Report, results: Iterable[Result] | None = None) -> str | None:
    """Said once per report: how many of its findings (or of `results`, those a writer shows)
    have no location of their own, and where they point instead."""
    count = sum(not r.locations for r in (report.results if results is None else results))
    if not count:
        return None
    where = (f"they point at the program's entry file, {report.entry}" if report.entry
             else "they point at no file")
    return (f"{count} finding(s) have no source location (the {report.source_kind} records "
            f"none for their resource); {where}")


def at_stake(report: Report, result: Result) -> dict[str, Any] | None:
    """The value at risk of the result's dataset (`guardian risk`): US dollars (None when
    unsized), whether sized in full, and the dataset's rank. None for a result on no dataset."""
    found = report.valuation(result.finding.dataset)
    if found is None:
        return None
    return {"usd": found.at_risk, "complete": found.complete,
            "rank": report.values.index(found) + 1}


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
