"""The synthesis cache returns the very graph a run would give, and only while nothing the run
read has changed; a broken or unwritable cache is never an error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.graph.cache import default_directory
from guardian.graph.program import synthesize

PROGRAM = """\
import json, os, pathlib
import pulumi, pulumi_aws as aws
import helper

here = pathlib.Path(__file__).parent
with open(here / "runs.log", "a") as log:  # appends are not reads: they never key the cache
    log.write("run\\n")
names = json.loads((here / "names.json").read_text())
extra = sorted(os.listdir(here / "extra"))
catalog = pulumi.Config("guardian").get("catalog")  # the platform stack reads it so
size = str(len(open(catalog).read())) if catalog else "none"
for name in names + extra:
    aws.s3.Bucket(name, bucket=name, tags={"suffix": helper.SUFFIX,
                                          "team": pulumi.Config().get("team") or "none",
                                          "catalog": size})
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "extra").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: app\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (root / "__main__.py").write_text(PROGRAM)
    (root / "helper.py").write_text("SUFFIX = 'one'\n")
    (root / "names.json").write_text('["alpha"]')
    return root


def runs(project: Path) -> int:
    log = project / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_a_hit_is_the_same_graph_without_running_the_program(project, tmp_path):
    cache = tmp_path / "cache"
    first = synthesize(project, cache=cache)
    second = synthesize(project, cache=cache)
    assert runs(project) == 1
    assert second.dumps() == first.dumps() == synthesize(project).dumps()
    assert second.source == first.source
    [entry] = cache.glob("*.json")
    files = json.loads(entry.read_text())["files"]
    assert str(project.resolve() / "helper.py") in files  # the program's own module
    assert any(f.endswith("guardian/graph/program.py") for f in files)  # Guardian's code


@pytest.mark.parametrize("change", [
    lambda p: (p / "helper.py").write_text("SUFFIX = 'two'\n"),  # a module it imports
    lambda p: (p / "names.json").write_text('["beta"]'),  # a file it reads
    lambda p: (p / "extra" / "gamma").write_text(""),  # a directory it lists
    lambda p: (p / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-2\n"),
    lambda p: (p / "__main__.py").write_text(PROGRAM + "\n# edited\n"),
])
def test_any_change_to_what_the_run_read_runs_it_again(project, tmp_path, change):
    cache = tmp_path / "cache"
    synthesize(project, cache=cache)
    change(project)
    after = synthesize(project, cache=cache)
    assert runs(project) == 2
    assert after.dumps() == synthesize(project).dumps()


def test_config_and_stack_are_part_of_the_key(project, tmp_path):
    cache = tmp_path / "cache"
    synthesize(project, cache=cache)
    teamed = synthesize(project, config={"team": "ledger"}, cache=cache)
    assert runs(project) == 2
    assert teamed.named("alpha")[0].inputs["tags"]["team"] == "ledger"
    synthesize(project, "prod", cache=cache)  # no Pulumi.prod.yaml: a warning, another key
    assert runs(project) == 3
    synthesize(project, config={"team": "ledger"}, cache=cache)
    assert runs(project) == 3


def test_a_broken_entry_is_a_miss_and_an_unwritable_cache_a_warning(project, tmp_path, capsys):
    cache = tmp_path / "cache"
    graph = synthesize(project, cache=cache)
    [entry] = cache.glob("*.json")
    entry.write_text("{not json")
    assert synthesize(project, cache=cache).dumps() == graph.dumps()
    assert runs(project) == 2
    entry.unlink()
    os.mkfifo(entry)  # read naively, this would wait for a writer forever
    assert synthesize(project, cache=cache).dumps() == graph.dumps()
    assert runs(project) == 3
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert synthesize(project, cache=blocked / "cache").dumps() == graph.dumps()
    assert "the synthesis cache in" in capsys.readouterr().err


def test_default_directory():
    assert default_directory({"HOME": "/h"}) == Path("/h/.cache/guardian")
    assert default_directory({"XDG_CACHE_HOME": "/x"}) == Path("/x/guardian")
    assert default_directory({"CI": "true", "XDG_CACHE_HOME": "/x"}) is None
    assert default_directory({"CI": "false", "XDG_CACHE_HOME": "/x"}) == Path("/x/guardian")
    assert default_directory({"GUARDIAN_CACHE": "off"}) is None
    assert default_directory({"GUARDIAN_CACHE": "/c", "CI": "1"}) == Path("/c")


def test_cli_check_with_and_without_the_cache(project, tmp_path, capsys):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text((Path(__file__).parents[2] / "catalog.yaml").read_text())
    args = ["check", "--program", str(project), "--catalog", str(catalog), "--format", "json"]
    cache = ["--cache", str(tmp_path / "cache")]
    assert main([*args, *cache]) in (0, 1)
    first = capsys.readouterr().out
    assert main([*args, *cache]) in (0, 1)
    assert capsys.readouterr().out == first
    assert runs(project) == 1
    catalog.write_text(catalog.read_text() + "\n# edited\n")  # the program saw it via config
    assert main([*args, *cache]) in (0, 1)
    assert runs(project) == 2
    assert main([*args, *cache, "--no-cache"]) in (0, 1)
    assert runs(project) == 3
