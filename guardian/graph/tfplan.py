"""A ResourceGraph as Terraform plan JSON, so Terraform tools (checkov) can read Pulumi programs.

Pulumi's AWS provider is bridged from Terraform's: a Pulumi type is a Terraform type and its
properties are the Terraform attributes in camelCase. Most of the mapping is that rule; the
exceptions are the explicit table below (renamed types, list blocks that Pulumi names in the
plural, attributes that are maps or JSON documents). Objects become Terraform's one-element
block lists.

Links between resources (Pulumi property dependencies) become Terraform references in
`configuration`, with the planned value left unknown, exactly as Terraform plans a value that
comes from another resource. That is what checkov's graph checks (CKV2_AWS_6 and friends)
follow. Unknown values are omitted and flagged in `after_unknown`; secrets are never written.

Addresses are `<terraform type>.<name>` with the Pulumi name made a valid Terraform name;
`addresses(graph)` maps them back to URNs. Custom resources of types without a mapping are
returned as `unmapped`, never dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from guardian.graph.model import SECRET, UNKNOWN, Resource, ResourceGraph

FORMAT_VERSION = "1.2"
# The plan format's version field is required; this is the Terraform release whose plan format
# (1.2) the output follows. No Terraform runs.
TERRAFORM_VERSION = "1.9.0"
PROVIDER = "registry.terraform.io/hashicorp/aws"

# Attributes whose values are maps in every type: their keys are data, not attribute names.
MAP_ATTRIBUTES = frozenset({
    "tags", "tags_all", "input_paths", "variables", "advanced_options", "dimensions",
})
# Attributes holding a JSON document as a string; Pulumi programs may pass an object.
JSON_ATTRIBUTES = frozenset({
    "policy", "assume_role_policy", "event_pattern", "access_policies", "redrive_policy",
    "delivery_policy", "filter_policy", "container_definitions",
})
# Pulumi's own bookkeeping, not provider attributes.
_DROP = frozenset({"__defaults", "urn"})


@dataclass(frozen=True)
class TfType:
    name: str  # the Terraform resource type
    # Pulumi wire name -> Terraform name, where the bridge renamed it (at any depth)
    renames: Mapping[str, str] = field(default_factory=dict)


_S3_LIFECYCLE = {
    "transitions": "transition",
    "noncurrentVersionTransitions": "noncurrent_version_transition",
}
_BUCKET = {"corsRules": "cors_rule", "grants": "grant", "lifecycleRules": "lifecycle_rule",
           **_S3_LIFECYCLE}
# pulumi_aws 6's BucketV2 named every block in the plural.
_BUCKET_V2 = {
    **_BUCKET, "serverSideEncryptionConfigurations": "server_side_encryption_configuration",
    "rules": "rule",
    "applyServerSideEncryptionByDefaults": "apply_server_side_encryption_by_default",
    "versionings": "versioning", "loggings": "logging", "websites": "website",
    "replicationConfigurations": "replication_configuration",
    "expirations": "expiration", "noncurrentVersionExpirations": "noncurrent_version_expiration",
}
_RULES = {"rules": "rule"}
_TRAIL = {
    "eventSelectors": "event_selector", "dataResources": "data_resource",
    "advancedEventSelectors": "advanced_event_selector", "fieldSelectors": "field_selector",
    "insightSelectors": "insight_selector", "startsWiths": "starts_with",
    "endsWiths": "ends_with", "notStartsWiths": "not_starts_with", "notEndsWiths": "not_ends_with",
}
_TABLE = {
    "attributes": "attribute", "globalSecondaryIndexes": "global_secondary_index",
    "localSecondaryIndexes": "local_secondary_index", "replicas": "replica",
    "keySchemas": "key_schema",
}


def _t(name: str, **renames: str) -> TfType:
    return TfType(name, renames)


def _tr(name: str, renames: Mapping[str, str]) -> TfType:
    return TfType(name, dict(renames))


TYPES: dict[str, TfType] = {
    # storage: S3 and its split-out configurations
    "aws:s3/bucket:Bucket": _tr("aws_s3_bucket", _BUCKET),
    "aws:s3/bucketV2:BucketV2": _tr("aws_s3_bucket", _BUCKET_V2),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        _tr("aws_s3_bucket_server_side_encryption_configuration", _RULES),
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
        _tr("aws_s3_bucket_server_side_encryption_configuration", _RULES),
    "aws:s3/bucketVersioning:BucketVersioning": _t("aws_s3_bucket_versioning"),
    "aws:s3/bucketVersioningV2:BucketVersioningV2": _t("aws_s3_bucket_versioning"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
        _t("aws_s3_bucket_public_access_block"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
        _tr("aws_s3_bucket_lifecycle_configuration", {**_RULES, **_S3_LIFECYCLE}),
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":
        _tr("aws_s3_bucket_lifecycle_configuration", {**_RULES, **_S3_LIFECYCLE}),
    "aws:s3/bucketPolicy:BucketPolicy": _t("aws_s3_bucket_policy"),
    "aws:s3/bucketLogging:BucketLogging": _t("aws_s3_bucket_logging"),
    "aws:s3/bucketLoggingV2:BucketLoggingV2": _t("aws_s3_bucket_logging"),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration":
        _t("aws_s3_bucket_object_lock_configuration"),
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":
        _t("aws_s3_bucket_object_lock_configuration"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
        _t("aws_s3_bucket_ownership_controls"),
    "aws:s3/bucketAcl:BucketAcl": _t("aws_s3_bucket_acl", grants="grant"),
    "aws:s3/bucketAclV2:BucketAclV2": _t("aws_s3_bucket_acl", grants="grant"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
        _tr("aws_s3_bucket_replication_configuration", _RULES),
    "aws:s3/bucketNotification:BucketNotification": _t(
        "aws_s3_bucket_notification", lambdaFunctions="lambda_function", queues="queue",
        topics="topic",
    ),
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock":
        _t("aws_s3_account_public_access_block"),
    # other data stores
    "aws:dynamodb/table:Table": _tr("aws_dynamodb_table", _TABLE),
    "aws:dynamodb/resourcePolicy:ResourcePolicy": _t("aws_dynamodb_resource_policy"),
    "aws:rds/instance:Instance": _t("aws_db_instance"),
    "aws:rds/cluster:Cluster": _t("aws_rds_cluster"),
    "aws:rds/clusterInstance:ClusterInstance": _t("aws_rds_cluster_instance"),
    "aws:rds/subnetGroup:SubnetGroup": _t("aws_db_subnet_group"),
    "aws:rds/parameterGroup:ParameterGroup": _t("aws_db_parameter_group"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup":
        _t("aws_rds_cluster_parameter_group"),
    "aws:efs/fileSystem:FileSystem":
        _t("aws_efs_file_system", lifecyclePolicies="lifecycle_policy"),
    "aws:ebs/volume:Volume": _t("aws_ebs_volume"),
    "aws:ebs/encryptionByDefault:EncryptionByDefault": _t("aws_ebs_encryption_by_default"),
    "aws:opensearch/domain:Domain": _t(
        "aws_opensearch_domain", logPublishingOptions="log_publishing_options",
        maintenanceSchedules="maintenance_schedule",
    ),
    "aws:redshift/cluster:Cluster": _t("aws_redshift_cluster"),
    "aws:sqs/queue:Queue": _t("aws_sqs_queue"),
    "aws:secretsmanager/secret:Secret": _t("aws_secretsmanager_secret", replicas="replica"),
    "aws:kinesis/stream:Stream": _t("aws_kinesis_stream"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _t(
        "aws_elasticache_replication_group",
        logDeliveryConfigurations="log_delivery_configuration",
    ),
    # keys
    "aws:kms/key:Key": _t("aws_kms_key"),
    "aws:kms/alias:Alias": _t("aws_kms_alias"),
    # network
    "aws:ec2/vpc:Vpc": _t("aws_vpc"),
    "aws:ec2/subnet:Subnet": _t("aws_subnet"),
    "aws:ec2/routeTable:RouteTable": _t("aws_route_table", routes="route"),
    "aws:ec2/route:Route": _t("aws_route"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _t("aws_route_table_association"),
    "aws:ec2/internetGateway:InternetGateway": _t("aws_internet_gateway"),
    "aws:ec2/natGateway:NatGateway": _t("aws_nat_gateway"),
    "aws:ec2/eip:Eip": _t("aws_eip"),
    "aws:ec2/securityGroup:SecurityGroup": _t("aws_security_group"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _t("aws_default_security_group"),
    "aws:ec2/securityGroupRule:SecurityGroupRule": _t("aws_security_group_rule"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        _t("aws_vpc_security_group_ingress_rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
        _t("aws_vpc_security_group_egress_rule"),
    "aws:ec2/networkAcl:NetworkAcl": _t("aws_network_acl"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _t(
        "aws_vpc_endpoint", subnetConfigurations="subnet_configuration",
    ),
    "aws:ec2/flowLog:FlowLog": _t("aws_flow_log"),
    # identity and access
    "aws:iam/role:Role": _t("aws_iam_role", inlinePolicies="inline_policy"),
    "aws:iam/policy:Policy": _t("aws_iam_policy"),
    "aws:iam/rolePolicy:RolePolicy": _t("aws_iam_role_policy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _t("aws_iam_role_policy_attachment"),
    "aws:iam/user:User": _t("aws_iam_user"),
    "aws:iam/userPolicy:UserPolicy": _t("aws_iam_user_policy"),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": _t("aws_iam_user_policy_attachment"),
    "aws:iam/group:Group": _t("aws_iam_group"),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": _t("aws_iam_group_policy_attachment"),
    "aws:iam/instanceProfile:InstanceProfile": _t("aws_iam_instance_profile"),
    # logging, detection, alerting
    "aws:cloudtrail/trail:Trail": _tr("aws_cloudtrail", _TRAIL),
    "aws:cloudwatch/logGroup:LogGroup": _t("aws_cloudwatch_log_group"),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": _t(
        "aws_cloudwatch_log_metric_filter", metricTransformation="metric_transformation",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _t(
        "aws_cloudwatch_metric_alarm", metricQueries="metric_query",
    ),
    "aws:cloudwatch/eventRule:EventRule": _t("aws_cloudwatch_event_rule"),
    "aws:cloudwatch/eventTarget:EventTarget": _t("aws_cloudwatch_event_target"),
    "aws:cloudwatch/eventBus:EventBus": _t("aws_cloudwatch_event_bus"),
    "aws:guardduty/detector:Detector": _t("aws_guardduty_detector"),
    "aws:sns/topic:Topic": _t("aws_sns_topic"),
    "aws:sns/topicPolicy:TopicPolicy": _t("aws_sns_topic_policy"),
    # the bridge renamed aws_sns_topic_subscription's topic_arn to `topic`
    "aws:sns/topicSubscription:TopicSubscription": _t(
        "aws_sns_topic_subscription", topic="topic_arn",
    ),
    "aws:config/configurationRecorder:Recorder": _t("aws_config_configuration_recorder"),
    "aws:securityhub/account:Account": _t("aws_securityhub_account"),
    "aws:macie2/account:Account": _t("aws_macie2_account"),
    "aws:lambda/function:Function": _t("aws_lambda_function"),
}

# Pulumi types that hold data themselves (the rest configure, protect or reach them).
DATA_STORE_TYPES = frozenset({
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:dynamodb/table:Table",
    "aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:efs/fileSystem:FileSystem",
    "aws:ebs/volume:Volume", "aws:opensearch/domain:Domain", "aws:redshift/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:kinesis/stream:Stream",
})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NAME_OK = re.compile(r"[^A-Za-z0-9_-]")


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def tf_name(name: str) -> str:
    """A valid Terraform name (letter or underscore first; letters, digits, _ and -)."""
    cleaned = _NAME_OK.sub("_", name) or "_"
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


def _is_mapped(r: Resource) -> bool:
    return r.custom and r.type in TYPES


def unmapped_types(graph: ResourceGraph) -> list[str]:
    """Custom resource types the table does not know (components and providers are not data)."""
    return sorted({
        r.type for r in graph
        if r.custom and r.type not in TYPES and not r.type.startswith("pulumi:")
    })


def addresses(graph: ResourceGraph) -> dict[str, str]:
    """URN -> Terraform address, for every mapped resource; unique, stable for a graph."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for r in graph:  # sorted by URN, so collisions resolve the same way every time
        if not _is_mapped(r):
            continue
        base = f"{TYPES[r.type].name}.{tf_name(r.name)}"
        address, n = base, 2
        while address in taken:
            address, n = f"{base}_{n}", n + 1
        taken.add(address)
        out[r.urn] = address
    return out


