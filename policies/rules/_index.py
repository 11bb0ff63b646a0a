"""One index per (catalog, graph), built in a single pass, shared by every rule of an
evaluation (`guardian.findings.Context.index`).

It answers the questions rules ask about a deployment without rescanning it: which data stores
there are and which dataset each holds; which S3 helper resources (encryption, versioning,
public access block, lifecycle, policy, ...) belong to which bucket; which KMS key protects a
store; what each IAM role may do. References are resolved the way the graph records them:
property dependencies first, then ids, names and ARNs found in the values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

from guardian.policies.rules._policy import Statement, has_unknown, statements

from guardian.catalog.model import Catalog, Dataset, Storage
from guardian.graph.model import DATASET_TAG, SECRET, UNKNOWN, Resource, ResourceGraph

if TYPE_CHECKING:
    from guardian.policies.rules._iam import Grants

STORE_KINDS: dict[str, str] = {
    "aws:s3/bucket:Bucket": "s3",
    "aws:s3/bucketV2:BucketV2": "s3",
    "aws:dynamodb/table:Table": "dynamodb",
    "aws:rds/instance:Instance": "rds",
    "aws:rds/cluster:Cluster": "rds-cluster",
    "aws:efs/fileSystem:FileSystem": "efs",
    "aws:ebs/volume:Volume": "ebs",
    "aws:opensearch/domain:Domain": "opensearch",
    "aws:redshift/cluster:Cluster": "redshift",
}
# How a store is bound to its dataset: its privacy:dataset tag, else the catalog storage entry
# naming its physical name, else the one naming its Pulumi name.
BINDINGS = ("tag", "catalog-name", "catalog-pulumi-name")
# Catalog storage kinds -> the store kinds they name (aurora: the cluster).
CATALOG_KINDS: dict[str, str] = {"s3": "s3", "dynamodb": "dynamodb", "rds": "rds",
                                 "aurora": "rds-cluster"}
# store kind -> the input holding its physical name
PHYSICAL_NAME: dict[str, str] = {
    "s3": "bucket",
    "dynamodb": "name",
    "rds": "identifier",
    "rds-cluster": "clusterIdentifier",
    "efs": "creationToken",
    "opensearch": "domainName",
    "redshift": "clusterIdentifier",
}
# S3 helper resources, by their type's short name with any V2 suffix dropped
S3_HELPERS: dict[str, str] = {
    "bucketServerSideEncryptionConfiguration": "sse",
    "bucketVersioning": "versioning",
    "bucketPublicAccessBlock": "pab",
    "bucketLifecycleConfiguration": "lifecycle",
    "bucketPolicy": "policy",
    "bucketLogging": "logging",
    "bucketObjectLockConfiguration": "object_lock",
    "bucketOwnershipControls": "ownership",
    "bucketReplicationConfig": "replication",
    "bucketAcl": "acl",
}
DYNAMODB_RESOURCE_POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy"
KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
# Properties that identify a resource when another one names it in a value: its id, ARN and
# name, and for some types the property holding their physical name.
_IDENTIFIERS = ("id", "arn", "name")
_EXTRA_IDENTIFIERS: dict[str, tuple[str, ...]] = {
    **{t: (PHYSICAL_NAME[k],) for t, k in STORE_KINDS.items() if k in PHYSICAL_NAME},
    "aws:kms/key:Key": ("keyId",),
}

T = TypeVar("T")


def s3_helper_kind(type_token: str) -> str | None:
    if not type_token.startswith("aws:s3/"):
        return None
    short = type_token.split("/", 1)[1].split(":", 1)[0]
    return S3_HELPERS.get(short.removesuffix("V2"))


def known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != UNKNOWN else None


def region_of(r: Resource) -> str | None:
    """A resource's region: its own `region` input (pulumi_aws 7), else its provider's."""
    if UNKNOWN in (r.inputs.get("region"), r.outputs.get("region")):
        return known_str(r.outputs.get("region")) or known_str(r.inputs.get("region"))
    return known_str(r.inputs.get("region")) or known_str(r.region) or \
        known_str(r.outputs.get("region"))


@dataclass
class Store:
    """A data store and everything the index attached to it."""

    resource: Resource
    kind: str
    name: str | None  # physical name, None when unknown offline
    arn: str | None
    region: str | None
    dataset_tag: str | None  # the privacy:dataset tag as written (UNKNOWN when unknown)
    dataset: Dataset | None  # the catalog dataset it is bound to
    binding: str | None = None  # how: one of BINDINGS, None when unbound
    listed_under: Dataset | None = None  # the dataset whose catalog storage names it
    helpers: dict[str, list[Resource]] = field(default_factory=dict)
    account: str | None = None  # the AWS account holding it, when known

    @property
    def conflict(self) -> bool:
        """Its tag names one catalog dataset while the catalog lists it under another."""
        return (self.binding == "tag" and self.listed_under is not None
                and self.listed_under is not self.dataset)

    def helper(self, kind: str) -> list[Resource]:
        return self.helpers.get(kind, [])

    def get(self, key: str, default: Any = None) -> Any:
        return self.resource.get(key, default)


@dataclass(frozen=True)
class KeyRef:
    """What protects a store: a CMK in the graph, one elsewhere, an AWS key, or nothing."""

    kind: str  # cmk | external | aws | none | unknown
    key: Resource | None = None
    raw: str | None = None

    @property
    def customer_managed(self) -> bool:
        return self.kind in ("cmk", "external")

    @property
    def label(self) -> str:
        return self.key.name if self.key else (self.raw or self.kind)


@dataclass(frozen=True)
class PolicySource:
    """One policy document attached somewhere: its statements (None when unknown) and where
    it came from (the resource holding it, and the role or store it applies to)."""

    statements: tuple[Statement, ...] | None
    via: Resource


@dataclass(frozen=True)
class PolicyVerdict:
    """What a store's resource policies say of one test (`Index.every_policy`)."""

    holds: bool | None  # every policy passes; False: one fails or there is none; None: unknown
    sources: list[Resource]  # every policy of the store
    lacking: list[Resource]  # the policies failing the test
    unknown: list[Resource]  # policies unknown offline (or unattached ones, when it has none)


