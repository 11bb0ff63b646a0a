"""The privacy rules, grouped by control. The registry is this explicit tuple: importing a
module registers nothing; a rule runs because it is listed here."""

from __future__ import annotations

from guardian.policies.rules import (
    access,
    breach,
    catalog,
    encryption,
    inventory,
    network,
    public_access,
    purpose,
    residency,
    retention,
    sharing,
)

from guardian.findings import Rule

RULES: tuple[Rule, ...] = (
    *catalog.RULES,
    *inventory.RULES,
    *encryption.RULES,
    *public_access.RULES,
    *retention.RULES,
    *residency.RULES,
    *purpose.RULES,
    *sharing.RULES,
    *network.RULES,
    *breach.RULES,
    *access.RULES,
)
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}

__all__ = ["RULES", "RULES_BY_ID"]
