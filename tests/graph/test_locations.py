"""Findings on the line that caused them: offline synthesis, stack exports and previews record
where each resource was declared, relative to the repository, and every output points there."""

from __future__ import annotations

import copy
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from guardian.check import locate
from guardian.cli import main
from guardian.findings import Finding
from guardian.graph.model import ResourceGraph, Source
from guardian.graph.program import synthesize
from guardian.graph.state import read_state
from guardian.locations import Location, Roots, split_position
from tests.conftest import EXAMPLE_CATALOG, PULUMI_CLI, ROOT, SARIF_SCHEMA

LOCATED = ROOT / "tests" / "graph" / "programs" / "located"
MAIN = "tests/graph/programs/located/__main__.py"
KIT = "tests/graph/programs/located/kit.py"
POLICY_CATALOG = ROOT / "tests" / "policies" / "catalog.yaml"


@pytest.fixture(scope="module")
def located() -> ResourceGraph:
    return synthesize(LOCATED)


def named(graph: ResourceGraph, type_: str, name: str):
    [found] = [r for r in graph.named(name) if r.type == type_]
    return found


def test_synthesis_records_the_innermost_line_in_the_programs_own_files(located) -> None:
    plain = named(located, "aws:s3/bucket:Bucket", "located-plain")
    assert plain.location == Location(MAIN, 37)  # the constructor's first line
    assert named(located, "aws:s3/bucketPolicy:BucketPolicy",
                 "located-plain-tls").location == Location(MAIN, 39)
    inner = named(located, "aws:s3/bucket:Bucket", "located-kit")
    component = named(located, "fixture:kit:PlainBucket", "located-kit")
    assert inner.location == Location(KIT, 10)  # inside the component, in the program's files
    assert component.location == Location(MAIN, 41)  # not its own super().__init__ line
    assert located.declared_at(inner.urn) == (Location(KIT, 10), Location(MAIN, 41))
    assert located.of_type("pulumi:pulumi:Stack")[0].location is None  # the runner's, not user's
    assert located.source.entry == MAIN
    again = ResourceGraph.from_json(json.loads(located.dumps()))
    assert again.declared_at(inner.urn) == located.declared_at(inner.urn)


def check(tmp_path: Path, *args: str, fmt: str) -> tuple[int, str]:
    out = tmp_path / f"report.{fmt}"
    code = main(["check", *args, "--format", fmt, "-o", str(out)])
    return code, out.read_text()


def sarif_results(text: str) -> list[dict[str, Any]]:
    doc = json.loads(text)
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    assert not [e.message for e in validator.iter_errors(doc)]
    results: list[dict[str, Any]] = doc["runs"][0]["results"]
    return results


def on(results: list[dict[str, Any]], rule: str, name: str) -> dict[str, Any]:
    [found] = [r for r in results if r["ruleId"] == rule
               and r["locations"][0]["logicalLocations"][0]["name"] == name]
    return found


def test_sarif_puts_a_program_finding_on_its_line(tmp_path: Path) -> None:
    code, text = check(tmp_path, "--program", str(LOCATED), "--catalog", str(POLICY_CATALOG),
                       fmt="sarif")
    assert code == 1
    results = sarif_results(text)
    plain = on(results, "GRD-ENC-001", "located-plain")
    assert plain["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": MAIN, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 37},
    }
    kit = on(results, "GRD-ENC-001", "located-kit")
    assert kit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == KIT
    assert kit["locations"][0]["physicalLocation"]["region"] == {"startLine": 10}
    component = kit["relatedLocations"][0]["physicalLocation"]
    assert (component["artifactLocation"]["uri"], component["region"]["startLine"]) == (MAIN, 41)


