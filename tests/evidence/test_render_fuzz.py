"""Exports never crash on a valid catalog: random text in every free-text field (names, owners,
descriptions, recipients, roles, opt-out channels, bases) goes through the loader and then
through every renderer the bundle holds (ROPA CSV and XLSX, notice, data map, OSCAL, Fides,
check results, HTML report) and the SVG data map."""

from __future__ import annotations

import copy
import io
import json
import tempfile
import zipfile
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from guardian.policies.rules import RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from guardian.catalog import load_catalog
from guardian.check import evaluate
from guardian.evidence import bundle, datamap
from tests.conftest import EXAMPLE_CATALOG
from tests.evidence.conftest import example_graph

# Any character a catalog accepts: no control character, no lone surrogate.
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40)
PROSE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="".join(
    chr(c) for c in (*range(0, 9), *range(11, 32), *range(127, 160)))), min_size=1, max_size=80)
# Role names as AWS allows them: ASCII letters, digits and + = , . @ _ -
ROLE = st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,64}", fullmatch=True)


@cache
def example() -> dict[str, Any]:
    return json.loads(json.dumps(YAML(typ="safe").load(EXAMPLE_CATALOG.read_text()),
                                 default=str))


def _fuzzed(draw: Any) -> dict[str, Any]:
    doc = copy.deepcopy(example())
    org = doc["organization"]
    org["name"], org["contact"] = draw(TEXT), draw(TEXT)
    org["dpo"]["name"] = draw(TEXT)
    for ds in doc["datasets"]:
        ds["name"], ds["owner"] = draw(TEXT), draw(TEXT)
        ds["description"] = draw(PROSE)
        ds["retention"]["basis"] = draw(PROSE)
        for use in ds["uses"]:
            if "opt_out" in use:
                use["opt_out"] = draw(TEXT)
        renamed = {a["role"]: draw(ROLE) for a in ds.get("access", ())}
        for a in ds.get("access", ()):
            a["role"] = renamed[a["role"]]
        for r in ds.get("recipients", ()):
            r["name"] = draw(TEXT)
    return doc


def _bundle(doc: dict[str, Any]) -> tuple[Any, Any, dict[str, bytes]]:
    """The catalog `doc` loaded, the example graph, and the evidence bundle built from them."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "catalog.yaml")
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        catalog = load_catalog(path)  # valid by construction: a failure here is a loader bug
    graph = example_graph()
    report = evaluate(catalog, graph, today=date(2026, 6, 1))
    return catalog, graph, bundle.build(catalog, graph, report, RULES,
                                        time=datetime(2026, 6, 1, tzinfo=UTC), commit=None)


@pytest.mark.parametrize("text", ["\xa0Acme", "Acme\u2003", " Acme ", "\xa0"])
def test_names_edged_or_made_of_unicode_spaces_still_export(text):
    """OSCAL names refuse edge whitespace, which a quoted catalog name (or a no-break space)
    keeps: the exports must still be built, with OSCAL's names trimmed."""
    doc = _fuzzed(lambda strategy: "role1" if strategy is ROLE else text)
    _, _, files = _bundle(doc)
    assert bundle.verify(files) == []
    ssp = json.loads(files["oscal/system-security-plan.json"])["system-security-plan"]
    name = ssp["system-characteristics"]["system-name"]
    assert name == name.strip() and name.endswith("personal data platform")


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_renderer_takes_any_valid_catalog(data):
    doc = _fuzzed(data.draw)
    catalog, graph, files = _bundle(doc)
    assert bundle.verify(files) == []
    with zipfile.ZipFile(io.BytesIO(files["ropa.xlsx"])) as xlsx:
        assert xlsx.testzip() is None
    fides = YAML(typ="safe").load(files["fides.yml"])
    systems = fides["system"]
    recipients = {r["name"] for ds in doc["datasets"] for r in ds.get("recipients", ())}
    assert {s["name"] for s in systems if s["system_type"] == "Third Party"} == recipients
    assert len({s["fides_key"] for s in systems}) == len(systems)  # none merged, none lost
    assert datamap.to_svg(datamap.build(catalog, graph)).startswith("<svg")
