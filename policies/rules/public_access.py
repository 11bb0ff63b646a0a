"""Public access: buckets and databases that anyone on the internet could reach."""

from __future__ import annotations

from collections.abc import Iterator

from guardian.modules.controls import controls_for
from guardian.policies.data import service_actions
from guardian.policies.rules._copies import RDS_CLUSTER, copies
from guardian.policies.rules._index import Index
from guardian.policies.rules._policy import (
    Statement,
    caller_restriction,
    glob_match,
    has_unknown,
)

from guardian.catalog.model import Dataset
from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope
from guardian.graph.model import Resource

CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"

PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
# A dataset the catalog classifies for public reading may be read through a bucket policy, so
# these two may be off; public ACLs stay blocked and ignored whatever the class.
POLICY_FLAGS = ("blockPublicPolicy", "restrictPublicBuckets")
READ_LEVELS = ("Read", "List")
PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def _public_access_block(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in PUB_001.stores(ctx):
        blocks = s.helper("pab")
        if not blocks:
            if ix.unattached.get("pab"):
                yield PUB_001.at(s, "a public access block exists whose bucket could "
                                 "not be resolved", related=ix.unattached["pab"], unknown=True)
            else:
                yield PUB_001.at(s, "no public access block")
            continue
        assert s.dataset is not None
        needed = [f for f in PAB_FLAGS if not (_public_read(s.dataset) and f in POLICY_FLAGS)]
        # Two blocks for one bucket: either may be the one in force, so a flag off in any is off.
        off = [f for f in needed if any(b.get(f) is not True and not has_unknown(b.get(f))
                                        for b in blocks)]
        unknown = [b for b in blocks if any(has_unknown(b.get(f)) for f in needed)]
        if off:
            yield PUB_001.at(s, f"public access block leaves {', '.join(off)} off",
                             related=[b for b in blocks if any(b.get(f) is not True
                                                                for f in off)])
        elif unknown:
            yield PUB_001.at(s, "public access block settings are unknown",
                             related=unknown, unknown=True)


def _public_read(ds: Dataset) -> bool:
    return controls_for(ds.classification).public_read


def _reads_only(st: Statement) -> bool:
    """Every action the statement allows only reads or lists (AWS's access levels)."""
    if st.not_actions or not st.actions:
        return False
    for pattern in st.actions:
        service, _, verb = pattern.partition(":")
        if not verb:
            return False
        matched = [a for a in service_actions(service).values() if glob_match(pattern, a.name)]
        if not matched or any(a.access_level not in READ_LEVELS for a in matched):
            return False
    return True


def _grants_public(grants: object) -> bool:
    if not isinstance(grants, list):
        return False
    for g in grants:
        grantee = g.get("grantee", g) if isinstance(g, dict) else {}
        if isinstance(grantee, dict) and grantee.get("uri") in PUBLIC_GROUPS:
            return True
    return False


def _public_acl(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in PUB_002.stores(ctx):
        holders, unknown = [], list(ix.unattached.get("acl", ()))
        for h in [s.resource, *s.helper("acl")]:
            policy = h.get("accessControlPolicy")
            grants = h.get("grants") if h is s.resource else (
                policy.get("grants") if isinstance(policy, dict) else policy)
            if h.get("acl") in PUBLIC_ACLS or _grants_public(grants):
                holders.append(h)
            elif has_unknown(h.get("acl")) or has_unknown(grants):
                unknown.append(h)
        if not holders and unknown:
            yield PUB_002.at(s, "the bucket's ACL is unknown; cannot tell whether it "
                             "is public", related=unknown, unknown=True)
        if holders:
            acl = next((h.get("acl") for h in holders if h.get("acl") in PUBLIC_ACLS), None)
            what = f"canned ACL {acl!r}" if acl else "an ACL grant to AllUsers/AuthenticatedUsers"
            yield PUB_002.at(s, f"bucket has {what}", related=holders)


def _wildcard_policy(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in PUB_003.stores(ctx):
        for src in ix.resource_policies(s):
            if src.statements is None:
                yield PUB_003.at(s, "the bucket policy is unknown; cannot "
                                 "tell whether it allows anyone", related=[src.via], unknown=True)
                continue
            assert s.dataset is not None
            anyone = [st for st in src.statements if st.allow and st.wildcard_principal
                      and not (_public_read(s.dataset) and _reads_only(st))]
            open_ = [st for st in anyone if caller_restriction(st) == "open"]
            unsure = [st for st in anyone if caller_restriction(st) == "unknown"]
            if unsure and not open_:
                keys = sorted({k for st in unsure for k in st.condition_keys()})
                yield PUB_003.at(s, "bucket policy allows principal '*' under conditions "
                                 f"Guardian cannot judge ({', '.join(keys)}); only exact "
                                 "aws:SourceVpce, aws:SourceVpc, aws:PrincipalOrgID, "
                                 "aws:SourceAccount or aws:SourceArn values count as a "
                                 "restriction", related=[src.via], unknown=True)
            if open_:
                actions = sorted({a for st in open_ for a in st.actions})
                yield PUB_003.at(s,
                    f"bucket policy allows principal '*' ({', '.join(actions)}) with no "
                    "condition restricting the caller", related=[src.via],
                )


def _public_database(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in PUB_004.stores(ctx):
        if s.kind == "opensearch":
            vpc = s.get("vpcOptions")
            if has_unknown(vpc):
                yield PUB_004.at(s, "VPC options unknown", unknown=True)
            elif not (isinstance(vpc, dict) and vpc.get("subnetIds")):
                yield PUB_004.at(s, "domain has a public endpoint (no VPC options)")
            continue
        # An Aurora cluster answers on the endpoints of its instances.
        instances = ix.memo("cluster_instances", _cluster_instances).get(s.resource.urn, [])
        for h in [s.resource, *instances]:
            flag = h.get("publiclyAccessible")
            what = s.kind if h is s.resource else f"cluster instance {h.name!r}"
            if has_unknown(flag):
                yield PUB_004.at(s, f"publicly_accessible of {what} is unknown",
                                 related=[h], unknown=True)
            elif flag is True:
                yield PUB_004.at(s, f"{what} is publicly accessible", related=[h])


def _cluster_instances(ix: Index) -> dict[str, list[Resource]]:
    """Aurora cluster URN -> its cluster instances."""
    out: dict[str, list[Resource]] = {}
    for ci in ix.graph.of_type(CLUSTER_INSTANCE):
        for cluster in ix.refs(ci, "clusterIdentifier", (RDS_CLUSTER,)):
            out.setdefault(cluster.urn, []).append(ci)
    return out


def _public_snapshot(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    every = copies(ix)
    for s in PUB_005.stores(ctx):
        for c in every.of(s):
            if "all" in c.shared_with:
                yield PUB_005.at(s, f"{c.what} is shared with every AWS account ('all')",
                                 related=[c.via, *c.related])


PUB_001 = Rule(
    "GRD-PUB-001", "public-access", "high",
    "Buckets have a complete public access block",
    "The four public access block settings are the guard against a later ACL or policy "
    "change exposing the bucket; one left off reopens that door.",
    "Add aws.s3.BucketPublicAccessBlock with block_public_acls, block_public_policy, "
    "ignore_public_acls and restrict_public_buckets all True (for a dataset classified public, "
    "block_public_policy and restrict_public_buckets may be off).",
    ("GDPR Art. 32", "GDPR Art. 25(2)", "NIST AC-3", "CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54",
     "CKV_AWS_55", "CKV_AWS_56"), _public_access_block,
    scope=Scope(stores=("s3",)),
)
PUB_002 = Rule(
    "GRD-PUB-002", "public-access", "critical",
    "Buckets have no public ACL",
    "A public-read or authenticated-read ACL publishes the objects to the internet.",
    "Remove the ACL (use BucketOwnershipControls with BucketOwnerEnforced).",
    ("GDPR Art. 32", "NIST AC-3", "CKV_AWS_20"), _public_acl,
    scope=Scope(stores=("s3",)),
)
PUB_003 = Rule(
    "GRD-PUB-003", "public-access", "critical",
    "Bucket policies do not allow anyone",
    "An Allow to principal '*' with no condition on the caller grants the world access.",
    "Name the principals, or add a condition such as aws:SourceVpce or aws:PrincipalOrgID. "
    "Only a dataset classified public may be read by anyone, and only read (Read and List "
    "actions).",
    ("GDPR Art. 32", "NIST AC-3", "NIST AC-6", "CKV_AWS_70"), _wildcard_policy,
    scope=Scope(stores=("s3",)),
)
PUB_004 = Rule(
    "GRD-PUB-004", "public-access", "critical",
    "Databases are not publicly accessible",
    "A database with a public endpoint is one leaked password away from a breach.",
    "Set publicly_accessible=False (OpenSearch: place the domain in a VPC).",
    ("GDPR Art. 32", "NIST SC-7", "CKV_AWS_17", "CKV_AWS_87", "CKV_AWS_137"), _public_database,
    scope=Scope(stores=("rds", "rds-cluster", "redshift", "opensearch")),
)

PUB_005 = Rule(
    "GRD-PUB-005", "public-access", "critical",
    "Snapshots are not public",
    "A snapshot shared with 'all' can be restored by any AWS account: the whole database, "
    "to anyone.",
    "Remove 'all' from shared_accounts (and any create-volume permission for everyone); share "
    "with named accounts of declared recipients only.",
    ("GDPR Art. 32", "NIST AC-3", "NIST AC-21"), _public_snapshot,
    scope=Scope(stores=(EVERY_KIND,)),
)

RULES: tuple[Rule, ...] = (PUB_001, PUB_002, PUB_003, PUB_004, PUB_005)
