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
aws.dynamodb.Table("acme-customer-index", name="acme-customer-index",
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

pulumi.export("profiles", profiles.bucket)
