import pulumi_aws as aws

key = aws.kms.Key("orders-key", enable_key_rotation=True)
aws.dynamodb.Table("orders", name="acme-orders", hash_key="id", billing_mode="PAY_PER_REQUEST",
                   attributes=[{"name": "id", "type": "S"}],
                   stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
                   server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
                   replicas=[{"region_name": "us-east-1"}],  # residency: eu
                   tags={"privacy:dataset": "orders_payments"})
