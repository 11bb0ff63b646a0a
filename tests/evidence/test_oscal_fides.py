"""OSCAL documents read back with compliance-trestle; the Fides manifest with fideslang."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from guardian.policies.rules import RULES as ALL_RULES

from guardian import nist
from guardian.evidence import fides, oscal
from tests.evidence.conftest import RULES

T = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MODELS = {"profile.json": ("profile", "trestle.oscal.profile", "Profile"),
          "component-definition.json": ("component-definition", "trestle.oscal.component",
                                        "ComponentDefinition"),
          "system-security-plan.json": ("system-security-plan", "trestle.oscal.ssp",
                                        "SystemSecurityPlan"),
          "assessment-plan.json": ("assessment-plan", "trestle.oscal.assessment_plan",
                                   "AssessmentPlan"),
          "assessment-results.json": ("assessment-results", "trestle.oscal.assessment_results",
                                      "AssessmentResults")}


def validated(name: str, text: str):  # type: ignore[no-untyped-def]
    """The document as trestle's model, after trestle's duplicate, reference and link checks
    (the profile-resolving check needs NIST's catalog from the network, so it is not run)."""
    import importlib

    import trestle.core.validator_factory  # noqa: F401  (trestle's import order)
    from trestle.core.duplicates_validator import DuplicatesValidator
    from trestle.core.links_validator import LinksValidator
    from trestle.core.refs_validator import RefsValidator

    key, module, cls = MODELS[name]
    model = getattr(importlib.import_module(module), cls).model_validate(json.loads(text)[key])
    for validator in (DuplicatesValidator(), RefsValidator(), LinksValidator()):
        assert validator.model_is_valid(model, True, None), (name, validator)
    return model


@pytest.fixture(scope="module")
def docs(example_catalog, report):
    return oscal.documents(example_catalog, report, RULES, T)


def test_every_document_validates_and_is_deterministic(example_catalog, report, docs):
    assert list(docs) == list(oscal.FILES.values())
    assert oscal.documents(example_catalog, report, RULES, T) == docs
    for name, text in docs.items():
        assert validated(name, text).metadata.last_modified == T


def test_imports_resolve_to_the_sibling_files_with_their_digest(docs):
    # results -> plan -> system security plan -> profile -> NIST's catalog
    chain = [("assessment-results.json", "import-ap", "assessment-plan.json"),
             ("assessment-plan.json", "import-ssp", "system-security-plan.json"),
             ("system-security-plan.json", "import-profile", "profile.json")]
    for name, key, target in chain:
        doc = next(iter(json.loads(docs[name]).values()))
        assert doc[key]["href"] == target and target in docs
        (resource,) = doc["back-matter"]["resources"]
        (link,) = resource["rlinks"]
        assert link["href"] == target
        assert link["hashes"] == [{"algorithm": "SHA-256",
                                   "value": hashlib.sha256(docs[target].encode()).hexdigest()}]
        assert {"href": f"#{resource['uuid']}", "rel": "reference",
                "text": resource["title"]} in doc["metadata"]["links"]
    (imp,) = json.loads(docs["profile.json"])["profile"]["imports"]
    assert imp["href"] == oscal.NIST_CATALOG


def test_one_mapping_the_rules_references(capsys):
    """The OSCAL documents and `guardian rules` read the controls from the rules' references."""
    from guardian.cli import main

    for rule in ALL_RULES:
        cited = [r for r in rule.references if r.startswith("NIST")]
        assert len(nist.cited(rule)) == len(cited), rule.id  # every NIST reference parses
    assert main(["rules", "--format", "json"]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    for rule in ALL_RULES:
        assert listed[rule.id]["nist"] == {"assessed": list(nist.assessed(rule)),
                                           "organisational": [c for c in nist.cited(rule) if c
                                                              in nist.ORGANISATIONAL]}
    doc = validated("component-definition.json",
                    oscal.dumps(oscal.component_definition(ALL_RULES, T)))
    check = next(c for c in doc.components if c.title == "guardian check")
    reqs = {r.control_id: r.description
            for r in check.control_implementations[0].implemented_requirements}
    assert list(reqs) == oscal.nist_ids(ALL_RULES) == list(nist.assessed_by(ALL_RULES))
    for control, description in reqs.items():
        testers = [r.id for r in ALL_RULES if control in nist.assessed(r)]
        assert description.endswith(f"held to account by rules {', '.join(sorted(testers))}.")


def test_sc12_1_and_ia2_1_cited_only_for_what_they_cover():
    """SC-12(1) is key availability, not key separation; IA-2(1) is MFA for privileged
    accounts, IA-2(2) for non-privileged ones (people reaching data through purpose roles)."""
    by_id = {r.id: r for r in ALL_RULES}
    assert "sc-12.1" not in nist.cited(by_id["GRD-ENC-003"])  # a key of its own: SC-12
    assert "sc-12.1" not in {c for r in ALL_RULES for c in nist.cited(r)}
    assert nist.cited(by_id["GRD-ACC-001"]) == ("ia-2.2", "ac-6")
    assert "ia-2.1" not in {c for r in ALL_RULES for c in nist.cited(r)}


def test_modules_implement_only_what_their_rules_test():
    doc = validated("component-definition.json",
                    oscal.dumps(oscal.component_definition(ALL_RULES, T)))
    comps = {c.title: c for c in doc.components}

    def ids(title):  # type: ignore[no-untyped-def]
        return [r.control_id for r in comps[title].control_implementations[0]
                .implemented_requirements]

    assert ids("DataKey") == ["sc-12", "sc-28.1"]
    assert {"sc-8.1", "si-12", "si-12.3", "sa-9.5"} <= set(ids("EncryptedBucket"))
    assert ids("DataNetwork") == ["ac-4", "au-12", "sc-7", "sc-7.5", "si-4"]  # flow logs too
    assert ids("BreachAlerting") == ["au-2", "au-12", "ir-4", "si-4", "si-4.5"]
    organisational = set(nist.ORGANISATIONAL)
    for comp in comps.values():  # no module or gate implements an organisational control
        assert not organisational & {r.control_id for r in comp.control_implementations[0]
                                     .implemented_requirements}, comp.title
    assert comps["guardian check"].type.root == "validation"


def test_satisfied_only_where_a_testing_rule_ran_and_passed(docs):
    doc = validated("assessment-results.json", docs["assessment-results.json"])
    (result,) = doc.results
    state = {f.target.target_id: f.target.status.state.value for f in result.findings}
    # RULES ran: ENC-001/002 (sc-28.1, sc-12), TLS-001 (sc-8.1), RET-001 (si-12, si-12.3),
    # RES-001 (sa-9.5). ENC-002 (medium) and TLS-001, RET-001 failed.
    assert state == {
        "sc-8.1_obj": "not-satisfied", "si-12_obj": "not-satisfied",
        "si-12.3_obj": "not-satisfied", "sc-28.1_obj": "not-satisfied",
        "sc-12_obj": "not-satisfied", "sa-9.5_obj": "satisfied",
    }
    reviewed = [c.control_id for c in result.reviewed_controls.control_selections[0]
                .include_controls]
    assert reviewed == ["sa-9.5", "sc-8.1", "sc-12", "sc-28.1", "si-12", "si-12.3"]
    assert "ac-6" not in state  # no rule testing it ran: not claimed
    tls = next(o for o in result.observations if o.title == "GRD-TLS-001: TLS only")
    props = {p.name: p.value for p in tls.props}
    assert props == {"rule": "GRD-TLS-001", "control": "encryption-in-transit",
                     "severity": "high", "dataset": "pharmacy_prescriptions",
                     "blocking": "true"}
    items = {i.uuid: i.description for i in result.local_definitions.inventory_items}
    assert items[tls.subjects[0].subject_uuid] == (
        "aws:s3/bucket:Bucket acme-pharmacy-prescriptions")


def test_organisational_controls_are_not_assessed_with_the_catalogs_attestation(docs):
    doc = validated("assessment-results.json", docs["assessment-results.json"])
    (result,) = doc.results
    assert not {f"{c}_obj" for c in nist.ORGANISATIONAL} & {f.target.target_id
                                                            for f in result.findings}
    status = {}
    for o in result.observations:
        props = {p.name: p.value for p in o.props or ()}
        if props.get("assessment-status"):
            status[props["control-id"]] = (props["assessment-status"], o.methods, o)
    assert set(status) == set(nist.ORGANISATIONAL)
    assert {(s, tuple(m)) for s, m, _ in status.values()} == {("not-assessed", ("EXAMINE",))}
    at2 = status["at-2"][2]
    assert "role marketing-analyst (marketing_engagement): privacy training valid until " \
        "2030-06-30" in at2.relevant_evidence[0].description
    assert status["mp-6"][2].relevant_evidence is None  # the catalog attests nothing for it
    plan = json.loads(docs["assessment-plan.json"])["assessment-plan"]
    in_plan = [c["control-id"] for c in
               plan["reviewed-controls"]["control-selections"][0]["include-controls"]]
    assert set(nist.ORGANISATIONAL) <= set(in_plan)
    examine = next(a for a in plan["local-definitions"]["activities"]
                   if a["props"] == [{"name": "method", "value": "EXAMINE"}])
    assert {c["control-id"] for c in examine["related-controls"]["control-selections"][0]
            ["include-controls"]} == set(nist.ORGANISATIONAL)


def test_waived_findings_do_not_fail_the_control(example_catalog, report):
    from dataclasses import replace

    from guardian.catalog.model import Waiver

    waiver = Waiver("GRD-TLS-001", "acme-pharmacy-prescriptions", "legacy clients",
                    "ciso@acme-retail.example", datetime(2030, 1, 1).date())
    results = tuple(replace(r, waiver=waiver, blocking=False)
                    if r.finding.rule == "GRD-TLS-001" else r for r in report.results)
    docs = oscal.documents(example_catalog, replace(report, results=results), RULES, T)
    findings = json.loads(docs["assessment-results.json"])["assessment-results"]["results"][0][
        "findings"]
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
    stripe = systems["stripe_payments_europe_ltd"]  # UK GDPR data to Ireland: UK adequacy
    assert stripe.legal_basis_for_transfers == ["Adequacy Decision"]
