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


def test_the_command_flushes_runs_exit_handlers_and_keeps_its_exit_code(tmp_path):
    """`guardian` leaves with os._exit (no interpreter teardown): nothing written is lost."""
    import json
    import subprocess
    import sys

    def command(*args: str) -> subprocess.CompletedProcess:
        code = ("import atexit, sys\n"
                "atexit.register(lambda: print('exit handlers ran', file=sys.stderr))\n"
                "from guardian.cli import run\n"
                f"sys.argv = ['guardian', *{list(args)!r}]\n"
                "run()\n")
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=ROOT, timeout=120, check=False)

    listed = command("rules", "--format", "json")  # stdout is a pipe: block-buffered
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) >= 39
    assert listed.stderr == "exit handlers ran\n"

    broken = tmp_path / "catalog.yaml"
    broken.write_text("version: [1\n")
    refused = command("validate", str(broken))
    assert refused.returncode == 2
    assert "malformed YAML" in refused.stderr and "exit handlers ran" in refused.stderr

    report = tmp_path / "report.json"
    gated = command("check", "--program", "tests/policies/programs/s3_violations",
                    "--catalog", "tests/policies/catalog.yaml", "--format", "json",
                    "-o", str(report))
    assert gated.returncode == 1
    assert json.loads(report.read_text())["summary"]["blocking"] > 0
