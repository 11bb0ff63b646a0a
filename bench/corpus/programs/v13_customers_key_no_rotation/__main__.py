"""Customers table (confidential): CMK, TTL, data events and alarms."""

import json

import pulumi_aws as aws

key = aws.kms.Key("customers-key")  # rotation "later"
table = aws.dynamodb.Table(
    "customers", name="corp-customers", billing_mode="PAY_PER_REQUEST",
    hash_key="customer_id", attributes=[{"name": "customer_id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
    ttl={"attribute_name": "expires_at", "enabled": True},
    point_in_time_recovery={"enabled": True}, deletion_protection_enabled=True)
logs = aws.s3.Bucket("trail", tags={"guardian:role": "audit-trail"})
aws.cloudtrail.Trail("table-events", s3_bucket_name=logs.id, is_multi_region_trail=True,
                     event_selectors=[{"read_write_type": "All",
                                       "include_management_events": True,
                                       "data_resources": [{"type": "AWS::DynamoDB::Table",
                                                           "values": [table.arn]}]}])
topic = aws.sns.Topic("alerts")
aws.sns.TopicSubscription("alerts-security", topic=topic.arn, protocol="email",
                          endpoint="security@corp.example")
aws.cloudwatch.MetricAlarm("throttles", comparison_operator="GreaterThanThreshold",
                           evaluation_periods=1, metric_name="ReadThrottleEvents",
                           namespace="AWS/DynamoDB", period=300, statistic="Sum", threshold=10,
                           dimensions={"TableName": table.name}, alarm_actions=[topic.arn])
aws.cloudwatch.EventTarget("table-changes", arn=topic.arn, rule=aws.cloudwatch.EventRule(
    "table-changes", event_pattern=json.dumps({"source": ["aws.dynamodb"]})).name)
