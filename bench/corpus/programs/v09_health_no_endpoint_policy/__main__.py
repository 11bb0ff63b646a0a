"""Health records (restricted): a key of their own, reachable only through the VPC endpoint."""

import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.Vpc("hr-vpc", cidr_block="10.20.0.0/16", enable_dns_hostnames=True)
aws.ec2.FlowLog("hr-vpc-flows", vpc_id=vpc.id, traffic_type="ALL",
                log_destination_type="cloud-watch-logs",
                log_destination=aws.cloudwatch.LogGroup("hr-flows", retention_in_days=365).arn,
                iam_role_arn="arn:aws:iam::123456789012:role/flow-logs")
private = aws.ec2.RouteTable("hr-private", vpc_id=vpc.id)
endpoint = aws.ec2.VpcEndpoint("hr-s3", vpc_id=vpc.id, service_name="com.amazonaws.eu-central-1.s3",
                               vpc_endpoint_type="Gateway", route_table_ids=[private.id])
key = aws.kms.Key("health-key", enable_key_rotation=True, description="health records only")
records = aws.s3.Bucket("records", bucket="corp-health-records")
aws.s3.BucketServerSideEncryptionConfiguration("records-sse", bucket=records.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                "kms_master_key_id": key.id}}])
aws.s3.BucketPublicAccessBlock("records-pab", bucket=records.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
aws.s3.BucketLifecycleConfiguration("records-lifecycle", bucket=records.id, rules=[{
    "id": "ninety-days", "status": "Enabled", "filter": {"prefix": "employees/"},
    "expiration": {"days": 90}}])


def policy(args: list[str]) -> str:
    arn, vpce = args
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


aws.s3.BucketPolicy("records-policy", bucket=records.id,
                    policy=pulumi.Output.all(records.arn, endpoint.id).apply(policy))
trail_bucket = aws.s3.Bucket("trail", tags={"guardian:role": "audit-trail"})
aws.cloudtrail.Trail("records-events", s3_bucket_name=trail_bucket.id,
                     event_selectors=[{"read_write_type": "All", "data_resources": [{
                         "type": "AWS::S3::Object",
                         "values": [records.arn.apply(lambda a: f"{a}/")]}]}])
alerts = aws.sns.Topic("dpo-alerts")
aws.sns.TopicSubscription("dpo", topic=alerts.arn, protocol="email", endpoint="dpo@corp.example")
changes = aws.cloudwatch.EventRule("records-changes", event_pattern=json.dumps(
    {"source": ["aws.s3"],
     "detail": {"requestParameters": {"bucketName": ["corp-health-records"]}}}))
aws.cloudwatch.EventTarget("records-changes-target", rule=changes.name, arn=alerts.arn)
