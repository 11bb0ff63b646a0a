"""`guardian check --live`: a moto account read back in the offline readers' shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from guardian.aws import Clients
from guardian.check import evaluate
from guardian.cli import main
from guardian.graph.live import read_live
from guardian.graph.model import UNKNOWN, ResourceGraph
from tests.ops.conftest import EXAMPLE_CATALOG, REGION, MotoServer, serve
from tests.ops.deploy import backup_selections, deploy

DEPLOYED = Path(__file__).parent / "deployed"


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """This module's own server: it attaches an AWS managed policy, which moto loads only
    when asked to at start."""
    yield from serve(tmp_path_factory, managed_policies=True)


@pytest.fixture(scope="module")
def offline() -> ResourceGraph:
    from guardian.graph.program import synthesize

    return synthesize(DEPLOYED)


def keys(report) -> set[tuple]:  # type: ignore[no-untyped-def]
    return {(r.finding.rule, r.finding.dataset,
             r.finding.resource.type if r.finding.resource else None,
             r.finding.resource.name if r.finding.resource else None, r.finding.unknown)
            for r in report.results}


def one(graph: ResourceGraph, type_suffix: str, name: str):  # type: ignore[no-untyped-def]
    found = [r for r in graph.named(name) if r.type.endswith(type_suffix)]
    assert len(found) == 1, (type_suffix, name, found)
    return found[0]


def test_live_check_finds_the_same_violations_as_the_offline_check(
        clients, proxy, example_catalog, offline):
    ids = deploy(offline, clients, REGION)
    backup_selections(offline, ids, proxy)
    live = read_live(Clients(endpoint_url=proxy.url, max_attempts=2), [REGION])
    assert live.gaps == () and live.source.kind == "live"
    expected = keys(evaluate(example_catalog, offline))
    found = keys(evaluate(example_catalog, live))
    assert found == expected
    # and the configuration is not vacuous: the bad stores are caught, the good one is not
    rules_on = {(k[0], k[3]) for k in found}
    for violation in [("GRD-ENC-002", "acme-pharmacy-prescriptions"),  # key never rotated
                      ("GRD-PUB-003", "acme-pharmacy-prescriptions"),  # public bucket policy
                      ("GRD-PUB-001", "acme-location-pings"),  # no public access block
                      ("GRD-ENC-001", "acme-location-pings"),  # no CMK
                      ("GRD-RET-001", "acme-location-pings"),  # no expiration
                      ("GRD-TLS-001", "acme-location-pings"),
                      ("GRD-ENC-004", "acme-customer-index"),  # table on an AWS owned key
                      ("GRD-RET-003", "acme-customer-index"),  # no TTL
                      ("GRD-INV-001", "acme-scratch"),  # untagged
                      ("GRD-NET-002", "acme-crm-exposed"),  # 5432 open to 0.0.0.0/0
                      ("GRD-NET-003", "acme-crm-exposed"),  # a subnet routed to the internet
                      ("GRD-NET-004", "data-vpc"),  # no flow log
                      ("GRD-BRE-001", "acme-location-pings"),  # no trail records its objects
                      ("GRD-BRE-002", "acme-pharmacy-prescriptions"),  # no alert reaches HIPAA
                      ("GRD-RET-005", "acme-customer-index")]:  # backups kept 1,200 days
        assert violation in rules_on, violation
    for rule in ("GRD-PUB-001", "GRD-ENC-001", "GRD-RET-001", "GRD-TLS-001", "GRD-ENC-002",
                 "GRD-BRE-001", "GRD-BRE-002", "GRD-BRE-003"):
        assert (rule, "acme-customer-profiles") not in rules_on
    for rule in ("GRD-NET-002", "GRD-NET-003", "GRD-TLS-002"):  # private, closed, forced TLS
        assert (rule, "acme-crm") not in rules_on
    assert ("GRD-NET-004", "app-vpc") not in rules_on  # it has a flow log


def test_live_graph_has_pulumi_types_and_wire_names(clients, example_catalog):
    s3, ddb, kms, iam, rds = (clients(s, REGION) for s in ("s3", "dynamodb", "kms", "iam", "rds"))
    key = kms.create_key(Description="k")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    s3.create_bucket(Bucket="acme-customer-profiles",
                     CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="acme-customer-profiles", Tagging={"TagSet": [
        {"Key": "privacy:dataset", "Value": "customer_profiles"}]})
    s3.put_bucket_encryption(Bucket="acme-customer-profiles", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}, "BucketKeyEnabled": True}]})
    s3.put_bucket_versioning(Bucket="acme-customer-profiles",
                             VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket="acme-customer-profiles", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True})
    s3.put_bucket_lifecycle_configuration(Bucket="acme-customer-profiles", LifecycleConfiguration={
        "Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "customers/"},
                   "Expiration": {"Days": 30}, "NoncurrentVersionExpiration": {
                       "NoncurrentDays": 7}}]})
    clients("s3", "us-east-1").create_bucket(Bucket="acme-elsewhere")  # not a region read
    ddb.create_table(TableName="acme-orders", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                     SSESpecification={"Enabled": True, "SSEType": "KMS",
                                       "KMSMasterKeyId": key["Arn"]},
                     Tags=[{"Key": "privacy:dataset", "Value": "orders_payments"}])
    ddb.update_time_to_live(TableName="acme-orders", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "purge_at"})
    ddb.update_continuous_backups(TableName="acme-orders", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    iam.create_role(RoleName="hr-service", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": []}))
    iam.put_role_policy(RoleName="hr-service", PolicyName="inline", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                               "Resource": "*"}]}))
    policy = iam.create_policy(PolicyName="managed", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:Query",
                                               "Resource": "*"}]}))["Policy"]
    iam.attach_role_policy(RoleName="hr-service", PolicyArn=policy["Arn"])
    rds.create_db_instance(DBInstanceIdentifier="acme-crm", DBInstanceClass="db.t3.micro",
                           Engine="postgres", AllocatedStorage=20, MasterUsername="u",
                           MasterUserPassword="password1", StorageEncrypted=False,
                           PubliclyAccessible=True,
                           Tags=[{"Key": "privacy:dataset", "Value": "customer_profiles"}])

    graph = read_live(clients, [REGION])
    bucket = one(graph, ":Bucket", "acme-customer-profiles")
    assert bucket.type == "aws:s3/bucket:Bucket" and bucket.region == REGION
    assert bucket.dataset == "customer_profiles"
    assert bucket.inputs["arn"] == "arn:aws:s3:::acme-customer-profiles"
    assert not graph.named("acme-elsewhere")
    assert one(graph, ":BucketServerSideEncryptionConfiguration",
               "acme-customer-profiles").inputs["rules"] == [{
                   "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms",
                                                          "kmsMasterKeyId": key["Arn"]},
                   "bucketKeyEnabled": True}]
    assert one(graph, ":BucketVersioning", "acme-customer-profiles").inputs[
        "versioningConfiguration"] == {"status": "Enabled"}
    pab = one(graph, ":BucketPublicAccessBlock", "acme-customer-profiles").inputs
    assert (pab["blockPublicAcls"], pab["blockPublicPolicy"]) == (True, False)
    (rule,) = one(graph, ":BucketLifecycleConfiguration", "acme-customer-profiles").inputs["rules"]
    assert rule["expiration"] == {"days": 30} and rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 7}
    assert rule["filter"] == {"prefix": "customers/"} and rule["id"] == "r"
    table = one(graph, ":Table", "acme-orders").inputs
    assert table["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key["Arn"]}
    assert table["ttl"] == {"attributeName": "purge_at", "enabled": True}
    assert table["pointInTimeRecovery"] == {"enabled": True}
    assert table["tags"] == {"privacy:dataset": "orders_payments"}
    assert table["hashKey"] == "order_id"
    k = one(graph, "kms/key:Key", key["KeyId"]).inputs
    assert k["enableKeyRotation"] is True and k["arn"] == key["Arn"]
    assert json.loads(k["policy"])["Statement"]
    assert one(graph, "rolePolicy:RolePolicy", "hr-service/inline").inputs["role"] == "hr-service"
    att = one(graph, "rolePolicyAttachment:RolePolicyAttachment", "hr-service/managed").inputs
    assert att == {"role": "hr-service", "policyArn": policy["Arn"]}
    assert json.loads(one(graph, "iam/policy:Policy", "managed").inputs["policy"])["Statement"]
    db = one(graph, "rds/instance:Instance", "acme-crm").inputs
    assert (db["storageEncrypted"], db["publiclyAccessible"], db["engine"]) == (
        False, True, "postgres")

    report = evaluate(example_catalog, graph)
    on_db = {r.finding.rule for r in report.results
             if r.finding.resource and r.finding.resource.name == "acme-crm"}
    assert {"GRD-ENC-005", "GRD-PUB-004"} <= on_db, on_db


def test_access_denied_gives_unknown_findings_not_a_crash(moto, clients, example_catalog):
    s3, kms, ddb, iam = (clients(s, REGION) for s in ("s3", "kms", "dynamodb", "iam"))
    s3.create_bucket(Bucket="acme-location-pings",
                     CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="acme-location-pings", Tagging={"TagSet": [
        {"Key": "privacy:dataset", "Value": "store_location_pings"}]})
    key = kms.create_key()["KeyMetadata"]
    s3.put_bucket_encryption(Bucket="acme-location-pings", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
    ddb.create_table(TableName="acme-customer-index", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "customer_id",
                                            "AttributeType": "S"}],
                     Tags=[{"Key": "privacy:dataset", "Value": "customer_profiles"}])
    iam.create_role(RoleName="accounts-service", AssumeRolePolicyDocument="{}")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Resource": "*", "Action": [
                "s3:GetLifecycleConfiguration", "s3:GetBucketPolicy", "kms:GetKeyRotationStatus",
                "dynamodb:DescribeTimeToLive", "iam:ListRolePolicies", "rds:DescribeDBInstances"]},
        ]}))
    access = iam.create_access_key(UserName="auditor")["AccessKey"]
    moto.enforce_auth(True)
    session = boto3.Session(aws_access_key_id=access["AccessKeyId"],
                            aws_secret_access_key=access["SecretAccessKey"])

    def auditor(service: str, region: str | None):  # type: ignore[no-untyped-def]
        return session.client(service, region_name=region or REGION, endpoint_url=moto.url)

    graph = read_live(auditor, [REGION])
    moto.enforce_auth(False)
    calls = {(g.call, g.code, g.listing) for g in graph.gaps}
    assert ("rds:DescribeDBInstances", "AccessDenied", True) in calls
    assert {("s3:GetBucketLifecycleConfiguration", "AccessDenied", False),
            ("kms:GetKeyRotationStatus", "HTTP 403", False),  # moto answers with no code
            ("dynamodb:DescribeTimeToLive", "HTTP 403", False),
            ("iam:ListRolePolicies", "AccessDenied", False)} <= calls, calls
    assert one(graph, "kms/key:Key", key["KeyId"]).inputs["enableKeyRotation"] == UNKNOWN
    assert one(graph, ":Table", "acme-customer-index").inputs["ttl"] == UNKNOWN
    assert one(graph, ":BucketPolicy", "acme-location-pings").inputs["policy"] == UNKNOWN
    assert one(graph, "rolePolicy:RolePolicy", f"accounts-service/{UNKNOWN}").inputs[
        "policy"] == UNKNOWN
    unknown = {(r.finding.rule, r.finding.resource.name if r.finding.resource else None)
               for r in evaluate(example_catalog, graph).results if r.finding.unknown}
    assert {("GRD-ENC-002", "acme-location-pings"), ("GRD-RET-001", "acme-location-pings"),
            ("GRD-TLS-001", "acme-location-pings"),
            ("GRD-RET-003", "acme-customer-index")} <= unknown, unknown
    # and each failed read is a finding of its own, naming the call, on what it was for
    report = evaluate(example_catalog, graph)
    unread = {(r.finding.resource.name if r.finding.resource else None, r.severity,
               r.finding.message) for r in report.results if r.finding.rule == "GRD-INV-006"}
    assert ("acme-location-pings", "high", "cannot read the lifecycle of bucket "
            "acme-location-pings: s3:GetBucketLifecycleConfiguration failed (AccessDenied); the "
            "rules that need it cannot decide") in unread
    assert (None, "critical", f"cannot list RDS instances in {REGION}: rds:DescribeDBInstances "
            "failed (AccessDenied); whatever they hold is unchecked for inventory, "
            "encryption-at-rest, encryption-in-transit, public-access, retention, residency, "
            "purpose-limitation, third-party-sharing, network-segmentation, breach-detection") \
        in unread
    assert report.exit_code == 1


def test_cli_check_live(moto, clients, offline, capsys):
    deploy(offline, clients, REGION)
    code = main(["check", "--live", "--region", REGION, "--endpoint-url", moto.url,
                 "--catalog", str(EXAMPLE_CATALOG), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1
    data = json.loads(out)
    rules = {(f["rule"], (f.get("resource") or {}).get("name")) for f in data["findings"]}
    assert ("GRD-ENC-002", "acme-pharmacy-prescriptions") in rules


def test_cli_check_live_without_a_default_region_uses_the_requested_one(moto, clients, offline,
                                                                         monkeypatch, capsys):
    deploy(offline, clients, REGION)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    code = main(["check", "--live", "--region", REGION, "--endpoint-url", moto.url,
                 "--catalog", str(EXAMPLE_CATALOG), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    data = json.loads(captured.out)
    assert data["source"]["path"].endswith(f"/{REGION}")
    rules = {(f["rule"], (f.get("resource") or {}).get("name")) for f in data["findings"]}
    assert ("GRD-ENC-002", "acme-pharmacy-prescriptions") in rules


@pytest.mark.parametrize("missing, message", [
    (("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"), "no AWS credentials"),
    (("AWS_DEFAULT_REGION",), "--live needs a region"),
])
def test_cli_check_live_without_credentials_or_region_is_exit_2(moto, monkeypatch, capsys,
                                                                missing, message):
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask an instance for keys
    for name in missing:
        monkeypatch.delenv(name)
    region = [] if "AWS_DEFAULT_REGION" in missing else ["--region", REGION]
    code = main(["check", "--live", *region, "--endpoint-url", moto.url,
                 "--catalog", str(EXAMPLE_CATALOG)])
    assert code == 2
    assert message in capsys.readouterr().err
