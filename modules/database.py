"""DataDatabase: an RDS instance or Aurora cluster holding personal data, with the controls its
classification needs: storage and Performance Insights under the dataset's key, the network's
data subnets, a security group that admits only the purpose roles' compute, TLS forced by a
parameter group, IAM database authentication, backups no longer than the data's retention,
deletion protection, logs exported to log groups that expire, and never a public endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
from guardian.modules.controls import SECURITY_LOG_DAYS, controls_for
from guardian.modules.keys import DataKey, DataKeyArgs
from guardian.modules.labels import DataLabels

# RDS keeps automated backups 1 to 35 days: the data's retention, capped at what RDS allows.
MAX_BACKUP_DAYS = 35
# Days Performance Insights keeps its samples (which include SQL text): the free tier.
INSIGHTS_DAYS = 7
# The retention periods CloudWatch Logs accepts (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
RETENTION_TAG = "privacy:retention-days"


@dataclass(frozen=True)
class Engine:
    """What one engine needs: RDS and Aurora engine names and default versions, the parameter
    that refuses plain connections, the port and the logs worth exporting."""

    rds: str
    aurora: str
    version: str
    aurora_version: str
    tls_parameter: str
    port: int
    logs: tuple[str, ...]  # error and slow-query logs: never the general log (every statement)
    family_parts: int  # how much of the version names the parameter group family

    def family(self, version: str, aurora: bool) -> str:
        """`postgres16`, `aurora-postgresql16`, `mysql8.0`, `aurora-mysql8.0`."""
        major = ".".join(version.split(".")[: self.family_parts])
        return f"{self.aurora if aurora else self.rds}{major}"


ENGINES: dict[str, Engine] = {
    "postgres": Engine("postgres", "aurora-postgresql", "16.4", "16.4", "rds.force_ssl", 5432,
                       ("postgresql",), 1),
    "mysql": Engine("mysql", "aurora-mysql", "8.0.39", "8.0.mysql_aurora.3.08.0",
                    "require_secure_transport", 3306, ("error", "slowquery"), 2),
}


def backup_days(retention_days: int) -> int:
    """Automated backups may not outlive the data: the retention, within RDS's 1 to 35."""
    return max(1, min(MAX_BACKUP_DAYS, retention_days))


def log_days(retention_days: int) -> int:
    """The longest retention CloudWatch accepts within both the data's and the security logs'
    (logs can carry values from statements)."""
    limit = min(retention_days, SECURITY_LOG_DAYS)
    return max([d for d in LOG_RETENTION_DAYS if d <= limit] or [1])


@dataclass
class DataDatabaseArgs:
    identifier: str  # the instance (rds) or cluster (aurora) identifier: the catalog's name
    engine: str  # postgres | mysql
    database: str  # the database created inside
    labels: DataLabels
    retention_days: int
    kms_key_arn: pulumi.Input[str] | None  # the dataset's CMK (None: the AWS managed key)
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]  # private subnets without an internet route
    client_security_group_ids: Sequence[pulumi.Input[str]]  # the purpose roles' compute
    aurora: bool = False  # an Aurora cluster rather than an RDS instance
    engine_version: str | None = None
    instance_class: str = "db.r6g.large"
    instances: int = 2  # aurora: a writer and a reader in another AZ
    allocated_storage: int = 20  # rds, GiB
    username: str = "guardian_admin"  # its password is managed by RDS in Secrets Manager
    tags: dict[str, str] = field(default_factory=dict)


