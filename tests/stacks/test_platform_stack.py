"""The platform program as DevOps run it: the example catalog in, every declared store out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.errors import UserError
from guardian.graph.model import ResourceGraph
from guardian.graph.program import find_project, stack_config, synthesize

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example() -> ResourceGraph:
    return synthesize(ROOT)


def test_the_project_is_laid_out_for_pulumi():
    project = find_project(ROOT)
    assert project.name == "guardian"
    assert project.program == ROOT / "stacks"
    config, secrets = stack_config(project, "dev")
    assert config == {
        "aws:region": "eu-west-1", "guardian:catalog": "catalog.yaml",
        "guardian:trustedPrincipals": json.dumps(["arn:aws:iam::123456789012:role/example-deployer",
                                                  "arn:aws:iam::123456789012:role/example-workload"]),
    }
    assert secrets == []
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    assert {"-c constraints.txt", "-e ."} <= set(lines)


def test_every_declared_store_is_synthesized_with_its_dataset_tag(example, example_catalog):
    declared = {(s.kind, s.name, d.id) for d in example_catalog.datasets for s in d.storage}
    kinds = {"aws:s3/bucket:Bucket": "s3", "aws:dynamodb/table:Table": "dynamodb",
             "aws:rds/instance:Instance": "rds", "aws:rds/cluster:Cluster": "aurora"}
    found = {(kinds[r.type], r.name, r.dataset) for r in example.of_type(*kinds) if r.dataset}
    assert found == declared
    exports = example.of_type("pulumi:pulumi:Stack")[0].outputs
    assert {k.removeprefix("store:") for k in exports if k.startswith("store:")} == {
        name for _, name, _ in declared}
    assert exports["store:acme-orders"] == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/acme-orders")


def test_stores_stay_where_residency_allows(example):
    pharmacy = example.named("acme-pharmacy-prescriptions")
    [bucket] = [r for r in pharmacy if r.custom]
    assert bucket.region == "us-east-1"  # residency [us]: not the stack's eu-west-1
    provider = example.by_urn(bucket.provider.rsplit("::", 1)[0])
    assert provider.type == "pulumi:providers:aws" and provider.inputs["region"] == "us-east-1"
    eu = [r for r in example.of_type("aws:s3/bucket:Bucket") if r.dataset
          and r.dataset != "pharmacy_prescriptions"]
    assert eu and {r.region for r in eu} == {"eu-west-1"}


def test_a_retention_edit_in_the_catalog_shows_up_in_the_graph(tmp_path, example):
    text = (ROOT / "catalog.yaml").read_text()
    assert text.count("retention: {days: 30,") == 1
    edited = tmp_path / "catalog.yaml"
    edited.write_text(text.replace("retention: {days: 30,", "retention: {days: 45,"))
    graph = synthesize(ROOT, config={"guardian:catalog": str(edited)})

    def days(g: ResourceGraph) -> int:
        [lifecycle] = [r for r in g.of_type(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
            if r.name == "acme-location-pings-lifecycle"]
        return lifecycle.inputs["rules"][0]["expiration"]["days"]

    assert (days(example), days(graph)) == (30, 45)


def test_an_invalid_catalog_stops_the_program_with_located_errors(tmp_path):
    broken = tmp_path / "catalog.yaml"
    broken.write_text((ROOT / "catalog.yaml").read_text().replace(
        "classification: restricted", "classification: top-secret", 1))
    with pytest.raises(UserError) as caught:
        synthesize(ROOT, config={"guardian:catalog": str(broken)})
    text = str(caught.value)
    assert "CatalogError" in text and "top-secret" in text
    assert f"{broken.name}:" in text and "classification" in text


def test_guardian_synth_on_the_example_is_byte_identical(tmp_path, monkeypatch, example):
    monkeypatch.chdir(ROOT)
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    assert main(["synth", "-o", str(first)]) == 0
    assert main(["synth", "--stack", "dev", "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert data["source"] == {"kind": "program", "path": "stacks", "entry": "stacks/__main__.py"}
    assert first.read_text() == example.dumps().replace(
        json.dumps(os.fspath(ROOT / "stacks")), json.dumps("stacks"))
