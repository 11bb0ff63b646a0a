import pulumi
import pulumi_aws as aws

provider = aws.Provider("us-east-1", region="us-east-1")
aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
              tags={"privacy:dataset": "customer_profiles"},  # residency: eu
              opts=pulumi.ResourceOptions(provider=provider))
