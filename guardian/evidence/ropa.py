"""GDPR Art. 30 record of processing: one row per dataset and data use, every column of the UK
ICO's controller template.

The catalog says what and why; the deployment graph says where and how it is protected. A
column the catalog has nothing for (consent record, breach record, retention policy link) stays
empty rather than holding a guess. Transfers are judged per regime (the UK is a third country
for EU data, the EU for UK data; US adequacy only for DPF-certified recipients); retention is
worded as the deployment does it (S3 expiry is asynchronous and leaves old versions on a
versioned bucket, DynamoDB TTL is best effort, PITR can restore); the DPIA column is a
screening against Art. 35(3) and the WP248 criteria, never a finding.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from guardian.catalog import regions
from guardian.catalog.model import Catalog, Dataset, Recipient, Use
from guardian.catalog.taxonomy import covers, human, is_special_category, label
from guardian.evidence import deployed
from guardian.evidence.law import (
    GDPR_REGIMES,
    LEGAL_BASES,
    REGIME_NAMES,
    RIGHTS,
    SPECIAL_CONDITIONS,
    country_name,
    transfer,
)
from guardian.evidence.stable import FIXED_TIME, restamp
from guardian.graph.model import ResourceGraph

COLUMNS: tuple[str, ...] = (
    "Dataset",
    "Data use",
    "Controller",
    "Business function",
    "Purpose of processing",
    "Name and contact details of joint controller",
    "Categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Third countries or international organisations transferred to",
    "Safeguards for transfers to third countries",
    "Retention schedule",
    "Technical and organisational security measures",
    "Article 6 lawful basis",
    "Article 9 condition for special category data",
    "Legitimate interests",
    "Link to record of legitimate interests assessment",
    "Rights available to individuals",
    "Automated decision-making, including profiling",
    "Source of personal data",
    "Link to record of consent",
    "Location of personal data",
    "DPIA required?",
    "DPIA progress",
    "Link to DPIA",
    "Personal data breach?",
    "Link to record of personal data breach",
    "DPA 2018 Schedule 1 condition for processing",
    "Link to retention and erasure policy",
    "Retained and erased in accordance with the retention policy?",
    "Reasons for not adhering to the retention policy",
)

measures = deployed.measures  # the Art. 32 measures of a dataset, derived from the graph
AWS = "Amazon Web Services"
AWS_CONTRACT = "AWS Data Processing Addendum (part of the AWS Service Terms)"


def _controller(catalog: Catalog) -> str:
    org = catalog.organization
    parts = [f"{org.name} <{org.contact}>"]
    if org.dpo:
        parts.append(f"DPO {org.dpo.name} <{org.dpo.email}>")
    if org.representative:
        parts.append(f"EU representative (GDPR Art. 27) {org.representative}")
    if org.representative_uk:
        parts.append(f"UK representative (UK GDPR Art. 27) {org.representative_uk}")
    return "; ".join(parts)


# --- DPIA screening -----------------------------------------------------------------------------

VULNERABLE = ("employee", "patient", "job_applicant", "trainee")  # WP248 criterion 7
PROFILING_USES = ("personalize.content.profiling", "personalize.content.profiled",
                  "marketing.advertising.profiling", "marketing.advertising.first_party.targeted",
                  "marketing.advertising.third_party.targeted")


def dpia_screening(ds: Dataset) -> str:
    """Art. 35(3) and the EDPB-endorsed WP248 criteria the catalog can show; two or more
    criteria suggest a DPIA. Stated as a screening, never as the finding of one: scale and the
    criteria the catalog says nothing about are left to a person."""
    ad = ds.automated_decisions
    special = [human("data_category", c) for c in ds.categories if is_special_category(c)]
    personal = special + [human("data_category", c) for c in ds.categories if any(
        covers(p, c) for p in ("user.criminal_history", "user.financial",
                               "user.location.precise", "user.childrens"))]
    criteria = [text for text, met in (
        ("1 evaluation or scoring (profiling)", (ad is not None and ad.profiling) or any(
            covers(p, u.use) for u in ds.uses for p in PROFILING_USES)),
        ("2 automated decisions with legal or similar effect", ad is not None and ad.exists),
        (f"4 sensitive or highly personal data ({', '.join(personal)})", bool(personal)),
        ("7 vulnerable data subjects ("
         + ", ".join(s for s in ds.subjects if s in VULNERABLE) + ")",
         any(s in VULNERABLE for s in ds.subjects)),
    ) if met]
    article = []
    if ad is not None and ad.exists and ad.profiling:
        article.append("Art. 35(3)(a) applies if the evaluation is systematic and extensive")
    if special:
        article.append("Art. 35(3)(b) applies if the special category data is processed on a "
                       "large scale")
    verdict = ("screening suggests a DPIA is required" if len(criteria) >= 2 else
               "screening: one criterion met; a DPIA may still be required"
               if criteria else "screening: no criterion the catalog can show")
    return "; ".join([verdict + (f" (WP248 criteria met: {'; '.join(criteria)})"
                                 if criteria else ""), *article,
                      "not assessed from the catalog: scale (5), monitoring (3), matching "
                      "datasets (6), innovative technology (8), blocking a right (9)"])


# --- transfers ----------------------------------------------------------------------------------


def _laws(ds: Dataset) -> list[str]:
    return [j for j in GDPR_REGIMES if j in ds.jurisdictions]


def _store_transfer(regime: str, store: deployed.Store) -> str | None:
    """What a store outside the regime's home rests on, as far as the catalog says."""
    country = store.country
    if country is None or not regions.third_country(regime, country):
        return None
    r = regions.REGIONS.get(store.region or "")
    if r is not None and r.dpf_only:
        return (f"{country_name(country)} ({AWS} in {store.region}): adequacy only under the "
                "Data Privacy Framework; the catalog does not record the provider's "
                "certification or another safeguard")
    if regions.adequate(regime, country):
        return f"{country_name(country)} ({AWS} in {store.region}): adequacy"
    return f"{country_name(country)} ({AWS} in {store.region}): no safeguard recorded"


