"""The controls each module provisions, read off the synthesized platform stack.

Assertions are about the controls themselves (which key, which condition, how many days),
for every store of the example catalog and a variant with public data and a dataset homed
outside the stack's region.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from guardian.modules.alerting import SENSITIVE_CHANGES
from guardian.modules.controls import (
    CONTROLS,
    HUMAN_MAX_SESSION_SECONDS,
    NONCURRENT_VERSION_DAYS,
    controls_for,
)
from guardian.modules.database import RETENTION_TAG

from guardian.catalog.actions import ACTIONS, iam_actions
from guardian.catalog.model import Catalog, Dataset, Storage
from guardian.graph.model import Resource, ResourceGraph
from guardian.graph.program import synthesize

HOME = "eu-west-1"
ROOT = Path(__file__).resolve().parents[2]
BUCKET = "aws:s3/bucket:Bucket"
TABLE = "aws:dynamodb/table:Table"
INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
# catalog storage kind -> the resource type holding the data
STORE_TYPES = {"s3": BUCKET, "dynamodb": TABLE, "rds": INSTANCE, "aurora": CLUSTER}


def region_of(dataset: Dataset) -> str:
    from guardian.catalog.regions import allowed_regions

    allowed = allowed_regions(dataset.residency)
    return HOME if HOME in allowed else allowed[0]


def store(graph: ResourceGraph, type_: str, name: str) -> Resource:
    [found] = [r for r in graph.of_type(type_) if r.name == name]
    return found


def helper(graph: ResourceGraph, parent: Resource, type_: str) -> Resource:
    """The one helper resource of `type_` beside `parent` in its component."""
    [found] = [r for r in graph.of_type(type_) if r.parent == parent.parent]
    return found


def statements(resource: Resource, key: str = "policy") -> list[dict[str, Any]]:
    return json.loads(resource.inputs[key])["Statement"]


def cmk_arn(graph: ResourceGraph, dataset: Dataset) -> str | None:
    """The key the dataset's stores must be encrypted under, per the controls table."""
    kind = controls_for(dataset.classification).key
    keys = graph.of_type("aws:kms/key:Key")
    if kind == "dedicated-cmk":
        [key] = [k for k in keys if k.dataset == dataset.id]
    elif kind == "shared-cmk":
        [key] = [k for k in keys if k.name == f"guardian-confidential-{region_of(dataset)}"]
    else:
        return None
    assert key.inputs["enableKeyRotation"] is True
    assert key.region == region_of(dataset)
    return key.outputs["arn"]


def key_by_arn(graph: ResourceGraph, arn: str) -> Resource:
    [key] = [k for k in graph.of_type("aws:kms/key:Key") if k.outputs["arn"] == arn]
    return key


def stores_of(catalog: Catalog, kind: str) -> list[tuple[Dataset, str]]:
    return [(d, s.name) for d in catalog.datasets for s in d.storage if s.kind == kind]


def test_every_store_is_there_tagged_and_in_a_region_its_residency_allows(variant,
                                                                           variant_catalog):
    for dataset in variant_catalog.datasets:
        for st in dataset.storage:
            resource = store(variant, STORE_TYPES[st.kind], st.name)
            retention = ({RETENTION_TAG: str(dataset.retention.days)} if st.database_store
                         else {})  # carried to every snapshot
            assert resource.tags == {"privacy:dataset": dataset.id,
                                     "privacy:classification": dataset.classification,
                                     "privacy:owner": dataset.owner, **retention}
            assert resource.region == region_of(dataset)
            assert (resource.provider is None) == (resource.region == HOME)


def test_components_use_guardian_type_tokens_and_prefix_their_childrens_names(variant):
    components = [r for r in variant if r.type.startswith("guardian:")]
    modules = {r.type.split(":")[1] for r in components}
    assert modules == {"storage", "table", "database", "network", "access", "alerting", "keys"}
    for component in components:
        assert not component.custom
        children = variant.children(component.urn)
        assert children, component.name
        assert all(c.name.startswith(component.name) for c in children), component.name


