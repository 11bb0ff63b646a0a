"""Stores of the example catalog, some configured well and some badly, plus IAM roles.

Written with plain pulumi_aws resources (no Guardian modules) so that it deploys, resource by
resource, into the moto server (tests/ops/deploy.py) and reads back with `read_live`.
"""

import json

import pulumi
import pulumi_aws as aws

TAGS = {"privacy:dataset": "customer_profiles", "privacy:owner": "team-accounts"}


def dataset(name: str) -> dict[str, str]:
    return {"privacy:dataset": name}


good_key = aws.kms.Key("profiles-key", description="profiles CMK", enable_key_rotation=True,
                       tags=dataset("customer_profiles"))
aws.kms.Alias("profiles-key-alias", name="alias/profiles", target_key_id=good_key.key_id)
lazy_key = aws.kms.Key("pharmacy-key", description="pharmacy CMK, never rotated",
                       enable_key_rotation=False)

# customer_profiles: everything as the catalog asks
profiles = aws.s3.Bucket("acme-customer-profiles", bucket="acme-customer-profiles", tags=TAGS)
aws.s3.BucketServerSideEncryptionConfiguration(
    "acme-customer-profiles-encryption", bucket=profiles.id,
    rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": good_key.arn},
        "bucket_key_enabled": True}])
aws.s3.BucketVersioning("acme-customer-profiles-versioning", bucket=profiles.id,
                        versioning_configuration={"status": "Enabled"})
aws.s3.BucketPublicAccessBlock("acme-customer-profiles-pab", bucket=profiles.id,
                               block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketLifecycleConfiguration(
    "acme-customer-profiles-lifecycle", bucket=profiles.id,
    rules=[{"id": "retention", "status": "Enabled", "filter": {"prefix": ""},
            "expiration": {"days": 1095},
            "noncurrent_version_expiration": {"noncurrent_days": 30}}])
aws.s3.BucketPolicy(
    "acme-customer-profiles-policy", bucket=profiles.id,
    policy=profiles.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [arn, f"{arn}/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))

# store_location_pings: S3-managed keys, no public access block, no lifecycle, no TLS policy
aws.s3.Bucket("acme-location-pings", bucket="acme-location-pings",
              tags=dataset("store_location_pings"))

# pharmacy_prescriptions: a CMK that is never rotated and a bucket policy open to everyone
pharmacy = aws.s3.Bucket("acme-pharmacy-prescriptions", bucket="acme-pharmacy-prescriptions",
                         tags=dataset("pharmacy_prescriptions"))
aws.s3.BucketServerSideEncryptionConfiguration(
    "acme-pharmacy-prescriptions-encryption", bucket=pharmacy.id,
    rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": lazy_key.arn}}])
aws.s3.BucketPolicy(
    "acme-pharmacy-prescriptions-policy", bucket=pharmacy.id,
    policy=pharmacy.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"{arn}/*"}]})))

# a bucket nobody catalogued
aws.s3.Bucket("acme-scratch", bucket="acme-scratch")

# customer_profiles' table: AWS owned key, no TTL, no PITR
customer_index = aws.dynamodb.Table("acme-customer-index", name="acme-customer-index",
                   billing_mode="PAY_PER_REQUEST", hash_key="customer_id",
                   attributes=[{"name": "customer_id", "type": "S"}],
                   tags=TAGS)
# orders: CMK, TTL on the declared attribute, PITR, the declared index
aws.dynamodb.Table("acme-orders", name="acme-orders", billing_mode="PAY_PER_REQUEST",
                   hash_key="order_id",
                   attributes=[{"name": "order_id", "type": "S"},
                               {"name": "customer_id", "type": "S"}],
                   global_secondary_indexes=[{"name": "by-customer", "hash_key": "customer_id",
                                              "projection_type": "KEYS_ONLY"}],
                   server_side_encryption={"enabled": True, "kms_key_arn": good_key.arn},
                   point_in_time_recovery={"enabled": True},
                   ttl={"attribute_name": "purge_at", "enabled": True},
                   tags=dataset("orders_payments"))

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})