def _transfers(ds: Dataset, recipients: list[Recipient],
               stores: Sequence[deployed.Store]) -> tuple[str, str]:
    """(third countries, safeguards) per (UK) GDPR regime: the UK is a third country for EU
    data and the EU for UK data; US adequacy only for DPF-certified recipients."""
    laws = _laws(ds)
    if not laws:
        return "not in (UK) GDPR scope per the catalog", ""
    countries, safeguards = [], []
    for regime in laws:
        moved = [(r, m) for r in recipients if (m := transfer(regime, r)) is not None]
        places = sorted({country_name(m.country) for _, m in moved}
                        | {country_name(s.country) for s in stores if s.country
                           and regions.third_country(regime, s.country)})
        countries.append(f"{REGIME_NAMES[regime]}: {', '.join(places) or 'none'}")
        lines = [f"{r.name} ({country_name(m.country)}): {m.basis}" for r, m in moved]
        lines += list(dict.fromkeys(t for s in stores if (t := _store_transfer(regime, s))))
        if lines:
            safeguards.append(f"{REGIME_NAMES[regime]}: " + "; ".join(lines))
    return "; ".join(countries), "\n".join(safeguards)


# --- retention as deployed ------------------------------------------------------------------------


def _retained(ds: Dataset, stores: Sequence[deployed.Store]) -> str:
    if not stores:
        return "unknown: no store tagged with this dataset is deployed"
    ttl = {st.name: st.ttl_attribute for st in ds.storage}
    found = [deployed.retention(s, ds.retention.days, ttl.get(s.name)) for s in stores]
    if any(ok is False for ok, _ in found):
        return "no: " + "; ".join(text for ok, text in found if ok is False)
    if any(ok is None for ok, _ in found):
        return "unknown: " + "; ".join(text for ok, text in found if ok is None)
    return f"yes, within {ds.retention.days} days, with these lags: " + "; ".join(
        text for _, text in found)


