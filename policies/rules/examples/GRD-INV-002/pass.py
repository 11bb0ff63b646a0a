import pulumi_aws as aws

aws.s3.Bucket("profiles", bucket="acme-profile-exports",
              tags={"privacy:dataset": "customer_profiles"})
