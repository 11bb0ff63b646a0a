"""The platform program: every dataset in the catalog, with the controls its class needs.

Config: `aws:region` (the stack's home region), `guardian:catalog` (path to the catalog,
relative to the project directory) and `guardian:trustedPrincipals` (ARNs of the IAM principals
that may assume the purpose roles; left out, the roles trust the account root and IAM policies
decide who may assume them). Stores go to the home region when the dataset's residency
allows it, else to the first region it allows, through an explicit provider; never elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pulumi
import pulumi_aws as aws
from guardian.modules.access import PurposeRole, PurposeRoleArgs, StoreGrant
from guardian.modules.alerting import BreachAlerting, BreachAlertingArgs
from guardian.modules.controls import controls_for
from guardian.modules.database import DataDatabase, DataDatabaseArgs
from guardian.modules.keys import DataKey, DataKeyArgs
from guardian.modules.labels import DataLabels
from guardian.modules.network import DataNetwork, DataNetworkArgs
from guardian.modules.storage import EncryptedBucket, EncryptedBucketArgs, LogBucket
from guardian.modules.table import DataTable, DataTableArgs

from guardian.catalog import load_catalog
from guardian.catalog.model import Dataset
from guardian.catalog.regions import allowed_regions, region_allowed

# IAM principals a trust policy can name: a role, a user, the account root, an assumed role.
PRINCIPAL_ARN = re.compile(
    r"arn:aws[a-z-]*:(iam::\d{12}:(root|(role|user)/[\w+=,.@/-]+)"
    r"|sts::\d{12}:assumed-role/[\w+=,.@/-]+)"
)


def project_root() -> Path:
    """The directory of Pulumi.yaml: relative config paths are relative to it."""
    here = Path(__file__).resolve().parent
    return next((d for d in (here, *here.parents) if (d / "Pulumi.yaml").is_file()), Path.cwd())


def home_of(dataset: Dataset, region: str) -> str:
    """The region a dataset's stores go to."""
    if region_allowed(region, dataset.residency):
        return region
    allowed = allowed_regions(dataset.residency)
    if not allowed:
        raise ValueError(f"dataset {dataset.id}: residency {list(dataset.residency)} allows no "
                         "AWS region")
    return allowed[0]


class Regions:
    """Per region: its provider options, network, access-log bucket and shared key, made once."""

    def __init__(self, home: str) -> None:
        self.home = home
        self._providers: dict[str, aws.Provider] = {}
        self._networks: dict[str, DataNetwork] = {}
        self._logs: dict[str, LogBucket] = {}
        self._shared_keys: dict[str, DataKey] = {}

    def provider(self, region: str) -> aws.Provider:
        """The explicit provider of a region other than home."""
        if region not in self._providers:
            self._providers[region] = aws.Provider(f"aws-{region}", region=region)
        return self._providers[region]

    def opts(self, region: str) -> pulumi.ResourceOptions:
        if region == self.home:
            return pulumi.ResourceOptions()
        return pulumi.ResourceOptions(provider=self.provider(region))

    def network(self, region: str) -> DataNetwork:
        if region not in self._networks:
            cidr = f"10.{20 + len(self._networks)}.0.0/16"
            suffix = "" if region == self.home else f"-{region}"
            self._networks[region] = DataNetwork(
                f"guardian-network{suffix}", DataNetworkArgs(cidr=cidr), opts=self.opts(region)
            )
        return self._networks[region]

    def log_bucket(self, region: str) -> LogBucket:
        if region not in self._logs:
            self._logs[region] = LogBucket(f"guardian-access-logs-{region}",
                                           opts=self.opts(region))
        return self._logs[region]

    def shared_key(self, region: str, classification: str) -> DataKey:
        if region not in self._shared_keys:
            self._shared_keys[region] = DataKey(
                f"guardian-{classification}-{region}",
                DataKeyArgs(description=f"shared key for {classification} datasets in {region}",
                            tags={"privacy:classification": classification}),
                opts=self.opts(region),
            )
        return self._shared_keys[region]


def key_for(dataset: Dataset, region: str, regions: Regions) -> DataKey | None:
    kind = controls_for(dataset.classification).key
    if kind == "dedicated-cmk":
        return DataKey(f"{dataset.id}-key", DataKeyArgs(
            description=f"{dataset.name}: this dataset's key alone",
            tags=DataLabels.of(dataset).tags(),
        ), opts=regions.opts(region))
    if kind == "shared-cmk":
        return regions.shared_key(region, dataset.classification)
    return None


def trusted_principals(config: pulumi.Config) -> list[str]:
    """`guardian:trustedPrincipals`: a list of principal ARNs, or [] (the account root)."""
    value = config.get_object("trustedPrincipals")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("guardian:trustedPrincipals: expected a list of IAM principal ARNs, "
                         f"got {value!r}")
    bad = [v for v in value if not PRINCIPAL_ARN.fullmatch(v)]
    if bad:
        raise ValueError(f"guardian:trustedPrincipals: not IAM role, user, root or assumed-role "
                         f"ARNs: {bad}")
    return sorted(set(value))


