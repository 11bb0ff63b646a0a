import pulumi_aws as aws

aws.s3.Bucket("clickstream-raw", bucket="acme-clickstream-raw",
              tags={"privacy:dataset": "marketing_engagement"})
