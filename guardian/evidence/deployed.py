"""What is actually deployed for a dataset: its stores and the controls around them.

Pure functions over a ResourceGraph, read through the policy layer's index (the same reference
resolution and the same encryption, lifecycle and versioning readings the rules use), so the
evidence and the check can never disagree. Every export (ROPA measures and location, data map,
HTML report) states what the graph shows: "KMS CMK with rotation" is only claimed when the
key, its rotation flag and the store's encryption setting are all in the graph. A value that
is unknown offline is reported as unknown, never as present.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardian.catalog.model import Catalog
from guardian.catalog.regions import REGIONS
from guardian.graph.model import ResourceGraph
from guardian.policies.rules._index import Index
from guardian.policies.rules._index import Store as IndexedStore
from guardian.policies.rules._policy import has_unknown
from guardian.policies.rules.encryption import at_rest, enforces_tls
from guardian.policies.rules.network import endpoint_only
from guardian.policies.rules.public_access import PAB_FLAGS
from guardian.policies.rules.retention import NEVER, Expiry, expiry, versioned

# Tri-state for a fact: True, False, or None when the graph cannot say (unknown offline).
Fact = bool | None


@dataclass(frozen=True)
class Store:
    """One deployed data store tagged with a dataset, and the controls the graph shows."""

    dataset: str
    kind: str  # s3 | dynamodb | rds | ... (the index's store kinds)
    name: str  # physical bucket/table name when known, else the Pulumi logical name
    urn: str
    region: str | None
    encryption: str  # cmk | aws-managed | aws-owned | sse-s3 | none | unknown
    key_rotation: Fact  # only meaningful for cmk
    tls_only: Fact
    vpce_only: Fact
    public_access_blocked: Fact
    versioned: Fact
    ttl_attribute: str | None  # dynamodb TTL attribute when enabled
    pitr: Fact  # dynamodb point-in-time recovery
    # When the lifecycle removes current objects and old versions (s3; others: never)
    expiration: Expiry = Expiry(NEVER, NEVER)
    noncurrent: Expiry = Expiry(NEVER, NEVER)

    @property
    def country(self) -> str | None:
        r = REGIONS.get(self.region or "")
        return r.country if r else None

    @property
    def eu_adequate(self) -> bool | None:
        r = REGIONS.get(self.region or "")
        return r.eu_adequate if r else None


def _blocked(ix: Index, s: IndexedStore) -> Fact:
    """Every public access block of the bucket sets all four flags (either may be in force)."""
    blocks = s.helper("pab")
    values = [b.get(f) for b in blocks for f in PAB_FLAGS]
    if not blocks:
        return None if ix.unattached.get("pab") else False
    if any(v is not True and not has_unknown(v) for v in values):
        return False
    return None if any(has_unknown(v) for v in values) else True


def _expiry(ix: Index, s: IndexedStore, field: str) -> Expiry:
    e = expiry(ix, s, field)
    return Expiry(e.latest, e.floor)  # the bounds, without the graph's resources


def after(e: Expiry) -> str:
    """When a lifecycle removes data, in words: "after 30 days", "within 30 days", ..."""
    if e.exact is not None:
        return f"after {e.exact:g} days"
    if e.latest is not None and e.latest != NEVER:
        return f"within {e.latest:g} days"
    return "never" if e.floor == NEVER else "unknown"


def _encryption(ix: Index, s: IndexedStore) -> tuple[str, Fact]:
    state = at_rest(ix, s)
    if state.encrypted is None or state.key.kind == "unknown":
        return "unknown", None
    if state.encrypted is False:
        return "none", None
    if state.key.customer_managed:
        rotation = state.key.key.get("enableKeyRotation") if state.key.key else None
        return "cmk", None if rotation is None or has_unknown(rotation) else rotation is True
    if state.key.kind == "aws":
        return ("aws-owned" if "owned" in (state.key.raw or "") else "aws-managed"), None
    return "sse-s3", None


def _store(ix: Index, s: IndexedStore) -> Store:
    assert s.dataset is not None
    encryption, rotation = _encryption(ix, s)
    tls: Fact = None
    vpce: Fact = None
    blocked: Fact = None
    is_versioned: Fact = None
    pitr: Fact = None
    expiration = noncurrent = Expiry(NEVER, NEVER)
    ttl_attribute = None
    # The rules' readings: of two configurations for one bucket, the least favourable counts.
    vpce = endpoint_only(ix, s).holds
    if s.kind == "s3":
        tls = enforces_tls(ix, s).holds
        blocked = _blocked(ix, s)
        is_versioned = versioned(ix, s)[0]
        expiration = _expiry(ix, s, "expiration_days")
        noncurrent = _expiry(ix, s, "noncurrent_days")
    elif s.kind == "dynamodb":
        tls = True  # the DynamoDB API accepts HTTPS only
        blocked = True  # tables have no public access mode
        ttl = s.get("ttl")
        if isinstance(ttl, dict) and ttl.get("enabled") is True:
            ttl_attribute = ttl.get("attributeName")
        recovery = s.get("pointInTimeRecovery")
        flag = recovery.get("enabled") if isinstance(recovery, dict) else None
        pitr = None if has_unknown(flag) else flag is True
    return Store(
        dataset=s.dataset.id, kind=s.kind, name=s.name or s.resource.name, urn=s.resource.urn,
        region=s.region, encryption=encryption, key_rotation=rotation, tls_only=tls,
        vpce_only=vpce, public_access_blocked=blocked, versioned=is_versioned,
        ttl_attribute=ttl_attribute, pitr=pitr, expiration=expiration, noncurrent=noncurrent,
    )


def stores(catalog: Catalog, graph: ResourceGraph, dataset_id: str | None = None) -> list[Store]:
    """Stores bound to a catalog dataset (by its tag), sorted by dataset, kind and name."""
    ix = Index(catalog, graph)
    out = [_store(ix, s) for s in ix.bound
           if dataset_id is None or (s.dataset and s.dataset.id == dataset_id)]
    return sorted(out, key=lambda s: (s.dataset, s.kind, s.name, s.urn))


ENCRYPTION_TEXT = {
    "cmk": "encrypted with a customer-managed KMS key",
    "aws-managed": "encrypted with the AWS managed KMS key",
    "sse-s3": "encrypted with S3-managed keys (SSE-S3)",
    "aws-owned": "encrypted with an AWS owned key (default)",
    "none": "not encrypted",
    "unknown": "encryption unknown",
}


def describe(store: Store) -> list[str]:
    """The store's controls in plain words, in a fixed order."""
    out = [ENCRYPTION_TEXT[store.encryption]]
    if store.encryption == "cmk":
        out[0] = {True: "KMS CMK with rotation", False: "KMS CMK without rotation",
                  None: "KMS CMK (rotation unknown)"}[store.key_rotation]
    if store.kind == "s3":
        out.append({True: "TLS only", False: "TLS not enforced",
                    None: "TLS policy unknown"}[store.tls_only])
        if store.vpce_only:
            out.append("VPC endpoint only")
        out.append({True: "public access blocked", False: "public access not blocked",
                    None: "public access block unknown"}[store.public_access_blocked])
        if store.versioned:
            out.append("versioned")
        out.append(expires(store))
        if (old := after(store.noncurrent)) != "never":
            out.append(f"old versions expire {old}" if old != "unknown"
                       else "expiry of old versions unknown")
    elif store.kind == "dynamodb":
        out.append("TLS only (DynamoDB API)")
        if store.vpce_only:
            out.append("VPC endpoint only")
        out.append(f"TTL on {store.ttl_attribute}" if store.ttl_attribute else "no TTL")
        out.append({True: "point-in-time recovery (35 days of backups)",
                    False: "no point-in-time recovery", None: "PITR unknown"}[store.pitr])
    out.append(store.region or "region unknown")
    return out


