"""The graph is validated where it is read: a value of the wrong type becomes UNKNOWN (and so a
blocking unknown where a rule needs it), never a crash; duplicate URNs and malformed delete
flags are exit 2 naming the file and the place."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardian.catalog import load_catalog
from guardian.check import evaluate
from guardian.cli import main
from guardian.errors import UserError
from guardian.graph.model import SECRET, UNKNOWN, Resource, ResourceGraph
from guardian.graph.sources import load_graph, read_source
from guardian.graph.types import conform, generate, table, tokens_named
from tests.conftest import PULUMI_CLI, ROOT

POLICIES = ROOT / "tests" / "policies"
SG = "aws:ec2/securityGroup:SecurityGroup"


def test_the_table_is_what_the_installed_pulumi_aws_declares():
    """Regenerate with `python -m guardian.graph.types` after a pulumi-aws upgrade."""
    assert generate(tokens_named(ROOT)) == table()


def test_wrong_types_become_unknown_and_right_ones_stay():
    r = Resource("urn:x", SG, "sg", inputs={
        "name": 5, "ingress": "x", "egress": [{"fromPort": "443", "toPort": 443,
                                               "cidrBlocks": ["0.0.0.0/0", 7]}],
        "tags": {"a": 1, "b": "ok"}, "description": UNKNOWN, "vpcId": SECRET,
        "somethingNew": [1, {"x": 2}]})
    assert conform(r).inputs == {
        "name": UNKNOWN, "ingress": UNKNOWN,
        "egress": [{"fromPort": UNKNOWN, "toPort": 443, "cidrBlocks": ["0.0.0.0/0", UNKNOWN]}],
        "tags": {"a": UNKNOWN, "b": "ok"}, "description": UNKNOWN, "vpcId": SECRET,
        "somethingNew": [1, {"x": 2}]}
    fine = Resource("urn:y", SG, "ok", inputs={"name": "web", "ingress": []})
    assert conform(fine) is fine


def test_policy_documents_are_left_to_the_rules_that_parse_them():
    doc = {"Statement": {"Effect": "Allow", "Action": "s3:*"}}  # one statement, not a list
    r = Resource("urn:p", "aws:s3/bucketPolicy:BucketPolicy", "p", inputs={"policy": doc})
    assert conform(r).inputs["policy"] == doc


@cache
def program_graph(name: str) -> dict[str, Any]:
    from guardian.graph.program import synthesize

    return synthesize(POLICIES / "programs" / name, "dev").to_json()


def write(tmp_path: Path, data: Any, name: str = "graph.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(("where", "value", "finding"), [
    ("acl", ["public-read"], "GRD-PUB-002"), ("grants", 5, "GRD-PUB-002"), ("bucket", 5, None),
    ("tags", "x", None),
])
def test_wrong_typed_bucket_values_are_read_as_unknown_never_a_crash(tmp_path, capsys, where,
                                                                      value, finding):
    data = copy.deepcopy(program_graph("s3_violations"))
    bucket = next(r for r in data["resources"] if r["name"] == "profiles-abroad")
    bucket["inputs"][where] = value
    path = write(tmp_path, data)
    assert load_graph(path).by_urn(bucket["urn"]).inputs[where] == UNKNOWN  # type: ignore[union-attr]
    out = tmp_path / "report.json"
    code = main(["check", "--catalog", str(POLICIES / "catalog.yaml"), "--graph", str(path),
                 "--format", "json", "-o", str(out)])
    assert code == 1 and "Traceback" not in capsys.readouterr().err
    unknown = {(f["rule"], f["resource"]["name"]) for f in json.loads(out.read_text())["findings"]
               if f.get("unknown") and f.get("resource")}
    if finding:  # the rule that reads it cannot tell, and says so
        assert (finding, "profiles-abroad") in unknown


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", 5, "resources[0].name: expected a string, found int"),
    ("inputs", [1], "resources[0].inputs: expected an object, found list"),
    ("dependencies", "urn:x", "resources[0].dependencies: expected a list, found str"),
    ("dependencies", [1], "resources[0].dependencies: expected a list of URNs"),
    ("custom", "yes", "resources[0].custom: expected true or false, found str"),
])
def test_a_graph_file_of_the_wrong_shape_exits_2(tmp_path, field, value, message):
    data = {"format": "guardian.graph/v1", "resources": [
        {"urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", "type": "aws:s3/bucket:Bucket",
         "name": "b", field: value}]}
    with pytest.raises(UserError, match=re.escape(f"graph.json: {message}")):
        load_graph(write(tmp_path, data))


def test_duplicate_urns_exit_2_in_every_reader(tmp_path):
    data = program_graph("s3_violations")
    twice = {**data, "resources": [*data["resources"], data["resources"][3]]}
    n = len(data["resources"])
    with pytest.raises(UserError, match=rf"resources\[{n}\]: URN .* appears twice \(first at "
                                        r"resources\[3\]\)"):
        load_graph(write(tmp_path, twice))

    export = json.loads((PULUMI_CLI / "sample-export.json").read_text())
    entries = export["deployment"]["resources"]
    entries.append(copy.deepcopy(entries[1]))
    with pytest.raises(UserError, match=r"deployment.resources\[\d+\]: URN .* appears twice"):
        read_source("state", write(tmp_path, export, "export.json"))
    entries[-1]["delete"] = True  # the old copy of a replaced resource: fine
    assert len(read_source("state", write(tmp_path, export, "export.json"))) == len(entries) - 1

    preview = json.loads((PULUMI_CLI / "sample-preview-creates.json").read_text())
    preview["steps"].append(copy.deepcopy(preview["steps"][1]))
    with pytest.raises(UserError, match=r"steps\[\d+\]: URN .* appears twice"):
        read_source("preview", write(tmp_path, preview, "preview.json"))


def test_a_replacement_s_steps_are_one_resource(tmp_path):
    preview = json.loads((PULUMI_CLI / "sample-preview-creates.json").read_text())
    step = preview["steps"][1]
    replaced = [{**copy.deepcopy(step), "op": op}
                for op in ("create-replacement", "replace", "delete-replaced")]
    preview["steps"][1:2] = replaced
    graph = read_source("preview", write(tmp_path, preview, "preview.json"))
    assert [r.urn for r in graph].count(step["urn"]) == 1


@pytest.mark.parametrize("flag", ["false", "true", 0, 1, None, [], {}])
def test_a_malformed_delete_flag_exits_2(tmp_path, flag):
    export = json.loads((PULUMI_CLI / "sample-export.json").read_text())
    export["deployment"]["resources"][1]["delete"] = flag
    path = write(tmp_path, export, "export.json")
    if flag is None:
        assert len(read_source("state", path)) == len(export["deployment"]["resources"])
        return
    with pytest.raises(UserError, match=r"deployment.resources\[1\].delete: expected true or "
                                        "false, found"):
        read_source("state", path)


# --- no rule crashes on any wrongly typed value ------------------------------------------

JUNK = st.one_of(st.integers(-5, 2**70), st.text(max_size=5), st.booleans(), st.none(),
                 st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@cache
def _catalog():  # type: ignore[no-untyped-def]
    return load_catalog(POLICIES / "catalog.yaml")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for part in path[:-1]:
        value = value[part]
    value[path[-1]] = new


@pytest.mark.parametrize("program", ["s3_violations", "stores_violations", "tables_and_roles"])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_rule_crashes_on_wrongly_typed_values(tmp_path, program, data):
    graph = copy.deepcopy(program_graph(program))
    resources = [r for r in graph["resources"] if r["type"].startswith("aws:")]
    for _ in range(data.draw(st.integers(1, 8))):
        r = data.draw(st.sampled_from(resources))
        side = data.draw(st.sampled_from(["inputs", "outputs"]))
        paths = _paths(r[side])
        if paths:
            _set(r[side], data.draw(st.sampled_from(paths)), data.draw(JUNK))
    read = load_graph(write(tmp_path, graph))
    report = evaluate(_catalog(), read, today=date(2026, 6, 1))
    assert isinstance(report.results, tuple)
    assert isinstance(read, ResourceGraph)
