"""Retention: data is deleted when the catalog says, and nothing keeps it from being erased."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guardian.policies.rules._copies import FOREVER, copies
from guardian.policies.rules._index import Index, Store
from guardian.policies.rules._policy import has_unknown

from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope
from guardian.graph.model import Resource


@dataclass(frozen=True)
class Lifecycle:
    """One enabled lifecycle rule covering the store's personal data."""

    expiration_days: Any  # number, UNKNOWN, or None
    noncurrent_days: Any
    source: Resource


def _subject_prefix(s: Store) -> str | None:
    """The fixed head of the catalog's subject_key template ("customers/"), if declared."""
    assert s.dataset is not None
    for st in s.dataset.storage:
        if st.name in (s.name, s.resource.name) and st.subject_key:
            return st.subject_key.split("{subject_id}", 1)[0]
    return None


def _covers(prefix: Any, s: Store) -> bool:
    if not prefix:
        return True
    head = _subject_prefix(s)
    return isinstance(prefix, str) and head is not None and head.startswith(prefix)


def lifecycle_configs(s: Store) -> list[tuple[Resource, list[Lifecycle] | None]]:
    """Each lifecycle configuration of the bucket (helper resources, the inline rules) with the
    enabled rules covering the store's data; None when its rules are unknown offline."""
    out: list[tuple[Resource, list[Lifecycle] | None]] = []
    for h in s.helper("lifecycle"):
        rules = h.get("rules")
        if has_unknown(rules) and not isinstance(rules, list):
            out.append((h, None))
            continue
        found = []
        for rule in rules or []:
            if not isinstance(rule, dict) or rule.get("status") not in ("Enabled", None):
                continue
            flt = rule.get("filter") or {}
            if not isinstance(flt, dict) or set(flt) - {"prefix"}:
                continue  # tag and size filters do not cover all of the data
            if not _covers(flt.get("prefix") or rule.get("prefix"), s):
                continue
            exp, nce = rule.get("expiration") or {}, rule.get("noncurrentVersionExpiration") or {}
            found.append(Lifecycle(exp.get("days") if isinstance(exp, dict) else exp,
                                   nce.get("noncurrentDays") if isinstance(nce, dict) else nce, h))
        out.append((h, found))
    inline = s.get("lifecycleRules")
    if has_unknown(inline) and not isinstance(inline, list):
        out.append((s.resource, None))
    elif inline:
        found = []
        for rule in inline:
            if not isinstance(rule, dict) or rule.get("enabled") is False:
                continue
            if rule.get("tags") or not _covers(rule.get("prefix"), s):
                continue
            exp, nce = rule.get("expiration") or {}, rule.get("noncurrentVersionExpiration") or {}
            found.append(Lifecycle(exp.get("days") if isinstance(exp, dict) else exp,
                                   nce.get("days") if isinstance(nce, dict) else nce, s.resource))
        out.append((s.resource, found))
    return out


