"""Deploy a ResourceGraph into the moto server with boto3: a tiny stand-in for `pulumi up`.

Only the types tests/ops/deployed uses. Ids the cloud makes up (KMS key ids and ARNs) are
mapped from the offline graph's to the server's, so policies and references stay consistent.
"""

from __future__ import annotations

import json
from typing import Any

from guardian.graph.model import Resource, ResourceGraph


def _props(r: Resource, ids: dict[str, str]) -> dict[str, Any]:
    text = json.dumps({**r.inputs, **{k: v for k, v in r.outputs.items() if v is not None}})
    for old, new in ids.items():
        text = text.replace(old, new)
    return json.loads(text)


def _tags(tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def deploy(graph: ResourceGraph, clients: Any, region: str) -> dict[str, str]:
    """Create every resource of the graph; the id map (offline -> server)."""
    kms, s3, ddb, iam = (clients(s, region) for s in ("kms", "s3", "dynamodb", "iam"))
    ids: dict[str, str] = {}
    for r in graph.of_type("aws:kms/key:Key"):
        p = _props(r, ids)
        meta = kms.create_key(Description=p.get("description", ""),
                              Tags=_tags(p.get("tags"), "TagKey", "TagValue"))["KeyMetadata"]
        if p.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        ids[r.outputs["arn"]], ids[r.outputs["keyId"]] = meta["Arn"], meta["KeyId"]
    for r in graph.of_type("aws:kms/alias:Alias"):
        p = _props(r, ids)
        kms.create_alias(AliasName=p["name"], TargetKeyId=p["targetKeyId"])
    for r in graph.of_type("aws:iam/policy:Policy"):
        p = _props(r, ids)
        iam.create_policy(PolicyName=p["name"], PolicyDocument=p["policy"])
    for r in graph.of_type("aws:iam/role:Role"):
        p = _props(r, ids)
        iam.create_role(RoleName=p["name"], AssumeRolePolicyDocument=p["assumeRolePolicy"],
                        Tags=_tags(p.get("tags")))
    for r in graph.of_type("aws:iam/rolePolicy:RolePolicy"):
        p = _props(r, ids)
        iam.put_role_policy(RoleName=p["role"], PolicyName=p["name"], PolicyDocument=p["policy"])
    for r in graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        p = _props(r, ids)
        iam.attach_role_policy(RoleName=p["role"], PolicyArn=p["policyArn"])
    for r in graph.of_type("aws:s3/bucket:Bucket"):
        p = _props(r, ids)
        s3.create_bucket(Bucket=p["bucket"],
                         CreateBucketConfiguration={"LocationConstraint": region})
        if p.get("tags"):
            s3.put_bucket_tagging(Bucket=p["bucket"], Tagging={"TagSet": _tags(p["tags"])})
    for r in graph.resources:
        p = _props(r, ids)
        if r.type.endswith(":BucketServerSideEncryptionConfiguration"):
            s3.put_bucket_encryption(Bucket=p["bucket"], ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"],
                    **({"KMSMasterKeyID": rule["applyServerSideEncryptionByDefault"]
                        ["kmsMasterKeyId"]} if rule["applyServerSideEncryptionByDefault"].get(
                            "kmsMasterKeyId") else {})},
                    "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled"))}
                    for rule in p["rules"]]})
        elif r.type.endswith(":BucketVersioning"):
            s3.put_bucket_versioning(Bucket=p["bucket"], VersioningConfiguration={
                "Status": p["versioningConfiguration"]["status"]})
        elif r.type.endswith(":BucketPublicAccessBlock"):
            s3.put_public_access_block(Bucket=p["bucket"], PublicAccessBlockConfiguration={
                k[0].upper() + k[1:]: bool(p.get(k)) for k in (
                    "blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy",
                    "restrictPublicBuckets")})
        elif r.type.endswith(":BucketLifecycleConfiguration"):
            s3.put_bucket_lifecycle_configuration(Bucket=p["bucket"], LifecycleConfiguration={
                "Rules": [{
                    "ID": rule["id"], "Status": rule["status"],
                    "Filter": {"Prefix": rule.get("filter", {}).get("prefix", "")},
                    "Expiration": {"Days": int(rule["expiration"]["days"])},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": int(
                        rule["noncurrentVersionExpiration"]["noncurrentDays"])},
                } for rule in p["rules"]]})
        elif r.type.endswith(":BucketPolicy"):
            s3.put_bucket_policy(Bucket=p["bucket"], Policy=p["policy"])
    for r in graph.of_type("aws:dynamodb/table:Table"):
        p = _props(r, ids)
        spec: dict[str, Any] = {
            "TableName": p["name"], "BillingMode": p["billingMode"],
            "KeySchema": [{"AttributeName": p["hashKey"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]}
                                     for a in p["attributes"]],
            "Tags": _tags(p.get("tags")),
        }
        if p.get("globalSecondaryIndexes"):
            spec["GlobalSecondaryIndexes"] = [{
                "IndexName": i["name"],
                "KeySchema": [{"AttributeName": i["hashKey"], "KeyType": "HASH"}],
                "Projection": {"ProjectionType": i["projectionType"]}}
                for i in p["globalSecondaryIndexes"]]
        sse = p.get("serverSideEncryption") or {}
        if sse.get("enabled"):
            spec["SSESpecification"] = {"Enabled": True, "SSEType": "KMS",
                                        **({"KMSMasterKeyId": sse["kmsKeyArn"]}
                                           if sse.get("kmsKeyArn") else {})}
        ddb.create_table(**spec)
        if (p.get("pointInTimeRecovery") or {}).get("enabled"):
            ddb.update_continuous_backups(TableName=p["name"], PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})
        ttl = p.get("ttl") or {}
        if ttl.get("enabled"):
            ddb.update_time_to_live(TableName=p["name"], TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["attributeName"]})
    _network(graph, clients, region, ids)
    _databases(graph, clients, region, ids)
    _breach_detection(graph, clients, region, ids)
    _backup(graph, clients, region, ids)
    return ids


