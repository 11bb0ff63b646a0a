"""Size a breach: which datasets one store or role exposes, how they were protected as deployed,
and, per law, whether notice is owed, to whom and by when. Pure: catalog, graph (or None) and
a person's assessment in, a `BreachReport` out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from guardian.breach.answers import QUESTIONS, Assessment
from guardian.breach.law import ASSESS, NOT_OWED, OWED, Facts, People, Verdict, iso, verdict
from guardian.catalog.model import Catalog, Dataset
from guardian.catalog.taxonomy import is_special_category, label
from guardian.errors import UserError, unknown_choice
from guardian.graph.model import ResourceGraph

FORMAT = "guardian.breach/v2"


@dataclass(frozen=True)
class Exposure:
    dataset: Dataset
    stores: tuple[str, ...]  # the stores of the dataset the incident touches
    actions: tuple[str, ...] = ()  # through a role: what it may do


@dataclass(frozen=True)
class Protection:
    """How the exposed stores of one dataset were encrypted, as the deployment shows."""

    dataset: str
    encryption: dict[str, str]  # store -> cmk | aws-managed | ... | not deployed | not read
    protected: bool | None  # CMK and key not exposed; None: CMK, exposure not answered
    why: str


@dataclass(frozen=True)
class BreachReport:
    incident: dict[str, str]  # {"resource": ...} or {"role": ...}
    discovered_at: datetime
    exposures: tuple[Exposure, ...]
    protections: tuple[Protection, ...]
    verdicts: tuple[Verdict, ...]
    assessment: Assessment
    contacts: tuple[str, ...]
    dpo: str | None
    people: People | None = None  # possibly affected, over every exposed dataset

    @property
    def questions(self) -> list[str]:
        """Unanswered questions, each once, in the order the verdicts ask them."""
        return list(dict.fromkeys(q for v in self.verdicts for q in v.questions))


def parse_time(text: str | None, now: datetime | None = None) -> datetime:
    """An ISO 8601 time (naive means UTC); None means now."""
    if text is None:
        return (now or datetime.now(UTC)).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--discovered-at {text!r} is not an ISO 8601 time "
                        "(e.g. 2026-03-01T09:30:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _store_name(resource: str) -> str:
    """The bucket or table name in a name or an ARN (object and index ARNs too)."""
    if not resource.startswith("arn:"):
        return resource
    parts = resource.split(":", 5)
    if len(parts) < 6:
        raise UserError(f"{resource!r} is not an ARN")
    service, rest = parts[2], parts[5]
    if service == "s3":
        return rest.split("/", 1)[0]
    if service == "dynamodb" and rest.startswith("table/"):
        return rest.split("/")[1]
    if service == "rds" and rest.startswith("db:"):
        return rest[3:]
    return rest.rsplit("/", 1)[-1]


def _role_name(role: str) -> str:
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


def exposures_of(catalog: Catalog, *, resource: str | None = None,
                 role: str | None = None) -> tuple[Exposure, ...]:
    if (resource is None) == (role is None):
        raise UserError("name exactly one of --resource and --role")
    if resource is not None:
        name = _store_name(resource)
        found = catalog.store(name)
        if found is None:
            stores = sorted(st.name for ds in catalog.datasets for st in ds.storage)
            raise unknown_choice("store", name, stores)
        return (Exposure(found[0], (name,)),)
    assert role is not None
    name = _role_name(role)
    out = []
    for ds in catalog.datasets:
        actions = sorted({a for acc in ds.access if acc.role == name for a in acc.actions})
        if actions:
            out.append(Exposure(ds, tuple(st.name for st in ds.storage), tuple(actions)))
    if not out:
        roles = sorted({acc.role for ds in catalog.datasets for acc in ds.access})
        raise unknown_choice("role", name, roles)
    return tuple(out)


def protection(catalog: Catalog, graph: ResourceGraph | None, exposure: Exposure,
               assessment: Assessment) -> Protection:
    """The encryption safe harbour for one exposed dataset: every store it touches under a
    customer-managed KMS key (read from the deployment), and the key not exposed (a role that
    may read gets clear data from the service; else a person answers key_exposed)."""
    ds = exposure.dataset
    if graph is None:
        return Protection(ds.id, {s: "not read" for s in exposure.stores}, False,
                          "no deployment was read, so no encryption can be relied on (give "
                          "--program, --preview, --state, --graph or --live)")
    from guardian.evidence.deployed import ENCRYPTION_TEXT, stores

    deployed = {s.name: s.encryption for s in stores(catalog, graph, ds.id)}
    encryption = {name: deployed.get(name, "not deployed") for name in exposure.stores}
    weak = [f"{name}: {ENCRYPTION_TEXT.get(kind, kind)}" for name, kind in encryption.items()
            if kind != "cmk"]
    if weak:
        return Protection(ds.id, encryption, False, "not under a customer-managed key ("
                          + "; ".join(weak) + "): whoever reads it gets clear data")
    if "read" in exposure.actions:
        return Protection(ds.id, encryption, False, "the role may read it, and the service "
                          "decrypts for whoever may use the key")
    exposed = assessment.get("key_exposed")
    if exposed is None:
        return Protection(ds.id, encryption, None, "under a customer-managed KMS key; whether "
                          "the key (or a principal allowed to decrypt) was exposed is not "
                          "answered")
    return Protection(ds.id, encryption, exposed == "no",
                      "under a customer-managed KMS key that was "
                      + ("exposed" if exposed == "yes" else "not exposed (assessment)"))


def people_affected(exposures: tuple[Exposure, ...] | list[Exposure],
                    assessment: Assessment, affected: int | None = None) -> People | None:
    """How many people the thresholds count: `--affected N` or the assessment's
    `affected.total` (counted), else the exposed datasets' catalog volumes (an estimate: at
    least the largest, at most their sum, as people may be in several); None when no dataset
    has a volume."""
    given = assessment.count()
    if affected is not None and given is not None and affected != given:
        raise UserError(f"--affected {affected} and affected.total {given} in "
                        f"{assessment.file} disagree: give the count once")
    counted = affected if affected is not None else given
    if counted is not None:
        return People(counted, counted)
    sized = [e.dataset for e in exposures if e.dataset.volume is not None]
    if not sized:
        return None
    volumes = [ds.volume or 0 for ds in sized]
    unsized = [e.dataset.id for e in exposures if e.dataset.volume is None]
    how = (f"the catalog's volume of {sized[0].id}" if len(sized) == 1 else
           f"the catalog's volumes of {', '.join(ds.id for ds in sized)}, whose people may "
           "overlap")
    if unsized:
        how += f"; {', '.join(unsized)} without one"
    return People(max(volumes), None if unsized else sum(volumes),
                  f"{how}; give --affected N once counted")


def assess(catalog: Catalog, *, resource: str | None = None, role: str | None = None,
           discovered_at: datetime, graph: ResourceGraph | None = None,
           assessment: Assessment | None = None, affected: int | None = None) -> BreachReport:
    """`affected`: the people counted (`--affected N`); without it, the assessment's
    `affected.total`, else the catalog's volumes, said to be an estimate."""
    assessment = assessment or Assessment()
    exposures = exposures_of(catalog, resource=resource, role=role)
    protections = tuple(protection(catalog, graph, e, assessment) for e in exposures)
    verdicts = []
    regimes = list(dict.fromkeys(j for e in exposures for j in e.dataset.jurisdictions))
    for regime in regimes:
        scoped = [(e, p) for e, p in zip(exposures, protections, strict=True)
                  if regime in e.dataset.jurisdictions]
        kept = [p.protected for _, p in scoped]
        protected = False if False in kept else None if None in kept else True
        facts = Facts(
            discovered_at=discovered_at,
            categories=frozenset(c for e, _ in scoped for c in e.dataset.categories),
            protected=protected,
            protection="; ".join(f"{p.dataset}: {p.why}" for _, p in scoped),
            assessment=assessment,
            read_access=any(not e.actions or "read" in e.actions for e, _ in scoped),
            people=people_affected([e for e, _ in scoped], assessment, affected),
        )
        found = verdict(regime, facts)
        verdicts.append(Verdict(**{**found.__dict__,
                                   "datasets": tuple(e.dataset.id for e, _ in scoped)}))
    contacts = tuple(dict.fromkeys(c for e in exposures for c in e.dataset.breach_contacts))
    contacts = contacts or (catalog.organization.contact,)
    dpo = catalog.organization.dpo
    incident = {"resource": resource} if resource is not None else {"role": str(role)}
    return BreachReport(incident, discovered_at, exposures, protections, tuple(verdicts),
                        assessment, contacts, f"{dpo.name} <{dpo.email}>" if dpo else None,
                        people_affected(exposures, assessment, affected))


