"""The platform stack synthesized once per session: the example catalog and a variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardian.catalog import load_catalog
from guardian.catalog.model import Catalog
from guardian.graph.model import ResourceGraph
from guardian.graph.program import synthesize

ROOT = Path(__file__).resolve().parents[2]
EXTRA = Path(__file__).parent / "extra_datasets.yaml"


@pytest.fixture(scope="session")
def example() -> ResourceGraph:
    return synthesize(ROOT)


@pytest.fixture(scope="session")
def variant_catalog_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example catalog plus a public dataset and a confidential one homed in us-west-2."""
    text = (ROOT / "catalog.yaml").read_text(encoding="utf-8")
    head, _, _ = text.rpartition("waivers: []")
    path = tmp_path_factory.mktemp("variant") / "catalog.yaml"
    path.write_text(head.rstrip("\n") + "\n\n" + EXTRA.read_text(encoding="utf-8")
                    + "\nwaivers: []\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def variant_catalog(variant_catalog_path: Path) -> Catalog:
    return load_catalog(variant_catalog_path)


@pytest.fixture(scope="session")
def variant(variant_catalog_path: Path) -> ResourceGraph:
    return synthesize(ROOT, config={"guardian:catalog": str(variant_catalog_path)})
