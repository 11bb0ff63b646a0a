"""The bundle (determinism, tampering, no secrets), the CLI end to end, and the HTML report in
a real browser."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.evidence import bundle
from tests.conftest import EXAMPLE_CATALOG
from tests.evidence.conftest import RULES, example_graph

T1 = datetime(2026, 1, 2, tzinfo=UTC)
T2 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
OSCAL = {f"oscal/{name}" for name in ("profile.json", "component-definition.json",
                                      "system-security-plan.json", "assessment-plan.json",
                                      "assessment-results.json")}
TIMED = {"manifest.json", "report.html", *OSCAL}


@pytest.fixture(scope="module")
def files(example_catalog, report):
    return bundle.build(example_catalog, example_graph(), report, RULES, time=T1, commit=None)


def test_same_inputs_same_bytes_time_aside(example_catalog, report, files):
    again = bundle.build(example_catalog, example_graph(), report, RULES, time=T1, commit=None)
    assert again == files
    later = bundle.build(example_catalog, example_graph(), report, RULES, time=T2, commit=None)
    assert {p for p in files if files[p] != later[p]} == TIMED
    assert bundle.zip_bytes(sorted(files.items())) == bundle.zip_bytes(sorted(again.items()))


def test_manifest_lists_every_file(files):
    manifest = json.loads(files["manifest.json"])
    assert set(manifest["files"]) == set(files) - {"manifest.json"}
    assert manifest["tool"]["name"] == "guardian" and manifest["created"] == T1.isoformat()
    assert manifest["git_commit"] is None and manifest["git_dirty"] is None
    assert sorted(files) == sorted([
        "catalog.json", "check/results.json", "check/results.sarif", "datamap.json",
        "datamap.mmd", "fides.yml", "manifest.json", "notice.html", "notice.md", *OSCAL,
        "report.html", "ropa.csv", "ropa.xlsx"])
    assert bundle.verify(files) == []


def test_contents_are_the_exports(files, example_catalog):
    catalog = json.loads(files["catalog.json"])
    assert [d["id"] for d in catalog["datasets"]] == [d.id for d in example_catalog.datasets]
    assert catalog["datasets"][0]["retention"] == {"days": 1095, "basis": "Three years after "
                                                   "the last purchase (limitation period)",
                                                   "legal_hold": False}
    results = json.loads(files["check/results.json"])
    assert "GRD-TLS-001" in json.dumps(results)
    sarif = json.loads(files["check/results.sarif"])
    assert sarif["version"] == "2.1.0"
    assert b"flowchart LR" in files["datamap.mmd"]


def test_no_secret_or_resource_props_leak(files):
    for path, data in files.items():
        if path.endswith(".xlsx"):
            with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
                data = b"".join(zf.read(n) for n in zf.namelist())
        for needle in (b"[secret]", b"masterPassword", b"legacy-db", b"kmsMasterKeyId"):
            assert needle not in data, (path, needle)


@pytest.mark.parametrize("tamper, problem", [
    (lambda d: d.__setitem__("ropa.csv", d["ropa.csv"][:-1] + b"X"), "modified: ropa.csv"),
    (lambda d: d.pop("notice.md"), "removed: notice.md"),
    (lambda d: d.__setitem__("extra.txt", b"hi"), "added: extra.txt"),
    (lambda d: d.__setitem__("manifest.json", b"{}"),
     "modified: manifest.json (not a guardian.evidence/v1 manifest)"),
])
def test_verify_names_what_changed(files, tamper, problem):
    copy = dict(files)
    tamper(copy)
    assert bundle.verify(copy) == [problem]


def test_cli_verify_of_something_that_is_no_bundle_is_exit_2(written, tmp_path, capsys):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "ropa.csv").write_text("a,b\n")
    stripped = tmp_path / "stripped"
    shutil.copytree(written / "b", stripped)
    (stripped / "manifest.json").unlink()
    other_zip = tmp_path / "other.zip"
    other_zip.write_bytes(bundle.zip_bytes([("readme.txt", b"hello")]))
    for target in (plain, stripped, other_zip):
        assert main(["evidence", "verify", str(target)]) == 2
        err = capsys.readouterr().err
        assert f"{target}: not an evidence bundle (no manifest.json)" in err, err
        assert "removed:" not in err


def _graph_file(tmp_path: Path) -> Path:
    path = tmp_path / "graph.json"
    path.write_text(example_graph().dumps())
    return path


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bundle")
    graph = _graph_file(tmp)
    argv = ["--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph)]
    # written, and exit 1: the example deployment's deliberate gaps block
    assert main(["export", "bundle", *argv, "-o", str(tmp / "b")]) == 1
    assert main(["export", "bundle", *argv, "-o", str(tmp / "b.zip")]) == 1
    return tmp


def test_cli_bundle_verifies_then_rejects_tampering(written, tmp_path, capsys):
    for target in ("b", "b.zip"):
        assert main(["evidence", "verify", str(written / target)]) == 0
    d = tmp_path / "b"
    shutil.copytree(written / "b", d)
    xlsx = d / "ropa.xlsx"
    data = bytearray(xlsx.read_bytes())
    data[100] ^= 1
    xlsx.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["evidence", "verify", str(d)]) == 1
    assert f"{d}: modified: ropa.xlsx" in capsys.readouterr().err
    (d / "check" / "results.sarif").unlink()
    (d / "oscal" / "new.json").write_text("{}")
    assert main(["evidence", "verify", str(d)]) == 1
    err = capsys.readouterr().err
    assert "removed: check/results.sarif" in err and "added: oscal/new.json" in err


def test_cli_zip_is_sorted_with_fixed_dates_and_tamper_detected(written, tmp_path, capsys):
    with zipfile.ZipFile(written / "b.zip") as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        entries = {i.filename: zf.read(i) for i in infos}
    entries["notice.html"] = entries["notice.html"].replace(b"Acme", b"Acne", 1)
    forged = tmp_path / "forged.zip"
    forged.write_bytes(bundle.zip_bytes(sorted(entries.items())))
    capsys.readouterr()
    assert main(["evidence", "verify", str(forged)]) == 1
    assert "modified: notice.html" in capsys.readouterr().err


def test_cli_bundle_is_reproducible(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    graph = _graph_file(tmp_path)
    argv = ["export", "bundle", "--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph)]
    assert main([*argv, "--no-fail", "-o", str(tmp_path / "1.zip")]) == 0
    assert main([*argv, "--no-fail", "-o", str(tmp_path / "2.zip")]) == 0
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def test_manifest_says_whether_the_catalog_repository_was_dirty(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    repo = tmp_path / "repo"
    repo.mkdir()
    catalog = repo / "catalog.yaml"
    shutil.copy(EXAMPLE_CATALOG, catalog)
    _git(repo, "init", "-q")
    _git(repo, "add", "catalog.yaml")
    _git(repo, "commit", "-q", "-m", "catalog")
    head = _git(repo, "rev-parse", "HEAD")
    graph = _graph_file(tmp_path)

    def manifest(out: Path) -> dict:
        assert main(["export", "bundle", "--catalog", str(catalog), "--graph", str(graph),
                     "--no-fail", "-o", str(out)]) == 0
        return json.loads((out / "manifest.json").read_text())

    clean = manifest(repo / "evidence")  # the bundle itself, inside the repository, not counted
    assert (clean["git_commit"], clean["git_dirty"]) == (head, False)
    again = manifest(repo / "evidence")
    assert (again["git_commit"], again["git_dirty"]) == (head, False)

    catalog.write_text(catalog.read_text().replace("Acme", "Acme Ltd", 1))  # not committed
    dirty = manifest(tmp_path / "out")
    assert (dirty["git_commit"], dirty["git_dirty"]) == (head, True)

    _git(repo, "commit", "-q", "-am", "renamed")
    (repo / "notes.txt").write_text("untracked")
    untracked = manifest(tmp_path / "out2")
    assert untracked["git_dirty"] is True and untracked["git_commit"] != head

    outside = tmp_path / "plain"
    outside.mkdir()
    shutil.copy(EXAMPLE_CATALOG, outside / "catalog.yaml")
    assert bundle.git_state(outside) == (None, None)


def test_cli_bad_input_exits_2(tmp_path, capsys):
    assert main(["evidence", "verify", str(tmp_path / "missing")]) == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    graph = _graph_file(tmp_path)
    assert main(["export", "bundle", "--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph),
                 "-o", str(tmp_path / "full")]) == 2
    assert "not empty" in capsys.readouterr().err


def test_cli_single_exports(tmp_path, capsys):
    graph = _graph_file(tmp_path)
    src = ["--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph)]
    assert main(["export", "ropa", *src, "--format", "xlsx", "-o", str(tmp_path / "r.xlsx")]) == 0
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    capsys.readouterr()
    assert main(["export", "datamap", *src, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "guardian.datamap/v1"
    assert main(["export", "notice", "--catalog", str(EXAMPLE_CATALOG), "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    assert main(["export", "oscal", *src, "--model", "assessment-results", "--no-fail"]) == 0
    assert '"assessment-results"' in capsys.readouterr().out
    assert main(["export", "fides", "--catalog", str(EXAMPLE_CATALOG)]) == 0
    assert "fides_key: customer_profiles" in capsys.readouterr().out


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install "
                    "chromium); the HTML report cannot be loaded in a browser here")
def test_html_report_renders_in_chromium(written, tmp_path):
    page = written / "b" / "report.html"
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert "Privacy compliance report: Acme Retail Europe Ltd" in dom
    for section in ("Summary", "Findings by dataset and control", "Data map",
                    "Retention and residency at a glance"):
        assert f"<h2>{section}</h2>" in dom
    assert "Postbox Mail Inc." in dom and "<svg" in dom
    assert "acme-pharmacy-prescriptions" in dom
    shot = tmp_path / "report.png"
    subprocess.run([*flags, "--window-size=1400,2400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=60, check=True)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000  # a page, not a blank


def test_html_report_escapes_and_summarises(example_catalog, report):
    from dataclasses import replace

    from guardian.catalog.model import Organization
    from guardian.report.html import render_html

    cat = replace(example_catalog, organization=Organization("<img src=x onerror=1>", "a@b.c"))
    page = render_html(cat, example_graph(), report, time=T1)
    assert "<img" not in page and "&lt;img src=x onerror=1&gt;" in page
    assert "BLOCKED: 2 blocking finding(s)" in page
    assert page.count("<tr><td>GRD-") == 3
    assert '<td class="num high">1</td>' in page  # pharmacy x encryption-in-transit
