"""IAM as AWS evaluates it: each decision of guardian.policies.rules._iam on small graphs.

A graph here is one bucket and one table of the `profiles` dataset, a role with the policies
under test, and whatever resource policies, boundaries and SCPs a case adds. `can(...)` answers
what the role may do on a store: the kinds allowed, and the kinds only possibly allowed.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from guardian.policies.rules._iam import data_actions, kinds_granted, trusted
from guardian.policies.rules._policy import (
    ABSENT,
    UNKNOWN_VALUE,
    Clause,
    clause_holds,
    statements,
)

from guardian.catalog import load_catalog
from guardian.findings import Context
from guardian.graph.model import UNKNOWN, Resource, ResourceGraph, Source

CATALOG = load_catalog(Path(__file__).parent / "catalog.yaml")
ACCOUNT = "123456789012"
BUCKET = "arn:aws:s3:::profiles-bucket"
OBJECTS = f"{BUCKET}/*"
TABLE = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/profiles-table"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/worker"
TAGS = {"privacy:dataset": "profiles"}


def res(type_: str, logical: str, **props: Any) -> Resource:
    return Resource(urn=f"urn:pulumi:dev::t::{type_}::{logical}", type=type_, name=logical,
                    region="eu-west-1", inputs=props, outputs=props)


def doc(*sts: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(sts)})


def allow(action: Any, resource: Any = (BUCKET, OBJECTS), **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": list(resource)
            if isinstance(resource, tuple) else resource, **extra}


def deny(action: Any, resource: Any = (BUCKET, OBJECTS), **extra: Any) -> dict[str, Any]:
    return {**allow(action, resource, **extra), "Effect": "Deny"}


def context(*policy: dict[str, Any], extra: tuple[Resource, ...] = (),
            role: dict[str, Any] | None = None, trust: dict[str, Any] | None = None,
            table: dict[str, Any] | None = None) -> Context:
    rs = [
        res("aws:s3/bucket:Bucket", "profiles-bucket", bucket="profiles-bucket", tags=TAGS,
            arn=BUCKET),
        res("aws:dynamodb/table:Table", "profiles-table", name="profiles-table", tags=TAGS,
            arn=TABLE, **(table or {})),
        res("aws:iam/role:Role", "worker", name="worker", arn=ROLE_ARN,
            assumeRolePolicy=doc(trust or {"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Principal": {"Service": "ecs.amazonaws.com"}}),
            inlinePolicies=[{"name": "p", "policy": doc(*policy)}] if policy else [],
            **(role or {})),
        *extra,
    ]
    return Context(CATALOG, ResourceGraph(rs, Source("graph", "t")), date(2026, 6, 1))


def can(ctx: Context, store: str = "profiles-bucket") -> tuple[set[str], set[str]]:
    """(kinds allowed, kinds only possibly allowed) of role worker on the store."""
    ix = ctx.index
    s = next(s for s in ix.stores if s.resource.name == store)
    yes: set[str] = set()
    maybe: set[str] = set()
    for g in ix.grants.of(s):
        if g.role_name == "worker":
            yes |= g.kinds
            maybe |= g.maybe
    return yes, maybe - yes


def bucket_policy(*sts: dict[str, Any]) -> Resource:
    return res("aws:s3/bucketPolicy:BucketPolicy", "profiles-bucket-policy",
               bucket="profiles-bucket", policy=doc(*sts))


# --- actions: AWS's list, AWS's access levels ---------------------------------------------


def test_list_actions_read_and_nothing_else() -> None:
    lists = statements(doc(allow("s3:List*")))
    assert lists is not None and kinds_granted("s3", lists[0]) == {"read"}
    everything = statements(doc(allow("s3:*")))
    assert everything is not None
    assert kinds_granted("s3", everything[0]) == {"read", "write", "delete"}
    tagging = statements(doc(allow(["s3:PutObjectTagging", "s3:PutObjectAcl",
                                    "s3:PutBucketPolicy"])))
    assert tagging is not None and kinds_granted("s3", tagging[0]) == frozenset()
    names = {a.name: a.kind for a in data_actions("s3")}
    assert names["s3:ListMultipartUploadParts"] == "read"
    assert names["s3:DeleteObjectVersion"] == "delete" and names["s3:RestoreObject"] == "write"
    assert {a.name: a.kind for a in data_actions("dynamodb")}["dynamodb:PartiQLDelete"] == "delete"


def test_an_allow_grants_what_its_actions_and_resources_reach() -> None:
    assert can(context(allow("s3:GetObject", OBJECTS))) == ({"read"}, set())
    # GetObject on the bucket ARN alone reaches no object: AWS refuses it
    assert can(context(allow("s3:GetObject", BUCKET))) == (set(), set())
    assert can(context(allow("s3:ListBucket", BUCKET))) == ({"read"}, set())
    assert can(context(allow("s3:GetObject", f"{BUCKET}/users/*"))) == ({"read"}, set())
    assert can(context(allow("s3:GetObject", "arn:aws:s3:::profiles-*/*"))) == ({"read"}, set())
    assert can(context(allow("s3:GetObject", "arn:aws:s3:::other/*"))) == (set(), set())
    assert can(context(allow("dynamodb:Query", f"{TABLE}/index/*")), "profiles-table") == (
        {"read"}, set())


# --- explicit Deny beats Allow ----------------------------------------------------------


@pytest.mark.parametrize(("fence", "left"), [
    (deny("s3:*"), set()),
    (deny("s3:*", "*"), set()),
    (deny("s3:GetObject*"), {"write"}),
    (deny("s3:*", BUCKET), {"read", "write"}),  # the bucket, not its objects
    (deny("s3:*", f"{BUCKET}/private/*"), {"read", "write"}),  # one prefix: the rest is open
    ({"Effect": "Deny", "NotAction": "s3:PutObject", "Resource": "*"}, {"write"}),
    ({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"}, set()),
    ({"Effect": "Deny", "Action": "s3:*", "NotResource": OBJECTS}, {"read", "write"}),
])
def test_an_explicit_deny_fences_exactly_what_it_covers(fence: dict[str, Any],
                                                       left: set[str]) -> None:
    granted = allow(["s3:GetObject", "s3:PutObject"], OBJECTS)
    assert can(context(granted, fence)) == (left, set())


def test_a_bucket_policy_deny_fences_the_role_it_names() -> None:
    granted = allow("s3:GetObject", OBJECTS)
    by_arn = deny("s3:*", Principal={"AWS": ROLE_ARN})
    assert can(context(granted, extra=(bucket_policy(by_arn),))) == (set(), set())
    other = deny("s3:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/someone-else"})
    assert can(context(granted, extra=(bucket_policy(other),))) == ({"read"}, set())
    everyone_but = {**deny("s3:*"), "NotPrincipal": {"AWS": ROLE_ARN}}
    assert can(context(granted, extra=(bucket_policy(everyone_but),))) == ({"read"}, set())


# --- conditions -------------------------------------------------------------------------


@pytest.mark.parametrize(("condition", "left"), [
    # request keys range over every value: these fence nobody
    ({"Bool": {"aws:SecureTransport": "false"}}, ({"read"}, set())),
    ({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b"}}, ({"read"}, set())),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, ({"read"}, set())),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, ({"read"}, set())),
    ({"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}, ({"read"}, set())),
    # principal and resource keys take their values: these decide
    ({"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}, ({"read"}, set())),
    ({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}, (set(), set())),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/work*"}}, (set(), set())),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/work*"}}, ({"read"}, set())),
    ({"StringEquals": {"aws:PrincipalTag/team": "data"}}, (set(), set())),
    ({"StringEquals": {"aws:PrincipalTag/team": "web"}}, ({"read"}, set())),
    ({"Null": {"aws:PrincipalTag/team": "false"}}, (set(), set())),
    ({"StringEquals": {"aws:ResourceTag/privacy:dataset": "profiles"}}, (set(), set())),
    ({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}, ({"read"}, set())),  # ours
    # cannot tell: the grant is unknown, not allowed, not denied
    ({"StringEquals": {"aws:GuardianMadeUpKey": "x"}}, (set(), {"read"})),
    ({"StringEquals": {"aws:userid": "AROAEXAMPLE:worker"}}, (set(), {"read"})),
    ({"StringEqualsWhatever": {"aws:SecureTransport": "x"}}, (set(), {"read"})),
])
def test_a_deny_condition_is_decided_or_unknown(condition: dict[str, Any],
                                               left: tuple[set[str], set[str]]) -> None:
    ctx = context(allow("s3:GetObject", OBJECTS), deny("s3:*", Condition=condition),
                  role={"tags": {"team": "data"}})
    assert can(ctx) == left


@pytest.mark.parametrize(("condition", "left"), [
    ({"Bool": {"aws:SecureTransport": "true"}}, ({"read"}, set())),
    ({"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}, ({"read"}, set())),
    ({"StringLike": {"s3:prefix": "users/${aws:userid}/*"}}, ({"read"}, set())),
    ({"StringEquals": {"aws:PrincipalAccount": "999999999999"}}, (set(), set())),
    ({"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}}, (set(), {"read"})),
])
def test_an_allow_condition_is_satisfiable_or_not(condition: dict[str, Any],
                                                  left: tuple[set[str], set[str]]) -> None:
    assert can(context(allow("s3:GetObject", OBJECTS, Condition=condition),
                       role={"tags": {"team": "data"}})) == left


def test_an_allow_and_a_deny_on_the_same_request_key_are_decided_together() -> None:
    http_only = allow("s3:GetObject", OBJECTS, Condition={"Bool": {"aws:SecureTransport": "false"}})
    tls_deny = deny("s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}})
    assert can(context(http_only, tls_deny)) == (set(), set())
    vpce = allow("s3:GetObject", OBJECTS, Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})
    other = deny("s3:*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-2"}})
    assert can(context(vpce, other)) == (set(), set())  # vpce-1 is always denied
    same = deny("s3:*", Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})
    assert can(context(vpce, same)) == ({"read"}, set())


@pytest.mark.parametrize(("operator", "key", "values", "actual", "expected"), [
    ("StringEquals", "k", ("a",), "a", True),
    ("StringEquals", "k", ("a",), "A", False),
    ("StringEqualsIgnoreCase", "k", ("a",), "A", True),
    ("StringLike", "k", ("a*",), "abc", True),
    ("StringNotLike", "k", ("a*",), "abc", False),
    ("StringNotEquals", "k", ("a", "b"), "c", True),
    ("StringNotEquals", "k", ("a",), ABSENT, True),  # an absent key matches nothing
    ("StringEquals", "k", ("a",), ABSENT, False),
    ("StringEqualsIfExists", "k", ("a",), ABSENT, True),
    ("NumericLessThan", "k", ("3600",), "3599", True),
    ("NumericLessThan", "k", ("3600",), "3600", False),
    ("DateGreaterThan", "k", ("2026-01-01T00:00:00Z",), "2026-06-01T00:00:00Z", True),
    ("IpAddress", "k", ("10.0.0.0/8",), "10.1.2.3", True),
    ("NotIpAddress", "k", ("10.0.0.0/8",), "10.1.2.3", False),
    ("Bool", "k", ("true",), "True", True),
    ("Null", "k", ("true",), ABSENT, True),
    ("Null", "k", ("true",), "x", False),
    ("ForAllValues:StringEquals", "k", ("a", "b"), ("a", "b"), True),
    ("ForAllValues:StringEquals", "k", ("a",), ("a", "c"), False),
    ("ForAllValues:StringEquals", "k", ("a",), ABSENT, True),
    ("ForAnyValue:StringEquals", "k", ("a",), ("c", "a"), True),
    ("StringEquals", "k", ("a",), UNKNOWN_VALUE, None),
    ("StringEquals", "k", (UNKNOWN,), "a", None),
    ("NoSuchOperator", "k", ("a",), "a", None),
])
def test_condition_operators_as_aws_documents_them(operator: str, key: str,
                                                   values: tuple[Any, ...], actual: Any,
                                                   expected: bool | None) -> None:
    assert clause_holds(Clause(operator, key, values), actual) is expected


# --- boundaries, SCPs, managed policies -----------------------------------------------------


def test_a_permissions_boundary_limits_identity_grants() -> None:
    boundary = res("aws:iam/policy:Policy", "limits", arn=f"arn:aws:iam::{ACCOUNT}:policy/limits",
                   policy=doc(allow("s3:GetObject", "*")))
    ctx = context(allow(["s3:GetObject", "s3:PutObject"], OBJECTS), extra=(boundary,),
                  role={"permissionsBoundary": boundary.arn})
    assert can(ctx) == ({"read"}, set())
    unknown = res("aws:iam/policy:Policy", "limits", arn=f"arn:aws:iam::{ACCOUNT}:policy/limits",
                  policy=UNKNOWN)
    ctx = context(allow("s3:GetObject", OBJECTS), extra=(unknown,),
                  role={"permissionsBoundary": unknown.arn})
    assert can(ctx) == (set(), {"read"})
    managed = context(allow("s3:GetObject", OBJECTS), role={
        "permissionsBoundary": "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"})
    assert can(managed) == (set(), set())


@pytest.mark.parametrize(("target", "left"), [
    ("r-a1b2", (set(), set())),  # the organization's root: applies to us
    (ACCOUNT, (set(), set())),
    ("ou-a1b2-c3d4e5f6", (set(), {"read"})),  # an OU: cannot tell whether we are in it
    ("999999999999", ({"read"}, set())),  # another account
])
def test_service_control_policies_deny_where_they_apply(target: str,
                                                        left: tuple[set[str], set[str]]) -> None:
    scp = res("aws:organizations/policy:Policy", "scp", id="p-1",
              content=doc(deny("s3:*", "*")))
    att = res("aws:organizations/policyAttachment:PolicyAttachment", "scp-att", policyId="p-1",
              targetId=target)
    assert can(context(allow("s3:GetObject", OBJECTS), extra=(scp, att))) == left


def test_aws_managed_policies_come_from_the_pinned_data_set() -> None:
    def attached(arn: str) -> Context:
        return context(role={"managedPolicyArns": [arn]})

    assert can(attached("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")) == ({"read"}, set())
    assert can(attached("arn:aws:iam::aws:policy/AmazonS3FullAccess")) == (
        {"read", "write", "delete"}, set())
    assert can(attached("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"),
               "profiles-table") == ({"read"}, set())
    assert can(attached("arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess")) == (set(), set())
    missing = attached("arn:aws:iam::aws:policy/GuardianNoSuchManagedPolicy")
    assert can(missing) == (set(), set())
    assert [u.what for u in missing.index.grants.unreadable] == [
        "managed policy arn:aws:iam::aws:policy/GuardianNoSuchManagedPolicy attached to role "
        "'worker'"]


# --- resource policies, access points, trust ----------------------------------------------


def test_resource_policies_grant_other_accounts_after_their_denies() -> None:
    def shared(*sts: dict[str, Any]) -> set[tuple[str, frozenset[str], frozenset[str]]]:
        ix = context(extra=(bucket_policy(*sts),)).index
        s = next(s for s in ix.stores if s.kind == "s3")
        return {(g.principal.raw, g.kinds, g.maybe) for g in ix.grants.of(s) if g.principal}

    stranger = {"AWS": "arn:aws:iam::999999999999:root"}
    assert shared(allow("s3:GetObject", OBJECTS, Principal=stranger)) == {
        ("arn:aws:iam::999999999999:root", frozenset({"read"}), frozenset())}
    assert shared(allow("s3:GetObject", OBJECTS, Principal=stranger),
                  deny("s3:*", Principal=stranger)) == set()
    assert shared(allow("s3:GetObject", OBJECTS, Principal=stranger),
                  deny("s3:*", Principal="*", Condition={
                      "StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}})) == set()


def test_a_table_stream_carries_its_items() -> None:
    stream = f"{TABLE}/stream/2026-06-01T00:00:00.000"
    reader = allow(["dynamodb:GetRecords", "dynamodb:DescribeStream"], f"{TABLE}/stream/*")
    assert can(context(reader, table={"streamEnabled": True}), "profiles-table") == (
        {"read"}, set())
    assert can(context(reader), "profiles-table") == (set(), set())  # no stream, no records
    assert can(context(allow("dynamodb:GetRecords", TABLE), table={"streamEnabled": True}),
               "profiles-table") == (set(), set())  # the table's ARN is not its stream's
    policy = res("aws:dynamodb/resourcePolicy:ResourcePolicy", "profiles-stream-policy",
                 resourceArn=stream, policy=doc(allow(
                     "dynamodb:GetRecords", stream,
                     Principal={"AWS": "arn:aws:iam::999999999999:root"})))
    policy = dataclasses.replace(policy, property_dependencies={
        "resourceArn": ("urn:pulumi:dev::t::aws:dynamodb/table:Table::profiles-table",)})
    ix = context(extra=(policy,), table={"streamEnabled": True}).index
    s = next(s for s in ix.stores if s.kind == "dynamodb")
    assert {(g.principal.account, g.kinds) for g in ix.grants.of(s) if g.principal} == {
        ("999999999999", frozenset({"read"}))}


def test_an_access_point_policy_reaches_the_bucket() -> None:
    ap = res("aws:s3/accessPoint:AccessPoint", "ap", bucket="profiles-bucket", policy=doc(allow(
        "s3:GetObject", f"arn:aws:s3:eu-west-1:{ACCOUNT}:accesspoint/ap/object/*",
        Principal={"AWS": "arn:aws:iam::999999999999:root"})))
    ix = context(extra=(ap,)).index
    s = next(s for s in ix.stores if s.kind == "s3")
    assert {(g.principal.account, g.kinds, g.via.name) for g in ix.grants.of(s)
            if g.principal} == {("999999999999", frozenset({"read"}), "ap")}


@pytest.mark.parametrize(("trust", "expected"), [
    ({"Principal": {"AWS": "arn:aws:iam::999999999999:root"}}, {("999999999999", True)}),
    ({"Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}, {(ACCOUNT, True)}),
    ({"Principal": {"Service": "lambda.amazonaws.com"}}, set()),
    ({"Principal": "*"}, {("*", True)}),
    ({"Principal": "*", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}, {("*", True)}),
    ({"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}, set()),
    ({"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "1"}}},
     {("*", False)}),
])
def test_trust_policies_name_who_may_become_the_role(trust: dict[str, Any],
                                                     expected: set[tuple[str, bool]]) -> None:
    ctx = context(trust={"Effect": "Allow", "Action": "sts:AssumeRole", **trust})
    role = ctx.index.roles[0]
    assert {(t.account, t.certain) for t in trusted(ctx.index, role)} == expected


def test_only_wildcards_that_reach_the_store_count_as_wildcard_actions() -> None:
    ctx = context(allow(["glue:*", "s3:ListBucket", "s3:Get*", "s3:Describe*"], "*"))
    s = next(s for s in ctx.index.stores if s.kind == "s3")
    (grant,) = [g for g in ctx.index.grants.of(s) if g.role_name == "worker"]
    assert grant.wildcard_actions == ("s3:Get*",)  # glue:* and s3:Describe* read no data
    assert grant.wildcard_resource