def _days(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def retention_days(s: Store, field: str) -> tuple[float | None, bool, list[Resource]]:
    """(days, unknown, sources) of the configuration that keeps the data longest: within one
    configuration S3 applies the earliest of its covering rules, but of two configurations for
    one bucket either may be the one in force. None days: one keeps the data forever."""
    worst: float | None = 0.0
    unknown = False
    sources: list[Resource] = []
    for source, rules in lifecycle_configs(s):
        sources.append(source)
        if rules is None:
            unknown = True
            continue
        values = [getattr(r, field) for r in rules]
        known = [d for d in map(_days, values) if d is not None]
        if any(has_unknown(v) for v in values) and not known:
            unknown = True
        elif not known:
            worst = None
        elif worst is not None:
            worst = max(worst, min(known))
    if not sources:
        return None, False, []
    return worst, unknown, sources


def _expiration(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in RET_001.stores(ctx):
        assert s.dataset is not None
        limit = s.dataset.retention.days
        days, unknown, related = retention_days(s, "expiration_days")
        if days is not None and days > limit:
            yield RET_001.at(s, f"objects expire after {days:g} days, longer than "
                             f"the declared retention of {limit} days", related=related)
        elif related and days is None:  # whatever the configurations unknown offline say
            yield RET_001.at(s, "no lifecycle expiration covers this data"
                             + (" in one of its lifecycle configurations" if len(related) > 1
                                else "") + f"; the catalog keeps it {limit} days",
                             related=related)
        elif unknown or (not related and ix.unattached.get("lifecycle")):
            yield RET_001.at(s, "lifecycle expiration is unknown offline",
                             related=related or ix.unattached.get("lifecycle", []), unknown=True)
        elif not related:
            yield RET_001.at(s, f"no lifecycle expiration; the catalog keeps this "
                             f"data {limit} days")


def versioned(ix: Index, s: Store) -> tuple[bool | None, list[Resource]]:
    """Whether the bucket keeps versions: yes if any of its configurations says so (either may
    be in force), unknown if one cannot be read, else no."""
    unknown: list[Resource] = list(ix.unattached.get("versioning", ()))
    for h in s.helper("versioning"):
        cfg = h.get("versioningConfiguration")
        status = cfg.get("status") if isinstance(cfg, dict) else cfg
        if status in ("Enabled", "Suspended"):  # suspended keeps the versions it made
            return True, [h]
        if has_unknown(status):
            unknown.append(h)
    inline = s.get("versioning")
    flag = inline.get("enabled") if isinstance(inline, dict) else inline
    if flag is True:
        return True, []
    if has_unknown(flag):
        unknown.append(s.resource)
    return (None, unknown) if unknown else (False, [])


def _noncurrent(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in RET_002.stores(ctx):
        assert s.dataset is not None
        on, vrelated = versioned(ix, s)
        if on is False:
            continue
        limit = s.dataset.retention.days
        days, unknown, sources = retention_days(s, "noncurrent_days")
        related = vrelated + sources
        if days is not None and days <= limit and not unknown:
            continue  # whether versioned or not
        if on is True and days is not None and days > limit:
            yield RET_002.at(s, f"old versions expire after {days:g} days, longer "
                             f"than the declared retention of {limit} days", related=related)
        elif on is None or unknown:
            yield RET_002.at(s, "versioning or noncurrent-version expiration is "
                             "unknown offline", related=related, unknown=True)
        elif days is None:
            yield RET_002.at(s, "versioned bucket keeps old versions forever: no "
                             "noncurrent-version expiration", related=related)
        else:
            yield RET_002.at(s, f"old versions expire after {days:g} days, longer "
                             f"than the declared retention of {limit} days", related=related)


def _ttl(ctx: Context) -> Iterator[Finding]:
    for ds in ctx.catalog.datasets:
        for st in ds.storage:
            if st.kind == "dynamodb" and not st.ttl_attribute:
                # Advisory: the fix is in the catalog, and a deployed TTL may well exist.
                yield RET_003.finding(
                    f"dynamodb store {st.name!r} keeps data {ds.retention.days} days but the "
                    "catalog names no ttl_attribute: the platform cannot set TTL and Guardian "
                    "cannot check the attribute", dataset=ds.id,
                    location=str(st.loc) if st.loc.line else None, severity="low")
    for s in RET_003.stores(ctx):
        assert s.dataset is not None
        declared = next((st.ttl_attribute for st in s.dataset.storage
                         if st.name in (s.name, s.resource.name)), None)
        ttl = s.get("ttl")
        if has_unknown(ttl):
            yield RET_003.at(s, "TTL settings are unknown offline", unknown=True)
        elif not isinstance(ttl, dict) or ttl.get("enabled") is not True:
            yield RET_003.at(s, "table has no TTL: items are never expired")
        elif declared and ttl.get("attributeName") != declared:
            yield RET_003.at(s, f"TTL is on attribute {ttl.get('attributeName')!r}, "
                             f"the catalog declares {declared!r}")


def _object_lock(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in RET_004.stores(ctx):
        assert s.dataset is not None
        if s.dataset.retention.legal_hold:
            continue
        inline, flag = s.get("objectLockConfiguration"), s.get("objectLockEnabled")
        on = (flag is True or s.helper("object_lock")
              or (isinstance(inline, dict) and inline.get("objectLockEnabled") == "Enabled"))
        if on:
            yield RET_004.at(s,
                "Object Lock is on but the dataset has no legal hold: locked objects cannot be "
                "erased on request", related=s.helper("object_lock"),
            )
        elif has_unknown(flag) or has_unknown(inline) or ix.unattached.get("object_lock"):
            yield RET_004.at(s, "whether Object Lock is on is unknown offline",
                             related=ix.unattached.get("object_lock", []), unknown=True)


def _copies_kept(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    every = copies(ix)
    for s in RET_005.stores(ctx):
        assert s.dataset is not None
        if s.dataset.retention.legal_hold:
            continue  # the catalog declares why copies outlive the retention
        limit = s.dataset.retention.days
        for c in every.of(s):
            if c.keep_days is None and not c.keep_unknown or (
                    c.keep_days is not None and c.keep_days <= limit):
                continue
            related = [c.via, *c.related]
            if c.keep_unknown or c.keep_days is None:
                yield RET_005.at(s, f"how long {c.what} is kept is unknown offline",
                                 related=related, unknown=True)
                continue
            kept = ("until someone deletes it" if c.keep_days == FOREVER
                    else f"{c.keep_days:g} days")
            if not c.certain:
                yield RET_005.at(s, f"{c.what} may be kept {kept}; cannot tell offline "
                                 "whether it covers this store", related=related, unknown=True)
            else:
                yield RET_005.at(s, f"{c.what} kept {kept}, longer than the declared "
                                 f"retention of {limit} days", related=related)


_REFS = ("GDPR Art. 5(1)(e)", "GDPR Art. 17", "NIST SI-12", "NIST SI-12(3)")
RET_001 = Rule(
    "GRD-RET-001", "retention", "high",
    "Objects expire within the declared retention",
    "Storage limitation: personal data is kept no longer than the catalog's retention period.",
    "Add a BucketLifecycleConfiguration rule (no filter, or one covering the data's prefix) "
    "with expiration.days at most the dataset's retention.days.",
    (*_REFS, "CKV2_AWS_61"), _expiration,
    scope=Scope(stores=("s3",)),
)
RET_002 = Rule(
    "GRD-RET-002", "retention", "high",
    "Versioned buckets expire old versions",
    "On a versioned bucket an expiration only adds a delete marker; the old versions, and the "
    "personal data in them, stay until a noncurrent-version expiration removes them.",
    "Add noncurrent_version_expiration.noncurrent_days (at most the retention) to the "
    "lifecycle rule.",
    _REFS, _noncurrent,
    scope=Scope(stores=("s3",)),
)
RET_003 = Rule(
    "GRD-RET-003", "retention", "high",
    "DynamoDB tables expire items with TTL",
    "Without TTL a table keeps every item until someone deletes it.",
    "Set ttl={'attribute_name': <the catalog's ttl_attribute>, 'enabled': True} and write an "
    "epoch-seconds expiry on every item.",
    _REFS, _ttl,
    scope=Scope(stores=("dynamodb",), datasets=True),  # datasets: the catalog's ttl_attribute
)
RET_004 = Rule(
    "GRD-RET-004", "retention", "high",
    "Object Lock only on data under a legal hold",
    "Object Lock (compliance mode above all) keeps objects beyond anyone's reach, including an "
    "erasure request's: it is for data the law obliges us to keep.",
    "Turn Object Lock off, or record retention.legal_hold: true with its basis in the catalog.",
    ("GDPR Art. 17", "GDPR Art. 5(1)(e)", "NIST SI-12"), _object_lock,
    scope=Scope(stores=("s3",)),
)

RET_005 = Rule(
    "GRD-RET-005", "retention", "high",
    "Backups and snapshots are kept no longer than the declared retention",
    "Automated backups, manual snapshots, snapshot copies and AWS Backup recovery points hold "
    "the personal data too; kept longer than the retention period, they keep what the store "
    "already deleted.",
    "Set the backup retention (backup_retention_period, automated_snapshot_retention_period, "
    "retention_period, AWS Backup lifecycle delete_after) to at most the dataset's "
    "retention.days and delete manual snapshots; or record retention.legal_hold with its basis "
    "in the catalog.",
    _REFS, _copies_kept,
    scope=Scope(stores=(EVERY_KIND,)),
)

RULES: tuple[Rule, ...] = (RET_001, RET_002, RET_003, RET_004, RET_005)
