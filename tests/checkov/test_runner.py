"""`guardian check --checkov` end to end on the real checkov, offline, and its error paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guardian import checkov_runner
from guardian.catalog import load_catalog
from guardian.checkov_runner import SKIPS_APPROVER, load_skips, run_checkov, run_checkov_plan
from guardian.cli import main
from guardian.errors import UserError
from tests.checkov.graphs import BUCKET, TABLE, bucket, graph, pab, res, security_group, urn

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "catalog.yaml"
# Records every attempt to open a network connection in the checkov process, then refuses it.
AUDIT = '''
import os, socket
LOG = os.environ["GUARDIAN_NET_AUDIT"]
def record(what, *a, **k):
    with open(LOG, "a") as f:
        f.write(f"{what} {a[:1]!r}\\n")
    raise OSError("network disabled by the test")
socket.socket.connect = lambda self, *a: record("connect", *a)
socket.socket.connect_ex = lambda self, *a: record("connect_ex", *a)
socket.getaddrinfo = lambda *a, **k: record("getaddrinfo", *a)
socket.create_connection = lambda *a, **k: record("create_connection", *a)
'''
COMPONENT = "guardian:storage:EncryptedBucket"


def misconfigured():
    """A tagged bucket in a component with an open public access block sibling, an untagged
    bucket without any block, and SSH open to the world."""
    comp = urn(COMPONENT, "profiles")
    component = res(COMPONENT, "profiles", {})
    component = type(component)(**{**component.__dict__, "custom": False})
    store = bucket("acme-customer-profiles", {"privacy:dataset": "customer_profiles"}, comp)
    block = pab("acme-customer-profiles-pab", "acme-customer-profiles")
    block = type(block)(**{**block.__dict__, "parent": comp,
                           "inputs": {**block.inputs, "ignorePublicAcls": False}})
    # A sibling of the store in its component, but no helper of it: its findings stay on it.
    topic = res("aws:sns/topic:Topic", "alerts", {"name": "alerts"}, parent=comp)
    # Untagged, but the catalog lists it by name: bound, so no "missing tag" check.
    table = res(TABLE, "acme-customer-index", {"name": "acme-customer-index", "hashKey": "id",
                                               "attributes": [{"name": "id", "type": "S"}]})
    return graph(component, store, block, bucket("stray"), topic, table,
                 security_group("ssh-world", 22, "0.0.0.0/0"),
                 res("aws:appsync/graphQLApi:GraphQLApi", "api", {"name": "api"}))


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> tuple[int, dict[str, Any], str]:
    tmp = tmp_path_factory.mktemp("checkov")
    (tmp / "audit").mkdir()
    (tmp / "audit" / "sitecustomize.py").write_text(AUDIT)
    graph_file = tmp / "graph.json"
    graph_file.write_text(misconfigured().dumps())
    mp = pytest.MonkeyPatch()
    mp.setenv("PYTHONPATH", str(tmp / "audit"))
    mp.setenv("GUARDIAN_NET_AUDIT", str(tmp / "net.log"))
    mp.setenv("BC_API_KEY", "must-not-be-passed-on")
    try:
        code = main(["check", "--checkov", "--catalog", str(CATALOG), "--graph", str(graph_file),
                     "--format", "json", "-o", str(tmp / "report.json")])
    finally:
        mp.undo()
    net = (tmp / "net.log").read_text() if (tmp / "net.log").exists() else ""
    return code, json.loads((tmp / "report.json").read_text()), net


def ckv(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["rule"], f["resource"]["name"] + "|" + ",".join(r["name"] for r in f["related"])): f
            for f in report["findings"] if f["rule"].startswith(("CKV", "GRD-CKV"))}


def test_checkov_never_reaches_the_network(checked):
    _, _, net = checked
    assert net == ""


def test_the_audit_hook_does_catch_connections(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(AUDIT)
    log = tmp_path / "net.log"
    env = {"PYTHONPATH": str(tmp_path), "GUARDIAN_NET_AUDIT": str(log), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", "import urllib.request as u\ntry:\n"
                    " u.urlopen('https://pypi.org', timeout=1)\nexcept Exception:\n pass"],
                   env=env, check=True)
    assert "pypi.org" in log.read_text()


def test_ssh_open_to_the_world_is_reported_blocking(checked):
    code, report, _ = checked
    found = ckv(report)
    f = found[("CKV_AWS_24", "ssh-world|")]
    assert f["blocking"] and f["severity"] == "high" and f["control"] == "network-segmentation"
    assert f["resource"]["type"] == "aws:ec2/securityGroup:SecurityGroup"
    assert code == 1


def test_helper_failures_land_on_the_store_with_the_helper_related(checked):
    _, report, _ = checked
    f = ckv(report)[("CKV_AWS_55", "acme-customer-profiles|acme-customer-profiles-pab")]
    assert f["dataset"] == "customer_profiles" and f["control"] == "public-access"
    assert f["resource"]["type"] == BUCKET


def test_checkov_binds_stores_as_the_rules_do_and_leaves_others_on_their_resource(checked):
    _, report, _ = checked
    found = ckv(report)
    on_topic = [f for (rule, where), f in found.items() if where.startswith("alerts|")]
    assert on_topic and all(f["dataset"] is None and f["binding"] is None for f in on_topic)
    assert not any(where.endswith("alerts") for _, where in found)  # never related to a store
    on_table = [(rule, f) for (rule, where), f in found.items()
                if where.startswith("acme-customer-index|")]
    assert on_table and "CKV_GRD_1" not in {rule for rule, _ in on_table}
    assert {(f["dataset"], f["binding"]) for _, f in on_table} == {
        ("customer_profiles", "catalog-name")}
    assert ("CKV_GRD_1", "stray|") in found  # untagged and unlisted: still asked for a tag


def test_graph_checks_see_pulumi_links(checked):
    _, report, _ = checked
    rules = {key for key in ckv(report)}
    assert ("CKV2_AWS_6", "stray|") in rules
    assert not any(r == "CKV2_AWS_6" and n.startswith("acme-customer-profiles|")
                   for r, n in rules)


def test_unmapped_resources_are_reported_not_passed(checked):
    _, report, _ = checked
    f = ckv(report)[("GRD-CKV-001", "api|")]
    assert f["unknown"] and f["severity"] == "info" and not f["blocking"]


def test_example_stack_passes_or_is_skipped_with_reasons():
    from guardian.graph.program import synthesize

    results = run_checkov(synthesize(ROOT / "stacks"), load_catalog(CATALOG))
    assert not [r for r in results if r.blocking]
    # every failure is skipped with its reason: none is left open, not even an advisory one
    assert [(r.finding.rule, r.finding.resource.name) for r in results if r.waiver is None] == []
    assert "CKV_AWS_18" not in {r.finding.rule for r in results}  # the trail bucket is logged
    skipped = [r for r in results if r.waiver and r.waiver.approved_by == SKIPS_APPROVER]
    assert all(r.waiver.reason for r in skipped)
    used = {r.waiver.rule for r in skipped}
    assert {s.check for s in load_skips()} == used  # no stale entry in skips.yaml


def test_the_checks_and_skips_ship_in_the_wheel():
    """Every data file the runner loads is package data: a non-editable install has them."""
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped: set[Path] = set()
    for package, patterns in setuptools["package-data"].items():
        top, _, rest = package.partition(".")
        sub, _, rest = rest.partition(".")
        base = ROOT / setuptools["package-dir"].get(f"{top}.{sub}", f"{top}/{sub}")
        for pattern in patterns:
            shipped.update((base / rest.replace(".", "/")).glob(pattern))
    loaded = {f for d in checkov_runner.CUSTOM_CHECKS for f in d.iterdir()
              if f.is_file() and f.suffix != ".py"} | {checkov_runner.SKIPS_FILE}
    assert any(f.parent.name == "checkov_graph" for f in loaded)
    assert loaded <= shipped, sorted(str(f) for f in loaded - shipped)


def test_checkov_missing_is_a_user_error(monkeypatch):
    monkeypatch.setattr(checkov_runner, "checkov_available", lambda: False)
    with pytest.raises(UserError, match="checkov is not installed"):
        run_checkov(graph(bucket("b")), load_catalog(CATALOG), skips=[])


def test_checkov_failing_is_a_user_error_not_an_empty_pass(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(UserError, match="checkov failed"):
        run_checkov_plan({"planned_values": {}})


def test_skips_need_a_reason(tmp_path):
    bad = tmp_path / "skips.yaml"
    bad.write_text("skips:\n  - check: CKV_AWS_1\n  - check: CKV_AWS_2\n    reason: ''\n")
    with pytest.raises(UserError, match=r"skips.yaml:2: skips\[0\].reason"):
        load_skips(bad)


def test_export_tfplan_cli(tmp_path, capsys):
    graph_file = tmp_path / "graph.json"
    graph_file.write_text(misconfigured().dumps())
    assert main(["export", "tfplan", "--graph", str(graph_file), "-o",
                 str(tmp_path / "plan.json")]) == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    addresses = {r["address"] for r in plan["planned_values"]["root_module"]["resources"]}
    assert "aws_security_group.ssh-world" in addresses
    assert plan["guardian"]["unmapped"] == ["aws:appsync/graphQLApi:GraphQLApi"]
    assert "aws:appsync/graphQLApi:GraphQLApi" in capsys.readouterr().err
