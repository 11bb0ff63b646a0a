"""Purpose limitation: only the roles the catalog names touch a dataset, only as declared."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from guardian.policies.rules._iam import Grant, key_grants, kinds_granted
from guardian.policies.rules._index import Index, Store
from guardian.policies.rules.encryption import at_rest

from guardian.catalog.model import Dataset
from guardian.findings import Context, Finding, ResourceRef, Rule, Scope
from guardian.graph.model import Resource

_ORDER = ("read", "write", "delete")


_UNSURE = "conditions or a permissions boundary Guardian cannot decide"


def kinds_text(kinds: set[str] | frozenset[str]) -> str:
    return ", ".join(k for k in _ORDER if k in kinds)


def declared(ds: Dataset) -> dict[str, set[str]]:
    """Role name -> the catalog actions its access entries declare on this dataset."""
    out: dict[str, set[str]] = {}
    for acc in ds.access:
        out.setdefault(acc.role, set()).update(acc.actions)
    return out


@dataclass
class _Who:
    """One role's grants on one store, gathered over every policy that gives them."""

    role: str
    kinds: set[str] = field(default_factory=set)
    maybe: set[str] = field(default_factory=set)  # under conditions Guardian cannot decide
    related: list[Resource | ResourceRef] = field(default_factory=list)

    @property
    def unsure(self) -> set[str]:
        return self.maybe - self.kinds


def role_grants(ix: Index, s: Store) -> dict[str, _Who]:
    """Role name -> what it may do on the store: identity policies of roles in the graph, and
    resource-policy and key-policy grants to roles of our own accounts."""
    out: dict[str, _Who] = {}
    for g in ix.grants.of(s):
        name = g.role_name
        if name is None:
            continue
        if g.principal is not None and g.principal.account and ix.accounts and (
                g.principal.account not in ix.accounts):
            continue  # another account's role: third-party sharing
        who = out.setdefault(name, _Who(name))
        who.kinds |= g.kinds
        who.maybe |= g.maybe
        who.related.append(g.via)
        if g.role is not None:
            who.related.append(g.role.resource)
    key = at_rest(ix, s).key.key
    for st, p, via in key_grants(ix, key.urn) if key is not None else ():
        if p.role is None or (p.account and ix.accounts and p.account not in ix.accounts):
            continue
        kinds = kinds_granted("kms", st)  # decrypting is reading, encrypting is writing
        if kinds:
            who = out.setdefault(p.role, _Who(p.role))
            who.kinds |= kinds
            who.related += [via, key]
    return out


