"""The preview, state and graph readers on real Pulumi CLI output (tests/fixtures/pulumi-cli)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guardian.errors import UserError
from guardian.findings import ResourceRef
from guardian.graph.model import SECRET, UNKNOWN, ResourceGraph
from guardian.graph.sources import load_graph, read_source
from tests.conftest import EXAMPLE_CATALOG, PULUMI_CLI

CLI = PULUMI_CLI
BUCKET = "aws:s3/bucket:Bucket"
FUNCTION = "aws:lambda/function:Function"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PLAINTEXT = "hunter2-do-not-print"
ENVELOPE = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def fixture(name: str) -> Any:
    return json.loads((CLI / name).read_text())


def write(tmp_path: Path, data: Any, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return path


def one(graph: ResourceGraph, typ: str, name: str):
    [found] = [r for r in graph if r.type == typ and r.name == name]
    return found


def test_preview_creates_plans_every_new_resource() -> None:
    graph = read_source("preview", CLI / "sample-preview-creates.json")
    assert graph.source.kind == "preview"
    assert graph.source.path.endswith("sample-preview-creates.json")
    assert len(graph) == 16
    assert {r.type for r in graph} == {
        "pulumi:pulumi:Stack",
        BUCKET,
        "aws:s3:BucketEventSubscription",
        "aws:iam/role:Role",
        ATTACHMENT,
        FUNCTION,
        "aws:lambda/permission:Permission",
        "aws:s3/bucketNotification:BucketNotification",
    }
    bucket = one(graph, BUCKET, "docs")
    assert bucket.urn == "urn:pulumi:dev::sample::aws:s3/bucket:Bucket::docs"
    assert dict(bucket.inputs) == {
        "acl": "private",
        "bucket": "docs-32c8f2c",
        "forceDestroy": False,
    }
    assert bucket.dataset is None  # untagged: the inventory rule's business
    assert bucket.outputs == {}  # nothing deployed yet
    assert bucket.region is None  # no aws:region anywhere in this preview
    # A value only known after the update keeps Pulumi's unknown sentinel, it is never guessed.
    attachment = one(graph, ATTACHMENT, "docsHandler-a1de8170")
    assert attachment.inputs["role"] == UNKNOWN
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
    assert attachment.dependencies
    assert all(d.startswith("urn:pulumi:") for d in attachment.dependencies)
    assert attachment.parent and attachment.parent.endswith("BucketEventSubscription::docsHandler")
    subscription = one(graph, "aws:s3:BucketEventSubscription", "docsHandler")
    assert subscription.custom is False


def test_preview_update_keeps_state_of_unchanged_and_identity_of_updated() -> None:
    graph = read_source("preview", CLI / "sample-preview-update.json")
    assert len(graph) == 16
    bucket = one(graph, BUCKET, "docs")  # op "same": its state is current
    assert bucket.arn == "arn:aws:s3:::docs-4936161"
    assert bucket.region == "eu-west-1"
    assert bucket.get("versioning") == {"enabled": False, "mfaDelete": False}
    function = one(graph, FUNCTION, "docsHandler")  # op "update": old outputs may be stale
    assert set(function.outputs) == {"arn", "id"}
    assert function.region == "eu-west-1"  # from its ARN
    assert graph.by_arn("arn:aws:s3:::docs-4936161") is bucket


def test_preview_deletes_drop_deleted_resources() -> None:
    graph = read_source("preview", CLI / "sample-preview-deletes.json")
    assert sorted((r.type, r.name) for r in graph) == [
        (BUCKET, "docs"),
        ("pulumi:pulumi:Stack", "sample-dev"),
    ]


def test_preview_masks_secrets(tmp_path: Path) -> None:
    data = fixture("sample-preview-creates.json")
    step = next(s for s in data["steps"] if s["urn"].endswith("Bucket::docs"))
    step["newState"]["inputs"]["tags"] = {"token": "[secret]", "privacy:dataset": "docs"}
    step["newState"]["inputs"]["policy"] = {**ENVELOPE, "value": PLAINTEXT}
    graph = read_source("preview", write(tmp_path, data))
    bucket = one(graph, BUCKET, "docs")
    assert bucket.inputs["tags"] == {"token": SECRET, "privacy:dataset": "docs"}
    assert bucket.inputs["policy"] == SECRET
    assert bucket.dataset == "docs"
    assert PLAINTEXT not in graph.dumps()


def _docs_on_provider(name: str, region: str) -> dict[str, Any]:
    """The sample preview with bucket `docs` on an explicit provider in `region`, and
    eu-west-3 in the preview's config."""
    data = fixture("sample-preview-creates.json")
    provider_urn = f"urn:pulumi:dev::sample::pulumi:providers:aws::{name}"
    data["steps"].insert(1, {
        "op": "create",
        "urn": provider_urn,
        "newState": {"urn": provider_urn, "custom": True, "type": "pulumi:providers:aws",
                     "inputs": {"region": region, "version": "6.63.0"}},
    })
    step = next(s for s in data["steps"] if s["urn"].endswith("Bucket::docs"))
    step["newState"]["provider"] = f"{provider_urn}::{UNKNOWN}"
    data["config"]["aws:region"] = "eu-west-3"
    return data


