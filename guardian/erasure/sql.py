"""Reaching a database store at run time, and what of it outlives an erasure: the edges of
guardian.erasure.database (psycopg 3 for PostgreSQL, PyMySQL for MySQL and MariaDB).

How to connect is the catalog's `connection`: a DSN in an environment variable (used as
written), a Secrets Manager secret (username and password; host and port from the secret, else
from RDS), or RDS IAM authentication (a 15-minute token signed with the caller's credentials).
The last two always use TLS, verified against `ca_bundle` when the catalog names one.
Credentials are never logged, journaled or certified.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from guardian.catalog.model import Storage
from guardian.erasure.database import Connection, Dialect
from guardian.erasure.store import Copy, StoreError, probe

CONNECT_SECONDS = 10
RESTORE = "if it is restored, erase this subject from the restored copy before it is used"
# What the engine keeps of deleted rows until it recycles it.
LOGS = {"postgres": "the write-ahead log (WAL)", "mysql": "the binary log (binlog)"}


def conflicts() -> tuple[type[BaseException], ...]:
    """The drivers' errors for a statement the database refused (a foreign key, a lock
    timeout): the transaction is rolled back and the rows listed again."""
    import psycopg
    import pymysql

    return (psycopg.errors.IntegrityError, psycopg.errors.LockNotAvailable,
            pymysql.err.IntegrityError)


def outages() -> tuple[type[BaseException], ...]:
    """The drivers' errors for a lost server: the run stops and resumes from its journal."""
    import psycopg
    import pymysql

    return (psycopg.OperationalError, pymysql.err.OperationalError)


def _endpoint(st: Storage, clients: Any, region: str) -> tuple[str, int]:
    rds = clients("rds", region)
    try:
        if st.kind == "aurora":
            found = rds.describe_db_clusters(DBClusterIdentifier=st.name)["DBClusters"][0]
            return str(found["Endpoint"]), int(found["Port"])
        found = rds.describe_db_instances(DBInstanceIdentifier=st.name)["DBInstances"][0]
        return str(found["Endpoint"]["Address"]), int(found["Endpoint"]["Port"])
    except Exception as exc:  # noqa: BLE001 - any failure to find it is the store's
        raise StoreError(f"cannot find the endpoint of {st.kind} {st.name!r} in RDS "
                         f"({type(exc).__name__})") from None


def _open(engine: str, *, host: str | None, port: int | None, user: str, password: str | None,
          database: str, tls: bool, ca: str | None, unix_socket: str | None = None) -> Any:
    if engine == "postgres":
        import psycopg

        params: dict[str, Any] = {"host": unix_socket or host, "port": port, "user": user,
                                  "password": password, "dbname": database,
                                  "connect_timeout": CONNECT_SECONDS}
        if tls:
            params.update(sslmode="verify-full" if ca else "require", sslrootcert=ca)
        return psycopg.connect(**{k: v for k, v in params.items() if v is not None})
    import pymysql

    kwargs: dict[str, Any] = {"user": user, "password": password or "", "database": database,
                              "connect_timeout": CONNECT_SECONDS, "charset": "utf8mb4",
                              "autocommit": False}
    if unix_socket:
        kwargs["unix_socket"] = unix_socket
    else:
        kwargs.update(host=host, port=port or 3306)
    if tls:  # TLS always; the server verified only against a named CA bundle
        kwargs.update(ssl={"ca": ca} if ca else {"fake_flag_to_enable_tls": True},
                      ssl_verify_cert=bool(ca), ssl_verify_identity=bool(ca))
    return pymysql.connect(**kwargs)


def _from_dsn(engine: str, dsn: str, ca: str | None) -> Any:
    parts = urlsplit(dsn)
    scheme = parts.scheme.split("+")[0]
    wanted = ("postgresql", "postgres") if engine == "postgres" else ("mysql", "mariadb")
    if scheme not in wanted:
        raise StoreError(f"the connection string is for {scheme or 'nothing'}://, not "
                         f"{wanted[0]}:// (the store's engine is {engine})")
    if engine == "postgres":
        import psycopg

        extra: dict[str, Any] = {"sslrootcert": ca} if ca else {}
        return psycopg.connect(dsn, connect_timeout=CONNECT_SECONDS, **extra)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    ssl = query.get("ssl", query.get("ssl_mode", "")).lower() in ("true", "1", "required",
                                                                  "verify_identity")
    return _open(engine, host=parts.hostname, port=parts.port,
                 user=unquote(parts.username or ""), password=unquote(parts.password or "")
                 or None, database=parts.path.lstrip("/"), tls=ssl or bool(ca), ca=ca,
                 unix_socket=query.get("unix_socket"))


