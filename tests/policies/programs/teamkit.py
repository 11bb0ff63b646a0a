"""A team's own helpers around plain pulumi_aws: what the fixture programs build with.

Not Guardian's modules: each function is the handful of pulumi_aws calls a team would write,
with switches the violating fixtures turn off one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws


def tags(dataset: str | None) -> dict[str, str]:
    return {"privacy:dataset": dataset} if dataset else {"team": "fixtures"}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def key(name: str, *, rotation: bool = True, principal: Any = None,
        extra: Sequence[dict[str, Any]] = (), region: str | None = None,
        opts: pulumi.ResourceOptions | None = None) -> aws.kms.Key:
    policy = doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                  "Principal": principal or {"AWS": "arn:aws:iam::123456789012:root"}}, *extra)
    return aws.kms.Key(name, enable_key_rotation=rotation, policy=policy, region=region,
                       opts=opts)


def bucket(
    name: str, dataset: str | None, *, kms: aws.kms.Key | None = None, pab: str = "full",
    acl: str | None = None, tls: bool = True, vpce: Any = None,
    extra: Sequence[dict[str, Any]] = (), expiration_days: int | None = 30,
    noncurrent_days: int | None = 7, versioning: bool = True, object_lock: bool = False,
    replicate_to: aws.s3.Bucket | None = None, opts: pulumi.ResourceOptions | None = None,
) -> aws.s3.Bucket:
    b = aws.s3.Bucket(name, bucket=name, tags=tags(dataset), acl=acl,
                      object_lock_enabled=object_lock or None, opts=opts)
    by_default = ({"sse_algorithm": "aws:kms", "kms_master_key_id": kms.arn} if kms
                  else {"sse_algorithm": "AES256"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse", bucket=b.id, rules=[{"apply_server_side_encryption_by_default": by_default}],
        opts=opts)
    if versioning:
        aws.s3.BucketVersioning(f"{name}-versioning", bucket=b.id,
                                versioning_configuration={"status": "Enabled"}, opts=opts)
    if pab != "none":
        aws.s3.BucketPublicAccessBlock(
            f"{name}-pab", bucket=b.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=pab == "full", opts=opts)
    rule: dict[str, Any] = {"id": "retention", "status": "Enabled", "filter": {}}
    if expiration_days:
        rule["expiration"] = {"days": expiration_days}
    if noncurrent_days:
        rule["noncurrent_version_expiration"] = {"noncurrent_days": noncurrent_days}
    if expiration_days or noncurrent_days:
        aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=b.id, rules=[rule],
                                            opts=opts)

    def policy(args: list[Any]) -> str:
        arn, endpoint = args
        statements = list(extra)
        if tls:
            statements.append({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                               "Resource": [arn, f"{arn}/*"],
                               "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        if endpoint:
            statements.append({"Effect": "Deny", "Principal": "*",
                               "Action": ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*"],
                               "Resource": [arn, f"{arn}/*"],
                               "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint}}})
        return doc(*statements)

    if tls or vpce is not None or extra:
        aws.s3.BucketPolicy(f"{name}-policy", bucket=b.id,
                            policy=pulumi.Output.all(b.arn, vpce).apply(policy), opts=opts)
    if object_lock:
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-lock", bucket=b.id, object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": "GOVERNANCE", "days": 30}}, opts=opts)
    if replicate_to is not None:
        replication = aws.iam.Role(f"{name}-replication", assume_role_policy=doc(
            {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
             "Action": "sts:AssumeRole"}))
        aws.s3.BucketReplicationConfig(
            f"{name}-replication", bucket=b.id, role=replication.arn,
            rules=[{"id": "all", "status": "Enabled",
                    "destination": {"bucket": replicate_to.arn}}], opts=opts)
    return b


def table(name: str, dataset: str, *, kms: aws.kms.Key | None = None,
          ttl: str | None = "expires_at", vpce: Any = None,
          replicas: Sequence[str] = ()) -> aws.dynamodb.Table:
    t = aws.dynamodb.Table(
        name, name=name, hash_key="pk", billing_mode="PAY_PER_REQUEST",
        attributes=[{"name": "pk", "type": "S"}],
        server_side_encryption={"enabled": True, "kms_key_arn": kms.arn} if kms else None,
        ttl={"attribute_name": ttl, "enabled": True} if ttl else None,
        replicas=[{"region_name": r} for r in replicas] or None,
        tags=tags(dataset))
    if vpce is not None:
        aws.dynamodb.ResourcePolicy(
            f"{name}-policy", resource_arn=t.arn,
            policy=pulumi.Output.all(t.arn, vpce).apply(lambda a: doc({
                "Effect": "Deny", "Principal": "*", "Action": "dynamodb:*",
                "Resource": [a[0], f"{a[0]}/*"],
                "Condition": {"StringNotEquals": {"aws:SourceVpce": a[1]}}})))
    return t


def role(name: str, grants: Sequence[tuple[Sequence[str], Sequence[Any]]], *,
         human: bool = False, mfa: bool = True) -> aws.iam.Role:
    trust: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole",
                             "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}
    if human and mfa:
        trust["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    if not human:
        trust["Principal"] = {"Service": "ecs-tasks.amazonaws.com"}
    r = aws.iam.Role(name, name=name, assume_role_policy=doc(trust))
    flat = [res for _, resources in grants for res in resources]

    def policy(values: list[Any]) -> str:
        out, i = [], 0
        for actions, resources in grants:
            out.append({"Effect": "Allow", "Action": list(actions),
                        "Resource": values[i:i + len(resources)]})
            i += len(resources)
        return doc(*out)

    aws.iam.RolePolicy(f"{name}-policy", role=r.id, policy=pulumi.Output.all(*flat).apply(policy))
    return r


def audit(name: str, buckets: Sequence[aws.s3.Bucket], tables: Sequence[aws.dynamodb.Table],
          contacts: Sequence[str]) -> None:
    """A trail with data events on these stores, and alerts mailed to the contacts."""
    logs = aws.s3.Bucket(f"{name}-trail-logs", tags={"guardian:role": "audit-logs"})
    selectors = pulumi.Output.all([b.arn for b in buckets], [t.arn for t in tables]).apply(
        lambda a: [
            {"name": "s3", "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "starts_withs": [f"{arn}/" for arn in a[0]]}]},
            {"name": "ddb", "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::DynamoDB::Table"]},
                {"field": "resources.ARN", "equals": list(a[1])}]},
        ])
    aws.cloudtrail.Trail(f"{name}-trail", s3_bucket_name=logs.id, is_multi_region_trail=True,
                         advanced_event_selectors=selectors)
    alerts(name, contacts, guardduty=False)


def alerts(name: str, contacts: Sequence[str], *, events: bool = True, guardduty: bool = True,
           region: str | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
    """Regional alerting (the region of `region`, else of `opts`' provider): S3 changes mailed
    to the contacts, and a GuardDuty detector."""
    if guardduty:
        aws.guardduty.Detector(f"{name}-guardduty", enable=True, region=region, opts=opts)
    if not events:
        return
    topic = aws.sns.Topic(f"{name}-alerts", region=region, opts=opts)
    for i, contact in enumerate(contacts):
        aws.sns.TopicSubscription(f"{name}-contact-{i}", topic=topic.arn, protocol="email",
                                  endpoint=contact, region=region, opts=opts)
    rule = aws.cloudwatch.EventRule(f"{name}-s3-changes", event_pattern=json.dumps(
        {"source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"]}), region=region,
        opts=opts)
    aws.cloudwatch.EventTarget(f"{name}-s3-changes-target", rule=rule.name, arn=topic.arn,
                               region=region, opts=opts)


def network(name: str, *, flow_logs: bool = True) -> dict[str, Any]:
    """A VPC with private data subnets, an S3 gateway endpoint and flow logs."""
    vpc = aws.ec2.Vpc(name, cidr_block="10.0.0.0/16")
    subnets = [aws.ec2.Subnet(f"{name}-data-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24",
                              availability_zone=f"eu-west-1{'ab'[i]}") for i in range(2)]
    private = aws.ec2.RouteTable(f"{name}-data-rt", vpc_id=vpc.id, routes=[])
    for i, s in enumerate(subnets):
        aws.ec2.RouteTableAssociation(f"{name}-data-rt-{i}", subnet_id=s.id,
                                      route_table_id=private.id)
    endpoints = {
        svc: aws.ec2.VpcEndpoint(f"{name}-{svc}", vpc_id=vpc.id, vpc_endpoint_type="Gateway",
                                 service_name=f"com.amazonaws.eu-west-1.{svc}",
                                 route_table_ids=[private.id])
        for svc in ("s3", "dynamodb")
    }
    if flow_logs:
        group = aws.cloudwatch.LogGroup(f"{name}-flow-logs", retention_in_days=365)
        aws.ec2.FlowLog(f"{name}-flow-log", vpc_id=vpc.id, traffic_type="ALL",
                        log_destination=group.arn)
    return {"vpc": vpc, "subnets": subnets, "endpoints": endpoints}


def private_db_network(name: str) -> dict[str, Any]:
    """kit.network's private subnets as an RDS subnet group, and a security group admitting
    only the VPC."""
    net = network(name)
    group = aws.rds.SubnetGroup(f"{name}-db-subnets", subnet_ids=[s.id for s in net["subnets"]])
    sg = aws.ec2.SecurityGroup(f"{name}-db-sg", vpc_id=net["vpc"].id, ingress=[{
        "protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"]}])
    return {**net, "db_subnets": group, "db_sg": sg}


def postgres(name: str, dataset: str | None, net: dict[str, Any], key: aws.kms.Key,
             **kw: Any) -> aws.rds.Instance:
    """A PostgreSQL 16 instance written carefully: encrypted, private, TLS by default."""
    return aws.rds.Instance(
        name, identifier=name, engine="postgres", engine_version="16.3",
        instance_class="db.t4g.micro", allocated_storage=20, storage_encrypted=True,
        kms_key_id=key.arn, db_subnet_group_name=net["db_subnets"].name,
        vpc_security_group_ids=[net["db_sg"].id], username="app",
        manage_master_user_password=True, skip_final_snapshot=True, tags=tags(dataset), **kw)


def aurora(name: str, dataset: str | None, net: dict[str, Any], key: aws.kms.Key, *,
           public_instance: bool = False, **kw: Any) -> aws.rds.Cluster:
    """An Aurora PostgreSQL cluster with one instance, written carefully unless told."""
    params = aws.rds.ClusterParameterGroup(
        f"{name}-params", family="aurora-postgresql16",
        parameters=[{"name": "rds.force_ssl", "value": "1"}])
    cluster = aws.rds.Cluster(
        name, cluster_identifier=name, engine="aurora-postgresql", engine_version="16.4",
        storage_encrypted=True, kms_key_id=key.arn, db_subnet_group_name=net["db_subnets"].name,
        vpc_security_group_ids=[net["db_sg"].id], master_username="app",
        manage_master_user_password=True, skip_final_snapshot=True,
        db_cluster_parameter_group_name=params.name, tags=tags(dataset), **kw)
    aws.rds.ClusterInstance(f"{name}-1", cluster_identifier=cluster.id,
                            instance_class="db.r6g.large", engine="aurora-postgresql",
                            publicly_accessible=public_instance,
                            db_subnet_group_name=net["db_subnets"].name)
    return cluster


def plain_role(name: str, *statements: dict[str, Any], trust: str | None = None,
               managed: Sequence[str] = (), **kw: Any) -> aws.iam.Role:
    """A service role with its own inline policy (no Guardian conventions); `trust` an AWS
    account or principal ARN that may assume it instead of ECS tasks."""
    principal: dict[str, Any] = {"AWS": trust} if trust else {"Service": "ecs-tasks.amazonaws.com"}
    r = aws.iam.Role(name, name=name, assume_role_policy=doc(
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}), **kw)
    if statements:
        aws.iam.RolePolicy(f"{name}-policy", role=r.id, policy=doc(*statements))
    for i, arn in enumerate(managed):
        aws.iam.RolePolicyAttachment(f"{name}-managed-{i}", role=r.name, policy_arn=arn)
    return r


def profile_stores() -> tuple[aws.s3.Bucket, aws.dynamodb.Table]:
    """The profiles bucket and table written carefully, with their trail and alerts."""
    k = key("profiles-key")
    b = bucket("profiles-bucket", "profiles", kms=k)
    t = table("profiles-table", "profiles", kms=k)
    audit("audit", [b], [t], ["security@fixture.example"])
    return b, t


def app_tier(name: str, net: dict[str, Any], role: aws.iam.Role, cidrs: Sequence[str],
             ipv6: Sequence[str] = ()) -> None:
    """An EC2 instance and an ECS service running as `role`, behind a security group that
    admits HTTPS from `cidrs`."""
    sg = aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=net["vpc"].id, ingress=[{
        "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": list(cidrs),
        "ipv6_cidr_blocks": list(ipv6)}])
    profile = aws.iam.InstanceProfile(f"{name}-profile", role=role.name)
    aws.ec2.Instance(f"{name}-vm", ami="ami-0123456789abcdef0", instance_type="t3.micro",
                     subnet_id=net["subnets"][0].id, vpc_security_group_ids=[sg.id],
                     iam_instance_profile=profile.name)
    task = aws.ecs.TaskDefinition(
        f"{name}-task", family=name, network_mode="awsvpc", requires_compatibilities=["FARGATE"],
        cpu="256", memory="512", task_role_arn=role.arn,
        container_definitions=json.dumps([{"name": "app", "image": "app:1", "essential": True}]))
    cluster = aws.ecs.Cluster(f"{name}-cluster")
    aws.ecs.Service(f"{name}-service", cluster=cluster.arn, task_definition=task.arn,
                    desired_count=1, launch_type="FARGATE", network_configuration={
                        "subnets": [net["subnets"][0].id], "security_groups": [sg.id]})
