import json

import pulumi
import pulumi_aws as aws

aws.s3.Bucket("profiles", bucket="acme-customer-profiles",  # in eu-west-1
              tags={"privacy:dataset": "customer_profiles"})
# Alerts routed from us-east-1 only: an EventBridge rule sees only its own region's events.
us = pulumi.ResourceOptions(provider=aws.Provider("us-east-1", region="us-east-1"))
topic = aws.sns.Topic("breach-alerts", opts=us)
for i, contact in enumerate(["security@acme-retail.example", "dpo@acme-retail.example"]):
    aws.sns.TopicSubscription(f"breach-contact-{i}", topic=topic.arn, protocol="email",
                              endpoint=contact, opts=us)
rule = aws.cloudwatch.EventRule("s3-changes", event_pattern=json.dumps({
    "source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"]}), opts=us)
aws.cloudwatch.EventTarget("s3-changes-target", rule=rule.name, arn=topic.arn, opts=us)
