"""Every way a copy of the data leaves its region, its account or its retention period, the
way teams write them: replicas abroad, backups replicated or copied across the ocean, snapshots
shared with the world or another account, backups kept longer than the data."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

US = "us-east-1"
net = kit.private_db_network("net")
key = kit.key("visits-key")

# RDS. GRD-RET-005: automated backups kept 14 days, the data 7.
db = kit.postgres("visits-db", "visits", net, key, backup_retention_period=14)
# GRD-RES-002: a read replica in the US (GRD-INV-001 too: the replica names no dataset).
aws.rds.Instance("visits-db-us", replicate_source_db=db.arn, instance_class="db.t4g.micro",
                 storage_encrypted=True, kms_key_id=kit.key("visits-key-us", region=US).arn,
                 skip_final_snapshot=True, region=US)
# GRD-RES-002: automated backups replicated to the US.
aws.rds.InstanceAutomatedBackupsReplication("visits-db-backups-us", source_db_instance_arn=db.arn,
                                            retention_period=7, region=US)
# GRD-PUB-005 and GRD-RET-005: a manual snapshot shared with everyone, kept until deleted.
snap = aws.rds.Snapshot("visits-db-snap", db_instance_identifier=db.identifier,
                        db_snapshot_identifier="visits-db-snap", shared_accounts=["all"])
# GRD-RES-002, GRD-SHR-001: copied to the US and shared with an account that is no recipient.
aws.rds.SnapshotCopy("visits-db-snap-us", source_db_snapshot_identifier=snap.db_snapshot_arn,
                     target_db_snapshot_identifier="visits-db-snap-us",
                     shared_accounts=["999999999999"], region=US)

# Aurora. GRD-PUB-004: an instance of the cluster is publicly accessible; GRD-RET-005: 35 days.
cluster = kit.aurora("visits-aurora", "visits", net, key, public_instance=True,
                     backup_retention_period=35)
# GRD-PUB-005: a manual cluster snapshot shared with everyone; GRD-SHR-001 and GRD-RES-002: its
# copy goes to the US, shared with an account that is no recipient.
csnap = aws.rds.ClusterSnapshot("visits-aurora-snap", db_cluster_identifier=cluster.id,
                                db_cluster_snapshot_identifier="visits-aurora-snap",
                                shared_accounts=["all"])
aws.rds.ClusterSnapshotCopy("visits-aurora-snap-us",
                            source_db_cluster_snapshot_identifier=csnap.db_cluster_snapshot_arn,
                            target_db_cluster_snapshot_identifier="visits-aurora-snap-us",
                            shared_accounts=["999999999999"], region=US)
# GRD-RES-002: a global database whose secondary cluster is in Oregon.
glob = aws.rds.GlobalCluster("visits-global", global_cluster_identifier="visits-global",
                             source_db_cluster_identifier=cluster.arn, force_destroy=True)
aws.rds.Cluster("visits-aurora-oregon", engine="aurora-postgresql", engine_version="16.4",
                global_cluster_identifier=glob.id, storage_encrypted=True,
                kms_key_id=kit.key("visits-key-oregon", region="us-west-2").arn,
                skip_final_snapshot=True, region="us-west-2")

# Redshift. GRD-RET-005: automated snapshots kept 10 days; GRD-RES-002: copied to the US.
warehouse_subnets = aws.redshift.SubnetGroup("visits-warehouse-subnets",
                                             subnet_ids=[s.id for s in net["subnets"]])
params = aws.redshift.ParameterGroup("visits-warehouse-params", family="redshift-1.0",
                                     parameters=[{"name": "require_ssl", "value": "true"}])
warehouse = aws.redshift.Cluster(
    "visits-warehouse", cluster_identifier="visits-warehouse", node_type="ra3.xlplus",
    number_of_nodes=2, master_username="admin", manage_master_password=True,
    encrypted="true", kms_key_id=key.arn, publicly_accessible=False,
    cluster_subnet_group_name=warehouse_subnets.name, cluster_parameter_group_name=params.name,
    vpc_security_group_ids=[net["db_sg"].id], skip_final_snapshot=True,
    automated_snapshot_retention_period=10, tags=kit.tags("visits"))
grant = aws.redshift.SnapshotCopyGrant("visits-copy-grant", snapshot_copy_grant_name="visits",
                                       kms_key_id=kit.key("visits-key-us-rs", region=US).arn,
                                       region=US)
aws.redshift.SnapshotCopy("visits-warehouse-copy", cluster_identifier=warehouse.id,
                          destination_region=US, retention_period=3,
                          snapshot_copy_grant_name=grant.snapshot_copy_grant_name)

# DynamoDB. GRD-RES-002: a replica declared apart, in the US.
table = kit.table("visits-table", "visits", kms=key)
aws.dynamodb.TableReplica("visits-table-us", global_table_arn=table.arn,
                          kms_key_arn=kit.key("visits-key-us-ddb", region=US).arn, region=US)

# AWS Backup on the table. GRD-RET-005: kept 30 days; GRD-RES-002 and GRD-SHR-001: copies go
# to a vault of another account in the US.
vault = aws.backup.Vault("visits-vault", name="visits-vault", kms_key_arn=key.arn)
plan = aws.backup.Plan("visits-plan", name="visits-plan", rules=[{
    "rule_name": "daily", "target_vault_name": vault.name, "schedule": "cron(0 3 * * ? *)",
    "lifecycle": {"delete_after": 30},
    "copy_actions": [{"destination_vault_arn":
                      "arn:aws:backup:us-east-1:999999999999:backup-vault:offsite",
                      "lifecycle": {"delete_after": 7}}],
}])
backup_role = aws.iam.Role("visits-backup", assume_role_policy=kit.doc(
    {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"},
     "Action": "sts:AssumeRole"}))
aws.backup.Selection("visits-table-backup", plan_id=plan.id, iam_role_arn=backup_role.arn,
                     resources=[table.arn])

kit.audit("audit", [], [table], ["security@fixture.example"])
