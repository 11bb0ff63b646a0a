"""OSCAL documents: what the modules implement (component-definition) and what a check found
(assessment-results), mapped to NIST SP 800-53 rev5 controls.

Built with compliance-trestle's models, which validate them as they are built. Every UUID is
derived from content (uuid5), and the time is a parameter, so the same inputs give the same
bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from guardian import __version__
from guardian.evidence.stable import uuid_for
from guardian.findings import CONTROLS, Report, Result, Rule

NIST_CATALOG = ("https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/"
                "SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json")

# Guardian control -> NIST SP 800-53 rev5 control ids (OSCAL spelling: sc-28.1 is SC-28(1)).
NIST: dict[str, tuple[str, ...]] = {
    "catalog": ("pt-2", "pt-3", "pt-4", "pt-5", "pm-5.1", "sa-8.33"),
    "inventory": ("pm-5.1", "cm-8"),
    "encryption-at-rest": ("sc-28.1", "sc-12", "sc-13"),
    "encryption-in-transit": ("sc-8.1",),
    "public-access": ("ac-3", "sc-7"),
    "retention": ("si-12", "si-12.3", "mp-6", "au-11"),
    "residency": ("sa-9.5",),
    "purpose-limitation": ("pt-3", "ac-3", "sa-8.33"),
    "third-party-sharing": ("ac-21", "pt-2"),
    "network-segmentation": ("sc-7", "sc-7.5", "ac-4"),
    "breach-detection": ("ir-6", "ir-8.1", "si-4"),
    "access-control": ("ac-6", "ac-3", "ia-2.1", "at-2"),
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


def _metadata(title: str, timestamp: datetime) -> Any:
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.common import Metadata

    return Metadata(title=title, last_modified=timestamp, version=__version__,
                    oscal_version=OSCAL_VERSION)


def _utc(timestamp: datetime | None) -> datetime:
    ts = timestamp or datetime.now(UTC)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _implementation(owner: str, controls: Sequence[str], rules: Sequence[Rule]) -> Any:
    from trestle.oscal.component import ControlImplementation, ImplementedRequirement

    by_nist: dict[str, list[str]] = {}
    for control in controls:
        for nist in NIST[control]:
            by_nist.setdefault(nist, [])
            if control not in by_nist[nist]:
                by_nist[nist].append(control)
    requirements = []
    for nist in sorted(by_nist):
        ours = by_nist[nist]
        checked = sorted(r.id for r in rules if r.control in ours)
        requirements.append(ImplementedRequirement(
            uuid=uuid_for("req", owner, nist), control_id=nist,
            description=f"Guardian control(s) {', '.join(ours)}"
            + (f", held to account by rules {', '.join(checked)}." if checked else "."),
            props=_props(guardian_controls=" ".join(ours)),
        ))
    return ControlImplementation(
        uuid=uuid_for("impl", owner), source=NIST_CATALOG,
        description="NIST SP 800-53 rev5 controls this component implements.",
        implemented_requirements=requirements,
    )


def component_definition(rules: Sequence[Rule], timestamp: datetime | None = None) -> Any:
    """The modules and the policy gate as OSCAL components, with their NIST controls."""
    from trestle.oscal.component import ComponentDefinition, DefinedComponent

    components = [
        DefinedComponent(
            uuid=uuid_for("component", token), type="software",
            title=token.rsplit(":", 1)[1], description=description,
            props=_props(pulumi_type=token),
            control_implementations=[_implementation(token, controls, rules)],
        )
        for token, description, controls in MODULES
    ]
    checked = [c for c in CONTROLS if any(r.control == c for r in rules)]
    if checked:
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


def _nist_of(result: Result) -> list[str]:
    return list(NIST.get(result.rule.control, ()))


def _failing(result: Result) -> bool:
    """Counts against its control: not waived and not informational."""
    return result.waiver is None and result.severity != "info"


def assessment_results(report: Report, rules: Sequence[Rule],
                       timestamp: datetime | None = None) -> Any:
    """One OSCAL result for one check run: an observation per finding, and a finding per NIST
    control the rules assess, satisfied or not. A control no rule checks is not claimed."""
    from trestle.oscal.assessment_results import AssessmentResults, ImportAp, LocalDefinitions1
    from trestle.oscal.assessment_results import Result as OscalResult
    from trestle.oscal.common import (
        ControlSelections,
        Finding,
        FindingTarget,
        InventoryItem,
        ObjectiveStatus,
        Observation,
        RelatedObservation,
        ReviewedControls,
        SelectControlById,
        SubjectReference,
    )

    ts = _utc(timestamp)
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
            uuid=obs_uuid, title=f"{f.rule}: {result.rule.title}", description=f.message,
            methods=["TEST"], types=["finding"], subjects=subjects or None, collected=ts,
            props=_props(rule=f.rule, control=result.rule.control, severity=result.severity,
                         dataset=f.dataset, location=f.location,
                         blocking=str(result.blocking).lower(),
                         unknown="true" if f.unknown else None,
                         waived_by=result.waiver.approved_by if result.waiver else None),
        ))
        for nist in _nist_of(result):
            by_nist.setdefault(nist, []).append((result, obs_uuid))

    assessed = sorted({n for r in rules for n in NIST.get(r.control, ())})
    findings = []
    for nist in assessed:
        related = by_nist.get(nist, [])
        failing = [r for r, _ in related if _failing(r)]
        unknown = [r for r in failing if r.finding.unknown]
        checked_by = sorted(r.id for r in rules if nist in NIST.get(r.control, ()))
        if not failing:
            status = ObjectiveStatus(state="satisfied", reason="pass",
                                     remarks=f"{len(related)} waived or informational finding(s)"
                                     if related else None)
        else:
            status = ObjectiveStatus(
                state="not-satisfied", reason="other" if len(unknown) == len(failing) else "fail",
                remarks=f"{len(failing)} finding(s), {len(unknown)} unknown offline",
            )
        findings.append(Finding(
            uuid=uuid_for("finding", run, nist), title=f"NIST SP 800-53 {nist.upper()}",
            description=f"Checked by {', '.join(checked_by)}.",
            target=FindingTarget(type="objective-id", target_id=f"{nist}_obj", status=status),
            related_observations=[RelatedObservation(observation_uuid=o) for _, o in related]
            or None,
        ))

    result = OscalResult(
        uuid=uuid_for("result", run),
        title=f"guardian check of {report.source_kind} {report.source_path}",
        description=f"{len(report.results)} finding(s), {len(report.blocking)} blocking, "
        f"{len(report.waived)} waived, on {report.resources} resources (fail on "
        f"{report.fail_on}).",
        start=ts, end=ts,
        props=_props(source_kind=report.source_kind, resources=str(report.resources),
                     fail_on=report.fail_on),
        local_definitions=LocalDefinitions1(inventory_items=[items[k] for k in sorted(items)])
        if items else None,
        reviewed_controls=ReviewedControls(control_selections=[ControlSelections(
            include_controls=[SelectControlById(control_id=n) for n in assessed],
        )]),
        observations=observations or None,
        findings=findings or None,
    )
    return AssessmentResults(
        uuid=uuid_for("assessment-results", run),
        metadata=_metadata("Guardian check results", ts),
        import_ap=ImportAp(href="#", remarks="guardian check has no separate assessment plan: "
                           "its rule set, listed in the component definition, is the plan."),
        results=[result],
    )


def dumps(model: Any) -> str:
    """The document as OSCAL JSON (wrapped in its root key), keys in a stable order."""
    return model.oscal_serialize_json(pretty=True) + "\n"


def nist_ids(controls: Iterable[str] = CONTROLS) -> list[str]:
    return sorted({n for c in controls for n in NIST[c]})


def root(document: Mapping[str, Any]) -> str:
    """The OSCAL root key of a parsed document (component-definition, assessment-results)."""
    return next(iter(document))
