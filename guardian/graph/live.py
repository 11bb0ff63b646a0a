"""A live AWS account -> ResourceGraph, in the shape the offline readers give.

Resources carry Pulumi type tokens and Pulumi wire-name properties (`bucket`, `rules`,
`applyServerSideEncryptionByDefault`, `enableKeyRotation`, ...), and an S3 bucket's settings
become the separate helper resources a Pulumi program declares (encryption, versioning, public
access block, lifecycle, policy, ACL, logging, ...), so the same rules run unchanged. Besides
storage, KMS and IAM it reads what the network and breach rules need: VPCs, subnets, route
tables and their associations, internet gateways, security groups, flow logs, VPC endpoints,
RDS subnet and parameter groups, SNS topics and subscriptions, EventBridge rules and targets,
CloudWatch alarms, CloudTrail trails with their event selectors, GuardDuty detectors and AWS
Backup vaults, plans and selections.

Every read is accounted for. A call that fails (denied, throttled or failing past botocore's
retries, a dropped connection) makes the value it would have filled UNKNOWN, so the rule that
reads it reports `unknown`, and is recorded as a `ReadGap` naming the call and the error code;
a listing that fails is a gap for the whole kind in that region. A successful answer lacking a
field the reader takes from it (or holding it with another type) is its call's failure too,
`MalformedResponse`: every answer is taken apart in one place, `guardian.aws.taken`. After
three failed calls in a row to one service in one region the rest of them are not attempted
(recorded as gaps too), so an outage costs a bounded time. When nothing at all could be read,
it is exit 2 naming the first failed call. A setting that is absent (no policy, no lifecycle)
is left out, as in a program that does not declare it. What AWS creates by itself (AWS managed keys,
service-linked roles, default VPCs, `default.*` parameter groups) is not a resource here, as it
is not in a Pulumi program.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from guardian.aws import (
    ACCESS_DENIED,
    Unread,
    failure_code,
    is_access_denied,
    partition,
    taken,
)
from guardian.errors import UserError
from guardian.graph.model import UNKNOWN, ReadGap, Resource, ResourceGraph, Source

if TYPE_CHECKING:
    from guardian.aws import Clients

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
DB_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
DB_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
IGW = "aws:ec2/internetGateway:InternetGateway"
SG = "aws:ec2/securityGroup:SecurityGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TRAIL = "aws:cloudtrail/trail:Trail"
DETECTOR = "aws:guardduty/detector:Detector"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_SELECTION = "aws:backup/selection:Selection"

PAB_FLAGS = {"BlockPublicAcls": "blockPublicAcls", "IgnorePublicAcls": "ignorePublicAcls",
             "BlockPublicPolicy": "blockPublicPolicy",
             "RestrictPublicBuckets": "restrictPublicBuckets"}
# CloudTrail's advanced field selectors, API name -> Pulumi wire name
FIELD_OPERATORS = {"Field": "field", "Equals": "equals", "NotEquals": "notEquals",
                   "StartsWith": "startsWiths", "NotStartsWith": "notStartsWiths",
                   "EndsWith": "endsWiths", "NotEndsWith": "notEndsWiths"}

# A route's API names -> the inline `routes` wire names of RouteTable
ROUTE_FIELDS = {"DestinationCidrBlock": "cidrBlock", "DestinationIpv6CidrBlock": "ipv6CidrBlock",
                "DestinationPrefixListId": "destinationPrefixListId"}
# What cannot be checked when a listing fails: the controls over what it lists.
STORE_CONTROLS = ("inventory", "encryption-at-rest", "encryption-in-transit", "public-access",
                  "retention", "residency", "purpose-limitation", "third-party-sharing",
                  "network-segmentation", "breach-detection")
NETWORK = ("network-segmentation",)
BREACH = ("breach-detection",)
IAM_PREFIX = {"monitoring": "cloudwatch"}  # signing names that are not the IAM prefix
LIVE_ATTEMPTS = 4  # per call, with adaptive client-side rate limiting once AWS throttles
FAILURE_BUDGET = 3  # failed calls in a row to one service in one region before giving up on it


def read_live(clients: ClientFactory, regions: Sequence[str], *, allow_partial: bool = False,
              progress: Progress | None = None) -> ResourceGraph:
    """The account's resources in `regions`, and its IAM roles and policies, with every read
    that failed as a gap. UserError when nothing at all could be read."""
    if not regions:
        raise UserError("--live needs a region: pass --region (repeatable) or set one in the "
                        "profile")
    regions = list(dict.fromkeys(regions))
    # STS and IAM are asked through the first region: a client without one cannot sign, and
    # the region's partition (aws, aws-cn, aws-us-gov) picks their endpoint.
    reader = _Reader(clients, regions[0], progress or (lambda _msg: None), allow_partial)
    for region in regions:
        reader.kms(region)  # first: stores name keys, and AWS managed ones are told apart
        reader.s3(region)
        reader.dynamodb(region)
        reader.network(region)
        reader.rds(region)
        reader.breach(region)
        reader.backup(region)
    reader.iam()
    if not reader.reads and reader.gaps:
        first = reader.gaps[0]
        raise UserError(f"nothing could be read from AWS: the first call, {first.call}, failed "
                        f"with {first.code} (and {len(reader.gaps) - 1} more after it)")
    source = Source("live", f"aws://{reader.account}/{','.join(regions)}",
                    accounts=(reader.account,) if reader.known_account else ())
    return ResourceGraph(reader.resources.values(), source, reader.gaps)


def live_clients(args: argparse.Namespace) -> Clients:
    """The clients a live audit reads with: the options' profile and endpoint, adaptive
    retries, bounded timeouts."""
    from guardian.aws import Clients

    return Clients(profile=getattr(args, "profile", None),
                   endpoint_url=getattr(args, "endpoint_url", None), retry_mode="adaptive",
                   max_attempts=LIVE_ATTEMPTS, read_timeout=20)


def read_live_from_args(args: argparse.Namespace) -> ResourceGraph:
    """`guardian check --live`: the graph of the account the options name (every account of
    an organisation with --organization or --accounts)."""
    from guardian.aws import check_region, credentials_error

    if getattr(args, "source", None) == "aws-config":
        from guardian.graph.aws_config import read_aggregator_from_args

        return read_aggregator_from_args(args)
    if getattr(args, "aggregator", None):
        raise UserError("--aggregator applies to --source aws-config")
    if getattr(args, "organization", False) or getattr(args, "accounts", None):
        from guardian.graph.organization import read_organization_from_args

        return read_organization_from_args(args)
    for option in ("assume_role", "external_id"):
        if getattr(args, option, None):
            raise UserError(f"--{option.replace('_', '-')} applies to --organization or "
                            "--accounts")
    regions = [check_region(r) for r in
               getattr(args, "region", None) or getattr(args, "regions", None) or []]
    clients = live_clients(args)
    if not regions and clients.default_region:
        regions = [check_region(clients.default_region, "the profile's region")]
    tty = sys.stderr.isatty()
    try:
        return read_live(
            clients, regions, allow_partial=bool(getattr(args, "allow_partial", False)),
            progress=(lambda m: print(f"live: {m}", file=sys.stderr, flush=True)) if tty else None)
    except Exception as exc:
        user = credentials_error(exc)
        if user is None:
            raise
        raise user from None


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


def _named(item: Mapping[str, Any], ident: str) -> str:
    """An EC2 object's name as a program gives it: its Name tag, else its id."""
    return _tags(item.get("Tags")).get("Name") or ident


