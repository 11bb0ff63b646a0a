"""The region table agrees with botocore and with the facts in the notes."""

from __future__ import annotations

import botocore.session

from guardian.catalog import regions


def botocore_regions() -> set[str]:
    data = botocore.session.get_session().get_data("endpoints")
    # The isolated partitions (aws-iso*) hold no customer data a catalog would name.
    return {
        r
        for p in data["partitions"]
        if not p["partition"].startswith("aws-iso")
        for r in p["regions"]
    }


def test_every_botocore_region_is_in_the_table():
    assert botocore_regions() - set(regions.REGIONS) == set()


def test_table_only_names_real_regions_or_ones_announced_in_the_notes():
    announced = {"sa-west-1", "me-west-1"}  # in the notes; newer than this botocore
    assert set(regions.REGIONS) - botocore_regions() <= announced


def test_groups_and_adequacy():
    assert regions.allowed_regions(["eu"]) == [
        "eu-west-1",
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-3",
        "eusc-de-east-1",
    ]
    assert regions.allowed_regions(["uk", "eu-west-1"]) == ["eu-west-2", "eu-west-1"]
    assert not regions.region_allowed("eu-west-2", ["eu"])  # the UK left the EU
    assert (
        regions.REGIONS["eu-central-2"].group == "ch"
        and regions.REGIONS["eu-central-2"].eu_adequate
    )
    assert not regions.REGIONS["sa-east-1"].eu_adequate
    assert regions.eu_adequate_country("jp") and not regions.eu_adequate_country("BR")
    assert (
        regions.is_known("us")
        and regions.is_known("ap-southeast-6")
        and not regions.is_known("mars")
    )
