"""The CLI's own promises: usage errors exit 2, outputs are readable, the README lists the rules."""

from __future__ import annotations

import os
import stat

from guardian.check_cli import rules_table
from guardian.cli import main
from guardian.io import write_output
from tests.conftest import EXAMPLE_CATALOG, ROOT


def test_catalog_as_path_and_option_is_a_usage_error(capsys):
    assert main(["validate", str(EXAMPLE_CATALOG), "--catalog", "other.yaml"]) == 2
    assert "either as PATH or as --catalog" in capsys.readouterr().err


def test_outputs_are_written_with_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_output("x\n", tmp_path / "out" / "report.txt")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "out" / "report.txt").stat().st_mode)
    assert mode == 0o644
    assert (tmp_path / "out" / "report.txt").read_text() == "x\n"


def test_readme_lists_every_rule_as_guardian_rules_prints_it():
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    listed = readme[readme.index(start) + len(start):readme.index(end)]
    assert listed == rules_table("markdown"), "run: guardian rules --format markdown"


def test_rules_json_carries_the_metadata(capsys):
    assert main(["rules", "--format", "json"]) == 0
    import json

    rules = json.loads(capsys.readouterr().out)
    assert len({r["id"] for r in rules}) == len(rules) >= 39
    assert all(r["rationale"] and r["remediation"] and r["references"] for r in rules)


def test_help_and_validate_import_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from guardian.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['validate', {str(EXAMPLE_CATALOG)!r}]) == 0\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = {'pulumi', 'pulumi_aws', 'boto3', 'checkov', 'openpyxl', 'trestle'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
