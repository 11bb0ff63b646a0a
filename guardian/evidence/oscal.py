"""OSCAL documents for NIST SP 800-53 rev5, one chain that resolves inside the bundle:

- profile: the controls in scope (those the rules test, and the organisational ones), selected
  from NIST's catalog;
- component-definition: what the Pulumi modules implement and the gate checks;
- system-security-plan: the system the catalog describes, importing the profile;
- assessment-plan: the rules as assessment activities, importing the plan;
- assessment-results: what one check run found, importing the assessment plan.

Each import's href is the sibling file (the bundle writes them side by side in `oscal/`), and a
back-matter resource records that file's SHA-256, so a reader can resolve it and check it. The
control mapping is the rules' own references (guardian.nist): a control is `satisfied` only
where a rule that tests it ran and nothing failed; organisational controls are never claimed,
they are listed as not assessed with what the catalog attests for them. Built with
compliance-trestle's models, which validate as they build; UUIDs derive from content and the
time is a parameter, so the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from guardian import __version__
from guardian.catalog.model import Catalog
from guardian.evidence.stable import uuid_for
from guardian.findings import CONTROLS, Report, Result, Rule, unknown_label
from guardian.nist import ORGANISATIONAL, assessed, assessed_by, cited, label, sort_key

NIST_CATALOG = ("https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/"
                "SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json")
NS = "https://guardian-privacy.dev/ns/oscal"  # our own property names live here
FILES: dict[str, str] = {  # model -> file name, in the order each imports the one before
    "profile": "profile.json",
    "component-definition": "component-definition.json",
    "system-security-plan": "system-security-plan.json",
    "assessment-plan": "assessment-plan.json",
    "assessment-results": "assessment-results.json",
}

# The Pulumi components (modules/) and the Guardian controls each provisions.
MODULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("guardian:keys:DataKey",
     "A customer-managed KMS key with yearly rotation, an alias and a narrow key policy.",
     ("encryption-at-rest",)),
    ("guardian:storage:EncryptedBucket",
     "An S3 store of personal data: SSE-KMS, TLS-only policy, public access blocked, lifecycle "
     "expiration at the catalog's retention, privacy labels, pinned to an allowed region.",
     ("encryption-at-rest", "encryption-in-transit", "public-access", "retention", "residency",
      "inventory")),
    ("guardian:table:DataTable",
     "A DynamoDB store of personal data: KMS encryption, TTL at the catalog's retention, "
     "point-in-time recovery, privacy labels, pinned to an allowed region.",
     ("encryption-at-rest", "encryption-in-transit", "retention", "residency", "inventory")),
    ("guardian:network:DataNetwork",
     "A VPC whose data tier cannot reach the internet and admits only the app tier.",
     ("network-segmentation",)),
    ("guardian:access:PurposeRole",
     "One IAM role per catalog access entry, allowed its declared actions on its dataset's "
     "stores and nothing else, tagged with its purpose.",
     ("access-control", "purpose-limitation", "third-party-sharing")),
    ("guardian:alerting:BreachAlerting",
     "A tamper-evident trail of data access, threat detection and alerts to the catalog's "
     "breach contacts.",
     ("breach-detection",)),
)


def _props(**values: str | None) -> list[Any]:
    from trestle.oscal.common import Property

    return [Property(name=k.replace("_", "-"), value=v) for k, v in values.items() if v]


def _ns_props(**values: str | None) -> list[Any]:
    from trestle.oscal.common import Property

    return [Property(name=k.replace("_", "-"), value=v, ns=NS) for k, v in values.items() if v]


def _metadata(title: str, timestamp: datetime, imported: Any = None) -> Any:
    """Metadata; `imported` (a back-matter resource from `_import`) is linked from it."""
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.common import Link, Metadata

    links = [Link(href=f"#{imported.uuid}", rel="reference", text=imported.title)] \
        if imported is not None else None
    return Metadata(title=title, last_modified=timestamp, version=__version__,
                    oscal_version=OSCAL_VERSION, links=links)


def _utc(timestamp: datetime | None) -> datetime:
    ts = timestamp or datetime.now(UTC)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _controls(ids: Iterable[str]) -> Any:
    from trestle.oscal.common import ControlSelections, ReviewedControls, SelectControlById

    return ReviewedControls(control_selections=[ControlSelections(
        include_controls=[SelectControlById(control_id=c) for c in ids])])


def in_scope(rules: Sequence[Rule]) -> list[str]:
    """Every control the documents speak of: tested by a rule, or organisational."""
    return sorted(set(assessed_by(rules)) | set(ORGANISATIONAL), key=sort_key)


def _import(model: str, data: bytes) -> tuple[str, Any]:
    """(href, back-matter resource) importing the sibling file of `model`: the href is the
    file name, relative, as resolvers read it; the resource records the file's SHA-256."""
    from trestle.oscal.common import Hash, Resource, Rlink

    digest = hashlib.sha256(data).hexdigest()
    return FILES[model], Resource(
        uuid=uuid_for("import", model, digest),
        title=f"The {model.replace('-', ' ')} this document imports, with its digest",
        rlinks=[Rlink(href=FILES[model], media_type="application/json",
                      hashes=[Hash(algorithm="SHA-256", value=digest)])],
    )


