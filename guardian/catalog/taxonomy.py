"""The privacy taxonomy comes from fideslang; this module only looks keys up in it.

Keys are dotted; a parent key covers its children (`user.health_and_medical` covers
`user.health_and_medical.genetic`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from guardian.errors import closest

Kind = Literal["data_category", "data_use", "data_subject"]

# GDPR Art. 9(1) special categories, as fideslang keys (children included).
SPECIAL_CATEGORIES: tuple[str, ...] = (
    "user.health_and_medical",
    "user.biometric",
    "user.authorization.biometric",
    "user.demographic.race_ethnicity",
    "user.demographic.political_opinion",
    "user.demographic.religious_belief",
    "user.demographic.sexual_orientation",
)


@dataclass(frozen=True)
class Term:
    key: str
    name: str
    description: str
    deprecated: bool
    replaced_by: str | None


@cache
def terms(kind: Kind) -> dict[str, Term]:
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY  # ~0.2 s: only when a key is checked

    return {
        t.fides_key: Term(
            t.fides_key,
            t.name or t.fides_key,
            t.description or "",
            bool(t.version_deprecated),
            t.replaced_by,
        )
        for t in getattr(DEFAULT_TAXONOMY, kind)
    }


def suggest(kind: Kind, key: str) -> str | None:
    close = closest(key, terms(kind))
    return close[0] if close else None


def covers(parent: str, key: str) -> bool:
    return key == parent or key.startswith(parent + ".")


def is_special_category(key: str) -> bool:
    return any(covers(parent, key) for parent in SPECIAL_CATEGORIES)


def label(kind: Kind, key: str) -> str:
    term = terms(kind).get(key)
    return term.name if term else key


def human(kind: Kind, key: str) -> str:
    """fideslang's name for a key as a sentence reads it: 'User Contact Email' -> 'contact
    email', "User's Genetic Data" -> 'genetic data', 'Medical Insurance ID' keeps 'ID'."""
    name = label(kind, key)
    for prefix in ("User's ", "User "):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
            break
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in name.split())
