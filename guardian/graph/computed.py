"""What the cloud would compute: ARNs, ids and names for resources, results for data sources.

Pure functions used by the offline mocks (guardian.graph.program). Values are realistic in
format (the ARN of each type, `vpc-` ids, KMS key UUIDs) and deterministic: derived from the
resource's URN, never from registration order or randomness, so the same program always gives
the same graph and policy documents built with `Output.apply` resolve to real-looking ARNs.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from guardian.graph.model import UNKNOWN

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
FALLBACK_REGION = "us-east-1"  # only inside ARNs, when neither provider nor config names one


def digest(seed: str, n: int) -> str:
    """n lowercase hex characters derived from seed."""
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


def uuid_of(seed: str) -> str:
    return str(uuid.UUID(hex=digest(seed, 32), version=4))


# type token -> the input holding the physical name, which the provider generates when absent
NAME_PROPERTY: dict[str, str] = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:dynamodb/table:Table": "name",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:iam/user:User": "name",
    "aws:iam/group:Group": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
    "aws:sns/topic:Topic": "name",
    "aws:sqs/queue:Queue": "name",
    "aws:kms/alias:Alias": "name",
    "aws:cloudtrail/trail:Trail": "name",
    "aws:cloudwatch/eventRule:EventRule": "name",
    "aws:cloudwatch/eventBus:EventBus": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:lambda/function:Function": "name",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:redshift/cluster:Cluster": "clusterIdentifier",
    "aws:backup/vault:Vault": "name",
    "aws:backup/plan:Plan": "name",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:ecr/repository:Repository": "name",
    "aws:ssm/parameter:Parameter": "name",
    "aws:kinesis/stream:Stream": "name",
    "aws:ec2/securityGroup:SecurityGroup": "name",
}

# type token -> prefix of the EC2-style id
EC2_ID_PREFIX: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "eigw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/networkAcl:NetworkAcl": "acl",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/networkInterface:NetworkInterface": "eni",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/keyPair:KeyPair": "key",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule",
}

# EC2 id prefix -> the ARN resource type, where it differs from the prefix's long form
_EC2_ARN_KIND = {
    "vpc": "vpc", "subnet": "subnet", "sg": "security-group", "igw": "internet-gateway",
    "eigw": "egress-only-internet-gateway", "nat": "natgateway", "rtb": "route-table",
    "vpce": "vpc-endpoint", "fl": "vpc-flow-log", "eipalloc": "elastic-ip", "acl": "network-acl",
    "i": "instance", "eni": "network-interface", "lt": "launch-template", "key": "key-pair",
    "sgr": "security-group-rule",
}


def physical_name(type_token: str, logical: str, urn: str, inputs: Mapping[str, Any]) -> str:
    """The name the resource gets: its name input, else Pulumi-style `<logical>-<7 hex>`."""
    prop = NAME_PROPERTY.get(type_token)
    given = inputs.get(prop) if prop else None
    if isinstance(given, str):
        return given
    prefix = inputs.get("namePrefix") or inputs.get("bucketPrefix")
    base = prefix if isinstance(prefix, str) else f"{logical}-"
    name = f"{base}{digest(urn, 7)}"
    return name.lower() if type_token.startswith("aws:s3/") else name


def _arn(service: str, region: str, resource: str, *, account: str = ACCOUNT_ID) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"


def _s3_bucket(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": name, "bucket": name, "arn": f"arn:{PARTITION}:s3:::{name}", "region": region,
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
        "hostedZoneId": "Z1BKCTXD74EZPE",
    }


def _kms_key(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    key_id = uuid_of(urn)
    return {"id": key_id, "keyId": key_id, "arn": _arn("kms", region, f"key/{key_id}")}


def _kms_alias(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": name, "name": name, "arn": _arn("kms", region, name)}
    target = inputs.get("targetKeyId")
    if isinstance(target, str):
        out["targetKeyArn"] = (
            target if target.startswith("arn:") else _arn("kms", region, f"key/{target}")
        )
    return out


def _dynamodb(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    arn = _arn("dynamodb", region, f"table/{name}")
    out: dict[str, Any] = {"id": name, "name": name, "arn": arn}
    if inputs.get("streamEnabled"):
        out["streamLabel"] = "2024-01-01T00:00:00.000"
        out["streamArn"] = f"{arn}/stream/2024-01-01T00:00:00.000"
    return out


def _iam(kind: str) -> Callable[[str, str, str, Mapping[str, Any]], dict[str, Any]]:
    unique_prefix = {"role": "AROA", "user": "AIDA", "group": "AGPA", "policy": "ANPA"}

    def build(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        path = inputs.get("path") if isinstance(inputs.get("path"), str) else "/"
        arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:{kind}{path}{name}"
        out: dict[str, Any] = {"id": arn if kind == "policy" else name, "name": name, "arn": arn}
        uid = unique_prefix.get(kind, "AIPA") + digest(urn, 17).upper()
        out["policyId" if kind == "policy" else "uniqueId"] = uid
        return out

    return build


def _named_arn(
    service: str, fmt: str, id_is_arn: bool = False
) -> Callable[[str, str, str, Mapping[str, Any]], dict[str, Any]]:
    """A resource whose ARN is `arn:aws:<service>:<region>:<account>:<fmt with {name}>`."""

    def build(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        arn = _arn(service, region, fmt.format(name=name))
        return {"id": arn if id_is_arn else name, "name": name, "arn": arn}

    return build


def _sqs(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    url = f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{name}"
    return {"id": url, "url": url, "name": name, "arn": _arn("sqs", region, name)}


def _sns_subscription(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict:
    topic = inputs.get("topic") or inputs.get("topicArn")
    base = topic if isinstance(topic, str) else _arn("sns", region, "topic")
    arn = f"{base}:{uuid_of(urn)}"
    return {"id": arn, "arn": arn}


def _lambda(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    arn = _arn("lambda", region, f"function:{name}")
    return {
        "id": name, "name": name, "arn": arn, "qualifiedArn": f"{arn}:$LATEST",
        "invokeArn": f"arn:{PARTITION}:apigateway:{region}:lambda:path/2015-03-31/functions/"
        f"{arn}/invocations",
    }


def _rds_instance(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict:
    address = f"{name}.{digest(urn, 12)}.{region}.rds.amazonaws.com"
    return {
        "id": name, "identifier": name, "arn": _arn("rds", region, f"db:{name}"),
        "resourceId": "db-" + digest(urn, 26).upper(), "address": address,
        "endpoint": f"{address}:5432",
    }


def _rds_cluster(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict:
    return {
        "id": name, "clusterIdentifier": name, "arn": _arn("rds", region, f"cluster:{name}"),
        "clusterResourceId": "cluster-" + digest(urn, 26).upper(),
        "endpoint": f"{name}.cluster-{digest(urn, 12)}.{region}.rds.amazonaws.com",
    }


def _backup_plan(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict:
    plan_id = uuid_of(urn)
    return {"id": plan_id, "name": name, "arn": _arn("backup", region, f"backup-plan:{plan_id}"),
            "version": digest(urn + "/version", 32)}


def _secret(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    arn = _arn("secretsmanager", region, f"secret:{name}-{digest(urn, 6)}")
    return {"id": arn, "name": name, "arn": arn}


def _guardduty(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    detector = digest(urn, 32)
    return {
        "id": detector, "accountId": ACCOUNT_ID,
        "arn": _arn("guardduty", region, f"detector/{detector}"),
    }


def _ecr(name: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": name, "name": name, "arn": _arn("ecr", region, f"repository/{name}"),
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{name}",
    }


_BUILDERS: dict[str, Callable[[str, str, str, Mapping[str, Any]], dict[str, Any]]] = {
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketV2:BucketV2": _s3_bucket,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:dynamodb/table:Table": _dynamodb,
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/user:User": _iam("user"),
    "aws:iam/group:Group": _iam("group"),
    "aws:iam/policy:Policy": _iam("policy"),
    "aws:iam/instanceProfile:InstanceProfile": _iam("instance-profile"),
    "aws:sns/topic:Topic": _named_arn("sns", "{name}", id_is_arn=True),
    "aws:sns/topicSubscription:TopicSubscription": _sns_subscription,
    "aws:sqs/queue:Queue": _sqs,
    "aws:cloudtrail/trail:Trail": _named_arn("cloudtrail", "trail/{name}", id_is_arn=True),
    "aws:cloudwatch/eventRule:EventRule": _named_arn("events", "rule/{name}"),
    "aws:cloudwatch/eventBus:EventBus": _named_arn("events", "event-bus/{name}"),
    "aws:cloudwatch/logGroup:LogGroup": _named_arn("logs", "log-group:{name}"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named_arn("cloudwatch", "alarm:{name}"),
    "aws:lambda/function:Function": _lambda,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:redshift/cluster:Cluster": _named_arn("redshift", "cluster:{name}"),
    "aws:backup/vault:Vault": _named_arn("backup", "backup-vault:{name}"),
    "aws:backup/plan:Plan": _backup_plan,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:guardduty/detector:Detector": _guardduty,
    "aws:ecr/repository:Repository": _ecr,
    "aws:ssm/parameter:Parameter": _named_arn("ssm", "parameter/{name}"),
    "aws:kinesis/stream:Stream": _named_arn("kinesis", "stream/{name}", id_is_arn=True),
}


def _ec2(prefix: str, region: str, urn: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    rid = f"{prefix}-{digest(urn, 17)}"
    out: dict[str, Any] = {
        "id": rid, "arn": _arn("ec2", region, f"{_EC2_ARN_KIND.get(prefix, prefix)}/{rid}"),
        "ownerId": ACCOUNT_ID,
    }
    if prefix == "vpc":
        out.update(
            defaultSecurityGroupId=f"sg-{digest(urn + '/sg', 17)}",
            defaultRouteTableId=f"rtb-{digest(urn + '/rtb', 17)}",
            mainRouteTableId=f"rtb-{digest(urn + '/rtb', 17)}",
            defaultNetworkAclId=f"acl-{digest(urn + '/acl', 17)}",
        )
    elif prefix == "vpce":
        out["prefixListId"] = f"pl-{digest(urn, 8)}"
        out["networkInterfaceIds"] = []
    elif prefix == "sgr":
        out["securityGroupRuleId"] = rid
    elif prefix == "subnet":
        zone = inputs.get("availabilityZone")
        if isinstance(zone, str):
            out["availabilityZoneId"] = f"{region[:3]}{region[-1]}-az{ord(zone[-1]) - 96}"
    return out


def computed(
    type_token: str, logical: str, urn: str, inputs: Mapping[str, Any], region: str | None
) -> dict[str, Any]:
    """The attributes the provider would compute for a new resource (besides its inputs). With
    no region known, ARNs and endpoints still need one (FALLBACK_REGION) but the resource's
    `region` attribute stays unknown: no region is ever guessed."""
    out = _computed(type_token, logical, urn, inputs, region or FALLBACK_REGION)
    if region is None and "region" in out:
        out["region"] = UNKNOWN
    return out


def _computed(
    type_token: str, logical: str, urn: str, inputs: Mapping[str, Any], region: str
) -> dict[str, Any]:
    if not type_token.startswith("aws:"):
        return {"id": digest(urn, 16)}
    if type_token in EC2_ID_PREFIX:
        out = _ec2(EC2_ID_PREFIX[type_token], region, urn, inputs)
        if type_token in NAME_PROPERTY:
            out[NAME_PROPERTY[type_token]] = physical_name(type_token, logical, urn, inputs)
        return out
    name = physical_name(type_token, logical, urn, inputs)
    builder = _BUILDERS.get(type_token)
    if builder is not None:
        out = builder(name, region, urn, inputs)
    else:  # a type without an ARN of its own (policies, configurations, attachments)
        out = {"id": f"{logical}-{digest(urn, 7)}"}
    if type_token in NAME_PROPERTY:
        out.setdefault(NAME_PROPERTY[type_token], name)
    # Attributes built from an unknown input are unknown themselves.
    return {k: UNKNOWN if isinstance(v, str) and UNKNOWN in v else v for k, v in out.items()}


def tags_all(inputs: Mapping[str, Any], default_tags: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's default tags overlaid with the resource's own tags."""
    own = inputs.get("tags")
    return {**default_tags, **(own if isinstance(own, Mapping) else {})}


