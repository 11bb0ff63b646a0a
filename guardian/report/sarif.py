"""SARIF 2.1.0 for code-scanning tools (GitHub's upload-sarif among them).

Each result names its resource by URN as a logical location. Code scanning shows only results
with a file, so resource results also point at the file the graph was read from (the program's
`__main__.py`, the preview or the export); catalog results point at their catalog line. Waived
results carry an external, accepted suppression: reported, not dropped. With `--baseline`, each
result has a baselineState: "unchanged" when the baseline had it, else "new".
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import quote

from guardian.findings import Report, Result, Rule
from guardian.report.common import (
    TOOL,
    VERSION,
    is_waived,
    split_location,
    summary,
    waiver_text,
)

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub ranks security alerts by this score (CVSS-like, as a string).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
FINGERPRINT = "guardianFinding/v1"


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"


def document(report: Report) -> dict[str, Any]:
    rules = sorted({r.rule.id: r.rule for r in report.results}.values(), key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    source_uri = _source_uri(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL,
                "version": VERSION,
                "semanticVersion": VERSION,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [{"executionSuccessful": True, "exitCode": report.exit_code}],
        "results": [_result(r, index[r.rule.id], source_uri, report.fixed is not None)
                    for r in report.results],
        "properties": {
            "source": {"kind": report.source_kind, "path": report.source_path},
            "summary": summary(report),
        },
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(rule: Rule) -> dict[str, Any]:
    references = "".join(f"\n- {ref}" for ref in rule.references)
    return {
        "id": rule.id,
        "name": "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", rule.title)),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": rule.remediation,
            "markdown": f"{rule.remediation}\n\nReferences:{references}"
            if references
            else rule.remediation,
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["privacy", rule.control],
            "control": rule.control,
            "severity": rule.severity,
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "references": list(rule.references),
        },
    }


def _result(result: Result, rule_index: int, source_uri: str | None,
            with_baseline: bool) -> dict[str, Any]:
    f = result.finding
    location: dict[str, Any] = {}
    if f.location:
        file, line, col = split_location(f.location)
        location["physicalLocation"] = _physical(_uri(file), line, col)
    elif f.resource is not None and source_uri:
        location["physicalLocation"] = _physical(source_uri, 1, 0)
    if f.resource is not None:
        location["logicalLocations"] = [_logical(f.resource.urn, f.resource.type, f.resource.name)]
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[result.severity],
        "message": {"text": f"{'Unknown offline: ' if f.unknown else ''}{f.message}"},
        "locations": [location] if location else [],
        "partialFingerprints": {FINGERPRINT: _fingerprint(result)},
        "properties": {
            "severity": result.severity,
            "control": result.rule.control,
            "blocking": result.blocking,
            "unknown": f.unknown,
            "dataset": f.dataset,
        },
    }
    if with_baseline:
        out["baselineState"] = "unchanged" if result.baseline else "new"
    if f.related:
        out["relatedLocations"] = [
            {"id": i, "logicalLocations": [_logical(r.urn, r.type, r.name)]}
            for i, r in enumerate(f.related, start=1)
        ]
    if result.waiver is not None:
        if is_waived(result):
            out["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": waiver_text(result.waiver),
                }
            ]
        else:
            out["properties"]["waiverExpired"] = result.waiver.expires.isoformat()
    return out


def _physical(uri: str, line: int, col: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if line >= 1:
        region: dict[str, int] = {"startLine": line}
        if col >= 1:
            region["startColumn"] = col
        physical["region"] = region
    return physical


def _logical(urn: str, typ: str, name: str) -> dict[str, str]:
    return {"name": name, "fullyQualifiedName": urn or f"{typ}::{name}", "kind": "resource"}


def _fingerprint(result: Result) -> str:
    f = result.finding
    subject = (f.resource.urn or f.resource.name) if f.resource else (f.location or "")
    key = "|".join((f.rule, subject, f.dataset or ""))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _source_uri(report: Report) -> str | None:
    """The file a resource result points at; None for sources that are no file (live).
    A program source is its directory: results point at the program's `__main__.py`."""
    if report.source_kind == "live" or not report.source_path:
        return None
    path = report.source_path
    if report.source_kind == "program" and not path.endswith(".py"):
        path = str(PurePath(path) / "__main__.py")
    return _uri(path)


def _uri(path: str) -> str:
    """A URI reference: relative paths stay relative (to the repository), absolute ones file://."""
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(str(PurePosixPath(*pure.parts)), safe="/:@!$&'()*+,;=-._~")