def _undeclared_role(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in PUR_001.stores(ctx):
        assert s.dataset is not None
        allowed = declared(s.dataset)
        for name, who in sorted(role_grants(ix, s).items()):
            if name in allowed:
                continue
            if who.kinds:
                yield PUR_001.at(s,
                    f"role {name!r} may {kinds_text(who.kinds)} {s.dataset.id} data but has no "
                    "access entry for it in the catalog", related=who.related,
                )
            elif who.unsure:
                yield PUR_001.at(s, f"role {name!r} may {kinds_text(who.unsure)} {s.dataset.id} "
                                 f"data under {_UNSURE}, and has no access entry for it in the "
                                 "catalog", related=who.related, unknown=True)
    for u in ix.grants.unreadable:
        if u.role is None:
            continue  # an unreadable resource policy is reported by GRD-PUB-003
        for s in u.stores:
            # A declared role's unreadable policy is GRD-PUR-002's to report.
            if (s.dataset is not None and s.kind in ("s3", "dynamodb")
                    and u.role.name not in declared(s.dataset)):
                yield PUR_001.at(s, f"cannot read {u.what}; it may grant "
                                 "access to this store", related=[u.via, u.role.resource],
                                 unknown=True)


def _beyond_declared(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in PUR_002.stores(ctx):
        assert s.dataset is not None
        allowed = declared(s.dataset)
        for name, who in sorted(role_grants(ix, s).items()):
            if name not in allowed:
                continue
            extra, unsure = who.kinds - allowed[name], who.unsure - allowed[name]
            if extra:
                yield PUR_002.at(s,
                    f"role {name!r} may {kinds_text(extra)} {s.dataset.id} data; the catalog "
                    f"declares only {kinds_text(allowed[name])}", related=who.related,
                )
            elif unsure:
                yield PUR_002.at(s, f"role {name!r} may {kinds_text(unsure)} {s.dataset.id} data "
                                 f"under {_UNSURE}; the catalog declares only "
                                 f"{kinds_text(allowed[name])}", related=who.related, unknown=True)
    for u in ix.grants.unreadable:
        if u.role is None:
            continue
        for s in u.stores:
            if s.dataset is not None and u.role.name in declared(s.dataset):
                yield PUR_002.at(s, f"cannot read {u.what}; it may grant "
                                 "more than the declared actions", related=[u.via, u.role.resource],
                                 unknown=True)


def _grant_label(g: Grant) -> str:
    what = []
    if g.wildcard_action:
        what.append("actions " + ", ".join(g.wildcard_actions))
    if g.wildcard_resource:
        what.append("resources " + ", ".join(g.statement.resources or ("NotResource",)))
    return " and ".join(what)


def _wildcards(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in PUR_003.stores(ctx):
        assert s.dataset is not None
        if not s.dataset.sensitive:
            continue
        # One finding per role (or principal) and store, naming every wildcard that reaches
        # it: a managed policy's several statements are one thing to fix, and the finding's
        # identity (rule, store, role and the policies' resources) stays the same as they change.
        seen: dict[str, tuple[set[tuple[str, str, str]], dict[str, Resource]]] = {}
        for g in ix.grants.of(s):
            if g.principal is not None and (g.principal.wildcard or g.principal.service):
                continue  # '*' principals are public access (GRD-PUB-003)
            if g.wildcard_action or g.wildcard_resource:
                grants, related = seen.setdefault(g.who, (set(), {}))
                grants.add((_grant_label(g), kinds_text(g.kinds), g.via.name))
                for r in (g.via, g.role.resource if g.role is not None else None):
                    if r is not None:
                        related.setdefault(r.urn, r)
        for who, (grants, related) in sorted(seen.items()):
            labels = sorted(grants)
            what = (f"wildcard {labels[0][0]}" if len(labels) == 1 else "wildcards: " + "; ".join(
                f"{label} to {kinds} (in {via})" for label, kinds, via in labels))
            yield PUR_003.at(s, f"{who} is granted {what}, covering "
                             f"{s.dataset.classification} data",
                             related=[related[u] for u in sorted(related)])


_REFS = ("GDPR Art. 5(1)(b)", "GDPR Art. 25", "NIST AC-6", "NIST AC-3", "NIST PT-3")
PUR_001 = Rule(
    "GRD-PUR-001", "purpose-limitation", "high",
    "Only roles with a catalog access entry can touch a dataset",
    "Each access to personal data must serve a declared use; a role the catalog does not list "
    "for the dataset serves none.",
    "Remove the grant, or add an access entry (role, use, actions) for the dataset.",
    _REFS, _undeclared_role,
    scope=Scope(stores=("s3", "dynamodb")),
)
PUR_002 = Rule(
    "GRD-PUR-002", "purpose-limitation", "high",
    "Roles can do no more than their declared actions",
    "An access entry declaring read does not justify write or delete: least privilege per "
    "purpose.",
    "Grant only the IAM actions of the declared catalog actions (guardian.catalog.actions), or "
    "declare the extra action in the catalog.",
    _REFS, _beyond_declared,
    scope=Scope(stores=("s3", "dynamodb")),
)
PUR_003 = Rule(
    "GRD-PUR-003", "purpose-limitation", "high",
    "No wildcard grants over confidential or restricted data",
    "A wildcard action or resource grants today's and tomorrow's data and actions to whoever "
    "holds the role, whatever their purpose.",
    "Name the actions and the store ARNs the role needs.",
    (*_REFS, "CKV_AWS_62", "CKV_AWS_355"), _wildcards,
    scope=Scope(stores=("s3", "dynamodb")),
)

RULES: tuple[Rule, ...] = (PUR_001, PUR_002, PUR_003)
