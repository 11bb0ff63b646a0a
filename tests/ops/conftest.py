"""A real AWS API over HTTP for the operations tests: moto in server mode on 127.0.0.1.

One server process per test session (moto_server.py, serving on a socket this process bound and
hands over, so no port is ever free for another process to take), reset before each test
through its own `/moto-api/reset` endpoint. Never in-process patching: every call goes
through botocore, HTTP and the server's request parsing, like against AWS.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.proxy import FaultProxy

REGION = "eu-west-1"


def _moto_catalog() -> Path:
    """The example catalog less its database store (acme-shop-db connects to a real Aurora
    cluster by IAM authentication): what these moto tests erase and audit. Database stores are
    tested against real servers (tests/ops/test_databases.py). Written once per session."""
    import atexit
    import shutil
    import tempfile

    from tests.conftest import EXAMPLE_CATALOG

    text = EXAMPLE_CATALOG.read_text(encoding="utf-8")
    start = text.index("      - kind: aurora")
    end = text.index("\n\n  - id:", start)
    folder = Path(tempfile.mkdtemp(prefix="guardian-ops-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "catalog.yaml"
    path.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    return path


EXAMPLE_CATALOG = _moto_catalog()


@pytest.fixture(scope="session")
def example_catalog():  # type: ignore[no-untyped-def]
    from guardian.catalog import load_catalog

    catalog = load_catalog(EXAMPLE_CATALOG)
    assert not any(st.database_store for ds in catalog.datasets for st in ds.storage)
    return catalog


MOTO_SERVER = Path(__file__).with_name("moto_server.py")


def listening_socket() -> socket.socket:
    """Bound to a port the kernel picks, already listening: the server inherits it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


@dataclass
class MotoServer:
    url: str
    process: subprocess.Popen  # type: ignore[type-arg]

    def post(self, path: str, body: bytes = b"") -> None:
        req = urllib.request.Request(self.url + path, data=body, method="POST",
                                     headers={"Content-Type": "text/plain"})
        # A reset with AWS managed policies loaded takes seconds; more on a loaded machine.
        with urllib.request.urlopen(req, timeout=120) as resp:
            resp.read()

    def reset(self) -> None:
        self.post("/moto-api/reset")

    def enforce_auth(self, on: bool) -> None:
        """Make the server check IAM permissions on every later request (or stop checking)."""
        self.post("/moto-api/reset-auth", b"0" if on else b"inf")


def start_server(env: dict[str, str]) -> MotoServer:
    """moto_server.py on a socket bound here; returns once it answers (connections made before
    it is ready wait in the socket's queue, they are never refused)."""
    # Not the machine's profile or endpoints: moto's own boto3 calls go through them, and an
    # AWS_PROFILE the server cannot find made it answer 500 to every request.
    env = {k: v for k, v in env.items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
           and not k.startswith("AWS_ENDPOINT_URL")}
    sock = listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        proc = subprocess.Popen([sys.executable, str(MOTO_SERVER), str(sock.fileno())],
                                pass_fds=[sock.fileno()], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env)
    finally:
        sock.close()  # the server holds it now; a dead server's port refuses, never hangs
    server = MotoServer(url, proc)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/moto-api/data.json", timeout=5) as resp:
                resp.read()
            return server
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_server(server)
                raise RuntimeError(f"moto server did not start on {url}") from None
            time.sleep(0.1)


def stop_server(server: MotoServer) -> None:
    """SIGTERM: the server closes its sockets and exits; kill it if it does not."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


# The machine's choices that would take a client elsewhere than the test's moto server.
AWS_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION")
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


def serve(tmp_path_factory: pytest.TempPathFactory, *,
          managed_policies: bool = False) -> Iterator[MotoServer]:
    empty = tmp_path_factory.mktemp("aws")
    env = {**os.environ, **AWS_ENV, "AWS_CONFIG_FILE": str(empty / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(empty / "credentials")}
    if managed_policies:  # AWS managed policies, as in an account; makes each reset ~2 s
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    server = start_server(env)
    try:  # stopped also when the generator is closed early (its user's setup failed)
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    yield from serve(tmp_path_factory)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Dummy credentials and no user AWS config: nothing here can reach a real account."""
    for name in AWS_UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    return tmp_path


@pytest.fixture
def moto(moto_server: MotoServer, aws_env: Path) -> Iterator[MotoServer]:
    """The server with empty state and no permission checks."""
    moto_server.enforce_auth(False)
    moto_server.reset()
    yield moto_server
    moto_server.enforce_auth(False)


@pytest.fixture
def clients(moto: MotoServer):  # type: ignore[no-untyped-def]
    from guardian.aws import Clients

    return Clients(endpoint_url=moto.url, max_attempts=3)


@pytest.fixture
def proxy(moto: MotoServer) -> Iterator[FaultProxy]:
    """The fault proxy in front of the moto server: no faults until a test adds them."""
    running = FaultProxy(moto.url).start()
    yield running
    running.close()
