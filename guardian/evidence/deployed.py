"""What is actually deployed for a dataset: its stores and the controls around them.

Pure functions over a ResourceGraph. Every evidence export (ROPA measures and location, data
map, HTML report) states what the graph shows, so a claim such as "KMS CMK with rotation" is
only made when the key, its rotation flag and the bucket's encryption configuration are all in
the graph. A value unknown offline is reported as unknown, never as present.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from guardian.catalog.regions import REGIONS
from guardian.graph.model import SECRET, UNKNOWN, Resource, ResourceGraph

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
TABLE_TYPE = "aws:dynamodb/table:Table"
KEY_TYPE = "aws:kms/key:Key"
ALIAS_TYPE = "aws:kms/alias:Alias"
SSE_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy"
LIFECYCLE_TYPES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
VERSIONING_TYPES = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
PAB_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"

# Tri-state for a fact: True, False, or None when the graph cannot say (unknown offline).
Fact = bool | None


@dataclass(frozen=True)
class Store:
    """One deployed data store tagged with a dataset, and the controls the graph shows."""

    dataset: str
    kind: str  # s3 | dynamodb
    name: str  # physical bucket/table name when known, else the Pulumi logical name
    urn: str
    region: str | None
    encryption: str  # cmk | aws-managed | sse-s3 | aws-owned | none | unknown
    key_rotation: Fact  # only meaningful for cmk
    tls_only: Fact
    vpce_only: Fact
    public_access_blocked: Fact
    versioned: Fact
    expiration_days: int | None  # current objects (s3)
    noncurrent_days: int | None  # old versions (s3)
    ttl_attribute: str | None  # dynamodb TTL attribute when enabled
    pitr: Fact  # dynamodb point-in-time recovery

    @property
    def country(self) -> str | None:
        r = REGIONS.get(self.region or "")
        return r.country if r else None

    @property
    def eu_adequate(self) -> bool | None:
        r = REGIONS.get(self.region or "")
        return r.eu_adequate if r else None


def _known(value: Any) -> bool:
    return value is not None and value != UNKNOWN and value != SECRET


def _items(value: Any) -> list[Mapping[str, Any]]:
    """A nested block as a list: Pulumi gives lists for some blocks and objects for others."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _names(resource: Resource) -> set[str]:
    """Every value another resource may use to refer to this one."""
    keys = ("bucket", "name", "id", "arn", "keyId", "targetKeyArn", "targetKeyId")
    out = {str(resource.get(k)) for k in keys if _known(resource.get(k))}
    return out | {resource.urn}


def attached(graph: ResourceGraph, types: tuple[str, ...], target: Resource,
             prop: str = "bucket") -> list[Resource]:
    """Helper resources of `types` whose `prop` refers to `target` (by value or dependency)."""
    names = _names(target)
    out = []
    for r in graph.of_type(*types):
        value = r.get(prop)
        deps = r.property_dependencies.get(prop, ())
        if (_known(value) and str(value) in names) or target.urn in deps:
            out.append(r)
    return out


def _key(graph: ResourceGraph, ref: Any, holder: Resource, prop: str) -> Resource | None:
    """The KMS key a reference (ARN, key id, alias or dependency) names."""
    for key in graph.of_type(KEY_TYPE):
        if (_known(ref) and str(ref) in _names(key)) or key.urn in holder.property_dependencies.get(
            prop, ()
        ):
            return key
    for alias in graph.of_type(ALIAS_TYPE):
        if _known(ref) and str(ref) in _names(alias) | {f"alias/{alias.get('name')}"}:
            return _key(graph, alias.get("targetKeyId"), alias, "targetKeyId")
    return None


def _kms(graph: ResourceGraph, ref: Any, holder: Resource, prop: str) -> tuple[str, Fact]:
    """(encryption, rotation) for a KMS reference: a CMK in the graph, AWS managed, or unknown."""
    key = _key(graph, ref, holder, prop)
    if key is not None:
        rotation = key.get("enableKeyRotation")
        return "cmk", (bool(rotation) if _known(rotation) else None)
    if ref is None or ref == "":
        return "aws-managed", None
    if ref == UNKNOWN:
        return "unknown", None
    return "cmk", None  # a key outside this program: a CMK whose rotation we cannot see


