"""The CrossGuard pack as Pulumi runs it: its `__main__.py` in a process of its own, serving the
analyzer over gRPC on the port it prints, asked for its policies, configured with a policy
config and given a stack, as the Pulumi CLI does. Per-rule enforcement is Pulumi's own
machinery here (pulumi_policy's analyzer), not ours: this shows the pack lends itself to it."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from guardian.policies.rules import RULES
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc

from tests.conftest import ROOT

PACK = ROOT / "policies" / "pack"
CATALOG = ROOT / "tests" / "policies" / "catalog.yaml"
LEVELS = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}
TIMEOUT = 60  # seconds for the pack to start and for each call


def _port(proc: subprocess.Popen[bytes], stderr: Path) -> int:
    """The first line the pack prints: its port (read with a deadline, never a hang)."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        ready = sel.select(TIMEOUT)
    line = proc.stdout.readline() if ready else b""
    if not line.strip().isdigit():
        pytest.fail(f"the policy pack printed no port: {stderr.read_text()[-2000:]}")
    return int(line)


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The pack's analyzer, in its own process, with the stack config Pulumi would pass."""
    env = {**os.environ, "PULUMI_CONFIG": json.dumps(
        {"aws:region": "eu-west-1", "guardian:catalog": str(CATALOG)})}
    stderr = tmp_path_factory.mktemp("pack") / "stderr"
    with stderr.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-u", str(PACK / "__main__.py")], cwd=PACK,
                                env=env, stdout=subprocess.PIPE, stderr=err)
    try:
        port = _port(proc, stderr)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(values)
    return out


URN = "urn:pulumi:dev::shop::{}::{}"
PROVIDER = proto.AnalyzerProviderResource(
    type="pulumi:providers:aws", properties=struct({"region": "eu-west-1"}),
    urn=URN.format("pulumi:providers:aws", "default"), name="default")
# A bucket of the catalog's confidential profiles with nothing around it: no public access
# block, no lifecycle, no TLS policy, no customer-managed key.
BUCKET = proto.AnalyzerResource(
    type="aws:s3/bucket:Bucket", urn=URN.format("aws:s3/bucket:Bucket", "profiles"),
    name="profiles", provider=PROVIDER,
    properties=struct({"bucket": "profiles-bucket", "tags": {"privacy:dataset": "profiles"}}))


def diagnostics(analyzer: Any) -> dict[str, set[tuple[int, str]]]:
    """Policy name -> {(enforcement level, urn)} of what the pack reports on the stack."""
    response = analyzer.AnalyzeStack(proto.AnalyzeStackRequest(resources=[BUCKET]),
                                     timeout=TIMEOUT)
    out: dict[str, set[tuple[int, str]]] = {}
    for d in response.diagnostics:
        out.setdefault(d.policyName, set()).add((d.enforcementLevel, d.urn))
    return out


def configure(analyzer: Any, config: dict[str, Any]) -> None:
    """A `--policy-pack-config` file as the Pulumi CLI hands it over: a level, or an object
    with `enforcementLevel` and the policy's own properties."""
    policy_config = {}
    for name, value in config.items():
        level = value if isinstance(value, str) else value.get("enforcementLevel")
        properties = {} if isinstance(value, str) else \
            {k: v for k, v in value.items() if k != "enforcementLevel"}
        policy_config[name] = proto.PolicyConfig(enforcementLevel=LEVELS[level],
                                                 properties=struct(properties))
    analyzer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=policy_config),
                       timeout=TIMEOUT)


def test_the_served_pack_lists_one_policy_per_rule_with_its_level(analyzer: Any) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=TIMEOUT)
    assert info.supportsConfig
    policies = {p.name: p for p in info.policies}
    assert list(policies) == [r.id for r in RULES]
    for rule in RULES:
        policy = policies[rule.id]
        blocks = rule.severity in ("critical", "high")
        assert policy.enforcementLevel == (proto.MANDATORY if blocks else proto.ADVISORY)
        assert policy.policy_type == proto.PolicyType.POLICY_TYPE_STACK
        assert policy.severity and policy.remediation_steps == rule.remediation
        assert policy.displayName == rule.title


def test_the_policy_config_sets_each_rules_enforcement(analyzer: Any) -> None:
    bucket = BUCKET.urn
    before = diagnostics(analyzer)
    for rule in ("GRD-PUB-001", "GRD-ENC-001", "GRD-RET-001", "GRD-TLS-001"):
        assert before[rule] == {(proto.MANDATORY, bucket)}  # high: mandatory by default
    assert {level for level, _ in before["GRD-INV-003"]} == {proto.ADVISORY}  # info
    example = json.loads((PACK / "config.example.json").read_text())  # the README's file
    configure(analyzer, {**example, "GRD-PUB-001": "advisory",
                         "GRD-ENC-001": {"enforcementLevel": "disabled"}})
    after = diagnostics(analyzer)
    assert after["GRD-PUB-001"] == {(proto.ADVISORY, bucket)}
    assert "GRD-ENC-001" not in after and "GRD-INV-003" not in after  # disabled
    assert after["GRD-RET-001"] == before["GRD-RET-001"]  # the others keep theirs
    assert set(after) == set(before) - {"GRD-ENC-001", "GRD-INV-003"}

