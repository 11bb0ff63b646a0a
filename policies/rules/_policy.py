"""IAM policy documents as data: statements, principals, conditions and ARN patterns.

Pure functions over the JSON that programs put in `policy` inputs (a string or a dict). A
document that is UNKNOWN offline parses to None, never to "no statements": the caller must say
it could not decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from guardian.graph.model import UNKNOWN


def has_unknown(value: Any) -> bool:
    """True when the value is, or contains, Pulumi's unknown sentinel."""
    if isinstance(value, str):
        return UNKNOWN in value
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_unknown(v) for v in value)
    return False


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v is not None)
    return (str(value),)


@dataclass(frozen=True)
class Statement:
    effect: str  # Allow | Deny
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    # (type, identifier): ("AWS", "arn:aws:iam::1:root"), ("Service", ...), ("*", "*")
    principals: tuple[tuple[str, str], ...] = ()
    has_principal: bool = False  # identity policies have none
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def wildcard_principal(self) -> bool:
        return any(ident == "*" for kind, ident in self.principals if kind in ("*", "AWS"))

    def condition_keys(self) -> set[str]:
        return {key.lower() for block in self.conditions.values() for key in block}

    def condition(self, operator_prefix: str, key: str) -> tuple[str, ...]:
        """Values of `key` under every operator starting with operator_prefix (case-insensitive)."""
        out: list[str] = []
        for op, block in self.conditions.items():
            if not op.lower().startswith(operator_prefix.lower()):
                continue
            for k, v in block.items():
                if k.lower() == key.lower():
                    out.extend(str(x).lower() for x in _strings(v))
        return tuple(out)


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    if isinstance(value, Mapping):
        return tuple((kind, ident) for kind, ids in value.items() for ident in _strings(ids))
    return ()


def statements(document: Any) -> tuple[Statement, ...] | None:
    """The statements of a policy document; None when it is unknown or unreadable."""
    if document is None or document == "":
        return ()
    if has_unknown(document):
        return None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if not isinstance(document, Mapping):
        return None
    raw = document.get("Statement", ())
    raw = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(raw, list):
        return None
    out = []
    for st in raw:
        if not isinstance(st, Mapping):
            return None
        conditions = st.get("Condition") or {}
        out.append(
            Statement(
                effect=str(st.get("Effect", "Allow")),
                actions=_strings(st.get("Action")),
                not_actions=_strings(st.get("NotAction")),
                resources=_strings(st.get("Resource")),
                not_resources=_strings(st.get("NotResource")),
                principals=_principals(st.get("Principal")),
                has_principal="Principal" in st,
                conditions=conditions if isinstance(conditions, Mapping) else {},
            )
        )
    return tuple(out)


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    """IAM wildcard matching: `*` any run of characters, `?` one; case-insensitive for actions."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def is_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def glob_match(pattern: str, value: str) -> bool:
    if not is_wildcard(pattern):
        return pattern.lower() == value.lower()
    return _glob(pattern).fullmatch(value) is not None


def arn_covers(pattern: str, arn: str) -> bool:
    """Whether a Resource pattern covers the resource with this ARN or anything inside it
    (a bucket's objects, a table's indexes)."""
    if pattern == "*" or pattern == arn or pattern.startswith(arn + "/"):
        return True
    if not is_wildcard(pattern):
        return False
    rx = _glob(pattern)
    return rx.fullmatch(arn) is not None or rx.fullmatch(arn + "/k") is not None


# Condition keys that narrow a "*" principal to known callers.
RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceVpce", "aws:SourceVpc", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount", "aws:PrincipalArn", "aws:SourceAccount", "aws:SourceArn",
        "aws:SourceOrgID", "aws:SourceIp", "aws:userid", "aws:username",
        "kms:CallerAccount", "kms:ViaService", "aws:ResourceAccount",
    )
)


def restricted(st: Statement) -> bool:
    """A statement narrowed by a condition on who or where the caller is."""
    return bool(st.condition_keys() & RESTRICTING_KEYS)


ACCOUNT_IN_ARN = re.compile(r"^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):(.*)$")


@dataclass(frozen=True)
class Principal:
    account: str | None  # 12 digits, None for "*" and services
    role: str | None  # role name for role / assumed-role ARNs
    raw: str
    service: bool = False
    wildcard: bool = False


def principals_of(st: Statement) -> Iterable[Principal]:
    for kind, ident in st.principals:
        if ident == "*":
            yield Principal(None, None, ident, wildcard=True)
        elif kind in ("Service", "Federated"):
            yield Principal(None, None, ident, service=True)
        elif kind in ("AWS", "CanonicalUser"):
            yield parse_principal(ident)


def parse_principal(ident: str) -> Principal:
    if ident.isdigit() and len(ident) == 12:
        return Principal(ident, None, ident)
    m = ACCOUNT_IN_ARN.match(ident)
    if not m:
        return Principal(None, None, ident)
    account, rest = m.groups()
    role = None
    if rest.startswith("role/"):
        role = rest.rsplit("/", 1)[-1]
    elif rest.startswith("assumed-role/"):
        role = rest.split("/")[1]
    return Principal(account, role, ident)


def arn_account(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" and parts[4].isdigit() else None
