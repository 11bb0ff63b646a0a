"""`guardian erase` across accounts: stores pinned to several accounts and regions, reached
through a role assumed in each, erased concurrently, with one journal and one certificate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guardian.cli import main
from guardian.erasure.journal import Journal
from tests.ops import seed
from tests.ops.accounts import catalog_text, credentials_xml, expiring_in, member_client
from tests.ops.conftest import MotoServer

HOME, OTHER = "eu-west-1", "eu-central-1"
SHOP, HR = "210987654321", "345678901234"
SUBJECTS = ["abc", "abcd", "xyz"]

CATALOG = catalog_text(f"""\
      - {{kind: dynamodb, name: orders, subject_key: customer_id, account: '{SHOP}', region: {HOME}}}
      - {{kind: dynamodb, name: orders, subject_key: customer_id, account: '{HR}', region: {OTHER}}}
      - {{kind: s3, name: acme-orders-archive, subject_key: 'customers/{{subject_id}}/', account: '{HR}', region: {OTHER}}}
      - {{kind: dynamodb, name: order-events, subject_key: customer_id, account: '{SHOP}', region: {HOME}}}""")


def items(ddb: Any, table: str) -> list[str]:
    return sorted(i["customer_id"]["S"] for page in ddb.get_paginator("scan").paginate(
        TableName=table) for i in page["Items"])


@pytest.fixture
def stores(moto: MotoServer, tmp_path: Path) -> Path:
    """The same `orders` table in two accounts and regions, an archive bucket in the second,
    and in the first an event table keyed on something else (scanned): 3 subjects in each."""
    for account, region in ((SHOP, HOME), (HR, OTHER)):
        ddb = member_client(moto.url, account, "dynamodb", region)
        seed.dynamo_table(ddb, "orders", "customer_id")
        seed.dynamo_items(ddb, "orders", ({"customer_id": s} for s in SUBJECTS))
    events = member_client(moto.url, SHOP, "dynamodb", HOME)
    seed.dynamo_table(events, "order-events", "event_id")
    seed.dynamo_items(events, "order-events", (
        {"event_id": f"{s}-{i}", "customer_id": s} for s in SUBJECTS for i in range(30)))
    s3 = member_client(moto.url, HR, "s3", OTHER)
    seed.s3_bucket(s3, "acme-orders-archive", OTHER)
    seed.s3_objects(s3, "acme-orders-archive", "customers/{subject_id}/", SUBJECTS, 2)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    return catalog


def erase(url: str, catalog: Path, out: Path, *extra: str) -> int:
    return main(["erase", "--subject", "abc", "--yes", "--catalog", str(catalog),
                 "--endpoint-url", url, "--region", HOME, "--certificate-dir", str(out),
                 "--journal", str(out / "journal.jsonl"), "--format", "json", *extra])


def test_one_erasure_across_accounts_with_one_certificate(stores, moto, tmp_path, capsys):
    out = tmp_path / "out"
    code = erase(moto.url, stores, out, "--assume-role", "GuardianEraser", "--parallel", "3",
                 "--scan-segments", "3")
    cert = json.loads(capsys.readouterr().out)
    assert code == 0 and cert["status"] == "complete"
    where = {(r["store"], r["account"], r["region"]): r for r in cert["stores"]}
    assert set(where) == {("orders", SHOP, HOME), ("orders", HR, OTHER),
                          ("acme-orders-archive", HR, OTHER), ("order-events", SHOP, HOME)}
    assert [where[k]["deleted"] for k in sorted(where)] == [2, 30, 1, 1]  # sorted by name
    assert "3 parallel segments" in where[("order-events", SHOP, HOME)]["method"]
    # gone in each account, and only the subject's
    assert items(member_client(moto.url, SHOP, "dynamodb", HOME), "orders") == ["abcd", "xyz"]
    assert items(member_client(moto.url, HR, "dynamodb", OTHER), "orders") == ["abcd", "xyz"]
    left = items(member_client(moto.url, SHOP, "dynamodb", HOME), "order-events")
    assert len(left) == 60 and "abc" not in left
    s3 = member_client(moto.url, HR, "s3", OTHER)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="acme-orders-archive")["Contents"]]
    assert len(keys) == 4 and not [k for k in keys if k.startswith("customers/abc/")]
    # one certificate, one journal whose chain holds though four stores wrote to it at once
    assert len(list(out.glob("erasure-*.json"))) == 1
    md = next(out.glob("erasure-*.md")).read_text()
    assert f"`orders` in account {HR} ({OTHER})" in md
    with Journal.open(out / "journal.jsonl", "abc", (), str(stores), key_dir=out) as journal:
        assert journal.finished is not None
        assert {k for k in journal.stores} == {
            f"dynamodb:orders@{SHOP}/{HOME}", f"dynamodb:orders@{HR}/{OTHER}",
            f"s3:acme-orders-archive@{HR}/{OTHER}", f"dynamodb:order-events@{SHOP}/{HOME}"}


def test_the_same_run_one_store_at_a_time_gives_the_same_certificate(stores, moto, tmp_path,
                                                                     capsys):
    code = erase(moto.url, stores, tmp_path / "out", "--assume-role", "GuardianEraser",
                 "--parallel", "1", "--scan-segments", "1")
    cert = json.loads(capsys.readouterr().out)
    assert code == 0 and cert["deleted"] == 34
    assert "parallel segments" not in json.dumps(cert)


def test_stores_in_other_accounts_need_a_role(stores, moto, tmp_path, capsys):
    code = erase(moto.url, stores, tmp_path / "out")
    assert code == 2
    err = capsys.readouterr().err
    assert f"pins stores to account(s) {SHOP}, {HR}" in err and "--assume-role" in err
    # nothing was touched
    assert items(member_client(moto.url, SHOP, "dynamodb", HOME), "orders") == SUBJECTS[:2] + ["xyz"]


def test_dry_run_names_each_account(stores, moto, tmp_path, capsys):
    code = erase(moto.url, stores, tmp_path / "out", "--assume-role", "GuardianEraser",
                 "--dry-run")
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {(s["store"], s["account"], s["count"]) for s in doc["stores"]} == {
        ("orders", SHOP, 1), ("orders", HR, 1), ("acme-orders-archive", HR, 2),
        ("order-events", SHOP, 30)}
    assert items(member_client(moto.url, HR, "dynamodb", OTHER), "orders") == ["abc", "abcd", "xyz"]


def malformed(proxy: Any) -> None:  # HR's role answers without whole credentials
    proxy.add("answer", "sts", "AssumeRole", contains=HR.encode(),
              body=credentials_xml("<AccessKeyId>ASIAEXAMPLE</AccessKeyId>"))


def renewal_refused(proxy: Any) -> None:  # HR's first credentials near expiry, renewals denied
    proxy.add("deny", "sts", "AssumeRole", contains=HR.encode())
    proxy.add("rewrite", "sts", "AssumeRole", contains=HR.encode(), times=1,
              rewrite=expiring_in(5))


@pytest.mark.parametrize(("fault", "error"), [
    (malformed, "sts:AssumeRole: MalformedResponse"),
    (renewal_refused, "sts:AssumeRole: AccessDenied"),
])
def test_a_role_without_usable_credentials_fails_that_accounts_stores(
        stores, moto, proxy, tmp_path, capsys, fault, error):
    fault(proxy)
    code = erase(proxy.url, stores, tmp_path / "out", "--assume-role", "GuardianEraser")
    out, err = capsys.readouterr()
    cert = json.loads(out)
    assert code == 1 and "Traceback" not in err and cert["status"] == "partial"
    status = {(r["store"], r["account"]): (r["status"], r.get("error")) for r in cert["stores"]}
    assert status[("orders", HR)] == status[("acme-orders-archive", HR)] == ("failed", error)
    assert status[("orders", SHOP)][0] == status[("order-events", SHOP)][0] == "erased"
    assert items(member_client(moto.url, HR, "dynamodb", OTHER), "orders") == SUBJECTS


def test_credentials_near_expiry_are_renewed_mid_erasure(stores, moto, proxy, tmp_path,
                                                         capsys):
    for account in (SHOP, HR):
        proxy.add("rewrite", "sts", "AssumeRole", contains=account.encode(), times=1,
                  rewrite=expiring_in(5))
    code = erase(proxy.url, stores, tmp_path / "out", "--assume-role", "GuardianEraser")
    cert = json.loads(capsys.readouterr().out)
    assert code == 0 and cert["status"] == "complete" and cert["deleted"] == 34
    assert proxy.count("sts", "AssumeRole") == 2 * 2  # each account's role assumed again once


def test_an_unpinned_store_is_the_callers_named_so_and_no_other_account_is_touched(
        moto, proxy, tmp_path, capsys):
    import boto3

    caller = boto3.client("sts", region_name=HOME, endpoint_url=moto.url).get_caller_identity(
        )["Account"]
    mine = boto3.client("dynamodb", region_name=HOME, endpoint_url=moto.url)
    for ddb, table in ((mine, "customers"), (member_client(moto.url, SHOP, "dynamodb", HOME),
                                             "orders"),
                       (member_client(moto.url, HR, "dynamodb", HOME), "customers")):
        seed.dynamo_table(ddb, table, "customer_id")  # HR's: in an account no entry names
        seed.dynamo_items(ddb, table, ({"customer_id": s} for s in SUBJECTS))
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_text(f"""\
      - {{kind: dynamodb, name: orders, subject_key: customer_id, account: '{SHOP}', region: {HOME}}}
      - {{kind: dynamodb, name: customers, subject_key: customer_id}}"""))
    assert erase(proxy.url, catalog, tmp_path / "out", "--assume-role", "GuardianEraser",
                 "--dry-run") == 0
    plan = json.loads(capsys.readouterr().out)
    assert [(s["store"], s["account"], s["region"], s["count"]) for s in plan["stores"]] == [
        ("orders", SHOP, HOME, 1), ("customers", caller, HOME, 1)]
    main(["erase", "--subject", "abc", "--dry-run", "--catalog", str(catalog), "--region", HOME,
          "--endpoint-url", proxy.url, "--assume-role", "GuardianEraser"])
    text = capsys.readouterr().out
    assert f"would orders/customers (dynamodb in account {caller} ({HOME})): 1 to" in text
    assert f"would orders/orders (dynamodb in account {SHOP} ({HOME})): 1 to" in text
    proxy.clear()
    out = tmp_path / "out"
    assert erase(proxy.url, catalog, out, "--assume-role", "GuardianEraser") == 0
    cert = json.loads(capsys.readouterr().out)
    assert {(r["store"], r["account"], r["region"], r["status"]) for r in cert["stores"]} == {
        ("orders", SHOP, HOME, "erased"), ("customers", caller, HOME, "erased")}
    assert f"`customers` in account {caller} ({HOME})" in next(out.glob("erasure-*.md")
                                                                ).read_text()
    assert items(mine, "customers") == ["abcd", "xyz"]
    assert items(member_client(moto.url, SHOP, "dynamodb", HOME), "orders") == ["abcd", "xyz"]
    assert items(member_client(moto.url, HR, "dynamodb", HOME), "customers") == SUBJECTS
    assert proxy.count("sts", "AssumeRole") == 1  # the shop's role; none in the caller's own


@pytest.mark.parametrize(("args", "message"), [
    (["--parallel", "0"], "--parallel must be between 1 and 64"),
    (["--scan-segments", "65"], "--scan-segments must be between 1 and 64"),
    (["--external-id", "abc"], "--external-id applies with --assume-role only"),
    (["--assume-role", "bad role"], "is not an IAM role name"),
])
def test_bad_options(args, message, tmp_path, capsys, aws_env):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    assert erase("http://127.0.0.1:9", catalog, tmp_path / "out", *args) == 2
    assert message in capsys.readouterr().err


class Pages:
    """A paginator whose segments each give `n` pages; segment `bad` fails on its second."""

    def __init__(self, n: int, bad: int | None = None) -> None:
        self.n, self.bad, self.asked = n, bad, []

    def paginate(self, **request: Any):  # type: ignore[no-untyped-def]
        segment = request["Segment"]
        self.asked.append((segment, request["TotalSegments"]))
        for i in range(self.n):
            if segment == self.bad and i == 1:
                raise RuntimeError(f"segment {segment} failed")
            yield {"Items": [(segment, i)]}


def test_a_parallel_scan_reads_every_segment_once():
    from guardian.erasure.dynamodb import _segmented

    pages = Pages(5)
    got = [p["Items"][0] for p in _segmented(pages, {"TableName": "t"}, 4)]
    assert sorted(got) == [(s, i) for s in range(4) for i in range(5)]
    assert sorted(pages.asked) == [(s, 4) for s in range(4)]


def test_a_failed_segment_fails_the_scan_and_an_early_stop_ends_the_threads():
    import threading

    from guardian.erasure.dynamodb import _segmented

    with pytest.raises(RuntimeError, match="segment 2 failed"):
        list(_segmented(Pages(50, bad=2), {}, 3))
    before = threading.active_count()
    scan = _segmented(Pages(1000), {}, 3)
    next(scan)
    scan.close()  # the reader stops early: no segment thread is left waiting
    assert not [t for t in threading.enumerate() if t.name.startswith("guardian-scan-")]
    assert threading.active_count() <= before
