import pulumi_aws as aws

# The catalog keeps support_tickets 730 days; automated backups go after 7.
db = aws.rds.Instance("support-db", identifier="acme-support-db", engine="postgres",
                      engine_version="16.3", instance_class="db.t4g.micro",
                      allocated_storage=20, storage_encrypted=True, username="app",
                      manage_master_user_password=True, skip_final_snapshot=True,
                      backup_retention_period=7, tags={"privacy:dataset": "support_tickets"})
