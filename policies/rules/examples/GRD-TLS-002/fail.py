import pulumi_aws as aws

# MySQL's default parameter group accepts unencrypted connections.
aws.rds.Instance("support-db", identifier="acme-support-db", engine="mysql",
                 engine_version="8.0", instance_class="db.t4g.micro", allocated_storage=20,
                 storage_encrypted=True, username="app", manage_master_user_password=True,
                 skip_final_snapshot=True, tags={"privacy:dataset": "support_tickets"})
