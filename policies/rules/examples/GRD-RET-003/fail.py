import pulumi_aws as aws

key = aws.kms.Key("orders-key", enable_key_rotation=True)
aws.dynamodb.Table("orders", name="acme-orders", hash_key="id", billing_mode="PAY_PER_REQUEST",
                   attributes=[{"name": "id", "type": "S"}],
                   server_side_encryption={"enabled": True, "kms_key_arn": key.arn},  # no ttl
                   tags={"privacy:dataset": "orders_payments"})
