"""The record of processing: measures from the graph, read back with csv and openpyxl."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from guardian.evidence import deployed, ropa
from guardian.evidence.stable import FIXED_TIME
from guardian.graph.model import UNKNOWN, Resource, ResourceGraph, Source
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


def _with(g: ResourceGraph, *extra: Resource, **changed: dict) -> ResourceGraph:
    """The graph with resources changed by name ({name: {input: value}}) and `extra` added."""
    out = [replace(r, inputs={**r.inputs, **changed[r.name]}) if r.name in changed else r
           for r in g]
    return ResourceGraph([*out, *extra], g.source)


def _pings(example_catalog, g: ResourceGraph) -> deployed.Store:
    (store,) = deployed.stores(example_catalog, g, "store_location_pings")
    return store


def test_the_evidence_reads_two_configurations_as_the_check_does(example_catalog):
    """Of two helpers for one bucket either may be the one in force: the least favourable is
    what the evidence states, as GRD-PUB-001, GRD-TLS-001 and GRD-RET-001 do."""
    g = example_graph()
    pab, policy, lifecycle = (g.named(f"acme-location-pings-{k}")[0]
                              for k in ("pab", "policy", "lifecycle"))
    assert deployed.describe(_pings(example_catalog, g))[1:5] == [
        "TLS only", "public access blocked", "expires after 30 days", "eu-west-1"]
    off = replace(pab, urn=pab.urn + "-2", name=pab.name + "-2",
                  inputs={**pab.inputs, "restrictPublicBuckets": False})
    plain = replace(policy, urn=policy.urn + "-2", name=policy.name + "-2", inputs={
        **policy.inputs, "policy": '{"Version": "2012-10-17", "Statement": []}'})
    century = replace(lifecycle, urn=lifecycle.urn + "-2", name=lifecycle.name + "-2", inputs={
        **lifecycle.inputs, "rules": [{"id": "keep", "status": "Enabled",
                                       "expiration": {"days": 36500.0}}]})
    store = _pings(example_catalog, _with(g, off, plain, century))
    assert deployed.describe(store)[1:4] == [
        "TLS not enforced", "public access not blocked", "expires after 36500 days"]
    assert deployed.retention(store, 30, None) == (
        False, "s3 acme-location-pings expires objects after 36500 days")


def test_unknown_configurations_are_stated_unknown(example_catalog):
    g = example_graph()
    store = _pings(example_catalog, _with(g, **{
        "acme-location-pings-pab": {"blockPublicAcls": UNKNOWN},
        "acme-location-pings-lifecycle": {"rules": UNKNOWN}}))
    assert deployed.describe(store)[1:4] == [
        "TLS only", "public access block unknown", "expiration unknown"]
    assert deployed.retention(store, 30, None) == (
        None, "s3 acme-location-pings: lifecycle expiration unknown")
    rows = {(r["Dataset"], r["Data use"]): r for r in _rows(example_catalog, _with(g, **{
        "acme-location-pings-lifecycle": {"rules": UNKNOWN}}))}
    assert [r["Retained and erased in accordance with the retention policy?"]
            for k, r in rows.items() if k[0] == "store_location_pings"] == [
        "unknown: s3 acme-location-pings: lifecycle expiration unknown"]
    # a known configuration that never expires decides, whatever an unknown one says
    lifecycle = g.named("acme-location-pings-lifecycle")[0]
    never = replace(lifecycle, urn=lifecycle.urn + "-2", name=lifecycle.name + "-2",
                    inputs={**lifecycle.inputs, "rules": [{"id": "x", "status": "Disabled"}]})
    store = _pings(example_catalog, _with(g, never, **{
        "acme-location-pings-lifecycle": {"rules": UNKNOWN}}))
    assert deployed.retention(store, 30, None) == (
        False, "s3 acme-location-pings has no expiration rule")


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
    assert mail["Article 6 lawful basis"] == "Art. 6(1)(b) contract"
    assert "Dana Okafor" in mail["Controller"]
    assert "UK representative (UK GDPR Art. 27) Acme Retail UK" in mail["Controller"]
    assert mail["Location of personal data"].splitlines() == [
        "DynamoDB table acme-customer-index, eu-west-1 (IE)",
        "S3 bucket acme-customer-profiles, eu-west-1 (IE)",
    ]
    assert mail["Categories of personal data"] == "name, contact email, contact phone " \
        "number, contact address"
    rx = by["pharmacy_prescriptions", "essential.service"]
    assert rx["Article 9 condition for special category data"] == (
        "Art. 9(2)(h) health or social care")
    assert rx["Retained and erased in accordance with the retention policy?"] == (
        "no: s3 acme-pharmacy-prescriptions has no expiration rule")
    assert rx["Third countries or international organisations transferred to"] == (
        "not in (UK) GDPR scope per the catalog")
    pings = by["store_location_pings", "personalize.content"]
    assert pings["Rights available to individuals"] == (
        "access, rectification, erasure, restriction, portability, withdraw consent; "
        "opt-out: https://acme-retail.example/privacy/location")
    hr = by["employee_records", "employment"]
    assert hr["Technical and organisational security measures"] == (
        "none deployed: no store tagged with this dataset")
    assert hr["Location of personal data"] == "not deployed"
    assert hr["Rights available to individuals"] == (
        "access, rectification, restriction, portability (erasure refused while the legal "
        "hold lasts: Art. 17(3), reasons per 12(4))")


def test_every_column_of_the_ico_controller_template(example_catalog, graph):
    # the six the review found missing, among the rest
    for column in ("Link to record of legitimate interests assessment", "DPIA progress",
                   "Link to DPIA", "Link to record of personal data breach",
                   "DPA 2018 Schedule 1 condition for processing",
                   "Reasons for not adhering to the retention policy"):
        assert column in ropa.COLUMNS
    by = {(r["Dataset"], r["Data use"]): r for r in _rows(example_catalog, graph)}
    improve = by["support_tickets", "essential.service.operations.improve"]
    assert improve["Legitimate interests"] == ("Reviewing past conversations to train our "
                                               "support agents and improve our answers")
    assert improve["Link to record of legitimate interests assessment"] == (
        "https://wiki.acme-retail.example/privacy/lia/support-quality")
    assert by["support_tickets", "essential.service.operations.support"][
        "Legitimate interests"] == ""  # a contract use: not applicable
    pings = by["store_location_pings", "personalize.content"]
    assert (pings["DPIA progress"], pings["Link to DPIA"]) == (
        "completed", "https://wiki.acme-retail.example/privacy/dpia/in-store-location")
    assert pings["Automated decision-making, including profiling"] == "no"
    assert pings["Source of personal data"].startswith("the data subject: Your phone's")
    rx = by["pharmacy_prescriptions", "essential.service"]
    assert rx["Source of personal data"] == "a third party: The prescribing doctor or clinic"
    assert rx["Automated decision-making, including profiling"] == ""  # not recorded
    assert rx["DPA 2018 Schedule 1 condition for processing"] == (
        "not in UK GDPR scope per the catalog")


def test_schedule_1_condition_follows_the_art_9_condition():
    # DPA 2018 s.10: Art. 9(2)(b), (h), (i), (j) need a Sch. 1 Part 1 condition, (g) Part 2
    from guardian.catalog.model import Dataset, Retention, Use

    def cond(condition: str | None, categories=("user.health_and_medical",)) -> str:
        use = Use("essential.service", "legal_obligation", condition)
        ds = Dataset("d", "D", "o", "restricted", tuple(categories), ("patient",),
                     ("uk_gdpr",), ("uk",), Retention(10), (use,))
        return ropa._schedule_1(ds, use)

    assert cond("health_or_social_care") == "Sch. 1 Part 1 para 2 (health or social care " \
        "purposes)"
    assert cond("substantial_public_interest").startswith("a condition in Sch. 1 Part 2")
    assert cond("explicit_consent").startswith("not needed: DPA 2018 s.10")
    assert cond(None) == "missing: no Art. 9 condition"
    assert cond(None, ("user.name",)) == "not special category or criminal offence data"
    assert "criminal offence data" in cond(None, ("user.criminal_history",))


def test_transfers_per_regime_and_us_adequacy_only_with_the_dpf(example_catalog, graph):
    by = {(r["Dataset"], r["Data use"]): r for r in _rows(example_catalog, graph)}
    mail = by["customer_profiles", "essential.service.notifications.email"]
    # the UK is a third country for EU data, the EU for UK data
    assert mail["Third countries or international organisations transferred to"] == (
        "EU GDPR: United States; UK GDPR: Ireland, United States")
    assert mail["Safeguards for transfers to third countries"].splitlines() == [
        "EU GDPR: Postbox Mail Inc. (United States): the European Commission's standard "
        "contractual clauses (GDPR Art. 46(2)(c))",
        "UK GDPR: Postbox Mail Inc. (United States): the UK Addendum to the EU standard "
        "contractual clauses (UK GDPR Art. 46); Ireland (Amazon Web Services in eu-west-1): "
        "adequacy"]
    uk_recipient = replace(example_catalog, datasets=tuple(
        replace(ds, recipients=(replace(ds.recipients[0], country="GB", safeguard="adequacy",
                                        safeguard_uk=None),)) if ds.id == "customer_profiles"
        else ds for ds in example_catalog.datasets))
    gb = {(r["Dataset"], r["Data use"]): r for r in _rows(uk_recipient, graph)}[
        "customer_profiles", "essential.service.notifications.email"]
    assert gb["Third countries or international organisations transferred to"] == (
        "EU GDPR: United Kingdom; UK GDPR: Ireland")
    assert gb["Safeguards for transfers to third countries"].startswith(
        "EU GDPR: Postbox Mail Inc. (United Kingdom): an adequacy decision of the European "
        "Commission (GDPR Art. 45)")
    us = replace(example_catalog, datasets=tuple(
        replace(ds, recipients=(replace(ds.recipients[0], safeguard="adequacy",
                                        safeguard_uk=None),)) if ds.id == "customer_profiles"
        else ds for ds in example_catalog.datasets))
    row = {(r["Dataset"], r["Data use"]): r for r in _rows(us, graph)}[
        "customer_profiles", "essential.service.notifications.email"]
    assert "Postbox Mail Inc. (United States): no adequacy decision (it is not certified " \
        "under the Data Privacy Framework) and no safeguard" in row[
            "Safeguards for transfers to third countries"]
    dpf = replace(us, datasets=tuple(
        replace(ds, recipients=(replace(ds.recipients[0], dpf_certified=True),))
        if ds.id == "customer_profiles" else ds for ds in us.datasets))
    row = {(r["Dataset"], r["Data use"]): r for r in _rows(dpf, graph)}[
        "customer_profiles", "essential.service.notifications.email"]
    assert "Postbox Mail Inc. (United States): the EU-US Data Privacy Framework, under which " \
        "the recipient is certified" in row["Safeguards for transfers to third countries"]


def test_us_region_store_is_not_assumed_adequate(example_catalog, graph):
    eu_pharmacy = replace(example_catalog, datasets=tuple(
        replace(ds, jurisdictions=("gdpr",)) if ds.id == "pharmacy_prescriptions" else ds
        for ds in example_catalog.datasets))
    rx = {(r["Dataset"], r["Data use"]): r for r in _rows(eu_pharmacy, graph)}[
        "pharmacy_prescriptions", "essential.service"]
    assert rx["Safeguards for transfers to third countries"] == (
        "EU GDPR: United States (Amazon Web Services in us-east-1): adequacy only under the "
        "Data Privacy Framework; the catalog does not record the provider's certification or "
        "another safeguard")


def test_processors_with_their_contracts(example_catalog, graph):
    by = {(r["Dataset"], r["Data use"]): r for r in _rows(example_catalog, graph)}
    mail = by["customer_profiles", "essential.service.notifications.email"]
    assert mail["Categories of recipients"] == (
        "processor: Amazon Web Services (hosting and storage); Postbox Mail Inc. (US, "
        "processor); internal: notifications-service")
    assert mail["Link to contract with processor"].splitlines() == [
        "Amazon Web Services: AWS Data Processing Addendum (part of the AWS Service Terms)",
        "Postbox Mail Inc.: https://legal.acme-retail.example/dpa/postbox-mail"]
    pay = by["orders_payments", "essential.service.payment_processing"]
    assert "Stripe Payments Europe Ltd (IE, controller)" in pay["Categories of recipients"]
    assert "Stripe" not in pay["Link to contract with processor"]  # not a processor
    joint = replace(example_catalog, datasets=tuple(
        replace(ds, recipients=(replace(ds.recipients[0], role="joint_controller"),))
        if ds.id == "orders_payments" else ds for ds in example_catalog.datasets))
    row = {(r["Dataset"], r["Data use"]): r for r in _rows(joint, graph)}[
        "orders_payments", "essential.service.payment_processing"]
    assert row["Name and contact details of joint controller"] == (
        "Stripe Payments Europe Ltd (IE), arrangement: https://stripe.com/legal/ssa")


def test_retention_says_what_the_deployment_does(example_catalog, graph):
    by = {(r["Dataset"], r["Data use"]): r for r in _rows(example_catalog, graph)}
    kept = by["customer_profiles", "essential.service"][
        "Retained and erased in accordance with the retention policy?"]
    assert kept.startswith("yes, within 1095 days, with these lags: ")
    assert "TTL on expires_at, best effort (items are usually deleted within a few days of " \
        "expiry and stay readable until then)" in kept
    assert "versioned: expiry leaves a delete marker, old versions are removed 30 days " \
        "later" in kept
    assert "deletes within" not in kept
    orders = by["orders_payments", "essential.service.payment_processing"][
        "Retained and erased in accordance with the retention policy?"]
    assert "point-in-time recovery can restore deleted items for up to 35 days" in orders
    # a versioned bucket that never removes old versions does not keep to the schedule
    g = example_graph()
    stripped = ResourceGraph([replace(r, inputs={**r.inputs, "rules": [
        {k: v for k, v in r.inputs["rules"][0].items() if k != "noncurrentVersionExpiration"}]})
        if r.name == "acme-customer-profiles-lifecycle" else r for r in g], g.source)
    row = {(r["Dataset"], r["Data use"]): r for r in _rows(example_catalog, stripped)}[
        "customer_profiles", "essential.service"]
    assert row["Retained and erased in accordance with the retention policy?"] == (
        "no: s3 acme-customer-profiles is versioned and never removes old versions (no "
        "NoncurrentVersionExpiration)")


def test_departures_from_the_schedule_come_from_retention_waivers(example_catalog, graph):
    from datetime import date

    from guardian.catalog.model import Waiver

    waived = replace(example_catalog, waivers=(Waiver(
        "GRD-RET-001", "acme-pharmacy-prescriptions", "migration to the new archive",
        "ciso@acme-retail.example", date(2027, 1, 31)),))
    rx = {(r["Dataset"], r["Data use"]): r for r in _rows(waived, graph)}[
        "pharmacy_prescriptions", "essential.service"]
    assert rx["Reasons for not adhering to the retention policy"] == (
        "GRD-RET-001 on acme-pharmacy-prescriptions: migration to the new archive (approved "
        "by ciso@acme-retail.example, until 2027-01-31)")


def test_dpia_is_a_screening_with_the_criteria_met(example_catalog, graph):
    by = {(r["Dataset"], r["Data use"]): r for r in _rows(example_catalog, graph)}
    rx = by["pharmacy_prescriptions", "essential.service"]["DPIA required?"]
    # special category data alone is no Art. 35(3)(b) "yes": that needs a large scale
    assert not rx.startswith("yes")
    assert rx.startswith("screening suggests a DPIA is required (WP248 criteria met: 4 "
                         "sensitive or highly personal data (health and medical data); 7 "
                         "vulnerable data subjects (patient))")
    assert "Art. 35(3)(b) applies if the special category data is processed on a large " \
        "scale" in rx
    pings = by["store_location_pings", "personalize.content"]["DPIA required?"]
    assert pings.startswith("screening: one criterion met; a DPIA may still be required")
    plain = by["customer_profiles", "essential.service"]["DPIA required?"]
    assert plain.startswith("screening: no criterion the catalog can show")
    assert "not assessed from the catalog: scale (5)" in plain


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
    assert ws.auto_filter.ref == f"A1:AF{len(records) + 1}"
    assert ws.column_dimensions["N"].width == 70  # the measures column
    assert min(ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ") >= 22
    assert ws.cell(2, 14).alignment.wrap_text
    body = [[c.value or "" for c in row] for row in ws.iter_rows(min_row=2)]
    assert body == [[r[c] for c in ropa.COLUMNS] for r in records]
    assert wb.properties.created == FIXED_TIME and wb.properties.modified == FIXED_TIME
