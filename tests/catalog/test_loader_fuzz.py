"""Whatever the input, the loader returns a Catalog or located problems; it never raises."""

from __future__ import annotations

import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardian.catalog.loader import check_catalog
from guardian.catalog.model import Catalog
from tests.conftest import EXAMPLE_CATALOG

EXAMPLE = EXAMPLE_CATALOG.read_text()
LINES = EXAMPLE.splitlines(keepends=True)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates().map(str),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def load_text(text: str | bytes) -> tuple[Catalog | None, list]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "catalog.yaml")
        with open(path, "wb") as f:
            f.write(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        return check_catalog(path)


def assert_located(result: tuple[Catalog | None, list]) -> None:
    catalog, problems = result
    errors = [p for p in problems if p.severity == "error"]
    assert (catalog is None) == bool(errors)
    for p in problems:
        assert p.location.line >= 1 and p.message


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(data):
    assert_located(load_text(data))


@FUZZ
@given(yaml_values)
def test_random_documents(value):
    import json

    assert_located(load_text(json.dumps(value)))  # JSON is YAML


@FUZZ
@given(
    st.integers(0, len(LINES) - 1),
    st.integers(0, len(LINES) - 1),
    st.sampled_from(["drop", "dup", "swap", "indent", "garble"]),
)
def test_mutations_of_the_example(i, j, op):
    lines = list(LINES)
    if op == "drop":
        del lines[i]
    elif op == "dup":
        lines.insert(j, lines[i])
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent":
        lines[i] = "  " + lines[i]
    else:
        lines[i] = lines[i][: len(lines[i]) // 2] + ": [{" + lines[i][len(lines[i]) // 2 :]
    assert_located(load_text("".join(lines)))


@FUZZ
@given(
    st.sampled_from([line for line in LINES if ":" in line and not line.lstrip().startswith("#")]), yaml_values
)
def test_example_with_a_value_replaced(line, value):
    import json

    key = line.split(":", 1)[0]
    text = EXAMPLE.replace(line, f"{key}: {json.dumps(value)}\n", 1)
    assert_located(load_text(text))
