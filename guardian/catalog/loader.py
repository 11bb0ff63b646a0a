"""Load catalog.yaml into a `Catalog`, or say every mistake in it with its file and line.

Order: read and parse each file (root and includes), validate it against the JSON Schema,
then check what a schema cannot (unique ids, references between fields, taxonomy keys,
regions). Problems from every stage are collected, never raised one at a time.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from guardian.catalog import regions, taxonomy
from guardian.catalog.model import (
    DATABASE_KINDS,
    Access,
    AutomatedDecisions,
    Catalog,
    ChildTable,
    Connection,
    Dataset,
    Dpia,
    Gate,
    LegitimateInterest,
    Location,
    Organization,
    Person,
    Recipient,
    Requirement,
    Retention,
    Source,
    Storage,
    Table,
    Use,
    Waiver,
)
from guardian.catalog.parse import Node, ParseError, parse
from guardian.errors import closest, typo_finder
from guardian.heap import long_lived
from guardian.io import InputError, read_bytes

T = TypeVar("T")
MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 1_000  # catalog files in all, includes included


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    field: str  # dotted path, e.g. datasets[2].retention.days
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{where}{self.message}"

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "file": loc.file,
            "line": loc.line,
            "column": loc.col,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


class CatalogError(Exception):
    """The catalog has errors; `problems` lists every one of them, located."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    catalog, problems = check_catalog(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors or catalog is None:
        raise CatalogError(errors)
    return catalog


def check_catalog(path: str | os.PathLike[str]) -> tuple[Catalog | None, list[Problem]]:
    """The catalog (None when it has errors) and every problem found, sorted by place."""
    with long_lived():  # the parsed tree lives until the catalog is built
        reader = _Reader()
        root = reader.read(Path(path), fragment=False, chain=())
        datasets = [ds for doc in reader.docs for ds in doc["datasets"]]
        waivers = [w for doc in reader.docs for w in doc["waivers"]]
        problems = sorted(set(reader.problems + _semantic_problems(datasets, waivers)
                              + _organization_problems(root)))
        if root is None or any(p.severity == "error" for p in problems):
            return None, problems
        return _build(root, datasets, waivers, tuple(reader.files)), problems


# --- reading YAML with positions -------------------------------------------------------