# --- values -----------------------------------------------------------------------------------


def _tf_key(key: str, tftype: TfType) -> str:
    return tftype.renames.get(key) or snake(key)


def _to_tf(value: Any, tftype: TfType, attr: str | None) -> Any:
    """A Pulumi value as Terraform writes it: snake_case names, objects as one-block lists."""
    if attr in MAP_ATTRIBUTES:
        return value
    if attr in JSON_ATTRIBUTES and isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, Mapping):
        # An empty object sets nothing: no block. (checkov counts a block whose attributes are
        # all unset as a non-empty one, e.g. an S3 lifecycle `filter {}` meaning "every object".)
        return [_block(value, tftype)] if value else []
    if isinstance(value, list):
        return [_block(v, tftype) if isinstance(v, Mapping) else _to_tf(v, tftype, None)
                for v in value]
    return value


def _block(obj: Mapping[str, Any], tftype: TfType) -> dict[str, Any]:
    out = {}
    for key, value in obj.items():
        if key in _DROP:
            continue
        name = _tf_key(key, tftype)
        out[name] = _to_tf(value, tftype, name)
    return out


def _properties(r: Resource) -> dict[str, Any]:
    """Inputs overlaid with the known state (the planned values of a create)."""
    props = {k: v for k, v in r.inputs.items() if k not in _DROP}
    for k, v in r.outputs.items():
        if k not in _DROP and v is not None:
            props[k] = v
    return props