def _policy(doc: Any) -> dict[str, Any]:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return {}
    return doc if isinstance(doc, dict) else {}


def _deny_conditions(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for st in _items(doc.get("Statement")):
        if st.get("Effect") == "Deny" and isinstance(st.get("Condition"), Mapping):
            yield {op: dict(body) for op, body in st["Condition"].items()
                   if isinstance(body, Mapping)}


def tls_only(doc: Mapping[str, Any]) -> bool:
    """A Deny statement on aws:SecureTransport = false."""
    return any(
        str(v).lower() == "false"
        for cond in _deny_conditions(doc)
        for k, v in cond.get("Bool", {}).items()
        if k.lower() == "aws:securetransport"
    )


def vpce_only(doc: Mapping[str, Any]) -> bool:
    """A Deny statement for requests not coming through a given VPC endpoint (or VPC)."""
    return any(
        k.lower() in ("aws:sourcevpce", "aws:sourcevpc")
        for cond in _deny_conditions(doc)
        for op in ("StringNotEquals", "StringNotEqualsIfExists")
        for k in cond.get(op, {})
    )


def _s3(graph: ResourceGraph, bucket: Resource, dataset: str) -> Store:
    encryption, rotation = "unknown", None
    rules = [rule for sse in attached(graph, SSE_TYPES, bucket) for rule in _items(sse.get("rules"))]
    holder = next(iter(attached(graph, SSE_TYPES, bucket)), bucket)
    if not rules:  # the deprecated inline argument
        for conf in _items(bucket.get("serverSideEncryptionConfiguration")):
            rules.extend(_items(conf.get("rule")))
    for rule in rules:
        default = next(iter(_items(rule.get("applyServerSideEncryptionByDefault"))), {})
        algo = default.get("sseAlgorithm")
        if algo in ("aws:kms", "aws:kms:dsse"):
            encryption, rotation = _kms(graph, default.get("kmsMasterKeyId"), holder, "rules")
        elif algo == "AES256":
            encryption = "sse-s3"
    if not rules and not attached(graph, SSE_TYPES, bucket):
        encryption = "sse-s3"  # S3 encrypts every new object with SSE-S3 since January 2023

    docs = [_policy(p.get("policy")) for p in attached(graph, (POLICY_TYPE,), bucket)]
    docs.append(_policy(bucket.get("policy")))
    unknown_policy = any(p.get("policy") == UNKNOWN for p in attached(graph, (POLICY_TYPE,), bucket))

    expiration = noncurrent = None
    lifecycle = [rule for lc in attached(graph, LIFECYCLE_TYPES, bucket)
                 for rule in _items(lc.get("rules")) if rule.get("status", "Enabled") == "Enabled"]
    lifecycle += [r for r in _items(bucket.get("lifecycleRules")) if r.get("enabled", True)]
    for rule in lifecycle:
        for exp in _items(rule.get("expiration")) + _items(rule.get("expirations")):
            expiration = _min(expiration, _int(exp.get("days")))
        for exp in _items(rule.get("noncurrentVersionExpiration")) + _items(
            rule.get("noncurrentVersionExpirations")
        ):
            noncurrent = _min(noncurrent, _int(exp.get("noncurrentDays") or exp.get("days")))

    versioned: Fact = False
    for v in attached(graph, VERSIONING_TYPES, bucket):
        status = next(iter(_items(v.get("versioningConfiguration"))), {}).get("status")
        versioned = None if status == UNKNOWN else status == "Enabled"
    for v in _items(bucket.get("versioning")):
        versioned = versioned or bool(v.get("enabled"))

    blocks = attached(graph, (PAB_TYPE,), bucket)
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    blocked: Fact = bool(blocks) and all(b.get(f) is True for b in blocks[:1] for f in flags)

    return Store(
        dataset=dataset, kind="s3", name=_physical(bucket, "bucket"), urn=bucket.urn,
        region=bucket.region, encryption=encryption, key_rotation=rotation,
        tls_only=None if unknown_policy else any(tls_only(d) for d in docs),
        vpce_only=None if unknown_policy else any(vpce_only(d) for d in docs),
        public_access_blocked=blocked, versioned=versioned,
        expiration_days=expiration, noncurrent_days=noncurrent,
        ttl_attribute=None, pitr=None,
    )


def _table(graph: ResourceGraph, table: Resource, dataset: str) -> Store:
    sse = next(iter(_items(table.get("serverSideEncryption"))), {})
    enabled = sse.get("enabled")
    if enabled == UNKNOWN:
        encryption, rotation = "unknown", None
    elif enabled:
        encryption, rotation = _kms(graph, sse.get("kmsKeyArn"), table, "serverSideEncryption")
    else:
        encryption, rotation = "aws-owned", None
    ttl = next(iter(_items(table.get("ttl"))), {})
    pitr = next(iter(_items(table.get("pointInTimeRecovery"))), {}).get("enabled")
    return Store(
        dataset=dataset, kind="dynamodb", name=_physical(table, "name"), urn=table.urn,
        region=table.region, encryption=encryption, key_rotation=rotation,
        tls_only=True,  # the DynamoDB API accepts HTTPS only
        vpce_only=None, public_access_blocked=True,  # tables have no public access mode
        versioned=None, expiration_days=None, noncurrent_days=None,
        ttl_attribute=ttl.get("attributeName") if ttl.get("enabled") is True else None,
        pitr=None if pitr == UNKNOWN else bool(pitr),
    )


def _physical(resource: Resource, prop: str) -> str:
    value = resource.get(prop)
    return str(value) if _known(value) else resource.name


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def stores(graph: ResourceGraph, dataset_id: str | None = None) -> list[Store]:
    """Stores tagged `privacy:dataset` (with `dataset_id` when given), sorted by dataset, name."""
    out = []
    for r in graph.of_type(*BUCKET_TYPES, TABLE_TYPE):
        ds = r.dataset
        if ds is None or (dataset_id is not None and ds != dataset_id):
            continue
        out.append(_table(graph, r, ds) if r.type == TABLE_TYPE else _s3(graph, r, ds))
    return sorted(out, key=lambda s: (s.dataset, s.name, s.urn))


ENCRYPTION_TEXT = {
    "cmk": "encrypted with a customer-managed KMS key",
    "aws-managed": "encrypted with the AWS managed KMS key",
    "sse-s3": "encrypted with S3-managed keys (SSE-S3)",
    "aws-owned": "encrypted with an AWS owned key (default)",
    "none": "not encrypted",
    "unknown": "encryption unknown offline",
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
        out.append("public access blocked" if store.public_access_blocked
                   else "no public access block")
        if store.versioned:
            out.append("versioned")
        out.append(f"expires after {store.expiration_days} days"
                   if store.expiration_days is not None else "no expiration rule")
        if store.noncurrent_days is not None:
            out.append(f"old versions expire after {store.noncurrent_days} days")
    else:
        out.append("TLS only (DynamoDB API)")
        out.append(f"TTL on {store.ttl_attribute}" if store.ttl_attribute else "no TTL")
        out.append({True: "point-in-time recovery (35 days of backups)",
                    False: "no point-in-time recovery", None: "PITR unknown"}[store.pitr])
    out.append(store.region or "region unknown")
    return out


def measures(graph: ResourceGraph, dataset_id: str) -> list[str]:
    """Art. 32 measures per deployed store, e.g. `s3 acme-x: KMS CMK with rotation; TLS only`."""
    return [f"{s.kind} {s.name}: " + "; ".join(describe(s)) for s in stores(graph, dataset_id)]


def location(store: Store) -> str:
    where = store.region or "region unknown"
    if store.country:
        where += f" ({store.country})"
    return f"{'S3 bucket' if store.kind == 's3' else 'DynamoDB table'} {store.name}, {where}"


def kept_within(store: Store, days: int, ttl_attribute: str | None) -> Fact:
    """Whether the store deletes data within the catalog's retention, as deployed."""
    if store.kind == "s3":
        return store.expiration_days is not None and store.expiration_days <= days
    return store.ttl_attribute is not None and (ttl_attribute in (None, store.ttl_attribute))