def _tag_spec(kind: str, tags: dict[str, str] | None) -> list[dict]:
    return [{"ResourceType": kind, "Tags": _tags(tags)}] if tags else []


def _network(graph: ResourceGraph, clients: Any, region: str, ids: dict[str, str]) -> None:
    ec2 = clients("ec2", region)

    def made(r: Resource, new: str) -> None:
        ids[r.outputs["id"]] = new

    for r in graph.of_type("aws:ec2/vpc:Vpc"):
        p = _props(r, ids)
        made(r, ec2.create_vpc(CidrBlock=p["cidrBlock"], TagSpecifications=_tag_spec(
            "vpc", p.get("tags")))["Vpc"]["VpcId"])
    for r in graph.of_type("aws:ec2/subnet:Subnet"):
        p = _props(r, ids)
        made(r, ec2.create_subnet(VpcId=p["vpcId"], CidrBlock=p["cidrBlock"],
                                  AvailabilityZone=p["availabilityZone"],
                                  TagSpecifications=_tag_spec("subnet", p.get("tags")))[
            "Subnet"]["SubnetId"])
    for r in graph.of_type("aws:ec2/internetGateway:InternetGateway"):
        p = _props(r, ids)
        gw = ec2.create_internet_gateway(TagSpecifications=_tag_spec(
            "internet-gateway", p.get("tags")))["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=p["vpcId"])
        made(r, gw)
    for r in graph.of_type("aws:ec2/routeTable:RouteTable"):
        p = _props(r, ids)
        table = ec2.create_route_table(VpcId=p["vpcId"], TagSpecifications=_tag_spec(
            "route-table", p.get("tags")))["RouteTable"]["RouteTableId"]
        for route in p.get("routes") or []:
            ec2.create_route(RouteTableId=table, DestinationCidrBlock=route["cidrBlock"],
                             GatewayId=route["gatewayId"])
        made(r, table)
    for r in graph.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        p = _props(r, ids)
        ec2.associate_route_table(RouteTableId=p["routeTableId"], SubnetId=p["subnetId"])
    for r in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        p = _props(r, ids)
        ec2.create_vpc_endpoint(VpcId=p["vpcId"], ServiceName=p["serviceName"],
                                VpcEndpointType=p["vpcEndpointType"],
                                RouteTableIds=p.get("routeTableIds") or [],
                                TagSpecifications=_tag_spec("vpc-endpoint", p.get("tags")))
    for r in graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        p = _props(r, ids)
        group = ec2.create_security_group(GroupName=p["name"], Description=p["description"],
                                          VpcId=p["vpcId"])["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
            "IpProtocol": rule["protocol"], "FromPort": rule["fromPort"],
            "ToPort": rule["toPort"], "IpRanges": [{"CidrIp": c} for c in rule["cidrBlocks"]]}
            for rule in p.get("ingress") or []])
        made(r, group)
    for r in graph.of_type("aws:ec2/flowLog:FlowLog"):
        p = _props(r, ids)
        ec2.create_flow_logs(ResourceIds=[p["vpcId"]], ResourceType="VPC",
                             TrafficType=p["trafficType"],
                             LogDestinationType=p["logDestinationType"],
                             LogDestination=p["logDestination"])


