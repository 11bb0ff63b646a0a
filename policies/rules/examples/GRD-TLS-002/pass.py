import pulumi_aws as aws

params = aws.rds.ParameterGroup("support-db-params", family="mysql8.0",
                                parameters=[{"name": "require_secure_transport", "value": "1"}])
aws.rds.Instance("support-db", identifier="acme-support-db", engine="mysql",
                 engine_version="8.0", instance_class="db.t4g.micro", allocated_storage=20,
                 storage_encrypted=True, username="app", manage_master_user_password=True,
                 parameter_group_name=params.name, skip_final_snapshot=True,
                 tags={"privacy:dataset": "support_tickets"})
