"""The Terraform plan conversion, read by the real checkov (one checkov run for the module)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guardian.checkov_runner import CUSTOM_CHECKS, run_checkov_plan
from guardian.graph.model import UNKNOWN
from guardian.graph.tfplan import TYPES, addresses, tf_name, to_tfplan
from tests.checkov.graphs import (
    BUCKET,
    PAB,
    TABLE,
    bucket,
    graph,
    key,
    pab,
    res,
    security_group,
    sse,
    urn,
)

TEST_CHECKS = Path(__file__).parent / "checks"


def one_of_each_type() -> list:
    """One resource of every mapped type, tagged so the test check can see it was read."""
    return [res(t, f"every-{i:03d}", {"tags": {"test:marker": "seen"}}, {"id": f"id-{i}"})
            for i, t in enumerate(sorted(TYPES))]


def cases() -> list:
    return [
        # S3: no encryption configuration at all; a public access block; DSSE-KMS; a CMK
        bucket("plain", {"privacy:dataset": "d1", "privacy:classification": "confidential"}),
        bucket("blocked"), pab("blocked-pab", "blocked"),
        bucket("dsse"), sse("dsse-sse", "dsse", "aws:kms:dsse"),
        key("k1"), bucket("cmk", {"privacy:dataset": "d2", "privacy:classification": "restricted"}),
        sse("cmk-sse", "cmk", "aws:kms", "k1"),
        bucket("managed-key", {"privacy:dataset": "d3", "privacy:classification": "confidential"}),
        sse("managed-key-sse", "managed-key", "aws:kms"),
        bucket("internal", {"privacy:dataset": "d4", "privacy:classification": "internal"}),
        # security groups
        security_group("ssh-world", 22, "0.0.0.0/0"),
        security_group("ssh-office", 22, "10.0.0.0/8"),
        # DynamoDB: objects become blocks (pointInTimeRecovery, serverSideEncryption)
        res(TABLE, "table-cmk", {
            "name": "table-cmk", "hashKey": "id", "attributes": [{"name": "id", "type": "S"}],
            "pointInTimeRecovery": {"enabled": True},
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": key("k1").outputs["arn"]},
            "tags": {"privacy:dataset": "d5", "privacy:classification": "restricted"},
        }, {"id": "table-cmk"}, {"serverSideEncryption": (urn("aws:kms/key:Key", "k1"),)}),
        res(TABLE, "table-bare", {
            "name": "table-bare", "hashKey": "id", "attributes": [{"name": "id", "type": "S"}],
            "tags": {"privacy:classification": "confidential"},
        }, {"id": "table-bare"}),
    ]


@pytest.fixture(scope="module")
def checked() -> tuple[dict[str, Any], dict[str, set[str]], dict[str, set[str]]]:
    plan, unmapped = to_tfplan(graph(*cases(), *one_of_each_type()))
    assert unmapped == []
    report = run_checkov_plan(plan, external_checks_dir=[*CUSTOM_CHECKS, TEST_CHECKS])
    failed: dict[str, set[str]] = {}
    passed: dict[str, set[str]] = {}
    for kind, into in (("failed_checks", failed), ("passed_checks", passed)):
        for c in report["results"][kind]:
            into.setdefault(c["check_id"], set()).add(c["resource"])
    return report, failed, passed


def test_checkov_parses_every_mapped_type(checked):
    report, failed, passed = checked
    every = {f"{t.name}.every-{i:03d}" for i, t in enumerate(TYPES[k] for k in sorted(TYPES))}
    assert report["summary"]["parsing_errors"] == 0
    assert every <= passed["CKV_GTEST_1"]
    assert not failed.get("CKV_GTEST_1", set()) & every


def test_bucket_without_kms_fails_ckv_aws_145(checked):
    _, failed, passed = checked
    assert {"aws_s3_bucket.plain", "aws_s3_bucket.blocked"} <= failed["CKV_AWS_145"]
    assert {"aws_s3_bucket.cmk", "aws_s3_bucket.managed-key"} <= passed["CKV_AWS_145"]


def test_ckv_aws_19_needs_a_known_algorithm(checked):
    # checkov 3.1.47 passes CKV_AWS_19 for a bucket with no encryption configuration (S3 has
    # encrypted new objects with SSE-S3 by default since 2023); it fails an algorithm it does
    # not know. This pins that behaviour so an upgrade that changes it is noticed.
    _, failed, passed = checked
    assert "aws_s3_bucket.plain" in passed["CKV_AWS_19"]
    assert "aws_s3_bucket.dsse" in failed["CKV_AWS_19"]
    assert "aws_s3_bucket.cmk" in passed["CKV_AWS_19"]


def test_separate_public_access_block_passes_ckv2_aws_6(checked):
    _, failed, passed = checked
    assert "aws_s3_bucket.blocked" in passed["CKV2_AWS_6"]
    assert "aws_s3_bucket.plain" in failed["CKV2_AWS_6"]


def test_ssh_open_to_the_world_fails_ckv_aws_24(checked):
    _, failed, passed = checked
    assert "aws_security_group.ssh-world" in failed["CKV_AWS_24"]
    assert "aws_security_group.ssh-office" in passed["CKV_AWS_24"]


def test_dynamodb_blocks_are_read(checked):
    _, failed, passed = checked
    assert "aws_dynamodb_table.table-cmk" in passed["CKV_AWS_28"]
    assert "aws_dynamodb_table.table-cmk" in passed["CKV_AWS_119"]
    assert "aws_dynamodb_table.table-bare" in failed["CKV_AWS_28"]


def test_custom_dataset_tag_check(checked):
    _, failed, passed = checked
    assert {"aws_s3_bucket.plain", "aws_dynamodb_table.table-cmk"} <= passed["CKV_GRD_1"]
    assert {"aws_s3_bucket.blocked", "aws_dynamodb_table.table-bare"} <= failed["CKV_GRD_1"]


def test_custom_cmk_checks(checked):
    _, failed, passed = checked
    # S3 (graph check): a CMK via a separate configuration passes; the AWS-managed key or no
    # encryption fails; a store that is not confidential or restricted passes
    assert {"aws_s3_bucket.cmk", "aws_s3_bucket.internal", "aws_s3_bucket.blocked"} <= passed[
        "CKV2_GRD_2"]
    assert failed["CKV2_GRD_2"] >= {"aws_s3_bucket.plain", "aws_s3_bucket.managed-key"}
    assert "aws_s3_bucket.cmk" not in failed["CKV2_GRD_2"]
    assert "aws_dynamodb_table.table-cmk" in passed["CKV_GRD_2"]
    assert "aws_dynamodb_table.table-bare" in failed["CKV_GRD_2"]


# --- pure conversion ---------------------------------------------------------------------------


def test_dependency_becomes_a_reference_with_the_value_unknown():
    plan, _ = to_tfplan(graph(bucket("b"), pab("b-pab", "b")))
    config = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    planned = {r["address"]: r for r in plan["planned_values"]["root_module"]["resources"]}
    change = {r["address"]: r for r in plan["resource_changes"]}
    block = "aws_s3_bucket_public_access_block.b-pab"
    assert config[block]["expressions"]["bucket"] == {
        "references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}
    assert "bucket" not in planned[block]["values"]
    assert change[block]["change"]["after_unknown"]["bucket"] is True
    assert planned[block]["values"]["block_public_acls"] is True


def test_nested_reference_and_renamed_blocks():
    plan, _ = to_tfplan(graph(key("k"), bucket("b"), sse("b-sse", "b", "aws:kms", "k")))
    cfg = next(r for r in plan["configuration"]["root_module"]["resources"]
               if r["type"] == "aws_s3_bucket_server_side_encryption_configuration")
    rule = cfg["expressions"]["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert rule["kms_master_key_id"]["references"] == ["aws_kms_key.k.arn", "aws_kms_key.k"]
    values = next(r for r in plan["planned_values"]["root_module"]["resources"]
                  if r["type"] == "aws_s3_bucket_server_side_encryption_configuration")["values"]
    assert values["rule"] == [{"apply_server_side_encryption_by_default": [
        {"sse_algorithm": "aws:kms"}], "bucket_key_enabled": True}]


def test_maps_keep_their_keys_and_json_documents_become_strings():
    role = res("aws:iam/role:Role", "r", {
        "assumeRolePolicy": {"Version": "2012-10-17", "Statement": []},
        "tags": {"privacy:dataset": "d", "camelCaseKey": "v"},
    })
    values = to_tfplan(graph(role))[0]["planned_values"]["root_module"]["resources"][0]["values"]
    assert values["tags"] == {"privacy:dataset": "d", "camelCaseKey": "v"}
    assert json.loads(values["assume_role_policy"]) == {"Version": "2012-10-17", "Statement": []}


def test_unknowns_and_secrets_are_not_written():
    table = res(TABLE, "t", {"name": UNKNOWN, "hashKey": "id", "streamArn": "[secret]"})
    plan, _ = to_tfplan(graph(table))
    values = plan["planned_values"]["root_module"]["resources"][0]["values"]
    change = plan["resource_changes"][0]["change"]
    assert "name" not in values and change["after_unknown"]["name"] is True
    assert "stream_arn" not in values and change["after_sensitive"]["stream_arn"] is True
    assert "[secret]" not in json.dumps(plan)


def test_addresses_are_valid_unique_and_map_back():
    a = res(BUCKET, "data.bucket/1", {})
    b = res(BUCKET, "data_bucket_1", {})
    c = res(BUCKET, "9lives", {})
    g = graph(a, b, c)
    addrs = addresses(g)
    assert sorted(addrs.values()) == sorted([
        "aws_s3_bucket._9lives", "aws_s3_bucket.data_bucket_1", "aws_s3_bucket.data_bucket_1_2"])
    plan, _ = to_tfplan(g)
    assert plan["guardian"]["addresses"] == {v: k for k, v in addrs.items()}
    assert tf_name("ok-name_1") == "ok-name_1"


def test_unmapped_types_are_listed_not_dropped():
    odd = res("aws:appsync/graphQLApi:GraphQLApi", "api", {"name": "api"})
    component = res("guardian:storage:EncryptedBucket", "c", {})
    component = type(component)(**{**component.__dict__, "custom": False})
    plan, unmapped = to_tfplan(graph(odd, component, bucket("b")))
    assert unmapped == ["aws:appsync/graphQLApi:GraphQLApi"]
    assert plan["guardian"]["unmapped"] == unmapped
    assert [r["address"] for r in plan["planned_values"]["root_module"]["resources"]] == [
        "aws_s3_bucket.b"]


def test_every_pulumi_type_in_the_table_is_a_pulumi_aws_token():
    for token, tftype in TYPES.items():
        assert token.startswith("aws:") and token.count(":") == 2, token
        assert tftype.name.startswith("aws_"), tftype
    assert PAB in TYPES and BUCKET in TYPES
