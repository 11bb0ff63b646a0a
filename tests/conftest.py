"""Shared test helpers: where the repository and the example catalog are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests draw the same examples on every run (derived from each test), so the suite
# gives the same verdict each time and a failure reproduces; HYPOTHESIS_PROFILE=explore draws
# new ones (run it when changing a parser or a renderer, and add what it finds as @example).
# Neither profile times anything: an example over Hypothesis's 200 ms deadline, or generation
# it finds too slow, fails a test on a loaded machine only, so both are off everywhere (a test
# that lists its own health checks to suppress must list too_slow again).
UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("repeatable", derandomize=True, database=None, **UNTIMED)
settings.register_profile("explore", database=None, **UNTIMED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Tests never read or fill the user's synthesis cache; the cache's own tests name a directory.
os.environ["GUARDIAN_CACHE"] = "off"
# Nor take a link to the rules page from the machine they run on: in GitHub Actions (or with
# GUARDIAN_DOCS_URL set) every report would carry one, and the tests that say "no docs URL
# here" failed there only. A test that wants one sets these itself. Done at import, before
# collection: the CrossGuard policies read it when their module is imported.
for _name in ("GUARDIAN_DOCS_URL", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA",
              "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CATALOG = ROOT / "catalog.yaml"
# Files nobody here wrote (real Pulumi CLI output, the official SARIF schema), with licenses.
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _working_directory_restored():  # type: ignore[no-untyped-def]
    """Every test leaves the process's working directory as it found it (monkeypatch.chdir
    restores it); one that does not fails, naming where it left it."""
    before = os.getcwd()
    yield
    after = os.getcwd()
    if after != before:
        os.chdir(before)
        pytest.fail(f"the test left the working directory at {after}; use monkeypatch.chdir")


@pytest.fixture(scope="session")
def example_catalog():
    from guardian.catalog import load_catalog

    return load_catalog(EXAMPLE_CATALOG)


SARIF_SCHEMA = FIXTURES / "sarif" / "sarif-schema-2.1.0.json"
PULUMI_CLI = FIXTURES / "pulumi-cli"