def test_bucket_encryption_uses_the_datasets_key(variant, variant_catalog):
    seen = set()
    for dataset, name in stores_of(variant_catalog, "s3"):
        bucket = store(variant, BUCKET, name)
        [rule] = helper(variant, bucket, "aws:s3/bucketServerSideEncryptionConfiguration:"
                        "BucketServerSideEncryptionConfiguration").inputs["rules"]
        default = rule["applyServerSideEncryptionByDefault"]
        assert default["sseAlgorithm"] == controls_for(dataset.classification).sse_algorithm
        assert default.get("kmsMasterKeyId") == cmk_arn(variant, dataset)
        seen.add(dataset.classification)
    assert seen == set(CONTROLS)


def test_every_bucket_policy_denies_requests_without_tls(variant):
    policies = variant.of_type("aws:s3/bucketPolicy:BucketPolicy")
    assert len(policies) == len(variant.of_type(BUCKET))
    for policy in policies:
        bucket = helper(variant, policy, BUCKET)
        arn = bucket.outputs["arn"]
        [deny] = [s for s in statements(policy)
                  if s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}]
        assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
        assert deny["Action"] == "s3:*" and deny["Resource"] == [arn, f"{arn}/*"]


def endpoint_id(graph: ResourceGraph, service: str, region: str) -> str:
    [endpoint] = [r for r in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                  if r.name.endswith(f"-{service}-endpoint") and r.region == region]
    return endpoint.outputs["id"]


def test_restricted_stores_refuse_data_access_outside_the_vpc_endpoint(variant, variant_catalog):
    for dataset, name in stores_of(variant_catalog, "s3"):
        bucket = store(variant, BUCKET, name)
        policy = helper(variant, bucket, "aws:s3/bucketPolicy:BucketPolicy")
        vpce = [s for s in statements(policy) if "StringNotEquals" in s.get("Condition", {})]
        if dataset.classification != "restricted":
            assert vpce == [], name
            continue
        [deny] = vpce
        expected = endpoint_id(variant, "s3", region_of(dataset))
        assert deny["Condition"] == {"StringNotEquals": {"aws:SourceVpce": expected}}
        assert deny["Effect"] == "Deny" and {"s3:GetObject*", "s3:PutObject*"} <= set(
            deny["Action"])
    for dataset, name in stores_of(variant_catalog, "dynamodb"):
        table = store(variant, TABLE, name)
        policies = [r for r in variant.of_type("aws:dynamodb/resourcePolicy:ResourcePolicy")
                    if r.parent == table.parent]
        if dataset.classification != "restricted":
            assert policies == [], name
            continue
        [deny] = statements(policies[0])
        assert deny["Condition"] == {
            "StringNotEquals": {"aws:SourceVpce": endpoint_id(variant, "dynamodb", HOME)}}
        assert deny["Resource"][0] == table.outputs["arn"]


def test_lifecycle_expires_objects_at_the_retention_and_cleans_up_after(variant, variant_catalog):
    for dataset, name in stores_of(variant_catalog, "s3"):
        bucket = store(variant, BUCKET, name)
        rules = {r["id"]: r for r in helper(
            variant, bucket,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]}
        retention = rules["retention"]
        assert retention["status"] == "Enabled" and retention["filter"] == {}
        assert retention["expiration"] == {"days": dataset.retention.days}
        assert retention["noncurrentVersionExpiration"] == {
            "noncurrentDays": NONCURRENT_VERSION_DAYS}
        assert retention["abortIncompleteMultipartUpload"]["daysAfterInitiation"] > 0
        assert rules["expired-delete-markers"]["expiration"] == {"expiredObjectDeleteMarker": True}