def test_preview_region_from_explicit_provider_then_config(tmp_path: Path) -> None:
    data = _docs_on_provider("frankfurt", "eu-central-1")
    graph = read_source("preview", write(tmp_path, data), config={"aws:region": "us-east-1"})
    assert one(graph, BUCKET, "docs").region == "eu-central-1"  # the explicit provider's
    assert one(graph, FUNCTION, "docsHandler").region == "eu-west-3"  # the preview's config
    assert one(graph, "pulumi:providers:aws", "frankfurt").region == "eu-central-1"

    del data["config"]["aws:region"]
    graph = read_source("preview", write(tmp_path, data), config={"aws:region": "us-east-1"})
    assert one(graph, FUNCTION, "docsHandler").region == "us-east-1"  # the caller's stack config


def test_preview_region_unknown_on_the_provider_is_unknown_never_the_stack_s(
        tmp_path: Path) -> None:
    data = _docs_on_provider("elsewhere", UNKNOWN)
    graph = read_source("preview", write(tmp_path, data), config={"aws:region": "us-east-1"})
    assert one(graph, BUCKET, "docs").region is None  # computed at deploy time: unknown
    assert one(graph, FUNCTION, "docsHandler").region == "eu-west-3"  # the default provider's


def test_state_export_reads_inputs_and_outputs() -> None:
    graph = read_source("state", CLI / "sample-export.json")
    assert graph.source.kind == "state"
    assert len(graph) == 17
    provider = one(graph, "pulumi:providers:aws", "default_6_63_0")
    bucket = one(graph, BUCKET, "docs")
    assert bucket.provider == f"{provider.urn}::42a75fb0-5a64-436a-8a82-e3a2e388b650"
    assert bucket.inputs["bucket"] == "docs-4936161"
    assert bucket.get("serverSideEncryptionConfiguration") == {
        "rule": {
            "applyServerSideEncryptionByDefault": {"kmsMasterKeyId": "", "sseAlgorithm": "AES256"},
            "bucketKeyEnabled": False,
        }
    }
    assert bucket.region == "eu-west-1"
    assert bucket.dataset is None
    role = one(graph, "aws:iam/role:Role", "docsHandler")
    assert role.arn == "arn:aws:iam::941377148201:role/docsHandler-9eca035"
    assert role.region is None  # IAM is global and nothing says otherwise
    assert "__defaults" not in bucket.inputs
    assert "__meta" not in one(graph, FUNCTION, "docsHandler").outputs


