"""OSCAL documents read back with compliance-trestle; the Fides manifest with fideslang."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from guardian.policies.rules import RULES as ALL_RULES

from guardian.evidence import fides, oscal
from tests.evidence.conftest import RULES

T = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_component_definition_validates_and_maps_nist():
    from trestle.oscal.component import ComponentDefinition

    text = oscal.dumps(oscal.component_definition(ALL_RULES, T))
    assert text == oscal.dumps(oscal.component_definition(ALL_RULES, T))  # deterministic
    doc = ComponentDefinition.model_validate(json.loads(text)["component-definition"])
    comps = {c.title: c for c in doc.components}
    assert set(comps) == {"DataKey", "EncryptedBucket", "DataTable", "DataNetwork",
                          "PurposeRole", "BreachAlerting", "guardian check"}

    def ids(title):
        return [r.control_id for r in comps[title].control_implementations[0]
                .implemented_requirements]

    assert ids("DataKey") == ["sc-12", "sc-13", "sc-28.1"]
    assert {"sc-8.1", "si-12", "si-12.3", "mp-6", "au-11", "sa-9.5"} <= set(ids("EncryptedBucket"))
    assert {"sc-7", "sc-7.5", "ac-4"} == set(ids("DataNetwork"))
    assert {"ir-6", "ir-8.1"} <= set(ids("BreachAlerting"))
    assert set(ids("guardian check")) == set(oscal.nist_ids(r.control for r in ALL_RULES))
    key_req = comps["DataKey"].control_implementations[0].implemented_requirements[2]
    assert "GRD-ENC-001" in key_req.description
    assert comps["guardian check"].type.root == "validation"
    assert doc.metadata.last_modified == T


def test_assessment_results_validate_with_statuses(report):
    from trestle.oscal.assessment_results import AssessmentResults

    text = oscal.dumps(oscal.assessment_results(report, RULES, T))
    assert text == oscal.dumps(oscal.assessment_results(report, RULES, T))
    doc = AssessmentResults.model_validate(json.loads(text)["assessment-results"])
    (result,) = doc.results
    assert len(result.observations) == 3
    obs = {o.title: o for o in result.observations}
    tls = obs["GRD-TLS-001: TLS only"]
    assert tls.description == "no statement denies aws:SecureTransport=false"
    props = {p.name: p.value for p in tls.props}
    assert props == {"rule": "GRD-TLS-001", "control": "encryption-in-transit",
                     "severity": "high", "dataset": "pharmacy_prescriptions",
                     "blocking": "true"}
    items = {i.uuid: i.description for i in result.local_definitions.inventory_items}
    assert items[tls.subjects[0].subject_uuid] == (
        "aws:s3/bucket:Bucket acme-pharmacy-prescriptions")
    state = {f.target.target_id: f.target.status.state.value for f in result.findings}
    assert state == {
        "sc-8.1_obj": "not-satisfied",  # GRD-TLS-001
        "si-12_obj": "not-satisfied", "si-12.3_obj": "not-satisfied",  # GRD-RET-001
        "mp-6_obj": "not-satisfied", "au-11_obj": "not-satisfied",
        "sc-28.1_obj": "not-satisfied",  # GRD-ENC-002 (medium, advisory, still a gap)
        "sc-12_obj": "not-satisfied", "sc-13_obj": "not-satisfied",
        "sa-9.5_obj": "satisfied",  # GRD-RES-001 ran and found nothing
    }
    reviewed = [c.control_id for c in result.reviewed_controls.control_selections[0]
                .include_controls]
    assert "ac-6" not in reviewed  # no access-control rule ran: not claimed


def test_waived_findings_do_not_fail_the_control(report):
    from dataclasses import replace

    from guardian.catalog.model import Waiver

    waiver = Waiver("GRD-TLS-001", "acme-pharmacy-prescriptions", "legacy clients",
                    "ciso@acme-retail.example", datetime(2030, 1, 1).date())
    results = tuple(replace(r, waiver=waiver, blocking=False)
                    if r.finding.rule == "GRD-TLS-001" else r for r in report.results)
    doc = json.loads(oscal.dumps(oscal.assessment_results(replace(report, results=results),
                                                          RULES, T)))
    findings = doc["assessment-results"]["results"][0]["findings"]
    sc8 = next(f for f in findings if f["target"]["target-id"] == "sc-8.1_obj")
    assert sc8["target"]["status"] == {"state": "satisfied", "reason": "pass",
                                       "remarks": "1 waived or informational finding(s)"}


def test_fides_manifest_parses_with_fideslang(example_catalog):
    from fideslang.models import Dataset, System
    from ruamel.yaml import YAML

    text = fides.to_yaml(example_catalog)
    data = YAML(typ="safe").load(text)
    datasets = {d.fides_key: d for d in (Dataset(**x) for x in data["dataset"])}
    systems = {s.fides_key: s for s in (System(**x) for x in data["system"])}
    assert set(datasets) == {ds.id for ds in example_catalog.datasets}
    rx = datasets["pharmacy_prescriptions"]
    assert rx.data_categories == ["user.health_and_medical", "user.name",
                                  "user.demographic.date_of_birth"]
    assert [c.name for c in rx.collections] == ["acme-pharmacy-prescriptions"]
    assert "classification:restricted" in rx.tags
    (decl,) = systems["pharmacy-service"].privacy_declarations
    assert (decl.data_use, decl.legal_basis_for_processing, decl.processes_special_category_data,
            decl.special_category_legal_basis, decl.retention_period) == (
        "essential.service", "Legal obligations", True,
        "Health or social care (with a basis in law)", "2190 days")
    assert decl.dataset_references == ["pharmacy_prescriptions"]
    notif = systems["notifications-service"].privacy_declarations[0]
    assert notif.egress == ["postbox_mail_inc"] and notif.data_shared_with_third_parties
    postbox = systems["postbox_mail_inc"]
    assert postbox.system_type == "Third Party"
    assert postbox.does_international_transfers and postbox.legal_basis_for_transfers == ["SCCs"]
    assert sorted(d.data_use for d in postbox.privacy_declarations) == [
        "essential.service.notifications.email", "marketing.communications.email"]
    assert [f.fides_key for f in postbox.ingress] == [
        "campaigns-service", "marketing-analyst", "notifications-service"]
    stripe = systems["stripe_payments_europe_ltd"]
    assert not stripe.does_international_transfers