def test_buckets_are_private_versioned_acl_free_and_logged(variant, variant_catalog):
    for dataset, name in stores_of(variant_catalog, "s3"):
        bucket = store(variant, BUCKET, name)
        block = helper(variant, bucket,
                       "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
        assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                              "ignorePublicAcls", "restrictPublicBuckets"))
        ownership = helper(variant, bucket,
                           "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
        assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
        versioning = helper(variant, bucket, "aws:s3/bucketVersioning:BucketVersioning").inputs
        assert versioning["versioningConfiguration"] == {"status": "Enabled"}
        logging = helper(variant, bucket, "aws:s3/bucketLogging:BucketLogging").inputs
        [log_bucket] = [b for b in variant.of_type(BUCKET)
                        if b.name == f"guardian-access-logs-{region_of(dataset)}"]
        assert logging["targetBucket"] == log_bucket.outputs["bucket"]
        [log_sse] = helper(variant, log_bucket, "aws:s3/bucketServerSideEncryptionConfiguration:"
                           "BucketServerSideEncryptionConfiguration").inputs["rules"]
        assert log_sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"


def test_object_lock_only_where_the_dataset_declares_a_legal_hold(variant, variant_catalog):
    locks = variant.of_type(
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    held = {name for d, name in stores_of(variant_catalog, "s3") if d.retention.legal_hold}
    assert held == {"acme-employee-records"}
    assert {helper(variant, lock, BUCKET).name for lock in locks} == held
    [lock] = locks
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 2555}
    for _dataset, name in stores_of(variant_catalog, "s3"):
        assert bool(store(variant, BUCKET, name).inputs.get("objectLockEnabled")) == (
            name in held)


def test_tables_are_encrypted_recoverable_protected_and_expiring(variant, variant_catalog):
    for dataset, name in stores_of(variant_catalog, "dynamodb"):
        st = next(s for s in dataset.storage if s.name == name)
        table = store(variant, TABLE, name).inputs
        assert table["name"] == name
        assert table["serverSideEncryption"]["enabled"] is True
        assert table["serverSideEncryption"].get("kmsKeyArn") == cmk_arn(variant, dataset)
        assert table["pointInTimeRecovery"] == {"enabled": True}
        assert table["deletionProtectionEnabled"] is True
        if st.ttl_attribute:
            assert table["ttl"] == {"attributeName": st.ttl_attribute, "enabled": True}
        else:
            assert "ttl" not in table
        if st.index:
            [gsi] = table["globalSecondaryIndexes"]
            assert (gsi["name"], gsi["hashKey"]) == (st.index, st.subject_key)
            assert {"name": st.subject_key, "type": "S"} in table["attributes"]
        else:
            assert "globalSecondaryIndexes" not in table
            assert table["hashKey"] == st.subject_key


def tier_of(graph: ResourceGraph, subnet_id: str) -> str:
    [subnet] = [s for s in graph.of_type("aws:ec2/subnet:Subnet") if s.outputs["id"] == subnet_id]
    return subnet.inputs["tags"]["guardian:tier"]


def test_data_subnets_have_no_route_to_an_internet_or_nat_gateway(example):
    assert example.of_type("aws:ec2/route:Route") == []  # no routes outside the tables below
    networks = example.of_type("guardian:network:DataNetwork")
    assert {n.region for n in networks} == {None}  # components have no region of their own
    for network in networks:
        tables = {r.inputs["tags"]["guardian:tier"]: r for r in example.children(network.urn)
                  if r.type == "aws:ec2/routeTable:RouteTable"}
        assert tables["data"].inputs["routes"] == []
        [public_route] = tables["public"].inputs["routes"]
        assert public_route["gatewayId"].startswith("igw-")
        [app_route] = tables["app"].inputs["routes"]
        assert app_route["natGatewayId"].startswith("nat-")
        data_rt = tables["data"].outputs["id"]
        associations = [r.inputs for r in example.children(network.urn)
                        if r.type == "aws:ec2/routeTableAssociation:RouteTableAssociation"]
        data_subnets = [a["subnetId"] for a in associations if a["routeTableId"] == data_rt]
        assert len(data_subnets) == 2
        assert {tier_of(example, s) for s in data_subnets} == {"data"}
        zones = {s.inputs["availabilityZone"] for s in example.of_type("aws:ec2/subnet:Subnet")
                 if s.outputs["id"] in data_subnets}
        assert len(zones) == 2


def test_data_tier_admits_only_the_app_tier_and_nothing_from_anywhere(example):
    groups = {g.name: g.outputs["id"]
              for g in example.of_type("aws:ec2/securityGroup:SecurityGroup")}
    ingress = example.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    for rule in ingress:
        assert rule.inputs.get("cidrIpv4") != "0.0.0.0/0"
        assert rule.inputs.get("cidrIpv6") != "::/0"
    for network in example.of_type("guardian:network:DataNetwork"):
        data_sg, app_sg = groups[f"{network.name}-data-sg"], groups[f"{network.name}-app-sg"]
        into_data = [r.inputs for r in ingress if r.inputs["securityGroupId"] == data_sg]
        assert [r["referencedSecurityGroupId"] for r in into_data] == [app_sg]
    for default in example.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        assert default.inputs["ingress"] == [] and default.inputs["egress"] == []


def test_endpoints_keep_s3_dynamodb_and_kms_traffic_inside(example):
    for network in example.of_type("guardian:network:DataNetwork"):
        children = example.children(network.urn)
        [data_rt] = [r.outputs["id"] for r in children if r.type == "aws:ec2/routeTable:RouteTable"
                     and r.inputs["tags"]["guardian:tier"] == "data"]
        endpoints = {r.name.rsplit("-", 2)[-2]: r for r in children
                     if r.type == "aws:ec2/vpcEndpoint:VpcEndpoint"}
        region = endpoints["s3"].region
        for service in ("s3", "dynamodb"):
            assert endpoints[service].inputs["vpcEndpointType"] == "Gateway"
            assert endpoints[service].inputs["serviceName"] == f"com.amazonaws.{region}.{service}"
            assert data_rt in endpoints[service].inputs["routeTableIds"]
        kms = endpoints["kms"].inputs
        assert kms["vpcEndpointType"] == "Interface" and kms["privateDnsEnabled"] is True
        assert {tier_of(example, s) for s in kms["subnetIds"]} == {"data"}


def test_flow_logs_go_to_an_encrypted_log_group_with_a_retention(example):
    for flow in example.of_type("aws:ec2/flowLog:FlowLog"):
        assert flow.inputs["trafficType"] == "ALL"
        [group] = [g for g in example.of_type("aws:cloudwatch/logGroup:LogGroup")
                   if g.outputs["arn"] == flow.inputs["logDestination"]]
        assert group.inputs["retentionInDays"] == 365
        assert key_by_arn(example, group.inputs["kmsKeyId"]).inputs["enableKeyRotation"] is True
    assert len(example.of_type("aws:ec2/flowLog:FlowLog")) == len(
        example.of_type("aws:ec2/vpc:Vpc"))


def test_role_policies_name_only_their_datasets_stores_keys_and_actions(variant, variant_catalog):
    for dataset in variant_catalog.datasets:
        arns = {grant_arn(variant, dataset, s): "rds-db" if s.database_store else s.kind
                for s in dataset.storage}
        key = cmk_arn(variant, dataset)
        for access in dataset.access:
            [role] = [r for r in variant.of_type("aws:iam/role:Role")
                      if r.inputs.get("name") == access.role]
            assert role.tags["privacy:purpose"] == access.use
            assert role.dataset == dataset.id
            policy = helper(variant, role, "aws:iam/rolePolicy:RolePolicy")
            granted: dict[str, set[str]] = {}
            named: set[str] = set()
            for st in statements(policy):
                assert st["Effect"] == "Allow"
                for resource in st["Resource"]:
                    # a database is granted as the database user of the role's name
                    base = resource.removesuffix("/*").removesuffix("/index").removesuffix(
                        f"/{access.role}" if resource.startswith("arn:aws:rds-db:") else "")
                    assert base in arns or base == key, (access.role, resource)
                    named.add(base)
                for action in st["Action"]:
                    granted.setdefault(action.split(":")[0], set()).add(action)
            assert set(arns) <= named
            for service in {*arns.values(), "kms"}:
                expected = set(iam_actions(service, access.actions))
                if service == "kms" and key is None:
                    expected = set()
                assert granted.get(service, set()) == expected, (access.role, service)


def grant_arn(graph: ResourceGraph, dataset: Dataset, st: Storage) -> str:
    """What a role's policy names for a store: its ARN, or a database's IAM-auth user prefix."""
    resource = store(graph, STORE_TYPES[st.kind], st.name)
    if not st.database_store:
        return resource.outputs["arn"]
    resource_id = resource.outputs["clusterResourceId" if st.kind == "aurora" else "resourceId"]
    return f"arn:aws:rds-db:{region_of(dataset)}:123456789012:dbuser:{resource_id}"


def test_human_roles_need_mfa_and_a_short_session(variant, variant_catalog):
    accesses = [a for d in variant_catalog.datasets for a in d.access]
    assert any(a.human for a in accesses) and not all(a.human for a in accesses)
    for access in accesses:
        [role] = [r for r in variant.of_type("aws:iam/role:Role")
                  if r.inputs.get("name") == access.role]
        [trust] = statements(role, "assumeRolePolicy")
        mfa = trust.get("Condition", {}).get("Bool", {}).get("aws:MultiFactorAuthPresent")
        assert (mfa == "true") == access.human
        assert role.inputs["maxSessionDuration"] <= HUMAN_MAX_SESSION_SECONDS


def trust_of(graph: ResourceGraph, role_name: str) -> dict[str, Any]:
    [role] = [r for r in graph.of_type("aws:iam/role:Role") if r.inputs.get("name") == role_name]
    [trust] = statements(role, "assumeRolePolicy")
    return trust


def test_trust_policies_name_exactly_the_configured_principals(example, example_catalog):
    from guardian.graph.program import find_project, stack_config

    config, _ = stack_config(find_project(ROOT), "dev")
    configured = json.loads(config["guardian:trustedPrincipals"])
    assert len(configured) == 2 and not any(p.endswith(":root") for p in configured)
    accesses = [a for d in example_catalog.datasets for a in d.access]
    assert any(a.human for a in accesses)
    for access in accesses:
        trust = trust_of(example, access.role)
        assert trust["Effect"] == "Allow" and trust["Action"] == "sts:AssumeRole"
        assert trust["Principal"] == {"AWS": sorted(configured)}, access.role
        expected = {"Bool": {"aws:MultiFactorAuthPresent": "true"}} if access.human else None
        assert trust.get("Condition") == expected, access.role


def test_without_trusted_principals_the_roles_trust_the_account_root(example_catalog):
    bare = synthesize(ROOT, stack="no-such-stack", config={"aws:region": HOME})
    for access in (a for d in example_catalog.datasets for a in d.access):
        trust = trust_of(bare, access.role)
        assert trust["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}, access.role
        assert ("Condition" in trust) == access.human


@pytest.mark.parametrize("value", ['["*"]', '["arn:aws:iam::111122223333:role/a", "x"]',
                                   '"arn:aws:iam::111122223333:role/a"'])
def test_trusted_principals_must_be_a_list_of_principal_arns(value):
    from guardian.errors import UserError

    with pytest.raises(UserError, match="guardian:trustedPrincipals"):
        synthesize(ROOT, config={"guardian:trustedPrincipals": value})


def test_breach_alerting_trails_data_events_of_every_sensitive_store(variant, variant_catalog):
    [trail] = variant.of_type("aws:cloudtrail/trail:Trail")
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["isMultiRegionTrail"] is True
    key_arn = trail.inputs["kmsKeyId"]
    assert key_by_arn(variant, key_arn).inputs["enableKeyRotation"] is True
    [trail_bucket] = [b for b in variant.of_type(BUCKET)
                      if b.outputs["bucket"] == trail.inputs["s3BucketName"]]
    [sse] = helper(variant, trail_bucket, "aws:s3/bucketServerSideEncryptionConfiguration:"
                   "BucketServerSideEncryptionConfiguration").inputs["rules"]
    assert sse["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key_arn
    # who read or deleted the trail's logs is itself logged, in the home region's log bucket
    logging = helper(variant, trail_bucket, "aws:s3/bucketLogging:BucketLogging").inputs
    [home_logs] = [b for b in variant.of_type(BUCKET) if b.name == f"guardian-access-logs-{HOME}"]
    assert logging["targetBucket"] == home_logs.outputs["bucket"]
    assert trail_bucket.region == home_logs.region == HOME

    selectors = {s["name"]: s["fieldSelectors"] for s in trail.inputs["advancedEventSelectors"]}
    fields = {n: {f["field"]: f for f in fs} for n, fs in selectors.items()}
    s3_prefixes = set(fields["s3-data-events"]["resources.ARN"]["startsWiths"])
    tables = set(fields["dynamodb-data-events"]["resources.ARN"]["equals"])
    sensitive = [d for d in variant_catalog.datasets if controls_for(d.classification).data_events]
    assert s3_prefixes == {store(variant, BUCKET, n).outputs["arn"] + "/"
                           for d, n in stores_of(variant_catalog, "s3") if d in sensitive}
    assert tables == {store(variant, TABLE, n).outputs["arn"]
                      for d, n in stores_of(variant_catalog, "dynamodb") if d in sensitive}
    assert "acme-marketing-engagement" not in str(s3_prefixes)  # internal: no data events


def data_regions(catalog: Catalog) -> set[str]:
    return {region_of(d) for d in catalog.datasets if d.storage}


@pytest.mark.parametrize("which", ["example", "variant"])
def test_breach_alerting_detects_and_tells_the_breach_contacts_in_every_data_region(
        which, request):
    graph: ResourceGraph = request.getfixturevalue(which)
    catalog: Catalog = request.getfixturevalue(f"{which}_catalog")
    regions = data_regions(catalog)
    assert {HOME, "us-east-1"} <= regions  # the pharmacy data lives in us-east-1
    if which == "variant":
        assert "us-west-2" in regions
    contacts = sorted({c for d in catalog.datasets for c in d.breach_contacts})
    detectors = graph.of_type("aws:guardduty/detector:Detector")
    topics = graph.of_type("aws:sns/topic:Topic")
    rules = graph.of_type("aws:cloudwatch/eventRule:EventRule")
    targets = graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
    subscriptions = graph.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert {d.region for d in detectors} == {t.region for t in topics} == regions
    for region in regions:
        [detector] = [d for d in detectors if d.region == region]
        assert detector.inputs["enable"] is True
        [topic] = [t for t in topics if t.region == region]
        key = key_by_arn(graph, topic.inputs["kmsMasterKeyId"])
        assert key.region == region and key.inputs["enableKeyRotation"] is True
        [grant] = [st for st in json.loads(key.inputs["policy"])["Statement"]
                   if "Service" in st["Principal"]]
        assert "events.amazonaws.com" in grant["Principal"]["Service"]  # EventBridge publishes
        subscribed = [s for s in subscriptions if s.inputs["topic"] == topic.outputs["arn"]]
        assert {s.region for s in subscribed} == {region}
        assert {s.inputs["protocol"] for s in subscribed} == {"email"}
        assert sorted(s.inputs["endpoint"] for s in subscribed) == contacts
        patterns = {r.outputs["name"]: json.loads(r.inputs["eventPattern"])
                    for r in rules if r.region == region}
        assert sorted(json.dumps(p, sort_keys=True) for p in patterns.values()) == sorted(
            json.dumps(p, sort_keys=True) for p in SENSITIVE_CHANGES.values())
        here = [t for t in targets if t.region == region]
        assert {t.inputs["rule"] for t in here} == set(patterns)
        assert {t.inputs["arn"] for t in here} == {topic.outputs["arn"]}
        names = {n for p in patterns.values() for n in p.get("detail", {}).get("eventName", [])}
        assert {"PutBucketPolicy", "DeleteBucketPublicAccessBlock", "DeleteBucketEncryption",
                "DisableKey", "ScheduleKeyDeletion"} <= names
        assert any(p["detail-type"] == ["GuardDuty Finding"] for p in patterns.values())


# --- the modules refuse unsafe arguments, without any Pulumi engine --------------------------


def test_modules_refuse_to_build_a_store_weaker_than_its_class():
    from guardian.modules.access import PurposeRole, PurposeRoleArgs
    from guardian.modules.labels import DataLabels
    from guardian.modules.storage import EncryptedBucket, EncryptedBucketArgs
    from guardian.modules.table import DataTable, DataTableArgs

    confidential = DataLabels("d", "confidential", "team")
    restricted = DataLabels("d", "restricted", "team")
    with pytest.raises(ValueError, match="needs kms_key_arn"):
        EncryptedBucket("b", EncryptedBucketArgs("b", confidential, 30, log_bucket="logs"))
    with pytest.raises(ValueError, match="needs vpc_endpoint_id"):
        EncryptedBucket("b", EncryptedBucketArgs("b", restricted, 30, log_bucket="logs",
                                                 kms_key_arn="arn:aws:kms:k"))
    with pytest.raises(ValueError, match="needs vpc_endpoint_id"):
        DataTable("t", DataTableArgs("t", restricted, kms_key_arn="arn:aws:kms:k"))
    with pytest.raises(ValueError, match="read, write, delete"):
        PurposeRole("r", PurposeRoleArgs("r", "essential", confidential, ["admin"], []))
    with pytest.raises(ValueError, match="unknown classification"):
        controls_for("secret")


def test_the_controls_table_strengthens_with_the_classification():
    order = ["public", "internal", "confidential", "restricted"]
    assert list(CONTROLS) == order
    assert [CONTROLS[c].sse_algorithm for c in order] == ["AES256", "aws:kms", "aws:kms",
                                                         "aws:kms"]
    assert [CONTROLS[c].customer_managed_key for c in order] == [False, False, True, True]
    assert [CONTROLS[c].data_events for c in order] == [False, False, True, True]
    assert [CONTROLS[c].vpc_endpoint_only for c in order] == [False, False, False, True]
    assert CONTROLS["restricted"].key == "dedicated-cmk"


def test_the_action_lists_are_disjoint_and_explicit():
    from guardian.catalog.actions import catalog_actions_of

    for service, table in ACTIONS.items():
        for _action, granted in table.items():
            assert all(not a.endswith("*") and a.startswith(f"{service}:") for a in granted)
    assert catalog_actions_of("s3", "s3:getobject") == {"read"}
    assert catalog_actions_of("s3", "s3:PutBucketPolicy") == frozenset()
    assert iam_actions("dynamodb", ["delete"]) == ("dynamodb:DeleteItem",)


def test_databases_are_private_encrypted_tls_only_and_keep_backups_within_retention(
        variant, variant_catalog):
    """Every database store: the dataset's key, the data subnets, clients only from the app
    tier, TLS forced, IAM authentication, backups no longer than retention (RDS's 1 to 35),
    deletion protection, Performance Insights under the key, logs that expire, never public."""
    seen = set()
    for dataset in variant_catalog.datasets:
        for st in dataset.storage:
            if not st.database_store:
                continue
            seen.add(st.kind)
            db = store(variant, STORE_TYPES[st.kind], st.name)
            siblings = variant.children(db.parent)
            key = cmk_arn(variant, dataset)
            assert key is not None  # confidential and restricted: a customer-managed key
            assert db.inputs["storageEncrypted"] is True and db.inputs["kmsKeyId"] == key
            assert db.inputs["iamDatabaseAuthenticationEnabled"] is True
            assert db.inputs["backupRetentionPeriod"] == min(35, dataset.retention.days)
            assert db.inputs["deletionProtection"] is True
            assert db.inputs["copyTagsToSnapshot"] is True
            assert db.inputs["manageMasterUserPassword"] is True
            assert db.inputs["masterUserSecretKmsKeyId"] == key
            assert db.inputs["engine"] == {("rds", "postgres"): "postgres",
                                           ("rds", "mysql"): "mysql",
                                           ("aurora", "postgres"): "aurora-postgresql",
                                           ("aurora", "mysql"): "aurora-mysql"}[st.kind, st.engine]
            # TLS: the parameter group the store uses forces it
            group_type, group_input = (
                ("aws:rds/clusterParameterGroup:ClusterParameterGroup",
                 "dbClusterParameterGroupName") if st.kind == "aurora"
                else ("aws:rds/parameterGroup:ParameterGroup", "parameterGroupName"))
            [group] = [r for r in siblings if r.type == group_type]
            assert db.inputs[group_input] == group.outputs["name"]
            tls = "rds.force_ssl" if st.engine == "postgres" else "require_secure_transport"
            assert (tls, "1") in {(p["name"], p["value"]) for p in group.inputs["parameters"]}
            # network: the data tier's subnets; only the app tier's security group gets in
            [subnets] = [r for r in siblings if r.type == "aws:rds/subnetGroup:SubnetGroup"]
            assert db.inputs["dbSubnetGroupName"] == subnets.outputs["name"]
            data_subnets = {r.outputs["id"] for r in variant.of_type("aws:ec2/subnet:Subnet")
                            if r.tags.get("guardian:tier") == "data"}
            assert set(subnets.inputs["subnetIds"]) <= data_subnets
            [sg] = [r for r in siblings if r.type == "aws:ec2/securityGroup:SecurityGroup"]
            assert db.inputs["vpcSecurityGroupIds"] == [sg.outputs["id"]]
            rules = [r for r in siblings
                     if r.type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]
            assert rules and all(set(r.inputs) >= {"referencedSecurityGroupId"}
                                 and "cidrIpv4" not in r.inputs and "cidrIpv6" not in r.inputs
                                 for r in rules)
            port = 5432 if st.engine == "postgres" else 3306
            assert {(r.inputs["fromPort"], r.inputs["toPort"]) for r in rules} == {(port, port)}
            app_groups = {r.outputs["id"] for r in variant.of_type(
                "aws:ec2/securityGroup:SecurityGroup") if r.name.endswith("-app-sg")}
            assert {r.inputs["referencedSecurityGroupId"] for r in rules} <= app_groups
            # the instances: never public, Performance Insights under the dataset's key
            instances = ([r for r in siblings if r.type == "aws:rds/clusterInstance:ClusterInstance"]
                         if st.kind == "aurora" else [db])
            assert instances
            for instance in instances:
                assert instance.inputs["publiclyAccessible"] is False
                assert instance.inputs["performanceInsightsEnabled"] is True
                assert instance.inputs["performanceInsightsKmsKeyId"] == key
            # logs: exported, into groups that expire
            exported = db.inputs["enabledCloudwatchLogsExports"]
            assert exported and "general" not in exported
            groups = [r for r in siblings if r.type == "aws:cloudwatch/logGroup:LogGroup"]
            assert len(groups) == len(exported)
            assert all(0 < g.inputs["retentionInDays"] <= dataset.retention.days for g in groups)
            for group in groups:  # logs may quote statements: encrypted, under a rotated key
                assert key_by_arn(variant, group.inputs["kmsKeyId"]).inputs["enableKeyRotation"]
    assert seen == {"rds", "aurora"}
