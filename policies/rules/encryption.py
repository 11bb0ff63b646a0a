"""Encryption at rest (customer-managed keys, rotation, key separation) and in transit (TLS)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from guardian.policies.rules._index import Index, KeyRef, PolicyVerdict, Store
from guardian.policies.rules._policy import denies_insecure_transport, has_unknown

from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope
from guardian.graph.model import Resource

_BLOCK_STORAGE = ("rds", "rds-cluster", "efs", "ebs", "opensearch", "redshift")
# store kind -> (input saying "encrypted", its default, input naming the key). pulumi_aws 7
# types Redshift's `encrypted` as a string ("true"/"false"), defaulting to encrypted.
_ENCRYPTED_FLAG: dict[str, tuple[str, bool, str]] = {
    "rds": ("storageEncrypted", False, "kmsKeyId"),
    "rds-cluster": ("storageEncrypted", False, "kmsKeyId"),
    "efs": ("encrypted", False, "kmsKeyId"),
    "ebs": ("encrypted", False, "kmsKeyId"),
    "redshift": ("encrypted", True, "kmsKeyId"),
}


@dataclass
class AtRest:
    encrypted: bool | None  # None: unknown
    key: KeyRef
    related: list[Resource] = field(default_factory=list)


def _s3(ix: Index, s: Store) -> AtRest:
    """The least favourable of the bucket's encryption configurations: either may be the one
    in force."""
    defaults: list[tuple[Resource, str, Any]] = []
    for h in s.helper("sse"):
        rules = h.get("rules")
        for rule in rules if isinstance(rules, list) and rules else [rules]:
            by_default = rule.get("applyServerSideEncryptionByDefault") if isinstance(
                rule, dict) else rule
            defaults.append((h, "rules", by_default))
    inline = s.get("serverSideEncryptionConfiguration")
    if isinstance(inline, dict):
        rule = inline.get("rule")
        defaults.append((s.resource, "serverSideEncryptionConfiguration",
                         rule.get("applyServerSideEncryptionByDefault")
                         if isinstance(rule, dict) else rule))
    if not defaults:
        if ix.unattached.get("sse"):
            return AtRest(None, KeyRef("unknown", raw="an encryption configuration whose bucket "
                                       "could not be resolved"), ix.unattached["sse"])
        return AtRest(True, KeyRef("none", raw="SSE-S3 (the default)"))
    return min((_sse(ix, *d) for d in defaults), key=lambda a: _RANK[a.key.kind])


_RANK = {"none": 0, "aws": 1, "unknown": 2, "external": 3, "cmk": 3}


def _sse(ix: Index, holder: Resource, prop: str, by_default: Any) -> AtRest:
    related = [holder]
    if has_unknown(by_default) and not (isinstance(by_default, dict)
                                        and holder.property_dependencies.get(prop)):
        return AtRest(None, KeyRef("unknown", raw="an unknown encryption setting"), related)
    if not isinstance(by_default, dict):
        return AtRest(True, KeyRef("none", raw="SSE-S3"), related)
    algorithm = by_default.get("sseAlgorithm")
    if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
        key = by_default.get("kmsMasterKeyId")
        ref = ix.key_ref(holder, prop, key) if key else KeyRef("aws", raw="aws/s3")
        return AtRest(True, ref, related)
    if has_unknown(algorithm):
        return AtRest(None, KeyRef("unknown", raw="an unknown SSE algorithm"), related)
    return AtRest(True, KeyRef("none", raw=f"SSE {algorithm or 'AES256'}"), related)


def _dynamodb(ix: Index, s: Store) -> AtRest:
    sse = s.get("serverSideEncryption")
    if not isinstance(sse, dict) or sse.get("enabled") is not True:
        if has_unknown(sse):
            return AtRest(None, KeyRef("unknown", raw="an unknown encryption setting"))
        return AtRest(True, KeyRef("aws", raw="an AWS owned key (the default)"))
    key = sse.get("kmsKeyArn")
    return AtRest(True, ix.key_ref(s.resource, "serverSideEncryption", key) if key
                  else KeyRef("aws", raw="aws/dynamodb"))


def at_rest(ix: Index, s: Store) -> AtRest:
    """How the store is encrypted at rest, and under which key (computed once per store)."""
    cache: dict[str, AtRest] = ix.memo("at_rest", lambda _: {})
    hit = cache.get(s.resource.urn)
    if hit is None:
        hit = cache[s.resource.urn] = _at_rest(ix, s)
    return hit


def _as_bool(value: Any) -> Any:
    """A boolean the provider may type as a string ("true"/"false") as a bool; else as is."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _at_rest(ix: Index, s: Store) -> AtRest:
    if s.kind == "s3":
        return _s3(ix, s)
    if s.kind == "dynamodb":
        return _dynamodb(ix, s)
    if s.kind == "opensearch":
        opts = s.get("encryptAtRest")
        flag = opts.get("enabled") if isinstance(opts, dict) else None
        key_prop, key = "encryptAtRest", opts.get("kmsKeyId") if isinstance(opts, dict) else None
    else:
        name, default, key_prop = _ENCRYPTED_FLAG[s.kind]
        flag, key = _as_bool(s.get(name, default)), s.get(key_prop)
    if has_unknown(flag):
        return AtRest(None, KeyRef("unknown", raw="an unknown encryption flag"))
    if flag is not True:
        return AtRest(False, KeyRef("none"))
    return AtRest(True, ix.key_ref(s.resource, key_prop, key) if key
                  else KeyRef("aws", raw=f"the AWS managed key for {s.kind}"))