@dataclass
class _Reader:
    problems: list[Problem] = field(default_factory=list)
    docs: list[dict[str, Any]] = field(default_factory=list)  # plain documents, dicts of _Located
    files: list[str] = field(default_factory=list)
    read_once: set[Path] = field(default_factory=set)  # resolved paths: a diamond is one file
    tree: Path | None = None  # the root catalog's directory: includes stay inside it

    def error(self, loc: Location, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(Problem(loc, _dotted(path), message))

    def read(self, path: Path, *, fragment: bool, chain: tuple[Path, ...]) -> Node | None:
        shown = _shown(path)
        top = Location(shown, 1, 1)
        self.read_once.add(path.resolve())
        text = self._text(path, top)
        if text is None:
            return None
        node = self._parse(text, shown)
        if node is None:
            return None
        if node.value is None:
            self.error(
                top,
                (),
                "the file is empty; expected a catalog (version, organization, datasets)"
                if not fragment
                else "the file is empty; expected datasets or waivers",
            )
            return None
        errors = sorted(
            _validator(fragment).iter_errors(node.value), key=lambda e: list(e.absolute_path)
        )
        for err in errors:
            rel = tuple(err.absolute_path)
            self.error(node.at(rel), rel, _schema_message(err))
        reported = {tuple(err.absolute_path) for err in errors}
        for loc, rel, message in _string_problems(node, ()):
            if rel not in reported:
                self.error(loc, rel, message)
        if not isinstance(node.value, dict):
            return node
        self.files.append(shown)
        self.docs.append(_located_doc(node))
        resolved = path.resolve()
        if self.tree is None:
            self.tree = resolved.parent
        for i, pattern in _items(node.value.get("include"), str):
            loc, where = node.at(("include", i)), ("include", i)
            for match in self._matches(path, pattern, loc, where):
                target = match.resolve()
                if target == resolved or target in chain:
                    self.error(loc, where, f"{pattern!r} includes {_shown(match)} again (a cycle)")
                elif target not in self.read_once and len(self.read_once) < MAX_FILES:
                    self.read(match, fragment=True, chain=(*chain, resolved))
                elif target not in self.read_once:
                    self.error(loc, where, f"more than {MAX_FILES} catalog files in all")
                    return node
        return node

    def _matches(self, path: Path, pattern: str, loc: Location,
                 where: tuple[Any, ...]) -> list[Path]:
        """The files a pattern names, inside the root catalog's directory tree only."""
        assert self.tree is not None
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            self.error(loc, where, f"{pattern!r} leaves the catalog's directory; an include is "
                       "a relative path below it (no '..', no absolute path)")
            return []
        matches = sorted(glob.glob(str(path.parent / pattern), recursive=True))
        inside = []
        for match in matches:
            if Path(match).resolve().is_relative_to(self.tree):
                inside.append(Path(match))
            else:
                self.error(loc, where, f"{pattern!r} matches {_shown(Path(match))}, a link "
                           "leading out of the catalog's directory; an include stays below it")
        if not matches:
            self.error(loc, where, f"{pattern!r} matches no file")
        return inside

    def _text(self, path: Path, top: Location) -> str | None:
        try:
            data = read_bytes(path, "a YAML catalog file", limit=MAX_BYTES)
        except InputError as exc:
            self.error(top, (), exc.reason)
            return None
        if b"\x00" in data:
            self.error(top, (), "is a binary file; expected YAML text")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.error(Location(top.file, line, 1), (), "is not UTF-8 text")
            return None

    def _parse(self, text: str, shown: str) -> Node | None:
        try:
            return parse(text, shown)
        except ParseError as exc:
            self.error(exc.loc, (), str(exc))
            return None


@dataclass(frozen=True)
class _Located:
    """A mapping or list item from the catalog, with the node that knows its positions."""

    value: Any
    node: Node

    def loc(self, *path: Any) -> Location:
        return self.node.at(path)


_LISTS = ("datasets", "waivers")


def _located_doc(node: Node) -> dict[str, list[_Located]]:
    """The document's datasets and waivers; items that are not mappings were reported already."""
    out: dict[str, list[_Located]] = {}
    for key in _LISTS:
        items = node.value.get(key)
        out[key] = [
            _Located(item, node.children[key].children[i]) for i, item in _items(items, dict)
        ]
    return out


def _items(value: Any, kind: type) -> list[tuple[int, Any]]:
    """(index, item) of a list's items of the given type; nothing when it is not a list."""
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, kind)]
        if isinstance(value, list)
        else []
    )


@cache
def schema() -> dict[str, Any]:
    text = resources.files("guardian.catalog").joinpath("catalog.schema.json").read_text("utf-8")
    return json.loads(text)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """`pattern` as JSON Schema means it (ECMA-262): `\\w` and `\\d` are ASCII, and `$` is the
    end of the text, not the place before a final newline ("d1\\n" is not an id)."""
    from jsonschema import ValidationError

    if isinstance(instance, str) and not _ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _ecma(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern), re.ASCII)


@cache
def _validator(fragment: bool) -> Any:
    from jsonschema import Draft202012Validator, validators

    root = schema()
    target = {"$ref": "#/$defs/fragment", "$defs": root["$defs"]} if fragment else root
    ecma = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})
    return ecma(target, format_checker=Draft202012Validator.FORMAT_CHECKER)


_KINDS = (("a mapping", dict), ("a list", list), ("true or false", bool),
          ("a number", int | float), ("text", str))
_JSON_TYPES = {"object": "a mapping", "array": "a list", "string": "text",
               "integer": "an integer", "number": "a number", "boolean": "true or false",
               "null": "nothing"}


