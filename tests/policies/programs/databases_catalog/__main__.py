"""Databases the catalog binds by name (no tag) next to one Guardian's module builds.

visits-guarded: DataDatabase for the visits dataset (7 days' retention: 7 days of backups).
visits-open: an Aurora MySQL cluster listed in the catalog's storage and tagged by nobody:
unencrypted, TLS optional (the default parameter group), a public instance in the default VPC,
in us-east-1 (visits may stay in the EU only) and 8 days of backups, one over the retention."""

import pulumi_aws as aws
from guardian.modules.database import DataDatabase, DataDatabaseArgs
from guardian.modules.keys import DataKey, DataKeyArgs
from guardian.modules.labels import DataLabels
from guardian.modules.network import DataNetwork

network = DataNetwork("net")
key = DataKey("visits-key", DataKeyArgs(description="visits"))
DataDatabase("visits-guarded", DataDatabaseArgs(
    identifier="visits-guarded", engine="postgres", database="visits",
    labels=DataLabels("visits", "confidential", "team-e"), retention_days=7,
    kms_key_arn=key.arn, vpc_id=network.vpc_id, subnet_ids=network.subnet_ids["data"],
    client_security_group_ids=[network.app_security_group_id], aurora=True))

US = "us-east-1"
cluster = aws.rds.Cluster(
    "visits-open", cluster_identifier="visits-open", engine="aurora-mysql",
    engine_version="8.0.mysql_aurora.3.08.0", master_username="admin",
    manage_master_user_password=True, backup_retention_period=8, skip_final_snapshot=True,
    region=US)
aws.rds.ClusterInstance(
    "visits-open-0", cluster_identifier=cluster.id, engine="aurora-mysql",
    instance_class="db.r6g.large", publicly_accessible=True, region=US)
