"""The typed, immutable catalog: what personal data the organisation holds, why, and where.

Every object keeps the `Location` it was read from so that anything reported about it (a
validation error, a catalog rule's finding) can point at the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from guardian.locations import Location

Classification = Literal["public", "internal", "confidential", "restricted"]
CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")
Action = Literal["read", "write", "delete"]


NOWHERE = Location("<unknown>", 0, 0)


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Organization:
    name: str
    contact: str
    dpo: Person | None = None
    representative: str | None = None  # EU representative, GDPR Art. 27
    representative_uk: str | None = None  # UK representative, UK GDPR Art. 27
    # The organisation's own cost of a breached record by value group (guardian.value), USD.
    record_costs: tuple[tuple[str, float], ...] = ()

    def record_cost(self, group: str) -> float | None:
        return next((usd for g, usd in self.record_costs if g == group), None)


@dataclass(frozen=True)
class Retention:
    days: int
    basis: str | None = None
    legal_hold: bool = False


@dataclass(frozen=True)
class Use:
    use: str  # fideslang data use key
    legal_basis: str
    special_category_condition: str | None = None
    opt_out: str | None = None
    double_opt_in: bool = False
    loc: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Access:
    role: str  # IAM role name
    use: str
    actions: tuple[str, ...]
    human: bool = False
    training_valid_until: date | None = None
    loc: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Recipient:
    name: str
    use: str
    country: str  # ISO 3166 alpha-2
    safeguard: str  # adequacy | scc | bcr | derogation | none
    aws_account: str | None = None
    role: str | None = None  # processor | controller | joint_controller; None: not declared
    dpf_certified: bool = False  # EU-US Data Privacy Framework (US recipients)
    contract: str | None = None  # link to the Art. 28(3) contract or Art. 26 arrangement
    safeguard_uk: str | None = None  # for UK GDPR data, when it differs from `safeguard`
    loc: Location = field(default=NOWHERE, compare=False)

    def safeguard_for(self, regime: str) -> str:
        """The transfer safeguard that applies to data under `regime` (gdpr, uk_gdpr, ...)."""
        if regime == "uk_gdpr" and self.safeguard_uk:
            return self.safeguard_uk
        return self.safeguard


@dataclass(frozen=True)
class LegitimateInterest:
    interest: str  # GDPR Art. 13(1)(d)
    assessment: str | None = None  # link to the legitimate interests assessment


@dataclass(frozen=True)
class Source:
    origin: str  # data_subject | third_party | public
    description: str | None = None


@dataclass(frozen=True)
class Requirement:
    kind: str  # statutory | contractual | contract_precondition | voluntary (Art. 13(2)(e))
    consequence: str | None = None


@dataclass(frozen=True)
class AutomatedDecisions:
    """Art. 22(1) decisions (incl. profiling); `exists` False is the catalog's explicit 'none'."""

    exists: bool
    logic: str | None = None
    significance: str | None = None
    profiling: bool = False


@dataclass(frozen=True)
class Dpia:
    status: str  # not_required | required | in_progress | completed
    link: str | None = None


@dataclass(frozen=True)
class ChildTable:
    """Rows of `table` whose `foreign_key` references a row of the parent table: the subject's
    too. `on_delete` "cascade": the database deletes them with the parent (checked)."""

    table: str
    foreign_key: str
    on_delete: str | None = None
    columns: tuple[str, ...] = ()  # the personal columns; empty: every column
    children: tuple[ChildTable, ...] = ()
    loc: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Table:
    """A table holding rows about data subjects: `subject_column` names the subject."""

    name: str  # an SQL identifier, or schema.table (PostgreSQL)
    subject_column: str
    columns: tuple[str, ...] = ()  # the personal columns; empty: every column
    children: tuple[ChildTable, ...] = ()
    loc: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Connection:
    """How Guardian reaches a database at run time: exactly one of the three ways."""

    dsn_env: str | None = None  # an environment variable holding the connection string
    secret_arn: str | None = None  # a Secrets Manager secret with username and password
    iam_user: str | None = None  # RDS IAM authentication as this database user
    ca_bundle: str | None = None  # PEM file to verify the server's certificate by

    @property
    def method(self) -> str:
        if self.dsn_env:
            return f"the connection string in ${self.dsn_env}"
        if self.secret_arn:
            return f"the credentials in secret {self.secret_arn}"
        return f"RDS IAM authentication as {self.iam_user}"


