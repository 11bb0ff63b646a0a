"""Clients whose chosen operation misbehaves: the failures a real run meets, injected at will.

The real call still goes to the moto server over HTTP; the proxy only decides, per call,
whether to fail before it, fail after it (the server acted but the answer was lost), or bend
its answer (partial BatchWriteItem, per-key DeleteObjects errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.exceptions

Fault = Callable[[Callable[..., Any], dict[str, Any], int], Any]  # (real call, kwargs, n) -> answer


class FaultyClients:
    def __init__(self, clients: Any, operation: str, fault: Fault) -> None:
        self.clients, self.operation, self.fault = clients, operation, fault
        self.calls = 0

    def __call__(self, service: str, region: str | None = None) -> Any:
        return _Proxy(self.clients(service, region), self)


class _Proxy:
    def __init__(self, client: Any, owner: FaultyClients) -> None:
        self._client, self._owner = client, owner

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if name != self._owner.operation:
            return real

        def call(**kwargs: Any) -> Any:
            self._owner.calls += 1
            return self._owner.fault(real, kwargs, self._owner.calls)

        return call


def connection_lost(after: int, *, response_lost: bool) -> Fault:
    """Calls 1..after go through; later ones fail like a dropped connection, either before
    reaching the server or after the server has acted (`response_lost`)."""

    def fault(real: Callable[..., Any], kwargs: dict[str, Any], n: int) -> Any:
        if n <= after:
            return real(**kwargs)
        if response_lost:
            real(**kwargs)
        raise botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1")

    return fault


def half_unprocessed(times: int) -> Fault:
    """The first `times` BatchWriteItem calls write only half and hand back the rest."""

    def fault(real: Callable[..., Any], kwargs: dict[str, Any], n: int) -> Any:
        if n > times:
            return real(**kwargs)
        (table, requests), = kwargs["RequestItems"].items()
        keep, back = requests[: len(requests) // 2], requests[len(requests) // 2:]
        if keep:
            real(RequestItems={table: keep})
        return {"UnprocessedItems": {table: back} if back else {}}

    return fault


def s3_key_errors(code: str, times: int, match: Callable[[str], bool], *,
                  with_version: bool = True) -> Fault:
    """The first `times` DeleteObjects calls fail the matching keys with `code` (per key, in
    the response's Errors, as S3 does; without their VersionId unless `with_version`) and
    delete the rest."""

    def fault(real: Callable[..., Any], kwargs: dict[str, Any], n: int) -> Any:
        if n > times:
            return real(**kwargs)
        objects = kwargs["Delete"]["Objects"]
        failing = [o for o in objects if match(o["Key"])]
        rest = [o for o in objects if not match(o["Key"])]
        response = real(**{**kwargs, "Delete": {**kwargs["Delete"], "Objects": rest}}) \
            if rest else {}
        errors = [{"Key": o["Key"], **({"VersionId": o["VersionId"]} if with_version and
                                       o.get("VersionId") else {}),
                   "Code": code, "Message": "injected"} for o in failing]
        return {**response, "Errors": [*response.get("Errors", ()), *errors]}

    return fault