def _not_cmk(ctx: Context, rule: Rule) -> Iterator[Finding]:
    ix = ctx.index
    for s in rule.stores(ctx):
        assert s.dataset is not None
        if not s.dataset.sensitive:
            continue
        state = at_rest(ix, s)
        if state.encrypted is False:
            continue  # GRD-ENC-005 reports it
        related = state.related + ([state.key.key] if state.key.key else [])
        if state.key.kind == "unknown":
            yield rule.at(s, f"cannot tell which key encrypts this store: {state.key.raw}",
                          related=related, unknown=True)
        elif not state.key.customer_managed:
            yield rule.at(
                s,
                f"{s.dataset.classification} data encrypted with {state.key.raw}, not a "
                "customer-managed KMS key", related=related,
            )


def _enc_001(ctx: Context) -> Iterator[Finding]:
    return _not_cmk(ctx, ENC_001)


def _enc_004(ctx: Context) -> Iterator[Finding]:
    return _not_cmk(ctx, ENC_004)


def _keys(ctx: Context, rule: Rule) -> Iterator[tuple[Store, AtRest]]:
    ix = ctx.index
    for s in rule.stores(ctx):
        state = at_rest(ix, s)
        if state.key.customer_managed:
            yield s, state


def _rotation(ctx: Context) -> Iterator[Finding]:
    for s in ENC_002.stores(ctx):
        state = at_rest(ctx.index, s)
        if state.key.kind == "unknown" and state.encrypted is not False:
            yield ENC_002.at(s, f"cannot tell which key encrypts this store ({state.key.raw}), "
                             "nor whether it rotates", related=state.related, unknown=True)
    for s, state in _keys(ctx, ENC_002):
        key = state.key.key
        if key is None:
            yield ENC_002.at(s, f"key {state.key.raw} is not in this deployment; "
                             "cannot tell whether it rotates", related=state.related, unknown=True)
            continue
        rotation = key.get("enableKeyRotation")
        if has_unknown(rotation):
            yield ENC_002.at(s, f"rotation of key {key.name!r} is unknown",
                             related=[*state.related, key], unknown=True)
        elif rotation is not True:
            yield ENC_002.at(s, f"KMS key {key.name!r} does not rotate",
                             related=[*state.related, key])


def _shared_key(ctx: Context) -> Iterator[Finding]:
    users: dict[str, set[str]] = {}
    pairs = list(_keys(ctx, ENC_003))
    for s, state in pairs:
        users.setdefault(_key_id(state.key), set()).add(s.dataset.id)  # type: ignore[union-attr]
    for s, state in pairs:
        assert s.dataset is not None
        if s.dataset.classification != "restricted":
            continue
        others = sorted(users[_key_id(state.key)] - {s.dataset.id})
        if others:
            yield ENC_003.at(s,
                f"restricted data shares key {state.key.label!r} with {', '.join(others)}",
                related=[*state.related, *([state.key.key] if state.key.key else [])],
            )


def _key_id(key: KeyRef) -> str:
    return key.key.urn if key.key else str(key.raw)