DATABASE_KINDS: tuple[str, ...] = ("rds", "aurora")


@dataclass(frozen=True)
class Storage:
    kind: str  # s3 | dynamodb | rds | aurora
    name: str  # bucket or table name, RDS instance or Aurora cluster id; the Pulumi name
    subject_key: str | None = None
    index: str | None = None
    ttl_attribute: str | None = None  # dynamodb: Number attribute, epoch seconds
    subject_type: str = "string"  # string | number: how ids in subject_key compare
    # Where it lives in AWS: None is any account (any region) holding a store of this name,
    # so one entry covers a dataset copied into many accounts.
    account: str | None = None
    region: str | None = None
    engine: str | None = None  # rds/aurora: postgres | mysql
    engine_version: str | None = None  # rds/aurora: what the module provisions
    database: str | None = None  # rds/aurora: the database holding `tables`
    tables: tuple[Table, ...] = ()  # rds/aurora
    connection: Connection | None = None  # rds/aurora
    loc: Location = field(default=NOWHERE, compare=False)

    def covers(self, account: str | None, region: str | None) -> bool:
        """Whether a store of this entry's name in `account` and `region` is this entry's: an
        unknown account or region (an offline program) does not rule it out."""
        return (self.account is None or account is None or account == self.account) and (
            self.region is None or region is None or region == self.region)

    def overlaps(self, other: Storage) -> bool:
        """Whether one store could be both entries': same kind and name, accounts and regions
        that do not tell them apart."""
        return (self.kind, self.name) == (other.kind, other.name) and \
            self.covers(other.account, other.region) and other.covers(self.account, self.region)

    @property
    def label(self) -> str:
        """`kind:name`, with the account and region it is pinned to."""
        where = "/".join(x for x in (self.account, self.region) if x)
        return f"{self.kind}:{self.name}" + (f" in {where}" if where else "")

    @property
    def database_store(self) -> bool:
        return self.kind in DATABASE_KINDS

    @property
    def locatable(self) -> bool:
        """Whether one subject's data can be found in it: a subject key or subject tables."""
        return bool(self.subject_key or self.tables)


@dataclass(frozen=True)
class Dataset:
    id: str
    name: str
    owner: str
    classification: str
    categories: tuple[str, ...]
    subjects: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    residency: tuple[str, ...]
    retention: Retention
    uses: tuple[Use, ...]
    access: tuple[Access, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    breach_contacts: tuple[str, ...] = ()
    storage: tuple[Storage, ...] = ()
    description: str | None = None
    legitimate_interest: LegitimateInterest | None = None
    source: Source | None = None
    requirement: Requirement | None = None
    automated_decisions: AutomatedDecisions | None = None  # None: the catalog does not say
    dpia: Dpia | None = None
    volume: int | None = None  # approximate number of data subjects; None: not declared
    loc: Location = field(default=NOWHERE, compare=False)

    @property
    def use_keys(self) -> tuple[str, ...]:
        return tuple(u.use for u in self.uses)

    @property
    def sensitive(self) -> bool:
        """Confidential or restricted: the classes that need a CMK, data events and more."""
        return self.classification in ("confidential", "restricted")


@dataclass(frozen=True)
class Waiver:
    rule: str
    resource: str  # Pulumi resource name (or URN) the waiver applies to
    reason: str
    approved_by: str
    expires: date
    loc: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Gate:
    """Which rules the gate runs by default: rule ids or controls (none: every rule)."""

    rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()
    rules_loc: Location = field(default=NOWHERE, compare=False)
    skip_rules_loc: Location = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class Catalog:
    version: int
    organization: Organization
    datasets: tuple[Dataset, ...]
    waivers: tuple[Waiver, ...] = ()
    gate: Gate = Gate()
    path: str = "catalog.yaml"
    files: tuple[str, ...] = ()  # every file read, the root first

    def dataset(self, dataset_id: str) -> Dataset | None:
        for ds in self.datasets:
            if ds.id == dataset_id:
                return ds
        return None

    @property
    def dataset_ids(self) -> frozenset[str]:
        return frozenset(ds.id for ds in self.datasets)

    def store(self, name: str) -> tuple[Dataset, Storage] | None:
        """The dataset and storage entry declaring the store with this physical name."""
        for ds in self.datasets:
            for st in ds.storage:
                if st.name == name:
                    return ds, st
        return None