# --- data sources (invokes) ----------------------------------------------------------------


def _statement(st: Mapping[str, Any]) -> dict[str, Any]:
    """One getPolicyDocument statement (wire names) as IAM JSON."""
    out: dict[str, Any] = {}
    if st.get("sid"):
        out["Sid"] = st["sid"]
    out["Effect"] = st.get("effect") or "Allow"
    for key, name in (("actions", "Action"), ("notActions", "NotAction"),
                      ("resources", "Resource"), ("notResources", "NotResource")):
        values = st.get(key)
        if values:
            out[name] = values[0] if len(values) == 1 else sorted(values)
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        blocks = st.get(key) or []
        if blocks:
            principal: dict[str, Any] = {}
            for block in blocks:
                ids = block.get("identifiers") or []
                principal[block.get("type", "AWS")] = ids[0] if len(ids) == 1 else sorted(ids)
            out[name] = "*" if principal == {"*": "*"} else principal
    conditions: dict[str, dict[str, Any]] = {}
    for cond in st.get("conditions") or []:
        values = cond.get("values") or []
        conditions.setdefault(cond["test"], {})[cond["variable"]] = (
            values[0] if len(values) == 1 else values
        )
    if conditions:
        out["Condition"] = conditions
    return out


def policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    doc = {
        "Version": args.get("version") or "2012-10-17",
        "Statement": [_statement(st) for st in args.get("statements") or []],
    }
    return {
        "id": digest(json.dumps(doc, sort_keys=True), 10),
        "json": json.dumps(doc, indent=2),
        "minifiedJson": json.dumps(doc, separators=(",", ":")),
    }


