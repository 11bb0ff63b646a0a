import pulumi_aws as aws

db = aws.rds.Instance("support-db", identifier="acme-support-db", engine="postgres",
                      engine_version="16.3", instance_class="db.t4g.micro",
                      allocated_storage=20, storage_encrypted=True, username="app",
                      manage_master_user_password=True, skip_final_snapshot=True,
                      tags={"privacy:dataset": "support_tickets"})
aws.rds.Snapshot("support-db-snap", db_instance_identifier=db.identifier,
                 db_snapshot_identifier="acme-support-db-snap")  # not shared
