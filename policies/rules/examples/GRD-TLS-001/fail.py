import pulumi_aws as aws

# No bucket policy denies aws:SecureTransport=false: plain HTTP is accepted.
aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
              tags={"privacy:dataset": "customer_profiles"})
