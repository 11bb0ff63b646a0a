"""BreachAlerting: a tamper-evident trail of data access, threat detection, and alerts about
sensitive changes to the people the catalog names as breach contacts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from guardian.modules.controls import SECURITY_LOG_DAYS
from guardian.modules.keys import DataKey, DataKeyArgs
from guardian.modules.policy import deny_insecure_transport, document
from guardian.modules.storage import private_bucket_controls, retention_lifecycle

# EventBridge patterns for changes that can expose or lose data: name -> event pattern.
SENSITIVE_CHANGES: dict[str, dict[str, Any]] = {
    "s3-exposure": {
        "source": ["aws.s3"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventName": [
            "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl",
            "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock",
            "PutBucketEncryption", "DeleteBucketEncryption",
        ]},
    },
    "dynamodb-protection": {
        "source": ["aws.dynamodb"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventName": ["UpdateTable", "DeleteTable", "UpdateContinuousBackups",
                                 "PutResourcePolicy", "DeleteResourcePolicy"]},
    },
    "kms-key-loss": {
        "source": ["aws.kms"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventName": ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy",
                                 "DisableKeyRotation"]},
    },
    "guardduty-finding": {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
    },
}


@dataclass
class BreachAlertingArgs:
    contacts: Sequence[str]  # e-mail addresses subscribed to the alerts
    # The home region's access-log bucket (name): who read or deleted trail logs is recorded.
    access_log_bucket: pulumi.Input[str] | None = None
    s3_data_events: Sequence[pulumi.Input[str]] = ()  # bucket ARNs whose object access is logged
    dynamodb_data_events: Sequence[pulumi.Input[str]] = ()  # table ARNs likewise
    trail_days: int = SECURITY_LOG_DAYS
    tags: dict[str, str] = field(default_factory=dict)


def event_selectors(buckets: Sequence[str], tables: Sequence[str]) -> list[dict[str, Any]]:
    """Advanced event selectors: all management events, data events on these stores only."""
    selectors: list[dict[str, Any]] = [{
        "name": "management-events",
        "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
    }]
    if buckets:
        selectors.append({
            "name": "s3-data-events",
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "starts_withs": sorted(f"{b}/" for b in buckets)},
            ],
        })
    if tables:
        selectors.append({
            "name": "dynamodb-data-events",
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::DynamoDB::Table"]},
                {"field": "resources.ARN", "equals": sorted(tables)},
            ],
        })
    return selectors


class BreachAlerting(pulumi.ComponentResource):
    trail_arn: pulumi.Output[str]
    topic_arn: pulumi.Output[str]
    detector_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: BreachAlertingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if not args.contacts:
            raise ValueError(f"{name}: breach alerts need at least one contact")
        super().__init__("guardian:alerting:BreachAlerting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id

        key = DataKey(f"{name}-key", DataKeyArgs(
            description=f"{name}: CloudTrail logs and breach alerts", tags=tags,
            service_principals=["cloudtrail.amazonaws.com", "events.amazonaws.com"],
        ), opts=child)

        trail_name = f"{name}-trail"
        bucket = aws.s3.Bucket(f"{name}-trail-logs", tags={**tags, "guardian:role": "audit-logs"},
                               opts=child)
        private_bucket_controls(f"{name}-trail-logs", self, bucket, {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn,
            },
            "bucket_key_enabled": True,
        })
        retention_lifecycle(f"{name}-trail-logs", self, bucket, args.trail_days)
        if args.access_log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-trail-logs-logging", bucket=bucket.id,
                target_bucket=args.access_log_bucket, target_prefix=f"{name}-trail-logs/",
                opts=child,
            )

        def bucket_policy(values: list[Any]) -> str:
            arn, account_id = values
            source = {"StringEquals": {"aws:SourceAccount": account_id}}
            return json.dumps(document(
                deny_insecure_transport([arn, f"{arn}/*"]),
                {"Sid": "CloudTrailAclCheck", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": arn, "Condition": source},
                {"Sid": "CloudTrailWrite", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": f"{arn}/AWSLogs/{account_id}/*",
                 "Condition": source},
            ), sort_keys=True)

        policy = aws.s3.BucketPolicy(
            f"{name}-trail-logs-policy", bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, account).apply(bucket_policy), opts=child,
        )
        selectors = pulumi.Output.all(
            pulumi.Output.all(*args.s3_data_events), pulumi.Output.all(*args.dynamodb_data_events)
        ).apply(lambda v: event_selectors(v[0], v[1]))
        trail = aws.cloudtrail.Trail(
            trail_name, name=trail_name, s3_bucket_name=bucket.id, kms_key_id=key.arn,
            enable_log_file_validation=True, is_multi_region_trail=True,
            include_global_service_events=True, advanced_event_selectors=selectors,
            tags=tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        detector = aws.guardduty.Detector(
            f"{name}-guardduty", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES",
            tags=tags, opts=child,
        )

        topic = aws.sns.Topic(f"{name}-alerts", kms_master_key_id=key.arn, tags=tags, opts=child)
        aws.sns.TopicPolicy(
            f"{name}-alerts-policy", arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, account).apply(lambda v: json.dumps(document({
                "Sid": "EventBridgePublishes", "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish", "Resource": v[0],
                "Condition": {"StringEquals": {"aws:SourceAccount": v[1]}},
            }), sort_keys=True)),
            opts=child,
        )
        for i, contact in enumerate(sorted(set(args.contacts))):
            aws.sns.TopicSubscription(f"{name}-contact-{i}", topic=topic.arn, protocol="email",
                                      endpoint=contact, opts=child)
        for rule_name, pattern in SENSITIVE_CHANGES.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{rule_name}", name=f"{name}-{rule_name}",
                event_pattern=json.dumps(pattern, sort_keys=True), tags=tags, opts=child,
            )
            aws.cloudwatch.EventTarget(f"{name}-{rule_name}-target", rule=rule.name,
                                       arn=topic.arn, opts=child)

        self.trail_arn = trail.arn
        self.topic_arn = topic.arn
        self.detector_id = detector.id
        self.register_outputs({"trailArn": self.trail_arn, "topicArn": self.topic_arn,
                               "detectorId": self.detector_id})