# --- what the catalog attests for the organisational controls --------------------------------


def attestations(catalog: Catalog) -> dict[str, str]:
    """Organisational control -> what the catalog states in its support (absent: nothing)."""
    training = "; ".join(
        f"role {a.role} ({ds.id}): " + (f"privacy training valid until {a.training_valid_until}"
                                        if a.training_valid_until else "no training attestation")
        for ds in catalog.datasets for a in ds.access if a.human)
    contacts = "; ".join(f"{ds.id}: {', '.join(ds.breach_contacts)}"
                         for ds in catalog.datasets if ds.breach_contacts)
    dpo = catalog.organization.dpo
    out = {
        "at-2": training and f"The catalog attests, for human access: {training}.",
        "at-3": training and f"The catalog attests, for human access: {training}.",
        "ir-6": contacts and f"The catalog names breach contacts: {contacts}. `guardian breach` "
        "sizes an incident: which laws require notice, to whom and by when.",
        "ir-8.1": (contacts or dpo) and "The catalog names " + "; ".join(
            ([f"the data protection officer {dpo.name} <{dpo.email}>"] if dpo else [])
            + ([f"breach contacts ({contacts})"] if contacts else [])) + ".",
        "pt-5": "The catalog states per dataset the purposes, legal bases, recipients and "
        "retention the privacy notice is generated from (guardian export notice).",
        "sa-8.33": "The catalog declares per dataset the categories of data it holds and how "
        "long: " + "; ".join(f"{ds.id} {ds.retention.days} days" for ds in catalog.datasets)
        + ".",
    }
    return {k: v for k, v in out.items() if v}


# --- profile -----------------------------------------------------------------------------------


def profile(rules: Sequence[Rule], timestamp: datetime | None = None) -> Any:
    """The controls in scope, selected from NIST's SP 800-53 rev5 catalog."""
    from trestle.oscal.profile import Import2, Profile, SelectControl

    ts = _utc(timestamp)
    scope = in_scope(rules)
    return Profile(
        uuid=uuid_for("profile", *scope),
        metadata=_metadata("Guardian privacy controls: NIST SP 800-53 rev5 selection", ts),
        imports=[Import2(href=NIST_CATALOG, include_controls=[SelectControl(with_ids=scope)])],
    )


# --- component-definition ----------------------------------------------------------------------


def _tested_for(controls: Iterable[str], rules: Sequence[Rule]) -> dict[str, list[Rule]]:
    """NIST control -> the rules of these Guardian controls that test it."""
    wanted = set(controls)
    out: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.control in wanted:
            for nist in assessed(rule):
                out.setdefault(nist, []).append(rule)
    return {n: out[n] for n in sorted(out, key=sort_key)}