def _databases(graph: ResourceGraph, clients: Any, region: str, ids: dict[str, str]) -> None:
    rds = clients("rds", region)
    for r in graph.of_type("aws:rds/subnetGroup:SubnetGroup"):
        p = _props(r, ids)
        rds.create_db_subnet_group(DBSubnetGroupName=p["name"], SubnetIds=p["subnetIds"],
                                   DBSubnetGroupDescription=p["description"])
    for r in graph.of_type("aws:rds/parameterGroup:ParameterGroup"):
        p = _props(r, ids)
        rds.create_db_parameter_group(DBParameterGroupName=p["name"],
                                      DBParameterGroupFamily=p["family"],
                                      Description=p["description"])
        rds.modify_db_parameter_group(DBParameterGroupName=p["name"], Parameters=[
            {"ParameterName": x["name"], "ParameterValue": x["value"],
             "ApplyMethod": "immediate"} for x in p["parameters"]])
    for r in graph.of_type("aws:rds/instance:Instance"):
        p = _props(r, ids)
        rds.create_db_instance(
            DBInstanceIdentifier=p["identifier"], Engine=p["engine"],
            EngineVersion=p["engineVersion"], DBInstanceClass=p["instanceClass"],
            AllocatedStorage=p["allocatedStorage"], MasterUsername=p["username"],
            MasterUserPassword="not-a-secret-1", StorageEncrypted=p["storageEncrypted"],
            KmsKeyId=p["kmsKeyId"], DBSubnetGroupName=p["dbSubnetGroupName"],
            VpcSecurityGroupIds=p["vpcSecurityGroupIds"],
            BackupRetentionPeriod=p["backupRetentionPeriod"], Tags=_tags(p.get("tags")),
            **({"DBParameterGroupName": p["parameterGroupName"]}
               if p.get("parameterGroupName") else {}))


_OPERATORS = {"equals": "Equals", "startsWiths": "StartsWith", "notStartsWiths": "NotStartsWith",
              "notEquals": "NotEquals", "endsWiths": "EndsWith", "notEndsWiths": "NotEndsWith"}