def test_state_masks_secrets_and_drops_pending_deletes(tmp_path: Path) -> None:
    data = fixture("sample-export.json")
    resources = data["deployment"]["resources"]
    bucket = next(r for r in resources if r["type"] == BUCKET)
    bucket["outputs"]["policy"] = {**ENVELOPE, "ciphertext": "v1:abc"}
    bucket["inputs"]["policy"] = {**ENVELOPE, "plaintext": json.dumps(PLAINTEXT)}
    doomed = copy.deepcopy(bucket)
    doomed.update(urn=bucket["urn"] + "-old", delete=True)
    resources.append(doomed)
    graph = read_source("state", write(tmp_path, data))
    docs = one(graph, BUCKET, "docs")
    assert docs.inputs["policy"] == SECRET and docs.outputs["policy"] == SECRET
    assert graph.by_urn(doomed["urn"]) is None
    assert PLAINTEXT not in graph.dumps() and "v1:abc" not in graph.dumps()


def test_graph_round_trip(tmp_path: Path) -> None:
    state = read_source("state", CLI / "sample-export.json")
    path = tmp_path / "graph.json"
    path.write_text(state.dumps())
    graph = load_graph(path)
    assert graph.source.kind == "graph" and graph.source.path == str(path)
    assert [r.to_json() for r in graph] == [r.to_json() for r in state]
    assert read_source("graph", path).resources == graph.resources


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("preview", '{"steps": [\n  {"op": "same",}\n]}', r":2:\d+: not valid JSON"),
        ("state", "", r":1:1: not valid JSON"),
        ("preview", json.dumps({"version": 3, "deployment": {"resources": []}}), "use --state"),
        ("state", json.dumps({"steps": []}), "use --preview"),
        ("preview", json.dumps({"steps": [{"op": "create"}]}), r"steps\[0\]\.newState"),
        (
            "preview",
            json.dumps({"steps": [{"op": "create", "newState": {"urn": "urn:x"}}]}),
            r"steps\[0\]\.newState\.type: expected a non-empty string",
        ),
        (
            "state",
            json.dumps({"deployment": {"resources": [{"urn": "u", "type": "t", "inputs": []}]}}),
            r"deployment\.resources\[0\]\.inputs: expected an object",
        ),
        ("state", json.dumps({"version": 4, "deployment": {"resources": []}}), "version 4"),
        ("graph", json.dumps({"resources": []}), "format: expected 'guardian.graph/v1'"),
        (
            "graph",
            json.dumps({"format": "guardian.graph/v1", "resources": [{"urn": "u"}]}),
            r"resources\[0\]",
        ),
    ],
)
def test_bad_input_names_file_and_place(
    tmp_path: Path, kind: str, text: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(UserError, match=expected) as err:
        read_source(kind, path)
    assert str(err.value).startswith(str(path))


def test_missing_file_and_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        read_source("state", tmp_path / "nope.json")
    with pytest.raises(UserError, match="unknown source kind 'plan'"):
        read_source("plan", tmp_path / "x.json")


def test_reading_json_sources_does_not_import_pulumi_aws() -> None:
    code = (
        "import sys\n"
        "from guardian.graph.sources import read_source\n"
        f"read_source('preview', {str(CLI / 'sample-preview-creates.json')!r})\n"
        f"read_source('state', {str(CLI / 'sample-export.json')!r})\n"
        "assert 'pulumi_aws' not in sys.modules and 'pulumi' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("preview", "sample-preview-creates.json"),
        ("preview", "sample-preview-update.json"),
        ("preview", "sample-preview-deletes.json"),
        ("state", "sample-export.json"),
    ],
)
def test_untagged_bucket_in_real_output_blocks_the_gate(kind: str, name: str) -> None:
    from guardian.catalog import load_catalog
    from guardian.check import evaluate

    graph = read_source(kind, CLI / name)
    report = evaluate(load_catalog(EXAMPLE_CATALOG), graph)
    docs = one(graph, BUCKET, "docs")
    inventory = [r for r in report.results if r.rule.control == "inventory" and r.blocking]
    assert [(r.finding.rule, r.finding.resource) for r in inventory] == [
        ("GRD-INV-001", ResourceRef.of(docs))
    ]
    assert report.exit_code == 1 and report.source_kind == kind
