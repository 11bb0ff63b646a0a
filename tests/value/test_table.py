"""The value table: every figure has its source, every fideslang category has one group."""

from __future__ import annotations

import json
from importlib import resources

from guardian.policies.rules import RULES

from guardian.catalog import taxonomy
from guardian.value.at_risk import APPLIES
from guardian.value.table import parse_table, table

RAW = json.loads(resources.files("guardian.value").joinpath("record_costs.json").read_text())


def test_every_figure_names_its_source_and_every_gap_says_why():
    sources = RAW["sources"]
    for s in sources.values():
        assert s["title"] and s["publisher"] and s["url"].startswith("https://")
        assert 2015 <= s["year"] <= 2026 and s["short"].endswith(str(s["year"]))
    figures = [(g, g["usd"]) for g in RAW["groups"]]
    figures += [(f, f["factor"]) for f in RAW["multipliers"] + RAW["exposure"]]
    for entry, figure in figures:
        if figure is None:
            assert entry.get("why") and not entry.get("source"), entry["id"]
        else:
            assert entry["source"] in sources and entry["where"], entry["id"]
    for caveat in RAW["caveats"]:
        assert caveat["source"] in sources and caveat["where"]
    used = {e.get("source") for e, _ in figures} | {c["source"] for c in RAW["caveats"]}
    assert set(sources) <= used  # no source is listed for nothing


def test_figures_are_positive_and_ratios_of_two_published_amounts():
    t = table()
    assert all(g.usd is None or g.usd > 0 for g in t.groups)
    for f in (*t.multipliers, *t.exposure):
        assert f.ratio is None or (len(f.ratio) == 2 and min(f.ratio) > 0)
    weak = next(f for f in t.exposure if f.id == "weak_encryption")
    assert round(weak.value, 4) == round(4.87 / 3.62, 4)


def test_every_fideslang_category_about_a_person_falls_in_exactly_one_group():
    t = table()
    keys = {k for k, term in taxonomy.terms("data_category").items() if not term.deprecated}
    named = [k for g in t.groups for k in g.categories]
    assert len(named) == len(set(named))  # no key in two groups
    assert set(named) <= set(taxonomy.terms("data_category"))  # fideslang's keys, no typos
    for key in keys:
        group = t.group_of(key)
        assert (group is None) == (not taxonomy.covers("user", key)), key
    # the longest key decides
    assert t.group_of("user.authorization.biometric").id == "biometric"
    assert t.group_of("user.authorization.password").id == "credentials"
    assert t.group_of("user.demographic.religious_belief").id == "beliefs_origin"
    assert t.group_of("user.demographic.gender").id == "identity"
    assert t.group_of("user.biometric.health").id == "health"


def test_factors_name_real_rules_and_multipliers_know_when_they_apply():
    ids = {r.id for r in RULES}
    for f in table().exposure:
        assert f.rules and set(f.rules) <= ids, f.id
    assert {m.id for m in table().multipliers} == set(APPLIES)


def test_a_table_without_a_source_for_a_figure_is_caught():
    broken = json.loads(json.dumps(RAW))
    broken["groups"][0]["source"] = "ibm-2099"
    try:
        parse_table(broken)
    except KeyError as exc:
        assert "ibm-2099" in str(exc)
    else:
        raise AssertionError("a figure citing an unknown source loaded")
