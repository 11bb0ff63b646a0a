"""Orders table, config-driven name prefix, TTL on the catalog's attribute."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
prefix = config.get("prefix") or "corp"

orders = aws.dynamodb.Table(
    "orders",
    name=f"{prefix}-orders",
    billing_mode="PAY_PER_REQUEST",
    hash_key="customer_id",
    range_key="order_id",
    attributes=[{"name": "customer_id", "type": "S"}, {"name": "order_id", "type": "S"}],
    ttl={"attribute_name": "purge_at", "enabled": True},
    point_in_time_recovery={"enabled": True},
)
pulumi.export("table", orders.name)
