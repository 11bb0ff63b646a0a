"""The same copies kept inside the rules: replicas and backups in the EU, retention at exactly
the declared days, snapshots shared only with a declared recipient of data under legal hold."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

EU2 = "eu-central-1"
net = kit.private_db_network("net")
key = kit.key("visits-key")

# RDS: backups kept exactly the 7 declared days; a read replica beside it; automated backups
# replicated to Frankfurt for 7 days.
db = kit.postgres("visits-db", "visits", net, key, backup_retention_period=7)
kit.postgres("visits-db-replica", "visits", net, key, replicate_source_db=db.identifier)
aws.rds.InstanceAutomatedBackupsReplication("visits-db-backups-eu", source_db_instance_arn=db.arn,
                                            retention_period=7, region=EU2)

# Data under legal hold: backups kept 35 days and a snapshot shared with the declared
# recipient's account, copied to Frankfurt.
ledger = kit.postgres("ledger-db", "ledger", net, key, backup_retention_period=35)
snap = aws.rds.Snapshot("ledger-db-snap", db_instance_identifier=ledger.identifier,
                        db_snapshot_identifier="ledger-db-snap", shared_accounts=["345678901234"])
aws.rds.SnapshotCopy("ledger-db-snap-eu", source_db_snapshot_identifier=snap.db_snapshot_arn,
                     target_db_snapshot_identifier="ledger-db-snap-eu", region=EU2)

# Aurora: no instance public, backups 7 days.
kit.aurora("visits-aurora", "visits", net, key, backup_retention_period=7)
# The ledger on Aurora: a cluster snapshot shared with the declared recipient, copied inside
# the EU.
books = kit.aurora("ledger-aurora", "ledger", net, key, backup_retention_period=35)
books_snap = aws.rds.ClusterSnapshot("ledger-aurora-snap", db_cluster_identifier=books.id,
                                     db_cluster_snapshot_identifier="ledger-aurora-snap",
                                     shared_accounts=["345678901234"])
aws.rds.ClusterSnapshotCopy("ledger-aurora-snap-eu",
                            source_db_cluster_snapshot_identifier=books_snap.db_cluster_snapshot_arn,
                            target_db_cluster_snapshot_identifier="ledger-aurora-snap-eu",
                            region=EU2)

# Redshift: automated snapshots 7 days, copied to Frankfurt for 3.
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
    automated_snapshot_retention_period=7, tags=kit.tags("visits"))
grant = aws.redshift.SnapshotCopyGrant("visits-copy-grant", snapshot_copy_grant_name="visits",
                                       kms_key_id=kit.key("visits-key-eu-rs", region=EU2).arn,
                                       region=EU2)
aws.redshift.SnapshotCopy("visits-warehouse-copy", cluster_identifier=warehouse.id,
                          destination_region=EU2, retention_period=3,
                          snapshot_copy_grant_name=grant.snapshot_copy_grant_name)

# DynamoDB: a replica in Frankfurt, declared apart.
table = kit.table("visits-table-eu", "visits", kms=key)
aws.dynamodb.TableReplica("visits-table-eu2", global_table_arn=table.arn,
                          kms_key_arn=kit.key("visits-key-eu-ddb", region=EU2).arn, region=EU2)

# AWS Backup, selected by tag: kept 7 days, copied to our own vault in Frankfurt for 5.
vault = aws.backup.Vault("visits-vault", name="visits-vault", kms_key_arn=key.arn)
offsite = aws.backup.Vault("visits-vault-eu", name="visits-vault-eu", region=EU2,
                           kms_key_arn=kit.key("visits-key-eu-vault", region=EU2).arn)
plan = aws.backup.Plan("visits-plan", name="visits-plan", rules=[{
    "rule_name": "daily", "target_vault_name": vault.name, "schedule": "cron(0 3 * * ? *)",
    "lifecycle": {"delete_after": 7},
    "copy_actions": [{"destination_vault_arn": offsite.arn, "lifecycle": {"delete_after": 5}}],
}])
backup_role = aws.iam.Role("visits-backup", assume_role_policy=kit.doc(
    {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"},
     "Action": "sts:AssumeRole"}))
aws.backup.Selection("visits-backup", plan_id=plan.id, iam_role_arn=backup_role.arn,
                     selection_tags=[{"type": "STRINGEQUALS", "key": "privacy:dataset",
                                      "value": "visits"}])

kit.audit("audit", [], [table], ["security@fixture.example"])
