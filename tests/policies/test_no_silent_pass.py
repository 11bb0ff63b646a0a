"""No silent pass: where two helpers configure one thing the least favourable counts; a
condition restricts only with a known-safe key, operator and value; a TLS deny covers every
action on the bucket and its objects; every unknown deciding input is an unknown finding.

The property test at the end takes the baseline program (which passes every rule), makes
random deciding inputs unknown or wrongly typed, reads the graph back as a user's file would be
read, and checks that each rule still reports the store whose input it lost."""

from __future__ import annotations

import copy
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from guardian.policies.rules._policy import (
    Statement,
    caller_restriction,
    denies_insecure_transport,
    statements,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardian.catalog import load_catalog
from guardian.catalog.model import Catalog
from guardian.check import evaluate
from guardian.findings import Report
from guardian.graph.model import SECRET, UNKNOWN, ResourceGraph
from guardian.graph.sources import load_graph

HERE = Path(__file__).parent
TODAY = date(2026, 6, 1)
ARN = "arn:aws:s3:::data"


@cache
def baseline() -> dict[str, Any]:
    from guardian.graph.program import synthesize

    return synthesize(HERE / "programs" / "baseline", "dev").to_json()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(HERE / "catalog.yaml")


def edited(tmp_path: Path, *edits: tuple[str, str, Any]) -> ResourceGraph:
    """The baseline with (resource name, property, value) set on inputs and outputs, read
    back through the graph reader (types validated as for any user's file)."""
    data = copy.deepcopy(baseline())
    for name, prop, value in edits:
        [r] = [r for r in data["resources"] if r["name"] == name]
        for side in ("inputs", "outputs"):
            if value is _DROP:
                r[side].pop(prop, None)
            else:
                r[side][prop] = value
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(data))
    return load_graph(path)


_DROP = object()


def found(report: Report) -> set[tuple[str, str, bool]]:
    return {(r.finding.rule, r.finding.resource.name if r.finding.resource else "",
             r.finding.unknown) for r in report.results if r.severity != "info"}


def check(catalog: Catalog, graph: ResourceGraph) -> set[tuple[str, str, bool]]:
    return found(evaluate(catalog, graph, today=TODAY))


def policy(*stmts: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(stmts)})


def allow_anyone(condition: dict[str, Any] | None = None) -> dict[str, Any]:
    st = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
          "Resource": f"{ARN}/*"}
    return {**st, "Condition": condition} if condition else st


def tls_deny(**changes: Any) -> dict[str, Any]:
    st = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [ARN, f"{ARN}/*"],
          "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    st.update(changes)
    return {k: v for k, v in st.items() if v is not None}


# --- conditions: restricted, open or unknown ----------------------------------------------