def build(
    dataset: Dataset, regions: Regions, trusted: Sequence[str] = ()
) -> Iterator[tuple[str, str, pulumi.Output[str]]]:
    """The dataset's stores and roles; yields (kind, name, arn) of each store."""
    region = home_of(dataset, regions.home)
    controls = controls_for(dataset.classification)
    labels = DataLabels.of(dataset)
    opts = regions.opts(region)
    key = key_for(dataset, region, regions)
    key_arn = key.arn if key is not None else None
    network = regions.network(region) if controls.vpc_endpoint_only else None
    grants: list[StoreGrant] = []
    for st in dataset.storage:
        if st.kind == "s3":
            bucket = EncryptedBucket(st.name, EncryptedBucketArgs(
                bucket=st.name, labels=labels, retention_days=dataset.retention.days,
                log_bucket=regions.log_bucket(region).bucket_name, kms_key_arn=key_arn,
                vpc_endpoint_id=network.s3_endpoint_id if network else None,
                legal_hold=dataset.retention.legal_hold,
            ), opts=opts)
            grants.append(StoreGrant("s3", bucket.arn))
            yield "s3", st.name, bucket.arn
        elif st.kind == "dynamodb":
            subject_indexed = bool(st.subject_key and not st.index)
            table = DataTable(st.name, DataTableArgs(
                table=st.name, labels=labels,
                hash_key=st.subject_key if subject_indexed and st.subject_key else "pk",
                subject_key=st.subject_key, index=st.index, ttl_attribute=st.ttl_attribute,
                kms_key_arn=key_arn,
                vpc_endpoint_id=network.dynamodb_endpoint_id if network else None,
            ), opts=opts)
            grants.append(StoreGrant("dynamodb", table.arn))
            yield "dynamodb", st.name, table.arn
        elif st.database_store:
            # Databases live in the data tier and admit only the app tier, whatever the class.
            data = regions.network(region)
            assert st.engine is not None and st.database is not None  # the loader checks
            db = DataDatabase(st.name, DataDatabaseArgs(
                identifier=st.name, engine=st.engine, database=st.database, labels=labels,
                retention_days=dataset.retention.days, kms_key_arn=key_arn,
                vpc_id=data.vpc_id, subnet_ids=data.subnet_ids["data"],
                client_security_group_ids=[data.app_security_group_id],
                aurora=st.kind == "aurora", engine_version=st.engine_version,
            ), opts=opts)
            grants.append(StoreGrant("rds-db", db.db_user_arn))
            yield st.kind, st.name, db.arn
        else:
            raise ValueError(f"dataset {dataset.id}: storage kind {st.kind!r} is not supported")
    for access in dataset.access:
        role = PurposeRole(access.role, PurposeRoleArgs(
            role_name=access.role, purpose=access.use, labels=labels, actions=access.actions,
            stores=grants, key_arns=[key_arn] if key_arn is not None else [],
            human=access.human, trusted=trusted,
        ))
        pulumi.export(f"role:{access.role}", role.arn)


def main() -> None:
    config = pulumi.Config("guardian")
    region = pulumi.Config("aws").require("region")
    catalog_file = Path(config.get("catalog") or "catalog.yaml")
    if not catalog_file.is_absolute():
        catalog_file = project_root() / catalog_file
    catalog = load_catalog(catalog_file)
    trusted = trusted_principals(config)

    roles = [a.role for d in catalog.datasets for a in d.access]
    repeated = sorted({r for r in roles if roles.count(r) > 1})
    if repeated:
        raise ValueError(f"access roles named more than once in the catalog: {repeated}; "
                         "one IAM role serves one purpose on one dataset")

    regions = Regions(region)
    network = regions.network(region)  # the platform network exists even with no restricted data
    # CloudTrail records data events of buckets and tables (databases have none to record).
    sensitive: dict[str, list[pulumi.Output[str]]] = {"s3": [], "dynamodb": []}
    for dataset in catalog.datasets:
        for kind, name, arn in build(dataset, regions, trusted):
            pulumi.export(f"store:{name}", arn)
            if controls_for(dataset.classification).data_events and kind in sensitive:
                sensitive[kind].append(arn)

    contacts = sorted({c for d in catalog.datasets for c in d.breach_contacts})
    # GuardDuty and the alert rules are regional: every region holding data stores gets them.
    elsewhere = sorted({home_of(d, region) for d in catalog.datasets if d.storage} - {region})
    alerting = BreachAlerting("guardian-alerting", BreachAlertingArgs(
        contacts=contacts or [catalog.organization.contact],
        access_log_bucket=regions.log_bucket(region).bucket_name,
        s3_data_events=sensitive["s3"], dynamodb_data_events=sensitive["dynamodb"],
        regions={r: regions.provider(r) for r in elsewhere},
    ))
    pulumi.export("vpcId", network.vpc_id)
    pulumi.export("alertTopicArn", alerting.topic_arn)
    pulumi.export("trailArn", alerting.trail_arn)


main()
