"""Retention: data is deleted when the catalog says, and nothing keeps it from being erased."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guardian.policies.rules._copies import FOREVER, copies
from guardian.policies.rules._index import Index, Store
from guardian.policies.rules._policy import has_unknown

from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope
from guardian.graph.model import Resource

NEVER = math.inf  # no lifecycle action removes the data


@dataclass(frozen=True)
class Lifecycle:
    """One enabled lifecycle rule that may reach the store's personal data."""

    covers: bool | None  # reaches all of it; None: cannot tell (an unknown filter or status)
    expiration_days: float | None  # NEVER when the rule does not expire; None: unknown
    noncurrent_days: float | None
    source: Resource


@dataclass(frozen=True)
class Expiry:
    """When a bucket's lifecycle removes the store's data (current objects, or old versions),
    in days, as two bounds over the configurations that may be in force:

    - `latest`: by then every configuration has removed all of it (NEVER: one may keep it;
      None: cannot tell). Only a rule that reaches all of the data with a known day count
      bounds it: an unknown rule or filter can only remove data sooner, never later.
    - `floor`: some configuration keeps part of it at least this long (None: cannot tell). A
      rule that may reach the data with an unknown day count might remove it sooner.

    Rules reaching only part of the data (a tag or size filter, a narrower prefix) bound
    neither: the rest of the data stays. A minimum-retention check (data kept at least N
    days) would need the soonest removal of any object instead; no rule checks that yet."""

    latest: float | None
    floor: float | None
    sources: tuple[Resource, ...] = ()

    def within(self, limit: float) -> bool | None:
        """Whether all of the data is removed no later than `limit` days (None: unknown)."""
        if self.latest is not None and self.latest <= limit:
            return True
        if self.floor is not None and self.floor > limit:
            return False
        return None

    @property
    def exact(self) -> float | None:
        """The day count when both bounds agree and are finite."""
        return self.latest if self.latest == self.floor and self.latest != NEVER else None


def _subject_prefix(s: Store) -> str | None:
    """The fixed head of the catalog's subject_key template ("customers/"), if declared."""
    assert s.dataset is not None
    for st in s.dataset.storage:
        if st.name in (s.name, s.resource.name) and st.subject_key:
            return st.subject_key.split("{subject_id}", 1)[0]
    return None


def _covers(prefix: Any, s: Store) -> bool | None:
    """Whether a rule's prefix reaches all of the store's data: the whole bucket, or the head of
    the catalog's subject_key; None when the prefix is unknown."""
    if has_unknown(prefix) or not isinstance(prefix, str | None):
        return None
    if not prefix:
        return True
    head = _subject_prefix(s)
    return head is not None and head.startswith(prefix)


def _days(action: Any, key: str) -> float | None:
    """An action's day count: NEVER without one, None when unknown (or a fixed date, which no
    number of days after writing can stand for)."""
    value = action.get(key) if isinstance(action, dict) else action
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if has_unknown(action) or (isinstance(action, dict) and action.get("date")):
        return None
    return NEVER


def _rule(s: Store, source: Resource, rule: dict[str, Any], enabled: bool | None,
          prefix: Any, narrowed: bool | None, noncurrent_key: str) -> Lifecycle | None:
    """The rule as it bears on the store's data; None when it cannot reach all of it (disabled,
    a tag or size filter, another prefix). `enabled` and `narrowed` None: unknown."""
    covers = _covers(prefix, s)
    if enabled is False or narrowed or covers is False:
        return None
    if enabled is None or narrowed is None:
        covers = None
    return Lifecycle(covers, _days(rule.get("expiration"), "days"),
                     _days(rule.get("noncurrentVersionExpiration"), noncurrent_key), source)


def _known(value: Any, *yes: Any) -> bool | None:
    return None if has_unknown(value) else value in yes


def _narrowed(flt: Any) -> bool | None:
    """Whether a filter selects by more than a prefix (tags, sizes, `and`); None: unknown."""
    if not isinstance(flt, dict):
        return None
    return any(v is not None for k, v in flt.items() if k != "prefix")


