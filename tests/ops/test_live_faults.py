"""`check --live` under faults: the deployment of tests/ops/deployed in a moto server, read
through the fault proxy, which denies, throttles, fails or drops the calls a test chooses.
No failed read may leave the audit passing, and no fault may end in a traceback."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from guardian.aws import Clients
from guardian.catalog import load_catalog
from guardian.check import evaluate
from guardian.cli import main
from guardian.errors import UserError
from guardian.graph.live import FAILURE_BUDGET, read_live
from guardian.graph.model import ResourceGraph
from tests.ops.conftest import AWS_ENV, AWS_UNSET, EXAMPLE_CATALOG, REGION, MotoServer, serve
from tests.ops.deploy import backup_selections, deploy
from tests.ops.proxy import FaultProxy

DEPLOYED = Path(__file__).parent / "deployed"
GOOD_BUCKET = "acme-customer-profiles"  # configured as the catalog asks
# ... but for the batch-jobs role, which may touch every bucket: what blocks it without faults
GOOD_BLOCKED = {"GRD-PUR-001", "GRD-PUR-003"}


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, dict, ResourceGraph]]:
    """One deployment for the whole module (faults change what is read, never the account)."""
    from guardian.graph.program import synthesize

    with pytest.MonkeyPatch.context() as mp:
        for name in AWS_UNSET:  # as aws_env does: an AWS_PROFILE here failed every test
            mp.delenv(name, raising=False)
        for name, value in AWS_ENV.items():
            mp.setenv(name, value)
        empty = tmp_path_factory.mktemp("aws-faults")
        mp.setenv("AWS_CONFIG_FILE", str(empty / "config"))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
        # closed, so the server stopped, even when the deployment fails (it was left running)
        with contextlib.closing(serve(tmp_path_factory, managed_policies=True)) as servers:
            server = next(servers)
            offline = synthesize(DEPLOYED)
            ids = deploy(offline, Clients(endpoint_url=server.url, max_attempts=2), REGION)
            yield server, ids, offline


@pytest.fixture
def proxy(account, aws_env) -> Iterator[FaultProxy]:  # type: ignore[no-untyped-def]
    server, ids, offline = account
    running = FaultProxy(server.url).start()
    backup_selections(offline, ids, running)  # moto has none: the proxy answers for AWS
    yield running
    running.close()


ATTEMPTS = 3  # botocore's max_attempts counts the retries: 2 of them, and the first call


def read(proxy: FaultProxy, **kw) -> ResourceGraph:  # type: ignore[no-untyped-def]
    # standard mode: adaptive's client-side pacing after throttling only slows the tests down.
    # Guardian's own timeouts (10 s to connect, 30 s to read): no fault here waits for one (a
    # drop closes the connection at once), while a read of the moto server with AWS's managed
    # policies loaded slows down with the machine: 5 s, missed twice, would make a good read a gap.
    clients = Clients(endpoint_url=proxy.url, max_attempts=ATTEMPTS - 1, retry_mode="standard")
    return read_live(clients, [REGION], **kw)


def check(graph: ResourceGraph):  # type: ignore[no-untyped-def]
    return evaluate(load_catalog(EXAMPLE_CATALOG), graph)


def unread(report) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """GRD-INV-006 results by the call their message names."""
    out: dict[str, list] = {}
    for r in report.results:
        if r.finding.rule == "GRD-INV-006":
            call = r.finding.message.split(": ")[1].split(" failed")[0]
            out.setdefault(call, []).append(r)
    return out


def call_of(service: str, operation: str) -> str:
    """The call as a finding names it: the IAM action prefix, not the signing name."""
    return f"{ {'monitoring': 'cloudwatch'}.get(service, service)}:{operation}"


def blocking_on(report, name: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.finding.rule for r in report.results if r.blocking and r.finding.resource
            and r.finding.resource.name == name}


def test_without_faults_nothing_is_unread(proxy):
    report = check(read(proxy))
    assert not unread(report) and blocking_on(report, GOOD_BUCKET) == GOOD_BLOCKED
    assert proxy.injected == {"answer": 2}  # the backup selection moto lacks, nothing else
    # and every call it makes is one the tests below fail: a new read cannot escape them
    made = {(c.service, c.operation) for c in proxy.calls}
    assert made == {*SETTINGS, *PARENTS, *((s, o) for s, o, _ in LISTINGS)}


# Every read made for one resource (a setting, not a listing), denied all at once.
SETTINGS = [
    ("s3", "GetBucketTagging"), ("s3", "GetObjectLockConfiguration"),
    ("s3", "GetBucketEncryption"), ("s3", "GetBucketVersioning"),
    ("s3", "GetPublicAccessBlock"), ("s3", "GetBucketLifecycleConfiguration"),
    ("s3", "GetBucketPolicy"), ("s3", "GetBucketAcl"), ("s3", "GetBucketLogging"),
    ("s3", "GetBucketOwnershipControls"), ("s3", "GetBucketReplication"),
    ("kms", "GetKeyRotationStatus"), ("kms", "GetKeyPolicy"), ("kms", "ListResourceTags"),
    ("dynamodb", "DescribeContinuousBackups"), ("dynamodb", "DescribeTimeToLive"),
    ("dynamodb", "ListTagsOfResource"), ("dynamodb", "GetResourcePolicy"),
    ("iam", "GetPolicyVersion"), ("iam", "ListRoleTags"), ("iam", "ListRolePolicies"),
    ("iam", "ListAttachedRolePolicies"), ("rds", "DescribeDBParameters"),
    ("sns", "GetTopicAttributes"), ("events", "ListTargetsByRule"),
    ("cloudtrail", "GetTrailStatus"), ("cloudtrail", "GetEventSelectors"),
    ("guardduty", "GetDetector"), ("backup", "GetBackupPlan"),
    ("backup", "ListBackupSelections"),
]


def test_every_denied_setting_read_is_a_blocking_unknown_naming_its_call(proxy):
    for service, operation in SETTINGS:
        proxy.add("deny", service, operation)
    graph = read(proxy)
    report = check(graph)
    found = unread(report)
    for service, operation in SETTINGS:
        call = f"{service}:{operation}"
        assert call in found, call
        assert all(r.blocking and r.finding.unknown and r.severity == "high"
                   for r in found[call]), call
    assert {g.call for g in graph.gaps} == {f"{s}:{o}" for s, o in SETTINGS}
    # the bucket whose settings all pass without faults is blocked by every unread one
    on_good = [r for r in found["s3:GetBucketAcl"] if r.finding.resource
               and r.finding.resource.name == GOOD_BUCKET]
    assert on_good and on_good[0].finding.message == (
        f"cannot read the ACL of bucket {GOOD_BUCKET}: s3:GetBucketAcl failed (AccessDenied); "
        "the rules that need it cannot decide")


# The reads whose failure hides others (those of SETTINGS made with what they answer): denied
# together in a run of their own.
PARENTS = [("sts", "GetCallerIdentity"), ("s3", "GetBucketLocation"), ("kms", "DescribeKey"),
           ("dynamodb", "DescribeTable"), ("iam", "GetRolePolicy"),
           ("backup", "GetBackupSelection")]


def test_every_denied_read_that_others_depend_on_is_a_blocking_unknown(proxy):
    for service, operation in PARENTS:
        proxy.add("deny", service, operation)
    graph = read(proxy)
    found = unread(check(graph))
    assert {g.call for g in graph.gaps} == {f"{s}:{o}" for s, o in PARENTS}
    for service, operation in PARENTS:
        call = f"{service}:{operation}"
        assert found.get(call) and all(r.blocking and r.finding.unknown
                                       for r in found[call]), call
    assert graph.source.accounts == () and "unknown-account" in graph.source.path


@pytest.mark.parametrize("service, operation", [
    ("s3", "GetBucketAcl"), ("s3", "GetObjectLockConfiguration"),
    ("s3", "GetBucketReplication"), ("kms", "DescribeKey")])
def test_one_denied_read_alone_blocks_the_store_that_passed(proxy, service, operation):
    """The four reads the issue found blind: each alone adds a blocking unknown to the bucket
    whose own settings pass."""
    proxy.add("deny", service, operation)
    report = check(read(proxy))
    (gap, *_) = unread(report)[f"{service}:{operation}"]
    assert gap.blocking and gap.finding.unknown
    blocked = {r.finding.rule: r for r in report.results if r.blocking and r.finding.unknown
               and r.finding.resource and r.finding.resource.name == GOOD_BUCKET}
    if operation == "DescribeKey":
        # which keys are AWS's is unknown, the bucket's CMK too: its encryption rule cannot
        # tell, and the read is reported on the key itself (not in the graph: no resource)
        assert "GRD-ENC-001" in blocked and gap.finding.resource is None
        assert gap.finding.message.startswith("cannot read whether KMS key ")
    else:
        assert blocked["GRD-INV-006"].finding.dataset == "customer_profiles"
    if operation == "GetBucketReplication":  # where the replicas go is unknown
        assert "GRD-RES-002" in blocked


# Every listing the reader makes.
LISTINGS = [("s3", "ListBuckets", "S3 buckets"), ("dynamodb", "ListTables", "DynamoDB tables"),
            ("kms", "ListKeys", "KMS keys"), ("kms", "ListAliases", "KMS aliases"),
            ("iam", "ListRoles", "IAM roles"),
            ("iam", "ListPolicies", "customer managed IAM policies"),
            ("ec2", "DescribeVpcs", "VPCs"), ("ec2", "DescribeSubnets", "subnets"),
            ("ec2", "DescribeSecurityGroups", "security groups"),
            ("ec2", "DescribeRouteTables", "route tables"),
            ("ec2", "DescribeInternetGateways", "internet gateways"),
            ("ec2", "DescribeFlowLogs", "VPC flow logs"),
            ("ec2", "DescribeVpcEndpoints", "VPC endpoints"),
            ("rds", "DescribeDBInstances", "RDS instances"),
            ("rds", "DescribeDBSubnetGroups", "RDS subnet groups"),
            ("rds", "DescribeDBParameterGroups", "RDS parameter groups"),
            ("cloudtrail", "DescribeTrails", "CloudTrail trails"),
            ("sns", "ListTopics", "SNS topics"),
            ("sns", "ListSubscriptions", "SNS subscriptions"),
            ("events", "ListRules", "EventBridge rules"),
            ("monitoring", "DescribeAlarms", "CloudWatch alarms"),
            ("guardduty", "ListDetectors", "GuardDuty detectors"),
            ("backup", "ListBackupVaults", "AWS Backup vaults"),
            ("backup", "ListBackupPlans", "AWS Backup plans")]


@pytest.mark.parametrize("half", [0, 1])
def test_every_denied_listing_blocks_at_any_threshold(proxy, half):
    """Half the listings denied at once (all of them would leave nothing read: exit 2)."""
    denied = LISTINGS[half::2]
    for service, operation, _ in denied:
        proxy.add("deny", service, operation)
    graph = read(proxy)
    report = evaluate(load_catalog(EXAMPLE_CATALOG), graph, fail_on="critical")
    found = unread(report)
    assert {g.call for g in graph.gaps} == {call_of(s, o) for s, o, _ in denied}
    for service, operation, what in denied:
        (result,) = found[call_of(service, operation)]
        assert result.blocking and result.severity == "critical" and result.finding.unknown
        assert result.finding.message.startswith(f"cannot list {what} ")
    assert report.exit_code == 1 and report.partial is None


def test_allow_partial_reports_a_failed_listing_without_blocking(proxy, capsys):
    proxy.add("deny", "ec2", "DescribeSecurityGroups")
    argv = ["check", "--live", "--region", REGION, "--endpoint-url", proxy.url,
            "--catalog", str(EXAMPLE_CATALOG)]
    assert main(argv) == 1
    blocked = capsys.readouterr().out
    assert "critical GRD-INV-006" in blocked and "PARTIAL" not in blocked
    main([*argv, "--allow-partial"])
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first == ("PARTIAL AUDIT (--allow-partial): 1 listing(s) failed and what they hold "
                     f"was not checked: ec2:DescribeSecurityGroups (UnauthorizedOperation, "
                     f"{REGION})")
    assert "info     GRD-INV-006" in out and "critical GRD-INV-006" not in out
    main([*argv, "--allow-partial", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["source"]["partial"] == first


@pytest.mark.parametrize("kind, service, operation, code", [
    ("throttle", "s3", "GetBucketAcl", "SlowDown"),
    ("throttle", "iam", "ListRolePolicies", "Throttling"),
    ("throttle", "monitoring", "DescribeAlarms", "ThrottlingException"),
    ("error", "kms", "GetKeyPolicy", "InternalServerError"),
    ("error", "ec2", "DescribeSubnets", "InternalError"),
    ("error", "rds", "DescribeDBSubnetGroups", "InternalFailure"),
    ("drop", "dynamodb", "ListTables", "ConnectionClosedError"),
    ("drop", "s3", "GetBucketPolicy", "ConnectionClosedError"),
])
def test_persistent_faults_past_the_retries_are_gaps_not_tracebacks(proxy, kind, service,
                                                                    operation, code):
    proxy.add(kind, service, operation)
    graph = read(proxy)
    gaps = [g for g in graph.gaps if g.call == call_of(service, operation)]
    assert gaps and {g.code for g in gaps} == {code}
    # botocore tried each of them ATTEMPTS times, and no other call was lost
    assert proxy.count(service, operation) == ATTEMPTS * len(gaps)
    assert {g.call for g in graph.gaps} == {call_of(service, operation)}
    assert check(graph).exit_code == 1


def test_transient_throttling_is_retried_and_leaves_no_gap(proxy):
    proxy.add("throttle", "s3", "GetBucketAcl", times=ATTEMPTS - 1)
    proxy.add("error", "dynamodb", "ListTables", times=1)
    graph = read(proxy)
    assert graph.gaps == ()
    assert proxy.injected["throttle"] == ATTEMPTS - 1 and proxy.injected["error"] == 1


def test_a_failing_service_costs_a_bounded_number_of_calls(proxy):
    proxy.add("drop", "ec2")  # every EC2 call, in every attempt
    graph = read(proxy)
    ec2 = [g for g in graph.gaps if g.call.startswith("ec2:")]
    assert len(ec2) == 7 and all(g.listing for g in ec2)  # every EC2 listing is a gap
    assert [g.code for g in ec2].count("NotAttempted") == 7 - FAILURE_BUDGET
    assert proxy.count("ec2") == FAILURE_BUDGET * ATTEMPTS  # then no more calls


def test_nothing_readable_is_exit_2_naming_the_call(proxy, capsys):
    for service in ("sts", "s3", "dynamodb", "kms", "iam", "ec2", "rds", "sns", "events",
                    "monitoring", "cloudtrail", "guardduty", "backup"):
        proxy.add("drop", service)
    with pytest.raises(UserError, match="nothing could be read from AWS: 3 calls in a row "
                                        "failed, the last kms:ListAliases with "
                                        "ConnectionClosedError"):
        read(proxy)
    assert proxy.count("kms") + proxy.count("sts") == 3 * ATTEMPTS  # and no other call
    for service in ("sts", "s3", "dynamodb", "kms", "iam", "ec2", "rds", "sns", "events",
                    "monitoring", "cloudtrail", "guardduty", "backup"):
        proxy.add("deny", service)  # refused everywhere: quick, but nothing read either
    code = main(["check", "--live", "--region", REGION, "--endpoint-url", proxy.url,
                 "--catalog", str(EXAMPLE_CATALOG)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "nothing could be read from AWS: the first call, sts:GetCallerIdentity, failed " \
        "with AccessDenied" in err


def test_an_endpoint_that_does_not_listen_is_exit_2(aws_env, capsys):
    import socket

    with socket.socket() as bound:  # the port is ours, and refuses: bound, never listening
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}"
        code = main(["check", "--live", "--region", REGION, "--endpoint-url", url,
                     "--catalog", str(EXAMPLE_CATALOG)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "nothing could be read from AWS" in err or "cannot reach AWS" in err


# Successful answers without a field the reader takes from them, or holding one with another
# type (a proxy, an older API, a partial answer): each is the read's own failure,
# MalformedResponse, on what it was for, never a traceback nor a pass.
BUCKET_WITHOUT_NAME = (b"<ListAllMyBucketsResult><Buckets><Bucket><CreationDate>"
                       b"2024-01-01T00:00:00Z</CreationDate></Bucket></Buckets>"
                       b"</ListAllMyBucketsResult>")
KEY_WITHOUT_ID = {"Keys": [{"KeyArn": f"arn:aws:kms:{REGION}:123456789012:key/k"}]}


@pytest.mark.parametrize("service, operation, body, message", [
    ("kms", "DescribeKey", {}, "cannot read whether KMS key "),
    ("kms", "DescribeKey", {"KeyMetadata": "enabled"}, "cannot read whether KMS key "),
    ("dynamodb", "DescribeTable", {"Table": {"TableName": "x"}}, "cannot read table "),
    ("kms", "ListKeys", KEY_WITHOUT_ID, f"cannot list KMS keys in {REGION}: "),
    ("dynamodb", "ListTables", {"TableNames": [{"TableName": "customer"}]},
     f"cannot list DynamoDB tables in {REGION}: "),
    ("s3", "ListBuckets", BUCKET_WITHOUT_NAME, "cannot list S3 buckets"),
])
def test_an_answer_missing_a_field_is_a_blocking_unknown_naming_the_call(
        proxy, service, operation, body, message):
    proxy.add("answer", service, operation, body=body)
    graph = read(proxy)
    call = f"{service}:{operation}"
    assert {(g.call, g.code) for g in graph.gaps} == {(call, "MalformedResponse")}
    found = unread(check(graph))[call]
    assert found and all(r.blocking and r.finding.unknown for r in found)
    assert all(r.finding.message.startswith(message) and
               f"{call} failed (MalformedResponse)" in r.finding.message for r in found)


@pytest.mark.parametrize("operation, body, severity", [
    ("DescribeKey", {}, "high"), ("ListKeys", KEY_WITHOUT_ID, "critical")])
def test_check_live_says_which_answer_was_malformed(proxy, capsys, operation, body, severity):
    proxy.add("answer", "kms", operation, body=body)
    code = main(["check", "--live", "--region", REGION, "--endpoint-url", proxy.url,
                 "--catalog", str(EXAMPLE_CATALOG)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert re.search(rf"FAIL +{severity} +GRD-INV-006 .*\n.*\n.*: kms:{operation} failed "
                     r"\(MalformedResponse\)", out)
    assert "fix: The call was answered, but the answer was incomplete" in out
    assert "Grant the auditing principal" not in out  # no permission is missing
