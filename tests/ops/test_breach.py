"""`guardian breach`: notice first decided per law (owed, not owed and why, needs assessment),
then who and when; the safe harbour read from the deployment; the register.

Each test asserts one statement of the law (../shared/notes/privacy-facts.md) and names it.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from guardian.breach.answers import Assessment
from guardian.breach.assess import assess, parse_time, steps, to_json
from guardian.breach.law import ASSESS, NOT_OWED, OWED
from guardian.catalog.model import Catalog
from guardian.cli import main
from guardian.errors import UserError
from tests.conftest import EXAMPLE_CATALOG
from tests.evidence.conftest import example_graph

FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


def answers(**given: str | int) -> Assessment:
    counts = {k.replace("_", "-") if k.startswith("US_") else k: v
              for k, v in given.items() if isinstance(v, int)}
    return Assessment({k: v for k, v in given.items() if isinstance(v, str)}, counts)


def only(catalog: Catalog, dataset: str, **changes: object) -> Catalog:
    """The catalog with one dataset changed (categories, jurisdictions, ...)."""
    return replace(catalog, datasets=tuple(
        replace(ds, **changes) if ds.id == dataset else ds for ds in catalog.datasets))


def verdicts(report) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {v["regime"]: v for v in to_json(report)["regimes"]}


def step(v: dict, who: str) -> dict:
    return next(s for s in v["steps"] if s["who"].startswith(who))


# --- California Civ. Code 1798.82 -------------------------------------------------------------


def test_california_email_without_password_is_not_personal_information(example_catalog):
    # 1798.82(h)(2): a user name or e-mail address counts only WITH a password.
    r = assess(example_catalog, resource="acme-marketing-engagement", discovered_at=FRIDAY,
               assessment=answers(acquired="yes"))
    ca = verdicts(r)["ccpa"]
    assert ca["status"] == NOT_OWED and "(h)" in ca["why"]
    assert [s["status"] for s in ca["steps"]] == [NOT_OWED]  # no deadline stated
    with_password = only(example_catalog, "marketing_engagement", categories=(
        "user.contact.email", "user.authorization.credentials"))
    r = assess(with_password, resource="acme-marketing-engagement", discovered_at=FRIDAY,
               assessment=answers(acquired="yes"))
    ca = verdicts(r)["ccpa"]
    assert ca["status"] == OWED and "password ((h)(2))" in ca["why"]
    assert step(ca, "the affected California")["due"] == "2026-04-05T16:00:00Z"  # 30 days


def test_california_card_number_counts_only_with_name_and_code(example_catalog):
    # (h)(1)(C): an account or card number with the code that opens the account, and a name.
    named = only(example_catalog, "orders_payments",
                 categories=("user.name", "user.financial.credit_card"))
    ask = verdicts(assess(named, resource="acme-orders", discovered_at=FRIDAY,
                          assessment=answers(acquired="yes")))["ccpa"]
    assert ask["status"] == ASSESS and ask["questions"] == ["card_code"]
    no_code = verdicts(assess(named, resource="acme-orders", discovered_at=FRIDAY,
                              assessment=answers(acquired="yes", card_code="no")))["ccpa"]
    assert no_code["status"] == NOT_OWED
    code = verdicts(assess(named, resource="acme-orders", discovered_at=FRIDAY,
                           assessment=answers(acquired="yes", card_code="yes")))["ccpa"]
    assert code["status"] == OWED
    nameless = verdicts(assess(example_catalog, resource="acme-orders", discovered_at=FRIDAY,
                               assessment=answers(acquired="yes", card_code="yes")))["ccpa"]
    assert nameless["status"] == NOT_OWED and "without a person's name" in nameless["why"]


def test_california_encrypted_data_only_when_the_key_was_taken_too(example_catalog):
    # 1798.82(a): unencrypted PI, or encrypted PI whose key was acquired too. The deployment
    # puts acme-pharmacy-prescriptions under SSE-S3 and acme-orders under a CMK.
    graph = example_graph()
    rx = only(example_catalog, "pharmacy_prescriptions", jurisdictions=("ccpa",))
    plain = verdicts(assess(rx, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY,
                            graph=graph, assessment=answers(acquired="yes")))["ccpa"]
    assert plain["status"] == OWED  # a name with medical information, SSE-S3 only
    orders = only(example_catalog, "orders_payments", categories=(
        "user.name", "user.health_and_medical"))
    r = assess(orders, resource="acme-orders", discovered_at=FRIDAY, graph=graph,
               assessment=answers(acquired="yes"))
    assert verdicts(r)["ccpa"]["questions"] == ["key_exposed"]
    safe = assess(orders, resource="acme-orders", discovered_at=FRIDAY, graph=graph,
                  assessment=answers(acquired="yes", key_exposed="no"))
    assert verdicts(safe)["ccpa"]["status"] == NOT_OWED
    assert "customer-managed KMS key that was not exposed" in verdicts(safe)["ccpa"]["why"]
    taken = assess(orders, resource="acme-orders", discovered_at=FRIDAY, graph=graph,
                   assessment=answers(acquired="yes", key_exposed="yes"))
    assert verdicts(taken)["ccpa"]["status"] == OWED


def test_california_attorney_general_only_above_500_residents_15_days_after_consumers(
        example_catalog):
    rx = only(example_catalog, "pharmacy_prescriptions", jurisdictions=("ccpa",))

    def ag(**given):  # type: ignore[no-untyped-def]
        r = assess(rx, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY,
                   assessment=answers(acquired="yes", **given))
        return step(verdicts(r)["ccpa"], "the Attorney General")

    assert ag()["status"] == ASSESS  # how many Californians?
    assert ag(US_CA=500)["status"] == NOT_OWED  # "more than 500"
    above = ag(US_CA=501)
    assert above["status"] == OWED
    assert above["due"] == "2026-04-20T16:00:00Z"  # consumers' last day (04-05) + 15
    notified = Assessment({"acquired": "yes"}, {"US-CA": 900},
                          consumers_notified_at=datetime(2026, 3, 10, 9, tzinfo=UTC))
    r = assess(rx, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY,
               assessment=notified)
    assert step(verdicts(r)["ccpa"], "the Attorney General")["due"] == "2026-03-25T09:00:00Z"


def test_california_30_days_only_for_breaches_discovered_from_2026(example_catalog):
    rx = only(example_catalog, "pharmacy_prescriptions", jurisdictions=("ccpa",))
    old = assess(rx, resource="acme-pharmacy-prescriptions",
                 discovered_at=datetime(2025, 12, 31, 23, tzinfo=UTC),
                 assessment=answers(acquired="yes"))
    ca = verdicts(old)["ccpa"]
    consumers = step(ca, "the affected California")
    assert ca["status"] == OWED and consumers["due"] is None
    assert "30 calendar days" not in consumers["when"]
    assert any("before 2026-01-01" in n for n in ca["notes"])
    assert any("law enforcement" in n for n in ca["notes"])  # delay allowed (1798.82(c))


# --- HIPAA --------------------------------------------------------------------------------------


def test_hipaa_120_people_go_in_the_annual_log(example_catalog):
    # 164.408(c): fewer than 500: log, report within 60 days after the calendar year ends.
    r = assess(example_catalog, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY,
               graph=example_graph(), assessment=answers(total=120))
    hipaa = verdicts(r)["hipaa"]
    assert hipaa["status"] == OWED  # unsecured PHI: presumed a breach
    assert step(hipaa, "the affected individuals")["due"] == "2026-05-05T16:00:00Z"  # 60 days
    hhs = step(hipaa, "HHS")
    assert hhs["due"] == "2027-03-01T16:00:00Z" and "fewer than 500" in hhs["why"]
    assert hhs["reference"] == "45 CFR 164.408(c)"
    many = verdicts(assess(example_catalog, resource="acme-pharmacy-prescriptions",
                           discovered_at=FRIDAY, assessment=answers(total=500)))["hipaa"]
    assert step(many, "HHS")["due"] == "2026-05-05T16:00:00Z"  # 500 or more: with individuals
    leap = verdicts(assess(example_catalog, resource="acme-pharmacy-prescriptions",
                           discovered_at=datetime(2027, 6, 1, tzinfo=UTC),
                           assessment=answers(total=12)))["hipaa"]
    assert step(leap, "HHS")["due"] == "2028-02-29T00:00:00Z"  # 2028 is a leap year


def test_hipaa_media_only_above_500_residents_of_a_state(example_catalog):
    def media(**counts):  # type: ignore[no-untyped-def]
        r = assess(example_catalog, resource="acme-pharmacy-prescriptions",
                   discovered_at=FRIDAY, assessment=answers(**counts))
        return [s for s in verdicts(r)["hipaa"]["steps"] if "media" in s["who"]]

    assert media(total=900, US_CA=500, US_NV=400) == []
    (m,) = media(total=900, US_CA=501, US_NV=399)
    assert m["status"] == OWED and "US-CA" in m["who"] and "US-NV" not in m["who"]


def test_hipaa_only_unsecured_phi_and_the_four_factor_rebuttal(example_catalog):
    from guardian.graph.model import ResourceGraph, Source
    from tests.evidence.conftest import bucket_set, key

    rx_key = key("rx-key", True)
    on_cmk = ResourceGraph([rx_key, *bucket_set("acme-pharmacy-prescriptions",
                                                "pharmacy_prescriptions", key=rx_key.arn,
                                                region="us-east-1")], Source("graph", "g"))
    secured = verdicts(assess(example_catalog, resource="acme-pharmacy-prescriptions",
                              discovered_at=FRIDAY, graph=on_cmk,
                              assessment=answers(key_exposed="no")))["hipaa"]
    assert secured["status"] == NOT_OWED and "secured PHI" in secured["why"]
    low = verdicts(assess(example_catalog, resource="acme-pharmacy-prescriptions",
                          discovered_at=FRIDAY,
                          assessment=answers(hipaa_low_probability="yes")))["hipaa"]
    assert low["status"] == NOT_OWED and "164.402(2)" in low["why"]
    assert low["record"]["months"] == 72  # documentation kept 6 years (164.530(j))


# --- GDPR and UK GDPR --------------------------------------------------------------------------


def test_gdpr_no_notice_when_a_risk_is_unlikely_and_72_hours_otherwise(example_catalog):
    ask = verdicts(assess(example_catalog, resource="acme-location-pings",
                          discovered_at=FRIDAY))["gdpr"]
    assert ask["status"] == ASSESS and ask["questions"] == ["gdpr_risk"]
    assert step(ask, "the competent")["due"] == "2026-03-09T16:00:00Z"  # the clock runs
    unlikely = verdicts(assess(example_catalog, resource="acme-location-pings",
                               discovered_at=FRIDAY, assessment=answers(gdpr_risk="unlikely")))
    assert unlikely["gdpr"]["status"] == unlikely["uk_gdpr"]["status"] == NOT_OWED
    assert unlikely["gdpr"]["record"]["reference"] == "GDPR Art. 33(5)"  # documented anyway
    risk = verdicts(assess(example_catalog, resource="acme-location-pings",
                           discovered_at=FRIDAY, assessment=answers(gdpr_risk="risk")))["gdpr"]
    assert risk["status"] == OWED
    assert step(risk, "the data subjects")["status"] == NOT_OWED  # Art. 34: only high risk


def test_gdpr_subjects_not_told_when_the_data_was_unintelligible(example_catalog):
    # Art. 34(3)(a): encrypted under a key the attacker did not get (acme-orders: a CMK).
    safe = verdicts(assess(example_catalog, resource="acme-orders", discovered_at=FRIDAY,
                           graph=example_graph(),
                           assessment=answers(gdpr_risk="high", key_exposed="no")))["uk_gdpr"]
    assert step(safe, "the ICO")["status"] == OWED  # the authority still
    subjects = step(safe, "the data subjects")
    assert subjects["status"] == NOT_OWED and subjects["reference"] == "UK GDPR Art. 34(3)(a)"
    # the same store read by a role that may read it: the service decrypts, no safe harbour
    role = verdicts(assess(example_catalog, role="finance-ledger", discovered_at=FRIDAY,
                           graph=example_graph(),
                           assessment=answers(gdpr_risk="high", key_exposed="no")))["gdpr"]
    assert step(role, "the data subjects")["status"] == OWED
    # AWS owned key (acme-customer-index): not a CMK, whoever reads it gets clear data
    owned = assess(example_catalog, resource="acme-customer-index", discovered_at=FRIDAY,
                   graph=example_graph(), assessment=answers(gdpr_risk="high"))
    assert step(verdicts(owned)["gdpr"], "the data subjects")["status"] == OWED
    assert "AWS owned key" in to_json(owned)["datasets"][0]["protection"]


def test_no_step_to_processors_and_their_duty_noted(example_catalog):
    r = assess(example_catalog, resource="acme-customer-profiles", discovered_at=FRIDAY,
               assessment=answers(gdpr_risk="high", real_risk="yes"))
    whom = [s["who"] for v in to_json(r)["regimes"] for s in v["steps"]]
    assert not [w for w in whom if "Postbox" in w or "processor" in w.lower()]
    assert any("no law obliges a controller to inform its processors" in n
               for n in verdicts(r)["gdpr"]["notes"])


# --- PIPEDA, LGPD, APPI, PDPA, PIPA, Australia --------------------------------------------------


def test_pipeda_only_on_a_real_risk_of_significant_harm_and_never_low_priority(
        example_catalog):
    no = verdicts(assess(example_catalog, resource="acme-support-tickets",
                         discovered_at=FRIDAY, assessment=answers(real_risk="no")))["pipeda"]
    assert no["status"] == NOT_OWED and no["record"]["months"] == 24  # still recorded
    yes = assess(example_catalog, resource="acme-support-tickets", discovered_at=FRIDAY,
                 assessment=answers(real_risk="yes", gdpr_risk="risk"))
    assert verdicts(yes)["pipeda"]["status"] == OWED
    order = [(v.regime, s.due) for v, s in steps(yes)]
    # "as soon as feasible" comes before the GDPR's dated 72 hours
    assert order.index(("pipeda", None)) < order.index(("gdpr", FRIDAY.replace(day=9)))


def test_lgpd_relevant_risk_needs_a_criterion_and_three_business_days(example_catalog):
    br = only(example_catalog, "orders_payments", jurisdictions=("lgpd",))
    ask = verdicts(assess(br, resource="acme-orders", discovered_at=FRIDAY))["lgpd"]
    assert ask["status"] == ASSESS and "financial data" in ask["why"]
    assert step(ask, "the ANPD")["due"] == "2026-03-11T16:00:00Z"  # Fri + 3 business days
    owed = verdicts(assess(br, resource="acme-orders", discovered_at=FRIDAY,
                           assessment=answers(lgpd_relevant="yes")))["lgpd"]
    assert owed["status"] == OWED and owed["record"]["months"] == 60  # 5 years (Art. 10)
    plain = only(example_catalog, "store_location_pings", jurisdictions=("lgpd",))
    none = verdicts(assess(plain, resource="acme-location-pings", discovered_at=FRIDAY,
                           assessment=answers(lgpd_relevant="yes", large_scale="no")))["lgpd"]
    assert none["status"] == NOT_OWED and "none of the criteria" in none["why"]


def test_appi_only_the_four_categories_preliminary_then_final(example_catalog):
    jp = only(example_catalog, "store_location_pings", jurisdictions=("appi",))
    none = verdicts(assess(jp, resource="acme-location-pings", discovered_at=FRIDAY,
                           assessment=answers(wrongful_purpose="no", total=1000)))["appi"]
    assert none["status"] == NOT_OWED  # 1,000 is not "more than 1,000"
    many = verdicts(assess(jp, resource="acme-location-pings", discovered_at=FRIDAY,
                           assessment=answers(wrongful_purpose="no", total=1001)))["appi"]
    assert many["status"] == OWED
    prelim, final, people = many["steps"]
    assert "preliminary" in prelim["who"] and prelim["due"] is None
    assert "3 to 5 days" in prelim["when"]
    assert final["due"] == "2026-04-05T16:00:00Z"  # 30 days
    attack = verdicts(assess(jp, resource="acme-location-pings", discovered_at=FRIDAY,
                             assessment=answers(wrongful_purpose="yes")))["appi"]
    assert step(attack, "the Personal Information Protection Commission: final")["due"] == \
        "2026-05-05T16:00:00Z"  # 60 days for a wrongful purpose
    rx = only(example_catalog, "pharmacy_prescriptions", jurisdictions=("appi",))
    health = verdicts(assess(rx, resource="acme-pharmacy-prescriptions",
                             discovered_at=FRIDAY))["appi"]
    assert health["status"] == OWED and "(i)" in health["why"]


def test_pdpa_500_people_or_significant_harm(example_catalog):
    sg = only(example_catalog, "store_location_pings", jurisdictions=("pdpa_sg",))

    def pdpa(**given):  # type: ignore[no-untyped-def]
        return verdicts(assess(sg, resource="acme-location-pings", discovered_at=FRIDAY,
                               assessment=answers(**given)))["pdpa_sg"]

    assert pdpa(significant_harm="no", total=499)["status"] == NOT_OWED
    scale = pdpa(significant_harm="no", total=500)
    assert scale["status"] == OWED
    assert step(scale, "the affected individuals")["status"] == NOT_OWED  # harm only
    assert pdpa(total=10)["status"] == ASSESS


def test_pipa_regulator_from_1000_people_subjects_always(example_catalog):
    kr = only(example_catalog, "store_location_pings", jurisdictions=("pipa_kr",))

    def pipa(**given):  # type: ignore[no-untyped-def]
        return verdicts(assess(kr, resource="acme-location-pings", discovered_at=FRIDAY,
                               assessment=answers(**given)))["pipa_kr"]

    few = pipa(acquired="yes", wrongful_purpose="no", total=999)
    assert step(few, "the affected data subjects")["due"] == "2026-03-09T16:00:00Z"  # 72 h
    assert step(few, "the PIPC")["status"] == NOT_OWED
    assert step(pipa(acquired="yes", wrongful_purpose="no", total=1000), "the PIPC")[
        "status"] == OWED
    assert step(pipa(acquired="yes", wrongful_purpose="yes", total=3), "the PIPC")[
        "status"] == OWED  # hacking


def test_australia_assess_within_30_days_then_as_soon_as_practicable(example_catalog):
    au = only(example_catalog, "store_location_pings", jurisdictions=("privacy_act_au",))
    unsure = verdicts(assess(au, resource="acme-location-pings", discovered_at=FRIDAY,
                             assessment=answers(serious_harm="unsure")))["privacy_act_au"]
    assert unsure["status"] == ASSESS
    assert step(unsure, "assess")["due"] == "2026-04-05T16:00:00Z"
    assert verdicts(assess(au, resource="acme-location-pings", discovered_at=FRIDAY,
                           assessment=answers(serious_harm="yes")))["privacy_act_au"][
        "status"] == OWED


# --- exposure, the assessment file, the register, the CLI --------------------------------------


def test_arn_of_a_table_or_object_names_the_store(example_catalog):
    for arn in ("arn:aws:dynamodb:eu-west-1:123456789012:table/acme-orders",
                "arn:aws:dynamodb:eu-west-1:123456789012:table/acme-orders/index/by-customer"):
        r = assess(example_catalog, resource=arn, discovered_at=FRIDAY)
        assert [e.dataset.id for e in r.exposures] == ["orders_payments"]
    r = assess(example_catalog, resource="arn:aws:s3:::acme-customer-profiles/customers/c1/x",
               discovered_at=FRIDAY)
    assert [e.dataset.id for e in r.exposures] == ["customer_profiles"]


def test_role_reaches_every_dataset_in_its_access_list(example_catalog):
    r = assess(example_catalog, role="arn:aws:iam::123456789012:role/svc/notifications-service",
               discovered_at=FRIDAY)
    assert [(e.dataset.id, e.actions) for e in r.exposures] == [("customer_profiles", ("read",))]
    r = assess(example_catalog, role="accounts-service", discovered_at=FRIDAY)
    assert r.exposures[0].actions == ("delete", "read", "write")
    assert r.exposures[0].stores == ("acme-customer-profiles", "acme-customer-index")


def test_unknown_resource_or_role_names_close_matches(example_catalog):
    with pytest.raises(UserError, match="did you mean acme-orders"):
        assess(example_catalog, resource="acme-order", discovered_at=FRIDAY)
    with pytest.raises(UserError, match="did you mean checkout-service"):
        assess(example_catalog, role="checkout-svc", discovered_at=FRIDAY)
    with pytest.raises(UserError, match="ISO 8601"):
        parse_time("last tuesday")
    assert parse_time("2026-03-06T16:00:00") == FRIDAY


BASE = ["breach", "--catalog", str(EXAMPLE_CATALOG), "--discovered-at", "2026-03-06T16:00:00Z"]


def test_cli_asks_then_records_the_answers_in_the_register(tmp_path, capsys):
    graph = tmp_path / "graph.json"
    graph.write_text(example_graph().dumps())
    argv = [*BASE, "--resource", "acme-pharmacy-prescriptions", "--graph", str(graph)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "## Questions a person must answer" in out and "`hipaa_low_probability`" in out
    assert "acme-pharmacy-prescriptions: encrypted with S3-managed keys (SSE-S3)" in out
    answers_file = tmp_path / "assessment.yaml"
    answers_file.write_text("assessor: Dana Okafor <dpo@acme-retail.example>\n"
                            "assessed_at: 2026-03-07T10:00:00Z\n"
                            "affected: {total: 120, US-CA: 120}\n"
                            "answers:\n  hipaa_low_probability: no\n  acquired: yes\n")
    register = tmp_path / "register.jsonl"
    for _ in range(2):
        assert main([*argv, "--assessment", str(answers_file), "--register", str(register),
                     "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out.split("\n}\n")[0] + "\n}")
    assert data["summary"]["owed"] == ["hipaa", "ccpa"]  # the catalog's order
    assert data["assessment"]["assessor"] == "Dana Okafor <dpo@acme-retail.example>"
    lines = register.read_text().splitlines()
    assert len(lines) == 2  # appended, never rewritten
    entry = json.loads(lines[1])
    assert entry["format"] == "guardian.breach-register/v1"
    assert entry["assessment"]["answers"] == {"hipaa_low_probability": "no", "acquired": "yes"}
    keep = {r["regime"]: r for r in entry["retention"]}
    assert keep["hipaa"]["reference"] == "45 CFR 164.530(j)(2)"
    assert keep["ccpa"]["until"] is None
    assert entry["retain_until"] == keep["hipaa"]["until"]  # 6 years: the longest
    recorded = datetime.fromisoformat(entry["recorded_at"].replace("Z", "+00:00")).date()
    assert keep["hipaa"]["until"] == six_years_on(recorded).isoformat()


def six_years_on(day: date) -> date:
    """The same day six years later; 28 February for a 29th (a leap day's record, once in
    1,461 days, made `day.replace(year=...)` raise: the test failed on every 29 February)."""
    return day.replace(year=day.year + 6, day=28 if (day.month, day.day) == (2, 29) else day.day)


def test_a_record_made_on_a_leap_day_is_kept_until_the_28th_of_february():
    from guardian.breach.law import Record

    six_years = Record("the breach record", "45 CFR 164.530(j)(2)", "6 years", months=72)
    assert six_years.until(date(2028, 2, 29)) == date(2034, 2, 28) == six_years_on(
        date(2028, 2, 29))
    assert six_years.until(date(2026, 12, 5)) == date(2032, 12, 5) == six_years_on(
        date(2026, 12, 5))


def test_assessment_file_mistakes_are_located(tmp_path, capsys):
    bad = tmp_path / "a.yaml"
    bad.write_text("answers:\n  gdpr_risk: severe\n  gdpr_rsk: high\naffected: {CA: 3}\n")
    assert main([*BASE, "--resource", "acme-orders", "--assessment", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:13: answers: unknown field 'gdpr_rsk'; allowed: acquired, key_exposed, " \
        "gdpr_risk" in err
    assert f"{bad}:2:14: answers.gdpr_risk: 'severe' is not one of ['unlikely', 'risk', " \
        "'high']" in err
    assert f"{bad}:4:11: affected: 'CA' does not match" in err


@pytest.mark.parametrize(("target", "message"), [
    ("fifo", "is a FIFO, not a regular file"),
    ("/dev/zero", "is a character device, not a regular file"),
    ("latin-1", "is not UTF-8 text"),
    ("large", "is larger than 1 MiB"),
])
def test_a_hostile_assessment_file_exits_2_naming_it(tmp_path, capsys, target, message):
    path = tmp_path / "a.yaml"
    if target == "fifo":
        os.mkfifo(path)  # read naively, this would wait for a writer forever
    elif target == "latin-1":
        path.write_bytes(b"assessor: Ren\xe9\n")
    elif target == "large":
        path.write_text("answers: {}\n" + "#" * (1024 * 1024) + "\n")
    else:
        path = Path(target)
    assert main([*BASE, "--resource", "acme-orders", "--assessment", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"guardian: {path}" in err and message in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_register_refuses_symlinks_and_pipes(tmp_path, capsys):
    target = tmp_path / "real.jsonl"
    target.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (link, fifo, tmp_path):
        assert main([*BASE, "--resource", "acme-orders", "--register", str(path)]) == 2
        assert "breach register" in capsys.readouterr().err
    assert target.read_text() == "" and Path(link).is_symlink()


# --- how many people: counted, or the catalog's volume as an estimate -------------------------


def test_the_declared_volume_sizes_the_count_thresholds_and_says_it_is_an_estimate(
        example_catalog):
    # pharmacy_prescriptions declares volume 60000: HHS is told with the individuals (164.408(b)).
    r = assess(example_catalog, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY)
    hhs = step(verdicts(r)["hipaa"], "HHS")
    assert hhs["reference"] == "45 CFR 164.408(b)" and hhs["status"] == OWED
    assert hhs["why"] == ("60,000 people (estimated: the catalog's volume of "
                          "pharmacy_prescriptions; give --affected N once counted) (500 or more)")
    assert to_json(r)["affected"] == {
        "low": 60_000, "high": 60_000, "estimated": True, "text": str(r.people),
        "how": "the catalog's volume of pharmacy_prescriptions; give --affected N once counted"}
    # counted: --affected replaces the estimate, and no longer says "estimated"
    counted = assess(example_catalog, resource="acme-pharmacy-prescriptions",
                     discovered_at=FRIDAY, affected=120)
    hhs = step(verdicts(counted)["hipaa"], "HHS")
    assert hhs["reference"] == "45 CFR 164.408(c)" and hhs["why"] == "120 people (fewer than 500)"
    with pytest.raises(UserError, match="--affected 120 and affected.total 130 .* disagree"):
        assess(example_catalog, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY,
               affected=120, assessment=replace(answers(total=130), file="a.yaml"))


@pytest.mark.parametrize(("volume", "hhs", "media", "ag"), [
    (499, "45 CFR 164.408(c)", NOT_OWED, NOT_OWED),   # fewer than 500: the annual log
    (500, "45 CFR 164.408(b)", NOT_OWED, NOT_OWED),   # 500: with the individuals; no state > 500
    (501, "45 CFR 164.408(b)", ASSESS, ASSESS),       # a state may have more than 500
])
def test_volume_at_the_500_boundaries(example_catalog, volume, hhs, media, ag):
    rx = only(example_catalog, "pharmacy_prescriptions", volume=volume)
    r = verdicts(assess(rx, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY,
                        assessment=answers(acquired="yes", hipaa_low_probability="no")))
    assert step(r["hipaa"], "HHS")["reference"] == hhs
    assert step(r["hipaa"], "prominent media")["status"] == media
    assert step(r["ccpa"], "the Attorney General")["status"] == ag  # California residents


@pytest.mark.parametrize(("volume", "status"), [(999, NOT_OWED), (1000, OWED)])
def test_volume_at_pipas_1000(example_catalog, volume, status):
    kr = only(example_catalog, "store_location_pings", jurisdictions=("pipa_kr",), volume=volume)
    r = verdicts(assess(kr, resource="acme-location-pings", discovered_at=FRIDAY,
                        assessment=answers(acquired="yes", wrongful_purpose="no")))["pipa_kr"]
    assert step(r, "the PIPC")["status"] == status


@pytest.mark.parametrize(("volume", "status"), [(1000, NOT_OWED), (1001, OWED)])
def test_volume_at_appis_more_than_1000(example_catalog, volume, status):
    jp = only(example_catalog, "marketing_engagement", jurisdictions=("appi",), volume=volume)
    r = verdicts(assess(jp, resource="acme-marketing-engagement", discovered_at=FRIDAY,
                        assessment=answers(wrongful_purpose="no")))["appi"]
    assert r["status"] == status and (status == OWED) == ("(iv) more than 1,000" in r["why"])


def test_several_datasets_give_a_range_and_a_straddled_threshold_is_asked(example_catalog):
    # One role reads two datasets of 400 and 300 people, who may overlap: 400 to 700.
    profiles = example_catalog.dataset("customer_profiles")
    both = only(only(example_catalog, "customer_profiles", volume=400,
                     jurisdictions=("pdpa_sg", "pipa_kr")),
                "support_tickets", volume=300, jurisdictions=("pdpa_sg", "pipa_kr"),
                access=(replace(profiles.access[0], use="essential.service.operations.support"),))
    r = assess(both, role="accounts-service", discovered_at=FRIDAY,
               assessment=answers(acquired="yes", wrongful_purpose="no", significant_harm="no"))
    assert str(r.people).startswith("400 to 700 people (estimated: the catalog's volumes of "
                                    "customer_profiles, support_tickets, whose people may overlap")
    v = verdicts(r)
    assert v["pdpa_sg"]["status"] == ASSESS and "affected.total" in v["pdpa_sg"]["questions"]
    assert step(v["pipa_kr"], "the PIPC")["status"] == NOT_OWED  # at most 700 < 1,000
    # a dataset without volume leaves no upper bound
    open_ended = only(both, "support_tickets", volume=None)
    r = assess(open_ended, role="accounts-service", discovered_at=FRIDAY)
    assert (r.people.low, r.people.high) == (400, None)
    assert str(r.people).startswith("at least 400 people") and "support_tickets without one" in \
        str(r.people)


def test_no_volume_anywhere_asks_for_the_count(example_catalog, capsys):
    r = assess(example_catalog, resource="acme-marketing-engagement", discovered_at=FRIDAY)
    assert r.people is None and to_json(r)["affected"] is None
    assert main([*BASE, "--resource", "acme-marketing-engagement"]) == 0
    assert "People possibly affected: unknown (no dataset declares a volume; give --affected " \
        "N)." in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main([*BASE, "--resource", "acme-orders", "--affected", "a few"])
    assert stop.value.code == 2
    assert "'a few' is not a number of people" in capsys.readouterr().err
    assert main([*BASE, "--resource", "acme-orders", "--affected", "12"]) == 0
    assert "People possibly affected: 12 people." in capsys.readouterr().out
