"""Erasure, access and breach counting in databases against real servers: Debian's PostgreSQL and MariaDB, started by the
fixtures on unix sockets in temporary directories (tests/sqlservers.py), with moto standing in
for RDS, Secrets Manager and AWS Backup. Skipped only where the server binaries are not
installed (.ci/run installs them).

The example shop's schema: customers (the subject's rows, by customer_ref), their orders
(orders.customer_id -> customers.id) and the orders' items (order_items.order_id -> orders.id).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardian.catalog import load_catalog
from guardian.catalog.model import Catalog
from guardian.cli import main
from guardian.erasure.journal import Journal
from guardian.erasure.plan import plan_erasure
from guardian.erasure.run import dry_run, erase_and_certify
from tests import sqlservers
from tests.chance import mentions
from tests.ops.conftest import REGION

ENGINES = ["postgres", "mysql"]
DSN_ENV = {"postgres": "GUARDIAN_TEST_PG_DSN", "mysql": "GUARDIAN_TEST_MYSQL_DSN"}
STORE = {"postgres": "shop-pg", "mysql": "shop-my"}
# "abc" and ids a sloppy comparison would take for it: prefixes, extensions, case variants,
# trailing space (MySQL's PAD SPACE collations), fullwidth and accented twins
SUBJECTS = ["abc", "abcd", "ab", "ABC", "Abc", "abc ", "ａｂｃ", "ábc", "abc\u0301", "xabc"]
TABLES = ("customers", "orders", "order_items")


def _server(engine: str) -> Iterator[sqlservers.Server]:
    if not sqlservers.available(engine):
        pytest.skip(f"{engine} server binaries are not installed (.ci/run installs them)")
    start = sqlservers.postgres if engine == "postgres" else sqlservers.mariadb
    with start() as server:
        yield server


@pytest.fixture(scope="module")
def pg() -> Iterator[sqlservers.Server]:
    yield from _server("postgres")


@pytest.fixture(scope="module")
def maria() -> Iterator[sqlservers.Server]:
    yield from _server("mysql")


@pytest.fixture(params=ENGINES)
def db(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> sqlservers.Server:
    """A fresh `shop` database on the engine's server, its DSN in the catalog's variable."""
    server = request.getfixturevalue("pg" if request.param == "postgres" else "maria")
    server.create_database("shop")
    schema(server)
    monkeypatch.setenv(DSN_ENV[server.engine], server.dsn("shop"))
    return server


def schema(server: sqlservers.Server, cascade_items: bool = False) -> None:
    pg = server.engine == "postgres"
    serial = "SERIAL PRIMARY KEY" if pg else "INT AUTO_INCREMENT PRIMARY KEY"
    text = "TEXT" if pg else "VARCHAR(64)"
    cascade = " ON DELETE CASCADE" if cascade_items else ""
    with server.connect("shop") as conn, conn.cursor() as cur:
        for t in reversed(TABLES):
            cur.execute(f"DROP TABLE IF EXISTS {t}")
        cur.execute(f"CREATE TABLE customers (id {serial}, customer_ref {text} NOT NULL, "
                    f"email {text})")
        cur.execute("CREATE INDEX customers_ref ON customers (customer_ref)")
        cur.execute(f"CREATE TABLE orders (id {serial}, customer_id INT NOT NULL "
                    f"REFERENCES customers (id), total INT)")
        cur.execute(f"CREATE TABLE order_items (id {serial}, order_id INT NOT NULL "
                    f"REFERENCES orders (id){cascade}, sku {text})")


def seed(server: sqlservers.Server, subjects: list[str], per: int = 2) -> None:
    """`per` customer rows per subject, two orders each, two items per order."""
    with server.connect("shop") as conn, conn.cursor() as cur:
        for subject in subjects:
            for c in range(per):
                cur.execute("INSERT INTO customers (customer_ref, email) VALUES (%s, %s)",
                            (subject, f"{c}@{len(subject)}.example"))
                cur.execute("SELECT MAX(id) FROM customers")
                customer = cur.fetchall()[0][0]
                for o in range(2):
                    cur.execute("INSERT INTO orders (customer_id, total) VALUES (%s, %s)",
                                (customer, o))
                    cur.execute("SELECT MAX(id) FROM orders")
                    order = cur.fetchall()[0][0]
                    for i in range(2):
                        cur.execute("INSERT INTO order_items (order_id, sku) VALUES (%s, %s)",
                                    (order, f"sku-{i}"))


def census(server: sqlservers.Server) -> dict[str, dict[str, int]]:
    """{table: {subject: rows}}, every row traced to its customer_ref byte for byte."""
    joins = {
        "customers": "SELECT c.customer_ref FROM customers c",
        "orders": "SELECT c.customer_ref FROM orders o JOIN customers c ON c.id = o.customer_id",
        "order_items": "SELECT c.customer_ref FROM order_items i JOIN orders o ON o.id = "
                       "i.order_id JOIN customers c ON c.id = o.customer_id",
    }
    out: dict[str, dict[str, int]] = {}
    with server.connect("shop") as conn, conn.cursor() as cur:
        for table, query in joins.items():
            cur.execute(query)
            counts: dict[str, int] = {}
            for (ref,) in cur.fetchall():
                counts[ref] = counts.get(ref, 0) + 1
            out[table] = counts
    return out


def without(counts: dict[str, dict[str, int]], subject: str) -> dict[str, dict[str, int]]:
    return {t: {s: n for s, n in by.items() if s != subject} for t, by in counts.items()}


CATALOG = """\
version: 1
organization: {{name: Shop Ltd, contact: privacy@shop.example}}
datasets:
  - id: orders
    name: Order history
    owner: team-shop
    classification: confidential
    categories: [user.contact.email, user.behavior.purchase_history]
    subjects: [customer]
    jurisdictions: [gdpr]
    residency: [eu]
    retention: {{days: 365}}
    uses:
      - {{use: essential.service, legal_basis: contract}}
    breach_contacts: [security@shop.example]
    storage:
{stores}
waivers: []
"""

STORE_ENTRY = """\
      - kind: rds
        name: {name}
        engine: {engine}
        database: shop
        connection: {{dsn_env: {env}}}
        tables:
          - name: {customers}
            subject_column: customer_ref
            columns: [customer_ref, email]
            children:
              - table: orders
                foreign_key: customer_id
                children:
                  - {{table: order_items, foreign_key: order_id{cascade}}}