# --- references -------------------------------------------------------------------------------


@dataclass
class _Split:
    """A converted value split the way Terraform plans it."""

    known: Any = None
    unknown: Any = None  # after_unknown shape (True at unknown leaves), None if all known
    refs: Any = None  # configuration expressions shape, None if no references
    sensitive: Any = None


class _Resolver:
    """Turns a value that came from another resource into a Terraform reference."""

    def __init__(self, graph: ResourceGraph, addrs: Mapping[str, str]) -> None:
        self.graph = graph
        self.addrs = addrs

    def reference(self, leaf: Any, deps: Iterable[str]) -> str | None:
        if not isinstance(leaf, str) or not leaf:
            return None
        deps = [d for d in deps if d in self.addrs]
        for urn in deps:
            dep = self.graph.by_urn(urn)
            if dep is None:
                continue
            tftype = TYPES[dep.type]
            props = _properties(dep)
            for key in ("id", "arn", *props):
                if props.get(key) == leaf and leaf != UNKNOWN:
                    return f"{self.addrs[urn]}.{_tf_key(key, tftype)}"
        if leaf == UNKNOWN and len(deps) == 1:
            # the value comes from that resource but is not known yet: its id, as Terraform
            # would show `aws_x.y.id`
            return f"{self.addrs[deps[0]]}.id"
        return None