accounts = aws.iam.Role("accounts-service", name="accounts-service", assume_role_policy=TRUST)
aws.iam.RolePolicy("accounts-service-data", name="data", role=accounts.name,
                   policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                       "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                       "Resource": "arn:aws:s3:::acme-customer-profiles/*"}]}))
# notifications may only read customer profiles, yet may read the orders table too
notifications = aws.iam.Role("notifications-service", name="notifications-service",
                             assume_role_policy=TRUST)
orders_read = aws.iam.Policy("orders-read", name="orders-read", policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
        "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/acme-orders"}]}))
aws.iam.RolePolicyAttachment("notifications-orders", role=notifications.name,
                             policy_arn=orders_read.arn)
# a role the catalog does not know, with every S3 action everywhere
aws.iam.Role("batch-jobs", name="batch-jobs", assume_role_policy=TRUST)
aws.iam.RolePolicyAttachment("batch-jobs-s3", role="batch-jobs",
                             policy_arn="arn:aws:iam::aws:policy/AmazonS3FullAccess")

# --- network: a data VPC with one subnet routed to the internet and two private ones -------
vpc = aws.ec2.Vpc("data-vpc", cidr_block="10.0.0.0/16", tags={"Name": "data-vpc"})
app_vpc = aws.ec2.Vpc("app-vpc", cidr_block="10.1.0.0/16", tags={"Name": "app-vpc"})
flow_logs = aws.s3.Bucket("acme-flow-logs", bucket="acme-flow-logs",
                          tags={"guardian:role": "logs"})
aws.ec2.FlowLog("app-vpc-flow-log", vpc_id=app_vpc.id, traffic_type="ALL",
                log_destination_type="s3", log_destination=flow_logs.arn)  # data-vpc has none
igw = aws.ec2.InternetGateway("data-igw", vpc_id=vpc.id, tags={"Name": "data-igw"})
public_subnet = aws.ec2.Subnet("db-public", vpc_id=vpc.id, cidr_block="10.0.1.0/24",
                               availability_zone="eu-west-1a", tags={"Name": "db-public"})
private_a = aws.ec2.Subnet("db-private-a", vpc_id=vpc.id, cidr_block="10.0.2.0/24",
                           availability_zone="eu-west-1a", tags={"Name": "db-private-a"})
private_b = aws.ec2.Subnet("db-private-b", vpc_id=vpc.id, cidr_block="10.0.3.0/24",
                           availability_zone="eu-west-1b", tags={"Name": "db-private-b"})
public_rt = aws.ec2.RouteTable("public-rt", vpc_id=vpc.id, tags={"Name": "public-rt"},
                               routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}])
private_rt = aws.ec2.RouteTable("private-rt", vpc_id=vpc.id, tags={"Name": "private-rt"})
for subnet, table in ((public_subnet, public_rt), (private_a, private_rt),
                      (private_b, private_rt)):
    aws.ec2.RouteTableAssociation(f"{subnet._name}-rt", subnet_id=subnet.id,
                                  route_table_id=table.id)
aws.ec2.VpcEndpoint("s3-endpoint", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.s3",
                    vpc_endpoint_type="Gateway", route_table_ids=[private_rt.id],
                    tags={"Name": "s3-endpoint"})
open_sg = aws.ec2.SecurityGroup("db-open", name="db-open", vpc_id=vpc.id, description="open",
                                ingress=[{"protocol": "tcp", "from_port": 5432,
                                          "to_port": 5432, "cidr_blocks": ["0.0.0.0/0"]}])
closed_sg = aws.ec2.SecurityGroup("db-closed", name="db-closed", vpc_id=vpc.id,
                                  description="from the VPC only",
                                  ingress=[{"protocol": "tcp", "from_port": 5432,
                                            "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"]}])
exposed_group = aws.rds.SubnetGroup("db-exposed-group", name="db-exposed-group",
                                    subnet_ids=[public_subnet.id, private_a.id])
private_group = aws.rds.SubnetGroup("db-private-group", name="db-private-group",
                                    subnet_ids=[private_a.id, private_b.id])
tls = aws.rds.ParameterGroup("pg-tls", name="pg-tls", family="postgres16",
                             parameters=[{"name": "rds.force_ssl", "value": "1"}])
DB = {"engine": "postgres", "engine_version": "16.3", "instance_class": "db.t3.micro",
      "allocated_storage": 20, "username": "crm", "password": "not-a-secret-1",
      "storage_encrypted": True, "kms_key_id": good_key.arn, "skip_final_snapshot": True,
      "backup_retention_period": 7, "tags": dataset("customer_profiles")}
# open to the internet, in a subnet routed to it, without forced TLS
aws.rds.Instance("acme-crm-exposed", identifier="acme-crm-exposed",
                 db_subnet_group_name=exposed_group.name, vpc_security_group_ids=[open_sg.id],
                 **DB)
aws.rds.Instance("acme-crm", identifier="acme-crm", db_subnet_group_name=private_group.name,
                 vpc_security_group_ids=[closed_sg.id], parameter_group_name=tls.name, **DB)

# --- breach detection: a trail on the profiles bucket's objects, alerts to two contacts ----
trail_bucket = aws.s3.Bucket("acme-audit-trail", bucket="acme-audit-trail",
                             tags={"guardian:role": "audit-trail"})
aws.cloudtrail.Trail(
    "acme-trail", name="acme-trail", s3_bucket_name=trail_bucket.bucket,
    is_multi_region_trail=True,
    advanced_event_selectors=[{"name": "profiles objects", "field_selectors": [
        {"field": "eventCategory", "equals": ["Data"]},
        {"field": "resources.type", "equals": ["AWS::S3::Object"]},
        {"field": "resources.ARN", "starts_withs": [profiles.arn.apply(lambda a: f"{a}/")]}]}])
alerts = aws.sns.Topic("breach-alerts", name="breach-alerts", kms_master_key_id=good_key.id)
for contact in ("security@acme-retail.example", "dpo@acme-retail.example"):
    aws.sns.TopicSubscription(f"alerts-{contact.split('@')[0]}", topic=alerts.arn,
                              protocol="email", endpoint=contact)
findings = aws.cloudwatch.EventRule("guardduty-findings", name="guardduty-findings",
                                    event_pattern=json.dumps({"source": ["aws.guardduty"]}))
aws.cloudwatch.EventTarget("guardduty-findings-alerts", rule=findings.name, arn=alerts.arn,
                           target_id="alerts")
aws.cloudwatch.MetricAlarm("root-sign-in", name="root-sign-in", namespace="Acme",
                           metric_name="RootSignIn", statistic="Sum", period=300,
                           evaluation_periods=1, threshold=1,
                           comparison_operator="GreaterThanOrEqualToThreshold",
                           alarm_actions=[alerts.arn])
aws.guardduty.Detector("guardduty", enable=True)

# --- AWS Backup: the customer index kept 1,200 days, past the profiles' 1,095 ---------------
# (moto 5.2 has no backup selections: the tests' fault proxy answers for this one)
vault = aws.backup.Vault("acme-vault", name="acme-vault", kms_key_arn=good_key.arn)
plan = aws.backup.Plan("daily", name="daily", rules=[{
    "rule_name": "daily", "target_vault_name": vault.name, "schedule": "cron(0 3 * * ? *)",
    "lifecycle": {"delete_after": 1200}}])
aws.backup.Selection("customer-index-backup", name="customer-index-backup", plan_id=plan.id,
                     iam_role_arn="arn:aws:iam::123456789012:role/backup-service",
                     resources=[customer_index.arn])

pulumi.export("profiles", profiles.bucket)
