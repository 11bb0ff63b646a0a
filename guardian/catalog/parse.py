"""YAML text to plain values, keeping the line and column of every mapping value and list item.

Two parsers, one result. libyaml (through PyYAML's C binding) composes the node tree of a large
catalog twenty times faster than ruamel's round-trip loader; this module turns its nodes into
values itself, resolving scalars by ruamel's YAML 1.2 rules. ruamel stays the reference: a
document libyaml refuses, or one using what the fast path does not construct itself (merge keys,
explicit tags, non-string or repeated keys, numbers other than plain decimals, directives), is
parsed again by ruamel, so every error message and every value is ruamel's. A test holds the
two paths to identical trees.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from guardian.catalog.model import Location

MAX_NODES = 1_000_000  # aliases can make a small file huge once expanded


@dataclass
class Node:
    """A plain value with the position of every mapping key and sequence item below it."""

    value: Any
    loc: Location
    children: dict[Any, Node] = field(default_factory=dict)

    def at(self, path: tuple[Any, ...]) -> Location:
        node = self
        for part in path:
            nxt = node.children.get(part)
            if nxt is None:
                break
            node = nxt
        return node.loc


class ParseError(Exception):
    """The text is not a document we can read; `loc` says where."""

    def __init__(self, loc: Location, message: str) -> None:
        self.loc = loc
        super().__init__(message)


def parse(text: str, shown: str) -> Node:
    """The document in `text` (`shown` names its file in locations); ParseError if malformed."""
    node = fast_parse(text, shown)
    return node if node is not None else ruamel_parse(text, shown)


# --- the fast path: libyaml's nodes, values built here -----------------------------------

# What libyaml (YAML 1.1) reads otherwise than ruamel (YAML 1.2), or takes where ruamel refuses:
# directives, document end markers (ruamel refuses two in a row), line breaks 1.2 dropped,
# tabs, a comment glued to a block scalar's header, anchor names outside libyaml's alphabet.
# ruamel decides these.
_NOT_FAST = re.compile(
    r"^%|^\.\.\.(?:[ #]|$)|[\t\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#"
    r"|(?:^|[\s,\[{])[&*][A-Za-z0-9_-]*[^A-Za-z0-9_\-\s,\[\]{}]",
    re.MULTILINE,
)
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TAG = "tag:yaml.org,2002:"
_TRUE = {"true", "True", "TRUE"}
_BOOLS = _TRUE | {"false", "False", "FALSE"}
_NULLS = {"", "~", "null", "Null", "NULL"}


class _NotFast(Exception):
    """Something ruamel must construct itself."""


def fast_parse(text: str, shown: str) -> Node | None:
    """The document by libyaml, or None when ruamel must parse it (see the module's doc)."""
    if _NOT_FAST.search(text):
        return None
    loader = _loader()
    if loader is None:
        return None
    parser = loader(text)
    try:
        root = parser.get_single_node()
    except Exception:  # noqa: BLE001 (ruamel parses it again and words the error)
        return None
    finally:
        parser.dispose()
    top = Location(shown, 1, 1)
    if root is None:
        return Node(None, top)
    if root.id == "scalar":
        return None  # no catalog; libyaml and ruamel end a top-level block scalar differently
    try:
        return _Builder(shown).node(root, top)
    except (_NotFast, RecursionError):
        return None


_LOADER: list[Any] = []
_PLAIN = "?"  # a plain scalar without a tag, resolved by ruamel's rules in _implicit


def _loader() -> Any:
    """libyaml's parser, composing nodes only; None without PyYAML's C binding."""
    if not _LOADER:
        try:
            from yaml.cyaml import CParser
        except ImportError:
            _LOADER.append(None)
            return None

        class Loader(CParser):  # type: ignore[misc]
            def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
                if kind.id == "scalar":
                    return _PLAIN if implicit[0] else _TAG + "str"
                return _TAG + ("seq" if kind.id == "sequence" else "map")

            def descend_resolver(self, parent: Any, index: Any) -> None:
                pass

            def ascend_resolver(self) -> None:
                pass

        _LOADER.append(Loader)
    return _LOADER[0]


@functools.lru_cache(maxsize=4096)
def _implicit(value: str) -> str:
    """The tag ruamel's YAML 1.2 resolver gives a plain scalar."""
    from ruamel.yaml.resolver import implicit_resolvers

    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions and value[:1] in first and regexp.match(value):
            return str(tag)
    return _TAG + "str"


class _Builder:
    """Values and positions from libyaml's nodes, with the alias guards of ruamel's path."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.count = 0
        self.active: set[int] = set()

    def node(self, node: Any, loc: Location) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise ParseError(
                loc, f"the document expands to more than {MAX_NODES} values (aliases?)"
            )
        kind = node.id
        if kind == "scalar":
            return Node(_scalar(node), loc)
        if id(node) in self.active:
            raise ParseError(loc, "the document refers to itself through an alias")
        self.active.add(id(node))
        if kind == "mapping":
            if node.tag != _TAG + "map":
                raise _NotFast
            out = Node({}, loc)
            for key_node, value_node in node.value:
                key = _scalar(key_node) if key_node.id == "scalar" else None
                if not isinstance(key, str) or key in out.children:
                    raise _NotFast  # ruamel words duplicates and stringifies other keys
                child = self.node(value_node, self.loc(value_node))
                out.children[key] = child
                out.value[key] = child.value
        else:
            if node.tag != _TAG + "seq":
                raise _NotFast
            out = Node([], loc)
            for i, item in enumerate(node.value):
                child = self.node(item, self.loc(item))
                out.children[i] = child
                out.value.append(child.value)
        self.active.discard(id(node))
        return out

    def loc(self, node: Any) -> Location:
        mark = node.start_mark
        return Location(self.shown, mark.line + 1, mark.column + 1)


def _scalar(node: Any) -> Any:
    tag, value = node.tag, node.value
    if tag == _PLAIN:
        if not value:
            raise _NotFast  # an empty value: ruamel places it at the next token, libyaml after ':'
        tag = _implicit(value)
    if tag == _TAG + "str":
        return value
    if tag == _TAG + "null" and value in _NULLS:
        return None
    if tag == _TAG + "bool" and value in _BOOLS:
        return value in _TRUE
    if tag == _TAG + "int" and _INT.fullmatch(value):
        return int(value)
    if tag == _TAG + "float" and _FLOAT.fullmatch(value):
        return float(value)
    if tag == _TAG + "timestamp" and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value).isoformat()  # dates are kept as ISO text
        except ValueError:
            pass
    raise _NotFast


# --- the reference: ruamel's round-trip loader ---------------------------------------------


def ruamel_parse(text: str, shown: str) -> Node:
    """The document by ruamel's round-trip loader, positions from its line/column marks."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown, 1, 1)
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise ParseError(loc, f"malformed YAML: {what or 'cannot parse'}") from None
    except (Exception, RecursionError) as exc:  # ruamel raises a few unmarked errors
        raise ParseError(Location(shown, 1, 1), f"malformed YAML: {exc}") from None
    return _from_ruamel(data, Location(shown, 1, 1), shown, [0], set())


def _from_ruamel(data: Any, loc: Location, shown: str, count: list[int], active: set[int]
                 ) -> Node:
    """ruamel's round-trip tree to plain JSON-like values, keeping positions."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ParseError(loc, f"the document expands to more than {MAX_NODES} values (aliases?)")
    if isinstance(data, Mapping | list):
        if id(data) in active:
            raise ParseError(loc, "the document refers to itself through an alias")
        active = active | {id(data)}
    lc = getattr(data, "lc", None)
    if isinstance(data, Mapping):
        node = Node({}, loc)
        for key, value in data.items():
            try:
                line, col = lc.value(key) if lc is not None else (loc.line - 1, loc.col - 1)
            except (KeyError, TypeError, AttributeError):
                line, col = loc.line - 1, loc.col - 1
            # Keys that are not strings (`1: x`, `? [a]`) become strings; the schema rejects them.
            skey = key if isinstance(key, str) else str(key)
            child = _from_ruamel(value, Location(shown, line + 1, col + 1), shown, count, active)
            node.children[skey] = child
            node.value[skey] = child.value
        return node
    if isinstance(data, list):
        node = Node([], loc)
        for i, value in enumerate(data):
            try:
                line, col = lc.item(i) if lc is not None else (loc.line - 1, loc.col - 1)
            except (KeyError, TypeError, AttributeError):
                line, col = loc.line - 1, loc.col - 1
            child = _from_ruamel(value, Location(shown, line + 1, col + 1), shown, count, active)
            node.children[i] = child
            node.value.append(child.value)
        return node
    if isinstance(data, datetime | date):
        return Node(data.isoformat(), loc)  # unquoted YAML dates are dates, kept as ISO text
    if isinstance(data, bool) or data is None:
        return Node(data, loc)
    if isinstance(data, int):
        return Node(int(data), loc)
    if isinstance(data, float):
        return Node(float(data), loc)
    return Node(str(data), loc)
