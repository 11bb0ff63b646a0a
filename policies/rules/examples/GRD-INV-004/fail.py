import pulumi_aws as aws

# Holds customer_profiles, but the dataset's catalog storage does not list it.
aws.s3.Bucket("profile-exports", bucket="acme-profile-exports",
              tags={"privacy:dataset": "customer_profiles"})
