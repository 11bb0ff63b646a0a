"""Checking a graph file reads the project's settings (its rule selection in Pulumi.yaml) but
loads neither the synthesis engine nor Pulumi: a cold check of a graph pays for neither."""

from __future__ import annotations

import subprocess
import sys

import pytest

from guardian.errors import UserError
from guardian.graph.model import ResourceGraph, Source
from guardian.graph.pulumi_yaml import read_yaml
from tests.conftest import ROOT


def test_a_graph_check_loads_no_synthesis_engine(tmp_path):
    graph = tmp_path / "graph.json"
    graph.write_text(ResourceGraph([], Source("graph", "empty")).dumps())
    code = (
        "import sys\nfrom guardian.cli import main\n"
        f"code = main(['check', '--graph', {str(graph)!r}, '--catalog', 'catalog.yaml', "
        f"'--format', 'json', '-o', {str(tmp_path / 'out.json')!r}, '--fail-on', 'none'])\n"
        "print(code, [m for m in ('guardian.graph.program', 'pulumi') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120)
    assert out.stdout.split("\n")[-2] == "0 []"
    assert (tmp_path / "out.json").is_file()


def test_a_broken_pulumi_yaml_is_named_with_its_line(tmp_path):
    bad = tmp_path / "Pulumi.yaml"
    bad.write_text("name: x\nruntime: [python\n")
    with pytest.raises(UserError, match=r"Pulumi.yaml:\d+: not valid YAML"):
        read_yaml(bad)
    assert read_yaml(ROOT / "Pulumi.yaml")["runtime"]
