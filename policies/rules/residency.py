"""Residency: stores, replicas and replication destinations stay where the catalog allows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardian.policies.rules._index import STORE_KINDS_S3, Index, Store, known_str

from guardian.catalog.regions import allowed_regions
from guardian.findings import Context, Finding, Rule
from guardian.graph.model import Resource


def _region(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in ix.bound:
        assert s.dataset is not None
        allowed = allowed_regions(s.dataset.residency)
        if s.region is None:
            yield RES_001.at(s, "the store's region is unknown offline (no provider "
                             "region, no aws:region config)", unknown=True)
        elif s.region not in allowed:
            yield RES_001.at(s, f"store is in {s.region}; residency "
                             f"{', '.join(s.dataset.residency)} allows {', '.join(allowed)}")


def replication_destinations(ix: Index, s: Store) -> list[tuple[Any, Resource]]:
    """(destination bucket value, the resource declaring it) for the bucket's replication."""
    out = []
    for h in s.helper("replication"):
        for rule in h.get("rules") or []:
            dest = rule.get("destination") if isinstance(rule, dict) else None
            if isinstance(dest, dict) and rule.get("status", "Enabled") != "Disabled":
                out.append((dest, h))
    inline = s.get("replicationConfiguration")
    for rule in (inline.get("rules") or []) if isinstance(inline, dict) else []:
        dest = rule.get("destination") if isinstance(rule, dict) else None
        if isinstance(dest, dict) and rule.get("status", "Enabled") != "Disabled":
            out.append((dest, s.resource))
    return out


def _replicas(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in ix.bound:
        assert s.dataset is not None
        allowed = allowed_regions(s.dataset.residency)
        if s.kind == "dynamodb":
            for replica in s.get("replicas") or []:
                region = known_str(replica.get("regionName")) if isinstance(replica, dict) else None
                if region is None:
                    yield RES_002.at(s, "a replica's region is unknown offline",
                                     unknown=True)
                elif region not in allowed:
                    yield RES_002.at(s, f"replica in {region}, outside the residency "
                                     f"({', '.join(s.dataset.residency)})")
        if s.kind != "s3":
            continue
        for dest, holder in replication_destinations(ix, s):
            bucket = dest.get("bucket")
            targets = [r for r in ix.lookup(bucket, STORE_KINDS_S3)] or [
                r for r in ix.refs(holder, "rules" if holder is not s.resource
                                   else "replicationConfiguration", STORE_KINDS_S3)
                if r.urn != s.resource.urn]
            target = ix.store_by_urn.get(targets[0].urn) if targets else None
            if target is None or target.region is None:
                yield RES_002.at(s, f"replication destination {bucket!r} is not in "
                                 "this deployment; its region is unknown", related=[holder],
                                 unknown=True)
            elif target.region not in allowed:
                yield RES_002.at(s, f"replicates to {target.resource.name!r} in "
                                 f"{target.region}, outside the residency "
                                 f"({', '.join(s.dataset.residency)})",
                                 related=[holder, target.resource])


RES_001 = Rule(
    "GRD-RES-001", "residency", "critical",
    "Stores are in a region the dataset's residency allows",
    "Where data lives decides which laws reach it and whether a transfer needs a safeguard; the "
    "catalog's residency is the organisation's promise.",
    "Deploy the store with a provider (or region) inside the dataset's residency.",
    ("GDPR Art. 44", "NIST SA-9(5)"), _region,
)
RES_002 = Rule(
    "GRD-RES-002", "residency", "critical",
    "Replicas and replication stay inside the residency",
    "A replica or replication destination abroad is a transfer of every object written.",
    "Replicate only to buckets or regions the dataset's residency allows.",
    ("GDPR Art. 44", "NIST SA-9(5)"), _replicas,
)

RULES: tuple[Rule, ...] = (RES_001, RES_002)
