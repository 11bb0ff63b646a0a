import pulumi_aws as aws

key = aws.kms.Key("support-key", enable_key_rotation=True)
aws.rds.Instance("support-db", identifier="acme-support-db", engine="postgres",
                 engine_version="16.3", instance_class="db.t4g.micro", allocated_storage=20,
                 storage_encrypted=True, kms_key_id=key.arn,
                 username="app", manage_master_user_password=True, skip_final_snapshot=True,
                 tags={"privacy:dataset": "support_tickets"})
