"""Planning an erasure: subject ids that cannot widen a prefix, legal holds, unknown datasets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.erasure.plan import plan_erasure, subject_prefix, validate_subject_id
from guardian.errors import UserError

BAD_IDS = ["", "*", "abc*", "a/b", "/", "..", "a..b", ".", ".hidden", " abc", "abc ", "a b",
           "a\nb", "a\x00b", "a\tb", "a?b", "a%2Fb", "a\\b", "ab\x7f", "é", "-abc",
           "x" * 257, "a\u202eb"]


@pytest.mark.parametrize("subject", BAD_IDS)
def test_unsafe_subject_ids_are_refused(subject: str) -> None:
    with pytest.raises(UserError, match="subject id"):
        validate_subject_id(subject)


@pytest.mark.parametrize("subject", ["abc", "c-000123", "jane.doe@example.com", "a+b=c:d_e", "7"])
def test_safe_subject_ids_pass(subject: str) -> None:
    assert validate_subject_id(subject) == subject


def test_prefix_ends_after_the_id_so_abc_never_matches_abcd() -> None:
    assert subject_prefix("customers/{subject_id}/", "abc") == "customers/abc/"
    assert not "customers/abcd/x.json".startswith(subject_prefix("customers/{subject_id}/", "abc"))


@pytest.mark.parametrize("template", ["customers/{subject_id}", "{subject_id}x/",
                                      "a/{subject_id}/{subject_id}/", "customers/"])
def test_templates_that_could_widen_are_refused(template: str) -> None:
    with pytest.raises(UserError, match="subject_key"):
        subject_prefix(template, "abc")


ids = st.text(alphabet="ab1.@-_+=:", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(ids, ids)
def test_a_valid_prefix_never_covers_another_valid_subject(a: str, b: str) -> None:
    try:
        validate_subject_id(a)
        validate_subject_id(b)
    except UserError:
        return
    template = "customers/{subject_id}/"
    if a != b:
        assert not (subject_prefix(template, b) + "doc.json").startswith(
            subject_prefix(template, a))


def test_plan_covers_every_store_and_skips_the_legal_hold(example_catalog) -> None:
    plan = plan_erasure(example_catalog, "c-1")
    stores = {t.store: t for t in plan.targets}
    assert set(stores) == {st.name for ds in example_catalog.datasets for st in ds.storage}
    held = stores["acme-employee-records"]
    assert held.skip and "legal hold" in held.skip and "Employment and tax law" in held.skip
    assert stores["acme-customer-profiles"].prefix == "customers/c-1/"
    assert stores["acme-orders"].index == "by-customer" and stores["acme-orders"].skip is None
    assert "acme-employee-records" not in {t.store for t in plan.active}


def test_plan_for_chosen_datasets_only(example_catalog) -> None:
    plan = plan_erasure(example_catalog, "c-1", ["orders_payments"])
    assert [t.store for t in plan.targets] == ["acme-orders"]


def test_unknown_dataset_names_close_matches_and_every_known_one(example_catalog) -> None:
    known = ", ".join(sorted(example_catalog.dataset_ids))
    with pytest.raises(UserError) as caught:
        plan_erasure(example_catalog, "c-1", ["order_payments"])
    assert str(caught.value) == ("--dataset 'order_payments' is not in the catalog; did you "
                                 f"mean orders_payments? known: {known}")
    with pytest.raises(UserError) as caught:
        plan_erasure(example_catalog, "c-1", ["nosuch"])
    assert str(caught.value) == f"--dataset 'nosuch' is not in the catalog; known: {known}"
