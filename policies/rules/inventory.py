"""Inventory: every data store says which dataset it holds, and the catalog knows every store."""

from __future__ import annotations

from collections.abc import Iterator

from guardian.policies.rules._index import CATALOG_KINDS, Store

from guardian.aws import EXPIRED, MALFORMED, NOT_RECORDED
from guardian.errors import closest
from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope
from guardian.graph.model import DATASET_TAG, UNKNOWN

# Our modules tag the stores they keep for operations (access logs, audit trails) with this.
OPERATIONAL_TAG = "guardian:role"


def _unbound(ctx: Context) -> Iterator[Finding]:
    for s in INV_001.stores(ctx):
        if s.dataset is not None:
            continue
        if s.dataset_tag == UNKNOWN:
            yield INV_001.at(s, f"the {DATASET_TAG} tag is unknown and no catalog storage "
                             "entry names this store; cannot tell which dataset it holds",
                             unknown=True)
        elif s.dataset_tag is None:
            role = s.resource.tags.get(OPERATIONAL_TAG)
            if isinstance(role, str) and role:
                # Declared in code, visible in review: logs and trails, not a catalog dataset.
                yield INV_001.at(s, f"operational store ({OPERATIONAL_TAG}={role}) "
                                 "bound to no dataset", severity="info")
            elif s.kind in CATALOG_KINDS.values():
                yield _unlisted(ctx, s)
            else:  # the catalog's storage cannot list this kind (volumes, ...): the tag binds it
                yield INV_001.at(s, f"{s.kind} store has no {DATASET_TAG} tag")


def _unlisted(ctx: Context, s: Store) -> Finding:
    """An untagged store of a kind the catalog lists that no catalog entry binds: none names
    it, entries of its name pin other accounts or regions, or several datasets' entries could
    be it."""
    names = " or ".join(repr(n) for n in dict.fromkeys((s.name, s.resource.name)) if n)
    same = [e for n in dict.fromkeys((s.name, s.resource.name)) if n
            for e in ctx.index.entries.get((s.kind, n), ())]
    covering = [f"{st.label} ({ds.id})" for ds, st in same if st.covers(s.account, s.region)]
    if covering:
        return INV_001.at(s, f"its account or region is unknown and the catalog declares a "
                          f"store of its name under several datasets: {', '.join(covering)}",
                          unknown=True)
    if same:
        where = "/".join(x for x in (s.account, s.region) if x)
        return INV_001.at(s, f"{s.kind} store has no {DATASET_TAG} tag and the catalog storage "
                          f"entries of its name are pinned elsewhere "
                          f"({', '.join(st.label for _, st in same)}), not to {where}")
    return INV_001.at(s, f"{s.kind} store has no {DATASET_TAG} tag and no catalog storage entry "
                      f"names it ({names})")