def _implementation(owner: str, controls: Sequence[str], rules: Sequence[Rule]) -> Any:
    from trestle.oscal.component import ControlImplementation, ImplementedRequirement

    requirements = []
    for nist, by in _tested_for(controls, rules).items():
        ours = sorted({r.control for r in by}, key=CONTROLS.index)
        requirements.append(ImplementedRequirement(
            uuid=uuid_for("req", owner, nist), control_id=nist,
            description=f"Guardian control(s) {', '.join(ours)}, held to account by rules "
            f"{', '.join(sorted(r.id for r in by))}.",
            props=_props(guardian_controls=" ".join(ours)),
        ))
    return ControlImplementation(
        uuid=uuid_for("impl", owner), source=NIST_CATALOG,
        description="NIST SP 800-53 rev5 controls this component implements.",
        implemented_requirements=requirements,
    )


def component_definition(rules: Sequence[Rule], timestamp: datetime | None = None) -> Any:
    """The modules and the policy gate as OSCAL components, with the controls their rules test."""
    from trestle.oscal.component import ComponentDefinition, DefinedComponent

    components = [
        DefinedComponent(
            uuid=uuid_for("component", token), type="software",
            title=token.rsplit(":", 1)[1], description=description,
            props=_props(pulumi_type=token),
            control_implementations=[_implementation(token, controls, rules)],
        )
        for token, description, controls in MODULES
        if _tested_for(controls, rules)
    ]
    checked = [c for c in CONTROLS if any(r.control == c for r in rules)]
    if checked and assessed_by(rules):
        components.append(DefinedComponent(
            uuid=uuid_for("component", "guardian-check"), type="validation",
            title="guardian check",
            description="The offline policy gate: every deployment (program, preview, state or "
            "live account) is checked against the catalog before it ships.",
            props=_props(rules=" ".join(sorted(r.id for r in rules))),
            control_implementations=[_implementation("guardian-check", checked, rules)],
        ))
    return ComponentDefinition(
        uuid=uuid_for("component-definition", __version__, *sorted(r.id for r in rules)),
        metadata=_metadata("Guardian privacy controls", _utc(timestamp)),
        components=components,
    )


# --- system-security-plan ----------------------------------------------------------------------


