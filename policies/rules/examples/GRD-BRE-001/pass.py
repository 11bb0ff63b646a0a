import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
logs = aws.s3.Bucket("trail-logs", tags={"guardian:role": "audit-logs"})
aws.cloudtrail.Trail("audit", s3_bucket_name=logs.id, is_multi_region_trail=True,
                     advanced_event_selectors=[{
                         "name": "customer profiles",
                         "field_selectors": [
                             {"field": "eventCategory", "equals": ["Data"]},
                             {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                             {"field": "resources.ARN", "starts_withs": [bucket.arn.apply(
                                 lambda arn: f"{arn}/")]},
                         ]}])