def _unknown_dataset(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in INV_002.stores(ctx):
        if s.dataset_tag not in (None, UNKNOWN) and s.dataset_tag not in ix.datasets:
            close = closest(str(s.dataset_tag), ix.datasets)
            hint = f"; did you mean {close[0]}?" if close else ""
            bound = (f" (bound to {s.dataset.id} by its catalog storage entry)"
                     if s.dataset else "")
            yield INV_002.at(s, f"tagged {DATASET_TAG}={s.dataset_tag}, which is not a dataset "
                             f"in the catalog{hint}{bound}")


def _absent(ctx: Context) -> Iterator[Finding]:
    present: dict[tuple[str, str], list[Store]] = {}  # (kind, physical or Pulumi name)
    for s in ctx.index.stores:
        for n in {s.resource.name, s.name} - {None}:
            present.setdefault((s.kind, str(n)), []).append(s)
    read = ctx.graph.source.accounts  # a live source names the accounts it read
    unread = {g.account for g in ctx.graph.gaps if g.account_wide}  # GRD-INV-006 says so
    listings = [g for g in ctx.graph.gaps if g.listing and not g.account_wide]
    for ds in ctx.catalog.datasets:
        for st in ds.storage:
            if st.account and (read and st.account not in read or st.account in unread):
                continue  # another account's store, or one that could not be read at all
            found = present.get((CATALOG_KINDS.get(st.kind, st.kind), st.name), ())
            if any(st.covers(s.account, s.region) for s in found):
                continue
            # A failed listing where it could be hides it: that is not absence.
            hidden = [g for g in listings if "inventory" in g.controls
                      and (not st.account or not g.account or g.account == st.account)
                      and (not st.region or not g.region or g.region == st.region)]
            where = "; ".join(dict.fromkeys(
                f"{g.call} failed in "
                + ("/".join(x for x in (g.account, g.region) if x) or "the account")
                for g in hidden))
            yield INV_003.finding(
                f"catalog store {st.label} is not in this deployment" + (
                    f", or is where a listing failed ({where})" if hidden else ""),
                dataset=ds.id, location=str(st.loc) if st.loc.line else None,
                account=st.account, region=st.region, unknown=bool(hidden),
            )


# Inputs naming the database a replica copies (RDS instance, Aurora cluster).
REPLICA_SOURCES = ("replicateSourceDb", "replicationSourceIdentifier")


def _undeclared(ctx: Context) -> Iterator[Finding]:
    for s in INV_004.stores(ctx):
        assert s.dataset is not None
        if s.listed_under is not None:
            continue  # declared (under another dataset: GRD-INV-005)
        if any(s.get(source) for source in REPLICA_SOURCES):
            continue  # a read replica: erased through its source (its copy: GRD-RET-005)
        if s.name is None:
            yield INV_004.at(s,
                             f"the store's physical name is unknown and its resource "
                             f"name is not among {s.dataset.id}'s declared stores", unknown=True)
        else:
            yield INV_004.at(s,
                             f"{s.kind} store {s.name!r} holds {s.dataset.id} but is not "
                             "declared in its storage: erasure and the record of processing "
                             "will miss it")


def _conflicting(ctx: Context) -> Iterator[Finding]:
    for s in INV_005.stores(ctx):
        if s.conflict:
            assert s.dataset is not None and s.listed_under is not None
            yield INV_005.at(s, f"tagged {DATASET_TAG}={s.dataset.id}, but the catalog lists "
                             f"this store under {s.listed_under.id}: the rules use the tag")
        elif s.dataset_tag == UNKNOWN and s.listed_under is not None:
            yield INV_005.at(s, f"the {DATASET_TAG} tag is unknown; cannot tell whether "
                             f"it agrees with the catalog, which lists this store under "
                             f"{s.listed_under.id}", unknown=True)


def _unread(ctx: Context) -> Iterator[Finding]:
    """Each read a live audit needed and did not get, on the resource it was for; a failed
    listing blocks at every threshold (unless accepted with --allow-partial)."""
    for gap in ctx.graph.gaps:
        why = f"{gap.call} failed ({gap.code})"
        if gap.listing:
            account = f"account {gap.account}" if gap.account else "the account"
            where = "" if gap.account_wide else f" in {account}" + (
                f" ({gap.region})" if gap.region else "") if gap.account or not gap.region \
                else f" in {gap.region}"
            yield INV_006.finding(
                f"cannot list {gap.what}{where}: {why}; whatever they hold is unchecked for "
                f"{', '.join(gap.controls)}" + (" (accepted: --allow-partial)" if gap.allowed
                                                 else ""),
                severity="info" if gap.allowed else "critical", unknown=True,
                account=gap.account, region=gap.region, remediation=UNREAD_FIX.get(gap.code))
            continue
        message = f"cannot read {gap.what}: {why}; the rules that need it cannot decide"
        store = ctx.index.store_by_urn.get(gap.resource or "")
        fix = UNREAD_FIX.get(gap.code)
        if store is not None:
            yield INV_006.at(store, message, unknown=True, remediation=fix)
        else:
            resource = ctx.graph.by_urn(gap.resource) if gap.resource else None
            yield INV_006.finding(message, resource=resource, unknown=True, remediation=fix)


INV_001 = Rule(
    "GRD-INV-001", "inventory", "high",
    "Every data store names its dataset",
    "A store nobody can tie to a dataset holds data nobody governs: no retention, no erasure, "
    "no breach assessment.",
    f"Tag the store with {DATASET_TAG}=<dataset id from the catalog>, or list its physical "
    "name under the dataset's `storage` in the catalog.",
    ("GDPR Art. 30", "NIST CM-8", "NIST PM-5(1)"), _unbound,
    scope=Scope(stores=(EVERY_KIND,), unbound=True),
)
INV_002 = Rule(
    "GRD-INV-002", "inventory", "high",
    "A store's dataset is in the catalog",
    "A tag naming a dataset the catalog does not declare binds the store to no promise at all.",
    "Fix the tag's value, or declare the dataset in the catalog.",
    ("GDPR Art. 30", "NIST CM-8"), _unknown_dataset,
    scope=Scope(stores=(EVERY_KIND,), unbound=True),
)
INV_003 = Rule(
    "GRD-INV-003", "inventory", "info",
    "Catalog stores present in this deployment",
    "One program rarely deploys the whole catalog; this lists the declared stores it does not "
    "hold, for reviewers to confirm they live elsewhere.",
    "None needed if the store is deployed by another program.",
    ("GDPR Art. 30", "NIST CM-8"), _absent,
    scope=Scope(datasets=True),
)
INV_004 = Rule(
    "GRD-INV-004", "inventory", "medium",
    "Stores holding a dataset are declared in its storage",
    "Erasure, breach sizing and the record of processing work from the catalog's storage list; "
    "a store missing there is missed by all of them.",
    "Add the store (kind and name) to the dataset's `storage` in the catalog.",
    ("GDPR Art. 17", "GDPR Art. 30", "NIST CM-8"), _undeclared,
    scope=Scope(stores=tuple(CATALOG_KINDS.values())),
)

INV_005 = Rule(
    "GRD-INV-005", "inventory", "high",
    "A store's tag and the catalog name the same dataset",
    "A store tagged with one dataset and listed in the catalog under another gets one dataset's "
    "controls and the other's erasure and record of processing.",
    "Make the tag and the catalog's storage entry agree: fix the tag or move the entry.",
    ("GDPR Art. 30", "NIST CM-8"), _conflicting,
    scope=Scope(stores=(EVERY_KIND,), unbound=True),
)
INV_006 = Rule(
    "GRD-INV-006", "inventory", "high",
    "Every read a live audit needs succeeds",
    "A setting that could not be read is not a setting that passed: a denied, throttled or "
    "failed call leaves the rules that need it blind, and a failed listing hides every "
    "resource of its kind.",
    "Grant the auditing principal the call named (e.g. the SecurityAudit managed policy plus "
    "the calls it lacks), or rerun when the service answers; with --allow-partial a failed "
    "listing is reported without blocking.",
    ("GDPR Art. 5(2)", "GDPR Art. 24(1)", "NIST CA-7", "NIST CM-8"), _unread,
)

# A read that failed for a reason no permission mends: its own fix, not the rule's.
UNREAD_FIX = {
    MALFORMED: "The call was answered, but the answer was incomplete or not what the API "
    "documents (a proxy or gateway in the way, an SDK older or newer than the service): "
    "rerun; if it happens again, report it with the call named. No permission is missing.",
    EXPIRED: "The temporary credentials AWS gave had already expired when they came: check "
    "the clock of the machine running Guardian, then rerun.",
    NOT_RECORDED: "AWS Config holds no record of it (the account's configuration recorder does "
    "not record this resource type or setting, or has not recorded it yet): rerun with "
    "--assume-role NAME to read it directly in its account, or have the recorder record the "
    "type.",
}

RULES: tuple[Rule, ...] = (INV_001, INV_002, INV_003, INV_004, INV_005, INV_006)
