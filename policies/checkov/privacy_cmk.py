"""CKV_GRD_2: confidential or restricted data stores are encrypted with a customer-managed key.

The class is read from the `privacy:classification` tag; a store with any other class (or none)
passes. S3 buckets keep their encryption in a separate resource, so they are checked by the
graph check CKV2_GRD_2 (privacy_cmk_s3.yaml) instead. Self-contained (checkov only).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

CLASSIFICATION_TAG = "privacy:classification"
SENSITIVE = ("confidential", "restricted")
# store type -> path of the attribute naming its customer-managed key
KEY_ATTRIBUTE: dict[str, tuple[str, ...]] = {
    "aws_dynamodb_table": ("server_side_encryption", "kms_key_arn"),
    "aws_db_instance": ("kms_key_id",),
    "aws_rds_cluster": ("kms_key_id",),
    "aws_efs_file_system": ("kms_key_id",),
    "aws_ebs_volume": ("kms_key_id",),
    "aws_opensearch_domain": ("encrypt_at_rest", "kms_key_id"),
    "aws_elasticsearch_domain": ("encrypt_at_rest", "kms_key_id"),
    "aws_redshift_cluster": ("kms_key_id",),
    "aws_docdb_cluster": ("kms_key_id",),
    "aws_elasticache_replication_group": ("kms_key_id",),
    "aws_kinesis_stream": ("kms_key_id",),
}


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


class PrivacyCustomerManagedKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure data stores tagged privacy:classification confidential or restricted "
            "are encrypted with a customer-managed KMS key",
            id="CKV_GRD_2",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=list(KEY_ATTRIBUTE),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if tag(conf, CLASSIFICATION_TAG) not in SENSITIVE:
            return CheckResult.PASSED
        value: Any = conf
        for name in KEY_ATTRIBUTE[self.entity_type]:
            value = unwrap(value.get(name)) if isinstance(value, dict) else None
        # a reference to a key (plan or HCL) or a key id/ARN; an alias/aws/* key is AWS-managed
        ok = isinstance(value, str) and value.strip() and not value.startswith("alias/aws/")
        return CheckResult.PASSED if ok else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["tags", "/".join(KEY_ATTRIBUTE.get(self.entity_type, ()))]


check = PrivacyCustomerManagedKey()
