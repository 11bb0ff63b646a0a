"""The reviewers' wiring runs commands the CLI actually accepts, in the order a gate needs."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from guardian.cli import build_parser

REPO = Path(__file__).resolve().parents[1]


def load(source: Path | str) -> Any:
    return YAML(typ="safe").load(source.read_text() if isinstance(source, Path) else source)


def guardian_commands(script: str) -> list[list[str]]:
    """The `guardian ...` invocations of a shell step, without shell operators."""
    commands = []
    for line in script.splitlines():
        words = shlex.split(line.split("||")[0].split("#")[0])
        if words and words[0] == "guardian":
            commands.append(words[1:])
    return commands


def parses(argv: list[str]) -> Any:
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse's way of rejecting
        pytest.fail(f"guardian {' '.join(argv)}: rejected by the CLI (exit {exc.code})")


def test_workflow_gates_on_the_check_and_uploads_sarif() -> None:
    workflow = load(REPO / ".github" / "workflows" / "guardian.yml")
    [job] = workflow["jobs"].values()
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses[0].startswith("actions/checkout@")
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11"
    runs = [s.get("run", "") for s in steps]
    assert any("pip install -c constraints.txt -e ." in r for r in runs)
    assert job.get("permissions", workflow.get("permissions"))["security-events"] == "write"

    commands = [c for r in runs for c in guardian_commands(r)]
    assert [c[0] for c in commands] == ["validate", "synth", "check", "check"]
    for argv in commands:
        parses(argv)
    gate = next(s for s in steps if s.get("id") == "gate")
    sarif = parses(guardian_commands(gate["run"])[0])
    assert (sarif.format, sarif.output) == ("sarif", "guardian.sarif")

    upload = next(s for s in steps if "codeql-action/upload-sarif@" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "guardian.sarif"
    assert steps.index(upload) > steps.index(gate)
    last = steps[-1]
    assert "steps.gate.outputs.exit_code" in last["if"]
    assert "exit ${{ steps.gate.outputs.exit_code }}" in last["run"]


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = {h["id"]: h for h in load(REPO / ".pre-commit-hooks.yaml")}
    assert set(hooks) == {"guardian-validate", "guardian-check"}
    for hook in hooks.values():
        words = shlex.split(hook["entry"])
        assert words[0] == "guardian" and hook["pass_filenames"] is False
        parses(words[1:])
    assert shlex.split(hooks["guardian-check"]["entry"])[1] == "check"


def test_readme_documents_the_wiring() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Wiring Guardian into CI", 1)[1].split("\n## ", 1)[0]
    example = section.split("```yaml", 1)[1].split("```", 1)[0]
    config = load(example)
    hooks = config["repos"][0]["hooks"]
    assert {h["id"] for h in hooks} == {"guardian-validate", "guardian-check"}
    for hook in hooks:
        parses(shlex.split(hook["entry"])[1:])
