"""Only new findings block: a previous `guardian check --format json` report as the baseline.

A finding is the same finding when its rule and its subject are: the resource's URN (its type
and name when the URN is empty), else its dataset and catalog location. Never its message, which
carries numbers that change between runs (days, counts). Pure: the CLI reads the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from guardian.errors import UserError
from guardian.findings import Finding, Report, ResourceRef

Key = tuple[str, ...]


def finding_key(finding: Finding) -> Key:
    """What makes two findings of two runs the same finding."""
    r = finding.resource
    if r is not None:
        return (finding.rule, "urn", r.urn) if r.urn else (finding.rule, "ref", r.type, r.name)
    return (finding.rule, "catalog", finding.dataset or "", finding.location or "")


def baseline_keys(document: Any, name: str = "baseline") -> Counter[Key]:
    """The findings of a JSON report, counted by key; UserError naming `name` on a wrong shape."""
    findings = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(findings, list):
        raise UserError(f"{name}: not a `guardian check --format json` report "
                        "(expected an object with a \"findings\" list)")
    return Counter(finding_key(_finding(entry, f"{name}: findings[{i}]"))
                   for i, entry in enumerate(findings))


def apply_baseline(report: Report, document: Any, name: str = "baseline") -> Report:
    """`report` with the findings already in `document` marked baseline and never blocking;
    `fixed` counts the baseline's findings that are gone. Each baseline finding matches at
    most one finding, so a second finding of the same rule on the same subject is new."""
    left = baseline_keys(document, name)
    results = []
    for result in report.results:
        key = finding_key(result.finding)
        if left[key] > 0:
            left[key] -= 1
            result = replace(result, baseline=True, blocking=False)
        results.append(result)
    return replace(report, results=tuple(results), fixed=sum(left.values()))


def _finding(entry: Any, where: str) -> Finding:
    if not isinstance(entry, dict):
        raise UserError(f"{where}: expected an object, not {_kind(entry)}")
    resource = entry.get("resource")
    if resource is not None and not isinstance(resource, dict):
        raise UserError(f"{where}.resource: expected an object or null, not {_kind(resource)}")
    ref = None if resource is None else ResourceRef(
        _required(resource, "type", f"{where}.resource"),
        _required(resource, "name", f"{where}.resource"),
        _optional(resource, "urn", f"{where}.resource") or "",
    )
    return Finding(
        rule=_required(entry, "rule", where),
        message="",
        dataset=_optional(entry, "dataset", where),
        resource=ref,
        location=_optional(entry, "location", where),
    )


def _required(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise UserError(f"{where}.{key}: expected a non-empty string, not {_kind(value)}")
    return value


def _optional(obj: dict[str, Any], key: str, where: str) -> str | None:
    """`obj[key]`, None when absent or null."""
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise UserError(f"{where}.{key}: expected a string or null, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null or missing"
    return repr(value) if isinstance(value, str) else type(value).__name__