def _departures(catalog: Catalog, ds: Dataset, stores: Sequence[deployed.Store]) -> str:
    """The approved waivers of retention rules on the dataset's stores: the recorded reasons
    for not following the schedule."""
    names = {s.name for s in stores} | {st.name for st in ds.storage} | {ds.id}
    return "; ".join(f"{w.rule} on {w.resource}: {w.reason} (approved by {w.approved_by}, "
                     f"until {w.expires})" for w in catalog.waivers
                     if w.rule.startswith("GRD-RET-") and w.resource in names)


# --- other columns --------------------------------------------------------------------------------

SCHEDULE_1 = {  # DPA 2018 s.10(2)-(3): Art. 9(2)(b), (h), (i), (j) need Part 1, (g) Part 2
    "employment_social_security": "Sch. 1 Part 1 para 1 (employment, social security and "
                                  "social protection)",
    "health_or_social_care": "Sch. 1 Part 1 para 2 (health or social care purposes)",
    "public_health": "Sch. 1 Part 1 para 3 (public health)",
    "archiving_research": "Sch. 1 Part 1 para 4 (research etc)",
    "substantial_public_interest": "a condition in Sch. 1 Part 2 (substantial public "
                                   "interest): name it",
}


def _schedule_1(ds: Dataset, use: Use) -> str:
    if "uk_gdpr" not in ds.jurisdictions:
        return "not in UK GDPR scope per the catalog"
    out = []
    if any(is_special_category(c) for c in ds.categories):
        condition = use.special_category_condition
        out.append(SCHEDULE_1.get(condition or "", "not needed: DPA 2018 s.10 asks for one "
                                  "only for Art. 9(2)(b), (g), (h), (i) and (j)")
                   if condition else "missing: no Art. 9 condition")
    if any(covers("user.criminal_history", c) for c in ds.categories):
        out.append("criminal offence data: a condition in Sch. 1 Parts 1-3 (DPA 2018 s.10(5)): "
                   "name it")
    return "; ".join(out) or "not special category or criminal offence data"


def _automated(ds: Dataset) -> str:
    ad = ds.automated_decisions
    if ad is None:
        return ""
    if not ad.exists:
        return "no"
    return (f"yes{', including profiling' if ad.profiling else ''}: {ad.logic}; significance: "
            f"{ad.significance}")


def _source(ds: Dataset) -> str:
    if ds.source is None:
        return ""
    origin = {"data_subject": "the data subject", "third_party": "a third party",
              "public": "publicly accessible sources"}[ds.source.origin]
    return origin + (f": {ds.source.description}" if ds.source.description else "")


def _recipients_column(ds: Dataset, recipients: list[Recipient], roles: list[str]) -> str:
    parts = [f"processor: {AWS} (hosting and storage)"] if ds.storage else []
    parts += [f"{r.name} ({r.country}{', ' + r.role.replace('_', ' ') if r.role else ''})"
              for r in recipients]
    if roles:
        parts.append(f"internal: {', '.join(roles)}")
    return "; ".join(parts)


def _rights(ds: Dataset, use: Use) -> str:
    rights = [r for r in RIGHTS[use.legal_basis]
              if not (r == "erasure" and ds.retention.legal_hold)]
    text = ", ".join(rights)
    if ds.retention.legal_hold and "erasure" in RIGHTS[use.legal_basis]:
        text += " (erasure refused while the legal hold lasts: Art. 17(3), reasons per 12(4))"
    return text + (f"; opt-out: {use.opt_out}" if use.opt_out else "")


