"""The privacy taxonomy comes from fideslang; this module only looks keys up in it.

Keys are dotted; a parent key covers its children (`user.health_and_medical` covers
`user.health_and_medical.genetic`).

Importing fideslang builds its pydantic models: 0.2 s of CPU, a seventh of a cold `guardian
check`. So its default taxonomy is also kept beside this file (fideslang_taxonomy.json, the
terms as `snapshot()` gives them, under fideslang's Apache-2.0 licence) and read from there
while the installed fideslang is the version it was taken from; with any other version,
fideslang itself is read. A test holds the file to the installed fideslang; refresh it with

    python -c 'from guardian.catalog.taxonomy import write_snapshot; write_snapshot()'
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

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


SNAPSHOT = Path(__file__).with_name("fideslang_taxonomy.json")


@cache
def terms(kind: Kind) -> dict[str, Term]:
    return _taxonomy()[kind]


@cache
def _taxonomy() -> dict[str, dict[str, Term]]:
    from importlib.metadata import version

    kept = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    if kept["fideslang"] != version("fideslang"):
        kept = snapshot()
    return {kind: {t["key"]: Term(**t) for t in listed}
            for kind, listed in kept["terms"].items()}


def snapshot() -> dict[str, Any]:
    """The installed fideslang's default taxonomy, as kept in SNAPSHOT."""
    from importlib.metadata import version

    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return {
        "fideslang": version("fideslang"),
        "licence": "Apache-2.0 (fideslang, https://github.com/ethyca/fideslang)",
        "terms": {kind: [asdict(Term(t.fides_key, t.name or t.fides_key, t.description or "",
                                     bool(t.version_deprecated), t.replaced_by))
                         for t in getattr(DEFAULT_TAXONOMY, kind)]
                  for kind in get_args(Kind)},
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


def write_snapshot() -> None:
    """Keep the installed fideslang's taxonomy in SNAPSHOT."""
    SNAPSHOT.write_text(json.dumps(snapshot(), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
