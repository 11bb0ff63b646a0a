"""The legal vocabulary evidence speaks: lawful bases, Art. 9 conditions, rights, jurisdictions.

Sources: GDPR Art. 6(1), 9(2), 15-22 and the UK ICO's guidance on which rights apply under
which lawful basis.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardian.catalog import regions
from guardian.catalog.model import Recipient

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

GDPR_REGIMES = ("gdpr", "uk_gdpr")
REGIME_NAMES = {"gdpr": "EU GDPR", "uk_gdpr": "UK GDPR"}

# Each safeguard's short name (labels), and what it is, with its article (GDPR Art. 45-49;
# UK GDPR the same articles).
SAFEGUARDS: dict[str, str] = {
    "adequacy": "adequacy decision",
    "scc": "standard contractual clauses",
    "idta": "UK IDTA",
    "uk_addendum": "UK Addendum to the SCCs",
    "bcr": "binding corporate rules",
    "derogation": "Art. 49 derogation",
    "none": "no safeguard",
}
_SAFEGUARD_TEXT: dict[str, tuple[str, str]] = {
    "scc": ("the European Commission's standard contractual clauses", "Art. 46(2)(c)"),
    "idta": ("the UK International Data Transfer Agreement", "Art. 46"),
    "uk_addendum": ("the UK Addendum to the EU standard contractual clauses", "Art. 46"),
    "bcr": ("binding corporate rules", "Art. 47"),
    "derogation": ("a derogation for a specific situation", "Art. 49"),
}
COPY_ON_REQUEST = frozenset({"scc", "idta", "uk_addendum", "bcr"})  # Art. 13(1)(f)


@dataclass(frozen=True)
class Transfer:
    """One recipient's data leaving one regime's home, and what it rests on."""

    regime: str  # gdpr | uk_gdpr
    country: str
    rests_on: str  # adequacy | scc | idta | uk_addendum | bcr | derogation | none
    basis: str  # in words, with its article

    @property
    def valid(self) -> bool:
        """Rests on adequacy or on a safeguard valid under its regime."""
        return self.rests_on != "none"

    @property
    def copy(self) -> bool:
        """The person may ask for a copy of the safeguard (Art. 13(1)(f))."""
        return self.rests_on in COPY_ON_REQUEST


def transfer(regime: str, recipient: Recipient) -> Transfer | None:
    """The transfer to `recipient` of data under `regime`; None when the data stays at home
    (the EU/EEA for EU GDPR data, the UK for UK GDPR data)."""
    country = recipient.country.upper()
    if not regions.third_country(regime, country):
        return None
    uk = regime == "uk_gdpr"
    safeguard = recipient.safeguard_for(regime)
    dpf = country in regions.DPF_COUNTRIES
    if regions.adequate(regime, country, dpf_certified=recipient.dpf_certified):
        basis = ("the UK Extension to the EU-US Data Privacy Framework, under which the "
                 "recipient is certified" if uk else "the EU-US Data Privacy Framework, under "
                 "which the recipient is certified") if dpf else (
            "UK adequacy regulations (UK GDPR Art. 45)" if uk
            else "an adequacy decision of the European Commission (GDPR Art. 45)")
        return Transfer(regime, country, "adequacy", basis)
    if uk and safeguard == "scc":
        return Transfer(regime, country, "none", "no UK safeguard recorded: EU standard "
                        "contractual clauses alone are not valid under UK GDPR (the UK Addendum "
                        "or the IDTA is needed)")
    if safeguard in ("none", "adequacy"):
        why = (" (it is not certified under the Data Privacy Framework)" if dpf else "")
        return Transfer(regime, country, "none", f"no adequacy decision{why} and no safeguard")
    text, article = _SAFEGUARD_TEXT[safeguard]
    return Transfer(regime, country, safeguard, f"{text} ({'UK GDPR' if uk else 'GDPR'} "
                    f"{article})")


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
