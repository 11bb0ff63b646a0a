"""Plain text for a CI log: findings grouped by dataset, one summary line at the end."""

from __future__ import annotations

from guardian.findings import Report, Result
from guardian.report.common import status, summary, target, unlocated_note, waiver_text

LABELS = {"fail": "FAIL", "waived": "WAIVED", "baseline": "KNOWN", "note": "NOTE"}
NO_DATASET = "(no dataset)"
INDENT = " " * 10


def render(report: Report) -> str:
    s = summary(report)
    lines = [
        f"guardian check: {report.source_kind} {report.source_path} "
        f"({report.resources} resources, fail on {report.fail_on})"
    ]
    groups: dict[str, list[Result]] = {}
    for result in report.results:
        groups.setdefault(result.finding.dataset or NO_DATASET, []).append(result)
    for dataset, results in groups.items():
        lines += ["", dataset]
        for result in results:
            lines += _result(result)
    if report.unused_waivers:
        lines += ["", "unused waivers (they match no finding; remove them):"]
        for w in report.unused_waivers:
            where = f" ({w.loc})" if w.loc.line else ""
            lines.append(f"  {w.rule} on {w.resource}{where}: {waiver_text(w)}")
    note = unlocated_note(report)
    if note:
        lines += ["", note]
    verdict = "FAIL" if s["blocking"] else "PASS"
    lines += [
        "",
        f"{verdict}: {s['resources']} resources, {s['findings']} findings: "
        f"{s['blocking']} blocking, {s['waived']} waived, {s['unknown']} unknown, "
        f"{len(report.unused_waivers)} unused waivers",
    ]
    if report.fixed is not None:
        lines[-1] += (f"; baseline: {s['baseline']} known, {s['findings'] - s['baseline']} new, "
                      f"{s['fixed']} fixed")
    return "\n".join(lines) + "\n"


def _declared(result: Result) -> str:
    """` at file:line` for a resource, and where the components around it were declared."""
    if result.finding.resource is None or not result.locations:
        return ""
    own, *around = result.locations
    inside = f" (in the component at {', '.join(map(str, around))})" if around else ""
    return f" at {own}{inside}"


def _result(result: Result) -> list[str]:
    f, rule = result.finding, result.rule
    label = LABELS[status(result)]
    lines = [
        f"  {label:<7} {result.severity:<8} {f.rule} {rule.title} [{rule.control}]",
        f"{INDENT}on {target(result)}{_declared(result)}",
        f"{INDENT}{'UNKNOWN offline: ' if f.unknown else ''}{f.message}",
    ]
    if f.related:
        related = ", ".join(f"{r.type} {r.name}" for r in f.related)
        lines.append(f"{INDENT}related: {related}")
    if result.waiver is not None:
        state = "waived" if label == "WAIVED" else "waiver EXPIRED"
        lines.append(f"{INDENT}{state}: {waiver_text(result.waiver)}")
    if result.baseline:
        lines.append(f"{INDENT}in the baseline: known before, not blocking")
    if label != "WAIVED" and result.severity != "info":  # information asks for no fix
        lines.append(f"{INDENT}fix: {rule.remediation}")
    return lines
