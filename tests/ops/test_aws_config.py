"""`guardian check --live --source aws-config --aggregator NAME`: the organisation's graph from
the configuration items an AWS Config aggregator holds (tests/ops/config_server.py serves them,
from the fixtures, in front of moto), read by the same reader as a direct audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from guardian.aws import NOT_RECORDED, Clients
from guardian.catalog import load_catalog
from guardian.check import evaluate
from guardian.cli import main
from guardian.graph.aws_config import read_aggregator
from guardian.graph.live import read_live
from guardian.graph.model import UNKNOWN, ResourceGraph
from tests.ops import seed
from tests.ops.accounts import enabled
from tests.ops.config_server import Aggregator, ConfigServer, load
from tests.ops.conftest import MotoServer

# The test itself, not its fixtures: the first test here also starts the session's moto server
# (bounded by its own 60 s deadline), which would otherwise count against this minute.
pytestmark = pytest.mark.timeout(60, func_only=True)

A, B, D = "111111111111", "222222222222", "333333333333"
W, C, US = "eu-west-1", "eu-central-1", "us-east-1"
NAME = "org-aggregator"
BUCKET, TABLE = "aws:s3/bucket:Bucket", "aws:dynamodb/table:Table"
CATALOG = """\
version: 1
organization: {name: Acme, contact: privacy@acme.example}
datasets:
  - id: orders
    name: Orders
    owner: team-orders
    classification: confidential
    categories: [user.contact.email]
    subjects: [customer]
    jurisdictions: [gdpr]
    residency: [eu]
    retention: {days: 30}
    uses: [{use: essential.service, legal_basis: contract}]
    breach_contacts: [security@acme.example]
    access:
      - role: orders-service
        use: essential.service
        actions: [read, write]
    storage:
      - {kind: s3, name: shop-orders}
      - {kind: dynamodb, name: orders}
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    return path


@pytest.fixture
def config(moto: MotoServer) -> Iterator[ConfigServer]:
    """The organisation's aggregator, in front of the (empty) moto server."""
    server = ConfigServer(moto.url, aggregators={NAME: Aggregator(load("organisation.json"))})
    server.start()
    yield server
    server.close()


def read(server: ConfigServer, **kw: Any) -> ResourceGraph:
    return read_aggregator(Clients(endpoint_url=server.url, max_attempts=2), NAME, W, **kw)


def read_items(moto: MotoServer, aggregator: Aggregator, **kw: Any) -> ResourceGraph:
    """The graph from an aggregator of its own (items a test changed), served for this read."""
    server = ConfigServer(moto.url, aggregators={NAME: aggregator}).start()
    try:
        return read(server, **kw)  # type: ignore[arg-type]
    finally:
        server.close()


def changed(name: str, region: str = W, **fields: Any) -> list[dict[str, Any]]:
    """organisation.json with item `name` (in `region`) changed: `fields` replace its own,
    `supplementary` its supplementaryConfiguration entries (None: left out)."""
    items = load("organisation.json")
    item = next(i for i in items if i["resourceName"] == name and i["awsRegion"] == region)
    for key, value in fields.pop("supplementary", {}).items():
        item["supplementaryConfiguration"].pop(key, None)
        if value is not None:
            item["supplementaryConfiguration"][key] = value
    for key, value in fields.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return items


def statuses(catalog: Path, graph: ResourceGraph) -> dict[tuple[str, str, str | None, str | None],
                                                        str]:
    """(rule, resource name, account, region) -> pass | fail | unknown, for every check."""
    report = evaluate(load_catalog(catalog), graph)
    out: dict[tuple[str, str, str | None, str | None], str] = {}
    for check in report.checks:
        ref = check.subject.resource
        if ref is not None:
            out[(check.rule.id, ref.name, ref.account, ref.region)] = "pass"
    for r in report.results:
        ref = r.finding.resource
        if ref is not None:
            key = (r.finding.rule, ref.name, ref.account, ref.region)
            out[key] = "unknown" if r.finding.unknown or out.get(key) == "unknown" else "fail"
    return out


# --- the organisation, from Config alone ---------------------------------------------------

