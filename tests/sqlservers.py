"""Real database servers for the tests: Debian's PostgreSQL and MariaDB, started in a temporary
directory, listening on a unix socket there and on no TCP port (so no port can be taken from
under them), as the unprivileged `postgres` / `mysql` user when the tests run as root.

A server that does not answer within its deadline is killed and the test errors; nothing
waits forever. `available()` says whether the binaries are installed: tests skip only when
they are not (CI installs them: .ci/run).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

START_SECONDS = 90


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _mariadb() -> tuple[str, str] | None:
    server = shutil.which("mariadbd") or shutil.which("mysqld", path="/usr/sbin:/usr/bin")
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    return (server, install) if server and install else None


def available(engine: str) -> bool:
    return (_postgres_bin() if engine == "postgres" else _mariadb()) is not None


@dataclass(frozen=True)
class Server:
    engine: str  # postgres | mysql
    socket_dir: Path
    user: str

    def dsn(self, database: str) -> str:
        """The connection string guardian reads from a `dsn_env` variable."""
        if self.engine == "postgres":
            return f"postgresql://{self.user}@/{database}?host={quote(str(self.socket_dir))}"
        return (f"mysql://{self.user}@localhost/{database}"
                f"?unix_socket={quote(str(self.socket_dir / 'mysql.sock'))}")

    def connect(self, database: str):  # type: ignore[no-untyped-def]
        """An autocommit connection for setting up fixtures."""
        if self.engine == "postgres":
            import psycopg

            return psycopg.connect(host=str(self.socket_dir), user=self.user, dbname=database,
                                   autocommit=True, connect_timeout=10)
        import pymysql

        return pymysql.connect(unix_socket=str(self.socket_dir / "mysql.sock"), user=self.user,
                               database=database or None, autocommit=True, connect_timeout=10,
                               charset="utf8mb4")

    def create_database(self, name: str) -> None:
        with self.connect("postgres" if self.engine == "postgres" else "") as conn:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {name}")
                cur.execute(f"CREATE DATABASE {name}"
                            + (" CHARACTER SET utf8mb4" if self.engine == "mysql" else ""))


def _as(user: str | None) -> Callable[[], None] | None:
    """Drop to `user` in the child (the servers refuse to run as root)."""
    if user is None:
        return None
    entry = pwd.getpwnam(user)

    def drop() -> None:
        os.setgid(entry.pw_gid)
        os.initgroups(user, entry.pw_gid)
        os.setuid(entry.pw_uid)

    return drop


def _workdir(owner: str | None) -> Path:
    # /tmp, not pytest's tmp_path: the server's user must be able to reach it
    path = Path(tempfile.mkdtemp(prefix="guardian-sql-", dir="/tmp"))
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _wait(ready: Callable[[], bool], proc: subprocess.Popen, what: str, log: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + START_SECONDS
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{what} did not start within {START_SECONDS}s:\n{tail}")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen, sig: int = signal.SIGINT) -> None:  # type: ignore[type-arg]
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def _run(argv: list[str], user: str | None, log: Path) -> None:
    with log.open("ab") as out:
        subprocess.run(argv, check=True, stdout=out, stderr=subprocess.STDOUT,
                       preexec_fn=_as(user), timeout=START_SECONDS, stdin=subprocess.DEVNULL,
                       cwd=log.parent)  # a directory the server's user may enter


def _connects(server: Server) -> bool:
    try:
        server.connect("postgres" if server.engine == "postgres" else "").close()
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False


@contextmanager
def postgres() -> Iterator[Server]:
    binaries = _postgres_bin()
    assert binaries is not None, "PostgreSQL is not installed"
    user = "postgres" if os.geteuid() == 0 else None
    work = _workdir(user)
    log = work / "server.log"
    try:
        _run([str(binaries / "initdb"), "-D", str(work / "data"), "-U", "guardian",
              "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], user, log)
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [str(binaries / "postgres"), "-D", str(work / "data"), "-k", str(work),
                 "-c", "listen_addresses=", "-c", "fsync=off", "-c", "full_page_writes=off",
                 "-c", "synchronous_commit=off", "-c", "max_connections=40"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=_as(user), start_new_session=True, cwd=work)
        server = Server("postgres", work, "guardian")
        try:
            _wait(lambda: _connects(server), proc, "PostgreSQL", log)
            yield server
        finally:
            _stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def mariadb() -> Iterator[Server]:
    found = _mariadb()
    assert found is not None, "MariaDB is not installed"
    server_bin, install = found
    user = "mysql" if os.geteuid() == 0 else None
    work = _workdir(user)
    log = work / "server.log"
    common = ["--no-defaults", f"--datadir={work / 'data'}", *([f"--user={user}"] if user else [])]
    try:
        _run([install, *common, "--auth-root-authentication-method=normal", "--skip-test-db",
              "--skip-name-resolve"], None, log)
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [server_bin, *common, f"--socket={work / 'mysql.sock'}", "--skip-networking",
                 f"--pid-file={work / 'mariadb.pid'}", f"--log-error={log}",
                 "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0",
                 "--skip-log-bin", "--character-set-server=utf8mb4",
                 "--collation-server=utf8mb4_general_ci"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=work)
        server = Server("mysql", work, "root")
        try:
            _wait(lambda: _connects(server), proc, "MariaDB", log)
            yield server
        finally:
            _stop(proc, signal.SIGTERM)
    finally:
        shutil.rmtree(work, ignore_errors=True)
