"""BreachAlerting: a tamper-evident trail of data access, threat detection, and alerts about
sensitive changes to the people the catalog names as breach contacts.

The trail is one multi-region trail in the home region. GuardDuty and EventBridge are
regional (a change to a us-east-1 bucket is an event in us-east-1 only, and a rule can only
publish to a topic in its own region), so every region holding data gets its own detector,
rules and KMS-encrypted topic, under its own key, which the same contacts subscribe to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
    # The other regions holding data stores, each with the provider for it.
    regions: Mapping[str, pulumi.ProviderResource] = field(default_factory=dict)
    trail_days: int = SECURITY_LOG_DAYS
    tags: dict[str, str] = field(default_factory=dict)


def event_selectors(
    buckets: Sequence[str], tables: Sequence[str]
) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict]:
    """Advanced event selectors: all management events, data events on these stores only."""
    selectors: list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict] = [{
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
    topic_arn: pulumi.Output[str]  # the home region's
    detector_id: pulumi.Output[str]  # the home region's
    topic_arns: dict[str, pulumi.Output[str]]  # the other regions', by region
    detector_ids: dict[str, pulumi.Output[str]]

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
        # The home region's alerts share the trail's key and keep their original names.
        topic, detector = self._alerts(name, key.arn, args.contacts, tags, account, child)
        self.topic_arns: dict[str, pulumi.Output[str]] = {}
        self.detector_ids: dict[str, pulumi.Output[str]] = {}
        for region, provider in sorted(args.regions.items()):
            there = pulumi.ResourceOptions(parent=self, provider=provider)
            regional_key = DataKey(f"{name}-{region}-key", DataKeyArgs(
                description=f"{name}: breach alerts in {region}", tags=tags,
                service_principals=["events.amazonaws.com"],
            ), opts=there)
            regional_topic, regional_detector = self._alerts(
                f"{name}-{region}", regional_key.arn, args.contacts, tags, account, there)
            self.topic_arns[region] = regional_topic.arn
            self.detector_ids[region] = regional_detector.id

        self.trail_arn = trail.arn
        self.topic_arn = topic.arn
        self.detector_id = detector.id
        self.register_outputs({
            "trailArn": self.trail_arn, "topicArn": self.topic_arn,
            "detectorId": self.detector_id,
            "regions": {r: {"topicArn": self.topic_arns[r], "detectorId": self.detector_ids[r]}
                        for r in self.topic_arns},
        })

    @staticmethod
    def _alerts(
        prefix: str, key_arn: pulumi.Input[str], contacts: Sequence[str], tags: dict[str, str],
        account: pulumi.Output[str], opts: pulumi.ResourceOptions,
    ) -> tuple[aws.sns.Topic, aws.guardduty.Detector]:
        """In the region of `opts`: GuardDuty, and every sensitive change and GuardDuty finding
        published to a topic encrypted under `key_arn` that each contact subscribes to."""
        detector = aws.guardduty.Detector(
            f"{prefix}-guardduty", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES",
            tags=tags, opts=opts,
        )
        topic = aws.sns.Topic(f"{prefix}-alerts", kms_master_key_id=key_arn, tags=tags, opts=opts)
        aws.sns.TopicPolicy(
            f"{prefix}-alerts-policy", arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, account).apply(lambda v: json.dumps(document({
                "Sid": "EventBridgePublishes", "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish", "Resource": v[0],
                "Condition": {"StringEquals": {"aws:SourceAccount": v[1]}},
            }), sort_keys=True)),
            opts=opts,
        )
        for i, contact in enumerate(sorted(set(contacts))):
            aws.sns.TopicSubscription(f"{prefix}-contact-{i}", topic=topic.arn, protocol="email",
                                      endpoint=contact, opts=opts)
        for rule_name, pattern in SENSITIVE_CHANGES.items():
            rule = aws.cloudwatch.EventRule(
                f"{prefix}-{rule_name}", name=f"{prefix}-{rule_name}",
                event_pattern=json.dumps(pattern, sort_keys=True), tags=tags, opts=opts,
            )
            aws.cloudwatch.EventTarget(f"{prefix}-{rule_name}-target", rule=rule.name,
                                       arn=topic.arn, opts=opts)
        return topic, detector
