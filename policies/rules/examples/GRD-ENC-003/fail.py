import pulumi_aws as aws

shared = aws.kms.Key("shared-key", enable_key_rotation=True)

profiles = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                         tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketServerSideEncryptionConfiguration(
    "profiles-sse", bucket=profiles.id,
    rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": shared.arn}}])
# orders_payments is restricted: here it shares the profiles' key
aws.dynamodb.Table("orders", name="acme-orders", hash_key="id", billing_mode="PAY_PER_REQUEST",
                   attributes=[{"name": "id", "type": "S"}],
                   server_side_encryption={"enabled": True, "kms_key_arn": shared.arn},
                   tags={"privacy:dataset": "orders_payments"})
