"""`guardian breach`: size a breach from the catalog. Which data, whose, which laws, by when.

Pure core: `assess(catalog, resource=..., role=..., discovered_at=...)` returns an `Assessment`;
`markdown` and `to_json` render it. The notification deadlines are in one table, `REGIMES`,
from ../shared/notes/privacy-facts.md; each row names its source.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from guardian.catalog.model import Catalog, Dataset
from guardian.catalog.taxonomy import is_special_category
from guardian.errors import UserError, unknown_choice

FORMAT = "guardian.breach/v1"


@dataclass(frozen=True)
class Regime:
    name: str
    notify: str  # to whom
    rule: str  # the deadline as the law words it
    reference: str
    hours: int | None = None  # calendar time from discovery
    business_days: int | None = None  # Monday to Friday; public holidays are not counted in

    def deadline(self, discovered: datetime) -> datetime | None:
        if self.hours is not None:
            return discovered + timedelta(hours=self.hours)
        if self.business_days is not None:
            day, left = discovered, self.business_days
            while left:
                day += timedelta(days=1)
                if day.weekday() < 5:
                    left -= 1
            return day
        return None


DAY = 24
REGIMES: dict[str, Regime] = {
    "gdpr": Regime("GDPR", "the lead supervisory authority; data subjects without undue delay "
                   "if the risk to them is high",
                   "without undue delay and, where feasible, within 72 hours of becoming aware",
                   "GDPR Art. 33, 34", hours=72),
    "uk_gdpr": Regime("UK GDPR", "the ICO; data subjects without undue delay if the risk is high",
                      "without undue delay and, where feasible, within 72 hours of becoming "
                      "aware", "UK GDPR Art. 33, 34", hours=72),
    "hipaa": Regime("HIPAA", "affected individuals; HHS; prominent media if more than 500 "
                    "residents of a state", "without unreasonable delay, at most 60 calendar "
                    "days after discovery", "45 CFR 164.404-410", hours=60 * DAY),
    "ccpa": Regime("California (Civ. Code 1798.82)", "affected California residents; a sample "
                   "to the Attorney General within 15 days if more than 500 residents",
                   "within 30 calendar days of discovery (as amended, in force 2026-01-01)",
                   "Cal. Civ. Code 1798.82", hours=30 * DAY),
    "pipeda": Regime("PIPEDA", "the Privacy Commissioner of Canada and affected individuals, "
                     "when there is a real risk of significant harm", "as soon as feasible",
                     "PIPEDA s.10.1"),
    "lgpd": Regime("LGPD", "the ANPD and the data subjects", "within 3 business days "
                   "(public holidays not counted in here: the true deadline may be later)",
                   "LGPD Art. 48; ANPD Resolution 15/2024", business_days=3),
    "pdpa_sg": Regime("PDPA (Singapore)", "the PDPC (and individuals if significant harm)",
                      "within 3 calendar days of assessing the breach as notifiable (counted "
                      "here from discovery: assess at once)", "PDPA s.26D", hours=3 * DAY),
    "pipa_kr": Regime("PIPA (Korea)", "the data subjects and the PIPC", "within 72 hours",
                      "PIPA Art. 34", hours=72),
    "privacy_act_au": Regime("Privacy Act (Australia), NDB scheme", "the OAIC and affected "
                             "individuals, as soon as practicable once assessed as eligible",
                             "assessment within 30 days", "Privacy Act 1988 s.26WH",
                             hours=30 * DAY),
    "appi": Regime("APPI (Japan)", "the PPC and the data subjects", "a preliminary report "
                   "promptly; the final report within 30 days (60 for wrongful intent)",
                   "APPI Art. 26; Enforcement Rules Art. 8", hours=30 * DAY),
}


@dataclass(frozen=True)
class Exposure:
    dataset: Dataset
    stores: tuple[str, ...]  # the stores of the dataset the incident touches
    actions: tuple[str, ...] = ()  # through a role: what it may do


@dataclass(frozen=True)
class Deadline:
    jurisdiction: str
    regime: Regime
    due: datetime | None
    datasets: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    incident: dict[str, str]  # {"resource": ...} or {"role": ...}
    discovered_at: datetime
    exposures: tuple[Exposure, ...]
    deadlines: tuple[Deadline, ...]
    contacts: tuple[str, ...]
    dpo: str | None


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


def assess(catalog: Catalog, *, resource: str | None = None, role: str | None = None,
           discovered_at: datetime) -> Assessment:
    exposures = exposures_of(catalog, resource=resource, role=role)
    by_regime: dict[str, list[str]] = {}
    for e in exposures:
        for j in e.dataset.jurisdictions:
            by_regime.setdefault(j, []).append(e.dataset.id)
    deadlines = []
    for j, datasets in by_regime.items():
        regime = REGIMES.get(j) or Regime(j, "see counsel", "no deadline on record for this "
                                          "jurisdiction", "")
        deadlines.append(Deadline(j, regime, regime.deadline(discovered_at), tuple(datasets)))
    far = datetime.max.replace(tzinfo=UTC)
    deadlines.sort(key=lambda d: (d.due or far, d.jurisdiction))
    contacts = tuple(dict.fromkeys(c for e in exposures for c in e.dataset.breach_contacts))
    dpo = catalog.organization.dpo
    incident = {"resource": resource} if resource is not None else {"role": str(role)}
    return Assessment(incident, discovered_at, exposures, tuple(deadlines), contacts,
                      f"{dpo.name} <{dpo.email}>" if dpo else None)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def to_json(a: Assessment) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "incident": a.incident,
        "discovered_at": _iso(a.discovered_at),
        "datasets": [{
            "id": e.dataset.id,
            "name": e.dataset.name,
            "classification": e.dataset.classification,
            "categories": [{"key": c, "special": is_special_category(c)}
                           for c in e.dataset.categories],
            "special_categories": any(is_special_category(c) for c in e.dataset.categories),
            "subjects": list(e.dataset.subjects),
            "jurisdictions": list(e.dataset.jurisdictions),
            "recipients": [{"name": r.name, "country": r.country, "use": r.use}
                           for r in e.dataset.recipients],
            "breach_contacts": list(e.dataset.breach_contacts),
            "stores": list(e.stores),
            "role_actions": list(e.actions),
        } for e in a.exposures],
        "deadlines": [{
            "jurisdiction": d.jurisdiction, "regime": d.regime.name, "notify": d.regime.notify,
            "rule": d.regime.rule, "reference": d.regime.reference, "due": _iso(d.due),
            "datasets": list(d.datasets),
        } for d in a.deadlines],
        "contacts": list(a.contacts),
        "dpo": a.dpo,
    }


def markdown(a: Assessment) -> str:
    what = f"resource `{a.incident['resource']}`" if "resource" in a.incident \
        else f"role `{a.incident['role']}`"
    lines = [f"# Breach assessment: {what}", "",
             f"Discovered at {_iso(a.discovered_at)}. "
             f"{len(a.exposures)} dataset(s) exposed.", "",
             "## Notification deadlines", "",
             "| due | regime | notify | rule | datasets |", "| --- | --- | --- | --- | --- |"]
    for d in a.deadlines:
        lines.append(f"| {_iso(d.due) or 'no fixed deadline'} | {d.regime.name} | "
                     f"{d.regime.notify} | {d.regime.rule} ({d.regime.reference}) | "
                     f"{', '.join(d.datasets)} |")
    lines += ["", "## Exposed datasets", ""]
    for e in a.exposures:
        ds = e.dataset
        special = [c for c in ds.categories if is_special_category(c)]
        lines += [f"### {ds.name} (`{ds.id}`, {ds.classification})", ""]
        if special:
            lines.append(f"- **Special categories (GDPR Art. 9):** {', '.join(special)}")
        lines += [f"- Categories: {', '.join(ds.categories)}",
                  f"- Subjects: {', '.join(ds.subjects)}",
                  f"- Jurisdictions: {', '.join(ds.jurisdictions)}",
                  f"- Stores: {', '.join(e.stores) or 'none declared'}"]
        if e.actions:
            lines.append(f"- The role may: {', '.join(e.actions)}")
        recipients = [f"{r.name} ({r.country})" for r in ds.recipients]
        lines.append(f"- Recipients to inform: {', '.join(recipients) or 'none'}")
        lines += [f"- Breach contacts: {', '.join(ds.breach_contacts) or 'none declared'}", ""]
    lines += ["## Who to call now", ""]
    lines += [f"- {c}" for c in a.contacts] or ["- no breach contact declared"]
    if a.dpo:
        lines.append(f"- Data protection officer: {a.dpo}")
    return "\n".join(lines) + "\n"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from guardian.cli import add_catalog_option

    p = sub.add_parser(
        "breach", help="size a breach: datasets, subjects, laws, notification deadlines",
        description="From one compromised store or role: the datasets exposed, their "
                    "categories, subjects and jurisdictions, whom to inform and by when.",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--resource", metavar="NAME|ARN", help="the compromised bucket or table")
    which.add_argument("--role", metavar="NAME", help="the compromised IAM role (name or ARN)")
    p.add_argument("--discovered-at", metavar="TIME",
                   help="when the breach was discovered, ISO 8601 (default: now)")
    p.add_argument("--format", choices=("md", "json"), default="md")
    add_catalog_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guardian.catalog import load_catalog

    catalog = load_catalog(args.catalog)
    result = assess(catalog, resource=args.resource, role=args.role,
                    discovered_at=parse_time(args.discovered_at))
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2))
    else:
        print(markdown(result), end="")
    return 0