class DataDatabase(pulumi.ComponentResource):
    """A private, encrypted, TLS-only database for one dataset."""

    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    resource_id: pulumi.Output[str]  # what IAM database authentication ARNs name
    db_user_arn: pulumi.Output[str]  # arn:aws:rds-db:...:dbuser:<resource id>, + /<user>
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: DataDatabaseArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        if args.engine not in ENGINES:
            raise ValueError(f"{name}: engine must be one of {', '.join(ENGINES)}; got "
                             f"{args.engine!r}")
        if controls_for(args.labels.classification).customer_managed_key \
                and args.kms_key_arn is None:
            raise ValueError(f"{name}: {args.labels.classification} data needs kms_key_arn "
                             "(a customer-managed key)")
        if not args.subnet_ids or not args.client_security_group_ids:
            raise ValueError(f"{name}: subnet_ids (private subnets) and "
                             "client_security_group_ids (who may connect) are required")
        if args.retention_days < 1:
            raise ValueError(f"{name}: retention_days must be at least 1")
        super().__init__("guardian:database:DataDatabase", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        engine = ENGINES[args.engine]
        aurora = args.aurora
        version = args.engine_version or (engine.aurora_version if aurora else engine.version)
        tags = {**args.tags, **args.labels.tags(), RETENTION_TAG: str(args.retention_days)}

        subnets = aws.rds.SubnetGroup(f"{name}-subnets", name=f"{args.identifier}-data",
                                      subnet_ids=list(args.subnet_ids),
                                      description=f"{args.identifier}: private data subnets",
                                      tags=tags, opts=child)
        sg = aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=args.vpc_id,
                                   description=f"{args.identifier}: the purpose roles' compute",
                                   tags={**tags, "guardian:tier": "data"}, opts=child)
        for i, source in enumerate(args.client_security_group_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-from-clients-{i}", security_group_id=sg.id, ip_protocol="tcp",
                from_port=engine.port, to_port=engine.port, referenced_security_group_id=source,
                description="purpose roles' compute", opts=child)
        family = engine.family(version, aurora)
        group: aws.rds.ClusterParameterGroup | aws.rds.ParameterGroup
        if aurora:
            group = aws.rds.ClusterParameterGroup(
                f"{name}-params", name=f"{args.identifier}-tls", family=family,
                parameters=[aws.rds.ClusterParameterGroupParameterArgs(
                    name=engine.tls_parameter, value="1")],
                tags=tags, description=f"{args.identifier}: TLS only", opts=child)
        else:
            group = aws.rds.ParameterGroup(
                f"{name}-params", name=f"{args.identifier}-tls", family=family,
                parameters=[aws.rds.ParameterGroupParameterArgs(
                    name=engine.tls_parameter, value="1")],
                tags=tags, description=f"{args.identifier}: TLS only", opts=child)
        kind = "cluster" if aurora else "instance"
        # Error and slow-query logs can quote statements, values included: a key of their own
        # that CloudWatch Logs may use (the dataset's key admits no service).
        region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region
        log_key = DataKey(f"{name}-logs-key", DataKeyArgs(
            description=f"{args.identifier} database logs", tags={"guardian:role": "logs"},
            service_principals=[pulumi.Output.concat("logs.", region, ".amazonaws.com")],
        ), opts=child)
        for log in engine.logs:  # made first, so RDS does not make them without an expiry
            aws.cloudwatch.LogGroup(
                f"{name}-log-{log}", name=f"/aws/rds/{kind}/{args.identifier}/{log}",
                retention_in_days=log_days(args.retention_days), kms_key_id=log_key.arn,
                tags=tags, opts=child)
        common: dict[str, Any] = dict(
            engine_version=version,
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[sg.id],
            iam_database_authentication_enabled=True,
            backup_retention_period=backup_days(args.retention_days),
            copy_tags_to_snapshot=True,  # snapshots carry the dataset and its retention
            deletion_protection=True,
            enabled_cloudwatch_logs_exports=list(engine.logs),
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.kms_key_arn,
            master_username=args.username,
            final_snapshot_identifier=f"{args.identifier}-final",
            tags=tags,
        )
        if aurora:
            cluster = aws.rds.Cluster(
                name, cluster_identifier=args.identifier, engine=engine.aurora,
                database_name=args.database, db_cluster_parameter_group_name=group.name,
                opts=child, **common)
            for i in range(args.instances):
                aws.rds.ClusterInstance(
                    f"{name}-{i}", identifier=f"{args.identifier}-{i}",
                    cluster_identifier=cluster.id, engine=aws.rds.EngineType(engine.aurora),
                    engine_version=version,
                    instance_class=args.instance_class, db_subnet_group_name=subnets.name,
                    publicly_accessible=False, auto_minor_version_upgrade=True,
                    performance_insights_enabled=True,
                    performance_insights_kms_key_id=args.kms_key_arn,
                    performance_insights_retention_period=INSIGHTS_DAYS, tags=tags, opts=child)
            self.arn = cluster.arn
            self.endpoint = cluster.endpoint
            self.resource_id = cluster.cluster_resource_id
        else:
            instance = aws.rds.Instance(
                name, identifier=args.identifier, engine=engine.rds,
                instance_class=args.instance_class, allocated_storage=args.allocated_storage,
                db_name=args.database, parameter_group_name=group.name,
                publicly_accessible=False, multi_az=True, auto_minor_version_upgrade=True,
                username=args.username, performance_insights_enabled=True,
                performance_insights_kms_key_id=args.kms_key_arn,
                performance_insights_retention_period=INSIGHTS_DAYS, opts=child,
                **{k: v for k, v in common.items() if k != "master_username"})
            self.arn = instance.arn
            self.endpoint = instance.endpoint
            self.resource_id = instance.resource_id
        self.db_user_arn = pulumi.Output.concat(
            "arn:aws:rds-db:", region, ":", aws.get_caller_identity_output(
                opts=pulumi.InvokeOptions(parent=self)).account_id, ":dbuser:", self.resource_id)
        self.security_group_id = sg.id
        self.register_outputs({"arn": self.arn, "endpoint": self.endpoint,
                               "resourceId": self.resource_id})
