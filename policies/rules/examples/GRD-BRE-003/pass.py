import json

import pulumi_aws as aws

aws.s3.Bucket("profiles", bucket="acme-customer-profiles",  # in eu-west-1
              tags={"privacy:dataset": "customer_profiles"})
topic = aws.sns.Topic("breach-alerts")
for i, contact in enumerate(["security@acme-retail.example", "dpo@acme-retail.example"]):
    aws.sns.TopicSubscription(f"breach-contact-{i}", topic=topic.arn, protocol="email",
                              endpoint=contact)
rule = aws.cloudwatch.EventRule("s3-changes", event_pattern=json.dumps({
    "source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"]}))
aws.cloudwatch.EventTarget("s3-changes-target", rule=rule.name, arn=topic.arn)