def connect(st: Storage, clients: Any, region: str) -> tuple[Connection, Dialect]:
    """An open connection (not autocommit) to the store's database, or a StoreError saying
    what is missing; the password or token never appears in the message."""
    assert st.connection is not None and st.engine is not None and st.database is not None
    how = st.connection
    try:
        if how.dsn_env:
            dsn = os.environ.get(how.dsn_env)
            if not dsn:
                raise StoreError(f"the environment variable {how.dsn_env} (the catalog's "
                                 "connection.dsn_env) is not set")
            conn = _from_dsn(st.engine, dsn, how.ca_bundle)
        elif how.secret_arn:
            secret = probe(lambda: clients("secretsmanager", region).get_secret_value(
                SecretId=how.secret_arn), absent={"ResourceNotFoundException"})
            if not isinstance(secret, dict):
                raise StoreError(f"cannot read secret {how.secret_arn}: {secret or 'not found'}")
            values = json.loads(secret.get("SecretString") or "{}")
            host, port = values.get("host"), values.get("port")
            if not host:
                host, port = _endpoint(st, clients, region)
            conn = _open(st.engine, host=str(host), port=int(port) if port else None,
                         user=str(values.get("username", "")), password=values.get("password"),
                         database=str(values.get("dbname") or st.database), tls=True,
                         ca=how.ca_bundle)
        else:
            assert how.iam_user is not None
            host, port = _endpoint(st, clients, region)
            token = clients("rds", region).generate_db_auth_token(
                DBHostname=host, Port=port, DBUsername=how.iam_user, Region=region)
            conn = _open(st.engine, host=host, port=port, user=how.iam_user, password=token,
                         database=st.database, tls=True, ca=how.ca_bundle)
    except StoreError:
        raise
    except outages() as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot connect with {how.method}: {first}") from None
    return conn, Dialect(st.engine)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def outliving(st: Storage, clients: Any, region: str,
              now: datetime | None = None) -> tuple[list[Copy], str | None]:
    """The copies an erasure of rows cannot reach, from RDS: automated backups and their
    point-in-time window, snapshots, read replicas; and the engine's log. With the store's
    ARN (for AWS Backup's recovery points), when RDS knows it."""
    assert st.engine is not None
    moment = now or datetime.now(UTC)
    engine_log = Copy("logs", f"{LOGS[st.engine]} still holds the deleted rows until the "
                      "engine recycles it; point-in-time recovery replays it")
    rds = clients("rds", region)
    aurora = st.kind == "aurora"
    found = probe(lambda: (rds.describe_db_clusters(DBClusterIdentifier=st.name)["DBClusters"]
                           if aurora else rds.describe_db_instances(
                               DBInstanceIdentifier=st.name)["DBInstances"]),
                  absent={"DBClusterNotFoundFault", "DBInstanceNotFound"})
    if not isinstance(found, list) or not found:
        why = found if isinstance(found, str) else "not found in RDS"
        return [engine_log, Copy("backups", f"automated backups and snapshots of {st.kind} "
                                 f"{st.name!r} unknown ({why})")], None
    db = found[0]
    copies = [engine_log]
    days = int(db.get("BackupRetentionPeriod") or 0)
    if days:
        copies.append(Copy("backups", f"automated backups and point-in-time recovery keep the "
                           f"erased rows for {days} days; {RESTORE}",
                           _iso(moment + timedelta(days=days))))
    replicas = ([m["DBInstanceIdentifier"] for m in db.get("DBClusterMembers", ())
                 if not m.get("IsClusterWriter")] if aurora
                else list(db.get("ReadReplicaDBInstanceIdentifiers", ())))
    replicas += list(db.get("ReadReplicaIdentifiers", ())) if aurora else []
    for replica in replicas:
        copies.append(Copy("replicas", f"read replica {replica}: the rows go once it has "
                           "applied the deletion (replication lag)"))
    snaps = probe(lambda: (rds.describe_db_cluster_snapshots(DBClusterIdentifier=st.name)
                           ["DBClusterSnapshots"] if aurora else rds.describe_db_snapshots(
                               DBInstanceIdentifier=st.name)["DBSnapshots"]))
    if isinstance(snaps, str):
        copies.append(Copy("backups", f"snapshots unknown ({snaps})"))
    else:
        for snap in snaps or ():
            name = snap.get("DBClusterSnapshotIdentifier") or snap.get("DBSnapshotIdentifier")
            kind = snap.get("SnapshotType", "manual")
            copies.append(Copy("backups", f"{kind} snapshot {name}: kept until deleted"
                               if kind == "manual" else f"{kind} snapshot {name}; {RESTORE}"))
    arn = db.get("DBClusterArn") if aurora else db.get("DBInstanceArn")
    return copies, (str(arn) if arn else None)