def _breach_detection(graph: ResourceGraph, clients: Any, region: str,
                      ids: dict[str, str]) -> None:
    trails, sns, events, cloudwatch, guardduty = (clients(s, region) for s in (
        "cloudtrail", "sns", "events", "cloudwatch", "guardduty"))
    for r in graph.of_type("aws:cloudtrail/trail:Trail"):
        p = _props(r, ids)
        trails.create_trail(Name=p["name"], S3BucketName=p["s3BucketName"],
                            IsMultiRegionTrail=bool(p.get("isMultiRegionTrail")))
        trails.put_event_selectors(TrailName=p["name"], AdvancedEventSelectors=[
            {"Name": x["name"], "FieldSelectors": [
                {"Field": f["field"], **{_OPERATORS[k]: v for k, v in f.items() if k != "field"}}
                for f in x["fieldSelectors"]]} for x in p.get("advancedEventSelectors") or []])
        if p.get("enableLogging", True):
            trails.start_logging(Name=p["name"])
    for r in graph.of_type("aws:sns/topic:Topic"):
        p = _props(r, ids)
        sns.create_topic(Name=p["name"], Attributes={"KmsMasterKeyId": p["kmsMasterKeyId"]})
    for r in graph.of_type("aws:sns/topicSubscription:TopicSubscription"):
        p = _props(r, ids)
        sns.subscribe(TopicArn=p["topic"], Protocol=p["protocol"], Endpoint=p["endpoint"])
    for r in graph.of_type("aws:cloudwatch/eventRule:EventRule"):
        p = _props(r, ids)
        events.put_rule(Name=p["name"], EventPattern=p["eventPattern"])
    for r in graph.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        p = _props(r, ids)
        events.put_targets(Rule=p["rule"], Targets=[{"Id": p["targetId"], "Arn": p["arn"]}])
    for r in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        p = _props(r, ids)
        cloudwatch.put_metric_alarm(
            AlarmName=p["name"], MetricName=p["metricName"], Namespace=p["namespace"],
            Statistic=p["statistic"], Period=p["period"],
            EvaluationPeriods=p["evaluationPeriods"], Threshold=p["threshold"],
            ComparisonOperator=p["comparisonOperator"], AlarmActions=p["alarmActions"])
    for r in graph.of_type("aws:guardduty/detector:Detector"):
        guardduty.create_detector(Enable=bool(_props(r, ids).get("enable", True)))


def _backup(graph: ResourceGraph, clients: Any, region: str, ids: dict[str, str]) -> None:
    backup = clients("backup", region)
    for r in graph.of_type("aws:backup/vault:Vault"):
        p = _props(r, ids)
        backup.create_backup_vault(BackupVaultName=p["name"], EncryptionKeyArn=p["kmsKeyArn"])
    for r in graph.of_type("aws:backup/plan:Plan"):
        p = _props(r, ids)
        ids[r.outputs["id"]] = backup.create_backup_plan(BackupPlan={
            "BackupPlanName": p["name"], "Rules": [{
                "RuleName": x["ruleName"], "TargetBackupVaultName": x["targetVaultName"],
                "ScheduleExpression": x["schedule"],
                "Lifecycle": {"DeleteAfterDays": x["lifecycle"]["deleteAfter"]}}
                for x in p["rules"]]})["BackupPlanId"]


def backup_selections(graph: ResourceGraph, ids: dict[str, str], proxy: Any) -> None:
    """moto 5.2 has no AWS Backup selections: the fault proxy answers ListBackupSelections and
    GetBackupSelection for the graph's selections, as AWS would after `pulumi up`."""
    listed = []
    for n, r in enumerate(graph.of_type("aws:backup/selection:Selection")):
        p = _props(r, ids)
        ident = f"selection-{n}"
        listed.append({"SelectionId": ident, "SelectionName": p["name"],
                       "BackupPlanId": p["planId"], "IamRoleArn": p["iamRoleArn"]})
        proxy.add("answer", "backup", "GetBackupSelection", body={
            "BackupPlanId": p["planId"], "SelectionId": ident, "BackupSelection": {
                "SelectionName": p["name"], "IamRoleArn": p["iamRoleArn"],
                "Resources": p["resources"]}})
    proxy.add("answer", "backup", "ListBackupSelections", body={"BackupSelectionsList": listed})