def test_text_and_junit_say_file_and_line(tmp_path: Path) -> None:
    args = ("--program", str(LOCATED), "--catalog", str(POLICY_CATALOG))
    _, text = check(tmp_path, *args, fmt="text")
    assert f"          on aws:s3/bucket:Bucket located-plain (dataset profiles) at {MAIN}:37" \
        in text.splitlines()
    assert f"on aws:s3/bucket:Bucket located-kit (dataset profiles) at {KIT}:10 " \
        f"(in the component at {MAIN}:41)" \
        in text
    _, xml = check(tmp_path, *args, fmt="junit")
    cases = [c for c in ET.fromstring(xml).iter("testcase")
             if c.get("name") == "GRD-ENC-001 aws:s3/bucket:Bucket located-plain"]
    assert [(c.get("file"), c.get("line")) for c in cases] == [(MAIN, "37")]


def test_catalog_findings_join_the_programs_repository_from_anywhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from outside the repository: the catalog's findings are relative to the same
    repository as the program's, not to the working directory."""
    monkeypatch.chdir(tmp_path)
    _, text = check(tmp_path, "--program", str(LOCATED), "--catalog", str(POLICY_CATALOG),
                    "--sarif-include-info", fmt="sarif")
    uris: dict[str, set[str]] = {}
    for r in sarif_results(text):
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        uris.setdefault(r["ruleId"], set()).add(uri)
    assert uris["GRD-ENC-001"] == {MAIN, KIT}
    assert uris["GRD-INV-003"] == {"tests/policies/catalog.yaml"}


