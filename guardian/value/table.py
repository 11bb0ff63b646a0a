"""The value table (`record_costs.json`): what a breached record costs by data category group,
and what raises it, each figure with its source. Data, not code: this module only types it.

A fideslang category belongs to the group naming its longest matching key
(`user.authorization.biometric` is biometric, `user.authorization.password` credentials);
`system.*` categories describe no person and belong to none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from guardian.catalog.taxonomy import covers


@dataclass(frozen=True)
class Source:
    id: str
    short: str  # "IBM 2021", as the one-line arithmetic cites it
    title: str
    publisher: str
    year: int
    url: str
    copy: str | None = None  # where the full text can be read, when the publisher's page moved
    scope: str = ""
    via: str | None = None  # who reports the figures at `url`, when not the publisher

    def cite(self) -> str:
        reported = f", as reported by {self.via}" if self.via else ""
        return f"{self.publisher}, {self.title} ({self.year}){reported}, {self.url}"


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    categories: tuple[str, ...]  # fideslang keys, children included
    usd: float | None  # per record; None: nobody publishes one
    source: Source | None
    where: str  # the page, figure or finding the figure comes from; or why there is none


@dataclass(frozen=True)
class Factor:
    """A multiplier: `numerator / denominator` of two published figures, or None where nobody
    publishes one. Exposure factors apply when an open finding of one of `rules` is on the
    dataset's stores."""

    id: str
    label: str
    ratio: tuple[float, float] | None
    source: Source | None
    where: str
    rules: tuple[str, ...] = ()

    @property
    def value(self) -> float | None:
        return None if self.ratio is None else self.ratio[0] / self.ratio[1]


@dataclass(frozen=True)
class Table:
    currency: str
    sources: tuple[Source, ...]
    groups: tuple[Group, ...]
    multipliers: tuple[Factor, ...]
    exposure: tuple[Factor, ...]
    caveats: tuple[tuple[str, Source, str], ...]  # (text, source, where)

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    def group_of(self, category: str) -> Group | None:
        """The group of a fideslang category: the one naming its longest covering key."""
        best: tuple[int, Group] | None = None
        for g in self.groups:
            for key in g.categories:
                if covers(key, category) and (best is None or len(key) > best[0]):
                    best = (len(key), g)
        return best[1] if best else None


def parse_table(doc: dict[str, Any]) -> Table:
    sources = {k: Source(id=k, **v) for k, v in doc["sources"].items()}

    def src(entry: dict[str, Any]) -> Source | None:
        return sources[entry["source"]] if entry.get("source") else None

    def why(entry: dict[str, Any]) -> str:
        return str(entry.get("where") or entry.get("why") or "")

    def factor(e: dict[str, Any]) -> Factor:
        ratio = tuple(e["factor"]) if e.get("factor") else None
        return Factor(e["id"], e["label"], ratio, src(e), why(e), tuple(e.get("rules", ())))  # type: ignore[arg-type]

    return Table(
        currency=doc["currency"],
        sources=tuple(sources.values()),
        groups=tuple(Group(g["id"], g["label"], tuple(g["categories"]), g["usd"], src(g), why(g))
                     for g in doc["groups"]),
        multipliers=tuple(factor(m) for m in doc["multipliers"]),
        exposure=tuple(factor(e) for e in doc["exposure"]),
        caveats=tuple((c["text"], sources[c["source"]], c["where"]) for c in doc["caveats"]),
    )


@cache
def table() -> Table:
    """The table shipped in the package."""
    text = resources.files("guardian.value").joinpath("record_costs.json").read_text("utf-8")
    return parse_table(json.loads(text))
