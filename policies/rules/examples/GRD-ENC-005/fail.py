import pulumi_aws as aws

aws.rds.Instance("support-db", identifier="acme-support-db", engine="postgres",
                 engine_version="16.3", instance_class="db.t4g.micro", allocated_storage=20,
                 storage_encrypted=False,
                 username="app", manage_master_user_password=True, skip_final_snapshot=True,
                 tags={"privacy:dataset": "support_tickets"})