@pytest.fixture()
def ts_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose TypeScript project in infra/ produced the real CLI fixtures."""
    (tmp_path / ".git").mkdir()
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "Pulumi.yaml").write_text("name: sample\nruntime: nodejs\n")
    (infra / "index.ts").write_text("// the program\n")
    for name in ("sample-export.json", "sample-preview-creates.json"):
        shutil.copy(PULUMI_CLI / name, infra / name)
    monkeypatch.chdir(infra)
    return infra


def test_a_stack_exports_source_position_is_read_and_libraries_defer_to_the_component(
        ts_repo: Path) -> None:
    graph = read_state(ts_repo / "sample-export.json", roots=Roots.around(ts_repo))
    docs = named(graph, "aws:s3/bucket:Bucket", "docs")
    assert docs.location == Location("infra/index.ts", 5, 20)
    # created by @pulumi/aws's mixins in node_modules: located by the bucket they hang off
    role = named(graph, "aws:iam/role:Role", "docsHandler")
    assert role.location is None
    assert graph.declared_at(role.urn) == (Location("infra/index.ts", 5, 20),)
    assert graph.source.entry == "infra/index.ts"


@pytest.mark.parametrize("kind, name", [("--state", "sample-export.json"),
                                        ("--preview", "sample-preview-creates.json")])
def test_sarif_puts_an_export_or_preview_finding_on_its_source_position(
        ts_repo: Path, kind: str, name: str) -> None:
    code, text = check(ts_repo, kind, name, "--catalog", str(EXAMPLE_CATALOG), fmt="sarif")
    assert code == 1
    docs = on(sarif_results(text), "GRD-INV-001", "docs")
    assert docs["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/index.ts", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 5, "startColumn": 20},
    }


@pytest.mark.parametrize("kind, name", [("--state", "sample-export.json"),
                                        ("--preview", "sample-preview-creates.json")])
@pytest.mark.parametrize("cwd_project", [None, "other"])
def test_positions_are_read_against_the_project_the_urns_name(
        ts_repo: Path, monkeypatch: pytest.MonkeyPatch, kind: str, name: str,
        cwd_project: str | None) -> None:
    """Run from the repository root, or from another project, on a file written in infra/:
    `project:///index.ts` is infra/index.ts, the project the URNs name (`sample`)."""
    repo = ts_repo.parent
    if cwd_project:
        (repo / "Pulumi.yaml").write_text(f"name: {cwd_project}\nruntime: nodejs\n")
        (repo / "index.ts").write_text("// another program\n")
    monkeypatch.chdir(repo)
    code, text = check(repo, kind, f"infra/{name}", "--catalog", str(EXAMPLE_CATALOG),
                       fmt="sarif")
    assert code == 1
    docs = on(sarif_results(text), "GRD-INV-001", "docs")
    assert docs["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] \
        == "infra/index.ts"


def test_the_working_directorys_project_is_kept_when_no_project_is_named(
        ts_repo: Path) -> None:
    (ts_repo / "Pulumi.yaml").write_text("name: renamed\nruntime: nodejs\n")  # not `sample`
    elsewhere = ts_repo.parent / "copies"
    elsewhere.mkdir()
    shutil.copy(ts_repo / "sample-export.json", elsewhere / "export.json")
    graph = read_state(elsewhere / "export.json")
    assert named(graph, "aws:s3/bucket:Bucket", "docs").location \
        == Location("infra/index.ts", 5, 20)


def test_without_source_positions_findings_point_at_the_entry_file_said_once(
        ts_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((ts_repo / "sample-export.json").read_text())
    bare = copy.deepcopy(data)
    for r in bare["deployment"]["resources"]:
        r.pop("sourcePosition", None)
    (ts_repo / "bare.json").write_text(json.dumps(bare))
    code, text = check(ts_repo, "--state", "bare.json", "--catalog", str(EXAMPLE_CATALOG),
                       fmt="text")
    assert code == 1
    note = ("finding(s) have no source location (the state records none for their resource); "
            "they point at the program's entry file, infra/index.ts")
    assert sum(note in line for line in text.splitlines()) == 1
    _, sarif = check(ts_repo, "--state", "bare.json", "--catalog", str(EXAMPLE_CATALOG),
                     fmt="sarif")
    docs = on(sarif_results(sarif), "GRD-INV-001", "docs")
    assert docs["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/index.ts", "uriBaseId": "%SRCROOT%"}}
    assert note in capsys.readouterr().err


def test_catalog_findings_keep_their_catalog_line_relative_to_the_repository() -> None:
    graph = ResourceGraph([], Source("graph", "empty.json"))
    typed = Finding("GRD-CAT-001", "m", "profiles", location=f"{POLICY_CATALOG}:12:3")
    assert locate(typed, graph, ROOT) == (Location("tests/policies/catalog.yaml", 12, 3),)
    outside = Finding("GRD-CAT-001", "m", "profiles", location="/elsewhere/catalog.yaml:4:1")
    assert locate(outside, graph, ROOT) == (Location("/elsewhere/catalog.yaml", 4, 1),)
    assert locate(Finding("GRD-CAT-001", "m", "profiles"), graph, ROOT) == ()


@pytest.mark.parametrize("uri, line, col, expected", [
    ("project:///index.ts", 5, 20, Location("infra/index.ts", 5, 20)),
    ("project:///lib/%C3%A9t%C3%A9.py", 3, 0, Location("infra/lib/été.py", 3)),
    ("project:///node_modules/@pulumi/s3/s3Mixins.ts", 137, 9, None),  # a library
    ("project:///.venv/lib/python3.11/site-packages/x.py", 1, 0, None),
    ("project:///index.ts", 0, 0, None),  # no line: no position
    ("https://example.com/index.ts", 5, 0, None),
    ("", 5, 0, None),
])
def test_positions_are_read_against_project_and_repository(
        tmp_path: Path, uri: str, line: int, col: int, expected: Location | None) -> None:
    roots = Roots(tmp_path / "infra", tmp_path)
    assert roots.position(uri, line, col) == expected


def test_file_positions_inside_and_outside_the_repository(tmp_path: Path) -> None:
    roots = Roots(tmp_path / "infra", tmp_path / "infra")
    inside = (tmp_path / "infra" / "app.py").as_uri()
    assert roots.position(inside, 7) == Location("app.py", 7)
    assert roots.position((tmp_path / "other.py").as_uri(), 7) is None


def test_split_position() -> None:
    assert split_position("project:///index.ts#5,20") == ("project:///index.ts", 5, 20)
    assert split_position("project:///index.ts#5") == ("project:///index.ts", 5, 0)
    assert split_position("project:///index.ts") is None
    assert split_position("") is None
