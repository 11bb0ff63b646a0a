"""The fast YAML path (libyaml) gives exactly ruamel's values, positions and errors, or steps
aside for ruamel; the catalogs people write take the fast path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bench.synth import catalog_yaml
from guardian.catalog import parse as parse_module
from guardian.catalog.parse import ParseError, fast_parse, parse, ruamel_parse
from tests.catalog.test_loader_fuzz import LINES, yaml_values
from tests.conftest import EXAMPLE_CATALOG, ROOT

MANY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(fn, text):
    try:
        return fn(text, "c.yaml")
    except ParseError as exc:
        return ("error", exc.loc, str(exc))


def assert_same_or_declined(text):
    fast = outcome(fast_parse, text)
    if fast is None:
        return  # declined: ruamel parses it
    reference = outcome(ruamel_parse, text)
    if isinstance(reference, tuple) and "overlap in comment" in reference[2]:
        # ruamel's own bug: a comment after `key:` with the value on the next line, then a
        # blank line. The YAML is valid; libyaml reads it.
        return
    assert fast == reference


CATALOGS = [
    EXAMPLE_CATALOG,
    ROOT / "tests" / "policies" / "catalog.yaml",
    ROOT / "tests" / "modules" / "extra_datasets.yaml",
]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_real_catalogs_take_the_fast_path_and_match_ruamel(path: Path):
    text = path.read_text(encoding="utf-8")
    fast = fast_parse(text, "c.yaml")
    assert fast is not None
    assert fast == ruamel_parse(text, "c.yaml")


def test_a_generated_catalog_takes_the_fast_path_and_matches_ruamel():
    text = catalog_yaml(40)
    fast = fast_parse(text, "c.yaml")
    assert fast is not None and len(fast.value["datasets"]) == 40
    assert fast == ruamel_parse(text, "c.yaml")
    line = text.splitlines().index("    retention: {days: 69}") + 1
    assert fast.at(("datasets", 39, "retention", "days")) == parse_module.Location(
        "c.yaml", line, 23)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key: ruamel's error
        "base: &b {x: 1}\nother:\n  <<: *b\n",  # merge key
        "a:\tb\n",  # tab
        "%YAML 1.1\n---\na: yes\n",  # directive
        "a:\nb: 1\n",  # empty value: ruamel puts it at the next token
        "a: 0x1F\n",  # hexadecimal
        "a: 1_000\n",
        "a: 1e3\n",
        "a: .inf\n",
        "a: !custom x\n",
        "1: one\n",  # non-string key
        "? [a]\n: b\n",
        "a: !!binary aGk=\n",
        "a: 2024-02-30\n",  # not a date: ruamel's error
        "a: &anchor.x 1\n",  # an anchor name libyaml reads differently
        "a: >#\n  x\n",
        "just text\n",
    ],
)
def test_what_the_fast_path_leaves_to_ruamel(text):
    assert fast_parse(text, "c.yaml") is None
    assert outcome(parse, text) == outcome(ruamel_parse, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: 017\nb: -5\nc: 1.50\nd: true\ne: False\nf: ~\ng: null\nh: 2024-02-29\n",
         {"a": 17, "b": -5, "c": 1.5, "d": True, "e": False, "f": None, "g": None,
          "h": "2024-02-29"}),
        # YAML 1.2, as ruamel reads it: these are strings, not booleans or sexagesimals
        ("a: yes\nb: off\nc: 1:20\nd: 0o17x\n", {"a": "yes", "b": "off", "c": "1:20",
                                                 "d": "0o17x"}),
        ("a: 'x'\nb: \"y\\tz\"\nc: |\n  one\n  two\nd: >-\n  folded\n  line\n",
         {"a": "x", "b": "y\tz", "c": "one\ntwo\n", "d": "folded line"}),
        ("a: &x [1, 2]\nb: *x\n", {"a": [1, 2], "b": [1, 2]}),
    ],
)
def test_values_by_yaml_1_2(text, value):
    fast = fast_parse(text, "c.yaml")
    assert fast is not None and fast.value == value
    assert fast == ruamel_parse(text, "c.yaml")


def test_alias_guards_are_the_same_on_both_paths():
    recursive = "&a\nx: *a\n"
    assert outcome(fast_parse, recursive) == outcome(ruamel_parse, recursive) == (
        "error", parse_module.Location("c.yaml", 1, 1),
        "the document refers to itself through an alias")
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)
    ]
    bomb = "\n".join(lines) + "\n"
    parse_module.MAX_NODES, saved = 10_000, parse_module.MAX_NODES
    try:
        fast, reference = outcome(fast_parse, bomb), outcome(ruamel_parse, bomb)
    finally:
        parse_module.MAX_NODES = saved
    assert fast == reference and "expands to more than 10000" in fast[2]


def test_without_the_c_binding_ruamel_parses(monkeypatch):
    monkeypatch.setattr(parse_module, "_LOADER", [None])
    text = EXAMPLE_CATALOG.read_text(encoding="utf-8")
    assert fast_parse(text, "c.yaml") is None
    assert parse(text, "c.yaml") == ruamel_parse(text, "c.yaml")


YAMLISH = st.lists(
    st.sampled_from(list(" \n-:[]{},#&*!|>'\"?abc01.%@`~\\")
                    + ["  ", "\n  ", "- ", ": ", "&a ", "*a", "!!str ", "true", "null", "1.5",
                       "2024-01-02", "é", "漢"]),
    max_size=30,
).map("".join)
PIECES = ["key: value", "- item", "- key: v", "key: |", "text here", "key: >-", "# comment",
          "key: 'q''s'", 'key: "d\\n\\u00e9"', "key: [a, b]", "key: {a: 1, b: [x]}", "---",
          "...", "? k", ": v", "k2: 12", "k3: 1.50", "k4: 2024-02-29", "k5: true", "k6: ~",
          "k7: &x {a: 1}", "k8: *x", "- &y [1, 2]", "- *y", "k: a # c", "kk: 'multi",
          "  line'", "- - nested", "k: |+", "k: >2", "ke y: v a l", "k: a: b", "k: -",
          "'quoted key': v", '"dq key": v', "k: [a,", "b]", "k: {", "a: 1}", "k: 007"]
BLOCKY = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(PIECES)), min_size=1, max_size=8
).map(lambda lines: "\n".join("  " * depth + piece for depth, piece in lines) + "\n")


@MANY
@given(st.one_of(YAMLISH, BLOCKY))
@example("- a\n- b: [1, {c: d}]\n")
@example("key: value\n...\n...\n")  # libyaml takes two end markers, ruamel refuses them
def test_any_text_the_fast_path_reads_it_reads_like_ruamel(text):
    assert_same_or_declined(text)


@MANY
@given(yaml_values)
def test_json_documents_read_like_ruamel(value):
    assert_same_or_declined(json.dumps(value, indent=1))


@settings(MANY, max_examples=60)
@given(st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1),
       st.sampled_from(["drop", "dup", "swap", "indent", "garble"]))
def test_mutated_example_reads_like_ruamel(i, j, op):
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
        lines[i] = lines[i][: len(lines[i]) // 2] + ": [{" + lines[i][len(lines[i]) // 2:]
    assert_same_or_declined("".join(lines))
