import json

import pulumi_aws as aws

key = aws.kms.Key("orders-key", enable_key_rotation=True)
table = aws.dynamodb.Table("orders", name="acme-orders", hash_key="id",
                           billing_mode="PAY_PER_REQUEST", attributes=[{"name": "id", "type": "S"}],
                           server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
                           tags={"privacy:dataset": "orders_payments"})  # restricted
# Data calls that do not come through the VPC endpoint are refused.
endpoint = "vpce-0a1b2c3d4e5f60718"
aws.dynamodb.ResourcePolicy("orders-policy", resource_arn=table.arn, policy=table.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "dynamodb:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint}}}]})))
