import pulumi
import pulumi_aws as aws

provider = aws.Provider("eu-central-1", region="eu-central-1")
aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
              tags={"privacy:dataset": "customer_profiles"},  # residency: eu
              opts=pulumi.ResourceOptions(provider=provider))
