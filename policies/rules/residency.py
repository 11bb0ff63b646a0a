"""Residency: stores and every copy of their data stay where the catalog allows."""

from __future__ import annotations

from collections.abc import Iterator

from guardian.policies.rules._copies import copies

from guardian.catalog.regions import allowed_regions
from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope


def _region(ctx: Context) -> Iterator[Finding]:
    for s in RES_001.stores(ctx):
        assert s.dataset is not None
        allowed = allowed_regions(s.dataset.residency)
        if s.region is None:
            yield RES_001.at(s, "the store's region is unknown (no provider "
                             "region, no aws:region config)", unknown=True)
        elif s.region not in allowed:
            yield RES_001.at(s, f"store is in {s.region}; residency "
                             f"{', '.join(s.dataset.residency)} allows {', '.join(allowed)}")


def _copies(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    every = copies(ix)
    for s in RES_002.stores(ctx):
        assert s.dataset is not None
        allowed = allowed_regions(s.dataset.residency)
        residency = ", ".join(s.dataset.residency)
        for c in every.of(s):
            if c.region is not None and c.region in allowed:
                continue
            related = [c.via, *c.related]
            if c.region is None:
                yield RES_002.at(s, f"{c.what}: its region is unknown", related=related,
                                 unknown=True)
            elif not c.certain:
                yield RES_002.at(s, f"{c.what} may copy this data to {c.region}, outside the "
                                 f"residency ({residency}); cannot tell whether it "
                                 "covers this store", related=related, unknown=True)
            else:
                yield RES_002.at(s, f"{c.what}: in {c.region}, outside the residency "
                                 f"({residency})", related=related)


RES_001 = Rule(
    "GRD-RES-001", "residency", "critical",
    "Stores are in a region the dataset's residency allows",
    "Where data lives decides which laws reach it and whether a transfer needs a safeguard; the "
    "catalog's residency is the organisation's promise.",
    "Deploy the store with a provider (or region) inside the dataset's residency.",
    ("GDPR Art. 44", "NIST SA-9(5)"), _region,
    scope=Scope(stores=(EVERY_KIND,)),
)
RES_002 = Rule(
    "GRD-RES-002", "residency", "critical",
    "Every copy stays inside the residency",
    "A replica, replication destination, backup, snapshot copy or export abroad is a transfer "
    "of every record it holds.",
    "Replicate, back up, copy snapshots and export only to regions the dataset's residency "
    "allows.",
    ("GDPR Art. 44", "NIST SA-9(5)"), _copies,
    scope=Scope(stores=(EVERY_KIND,)),
)

RULES: tuple[Rule, ...] = (RES_001, RES_002)