"""


def catalog_for(tmp_path: Path, engines: list[str], *, customers: str = "customers",
                cascade: bool = False) -> Catalog:
    stores = "".join(STORE_ENTRY.format(
        name=STORE[e], engine=e, env=DSN_ENV[e], customers=customers,
        cascade=", on_delete: cascade" if cascade else "") for e in engines)
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.format(stores=stores), encoding="utf-8")
    return load_catalog(path)


def erase_one(catalog: Catalog, clients: Any, tmp_path: Path, subject: str = "abc",
              journal: Path | None = None) -> dict[str, Any]:
    plan = plan_erasure(catalog, subject)
    with Journal.open(journal or tmp_path / "j.jsonl", subject, (), "catalog.yaml") as j:
        cert, _, _ = erase_and_certify(plan, clients, REGION, j, tmp_path)
    return cert


def test_erasure_removes_exactly_the_subjects_rows_and_children(db, clients, tmp_path):
    seed(db, SUBJECTS)
    before = census(db)
    assert before["customers"]["abc"] == 2 and len(before["customers"]) == len(SUBJECTS)
    catalog = catalog_for(tmp_path, [db.engine])

    cert = erase_one(catalog, clients, tmp_path)

    assert census(db) == without(before, "abc")
    [store] = cert["stores"]
    assert store["status"] == "erased" and cert["status"] == "complete"
    assert store["rows"] == {"customers": 2, "orders": 4, "order_items": 8}
    assert store["deleted"] == 14 and store["remaining"] == 0
    kinds = {c["kind"] for c in store["outliving"]}
    assert "logs" in kinds and "backups" in kinds  # WAL/binlog; backups unknown (not in RDS)
    assert not mentions(cert, "abc")  # the subject only hashed


def test_dry_run_counts_and_samples_without_deleting(db, clients, tmp_path):
    seed(db, SUBJECTS)
    before = census(db)
    [preview] = dry_run(plan_erasure(catalog_for(tmp_path, [db.engine]), "abc"), clients,
                        REGION)
    assert preview.error is None and preview.count == 14
    assert preview.samples[0].startswith("order_items id=")
    assert preview.rows == {"customers": 2, "orders": 4, "order_items": 8}
    assert census(db) == before


def test_identifiers_are_checked_against_the_database_before_anything_runs(db, clients,
                                                                          tmp_path):
    seed(db, SUBJECTS)
    before = census(db)
    cert = erase_one(catalog_for(tmp_path, [db.engine], customers="customer"), clients,
                     tmp_path)
    [store] = cert["stores"]
    assert store["status"] == "failed"
    assert store["error"] == "table 'customer' is not in the database; did you mean " \
        "'customers'?"
    assert census(db) == before


def test_declared_cascade_is_checked_then_left_to_the_database(db, clients, tmp_path):
    seed(db, SUBJECTS)
    before = census(db)
    cert = erase_one(catalog_for(tmp_path, [db.engine], cascade=True), clients, tmp_path)
    assert cert["stores"][0]["status"] == "failed"
    assert "does not cascade" in cert["stores"][0]["error"]
    assert census(db) == before

    schema(db, cascade_items=True)
    seed(db, SUBJECTS)
    before = census(db)
    cert = erase_one(catalog_for(tmp_path, [db.engine], cascade=True), clients,
                     tmp_path / "again")
    assert cert["stores"][0]["status"] == "erased"
    assert cert["stores"][0]["rows"] == {"customers": 2, "orders": 4, "order_items": 8}
    assert census(db) == without(before, "abc")


def test_an_undeclared_table_referencing_the_subject_fails_the_store_cleanly(db, clients,
                                                                            tmp_path):
    seed(db, SUBJECTS)
    with db.connect("shop") as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE reviews (id INT PRIMARY KEY, customer_id INT NOT NULL "
                    "REFERENCES customers (id))")
        cur.execute("INSERT INTO reviews SELECT MIN(id), MIN(id) FROM customers "
                    "WHERE customer_ref = 'abc'")
    before = census(db)
    cert = erase_one(catalog_for(tmp_path, [db.engine]), clients, tmp_path)
    [store] = cert["stores"]
    assert store["status"] == "failed" and "could not all be deleted" in store["error"]
    assert census(db) == before  # every transaction rolled back: nothing half-deleted


def test_interrupted_transaction_is_rolled_back_and_the_run_resumes_exactly(
        db, clients, tmp_path, monkeypatch):
    """A crash inside the transaction (after its DELETEs, before COMMIT): the database rolls
    it back; the resumed run reconciles the journal and ends exactly as an uninterrupted one."""
    from guardian.erasure import database

    seed(db, SUBJECTS, per=3)
    before = census(db)
    catalog = catalog_for(tmp_path, [db.engine])
    monkeypatch.setattr(database, "ROWS_PER_TRANSACTION", 7)  # one customer's rows a page
    real = database.Rows.delete
    calls = {"n": 0}

    def crash_in_second(self: Any, rows: list[Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            with self.conn.cursor() as cur:  # the DELETEs run, then the process "dies"
                cur.execute("DELETE FROM order_items")
            raise KeyboardInterrupt
        real(self, rows)

    monkeypatch.setattr(database.Rows, "delete", crash_in_second)
    journal = tmp_path / "j.jsonl"
    with pytest.raises(KeyboardInterrupt):
        erase_one(catalog, clients, tmp_path, journal=journal)
    after_crash = census(db)
    assert after_crash["order_items"] == {**before["order_items"], "abc": 8}  # 1 of 3 went
    monkeypatch.setattr(database.Rows, "delete", real)

    cert = erase_one(catalog, clients, tmp_path, journal=journal)
    assert census(db) == without(before, "abc")
    assert cert["stores"][0]["rows"] == {"customers": 3, "orders": 6, "order_items": 12}


def test_a_killed_process_resumes_to_the_exact_end_state(pg, clients, moto, tmp_path,
                                                         monkeypatch):
    """`guardian erase` SIGKILLed while its transaction waits on a row lock held here."""
    pg.create_database("shop")
    schema(pg)
    seed(pg, SUBJECTS, per=3)
    before = census(pg)
    monkeypatch.setenv(DSN_ENV["postgres"], pg.dsn("shop"))
    catalog_for(tmp_path, ["postgres"])
    journal, certs = tmp_path / "j.jsonl", tmp_path / "certs"
    argv = [sys.executable, "-c", "import sys; from guardian.cli import main; "
            "sys.exit(main(sys.argv[1:]))", "erase", "--catalog", str(tmp_path / "catalog.yaml"),
            "--endpoint-url", moto.url, "--region", REGION, "--subject", "abc", "--yes",
            "--journal", str(journal), "--certificate-dir", str(certs)]
    locker = pg.connect("shop")
    locker.autocommit = False
    with locker.cursor() as cur:  # hold the subject's last customer row: its DELETE waits
        cur.execute("SELECT id FROM customers WHERE customer_ref = 'abc' ORDER BY id DESC "
                    "LIMIT 1 FOR UPDATE")
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ})
    try:
        deadline = time.monotonic() + 60
        with pg.connect("shop") as watch, watch.cursor() as cur:
            while True:  # its transaction has deleted items and orders, and now waits
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND query LIKE 'DELETE FROM \"customers\"%%'")
                if cur.fetchall()[0][0]:
                    break
                assert time.monotonic() < deadline and proc.poll() is None, "never blocked"
                time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        locker.rollback()
        locker.close()
    # its uncommitted deletes were never visible; the server rolls them back when its backend
    # finds the client gone, and the resumed run's DELETEs wait for that, never for long
    assert census(pg) == before

    assert main(argv[3:]) == 0
    assert census(pg) == without(before, "abc")
    [cert_file] = certs.glob("*.json")
    [store] = json.loads(cert_file.read_text())["stores"]
    assert store["rows"] == {"customers": 3, "orders": 6, "order_items": 12}


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(data=st.data())
def test_no_other_subjects_row_is_ever_deleted(engine, request, clients, tmp_path_factory,
                                               data):
    server = request.getfixturevalue("pg" if engine == "postgres" else "maria")
    others = data.draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=7,
                                unique=True))
    target = data.draw(st.sampled_from([s for s in SUBJECTS if s.isascii() and s.strip() == s]))
    server.create_database("shop")
    schema(server)
    seed(server, sorted({target, *others}), per=1)
    before = census(server)
    tmp = tmp_path_factory.mktemp("prop")
    os.environ[DSN_ENV[engine]] = server.dsn("shop")
    try:
        cert = erase_one(catalog_for(tmp, [engine]), clients, tmp, subject=target)
    finally:
        os.environ.pop(DSN_ENV[engine], None)
    assert census(server) == without(before, target)
    assert cert["stores"][0]["rows"] == {"customers": 1, "orders": 2, "order_items": 4}


# --- the right of access: every store, exactly the subject's data ---------------------------

OTHER_STORES = """\
      - {kind: s3, name: shop-docs, subject_key: "customers/{subject_id}/"}
      - {kind: dynamodb, name: shop-prefs, subject_key: customer_id}
