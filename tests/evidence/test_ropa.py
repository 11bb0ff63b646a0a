"""The record of processing: measures from the graph, read back with csv and openpyxl."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from guardian.evidence import deployed, ropa
from guardian.evidence.stable import FIXED_TIME
from guardian.graph.model import UNKNOWN, ResourceGraph, Source
from tests.evidence.conftest import example_graph, res


def test_measures_come_from_the_graph(example_catalog, graph):
    assert ropa.measures(example_catalog, graph, "store_location_pings") == [
        "s3 acme-location-pings: KMS CMK without rotation; TLS only; public access blocked; "
        "expires after 30 days; eu-west-1"
    ]
    assert ropa.measures(example_catalog, graph, "customer_profiles") == [
        "dynamodb acme-customer-index: encrypted with an AWS owned key (default); "
        "TLS only (DynamoDB API); TTL on expires_at; no point-in-time recovery; eu-west-1",
        "s3 acme-customer-profiles: KMS CMK with rotation; TLS only; VPC endpoint only; "
        "public access blocked; versioned; expires after 1095 days; "
        "old versions expire after 30 days; eu-west-1",
    ]
    assert ropa.measures(example_catalog, graph, "pharmacy_prescriptions") == [
        "s3 acme-pharmacy-prescriptions: encrypted with S3-managed keys (SSE-S3); "
        "TLS not enforced; public access blocked; no expiration rule; us-east-1"
    ]
    assert ropa.measures(example_catalog, graph, "employee_records") == []


def test_unknown_policy_is_not_reported_as_tls(example_catalog):
    g = example_graph()
    policy = g.named("acme-location-pings-policy")[0]
    others = [r for r in g if r.urn != policy.urn]
    unknown = replace(policy, inputs={**policy.inputs, "policy": UNKNOWN})
    g2 = ResourceGraph([*others, unknown], Source("graph", "x"))
    (store,) = deployed.stores(example_catalog, g2, "store_location_pings")
    assert store.tls_only is None
    assert "TLS policy unknown" in deployed.describe(store)


def test_an_untagged_store_is_claimed_only_when_the_catalog_names_it(example_catalog):
    g = ResourceGraph([res("aws:s3/bucket:Bucket", "acme-employee-records",
                           bucket="acme-employee-records"),
                       res("aws:s3/bucket:Bucket", "scratch", bucket="acme-scratch")],
                      Source("graph", "x"))
    assert [(s.dataset, s.name) for s in deployed.stores(example_catalog, g)] == [
        ("employee_records", "acme-employee-records")]


def _rows(example_catalog, graph):
    return list(csv.DictReader(io.StringIO(ropa.to_csv(ropa.rows(example_catalog, graph)))))


def test_csv_one_row_per_dataset_and_use(example_catalog, graph):
    rows = _rows(example_catalog, graph)
    assert [(r["Dataset"], r["Data use"]) for r in rows] == [
        (ds.id, u.use) for ds in example_catalog.datasets for u in ds.uses
    ]
    assert list(rows[0]) == list(ropa.COLUMNS)
    by = {(r["Dataset"], r["Data use"]): r for r in rows}
    mail = by["customer_profiles", "essential.service.notifications.email"]
    assert mail["Categories of recipients"] == ("Postbox Mail Inc. (US); "
                                                 "internal: notifications-service")
    assert mail["Third countries or international organisations transferred to"] == "US"
    assert mail["Safeguards for transfers to third countries"] == (
        "US: standard contractual clauses (Postbox Mail Inc.)")
    assert mail["Article 6 lawful basis"] == "Art. 6(1)(b) contract"
    assert "Dana Okafor" in mail["Controller"]
    assert mail["Location of personal data"].splitlines() == [
        "DynamoDB table acme-customer-index, eu-west-1 (IE)",
        "S3 bucket acme-customer-profiles, eu-west-1 (IE)",
    ]
    rx = by["pharmacy_prescriptions", "essential.service"]
    assert rx["Article 9 condition for special category data"] == (
        "Art. 9(2)(h) health or social care")
    assert rx["DPIA required?"].startswith("yes: special category data")
    assert rx["Retained and erased in accordance with the retention policy?"] == (
        "no: s3 acme-pharmacy-prescriptions has no expiration rule")
    assert rx["Third countries or international organisations transferred to"] == (
        "not in (UK) GDPR scope per the catalog")
    pings = by["store_location_pings", "personalize.content"]
    assert pings["Rights available to individuals"] == (
        "access, rectification, erasure, restriction, portability, withdraw consent; "
        "opt-out: https://acme-retail.example/privacy/location")
    assert pings["Retained and erased in accordance with the retention policy?"] == (
        "yes: every store deletes within 30 days")
    hr = by["employee_records", "employment"]
    assert hr["Technical and organisational security measures"] == (
        "none deployed: no store tagged with this dataset")
    assert hr["Location of personal data"] == "not deployed"


def test_xlsx_reads_back_and_is_readable(example_catalog, graph, tmp_path):
    from openpyxl import load_workbook

    records = ropa.rows(example_catalog, graph)
    data = ropa.to_xlsx(records)
    assert data == ropa.to_xlsx(records)  # same inputs, same bytes
    path = tmp_path / "ropa.xlsx"
    path.write_bytes(data)
    wb = load_workbook(path)
    ws = wb["ROPA"]
    header = [c.value for c in ws[1]]
    assert header == list(ropa.COLUMNS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:Z{len(records) + 1}"
    assert ws.column_dimensions["N"].width == 70  # the measures column
    assert min(ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ") >= 22
    assert ws.cell(2, 14).alignment.wrap_text
    body = [[c.value or "" for c in row] for row in ws.iter_rows(min_row=2)]
    assert body == [[r[c] for c in ropa.COLUMNS] for r in records]
    assert wb.properties.created == FIXED_TIME and wb.properties.modified == FIXED_TIME