def _unread(exc: BaseException, call: str, code: str) -> Unread:
    """The Unread of a call that failed: its own, or the one raised while signing it (the
    renewal of an assumed role's credentials, sts:AssumeRole)."""
    return exc if isinstance(exc, Unread) else Unread(call, code)


def _named_by(item: Any, *ids: str) -> Any:
    """`item` when each of `ids` is a string in it (or, with no ids, it is a string itself):
    what the reader names it by. TypeError or KeyError otherwise."""
    for ident in [item[i] for i in ids] if ids else [item]:
        if not isinstance(ident, str):
            raise TypeError(f"{ident!r} is not a string")
    return item


def _record(item: Any, *fields: str) -> Mapping[str, Any]:
    """`item` when it is a mapping holding `fields`. TypeError or KeyError otherwise."""
    if not isinstance(item, Mapping):
        raise TypeError(f"{item!r} is not a structure")
    for f in fields:
        item[f]
    return item


def call_name(client: Any, method: str) -> str:
    """`s3:GetBucketAcl` for (an S3 client, "get_bucket_acl")."""
    meta = getattr(client, "meta", None)
    try:
        operation = meta.method_to_api_mapping[method]  # type: ignore[union-attr]
        prefix = meta.service_model.signing_name  # type: ignore[union-attr]
    except (AttributeError, KeyError):
        return method
    return f"{IAM_PREFIX.get(prefix, prefix)}:{operation}"