def invoke(token: str, args: Mapping[str, Any], region: str | None) -> dict[str, Any] | None:
    """The result of a data source call, for the ones computable offline (the caller's
    identity, region, zones, policy documents); None for the rest, which read the real account
    (an existing VPC, key, organization): their values are unknown offline, not empty. The
    region's own values are unknown when no region is known."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "id": ACCOUNT_ID, "accountId": ACCOUNT_ID, "userId": "AIDA" + "0" * 17,
            "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/guardian-synth",
        }
    if token == "aws:index/getPartition:getPartition":
        return {"id": PARTITION, "partition": PARTITION, "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws"}
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return policy_document(args)
    if token in ("aws:ec2/getAmi:getAmi", "aws:ec2/getAmiIds:getAmiIds"):
        # A public image (owners, filters): one stable id per query, as AWS gives one per region.
        ami = f"ami-{digest(json.dumps(args, sort_keys=True, default=str) + str(region), 17)}"
        arn = f"arn:{PARTITION}:ec2:{region or UNKNOWN}::image/{ami}"
        return ({"id": ami, "imageId": ami, "arn": arn, "architecture": "x86_64",
                 "rootDeviceType": "ebs"}
                if token.endswith("getAmi") else {"id": ami, "ids": [ami]})
    if region is None:
        return None  # the region's zones, endpoints and registries are unknown with it
    if token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
        registry = f"https://{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com"
        return {"id": region, "proxyEndpoint": registry, "userName": "AWS",
                "password": "guardian-offline-token", "authorizationToken":
                "QVdTOmd1YXJkaWFuLW9mZmxpbmUtdG9rZW4=", "expiresAt": "2099-01-01T00:00:00Z"}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = [f"{region}{z}" for z in "abc"]
        return {
            "id": region, "names": names, "groupNames": [region],
            "zoneIds": [f"{region[:3]}{region[-1]}-az{i}" for i in (1, 2, 3)],
        }
    if token == "aws:index/getRegion:getRegion":
        return {"id": region, "name": region, "region": region,
                "endpoint": f"ec2.{region}.amazonaws.com", "description": region}
    return None
