"""Who may do what to which store: IAM roles, their policies, and resource-policy grants.

Grants are computed once per index: every Allow statement of every role's identity policies
(inline, `inlinePolicies`, RolePolicy, Policy attached by RolePolicyAttachment or
PolicyAttachment, `managedPolicyArns`) and of every bucket policy, matched against the stores
it covers and classified into read / write / delete with guardian.catalog.actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

from guardian.policies.rules._policy import (
    Principal,
    Statement,
    arn_covers,
    glob_match,
    is_wildcard,
    principals_of,
    statements,
)

from guardian.graph.model import Resource

if TYPE_CHECKING:
    from guardian.policies.rules._index import Index, RoleInfo, Store

# The AWS managed policies that grant data actions on the stores we check, as the statements
# that matter here (the rest of each policy is about other services). Any other AWS managed
# policy is taken as granting no data access to S3 or DynamoDB.
_ANY = ("*",)
AWS_MANAGED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "AdministratorAccess": (("*",), _ANY),
    "PowerUserAccess": (("s3:*", "dynamodb:*", "kms:*"), _ANY),
    "AmazonS3FullAccess": (("s3:*", "s3-object-lambda:*"), _ANY),
    "AmazonS3ReadOnlyAccess": (("s3:Get*", "s3:List*", "s3:Describe*"), _ANY),
    "AmazonDynamoDBFullAccess": (("dynamodb:*",), _ANY),
    "AmazonDynamoDBFullAccess_v2": (("dynamodb:*",), _ANY),
    "AmazonDynamoDBReadOnlyAccess": (
        ("dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetItem",
         "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect"), _ANY),
    "ReadOnlyAccess": (("s3:Get*", "s3:List*", "dynamodb:BatchGet*", "dynamodb:Get*",
                        "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect"), _ANY),
}
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
SERVICE_OF = {"s3": "s3", "dynamodb": "dynamodb"}  # store kinds whose data IAM governs


def managed_statements(arn: str) -> tuple[Statement, ...] | None:
    """Statements of an AWS managed policy; () for one that grants no data access; None when
    the ARN is not an AWS managed policy (a customer policy defined elsewhere)."""
    if not arn.startswith(AWS_MANAGED_PREFIX):
        return None
    entry = AWS_MANAGED.get(arn.rsplit("/", 1)[-1])
    if entry is None:
        return ()
    actions, resources = entry
    return (Statement("Allow", actions=actions, resources=resources),)


def role_name(role: Resource) -> str:
    name = role.inputs.get("name")
    return name if isinstance(name, str) and name and not name.startswith("04da6b54") else role.name


def collect_roles(ix: Index) -> list[RoleInfo]:
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
        managed = managed_statements(arn) if isinstance(arn, str) else None
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


@dataclass(frozen=True)
class Grant:
    """An Allow statement giving someone data actions on a store."""

    store: Store
    kinds: frozenset[str]  # read | write | delete
    statement: Statement
    via: Resource  # the resource holding the policy document
    role: RoleInfo | None = None  # for identity policies of a role in the graph
    principal: Principal | None = None  # for resource policies

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
    def wildcard_action(self) -> bool:
        st = self.statement
        return bool(st.not_actions) or any(is_wildcard(a) for a in st.actions)


@dataclass(frozen=True)
class Unreadable:
    """A policy that could not be read offline, and the stores it might concern."""

    via: Resource
    what: str
    stores: tuple[Store, ...]
    role: RoleInfo | None = None


def _kind_by_name(action: str) -> str:
    """Catalog action of a data action the catalog's table does not list (Scan, PartiQL...)."""
    verb = action.split(":", 1)[1].lower()
    if "delete" in verb:
        return "delete"
    if any(w in verb for w in ("put", "update", "write", "insert", "restore", "abort")):
        return "write"
    return "read"


@cache
def data_actions(service: str) -> tuple[tuple[str, str], ...]:
    """(concrete data action, catalog action) for a service: the catalog's table
    (guardian.catalog.actions.ACTIONS) restricted to actions that touch data, plus the data
    actions it does not grant (a representative of each wildcard family)."""
    from guardian.catalog.actions import ACTIONS, DATA_ACTIONS

    if service not in DATA_ACTIONS:  # a key: every catalog action but describing it
        return tuple((a, kind) for kind, acts in ACTIONS.get(service, {}).items() for a in acts
                     if not a.split(":", 1)[1].startswith("Describe"))
    families = DATA_ACTIONS[service]
    out = [(a, kind) for kind, acts in ACTIONS.get(service, {}).items() for a in acts
           if any(glob_match(f, a) for f in families)]
    listed = {a.lower() for a, _ in out}
    for family in families:
        concrete = family.replace("*", "")
        if not any(glob_match(family, a) for a in listed):
            out.append((concrete, _kind_by_name(concrete)))
    return tuple(out)