def test_every_account_and_region_from_the_aggregator(config, catalog):
    graph = read(config)
    assert graph.source.accounts == (A, B)
    stores = {(r.name, r.account, r.region) for r in graph.of_type(BUCKET, TABLE)}
    assert stores == {("shop-orders", A, W), ("shop-logs", A, W), ("orders", A, W),
                      ("orders", A, C), ("hr-exports", B, W), ("hr-us-archive", B, US),
                      ("hr-orders", B, W), ("hr-ledger", B, W)}
    # the deleted bucket is not a resource; B's eu-central-1 tables are not Config's to tell
    assert not graph.named("shop-old-orders")
    [gap] = [g for g in graph.gaps if g.call == "dynamodb:ListTables"]
    assert (gap.account, gap.region, gap.code, gap.listing) == (B, C, NOT_RECORDED, True)
    note = graph.source.note or ""
    # no --region: the regions Config knows of, and the report says so
    assert graph.source.path == f"aws-config://{NAME}/recorded-regions"
    assert "regions: those where the aggregator holds the account's items or recorder" in note
    assert "AWS::S3::Bucket" in note and "AWS::DynamoDB::Table" in note
    assert "2026-12-01T08:00:00+00:00 (oldest)" in note
    assert "not in Config, unknown" in note and "dynamodb:ListTables" in note
    assert "kms:GetKeyPolicy" in note and "dynamodb:DescribeTimeToLive" in note
    # the Select pages and the batches: a handful of calls for the whole organisation
    assert config.aggregators[NAME].calls == {"SelectAggregateResourceConfig": 1,
                                              "BatchGetAggregateResourceConfig": 1}


def test_rules_pass_and_fail_on_config_items_with_their_account_and_region(config, catalog):
    got = statuses(catalog, read(config))
    expected = {
        # encryption: a customer key / none; rotation on / off; DynamoDB under a CMK / not
        ("GRD-ENC-001", "shop-orders", A, W): "pass",
        ("GRD-ENC-001", "hr-exports", B, W): "fail",
        ("GRD-ENC-002", "orders", A, W): "pass",
        ("GRD-ENC-002", "hr-ledger", B, W): "fail",
        ("GRD-ENC-004", "orders", A, W): "pass",
        ("GRD-ENC-004", "hr-orders", B, W): "fail",
        # TLS-only and public policy, public access block, ACL
        ("GRD-TLS-001", "shop-orders", A, W): "pass",
        ("GRD-TLS-001", "hr-exports", B, W): "fail",
        ("GRD-PUB-001", "shop-orders", A, W): "pass",
        ("GRD-PUB-001", "hr-exports", B, W): "fail",
        ("GRD-PUB-002", "shop-orders", A, W): "pass",
        ("GRD-PUB-002", "hr-exports", B, W): "fail",
        ("GRD-PUB-003", "shop-orders", A, W): "pass",
        ("GRD-PUB-003", "hr-exports", B, W): "fail",
        # retention: expiry within 30 days, old versions expire, Object Lock
        ("GRD-RET-001", "shop-orders", A, W): "pass",
        ("GRD-RET-001", "hr-exports", B, W): "fail",
        ("GRD-RET-002", "shop-orders", A, W): "pass",
        ("GRD-RET-002", "hr-exports", B, W): "fail",
        ("GRD-RET-004", "shop-orders", A, W): "pass",
        ("GRD-RET-004", "hr-exports", B, W): "fail",
        # residency: the bucket's region from its item
        ("GRD-RES-001", "shop-orders", A, W): "pass",
        ("GRD-RES-001", "hr-us-archive", B, US): "fail",
        # IAM from AWS::IAM::Role items: the declared role passes, the wildcard one fails
        ("GRD-PUR-001", "hr-orders", B, W): "fail",
        ("GRD-PUR-002", "orders", A, W): "pass",
        ("GRD-PUR-003", "hr-orders", B, W): "fail",
        # tags from the Select rows
        ("GRD-INV-001", "shop-orders", A, W): "pass",
    }
    assert {k: got.get(k) for k in expected} == expected


