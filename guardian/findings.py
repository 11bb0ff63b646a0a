"""Rules and findings: the contract between the policy layer and every output.

A rule is declared once: its id, control, severity and texts, and a pure function of one
evaluation `Context` (the catalog, the graph, the evaluation date and their index) that yields
findings. Findings are made through the rule itself, so a finding's rule id cannot drift from
the rule that made it (the engine, `guardian.check.evaluate`, refuses one that does)::

    RET_001 = Rule("GRD-RET-001", "retention", "high", title, rationale, remediation,
                   references, _expiration)

    def _expiration(ctx: Context) -> Iterator[Finding]:
        for s in ctx.index.bound_of("s3"):          # ctx.catalog, ctx.graph, ctx.today too
            ...
            yield RET_001.at(s, "no lifecycle expiration", related=[lifecycle])

    yield CAT_005.finding("...", dataset=ds.id, location=str(acc.loc))   # not on a store

`Rule.at(store, ...)` reports on a bound store (its dataset comes along); `Rule.finding(...)`
on anything else (a resource, a dataset, a catalog line). Nothing is ambient: no global date,
no cache; the engine builds one `Context` per evaluation and every rule reads from it.

Findings are reported against the data store; helper resources that are missing or wrong go in
`related`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from guardian.locations import Location

if TYPE_CHECKING:
    from guardian.catalog.model import Catalog, Dataset, Waiver
    from guardian.graph.model import Resource, ResourceGraph
    from guardian.policies.rules._index import Index
    from guardian.value.at_risk import Valuation

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


# --fail-on: the lowest severity that blocks; `none` reports without blocking (soft fail).
FAIL_ON: tuple[str, ...] = (*SEVERITIES[:-1], "none")


def severity_rank(severity: str) -> int:
    """0 for critical, larger is milder."""
    return SEVERITIES.index(severity)


def blocks(severity: str, fail_on: str) -> bool:
    """Whether an unwaived finding of `severity` blocks at `fail_on`: `info` never does, and
    nothing does with `none`."""
    return (fail_on != "none" and severity != "info"
            and severity_rank(severity) <= severity_rank(fail_on))


@dataclass(frozen=True)
class ResourceRef:
    type: str
    name: str
    urn: str = ""
    account: str | None = field(default=None, compare=False)  # the AWS account, when known
    region: str | None = field(default=None, compare=False)

    @classmethod
    def of(cls, resource: Resource) -> ResourceRef:
        return cls(resource.type, resource.name, resource.urn, resource.owner, resource.region)

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "name": self.name, "urn": self.urn}

    @property
    def project(self) -> str | None:
        from guardian.graph.model import project_of

        return project_of(self.urn)


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    dataset: str | None = None
    resource: ResourceRef | None = None  # None for findings on the catalog itself
    related: tuple[ResourceRef, ...] = ()
    location: str | None = None  # file:line:col in the catalog, for catalog findings
    severity: str | None = None  # overrides the rule's (e.g. inventory info findings)
    unknown: bool = False  # the rule could not decide (why: `unknown_label`)
    binding: str | None = None  # how the store was bound to its dataset (tag, catalog-name, ...)
    # Where it applies in AWS: the resource's account and region, or what a finding on no
    # resource names (an account that could not be read, a region it could not list).
    account: str | None = None
    region: str | None = None
    remediation: str | None = None  # overrides the rule's when the fix depends on the case

    @property
    def where(self) -> tuple[str | None, str | None]:
        """(account, region) this finding is about, each None when not known."""
        r = self.resource
        return (self.account or (r.account if r else None),
                self.region or (r.region if r else None))


def unknown_label(source_kind: str) -> str:
    """Why a finding of a source of this kind is unknown, the one place that says so: offline
    (a program, preview, state or graph file) a value only deploying decides is unknown; a live
    audit reads the deployed value, so there a read failed or Guardian cannot decide."""
    return "Unknown in the live audit" if source_kind == "live" else "Unknown offline"


def said(finding: Finding, source_kind: str) -> str:
    """A finding's message as every output shows it: an unknown one headed with its reason."""
    return f"{unknown_label(source_kind)}: {finding.message}" if finding.unknown \
        else finding.message


