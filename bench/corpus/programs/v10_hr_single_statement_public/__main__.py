"""HR files shared by a one-statement policy (a stack transformation stamps the team's tags,
and the dataset, on every bucket)."""

import json

import pulumi
import pulumi_aws as aws


def team_tags(
        args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    if args.type_ == "aws:s3/bucket:Bucket" and not args.props.get("tags"):
        args.props["tags"] = {"team": "hr", "privacy:dataset": "employees"}
        return pulumi.ResourceTransformationResult(args.props, args.opts)
    return None


pulumi.runtime.register_stack_transformation(team_tags)

key = aws.kms.Key("hr-key", enable_key_rotation=True)
files = aws.s3.Bucket("hr-files", bucket="corp-hr-files")
aws.s3.BucketServerSideEncryptionConfiguration("hr-files-sse", bucket=files.bucket, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                "kms_master_key_id": key.arn}}])
aws.s3.BucketPublicAccessBlock("hr-files-pab", bucket=files.bucket, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
aws.s3.BucketLifecycleConfiguration("hr-files-lifecycle", bucket=files.bucket, rules=[{
    "id": "seven-years", "status": "Enabled", "filter": {},
    "expiration": {"days": 2555}}])
aws.s3.BucketPolicy("hr-files-tls", bucket=files.bucket, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::corp-hr-files", "arn:aws:s3:::corp-hr-files/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
# "temporary" share with the payroll vendor: a single statement, no list around it
aws.s3.BucketPolicy("hr-files-share", bucket=files.bucket, policy=json.dumps({
    "Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::corp-hr-files/payroll/*"}}))
audit = aws.s3.Bucket("audit", tags={"guardian:role": "audit-trail"})
aws.cloudtrail.Trail("org-trail", s3_bucket_name=audit.bucket, is_multi_region_trail=True,
                     advanced_event_selectors=[{"field_selectors": [
                         {"field": "eventCategory", "equals": ["Data"]},
                         {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}])
topic = aws.sns.Topic("hr-security")
aws.sns.TopicSubscription("hr-security-mail", topic=topic.arn, protocol="email-json",
                          endpoint="security@corp.example")
aws.cloudwatch.EventTarget("guardduty-findings", arn=topic.arn, rule=aws.cloudwatch.EventRule(
    "guardduty-findings", event_pattern=json.dumps({"source": ["aws.guardduty"]})).name)
aws.guardduty.Detector("detector", enable=True)
