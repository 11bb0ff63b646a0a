"""Hostile catalogs: files that are no files, includes that leave the tree or loop, strings that
print alike or that no export can write. Each is a located error (exit 2), never a hang, a
traceback or a silent second dataset."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from guardian.catalog.loader import check_catalog
from guardian.cli import main
from tests.conftest import EXAMPLE_CATALOG

EXAMPLE = EXAMPLE_CATALOG.read_text()
FRAGMENT = EXAMPLE[EXAMPLE.index("  - id: support_tickets"): EXAMPLE.index("waivers: []")]


def errors(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(path.parent)
    _, problems = check_catalog(path.name)
    return [str(p) for p in problems if p.severity == "error"]


def root_including(tmp_path: Path, *patterns: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(EXAMPLE.replace("waivers: []\n", f"include: {list(patterns)}\nwaivers: []\n"))
    return path


def fragment(tmp_path: Path, name: str, dataset: str, include: tuple[str, ...] = ()) -> None:
    text = FRAGMENT.replace("support_tickets", dataset).replace(
        "acme-support-tickets", f"acme-{dataset.replace('_', '-')}")
    head = f"include: {list(include)}\n" if include else ""
    (tmp_path / name).write_text(head + "datasets:\n" + text)


def test_a_fifo_catalog_is_refused_at_once(tmp_path, monkeypatch, capsys):
    fifo = tmp_path / "catalog.yaml"
    os.mkfifo(fifo)
    assert errors(fifo, monkeypatch) == [
        "catalog.yaml:1:1: is a FIFO, not a regular file (expected a YAML catalog file)"]
    assert main(["validate", str(fifo)]) == 2


def test_a_fifo_include_is_refused_at_once(tmp_path, monkeypatch):
    os.mkfifo(tmp_path / "more.yaml")
    assert errors(root_including(tmp_path, "more.yaml"), monkeypatch) == [
        "more.yaml:1:1: is a FIFO, not a regular file (expected a YAML catalog file)"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_no_catalog(device, capsys):
    assert main(["validate", device]) == 2
    err = capsys.readouterr().err
    assert f"{device}:1:1: is a character device, not a regular file" in err
    assert "Traceback" not in err


def test_a_directory_is_no_catalog(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    assert errors(tmp_path / "sub", monkeypatch) == [
        "sub:1:1: is a directory, not a regular file (expected a YAML catalog file)"]


@pytest.mark.parametrize("include", ["[5]", "null", "[null]", "5", "[[a]]", "{a: 1}"])
def test_include_of_the_wrong_type_is_a_schema_error(tmp_path, monkeypatch, include):
    path = tmp_path / "catalog.yaml"
    path.write_text(EXAMPLE.replace("waivers: []\n", f"include: {include}\nwaivers: []\n"))
    found = errors(path, monkeypatch)
    assert found and all(": include" in e and "expected" in e for e in found), found


@pytest.mark.parametrize("pattern", ["/etc/passwd", "../secret.env", "parts/../../secret.env",
                                     "../**"])
def test_includes_stay_inside_the_catalogs_tree_and_are_not_read(tmp_path, monkeypatch, pattern):
    (tmp_path / "secret.env").write_text("API_KEY=hunter2-do-not-print\n")
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "parts").mkdir()
    found = errors(root_including(tree, pattern), monkeypatch)
    assert len(found) == 1 and "leaves the catalog's directory" in found[0], found
    assert "hunter2" not in found[0] and "root:" not in found[0]


def test_a_link_out_of_the_tree_is_not_followed(tmp_path, monkeypatch):
    (tmp_path / "secret.env").write_text("API_KEY=hunter2-do-not-print\n")
    tree = tmp_path / "repo"
    tree.mkdir()
    (tree / "more.yaml").symlink_to(tmp_path / "secret.env")
    [found] = errors(root_including(tree, "more.yaml"), monkeypatch)
    assert "a link leading out of the catalog's directory" in found and "hunter2" not in found


def test_an_included_file_that_is_no_catalog_is_not_echoed(tmp_path, monkeypatch):
    (tmp_path / "secret.env").write_text("API_KEY=hunter2-do-not-print\nOTHER=x\n")
    [found] = errors(root_including(tmp_path, "secret.env"), monkeypatch)
    assert found == "secret.env:1:1: expected a mapping, found text"


def test_a_long_value_is_shortened_in_messages(tmp_path, monkeypatch):
    path = tmp_path / "catalog.yaml"
    path.write_text(EXAMPLE.replace("classification: restricted",
                                    f"classification: {'x' * 500}", 1))
    [found] = errors(path, monkeypatch)
    assert "(500 characters)" in found and "x" * 100 not in found


def test_a_diamond_reads_the_shared_fragment_once(tmp_path, monkeypatch):
    fragment(tmp_path, "left.yaml", "left_data", include=("shared.yaml",))
    fragment(tmp_path, "right.yaml", "right_data", include=("shared.yaml",))
    fragment(tmp_path, "shared.yaml", "shared_data")
    (tmp_path / "shared.yaml").write_text((tmp_path / "shared.yaml").read_text() + (
        "waivers:\n  - {rule: GRD-RET-001, resource: x, reason: r, approved_by: a, "
        "expires: 2030-01-01}\n"))
    monkeypatch.chdir(tmp_path)
    catalog, problems = check_catalog(str(root_including(tmp_path, "left.yaml", "right.yaml")))
    assert catalog is not None, problems
    assert len(catalog.files) == 4 and len(catalog.waivers) == 1
    assert [d.id for d in catalog.datasets].count("shared_data") == 1


def test_fragments_that_include_each_other_are_each_read_once(tmp_path, monkeypatch):
    names = [f"part{i}.yaml" for i in range(9)]
    for i, name in enumerate(names):
        fragment(tmp_path, name, f"data_{i}", include=tuple(n for n in names if n != name))
    done = threading.Event()
    result: list = []

    def run() -> None:
        result.append(check_catalog(str(root_including(tmp_path, "part*.yaml"))))
        done.set()

    monkeypatch.chdir(tmp_path)
    threading.Thread(target=run, daemon=True).start()
    assert done.wait(60), "nine fragments that include each other must not loop"
    catalog, problems = result[0]
    assert catalog is None  # each back-reference to a file on the chain is a cycle, located
    assert all("(a cycle)" in str(p) for p in problems if p.severity == "error")
    assert {p.location.file for p in problems} <= set(names)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("- id: support_tickets", '- id: "support_tickets\\n"',
     "datasets[6].id: 'support_tickets\\n' does not match"),
    ("role: support-desk", "role: sup\u00e9rviseur", "does not match"),
    ('aws_account: "210987654321"', 'aws_account: "\u0662\u0661\u0660987654321"',
     "does not match"),
    ("name: Customer profiles", 'name: "Customer\\x07 profiles"',
     "datasets[0].name: control character '\\x07' in text"),
    ("name: Customer profiles", 'name: "Customer\\nprofiles"',
     "datasets[0].name: control character '\\n' in text (line breaks only in"),
    ("name: Customer profiles", 'name: "Customer \\ud800 profiles"',
     "datasets[0].name: a lone surrogate"),
])
def test_strings_that_print_alike_or_cannot_be_written_are_errors(tmp_path, monkeypatch, old,
                                                                  new, message):
    path = tmp_path / "catalog.yaml"
    assert old in EXAMPLE
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8", errors="surrogatepass")
    found = errors(path, monkeypatch)
    assert len(found) == 1 and message in found[0], found


def test_line_breaks_in_descriptions_and_reasons_are_fine(tmp_path, monkeypatch):
    path = tmp_path / "catalog.yaml"
    path.write_text(EXAMPLE.replace(
        "description: Account holders' names and contact details for the online shop and "
        "loyalty card.",
        "description: |\n      Account holders' names\n      \tand contact details.\n"))
    assert errors(path, monkeypatch) == []


def test_waivers_on_unknown_resources_suggest_a_store_only_for_a_typo(tmp_path, monkeypatch):
    path = tmp_path / "catalog.yaml"
    path.write_text(EXAMPLE.replace("waivers: []\n", (
        "waivers:\n"
        "  - {rule: GRD-RET-001, resource: acme-customer-profile, reason: r, approved_by: a,"
        " expires: 2030-01-01}\n"
        "  - {rule: GRD-RET-001, resource: build-cache, reason: r, approved_by: a,"
        " expires: 2030-01-01}\n")))
    monkeypatch.chdir(tmp_path)
    catalog, problems = check_catalog("catalog.yaml")
    assert catalog is not None
    assert [p.message for p in problems] == [
        "'acme-customer-profile' is not a declared store; did you mean 'acme-customer-profiles'?"]
