"""GDPR Art. 30 record of processing: one row per dataset and data use, UK ICO template columns.

The catalog says what and why; the deployment graph says where and how it is protected. A
column the catalog has nothing for (processor contract link, breach record, ...) stays empty
rather than holding a guess.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from guardian.catalog.model import Catalog, Dataset, Use
from guardian.catalog.taxonomy import is_special_category, label
from guardian.evidence import deployed
from guardian.evidence.law import (
    GDPR_REGIMES,
    LEGAL_BASES,
    RIGHTS,
    SAFEGUARDS,
    SPECIAL_CONDITIONS,
    third_country,
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
    "Rights available to individuals",
    "Automated decision-making, including profiling",
    "Source of personal data",
    "Link to record of consent",
    "Location of personal data",
    "DPIA required?",
    "Personal data breach?",
    "Link to retention and erasure policy",
    "Retained and erased in accordance with the retention policy?",
)

measures = deployed.measures  # the Art. 32 measures of a dataset, derived from the graph


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


def _dpia(ds: Dataset) -> str:
    if any(is_special_category(c) for c in ds.categories):
        return "yes: special category data (Art. 35(3)(b))"
    if any(c.startswith("user.location.precise") for c in ds.categories):
        return "likely: geolocation tracking (ICO list of high-risk processing)"
    return "not indicated by the catalog"


def _retained(ds: Dataset, stores: Sequence[deployed.Store]) -> str:
    if not stores:
        return "unknown: no store tagged with this dataset is deployed"
    ttl = {st.name: st.ttl_attribute for st in ds.storage}
    kept = {s.urn: deployed.kept_within(s, ds.retention.days, ttl.get(s.name)) for s in stores}
    gaps = [s for s in stores if kept[s.urn] is False]
    if not gaps and None in kept.values():
        return "unknown: " + ", ".join(s.name for s in stores if kept[s.urn] is None)
    if not gaps:
        return f"yes: every store deletes within {ds.retention.days} days"
    return "no: " + "; ".join(
        f"{s.kind} {s.name} " + (
            f"expires after {s.expiration_days} days" if s.expiration_days is not None
            else "has no expiration rule" if s.kind == "s3" else "has no TTL"
        )
        for s in gaps
    )


def row(catalog: Catalog, graph: ResourceGraph, ds: Dataset, use: Use) -> dict[str, str]:
    stores = deployed.stores(catalog, graph, ds.id)
    recipients = [r for r in ds.recipients if r.use == use.use]
    roles = sorted({a.role for a in ds.access if a.use == use.use})
    gdpr = any(j in GDPR_REGIMES for j in ds.jurisdictions)
    countries = sorted(
        {r.country for r in recipients if third_country(r.country)}
        | {s.country for s in stores if s.country and third_country(s.country)}
    )
    special = [c for c in ds.categories if is_special_category(c)]
    retention = f"{ds.retention.days} days" + (f": {ds.retention.basis}" if ds.retention.basis
                                                else "")
    if ds.retention.legal_hold:
        retention += " (legal hold possible)"
    return {
        "Dataset": ds.id,
        "Data use": use.use,
        "Controller": _controller(catalog),
        "Business function": ds.owner,
        "Purpose of processing": f"{label('data_use', use.use)}: {ds.name}",
        "Name and contact details of joint controller": "",
        "Categories of individuals": ", ".join(label("data_subject", s) for s in ds.subjects),
        "Categories of personal data": ", ".join(label("data_category", c) for c in ds.categories),
        "Categories of recipients": "; ".join(
            [f"{r.name} ({r.country})" for r in recipients]
            + ([f"internal: {', '.join(roles)}"] if roles else [])
        ),
        "Link to contract with processor": "",
        "Third countries or international organisations transferred to": ", ".join(countries)
        if gdpr else "not in (UK) GDPR scope per the catalog",
        "Safeguards for transfers to third countries": "; ".join(
            f"{r.country}: {SAFEGUARDS[r.safeguard]} ({r.name})"
            for r in recipients if third_country(r.country)
        ),
        "Retention schedule": retention,
        "Technical and organisational security measures": "\n".join(
            deployed.measures(catalog, graph, ds.id)
        ) or "none deployed: no store tagged with this dataset",
        "Article 6 lawful basis": LEGAL_BASES[use.legal_basis],
        "Article 9 condition for special category data": (
            SPECIAL_CONDITIONS.get(use.special_category_condition or "", "missing")
            if special else "not special category data"
        ),
        "Legitimate interests": "",
        "Rights available to individuals": ", ".join(RIGHTS[use.legal_basis])
        + (f"; opt-out: {use.opt_out}" if use.opt_out else ""),
        "Automated decision-making, including profiling": "",
        "Source of personal data": "",
        "Link to record of consent": "",
        "Location of personal data": "\n".join(deployed.location(s) for s in stores)
        or "not deployed",
        "DPIA required?": _dpia(ds),
        "Personal data breach?": "",
        "Link to retention and erasure policy": "",
        "Retained and erased in accordance with the retention policy?": _retained(ds, stores),
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
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    ws.title = "ROPA"
    ws.append(list(COLUMNS))
    for record in records:
        ws.append([record.get(c, "") for c in COLUMNS])
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
