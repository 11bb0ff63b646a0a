"""The loader: every class of mistake is reported with its file, line, column and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from guardian.catalog import CatalogError, load_catalog, taxonomy
from guardian.catalog.loader import check_catalog
from guardian.cli import main
from tests.conftest import EXAMPLE_CATALOG

EXAMPLE = EXAMPLE_CATALOG.read_text()


def write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the nth line containing needle."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


def errors(path: Path) -> list[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(path.parent)  # locations are shown relative to the working directory
        _, problems = check_catalog(path.name)
    return [str(p) for p in problems if p.severity == "error"]


def edit(old: str, new: str, count: int = 1) -> str:
    assert EXAMPLE.count(old) >= count, old
    return EXAMPLE.replace(old, new, count)


def test_example_is_valid(example_catalog):
    assert [d.id for d in example_catalog.datasets] == [
        "customer_profiles",
        "orders_payments",
        "store_location_pings",
        "marketing_engagement",
        "pharmacy_prescriptions",
        "employee_records",
        "support_tickets",
    ]
    analyst = example_catalog.dataset("marketing_engagement").access[1]
    assert analyst.human and analyst.training_valid_until == date(2030, 6, 30)  # unquoted date
    assert example_catalog.store("acme-orders")[1].index == "by-customer"
    assert example_catalog.dataset("employee_records").retention.legal_hold is True
    assert analyst.loc.line == line_of(EXAMPLE, "role: marketing-analyst")


def test_value_below_minimum(tmp_path):
    text = edit("retention: {days: 30,", "retention: {days: -5,")
    line = line_of(text, "days: -5")
    assert errors(write(tmp_path, text)) == [
        f"catalog.yaml:{line}:23: datasets[2].retention.days: -5 is less than the minimum of 1"
    ]


def test_wrong_type_and_unknown_field_and_missing_field_all_in_one_run(tmp_path):
    text = edit("retention: {days: 365}", "retention: {days: a year}")
    text = text.replace("    owner: team-stores\n", "    owner: team-stores\n    colour: blue\n")
    text = text.replace("    owner: team-people\n", "")
    found = errors(write(tmp_path, text))
    assert found == [
        f"catalog.yaml:{line_of(text, 'id: store_location_pings')}:5: datasets[2]: "
        "unknown field 'colour'; allowed: id, name, description, owner, classification, categories, "
        "subjects, volume, jurisdictions, residency, retention, uses, legitimate_interest, source, "
        "requirement, automated_decisions, dpia, access, recipients, breach_contacts, storage",
        f"catalog.yaml:{line_of(text, 'days: a year')}:23: datasets[3].retention.days: "
        "expected an integer, found text",
        f"catalog.yaml:{line_of(text, 'id: employee_records')}:5: datasets[5]: "
        "'owner' is a required property",
    ]


def test_unknown_taxonomy_keys_suggest_the_closest(tmp_path):
    text = edit("user.location.precise,", "user.location.precse,")
    text = text.replace("subjects: [patient]", "subjects: [patients]")
    text = text.replace("- use: employment\n", "- use: employmnt\n")
    text = text.replace("use: employment\n        actions", "use: employmnt\n        actions")
    found = errors(write(tmp_path, text))
    assert found == [
        f"catalog.yaml:{line_of(text, 'user.location.precse')}:18: datasets[2].categories[0]: "
        "'user.location.precse' is not a fideslang data category; did you mean 'user.location.precise'?",
        f"catalog.yaml:{line_of(text, '[patients]')}:16: datasets[4].subjects[0]: "
        "'patients' is not a fideslang data subject; did you mean 'patient'?",
        f"catalog.yaml:{line_of(text, '- use: employmnt')}:14: datasets[5].uses[0].use: "
        "'employmnt' is not a fideslang data use; did you mean 'employment'?",
    ]


def test_deprecated_taxonomy_key_warns_and_names_its_replacement(tmp_path, monkeypatch):
    real = taxonomy.terms

    def with_deprecated(kind):
        out = dict(real(kind))
        if kind == "data_category":
            out["user.old_location"] = taxonomy.Term(
                "user.old_location", "Old location", "", True, "user.location.precise"
            )
        return out

    monkeypatch.setattr(taxonomy, "terms", with_deprecated)
    text = edit("user.location.precise,", "user.old_location,")
    monkeypatch.chdir(tmp_path)
    catalog, problems = check_catalog(write(tmp_path, text).name)
    assert catalog is not None
    assert [str(p) for p in problems] == [
        f"catalog.yaml:{line_of(text, 'user.old_location')}:18: warning: datasets[2].categories[0]: "
        "'user.old_location' is a deprecated fideslang data category; use 'user.location.precise'"
    ]


def test_dangling_references_and_duplicates(tmp_path):
    text = edit(
        "        use: essential.service.notifications.email\n        actions: [read]",
        "        use: analytics\n        actions: [read]",
    )
    text = text.replace("  - id: support_tickets", "  - id: customer_profiles")
    text = text.replace("name: acme-support-tickets", "name: acme-orders")
    text = text.replace("residency: [us]", "residency: [us, eu-wst-1]")
    found = errors(write(tmp_path, text))
    uses = "essential.service, essential.service.notifications.email"
    assert found == [
        f"catalog.yaml:{line_of(text, 'use: analytics')}:14: datasets[0].access[1].use: "
        f"'analytics' is not one of this dataset's uses ({uses})",
        f"catalog.yaml:{line_of(text, 'eu-wst-1')}:21: datasets[4].residency[1]: "
        "'eu-wst-1' is neither a region group nor an AWS region; did you mean 'eu-west-1'?",
        f"catalog.yaml:{line_of(text, 'id: customer_profiles', 1)}:9: datasets[6].id: "
        f"duplicate dataset id 'customer_profiles' (first at catalog.yaml:{line_of(text, 'id: customer_profiles')}:9)",
        f"catalog.yaml:{line_of(text, 'name: acme-orders', 1)}:15: datasets[6].storage[0].name: "
        f"store 'acme-orders' is declared twice (first at catalog.yaml:{line_of(text, 'name: acme-orders')}:15); "
            "if they are different stores, pin each to its account or region",
    ]


@pytest.mark.parametrize(
    "key", ["*", "users/", "users/{subject_id}", "a/{subject_id}/../{subject_id}/"]
)
def test_s3_subject_prefix_must_isolate_one_subject(tmp_path, key):
    text = edit('subject_key: "pings/{subject_id}/"', f'subject_key: "{key}"')
    [message] = errors(write(tmp_path, text))
    assert message.startswith(
        f"catalog.yaml:{line_of(text, key)}:22: datasets[2].storage[0].subject_key: "
    )


def test_malformed_yaml_points_at_the_line(tmp_path):
    text = edit("    classification: internal\n", "    classification: [internal\n")
    [message] = errors(write(tmp_path, text))
    assert message.startswith("catalog.yaml:")
    assert "malformed YAML" in message
    assert int(message.split(":")[1]) >= line_of(text, "[internal")


def test_duplicate_key_is_malformed(tmp_path):
    text = edit("    owner: team-stores\n", "    owner: team-stores\n    owner: team-other\n")
    [message] = errors(write(tmp_path, text))
    assert message.startswith(f"catalog.yaml:{line_of(text, 'team-other')}:")
    assert "duplicate key" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"",
            "catalog.yaml:1:1: the file is empty; expected a catalog (version, organization, datasets)",
        ),
        (
            b"# nothing but a comment\n",
            "catalog.yaml:1:1: the file is empty; expected a catalog (version, organization, datasets)",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "catalog.yaml:1:1: is a binary file; expected YAML text"),
        (b"version: 1\nname: caf\xe9\n", "catalog.yaml:2:1: is not UTF-8 text"),
        (b"- just\n- a list\n", "catalog.yaml:1:1: expected a mapping, found a list"),
        (b"&a\nx: *a\n", "catalog.yaml:1:1: the document refers to itself through an alias"),
    ],
)
def test_files_that_are_not_catalogs(tmp_path, content, expected):
    path = tmp_path / "catalog.yaml"
    path.write_bytes(content)
    assert errors(path) == [expected]


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 9)
    ]
    [message] = errors(write(tmp_path, "\n".join(lines) + "\n"))
    assert "expands to more than" in message


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "catalog.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1000 * 1000)
    assert errors(path) == ["catalog.yaml:1:1: is larger than 10 MiB (expected a YAML catalog file)"]


def test_missing_file(tmp_path):
    assert errors(tmp_path / "catalog.yaml") == ["catalog.yaml:1:1: no such file (expected a YAML catalog file)"]


def test_includes_merge_and_report_their_own_lines(tmp_path):
    (tmp_path / "teams").mkdir()
    root = EXAMPLE.replace("waivers: []\n", "include: [teams/*.yaml]\nwaivers: []\n")
    part = EXAMPLE[EXAMPLE.index("  - id: support_tickets") : EXAMPLE.index("waivers: []")]
    part = part.replace("support_tickets", "support_archive").replace(
        "acme-support-tickets", "acme-support-archive"
    )
    write(tmp_path, "datasets:\n" + part, "teams/support.yaml")
    catalog = load_catalog(write(tmp_path, root))
    assert catalog.dataset("support_archive") is not None
    assert len(catalog.files) == 2
    broken = "datasets:\n" + part.replace("days: 730", "days: 0")
    write(tmp_path, broken, "teams/support.yaml")
    assert errors(tmp_path / "catalog.yaml") == [
        f"teams/support.yaml:{line_of(broken, 'days: 0')}:23: "
        "datasets[0].retention.days: 0 is less than the minimum of 1"
    ]


def test_include_missing_and_cyclic(tmp_path):
    root = EXAMPLE.replace("waivers: []\n", "include: [parts/*.yaml, more.yaml]\nwaivers: []\n")
    write(tmp_path, "include: [catalog.yaml]\n", "more.yaml")
    found = errors(write(tmp_path, root))
    line = line_of(root, "include:")
    assert found == [
        f"catalog.yaml:{line}:11: include[0]: 'parts/*.yaml' matches no file",
        "more.yaml:1:11: include[0]: 'catalog.yaml' includes catalog.yaml again (a cycle)",
    ]


def test_load_catalog_raises_with_every_problem(tmp_path):
    text = edit("retention: {days: 30,", "retention: {days: -5,").replace("days: 365", "days: 0")
    with pytest.raises(CatalogError) as info:
        load_catalog(write(tmp_path, text))
    assert len(info.value.problems) == 2


def test_cli_validate_exit_codes_and_json(tmp_path, capsys, monkeypatch):
    assert main(["validate", str(EXAMPLE_CATALOG)]) == 0
    assert "valid: 7 datasets, 9 stores" in capsys.readouterr().out
    bad = write(tmp_path, edit("retention: {days: 30,", "retention: {days: -5,"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--catalog", bad.name]) == 2
    err = capsys.readouterr().err
    assert (
        f"catalog.yaml:{line_of(bad.read_text(), 'days: -5')}:23: datasets[2].retention.days" in err
    )
    assert "Traceback" not in err
    assert main(["validate", bad.name, "--format", "json"]) == 2
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False
    assert out["problems"][0]["field"] == "datasets[2].retention.days"


# --- the fields that state the law (v1 optional additions) --------------------------------


def test_law_fields_load_into_the_model(example_catalog):
    profiles = example_catalog.dataset("customer_profiles")
    postbox = profiles.recipients[0]
    assert (postbox.role, postbox.dpf_certified, postbox.safeguard_for("gdpr"),
            postbox.safeguard_for("uk_gdpr")) == ("processor", False, "scc", "uk_addendum")
    assert postbox.contract == "https://legal.acme-retail.example/dpa/postbox-mail"
    assert profiles.requirement.kind == "contract_precondition"
    assert profiles.source.origin == "data_subject"
    assert profiles.automated_decisions.exists is False  # the catalog's explicit 'none'
    assert profiles.dpia.status == "not_required"
    tickets = example_catalog.dataset("support_tickets")
    assert tickets.legitimate_interest.assessment.endswith("/lia/support-quality")
    assert example_catalog.dataset("pharmacy_prescriptions").automated_decisions is None
    assert example_catalog.organization.representative_uk.startswith("Acme Retail UK")
    assert example_catalog.organization.representative is None


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        write(tmp_path, text)
        return [str(p) for p in check_catalog("catalog.yaml")[1]]


POSTBOX_UK = ('        safeguard: scc             # EU SCCs (module 2) for EU GDPR data\n'
              '        safeguard_uk: uk_addendum  # UK GDPR needs the UK Addendum or the IDTA\n')


def test_eu_sccs_alone_for_uk_data_warn_at_the_safeguard(tmp_path):
    # UK GDPR transfers need the IDTA or the UK Addendum; EU SCCs alone are not valid.
    text = edit(POSTBOX_UK, "        safeguard: scc\n")
    line = line_of(text, "safeguard: scc")
    assert problems_of(tmp_path, text) == [
        f"catalog.yaml:{line}:20: warning: datasets[0].recipients[0].safeguard: EU standard "
        "contractual clauses alone are not valid for UK GDPR transfers: add safeguard_uk: "
        "uk_addendum (the UK Addendum to the EU SCCs) or idta"]


def test_us_adequacy_only_for_dpf_certified_recipients(tmp_path):
    text = edit(POSTBOX_UK, "        safeguard: adequacy\n        safeguard_uk: adequacy\n")
    line = line_of(text, "safeguard: adequacy", 0)
    found = problems_of(tmp_path, text)
    assert found == [
        f"catalog.yaml:{line}:20: warning: datasets[0].recipients[0].safeguard: 'adequacy' for "
        "gdpr data: EU adequacy for the US covers only organisations certified under the Data "
        "Privacy Framework: set dpf_certified: true if this one is, else name its safeguard",
        f"catalog.yaml:{line + 1}:23: warning: datasets[0].recipients[0].safeguard_uk: "
        "'adequacy' for uk_gdpr data: UK adequacy for the US covers only organisations "
        "certified under the Data Privacy Framework: set dpf_certified: true if this one is, "
        "else name its safeguard"]
    certified = text.replace("        safeguard: adequacy\n",
                             "        dpf_certified: true\n        safeguard: adequacy\n", 1)
    assert problems_of(tmp_path, certified) == []


def test_dpf_is_for_us_recipients_only(tmp_path):
    text = edit("        country: IE\n", "        country: IE\n        dpf_certified: true\n")
    line = line_of(text, "dpf_certified: true")
    assert errors(write(tmp_path, text)) == [
        f"catalog.yaml:{line}:24: datasets[1].recipients[0].dpf_certified: the Data Privacy "
        "Framework certifies US organisations only; this recipient is in IE"]


def test_processor_without_contract_and_interests_unstated(tmp_path):
    text = edit('        contract: "https://legal.acme-retail.example/dpa/postbox-mail"\n', "")
    text = text.replace('    legitimate_interest:\n      interest: "Reviewing past conversations to '
                        'train our support agents and improve our answers"\n      assessment: '
                        '"https://wiki.acme-retail.example/privacy/lia/support-quality"\n', "")
    found = problems_of(tmp_path, text)
    assert found == [
        f"catalog.yaml:{line_of(text, 'role: processor')}:15: warning: datasets[0]."
        "recipients[0].role: a processor needs an Art. 28(3) contract: link it in `contract`",
        f"catalog.yaml:{line_of(text, 'legal_basis: legitimate_interests')}:22: warning: "
        "datasets[6].uses[1].legal_basis: a use rests on legitimate interests: state them in "
        "the dataset's legitimate_interest (GDPR Art. 13(1)(d))"]


def test_law_field_shapes_are_located_errors(tmp_path):
    text = edit("    automated_decisions: none\n", "    automated_decisions: maybe\n")
    text = text.replace("dpia: {status: completed, link: \"https://wiki.acme-retail.example/"
                        "privacy/dpia/checkout\"}", "dpia: {status: sometimes}")
    text = text.replace("    legitimate_interest:\n", "    automated_decisions: {logic: scores}\n"
                        "    legitimate_interest:\n").replace(
        "      assessment: \"https://wiki.acme-retail.example/privacy/lia/support-quality\"\n"
        "    automated_decisions: none\n",
        "      assessment: \"https://wiki.acme-retail.example/privacy/lia/support-quality\"\n")
    assert errors(write(tmp_path, text)) == [
        f"catalog.yaml:{line_of(text, 'maybe')}:26: datasets[0].automated_decisions: 'maybe' is "
        "not valid: expected 'none' or a mapping with logic, significance",
        f"catalog.yaml:{line_of(text, 'sometimes')}:20: datasets[1].dpia.status: 'sometimes' is "
        "not one of ['not_required', 'required', 'in_progress', 'completed']",
        f"catalog.yaml:{line_of(text, 'logic: scores')}:26: datasets[6].automated_decisions: "
        "'significance' is a required property"]


def test_subject_type_is_string_or_number_and_needs_a_subject_key(tmp_path):
    text = edit("        subject_key: customer_id\n        ttl_attribute: expires_at",
                "        subject_key: customer_id\n        subject_type: number\n"
                "        ttl_attribute: expires_at")
    catalog = load_catalog(write(tmp_path, text))
    assert catalog.store("acme-customer-index")[1].subject_type == "number"
    assert catalog.store("acme-customer-profiles")[1].subject_type == "string"  # the default

    bad = text.replace("subject_type: number", "subject_type: integer")
    [message] = errors(write(tmp_path, bad))
    assert message.startswith(f"catalog.yaml:{line_of(bad, 'subject_type')}:23: "
                              "datasets[0].storage[1].subject_type: 'integer' is not one of")
    keyless = text.replace("        subject_key: customer_id\n        subject_type", "        subject_type")
    [message] = errors(write(tmp_path, keyless))
    assert message == (f"catalog.yaml:{line_of(keyless, 'subject_type')}:23: "
                       "datasets[0].storage[1].subject_type: subject_type is the type of the ids "
                       "in subject_key; declare subject_key")


@pytest.mark.parametrize(("written", "people"), [
    ("850000", 850_000), ("0", 0), ("1e6", 1_000_000), ("'120k'", 120_000), ("2M", 2_000_000),
    ("1.5B", 1_500_000_000),
])
def test_volume_is_a_count_or_an_order_of_magnitude(tmp_path, monkeypatch, written, people):
    text = edit("    volume: 40000\n", f"    volume: {written}\n")
    monkeypatch.chdir(tmp_path)
    catalog = load_catalog(write(tmp_path, text).name)
    assert catalog.dataset("store_location_pings").volume == people
    assert catalog.dataset("marketing_engagement").volume is None  # not declared


@pytest.mark.parametrize(("written", "col", "message"), [
    ("-5", 13, "-5 is less than the minimum of 0"),
    ("1.5", 13, "expected an integer or text, found 1.5"),
    ("a lot", 13, "'a lot' does not match a number of people such as 120000, or an order of "
     "magnitude such as '120k', '2M' or '1.5B'"),
    ("2 million", 13, "'2 million' does not match a number of people such as 120000, or an order "
     "of magnitude such as '120k', '2M' or '1.5B'"),
])
def test_a_volume_that_is_no_number_of_people_is_a_located_error(tmp_path, written, col, message):
    text = edit("    volume: 40000\n", f"    volume: {written}\n")
    assert errors(write(tmp_path, text)) == [
        f"catalog.yaml:{line_of(text, f'volume: {written}')}:{col}: datasets[2].volume: {message}"
    ]


def test_record_costs_load_and_name_value_groups(tmp_path, example_catalog):
    assert example_catalog.organization.record_cost("government_id") == 300
    assert example_catalog.organization.record_cost("health") is None  # the table's default
    text = edit("    government_id: 300\n", "    goverment_id: 300\n    health: 0\n")
    text = text.replace("    location: 25\n", "    location: cheap\n")
    assert errors(write(tmp_path, text)) == [
        f"catalog.yaml:{line_of(text, 'goverment_id: 300')}:19: organization.record_costs."
        "goverment_id: 'goverment_id' is not a value group; did you mean 'government_id'?",
        f"catalog.yaml:{line_of(text, 'health: 0')}:13: organization.record_costs.health: "
        "0 is less than or equal to the minimum of 0",
        f"catalog.yaml:{line_of(text, 'location: cheap')}:15: organization.record_costs.location: "
        "expected a number, found text",
    ]


def test_database_stores_load_with_tables_children_and_connection(example_catalog):
    dataset, st = example_catalog.store("acme-shop-db")
    assert dataset.id == "orders_payments" and st.kind == "aurora" and st.database_store
    assert (st.engine, st.database, st.connection.iam_user) == ("postgres", "shop",
                                                                "guardian_privacy")
    [customers] = st.tables
    assert (customers.name, customers.subject_column) == ("customers", "customer_ref")
    [orders] = customers.children
    assert (orders.table, orders.foreign_key) == ("orders", "customer_id")
    assert [(c.table, c.foreign_key) for c in orders.children] == [("order_items", "order_id")]
    assert st.locatable and customers.loc.line == line_of(EXAMPLE, "- name: customers")


DB = """        connection:
          iam_auth: {user: guardian_privacy}   # granted rds_iam; no password anywhere"""


