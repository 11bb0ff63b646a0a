"""One subject's rows in a relational database (rds, aurora): found, deleted, verified.

The catalog names the tables holding the subject (`subject_column`) and their child tables
(`foreign_key` referencing the parent's primary key). Before anything runs, every table and
column is looked up in the database's own catalog (information_schema): a name that is not
there stops the store, with the closest existing one. Identifiers come only from the catalog
and are quoted; the subject id and every key are bound parameters, never SQL text.

Rows are found level by level (the subject's rows, then their children by the parents' keys)
and compared in Python with the id exactly, so a case-insensitive or accent-insensitive
collation (MySQL's default) never lets another subject's row in. They are deleted by primary
key, children first (a child declared `on_delete: cascade` is left to the database's foreign
key, checked to be ON DELETE CASCADE), one transaction per page of the subject's rows with
their descendants. The journal records each table's keys before the transaction and the
outcome after it; a run killed inside a transaction is rolled back by the database and the
resumed run finds those rows again, so the counts are exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from guardian.catalog.model import ChildTable, Storage, Table
from guardian.erasure.journal import Journal
from guardian.erasure.store import MAX_ROUNDS, Progress, StoreError
from guardian.errors import closest

ROWS_PER_TRANSACTION = 2000  # the subject's rows and their descendants, roughly
IN_LIST = 500  # keys per IN (...) list


class Cursor(Protocol):
    rowcount: int

    def execute(self, query: str, params: Sequence[Any] = ...) -> Any: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...


class Connection(Protocol):
    def cursor(self) -> Any: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Node:
    """A table of the store's tree, flattened: the subject's table or a child of `parent`."""

    table: str  # as the catalog names it (schema.table on PostgreSQL)
    column: str  # subject_column (a root) or foreign_key (a child)
    parent: int | None  # index of the parent node
    cascade: bool = False
    columns: tuple[str, ...] = ()


def tree(st: Storage) -> list[Node]:
    """Parents before their children."""
    out: list[Node] = []

    def add(entry: Table | ChildTable, parent: int | None) -> None:
        if isinstance(entry, Table):
            out.append(Node(entry.name, entry.subject_column, None, columns=entry.columns))
        else:
            out.append(Node(entry.table, entry.foreign_key, parent,
                            entry.on_delete == "cascade", entry.columns))
        me = len(out) - 1
        for child in entry.children:
            add(child, me)

    for table in st.tables:
        add(table, None)
    return out


@dataclass(frozen=True)
class Dialect:
    engine: str  # postgres | mysql

    def ident(self, name: str) -> str:
        """A quoted identifier (the catalog's schema allows letters, digits and _ only)."""
        q = '"' if self.engine == "postgres" else "`"
        return ".".join(q + part.replace(q, q + q) + q for part in name.split("."))

    def where(self, table: str) -> tuple[str, str]:
        """(schema, table) as information_schema names them; MySQL: the current database."""
        schema, _, bare = table.rpartition(".")
        return (schema or ("public" if self.engine == "postgres" else "")), bare

    @property
    def schema_expr(self) -> str:
        return "%s" if self.engine == "postgres" else "COALESCE(NULLIF(%s, ''), DATABASE())"


@dataclass(frozen=True)
class Shape:
    """What the database says of one node's table: its primary key columns."""

    key: tuple[str, ...]


def _columns(cur: Cursor, d: Dialect, table: str) -> list[str]:
    schema, bare = d.where(table)
    cur.execute("SELECT column_name FROM information_schema.columns "
                f"WHERE table_schema = {d.schema_expr} AND table_name = %s "
                "ORDER BY ordinal_position", (schema, bare))
    return [str(r[0]) for r in cur.fetchall()]


def _tables(cur: Cursor, d: Dialect, table: str) -> list[str]:
    schema, _ = d.where(table)
    cur.execute("SELECT table_name FROM information_schema.tables "
                f"WHERE table_schema = {d.schema_expr}", (schema,))
    return [str(r[0]) for r in cur.fetchall()]


def _primary_key(cur: Cursor, d: Dialect, table: str) -> tuple[str, ...]:
    schema, bare = d.where(table)
    cur.execute(
        "SELECT k.column_name FROM information_schema.table_constraints c "
        "JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name "
        "AND k.table_schema = c.table_schema AND k.table_name = c.table_name "
        f"WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = {d.schema_expr} "
        "AND c.table_name = %s ORDER BY k.ordinal_position", (schema, bare))
    return tuple(str(r[0]) for r in cur.fetchall())


def _cascades(cur: Cursor, d: Dialect, table: str, column: str) -> bool:
    schema, bare = d.where(table)
    cur.execute(
        "SELECT r.delete_rule FROM information_schema.referential_constraints r "
        "JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name "
        "AND k.constraint_schema = r.constraint_schema "
        f"WHERE k.table_schema = {d.schema_expr} AND k.table_name = %s AND k.column_name = %s",
        (schema, bare, column))
    return any(str(r[0]).upper() == "CASCADE" for r in cur.fetchall())


def inspect(cur: Cursor, d: Dialect, nodes: list[Node]) -> list[Shape]:
    """Every table and column the catalog names, checked against information_schema: a
    StoreError naming the first that is not there (with the closest existing name)."""
    shapes: list[Shape] = []
    for node in nodes:
        columns = _columns(cur, d, node.table)
        if not columns:
            near = closest(d.where(node.table)[1], _tables(cur, d, node.table))
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise StoreError(f"table {node.table!r} is not in the database{hint}")
        for column in (node.column, *node.columns):
            if column not in columns:
                near = closest(column, columns)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise StoreError(f"table {node.table!r} has no column {column!r}{hint}")
        key = _primary_key(cur, d, node.table)
        if not key:
            raise StoreError(f"table {node.table!r} has no primary key: its rows cannot be "
                             "named one by one")
        if node.parent is not None:
            parent_key = shapes[node.parent].key
            if len(parent_key) != 1:
                raise StoreError(f"{node.table}.{node.column} must reference a one-column "
                                 f"primary key; {nodes[node.parent].table!r} has "
                                 f"{', '.join(parent_key)}")
            if node.cascade and not _cascades(cur, d, node.table, node.column):
                raise StoreError(f"{node.table}.{node.column} is declared on_delete: cascade "
                                 "but its foreign key does not cascade (ON DELETE CASCADE)")
        shapes.append(Shape(key))
    return shapes


def same_id(value: Any, subject: Any) -> bool:
    """Exactly the subject's id: text compared as text (no collation), numbers as numbers."""
    if isinstance(subject, Decimal):
        try:
            return Decimal(str(value)) == subject
        except ArithmeticError:
            return False
    return isinstance(value, str) and value == subject


def typed(subject: str, subject_type: str) -> Any:
    return Decimal(subject) if subject_type == "number" else subject


@dataclass(frozen=True)
class Row:
    node: int
    key: tuple[Any, ...]

    def ref(self, nodes: list[Node]) -> str:
        """A stable identity for the journal (which keeps only its salted hash)."""
        return nodes[self.node].table + "\x1f" + json.dumps(self.key, default=str)


class Rows:
    """The subject's rows in one database, grouped under the subject's rows they hang from."""

    def __init__(self, conn: Connection, dialect: Dialect, st: Storage, subject: str) -> None:
        self.conn = conn
        self.d = dialect
        self.nodes = tree(st)
        self.subject = typed(subject, st.subject_type)
        with conn.cursor() as cur:
            self.shapes = inspect(cur, dialect, self.nodes)
        conn.rollback()  # end the read transaction information_schema opened

    def _select(self, cur: Cursor, i: int, column: str, values: list[Any]
                ) -> list[tuple[tuple[Any, ...], Any]]:
        """(primary key, value of `column`) of the rows whose column is one of `values`."""
        node, key = self.nodes[i], self.shapes[i].key
        out: list[tuple[tuple[Any, ...], Any]] = []
        for start in range(0, len(values), IN_LIST):
            chunk = values[start:start + IN_LIST]
            cur.execute(
                f"SELECT {', '.join(map(self.d.ident, key))}, {self.d.ident(column)} "
                f"FROM {self.d.ident(node.table)} WHERE {self.d.ident(column)} IN "
                f"({', '.join(['%s'] * len(chunk))}) ORDER BY "
                f"{', '.join(map(self.d.ident, key))}", chunk)
            out.extend((tuple(r[:-1]), r[-1]) for r in cur.fetchall())
        return out

    def groups(self) -> list[list[Row]]:
        """Per row of the subject: that row and its descendants, deepest first."""
        groups: list[list[Row]] = []
        with self.conn.cursor() as cur:
            for i, node in enumerate(self.nodes):
                if node.parent is not None:
                    continue
                for key, value in self._select(cur, i, node.column, [self.subject]):
                    if same_id(value, self.subject):
                        groups.append(self._descendants(cur, i, key))
        self.conn.rollback()
        return groups

    def _descendants(self, cur: Cursor, root: int, key: tuple[Any, ...]) -> list[Row]:
        rows = [Row(root, key)]
        frontier = {root: [key]}
        for i, node in enumerate(self.nodes):
            if node.parent is None or node.parent not in frontier:
                continue
            parents = [k[0] for k in frontier[node.parent]]
            found = [k for k, _ in self._select(cur, i, node.column, parents)]
            if found:
                frontier[i] = found
                rows.extend(Row(i, k) for k in found)
        order = {i: depth for i, depth in enumerate(self._depths())}
        return sorted(rows, key=lambda r: -order[r.node])

    def _depths(self) -> list[int]:
        depths: list[int] = []
        for node in self.nodes:
            depths.append(0 if node.parent is None else depths[node.parent] + 1)
        return depths

    def read(self, rows: list[Row]) -> list[dict[str, Any]]:
        """The rows' values, `{"table": ..., "row": {column: value}}`: the catalog's personal
        columns of each table, every column when it names none (guardian access)."""
        out: list[dict[str, Any]] = []
        by_node: dict[int, list[tuple[Any, ...]]] = {}
        for row in rows:
            by_node.setdefault(row.node, []).append(row.key)
        with self.conn.cursor() as cur:
            for i, keys in by_node.items():
                node, key = self.nodes[i], self.shapes[i].key
                wanted = ", ".join(map(self.d.ident, node.columns)) if node.columns else "*"
                one = "(" + ", ".join(["%s"] * len(key)) + ")"
                for start in range(0, len(keys), IN_LIST):
                    chunk = keys[start:start + IN_LIST]
                    cur.execute(f"SELECT {wanted} FROM {self.d.ident(node.table)} WHERE "
                                f"({', '.join(map(self.d.ident, key))}) IN "
                                f"({', '.join([one] * len(chunk))}) ORDER BY "
                                f"{', '.join(map(self.d.ident, key))}",
                                [v for k in chunk for v in k])
                    names = [str(c[0]) for c in cur.description]
                    out.extend({"table": node.table,
                                "row": dict(zip(names, r, strict=True))}
                               for r in cur.fetchall())
        self.conn.rollback()
        return out

    def delete(self, rows: list[Row]) -> None:
        """One transaction: every row not left to a cascade, children first, by primary key."""
        by_node: dict[int, list[tuple[Any, ...]]] = {}
        for row in rows:
            if not self.nodes[row.node].cascade:
                by_node.setdefault(row.node, []).append(row.key)
        depths = self._depths()
        try:
            with self.conn.cursor() as cur:
                for i in sorted(by_node, key=lambda n: -depths[n]):
                    key = self.shapes[i].key
                    keys = by_node[i]
                    for start in range(0, len(keys), IN_LIST):
                        chunk = keys[start:start + IN_LIST]
                        one = "(" + ", ".join(["%s"] * len(key)) + ")"
                        match = (f"({', '.join(map(self.d.ident, key))}) IN "
                                 f"({', '.join([one] * len(chunk))})")
                        cur.execute(f"DELETE FROM {self.d.ident(self.nodes[i].table)} "
                                    f"WHERE {match}", [v for k in chunk for v in k])
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise


def pages(groups: list[list[Row]]) -> Iterator[list[Row]]:
    """Whole groups, about ROWS_PER_TRANSACTION rows a page (a group is never split)."""
    page: list[Row] = []
    for group in groups:
        if page and len(page) + len(group) > ROWS_PER_TRANSACTION:
            yield page
            page = []
        page.extend(group)
    if page:
        yield page


def stream(key: str, table: str) -> str:
    """The journal's name for one table of a database store."""
    return f"{key}/{table}"


def counts(rows: Sequence[Row], nodes: list[Node]) -> dict[str, int]:
    out = {n.table: 0 for n in nodes}
    for row in rows:
        out[nodes[row.node].table] += 1
    return out


def erase_rows(key: str, rows: Rows, journal: Journal,
               is_conflict: tuple[type[BaseException], ...],
               progress: Progress | None = None) -> dict[str, Any]:
    """Delete the subject's rows through the journal, then verify none is left.

    A transaction refused by a foreign key (a child row written meanwhile, or a table that
    references the subject's rows and is not in the catalog) is rolled back and the rows are
    listed again; after MAX_ROUNDS listings the store fails with the database's reason.
    """
    nodes = rows.nodes
    names = [stream(key, n.table) for n in nodes]
    groups = rows.groups()
    _reconcile(names, groups, nodes, journal)
    last_error = ""
    for _ in range(MAX_ROUNDS):
        fresh = [g for g in groups if any(
            journal.key_hash(r.ref(nodes)) not in journal.store(names[r.node]).done for r in g)]
        if not fresh:
            break
        for page in pages(fresh):
            batches: dict[int, int] = {}
            for i in sorted({r.node for r in page}):
                hashes = [journal.key_hash(r.ref(nodes)) for r in page if r.node == i]
                batches[i] = journal.intent(names[i], hashes)
            try:
                rows.delete(page)
            except is_conflict as exc:
                last_error = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                for i, batch in batches.items():
                    journal.outcome(names[i], batch, not_deleted=journal.store(names[i])
                                    .pending[batch])
                continue
            for i, batch in batches.items():
                journal.outcome(names[i], batch)
            if progress:
                progress(key, sum(journal.store(n).deleted for n in names))
        groups = rows.groups()
    else:
        raise StoreError(f"the subject's rows could not all be deleted after {MAX_ROUNDS} "
                         f"listings: {last_error or 'new rows keep appearing'}")
    left = [r for g in groups for r in g]
    per_table = {n.table: journal.store(names[i]).deleted for i, n in enumerate(nodes)}
    remaining = counts(left, nodes)
    return {
        "status": "erased" if not left else "incomplete",
        "deleted": sum(per_table.values()),
        "rows": per_table,
        "remaining": len(left),
        "remaining_rows": {t: n for t, n in remaining.items() if n},
        "errors": [last_error] if left and last_error else [],
    }


def _reconcile(names: list[str], groups: list[list[Row]], nodes: list[Node],
               journal: Journal) -> None:
    """Batches recorded before a crash: the rows still listed were not deleted (the database
    rolled their transaction back); the others were."""
    present: dict[int, set[str]] = {}
    for g in groups:
        for r in g:
            present.setdefault(r.node, set()).add(journal.key_hash(r.ref(nodes)))
    for i, name in enumerate(names):
        st = journal.store(name)
        for batch, hashes in sorted(st.pending.items()):
            journal.outcome(name, batch, not_deleted=[h for h in hashes
                                                      if h in present.get(i, set())],
                            reconciled=True)


def preview(rows: Rows, samples: int = 5) -> tuple[int, list[str], dict[str, int]]:
    """How many rows a run would delete, the first few keys, and rows per table."""
    found = [r for g in rows.groups() for r in g]
    shown = [f"{rows.nodes[r.node].table} "
             + ", ".join(f"{c}={v}" for c, v in zip(rows.shapes[r.node].key, r.key, strict=True))
             for r in found[:samples]]
    return len(found), shown, counts(found, rows.nodes)


def count_subjects(conn: Connection, dialect: Dialect, st: Storage) -> int:
    """How many distinct subjects the store's subject tables hold (breach sizing): one
    COUNT(DISTINCT) over the union of their subject columns, comparing bytes on MySQL, whose
    collations would count 'abc' and 'ABC' as one person."""
    nodes = tree(st)
    with conn.cursor() as cur:
        inspect(cur, dialect, nodes)
        exact = "CAST({} AS BINARY)" if dialect.engine == "mysql" else "{}"
        union = " UNION ".join(
            f"SELECT {exact.format(dialect.ident(n.column))} AS subject "
            f"FROM {dialect.ident(n.table)}" for n in nodes if n.parent is None)
        cur.execute(f"SELECT COUNT(DISTINCT subject) FROM ({union}) AS subjects")
        found = int(cur.fetchall()[0][0])
    conn.rollback()
    return found
