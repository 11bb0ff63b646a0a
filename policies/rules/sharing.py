"""Third-party sharing: no AWS account outside ours gets the data unless it is a recipient."""

from __future__ import annotations

from collections.abc import Iterator

from guardian.policies.rules._iam import key_grants
from guardian.policies.rules._index import Index, Store
from guardian.policies.rules._policy import has_unknown
from guardian.policies.rules.encryption import at_rest
from guardian.policies.rules.residency import replication_destinations

from guardian.findings import Context, Finding, Rule
from guardian.graph.model import Resource


def _foreign(ix: Index, s: Store) -> Iterator[tuple[str | None, str, Resource]]:
    """(account or None if unknown, how, holder) for every account a store is shared with."""
    for g in ix.grants.of(s):
        if g.principal is not None and g.principal.account:
            yield g.principal.account, f"its resource policy grants {g.principal.raw}", g.via
    key = at_rest(ix, s).key.key if s.kind in ("s3", "dynamodb", "rds", "rds-cluster", "efs",
                                                "ebs", "opensearch", "redshift") else None
    if key is not None:
        for _, p, via in key_grants(ix, key.urn):
            if p.account:
                yield p.account, f"key {key.name!r} grants {p.raw}", via
    if s.kind == "s3":
        for dest, holder in replication_destinations(ix, s):
            account = dest.get("account") or dest.get("accountId")
            if has_unknown(account):
                yield None, "a replication rule names an unknown account", holder
            elif account:
                yield str(account), f"replication to account {account}", holder


def _unlisted_account(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in ix.bound:
        assert s.dataset is not None
        recipients = {r.aws_account for r in s.dataset.recipients if r.aws_account}
        for account, how, via in _foreign(ix, s):
            if account is None:
                yield SHR_001.at(s, how, related=[via], unknown=True)
            elif account in ix.accounts or account in recipients:
                continue
            elif not ix.accounts:
                yield SHR_001.at(s, f"{how}; cannot tell offline whether account "
                                 f"{account} is ours", related=[via], unknown=True)
            else:
                yield SHR_001.at(s, f"{how}: account {account} is not among "
                                 f"{s.dataset.id}'s recipients", related=[via])


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
)

RULES: tuple[Rule, ...] = (SHR_001,)
