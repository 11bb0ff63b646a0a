"""Data sources the offline mocks cannot answer (they read the real account) give unknown
values, never empty ones: what is built from them is unknown, and so are the controls."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardian.catalog import load_catalog
from guardian.check import evaluate
from guardian.errors import UserError
from guardian.graph.model import UNKNOWN, Resource, ResourceGraph
from guardian.graph.program import _unknown_result, synthesize
from tests.conftest import EXAMPLE_CATALOG

PROGRAM = Path(__file__).parent / "programs" / "unanswered"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return synthesize(PROGRAM)


def one(graph: ResourceGraph, name: str) -> Resource:
    [found] = graph.named(name)
    return found


def test_a_plain_data_source_call_gives_unknown_values(graph):
    group = one(graph, "app")  # vpc_id=get_vpc(default=True).id, and a string built from it
    assert group.inputs["vpcId"] == UNKNOWN
    assert group.inputs["description"] == f"app tier of {UNKNOWN}"


def test_what_is_built_from_an_output_form_result_is_unknown(graph):
    assert one(graph, "acme-customer-profiles-policy").inputs["policy"] == UNKNOWN
    [rule] = one(graph, "acme-customer-profiles-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}
    [stack] = graph.of_type("pulumi:pulumi:Stack")
    # getRegion is computed offline: it stays known beside the unknown organization
    assert stack.outputs == {"organization": UNKNOWN, "region": "eu-west-1"}


def test_the_controls_they_decide_are_reported_unknown_not_passed(graph):
    report = evaluate(load_catalog(EXAMPLE_CATALOG), graph)
    found = {r.finding.rule: r for r in report.results
             if r.finding.resource and r.finding.resource.name == "acme-customer-profiles"}
    # the policy admits "*" on a condition whose organization id is unknown: not a pass
    # (as an empty result it was `"aws:PrincipalOrgID": null`, which passed as restricted)
    assert found["GRD-PUB-003"].finding.unknown and found["GRD-PUB-003"].blocking
    # the key behind the bucket is unknown: not "aws/s3", not a customer-managed key either
    assert found["GRD-ENC-001"].finding.unknown and found["GRD-ENC-001"].blocking


def test_the_result_type_names_every_property_and_inputs_are_echoed():
    vpc = _unknown_result("aws:ec2/getVpc:getVpc", {"default": True})
    assert vpc is not None and vpc["default"] is True
    assert vpc["id"] == vpc["cidrBlock"] == vpc["arn"] == UNKNOWN
    # `index` is the package root: pulumi_aws.GetPartitionResult
    assert _unknown_result("aws:index/getPartition:getPartition", {})["dnsSuffix"] == UNKNOWN
    assert _unknown_result("acme:index/getThing:getThing", {}) is None  # wholly unknown then


def test_computing_in_plain_python_with_an_unknown_says_why(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: plain\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import json\nimport pulumi_aws as aws\n"
        "org = aws.organizations.get_organization()\n"
        "aws.s3.BucketPolicy('p', bucket='b', policy=json.dumps({'org': org.id}))\n")
    with pytest.raises(UserError) as caught:
        synthesize(tmp_path, config={"aws:region": "eu-west-1"})
    text = str(caught.value)
    assert "not JSON serializable" in text
    assert "aws:organizations/getOrganization:getOrganization are unknown" in text
    assert "_output form" in text
