"""IAM policy documents the modules share, as plain dicts (json.dumps them in an apply)."""

from __future__ import annotations

from typing import Any

from guardian.catalog.actions import DATA_ACTIONS


def deny_insecure_transport(arns: list[str], action: str = "s3:*") -> dict[str, Any]:
    """Refuse every request that does not come over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": arns,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_outside_endpoint(arns: list[str], endpoint_id: str, service: str) -> dict[str, Any]:
    """Refuse every data access (reads, writes, deletes) not arriving through this endpoint."""
    return {
        "Sid": "DenyDataAccessOutsideVpcEndpoint",
        "Effect": "Deny",
        "Principal": "*",
        "Action": list(DATA_ACTIONS[service]),
        "Resource": arns,
        "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint_id}},
    }


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}