def system_security_plan(catalog: Catalog, rules: Sequence[Rule], timestamp: datetime | None,
                         profile_json: bytes) -> Any:
    """The system the catalog describes: its datasets as information types, the modules and
    the gate as components, and who implements each control in scope."""
    from trestle.oscal.common import BackMatter, Status, SystemComponent, SystemId
    from trestle.oscal.ssp import (
        AuthorizationBoundary,
        ByComponent,
        ControlImplementation,
        ImplementedRequirement,
        ImportProfile,
        InformationType,
        Status1,
        SystemCharacteristics,
        SystemImplementation,
        SystemInformation,
        SystemSecurityPlan,
    )

    from guardian.catalog.taxonomy import label as taxonomy_label

    ts = _utc(timestamp)
    org = catalog.organization
    href, resource = _import("profile", profile_json)
    this = uuid_for("component", "this-system", org.name)
    check = uuid_for("component", "guardian-check")
    components = [
        SystemComponent(uuid=this, type="this-system", title=f"{org.name}: personal data",
                        description="The stores, keys, roles, network and alerting that hold "
                        "and protect the datasets of the catalog.",
                        status=Status(state="other", remarks="as the catalog declares it; what "
                                      "is deployed is in the assessment results")),
        *[SystemComponent(uuid=uuid_for("component", token), type="software",
                          title=token.rsplit(":", 1)[1], description=description,
                          props=_props(pulumi_type=token), status=Status(state="other"))
          for token, description, _ in MODULES],
        SystemComponent(uuid=check, type="validation", title="guardian check",
                        description="The offline policy gate over every deployment.",
                        status=Status(state="operational")),
    ]
    notes = attestations(catalog)
    requirements = []
    for nist in in_scope(rules):
        if nist in ORGANISATIONAL:
            by = [ByComponent(component_uuid=this, uuid=uuid_for("by", nist, "this-system"),
                              description="Organisational: assessed by people, not by "
                              "guardian check. " + notes.get(nist, "The catalog attests "
                                                             "nothing for it."))]
        else:
            testers = assessed_by(rules)[nist]
            by = [ByComponent(component_uuid=uuid_for("component", token),
                              uuid=uuid_for("by", nist, token), description=description)
                  for token, description, controls in MODULES
                  if nist in _tested_for(controls, rules)]
            by.append(ByComponent(component_uuid=check, uuid=uuid_for("by", nist, "check"),
                                  description=f"Checked by {', '.join(testers)}."))
        requirements.append(ImplementedRequirement(uuid=uuid_for("ssp-req", nist),
                                                   control_id=nist, by_components=by))
    return SystemSecurityPlan(
        uuid=uuid_for("system-security-plan", org.name, *in_scope(rules)),
        metadata=_metadata(f"{org.name}: system security and privacy plan", ts, resource),
        import_profile=ImportProfile(href=href),
        system_characteristics=SystemCharacteristics(
            system_ids=[SystemId(identifier_type="https://ietf.org/rfc/rfc4122", id=this)],
            # OSCAL names hold no edge whitespace (^\S(.*\S)?$); a quoted catalog name may
            system_name=" ".join(f"{org.name} personal data platform".split()),
            description=f"The personal data {org.name} holds, as its Guardian catalog declares "
            f"it: {len(catalog.datasets)} dataset(s).",
            system_information=SystemInformation(information_types=[
                InformationType(
                    uuid=uuid_for("information-type", ds.id), title=ds.name,
                    description=(ds.description + " " if ds.description else "")
                    + "Categories: " + ", ".join(taxonomy_label("data_category", c)
                                                 for c in ds.categories) + ".",
                    props=_ns_props(dataset=ds.id, classification=ds.classification),
                ) for ds in catalog.datasets]),
            status=Status1(state="other", remarks="declared by the catalog; see the assessment "
                           "results for what is deployed"),
            authorization_boundary=AuthorizationBoundary(
                description="The AWS resources of the checked deployment that hold or protect "
                "the catalog's datasets (its stores by tag or by the catalog's storage names)."),
        ),
        system_implementation=SystemImplementation(components=components),
        control_implementation=ControlImplementation(
            description="The controls in scope and who implements each.",
            implemented_requirements=requirements),
        back_matter=BackMatter(resources=[resource]),
    )


# --- assessment-plan ---------------------------------------------------------------------------


def _activity_uuid(key: str) -> str:
    return uuid_for("activity", key)


def assessment_plan(rules: Sequence[Rule], source: tuple[str, str],
                    timestamp: datetime | None, ssp_json: bytes) -> Any:
    """Every rule that tests a control as a TEST activity, the organisational controls as one
    EXAMINE activity for a person; one task: guardian check on `source` (kind, path)."""
    from trestle.oscal.assessment_plan import AssessmentPlan, LocalDefinitions
    from trestle.oscal.common import (
        Activity,
        AssessmentSubject,
        AssessmentSubjectAll,
        AssociatedActivity,
        BackMatter,
        ImportSsp,
        IncludeAll,
        Task,
    )

    ts = _utc(timestamp)
    href, resource = _import("system-security-plan", ssp_json)
    activities = [
        Activity(uuid=_activity_uuid(r.id), title=f"{r.id}: {r.title}", description=r.rationale,
                 props=_props(method="TEST"), related_controls=_controls(assessed(r)))
        for r in rules if assessed(r)
    ]
    activities.append(Activity(
        uuid=_activity_uuid("organisational"),
        title="Organisational controls: examined by a person",
        description="guardian check cannot assess these; a person examines the organisation's "
        "records, starting from what the catalog attests.",
        props=_props(method="EXAMINE"), related_controls=_controls(sorted(ORGANISATIONAL,
                                                                          key=sort_key))))
    kind, path = source
    everything = AssessmentSubjectAll(
        type="inventory-item", include_all=IncludeAll(),
        description=f"every resource of the deployment read from the {kind} {path}")
    subject = AssessmentSubject(root=everything)
    return AssessmentPlan(
        uuid=uuid_for("assessment-plan", kind, path, *sorted(r.id for r in rules)),
        metadata=_metadata("Guardian assessment plan", ts, resource),
        import_ssp=ImportSsp(href=href),
        local_definitions=LocalDefinitions(activities=activities),
        reviewed_controls=_controls(in_scope(rules)),
        assessment_subjects=[everything],
        tasks=[Task(uuid=uuid_for("task", kind, path), type="action", title="guardian check",
                    description=f"Run every rule on the {kind} {path}; a person examines the "
                    "organisational controls.",
                    associated_activities=[AssociatedActivity(activity_uuid=a.uuid,
                                                              subjects=[subject])
                                           for a in activities])],
        back_matter=BackMatter(resources=[resource]),
    )


