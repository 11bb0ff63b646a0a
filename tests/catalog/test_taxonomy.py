"""fideslang's taxonomy as kept beside guardian.catalog.taxonomy: the same terms as the
installed fideslang, read without importing it, and fideslang itself read when it is another
version than the one kept."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from guardian.catalog import taxonomy


def test_the_kept_taxonomy_is_the_installed_fideslangs():
    kept = json.loads(taxonomy.SNAPSHOT.read_text(encoding="utf-8"))
    assert kept == taxonomy.snapshot(), (
        "fideslang changed: refresh with python -c 'from guardian.catalog.taxonomy import "
        "write_snapshot; write_snapshot()' and review the diff")
    assert len(kept["terms"]["data_category"]) > 50 and kept["terms"]["data_subject"]


def test_terms_are_read_without_importing_fideslang():
    code = ("import sys\nfrom guardian.catalog import taxonomy\n"
            "print(taxonomy.label('data_category', 'user.contact.email'), "
            "'fideslang' in sys.modules, 'pydantic' in sys.modules, sep='|')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "User Contact Email|False|False"


@pytest.fixture
def fresh_taxonomy():
    taxonomy.terms.cache_clear()
    taxonomy._taxonomy.cache_clear()
    yield
    taxonomy.terms.cache_clear()
    taxonomy._taxonomy.cache_clear()


def test_another_fideslang_version_is_read_from_fideslang(tmp_path, monkeypatch,
                                                          fresh_taxonomy):
    stale = tmp_path / "taxonomy.json"
    stale.write_text(json.dumps({"fideslang": "0.0.1", "terms": {"data_category": [
        {"key": "user.made_up", "name": "Made up", "description": "", "deprecated": False,
         "replaced_by": None}], "data_use": [], "data_subject": []}}))
    monkeypatch.setattr(taxonomy, "SNAPSHOT", stale)
    categories = taxonomy.terms("data_category")
    assert "user.made_up" not in categories and "user.contact.email" in categories


def test_the_kept_version_is_what_is_read(tmp_path, monkeypatch, fresh_taxonomy):
    from importlib.metadata import version

    kept = tmp_path / "taxonomy.json"
    kept.write_text(json.dumps({"fideslang": version("fideslang"), "terms": {"data_category": [
        {"key": "user.made_up", "name": "Made up", "description": "", "deprecated": False,
         "replaced_by": None}], "data_use": [], "data_subject": []}}))
    monkeypatch.setattr(taxonomy, "SNAPSHOT", kept)
    assert list(taxonomy.terms("data_category")) == ["user.made_up"]
