"""Third-party sharing: no AWS account outside ours gets the data unless it is a recipient."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from guardian.policies.rules._copies import copies
from guardian.policies.rules._iam import (
    ACCESS_POINT_TYPES,
    key_grants,
    kinds_granted,
    names_action,
    trusted,
)
from guardian.policies.rules._index import Index, RoleInfo, Store
from guardian.policies.rules._policy import Statement
from guardian.policies.rules.encryption import at_rest
from guardian.policies.rules.purpose import kinds_text

from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope
from guardian.graph.model import Resource


class _Path(NamedTuple):
    """One way an account reaches the data."""

    account: str | None  # None: an account unknown
    how: str
    via: Resource
    certain: bool = True  # False: cannot tell whether the path covers this store


def _foreign(ix: Index, s: Store) -> Iterator[_Path]:
    """Every path by which an account (ours or not) reaches the store's data."""
    roles: dict[str, tuple[RoleInfo, set[str], list[Resource]]] = {}
    for g in ix.grants.of(s):
        if g.principal is not None and g.principal.account:
            holder = (f"access point {g.via.name!r}" if g.via.type in ACCESS_POINT_TYPES
                      else "its resource policy")
            yield _Path(g.principal.account, f"{holder} grants {g.principal.raw}", g.via,
                        bool(g.kinds))
        if g.role is not None:
            _, kinds, vias = roles.setdefault(g.role.name, (g.role, set(), []))
            kinds |= g.kinds | g.maybe
            vias.append(g.via)
    for name, (role, kinds, _) in sorted(roles.items()):
        for t in trusted(ix, role):
            if t.account is None:
                yield _Path(None, f"role {name!r} may {kinds_text(kinds)} this data and its trust "
                            "policy is unknown", role.resource)
            elif t.account == "*" or t.account not in ix.accounts:
                who = "any AWS account" if t.account == "*" else f"account {t.account}"
                yield _Path(t.account, f"role {name!r} may {kinds_text(kinds)} this data and its "
                            f"trust policy lets {who} assume it", role.resource, t.certain)
    key = at_rest(ix, s).key.key if s.kind in ("s3", "dynamodb", "rds", "rds-cluster", "efs",
                                                "ebs", "opensearch", "redshift") else None
    if key is not None:
        for st, p, via in key_grants(ix, key.urn):
            if p.account and _decrypts(st):
                yield _Path(p.account, f"key {key.name!r} lets {p.raw} decrypt", via)
    for c in copies(ix).of(s):
        if c.account_unknown:
            yield _Path(None, f"{c.what} names an account unknown", c.via, c.certain)
        elif c.account:
            yield _Path(c.account, f"{c.what} is in account {c.account}", c.via, c.certain)
        if c.shared_unknown:
            yield _Path(None, f"{c.what} is shared with accounts unknown", c.via,
                        c.certain)
        for account in c.shared_with:
            if account != "all":  # public: GRD-PUB-005
                yield _Path(account, f"{c.what} is shared with account {account}", c.via,
                            c.certain)


# What lets an account read data under a key: decrypting (re-encryption decrypts first), or
# giving itself that right (a grant, a new key policy). Encrypting alone discloses nothing.
_DECRYPTING = ("kms:CreateGrant", "kms:PutKeyPolicy", "kms:ReEncryptFrom")


def _decrypts(st: Statement) -> bool:
    return "read" in kinds_granted("kms", st) or any(names_action(st, a) for a in _DECRYPTING)


def _unlisted_account(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in SHR_001.stores(ctx):
        assert s.dataset is not None
        recipients = {r.aws_account for r in s.dataset.recipients if r.aws_account}
        for path in _foreign(ix, s):
            account, how, via = path.account, path.how, [path.via]
            if account is None:
                yield SHR_001.at(s, how, related=via, unknown=True)
            elif account == "*":  # anyone: no recipient can be meant
                yield SHR_001.at(s, how, related=via, unknown=not path.certain)
            elif account in ix.accounts or account in recipients:
                continue
            elif not ix.accounts:
                yield SHR_001.at(s, f"{how}; cannot tell whether account {account} is "
                                 "ours", related=via, unknown=True)
            elif not path.certain:
                yield SHR_001.at(s, f"{how}, not among {s.dataset.id}'s recipients; cannot "
                                 "tell whether it covers this store", related=via,
                                 unknown=True)
            else:
                yield SHR_001.at(s, f"{how}: account {account} is not among "
                                 f"{s.dataset.id}'s recipients", related=via)


SHR_001 = Rule(
    "GRD-SHR-001", "third-party-sharing", "critical",
    "Data is shared only with accounts of declared recipients",
    "Granting another AWS account access is disclosure to a third party; the catalog's "
    "recipients (with their country and safeguard) are the ones the record of processing "
    "and the privacy notice tell people about.",
    "Remove the grant, or add the recipient (name, use, country, safeguard, aws_account) to "
    "the dataset.",
    ("GDPR Art. 28", "GDPR Art. 30(1)(d)", "GDPR Art. 13(1)(e)", "NIST AC-21", "NIST SA-9"),
    _unlisted_account,
    scope=Scope(stores=(EVERY_KIND,)),
)

RULES: tuple[Rule, ...] = (SHR_001,)
