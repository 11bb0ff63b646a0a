"""Stores in several AWS accounts: catalog entries pinned to an account (and region) bind only
the store there; findings say which account and region they are about."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardian.catalog import load_catalog
from guardian.catalog.loader import CatalogError
from guardian.catalog.model import Catalog
from guardian.check import evaluate
from guardian.findings import Report
from guardian.graph.model import DATASET_TAG, Resource, ResourceGraph, Source
from guardian.report.common import target
from tests.ops.accounts import catalog_text

TABLE = "aws:dynamodb/table:Table"
BUCKET = "aws:s3/bucket:Bucket"
A, B, C = "111111111111", "222222222222", "333333333333"



def catalog(tmp_path: Path, orders: str, payroll: str) -> Catalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog_text(orders, payroll))
    return load_catalog(path)


def table(name: str, account: str | None, region: str | None = "eu-west-1",
          tags: dict[str, str] | None = None) -> Resource:
    arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}" if account else None
    return Resource(urn=f"urn:pulumi:{region}::{account or 'prog'}::{TABLE}::{name}", type=TABLE,
                    name=name, region=region,
                    inputs={"name": name, "tags": tags or {}, **({"arn": arn} if arn else {})})


def check(cat: Catalog, *resources: Resource, accounts: tuple[str, ...] = ()) -> Report:
    return evaluate(cat, ResourceGraph(resources, Source("live", "aws://org", accounts=accounts)),
                    fail_on="high")


def bound(report: Report) -> set[tuple[str, str | None, str | None]]:
    """(rule, dataset, account) of every finding on a store."""
    return {(r.finding.rule, r.finding.dataset, r.finding.where[0]) for r in report.results
            if r.finding.resource is not None}


@pytest.fixture
def pinned(tmp_path: Path) -> Catalog:
    return catalog(
        tmp_path,
        orders=f"      - {{kind: dynamodb, name: ledger, account: '{A}'}}",
        payroll=f"      - {{kind: dynamodb, name: ledger, account: '{B}', region: eu-west-1}}")


def test_a_pinned_entry_binds_the_store_in_its_account_only(pinned: Catalog) -> None:
    report = check(pinned, table("ledger", A), table("ledger", B), table("ledger", C),
                   accounts=(A, B, C))
    datasets = {(r.finding.where[0], r.finding.dataset) for r in report.results
                if r.finding.resource is not None}
    assert (A, "orders") in datasets and (B, "payroll") in datasets
    assert not {d for a, d in datasets if a == C} - {None}  # C's table is bound to nothing
    unbound = [r for r in report.results if r.rule.id == "GRD-INV-001"]
    assert [r.finding.where for r in unbound] == [(C, "eu-west-1")]
    assert "pinned elsewhere" in unbound[0].finding.message and A in unbound[0].finding.message
    assert ("GRD-INV-003", "orders", A) not in bound(report)  # present in its account


def test_a_pinned_region_is_part_of_the_binding(pinned: Catalog) -> None:
    report = check(pinned, table("ledger", B, region="us-east-1"), accounts=(B,))
    unbound = [r for r in report.results if r.rule.id == "GRD-INV-001"]
    assert [r.finding.where for r in unbound] == [(B, "us-east-1")]
    absent = [r for r in report.results if r.rule.id == "GRD-INV-003"]
    # B's eu-west-1 ledger is missing; A's is another account's, not audited here
    assert [(r.finding.dataset, r.finding.where) for r in absent] == [
        ("payroll", (B, "eu-west-1"))]
    assert "dynamodb:ledger in 222222222222/eu-west-1" in absent[0].finding.message


def test_an_account_the_source_did_not_read_is_not_absent(pinned: Catalog) -> None:
    assert not [r for r in check(pinned, accounts=(C,)).results if r.rule.id == "GRD-INV-003"]
    # a source that names no account (an offline program) misses both
    assert len([r for r in check(pinned).results if r.rule.id == "GRD-INV-003"]) == 2


def test_a_store_of_unknown_account_that_two_datasets_could_hold_is_unknown(
        pinned: Catalog) -> None:
    report = check(pinned, table("ledger", None))
    [finding] = [r.finding for r in report.results if r.rule.id == "GRD-INV-001"]
    assert finding.unknown and finding.dataset is None
    assert "several datasets" in finding.message


def test_an_unpinned_entry_binds_a_store_of_its_name_in_every_account(tmp_path: Path) -> None:
    cat = catalog(tmp_path, orders="      - {kind: dynamodb, name: ledger}",
                  payroll="      - {kind: dynamodb, name: salaries}")
    report = check(cat, table("ledger", A), table("ledger", B, region="eu-central-1"),
                   table("salaries", A))
    assert not [r for r in report.results if r.rule.id in ("GRD-INV-001", "GRD-INV-003")]
    accounts = {(r.finding.where, r.finding.dataset) for r in report.results
                if r.finding.resource is not None and r.finding.resource.name == "ledger"}
    assert {w for w, _ in accounts} == {(A, "eu-west-1"), (B, "eu-central-1")}
    assert {d for _, d in accounts} == {"orders"}


def test_the_tag_still_wins_over_a_pinned_entry(pinned: Catalog) -> None:
    report = check(pinned, table("ledger", A, tags={DATASET_TAG: "payroll"}), accounts=(A,))
    assert [(r.finding.dataset, r.finding.where[0]) for r in report.results
            if r.rule.id == "GRD-INV-005"] == [("payroll", A)]


def test_findings_carry_account_and_region_in_every_output(pinned: Catalog) -> None:
    from guardian.report.sarif import render as sarif

    report = check(pinned, table("ledger", A), table("ledger", C), accounts=(A, C))
    [unbound] = [r for r in report.results if r.rule.id == "GRD-INV-001"]
    assert unbound.to_json()["account"] == C and unbound.to_json()["region"] == "eu-west-1"
    assert target(unbound, report) == f"{TABLE} ledger in account {C} (eu-west-1)"
    results = json.loads(sarif(report))["runs"][0]["results"]
    assert {(r["properties"]["account"], r["properties"]["region"]) for r in results
            if r["ruleId"] == "GRD-INV-001"} == {(C, "eu-west-1")}
    # one account: the text names none
    single = check(pinned, table("ledger", C), accounts=(C,))
    [only] = [r for r in single.results if r.rule.id == "GRD-INV-001"]
    assert target(only, single) == f"{TABLE} ledger"


@pytest.mark.parametrize(("orders", "payroll", "message"), [
    ("      - {kind: dynamodb, name: ledger}",
     f"      - {{kind: dynamodb, name: ledger, account: '{A}'}}",
     "store 'ledger' is declared twice"),
    (f"      - {{kind: dynamodb, name: ledger, account: '{A}'}}",
     f"      - {{kind: dynamodb, name: ledger, account: '{A}', region: eu-west-1}}",
     "store 'ledger' is declared twice"),
    ("      - {kind: dynamodb, name: ledger, region: eu-west-1}",
     "      - {kind: dynamodb, name: ledger, region: eu-west-9}",
     "'eu-west-9' is not an AWS region"),
    ("      - {kind: dynamodb, name: ledger, account: '1234'}",
     "      - {kind: dynamodb, name: salaries}",
     "datasets[0].storage[0].account"),
])
def test_overlapping_or_malformed_pins_are_errors(tmp_path: Path, orders: str, payroll: str,
                                                  message: str) -> None:
    with pytest.raises(CatalogError) as err:
        catalog(tmp_path, orders, payroll)
    assert message in str(err.value) and "catalog.yaml:" in str(err.value)


def test_different_accounts_or_regions_do_not_overlap(tmp_path: Path) -> None:
    cat = catalog(
        tmp_path,
        orders=f"      - {{kind: dynamodb, name: ledger, account: '{A}', region: eu-west-1}}",
        payroll=f"      - {{kind: dynamodb, name: ledger, account: '{A}', region: eu-west-2}}")
    assert [(st.account, st.region) for ds in cat.datasets for st in ds.storage] == [
        (A, "eu-west-1"), (A, "eu-west-2")]
