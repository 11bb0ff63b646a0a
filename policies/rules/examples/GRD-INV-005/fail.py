import pulumi_aws as aws

# The catalog lists acme-customer-profiles under customer_profiles; the tag says otherwise.
aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
              tags={"privacy:dataset": "orders_payments"})
