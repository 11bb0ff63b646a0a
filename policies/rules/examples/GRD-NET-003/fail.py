import pulumi_aws as aws

# No subnet group: the database goes into the default VPC, whose subnets reach the internet.
aws.rds.Instance("support-db", identifier="acme-support-db", engine="postgres",
                 engine_version="16.3", instance_class="db.t4g.micro", allocated_storage=20,
                 storage_encrypted=True, username="app", manage_master_user_password=True,
                 skip_final_snapshot=True, tags={"privacy:dataset": "support_tickets"})
