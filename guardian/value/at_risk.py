"""Value at risk: what a breach of each dataset would cost, and what its open findings add.

Pure. Per dataset: volume (people) x cost per record x the multipliers that have a published
figure, raised by the exposure factors its open findings trigger. A record is worth its
costliest category group (the catalog's `organization.record_costs` first, then the table's
default); a group with neither is unsized, and the value is then a lower bound that says so.
No volume, or no sized group at all: the dataset is unsized and ranks last, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from guardian.catalog.model import Catalog, Dataset
from guardian.catalog.taxonomy import is_special_category
from guardian.findings import Result, severity_rank
from guardian.value.table import Factor, Group, Table, table

# When a multiplier of the table applies to a dataset (the table gives the figure, if any).
APPLIES: dict[str, Callable[[Dataset], bool]] = {
    "special_category": lambda ds: any(is_special_category(c) for c in ds.categories),
    "regulated": lambda ds: bool(ds.jurisdictions),
}


@dataclass(frozen=True)
class Part:
    """The dataset's categories in one value group, and what one record of them costs."""

    group: Group
    categories: tuple[str, ...]
    usd: float | None  # per record; None: unsized
    by: str  # "catalog" (organization.record_costs) or the table's source, e.g. "IBM 2021"


@dataclass(frozen=True)
class Valuation:
    dataset: Dataset
    parts: tuple[Part, ...]
    multipliers: tuple[Factor, ...]  # those that apply and have a figure
    findings: tuple[Result, ...]  # open on the dataset (not waived, not information), worst first
    factors: tuple[Factor, ...]  # exposure factors those findings trigger

    @property
    def volume(self) -> int | None:
        return self.dataset.volume

    @property
    def unsized(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.usd is None)

    @property
    def per_record(self) -> Part | None:
        """The costliest sized group: a breached record costs at least that."""
        sized = [p for p in self.parts if p.usd is not None]
        return max(sized, key=lambda p: (p.usd, p.group.id)) if sized else None

    @property
    def value(self) -> float | None:
        """Volume x cost per record x multipliers; None when unsized."""
        part = self.per_record
        if self.volume is None or part is None or part.usd is None:
            return None
        out = self.volume * part.usd
        for m in self.multipliers:
            out *= m.value or 1
        return out

    @property
    def at_risk(self) -> float | None:
        """The value raised by the exposure its open findings add; None when unsized."""
        out = self.value
        if out is None:
            return None
        for f in self.factors:
            out *= f.value or 1
        return out

    @property
    def complete(self) -> bool:
        """Sized in full: a volume, and a cost for every group the dataset holds."""
        return self.at_risk is not None and not self.unsized

    @property
    def shown(self) -> str:
        """`$153,000,000`, `at least $420,000,000` (some group unsized) or `unsized`."""
        bound = "" if self.complete or self.at_risk is None else "at least "
        return f"{bound}{money(self.at_risk)}"

    def explain(self) -> str:
        """The arithmetic in one line."""
        part = self.per_record
        if self.volume is None:
            return "unsized: no volume (declare the dataset's approximate number of people)"
        if part is None:
            return (f"unsized: no cost per record for {', '.join(_names(self.unsized))} "
                    "(set organization.record_costs)")
        terms = [f"{self.volume:,} people", f"{money(part.usd)}/record ({part.group.id}, "
                 f"{part.by})"]
        terms += [_factor(f) for f in (*self.multipliers, *self.factors)]
        if not self.unsized:
            return f"{' x '.join(terms)} = {money(self.at_risk)}"
        return (f"{' x '.join(terms)} = at least {money(self.at_risk)} "
                f"({', '.join(_names(self.unsized))} unsized)")


def money(usd: float | None) -> str:
    if usd is None:
        return "unsized"
    return f"${usd:,.0f}" if usd == int(usd) or usd >= 1000 else f"${usd:,.2f}"


def _factor(f: Factor) -> str:
    """`1.345 (data stored or carried unencrypted: 4.87/3.62, IBM 2021)`"""
    assert f.ratio is not None
    cited = f", {f.source.short}" if f.source else ""
    label = f.label[:1].lower() + f.label[1:]
    return f"{f.value:.3f} ({label}: {f.ratio[0]:g}/{f.ratio[1]:g}{cited})"


def _names(parts: Iterable[Part]) -> list[str]:
    return [p.group.id for p in parts]


def value_at_risk(catalog: Catalog, results: Iterable[Result] = (),
                  model: Table | None = None) -> tuple[Valuation, ...]:
    """Every dataset's valuation, ranked: the highest value at risk first, unsized ones last
    (by id). `results` are a check run's: their open findings are each dataset's exposure."""
    model = model or table()
    open_ = sorted((r for r in results if _is_open(r)), key=lambda r: (
        severity_rank(r.severity), r.finding.resource.name if r.finding.resource else "",
        r.finding.rule, r.finding.message))
    out = []
    for ds in catalog.datasets:
        findings = tuple(r for r in open_ if r.finding.dataset == ds.id)
        rules = {r.finding.rule for r in findings}
        out.append(Valuation(
            dataset=ds,
            parts=_parts(ds, catalog, model),
            multipliers=tuple(m for m in model.multipliers
                              if m.value is not None and APPLIES[m.id](ds)),
            findings=findings,
            factors=tuple(f for f in model.exposure
                          if f.value is not None and rules & set(f.rules)),
        ))
    return tuple(sorted(out, key=rank))


def rank(v: Valuation) -> tuple[bool, float, str]:
    """The ranking comparison: sized before unsized, then the larger value at risk first."""
    return (v.at_risk is None, -(v.at_risk or 0.0), v.dataset.id)


def _is_open(result: Result) -> bool:
    return result.waiver is None and result.severity != "info"


def _parts(ds: Dataset, catalog: Catalog, model: Table) -> tuple[Part, ...]:
    by_group: dict[str, list[str]] = {}
    groups: dict[str, Group] = {}
    for category in ds.categories:
        g = model.group_of(category)
        if g is not None:  # system.* categories describe no person
            by_group.setdefault(g.id, []).append(category)
            groups[g.id] = g
    parts = []
    for gid, categories in by_group.items():
        g, own = groups[gid], catalog.organization.record_cost(gid)
        if own is not None:
            parts.append(Part(g, tuple(categories), own, "catalog"))
        else:
            parts.append(Part(g, tuple(categories), g.usd, g.source.short if g.source else ""))
    return tuple(parts)
