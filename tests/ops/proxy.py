"""A fault proxy: an HTTP server on 127.0.0.1 in front of the moto server that, call by call,
denies, throttles, fails with a 5xx, drops the connection, answers itself (a complete
answer moto lacks, or a truncated one: a success without a field AWS always sends), or
rewrites moto's own answer (an expiry brought forward, ...).

Every request is identified as botocore sends it: the service and region from the SigV4
credential scope, the operation from `X-Amz-Target` (JSON protocols), the `Action` field (query
and EC2 protocols), the path (Smithy RPC v2 CBOR) or the service model's HTTP bindings (REST
protocols, S3 included). Errors are written in each protocol's own wire format, so botocore
parses, classifies and retries them as it would AWS's. Everything not matched by a fault goes
to the moto server unchanged.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server",
              "date"}


@dataclass(frozen=True)
class Call:
    service: str  # the signing name: s3, dynamodb, kms, monitoring, ...
    region: str
    operation: str  # as in the API reference: GetBucketAcl, ListTables, ...
    wire: str = "json"  # how the request was sent, so how an error must come back
    body: bytes = field(default=b"", compare=False)  # the request's, for faults that read it


@dataclass
class Fault:
    """What to do to the calls it matches: `kind` is deny | throttle | error | drop | answer |
    rewrite."""

    kind: str
    service: str
    operation: str | None = None  # None: every operation of the service
    region: str | None = None
    times: int | None = None  # None: every time
    after: int = 0  # let this many matching calls through first
    status: int = 500
    body: Any = None  # answer: the JSON document to return, or the XML (bytes) of REST/query
    rewrite: Callable[[bytes], bytes] | None = None  # rewrite: moto's answer body -> the one sent
    contains: bytes | None = None  # only requests whose body holds this (e.g. an account id)
    lacks: bytes | None = None  # only requests whose body does not (e.g. an external id)
    seen: int = 0
    hits: int = 0

    def matches(self, call: Call) -> bool:
        if not (call.service == self.service and self.operation in (None, call.operation)
                and self.region in (None, call.region)):
            return False
        if self.contains is not None and self.contains not in call.body or \
                self.lacks is not None and self.lacks in call.body:
            return False
        self.seen += 1
        return self.seen > self.after and (self.times is None or self.hits < self.times)


@dataclass
class FaultProxy:
    upstream: str  # http://127.0.0.1:PORT of the moto server
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[Call] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)  # fault kind -> times applied
    latency: float = 0.0  # seconds each call waits first: a round trip to AWS (benches only)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(self.handler()):  # type: ignore[misc]
            owner = proxy

        # Port 0: the kernel picks a free port and it is ours from the bind on, no race.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def handler(self) -> type[_Handler]:
        """The request handler: a subclass may answer some calls itself."""
        return _Handler

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def add(self, kind: str, service: str, operation: str | None = None, **kw: Any) -> Fault:
        """A fault on the service's calls (all, or `operation`'s); the newest wins."""
        fault = Fault(kind, service, operation, **kw)
        self.faults.insert(0, fault)
        return fault

    def count(self, service: str, operation: str | None = None) -> int:
        """Calls the proxy saw (faulted or not) for the service, or one of its operations."""
        return sum(n for c, n in self.calls.items()
                   if c.service == service and operation in (None, c.operation))

    def clear(self) -> None:
        self.faults.clear()
        self.calls.clear()
        self.injected.clear()

    def fault_for(self, call: Call) -> Fault | None:
        with _LOCK:
            self.calls[call] += 1
            for f in list(self.faults):
                if f.matches(call):
                    f.hits += 1
                    self.injected[f.kind] += 1
                    return f
        return None


_LOCK = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart

    def log_message(self, *_: Any) -> None:
        pass

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # a dropped connection has nothing left to flush

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.owner.latency:
            time.sleep(self.owner.latency)
        call = identify(self.command, self.path, dict(self.headers), body)
        fault = self.owner.fault_for(call) if call else None
        if fault is None or fault.kind == "rewrite":
            self._forward(body, fault.rewrite if fault else None)
        elif fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)  # no answer at all: botocore sees the connection go
        elif fault.kind == "answer":  # a success, complete or not: as the test wrote it
            xml = isinstance(fault.body, bytes)
            self._send(200, {"Content-Type": "text/xml" if xml else "application/json"},
                       fault.body if xml else json.dumps(fault.body).encode())
        else:
            assert call is not None
            self._send(*error_response(call, fault))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def _forward(self, body: bytes, rewrite: Callable[[bytes], bytes] | None = None) -> None:
        target = urlsplit(self.owner.upstream)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("connection", "expect")}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if rewrite is not None:
                data = rewrite(data)
            self._send(resp.status, {k: v for k, v in resp.getheaders()
                                     if k.lower() not in HOP_BY_HOP}, data)
        finally:
            conn.close()

    def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


# --- which call is this ------------------------------------------------------------------------

def identify(method: str, path: str, headers: dict[str, str], body: bytes) -> Call | None:
    scope = _SCOPE.search(headers.get("Authorization", ""))
    if not scope:
        return None
    region, service = scope.groups()
    target = headers.get("X-Amz-Target")
    if target:
        return Call(service, region, target.rsplit(".", 1)[-1], "json", body)
    url = urlsplit(path)
    if "/operation/" in url.path:  # Smithy RPC v2 CBOR: /service/<name>/operation/<op>
        return Call(service, region, url.path.rsplit("/", 1)[-1], "cbor")
    if method == "POST" and body.startswith(b"Action="):
        wire = "ec2" if service == "ec2" else "query"
        return Call(service, region, parse_qs(body.decode())["Action"][0], wire, body)
    wire = "rest-xml" if service == "s3" else "json"
    for verb, pattern, query, name in _rest_routes(service):
        if verb == method and pattern.fullmatch(url.path) and query <= set(
                parse_qs(url.query, keep_blank_values=True)):
            return Call(service, region, name, wire)
    return Call(service, region, f"{method} {url.path}", wire)


@cache
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], frozenset[str], str]]:
    """(method, path regex, required query keys, operation) from the service model, the most
    specific first."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(
        {"monitoring": "cloudwatch"}.get(service, service))
    routes = []
    for name in model.operation_names:
        if model.operation_model(name).deprecated:
            continue  # GetBucketLifecycle shares its route with its successor
        http_ = model.operation_model(name).http
        uri, _, query = http_.get("requestUri", "/").partition("?")
        regex = re.sub(r"\\\{[^}]+?\\\+\\\}", ".+", re.escape(uri))
        regex = re.sub(r"\\\{[^}]+?\\\}", "[^/]+", regex)
        keys = frozenset(q.split("=")[0] for q in query.split("&") if q)
        literal = len(re.sub(r"\{[^}]+\}", "", uri))
        routes.append((literal, len(keys), http_.get("method", "POST"),
                       re.compile(regex.rstrip("/") + "/?"), keys, name))
    routes.sort(key=lambda r: (-r[1], -r[0]))
    return [(m, p, k, n) for _, _, m, p, k, n in routes]


