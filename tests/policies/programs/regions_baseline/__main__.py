"""Records kept in three EU regions, each with its own alert route and GuardDuty detector."""

import sys
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

records = {"privacy:dataset": "records"}
contacts = ["security@fixture.example"]
frankfurt = pulumi.ResourceOptions(provider=aws.Provider("frankfurt", region="eu-central-1"))


def volume(name: str, key: aws.kms.Key, az: str, **kw: Any) -> aws.ebs.Volume:
    return aws.ebs.Volume(name, availability_zone=az, size=50, encrypted=True,
                          kms_key_id=key.arn, tags=records, **kw)


kit.audit("audit", [], [], contacts)
kit.alerts("home", contacts, events=False)
volume("records-volume", kit.key("records-key"), "eu-west-1a")

kit.alerts("frankfurt", contacts, opts=frankfurt)
volume("records-frankfurt", kit.key("records-key-frankfurt", opts=frankfurt), "eu-central-1a",
       opts=frankfurt)

kit.alerts("stockholm", contacts, region="eu-north-1")
volume("records-stockholm", kit.key("records-key-stockholm", region="eu-north-1"),
       "eu-north-1a", region="eu-north-1")
