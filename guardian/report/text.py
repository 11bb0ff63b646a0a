"""Plain text for a CI log: what blocks first, by severity, then what does not; the checks by
control; the verdict on the last line. `--quiet` keeps what blocks and the verdict; `--compact`
puts each finding on one line."""

from __future__ import annotations

from collections import Counter

from guardian.findings import Report, Result
from guardian.report import DEFAULT, Options
from guardian.report.common import (
    CHECK_STATES,
    ordered,
    status,
    summary,
    tally,
    target,
    unlocated_note,
    waiver_text,
)

LABELS = {"fail": "FAIL", "waived": "WAIVED", "baseline": "KNOWN", "note": "NOTE"}
INDENT = " " * 10


def render(report: Report, options: Options = DEFAULT) -> str:
    results = ordered(report)
    if options.quiet:
        results = [r for r in results if r.blocking]
    lines = [
        *([report.partial] if report.partial else []),
        *([report.accounts_line] if report.accounts_line else []),
        *([report.note] if report.note else []),
        f"guardian check: {report.source_kind} {report.source_path} "
        f"({report.resources} resources, fail on {report.fail_on})",
    ]
    if results:
        lines.append("")
    for result in results:
        lines += [_line(result, report)] if options.compact else _result(result, report)
    if not options.quiet:
        lines += _rest(report)
    lines += ["", _verdict(report)]
    return "\n".join(lines) + "\n"


def _verdict(report: Report) -> str:
    s = summary(report)
    line = (f"{'FAIL' if s['blocking'] else 'PASS'}: {s['resources']} resources, "
            f"{s['findings']} findings: {s['blocking']} blocking, {s['waived']} waived, "
            f"{s['unknown']} unknown, {len(report.unused_waivers)} unused waivers")
    if report.fixed is not None:
        line += (f"; baseline: {s['baseline']} known, {s['findings'] - s['baseline']} new, "
                 f"{s['fixed']} fixed")
    return line


def _rest(report: Report) -> list[str]:
    """Unused waivers, the missing-location note, and the checks by control."""
    lines: list[str] = []
    if report.unused_waivers:
        lines += ["", "unused waivers (they match no finding; remove them):"]
        for w in report.unused_waivers:
            where = f" ({w.loc})" if w.loc.line else ""
            lines.append(f"  {w.rule} on {w.resource}{where}: {waiver_text(w)}")
    note = unlocated_note(report)
    if note:
        lines += ["", note]
    counts = tally(report)
    if counts:
        total: Counter[str] = Counter()
        for c in counts.values():
            total.update(c)
        # passed, failed, waived, unknown always; known and notes when there are any
        shown = [s for s in CHECK_STATES if s in CHECK_STATES[:4] or total[s]]
        width = max(len("checks"), *(len(c) for c in counts))
        lines += ["", f"{'checks':<{width}}  " + "  ".join(f"{s:>7}" for s in shown)]
        for control, c in [*counts.items(), ("all", total)]:
            lines.append(f"{control:<{width}}  " + "  ".join(f"{c[s]:>7}" for s in shown))
    return lines


def _dataset(result: Result, report: Report) -> str:
    """` (dataset X)`, with what is at stake in it when it is sized (`guardian risk`)."""
    f = result.finding
    if not f.dataset:
        return ""
    found = report.valuation(f.dataset)
    stake = f", value at risk {found.shown}" if found and found.at_risk is not None else ""
    return f" (dataset {f.dataset}{stake})"


def _where(result: Result, report: Report) -> str:
    """` (dataset X) at file:line`, and where the components around it were declared."""
    f = result.finding
    dataset = _dataset(result, report)
    if f.resource is None or not result.locations:
        return dataset
    own, *around = result.locations
    inside = f" (in the component at {', '.join(map(str, around))})" if around else ""
    return f"{dataset} at {own}{inside}"


def _line(result: Result, report: Report) -> str:
    """One line: status, severity, rule, where, what, message."""
    f = result.finding
    where = f"{result.locations[0]}: " if result.locations and f.resource is not None else ""
    return (f"{LABELS[status(result)]:<7} {result.severity:<8} {f.rule} {where}"
            f"{target(result, report)}"
            f"{_dataset(result, report)}: "
            f"{report.said(result)}")


def _result(result: Result, report: Report) -> list[str]:
    f, rule = result.finding, result.rule
    label = LABELS[status(result)]
    lines = [
        f"  {label:<7} {result.severity:<8} {f.rule} {rule.title} [{rule.control}]",
        f"{INDENT}on {target(result, report)}{_where(result, report)}",
        f"{INDENT}{report.said(result)}",
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
        lines.append(f"{INDENT}fix: {result.remediation}")
    return lines