def _split(value: Any, deps: tuple[str, ...], resolver: _Resolver, attr: str) -> _Split:
    """Known values, unknown marks and references of one converted attribute value."""
    if isinstance(value, str) or value is None or isinstance(value, (bool, int, float)):
        ref = resolver.reference(value, deps) if deps else None
        if ref:
            return _Split(refs={"references": [ref, ref.rsplit(".", 1)[0]]}, unknown=True)
        if value == UNKNOWN:
            return _Split(unknown=True)
        if value == SECRET:
            return _Split(sensitive=True)
        return _Split(known=value)
    if attr in MAP_ATTRIBUTES or (isinstance(value, list) and not any(
            isinstance(v, dict) for v in value)):
        # a map or a list of plain values: Terraform plans it whole, known or not
        leaves = list(value.values()) if isinstance(value, Mapping) else list(value)
        refs: list[str] = []
        for leaf in leaves:
            ref = resolver.reference(leaf, deps) if deps else None
            if ref:
                refs += [ref, ref.rsplit(".", 1)[0]]
        if refs:
            return _Split(refs={"references": list(dict.fromkeys(refs))}, unknown=True)
        if any(leaf == UNKNOWN for leaf in leaves):
            return _Split(unknown=True)
        if any(leaf == SECRET for leaf in leaves):
            return _Split(sensitive=True)
        return _Split(known=value)
    if isinstance(value, list):  # blocks
        parts = [_split_block(v, deps, resolver) for v in value]
        return _Split(
            known=[p.known for p in parts],
            unknown=[p.unknown or {} for p in parts] if any(p.unknown for p in parts) else None,
            refs=[p.refs or {} for p in parts] if any(p.refs for p in parts) else None,
            sensitive=[p.sensitive or {} for p in parts]
            if any(p.sensitive for p in parts) else None,
        )
    return _Split(known=value)


