"""Fides manifests: the catalog as fideslang datasets and systems with privacy declarations.

Each catalog dataset becomes a fideslang Dataset (one collection per store); each access role
becomes a System whose privacy declarations are its uses of the datasets; each recipient
becomes a third-party System receiving data from those roles. Every object is built through
fideslang's own models, so what it refuses we refuse.
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

from guardian.catalog.model import Catalog
from guardian.catalog.taxonomy import is_special_category
from guardian.evidence.law import GDPR_REGIMES, transfer

_BASES = {
    "consent": "Consent", "contract": "Contract", "legal_obligation": "Legal obligations",
    "vital_interests": "Vital interests", "public_task": "Public interest",
    "legitimate_interests": "Legitimate interests",
}
_SPECIAL = {
    "explicit_consent": "Explicit consent",
    "employment_social_security": "Employment, social security and social protection",
    "vital_interests": "Vital interests",
    "not_for_profit": "Not-for-profit bodies",
    "made_public": "Made public by the data subject",
    "legal_claims": "Legal claims or judicial acts",
    "substantial_public_interest": "Reasons of substantial public interest (with a basis in law)",
    "health_or_social_care": "Health or social care (with a basis in law)",
    "public_health": "Public health (with a basis in law)",
    "archiving_research": "Archiving, research and statistics (with a basis in law)",
}
_TRANSFERS = {"adequacy": "Adequacy Decision", "scc": "SCCs", "uk_addendum": "SCCs",
              "bcr": "BCRs"}
ORGANIZATION = "default_organization"


def key(name: str) -> str:
    """A fides_key from a display name: lowercase letters, digits and underscores."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", name.lower())).strip("_")


class _Keys:
    """Distinct fides_keys for the systems: a role keeps its name where fideslang accepts it; a
    recipient gets `key(name)`; a name that gives no key (no letter or digit) or another
    name's key gets a digest of itself appended, so no two systems merge."""

    def __init__(self) -> None:
        self.given: dict[tuple[bool, str], str] = {}

    def __call__(self, name: str, *, role: bool = False) -> str:
        if (role, name) in self.given:
            return self.given[role, name]
        k = name if role and re.fullmatch(r"[a-zA-Z0-9_.<>-]+", name) else key(name)
        if not k or k in self.given.values():
            kind = "role" if role else "recipient"
            k = f"{k or kind}_{hashlib.sha256(f'{kind}:{name}'.encode()).hexdigest()[:8]}"
        self.given[role, name] = k
        return k


def manifest(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """{"dataset": [...], "system": [...]} validated by fideslang's models."""
    from fideslang.models import (
        DataFlow,
        Dataset,
        DatasetCollection,
        PrivacyDeclaration,
        System,
    )

    datasets = [
        Dataset(
            fides_key=ds.id, organization_fides_key=ORGANIZATION, name=ds.name,
            description=ds.description, data_categories=list(ds.categories),
            tags=[f"classification:{ds.classification}", f"owner:{ds.owner}"]
            + [f"jurisdiction:{j}" for j in ds.jurisdictions],
            collections=[
                DatasetCollection(name=st.name, description=f"{st.kind} {st.name}",
                                  data_categories=list(ds.categories),
                                  data_subjects=list(ds.subjects), fields=[])
                for st in ds.storage
            ],
        )
        for ds in catalog.datasets
    ]

    keys = _Keys()
    roles: dict[str, list[Any]] = {}
    role_egress: dict[str, set[str]] = {}
    vendors: dict[str, list[Any]] = {}
    vendor_info: dict[str, tuple[str, str, set[str]]] = {}
    for ds in catalog.datasets:
        special = any(is_special_category(c) for c in ds.categories)
        for use in ds.uses:
            recipients = [r for r in ds.recipients if r.use == use.use]
            common: dict[str, Any] = dict(
                name=f"{ds.name}: {use.use}", data_categories=list(ds.categories),
                data_use=use.use, data_subjects=list(ds.subjects), dataset_references=[ds.id],
                legal_basis_for_processing=_BASES[use.legal_basis],
                retention_period=f"{ds.retention.days} days",
                processes_special_category_data=special,
                special_category_legal_basis=_SPECIAL.get(use.special_category_condition or "")
                if special else None,
            )
            for a in ds.access:
                if a.use != use.use:
                    continue
                egress = sorted(keys(r.name) for r in recipients)
                role_egress.setdefault(a.role, set()).update(egress)
                roles.setdefault(a.role, []).append(PrivacyDeclaration(
                    **common, egress=egress or None,
                    data_shared_with_third_parties=bool(recipients),
                    third_parties=", ".join(r.name for r in recipients) or None,
                    shared_categories=list(ds.categories) if recipients else [],
                ))
            for r in recipients:
                k = keys(r.name)
                _, _, transfers = vendor_info.setdefault(k, (r.name, r.country, set()))
                for regime in [j for j in ds.jurisdictions if j in GDPR_REGIMES] or ["gdpr"]:
                    moved = transfer(regime, r)
                    if moved is not None:
                        transfers.add(_TRANSFERS.get(moved.rests_on, "Other"))
                ingress = sorted(keys(a.role, role=True) for a in ds.access if a.use == use.use)
                vendors.setdefault(k, []).append(PrivacyDeclaration(
                    **common, ingress=ingress or None))

    systems = [
        System(
            fides_key=keys(role, role=True), organization_fides_key=ORGANIZATION, name=role,
            system_type="Service", privacy_declarations=decls,
            egress=[DataFlow(fides_key=k, type="system") for k in sorted(role_egress[role])]
            or None,
        )
        for role, decls in sorted(roles.items())
    ]
    for k, decls in sorted(vendors.items()):
        name, country, transfers = vendor_info[k]
        ingress = sorted({i for d in decls for i in (d.ingress or ())})
        systems.append(System(
            fides_key=k, organization_fides_key=ORGANIZATION, name=name,
            system_type="Third Party", privacy_declarations=decls,
            ingress=[DataFlow(fides_key=i, type="system") for i in ingress] or None,
            does_international_transfers=bool(transfers),
            legal_basis_for_transfers=sorted(transfers),
            tags=[f"country:{country}"],
        ))
    return {
        "dataset": [d.model_dump(mode="json", exclude_none=True) for d in datasets],
        "system": [s.model_dump(mode="json", exclude_none=True) for s in systems],
    }


def to_yaml(catalog: Catalog) -> str:
    """The manifest as a Fides YAML file (`fides push` reads it)."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    buf = io.StringIO()
    yaml.dump(manifest(catalog), buf)
    return buf.getvalue()
