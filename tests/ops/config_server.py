"""AWS Config's aggregator API over HTTP for the tests: moto 5 has no SelectAggregateResourceConfig
and answers aggregate reads for the caller's account only, so this server answers them itself,
for configuration items of any number of accounts and regions (the fixtures), in AWS Config's
JSON protocol (awsJson1_1: `POST /`, `X-Amz-Target: StarlingDoveService.<Operation>`, errors
as `{"__type", "message"}` with HTTP 400).

It is the fault proxy (tests/ops/proxy.py) with those two operations answered here: every
other call (STS, the direct reads of what Config does not record) goes to the moto server,
and the proxy's faults (deny, throttle, ...) apply to Config's calls too.

SelectAggregateResourceConfig: the advanced query subset Guardian sends (`SELECT <fields>
WHERE <field> IN (...) [AND <field> IN (...)]...`), `Limit` at most 100 (else
InvalidLimitException), pages of `page` rows with `NextToken`; deleted items are listed, with
their status, as Config lists them. BatchGetAggregateResourceConfig: at most 100 identifiers
(else ValidationException); BaseConfigurationItems without tags; deleted items left out; an
identifier in `unprocessed` is left unprocessed that many times first.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.ops.proxy import FaultProxy, _Handler

FIXTURES = Path(__file__).parent / "fixtures" / "aws_config"
TARGET = "StarlingDoveService."
BASE_FIELDS = ("version", "accountId", "configurationItemCaptureTime", "configurationItemStatus",
               "configurationStateId", "arn", "resourceType", "resourceId", "resourceName",
               "awsRegion", "availabilityZone", "resourceCreationTime", "configuration",
               "supplementaryConfiguration")
TIMES = ("configurationItemCaptureTime", "resourceCreationTime")


def load(name: str, **values: str) -> list[dict[str, Any]]:
    """The configuration items of a fixture file, `{NAME}` placeholders filled in."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return list(json.loads(text)["configurationItems"])


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Aggregator:
    items: list[dict[str, Any]]
    page: int = 100  # rows a Select page holds at most (AWS: Limit, at most 100)
    unprocessed: dict[str, int] = field(default_factory=dict)  # resourceId -> times left out
    calls: Counter[str] = field(default_factory=Counter)

    def select(self, body: dict[str, Any]) -> dict[str, Any]:
        self.calls["SelectAggregateResourceConfig"] += 1
        limit = body.get("Limit") or 25
        if not 0 < limit <= 100:
            raise Refused("InvalidLimitException", f"Limit {limit} is not in 1..100")
        m = re.fullmatch(r"SELECT (.+?) WHERE (.+)", body.get("Expression", ""), re.S)
        if not m:
            raise Refused("InvalidExpressionException", "not a SELECT ... WHERE ...")
        fields = [f.strip() for f in m[1].split(",")]
        conditions = {name: {v.replace("''", "'") for v in
                             re.findall(r"'((?:[^']|'')*)'", values)}
                      for name, values in re.findall(r"(\w+) IN \(([^)]*)\)", m[2])}
        rows = [i for i in self.items
                if all(i.get(name) in allowed for name, allowed in conditions.items())]
        try:
            start = int(body.get("NextToken") or 0)
        except ValueError:
            raise Refused("InvalidNextTokenException", "bad NextToken") from None
        end = start + min(limit, self.page)
        out: dict[str, Any] = {"Results": [json.dumps(_project(i, fields))
                                           for i in rows[start:end]],
                               "QueryInfo": {"SelectFields": [{"Name": f} for f in fields]}}
        if end < len(rows):
            out["NextToken"] = str(end)
        return out

    def batch_get(self, body: dict[str, Any]) -> dict[str, Any]:
        self.calls["BatchGetAggregateResourceConfig"] += 1
        wanted = body.get("ResourceIdentifiers") or []
        if not 1 <= len(wanted) <= 100:
            raise Refused("ValidationException",
                          f"{len(wanted)} ResourceIdentifiers: 1 to 100 are accepted")
        found, left = [], []
        for ident in wanted:
            rid = ident["ResourceId"]
            if self.unprocessed.get(rid, 0) > 0:
                self.unprocessed[rid] -= 1
                left.append(ident)
                continue
            for i in self.items:
                if (i.get("accountId"), i.get("awsRegion"), i.get("resourceType"),
                        i.get("resourceId")) == (
                        ident["SourceAccountId"], ident["SourceRegion"], ident["ResourceType"],
                        rid) and i.get("configurationItemStatus") not in (
                        "ResourceDeleted", "ResourceDeletedNotRecorded"):
                    found.append({k: _epoch(i[k]) if k in TIMES else i[k]
                                  for k in BASE_FIELDS if k in i})
        return {"BaseConfigurationItems": found, "UnprocessedResourceIdentifiers": left}


def _epoch(value: Any) -> Any:
    """A time as BaseConfigurationItem carries it on the wire: seconds since the epoch."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return value


def _project(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """A Select row: the fields asked for; tags as the query language gives them."""
    out = {}
    for f in fields:
        if f == "tags":
            out["tags"] = [{"key": k, "value": v, "tag": f"{k}={v}"}
                           for k, v in (item.get("tags") or {}).items()]
        elif f in item:
            out[f] = item[f]
    return out


@dataclass
class ConfigServer(FaultProxy):
    """The fault proxy in front of moto, answering Config's aggregate reads from `aggregators`
    (by name); an unknown name is NoSuchConfigurationAggregatorException."""

    aggregators: dict[str, Aggregator] = field(default_factory=dict)

    def handler(self) -> type[_Handler]:
        return _ConfigHandler


class _ConfigHandler(_Handler):
    owner: ConfigServer

    def _forward(self, body: bytes, rewrite: Callable[[bytes], bytes] | None = None) -> None:
        target = self.headers.get("X-Amz-Target") or ""
        if not target.startswith(TARGET):
            super()._forward(body, rewrite)
            return
        operation = target[len(TARGET):]
        try:
            request = json.loads(body or b"{}")
            aggregator = self.owner.aggregators.get(request.get("ConfigurationAggregatorName"))
            if aggregator is None:
                raise Refused("NoSuchConfigurationAggregatorException",
                              "The configuration aggregator does not exist")
            if operation == "SelectAggregateResourceConfig":
                answer = aggregator.select(request)
            elif operation == "BatchGetAggregateResourceConfig":
                answer = aggregator.batch_get(request)
            else:
                raise Refused("UnknownOperationException", operation)
        except Refused as exc:
            self._send(400, {"Content-Type": "application/x-amz-json-1.1",
                             "x-amzn-RequestId": "config-server"},
                       json.dumps({"__type": exc.code, "message": str(exc)}).encode())
            return
        self._send(200, {"Content-Type": "application/x-amz-json-1.1",
                         "x-amzn-RequestId": "config-server"}, json.dumps(answer).encode())
