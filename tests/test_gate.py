"""What every command that evaluates the rules shares: one exit code (0 nothing blocks or
--no-fail, 1 blocking findings, 2 bad input), --fail-on none, and --rule/--skip-rule by id or
control, with defaults from the Pulumi project's config or the catalog's `gate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardian.cli import main
from tests.conftest import EXAMPLE_CATALOG
from tests.evidence.conftest import example_graph


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example catalog's hand-built deployment: it has blocking gaps (GRD-RET-001 and
    GRD-TLS-001 on the pharmacy bucket, breach detection everywhere, ...)."""
    path = tmp_path_factory.mktemp("gate") / "graph.json"
    path.write_text(example_graph().dumps())
    return path


def command(name: str, out: Path) -> list[str]:
    return {
        "check": ["check", "--format", "json", "-o", str(out)],
        "risk": ["risk", "-o", str(out)],
        "report": ["report", "-o", str(out)],
        "export bundle": ["export", "bundle", "-o", str(out)],
        "assessment-results": ["export", "oscal", "--model", "assessment-results",
                               "-o", str(out)],
    }[name]


GATES = ("check", "risk", "report", "export bundle", "assessment-results")


@pytest.mark.parametrize("name", GATES)
def test_every_gate_exits_1_on_blocking_findings_unless_told_not_to(
        name: str, graph: Path, tmp_path: Path) -> None:
    src = ["--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph)]
    assert main([*command(name, tmp_path / "blocked"), *src]) == 1
    assert (tmp_path / "blocked").exists()  # the output is written all the same
    assert main([*command(name, tmp_path / "no-fail"), *src, "--no-fail"]) == 0
    assert main([*command(name, tmp_path / "soft"), *src, "--fail-on", "none"]) == 0
    assert main([*command(name, tmp_path / "passing"), *src, "--skip-rule", "GRD-INV-001",
                 "--rule", "retention", "--skip-rule", "GRD-RET-001"]) == 0  # nothing blocks
    assert main([*command(name, tmp_path / "bad"), "--catalog", str(EXAMPLE_CATALOG),
                 "--graph", str(tmp_path / "missing.json"), "--no-fail"]) == 2


def test_the_component_definition_evaluates_nothing_and_exits_0(graph: Path) -> None:
    assert main(["export", "oscal", "--catalog", str(EXAMPLE_CATALOG)]) == 0


def findings(tmp_path: Path, graph: Path, *args: str, catalog: Path = EXAMPLE_CATALOG,
             fail_on: str = "high") -> tuple[int, dict]:
    out = tmp_path / "r.json"
    code = main(["check", "--catalog", str(catalog), "--graph", str(graph), "--format", "json",
                 "-o", str(out), "--fail-on", fail_on, *args])
    return code, json.loads(out.read_text())


def rules(doc: dict) -> set[str]:
    return {f["rule"] for f in doc["findings"]}


def test_fail_on_none_reports_everything_and_blocks_nothing(tmp_path: Path, graph: Path) -> None:
    code, strict = findings(tmp_path, graph)
    soft_code, soft = findings(tmp_path, graph, fail_on="none")
    assert (code, soft_code) == (1, 0)
    assert len(soft["findings"]) == len(strict["findings"]) > 10
    assert not any(f["blocking"] for f in soft["findings"])
    assert soft["summary"]["fail_on"] == "none"


@pytest.mark.parametrize("args, kept", [
    (("--rule", "GRD-RET-001"), {"GRD-RET-001"}),
    (("--rule", "GRD-RET-001,GRD-TLS-001"), {"GRD-RET-001", "GRD-TLS-001"}),
    (("--rule", "GRD-RET-001", "--rule", "encryption-in-transit"), {"GRD-RET-001", "GRD-TLS-001"}),
    (("--rule", "breach-detection"), {"GRD-BRE-001", "GRD-BRE-002"}),
    (("--rule", "breach-detection", "--skip-rule", "GRD-BRE-002"), {"GRD-BRE-001"}),
])
def test_rule_and_skip_rule_by_id_or_control(tmp_path: Path, graph: Path, args: tuple[str, ...],
                                             kept: set[str]) -> None:
    _, doc = findings(tmp_path, graph, *args)
    assert rules(doc) == kept


def test_skip_rule_removes_exactly_what_it_names(tmp_path: Path, graph: Path) -> None:
    _, every = findings(tmp_path, graph)
    _, fewer = findings(tmp_path, graph, "--skip-rule", "breach-detection",
                        "--skip-rule", "GRD-INV-003")
    assert rules(fewer) == rules(every) - {"GRD-BRE-001", "GRD-BRE-002", "GRD-INV-003"}


@pytest.mark.parametrize("args, message", [
    (("--rule", "GRD-RET-01"), "--rule: 'GRD-RET-01' is neither a rule id nor a control; "
                               "did you mean GRD-RET-001"),
    (("--skip-rule", "retension"), "--skip-rule: 'retension' is neither a rule id nor a "
                                   "control; did you mean retention"),
    (("--rule", "GRD-RET-001", "--skip-rule", "retention"), "--rule: no rule is left to run"),
])
def test_a_misspelt_rule_is_exit_2_with_a_suggestion(
        tmp_path: Path, graph: Path, capsys: pytest.CaptureFixture[str],
        args: tuple[str, ...], message: str) -> None:
    assert main(["check", "--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph),
                 *args]) == 2
    assert message in capsys.readouterr().err


def gated_catalog(tmp_path: Path, gate: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(EXAMPLE_CATALOG.read_text() + gate)
    return path


def test_the_catalog_sets_default_rules_and_the_command_line_replaces_them(
        tmp_path: Path, graph: Path) -> None:
    catalog = gated_catalog(tmp_path, "gate:\n  rules: [retention, encryption-in-transit]\n"
                                      "  skip_rules: [GRD-RET-002]\n")
    _, doc = findings(tmp_path, graph, catalog=catalog)
    assert rules(doc) == {"GRD-RET-001", "GRD-TLS-001"}
    _, doc = findings(tmp_path, graph, "--rule", "breach-detection", catalog=catalog)
    assert rules(doc) == {"GRD-BRE-001", "GRD-BRE-002"}  # --rule replaces gate.rules


def test_a_misspelt_rule_in_the_catalog_names_its_line(
        tmp_path: Path, graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = gated_catalog(tmp_path, "gate:\n  skip_rules: [GRD-BRE-01]\n")
    line = catalog.read_text().splitlines().index("gate:") + 2  # skip_rules' line
    assert main(["check", "--catalog", str(catalog), "--graph", str(graph)]) == 2
    assert f"{catalog}:{line}:" in capsys.readouterr().err


def test_the_pulumi_project_config_sets_defaults_over_the_catalogs(
        tmp_path: Path, graph: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = gated_catalog(tmp_path, "gate:\n  rules: [retention]\n")
    project = tmp_path / "infra"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: infra\nruntime: python\nconfig:\n"
        "  guardian:rules:\n    value: [breach-detection, retention]\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  guardian:skipRules: GRD-BRE-002\n")
    monkeypatch.chdir(project)
    _, doc = findings(tmp_path, graph, catalog=catalog)
    assert rules(doc) == {"GRD-BRE-001", "GRD-RET-001"}
    _, doc = findings(tmp_path, graph, "--stack", "prod", catalog=catalog)  # no stack file
    assert rules(doc) == {"GRD-BRE-001", "GRD-BRE-002", "GRD-RET-001"}


def test_a_files_project_sets_the_defaults_from_the_repository_root(
        tmp_path: Path, graph: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`guardian check --graph infra/graph.json` from a root without a Pulumi project: the
    defaults are those of the project the file sits in."""
    project = tmp_path / "infra"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: infra\nruntime: python\nconfig:\n  guardian:rules:\n    value: [retention]\n")
    (project / "graph.json").write_text(graph.read_text())
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.json"
    main(["check", "--catalog", str(EXAMPLE_CATALOG), "--graph", "infra/graph.json",
          "--format", "json", "-o", str(out)])
    assert rules(json.loads(out.read_text())) == {"GRD-RET-001"}


def test_checks_follow_the_selection(tmp_path: Path, graph: Path) -> None:
    out = tmp_path / "r.xml"
    assert main(["check", "--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph),
                 "--rule", "GRD-TLS-001", "--format", "junit", "-o", str(out)]) == 1
    text = out.read_text()
    assert 'name="GRD-TLS-001 aws:s3/bucket:Bucket acme-pharmacy-prescriptions"' in text
    assert "GRD-RET-001" not in text and 'tests="3"' in text  # the example's three buckets
