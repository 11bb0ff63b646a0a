"""`--catalog` is the catalog the program sees: passed to it as `guardian:catalog`; a program
configured with another catalog than the one the check reads is an error naming both."""

from __future__ import annotations

import json
from pathlib import Path

from guardian.cli import main
from tests.conftest import EXAMPLE_CATALOG

PROGRAM = Path(__file__).parent / "programs" / "catalog_reader"
EXTRA = """
  - id: loyalty_scans
    name: Loyalty card scans
    owner: team-stores
    classification: restricted
    categories: [user.location]
    subjects: [customer]
    jurisdictions: [gdpr]
    residency: [eu]
    retention: {days: 30}
    uses:
      - {use: essential.service, legal_basis: contract}
    storage:
      - {kind: s3, name: acme-loyalty-scans}
"""


def _copy_with_a_new_dataset(tmp_path: Path) -> Path:
    text = EXAMPLE_CATALOG.read_text()
    copy = tmp_path / "copy.yaml"
    copy.write_text(text.replace("\ndatasets:\n", "\ndatasets:\n" + EXTRA.lstrip("\n"), 1))
    return copy


def _stores(report: Path) -> set[tuple[str, str]]:
    return {(f["resource"]["name"], f["dataset"]) for f in json.loads(report.read_text())[
        "findings"] if f["resource"] and f["dataset"]}


def test_the_catalog_named_on_the_command_line_is_the_one_the_program_reads(tmp_path, capsys):
    copy = _copy_with_a_new_dataset(tmp_path)
    out = tmp_path / "report.json"
    code = main(["check", "--program", str(PROGRAM), "--catalog", str(copy), "--format", "json",
                 "-o", str(out)])
    assert code == 1, capsys.readouterr().err
    # The program provisioned the new restricted dataset's bucket (bare: it fails its rules).
    assert ("acme-loyalty-scans", "loyalty_scans") in _stores(out)


def test_a_program_configured_with_another_catalog_is_an_error_naming_both(
        tmp_path, capsys, monkeypatch):
    copy = _copy_with_a_new_dataset(tmp_path)
    code = main(["check", "--program", str(PROGRAM), "--catalog", str(copy),
                 "--config", f"guardian:catalog={EXAMPLE_CATALOG}"])
    err = capsys.readouterr().err
    assert code == 2 and str(copy) in err and str(EXAMPLE_CATALOG) in err and "--config" in err
    # Without --catalog the check reads ./catalog.yaml, while the stack file names another.
    (tmp_path / "catalog.yaml").write_text(copy.read_text())
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--program", str(PROGRAM)]) == 2
    err = capsys.readouterr().err
    assert "../../../../catalog.yaml (guardian:catalog in Pulumi.dev.yaml)" in err
    assert "the check reads catalog.yaml" in err


def test_a_program_whose_stack_file_agrees_runs(tmp_path, capsys):
    out = tmp_path / "report.json"
    code = main(["check", "--program", str(PROGRAM), "--catalog", str(EXAMPLE_CATALOG),
                 "--format", "json", "-o", str(out)])
    assert code in (0, 1), capsys.readouterr().err
    assert ("acme-loyalty-scans", "loyalty_scans") not in _stores(out)
    assert ("acme-customer-profiles", "customer_profiles") in _stores(out)