def _split_block(block: Mapping[str, Any], deps: tuple[str, ...], resolver: _Resolver) -> _Split:
    out = _Split(known={})
    for key, value in block.items():
        part = _split(value, deps, resolver, key)
        if part.unknown is not True and part.sensitive is not True:
            out.known[key] = part.known  # in a block list, known parts stay beside the marks
        for name in ("unknown", "refs", "sensitive"):
            mark = getattr(part, name)
            if mark is not None:
                if getattr(out, name) is None:
                    setattr(out, name, {})
                getattr(out, name)[key] = mark
    return out


# --- the plan ---------------------------------------------------------------------------------


def to_tfplan(graph: ResourceGraph) -> tuple[dict[str, Any], list[str]]:
    """The graph as Terraform plan JSON (every resource a create), and the unmapped types."""
    addrs = addresses(graph)
    resolver = _Resolver(graph, addrs)
    planned, changes, config = [], [], []
    for r in graph:
        address = addrs.get(r.urn)
        if address is None:
            continue
        tftype = TYPES[r.type]
        tf_type, name = address.split(".", 1)
        props = _properties(r)
        values: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        sensitive: dict[str, Any] = {}
        expressions: dict[str, Any] = {}
        for key, value in props.items():
            attr = _tf_key(key, tftype)
            deps = r.property_dependencies.get(key) or r.dependencies
            part = _split(_to_tf(value, tftype, attr), tuple(deps), resolver, attr)
            if part.unknown is not True and part.sensitive is not True:
                values[attr] = part.known
            for store, mark in ((unknown, part.unknown), (sensitive, part.sensitive),
                                (expressions, part.refs)):
                if mark is not None:
                    store[attr] = mark
        head = {"address": address, "mode": "managed", "type": tf_type, "name": name}
        planned.append({**head, "provider_name": PROVIDER, "schema_version": 0,
                        "values": values, "sensitive_values": sensitive})
        changes.append({**head, "provider_name": PROVIDER, "change": {
            "actions": ["create"], "before": None, "after": values,
            "after_unknown": unknown, "before_sensitive": False, "after_sensitive": sensitive,
        }})
        config.append({**head, "provider_config_key": "aws", "expressions": expressions,
                       "schema_version": 0})
    unmapped = unmapped_types(graph)
    plan = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
            "root_module": {"resources": config},
        },
        # not Terraform's: where each address came from, and what could not be converted
        "guardian": {
            "source": {"kind": graph.source.kind, "path": graph.source.path},
            "addresses": {a: urn for urn, a in addrs.items()},
            "unmapped": unmapped,
        },
    }
    return plan, unmapped
