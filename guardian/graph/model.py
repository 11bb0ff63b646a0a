"""ResourceGraph: the one normalised shape every source (program, preview, state, live) becomes.

Values are plain JSON data. Property names are Pulumi wire names (camelCase, as in
`pulumi preview --json`). A value that could not be known offline is the string `UNKNOWN`
(Pulumi's own unknown sentinel); a secret is the string `SECRET`, its value never kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from guardian.locations import Location

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "[secret]"
DATASET_TAG = "privacy:dataset"
CLASSIFICATION_TAG = "privacy:classification"
OWNER_TAG = "privacy:owner"
PURPOSE_TAG = "privacy:purpose"
GRAPH_FORMAT = "guardian.graph/v1"


def project_of(urn: str) -> str | None:
    """The project in a Pulumi URN (`urn:pulumi:<stack>::<project>::<type>::<name>`)."""
    parts = urn.split("::")
    return parts[1] if len(parts) >= 4 and parts[0].startswith("urn:pulumi:") else None


@dataclass(frozen=True)
class Resource:
    urn: str
    type: str  # Pulumi type token, e.g. aws:s3/bucket:Bucket
    name: str  # Pulumi logical name
    custom: bool = True
    parent: str | None = None  # URN
    provider: str | None = None  # provider reference "<urn>::<id>", None for the default
    region: str | None = None
    # The AWS account it lives in, when the source knows it (a live account, an organisation).
    account: str | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)  # state; empty when unknown
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Where the user's program declared it, relative to the repository; None when unknown or
    # only in a library (then the component that created it says where).
    location: Location | None = None

    def get(self, key: str, default: Any = None) -> Any:
        """A property's value: the state when known, else the input."""
        if key in self.outputs and self.outputs[key] is not None:
            return self.outputs[key]
        return self.inputs.get(key, default)

    @property
    def tags(self) -> Mapping[str, str]:
        tags = self.get("tags") or self.get("tagsAll") or {}
        return tags if isinstance(tags, Mapping) else {}

    @property
    def dataset(self) -> str | None:
        value = self.tags.get(DATASET_TAG)
        return value if isinstance(value, str) else None

    @property
    def arn(self) -> str | None:
        value = self.get("arn")
        return value if isinstance(value, str) and value != UNKNOWN else None

    @property
    def owner(self) -> str | None:
        """The AWS account it lives in: as the source said, else the one its ARN names."""
        if self.account:
            return self.account
        parts = (self.arn or "").split(":")
        return parts[4] if len(parts) > 5 and len(parts[4]) == 12 and parts[4].isdigit() \
            else None

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "custom": self.custom,
            "parent": self.parent,
            "provider": self.provider,
            "region": self.region,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "dependencies": list(self.dependencies),
            "propertyDependencies": {k: list(v) for k, v in self.property_dependencies.items()},
            "location": self.location.to_json() if self.location else None,
            **({"account": self.account} if self.account else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        return cls(
            urn=data["urn"],
            type=data["type"],
            name=data["name"],
            custom=bool(data.get("custom", True)),
            parent=data.get("parent") or None,
            provider=data.get("provider") or None,
            region=data.get("region"),
            account=data.get("account") or None,
            inputs=data.get("inputs") or {},
            outputs=data.get("outputs") or {},
            dependencies=tuple(data.get("dependencies") or ()),
            property_dependencies={
                k: tuple(v) for k, v in (data.get("propertyDependencies") or {}).items()
            },
            location=Location.from_json(data["location"]) if data.get("location") else None,
        )


@dataclass(frozen=True)
class Source:
    kind: str  # program | preview | state | graph | live
    path: str
    # The program's entry file relative to the repository: where findings on resources with
    # no location of their own point. None when unknown (a live account, no Pulumi project).
    entry: str | None = None
    # The AWS accounts a live source set out to read, whether or not it could; empty for the
    # other sources (their resources may still name theirs: `ResourceGraph.accounts`).
    accounts: tuple[str, ...] = ()
    inactive: tuple[str, ...] = ()  # an organisation's accounts not ACTIVE there: not read
    # What the report must say of how it was read (AWS Config: which kinds came from it, how
    # old its items are, what was read directly or not at all).
    note: str | None = None


@dataclass(frozen=True)
class ReadGap:
    """A read a live source needed and did not get: the value it would have filled is UNKNOWN
    (a setting), or nothing of its kind was seen in the region (a listing)."""

    call: str  # the API call, e.g. s3:GetBucketAcl
    code: str  # why: AccessDenied, Throttling, InternalError, ConnectionError, ...
    what: str  # what it would have read, for people: "the ACL of bucket x", "S3 buckets"
    region: str | None = None
    resource: str | None = None  # URN of the resource the read was for (None: a listing)
    listing: bool = False  # a listing failed: its kind is unseen in the region
    controls: tuple[str, ...] = ()  # a listing's: the controls that cannot be checked
    allowed: bool = False  # a listing gap accepted with --allow-partial
    account: str | None = None  # the AWS account it was in (an organisation's audit)
    account_wide: bool = False  # nothing of the account could be read (role, regions, ...)

    def to_json(self) -> dict[str, Any]:
        return {"call": self.call, "code": self.code, "what": self.what, "region": self.region,
                "resource": self.resource, "listing": self.listing,
                "controls": list(self.controls), "allowed": self.allowed,
                **({"account": self.account} if self.account else {}),
                **({"account_wide": True} if self.account_wide else {})}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReadGap:
        return cls(str(data["call"]), str(data["code"]), str(data["what"]), data.get("region"),
                   data.get("resource"), bool(data.get("listing")),
                   tuple(data.get("controls") or ()), bool(data.get("allowed")),
                   data.get("account"), bool(data.get("account_wide")))


def account_status(gaps: Iterable[ReadGap]) -> str:
    """An account's audit given its gaps: failed (nothing read), partial or audited."""
    gaps = list(gaps)
    return "failed" if any(g.account_wide for g in gaps) else "partial" if gaps else "audited"


class ResourceGraph:
    """Resources sorted by URN, indexed once by URN, type, name and ARN; with the reads a live
    source could not make (`gaps`, empty for every other source)."""

    def __init__(self, resources: Iterable[Resource], source: Source,
                 gaps: Iterable[ReadGap] = ()) -> None:
        self.resources: tuple[Resource, ...] = tuple(sorted(resources, key=lambda r: r.urn))
        self.source = source
        self.gaps: tuple[ReadGap, ...] = tuple(gaps)
        self._by_urn = {r.urn: r for r in self.resources}
        self._by_type: dict[str, list[Resource]] = {}
        self._by_name: dict[str, list[Resource]] = {}
        self._by_arn: dict[str, Resource] = {}
        for r in self.resources:
            self._by_type.setdefault(r.type, []).append(r)
            self._by_name.setdefault(r.name, []).append(r)
            if r.custom and r.arn:  # a component may echo its child's ARN as an output
                self._by_arn[r.arn] = r

    @classmethod
    def combined(cls, graphs: Iterable[ResourceGraph], source: Source) -> ResourceGraph:
        """One graph of several deployments; ValueError naming a URN two of them declare."""
        seen: dict[str, str] = {}
        resources = []
        for graph in graphs:
            for r in graph:
                if r.urn in seen:
                    raise ValueError(f"{seen[r.urn]} and {graph.source.path} both declare "
                                     f"{r.urn}: their Pulumi projects need distinct names")
                seen[r.urn] = graph.source.path
                resources.append(r)
        return cls(resources, source)

    @property
    def projects(self) -> tuple[str, ...]:
        """The projects its resources belong to, by their URNs."""
        return tuple(sorted({p for r in self.resources if (p := project_of(r.urn))}))

    @property
    def accounts(self) -> tuple[str, ...]:
        """The AWS accounts it covers: those its source read, and those its resources name."""
        return tuple(sorted({*self.source.accounts,
                             *(a for r in self.resources if (a := r.owner))}))

    def coverage(self) -> dict[str, list[str]]:
        """The accounts its source set out to read, by outcome: `audited` (every read
        answered), `partial` (some failed: the gaps say which) and `failed` (none could be
        read: its role could not be assumed, or nothing answered); and `inactive`, those the
        organisation lists as suspended or closing, which were not read."""
        out: dict[str, list[str]] = {"audited": [], "partial": [], "failed": []}
        for account in self.source.accounts:
            out[account_status([g for g in self.gaps if g.account == account])].append(account)
        return {**out, "inactive": list(self.source.inactive)}

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def by_urn(self, urn: str) -> Resource | None:
        return self._by_urn.get(urn)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for t in types for r in self._by_type.get(t, ())]

    def named(self, name: str) -> list[Resource]:
        return self._by_name.get(name, [])

    def by_arn(self, arn: str) -> Resource | None:
        return self._by_arn.get(arn)

    def children(self, urn: str) -> list[Resource]:
        return [r for r in self.resources if r.parent == urn]

    def declared_at(self, urn: str) -> tuple[Location, ...]:
        """Where a resource was declared, then where each component around it was: its own
        location first (None skipped), each place once."""
        out: list[Location] = []
        seen: set[str] = set()
        resource = self._by_urn.get(urn)
        while resource is not None and resource.urn not in seen:
            seen.add(resource.urn)
            if resource.location is not None and resource.location not in out:
                out.append(resource.location)
            resource = self._by_urn.get(resource.parent) if resource.parent else None
        return tuple(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": GRAPH_FORMAT,
            "source": {"kind": self.source.kind, "path": self.source.path,
                       "entry": self.source.entry,
                       **({"accounts": list(self.source.accounts)} if self.source.accounts
                          else {}),
                       **({"inactive": list(self.source.inactive)} if self.source.inactive
                          else {}),
                       **({"note": self.source.note} if self.source.note else {})},
            "resources": [r.to_json() for r in self.resources],
            **({"gaps": [g.to_json() for g in self.gaps]} if self.gaps else {}),
        }

    def dumps(self) -> str:
        """Deterministic JSON: the same graph always gives the same bytes."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResourceGraph:
        src = data.get("source") or {}
        return cls(
            (Resource.from_json(r) for r in data.get("resources", ())),
            Source(src.get("kind", "graph"), src.get("path", ""), src.get("entry") or None,
                   tuple(src.get("accounts") or ()), tuple(src.get("inactive") or ()),
                   src.get("note") or None),
            (ReadGap.from_json(g) for g in data.get("gaps") or ()),
        )