def _schema_message(err: Any) -> str:
    """The validator's message, never quoting a long value: an include may be any file."""
    if err.validator == "additionalProperties":
        known = list(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(known))
        return (f"unknown field {', '.join(map(_short, extra))}; allowed: {', '.join(known)}"
                + (_did_you_mean(extra[0], known) if len(extra) == 1 else ""))
    if err.validator == "enum" and isinstance(err.instance, str):
        return (f"{_short(err.instance)} is not one of {err.validator_value!r}"
                + _did_you_mean(err.instance, [str(c) for c in err.validator_value]))
    if err.validator == "oneOf":  # e.g. automated_decisions: 'none' or {logic, significance}
        inner = [e for e in err.context if e.validator not in ("type", "const")]
        if isinstance(err.instance, dict) and inner:
            return _schema_message(inner[0])
        shapes = [repr(s["const"]) if "const" in s else
                  "a mapping with " + ", ".join(s.get("required", ())) for s in err.validator_value]
        return f"{_short(err.instance)} is not valid: expected {' or '.join(shapes)}"
    if err.validator == "type":
        wanted = err.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        found = next((name for name, kind in _KINDS if isinstance(err.instance, kind)), "nothing")
        if isinstance(err.instance, int | float) and not isinstance(err.instance, bool):
            found = repr(err.instance)
        names = " or ".join(_JSON_TYPES.get(w) or str(w) for w in wanted)
        return f"expected {names}, found {found}"
    if err.validator == "pattern" and isinstance(err.instance, str):
        expected = err.schema.get("description") or err.validator_value
        return f"{_short(err.instance)} does not match {expected}"
    text = repr(err.instance)
    return err.message.replace(text, _short(err.instance)) if len(text) > 60 else err.message


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:45]}... ({len(str(value))} characters)"


