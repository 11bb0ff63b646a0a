import pulumi_aws as aws

aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
              tags={"privacy:dataset": "customer_profiles"})
