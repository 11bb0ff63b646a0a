"""Data sources no offline mock can answer (they read the real account), feeding a bucket of
customer_profiles: its bucket policy admits everyone in "our" organization, its key is an
existing one looked up by alias, its security group sits in the default VPC. Offline none of
these values can be known, so none of the controls they decide may pass."""

import json

import pulumi
import pulumi_aws as aws

TAGS = {"privacy:dataset": "customer_profiles", "privacy:owner": "team-accounts"}

vpc = aws.ec2.get_vpc(default=True)  # the plain form: values in hand at once
org = aws.organizations.get_organization_output()  # the output form
key = aws.kms.get_key_output(key_id="alias/customer-data")

bucket = aws.s3.Bucket("acme-customer-profiles", bucket="acme-customer-profiles", tags=TAGS)
aws.s3.BucketServerSideEncryptionConfiguration(
    "acme-customer-profiles-encryption", bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
aws.s3.BucketPolicy(
    "acme-customer-profiles-policy", bucket=bucket.id,
    policy=pulumi.Output.all(bucket.arn, org.id).apply(lambda v: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "OurOrganization", "Effect": "Allow", "Principal": "*",
                       "Action": "s3:GetObject", "Resource": f"{v[0]}/*",
                       "Condition": {"StringEquals": {"aws:PrincipalOrgID": v[1]}}}]})))
aws.ec2.SecurityGroup("app", vpc_id=vpc.id, description=f"app tier of {vpc.id}")

pulumi.export("organization", org.id)
pulumi.export("region", aws.get_region().region)  # answered offline: stays known
