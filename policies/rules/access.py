"""Access control: people need MFA to reach sensitive data; keys admit no anonymous caller."""

from __future__ import annotations

from collections.abc import Iterator

from guardian.policies.rules._index import KMS_KEY
from guardian.policies.rules._policy import Statement, caller_restriction, statements
from guardian.policies.rules.encryption import at_rest

from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope


def _requires_mfa(st: Statement) -> bool:
    return "true" in st.condition("Bool", "aws:MultiFactorAuthPresent") or bool(
        st.condition("NumericLessThan", "aws:MultiFactorAuthAge"))


def _human_mfa(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for ds in ctx.catalog.datasets:
        if not ds.sensitive:
            continue
        for acc in ds.access:
            info = ix.role_by_name.get(acc.role)
            if not acc.human or info is None:
                continue
            role = info.resource
            trust = statements(role.get("assumeRolePolicy"))
            if trust is None:
                yield ACC_001.finding(f"trust policy of human role {acc.role!r} is unknown; "
                                      "cannot tell whether it requires MFA", dataset=ds.id,
                                      resource=role, unknown=True)
                continue
            open_ = [st for st in trust if st.allow and any(
                k == "AWS" or k == "*" for k, _ in st.principals) and not _requires_mfa(st)]
            if open_:
                yield ACC_001.finding(f"human role {acc.role!r} can be assumed without "
                                      f"MFA, and reaches {ds.classification} data", dataset=ds.id,
                                      resource=role)


def _key_wildcard(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    used: dict[str, list] = {}
    for s in ACC_002.stores(ctx):
        state = at_rest(ix, s)
        if state.key.key is not None:
            used.setdefault(state.key.key.urn, []).append(s)
        elif state.key.kind == "unknown" and state.encrypted is not False:
            yield ACC_002.at(s, f"cannot tell which key encrypts this store ({state.key.raw}), "
                             "nor whom its policy admits", related=state.related, unknown=True)
    for key in ctx.graph.of_type(KMS_KEY):
        for src in ix.key_policies.get(key.urn, ()):
            if src.statements is None:
                bad, unknown = True, True
            else:
                verdicts = {caller_restriction(st) for st in src.statements
                            if st.allow and st.wildcard_principal}
                bad, unknown = bool(verdicts - {"restricted"}), "open" not in verdicts
            if not bad:
                continue
            message = (f"policy of key {key.name!r} is unknown, or allows '*' "
                       "under a condition Guardian cannot judge" if unknown else
                       f"policy of key {key.name!r} allows principal '*' with no condition "
                       "on the caller")
            stores = used.get(key.urn, [])
            for s in stores:
                yield ACC_002.at(s, message, related=[key, src.via], unknown=unknown)
            if not stores:
                yield ACC_002.finding(message, resource=key, related=[src.via], unknown=unknown)


ACC_001 = Rule(
    "GRD-ACC-001", "access-control", "high",
    "People reach confidential or restricted data only with MFA",
    "A phished password alone must not open sensitive personal data.",
    "Add Condition Bool aws:MultiFactorAuthPresent true to the role's trust policy.",
    ("GDPR Art. 32(1)(b)", "NIST IA-2(2)", "NIST AC-6"), _human_mfa,
)
ACC_002 = Rule(
    "GRD-ACC-002", "access-control", "critical",
    "KMS key policies name their principals",
    "A key policy allowing '*' lets any AWS principal that IAM does not stop use the key.",
    "Name the account (arn:aws:iam::<account>:root) or roles, or add a condition on the caller "
    "(kms:CallerAccount, aws:PrincipalOrgID).",
    ("GDPR Art. 32", "NIST AC-3", "NIST AC-6", "NIST SC-12", "CKV_AWS_33"), _key_wildcard,
    scope=Scope(stores=(EVERY_KIND,)),
)

RULES: tuple[Rule, ...] = (ACC_001, ACC_002)