@dataclass(frozen=True)
class Context:
    """One evaluation: what every rule reads, passed to it explicitly."""

    catalog: Catalog
    graph: ResourceGraph
    today: date  # the evaluation date: waivers, training attestations

    @cached_property
    def index(self) -> Index:
        """The graph indexed against the catalog, built on first use, shared by the rules of
        this evaluation only."""
        from guardian.policies.rules._index import Index

        return Index(self.catalog, self.graph)

    @cached_property
    def _subjects(self) -> dict[str, Subject]:
        return {}

    def subject(self, resource: Resource) -> Subject:
        """The resource as the subject of checks: one object for every rule that checks it."""
        found = self._subjects.get(resource.urn)
        if found is None:
            found = self._subjects[resource.urn] = Subject(ResourceRef.of(resource))
        return found


class Bound(Protocol):
    """A store bound to the catalog (`guardian.policies.rules._index.Store`)."""

    @property
    def resource(self) -> Resource: ...
    @property
    def dataset(self) -> Dataset | None: ...
    @property
    def binding(self) -> str | None: ...


def _no_findings(ctx: Context) -> Iterable[Finding]:
    return ()


EVERY_KIND = "*"


@dataclass(frozen=True)
class Scope:
    """What a rule evaluates, each one a check that passes when the rule finds nothing on it:
    stores bound to a dataset, by kind (`EVERY_KIND` for all; `unbound` adds the stores bound
    to none), the catalog's datasets, or other resources by type. The rule's body iterates its
    stores through `Rule.stores`, so what it examines and what reports count as examined are
    one declaration."""

    stores: tuple[str, ...] = ()
    unbound: bool = False
    datasets: bool = False
    resources: tuple[str, ...] = ()  # Pulumi types: security groups, VPCs, KMS keys