# --- assessment-results ------------------------------------------------------------------------


def _failing(result: Result) -> bool:
    """Counts against its control: not waived and not informational."""
    return result.waiver is None and result.severity != "info"


def assessment_results(report: Report, rules: Sequence[Rule], catalog: Catalog,
                       timestamp: datetime | None, plan_json: bytes) -> Any:
    """One OSCAL result for one check run: an observation per finding; a finding per control
    the rules test, satisfied only when none of its rules failed; an observation per
    organisational control saying it was not assessed and what the catalog attests."""
    from trestle.oscal.assessment_results import AssessmentResults, ImportAp, LocalDefinitions1
    from trestle.oscal.assessment_results import Result as OscalResult
    from trestle.oscal.common import (
        BackMatter,
        Finding,
        FindingTarget,
        InventoryItem,
        ObjectiveStatus,
        Observation,
        RelatedObservation,
        RelevantEvidence,
        SubjectReference,
    )

    ts = _utc(timestamp)
    href, resource = _import("assessment-plan", plan_json)
    run = uuid_for("run", report.source_kind, report.source_path,
                   *(json.dumps(r.to_json(), sort_keys=True) for r in report.results))
    items: dict[str, Any] = {}
    observations = []
    by_nist: dict[str, list[tuple[Result, str]]] = {}
    for i, result in enumerate(report.results):
        f = result.finding
        obs_uuid = uuid_for("observation", run, str(i))
        subjects = []
        if f.resource is not None:
            item = uuid_for("resource", f.resource.urn or f.resource.name)
            items.setdefault(item, InventoryItem(
                uuid=item, description=f"{f.resource.type} {f.resource.name}",
                props=_props(resource_type=f.resource.type, urn=f.resource.urn or None),
            ))
            subjects.append(SubjectReference(subject_uuid=item, type="inventory-item",
                                             title=f.resource.name))
        observations.append(Observation(
            uuid=obs_uuid, title=f"{f.rule}: {result.rule.title}", description=report.said(result),
            methods=["TEST"], types=["finding"], subjects=subjects or None, collected=ts,
            props=_props(rule=f.rule, control=result.rule.control, severity=result.severity,
                         dataset=f.dataset, location=f.location,
                         blocking=str(result.blocking).lower(),
                         unknown="true" if f.unknown else None,
                         waived_by=result.waiver.approved_by if result.waiver else None),
        ))
        for nist in cited(result.rule):
            by_nist.setdefault(nist, []).append((result, obs_uuid))

    tested = assessed_by(rules)
    findings = []
    for nist, checked_by in tested.items():
        related = by_nist.get(nist, [])
        failing = [r for r, _ in related if _failing(r)]
        unknown = [r for r in failing if r.finding.unknown]
        if not failing:
            status = ObjectiveStatus(state="satisfied", reason="pass",
                                     remarks=f"{len(related)} waived or informational finding(s)"
                                     if related else None)
        else:
            status = ObjectiveStatus(
                state="not-satisfied", reason="other" if len(unknown) == len(failing) else "fail",
                remarks=f"{len(failing)} finding(s), {len(unknown)} "
                f"{unknown_label(report.source_kind).lower()}",
            )
        findings.append(Finding(
            uuid=uuid_for("finding", run, nist), title=f"NIST SP 800-53 {label(nist)}",
            description=f"Tested by {', '.join(checked_by)}.",
            target=FindingTarget(type="objective-id", target_id=f"{nist}_obj", status=status),
            related_observations=[RelatedObservation(observation_uuid=o) for _, o in related]
            or None,
        ))

    notes = attestations(catalog)
    for nist, title in sorted(ORGANISATIONAL.items(), key=lambda kv: sort_key(kv[0])):
        supporting = sorted(r.id for r in rules if nist in cited(r))
        found = [r for r, _ in by_nist.get(nist, []) if _failing(r)]
        remarks = (f"{', '.join(supporting)} checked what the catalog records for it: "
                   f"{len(found)} finding(s)." if supporting else None)
        observations.append(Observation(
            uuid=uuid_for("observation", run, "organisational", nist),
            title=f"{label(nist)} {title}: not assessed",
            description="An organisational control: guardian check does not assess it and "
            "claims nothing about it; a person does.",
            methods=["EXAMINE"], collected=ts,
            props=_ns_props(control_id=nist, assessment_status="not-assessed"),
            relevant_evidence=[RelevantEvidence(description=notes[nist])]
            if nist in notes else None,
            remarks=remarks,
        ))

    result = OscalResult(
        uuid=uuid_for("result", run),
        title=f"guardian check of {report.source_kind} {report.source_path}",
        description=f"{len(report.results)} finding(s), {len(report.blocking)} blocking, "
        f"{len(report.waived)} waived, on {report.resources} resources (fail on "
        f"{report.fail_on}). Organisational controls ("
        + ", ".join(label(n) for n in sorted(ORGANISATIONAL, key=sort_key))
        + ") were not assessed.",
        start=ts, end=ts,
        props=_props(source_kind=report.source_kind, resources=str(report.resources),
                     fail_on=report.fail_on),
        local_definitions=LocalDefinitions1(inventory_items=[items[k] for k in sorted(items)])
        if items else None,
        reviewed_controls=_controls(tested),
        observations=observations,
        findings=findings or None,
    )
    return AssessmentResults(
        uuid=uuid_for("assessment-results", run),
        metadata=_metadata("Guardian check results", ts, resource),
        import_ap=ImportAp(href=href),
        results=[result],
        back_matter=BackMatter(resources=[resource]),
    )


