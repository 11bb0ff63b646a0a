"""A hand-built deployment of the example catalog, with controls and deliberate gaps.

Deployed (all in eu-west-1 except the pharmacy bucket in us-east-1):
- acme-customer-profiles: SSE-KMS with a rotating CMK, TLS-only and VPC-endpoint-only policy,
  public access blocked, versioned, expires after 1095 days, old versions after 30.
- acme-location-pings: SSE-KMS with a CMK WITHOUT rotation, TLS only, expires after 30 days.
- acme-pharmacy-prescriptions (us-east-1): SSE-S3, no TLS policy, no lifecycle (a gap).
- acme-orders (dynamodb): CMK, PITR, TTL on purge_at.
- acme-customer-index (dynamodb): AWS owned key, no PITR, TTL on expires_at.
- a secret-bearing resource (an RDS-like password) that must never leak into an export.
Not deployed: marketing_engagement, employee_records, support_tickets.
"""

from __future__ import annotations

import json

import pytest

from guardian.findings import Finding, Report, ResourceRef, Result, Rule
from guardian.graph.model import DATASET_TAG, SECRET, Resource, ResourceGraph, Source

STACK = "urn:pulumi:dev::guardian::"


def res(type_: str, logical: str, region: str = "eu-west-1", **props) -> Resource:
    return Resource(urn=f"{STACK}{type_}::{logical}", type=type_, name=logical, region=region,
                    inputs=props)


def bucket_set(name: str, dataset: str, *, key: str | None, region: str = "eu-west-1",
               tls: bool = True, vpce: bool = False, days: int | None = None,
               noncurrent: int | None = None, versioned: bool = False) -> list[Resource]:
    out = [res("aws:s3/bucket:Bucket", name, region, bucket=name,
               arn=f"arn:aws:s3:::{name}", tags={DATASET_TAG: dataset})]
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key} if key else {"sseAlgorithm": "AES256"}
    out.append(res("aws:s3/bucketServerSideEncryptionConfiguration:"
                   "BucketServerSideEncryptionConfiguration", f"{name}-sse", region,
                   bucket=name, rules=[{"applyServerSideEncryptionByDefault": sse}]))
    statements = []
    if tls:
        statements.append({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    if vpce:
        statements.append({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                           "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0abc"}}})
    if statements:
        out.append(res("aws:s3/bucketPolicy:BucketPolicy", f"{name}-policy", region, bucket=name,
                       policy=json.dumps({"Version": "2012-10-17", "Statement": statements})))
    out.append(res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{name}-pab",
                   region, bucket=name, blockPublicAcls=True, blockPublicPolicy=True,
                   ignorePublicAcls=True, restrictPublicBuckets=True))
    if versioned:
        out.append(res("aws:s3/bucketVersioning:BucketVersioning", f"{name}-versioning", region,
                       bucket=name, versioningConfiguration={"status": "Enabled"}))
    if days is not None:
        rule = {"id": "retention", "status": "Enabled", "expiration": {"days": float(days)}}
        if noncurrent is not None:
            rule["noncurrentVersionExpiration"] = {"noncurrentDays": float(noncurrent)}
        out.append(res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                       f"{name}-lifecycle", region, bucket=name, rules=[rule]))
    return out


def key(name: str, rotation: bool) -> Resource:
    return res("aws:kms/key:Key", name, arn=f"arn:aws:kms:eu-west-1:123456789012:key/{name}",
               keyId=name, enableKeyRotation=rotation)


def table(name: str, dataset: str, *, cmk: str | None, pitr: bool, ttl: str | None) -> Resource:
    props: dict = {"name": name, "tags": {DATASET_TAG: dataset},
                   "pointInTimeRecovery": {"enabled": pitr}}
    if cmk:
        props["serverSideEncryption"] = {"enabled": True, "kmsKeyArn": cmk}
    if ttl:
        props["ttl"] = {"attributeName": ttl, "enabled": True}
    return res("aws:dynamodb/table:Table", name, **props)


def example_graph() -> ResourceGraph:
    k1, k2 = key("profiles-key", True), key("pings-key", False)
    resources = [k1, k2]
    resources += bucket_set("acme-customer-profiles", "customer_profiles", key=k1.arn,
                            vpce=True, days=1095, noncurrent=30, versioned=True)
    resources += bucket_set("acme-location-pings", "store_location_pings", key="pings-key",
                            days=30)
    resources += bucket_set("acme-pharmacy-prescriptions", "pharmacy_prescriptions", key=None,
                            region="us-east-1", tls=False)
    resources.append(table("acme-orders", "orders_payments", cmk=k1.arn, pitr=True, ttl="purge_at"))
    resources.append(table("acme-customer-index", "customer_profiles", cmk=None, pitr=False,
                           ttl="expires_at"))
    resources.append(res("aws:rds/instance:Instance", "legacy-db", password=SECRET,
                         masterPassword=SECRET))
    return ResourceGraph(resources, Source("graph", "tests/evidence/example-graph.json"))


@pytest.fixture(scope="session")
def graph() -> ResourceGraph:
    return example_graph()


def _rule(rule_id: str, control: str, severity: str, title: str) -> Rule:
    """A stand-in for the real rule: its own title, the real rule's references."""
    from guardian.policies.rules import RULES_BY_ID

    return Rule(rule_id, control, severity, title, "why", "fix",
                RULES_BY_ID[rule_id].references)


RULES = (
    _rule("GRD-ENC-001", "encryption-at-rest", "high", "CMK for sensitive data"),
    _rule("GRD-ENC-002", "encryption-at-rest", "medium", "keys rotate"),
    _rule("GRD-TLS-001", "encryption-in-transit", "high", "TLS only"),
    _rule("GRD-RET-001", "retention", "high", "expiration within retention"),
    _rule("GRD-RES-001", "residency", "critical", "stores in allowed regions"),
)


def example_report() -> Report:
    """A check run over example_graph(): what the rules above find in it, by hand."""
    g = example_graph()
    enc2, tls, ret, res_ = RULES[1], RULES[2], RULES[3], RULES[4]
    pings = g.named("acme-location-pings")[0]
    pharmacy = g.named("acme-pharmacy-prescriptions")[0]
    results = (
        Result(Finding("GRD-ENC-002", "key 'pings-key' does not rotate", "store_location_pings",
                       ResourceRef.of(pings), (ResourceRef.of(g.named("pings-key")[0]),)),
               enc2, "medium", False),
        Result(Finding("GRD-TLS-001", "no statement denies aws:SecureTransport=false",
                       "pharmacy_prescriptions", ResourceRef.of(pharmacy)), tls, "high", True),
        Result(Finding("GRD-RET-001", "no lifecycle expiration; the catalog keeps this data "
                       "2190 days", "pharmacy_prescriptions", ResourceRef.of(pharmacy)),
               ret, "high", True),
    )
    del res_
    return Report("graph", g.source.path, len(g), results)


@pytest.fixture(scope="session")
def report() -> Report:
    return example_report()
