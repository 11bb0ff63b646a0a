"""NIST SP 800-53 rev5 controls as the rules cite them: the one control mapping.

A rule's `references` name the controls it speaks to ("NIST SC-28(1)"); OSCAL spells them
`sc-28.1`. Every OSCAL document and `guardian rules` read the mapping from there, so it cannot
drift from the rules. Some controls are organisational: a person, not a tool, assesses them (a
rule can check the training attestation a catalog records, not the training). They are never
claimed as assessed; OSCAL lists them as not assessed, with what the catalog attests.
Source: ../shared/notes/privacy-facts.md; NIST SP 800-53 rev5 control titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guardian.findings import Rule

_REFERENCE = re.compile(r"NIST ([A-Z]{2})-(\d+)(?:\((\d+)\))?")

# Controls no rule can assess, with their NIST titles.
ORGANISATIONAL: dict[str, str] = {
    "at-2": "Literacy Training and Awareness",
    "at-3": "Role-based Training",
    "au-11": "Audit Record Retention",
    "ir-6": "Incident Reporting",
    "ir-8.1": "Incident Response Plan | Breaches",
    "mp-6": "Media Sanitization",
    "pt-5": "Privacy Notice",
    "sa-8.33": "Security and Privacy Engineering Principles | Minimization",
}


def control_id(reference: str) -> str | None:
    """'NIST SC-28(1)' -> 'sc-28.1'; None for a reference that names no NIST control."""
    m = _REFERENCE.fullmatch(reference)
    if m is None:
        return None
    family, number, enhancement = m.groups()
    return f"{family.lower()}-{number}" + (f".{enhancement}" if enhancement else "")


def label(control: str) -> str:
    """'sc-28.1' -> 'SC-28(1)', as NIST writes it."""
    base, _, enhancement = control.partition(".")
    return base.upper() + (f"({enhancement})" if enhancement else "")


def cited(rule: Rule) -> tuple[str, ...]:
    """Every NIST control the rule's references name, in their order."""
    return tuple(dict.fromkeys(c for r in rule.references if (c := control_id(r))))


def assessed(rule: Rule) -> tuple[str, ...]:
    """The controls the rule tests: those it cites that a tool can assess."""
    return tuple(c for c in cited(rule) if c not in ORGANISATIONAL)


def assessed_by(rules: Iterable[Rule]) -> dict[str, tuple[str, ...]]:
    """Each assessed control and the ids of the rules that test it, sorted."""
    out: dict[str, list[str]] = {}
    for rule in rules:
        for control in assessed(rule):
            out.setdefault(control, []).append(rule.id)
    return {c: tuple(sorted(out[c])) for c in sorted(out, key=sort_key)}


def sort_key(control: str) -> tuple[str, int, int]:
    """NIST order: family, then number, then enhancement (sc-7 < sc-7.5 < sc-12)."""
    base, _, enhancement = control.partition(".")
    family, _, number = base.partition("-")
    return family, int(number), int(enhancement or 0)