def steps(report: BreachReport) -> list[tuple[Verdict, Any]]:
    """Every step owed or awaiting assessment, the most urgent first: undated ones ('as soon
    as feasible', 'promptly', 'without undue delay') are immediate, then by due time."""
    far = datetime.max.replace(tzinfo=UTC)
    out = [(v, s) for v in report.verdicts for s in v.steps if s.status != NOT_OWED]
    return sorted(out, key=lambda vs: (vs[1].due is not None, vs[1].due or far,
                                       vs[1].status != OWED))


def to_json(report: BreachReport) -> dict[str, Any]:
    by_id = {p.dataset: p for p in report.protections}
    return {
        "format": FORMAT,
        "incident": report.incident,
        "discovered_at": iso(report.discovered_at),
        "affected": None if report.people is None else {
            "low": report.people.low, "high": report.people.high,
            "estimated": bool(report.people.estimate), "how": report.people.estimate or None,
            "text": str(report.people)},
        "summary": {status: [v.regime for v in report.verdicts if v.status == status]
                    for status in (OWED, ASSESS, NOT_OWED)},
        "regimes": [v.to_json() for v in report.verdicts],
        "questions": [{"id": q, "question": QUESTIONS[q].text,
                       "choices": list(QUESTIONS[q].choices),
                       "reference": QUESTIONS[q].reference} if q in QUESTIONS else
                      {"id": q, "question": "how many people are affected?",
                       "choices": ["a number"], "reference": "thresholds"}
                      for q in report.questions],
        "assessment": report.assessment.to_json(),
        "datasets": [{
            "id": e.dataset.id,
            "name": e.dataset.name,
            "classification": e.dataset.classification,
            "categories": [{"key": c, "label": label("data_category", c),
                            "special": is_special_category(c)} for c in e.dataset.categories],
            "special_categories": any(is_special_category(c) for c in e.dataset.categories),
            "subjects": list(e.dataset.subjects),
            "jurisdictions": list(e.dataset.jurisdictions),
            "recipients": [{"name": r.name, "country": r.country, "use": r.use,
                            "role": r.role} for r in e.dataset.recipients],
            "breach_contacts": list(e.dataset.breach_contacts),
            "stores": list(e.stores),
            "encryption": by_id[e.dataset.id].encryption,
            "protected": by_id[e.dataset.id].protected,
            "protection": by_id[e.dataset.id].why,
            "role_actions": list(e.actions),
            "volume": e.dataset.volume,
        } for e in report.exposures],
        "contacts": list(report.contacts),
        "dpo": report.dpo,
    }
