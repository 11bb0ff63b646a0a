import pulumi_aws as aws

# Without server_side_encryption, DynamoDB uses an AWS owned key.
aws.dynamodb.Table("orders", name="acme-orders", hash_key="id", billing_mode="PAY_PER_REQUEST",
                   attributes=[{"name": "id", "type": "S"}],
                   tags={"privacy:dataset": "orders_payments"})
