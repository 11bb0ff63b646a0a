"""JUnit XML for CI test reports: one test suite per control, one test case per finding.

A blocking finding is a failure, a waived one or one in the baseline (`--baseline`) is skipped,
one below the threshold passes with its message in system-out: the failures are exactly what
makes `guardian check` exit 1.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from guardian.findings import CONTROLS, Report, Result
from guardian.report.common import TOOL, location_of, status, target, waiver_text


def render(report: Report) -> str:
    root = ET.Element("testsuites", name=TOOL)
    by_control: dict[str, list[Result]] = {}
    for result in report.results:
        by_control.setdefault(result.rule.control, []).append(result)
    order = {c: i for i, c in enumerate(CONTROLS)}
    for control in sorted(by_control, key=lambda c: (order.get(c, len(order)), c)):
        _suite(root, control, by_control[control], report)
    if not report.results:
        suite = _suite(root, TOOL, [], report)
        ET.SubElement(suite, "testcase", name="no findings", classname=TOOL, time="0")
        suite.set("tests", "1")
    _count(root, root.findall("testsuite"))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(root: ET.Element, name: str, results: list[Result], report: Report) -> ET.Element:
    suite = ET.SubElement(root, "testsuite", name=f"{TOOL}.{name}")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="source.kind", value=report.source_kind)
    ET.SubElement(props, "property", name="source.path", value=report.source_path)
    ET.SubElement(props, "property", name="fail_on", value=report.fail_on)
    for result in results:
        _case(suite, result, report)
    suite.set("tests", str(len(results)))
    suite.set("failures", str(sum(status(r) == "fail" for r in results)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(status(r) in ("waived", "baseline") for r in results)))
    suite.set("time", "0")
    return suite


def _case(suite: ET.Element, result: Result, report: Report) -> None:
    f = result.finding
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{f.rule} {target(result)}",
        classname=f"{TOOL}.{result.rule.control}.{f.rule}",
        time="0",
    )
    where = location_of(result, report)
    if where is not None:
        case.set("file", where.file)
        if where.line:
            case.set("line", str(where.line))
    message = f"{'Unknown offline: ' if f.unknown else ''}{f.message}"
    details = [
        f"{result.rule.title} ({result.severity})",
        f"on {target(result)}" + (f" in dataset {f.dataset}" if f.dataset else ""),
        message,
        *(f"related: {r.type} {r.name}" for r in f.related),
        f"fix: {result.rule.remediation}",
    ]
    kind = status(result)
    if kind == "fail":
        if result.waiver is not None:
            details.append(f"waiver expired: {waiver_text(result.waiver)}")
        failure = ET.SubElement(case, "failure", message=message, type=result.severity)
        failure.text = "\n".join(details)
    elif kind == "waived":
        assert result.waiver is not None
        ET.SubElement(case, "skipped", message=f"waived: {waiver_text(result.waiver)}")
    elif kind == "baseline":
        skipped = ET.SubElement(case, "skipped", message="in the baseline: known before, "
                                "not blocking")
        skipped.text = "\n".join(details)
    else:
        ET.SubElement(case, "system-out").text = "\n".join(
            [f"below the threshold, not blocking: {result.severity}", *details]
        )


def _count(root: ET.Element, suites: list[ET.Element]) -> None:
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