def expires(store: Store) -> str:
    """When the lifecycle removes an S3 store's objects, in words."""
    when = after(store.expiration)
    return {"unknown": "expiration unknown", "never": "no expiration rule"}.get(
        when, f"expires {when}")


def measures(catalog: Catalog, graph: ResourceGraph, dataset_id: str) -> list[str]:
    """Art. 32 measures per deployed store, e.g. `s3 acme-x: KMS CMK with rotation; TLS only`."""
    return [f"{s.kind} {s.name}: " + "; ".join(describe(s))
            for s in stores(catalog, graph, dataset_id)]


KIND_NAMES = {"s3": "S3 bucket", "dynamodb": "DynamoDB table", "rds": "RDS instance",
              "rds-cluster": "RDS cluster", "efs": "EFS file system", "ebs": "EBS volume",
              "opensearch": "OpenSearch domain", "redshift": "Redshift cluster"}


def location(store: Store) -> str:
    where = store.region or "region unknown"
    if store.country:
        where += f" ({store.country})"
    return f"{KIND_NAMES.get(store.kind, store.kind)} {store.name}, {where}"


def retention(store: Store, days: int, ttl_attribute: str | None) -> tuple[Fact, str]:
    """Whether the store removes data within `days`, and how, without overstating: S3
    expiration is asynchronous and on a versioned bucket only adds a delete marker; DynamoDB
    TTL is best effort; point-in-time recovery can restore what was deleted."""
    name = f"{store.kind} {store.name}"
    if store.kind == "s3":
        within = store.expiration.within(days)
        if within is False:
            floor = store.expiration.floor
            return False, (f"{name} has no expiration rule" if floor == NEVER else
                           f"{name} expires objects after {floor:g} days"
                           if store.expiration.exact else
                           f"{name} keeps objects at least {floor:g} days")
        if within is None:
            return None, f"{name}: lifecycle expiration unknown"
        text = f"{name}: objects expire {after(store.expiration)} (S3 deletes asynchronously)"
        old = after(store.noncurrent)
        if store.versioned is None or (store.versioned and old == "unknown"):
            return None, f"{name}: versioning or the expiry of old versions unknown"
        if store.versioned:
            if old == "never":
                return False, f"{name} is versioned and never removes old versions (no " \
                    "NoncurrentVersionExpiration)"
            text += ("; versioned: expiry leaves a delete marker, old versions are removed "
                     + (f"{store.noncurrent.exact:g} days later" if store.noncurrent.exact
                        else old))
        return True, text
    if store.kind == "dynamodb":
        if store.ttl_attribute is None or (ttl_attribute not in (None, store.ttl_attribute)):
            return False, f"{name} has no TTL" + (
                f" on {ttl_attribute}" if ttl_attribute else "")
        text = (f"{name}: TTL on {store.ttl_attribute}, best effort (items are usually deleted "
                "within a few days of expiry and stay readable until then)")
        if store.pitr:
            text += "; point-in-time recovery can restore deleted items for up to 35 days"
        return True, text
    return None, f"{name}: deleted by application logic the deployment does not show"
