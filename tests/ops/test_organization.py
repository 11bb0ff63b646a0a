"""`guardian check --live --organization`: every account and region of a moto organisation,
through the audit role assumed in each, into one report whose findings name their account and
region; an account that cannot be assumed, and a region that is denied, never pass."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from guardian.cli import main
from tests.ops import seed
from tests.ops.accounts import (
    catalog_text,
    credentials_xml,
    expiring_in,
    member_client,
    regions_xml,
)
from tests.ops.conftest import MotoServer

HOME, OTHER = "eu-west-1", "eu-central-1"
ROLE = "GuardianAudit"

ORDERS = "      - {kind: dynamodb, name: orders, subject_key: customer_id}"
PAYROLL = "      - {{kind: dynamodb, name: ledger, account: '{account}', region: {region}}}"


@dataclass(frozen=True)
class Org:
    management: str
    members: tuple[str, ...]
    catalog: Path

    @property
    def accounts(self) -> tuple[str, ...]:
        return (self.management, *self.members)


@pytest.fixture
def org(moto: MotoServer, tmp_path: Path) -> Iterator[Org]:
    """A management account and two members; in each member an `orders` table in two regions;
    the second member also holds the payroll `ledger` its catalog entry is pinned to."""
    orgs = boto3.client("organizations", region_name="us-east-1", endpoint_url=moto.url)
    orgs.create_organization(FeatureSet="ALL")
    members = tuple(
        orgs.create_account(Email=f"{n}@acme.example", AccountName=n)["CreateAccountStatus"][
            "AccountId"] for n in ("shop", "hr"))
    management = orgs.describe_organization()["Organization"]["MasterAccountId"]
    for account in members:
        for region in (HOME, OTHER):
            seed.dynamo_table(member_client(moto.url, account, "dynamodb", region), "orders",
                              "customer_id")
    seed.dynamo_table(member_client(moto.url, members[1], "dynamodb", HOME), "ledger",
                      "customer_id")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_text(ORDERS, PAYROLL.format(account=members[1], region=HOME)))
    yield Org(management, members, catalog)


def check(url: str, catalog: Path, *extra: str, capsys: pytest.CaptureFixture[str]
          ) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["check", "--live", "--catalog", str(catalog), "--endpoint-url", url,
                 "--assume-role", ROLE, "--region", HOME, "--region", OTHER,
                 "--format", "json", "--fail-on", "critical", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_every_account_and_region_of_the_organisation_in_one_report(org, moto, capsys):
    code, doc = check(moto.url, org.catalog, "--organization", capsys=capsys)
    assert doc["source"]["accounts"] == {"audited": sorted(org.accounts), "partial": [], "inactive": [],
                                         "failed": []}
    stores = {(f["resource"]["name"], f["account"], f["region"]) for f in doc["findings"]
              if f["resource"] and f["resource"]["type"] == "aws:dynamodb/table:Table"}
    shop, hr = org.members
    assert {(n, a, r) for n, a, r in stores if n == "orders"} == {
        ("orders", a, r) for a in org.members for r in (HOME, OTHER)}
    assert ("ledger", hr, HOME) in stores
    datasets = {(f["resource"]["name"], f["account"], f["dataset"]) for f in doc["findings"]
                if f["resource"] and f["dataset"]}
    assert ("ledger", hr, "payroll") in datasets
    assert {d for n, _, d in datasets if n == "orders"} == {"orders"}
    assert not [f for f in doc["findings"] if f["rule"] in ("GRD-INV-001", "GRD-INV-003",
                                                            "GRD-INV-006")]
    assert code == 0  # nothing critical: a clean organisation passes at --fail-on critical


def test_named_accounts_only(org, moto, capsys):
    shop, hr = org.members
    listed = org.catalog.parent / "accounts.txt"
    listed.write_text(f"# the shop\n{shop}\n")
    code, doc = check(moto.url, org.catalog, "--accounts", str(listed), capsys=capsys)
    assert "accounts" not in doc["source"]  # one account: no summary of several
    assert {f["account"] for f in doc["findings"] if f["resource"]} == {shop}
    # the ledger is pinned to an account this run did not read: not reported absent
    assert not [f for f in doc["findings"] if f["rule"] == "GRD-INV-003"]
    code, doc = check(moto.url, org.catalog, "--accounts", shop, hr, capsys=capsys)
    assert doc["source"]["accounts"]["audited"] == sorted((shop, hr))


def test_an_account_whose_role_cannot_be_assumed_fails_the_run(org, moto, proxy, capsys):
    shop, hr = org.members
    proxy.add("deny", "sts", "AssumeRole", contains=hr.encode())
    code, doc = check(proxy.url, org.catalog, "--organization", capsys=capsys)
    assert code == 1  # blocking at --fail-on critical: never a pass
    assert doc["source"]["accounts"]["failed"] == [hr]
    assert hr not in doc["source"]["accounts"]["audited"]
    [gap] = [f for f in doc["findings"] if f["rule"] == "GRD-INV-006"]
    assert gap["account"] == hr and gap["unknown"] and gap["severity"] == "critical"
    assert "sts:AssumeRole" in gap["message"] and ROLE in gap["message"]
    # the pinned ledger of the failed account is unknown through the gap, not "absent"
    assert not [f for f in doc["findings"] if f["rule"] == "GRD-INV-003"]
    # the other accounts were read all the same
    assert {f["account"] for f in doc["findings"] if f["resource"]} == {shop}


def test_a_denied_region_makes_every_account_partial(org, moto, proxy, capsys):
    proxy.add("deny", "dynamodb", region=OTHER)
    code, doc = check(proxy.url, org.catalog, "--organization", capsys=capsys)
    assert code == 1
    assert doc["source"]["accounts"]["partial"] == sorted(org.accounts)
    gaps = [f for f in doc["findings"] if f["rule"] == "GRD-INV-006"]
    assert {(g["account"], g["region"]) for g in gaps} == {(a, OTHER) for a in org.accounts}
    assert all("DynamoDB tables" in g["message"] for g in gaps)
    # what the denied region holds is not reported absent either
    assert {(f["resource"]["name"], f["region"]) for f in doc["findings"] if f["resource"]
            and f["resource"]["name"] == "orders"} == {("orders", HOME)}


def test_the_external_id_reaches_the_trust_policy(org, moto, proxy, capsys):
    # every audit role trusts the caller only with the external id acme-audit-7
    proxy.add("deny", "sts", "AssumeRole", lacks=b"ExternalId=acme-audit-7")
    code, doc = check(proxy.url, org.catalog, "--organization", "--external-id", "acme-audit-7",
                      "--parallel", "1", capsys=capsys)
    assert code == 0 and doc["source"]["accounts"]["audited"] == sorted(org.accounts)
    assert proxy.count("sts", "AssumeRole") == len(org.accounts)
    code, doc = check(proxy.url, org.catalog, "--organization", "--external-id", "other-id",
                      capsys=capsys)
    assert code == 1 and doc["source"]["accounts"]["failed"] == sorted(org.accounts)


@pytest.mark.parametrize(("args", "message"), [
    (["--organization"], "need --assume-role"),
    (["--accounts", "12345", "--assume-role", "r"], "'12345' is neither a 12-digit AWS account id nor a file"),
    (["--organization", "--assume-role", "a b"], "is not an IAM role name"),
    (["--organization", "--assume-role", "r", "--parallel", "0"], "--parallel must be"),
    (["--organization", "--assume-role", "r", "--external-id", "x"], "--external-id must be"),
    (["--organization", "--accounts", "111111111111", "--assume-role", "r"], "not allowed with"),
    (["--assume-role", "r"], "--assume-role applies to --organization or --accounts"),
])
def test_bad_options_are_usage_errors(args, message, tmp_path, capsys, aws_env):
    from tests.conftest import EXAMPLE_CATALOG

    with pytest.raises(SystemExit) as stop:
        code = main(["check", "--live", "--catalog", str(EXAMPLE_CATALOG), "--region", HOME,
                     "--endpoint-url", "http://127.0.0.1:9", *args])
        raise SystemExit(code)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_an_accounts_file_with_a_bad_line_names_it(tmp_path, capsys, aws_env):
    from tests.conftest import EXAMPLE_CATALOG

    listed = tmp_path / "accounts.txt"
    listed.write_text("111111111111\n\n22222222222x  # typo\n")
    code = main(["check", "--live", "--catalog", str(EXAMPLE_CATALOG), "--region", HOME,
                 "--endpoint-url", "http://127.0.0.1:9", "--accounts", str(listed),
                 "--assume-role", ROLE])
    assert code == 2
    assert f"{listed}:3: '22222222222x' is not a 12-digit AWS account id" in \
        capsys.readouterr().err


def test_the_text_report_names_accounts_and_their_outcome(org, moto, proxy, capsys):
    shop, hr = org.members
    proxy.add("deny", "sts", "AssumeRole", contains=hr.encode())
    code = main(["check", "--live", "--catalog", str(org.catalog), "--endpoint-url", proxy.url,
                 "--assume-role", ROLE, "--region", HOME, "--accounts", shop, hr,
                 "--fail-on", "critical"])
    text = capsys.readouterr().out
    assert code == 1
    assert text.splitlines()[0] == f"accounts: 1 audited, 0 partial, 1 failed ({hr})"
    assert f"aws:dynamodb/table:Table orders in account {shop} ({HOME})" in text
    assert f"cannot list anything in account {hr} (the role arn:aws:iam::{hr}:role/{ROLE} " \
        "could not be assumed): sts:AssumeRole failed (AccessDenied)" in text


def test_without_regions_each_account_lists_its_enabled_ones(org, moto, proxy, capsys):
    shop, _ = org.members
    proxy.add("deny", "ec2", "DescribeRegions")
    code = main(["check", "--live", "--catalog", str(org.catalog), "--endpoint-url", proxy.url,
                 "--assume-role", ROLE, "--accounts", shop, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["source"]["accounts"]["failed"] == [shop]
    [gap] = [f for f in doc["findings"] if f["rule"] == "GRD-INV-006"]
    assert "its enabled regions could not be listed" in gap["message"]
    assert "ec2:DescribeRegions failed (UnauthorizedOperation)" in gap["message"]
    assert proxy.count("ec2", "DescribeRegions") == 1


# Answers taken apart: ListAccounts (Id, State or Status), DescribeRegions (RegionName,
# OptInStatus), AssumeRole (Credentials). A success lacking a field, or holding it with another
# type, is the call's failure, MalformedResponse, as in the reads of one account: never a
# traceback, never an account read with what was not there.
KEYS = ("<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
        "<SessionToken>t</SessionToken>")


@pytest.mark.parametrize(("body", "code"), [
    (credentials_xml("<AccessKeyId>ASIAEXAMPLE</AccessKeyId>"), "MalformedResponse"),
    (b"<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>",
     "MalformedResponse"),
    (credentials_xml(KEYS), "MalformedResponse"),  # no Expiration
    (credentials_xml(KEYS)[:60], "MalformedResponse"),  # cut off: botocore cannot parse it
    (credentials_xml(KEYS + "<Expiration>2020-01-01T00:00:00Z</Expiration>"),
     "ExpiredCredentials"),  # already expired when it came: never botocore's RuntimeError
])
def test_an_assume_role_answer_without_usable_credentials_fails_its_account(
        org, proxy, capsys, body, code):
    shop, hr = org.members
    proxy.add("answer", "sts", "AssumeRole", contains=hr.encode(), body=body)
    status, doc = check(proxy.url, org.catalog, "--accounts", shop, hr, capsys=capsys)
    assert status == 1 and doc["source"]["accounts"]["failed"] == [hr]
    assert doc["source"]["accounts"]["audited"] == [shop]
    [gap] = [f for f in doc["findings"] if f["rule"] == "GRD-INV-006"]
    assert gap["account"] == hr and gap["unknown"] and gap["severity"] == "critical"
    assert f"sts:AssumeRole failed ({code})" in gap["message"]


def test_an_accounts_enabled_regions_are_the_opted_in_ones(org, moto, proxy, capsys):
    shop, _ = org.members
    proxy.add("answer", "ec2", "DescribeRegions", body=regions_xml(
        f"<regionName>{HOME}</regionName><optInStatus>opt-in-not-required</optInStatus>",
        f"<regionName>{OTHER}</regionName><optInStatus>not-opted-in</optInStatus>"))
    code = main(["check", "--live", "--catalog", str(org.catalog), "--endpoint-url", proxy.url,
                 "--assume-role", ROLE, "--accounts", shop, "--format", "json",
                 "--fail-on", "critical"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and not [f for f in doc["findings"] if f["rule"] == "GRD-INV-006"]
    assert {f["region"] for f in doc["findings"] if f["resource"]} == {HOME}


@pytest.mark.parametrize("item", [
    f"<regionName>{HOME}</regionName>",  # no opt-in status: not taken as enabled
    "<optInStatus>opt-in-not-required</optInStatus>",  # no name
])
def test_a_describe_regions_answer_missing_a_field_fails_its_account(org, proxy, capsys, item):
    shop, _ = org.members
    proxy.add("answer", "ec2", "DescribeRegions", body=regions_xml(item))
    code = main(["check", "--live", "--catalog", str(org.catalog), "--endpoint-url", proxy.url,
                 "--assume-role", ROLE, "--accounts", shop, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["source"]["accounts"]["failed"] == [shop]
    [gap] = [f for f in doc["findings"] if f["rule"] == "GRD-INV-006"]
    assert "ec2:DescribeRegions failed (MalformedResponse)" in gap["message"]


@pytest.mark.parametrize("item", [
    {"State": "ACTIVE"},  # no id
    {"Id": "shop", "State": "ACTIVE"},  # not an account id
    {"Id": 210987654321, "State": "ACTIVE"},  # a number
    {"Id": "210987654321"},  # neither State nor Status
    {"Id": "210987654321", "State": ["ACTIVE"]},
])
def test_a_list_accounts_answer_missing_a_field_is_exit_2_naming_the_call(
        org, proxy, capsys, item):
    proxy.add("answer", "organizations", "ListAccounts", body={"Accounts": [item]})
    code = main(["check", "--live", "--catalog", str(org.catalog), "--endpoint-url", proxy.url,
                 "--assume-role", ROLE, "--region", HOME, "--organization"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "organizations:ListAccounts failed (MalformedResponse)" in err
    assert "management account" not in err  # not a permission to grant


def test_an_accounts_state_is_read_before_its_retired_status(org, proxy, capsys):
    shop, hr = org.members
    proxy.add("answer", "organizations", "ListAccounts", body={"Accounts": [
        {"Id": shop, "State": "ACTIVE"},  # as AWS answers since Status was retired
        {"Id": hr, "Status": "ACTIVE", "State": "SUSPENDED"},
        {"Id": org.management, "Status": "ACTIVE"},  # as AWS answered before
    ]})
    code, doc = check(proxy.url, org.catalog, "--organization", capsys=capsys)
    assert doc["source"]["accounts"]["audited"] == sorted((shop, org.management))
    assert doc["source"]["accounts"]["inactive"] == [hr]


# Assumed-role credentials expire (an hour by default) while a long audit still reads: botocore's
# refreshable credentials assume the role again before they do. Here the first credentials of
# each account expire within botocore's mandatory refresh window (5 minutes left): the first
# read assumes the role again, and the fresh credentials (an hour) last the run.
def test_credentials_near_expiry_are_renewed_by_assuming_the_role_again(
        org, moto, proxy, capsys):
    for account in org.accounts:
        proxy.add("rewrite", "sts", "AssumeRole", contains=account.encode(), times=1,
                  rewrite=expiring_in(5))
    code, doc = check(proxy.url, org.catalog, "--organization", capsys=capsys)
    assert code == 0 and doc["source"]["accounts"]["audited"] == sorted(org.accounts)
    assert proxy.count("sts", "AssumeRole") == 2 * len(org.accounts)
    proxy.clear()  # credentials far from expiry: the role is assumed once per account
    code, doc = check(proxy.url, org.catalog, "--organization", capsys=capsys)
    assert code == 0 and proxy.count("sts", "AssumeRole") == len(org.accounts)


def test_a_renewal_that_fails_is_named_as_assume_role_and_fails_the_account(
        org, moto, proxy, capsys):
    shop, hr = org.members
    # the first credentials of hr expire in 5 minutes; assuming its role again is denied (the
    # newest fault is matched first: the rewrite takes the first call, the denial the others)
    proxy.add("deny", "sts", "AssumeRole", contains=hr.encode())
    proxy.add("rewrite", "sts", "AssumeRole", contains=hr.encode(), times=1,
              rewrite=expiring_in(5))
    code, doc = check(proxy.url, org.catalog, "--accounts", shop, hr, capsys=capsys)
    assert code == 1 and doc["source"]["accounts"]["audited"] == [shop]
    gaps = [f for f in doc["findings"] if f["rule"] == "GRD-INV-006"]
    assert gaps and all(g["account"] == hr and g["unknown"] for g in gaps)
    assert all("sts:AssumeRole" in g["message"] and "AccessDenied" in g["message"]
               for g in gaps)
    assert not [f for f in doc["findings"] if f["resource"] and f["account"] == hr]
