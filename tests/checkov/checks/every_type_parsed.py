"""CKV_GTEST_1 (tests only): checkov parsed the resource and read its `tags` map."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from guardian.graph.tfplan import TYPES


class EveryTypeParsed(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(name="test: resource parsed with its tags", id="CKV_GTEST_1",
                         categories=[CheckCategories.CONVENTION],
                         supported_resources=sorted({t.name for t in TYPES.values()}))

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        tags = conf.get("tags")
        tags = tags[0] if isinstance(tags, list) and tags else tags
        ok = isinstance(tags, dict) and tags.get("test:marker") == "seen"
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = EveryTypeParsed()