@pytest.mark.parametrize(("condition", "verdict"), [
    (None, "open"),
    ({"Bool": {"aws:SecureTransport": "true"}}, "open"),  # anyone, over TLS
    ({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c"}}, "restricted"),
    ({"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}}, "restricted"),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, "restricted"),
    ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, "restricted"),
    ({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/t"}},
     "restricted"),
    ({"StringEquals": {"aws:SourceVpce": "vpce-1"}, "IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
     "restricted"),  # conditions all apply: the endpoint restricts whatever the address
    ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, "unknown"),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, "unknown"),
    ({"StringLike": {"aws:PrincipalArn": "*"}}, "unknown"),
    ({"Null": {"aws:SourceVpce": "true"}}, "unknown"),
    ({"StringEquals": {"aws:PrincipalOrgID": "*"}}, "unknown"),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-*"}}, "unknown"),
    ({"StringEquals": {"aws:PrincipalOrgID": UNKNOWN}}, "unknown"),
    ({"StringEquals": {"aws:SourceAccount": SECRET}}, "unknown"),
    ({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, "unknown"),
    ({"ForAnyValue:StringEquals": {"aws:SourceVpce": "vpce-1"}}, "unknown"),
    ({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}, "unknown"),
    ({"StringEquals": {"aws:SourceVpce": []}}, "unknown"),
    ({"StringEquals": {"s3:prefix": "public/"}}, "unknown"),
    ({"Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
     "unknown"),
])
def test_a_condition_restricts_only_with_a_known_safe_key_operator_and_value(condition, verdict):
    st = Statement("Allow", actions=("s3:GetObject",), resources=(f"{ARN}/*",),
                   principals=(("*", "*"),), has_principal=True, conditions=condition or {})
    assert caller_restriction(st) == verdict


@pytest.mark.parametrize(("statement", "covers"), [
    (tls_deny(), True),
    (tls_deny(Action="*"), True),
    (tls_deny(Resource="*"), True),
    (tls_deny(Resource=f"{ARN}*"), True),
    (tls_deny(Condition={"BoolIfExists": {"aws:SecureTransport": "false"}}), False),
    (tls_deny(Action="s3:GetObject"), False),
    (tls_deny(Action=["s3:GetObject", "s3:PutObject"]), False),
    (tls_deny(Resource=ARN), False),
    (tls_deny(Resource=f"{ARN}/*"), False),
    (tls_deny(Resource=[ARN, f"{ARN}/public/*"]), False),
    (tls_deny(Resource="arn:aws:s3:::other/*"), False),
    (tls_deny(Effect="Allow"), False),
    (tls_deny(Principal={"AWS": "arn:aws:iam::123456789012:root"}), False),
    (tls_deny(Action=None, NotAction="s3:GetObject"), False),
    (tls_deny(Condition={"Bool": {"aws:SecureTransport": "true"}}), False),
    (tls_deny(Condition={"Bool": {"aws:SecureTransport": "false"},
                         "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), False),
    (tls_deny(Condition=None), False),
])
def test_a_tls_deny_covers_every_action_on_the_bucket_and_its_objects(statement, covers):
    [st] = statements(policy(statement))  # type: ignore[misc]
    assert denies_insecure_transport(st, ARN) is covers


# --- the silent passes of the issue, end to end --------------------------------------------

BUCKET_ARN = "arn:aws:s3:::profiles-bucket"  # the baseline names it so


def _bucket_policy(*stmts: dict[str, Any]) -> str:
    doc = json.loads(policy(*stmts).replace(ARN, BUCKET_ARN))
    return json.dumps(doc)


@pytest.mark.parametrize(("condition", "expected"), [
    ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {("GRD-PUB-003", "profiles-bucket", True)}),
    ({"StringLike": {"aws:PrincipalArn": "*"}}, {("GRD-PUB-003", "profiles-bucket", True)}),
    ({"Null": {"aws:PrincipalArn": "true"}}, {("GRD-PUB-003", "profiles-bucket", True)}),
    (None, {("GRD-PUB-003", "profiles-bucket", False)}),
    ({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}, set()),
])
def test_public_read_with_a_condition_guardian_cannot_judge_blocks(tmp_path, catalog, condition,
                                                                   expected):
    doc = _bucket_policy(tls_deny(), allow_anyone(condition))
    report = evaluate(catalog, edited(tmp_path, ("profiles-bucket-policy", "policy", doc)),
                      today=TODAY)
    assert found(report) == expected
    assert all(r.blocking for r in report.results if r.finding.rule == "GRD-PUB-003")


@pytest.mark.parametrize("statement", [
    tls_deny(Action="s3:GetObject"), tls_deny(Resource=f"{ARN}/*"), tls_deny(Resource=ARN),
    tls_deny(Resource=f"{ARN}/nothing-here/*")])
def test_a_partial_tls_deny_fails(tmp_path, catalog, statement):
    graph = edited(tmp_path, ("profiles-bucket-policy", "policy", _bucket_policy(statement)))
    assert check(catalog, graph) == {("GRD-TLS-001", "profiles-bucket", False)}


def _second(tmp_path: Path, name: str, **inputs: Any) -> ResourceGraph:
    """The baseline with a second helper like `name` (same bucket), with `inputs` changed."""
    data = copy.deepcopy(baseline())
    [r] = [r for r in data["resources"] if r["name"] == name]
    twin = copy.deepcopy(r)
    twin["name"] += "-2"
    twin["urn"] += "-2"
    for side in ("inputs", "outputs"):
        twin[side].update(inputs)
    data["resources"].append(twin)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(data))
    return load_graph(path)


def test_two_helpers_for_one_bucket_the_least_favourable_counts(tmp_path, catalog):
    off = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                         "restrictPublicBuckets"), False)
    assert check(catalog, _second(tmp_path, "profiles-bucket-pab", **off)) == {
        ("GRD-PUB-001", "profiles-bucket", False)}
    no_tls = _bucket_policy({"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject",
        "Resource": f"{ARN}/*"})
    assert check(catalog, _second(tmp_path, "profiles-bucket-policy", policy=no_tls)) == {
        ("GRD-TLS-001", "profiles-bucket", False)}
    century = [{"id": "keep", "status": "Enabled", "expiration": {"days": 36500},
                "noncurrentVersionExpiration": {"noncurrentDays": 36500}}]
    assert check(catalog, _second(tmp_path, "profiles-bucket-lifecycle", rules=century)) == {
        ("GRD-RET-001", "profiles-bucket", False), ("GRD-RET-002", "profiles-bucket", False)}
    tls_only = json.dumps({"Version": "2012-10-17", "Statement": [tls_deny(Resource=[
        "arn:aws:s3:::payments-bucket", "arn:aws:s3:::payments-bucket/*"])]})
    assert check(catalog, _second(tmp_path, "payments-bucket-policy", policy=tls_only)) == {
        ("GRD-NET-001", "payments-bucket", False)}  # the other policy confines it to the VPCE
    assert check(catalog, _second(tmp_path, "payments-bucket-policy", policy=UNKNOWN)) == {
        ("GRD-NET-001", "payments-bucket", True), ("GRD-TLS-001", "payments-bucket", True),
        ("GRD-PUB-003", "payments-bucket", True)}
    other_prefix = [{"id": "logs", "status": "Enabled", "filter": {"prefix": "logs/"},
                     "expiration": {"days": 1}}]
    assert check(catalog, _second(tmp_path, "profiles-bucket-lifecycle", rules=other_prefix)) \
        >= {("GRD-RET-001", "profiles-bucket", False)}


@pytest.mark.parametrize(("edit", "expected"), [
    (("profiles-bucket", "objectLockEnabled", UNKNOWN), ("GRD-RET-004", "profiles-bucket")),
    (("profiles-bucket", "acl", UNKNOWN), ("GRD-PUB-002", "profiles-bucket")),
    (("profiles-bucket", "grants", UNKNOWN), ("GRD-PUB-002", "profiles-bucket")),
    (("profiles-bucket", "replicationConfiguration", UNKNOWN),
     ("GRD-RES-002", "profiles-bucket")),
    (("profiles-bucket", "replicationConfiguration", {"role": "r", "rules": UNKNOWN}),
     ("GRD-RES-002", "profiles-bucket")),
    (("profiles-bucket", "replicationConfiguration",
      {"role": "r", "rules": [{"id": "x", "status": "Enabled", "destination": UNKNOWN}]}),
     ("GRD-RES-002", "profiles-bucket")),
    (("profiles-bucket", "region", UNKNOWN), ("GRD-RES-001", "profiles-bucket")),
    (("profiles-table", "replicas", UNKNOWN), ("GRD-RES-002", "profiles-table")),
])
def test_unknown_deciding_inputs_are_unknown_findings(tmp_path, catalog, edit, expected):
    assert (*expected, True) in check(catalog, edited(tmp_path, edit))


def test_a_secret_key_id_is_unknown_not_a_customer_managed_key(tmp_path, catalog):
    sse = {"enabled": True, "kmsKeyArn": SECRET}
    data = copy.deepcopy(baseline())
    [table] = [r for r in data["resources"] if r["name"] == "profiles-table"]
    for side in ("inputs", "outputs"):
        table[side]["serverSideEncryption"] = sse
    table["propertyDependencies"].pop("serverSideEncryption", None)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(data))
    assert ("GRD-ENC-004", "profiles-table", True) in check(catalog, load_graph(path))


def test_security_and_subnet_groups_outside_the_deployment_are_unknown(tmp_path, catalog):
    data = copy.deepcopy(baseline())
    [db] = [r for r in data["resources"] if r["name"] == "records-db"]
    for side in ("inputs", "outputs"):
        db[side]["vpcSecurityGroupIds"] = ["sg-0123456789abcdef0"]
        db[side]["dbSubnetGroupName"] = "shared-private-subnets"
    for prop in ("vpcSecurityGroupIds", "dbSubnetGroupName"):
        db["propertyDependencies"].pop(prop, None)
    db["dependencies"] = []
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(data))
    assert check(catalog, load_graph(path)) == {("GRD-NET-002", "records-db", True),
                                                ("GRD-NET-003", "records-db", True)}


def test_the_baseline_still_passes_every_rule(tmp_path, catalog):
    assert check(catalog, edited(tmp_path)) == set()


# --- the property: no rule passes a store whose deciding input is unknown --------------------

# (resource, property, rule, store): the rule must report the store when the property is lost
DECIDING = [
    ("profiles-bucket-pab", "blockPublicAcls", "GRD-PUB-001", "profiles-bucket"),
    ("profiles-bucket-pab", "restrictPublicBuckets", "GRD-PUB-001", "profiles-bucket"),
    ("profiles-bucket-policy", "policy", "GRD-TLS-001", "profiles-bucket"),
    ("profiles-bucket-policy", "policy", "GRD-PUB-003", "profiles-bucket"),
    ("payments-bucket-policy", "policy", "GRD-NET-001", "payments-bucket"),
    ("profiles-bucket-lifecycle", "rules", "GRD-RET-001", "profiles-bucket"),
    ("profiles-bucket-sse", "rules", "GRD-ENC-001", "profiles-bucket"),
    ("confidential-key", "enableKeyRotation", "GRD-ENC-002", "profiles-bucket"),
    ("confidential-key", "policy", "GRD-ACC-002", "profiles-bucket"),
    ("profiles-table", "ttl", "GRD-RET-003", "profiles-table"),
    ("profiles-table", "serverSideEncryption", "GRD-ENC-004", "profiles-table"),
    ("payments-table-policy", "policy", "GRD-NET-001", "payments-table"),
    ("records-db", "storageEncrypted", "GRD-ENC-005", "records-db"),
    ("records-db", "publiclyAccessible", "GRD-PUB-004", "records-db"),
    ("records-params", "parameters", "GRD-TLS-002", "records-db"),
    ("records-sg", "ingress", "GRD-NET-002", "records-db"),
    ("audit-trail", "advancedEventSelectors", "GRD-BRE-001", "profiles-bucket"),
    ("profiles-bucket", "objectLockEnabled", "GRD-RET-004", "profiles-bucket"),
    ("profiles-bucket", "acl", "GRD-PUB-002", "profiles-bucket"),
    ("newsletter-bucket", "region", "GRD-RES-001", "newsletter-bucket"),
    ("profiles-bucket", "replicationConfiguration", "GRD-RES-002", "profiles-bucket"),
]
# Unknown, or a value of the wrong type for every property above (read back as unknown).
LOST = st.sampled_from([UNKNOWN, 7, [7], 7.5])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(picked=st.lists(st.sampled_from(DECIDING), min_size=1, max_size=5, unique=True),
       data=st.data())
def test_no_rule_passes_a_store_whose_deciding_input_is_lost(tmp_path, catalog, picked, data):
    edits = [(name, prop, data.draw(LOST)) for name, prop, _, _ in picked]
    reported = {(rule, store) for rule, store, _ in check(catalog, edited(tmp_path, *edits))}
    for name, prop, rule, store in picked:
        assert (rule, store) in reported, (rule, store, name, prop, edits)
