"""The legal vocabulary evidence speaks: lawful bases, Art. 9 conditions, rights, jurisdictions.

Sources: GDPR Art. 6(1), 9(2), 15-22 and the UK ICO's guidance on which rights apply under
which lawful basis.
"""

from __future__ import annotations

from guardian.catalog.regions import EU_EEA

LEGAL_BASES: dict[str, str] = {
    "consent": "Art. 6(1)(a) consent",
    "contract": "Art. 6(1)(b) contract",
    "legal_obligation": "Art. 6(1)(c) legal obligation",
    "vital_interests": "Art. 6(1)(d) vital interests",
    "public_task": "Art. 6(1)(e) public task",
    "legitimate_interests": "Art. 6(1)(f) legitimate interests",
}

PLAIN_BASES: dict[str, str] = {
    "consent": "your consent, which you can withdraw at any time",
    "contract": "a contract with you: we need the data to perform it",
    "legal_obligation": "a legal obligation we are under",
    "vital_interests": "protecting someone's life",
    "public_task": "a task in the public interest",
    "legitimate_interests": "our legitimate interests, balanced against yours",
}

SPECIAL_CONDITIONS: dict[str, str] = {
    "explicit_consent": "Art. 9(2)(a) explicit consent",
    "employment_social_security": "Art. 9(2)(b) employment and social security law",
    "vital_interests": "Art. 9(2)(c) vital interests",
    "not_for_profit": "Art. 9(2)(d) not-for-profit body",
    "made_public": "Art. 9(2)(e) made public by the data subject",
    "legal_claims": "Art. 9(2)(f) legal claims",
    "substantial_public_interest": "Art. 9(2)(g) substantial public interest",
    "health_or_social_care": "Art. 9(2)(h) health or social care",
    "public_health": "Art. 9(2)(i) public health",
    "archiving_research": "Art. 9(2)(j) archiving, research or statistics",
}

# ICO: rights that apply under each lawful basis (access and rectification always apply).
RIGHTS: dict[str, tuple[str, ...]] = {
    "consent": ("access", "rectification", "erasure", "restriction", "portability",
                "withdraw consent"),
    "contract": ("access", "rectification", "erasure", "restriction", "portability"),
    "legal_obligation": ("access", "rectification", "restriction"),
    "vital_interests": ("access", "rectification", "erasure", "restriction"),
    "public_task": ("access", "rectification", "restriction", "objection"),
    "legitimate_interests": ("access", "rectification", "erasure", "restriction", "objection"),
}

JURISDICTION_NAMES: dict[str, str] = {
    "gdpr": "EU GDPR",
    "uk_gdpr": "UK GDPR",
    "ccpa": "California CCPA/CPRA",
    "hipaa": "US HIPAA",
    "pipeda": "Canada PIPEDA",
    "lgpd": "Brazil LGPD",
    "pdpa_sg": "Singapore PDPA",
    "appi": "Japan APPI",
    "pipa_kr": "South Korea PIPA",
    "privacy_act_au": "Australia Privacy Act",
}

SAFEGUARDS: dict[str, str] = {
    "adequacy": "adequacy decision",
    "scc": "standard contractual clauses",
    "bcr": "binding corporate rules",
    "derogation": "Art. 49 derogation",
    "none": "no safeguard",
}


GDPR_REGIMES = ("gdpr", "uk_gdpr")


def third_country(country: str) -> bool:
    """Outside the EU/EEA and the UK: a transfer there is a (UK) GDPR Chapter V transfer."""
    return country.upper() not in EU_EEA | {"GB"}

COUNTRY_NAMES: dict[str, str] = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta", "NL": "Netherlands",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia", "SI": "Slovenia",
    "ES": "Spain", "SE": "Sweden", "IS": "Iceland", "LI": "Liechtenstein", "NO": "Norway",
    "GB": "United Kingdom", "CH": "Switzerland", "IL": "Israel", "JP": "Japan",
    "KR": "South Korea", "NZ": "New Zealand", "CA": "Canada", "US": "United States",
    "BR": "Brazil", "CL": "Chile", "MX": "Mexico", "ZA": "South Africa",
    "AE": "United Arab Emirates", "BH": "Bahrain", "SA": "Saudi Arabia", "HK": "Hong Kong",
    "TW": "Taiwan", "IN": "India", "SG": "Singapore", "AU": "Australia", "ID": "Indonesia",
    "MY": "Malaysia", "TH": "Thailand", "CN": "China", "AR": "Argentina", "UY": "Uruguay",
}


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code.upper(), code)