def lifecycle_configs(s: Store) -> list[tuple[Resource, list[Lifecycle] | None]]:
    """Each lifecycle configuration of the bucket (helper resources, the inline rules) with its
    enabled rules that may reach all of the store's data; None when its rules are unknown."""
    out: list[tuple[Resource, list[Lifecycle] | None]] = []
    configs = [(h, h.get("rules"), True) for h in s.helper("lifecycle")]
    if s.get("lifecycleRules"):
        configs.append((s.resource, s.get("lifecycleRules"), False))
    for source, rules, v2 in configs:
        if not isinstance(rules, list):
            out.append((source, None if has_unknown(rules) else []))
            continue
        found: list[Lifecycle | None] = []
        for rule in rules:
            if not isinstance(rule, dict):  # unknown: it may remove the data, at any time
                found.append(Lifecycle(None, None, None, source))
            elif v2:
                flt = rule.get("filter") or {}
                found.append(_rule(
                    s, source, rule, _known(rule.get("status"), "Enabled", None),
                    flt.get("prefix") or rule.get("prefix") if isinstance(flt, dict) else None,
                    _narrowed(flt), "noncurrentDays"))
            else:  # aws.s3.Bucket's inline lifecycle_rules
                tags = rule.get("tags")
                found.append(_rule(
                    s, source, rule, _known(rule.get("enabled"), True, None),
                    rule.get("prefix"), None if has_unknown(tags) else bool(tags), "days"))
        out.append((source, [r for r in found if r is not None]))
    return out


def expiry(ix: Index, s: Store, field: str) -> Expiry:
    """When the bucket's lifecycle removes the store's data (`field`: expiration_days for
    current objects, noncurrent_days for old versions). Within one configuration S3 applies
    the earliest of the rules reaching an object; of two configurations for one bucket either
    may be the one in force, so the least favourable counts."""
    configs = lifecycle_configs(s)
    sources = tuple(source for source, _ in configs)
    if not configs:  # a configuration whose bucket is unknown may be this one's
        return (Expiry(None, None, tuple(ix.unattached["lifecycle"]))
                if ix.unattached.get("lifecycle") else Expiry(NEVER, NEVER))
    latest: float | None = 0.0
    floor: float | None = None
    for _, rules in configs:
        if rules is None:
            latest = None
            continue
        bounding = [d for r in rules if r.covers and (d := getattr(r, field)) is not None]
        reaching = [getattr(r, field) for r in rules]
        low = None if None in reaching else min(reaching, default=NEVER)
        if latest is not None:
            latest = max(latest, min(bounding, default=NEVER))
        if low is not None:
            floor = low if floor is None else max(floor, low)
    return Expiry(latest, floor, sources)


def _kept(e: Expiry, what: str, limit: int) -> str:
    """A failure in words: how long the data stays at the least."""
    assert e.floor is not None
    how = (f"expire after {e.floor:g} days" if e.exact is not None
           else f"are kept at least {e.floor:g} days")
    return f"{what} {how}, longer than the declared retention of {limit} days"


def _expiration(ctx: Context) -> Iterator[Finding]:
    for s in RET_001.stores(ctx):
        assert s.dataset is not None
        limit = s.dataset.retention.days
        e = expiry(ctx.index, s, "expiration_days")
        related = list(e.sources)
        within = e.within(limit)
        if within:
            continue
        if within is None:
            yield RET_001.at(s, "lifecycle expiration is unknown (a configuration, rule, filter "
                             f"or day count); the catalog keeps this data {limit} days",
                             related=related, unknown=True)
        elif e.floor != NEVER:
            yield RET_001.at(s, _kept(e, "objects", limit), related=related)
        elif related:
            yield RET_001.at(s, "no lifecycle expiration covers this data"
                             + (" in one of its lifecycle configurations" if len(related) > 1
                                else "") + f"; the catalog keeps it {limit} days",
                             related=related)
        else:
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
        e = expiry(ix, s, "noncurrent_days")
        related = vrelated + list(e.sources)
        within = e.within(limit)
        if within:
            continue  # whether versioned or not
        if within is None or on is None:
            yield RET_002.at(s, "versioning or noncurrent-version expiration is unknown",
                             related=related, unknown=True)
        elif e.floor == NEVER:
            yield RET_002.at(s, "versioned bucket keeps old versions forever: no "
                             "noncurrent-version expiration", related=related)
        else:
            yield RET_002.at(s, _kept(e, "old versions", limit), related=related)


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
            yield RET_003.at(s, "TTL settings are unknown", unknown=True)
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
            yield RET_004.at(s, "whether Object Lock is on is unknown",
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
                yield RET_005.at(s, f"how long {c.what} is kept is unknown",
                                 related=related, unknown=True)
                continue
            kept = ("until someone deletes it" if c.keep_days == FOREVER
                    else f"{c.keep_days:g} days")
            if not c.certain:
                yield RET_005.at(s, f"{c.what} may be kept {kept}; cannot tell "
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
