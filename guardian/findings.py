"""Rules and findings: the contract between the policy layer and every output.

A rule is plain metadata plus a pure function of (catalog, graph) returning findings. Findings
are reported against the data store; helper resources that are missing or wrong go in
`related`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guardian.catalog.model import Catalog, Waiver
    from guardian.graph.model import Resource, ResourceGraph

CONTROLS: tuple[str, ...] = (
    "catalog",
    "inventory",
    "encryption-at-rest",
    "encryption-in-transit",
    "public-access",
    "retention",
    "residency",
    "purpose-limitation",
    "third-party-sharing",
    "network-segmentation",
    "breach-detection",
    "access-control",
)
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")


def severity_rank(severity: str) -> int:
    """0 for critical, larger is milder."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class ResourceRef:
    type: str
    name: str
    urn: str = ""

    @classmethod
    def of(cls, resource: Resource) -> ResourceRef:
        return cls(resource.type, resource.name, resource.urn)

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "name": self.name, "urn": self.urn}


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    dataset: str | None = None
    resource: ResourceRef | None = None  # None for findings on the catalog itself
    related: tuple[ResourceRef, ...] = ()
    location: str | None = None  # file:line:col in the catalog, for catalog findings
    severity: str | None = None  # overrides the rule's (e.g. inventory info findings)
    unknown: bool = False  # the rule could not decide: a value was unknown offline


@dataclass(frozen=True)
class Rule:
    id: str  # stable, e.g. GRD-ENC-001
    control: str  # one of CONTROLS
    severity: str  # one of SEVERITIES
    title: str
    rationale: str
    remediation: str
    references: tuple[str, ...]  # "GDPR Art. 32", "NIST SC-28(1)", "CKV_AWS_145"
    evaluate: Callable[[Catalog, ResourceGraph], Iterable[Finding]] = field(compare=False)

    def __post_init__(self) -> None:
        if self.control not in CONTROLS:
            raise ValueError(f"{self.id}: unknown control {self.control!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: unknown severity {self.severity!r}")


@dataclass(frozen=True)
class Result:
    """One finding after its rule's metadata, the threshold, the waivers and the baseline are
    applied. A finding already in the baseline (`--baseline`) is reported but never blocks."""

    finding: Finding
    rule: Rule
    severity: str
    blocking: bool
    waiver: Waiver | None = None
    baseline: bool = False

    def to_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "rule": f.rule,
            "control": self.rule.control,
            "severity": self.severity,
            "blocking": self.blocking,
            "dataset": f.dataset,
            "resource": f.resource.to_json() if f.resource else None,
            "related": [r.to_json() for r in f.related],
            "location": f.location,
            "unknown": f.unknown,
            "title": self.rule.title,
            "message": f.message,
            "remediation": self.rule.remediation,
            "waiver": None
            if self.waiver is None
            else {
                "reason": self.waiver.reason,
                "approved_by": self.waiver.approved_by,
                "expires": self.waiver.expires.isoformat(),
            },
            "baseline": self.baseline,
        }


@dataclass(frozen=True)
class Report:
    """A check run: what was read, what was found, which waivers matched nothing."""

    source_kind: str  # program | preview | state | graph | live
    source_path: str
    resources: int
    results: tuple[Result, ...]  # deterministic order: dataset, resource, rule
    unused_waivers: tuple[Waiver, ...] = ()
    fail_on: str = "high"
    fixed: int | None = None  # baseline findings now gone; None when no baseline was applied

    @property
    def blocking(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.blocking)

    @property
    def waived(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.waiver is not None)

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0
