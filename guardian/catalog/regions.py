"""AWS regions, the countries they are in, and the legal geography the catalog speaks of.

The one table of region -> (country, group, EU adequacy). Tested against botocore's regions.
Sources: ../shared/notes/privacy-facts.md (EU adequacy decisions as of 2026).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str
    country: str  # ISO 3166 alpha-2
    group: str  # region group a catalog may name in `residency`
    eu_adequate: bool  # in the EU/EEA, or covered by an EU adequacy decision (see dpf_only)
    dpf_only: bool = False  # US: EU adequacy covers only Data Privacy Framework participants


# group -> countries in it; "eu" is the EU/EEA.
EU_EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
    " IS LI NO".split()
)
# Countries with an EU adequacy decision (GDPR Art. 45). The US is not among them: the EU-US
# Data Privacy Framework decision (EU) 2023/1795 covers only the organisations it certifies.
EU_ADEQUATE_COUNTRIES = EU_EEA | frozenset("AD AR CA FO GG IL IM JP JE NZ KR CH GB UY".split())
# Covered by adequacy only for recipients certified under the Data Privacy Framework (for the UK,
# its UK Extension: the Data Protection (Adequacy) (United States of America) Regulations 2023).
DPF_COUNTRIES = frozenset({"US"})
# UK adequacy regulations (UK GDPR Art. 45, DPA 2018 s.17A and Sch. 21 paras 4-5: the EU/EEA,
# Gibraltar and the countries the EU had found adequate by 2020; the Republic of Korea, 2022).
UK_ADEQUATE_COUNTRIES = EU_EEA | frozenset("GI AD AR CA FO GG IL IM JP JE NZ CH UY KR".split())

_R = Region
REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        _R("eu-west-1", "IE", "eu", True),
        _R("eu-central-1", "DE", "eu", True),
        _R("eu-north-1", "SE", "eu", True),
        _R("eu-south-1", "IT", "eu", True),
        _R("eu-south-2", "ES", "eu", True),
        _R("eu-west-3", "FR", "eu", True),
        _R("eusc-de-east-1", "DE", "eu", True),
        _R("eu-west-2", "GB", "uk", True),
        _R("eu-central-2", "CH", "ch", True),
        _R("il-central-1", "IL", "il", True),
        _R("ap-northeast-1", "JP", "jp", True),
        _R("ap-northeast-3", "JP", "jp", True),
        _R("ap-northeast-2", "KR", "kr", True),
        _R("ap-southeast-6", "NZ", "nz", True),
        _R("ca-central-1", "CA", "ca", True),
        _R("ca-west-1", "CA", "ca", True),
        _R("us-east-1", "US", "us", True, dpf_only=True),
        _R("us-east-2", "US", "us", True, dpf_only=True),
        _R("us-west-1", "US", "us", True, dpf_only=True),
        _R("us-west-2", "US", "us", True, dpf_only=True),
        _R("us-gov-east-1", "US", "us-gov", False),
        _R("us-gov-west-1", "US", "us-gov", False),
        _R("sa-east-1", "BR", "br", False),
        _R("sa-west-1", "CL", "cl", False),
        _R("mx-central-1", "MX", "mx", False),
        _R("af-south-1", "ZA", "za", False),
        _R("me-central-1", "AE", "ae", False),
        _R("me-south-1", "BH", "bh", False),
        _R("me-west-1", "SA", "sa", False),
        _R("ap-east-1", "HK", "hk", False),
        _R("ap-east-2", "TW", "tw", False),
        _R("ap-south-1", "IN", "in", False),
        _R("ap-south-2", "IN", "in", False),
        _R("ap-southeast-1", "SG", "sg", False),
        _R("ap-southeast-2", "AU", "au", False),
        _R("ap-southeast-4", "AU", "au", False),
        _R("ap-southeast-3", "ID", "id", False),
        _R("ap-southeast-5", "MY", "my", False),
        _R("ap-southeast-7", "TH", "th", False),
        _R("cn-north-1", "CN", "cn", False),
        _R("cn-northwest-1", "CN", "cn", False),
    )
}
GROUPS: frozenset[str] = frozenset(r.group for r in REGIONS.values())

# Jurisdiction -> the region groups where its data stays at home. A dataset under a
# jurisdiction whose residency leaves these needs a transfer safeguard (or adequacy).
JURISDICTIONS: dict[str, frozenset[str]] = {
    "gdpr": frozenset({"eu"}),
    "uk_gdpr": frozenset({"uk"}),
    "ccpa": frozenset({"us"}),
    "hipaa": frozenset({"us", "us-gov"}),
    "pipeda": frozenset({"ca"}),
    "lgpd": frozenset({"br"}),
    "pdpa_sg": frozenset({"sg"}),
    "appi": frozenset({"jp"}),
    "pipa_kr": frozenset({"kr"}),
    "privacy_act_au": frozenset({"au"}),
}


def is_known(residency_entry: str) -> bool:
    return residency_entry in REGIONS or residency_entry in GROUPS


def allowed_regions(residency: tuple[str, ...] | list[str]) -> list[str]:
    """Region codes a residency list allows, in the order the catalog names them."""
    out: list[str] = []
    for entry in residency:
        codes = (
            [entry] if entry in REGIONS else [r.code for r in REGIONS.values() if r.group == entry]
        )
        out.extend(c for c in codes if c not in out)
    return out


def region_allowed(region: str, residency: tuple[str, ...] | list[str]) -> bool:
    return region in allowed_regions(residency)


def country_of(region: str) -> str | None:
    r = REGIONS.get(region)
    return r.country if r else None


def eu_adequate_country(country: str, *, dpf_certified: bool = False) -> bool:
    """In the EU/EEA or covered by an EU adequacy decision (the US: DPF-certified only)."""
    return adequate("gdpr", country, dpf_certified=dpf_certified)


# (UK) GDPR: where data is at home, and where adequacy lets it go without further safeguards.
HOME: dict[str, frozenset[str]] = {"gdpr": EU_EEA, "uk_gdpr": frozenset({"GB"})}
ADEQUATE: dict[str, frozenset[str]] = {"gdpr": EU_ADEQUATE_COUNTRIES,
                                       "uk_gdpr": UK_ADEQUATE_COUNTRIES}


def third_country(regime: str, country: str) -> bool:
    """A transfer under (UK) GDPR Chapter V: outside the EU/EEA for EU GDPR data (the UK is a
    third country, with an adequacy decision), outside the UK for UK GDPR data."""
    return country.upper() not in HOME[regime]


def adequate(regime: str, country: str, *, dpf_certified: bool = False) -> bool:
    """At home, or covered by an adequacy decision / regulations of `regime`."""
    code = country.upper()
    return code in HOME[regime] or code in ADEQUATE[regime] \
        or (code in DPF_COUNTRIES and dpf_certified)
