"""SARIF 2.1.0 for code-scanning tools (GitHub's upload-sarif among them).

Each result points at the file and line where the program declared its resource (relative to
the repository root, `uriBaseId` %SRCROOT%), so code scanning annotates that line; the
components around it are related locations and the URN a logical location. Catalog results
point at their catalog line. A result whose resource has no location points at the program's
entry file, and the run says so once. Waived results carry an external, accepted suppression:
reported, not dropped. With `--baseline`, each result has a baselineState: "unchanged" when the
baseline had it, else "new".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import quote

from guardian.findings import Report, Result, Rule
from guardian.locations import Location
from guardian.report import DEFAULT, Options
from guardian.report.common import (
    TOOL,
    VERSION,
    at_stake,
    is_waived,
    location_of,
    summary,
    unlocated_note,
    waiver_text,
)

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub ranks security alerts by this score (CVSS-like, as a string): critical over 9.0,
# high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
FINGERPRINT = "guardianFinding/v1"
ROOT = "%SRCROOT%"  # relative URIs start at the repository root


def render(report: Report, options: Options = DEFAULT) -> str:
    return json.dumps(document(report, options), indent=2, ensure_ascii=False) + "\n"


def document(report: Report, options: Options = DEFAULT) -> dict[str, Any]:
    """The SARIF log. Information findings are left out unless `options.sarif_include_info`
    (then `kind: informational`): in code scanning every result is an alert to dismiss."""
    shown = [r for r in report.results
             if options.sarif_include_info or r.severity != "info"]
    rules = sorted({r.rule.id: r.rule for r in shown}.values(), key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    invocation: dict[str, Any] = {"executionSuccessful": True, "exitCode": report.exit_code}
    notes = [n for n in (report.note, unlocated_note(report, shown),
                         _left_out(len(report.results) - len(shown))) if n]
    partial = [{"level": "warning", "message": {"text": report.partial}}] \
        if report.partial else []
    if notes or partial:
        invocation["toolExecutionNotifications"] = partial + [
            {"level": "note", "message": {"text": n}} for n in notes]
    driver: dict[str, Any] = {
        "name": TOOL,
        "version": VERSION,
        "semanticVersion": VERSION,
        "rules": [_rule(rule, options.docs_url) for rule in rules],
    }
    if options.docs_url:
        driver["informationUri"] = options.docs_url.split("#")[0]
    located = [(r, location_of(r, report), fp) for r, fp in
               zip(shown, _fingerprints(shown), strict=True)]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {ROOT: {"description": {"text": "The repository root."}}},
        "invocations": [invocation],
        "results": [_result(r, report.said(r), index[r.rule.id], where, fp,
                            report.fixed is not None, at_stake(report, r))
                    for r, where, fp in located],
        "properties": {
            "source": {"kind": report.source_kind, "path": report.source_path,
                       **({"partial": report.partial} if report.partial else {})},
            "summary": summary(report),
        },
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _left_out(count: int) -> str | None:
    return (f"{count} information finding(s) left out (no fix asked; --sarif-include-info "
            "adds them as kind informational)") if count else None


def help_uri(rule: Rule, docs_url: str) -> str:
    """The rule's anchor on the rules page (docs/rules.md: one `### GRD-...` heading a rule)."""
    return f"{docs_url.split('#')[0]}#{rule.id.lower()}"


def _rule(rule: Rule, docs_url: str | None) -> dict[str, Any]:
    references = "".join(f"\n- {ref}" for ref in rule.references)
    out: dict[str, Any] = {
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
            # "security" makes code scanning rank the alert by its security-severity
            "tags": ["security", "privacy", rule.control],
            "control": rule.control,
            "severity": rule.severity,
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "references": list(rule.references),
        },
    }
    if docs_url:
        out["helpUri"] = help_uri(rule, docs_url)
    return out


def _result(result: Result, message: str, rule_index: int, where: Location | None,
            fingerprint: str, with_baseline: bool, stake: dict[str, Any] | None
            ) -> dict[str, Any]:
    f = result.finding
    location: dict[str, Any] = {}
    if where is not None:
        location["physicalLocation"] = _physical(where)
    if f.resource is not None:
        location["logicalLocations"] = [_logical(f.resource.urn, f.resource.type, f.resource.name)]
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": "none" if result.severity == "info" else LEVELS[result.severity],
        "message": {"text": message},
        "locations": [location] if location else [],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {
            "severity": result.severity,
            "control": result.rule.control,
            "blocking": result.blocking,
            "unknown": f.unknown,
            "dataset": f.dataset,
            "project": f.resource.project if f.resource else None,
            "account": f.where[0],
            "region": f.where[1],
        },
    }
    if f.remediation:  # the rule's help says what to do in general; this, here
        out["properties"]["remediation"] = f.remediation
    if result.severity == "info":
        out["kind"] = "informational"
    if stake is not None:  # what is at stake orders results; the level stays the severity's
        out["properties"].update(valueAtRisk=stake["usd"], valueAtRiskComplete=stake["complete"],
                                 valueAtRiskRank=stake["rank"])
    if with_baseline:
        out["baselineState"] = "unchanged" if result.baseline else "new"
    related = [
        {"physicalLocation": _physical(loc),
         "message": {"text": "inside the component declared here"}}
        for loc in result.locations[1:]
    ] + [{"logicalLocations": [_logical(r.urn, r.type, r.name)]} for r in f.related]
    if related:
        out["relatedLocations"] = [{"id": i, **loc} for i, loc in enumerate(related, start=1)]
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


def _physical(loc: Location) -> dict[str, Any]:
    pure = PurePath(loc.file)
    artifact = ({"uri": pure.as_uri()} if pure.is_absolute()
                else {"uri": _uri(loc.file), "uriBaseId": ROOT})
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if loc.line >= 1:
        region: dict[str, int] = {"startLine": loc.line}
        if loc.col >= 1:
            region["startColumn"] = loc.col
        physical["region"] = region
    return physical


def _logical(urn: str, typ: str, name: str) -> dict[str, str]:
    return {"name": name, "fullyQualifiedName": urn or f"{typ}::{name}", "kind": "resource"}


def _fingerprints(results: list[Result]) -> list[str]:
    """Stable across runs, never from the message (it carries numbers that change): the rule
    and the resource's URN (a catalog finding: its dataset), the related resources, and the
    occurrence among results that share all that, in line order."""
    keys = [_identity(r) for r in results]
    seen: Counter[str] = Counter()
    occurrence = [0] * len(results)
    for i in sorted(range(len(results)), key=lambda i: (
            keys[i], results[i].locations[0].line if results[i].locations else 0, i)):
        occurrence[i] = seen[keys[i]]
        seen[keys[i]] += 1
    return [hashlib.sha256(f"{key}|{n}".encode()).hexdigest()[:32]
            for key, n in zip(keys, occurrence, strict=True)]


def _identity(result: Result) -> str:
    f = result.finding
    subject = (f.resource.urn or f"{f.resource.type}::{f.resource.name}") if f.resource \
        else f"dataset:{f.dataset or ''}"
    return "|".join((f.rule, subject, *sorted(x.urn or x.name for x in f.related)))


def _uri(path: str) -> str:
    """A relative path as a URI reference (relative to the repository root)."""
    return quote(str(PurePosixPath(*PurePath(path).parts)), safe="/@!$&'()*+,;=-._~")
