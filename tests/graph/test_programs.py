"""Several programs in one run: synthesized in parallel processes, one report naming each
finding's project, the same findings as the programs checked one by one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.errors import UserError
from guardian.graph.programs import expand
from tests.conftest import ROOT

PROGRAMS = ROOT / "tests" / "policies" / "programs"
CATALOG = ROOT / "tests" / "policies" / "catalog.yaml"


def check_json(capsys, *programs: Path) -> dict:
    args = ["check", "--catalog", str(CATALOG), "--format", "json", "--program",
            *map(str, programs)]
    assert main(args) == 1
    return json.loads(capsys.readouterr().out)


def on_resources(report: dict) -> set[tuple[str, str, str, str]]:
    return {(f["rule"], f["resource"]["urn"], f["project"], f["message"])
            for f in report["findings"] if f["resource"]}


def test_one_report_with_the_findings_of_each_and_their_projects(capsys):
    s3, stores = PROGRAMS / "s3_violations", PROGRAMS / "databases"
    both = check_json(capsys, s3, stores)
    alone = on_resources(check_json(capsys, s3)) | on_resources(check_json(capsys, stores))
    # One deployment: the trail and alert route one project declares cover the other's
    # stores too; every other finding is each program's own.
    assert on_resources(both) <= alone
    assert {f[0] for f in alone - on_resources(both)} == {"GRD-BRE-002"}
    assert {f["project"] for f in both["findings"] if f["resource"]} == {
        "s3_violations", "databases"}
    assert main(["check", "--catalog", str(CATALOG), "--program", str(s3),
                 "--program", str(stores)]) == 1
    text = capsys.readouterr().out
    assert " in project s3_violations at " in text and " in project databases" in text


def test_a_failing_program_is_named_and_same_project_names_refused(tmp_path, capsys):
    for name, body in (("good", "aws.s3.Bucket('b', bucket='x')"), ("bad", "raise ValueError('no')"),
                       ("twin", "aws.s3.Bucket('b', bucket='x')")):
        (tmp_path / name).mkdir()
        project = "good" if name == "twin" else name
        (tmp_path / name / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
        (tmp_path / name / "__main__.py").write_text(f"import pulumi_aws as aws\n{body}\n")
    assert main(["synth", "--program", str(tmp_path / "good"), str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert f"the Pulumi program in {tmp_path / 'bad'} failed: ValueError: no" in err
    assert main(["synth", "--program", str(tmp_path / "good"), str(tmp_path / "twin")]) == 2
    assert "both declare urn:pulumi:dev::good::" in capsys.readouterr().err


def test_globs_expand_to_directories_in_order_each_once(tmp_path):
    for name in ("b", "a", "c.txt"):
        (tmp_path / name).mkdir() if "." not in name else (tmp_path / name).write_text("")
    assert expand([str(tmp_path / "*"), str(tmp_path / "a")]) == [
        str(tmp_path / "a"), str(tmp_path / "b")]
    with pytest.raises(UserError, match="matches no directory"):
        expand([str(tmp_path / "none-*")])


def test_programs_that_choose_different_rules_are_checked_separately(tmp_path, capsys):
    for name, rules in (("a", "[retention]"), ("b", "[residency]"), ("c", "[retention]")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Pulumi.yaml").write_text(
            f"name: {name}\nruntime: python\nconfig:\n  guardian:rules: {rules}\n")
        (tmp_path / name / "__main__.py").write_text("import pulumi\n")
    args = ["check", "--catalog", str(CATALOG), "--program"]
    assert main([*args, str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert "choose different rules" in capsys.readouterr().err
    assert main([*args, str(tmp_path / "a"), str(tmp_path / "b"), "--rule", "retention"]) == 0
    assert main([*args, str(tmp_path / "a"), str(tmp_path / "c")]) == 0
