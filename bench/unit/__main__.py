"""One dataset's stores as a team would write them with plain pulumi_aws (no Guardian modules).

`u00000` marks every per-dataset name; bench/check.py clones those resources by renumbering
them and keeps the `shared-` ones once. Per dataset: two S3 buckets (raw and curated) and a
DynamoDB index, each under the dataset's KMS key, private, TLS-only, with lifecycles matching a
365-day retention; a service role and an analyst role with inline policies for exactly the
declared actions, one statement per store, and IAM as teams layer it: the service role has AWS's
managed AWSLambdaBasicExecutionRole attached (logs on every resource: read from the pinned data
set), the analyst role explicit Denies (writes and deletes anywhere, any request over plain
HTTP) and a permissions boundary. Shared: the boundary policy, a multi-region trail recording S3
and DynamoDB data events, and a breach alert route (EventBridge rule -> SNS -> e-mail).
"""

import json

import pulumi
import pulumi_aws as aws

UNIT = "u00000"
DATASET = f"ds_{UNIT}"
TAGS = {"privacy:dataset": DATASET, "team": "bench"}
RETENTION_DAYS = 365

key = aws.kms.Key(
    f"{UNIT}-key",
    description=f"{DATASET} data key",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    tags=TAGS,
)
aws.kms.Alias(f"{UNIT}-key-alias", name=f"alias/{UNIT}", target_key_id=key.key_id)

service = aws.iam.Role(
    f"{UNIT}-service",
    name=f"{UNIT}-service",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "lambda.amazonaws.com"}}],
    }),
    tags=TAGS,
)
aws.iam.RolePolicyAttachment(
    f"{UNIT}-service-logs", role=service.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)
# Shared by every dataset's analyst (bench/check.py keeps one copy): reads, never more.
boundary = aws.iam.Policy(
    "shared-analyst-boundary",
    name="shared-analyst-boundary",
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Resource": "*",
                       "Action": ["s3:Get*", "s3:List*", "dynamodb:GetItem", "dynamodb:Query",
                                  "dynamodb:BatchGetItem", "kms:Decrypt"]}],
    }),
)
analyst = aws.iam.Role(
    f"{UNIT}-analyst",
    name=f"{UNIT}-analyst",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}],
    }),
    permissions_boundary=boundary.arn,
    tags=TAGS,
)

bucket_arns = []
for part in ("raw", "curated"):
    name = f"acme-{UNIT}-{part}"
    bucket = aws.s3.Bucket(name, bucket=name, tags=TAGS)
    bucket_arns.append(bucket.arn)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[{
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn,
            },
            "bucket_key_enabled": True,
        }],
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning", bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
        ignore_public_acls=True, restrict_public_buckets=True,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[{
            "id": "retention",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "expiration": {"days": RETENTION_DAYS},
            "noncurrent_version_expiration": {"noncurrent_days": 30},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        }],
    )
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(lambda arn: json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }],
        })),
    )

table = aws.dynamodb.Table(
    f"acme-{UNIT}-index",
    name=f"acme-{UNIT}-index",
    billing_mode="PAY_PER_REQUEST",
    hash_key="subject_id",
    attributes=[{"name": "subject_id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
    ttl={"attribute_name": "expires_at", "enabled": True},
    point_in_time_recovery={"enabled": True},
    tags=TAGS,
)


def _policy(actions: dict[str, list[str]], arns: list[str],
            denies: tuple[dict[str, object], ...] = ()) -> str:
    raw, curated, table_arn, key_arn = arns
    statements = [
        {"Effect": "Allow", "Action": actions["s3"], "Resource": [bucket, f"{bucket}/*"]}
        for bucket in (raw, curated)
    ]
    statements.append({"Effect": "Allow", "Action": actions["dynamodb"], "Resource": table_arn})
    statements.append({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                       "Resource": key_arn})
    statements += denies
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


everything = pulumi.Output.all(*bucket_arns, table.arn, key.arn)
aws.iam.RolePolicy(
    f"{UNIT}-service-data",
    role=service.id,
    policy=everything.apply(lambda arns: _policy({
        "s3": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        "dynamodb": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem",
                     "dynamodb:Query"],
    }, arns)),
)
aws.iam.RolePolicy(
    f"{UNIT}-analyst-data",
    role=analyst.id,
    policy=everything.apply(lambda arns: _policy({
        "s3": ["s3:GetObject", "s3:ListBucket"],
        "dynamodb": ["dynamodb:GetItem", "dynamodb:Query"],
    }, arns, (
        {"Effect": "Deny", "Resource": "*",
         "Action": ["s3:PutObject", "s3:DeleteObject*", "dynamodb:PutItem", "dynamodb:DeleteItem"]},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ))),
)

# Shared by every dataset of the deployment (bench/check.py keeps one copy).
aws.cloudtrail.Trail(
    "shared-trail",
    name="shared-trail",
    s3_bucket_name="acme-audit-logs",
    is_multi_region_trail=True,
    enable_logging=True,
    advanced_event_selectors=[
        {"name": "S3 objects", "field_selectors": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
        ]},
        {"name": "DynamoDB items", "field_selectors": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::DynamoDB::Table"]},
        ]},
    ],
)
topic = aws.sns.Topic("shared-breach-alerts", name="shared-breach-alerts")
aws.sns.TopicSubscription(
    "shared-breach-security", topic=topic.arn, protocol="email",
    endpoint="security@acme.example",
)
findings = aws.cloudwatch.EventRule(
    "shared-breach-findings",
    name="shared-breach-findings",
    event_pattern=json.dumps({"source": ["aws.guardduty", "aws.macie"]}),
)
aws.cloudwatch.EventTarget("shared-breach-target", rule=findings.name, arn=topic.arn)
