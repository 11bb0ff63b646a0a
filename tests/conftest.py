"""Shared test helpers: where the repository and the example catalog are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CATALOG = ROOT / "catalog.yaml"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def example_catalog():
    from guardian.catalog import load_catalog

    return load_catalog(EXAMPLE_CATALOG)


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared fixtures travel beside the repository)")
    return path