# --- the chain ---------------------------------------------------------------------------------


def dumps(model: Any) -> str:
    """The document as OSCAL JSON (wrapped in its root key), keys in a stable order."""
    return model.oscal_serialize_json(pretty=True) + "\n"


def documents(catalog: Catalog, report: Report, rules: Sequence[Rule],
              timestamp: datetime | None = None) -> dict[str, str]:
    """Every OSCAL document by file name, each import resolving to the one before it."""
    ts = _utc(timestamp)
    out: dict[str, str] = {FILES["profile"]: dumps(profile(rules, ts)),
                           FILES["component-definition"]: dumps(component_definition(rules, ts))}

    def data(model: str) -> bytes:
        return out[FILES[model]].encode()

    out[FILES["system-security-plan"]] = dumps(
        system_security_plan(catalog, rules, ts, data("profile")))
    out[FILES["assessment-plan"]] = dumps(assessment_plan(
        rules, (report.source_kind, report.source_path), ts, data("system-security-plan")))
    out[FILES["assessment-results"]] = dumps(
        assessment_results(report, rules, catalog, ts, data("assessment-plan")))
    return out


def nist_ids(rules: Sequence[Rule]) -> list[str]:
    """The controls the rules test, in NIST order."""
    return list(assessed_by(rules))


def root(document: Mapping[str, Any]) -> str:
    """The OSCAL root key of a parsed document (component-definition, assessment-results)."""
    return next(iter(document))
