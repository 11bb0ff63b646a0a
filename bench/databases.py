"""Erasure and access in a database: statements issued against the minimum, and time, with and
without an index on the subject column (and on the foreign keys, where the engine allows).

100,000 rows across three related tables: 20,000 customers (one per subject), 40,000 orders
(two each) and 40,000 order items (one per order). One subject is read (`guardian access`'s
engine: find the rows level by level, read the catalog's columns) and another erased
(`guardian erase`'s: information_schema checks, listing, one transaction, verification,
journal), on PostgreSQL and MariaDB servers this script starts in temporary directories
(tests/sqlservers.py; Debian's packages).

    python bench/databases.py              # both engines
    python bench/databases.py --engine postgres
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guardian.catalog.model import ChildTable, Connection, Storage, Table  # noqa: E402
from guardian.erasure import database  # noqa: E402
from guardian.erasure.journal import Journal  # noqa: E402
from guardian.erasure.sql import conflicts  # noqa: E402
from tests import sqlservers  # noqa: E402

CUSTOMERS = 20_000
STORE = Storage("rds", "bench", engine="postgres", database="shop", tables=(
    Table("customers", "customer_ref", ("customer_ref", "email"), (
        ChildTable("orders", "customer_id", children=(ChildTable("order_items", "order_id"),)),
    )),), connection=Connection(dsn_env="BENCH_DSN"))
# Erasing and verifying one subject cannot take fewer statements than: one SELECT per table to
# find the rows, one DELETE per table, one SELECT to see none is left.
MINIMUM_ERASE = 3 + 3 + 1
MINIMUM_ACCESS = 3 + 3  # find the rows, read them


class Counting:
    """A connection whose cursors count the statements they run."""

    def __init__(self, conn: Any) -> None:
        self.conn, self.statements = conn, 0

    def cursor(self) -> Any:
        outer = self

        class Cursor:
            def __init__(self, inner: Any) -> None:
                self.inner = inner

            def __enter__(self) -> Cursor:
                return self

            def __exit__(self, *exc: object) -> None:
                self.inner.close()

            def execute(self, query: str, params: Any = ()) -> Any:
                outer.statements += 1
                return self.inner.execute(query, params)

            def __getattr__(self, name: str) -> Any:
                return getattr(self.inner, name)

        return Cursor(self.conn.cursor())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def build(server: sqlservers.Server, indexed: bool) -> None:
    pg = server.engine == "postgres"
    server.create_database("shop")
    serial = "SERIAL PRIMARY KEY" if pg else "INT AUTO_INCREMENT PRIMARY KEY"
    text = "TEXT" if pg else "VARCHAR(64)"
    with server.connect("shop") as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE customers (id {serial}, customer_ref {text}, email {text})")
        cur.execute(f"CREATE TABLE orders (id {serial}, customer_id INT REFERENCES "
                    "customers (id), total INT)")
        cur.execute(f"CREATE TABLE order_items (id {serial}, order_id INT REFERENCES "
                    f"orders (id), sku {text})")
        rows = [(f"c-{i}", f"{i}@example.com") for i in range(CUSTOMERS)]
        cur.executemany("INSERT INTO customers (customer_ref, email) VALUES (%s, %s)", rows)
        cur.executemany("INSERT INTO orders (customer_id, total) VALUES (%s, %s)",
                        [(1 + i // 2, i) for i in range(2 * CUSTOMERS)])
        cur.executemany("INSERT INTO order_items (order_id, sku) VALUES (%s, %s)",
                        [(1 + i, "sku") for i in range(2 * CUSTOMERS)])
        if indexed:
            cur.execute("CREATE INDEX customers_ref ON customers (customer_ref)")
            if pg:  # MariaDB indexes a foreign key's columns itself
                cur.execute("CREATE INDEX orders_customer ON orders (customer_id)")
                cur.execute("CREATE INDEX items_order ON order_items (order_id)")
        if pg:
            cur.execute("ANALYZE")


def connect(server: sqlservers.Server) -> Counting:
    conn = server.connect("shop")
    conn.autocommit = False
    return Counting(conn)


def run(server: sqlservers.Server, indexed: bool) -> dict[str, Any]:
    build(server, indexed)
    store = Storage(**{**STORE.__dict__, "engine": server.engine})
    dialect = database.Dialect(server.engine)
    out: dict[str, Any] = {"engine": server.engine, "indexed": indexed}
    conn = connect(server)
    start = time.perf_counter()
    rows = database.Rows(conn, dialect, store, "c-4242")  # type: ignore[arg-type]
    found = [r for g in rows.groups() for r in g]
    records = rows.read(found)
    out["access_s"] = time.perf_counter() - start
    out["access_statements"] = conn.statements
    out["access_rows"] = len(records)
    conn.close()
    conn = connect(server)
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal.open(Path(tmp) / "j.jsonl", "c-777", (), "bench", key_dir=tmp)
        start = time.perf_counter()
        rows = database.Rows(conn, dialect, store, "c-777")  # type: ignore[arg-type]
        result = database.erase_rows("rds:bench", rows, journal, conflicts())
        out["erase_s"] = time.perf_counter() - start
        journal.close()
    out["erase_statements"] = conn.statements
    out["erased_rows"] = result["deleted"]
    conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("postgres", "mysql"), action="append")
    args = parser.parse_args()
    print(f"{CUSTOMERS:,} customers, {2 * CUSTOMERS:,} orders, {2 * CUSTOMERS:,} items "
          f"(100,000 rows); minimum statements: access {MINIMUM_ACCESS}, erase "
          f"{MINIMUM_ERASE} (the information_schema checks, 2 per table, come on top)")
    print("| engine | subject index | access: rows | statements | ms | erase: rows | "
          "statements | ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for engine in args.engine or ["postgres", "mysql"]:
        if not sqlservers.available(engine):
            print(f"| {engine} | not installed | | | | | | |")
            continue
        start = sqlservers.postgres if engine == "postgres" else sqlservers.mariadb
        with start() as server:
            for indexed in (False, True):
                r = run(server, indexed)
                print(f"| {engine} | {'yes' if indexed else 'no'} | {r['access_rows']} | "
                      f"{r['access_statements']} | {r['access_s'] * 1000:.1f} | "
                      f"{r['erased_rows']} | {r['erase_statements']} | "
                      f"{r['erase_s'] * 1000:.1f} |", flush=True)


if __name__ == "__main__":
    main()
