import pulumi_aws as aws

# "customer_profile": no such dataset in the catalog (did you mean customer_profiles?)
aws.s3.Bucket("profiles", bucket="acme-profile-exports",
              tags={"privacy:dataset": "customer_profile"})