@dataclass
class RoleInfo:
    resource: Resource
    name: str  # the `name` input, else the Pulumi logical name (the catalog contract)
    policies: list[PolicySource] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # managed policy ARNs we cannot read


class Index:
    def __init__(self, catalog: Catalog, graph: ResourceGraph) -> None:
        self.catalog = catalog
        self.graph = graph
        self.datasets: dict[str, Dataset] = {ds.id: ds for ds in catalog.datasets}
        self._memo: dict[str, object] = {}
        self._policies: dict[tuple[str, str], PolicySource] = {}
        self._by_ident: dict[str, list[Resource]] = {}
        self.accounts: set[str] = set()  # our own AWS accounts, as seen in the graph's ARNs
        by_ident = self._by_ident
        for r in graph.resources:
            for prop in _IDENTIFIERS + _EXTRA_IDENTIFIERS.get(r.type, ()):
                value = known_str(r.outputs.get(prop)) or known_str(r.inputs.get(prop))
                if value:
                    by_ident.setdefault(value, []).append(r)
            arn = r.arn
            if arn:
                parts = arn.split(":")
                if len(parts) > 5 and parts[4].isdigit():
                    self.accounts.add(parts[4])
        self.stores: list[Store] = [
            self._store(r) for r in graph.resources if r.type in STORE_KINDS
        ]
        self.store_by_urn: dict[str, Store] = {s.resource.urn: s for s in self.stores}
        self.unattached: dict[str, list[Resource]] = {}  # helpers whose store is unknown
        self.helper_of: dict[str, Store] = {}  # helper URN -> the store it configures
        for r in graph.resources:
            kind, prop, types = s3_helper_kind(r.type), "bucket", STORE_KINDS_S3
            if r.type == DYNAMODB_RESOURCE_POLICY:
                kind, prop, types = "policy", "resourceArn", ("aws:dynamodb/table:Table",)
            if kind is None:
                continue
            target = self.ref(r, prop, types)
            if target is not None and target.urn in self.store_by_urn:
                self.store_by_urn[target.urn].helpers.setdefault(kind, []).append(r)
                self.helper_of[r.urn] = self.store_by_urn[target.urn]
            else:
                self.unattached.setdefault(kind, []).append(r)

    def memo(self, key: str, build: Callable[[Index], T]) -> T:
        """A value a rule module derives from the index, built once per index."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return cast(T, self._memo[key])  # stored by `build` under this key, so a T

    # --- references ----------------------------------------------------------------------

    def ref(self, holder: Resource, prop: str, types: Iterable[str]) -> Resource | None:
        """The resource of one of `types` that holder's `prop` points at, if it can be told."""
        found = self.refs(holder, prop, types)
        return found[0] if found else None

    def refs(self, holder: Resource, prop: str, types: Iterable[str]) -> list[Resource]:
        """Every resource of `types` that holder's `prop` (a value or a list) points at."""
        wanted = tuple(types)
        out: dict[str, Resource] = {}
        for urn in holder.property_dependencies.get(prop, ()):
            r = self.graph.by_urn(urn)
            if r is not None and r.type in wanted:
                out[r.urn] = r
        value = holder.get(prop)
        for v in value if isinstance(value, list) else (value,):
            if isinstance(v, str):
                for r in self.lookup(v, wanted):
                    out.setdefault(r.urn, r)
        return list(out.values())

    def lookup(self, value: Any, types: Iterable[str]) -> list[Resource]:
        """Resources of `types` identified by this id, name or ARN."""
        if not known_str(value):
            return []
        return [r for r in self._by_ident.get(value, ()) if r.type in types]

    # --- stores --------------------------------------------------------------------------

    def _store(self, r: Resource) -> Store:
        kind = STORE_KINDS[r.type]
        prop = PHYSICAL_NAME.get(kind)
        name = known_str(r.get(prop)) if prop else None
        arn = r.arn or (f"arn:aws:s3:::{name}" if kind == "s3" and name else None)
        region = region_of(r)
        tags = r.get("tags")
        if tags == UNKNOWN or (isinstance(tags, Mapping) and tags.get(DATASET_TAG) == UNKNOWN):
            tag: str | None = UNKNOWN
        else:
            tag = r.dataset or None  # an empty tag names nothing
        account = r.owner
        listed, how = self._entry(kind, name or "", account, region), "catalog-name"
        if listed is None:
            listed, how = self._entry(kind, r.name, account, region), "catalog-pulumi-name"
        tagged = self.datasets.get(tag) if tag else None
        dataset = tagged or listed
        how = "tag" if tagged else how
        return Store(r, kind, name, arn, region, tag, dataset, how if dataset else None, listed,
                     account=account)

    def _entry(self, kind: str, name: str, account: str | None,
               region: str | None) -> Dataset | None:
        """The dataset whose catalog storage declares a store of this kind and name in this
        account and region (the loader keeps entries from overlapping); None when entries of
        several datasets cover a store whose account or region is unknown."""
        found = {ds.id: ds for ds, st in self.entries.get((kind, name), ())
                 if st.covers(account, region)}
        return next(iter(found.values())) if len(found) == 1 else None

    @cached_property
    def entries(self) -> dict[tuple[str, str], list[tuple[Dataset, Storage]]]:
        """(store kind, name) -> the catalog storage entries of that name, with their dataset."""
        out: dict[tuple[str, str], list[tuple[Dataset, Storage]]] = {}
        for ds in self.catalog.datasets:
            for st in ds.storage:
                if st.kind in CATALOG_KINDS:
                    out.setdefault((CATALOG_KINDS[st.kind], st.name), []).append((ds, st))
        return out

    def store_of(self, r: Resource) -> Store | None:
        """The store this resource is, or the store it is a helper of (its policy, its
        encryption configuration, ...); None for anything else."""
        return self.store_by_urn.get(r.urn) or self.helper_of.get(r.urn)

    @cached_property
    def bound(self) -> list[Store]:
        """Stores bound to a catalog dataset, in URN order."""
        return [s for s in self.stores if s.dataset is not None]

    def bound_of(self, *kinds: str) -> list[Store]:
        return [s for s in self.bound if s.kind in kinds]

    @cached_property
    def by_dataset(self) -> dict[str, list[Store]]:
        out: dict[str, list[Store]] = {}
        for s in self.bound:
            out.setdefault(s.dataset.id, []).append(s)  # type: ignore[union-attr]
        return out

    @cached_property
    def store_by_key(self) -> dict[tuple[str, str], Store]:
        """(service, physical name) -> store: how ARNs in policies name them."""
        out: dict[tuple[str, str], Store] = {}
        for s in self.stores:
            if s.name:
                out.setdefault((s.kind, s.name), s)
        return out

    def policy(self, holder: Resource, prop: str = "policy") -> PolicySource:
        """A policy document held by a resource, parsed once."""
        key = (holder.urn, prop)
        hit = self._policies.get(key)
        if hit is None:
            hit = self._policies[key] = PolicySource(statements(holder.get(prop)), holder)
        return hit

    def resource_policies(self, store: Store) -> list[PolicySource]:
        """The store's resource policies: BucketPolicy and DynamoDB ResourcePolicy resources,
        and a bucket's inline `policy`."""
        out = [self.policy(h) for h in store.helper("policy")]
        if store.kind == "s3" and store.resource.get("policy") not in (None, ""):
            out.append(self.policy(store.resource))
        return out

    def every_policy(self, store: Store,
                     holds: Callable[[tuple[Statement, ...]], bool]) -> PolicyVerdict:
        """Whether `holds` is true of every resource policy of the store: of two policies for
        one bucket either may be the one in force, so the least favourable counts."""
        sources = self.resource_policies(store)
        lacking = [p.via for p in sources if p.statements is not None and not holds(p.statements)]
        unknown = [p.via for p in sources if p.statements is None]
        if not sources and self.unattached.get("policy"):
            unknown = list(self.unattached["policy"])
        holds_all = False if lacking else None if unknown else bool(sources)
        return PolicyVerdict(holds_all, [p.via for p in sources], lacking, unknown)

    # --- KMS -----------------------------------------------------------------------------

    def key_ref(self, holder: Resource, prop: str, value: Any) -> KeyRef:
        """The key named by `value`, found at holder's `prop` (for its property dependency)."""
        for r in self.refs(holder, prop, (KMS_KEY, KMS_ALIAS)):
            return KeyRef("cmk", self._alias_target(r) if r.type == KMS_ALIAS else r, str(value))
        if value is None or value == "":
            return KeyRef("none")
        if not isinstance(value, str) or has_unknown(value):
            return KeyRef("unknown", raw="an unknown key reference")
        if value == SECRET:
            return KeyRef("unknown", raw="a key id marked secret")
        for r in self.lookup(value, (KMS_KEY, KMS_ALIAS)):
            return KeyRef("cmk", self._alias_target(r) if r.type == KMS_ALIAS else r, value)
        if value.startswith("alias/aws/") or ":alias/aws/" in value:
            return KeyRef("aws", raw=value)
        if value.startswith("alias/"):
            alias = self.lookup(value, (KMS_ALIAS,))
            if alias:
                return KeyRef("cmk", self._alias_target(alias[0]), value)
        return KeyRef("external", raw=value)

    def _alias_target(self, alias: Resource) -> Resource | None:
        if alias.type != KMS_ALIAS:
            return alias
        return self.ref(alias, "targetKeyId", (KMS_KEY,))

    @cached_property
    def key_policies(self) -> dict[str, list[PolicySource]]:
        """Key URN -> its policy documents (the key's `policy` input and KeyPolicy resources)."""
        out: dict[str, list[PolicySource]] = {}
        for k in self.graph.of_type(KMS_KEY):
            if k.get("policy") not in (None, ""):
                out.setdefault(k.urn, []).append(PolicySource(statements(k.get("policy")), k))
        for p in self.graph.of_type(KMS_KEY_POLICY):
            key = self.ref(p, "keyId", (KMS_KEY,))
            if key is not None:
                out.setdefault(key.urn, []).append(PolicySource(statements(p.get("policy")), p))
        return out

    # --- IAM -----------------------------------------------------------------------------

    @cached_property
    def roles(self) -> list[RoleInfo]:
        from guardian.policies.rules._iam import collect_roles

        return collect_roles(self)

    @cached_property
    def role_by_name(self) -> dict[str, RoleInfo]:
        return {r.name: r for r in self.roles}

    @cached_property
    def grants(self) -> Grants:
        from guardian.policies.rules._iam import Grants

        return Grants(self)


STORE_KINDS_S3 = tuple(t for t, k in STORE_KINDS.items() if k == "s3")