def _unencrypted(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in ENC_005.stores(ctx):
        state = at_rest(ix, s)
        if state.encrypted is None:
            yield ENC_005.at(s, f"cannot tell whether storage is encrypted: "
                             f"{state.key.raw}", unknown=True)
        elif state.encrypted is False:
            yield ENC_005.at(s, f"{s.kind} storage encryption is off")


# --- in transit ------------------------------------------------------------------------


def enforces_tls(ix: Index, s: Store) -> PolicyVerdict:
    """Whether each policy of the bucket denies every action on it and its objects without
    TLS."""
    return ix.every_policy(s, lambda statements: bool(s.arn) and any(
        denies_insecure_transport(st, s.arn) for st in statements))


def _bucket_tls(ctx: Context) -> Iterator[Finding]:
    for s in TLS_001.stores(ctx):
        v = enforces_tls(ctx.index, s)
        if v.holds:
            continue
        if v.lacking and len(v.lacking) < len(v.sources):
            yield TLS_001.at(s, "a bucket policy lacks a statement denying every action on "
                             "the bucket and its objects when aws:SecureTransport is false",
                             related=v.lacking)
        elif v.holds is None:
            yield TLS_001.at(s, ("the bucket policy is unknown" if v.sources else
                                 "a bucket policy exists whose bucket could not be resolved")
                             + "; cannot tell whether it denies plain HTTP", related=v.unknown,
                             unknown=True)
        else:
            yield TLS_001.at(s,
                "no bucket policy statement denies every action on the bucket and its objects "
                "when aws:SecureTransport is false", related=v.sources,
            )


# store kind -> (input naming its parameter group, the group's type)
_PARAMETER_GROUPS: dict[str, tuple[str, str]] = {
    "rds": ("parameterGroupName", "aws:rds/parameterGroup:ParameterGroup"),
    "rds-cluster": ("dbClusterParameterGroupName",
                    "aws:rds/clusterParameterGroup:ClusterParameterGroup"),
    "redshift": ("clusterParameterGroupName", "aws:redshift/parameterGroup:ParameterGroup"),
}
_FORCE_TLS = {("rds.force_ssl", "1"), ("require_secure_transport", "1"),
              ("require_secure_transport", "on"), ("require_ssl", "true")}


def _forces_tls(group: Resource) -> bool | None:
    params = group.get("parameters") or []
    if has_unknown(params):
        return None
    for p in params:
        name, value = str(p.get("name", "")).lower(), str(p.get("value", "")).lower()
        if (name, value) in _FORCE_TLS:
            return True
    return False


def _default_forces_tls(s: Store) -> bool:
    """RDS for PostgreSQL 15 and later sets rds.force_ssl=1 in its default parameter group."""
    engine, version = str(s.get("engine") or ""), str(s.get("engineVersion") or "")
    major = version.split(".")[0]
    return "postgres" in engine and major.isdigit() and int(major) >= 15


def _https(s: Store) -> Iterator[Finding]:
    """OpenSearch: the domain endpoint enforces HTTPS (pulumi_aws 7 defaults it to true)."""
    options = s.get("domainEndpointOptions")
    flag = options.get("enforceHttps") if isinstance(options, dict) else options
    if has_unknown(flag):
        yield TLS_002.at(s, "domain_endpoint_options.enforce_https is unknown",
                         unknown=True)
    elif flag is False:
        yield TLS_002.at(s, "the domain endpoint accepts plain HTTP "
                         "(enforce_https is off)")


def _db_tls(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in TLS_002.stores(ctx):
        if s.kind == "opensearch":
            yield from _https(s)
            continue
        prop, typ = _PARAMETER_GROUPS[s.kind]
        group = ix.ref(s.resource, prop, (typ,))
        name = s.get(prop)
        if group is not None:
            forced = _forces_tls(group)
            if forced is None:
                yield TLS_002.at(s, f"parameters of {group.name!r} are unknown",
                                 related=[group], unknown=True)
            elif not forced:
                yield TLS_002.at(s, f"parameter group {group.name!r} does not force "
                                 "TLS (rds.force_ssl / require_secure_transport / require_ssl)",
                                 related=[group])
        elif name and not str(name).startswith("default.") and not has_unknown(name):
            yield TLS_002.at(s, f"parameter group {name!r} is not in this deployment; "
                             "cannot tell whether it forces TLS", unknown=True)
        elif has_unknown(name):
            yield TLS_002.at(s, "the parameter group is unknown", unknown=True)
        elif not _default_forces_tls(s):
            yield TLS_002.at(s, "the default parameter group of this engine does not "
                             "force TLS")


_REFS_AT_REST = ("GDPR Art. 32(1)(a)", "NIST SC-28(1)", "NIST SC-12")
ENC_001 = Rule(
    "GRD-ENC-001", "encryption-at-rest", "high",
    "Confidential and restricted data is encrypted under a customer-managed KMS key",
    "A customer-managed key puts decryption under the organisation's own key policy and audit "
    "trail, and lets it revoke access to the data by disabling one key.",
    "Encrypt the store with SSE-KMS (or the service's KMS option) and a KMS key you create.",
    (*_REFS_AT_REST, "CKV_AWS_145"), _enc_001,
    scope=Scope(stores=("s3", *_BLOCK_STORAGE)),
)
ENC_002 = Rule(
    "GRD-ENC-002", "encryption-at-rest", "medium",
    "KMS keys protecting personal data rotate",
    "Rotation bounds how much data one key version protects and is expected by most audits.",
    "Set enable_key_rotation=True on the aws.kms.Key.",
    (*_REFS_AT_REST, "CKV_AWS_7"), _rotation,
    scope=Scope(stores=(EVERY_KIND,)),
)
ENC_003 = Rule(
    "GRD-ENC-003", "encryption-at-rest", "medium",
    "Restricted data has a key of its own",
    "A key shared with other datasets means anyone allowed to decrypt those can decrypt this; "
    "separate keys keep the blast radius and the key policy to one dataset.",
    "Give the restricted dataset its own KMS key.",
    _REFS_AT_REST, _shared_key,
    scope=Scope(stores=(EVERY_KIND,)),
)
ENC_004 = Rule(
    "GRD-ENC-004", "encryption-at-rest", "high",
    "DynamoDB tables with confidential or restricted data use SSE under a CMK",
    "By default DynamoDB encrypts with an AWS owned key the organisation can neither audit nor "
    "revoke.",
    "Set server_side_encryption={'enabled': True, 'kms_key_arn': key.arn}.",
    (*_REFS_AT_REST, "CKV_AWS_119"), _enc_004,
    scope=Scope(stores=("dynamodb",)),
)
ENC_005 = Rule(
    "GRD-ENC-005", "encryption-at-rest", "high",
    "Database and volume storage encryption is on",
    "Unencrypted storage exposes personal data in snapshots, backups and retired media.",
    "Set storage_encrypted / encrypted (OpenSearch: encrypt_at_rest.enabled) to True with a "
    "KMS key.",
    (*_REFS_AT_REST, "CKV_AWS_16", "CKV_AWS_3", "CKV_AWS_42"), _unencrypted,
    scope=Scope(stores=_BLOCK_STORAGE),
)
TLS_001 = Rule(
    "GRD-TLS-001", "encryption-in-transit", "high",
    "Buckets refuse plain HTTP",
    "Without a policy denying aws:SecureTransport=false, S3 accepts unencrypted HTTP requests.",
    "Add a bucket policy statement: Effect Deny, Principal *, Action s3:*, Resource the bucket "
    "and its objects, Condition Bool aws:SecureTransport false.",
    ("GDPR Art. 32(1)(a)", "NIST SC-8(1)"), _bucket_tls,
    scope=Scope(stores=("s3",)),
)
TLS_002 = Rule(
    "GRD-TLS-002", "encryption-in-transit", "high",
    "Databases force TLS",
    "A database that accepts unencrypted connections lets credentials and rows cross the "
    "network in clear text.",
    "Use a parameter group with rds.force_ssl=1 (PostgreSQL, SQL Server), "
    "require_secure_transport=ON (MySQL, MariaDB) or require_ssl=true (Redshift); OpenSearch: "
    "domain_endpoint_options.enforce_https=True.",
    ("GDPR Art. 32(1)(a)", "NIST SC-8(1)", "CKV_AWS_83", "CKV_AWS_105"), _db_tls,
    scope=Scope(stores=("rds", "rds-cluster", "redshift", "opensearch")),
)

RULES: tuple[Rule, ...] = (ENC_001, ENC_002, ENC_003, ENC_004, ENC_005, TLS_001, TLS_002)
