"""JUnit XML for CI test reports: one test suite per control, one test case per check (a rule on
one store, dataset or resource it evaluated), passing checks included.

A check with a blocking finding is a failure; one whose findings are waived or in the baseline
(`--baseline`) is skipped; one with findings below the threshold passes with them in
system-out. The failures are exactly what makes `guardian check` exit 1. Test case names carry
no line numbers (they stay the same test when lines move); `file` and `line` say where the
subject is declared.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from guardian.findings import Report, Result
from guardian.report import DEFAULT, Options
from guardian.report.common import (
    TOOL,
    Outcome,
    location_of,
    outcomes,
    status,
    target,
    waiver_text,
)


def render(report: Report, options: Options = DEFAULT) -> str:
    root = ET.Element("testsuites", name=TOOL)
    by_control: dict[str, list[Outcome]] = {}
    for outcome in outcomes(report):
        by_control.setdefault(outcome.check.rule.control, []).append(outcome)
    for control, items in by_control.items():
        _suite(root, control, items, report)
    if not by_control:
        suite = _suite(root, TOOL, [], report)
        ET.SubElement(suite, "testcase", name="no checks", classname=TOOL, time="0")
        suite.set("tests", "1")
    _count(root, root.findall("testsuite"))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(root: ET.Element, name: str, items: list[Outcome], report: Report) -> ET.Element:
    suite = ET.SubElement(root, "testsuite", name=f"{TOOL}.{name}")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="source.kind", value=report.source_kind)
    ET.SubElement(props, "property", name="source.path", value=report.source_path)
    ET.SubElement(props, "property", name="fail_on", value=report.fail_on)
    if report.partial:
        ET.SubElement(props, "property", name="partial", value=report.partial)
    if report.note:
        ET.SubElement(props, "property", name="note", value=report.note)
    kinds = [_case(suite, outcome, report) for outcome in items]
    suite.set("tests", str(len(items)))
    suite.set("failures", str(kinds.count("failure")))
    suite.set("errors", "0")
    suite.set("skipped", str(kinds.count("skipped")))
    suite.set("time", "0")
    return suite


def _case(suite: ET.Element, outcome: Outcome, report: Report) -> str:
    """One test case; returns failure, skipped or passed."""
    check, results = outcome.check, outcome.results
    rule = check.rule
    case = ET.SubElement(suite, "testcase", name=f"{rule.id} {check.subject}",
                         classname=f"{TOOL}.{rule.control}.{rule.id}", time="0")
    where = location_of(results[0], report) if results else check.location
    if where is not None:
        case.set("file", where.file)
        if where.line:
            case.set("line", str(where.line))
    if not results:
        return "passed"
    details = "\n\n".join(_details(r, report) for r in results)
    blocking = [r for r in results if status(r) == "fail"]
    if blocking:
        failure = ET.SubElement(case, "failure", message=_messages(blocking, report),
                                type=blocking[0].severity)
        failure.text = details
        return "failure"
    if all(status(r) in ("waived", "baseline") for r in results):
        skipped = ET.SubElement(case, "skipped",
                                message="; ".join(dict.fromkeys(_why(r) for r in results)))
        skipped.text = details
        return "skipped"
    ET.SubElement(case, "system-out").text = "\n\n".join(
        f"{_why(r)}\n{_details(r, report)}" for r in results)
    return "passed"


def _why(result: Result) -> str:
    """Why a finding does not block."""
    if result.waiver is not None and status(result) == "waived":
        return f"waived: {waiver_text(result.waiver)}"
    if result.baseline:
        return "in the baseline: known before, not blocking"
    return f"below the threshold, not blocking: {result.severity}"


def _messages(results: list[Result], report: Report) -> str:
    return "; ".join(map(report.said, results))


def _details(result: Result, report: Report) -> str:
    f = result.finding
    lines = [
        f"{result.rule.title} ({result.severity})",
        f"on {target(result, report)}" + (f" in dataset {f.dataset}" if f.dataset else ""),
        report.said(result),
        *(f"related: {r.type} {r.name}" for r in f.related),
        *(f"declared at {loc}" for loc in result.locations[:1] if f.resource is not None),
        f"fix: {result.remediation}",
    ]
    if result.waiver is not None and result.blocking:
        lines.append(f"waiver expired: {waiver_text(result.waiver)}")
    return "\n".join(lines)


def _count(root: ET.Element, suites: list[ET.Element]) -> None:
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