def row(catalog: Catalog, graph: ResourceGraph, ds: Dataset, use: Use) -> dict[str, str]:
    stores = deployed.stores(catalog, graph, ds.id)
    recipients = [r for r in ds.recipients if r.use == use.use]
    roles = sorted({a.role for a in ds.access if a.use == use.use})
    special = [c for c in ds.categories if is_special_category(c)]
    retention = f"{ds.retention.days} days" + (f": {ds.retention.basis}" if ds.retention.basis
                                                else "")
    if ds.retention.legal_hold:
        retention += " (legal hold: erasure suspended)"
    countries, safeguards = _transfers(ds, recipients, stores)
    interests = ds.legitimate_interest if use.legal_basis == "legitimate_interests" else None
    contracts = ([f"{AWS}: {AWS_CONTRACT}"] if ds.storage else []) + [
        f"{r.name}: {r.contract or 'not recorded in the catalog'}"
        for r in recipients if r.role == "processor"]
    retained = _retained(ds, stores)
    return {
        "Dataset": ds.id,
        "Data use": use.use,
        "Controller": _controller(catalog),
        "Business function": ds.owner,
        "Purpose of processing": f"{label('data_use', use.use)}: {ds.name}",
        "Name and contact details of joint controller": "; ".join(
            f"{r.name} ({r.country})" + (f", arrangement: {r.contract}" if r.contract else "")
            for r in recipients if r.role == "joint_controller"),
        "Categories of individuals": ", ".join(human("data_subject", s) for s in ds.subjects),
        "Categories of personal data": ", ".join(human("data_category", c)
                                                 for c in ds.categories),
        "Categories of recipients": _recipients_column(ds, recipients, roles),
        "Link to contract with processor": "\n".join(contracts),
        "Third countries or international organisations transferred to": countries,
        "Safeguards for transfers to third countries": safeguards,
        "Retention schedule": retention,
        "Technical and organisational security measures": "\n".join(
            deployed.measures(catalog, graph, ds.id)
        ) or "none deployed: no store tagged with this dataset",
        "Article 6 lawful basis": LEGAL_BASES[use.legal_basis],
        "Article 9 condition for special category data": (
            SPECIAL_CONDITIONS.get(use.special_category_condition or "", "missing")
            if special else "not special category data"
        ),
        "Legitimate interests": (interests.interest if interests else
                                 "not stated in the catalog" if use.legal_basis ==
                                 "legitimate_interests" else ""),
        "Link to record of legitimate interests assessment":
            interests.assessment or "" if interests else "",
        "Rights available to individuals": _rights(ds, use),
        "Automated decision-making, including profiling": _automated(ds),
        "Source of personal data": _source(ds),
        "Link to record of consent": "",
        "Location of personal data": "\n".join(deployed.location(s) for s in stores)
        or "not deployed",
        "DPIA required?": dpia_screening(ds),
        "DPIA progress": ds.dpia.status.replace("_", " ") if ds.dpia else "",
        "Link to DPIA": ds.dpia.link or "" if ds.dpia else "",
        "Personal data breach?": "",
        "Link to record of personal data breach": "",
        "DPA 2018 Schedule 1 condition for processing": _schedule_1(ds, use),
        "Link to retention and erasure policy": "",
        "Retained and erased in accordance with the retention policy?": retained,
        "Reasons for not adhering to the retention policy":
            _departures(catalog, ds, stores) if retained.startswith("no") else "",
    }


def rows(catalog: Catalog, graph: ResourceGraph) -> list[dict[str, str]]:
    return [row(catalog, graph, ds, use) for ds in catalog.datasets for use in ds.uses]


def to_csv(records: Sequence[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return buf.getvalue()


# Readable widths (characters) for the long columns; the rest get 22.
_WIDTHS = {
    "Technical and organisational security measures": 70,
    "Location of personal data": 40,
    "Controller": 40,
    "Purpose of processing": 40,
    "Categories of personal data": 40,
    "Retention schedule": 36,
    "Retained and erased in accordance with the retention policy?": 40,
    "Rights available to individuals": 36,
}


def to_xlsx(records: Sequence[dict[str, str]], title: str = "Record of processing") -> bytes:
    """An XLSX a person can read: bold frozen header, filters, widths, wrapped text."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    ws.title = "ROPA"
    ws.append(list(COLUMNS))
    for record in records:  # a deployment's names may hold what XML 1.0 cannot: shown as U+FFFD
        ws.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(record.get(c, ""))) for c in COLUMNS])
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(name, 22)
    ws.freeze_panes = "C2"  # header row and the dataset/use columns stay in view
    ws.auto_filter.ref = ws.dimensions
    wb.properties.title = title
    wb.properties.creator = "guardian"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME

    buf = io.BytesIO()
    import zipfile

    # ExcelWriter directly: openpyxl's save_workbook stamps `modified` with the clock.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return restamp(buf.getvalue())