@pytest.mark.parametrize("old, new, needle, field, message", [
    ("engine: postgres", "engine: postgress", "engine: postgress", "engine",
     "'postgress' is not one of ['postgres', 'mysql']; did you mean 'postgres'?"),
    ("name: acme-shop-db ", "name: Acme_Shop_DB ", "Acme_Shop_DB", "name",
     "'Acme_Shop_DB' is not an RDS cluster identifier: 1 to 63 lowercase letters, digits and "
     "single hyphens, starting with a letter"),
    (DB, DB + "\n          dsn_env: SHOP_DSN", "iam_auth:", "connection",
     "exactly one of dsn_env, secret_arn, iam_auth says how to connect; found dsn_env, "
     "iam_auth"),
    ("        database: shop\n", "        database: shop\n        subject_key: customer_ref\n",
     "subject_key: customer_ref", "subject_key",
     "a database store names its subject per table: tables[].subject_column"),
    ("{table: order_items, foreign_key: order_id}", "{table: Customers, foreign_key: order_id}",
     "{table: Customers,", "tables[0].children[0].children[0].table",
     "table 'Customers' appears twice in this store; declare each table once (a child under one "
     "parent)"),
    ("{table: order_items, foreign_key: order_id}", "{table: order_items, foreign_key: ordr}",
     None, None, None),  # any column name is the catalog's to make: checked at run time
    ("            subject_column: customer_ref\n", "            subject_colum: customer_ref\n",
     "- name: customers", "tables[0]",
     "unknown field 'subject_colum'; allowed: name, subject_column, columns, children; did "
     "you mean 'subject_column'?"),
    ("        engine: postgres\n", "", "kind: aurora", "",
     "'engine' is a required property"),
])
def test_database_store_mistakes_are_located(tmp_path, old, new, needle, field, message):
    text = edit(old, new)
    found = errors(write(tmp_path, text))
    if message is None:
        assert found == []
        return
    line = line_of(text, needle)
    at = f"datasets[1].storage[1].{field}".rstrip(".")
    assert [e for e in found if f"catalog.yaml:{line}:" in e and f" {at}: " in e
            and e.endswith(message)], found


def test_database_fields_belong_to_database_stores_only(tmp_path):
    text = edit("        index: by-customer\n",
                "        index: by-customer\n        engine: postgres\n        tables: []\n")
    found = errors(write(tmp_path, text))
    assert any(e.endswith("datasets[1].storage[0].engine: engine applies to rds and aurora "
                          "stores only") for e in found), found
    text = edit("        database: shop\n", "        database: shop\n        index: by-customer\n")
    assert any("index applies to dynamodb stores only" in e
               for e in errors(write(tmp_path, text)))
