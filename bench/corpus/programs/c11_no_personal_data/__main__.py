"""A service with no personal data store: a VPC with flow logs, a queue and a Lambda."""

import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.Vpc("svc", cidr_block="10.40.0.0/16")
logs = aws.cloudwatch.LogGroup("svc-flows", retention_in_days=90)
aws.ec2.FlowLog("svc-flows", vpc_id=vpc.id, traffic_type="ALL", log_destination=logs.arn,
                iam_role_arn="arn:aws:iam::123456789012:role/flow-logs")
queue = aws.sqs.Queue("jobs", sqs_managed_sse_enabled=True)
role = aws.iam.Role("worker", assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "lambda.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("worker-logs", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/"
                                        "AWSLambdaBasicExecutionRole")
fn = aws.lambda_.Function("worker", role=role.arn, runtime="python3.12", handler="app.main",
                          code=pulumi.FileArchive("./handler"), timeout=30)
aws.lambda_.EventSourceMapping("worker-jobs", event_source_arn=queue.arn, function_name=fn.name)