# Free text may run over lines; no other string may hold a control character.
_PROSE = frozenset({"description", "basis", "reason"})
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_PROSE_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _string_problems(
    node: Node, path: tuple[Any, ...]
) -> Iterator[tuple[Location, tuple[Any, ...], str]]:
    """Control characters (a newline or tab only in free text) and lone surrogates: no export
    can write them (XLSX, UTF-8), and they make two ids that print alike."""
    if isinstance(node.value, str):
        name = next((p for p in reversed(path) if isinstance(p, str)), "")
        bad = (_PROSE_CONTROL if name in _PROSE else _CONTROL).search(node.value)
        if bad:
            hint = "" if name in _PROSE else " (line breaks only in description, basis, reason)"
            yield node.loc, path, f"control character {bad.group()!r} in text{hint}"
        elif _SURROGATE.search(node.value):
            yield node.loc, path, "a lone surrogate (\\ud800-\\udfff) is not text"
        return
    for key, child in node.children.items():
        if isinstance(key, str) and (_CONTROL.search(key) or _SURROGATE.search(key)):
            yield child.loc, path, f"the key {key!r} holds a control character or surrogate"
        else:
            yield from _string_problems(child, (*path, key))


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = closest(word, choices)
    return f"; did you mean {close[0]!r}?" if close else ""


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(path: Path) -> str:
    """The path as a person reads it: relative below the working directory, else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path.absolute())
    return str(path.absolute()) if rel.startswith("..") else rel


# --- what a schema cannot check ----------------------------------------------------------


def _semantic_problems(datasets: list[_Located], waivers: list[_Located]) -> list[Problem]:
    out: list[Problem] = []

    def err(
        item: _Located,
        path: tuple[Any, ...],
        rel: tuple[Any, ...],
        message: str,
        severity: str = "error",
    ) -> None:
        out.append(Problem(item.loc(*rel), _dotted(path + rel), message, severity))

    seen_ids: dict[str, Location] = {}
    seen_stores: dict[str, Location] = {}
    # (kind, name) -> the storage entries of that name so far: pinned ones may share it
    entries: dict[tuple[str, str], list[tuple[Storage, Location]]] = {}
    for i, item in enumerate(datasets):
        ds, path = item.value, ("datasets", i)
        ds_id = ds.get("id")
        if isinstance(ds_id, str):
            if ds_id in seen_ids:
                err(
                    item,
                    path,
                    ("id",),
                    f"duplicate dataset id {ds_id!r} (first at {seen_ids[ds_id]})",
                )
            seen_ids.setdefault(ds_id, item.loc("id"))
        for rel, kind, key in _taxonomy_keys(ds):
            out.extend(_taxonomy_problem(item, path, rel, kind, key))
        for j, entry in _items(ds.get("residency"), str):
            if not regions.is_known(entry):
                close = closest(entry, [*regions.REGIONS, *regions.GROUPS])
                hint = f"; did you mean {close[0]!r}?" if close else ""
                err(
                    item,
                    path,
                    ("residency", j),
                    f"{entry!r} is neither a region group nor an AWS region{hint}",
                )
        uses = [u.get("use") for _, u in _items(ds.get("uses"), dict)]
        for j, u in _items(ds.get("uses"), dict):
            if u.get("use") in [x.get("use") for _, x in _items(ds["uses"][:j], dict)]:
                err(item, path, ("uses", j, "use"), f"use {u.get('use')!r} is declared twice")
        for section in ("access", "recipients"):
            for j, entry in _items(ds.get(section), dict):
                if isinstance(entry.get("use"), str) and entry["use"] not in uses:
                    declared = ", ".join(str(u) for u in uses)
                    err(
                        item,
                        path,
                        (section, j, "use"),
                        f"{entry['use']!r} is not one of this dataset's uses ({declared})",
                    )
        for j, entry in _items(ds.get("access"), dict):
            if entry.get("training_valid_until") and not entry.get("human"):
                err(
                    item,
                    path,
                    ("access", j, "training_valid_until"),
                    "a training attestation is for human roles; set human: true",
                    "warning",
                )
        out.extend(_law_problems(item, path, ds))
        for j, st in _items(ds.get("storage"), dict):
            name, kind, key = st.get("name"), st.get("kind"), st.get("subject_key")
            if isinstance(name, str):
                here = Storage(str(kind), name, account=_str_or_none(st.get("account")),
                               region=_str_or_none(st.get("region")))
                same = entries.setdefault((here.kind, name), [])
                first = next((loc for other, loc in same if other.overlaps(here)), None)
                if first is not None:
                    err(
                        item,
                        path,
                        ("storage", j, "name"),
                        f"store {name!r} is declared twice (first at {first}); if they are "
                        "different stores, pin each to its account or region",
                    )
                same.append((here, item.loc("storage", j, "name")))
                seen_stores.setdefault(name, item.loc("storage", j, "name"))
            region = st.get("region")
            if isinstance(region, str) and region not in regions.REGIONS:
                near = closest(region, regions.REGIONS)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                err(item, path, ("storage", j, "region"), f"{region!r} is not an AWS region{hint}")
            if kind == "s3" and isinstance(key, str) and not _valid_prefix_template(key):
                err(
                    item,
                    path,
                    ("storage", j, "subject_key"),
                    f"{key!r} must contain {{subject_id}} once, followed by '/' "
                    "(e.g. 'users/{subject_id}/')",
                )
            for opt in ("index", "ttl_attribute"):
                if kind != "dynamodb" and opt in st:
                    err(item, path, ("storage", j, opt), f"{opt} applies to dynamodb stores only")
            for problem in _database_problems(st):
                err(item, path, ("storage", j, *problem[0]), problem[1])
            if "subject_type" in st and not key and kind not in DATABASE_KINDS:
                err(
                    item,
                    path,
                    ("storage", j, "subject_type"),
                    "subject_type is the type of the ids in subject_key; declare subject_key",
                )
            if st.get("index") and not key:
                err(
                    item,
                    path,
                    ("storage", j, "index"),
                    "an index needs the subject_key it is keyed on",
                )
    typo_of = typo_finder(seen_stores)
    for i, item in enumerate(waivers):
        resource = item.value.get("resource")
        if (
            isinstance(resource, str)
            and resource not in seen_stores
            and not resource.startswith("urn:")
        ):
            # Waivers may name any resource of a deployment; only say when it looks like a typo.
            typo = typo_of(resource)
            if typo:
                err(
                    item,
                    ("waivers", i),
                    ("resource",),
                    f"{resource!r} is not a declared store; did you mean {typo!r}?",
                    "warning",
                )
    return out


# An RDS instance or Aurora cluster identifier as RDS stores it: lowercase (RDS lowercases).
_RDS_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_DATABASE_FIELDS = ("engine", "engine_version", "database", "tables", "connection")
_CONNECTIONS = ("dsn_env", "secret_arn", "iam_auth")


def _database_problems(st: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """What the schema cannot say of a database store (rds, aurora), as (relative path,
    message); and that other kinds carry none of its fields."""
    kind = st.get("kind")
    if kind not in DATABASE_KINDS:
        for opt in _DATABASE_FIELDS:
            if opt in st:
                yield (opt,), f"{opt} applies to rds and aurora stores only"
        return
    name = st.get("name")
    if isinstance(name, str) and (len(name) > 63 or not _RDS_IDENTIFIER.fullmatch(name)):
        what = "instance" if kind == "rds" else "cluster"
        yield ("name",), (f"{name!r} is not an RDS {what} identifier: 1 to 63 lowercase "
                          "letters, digits and single hyphens, starting with a letter")
    if "subject_key" in st:
        yield ("subject_key",), ("a database store names its subject per table: "
                                 "tables[].subject_column")
    connection = st.get("connection")
    if isinstance(connection, dict):
        ways = [k for k in _CONNECTIONS if k in connection]
        if len(ways) != 1:
            yield ("connection",), ("exactly one of dsn_env, secret_arn, iam_auth says how "
                                    f"to connect; found {', '.join(ways) or 'none'}")
    seen: set[str] = set()
    for path, table, parent in _table_tree(st.get("tables")):
        if not isinstance(table, str):
            continue
        if "." in table and st.get("engine") == "mysql":
            yield path, (f"{table!r}: a MySQL table is named without a schema (the database "
                         "is the schema)")
        if table == parent:
            yield path, f"{table!r} cannot be a child of itself"
        elif table.lower() in seen:
            yield path, (f"table {table!r} appears twice in this store; declare each table "
                         "once (a child under one parent)")
        seen.add(table.lower())


def _table_tree(tables: Any, prefix: tuple[Any, ...] = ("tables",), parent: str | None = None
                ) -> Iterator[tuple[tuple[Any, ...], Any, str | None]]:
    """(path to the name, table name, parent table) of every table and child table."""
    for i, entry in _items(tables, dict):
        key = "name" if prefix[-1] == "tables" else "table"
        yield (*prefix, i, key), entry.get(key), parent
        name = entry.get(key)
        yield from _table_tree(entry.get("children"), (*prefix, i, "children"),
                               name if isinstance(name, str) else None)


def _organization_problems(root: Node | None) -> list[Problem]:
    """Record costs name value groups (`guardian.value`), each a positive amount (the schema)."""
    from guardian.value.table import table

    org = root.value.get("organization") if root and isinstance(root.value, dict) else None
    costs = org.get("record_costs") if isinstance(org, dict) else None
    if not isinstance(costs, dict):
        return []
    groups = table().group_ids
    out = []
    for group in costs:
        if group not in groups:
            close = closest(str(group), groups)
            hint = f"; did you mean {close[0]!r}?" if close else f" ({', '.join(groups)})"
            path = ("organization", "record_costs", group)
            out.append(Problem(root.at(path), _dotted(path),  # type: ignore[union-attr]
                               f"{group!r} is not a value group{hint}"))
    return out


def _law_problems(item: _Located, path: tuple[Any, ...], ds: dict[str, Any]) -> list[Problem]:
    """What the law asks of the fields that state it: legitimate interests stated, transfer
    safeguards that exist for the country and the regime, contracts with processors."""
    out: list[Problem] = []

    def say(rel: tuple[Any, ...], message: str, severity: str = "warning") -> None:
        out.append(Problem(item.loc(*rel), _dotted(path + rel), message, severity))

    on_interests = [j for j, u in _items(ds.get("uses"), dict)
                    if u.get("legal_basis") == "legitimate_interests"]
    if on_interests and not ds.get("legitimate_interest"):
        say(("uses", on_interests[0], "legal_basis"), "a use rests on legitimate interests: "
            "state them in the dataset's legitimate_interest (GDPR Art. 13(1)(d))")
    if ds.get("legitimate_interest") and not on_interests:
        say(("legitimate_interest",), "no use of this dataset rests on legitimate_interests")
    laws = [j for j in ("gdpr", "uk_gdpr") if j in _strings(ds.get("jurisdictions"))]
    for j, rec in _items(ds.get("recipients"), dict):
        country = rec.get("country")
        if not isinstance(country, str):
            continue
        dpf = rec.get("dpf_certified") is True
        if dpf and country not in regions.DPF_COUNTRIES:
            say(("recipients", j, "dpf_certified"), "the Data Privacy Framework certifies US "
                f"organisations only; this recipient is in {country}", "error")
        if rec.get("safeguard_uk") and "uk_gdpr" not in laws:
            say(("recipients", j, "safeguard_uk"), "safeguard_uk is for UK GDPR data; this "
                "dataset is not under uk_gdpr")
        for law in laws:
            field_ = "safeguard_uk" if law == "uk_gdpr" and rec.get("safeguard_uk") \
                else "safeguard"
            safeguard = rec.get(field_)
            if not regions.third_country(law, country) or regions.adequate(
                    law, country, dpf_certified=dpf):
                continue
            where = "EU" if law == "gdpr" else "UK"
            if safeguard == "adequacy":
                why = (f"{where} adequacy for the US covers only organisations certified under "
                       "the Data Privacy Framework: set dpf_certified: true if this one is, "
                       "else name its safeguard") if country in regions.DPF_COUNTRIES \
                    else f"no {where} adequacy decision covers {country}"
                say(("recipients", j, field_), f"'adequacy' for {law} data: {why}")
            elif law == "uk_gdpr" and safeguard == "scc":
                say(("recipients", j, "safeguard"), "EU standard contractual clauses alone are "
                    "not valid for UK GDPR transfers: add safeguard_uk: uk_addendum (the UK "
                    "Addendum to the EU SCCs) or idta")
        if rec.get("role") in ("processor", "joint_controller") and not rec.get("contract"):
            need = "an Art. 28(3) contract" if rec["role"] == "processor" \
                else "an Art. 26 arrangement"
            say(("recipients", j, "role"), f"a {rec['role'].replace('_', ' ')} needs {need}: "
                "link it in `contract`")
    return out


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    return [v for _, v in _items(value, str)]


def _valid_prefix_template(key: str) -> bool:
    head, _, tail = key.partition("{subject_id}")
    return (
        key.count("{subject_id}") == 1
        and tail.startswith("/")
        and "*" not in key
        and ".." not in key
    )


def _taxonomy_keys(ds: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], taxonomy.Kind, str]]:
    for j, key in _items(ds.get("categories"), str):
        yield ("categories", j), "data_category", key
    for j, key in _items(ds.get("subjects"), str):
        yield ("subjects", j), "data_subject", key
    for j, u in _items(ds.get("uses"), dict):
        if isinstance(u.get("use"), str):
            yield ("uses", j, "use"), "data_use", u["use"]


def _taxonomy_problem(
    item: _Located, path: tuple[Any, ...], rel: tuple[Any, ...], kind: taxonomy.Kind, key: str
) -> list[Problem]:
    term = taxonomy.terms(kind).get(key)
    loc, where = item.loc(*rel), _dotted(path + rel)
    noun = kind.replace("_", " ")
    if term is None:
        close = taxonomy.suggest(kind, key)
        hint = f"; did you mean {close!r}?" if close else ""
        return [Problem(loc, where, f"{key!r} is not a fideslang {noun}{hint}")]
    if term.deprecated:
        instead = f"; use {term.replaced_by!r}" if term.replaced_by else ""
        return [
            Problem(loc, where, f"{key!r} is a deprecated fideslang {noun}{instead}", "warning")
        ]
    return []


# --- building the typed catalog ----------------------------------------------------------


def _build(
    root: Node, datasets: list[_Located], waivers: list[_Located], files: tuple[str, ...]
) -> Catalog:
    doc = root.value
    org = doc["organization"]
    dpo = org.get("dpo")
    gate = doc.get("gate") or {}
    return Catalog(
        version=doc["version"],
        organization=Organization(
            name=org["name"],
            contact=org["contact"],
            dpo=Person(dpo["name"], dpo["email"]) if dpo else None,
            representative=org.get("representative"),
            representative_uk=org.get("representative_uk"),
            record_costs=tuple((g, float(usd)) for g, usd in org.get("record_costs", {}).items()),
        ),
        datasets=tuple(_dataset(item) for item in datasets),
        waivers=tuple(
            Waiver(
                w.value["rule"],
                w.value["resource"],
                w.value["reason"],
                w.value["approved_by"],
                date.fromisoformat(w.value["expires"]),
                loc=w.loc(),
            )
            for w in waivers
        ),
        gate=Gate(tuple(gate.get("rules") or ()), tuple(gate.get("skip_rules") or ()),
                  rules_loc=root.at(("gate", "rules")),
                  skip_rules_loc=root.at(("gate", "skip_rules"))),
        path=files[0],
        files=files,
    )


def _dataset(item: _Located) -> Dataset:
    ds = item.value
    ret = ds["retention"]
    return Dataset(
        id=ds["id"],
        name=ds["name"],
        owner=ds["owner"],
        classification=ds["classification"],
        categories=tuple(ds["categories"]),
        subjects=tuple(ds["subjects"]),
        jurisdictions=tuple(ds["jurisdictions"]),
        residency=tuple(ds["residency"]),
        retention=Retention(ret["days"], ret.get("basis"), bool(ret.get("legal_hold", False))),
        uses=tuple(
            Use(
                u["use"],
                u["legal_basis"],
                u.get("special_category_condition"),
                u.get("opt_out"),
                bool(u.get("double_opt_in", False)),
                loc=item.loc("uses", j),
            )
            for j, u in enumerate(ds["uses"])
        ),
        access=tuple(
            Access(
                a["role"],
                a["use"],
                tuple(a["actions"]),
                bool(a.get("human", False)),
                date.fromisoformat(a["training_valid_until"])
                if a.get("training_valid_until")
                else None,
                loc=item.loc("access", j),
            )
            for j, a in enumerate(ds.get("access", ()))
        ),
        recipients=tuple(
            Recipient(
                r["name"],
                r["use"],
                r["country"],
                r["safeguard"],
                r.get("aws_account"),
                role=r.get("role"),
                dpf_certified=bool(r.get("dpf_certified", False)),
                contract=r.get("contract"),
                safeguard_uk=r.get("safeguard_uk"),
                loc=item.loc("recipients", j),
            )
            for j, r in enumerate(ds.get("recipients", ()))
        ),
        breach_contacts=tuple(ds.get("breach_contacts", ())),
        storage=tuple(_storage(item, j, s) for j, s in enumerate(ds.get("storage", ()))),
        description=ds.get("description"),
        legitimate_interest=_optional(LegitimateInterest, ds.get("legitimate_interest")),
        source=_optional(Source, ds.get("source")),
        requirement=_optional(Requirement, ds.get("requirement")),
        automated_decisions=_automated(ds.get("automated_decisions")),
        dpia=_optional(Dpia, ds.get("dpia")),
        volume=volume(ds["volume"]) if "volume" in ds else None,
        loc=item.loc(),
    )


def _storage(item: _Located, j: int, s: dict[str, Any]) -> Storage:
    at = ("storage", j)
    connection = s.get("connection")
    return Storage(
        s["kind"],
        s["name"],
        s.get("subject_key"),
        s.get("index"),
        s.get("ttl_attribute"),
        s.get("subject_type", "string"),
        s.get("account"),
        s.get("region"),
        engine=s.get("engine"),
        engine_version=s.get("engine_version"),
        database=s.get("database"),
        tables=tuple(
            Table(t["name"], t["subject_column"], tuple(t.get("columns", ())),
                  _children(item, (*at, "tables", i), t), loc=item.loc(*at, "tables", i))
            for i, t in enumerate(s.get("tables", ()))
        ),
        connection=Connection(
            connection.get("dsn_env"), connection.get("secret_arn"),
            (connection.get("iam_auth") or {}).get("user"), connection.get("ca_bundle"),
        ) if connection else None,
        loc=item.loc(*at),
    )


def _children(item: _Located, at: tuple[Any, ...], entry: dict[str, Any]
              ) -> tuple[ChildTable, ...]:
    return tuple(
        ChildTable(c["table"], c["foreign_key"], c.get("on_delete"), tuple(c.get("columns", ())),
                   _children(item, (*at, "children", i), c), loc=item.loc(*at, "children", i))
        for i, c in enumerate(entry.get("children", ()))
    )


_SUFFIX = {"k": 10**3, "M": 10**6, "B": 10**9}


def volume(value: int | float | str) -> int:
    """A dataset's volume as a number of people: 120000, 1e6, '120k', '2M', '1.5B'."""
    if isinstance(value, str):
        return round(float(value[:-1]) * _SUFFIX[value[-1]])
    return int(value)


def _optional(kind: type[T], value: dict[str, Any] | None) -> T | None:
    """A small optional section (its fields as the schema names them), or None."""
    return None if value is None else kind(**value)


def _automated(value: str | dict[str, Any] | None) -> AutomatedDecisions | None:
    if value is None:
        return None
    if value == "none":
        return AutomatedDecisions(exists=False)
    assert isinstance(value, dict)
    return AutomatedDecisions(True, value["logic"], value["significance"],
                              bool(value.get("profiling", False)))