def kinds_granted(service: str, st: Statement) -> frozenset[str]:
    """Catalog actions (read, write, delete) a statement's Action/NotAction grants on a service."""
    out = set()
    for action, kind in data_actions(service):
        if st.not_actions:
            if not any(glob_match(p, action) for p in st.not_actions):
                out.add(kind)
        elif any(glob_match(p, action) for p in st.actions):
            out.add(kind)
    return frozenset(out)


def kinds_for(store: Store, st: Statement) -> frozenset[str]:
    return kinds_granted(SERVICE_OF[store.kind], st)


class Grants:
    """Every data grant in the deployment, per store."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        self._pattern_cache: dict[str, list[Store]] = {}
        self.by_store: dict[str, list[Grant]] = {}
        self.unreadable: list[Unreadable] = []
        self._identity()
        self._resource_policies()

    def of(self, store: Store) -> list[Grant]:
        return self.by_store.get(store.resource.urn, [])

    @cached_property
    def governed(self) -> list[Store]:
        return [s for s in self.ix.stores if s.kind in SERVICE_OF]

    def covered(self, pattern: str) -> list[Store]:
        """Stores (S3, DynamoDB) a Resource pattern covers: dictionary lookups for exact ARNs,
        a scan only for wildcard patterns, each pattern computed once."""
        hit = self._pattern_cache.get(pattern)
        if hit is not None:
            return hit
        key = _store_key(pattern)
        if key is not None and not is_wildcard(key[1]):
            # The store is named exactly; a wildcard after it (`bucket/*`) stays inside it.
            store = self.ix.store_by_key.get(key)
            out = [store] if store is not None and store.kind in SERVICE_OF and (
                store.arn is None or arn_covers(pattern, store.arn)) else []
        elif is_wildcard(pattern):
            out = [s for s in self.governed if s.arn and arn_covers(pattern, s.arn)]
        else:
            out = []
        self._pattern_cache[pattern] = out
        return out

    def _add(self, store: Store, st: Statement, via: Resource, role: RoleInfo | None,
             principal: Principal | None) -> None:
        kinds = kinds_for(store, st)
        if kinds:
            self.by_store.setdefault(store.resource.urn, []).append(
                Grant(store, kinds, st, via, role, principal)
            )

    def _concerned(self, via: Resource, prop: str) -> tuple[Store, ...]:
        """Stores an unreadable policy may concern: those it depends on, else every store."""
        deps = via.property_dependencies.get(prop, ())
        named = [self.ix.store_by_urn[u] for u in deps if u in self.ix.store_by_urn]
        return tuple(named) if deps else tuple(self.ix.bound)

    def _identity(self) -> None:
        for role in self.ix.roles:
            for src in role.policies:
                if src.statements is None:
                    self.unreadable.append(Unreadable(
                        src.via, f"the policy of role {role.name!r}",
                        self._concerned(src.via, "policy"), role))
                    continue
                for st in src.statements:
                    if not st.allow:
                        continue
                    stores: dict[str, Store] = {}
                    patterns = ("*",) if st.not_resources or not st.resources else st.resources
                    for pattern in patterns:
                        for s in self.covered(pattern):
                            stores[s.resource.urn] = s
                    for s in stores.values():
                        self._add(s, st, src.via, role, None)
            for arn in role.unresolved:
                self.unreadable.append(Unreadable(
                    role.resource, f"managed policy {arn} attached to role {role.name!r}",
                    tuple(self.ix.bound), role))

    def _resource_policies(self) -> None:
        for store in self.governed:
            for src in self.ix.resource_policies(store):
                if src.statements is None:
                    self.unreadable.append(Unreadable(
                        src.via, f"the resource policy of {store.resource.name!r}", (store,)))
                    continue
                for st in src.statements:
                    if not st.allow:
                        continue
                    for p in principals_of(st):
                        if not p.service:
                            self._add(store, st, src.via, None, p)


def _store_key(arn: str) -> tuple[str, str] | None:
    """("s3", bucket) or ("dynamodb", table) named by an exact ARN (or a path inside it)."""
    if arn.startswith("arn:aws:s3:::"):
        return ("s3", arn[len("arn:aws:s3:::"):].split("/", 1)[0])
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "dynamodb" and parts[5].startswith("table/"):
        return ("dynamodb", parts[5].split("/")[1])
    return None


def key_grants(ix: Index, key_urn: str) -> Iterable[tuple[Statement, Principal, Resource]]:
    """(statement, principal, policy holder) for every Allow in a key's policies."""
    for src in ix.key_policies.get(key_urn, ()):
        for st in src.statements or ():
            if st.allow:
                for p in principals_of(st):
                    yield st, p, src.via


__all__ = ["Grant", "Grants", "Unreadable", "collect_roles", "key_grants"]
