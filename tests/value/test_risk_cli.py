"""`guardian risk`: the ranking with its arithmetic, in text, markdown and JSON; the HTML view."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.value.at_risk import value_at_risk
from guardian.value.report import table_markdown
from tests.conftest import ROOT

HERE = Path(__file__).parent
AT_STAKE = ["--catalog", str(HERE / "catalog.yaml"), "--program", str(HERE / "programs" / "at_stake")]


def test_the_example_ranks_by_value_at_risk_with_the_arithmetic(example_catalog):
    ranked = value_at_risk(example_catalog)
    assert [(v.dataset.id, v.shown) for v in ranked] == [
        ("orders_payments", "at least $420,000,000"),
        ("customer_profiles", "$153,000,000"),
        ("support_tickets", "at least $72,000,000"),
        ("pharmacy_prescriptions", "$25,740,000"),
        ("employee_records", "$1,350,000"),  # government ids at Acme's own $300
        ("store_location_pings", "at least $1,000,000"),
        ("marketing_engagement", "unsized"),  # no volume: last, never guessed
    ]
    assert ranked[3].explain() == "60,000 people x $429/record (health, IBM 2019) = $25,740,000"
    assert ranked[-1].explain().startswith("unsized: no volume")


def test_text_ranks_shows_the_arithmetic_and_the_open_findings_and_exits_1(capsys):
    assert main(["risk", *AT_STAKE]) == 1  # the public buckets block, as in guardian check
    out = capsys.readouterr().out.splitlines()
    assert out[2].split() == ["1", "cardholders", "$565,027,624"]
    assert out[3].strip() == (
        "2,000,000 people x $210/record (financial, IBM 2019) x 1.345 (data stored or carried "
        "unencrypted: 4.87/3.62, IBM 2021) = $565,027,624")
    assert out[4].strip() == "6 open finding(s):"
    assert out[5].strip().startswith("critical GRD-PUB-002 on zzz-cardholders: ")
    second = next(i for i, line in enumerate(out) if line.split()[:2] == ["2", "archive_test"])
    assert second > 5 and out[second].split()[-1] == "$2,422"
    assert out[-1] == ("FAIL: 2 datasets, 2 sized (2 in full), 0 unsized; 12 blocking findings "
                       "(fail on high)")
    assert any(line.startswith("IBM 2019: IBM Security; research by the Ponemon Institute, "
                               "Cost of a Data Breach Report 2019") for line in out)


def test_json_and_markdown_carry_the_same_ranking(capsys):
    assert main(["risk", *AT_STAKE, "--format", "json", "--fail-on", "critical"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in doc["datasets"]] == ["cardholders", "archive_test"]
    cards = doc["datasets"][0]
    assert cards["rank"] == 1 and cards["volume"] == 2_000_000 and cards["complete"]
    assert cards["per_record"] == {"usd": 210, "group": "financial", "by": "IBM 2019"}
    assert cards["value"] == 420_000_000
    assert cards["value_at_risk"] == pytest.approx(420_000_000 * 4.87 / 3.62)
    assert [f["id"] for f in cards["exposure"]] == ["weak_encryption"]
    assert len(cards["open_findings"]) == 6 and cards["explanation"].endswith("= $565,027,624")
    assert {s["id"] for s in doc["sources"]} == {"IBM 2019", "IBM 2021"}
    assert doc["summary"] == {"datasets": 2, "sized": 2, "complete": 2, "blocking": 2,
                              "fail_on": "critical"}
    assert main(["risk", *AT_STAKE, "--format", "markdown"]) == 1
    md = capsys.readouterr().out
    rows = [line for line in md.splitlines() if line.startswith("| 1 ") or line.startswith("| 2 ")]
    assert rows[0].startswith("| 1 | `cardholders` (confidential) | $565,027,624 | 2,000,000 people")
    assert rows[1].startswith("| 2 | `archive_test` (confidential) | $2,422 |")


def test_a_broken_catalog_is_exit_2_with_its_line(tmp_path, capsys):
    bad = (HERE / "catalog.yaml").read_text().replace("volume: 2M", "volume: lots")
    (tmp_path / "catalog.yaml").write_text(bad)
    assert main(["risk", "--catalog", str(tmp_path / "catalog.yaml"), "--program",
                 str(HERE / "programs" / "at_stake")]) == 2
    err = capsys.readouterr().err
    line = bad.splitlines().index("    volume: lots") + 1
    assert f"catalog.yaml:{line}:13: datasets[1].volume: 'lots' does not match" in err


def test_the_readme_shows_the_table_as_guardian_risk_prints_it(capsys):
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- value:start -->\n", "<!-- value:end -->"
    assert readme[readme.index(start) + len(start):readme.index(end)] == table_markdown(), (
        "run: guardian risk --table")
    assert main(["risk", "--table"]) == 0 and capsys.readouterr().out == table_markdown()


def test_the_html_report_ranks_the_datasets_with_the_arithmetic(example_catalog):
    from guardian.check import ranked
    from guardian.report.html import render_html
    from tests.evidence.conftest import example_graph, example_report

    report = ranked(example_report(), example_catalog)
    page = render_html(example_catalog, example_graph(), report,
                       time=datetime(2026, 1, 2, tzinfo=UTC))
    section = page[page.index('<section id="value">'):page.index('<section id="findings">')]
    rows = section.split("<tr>")[2:]
    assert [r.split("<code>")[1].split("</code>")[0] for r in rows] == [
        "orders_payments", "customer_profiles", "support_tickets", "pharmacy_prescriptions",
        "employee_records", "store_location_pings", "marketing_engagement"]
    # the pharmacy bucket accepts plain HTTP: its value rises by 4.87/3.62; two findings, high
    assert "60,000 people x $429/record (health, IBM 2019) x 1.345" in rows[3]
    assert '<td class="num high">2</td>' in rows[3]
    assert '<td class="unknown">unsized</td>' in rows[6]
    assert "Cost of a Data Breach Report 2019" in section
