"""Control strength by classification: the one table every module and the README follow.

Pure data (no Pulumi import), so the policy layer can hold deployments to the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KeyKind = Literal["s3-managed", "aws-managed", "shared-cmk", "dedicated-cmk"]
# What a breach-detection rule's finding does for the class: block (the rule's severity) or
# advise (low, never blocking at the default threshold).
BreachStance = Literal["blocks", "advisory"]


@dataclass(frozen=True)
class Controls:
    """What a dataset of one classification gets."""

    key: KeyKind  # who holds the key its stores are encrypted under
    data_events: bool  # CloudTrail records every object/item read and write
    vpc_endpoint_only: bool  # stores refuse requests that do not come through the VPC endpoint
    breach_detection: BreachStance  # data events, alert routes, regional detection
    public_read: bool = False  # anyone may read it (never write, never through ACLs); TLS only

    @property
    def customer_managed_key(self) -> bool:
        """A KMS key of our own, rotated yearly, whose policy we control."""
        return self.key in ("shared-cmk", "dedicated-cmk")

    @property
    def sse_algorithm(self) -> str:
        return "AES256" if self.key == "s3-managed" else "aws:kms"


# Whatever the classification: MFA and a one-hour session for every human role (PurposeRole
# requires both of any role the catalog marks `human`), so the table has no column for them.
CONTROLS: dict[str, Controls] = {
    # SSE-S3 is allowed: the data is public, encryption only guards the disks.
    # It may be served to anyone (a website, a published directory), read-only.
    "public": Controls(key="s3-managed", data_events=False, vpc_endpoint_only=False,
                       breach_detection="advisory", public_read=True),
    # SSE-KMS under the AWS-managed key: every use is a KMS call, logged by CloudTrail.
    "internal": Controls(key="aws-managed", data_events=False, vpc_endpoint_only=False,
                         breach_detection="advisory"),
    # A customer-managed key with rotation (shared by confidential datasets), data events.
    "confidential": Controls(key="shared-cmk", data_events=True, vpc_endpoint_only=False,
                             breach_detection="blocks"),
    # A key for this dataset alone, access only through the VPC endpoint.
    "restricted": Controls(key="dedicated-cmk", data_events=True, vpc_endpoint_only=True,
                           breach_detection="blocks"),
}

# Every human role, whatever the class: the longest session (seconds) and the MFA condition key.
HUMAN_MAX_SESSION_SECONDS = 3600
MFA_CONDITION_KEY = "aws:MultiFactorAuthPresent"
# Days a deleted object's old versions stay recoverable before they expire too.
NONCURRENT_VERSION_DAYS = 7
# Days before an unfinished multipart upload is aborted (its parts hold data, unseen).
ABORT_MULTIPART_DAYS = 7
# Days flow logs and other security logs are kept.
SECURITY_LOG_DAYS = 365


def controls_for(classification: str) -> Controls:
    try:
        return CONTROLS[classification]
    except KeyError:
        raise ValueError(
            f"unknown classification {classification!r}; expected one of {', '.join(CONTROLS)}"
        ) from None


def store_controls(name: str, classification: str, *, kms_key_arn: object,
                   vpc_endpoint_id: object, endpoint: str) -> Controls:
    """The class's controls for a store, refusing one built without what they need."""
    controls = controls_for(classification)
    if controls.customer_managed_key and kms_key_arn is None:
        raise ValueError(f"{name}: {classification} data needs kms_key_arn "
                         "(a customer-managed key)")
    if controls.vpc_endpoint_only and vpc_endpoint_id is None:
        raise ValueError(f"{name}: {classification} data needs vpc_endpoint_id "
                         f"(access only through the network's {endpoint} endpoint)")
    return controls
