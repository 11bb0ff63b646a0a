"""Rules on the catalog alone: promises the catalog makes that the law does not allow."""

from __future__ import annotations

from collections.abc import Iterator

from guardian.catalog import regions, taxonomy
from guardian.catalog.model import Location
from guardian.findings import Context, Finding, Rule, Scope

# Jurisdictions whose data may leave home only for an adequate country (or under safeguards
# the catalog's residency cannot express). UK adequacy regulations recognise the EU/EEA and the
# EU's adequate countries, so one table serves both.
_ADEQUACY_LAWS = ("gdpr", "uk_gdpr")


def _at(loc: Location) -> str | None:
    return str(loc) if loc.line else None


def _special_without_condition(ctx: Context) -> Iterator[Finding]:
    for ds in ctx.catalog.datasets:
        special = [c for c in ds.categories if taxonomy.is_special_category(c)]
        if not special:
            continue
        for use in ds.uses:
            if not use.special_category_condition:
                yield CAT_001.finding(
                    f"use {use.use!r} processes special-category data ({', '.join(special)}) "
                    "without an Art. 9(2) condition",
                    dataset=ds.id, location=_at(use.loc),
                )


def _consent_without_opt_out(ctx: Context) -> Iterator[Finding]:
    for ds in ctx.catalog.datasets:
        for use in ds.uses:
            if use.legal_basis == "consent" and not use.opt_out:
                yield CAT_002.finding(
                    f"use {use.use!r} rests on consent but names no opt-out",
                    dataset=ds.id, location=_at(use.loc),
                )


def _transfer_without_safeguard(ctx: Context) -> Iterator[Finding]:
    for ds in ctx.catalog.datasets:
        # EU adequacy for every dataset (as before); UK adequacy too for UK GDPR data.
        regimes = ["gdpr"] + (["uk_gdpr"] if "uk_gdpr" in ds.jurisdictions else [])
        for rec in ds.recipients:
            for regime in regimes:
                if rec.safeguard_for(regime) == "none" and not regions.adequate(
                        regime, rec.country, dpf_certified=rec.dpf_certified):
                    whose = "EU" if regime == "gdpr" else "UK"
                    yield CAT_003.finding(
                        f"recipient {rec.name!r} is in {rec.country}, which has no {whose} "
                        "adequacy decision"
                        + (" for organisations outside the Data Privacy Framework"
                           if rec.country.upper() in regions.DPF_COUNTRIES else "")
                        + ", and the transfer has no safeguard",
                        dataset=ds.id, location=_at(rec.loc),
                    )
                    break


def _residency_contradicts(ctx: Context) -> Iterator[Finding]:
    for ds in ctx.catalog.datasets:
        laws = [j for j in ds.jurisdictions if j in _ADEQUACY_LAWS]
        if not laws:
            continue
        outside = [
            code for code in regions.allowed_regions(ds.residency)
            if not regions.REGIONS[code].eu_adequate
        ]
        if outside:
            yield CAT_004.finding(
                f"data under {', '.join(laws)} may reside in {', '.join(outside)}, outside the "
                "EU/EEA and its adequate countries",
                dataset=ds.id, location=_at(ds.loc),
            )


def _human_without_training(ctx: Context) -> Iterator[Finding]:
    for ds in ctx.catalog.datasets:
        for acc in ds.access:
            if not acc.human:
                continue
            if acc.training_valid_until is None:
                why = "has no training attestation"
            elif acc.training_valid_until < ctx.today:
                why = f"has a training attestation that expired on {acc.training_valid_until}"
            else:
                continue
            yield CAT_005.finding(
                f"human access by role {acc.role!r} {why}",
                dataset=ds.id, location=_at(acc.loc),
            )


def _marketing_without_double_opt_in(ctx: Context) -> Iterator[Finding]:
    for ds in ctx.catalog.datasets:
        if "pipeda" not in ds.jurisdictions:
            continue
        for use in ds.uses:
            if (taxonomy.covers("marketing", use.use) and use.legal_basis == "consent"
                    and not use.double_opt_in):
                yield CAT_006.finding(
                    f"marketing use {use.use!r} to subjects under pipeda rests on consent "
                    "without double opt-in",
                    dataset=ds.id, location=_at(use.loc),
                )


CAT_001 = Rule(
    "GRD-CAT-001", "catalog", "high",
    "Special-category data has an Art. 9 condition",
    "Health, biometric, genetic and the other Art. 9(1) categories may only be processed under "
    "one of the conditions of Art. 9(2), for every use.",
    "Add `special_category_condition` (e.g. explicit_consent, health_or_social_care) to each use "
    "of the dataset, or remove the special category.",
    ("GDPR Art. 9", "NIST PT-2"), _special_without_condition,
    scope=Scope(datasets=True),
)
CAT_002 = Rule(
    "GRD-CAT-002", "catalog", "high",
    "Consent-based uses name an opt-out",
    "Consent must be as easy to withdraw as to give; the notice must say how.",
    "Add `opt_out` (a URL or address) to each use whose legal basis is consent.",
    ("GDPR Art. 7(3)", "NIST PT-4"), _consent_without_opt_out,
    scope=Scope(datasets=True),
)
CAT_003 = Rule(
    "GRD-CAT-003", "catalog", "high",
    "Transfers to non-adequate countries have a safeguard",
    "Personal data may go to a country without an EU adequacy decision only under appropriate "
    "safeguards (SCCs, BCRs) or a derogation.",
    "Set the recipient's `safeguard` to scc, bcr or derogation, or stop the transfer.",
    ("GDPR Art. 44", "GDPR Art. 46", "NIST SA-9(5)"), _transfer_without_safeguard,
    scope=Scope(datasets=True),
)
CAT_004 = Rule(
    "GRD-CAT-004", "catalog", "high",
    "Residency agrees with the data's jurisdictions",
    "Data under the GDPR (or UK GDPR) that may reside outside the EU/EEA and its adequate "
    "countries is a transfer the catalog cannot back with a safeguard.",
    "Narrow `residency` to EU/EEA or adequate regions, or split the dataset by jurisdiction.",
    ("GDPR Art. 44", "GDPR Art. 45", "NIST SA-9(5)"), _residency_contradicts,
    scope=Scope(datasets=True),
)
CAT_005 = Rule(
    "GRD-CAT-005", "catalog", "high",
    "Human access comes with current training",
    "People who touch personal data must be trained in handling it; an attestation that has "
    "expired is no attestation.",
    "Record `training_valid_until` for the human access entry, renewed before it expires.",
    ("GDPR Art. 39(1)(b)", "GDPR Art. 32(4)", "NIST AT-2", "NIST AT-3"), _human_without_training,
    scope=Scope(datasets=True),
)
CAT_006 = Rule(
    "GRD-CAT-006", "catalog", "medium",
    "Marketing to Canadians on consent uses double opt-in",
    "PIPEDA (with CASL) expects express, confirmed consent for electronic marketing; double "
    "opt-in is the evidence.",
    "Set `double_opt_in: true` on the marketing use, and confirm subscriptions by email.",
    ("PIPEDA Principle 4.3", "CASL s.6", "NIST PT-4"), _marketing_without_double_opt_in,
    scope=Scope(datasets=True),
)

RULES: tuple[Rule, ...] = (CAT_001, CAT_002, CAT_003, CAT_004, CAT_005, CAT_006)
