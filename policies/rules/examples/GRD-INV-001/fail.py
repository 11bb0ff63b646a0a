import pulumi_aws as aws

# Nothing ties this bucket to a dataset: no privacy:dataset tag, no catalog storage entry.
aws.s3.Bucket("clickstream-raw", bucket="acme-clickstream-raw")
