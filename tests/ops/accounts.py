"""For the tests of several AWS accounts: a catalog of two datasets whose storage entries the
test writes, and clients inside a moto member account."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

DATASET = """\
  - id: {id}
    name: {name}
    owner: team-{id}
    classification: internal
    categories: [user.contact.email]
    subjects: [{subjects}]
    jurisdictions: [gdpr]
    residency: [eu]
    retention: {{days: 30}}
    uses: [{{use: essential.service, legal_basis: contract}}]
    storage:
{storage}
"""


def catalog_text(orders: str, payroll: str | None = None) -> str:
    """`orders` (customers) and, when its storage is given, `payroll` (employees); each
    argument the YAML lines of its `storage` list."""
    datasets = DATASET.format(id="orders", name="Orders", subjects="customer", storage=orders)
    if payroll is not None:
        datasets += DATASET.format(id="payroll", name="Payroll", subjects="employee",
                                   storage=payroll)
    return ("version: 1\norganization: {name: Acme, contact: privacy@acme.example}\n"
            "datasets:\n" + datasets)


def member_client(url: str, account: str, service: str, region: str) -> Any:
    """A client acting in `account`: moto ties the credentials of a role assumed there to it
    (the role need not exist)."""
    creds = boto3.client("sts", region_name=region, endpoint_url=url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")["Credentials"]
    return boto3.client(service, region_name=region, endpoint_url=url,
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def credentials_xml(credentials: str) -> bytes:
    """An AssumeRole answer (STS's XML) holding `credentials`."""
    return (f"<AssumeRoleResponse><AssumeRoleResult><Credentials>{credentials}</Credentials>"
            "</AssumeRoleResult></AssumeRoleResponse>").encode()


def expiring_in(minutes: int) -> Callable[[bytes], bytes]:
    """For the fault proxy: an AssumeRole answer whose credentials expire `minutes` from now."""
    def rewrite(body: bytes) -> bytes:
        when = (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out, n = re.subn(rb"<Expiration>[^<]*</Expiration>",
                         f"<Expiration>{when}</Expiration>".encode(), body)
        assert n == 1, body
        return out
    return rewrite


def regions_xml(*items: str) -> bytes:
    """An ec2:DescribeRegions answer of these <item> contents, as EC2 writes it."""
    return ("<DescribeRegionsResponse><regionInfo>" + "".join(
        f"<item>{i}</item>" for i in items) + "</regionInfo></DescribeRegionsResponse>").encode()


def enabled(*regions: str) -> bytes:
    """An ec2:DescribeRegions answer: these regions, enabled."""
    return regions_xml(*(f"<regionName>{r}</regionName><optInStatus>opt-in-not-required"
                         "</optInStatus>" for r in regions))
