import pulumi_aws as aws

buckets = ["acme-customer-profiles", "acme-location-pings", "acme-marketing-engagement",
           "acme-pharmacy-prescriptions", "acme-employee-records"]
tables = ["acme-customer-index", "acme-orders", "acme-support-tickets"]
for name in buckets:
    aws.s3.Bucket(name, bucket=name)
for name in tables:
    aws.dynamodb.Table(name, name=name, hash_key="id", billing_mode="PAY_PER_REQUEST",
                       attributes=[{"name": "id", "type": "S"}])
aws.rds.Cluster("acme-shop-db", cluster_identifier="acme-shop-db", engine="aurora-postgresql",
                storage_encrypted=True, master_username="admin", manage_master_user_password=True)
