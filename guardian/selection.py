"""Which rules the gate runs: `--rule` and `--skip-rule` by rule id or control, with defaults
from the Pulumi project's config (`guardian:rules`, `guardian:skipRules`) or the catalog's
`gate` section. The command line replaces a default, the project's config the catalog's.

Pure: the CLI reads the defaults and hands them here. checkov's checks (`CKV_...`, `CKV2_...`)
may be named too; offline Guardian cannot list them, so any such id is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from guardian.errors import UserError, closest
from guardian.findings import CONTROLS, Rule

CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


@dataclass(frozen=True)
class Names:
    """Rule ids or controls, and where they were written (for messages)."""

    names: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Selection:
    only: Names = Names()  # empty: every rule
    skip: Names = Names()

    def keeps(self, rule: Rule) -> bool:
        def named(names: Names) -> bool:
            return rule.id in names.names or rule.control in names.names

        return (not self.only.names or named(self.only)) and not named(self.skip)

    def apply(self, rules: Sequence[Rule]) -> tuple[Rule, ...]:
        """The rules kept, in registry order; UserError for a name that is neither a rule id
        nor a control, and when nothing is left to run."""
        known = {r.id for r in rules}
        for names in (self.only, self.skip):
            for name in names.names:
                if name in known or name in CONTROLS or CHECKOV_ID.match(name):
                    continue
                close = closest(name, [*known, *CONTROLS], n=3, cutoff=0.5)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise UserError(f"{names.where}: {name!r} is neither a rule id nor a control"
                                f"{hint} (`guardian rules` lists them)")
        kept = tuple(r for r in rules if self.keeps(r))
        if not kept and not any(CHECKOV_ID.match(n) for n in self.only.names):
            raise UserError(f"{self.only.where or self.skip.where}: no rule is left to run")
        return kept


def choose(*candidates: Names) -> Names:
    """The first candidate that names something (command line, project config, catalog)."""
    return next((c for c in candidates if c.names), Names())


def split(values: Iterable[str]) -> tuple[str, ...]:
    """Names given repeatedly or comma-separated, blanks dropped, order kept, each once."""
    out = [n.strip() for v in values for n in v.split(",")]
    return tuple(dict.fromkeys(n for n in out if n))
