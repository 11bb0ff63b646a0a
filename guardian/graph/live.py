"""A live AWS account -> ResourceGraph, in the shape the offline readers give.

Resources carry Pulumi type tokens and Pulumi wire-name properties (`bucket`, `rules`,
`applyServerSideEncryptionByDefault`, `enableKeyRotation`, ...), and an S3 bucket's settings
become the separate helper resources a Pulumi program declares (encryption, versioning, public
access block, lifecycle, policy, ACL, logging, ...), so the same rules run unchanged.

A call that is denied yields UNKNOWN in the value it would have filled, so the rule that reads
it reports an `unknown` finding instead of passing; a denied listing is a warning (nothing of
that kind can be seen). A setting that is absent (no policy, no lifecycle) is left out, as in a
program that does not declare it. AWS managed keys and service-linked roles are AWS's, not the
account's: they are not resources here, as they are not in a Pulumi program.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from guardian.aws import error_code, is_access_denied
from guardian.errors import UserError
from guardian.graph.model import UNKNOWN, Resource, ResourceGraph, Source

ClientFactory = Callable[[str, str | None], Any]  # (service, region) -> boto3 client
Progress = Callable[[str], None]

BUCKET = "aws:s3/bucket:Bucket"
S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_ACL = "aws:s3/bucketAcl:BucketAcl"
S3_LOGGING = "aws:s3/bucketLogging:BucketLogging"
S3_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
S3_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
S3_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
TABLE = "aws:dynamodb/table:Table"
TABLE_POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
DB = "aws:rds/instance:Instance"

PAB_FLAGS = {"BlockPublicAcls": "blockPublicAcls", "IgnorePublicAcls": "ignorePublicAcls",
             "BlockPublicPolicy": "blockPublicPolicy",
             "RestrictPublicBuckets": "restrictPublicBuckets"}


class Denied(Exception):
    """A call was refused; the value it would have given is UNKNOWN."""


def read_live(clients: ClientFactory, regions: Sequence[str], *,
              progress: Progress | None = None) -> tuple[ResourceGraph, list[str]]:
    """The account's S3, DynamoDB, KMS, RDS resources in `regions`, and its IAM roles and
    policies; with warnings about what could not be listed."""
    if not regions:
        raise UserError("--live needs a region: pass --region (repeatable) or set one in the "
                        "profile")
    # STS and IAM are asked through the first region: a client without one cannot sign, and
    # the region's partition (aws, aws-cn, aws-us-gov) picks their endpoint.
    reader = _Reader(clients, regions[0], progress or (lambda _msg: None))
    for region in dict.fromkeys(regions):
        reader.kms(region)  # first: stores name keys, and AWS managed ones are told apart
        reader.s3(region)
        reader.dynamodb(region)
        reader.rds(region)
    reader.iam()
    source = Source("live", f"aws://{reader.account}/{','.join(dict.fromkeys(regions))}")
    return ResourceGraph(reader.resources.values(), source), reader.warnings


def read_live_from_args(args: argparse.Namespace) -> ResourceGraph:
    """`guardian check --live`: the graph of the account the options name; warnings to stderr."""
    from guardian.aws import Clients, check_region, credentials_error

    regions = [check_region(r) for r in
               getattr(args, "region", None) or getattr(args, "regions", None) or []]
    clients = Clients(profile=getattr(args, "profile", None),
                      endpoint_url=getattr(args, "endpoint_url", None))
    if not regions and clients.default_region:
        regions = [check_region(clients.default_region, "the profile's region")]
    tty = sys.stderr.isatty()
    try:
        graph, warnings = read_live(
            clients, regions,
            progress=(lambda m: print(f"live: {m}", file=sys.stderr, flush=True)) if tty else None)
    except Exception as exc:
        user = credentials_error(exc)
        if user is None:
            raise
        raise user from None
    for w in warnings:
        print(f"guardian: warning: {w}", file=sys.stderr)
    return graph


def _partition(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _tags(tag_list: Any) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_list or ()}


def _json(doc: Any) -> str:
    """A policy document as Pulumi holds it: a JSON string."""
    return doc if isinstance(doc, str) else json.dumps(doc, sort_keys=True)


def _lower_first(key: str) -> str:
    return key.lower() if key.isupper() else key[:1].lower() + key[1:]  # ID -> id, URI -> uri


def _wire(value: Any) -> Any:
    """An AWS API structure with Pulumi's wire names: keys lowerCamelCase, values kept."""
    if isinstance(value, Mapping):
        return {_lower_first(k): _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


class _Reader:
    def __init__(self, clients: ClientFactory, home: str, progress: Progress) -> None:
        self.clients = clients
        self.home = home  # the region global services (STS, IAM) are called through
        self.progress = progress
        self.resources: dict[str, Resource] = {}
        self.warnings: list[str] = []
        self.aws_keys: set[str] = set()  # ARNs and ids of AWS managed keys
        self._buckets: dict[str, str | None] | None = None  # name -> region, listed once
        try:
            self.account = str(clients("sts", home).get_caller_identity()["Account"])
        except Exception as exc:  # noqa: BLE001 - only the account id in URNs depends on it
            if error_code(exc) is None:
                raise
            self.account = "unknown-account"

    # --- plumbing ------------------------------------------------------------------------

    def add(self, type_: str, name: str, region: str | None, props: dict[str, Any]) -> None:
        urn = f"urn:pulumi:live::{self.account}::{type_}::{name}"
        self.resources[urn] = Resource(urn=urn, type=type_, name=name, region=region,
                                       inputs=props)

    def call(self, fn: Callable[..., Any], absent: tuple[str, ...] = (), **kwargs: Any) -> Any:
        """fn's response; None when `absent` names its error; Denied when refused."""
        try:
            return fn(**kwargs)
        except Exception as exc:
            code = error_code(exc)
            if code is None:
                raise
            if code in absent:
                return None
            if is_access_denied(exc):
                raise Denied(code) from None
            raise

    def value(self, fn: Callable[..., Any], pick: Callable[[Any], Any],
              absent: tuple[str, ...] = (), **kwargs: Any) -> Any:
        """pick(response); None when absent; UNKNOWN when denied."""
        try:
            response = self.call(fn, absent, **kwargs)
        except Denied:
            return UNKNOWN
        return None if response is None else pick(response)

    def listing(self, what: str, pages: Callable[[], Iterator[Any]]) -> list[Any]:
        try:
            return list(pages())
        except Exception as exc:
            if not is_access_denied(exc):
                raise
            self.warnings.append(f"cannot list {what} ({error_code(exc)}): they are not checked")
            return []

    # --- KMS -----------------------------------------------------------------------------

    def kms(self, region: str) -> None:
        kms = self.clients("kms", region)
        keys = [k for page in self.listing(f"KMS keys in {region}",
                                           lambda: kms.get_paginator("list_keys").paginate())
                for k in page["Keys"]]
        self.progress(f"{region}: {len(keys)} KMS keys")
        for k in keys:
            meta = self.value(kms.describe_key, lambda r: r["KeyMetadata"], KeyId=k["KeyId"])
            if isinstance(meta, dict) and meta.get("KeyManager") == "AWS":
                self.aws_keys.update((k["KeyArn"], k["KeyId"]))
                continue
            if isinstance(meta, dict) and meta.get("KeyState") == "PendingDeletion":
                continue
            known = isinstance(meta, dict)
            meta = meta if known else {}
            props = {
                "arn": k["KeyArn"], "keyId": k["KeyId"], "id": k["KeyId"],
                "description": meta.get("Description", "") if known else UNKNOWN,
                "keyUsage": meta.get("KeyUsage") if known else UNKNOWN,
                "isEnabled": meta.get("Enabled") if known else UNKNOWN,
                "enableKeyRotation": self.value(
                    kms.get_key_rotation_status, lambda r: bool(r.get("KeyRotationEnabled")),
                    KeyId=k["KeyId"]),
                "policy": self.value(kms.get_key_policy, lambda r: _json(r["Policy"]),
                                     KeyId=k["KeyId"], PolicyName="default"),
                "tags": self.value(kms.list_resource_tags,
                                   lambda r: {t["TagKey"]: t["TagValue"] for t in r["Tags"]},
                                   KeyId=k["KeyId"]),
            }
            self.add(KEY, k["KeyId"], region, props)
        for page in self.listing(f"KMS aliases in {region}",
                                 lambda: kms.get_paginator("list_aliases").paginate()):
            for a in page["Aliases"]:
                if a["AliasName"].startswith("alias/aws/") or "TargetKeyId" not in a:
                    continue
                self.add(ALIAS, a["AliasName"], region, {
                    "name": a["AliasName"], "arn": a["AliasArn"], "targetKeyId": a["TargetKeyId"],
                })

    def _customer_key(self, key: Any) -> Any:
        """The key reference as a program would write it: AWS managed keys by their alias."""
        if isinstance(key, str) and (key in self.aws_keys or key.rsplit("/", 1)[-1] in
                                     self.aws_keys):
            return None
        return key

    # --- S3 ------------------------------------------------------------------------------

    def s3(self, region: str) -> None:
        """The buckets located in `region`; those whose location is denied go with the first
        region read, with no region (so the residency rule says it cannot tell)."""
        first = self._buckets is None
        if self._buckets is None:
            s3 = self.clients("s3", region)
            names = [b["Name"] for page in self.listing(
                "S3 buckets", lambda: s3.get_paginator("list_buckets").paginate())
                for b in page.get("Buckets", ())]
            self._buckets = {}
            for name in names:
                where = self.value(s3.get_bucket_location,
                                   lambda r: r.get("LocationConstraint") or "us-east-1",
                                   Bucket=name)
                self._buckets[name] = None if where == UNKNOWN else {"EU": "eu-west-1"}.get(
                    where, where)
        mine = [(n, w) for n, w in self._buckets.items() if w == region or (w is None and first)]
        self.progress(f"{region}: {len(mine)} S3 buckets")
        for name, where in mine:
            self._bucket(self.clients("s3", where or region), name, where)

    def _bucket(self, s3: Any, name: str, region: str | None) -> None:
        arn = f"arn:{_partition(region)}:s3:::{name}"
        tags = self.value(s3.get_bucket_tagging, lambda r: _tags(r["TagSet"]),
                          ("NoSuchTagSet",), Bucket=name)
        lock = self.value(s3.get_object_lock_configuration,
                          lambda r: r.get("ObjectLockConfiguration", {}),
                          ("ObjectLockConfigurationNotFoundError",), Bucket=name)
        props: dict[str, Any] = {"bucket": name, "arn": arn, "id": name,
                                 "region": region or UNKNOWN,
                                 "tags": tags if tags is not None else {}}
        if isinstance(lock, dict) and lock.get("ObjectLockEnabled") == "Enabled":
            props["objectLockEnabled"] = True
            if lock.get("Rule"):
                self.add(S3_OBJECT_LOCK, name, region, {
                    "bucket": name, "objectLockEnabled": "Enabled", "rule": _wire(lock["Rule"])})
        elif lock == UNKNOWN:
            props["objectLockEnabled"] = UNKNOWN
        self.add(BUCKET, name, region, props)

        sse = self.value(s3.get_bucket_encryption,
                         lambda r: r["ServerSideEncryptionConfiguration"]["Rules"],
                         ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=name)
        if sse == UNKNOWN:
            self.add(S3_SSE, name, region, {
                "bucket": name, "rules": [{"applyServerSideEncryptionByDefault": UNKNOWN}]})
        elif sse:
            rules = []
            for rule in sse:
                default = dict(rule.get("ApplyServerSideEncryptionByDefault") or {})
                key = self._customer_key(default.get("KMSMasterKeyID"))
                by_default = {"sseAlgorithm": default.get("SSEAlgorithm")}
                if key:
                    by_default["kmsMasterKeyId"] = key
                rules.append({"applyServerSideEncryptionByDefault": by_default,
                              "bucketKeyEnabled": bool(rule.get("BucketKeyEnabled"))})
            self.add(S3_SSE, name, region, {"bucket": name, "rules": rules})

        status = self.value(s3.get_bucket_versioning, lambda r: r.get("Status"), Bucket=name)
        if status:  # never enabled: no versioning resource, as in a program
            self.add(S3_VERSIONING, name, region, {
                "bucket": name, "versioningConfiguration": {"status": status}})

        pab = self.value(s3.get_public_access_block,
                         lambda r: r["PublicAccessBlockConfiguration"],
                         ("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
        if pab is not None:
            self.add(S3_PAB, name, region, {"bucket": name, **{
                wire: (UNKNOWN if pab == UNKNOWN else bool(pab.get(api)))
                for api, wire in PAB_FLAGS.items()}})

        lifecycle = self.value(s3.get_bucket_lifecycle_configuration, lambda r: r["Rules"],
                               ("NoSuchLifecycleConfiguration",), Bucket=name)
        if lifecycle == UNKNOWN:
            self.add(S3_LIFECYCLE, name, region, {"bucket": name, "rules": [{
                "status": "Enabled", "expiration": {"days": UNKNOWN},
                "noncurrentVersionExpiration": {"noncurrentDays": UNKNOWN}}]})
        elif lifecycle:
            self.add(S3_LIFECYCLE, name, region, {
                "bucket": name, "rules": [_lifecycle_rule(r) for r in lifecycle]})

        policy = self.value(s3.get_bucket_policy, lambda r: r["Policy"], ("NoSuchBucketPolicy",),
                            Bucket=name)
        if policy is not None:
            self.add(S3_POLICY, name, region, {"bucket": name, "policy": policy})

        acl = self.value(s3.get_bucket_acl, lambda r: r, Bucket=name)
        if acl is not None:
            self.add(S3_ACL, name, region, {"bucket": name, "accessControlPolicy": UNKNOWN
                                            if acl == UNKNOWN else {
                                                "grants": _wire(acl.get("Grants", [])),
                                                "owner": _wire(acl.get("Owner", {}))}})

        logging = self.value(s3.get_bucket_logging, lambda r: r.get("LoggingEnabled"),
                             Bucket=name)
        if logging == UNKNOWN:
            self.add(S3_LOGGING, name, region, {"bucket": name, "targetBucket": UNKNOWN})
        elif logging:
            self.add(S3_LOGGING, name, region, {
                "bucket": name, "targetBucket": logging.get("TargetBucket"),
                "targetPrefix": logging.get("TargetPrefix", "")})

        ownership = self.value(s3.get_bucket_ownership_controls,
                               lambda r: r["OwnershipControls"]["Rules"][0],
                               ("OwnershipControlsNotFoundError",), Bucket=name)
        if ownership is not None:
            self.add(S3_OWNERSHIP, name, region, {"bucket": name, "rule": UNKNOWN
                                                  if ownership == UNKNOWN else _wire(ownership)})

        replication = self.value(s3.get_bucket_replication,
                                 lambda r: r["ReplicationConfiguration"],
                                 ("ReplicationConfigurationNotFoundError",), Bucket=name)
        if replication is not None:
            self.add(S3_REPLICATION, name, region, {"bucket": name, "rules": [
                {"status": UNKNOWN, "destination": UNKNOWN}] if replication == UNKNOWN else [
                _wire(r) for r in replication.get("Rules", ())]})

    # --- DynamoDB ------------------------------------------------------------------------

    def dynamodb(self, region: str) -> None:
        ddb = self.clients("dynamodb", region)
        names = [n for page in self.listing(
            f"DynamoDB tables in {region}",
            lambda: ddb.get_paginator("list_tables").paginate()) for n in page["TableNames"]]
        self.progress(f"{region}: {len(names)} DynamoDB tables")
        for name in names:
            self._table(ddb, name, region)

    def _table(self, ddb: Any, name: str, region: str) -> None:
        desc = self.value(ddb.describe_table, lambda r: r["Table"], TableName=name)
        if desc == UNKNOWN:
            self.add(TABLE, name, region, {
                "name": name, "tags": UNKNOWN, "serverSideEncryption": UNKNOWN,
                "pointInTimeRecovery": UNKNOWN, "ttl": UNKNOWN})
            return
        arn = desc["TableArn"]
        sse = desc.get("SSEDescription") or {}
        if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING"):
            key = self._customer_key(sse.get("KMSMasterKeyArn"))
            server_side: Any = {"enabled": True, **({"kmsKeyArn": key} if key else {})}
        else:
            server_side = {"enabled": False}
        pitr = self.value(ddb.describe_continuous_backups,
                          lambda r: r["ContinuousBackupsDescription"].get(
                              "PointInTimeRecoveryDescription", {}), TableName=name)
        ttl = self.value(ddb.describe_time_to_live, lambda r: r["TimeToLiveDescription"],
                         TableName=name)
        tags = self.value(ddb.list_tags_of_resource, lambda r: _tags(r.get("Tags")),
                          ResourceArn=arn)
        keys = {k["KeyType"]: k["AttributeName"] for k in desc["KeySchema"]}
        stream = desc.get("StreamSpecification") or {}
        props: dict[str, Any] = {
            "name": name, "arn": arn, "id": name,
            "hashKey": keys.get("HASH"), "rangeKey": keys.get("RANGE"),
            "attributes": [{"name": a["AttributeName"], "type": a["AttributeType"]}
                           for a in desc.get("AttributeDefinitions", ())],
            "billingMode": (desc.get("BillingModeSummary") or {}).get("BillingMode",
                                                                      "PROVISIONED"),
            "globalSecondaryIndexes": [
                {"name": i["IndexName"],
                 "hashKey": next(k["AttributeName"] for k in i["KeySchema"]
                                 if k["KeyType"] == "HASH"),
                 "projectionType": i.get("Projection", {}).get("ProjectionType")}
                for i in desc.get("GlobalSecondaryIndexes", ())],
            "serverSideEncryption": server_side,
            "pointInTimeRecovery": UNKNOWN if pitr == UNKNOWN else {
                "enabled": (pitr or {}).get("PointInTimeRecoveryStatus") == "ENABLED"},
            "ttl": UNKNOWN if ttl == UNKNOWN else {
                "attributeName": (ttl or {}).get("AttributeName", ""),
                "enabled": (ttl or {}).get("TimeToLiveStatus") in ("ENABLED", "ENABLING")},
            "streamEnabled": bool(stream.get("StreamEnabled")),
            "replicas": [{"regionName": r.get("RegionName")} for r in desc.get("Replicas", ())],
            "tags": tags if tags is not None else {},
        }
        self.add(TABLE, name, region, props)
        policy = self.value(ddb.get_resource_policy, lambda r: r.get("Policy"),
                            ("PolicyNotFoundException", "ResourceNotFoundException"),
                            ResourceArn=arn)
        if policy is not None:
            self.add(TABLE_POLICY, name, region, {"resourceArn": arn, "policy": policy})

    # --- RDS -----------------------------------------------------------------------------

    def rds(self, region: str) -> None:
        rds = self.clients("rds", region)
        dbs = [d for page in self.listing(
            f"RDS instances in {region}",
            lambda: rds.get_paginator("describe_db_instances").paginate())
            for d in page["DBInstances"]]
        self.progress(f"{region}: {len(dbs)} RDS instances")
        for d in dbs:
            name = d["DBInstanceIdentifier"]
            self.add(DB, name, region, {
                "identifier": name, "arn": d.get("DBInstanceArn"), "id": name,
                "engine": d.get("Engine"), "engineVersion": d.get("EngineVersion"),
                "instanceClass": d.get("DBInstanceClass"),
                "storageEncrypted": bool(d.get("StorageEncrypted")),
                "kmsKeyId": self._customer_key(d.get("KmsKeyId")),
                "publiclyAccessible": bool(d.get("PubliclyAccessible")),
                "parameterGroupName": next((g["DBParameterGroupName"] for g in
                                            d.get("DBParameterGroups", ())), None),
                "dbSubnetGroupName": (d.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
                "vpcSecurityGroupIds": [g["VpcSecurityGroupId"] for g in
                                        d.get("VpcSecurityGroups", ())],
                "backupRetentionPeriod": d.get("BackupRetentionPeriod"),
                "multiAz": bool(d.get("MultiAZ")),
                "tags": _tags(d.get("TagList")),
            })

    # --- IAM (global) --------------------------------------------------------------------

    def iam(self) -> None:
        iam = self.clients("iam", self.home)
        for page in self.listing("customer managed IAM policies", lambda: iam.get_paginator(
                "list_policies").paginate(Scope="Local")):
            for p in page["Policies"]:
                document = self.value(iam.get_policy_version,
                                      lambda r: _json(r["PolicyVersion"]["Document"]),
                                      PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
                self.add(POLICY, p["PolicyName"], None, {
                    "name": p["PolicyName"], "arn": p["Arn"], "id": p["Arn"],
                    "path": p.get("Path", "/"), "policy": document})
        roles = [r for page in self.listing("IAM roles", lambda: iam.get_paginator(
            "list_roles").paginate()) for r in page["Roles"]
            if not r.get("Path", "/").startswith("/aws-service-role/")]
        self.progress(f"{len(roles)} IAM roles")
        for r in roles:
            self._role(iam, r)

    def _role(self, iam: Any, r: dict[str, Any]) -> None:
        name = r["RoleName"]
        tags = self.value(iam.list_role_tags, lambda x: _tags(x.get("Tags")), RoleName=name)
        self.add(ROLE, name, None, {
            "name": name, "arn": r["Arn"], "id": name, "path": r.get("Path", "/"),
            "assumeRolePolicy": _json(r.get("AssumeRolePolicyDocument", {})),
            "tags": tags if tags is not None else {},
        })
        try:
            inline = [n for page in self.call(lambda: list(iam.get_paginator(
                "list_role_policies").paginate(RoleName=name))) for n in page["PolicyNames"]]
        except Denied:
            self.add(ROLE_POLICY, f"{name}/{UNKNOWN}", None,
                     {"name": UNKNOWN, "role": name, "policy": UNKNOWN})
            inline = []
        for policy_name in inline:
            document = self.value(iam.get_role_policy, lambda x: _json(x["PolicyDocument"]),
                                  RoleName=name, PolicyName=policy_name)
            self.add(ROLE_POLICY, f"{name}/{policy_name}", None,
                     {"name": policy_name, "role": name, "policy": document})
        try:
            attached = [p["PolicyArn"] for page in self.call(lambda: list(iam.get_paginator(
                "list_attached_role_policies").paginate(RoleName=name)))
                for p in page["AttachedPolicies"]]
        except Denied:
            attached = [UNKNOWN]
        for arn in attached:
            self.add(ATTACHMENT, f"{name}/{arn.rsplit('/', 1)[-1]}", None,
                     {"role": name, "policyArn": arn})


def _lifecycle_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """One S3 lifecycle rule in BucketLifecycleConfiguration's shape."""
    out = _wire(dict(rule))
    out.pop("iD", None)
    if "ID" in rule:
        out["id"] = rule["ID"]
    nce = rule.get("NoncurrentVersionExpiration")
    if isinstance(nce, Mapping):
        out["noncurrentVersionExpiration"] = {
            "noncurrentDays": nce.get("NoncurrentDays"),
            **({"newerNoncurrentVersions": nce["NewerNoncurrentVersions"]}
               if "NewerNoncurrentVersions" in nce else {})}
    flt = rule.get("Filter")
    if isinstance(flt, Mapping) and "Prefix" in flt:
        out["filter"] = {"prefix": flt["Prefix"]}
    return out