def test_cli_reports_accounts_and_the_config_note(config, catalog, capsys):
    code = main(["check", "--live", "--source", "aws-config", "--aggregator", NAME,
                 "--catalog", str(catalog), "--endpoint-url", config.url, "--region", W,
                 "--region", C, "--region", US, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["source"]["accounts"]["partial"] == [A, B]  # what Config lacks: unknown
    assert doc["source"]["note"].startswith("AWS CONFIG: aggregator org-aggregator")
    enc = [f for f in doc["findings"] if f["rule"] == "GRD-ENC-001" and not f["unknown"]]
    assert [(f["resource"]["name"], f["account"], f["region"]) for f in enc] == [
        ("hr-exports", B, W)]
    code = main(["check", "--live", "--source", "aws-config", "--aggregator", NAME,
                 "--catalog", str(catalog), "--endpoint-url", config.url, "--region", W])
    first = capsys.readouterr().out.splitlines()[:3]
    assert first[0].startswith("accounts: 0 audited, 2 partial")
    assert first[1].startswith("AWS CONFIG: aggregator org-aggregator")


@pytest.mark.parametrize("command", [["check", "--format", f] for f in (
    "text", "json", "sarif", "junit")] + [["report"]])
def test_every_output_says_how_old_config_items_are(config, catalog, capsys, command):
    """Config's record, not a live read: the oldest capture time is in every report."""
    main([command[0], "--live", "--source", "aws-config", "--aggregator", NAME, "--catalog",
          str(catalog), "--endpoint-url", config.url, "--region", W, *command[1:]])
    out = capsys.readouterr().out
    assert "AWS CONFIG: aggregator org-aggregator" in out
    assert "2026-12-01T08:00:00+00:00 (oldest)" in out


# --- what Config does not hold: direct reads, or unknown -----------------------------------

def test_kinds_not_in_config_are_unknown_without_a_role(config, catalog):
    graph = read(config, regions=[W])
    gaps = {(g.call, g.account) for g in graph.gaps if g.code == NOT_RECORDED}
    assert ("ec2:DescribeVpcs", A) in gaps and ("kms:GetKeyPolicy", B) in gaps
    key = graph.of_type("aws:kms/key:Key")[0]
    assert key.inputs["policy"] == UNKNOWN and key.inputs["enableKeyRotation"] in (True, False)
    report = evaluate(load_catalog(catalog), graph)
    unread = [r for r in report.results if r.finding.rule == "GRD-INV-006"]
    assert all(r.finding.unknown for r in unread)
    assert any("ec2:DescribeVpcs" in r.finding.message and r.blocking for r in unread)
    assert any("kms:GetKeyPolicy" in r.finding.message for r in unread)
    assert report.exit_code == 1  # never a pass


def test_kinds_not_in_config_fall_back_to_direct_reads_with_a_role(config, moto, catalog):
    """With --assume-role, what Config does not record is read from the account itself (moto,
    through the role): here account B's eu-central-1 tables and every key policy."""
    ddb = _member(moto.url, B, "dynamodb", C)
    ddb.create_table(TableName="hr-direct", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    graph = read(config, regions=[W, C], role="GuardianAudit")
    tables = {(r.name, r.account, r.region) for r in graph.of_type(TABLE)}
    assert ("hr-direct", B, C) in tables  # read directly: Config does not record them there
    assert ("hr-orders", B, C) not in tables  # Config's stale item for it is not used
    assert ("orders", A, C) in tables  # from Config
    assert not [g for g in graph.gaps if g.code == NOT_RECORDED]
    assert "read directly through role GuardianAudit" in (graph.source.note or "")


def _member(url: str, account: str, service: str, region: str) -> Any:
    from tests.ops.accounts import member_client

    return member_client(url, account, service, region)


# --- failures: never a pass, never a traceback ---------------------------------------------

def test_an_unknown_aggregator_is_exit_2(config, catalog, capsys):
    code = main(["check", "--live", "--source", "aws-config", "--aggregator", "nope",
                 "--catalog", str(catalog), "--endpoint-url", config.url, "--region", W])
    err = capsys.readouterr().err
    assert code == 2 and "NoSuchConfigurationAggregatorException" in err and "nope" in err
    assert f"in {W} (looked up in the first --region" in err  # where it looked, and why
    assert "Traceback" not in err


def test_a_denied_select_is_exit_2_naming_the_permissions(config, catalog, capsys):
    config.add("deny", "config", "SelectAggregateResourceConfig")
    code = main(["check", "--live", "--source", "aws-config", "--aggregator", NAME,
                 "--catalog", str(catalog), "--endpoint-url", config.url, "--region", W])
    err = capsys.readouterr().err
    assert code == 2 and "config:BatchGetAggregateResourceConfig" in err


def test_a_denied_batch_get_fails_every_account(config, catalog):
    """Without the items, not even what Config records is known: every account failed."""
    config.add("deny", "config", "BatchGetAggregateResourceConfig")
    graph = read(config, regions=[W])
    assert graph.coverage()["failed"] == [A, B] and not graph.resources
    assert {(g.call, g.code) for g in graph.gaps} == {
        ("config:BatchGetAggregateResourceConfig", "AccessDeniedException")}
    got = statuses(catalog, graph)
    assert "pass" not in {v for k, v in got.items() if k[0].startswith(("GRD-ENC", "GRD-PUB"))}
    assert evaluate(load_catalog(catalog), graph).exit_code == 1


def test_throttling_is_retried(config, catalog):
    config.add("throttle", "config", "SelectAggregateResourceConfig", times=1)
    config.add("throttle", "config", "BatchGetAggregateResourceConfig", times=1)
    graph = read(config, regions=[W])
    assert {r.name for r in graph.of_type(BUCKET)} == {"shop-orders", "shop-logs", "hr-exports"}
    assert config.injected["throttle"] == 2


def test_pages_batches_and_unprocessed_identifiers(moto, catalog):
    """150 buckets: two Select pages at Limit 100 (the server pages by 40: four), two
    batches of at most 100, and identifiers left unprocessed are asked again."""
    items = load("organisation.json")
    template = next(i for i in items if i["resourceName"] == "shop-logs")
    many = [{**template, "resourceId": f"bulk-{n:03}", "resourceName": f"bulk-{n:03}",
             "arn": f"arn:aws:s3:::bulk-{n:03}"} for n in range(150)]
    aggregator = Aggregator(items + many, page=40, unprocessed={"bulk-007": 2, "orders": 1})
    graph = read_items(moto, aggregator, regions=[W])
    names = {r.name for r in graph.of_type(BUCKET)}
    assert {f"bulk-{n:03}" for n in range(150)} <= names
    assert aggregator.calls["SelectAggregateResourceConfig"] == 5  # 178 rows / 40
    assert aggregator.calls["BatchGetAggregateResourceConfig"] == 4  # 2 + 1 retry + 1 retry
    assert not [g for g in graph.gaps if g.code == "UnprocessedResourceIdentifiers"]
    assert graph.by_urn(next(r.urn for r in graph.of_type(TABLE) if r.account == A and
                             r.region == W)).inputs["serverSideEncryption"]["enabled"] is True


def test_identifiers_never_processed_are_gaps(moto, catalog):
    graph = read_items(moto, Aggregator(load("organisation.json"),
                                        unprocessed={"hr-exports": 99}), regions=[W])
    codes = {g.code for g in graph.gaps if g.account == B and "hr-exports" in g.what}
    assert codes - {NOT_RECORDED} == {"UnprocessedResourceIdentifiers"}
    got = statuses(catalog, graph)
    assert got[("GRD-ENC-001", "hr-exports", B, W)] == "unknown"


def test_malformed_items_are_gaps_not_tracebacks(moto, catalog):
    items = load("organisation.json")
    for i in items:
        if i["resourceName"] == "hr-exports":
            i["supplementaryConfiguration"]["ServerSideEncryptionConfiguration"] = "{not json"
            i["supplementaryConfiguration"]["PublicAccessBlockConfiguration"] = "{}"
        if i["resourceName"] == "hr-orders" and i["awsRegion"] == W:
            i["configuration"] = json.dumps({"tableName": "hr-orders"})  # no keySchema
        if i["resourceName"] == "orders-admin":
            i["configuration"] = "not json at all"
    items.append({"accountId": B, "awsRegion": W, "resourceType": "AWS::S3::Bucket"})  # no id
    graph = read_items(moto, Aggregator(items), regions=[W])
    malformed = {(g.call, g.account) for g in graph.gaps if g.code == "MalformedResponse"}
    assert ("s3:GetBucketEncryption", B) in malformed
    assert ("s3:GetPublicAccessBlock", B) in malformed
    assert ("dynamodb:DescribeTable", B) in malformed
    assert ("iam:ListRoles", B) in malformed
    assert ("config:SelectAggregateResourceConfig", None) in malformed
    got = statuses(catalog, graph)
    assert got[("GRD-ENC-001", "hr-exports", B, W)] == "unknown"
    assert got[("GRD-INV-001", "hr-orders", B, W)] == "unknown"  # unread: tags too
    assert got[("GRD-ENC-001", "shop-orders", A, W)] == "pass"  # the others read as ever


def test_an_account_the_aggregator_does_not_hold_is_failed(config, catalog):
    graph = read(config, accounts=[A, D], regions=[W])
    assert graph.coverage()["failed"] == [D]
    [gap] = [g for g in graph.gaps if g.account == D]
    assert gap.account_wide and gap.code == "NotInAggregator"


def test_with_a_role_an_account_the_aggregator_does_not_hold_is_read_in_its_regions(
        config, moto, catalog):
    """Config knows nothing of account D, not even its regions: with --assume-role it is read
    directly as --organization reads it, in every region it has enabled, not only where the
    aggregator lives (W): its eu-central-1 table is found."""
    seed.dynamo_table(_member(moto.url, D, "dynamodb", C), "orders", "customer_id")
    config.add("answer", "ec2", "DescribeRegions", body=enabled(W, C))
    graph = read(config, accounts=[A, D], role="GuardianAudit")
    coverage = graph.coverage()  # (A is partial: its items are in Config, not in moto)
    assert D in coverage["audited"] and not coverage["failed"]
    assert ("orders", D, C) in {(r.name, r.account, r.region) for r in graph.of_type(TABLE)}
    assert config.count("ec2", "DescribeRegions") == 1  # D's alone: A's regions are Config's
    assert f"all of account {D}" in (graph.source.note or "")



# --- item shapes AWS produces: what an item does not say is unknown, never "not set" -------

def test_settings_config_always_records_are_unknown_when_an_item_lacks_them(moto, catalog):
    """Config records "no policy" as {"policyText": null}, versioning never enabled as status
    "Off" and no access logging as a null destination: an item without them did not record
    them. hr-exports' policy is public: without it, never a pass."""
    items = changed("hr-exports", supplementary={
        "BucketPolicy": None, "BucketVersioningConfiguration": None,
        "BucketLoggingConfiguration": None})
    graph = read_items(moto, Aggregator(items), regions=[W])
    unrecorded = {g.call for g in graph.gaps if g.code == NOT_RECORDED and "hr-exports" in g.what}
    assert {"s3:GetBucketPolicy", "s3:GetBucketVersioning", "s3:GetBucketLogging"} <= unrecorded
    got = statuses(catalog, graph)
    # were they read as "none": a pass for the public policy and the versions kept, and a
    # false failure for TLS
    assert got[("GRD-PUB-003", "hr-exports", B, W)] == "unknown"
    assert got[("GRD-RET-002", "hr-exports", B, W)] == "unknown"
    assert got[("GRD-TLS-001", "hr-exports", B, W)] == "unknown"


NOT_RECORDED_ITEM = {"configurationItemStatus": "ResourceNotRecorded", "configuration": None,
                     "supplementaryConfiguration": {}, "tags": {}}


@pytest.mark.parametrize("status, read", [
    ("OK", True), ("ResourceDiscovered", True),
    ("ResourceDeleted", False), ("ResourceDeletedNotRecorded", False)])
def test_each_item_status(moto, catalog, status, read):
    """An item OK or just discovered is read; a deleted one is no resource."""
    graph = read_items(moto, Aggregator(changed("shop-orders", configurationItemStatus=status)),
                       regions=[W])
    got = statuses(catalog, graph)
    assert got.get(("GRD-ENC-001", "shop-orders", A, W)) == ("pass" if read else None)
    assert bool(graph.named("shop-orders")) is read


def test_a_resource_whose_configuration_is_not_recorded_is_unknown(moto, catalog):
    """ResourceNotRecorded: the bucket exists (Config discovered it) but its configuration,
    settings and tags were not recorded: every rule that needs them says unknown, with the
    code that says why (not a malformed answer, not "no settings")."""
    graph = read_items(moto, Aggregator(changed("hr-exports", **NOT_RECORDED_ITEM)),
                       regions=[W])
    assert graph.named("hr-exports")
    assert {g.code for g in graph.gaps if "hr-exports" in g.what} == {NOT_RECORDED}
    got = {k[0]: v for k, v in statuses(catalog, graph).items() if k[1] == "hr-exports"}
    assert got["GRD-INV-001"] == "unknown"  # its dataset tag too: which dataset is unknown
    assert not {r for r, v in got.items() if r.startswith(("GRD-ENC", "GRD-TLS", "GRD-PUB",
                                                           "GRD-RET")) and v != "unknown"}


def test_with_a_role_what_an_item_lacks_is_read_directly(moto, catalog):
    """With --assume-role, an unrecorded resource (hr-exports) and a setting its item lacks
    (shop-orders' ACL) are read from the account, as the types Config does not record are."""
    s3 = _member(moto.url, B, "s3", W)
    s3.create_bucket(Bucket="hr-exports", CreateBucketConfiguration={"LocationConstraint": W})
    s3.put_bucket_tagging(Bucket="hr-exports", Tagging={"TagSet": [
        {"Key": "privacy:dataset", "Value": "orders"}]})
    s3.put_public_access_block(Bucket="hr-exports", PublicAccessBlockConfiguration={
        f: True for f in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                          "RestrictPublicBuckets")})
    _member(moto.url, A, "s3", W).create_bucket(
        Bucket="shop-orders", CreateBucketConfiguration={"LocationConstraint": W})
    items = changed("hr-exports", **NOT_RECORDED_ITEM)
    next(i for i in items if i["resourceName"] == "shop-orders")[
        "supplementaryConfiguration"].pop("AccessControlList")
    graph = read_items(moto, Aggregator(items), regions=[W], role="GuardianAudit")
    assert not [g for g in graph.gaps if g.code == NOT_RECORDED]
    got = statuses(catalog, graph)
    assert got[("GRD-PUB-001", "hr-exports", B, W)] == "pass"  # its item said otherwise
    assert got[("GRD-PUB-002", "hr-exports", B, W)] == "pass"
    assert got[("GRD-PUB-003", "shop-orders", A, W)] == "pass"
    note = graph.source.note or ""
    assert "read directly through role GuardianAudit" in note and "s3:GetBucketAcl" in note


def test_encryption_read_in_either_casing_config_writes(moto, catalog):
    """Config's items name SSE fields as bean properties (ssedescription.kmsmasterKeyArn, the
    schema's) or as the SDK's fields (sSEDescription.kMSMasterKeyArn): a customer key either
    way, never a false "AWS owned key" finding."""
    items = load("organisation.json")
    for i in items:
        if (i["resourceName"], i["awsRegion"]) == ("orders", W):
            table = json.loads(i["configuration"])
            sse = table.pop("ssedescription")
            table["sSEDescription"] = {"status": sse["status"], "sSEType": sse["ssetype"],
                                       "kMSMasterKeyArn": sse["kmsmasterKeyArn"]}
            i["configuration"] = json.dumps(table)
        if i["resourceName"] == "shop-orders":
            supp = i["supplementaryConfiguration"]
            supp["ServerSideEncryptionConfiguration"] = supp[
                "ServerSideEncryptionConfiguration"].replace("kmsMasterKeyID", "kMSMasterKeyID")
    got = statuses(catalog, read_items(moto, Aggregator(items), regions=[W]))
    assert got[("GRD-ENC-004", "orders", A, W)] == "pass"
    assert got[("GRD-ENC-002", "orders", A, W)] == "pass"
    assert got[("GRD-ENC-001", "shop-orders", A, W)] == "pass"


@pytest.mark.parametrize("recording", [False, None])
def test_a_recorder_not_recording_or_not_saying_is_no_authority(moto, catalog, recording):
    """Config answers for a region only while its recorder's item says it records: stopped
    (Recording false) or not saying, B's items there are not read (as last seen): with
    nothing else Config records there, the account is failed."""
    items = load("organisation.json")
    recorder = next(i for i in items if i["resourceType"] == "AWS::Config::ConfigurationRecorder"
                    and (i["accountId"], i["awsRegion"]) == (B, W))
    cfg = json.loads(recorder["configuration"])
    cfg.pop("Recording")
    if recording is not None:
        cfg["Recording"] = recording
    recorder["configuration"] = json.dumps(cfg)
    graph = read_items(moto, Aggregator(items), regions=[W])
    assert graph.coverage()["failed"] == [B] and not graph.named("hr-exports")


def test_a_service_linked_recorder_says_nothing_of_what_config_holds(moto, catalog):
    """A service-linked recorder (ServicePrincipal: recording for one AWS service, its items
    maybe kept internal) beside B's own in eu-west-1: what Config holds there is still what
    B's recorder records, whichever item comes first."""
    items = load("organisation.json")
    own = next(i for i in items if i["resourceType"] == "AWS::Config::ConfigurationRecorder"
               and (i["accountId"], i["awsRegion"]) == (B, W))
    linked = {**own, "resourceId": "AWSConfigurationRecorderForExample",
              "resourceName": "AWSConfigurationRecorderForExample",
              "configuration": json.dumps({
                  "Name": "AWSConfigurationRecorderForExample",
                  "ServicePrincipal": "example.amazonaws.com", "RecordingScope": "INTERNAL",
                  "Recording": True, "RecordingGroup": {
                      "AllSupported": False, "ResourceTypes": ["AWS::EC2::Instance"]}})}
    items.insert(items.index(own) + 1, linked)
    graph = read_items(moto, Aggregator(items), regions=[W])
    assert not [g for g in graph.gaps if g.account == B and g.code == NOT_RECORDED
                and g.call.startswith(("s3:ListBuckets", "s3:GetBucketEncryption"))]
    assert statuses(catalog, graph)[("GRD-PUB-003", "hr-exports", B, W)] == "fail"


def test_iam_is_config_s_only_where_a_recorder_can_record_it(moto, catalog):
    """IAM's global types are recorded only in regions Config ran in before February 2022: a
    Zurich recorder saying it includes them (B's only one that does) records none, so B's
    roles are not read from its items."""
    items = load("organisation.json")
    for i in items:
        if i["resourceType"] == "AWS::Config::ConfigurationRecorder" and i["accountId"] == B:
            cfg = json.loads(i["configuration"])
            cfg["RecordingGroup"]["IncludeGlobalResourceTypes"] = False
            i["configuration"] = json.dumps(cfg)
            zurich = {**i, "awsRegion": "eu-central-2", "configuration": json.dumps({
                **cfg, "RecordingGroup": {**cfg["RecordingGroup"], "AllSupported": True,
                                          "IncludeGlobalResourceTypes": True}})}
    items.append(zurich)
    graph = read_items(moto, Aggregator(items), regions=[W, "eu-central-2"])
    unrecorded = {(g.call, g.account) for g in graph.gaps if g.code == NOT_RECORDED}
    assert ("iam:ListRoles", B) in unrecorded and ("iam:ListRoles", A) not in unrecorded


def test_the_note_says_where_config_records_once_a_day(moto, catalog):
    """A recorder recording daily (RecordingFrequency, or an override for a type read)
    leaves its items up to a day behind: the note names where."""
    items = load("organisation.json")
    for i in items:
        if i["resourceType"] == "AWS::Config::ConfigurationRecorder" and \
                i["awsRegion"] == W:
            cfg = json.loads(i["configuration"])
            cfg["RecordingMode"] = {"RecordingFrequency": "CONTINUOUS"} if i[
                "accountId"] == A else {"RecordingFrequency": "CONTINUOUS",
                                        "RecordingModeOverrides": [{
                                            "RecordingFrequency": "DAILY",
                                            "ResourceTypes": ["AWS::S3::Bucket"]}]}
            i["configuration"] = json.dumps(cfg)
    note = read_items(moto, Aggregator(items), regions=[W]).source.note or ""
    assert f"recorded daily, up to a day behind, in {B} {W}" in note
    assert f"{A} {W}" not in note


def test_acl_grants_in_either_list_config_writes(moto, catalog):
    """Config's AccessControlList holds the grants in grantList, or in grantSet with
    grantList null (the SDK's two fields): hr-exports' public grant counts either way."""
    items = load("organisation.json")
    item = next(i for i in items if i["resourceName"] == "hr-exports")
    acl = json.loads(item["supplementaryConfiguration"]["AccessControlList"])
    acl["grantSet"], acl["grantList"] = acl["grantList"], None
    item["supplementaryConfiguration"]["AccessControlList"] = json.dumps(acl)
    got = statuses(catalog, read_items(moto, Aggregator(items), regions=[W]))
    assert got[("GRD-PUB-002", "hr-exports", B, W)] == "fail"


def test_a_key_config_does_not_hold_is_unknown_not_a_customer_key(moto, catalog):
    """A table under a key of its own account and region that Config holds no item of (an
    AWS managed key, or one created since the last capture): whether AWS or the customer
    manages it is unknown, so GRD-ENC-004 cannot pass (it did: an unlisted key looked like
    another account's customer key)."""
    unheld = f"arn:aws:kms:{W}:{A}:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    items = load("organisation.json")
    for i in items:
        if (i["resourceName"], i["awsRegion"]) == ("orders", W):
            i["configuration"] = i["configuration"].replace(
                f"arn:aws:kms:{W}:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab", unheld)
    graph = read_items(moto, Aggregator(items), regions=[W, C])
    assert ("kms:DescribeKey", A, NOT_RECORDED) in {
        (g.call, g.account, g.code) for g in graph.gaps if "aaaaaaaa" in g.what}
    got = statuses(catalog, graph)
    assert got[("GRD-ENC-004", "orders", A, W)] == "unknown"
    assert got[("GRD-ENC-004", "orders", A, C)] == "pass"  # its key is held


def test_iam_documents_encoded_as_config_encodes_them(moto, catalog):
    """Config URL-encodes IAM policy documents as Java's URLEncoder does (a space is '+'):
    a pretty-printed trust or inline policy is read, not a MalformedResponse."""
    from urllib.parse import quote_plus, unquote

    items = load("organisation.json")
    role = next(i for i in items if i["resourceName"] == "orders-admin")
    cfg = json.loads(role["configuration"])
    for doc in (cfg, *cfg["rolePolicyList"]):
        key = "assumeRolePolicyDocument" if doc is cfg else "policyDocument"
        doc[key] = quote_plus(json.dumps(json.loads(unquote(doc[key])), indent=2))
    role["configuration"] = json.dumps(cfg)
    graph = read_items(moto, Aggregator(items), regions=[W])
    assert not [g for g in graph.gaps if g.code == "MalformedResponse"]
    assert statuses(catalog, graph)[("GRD-PUR-003", "hr-orders", B, W)] == "fail"


# --- parity: the same deployment, from Config and from the account itself ------------------

P = "123456789012"  # moto's account
COVERED = ("aws:s3/", "aws:dynamodb/table:", "aws:kms/", "aws:iam/role:", "aws:iam/policy:",
           "aws:iam/rolePolicy", "aws:iam/rolePolicyAttachment")


def _seed_parity(url: str, items: list[dict[str, Any]], key_id: str) -> None:
    """moto's account, deployed as parity.json describes it."""
    def supp(name: str, key: str) -> Any:
        item = next(i for i in items if i["resourceName"] == name)
        return json.loads(item["supplementaryConfiguration"][key])

    def conf(name: str) -> Any:
        return json.loads(next(i for i in items if i["resourceName"] == name)["configuration"])

    from urllib.parse import unquote

    s3 = boto3.client("s3", region_name=W, endpoint_url=url)
    key_arn = f"arn:aws:kms:{W}:{P}:key/{key_id}"
    tags = {"TagSet": [{"Key": "privacy:dataset", "Value": "orders"}]}
    for name in ("parity-good", "parity-bad"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": W})
        s3.put_bucket_tagging(Bucket=name, Tagging=tags)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_policy(Bucket=name, Policy=supp(name, "BucketPolicy")["policyText"])
    s3.put_bucket_encryption(Bucket="parity-good", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}, "BucketKeyEnabled": True}]})
    s3.put_public_access_block(Bucket="parity-good", PublicAccessBlockConfiguration={
        f: True for f in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                          "RestrictPublicBuckets")})
    s3.put_bucket_lifecycle_configuration(Bucket="parity-good", LifecycleConfiguration={
        "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""},
                   "Expiration": {"Days": 30},
                   "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]})
    s3.put_bucket_acl(Bucket="parity-bad", ACL="public-read")
    ddb = boto3.client("dynamodb", region_name=W, endpoint_url=url)
    for name, sse in (("parity-orders", {"Enabled": True, "SSEType": "KMS",
                                         "KMSMasterKeyId": key_arn}), ("parity-plain", None)):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "customer_id",
                                                "AttributeType": "S"}],
                         Tags=[{"Key": "privacy:dataset", "Value": "orders"}],
                         **({"SSESpecification": sse} if sse else {}))
    ddb.update_continuous_backups(TableName="parity-orders", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    iam = boto3.client("iam", region_name=W, endpoint_url=url)
    policy = conf("orders-read")
    iam.create_policy(PolicyName="orders-read",
                      PolicyDocument=unquote(policy["policyVersionList"][0]["document"]))
    for name in ("orders-service", "orders-admin"):
        role = conf(name)
        iam.create_role(RoleName=name,
                        AssumeRolePolicyDocument=unquote(role["assumeRolePolicyDocument"]))
        for p in role["rolePolicyList"]:
            iam.put_role_policy(RoleName=name, PolicyName=p["policyName"],
                                PolicyDocument=unquote(p["policyDocument"]))
        for p in role["attachedManagedPolicies"]:
            iam.attach_role_policy(RoleName=name, PolicyArn=p["policyArn"])


def test_parity_with_the_direct_reader_on_the_same_deployment(moto, catalog):
    kms = boto3.client("kms", region_name=W, endpoint_url=moto.url)
    key_id = kms.create_key(Description="orders")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key_id)
    items = load("parity.json", KEY_ID=key_id)
    _seed_parity(moto.url, items, key_id)
    direct = read_live(Clients(endpoint_url=moto.url, max_attempts=2), [W])
    server = ConfigServer(moto.url, aggregators={"parity": Aggregator(items)}).start()
    try:
        via = read_aggregator(Clients(endpoint_url=server.url, max_attempts=2), "parity", W,
                              regions=[W], role="GuardianAudit")
    finally:
        server.close()
    assert not direct.gaps and not via.gaps

    def covered(graph: ResourceGraph) -> dict[tuple[str, str], Any]:
        """The covered kinds' inputs, less two things the sources legitimately differ on:
        the ACL owner's display name (Config's items hold none; AWS stopped returning it)
        and a key's usage (moto's DescribeKey leaves it out)."""
        out = {}
        for r in graph:
            if r.type.startswith(COVERED):
                inputs = dict(r.inputs)
                inputs.pop("keyUsage", None)
                acl = inputs.get("accessControlPolicy")
                if isinstance(acl, dict):
                    inputs["accessControlPolicy"] = {**acl, "owner": {"id": acl["owner"]["id"]}}
                out[(r.type, r.name)] = inputs
        return out

    got, expected = covered(via), covered(direct)
    assert len(got) == 21 and got == expected
    assert statuses(catalog, via) == statuses(catalog, direct)
    assert "from Config: AWS::DynamoDB::Table, AWS::IAM::Policy, AWS::IAM::Role, " \
        "AWS::KMS::Alias, AWS::KMS::Key, AWS::S3::Bucket" in (via.source.note or "")


def test_capture_times_are_utc_instants_whatever_the_local_time_zone():
    """BatchGet's epoch seconds reach the reader as botocore's datetimes in the local zone
    (2026-12-01T22:00:00+14:00 on Kiritimati), Select's as text: the note gives both in UTC,
    and the oldest is the earliest instant, not the smallest text."""
    from datetime import UTC, datetime, timedelta, timezone

    from guardian.graph.aws_config import Holdings, Item

    kiritimati, adak = timezone(timedelta(hours=14)), timezone(timedelta(hours=-10))
    times = [datetime(2026, 12, 1, 22, tzinfo=kiritimati),  # 08:00 UTC: the oldest
             "2026-12-01T09:00:00.000Z",
             datetime(2026, 11, 30, 23, tzinfo=adak),  # 09:00 UTC on Dec 1st
             datetime(2026, 12, 1, 10, tzinfo=UTC), "not a time"]
    held = Holdings(items={A: [Item(A, W, "AWS::S3::Bucket", f"b{n}", f"b{n}", None, t, {})
                               for n, t in enumerate(times)]})
    assert held.captured() == ("2026-12-01T08:00:00+00:00", "2026-12-01T10:00:00+00:00")