"""


@pytest.fixture
def everywhere(pg, maria, clients, tmp_path, monkeypatch) -> Path:
    """The subjects in S3, DynamoDB (moto), PostgreSQL and MariaDB; the catalog naming all."""
    from tests.ops import seed as aws_seed

    for server in (pg, maria):
        server.create_database("shop")
        schema(server)
        seed(server, SUBJECTS)
        monkeypatch.setenv(DSN_ENV[server.engine], server.dsn("shop"))
    s3, ddb = clients("s3", REGION), clients("dynamodb", REGION)
    aws_seed.s3_bucket(s3, "shop-docs", REGION)
    aws_seed.s3_objects(s3, "shop-docs", "customers/{subject_id}/", SUBJECTS, 2)
    aws_seed.dynamo_table(ddb, "shop-prefs", "customer_id", sort="sk")
    aws_seed.dynamo_items(ddb, "shop-prefs", ({"customer_id": s, "sk": f"r{i}",
                                               "note": f"{s}|{i}"}
                                              for s in SUBJECTS for i in range(3)))
    stores = OTHER_STORES + "".join(STORE_ENTRY.format(
        name=STORE[e], engine=e, env=DSN_ENV[e], customers="customers", cascade="")
        for e in ENGINES)
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.format(stores=stores), encoding="utf-8")
    return path


def access(moto, catalog: Path, *args: str) -> int:
    return main(["access", "--catalog", str(catalog), "--endpoint-url", moto.url,
                 "--region", REGION, "--subject", "abc", *args])


def test_access_returns_exactly_the_subjects_data_from_every_store(everywhere, moto, pg,
                                                                   maria, tmp_path, capsys):
    import hashlib
    import zipfile

    out = tmp_path / "abc.zip"
    assert access(moto, everywhere, "-o", str(out), "--received", "2026-12-01") == 0
    assert (out.stat().st_mode & 0o777) == 0o600
    with zipfile.ZipFile(out) as z:
        files = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(files["manifest.json"])["sha256"]
    assert manifest == {n: hashlib.sha256(b).hexdigest() for n, b in files.items()
                        if n != "manifest.json"}
    data = json.loads(files["data.json"])
    [dataset] = data["datasets"]
    stores = {s["store"]: s for s in dataset["stores"]}
    # S3: the subject's objects, content included, nobody else's
    assert [o["key"] for o in stores["shop-docs"]["objects"]] == [
        "customers/abc/doc-0.json", "customers/abc/doc-1.json"]
    assert files["files/s3/shop-docs/doc-0.json"] == b"abc 0"
    assert sorted(n for n in files if n.startswith("files/")) == [
        "files/s3/shop-docs/doc-0.json", "files/s3/shop-docs/doc-1.json"]
    # DynamoDB: the subject's items, whole
    assert sorted(r["note"] for r in stores["shop-prefs"]["records"]) == [
        "abc|0", "abc|1", "abc|2"]
    # both databases: the subject's rows and child rows, exactly
    for engine, server in (("postgres", pg), ("mysql", maria)):
        store = stores[STORE[engine]]
        assert store["rows_per_table"] == {"customers": 2, "orders": 4, "order_items": 8}
        rows = store["records"]
        customers = [r["row"] for r in rows if r["table"] == "customers"]
        assert sorted(customers[0]) == ["customer_ref", "email"]  # the declared columns only
        assert {c["customer_ref"] for c in customers} == {"abc"}
        with server.connect("shop") as conn, conn.cursor() as cur:
            cur.execute("SELECT o.id, c.customer_ref FROM orders o JOIN customers c ON "
                        "c.id = o.customer_id")
            everyone = cur.fetchall()
        # compared here in Python: MariaDB's collation would take 'ABC' or 'ábc' for 'abc'
        exact = {order for order, ref in everyone if ref == "abc"}
        orders = {r["row"]["id"] for r in rows if r["table"] == "orders"}
        assert orders == exact and len(everyone) > len(orders)
        assert {r["row"]["order_id"] for r in rows if r["table"] == "order_items"} == exact
    # the summary: what, why, recipients, retention, rights with their sources
    summary = files["summary.md"].decode()
    assert "## Order history" in summary and "legal basis: contract" in summary
    assert "Kept: 365 days" in summary and "(GDPR Art. 15)" in summary
    assert "(GDPR Art. 77)" in summary and "by 2027-01-01" in summary
    assert files["summary.html"].startswith(b"<!doctype html>")
    assert not mentions(data["subject"], "abc")  # the id only hashed in the package
    assert "GUARDIAN_TEST" not in files["data.json"].decode()  # no connection detail
    assert "postgresql://" not in files["data.json"].decode()
    assert f"package: {out}" in capsys.readouterr().out


def test_access_dry_run_reads_no_content_and_the_size_limit_is_clear(everywhere, moto,
                                                                     tmp_path, capsys):
    out = tmp_path / "abc.zip"
    assert access(moto, everywhere, "--dry-run", "--format", "json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert {s["store"]: s["count"] for s in shown["stores"]} == {
        "shop-docs": 2, "shop-prefs": 3, "shop-pg": 14, "shop-my": 14}
    assert shown["bytes"] == 10 and not out.exists()
    assert access(moto, everywhere, "-o", str(out), "--max-bytes", "9") == 2
    err = capsys.readouterr().err
    assert "10 bytes, over --max-bytes 9" in err and "Traceback" not in err
    assert not out.exists()
    assert access(moto, everywhere, "-o", str(tmp_path / "abc.tar")) == 2
    assert "name a .zip file" in capsys.readouterr().err


# --- breach sizing: the people in a database, counted ---------------------------------------

def test_breach_counts_the_distinct_subjects_of_a_database_byte_for_byte(db, moto, tmp_path,
                                                                         capsys):
    seed(db, SUBJECTS)  # 10 ids, two rows each; MySQL's collation would merge 'abc', 'ABC'...
    catalog_for(tmp_path, [db.engine])
    argv = ["breach", "--catalog", str(tmp_path / "catalog.yaml"), "--resource",
            STORE[db.engine], "--discovered-at", "2026-12-04T10:00:00Z", "--format", "json",
            "--count-subjects", "--endpoint-url", moto.url, "--region", REGION]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert f"{STORE[db.engine]}: {len(SUBJECTS)} distinct subject(s) counted" in out.err
    affected = json.loads(out.out)["affected"]
    assert (affected["low"], affected["high"], affected["estimated"]) == (
        len(SUBJECTS), len(SUBJECTS), False)
    assert main([*argv, "--affected", "3"]) == 2
    assert "pass one of them" in capsys.readouterr().err


def test_breach_count_subjects_needs_a_database_store(tmp_path, capsys):
    catalog_for(tmp_path, ["postgres"])
    text = (tmp_path / "catalog.yaml").read_text() + ""
    (tmp_path / "catalog.yaml").write_text(text.replace(
        "    storage:\n", "    storage:\n      - {kind: s3, name: shop-docs, subject_key: "
        "\"customers/{subject_id}/\"}\n"))
    assert main(["breach", "--catalog", str(tmp_path / "catalog.yaml"), "--resource",
                 "shop-docs", "--count-subjects"]) == 2
    assert "shop-docs is a s3 store" in capsys.readouterr().err


def test_a_secrets_manager_secret_connects_and_its_password_goes_nowhere(pg, clients,
                                                                        tmp_path):
    """connection.secret_arn: username, password, host (here the server's socket directory)
    from the secret, as RDS-managed and hand-made secrets hold them; backups listed from RDS."""
    pg.create_database("shop")
    schema(pg)
    seed(pg, SUBJECTS)
    before = census(pg)
    arn = clients("secretsmanager", REGION).create_secret(
        Name="shop-guardian", SecretString=json.dumps({
            "username": pg.user, "password": "s3cret-pw", "host": str(pg.socket_dir)}))["ARN"]
    clients("rds", REGION).create_db_instance(
        DBInstanceIdentifier=STORE["postgres"], Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="x" * 12,
        BackupRetentionPeriod=7)
    text = STORE_ENTRY.format(name=STORE["postgres"], engine="postgres", env="UNUSED",
                              customers="customers", cascade="")
    text = text.replace("connection: {dsn_env: UNUSED}", f'connection: {{secret_arn: "{arn}"}}')
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(stores=text), encoding="utf-8")
    cert = erase_one(load_catalog(tmp_path / "catalog.yaml"), clients, tmp_path)
    [store] = cert["stores"]
    assert store["status"] == "erased", store
    assert census(pg) == without(before, "abc")
    assert "secret shop-guardian" not in store["method"] and arn in store["method"]
    details = {c["detail"]: c["until"] for c in store["outliving"] if c["kind"] == "backups"}
    [(automated, until)] = [(d, u) for d, u in details.items() if "for 7 days" in d]
    assert automated.startswith("automated backups and point-in-time recovery") and until
    assert any(d.startswith("automated snapshot ") for d in details), details
    everything = json.dumps(cert) + "".join(p.read_text() for p in tmp_path.glob("*.j*"))
    assert "s3cret-pw" not in everything


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(data=st.data())
def test_no_other_subjects_row_is_ever_exported(engine, request, clients, tmp_path_factory,
                                                data):
    from guardian.access.collect import collect

    server = request.getfixturevalue("pg" if engine == "postgres" else "maria")
    others = data.draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=7,
                                unique=True))
    target = data.draw(st.sampled_from([s for s in SUBJECTS if s.isascii() and s.strip() == s]))
    server.create_database("shop")
    schema(server)
    seed(server, sorted({target, *others}), per=1)
    tmp = tmp_path_factory.mktemp("prop")
    os.environ[DSN_ENV[engine]] = server.dsn("shop")
    try:
        [found] = collect(plan_erasure(catalog_for(tmp, [engine]), target), clients, REGION)
    finally:
        os.environ.pop(DSN_ENV[engine], None)
    assert found.error is None and found.rows == {"customers": 1, "orders": 2, "order_items": 4}
    assert [r["row"]["customer_ref"] for r in found.records if r["table"] == "customers"] == [
        target]
    with server.connect("shop") as conn, conn.cursor() as cur:
        cur.execute("SELECT o.id, c.customer_ref FROM orders o JOIN customers c ON "
                    "c.id = o.customer_id")
        theirs = {order for order, ref in cur.fetchall() if ref == target}
    assert {r["row"]["order_id"] for r in found.records if r["table"] == "order_items"} == theirs


def test_a_database_lost_mid_run_is_an_outage_to_resume_after():
    """Not a failed store: the journal keeps its place and the same command resumes."""
    import psycopg
    import pymysql

    from guardian.erasure.run import is_outage

    assert is_outage(psycopg.OperationalError("server closed the connection unexpectedly"))
    assert is_outage(pymysql.err.OperationalError(2013, "Lost connection to server"))
    assert not is_outage(psycopg.errors.ForeignKeyViolation("refused"))
