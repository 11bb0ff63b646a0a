"""CKV_GRD_1: every data store names the catalog dataset it holds in a `privacy:dataset` tag.

Self-contained (checkov only), so Terraform users can load it with
`checkov --external-checks-dir policies/checkov` on HCL or on a plan.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

DATASET_TAG = "privacy:dataset"
DATA_STORES = [
    "aws_s3_bucket", "aws_dynamodb_table", "aws_db_instance", "aws_rds_cluster",
    "aws_efs_file_system", "aws_ebs_volume", "aws_opensearch_domain",
    "aws_elasticsearch_domain", "aws_redshift_cluster", "aws_docdb_cluster",
    "aws_elasticache_replication_group", "aws_kinesis_stream",
]


def unwrap(value: Any) -> Any:
    """checkov wraps attribute values and blocks in one-element lists."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def tag(conf: dict[str, Any], key: str) -> Any:
    """A tag's value from `tags` or `tags_all` (where provider default tags land)."""
    for attr in ("tags", "tags_all"):
        tags = unwrap(conf.get(attr))
        if isinstance(tags, dict) and key in tags:
            return unwrap(tags[key])
    return None


class PrivacyDatasetTag(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure data stores carry a privacy:dataset tag naming their catalog dataset",
            id="CKV_GRD_1",
            categories=[CheckCategories.CONVENTION],
            supported_resources=DATA_STORES,
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        value = tag(conf, DATASET_TAG)
        ok = isinstance(value, str) and value.strip()
        return CheckResult.PASSED if ok else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["tags", "tags_all"]


check = PrivacyDatasetTag()