class _Reader:
    def __init__(self, clients: ClientFactory, home: str, progress: Progress,
                 allow_partial: bool) -> None:
        self.clients = clients
        self.home = home  # the region global services (STS, IAM) are called through
        self.progress = progress
        self.allow_partial = allow_partial
        self.resources: dict[str, Resource] = {}
        self.gaps: list[ReadGap] = []
        self.reads = 0  # calls answered (STS aside): zero means nothing could be read
        self.failures: dict[tuple[str, str | None], int] = {}  # consecutive, by service/region
        self.outages = 0  # failed calls that were not refusals
        self.aws_keys: set[str] = set()  # ARNs and ids of AWS managed keys
        self.unknown_keys: set[str] = set()  # keys whose manager could not be read
        self._buckets: dict[str, str | None] | None = None  # name -> region, listed once
        try:
            sts = clients("sts", home)
            self.account = self.call(sts, "get_caller_identity", count=False,
                                     pick=lambda r: _named_by(r, "Account")["Account"])
        except Unread as exc:  # only the account id in URNs depends on it
            self.gaps.append(ReadGap(exc.call, exc.code, "the account id", home))
            self.account = "unknown-account"
        self.known_account = self.account != "unknown-account"

    # --- plumbing ------------------------------------------------------------------------

    def add(self, type_: str, name: str, region: str | None, props: dict[str, Any]) -> str:
        urn = self._urn(type_, name, region)
        self.resources[urn] = Resource(urn=urn, type=type_, name=name, region=region,
                                       inputs=props,
                                       account=self.account if self.known_account else None)
        return urn

    def _urn(self, type_: str, name: str, region: str | None) -> str:
        """The region stands where a stack would: names repeat across regions, URNs do not."""
        return f"urn:pulumi:{region or 'global'}::{self.account}::{type_}::{name}"

    @staticmethod
    def _service(client: Any, call: str) -> tuple[str, str | None]:
        """What the failure budget counts by: the service and the client's region."""
        return call.split(":")[0], getattr(getattr(client, "meta", None), "region_name", None)

    def call(self, client: Any, method: str, absent: tuple[str, ...] = (), *,
             pick: Callable[[Any], Any] = lambda r: r, count: bool = True,
             **kwargs: Any) -> Any:
        """pick(the response); None when `absent` names its error code; Unread when it failed,
        or when its answer lacks what `pick` takes from it."""
        name = call_name(client, method)
        key = self._service(client, name)
        if self.failures.get(key, 0) >= FAILURE_BUDGET:
            raise Unread(name, "NotAttempted")  # after repeated failures: a bounded outage
        try:
            response = getattr(client, method)(**kwargs)
        except Exception as exc:
            code = failure_code(exc)
            if code is None:
                raise
            if code in absent and not isinstance(exc, Unread):  # not a renewal's
                self.reads += count
                self.failures[key] = 0
                return None
            failed = _unread(exc, name, code)
            self._failed(key, failed, exc)
            raise failed from None
        self.reads += count
        self.failures[key] = 0
        return taken(name, pick, response)

    def _failed(self, key: tuple[str, str | None], failed: Unread, exc: BaseException) -> None:
        """Count an outage's failures (a refusal is quick and says nothing of one); when the
        first calls all fail that way, nothing can be read: exit 2 now, not after every
        service's retries."""
        if is_access_denied(exc) or failed.code in ACCESS_DENIED or \
                getattr(exc, "not_an_outage", False):
            return  # a refusal (a renewal's too), or a value a source lacks (a Config item's)
        self.failures[key] = self.failures.get(key, 0) + 1
        self.outages += 1
        if not self.reads and self.outages >= FAILURE_BUDGET:
            raise UserError(f"nothing could be read from AWS: {self.outages} calls in a row "
                            f"failed, the last {failed.call} with {failed.code}; is the "
                            "endpoint reachable?")

    def value(self, client: Any, method: str, pick: Callable[[Any], Any], what: str,
              region: str | None, absent: tuple[str, ...] = (), urn: str | None = None,
              **kwargs: Any) -> Any:
        """pick(response); None when absent; UNKNOWN when the call failed or its answer
        lacked what `pick` takes (a gap)."""
        try:
            return self.call(client, method, absent, pick=pick, **kwargs)
        except Unread as exc:
            self.gaps.append(ReadGap(exc.call, exc.code, what, region, urn))
            return UNKNOWN

    def listing(self, client: Any, method: str, key: str, what: str, region: str | None,
                controls: tuple[str, ...], ids: tuple[str, ...] = (),
                **kwargs: Any) -> list[Any]:
        """Every item of a paginated listing, each holding the string fields `ids` (each a
        string itself when there are none); [] and a gap for the kind when it fails or an
        item lacks them."""
        name = call_name(client, method)

        def pick(pages: list[Any]) -> list[Any]:
            return [_named_by(i, *ids) for page in pages for i in page.get(key) or ()]

        try:
            if client.can_paginate(method):
                pages = client.get_paginator(method).paginate(**kwargs)
                items = taken(name, pick, list(self._pages(client, name, pages)))
            else:
                items = self.call(client, method, pick=lambda r: pick([r]), **kwargs)
        except Unread as exc:
            self.gaps.append(ReadGap(exc.call, exc.code, what, region, listing=True,
                                     controls=controls, allowed=self.allow_partial))
            return []
        self.progress(f"{region or 'global'}: {len(items)} {what}")
        return items

    def _pages(self, client: Any, name: str, pages: Any) -> Iterator[Any]:
        """The pages of a paginator, each page a call: counted, budgeted, failures as Unread."""
        key = self._service(client, name)
        it = iter(pages)
        while True:
            if self.failures.get(key, 0) >= FAILURE_BUDGET:
                raise Unread(name, "NotAttempted")
            try:
                page = next(it)
            except StopIteration:
                return
            except Exception as exc:
                code = failure_code(exc)
                if code is None:
                    raise
                failed = _unread(exc, name, code)
                self._failed(key, failed, exc)
                raise failed from None
            self.reads += 1
            self.failures[key] = 0
            yield page

    # --- KMS -----------------------------------------------------------------------------

    def kms(self, region: str) -> None:
        kms = self.clients("kms", region)
        keys = self.listing(kms, "list_keys", "Keys", "KMS keys", region,
                            ("encryption-at-rest",), ids=("KeyId", "KeyArn"))
        for k in keys:
            meta = self.value(kms, "describe_key", lambda r: _record(r["KeyMetadata"]),
                              f"whether KMS key {k['KeyId']} is AWS or customer managed",
                              region, KeyId=k["KeyId"])
            if meta == UNKNOWN:
                # Cannot tell an AWS managed key from a customer's: stores using it say unknown.
                self.unknown_keys.update((k["KeyArn"], k["KeyId"]))
                continue
            if meta.get("KeyManager") == "AWS":
                self.aws_keys.update((k["KeyArn"], k["KeyId"]))
                continue
            if meta.get("KeyState") == "PendingDeletion":
                continue
            urn = self._urn(KEY, k["KeyId"], region)
            self.add(KEY, k["KeyId"], region, {
                "arn": k["KeyArn"], "keyId": k["KeyId"], "id": k["KeyId"],
                "description": meta.get("Description", ""), "keyUsage": meta.get("KeyUsage"),
                "isEnabled": meta.get("Enabled"),
                "enableKeyRotation": self.value(
                    kms, "get_key_rotation_status", lambda r: bool(r.get("KeyRotationEnabled")),
                    f"the rotation of KMS key {k['KeyId']}", region, urn=urn,
                    KeyId=k["KeyId"]),
                "policy": self.value(kms, "get_key_policy", lambda r: _json(r["Policy"]),
                                     f"the policy of KMS key {k['KeyId']}", region, urn=urn,
                                     KeyId=k["KeyId"], PolicyName="default"),
                "tags": self.value(kms, "list_resource_tags",
                                   lambda r: {t["TagKey"]: t["TagValue"] for t in r["Tags"]},
                                   f"the tags of KMS key {k['KeyId']}", region, urn=urn,
                                   KeyId=k["KeyId"]),
            })
        for a in self.listing(kms, "list_aliases", "Aliases", "KMS aliases", region,
                              ("encryption-at-rest",), ids=("AliasName", "AliasArn")):
            if a["AliasName"].startswith("alias/aws/") or "TargetKeyId" not in a:
                continue
            self.add(ALIAS, a["AliasName"], region, {
                "name": a["AliasName"], "arn": a["AliasArn"], "targetKeyId": a["TargetKeyId"],
            })

    def _customer_key(self, key: Any) -> Any:
        """The key reference as a program would write it: AWS managed keys by their alias
        (left out), keys whose manager could not be read UNKNOWN."""
        if not isinstance(key, str):
            return key
        short = key.rsplit("/", 1)[-1]
        if key in self.aws_keys or short in self.aws_keys:
            return None
        if key in self.unknown_keys or short in self.unknown_keys:
            return UNKNOWN
        return key

    # --- S3 ------------------------------------------------------------------------------

    def s3(self, region: str) -> None:
        """The buckets located in `region`; those whose location is unknown go with the first
        region read, with no region (so the residency rule says it cannot tell)."""
        first = self._buckets is None
        if self._buckets is None:
            s3 = self.clients("s3", region)
            names = [b["Name"] for b in self.listing(s3, "list_buckets", "Buckets",
                                                     "S3 buckets", None, STORE_CONTROLS,
                                                     ids=("Name",))]
            self._buckets = {}
            for name in names:
                where = self.value(s3, "get_bucket_location",
                                   lambda r: r.get("LocationConstraint") or "us-east-1",
                                   f"the region of bucket {name}", None,
                                   urn=self._urn(BUCKET, name, None), Bucket=name)
                self._buckets[name] = None if where == UNKNOWN else {"EU": "eu-west-1"}.get(
                    where, where)
        mine = [(n, w) for n, w in self._buckets.items() if w == region or (w is None and first)]
        for name, where in mine:
            self._bucket(self.clients("s3", where or region), name, where)

    def _bucket(self, s3: Any, name: str, region: str | None) -> None:
        arn = f"arn:{partition(region)}:s3:::{name}"
        urn = self._urn(BUCKET, name, region)

        def read(method: str, pick: Callable[[Any], Any], what: str,
                 absent: tuple[str, ...] = ()) -> Any:
            return self.value(s3, method, pick, f"{what} of bucket {name}", region, absent,
                              urn=urn, Bucket=name)

        tags = read("get_bucket_tagging", lambda r: _tags(r["TagSet"]), "the tags",
                    ("NoSuchTagSet",))
        lock = read("get_object_lock_configuration",
                    lambda r: r.get("ObjectLockConfiguration", {}), "the Object Lock",
                    ("ObjectLockConfigurationNotFoundError",))
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

        sse = read("get_bucket_encryption",
                   lambda r: r["ServerSideEncryptionConfiguration"]["Rules"], "the encryption",
                   ("ServerSideEncryptionConfigurationNotFoundError",))
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

        status = read("get_bucket_versioning", lambda r: r.get("Status"), "the versioning")
        if status:  # never enabled: no versioning resource, as in a program
            self.add(S3_VERSIONING, name, region, {
                "bucket": name, "versioningConfiguration": {"status": status}})

        pab = read("get_public_access_block", lambda r: r["PublicAccessBlockConfiguration"],
                   "the public access block", ("NoSuchPublicAccessBlockConfiguration",))
        if pab is not None:
            self.add(S3_PAB, name, region, {"bucket": name, **{
                wire: (UNKNOWN if pab == UNKNOWN else bool(pab.get(api)))
                for api, wire in PAB_FLAGS.items()}})

        lifecycle = read("get_bucket_lifecycle_configuration", lambda r: r["Rules"],
                         "the lifecycle", ("NoSuchLifecycleConfiguration",))
        if lifecycle == UNKNOWN:
            self.add(S3_LIFECYCLE, name, region, {"bucket": name, "rules": [{
                "status": "Enabled", "expiration": {"days": UNKNOWN},
                "noncurrentVersionExpiration": {"noncurrentDays": UNKNOWN}}]})
        elif lifecycle:
            self.add(S3_LIFECYCLE, name, region, {
                "bucket": name, "rules": [_lifecycle_rule(r) for r in lifecycle]})

        policy = read("get_bucket_policy", lambda r: r["Policy"], "the policy",
                      ("NoSuchBucketPolicy",))
        if policy is not None:
            self.add(S3_POLICY, name, region, {"bucket": name, "policy": policy})

        acl = read("get_bucket_acl", lambda r: r, "the ACL")
        if acl is not None:
            self.add(S3_ACL, name, region, {"bucket": name, "accessControlPolicy": UNKNOWN
                                            if acl == UNKNOWN else {
                                                "grants": _wire(acl.get("Grants", [])),
                                                "owner": _wire(acl.get("Owner", {}))}})

        logging = read("get_bucket_logging", lambda r: r.get("LoggingEnabled"),
                       "the access logging")
        if logging == UNKNOWN:
            self.add(S3_LOGGING, name, region, {"bucket": name, "targetBucket": UNKNOWN})
        elif logging:
            self.add(S3_LOGGING, name, region, {
                "bucket": name, "targetBucket": logging.get("TargetBucket"),
                "targetPrefix": logging.get("TargetPrefix", "")})

        ownership = read("get_bucket_ownership_controls",
                         lambda r: r["OwnershipControls"]["Rules"][0], "the object ownership",
                         ("OwnershipControlsNotFoundError",))
        if ownership is not None:
            self.add(S3_OWNERSHIP, name, region, {"bucket": name, "rule": UNKNOWN
                                                  if ownership == UNKNOWN else _wire(ownership)})

        replication = read("get_bucket_replication", lambda r: r["ReplicationConfiguration"],
                           "the replication", ("ReplicationConfigurationNotFoundError",))
        if replication is not None:
            self.add(S3_REPLICATION, name, region, {"bucket": name, "rules": [
                {"status": "Enabled", "destination": {"bucket": UNKNOWN}}]
                if replication == UNKNOWN else [_wire(r) for r in replication.get("Rules", ())]})

    # --- DynamoDB ------------------------------------------------------------------------

    def dynamodb(self, region: str) -> None:
        ddb = self.clients("dynamodb", region)
        for name in self.listing(ddb, "list_tables", "TableNames", "DynamoDB tables", region,
                                 STORE_CONTROLS):
            self._table(ddb, name, region)

    def _table(self, ddb: Any, name: str, region: str) -> None:
        urn = self._urn(TABLE, name, region)
        desc = self.value(ddb, "describe_table",
                          lambda r: _record(r["Table"], "TableArn", "KeySchema"),
                          f"table {name}", region, urn=urn, TableName=name)
        if desc == UNKNOWN:
            self.add(TABLE, name, region, {
                "name": name, "tags": UNKNOWN, "serverSideEncryption": UNKNOWN,
                "pointInTimeRecovery": UNKNOWN, "ttl": UNKNOWN, "replicas": UNKNOWN})
            return
        arn = desc["TableArn"]
        sse = desc.get("SSEDescription") or {}
        if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING"):
            key = self._customer_key(sse.get("KMSMasterKeyArn"))
            server_side: Any = {"enabled": True, **({"kmsKeyArn": key} if key else {})}
        else:
            server_side = {"enabled": False}
        pitr = self.value(ddb, "describe_continuous_backups",
                          lambda r: r["ContinuousBackupsDescription"].get(
                              "PointInTimeRecoveryDescription", {}),
                          f"the point-in-time recovery of table {name}", region, urn=urn,
                          TableName=name)
        ttl = self.value(ddb, "describe_time_to_live", lambda r: r["TimeToLiveDescription"],
                         f"the TTL of table {name}", region, urn=urn, TableName=name)
        tags = self.value(ddb, "list_tags_of_resource", lambda r: _tags(r.get("Tags")),
                          f"the tags of table {name}", region, urn=urn, ResourceArn=arn)
        keys = {k["KeyType"]: k["AttributeName"] for k in desc["KeySchema"]}
        stream = desc.get("StreamSpecification") or {}
        self.add(TABLE, name, region, {
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
        })
        policy = self.value(ddb, "get_resource_policy", lambda r: r.get("Policy"),
                            f"the resource policy of table {name}", region,
                            ("PolicyNotFoundException", "ResourceNotFoundException"), urn=urn,
                            ResourceArn=arn)
        if policy is not None:
            self.add(TABLE_POLICY, name, region, {"resourceArn": arn, "policy": policy})

    # --- EC2: the network around the data ----------------------------------------------------

    def network(self, region: str) -> None:
        ec2 = self.clients("ec2", region)

        def listed(method: str, key: str, what: str, *ids: str) -> list[Any]:
            return self.listing(ec2, method, key, what, region, NETWORK, ids=ids)

        vpcs = listed("describe_vpcs", "Vpcs", "VPCs", "VpcId")
        default = {v["VpcId"] for v in vpcs if v.get("IsDefault")}  # AWS's, as its keys

        def ours(item: Mapping[str, Any]) -> bool:
            return item.get("VpcId") not in default

        for v in vpcs:
            if ours(v):
                self.add(VPC, _named(v, v["VpcId"]), region, {
                    "id": v["VpcId"], "cidrBlock": v.get("CidrBlock"),
                    "tags": _tags(v.get("Tags")),
                    "arn": f"arn:{partition(region)}:ec2:{region}:{v.get('OwnerId')}:vpc/"
                           f"{v['VpcId']}"})
        for sn in filter(ours, listed("describe_subnets", "Subnets", "subnets", "SubnetId",
                                         "VpcId")):
            self.add(SUBNET, _named(sn, sn["SubnetId"]), region, {
                "id": sn["SubnetId"], "arn": sn.get("SubnetArn"), "vpcId": sn["VpcId"],
                "cidrBlock": sn.get("CidrBlock"), "availabilityZone": sn.get("AvailabilityZone"),
                "mapPublicIpOnLaunch": bool(sn.get("MapPublicIpOnLaunch")),
                "tags": _tags(sn.get("Tags"))})
        main: dict[str, str] = {}  # VPC -> its main route table
        explicit: set[str] = set()
        for rt in filter(ours, listed("describe_route_tables", "RouteTables",
                                         "route tables", "RouteTableId", "VpcId")):
            self._route_table(rt, region)
            for a in rt.get("Associations", ()):
                if a.get("Main"):
                    main[rt["VpcId"]] = rt["RouteTableId"]
                elif a.get("SubnetId"):
                    explicit.add(a["SubnetId"])
        for sn in self.resources.copy().values():
            # A subnet without an association of its own routes through its VPC's main table.
            ident = sn.inputs.get("id")
            if sn.type == SUBNET and sn.region == region and ident not in explicit and \
                    sn.inputs.get("vpcId") in main:
                table = main[sn.inputs["vpcId"]]
                self.add(ASSOCIATION, f"{table}/{ident}", region, {
                    "subnetId": ident, "routeTableId": table, "main": True})
        for gw in listed("describe_internet_gateways", "InternetGateways", "internet gateways",
                         "InternetGatewayId"):
            attached = [a["VpcId"] for a in gw.get("Attachments", ()) if a.get("VpcId")]
            if any(v not in default for v in attached) or not attached:
                self.add(IGW, _named(gw, gw["InternetGatewayId"]), region, {
                    "id": gw["InternetGatewayId"], "vpcId": attached[0] if attached else None,
                    "tags": _tags(gw.get("Tags"))})
        for sg in filter(ours, listed("describe_security_groups", "SecurityGroups",
                                      "security groups", "GroupName", "GroupId")):
            self.add(SG, f"{sg['GroupName']} ({sg['GroupId']})"
                     if sg["GroupName"] == "default" else sg["GroupName"], region, {
                         "id": sg["GroupId"], "name": sg["GroupName"], "vpcId": sg.get("VpcId"),
                         "description": sg.get("Description"),
                         "ingress": [_permission(p) for p in sg.get("IpPermissions", ())],
                         "egress": [_permission(p) for p in sg.get("IpPermissionsEgress", ())],
                         "tags": _tags(sg.get("Tags"))})
        for fl in listed("describe_flow_logs", "FlowLogs", "VPC flow logs", "FlowLogId"):
            target = fl.get("ResourceId", "")
            self.add(FLOW_LOG, fl["FlowLogId"], region, {
                "id": fl["FlowLogId"], "trafficType": fl.get("TrafficType"),
                **({"vpcId": target} if target.startswith("vpc-") else
                   {"subnetId": target} if target.startswith("subnet-") else
                   {"eniId": target}),
                "logDestinationType": fl.get("LogDestinationType"),
                "logDestination": fl.get("LogDestination")})
        for ep in filter(ours, listed("describe_vpc_endpoints", "VpcEndpoints",
                                      "VPC endpoints", "VpcEndpointId")):
            self.add(VPC_ENDPOINT, _named(ep, ep["VpcEndpointId"]), region, {
                "id": ep["VpcEndpointId"], "vpcId": ep.get("VpcId"),
                "serviceName": ep.get("ServiceName"),
                "vpcEndpointType": ep.get("VpcEndpointType"),
                "routeTableIds": list(ep.get("RouteTableIds", ())),
                "subnetIds": list(ep.get("SubnetIds", ())),
                "policy": ep.get("PolicyDocument"), "tags": _tags(ep.get("Tags"))})

    def _route_table(self, rt: Mapping[str, Any], region: str) -> None:
        """A route table with its routes inline (the VPC's local route aside), and each subnet
        association as its own resource, as a program declares them."""
        ident = rt["RouteTableId"]
        routes = [{ROUTE_FIELDS.get(k, _lower_first(k)): v for k, v in r.items()
                   if k not in ("Origin", "State")}
                  for r in rt.get("Routes", ()) if r.get("GatewayId") != "local"]
        self.add(ROUTE_TABLE, _named(rt, ident), region, {
            "id": ident, "vpcId": rt.get("VpcId"), "routes": routes,
            "tags": _tags(rt.get("Tags"))})
        for a in rt.get("Associations", ()):
            if a.get("SubnetId"):
                self.add(ASSOCIATION, a.get("RouteTableAssociationId") or
                         f"{ident}/{a['SubnetId']}", region, {
                             "id": a.get("RouteTableAssociationId"), "subnetId": a["SubnetId"],
                             "routeTableId": ident})

    # --- RDS -----------------------------------------------------------------------------

    def rds(self, region: str) -> None:
        rds = self.clients("rds", region)
        for g in self.listing(rds, "describe_db_subnet_groups", "DBSubnetGroups",
                              "RDS subnet groups", region, NETWORK, ids=("DBSubnetGroupName",)):
            self.add(DB_SUBNET_GROUP, g["DBSubnetGroupName"], region, {
                "name": g["DBSubnetGroupName"], "arn": g.get("DBSubnetGroupArn"),
                "description": g.get("DBSubnetGroupDescription"), "vpcId": g.get("VpcId"),
                "subnetIds": [s["SubnetIdentifier"] for s in g.get("Subnets", ())]})
        for g in self.listing(rds, "describe_db_parameter_groups", "DBParameterGroups",
                              "RDS parameter groups", region, ("encryption-in-transit",),
                              ids=("DBParameterGroupName",)):
            name = g["DBParameterGroupName"]
            if name.startswith("default."):
                continue  # AWS's: a program never declares it
            urn = self._urn(DB_PARAMETER_GROUP, name, region)
            params = self.value(rds, "describe_db_parameters", lambda r: [
                {"name": p["ParameterName"], "value": p.get("ParameterValue")}
                for p in r.get("Parameters", ()) if "ParameterValue" in p],
                f"the parameters of RDS parameter group {name}", region, urn=urn,
                DBParameterGroupName=name, Source="user")
            self.add(DB_PARAMETER_GROUP, name, region, {
                "name": name, "arn": g.get("DBParameterGroupArn"),
                "family": g.get("DBParameterGroupFamily"), "parameters": params})
        for d in self.listing(rds, "describe_db_instances", "DBInstances", "RDS instances",
                              region, STORE_CONTROLS, ids=("DBInstanceIdentifier",)):
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
                "replicateSourceDb": d.get("ReadReplicaSourceDBInstanceIdentifier"),
                "tags": _tags(d.get("TagList")),
            })

    # --- breach detection: trails, alerts, detectors ---------------------------------------

    def breach(self, region: str) -> None:
        self._trails(region)
        sns = self.clients("sns", region)
        for t in self.listing(sns, "list_topics", "Topics", "SNS topics", region, BREACH,
                              ids=("TopicArn",)):
            arn = t["TopicArn"]
            urn = self._urn(TOPIC, arn.rsplit(":", 1)[-1], region)
            attrs = self.value(sns, "get_topic_attributes", lambda r: r.get("Attributes", {}),
                               f"the attributes of SNS topic {arn}", region, urn=urn,
                               TopicArn=arn)
            known = isinstance(attrs, dict)
            self.add(TOPIC, arn.rsplit(":", 1)[-1], region, {
                "name": arn.rsplit(":", 1)[-1], "arn": arn, "id": arn,
                "kmsMasterKeyId": (self._customer_key(attrs.get("KmsMasterKeyId"))
                                   if known else UNKNOWN),
                "policy": attrs.get("Policy") if known else UNKNOWN})
        for s in self.listing(sns, "list_subscriptions", "Subscriptions", "SNS subscriptions",
                              region, BREACH, ids=("SubscriptionArn", "TopicArn")):
            ident = s["SubscriptionArn"]
            self.add(SUBSCRIPTION, ident.rsplit(":", 1)[-1] if ident.startswith("arn:")
                     else f"{s['TopicArn'].rsplit(':', 1)[-1]}/{s.get('Endpoint')}", region, {
                         "arn": ident if ident.startswith("arn:") else None,
                         "topic": s["TopicArn"], "protocol": s.get("Protocol"),
                         "endpoint": s.get("Endpoint"),
                         "pendingConfirmation": not ident.startswith("arn:")})
        events = self.clients("events", region)
        for r in self.listing(events, "list_rules", "Rules", "EventBridge rules", region,
                              BREACH, ids=("Name",)):
            name = r["Name"]
            urn = self.add(EVENT_RULE, name, region, {
                "name": name, "arn": r.get("Arn"), "eventPattern": r.get("EventPattern"),
                "scheduleExpression": r.get("ScheduleExpression"),
                "state": r.get("State"), "eventBusName": r.get("EventBusName", "default")})
            targets = self.value(events, "list_targets_by_rule", lambda x: x.get("Targets", ()),
                                 f"the targets of EventBridge rule {name}", region, urn=urn,
                                 Rule=name)
            for t in [{"Id": UNKNOWN, "Arn": UNKNOWN}] if targets == UNKNOWN else targets:
                self.add(EVENT_TARGET, f"{name}/{t['Id']}", region, {
                    "rule": name, "arn": t["Arn"], "targetId": t["Id"]})
        cloudwatch = self.clients("cloudwatch", region)
        for a in self.listing(cloudwatch, "describe_alarms", "MetricAlarms",
                              "CloudWatch alarms", region, BREACH, ids=("AlarmName",)):
            self.add(ALARM, a["AlarmName"], region, {
                "name": a["AlarmName"], "arn": a.get("AlarmArn"),
                "alarmActions": list(a.get("AlarmActions", ())),
                "metricName": a.get("MetricName"), "namespace": a.get("Namespace"),
                "actionsEnabled": a.get("ActionsEnabled", True)})
        guardduty = self.clients("guardduty", region)
        for ident in self.listing(guardduty, "list_detectors", "DetectorIds",
                                  "GuardDuty detectors", region, BREACH):
            urn = self._urn(DETECTOR, ident, region)
            status = self.value(guardduty, "get_detector", lambda r: r.get("Status"),
                                f"GuardDuty detector {ident}", region, urn=urn,
                                DetectorId=ident)
            self.add(DETECTOR, ident, region, {
                "id": ident, "enable": UNKNOWN if status == UNKNOWN else status == "ENABLED"})

    def _trails(self, region: str) -> None:
        """The trails whose home is this region (a multi-region trail is read once, where it
        was made), with their selectors and whether they log."""
        ct = self.clients("cloudtrail", region)
        for t in self.listing(ct, "describe_trails", "trailList", "CloudTrail trails", region,
                              BREACH, ids=("Name",), includeShadowTrails=False):
            name, arn = t["Name"], t.get("TrailARN")
            urn = self._urn(TRAIL, name, region)
            logging = self.value(ct, "get_trail_status", lambda r: bool(r.get("IsLogging")),
                                 f"whether trail {name} logs", region, urn=urn, Name=arn or name)
            selectors = self.value(ct, "get_event_selectors", lambda r: r,
                                   f"the event selectors of trail {name}", region, urn=urn,
                                   TrailName=arn or name)
            known = isinstance(selectors, dict)
            self.add(TRAIL, name, region, {
                "name": name, "arn": arn, "id": arn, "s3BucketName": t.get("S3BucketName"),
                "isMultiRegionTrail": bool(t.get("IsMultiRegionTrail")),
                "includeGlobalServiceEvents": bool(t.get("IncludeGlobalServiceEvents")),
                "enableLogFileValidation": bool(t.get("LogFileValidationEnabled")),
                "kmsKeyId": t.get("KmsKeyId"), "enableLogging": logging,
                "eventSelectors": _wire(selectors.get("EventSelectors") or [])
                if known else UNKNOWN,
                "advancedEventSelectors": [_advanced(x) for x in
                                           selectors.get("AdvancedEventSelectors") or []]
                if known else UNKNOWN})

    # --- AWS Backup ------------------------------------------------------------------------

    def backup(self, region: str) -> None:
        backup = self.clients("backup", region)
        controls = ("retention", "residency", "third-party-sharing")
        for v in self.listing(backup, "list_backup_vaults", "BackupVaultList",
                              "AWS Backup vaults", region, controls, ids=("BackupVaultName",)):
            self.add(BACKUP_VAULT, v["BackupVaultName"], region, {
                "name": v["BackupVaultName"], "arn": v.get("BackupVaultArn"),
                "id": v["BackupVaultName"], "kmsKeyArn": v.get("EncryptionKeyArn")})
        for p in self.listing(backup, "list_backup_plans", "BackupPlansList",
                              "AWS Backup plans", region, controls, ids=("BackupPlanId",)):
            ident, name = p["BackupPlanId"], p.get("BackupPlanName", p["BackupPlanId"])
            urn = self._urn(BACKUP_PLAN, name, region)
            plan = self.value(backup, "get_backup_plan", lambda r: r.get("BackupPlan", {}),
                              f"AWS Backup plan {name}", region, urn=urn, BackupPlanId=ident)
            self.add(BACKUP_PLAN, name, region, {
                "name": name, "id": ident, "arn": p.get("BackupPlanArn"),
                "rules": UNKNOWN if plan == UNKNOWN else [
                    _backup_rule(r) for r in plan.get("Rules", ())]})
            selections = self.value(
                backup, "list_backup_selections", lambda r: r.get("BackupSelectionsList", ()),
                f"the selections of AWS Backup plan {name}", region, urn=urn,
                BackupPlanId=ident)
            if selections == UNKNOWN:
                self.add(BACKUP_SELECTION, f"{name}/{UNKNOWN}", region, {
                    "planId": ident, "resources": UNKNOWN})
                continue
            for sel in selections:
                sel_name = sel.get("SelectionName", sel["SelectionId"])
                got = self.value(backup, "get_backup_selection",
                                 lambda r: r.get("BackupSelection", {}),
                                 f"AWS Backup selection {sel_name}", region, urn=urn,
                                 BackupPlanId=ident, SelectionId=sel["SelectionId"])
                self.add(BACKUP_SELECTION, f"{name}/{sel_name}", region, {
                    "name": sel_name, "id": sel["SelectionId"], "planId": ident,
                    "iamRoleArn": sel.get("IamRoleArn"), **_selection(got)})

    # --- IAM (global) --------------------------------------------------------------------

    def iam(self) -> None:
        iam = self.clients("iam", self.home)
        for p in self.listing(iam, "list_policies", "Policies", "customer managed IAM policies",
                              None, ("purpose-limitation", "access-control"),
                              ids=("PolicyName", "Arn", "DefaultVersionId"), Scope="Local"):
            urn = self._urn(POLICY, p["PolicyName"], None)
            document = self.value(iam, "get_policy_version",
                                  lambda r: _json(r["PolicyVersion"]["Document"]),
                                  f"the document of IAM policy {p['PolicyName']}", None,
                                  urn=urn, PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
            self.add(POLICY, p["PolicyName"], None, {
                "name": p["PolicyName"], "arn": p["Arn"], "id": p["Arn"],
                "path": p.get("Path", "/"), "policy": document})
        roles = [r for r in self.listing(iam, "list_roles", "Roles", "IAM roles", None,
                                         ("purpose-limitation", "access-control"),
                                         ids=("RoleName", "Arn"))
                 if not r.get("Path", "/").startswith("/aws-service-role/")]
        for r in roles:
            self._role(iam, r)

    def _role(self, iam: Any, r: dict[str, Any]) -> None:
        name = r["RoleName"]
        urn = self._urn(ROLE, name, None)
        tags = self.value(iam, "list_role_tags", lambda x: _tags(x.get("Tags")),
                          f"the tags of IAM role {name}", None, urn=urn, RoleName=name)
        self.add(ROLE, name, None, {
            "name": name, "arn": r["Arn"], "id": name, "path": r.get("Path", "/"),
            "assumeRolePolicy": _json(r.get("AssumeRolePolicyDocument", {})),
            "tags": tags if tags is not None else {},
        })
        inline = self.value(iam, "list_role_policies", lambda x: x.get("PolicyNames", ()),
                            f"the inline policies of IAM role {name}", None, urn=urn,
                            RoleName=name)
        if inline == UNKNOWN:
            self.add(ROLE_POLICY, f"{name}/{UNKNOWN}", None,
                     {"name": UNKNOWN, "role": name, "policy": UNKNOWN})
            inline = []
        for policy_name in inline:
            document = self.value(iam, "get_role_policy", lambda x: _json(x["PolicyDocument"]),
                                  f"the inline policy {policy_name} of IAM role {name}", None,
                                  urn=urn, RoleName=name, PolicyName=policy_name)
            self.add(ROLE_POLICY, f"{name}/{policy_name}", None,
                     {"name": policy_name, "role": name, "policy": document})
        attached = self.value(iam, "list_attached_role_policies",
                              lambda x: [p["PolicyArn"] for p in x.get("AttachedPolicies", ())],
                              f"the managed policies of IAM role {name}", None, urn=urn,
                              RoleName=name)
        for arn in [UNKNOWN] if attached == UNKNOWN else attached:
            self.add(ATTACHMENT, f"{name}/{arn.rsplit('/', 1)[-1]}", None,
                     {"role": name, "policyArn": arn})


def _permission(p: Mapping[str, Any]) -> dict[str, Any]:
    """One security group rule in the inline `ingress`/`egress` shape of a program."""
    return {
        "protocol": p.get("IpProtocol"), "fromPort": p.get("FromPort", 0),
        "toPort": p.get("ToPort", 0),
        "cidrBlocks": [r["CidrIp"] for r in p.get("IpRanges", ())],
        "ipv6CidrBlocks": [r["CidrIpv6"] for r in p.get("Ipv6Ranges", ())],
        "prefixListIds": [r["PrefixListId"] for r in p.get("PrefixListIds", ())],
        "securityGroups": [g["GroupId"] for g in p.get("UserIdGroupPairs", ())],
    }


def _advanced(selector: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": selector.get("Name"), "fieldSelectors": [
        {FIELD_OPERATORS.get(k, _lower_first(k)): v for k, v in f.items()}
        for f in selector.get("FieldSelectors", ())]}