# --- errors as each protocol writes them ---------------------------------------------------------

_CODES = {  # (wire, fault kind) -> (status, code)
    ("json", "deny"): (400, "AccessDeniedException"),
    ("json", "throttle"): (400, "ThrottlingException"),
    ("json", "error"): (500, "InternalServerError"),
    ("query", "deny"): (403, "AccessDenied"),
    ("query", "throttle"): (400, "Throttling"),
    ("query", "error"): (500, "InternalFailure"),
    ("ec2", "deny"): (403, "UnauthorizedOperation"),
    ("ec2", "throttle"): (503, "RequestLimitExceeded"),
    ("ec2", "error"): (500, "InternalError"),
    ("rest-xml", "deny"): (403, "AccessDenied"),
    ("rest-xml", "throttle"): (503, "SlowDown"),
    ("rest-xml", "error"): (500, "InternalError"),
}


def error_response(call: Call, fault: Fault) -> tuple[int, dict[str, str], bytes]:
    family = call.wire
    status, code = _CODES[("json" if family == "cbor" else family, fault.kind)]
    if fault.kind == "error":
        status = fault.status
    message = f"injected by the fault proxy: {fault.kind} {call.operation}"
    if family == "rest-xml":
        return status, {"Content-Type": "application/xml"}, (
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            "<RequestId>proxy</RequestId></Error>").encode()
    if family == "ec2":
        return status, {"Content-Type": "text/xml"}, (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
            "</Errors><RequestID>proxy</RequestID></Response>").encode()
    if family == "query":
        return status, {"Content-Type": "text/xml"}, (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>proxy</RequestId>"
            "</ErrorResponse>").encode()
    headers = {"x-amzn-ErrorType": code, "x-amzn-RequestId": "proxy"}
    if family == "cbor":
        return status, {**headers, "Content-Type": "application/cbor",
                        "smithy-protocol": "rpc-v2-cbor"}, _cbor(
            {"__type": code, "message": message})
    return status, {**headers, "Content-Type": "application/x-amz-json-1.1"}, json.dumps(
        {"__type": code, "message": message}).encode()


def _cbor(doc: dict[str, str]) -> bytes:
    """A CBOR map of short text strings (all an error body needs)."""
    def text(s: str) -> bytes:
        raw = s.encode()
        head = bytes([0x60 + len(raw)]) if len(raw) < 24 else bytes([0x78, len(raw)])
        return head + raw

    return bytes([0xA0 + len(doc)]) + b"".join(text(k) + text(v) for k, v in doc.items())