@dataclass(frozen=True)
class Subject:
    """What one check is about: a resource (a store or another), or a catalog dataset."""

    resource: ResourceRef | None = None
    dataset: str | None = None
    # what tells subjects apart: the resource's URN, else the dataset (set once: every check
    # and every result is keyed by it)
    key: tuple[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        r = self.resource
        key = (("resource", r.urn or f"{r.type}::{r.name}") if r is not None
               else ("dataset", self.dataset or ""))
        object.__setattr__(self, "key", key)

    @classmethod
    def of(cls, finding: Finding) -> Subject:
        return cls(finding.resource, None if finding.resource else finding.dataset)

    def __str__(self) -> str:
        if self.resource is not None:
            return f"{self.resource.type} {self.resource.name}"
        return f"dataset {self.dataset}" if self.dataset else "catalog"


class Check(NamedTuple):
    """One rule evaluated on one subject; it passed when no result has the same key. A tuple:
    an evaluation makes one for every rule on every store it checks."""

    rule: Rule
    subject: Subject
    dataset: str | None = None  # the subject's dataset (a store's binding)
    location: Location | None = None  # where the subject is declared (set by the engine)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule.id, *self.subject.key)


@dataclass(frozen=True)
class Rule:
    id: str  # stable, e.g. GRD-ENC-001
    control: str  # one of CONTROLS
    severity: str  # one of SEVERITIES
    title: str
    rationale: str
    remediation: str
    references: tuple[str, ...]  # "GDPR Art. 32", "NIST SC-28(1)", "CKV_AWS_145"
    # Its findings on one evaluation. Rules evaluated elsewhere (checkov's) have none here.
    evaluate: Callable[[Context], Iterable[Finding]] = field(default=_no_findings, compare=False)
    scope: Scope = Scope()

    def __post_init__(self) -> None:
        if self.control not in CONTROLS:
            raise ValueError(f"{self.id}: unknown control {self.control!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: unknown severity {self.severity!r}")

    def stores(self, ctx: Context) -> list[Any]:
        """The stores in this rule's scope, in URN order (`_index.Store` objects)."""
        ix, kinds = ctx.index, self.scope.stores
        pool = ix.stores if self.scope.unbound else ix.bound
        return pool if EVERY_KIND in kinds else [s for s in pool if s.kind in kinds]

    def checks(self, ctx: Context,
               where: Callable[[Subject], Location | None] = lambda subject: None,
               ) -> list[Check]:
        """Every check this rule makes on one evaluation, passing or not; `where` says where
        a subject is declared."""
        subjects: list[tuple[Subject, str | None]] = [
            (Subject(dataset=ds.id), ds.id)
            for ds in (ctx.catalog.datasets if self.scope.datasets else ())]
        subjects += [(ctx.subject(s.resource), s.dataset.id if s.dataset else None)
                     for s in self.stores(ctx)]
        subjects += [(ctx.subject(r), None) for r in ctx.graph.of_type(*self.scope.resources)]
        return [Check(self, subject, dataset, where(subject)) for subject, dataset in subjects]

    def finding(
        self,
        message: str,
        *,
        dataset: str | None = None,
        resource: Resource | ResourceRef | None = None,
        related: Iterable[Resource | ResourceRef] = (),
        location: str | None = None,
        severity: str | None = None,
        unknown: bool = False,
        binding: str | None = None,
        account: str | None = None,
        region: str | None = None,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this rule. `related` is deduplicated, sorted, and never repeats
        `resource`; `severity` and `remediation` override the rule's for this finding only;
        `account` and `region` say where in AWS a finding on no resource applies."""
        if severity is not None and severity not in SEVERITIES:
            raise ValueError(f"{self.id}: unknown severity {severity!r}")
        ref = _ref(resource) if resource is not None else None
        refs: dict[tuple[str, str], ResourceRef] = {}
        for r in related:
            other = _ref(r)
            if other != ref:
                refs.setdefault((other.type, other.name), other)
        return Finding(
            rule=self.id, message=message, dataset=dataset, resource=ref,
            related=tuple(sorted(refs.values(), key=lambda x: (x.type, x.name))),
            location=location, severity=severity, unknown=unknown, binding=binding,
            account=account, region=region, remediation=remediation,
        )

    def at(
        self,
        store: Bound,
        message: str,
        *,
        related: Iterable[Resource | ResourceRef] = (),
        severity: str | None = None,
        unknown: bool = False,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this rule on a store, with the dataset it is bound to and how."""
        return self.finding(
            message, dataset=store.dataset.id if store.dataset else None,
            resource=store.resource, related=related, severity=severity, unknown=unknown,
            binding=store.binding, remediation=remediation,
        )


def _ref(r: Resource | ResourceRef) -> ResourceRef:
    return r if isinstance(r, ResourceRef) else ResourceRef.of(r)


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
    # Where it points, relative to the repository: the resource's declaration, then those of
    # the components around it; a catalog finding's catalog line. Empty when unknown.
    locations: tuple[Location, ...] = ()

    @property
    def remediation(self) -> str:
        """What to do: the finding's own fix when it has one, else its rule's."""
        return self.finding.remediation or self.rule.remediation

    def to_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "rule": f.rule,
            "control": self.rule.control,
            "severity": self.severity,
            "blocking": self.blocking,
            "dataset": f.dataset,
            "project": f.resource.project if f.resource else None,
            "account": f.where[0],
            "region": f.where[1],
            "binding": f.binding,
            "resource": f.resource.to_json() if f.resource else None,
            "related": [r.to_json() for r in f.related],
            "location": f.location,
            "locations": [loc.to_json() for loc in self.locations],
            "unknown": f.unknown,
            "title": self.rule.title,
            "message": f.message,
            "remediation": self.remediation,
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
    # Deterministic order: by severity, then by the value at risk of their dataset (`values`,
    # larger first; unbound findings after), then resource, rule and message.
    results: tuple[Result, ...]
    unused_waivers: tuple[Waiver, ...] = ()
    fail_on: str = "high"
    fixed: int | None = None  # baseline findings now gone; None when no baseline was applied
    entry: str | None = None  # the program's entry file: where unlocated findings point
    # Every (rule, subject) the rules evaluated, passing or not; results outside it (checkov's)
    # are checks of their own.
    checks: tuple[Check, ...] = ()
    values: tuple[Valuation, ...] = ()  # every dataset's value at risk, ranked (guardian.value)
    projects: tuple[str, ...] = ()  # the deployment's projects; findings name theirs when several
    accounts: tuple[str, ...] = ()  # the AWS accounts it covers; findings name theirs when several
    # A live audit run with --allow-partial whose listings failed: what it could not see.
    partial: str | None = None
    # An audit of several accounts: which were audited, partial, failed, inactive (by id).
    coverage: Mapping[str, Sequence[str]] | None = None
    note: str | None = None  # how the source was read, when it must say (Source.note)

    def said(self, result: Result) -> str:
        """A result's message as every output shows it (`said`)."""
        return said(result.finding, self.source_kind)

    def valuation(self, dataset: str | None) -> Valuation | None:
        return next((v for v in self.values if v.dataset.id == dataset), None)

    @property
    def accounts_line(self) -> str | None:
        """`accounts: 3 audited, 1 partial (id), ...` for an audit of several accounts."""
        if self.coverage is None:
            return None
        parts = [f"{len(ids)} {status}" + (f" ({', '.join(ids)})" if status != "audited" and ids
                                           else "")
                 for status, ids in self.coverage.items() if ids or status != "inactive"]
        return "accounts: " + ", ".join(parts)

    @property
    def blocking(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.blocking)

    @property
    def waived(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.waiver is not None)

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0
