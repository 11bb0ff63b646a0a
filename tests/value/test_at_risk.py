"""Value at risk on a catalog whose ranking is known by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from guardian.policies.rules import RULES

from guardian.catalog import load_catalog
from guardian.catalog.model import Waiver
from guardian.findings import Result
from guardian.value.at_risk import money, rank, value_at_risk
from guardian.value.table import Factor, table

RULE = {r.id: r for r in RULES}


def dataset(id_: str, categories: str, volume: str | None = None, jurisdictions: str = "[gdpr]",
            subjects: str = "[customer]") -> str:
    vol = f"    volume: {volume}\n" if volume is not None else ""
    return (f"  - id: {id_}\n    name: {id_}\n    owner: team\n    classification: restricted\n"
            f"    categories: {categories}\n    subjects: {subjects}\n{vol}"
            f"    jurisdictions: {jurisdictions}\n    residency: [eu]\n    retention: {{days: 30}}\n"
            "    uses:\n      - use: essential.service\n        legal_basis: contract\n")


def catalog(tmp_path, *datasets: str, costs: str = ""):
    org = "organization:\n  name: Org\n  contact: privacy@org.example\n" + costs
    path = tmp_path / "catalog.yaml"
    path.write_text("version: 1\n" + org + "datasets:\n" + "".join(datasets))
    return load_catalog(path)


# By hand: cards 2,000,000 x $210 = $420,000,000; profiles 850,000 x $180 = $153,000,000;
# patients 60,000 x $429 = $25,740,000; ids 1,000 x $300 (the catalog's) = $300,000;
# tiny 10 x $180 = $1,800; no_volume and priceless (location only, no cost) unsized, last, by id.
HAND = ["cards", "profiles", "patients", "ids", "tiny", "no_volume", "priceless"]


@pytest.fixture()
def hand(tmp_path):
    return catalog(
        tmp_path,
        dataset("tiny", "[user.contact.email]", "10"),
        dataset("priceless", "[user.location.precise]", "5M"),
        dataset("patients", "[user.health_and_medical, user.name]", "60000", "[hipaa]",
                "[patient]"),
        dataset("no_volume", "[user.financial.credit_card]"),
        dataset("profiles", "[user.name, user.contact.email]", "850000"),
        dataset("cards", "[user.financial.credit_card, user.contact.address]", "2M"),
        dataset("ids", "[user.government_id.passport_number]", "1000"),
        costs="  record_costs:\n    government_id: 300\n",
    )


def result(rule: str, dataset: str, *, severity: str | None = None, waived: bool = False) -> Result:
    r = RULE[rule]
    waiver = Waiver(rule, "x", "accepted", "ciso", date(2099, 1, 1)) if waived else None
    return Result(r.finding("finding", dataset=dataset), r, severity or r.severity,
                  blocking=not waived, waiver=waiver)


def test_ranking_is_the_one_computed_by_hand(hand):
    ranked = value_at_risk(hand)
    assert [v.dataset.id for v in ranked] == HAND
    assert [v.at_risk for v in ranked] == [420e6, 153e6, 25.74e6, 300_000, 1800, None, None]
    by = {v.dataset.id: v for v in ranked}
    assert by["cards"].explain() == (
        "2,000,000 people x $210/record (financial, IBM 2019) = $420,000,000")
    assert by["ids"].explain() == "1,000 people x $300/record (government_id, catalog) = $300,000"
    assert by["no_volume"].explain().startswith("unsized: no volume")
    assert by["priceless"].explain() == (
        "unsized: no cost per record for location (set organization.record_costs)")
    assert all(v.complete for v in ranked[:5]) and not any(v.complete for v in ranked[5:])


def test_open_findings_raise_the_value_at_risk_and_the_line_shows_by_how_much(hand):
    # tiny accepts plain HTTP: x 4.87/3.62 (IBM 2021, Figure 19); still below ids.
    ranked = value_at_risk(hand, [result("GRD-TLS-001", "tiny")])
    tiny = next(v for v in ranked if v.dataset.id == "tiny")
    assert tiny.value == 1800 and tiny.at_risk == pytest.approx(1800 * 4.87 / 3.62)
    assert tiny.explain() == ("10 people x $180/record (identity, IBM 2021) x 1.345 (data stored "
                              "or carried unencrypted: 4.87/3.62, IBM 2021) = $2,422")
    assert [v.dataset.id for v in ranked] == HAND
    # Two findings of the same factor raise it once; a finding without a factor is listed only.
    ranked = value_at_risk(hand, [result("GRD-TLS-001", "tiny"), result("GRD-ENC-005", "tiny"),
                                  result("GRD-PUB-002", "tiny")])
    tiny = next(v for v in ranked if v.dataset.id == "tiny")
    assert tiny.at_risk == pytest.approx(1800 * 4.87 / 3.62) and len(tiny.findings) == 3


def test_an_exposed_dataset_overtakes_an_equal_one_at_the_boundary(tmp_path):
    # Same value: the id decides (a before b); b's open TLS finding puts it first.
    cat = catalog(tmp_path, dataset("a", "[user.name]", "100"), dataset("b", "[user.name]", "100"))
    assert [v.dataset.id for v in value_at_risk(cat)] == ["a", "b"]
    assert [v.dataset.id for v in value_at_risk(cat, [result("GRD-TLS-001", "b")])] == ["b", "a"]
    # One more person outweighs the ordering by id, one fewer does not.
    cat = catalog(tmp_path, dataset("a", "[user.name]", "100"), dataset("b", "[user.name]", "101"))
    assert [v.dataset.id for v in value_at_risk(cat)] == ["b", "a"]


def test_waived_and_information_findings_are_no_exposure(hand):
    ranked = value_at_risk(hand, [result("GRD-TLS-001", "tiny", waived=True),
                                  result("GRD-TLS-001", "tiny", severity="info")])
    tiny = next(v for v in ranked if v.dataset.id == "tiny")
    assert tiny.at_risk == 1800 and tiny.findings == ()


def test_a_record_is_worth_its_costliest_group_and_unpriced_groups_make_a_lower_bound(tmp_path):
    cat = catalog(tmp_path, dataset("orders", "[user.financial.credit_card, user.behavior, "
                                              "user.device.device_id, user.name]", "1000"))
    [v] = value_at_risk(cat)
    assert v.per_record.group.id == "financial" and v.at_risk == 210_000
    assert [p.group.id for p in v.unsized] == ["behaviour", "device"] and not v.complete
    assert v.explain() == ("1,000 people x $210/record (financial, IBM 2019) = at least "
                           "$210,000 (behaviour, device unsized)")


def test_the_catalogs_cost_replaces_the_default(tmp_path):
    cat = catalog(tmp_path, dataset("p", "[user.health_and_medical]", "10"),
                  costs="  record_costs:\n    health: 1000\n")
    [v] = value_at_risk(cat)
    assert (v.per_record.usd, v.per_record.by, v.at_risk) == (1000, "catalog", 10_000)


def test_a_multiplier_with_a_published_figure_applies_where_it_should(tmp_path):
    cat = catalog(tmp_path, dataset("health", "[user.health_and_medical]", "10"),
                  dataset("plain", "[user.name]", "10", "[]"))
    special = Factor("special_category", "Special-category data", (3.0, 2.0), None, "test")
    regulated = Factor("regulated", "Regulated", None, None, "no figure")
    model = replace(table(), multipliers=(special, regulated))
    by = {v.dataset.id: v for v in value_at_risk(cat, model=model)}
    assert by["health"].at_risk == 10 * 429 * 1.5 and by["health"].multipliers == (special,)
    assert by["plain"].at_risk == 1800 and by["plain"].multipliers == ()


def test_the_ranking_comparison_puts_unsized_last_and_larger_first(hand):
    ranked = value_at_risk(hand)
    keys = [rank(v) for v in ranked]
    assert keys == sorted(keys)
    assert rank(ranked[0]) < rank(ranked[1]) and rank(ranked[-2])[0] is True


@pytest.mark.parametrize(("usd", "shown"), [(None, "unsized"), (180, "$180"), (25.5, "$25.50"),
                                            (1_350_000.4, "$1,350,000")])
def test_money(usd, shown):
    assert money(usd) == shown