def _selection(got: Any) -> dict[str, Any]:
    """What an AWS Backup selection chooses, as Selection's inputs hold it."""
    if not isinstance(got, Mapping):
        return {"resources": UNKNOWN, "selectionTags": UNKNOWN, "conditions": UNKNOWN}
    conditions = {_lower_first(op): [{"key": c.get("ConditionKey"),
                                      "value": c.get("ConditionValue")} for c in items]
                  for op, items in (got.get("Conditions") or {}).items() if items}
    return {
        "resources": list(got.get("Resources") or ()),
        "notResources": list(got.get("NotResources") or ()),
        "selectionTags": [{"type": t.get("ConditionType"), "key": t.get("ConditionKey"),
                           "value": t.get("ConditionValue")} for t in got.get("ListOfTags") or ()],
        "conditions": [conditions] if conditions else [],
    }


def _backup_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """An AWS Backup rule as BackupPlan's `rules` hold it."""
    out: dict[str, Any] = {"ruleName": rule.get("RuleName"),
                           "targetVaultName": rule.get("TargetBackupVaultName"),
                           "schedule": rule.get("ScheduleExpression")}
    if rule.get("Lifecycle"):
        out["lifecycle"] = _backup_lifecycle(rule["Lifecycle"])
    out["copyActions"] = [{"destinationVaultArn": c.get("DestinationBackupVaultArn"),
                           **({"lifecycle": _backup_lifecycle(c["Lifecycle"])}
                              if c.get("Lifecycle") else {})}
                          for c in rule.get("CopyActions", ())]
    return out


def _backup_lifecycle(lifecycle: Mapping[str, Any]) -> dict[str, Any]:
    names = {"DeleteAfterDays": "deleteAfter", "MoveToColdStorageAfterDays": "coldStorageAfter",
             "OptInToArchiveForSupportedResources": "optInToArchiveForSupportedResources"}
    return {names.get(k, _lower_first(k)): v for k, v in lifecycle.items()}


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
