"""`guardian breach`: the right datasets, special categories, contacts and deadlines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from guardian.breach import REGIMES, assess, parse_time, to_json
from guardian.cli import main
from guardian.errors import UserError
from tests.conftest import EXAMPLE_CATALOG

FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


def deadlines(a) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    return {d["jurisdiction"]: d["due"] for d in to_json(a)["deadlines"]}


def test_pharmacy_bucket_flags_health_data_and_hipaa_60_days(example_catalog):
    a = assess(example_catalog, resource="acme-pharmacy-prescriptions", discovered_at=FRIDAY)
    data = to_json(a)
    (ds,) = data["datasets"]
    assert ds["id"] == "pharmacy_prescriptions" and ds["special_categories"] is True
    assert {c["key"] for c in ds["categories"] if c["special"]} == {"user.health_and_medical"}
    assert ds["subjects"] == ["patient"]
    assert deadlines(a) == {"ccpa": "2026-04-05T16:00:00Z", "hipaa": "2026-05-05T16:00:00Z"}
    assert data["contacts"] == ["security@acme-retail.example", "hipaa-officer@acme-retail.example"]
    assert [d["jurisdiction"] for d in data["deadlines"]] == ["ccpa", "hipaa"]  # soonest first


def test_arn_of_a_table_or_object_names_the_store(example_catalog):
    for arn in ("arn:aws:dynamodb:eu-west-1:123456789012:table/acme-orders",
                "arn:aws:dynamodb:eu-west-1:123456789012:table/acme-orders/index/by-customer"):
        a = assess(example_catalog, resource=arn, discovered_at=FRIDAY)
        assert [e.dataset.id for e in a.exposures] == ["orders_payments"]
    a = assess(example_catalog, resource="arn:aws:s3:::acme-customer-profiles/customers/c1/x",
               discovered_at=FRIDAY)
    assert [e.dataset.id for e in a.exposures] == ["customer_profiles"]
    data = to_json(a)
    assert data["datasets"][0]["special_categories"] is False
    assert data["datasets"][0]["recipients"] == [
        {"name": "Postbox Mail Inc.", "country": "US",
         "use": "essential.service.notifications.email"}]
    assert deadlines(a) == {"gdpr": "2026-03-09T16:00:00Z", "uk_gdpr": "2026-03-09T16:00:00Z",
                            "ccpa": "2026-04-05T16:00:00Z", "pipeda": None}


def test_role_reaches_every_dataset_in_its_access_list(example_catalog):
    a = assess(example_catalog, role="arn:aws:iam::123456789012:role/svc/notifications-service",
               discovered_at=FRIDAY)
    assert [(e.dataset.id, e.actions) for e in a.exposures] == [("customer_profiles", ("read",))]
    a = assess(example_catalog, role="accounts-service", discovered_at=FRIDAY)
    assert a.exposures[0].actions == ("delete", "read", "write")
    assert a.exposures[0].stores == ("acme-customer-profiles", "acme-customer-index")


@pytest.mark.parametrize("key,start,due", [
    ("lgpd", "2026-03-06T16:00:00+00:00", "2026-03-11T16:00:00+00:00"),  # Fri -> Wed
    ("lgpd", "2026-03-09T08:00:00+00:00", "2026-03-12T08:00:00+00:00"),  # Mon -> Thu
    ("pdpa_sg", "2026-03-06T16:00:00+00:00", "2026-03-09T16:00:00+00:00"),
    ("pipa_kr", "2026-03-06T16:00:00+00:00", "2026-03-09T16:00:00+00:00"),
    ("privacy_act_au", "2026-03-06T16:00:00+00:00", "2026-04-05T16:00:00+00:00"),
    ("gdpr", "2026-12-31T23:30:00-05:00", "2027-01-03T23:30:00-05:00"),
])
def test_deadline_table(key, start, due):
    assert REGIMES[key].deadline(datetime.fromisoformat(start)) == datetime.fromisoformat(due)
    assert REGIMES["pipeda"].deadline(datetime.fromisoformat(start)) is None


def test_unknown_resource_or_role_names_close_matches(example_catalog):
    with pytest.raises(UserError, match="did you mean acme-orders"):
        assess(example_catalog, resource="acme-order", discovered_at=FRIDAY)
    with pytest.raises(UserError, match="did you mean checkout-service"):
        assess(example_catalog, role="checkout-svc", discovered_at=FRIDAY)
    with pytest.raises(UserError, match="ISO 8601"):
        parse_time("last tuesday")
    assert parse_time("2026-03-06T16:00:00") == FRIDAY


def test_cli_markdown_and_json(capsys):
    base = ["breach", "--catalog", str(EXAMPLE_CATALOG), "--discovered-at", "2026-03-06T16:00:00Z"]
    assert main([*base, "--resource", "acme-pharmacy-prescriptions"]) == 0
    out = capsys.readouterr().out
    assert "**Special categories (GDPR Art. 9):** user.health_and_medical" in out
    assert "| 2026-05-05T16:00:00Z | HIPAA |" in out
    assert "Dana Okafor <dpo@acme-retail.example>" in out
    assert main([*base, "--role", "marketing-analyst", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data["datasets"]] == ["marketing_engagement"]
    assert main([*base, "--role", "nobody"]) == 2
    assert "role 'nobody' is not in the catalog" in capsys.readouterr().err
