"""The data map: datasets -> stores (regions) -> roles and their uses -> recipients (countries).

`build` gives the JSON document; `diagram` turns it into nodes and edges in four columns, which
`to_mermaid` (for GitHub) and `to_svg` (for the self-contained HTML report, no JavaScript) both
draw. Special-category datasets and data leaving EU adequacy are flagged in both.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guardian.catalog.model import Catalog, Dataset, Recipient
from guardian.catalog.regions import REGIONS, region_allowed
from guardian.catalog.taxonomy import is_special_category, label
from guardian.evidence import deployed
from guardian.evidence.law import GDPR_REGIMES, SAFEGUARDS, transfer
from guardian.graph.model import ResourceGraph

FORMAT = "guardian.datamap/v1"


def _recipient(ds: Dataset, r: Recipient) -> dict[str, Any]:
    """A recipient with its transfers out of the (UK) GDPR's home: each regime's, and whether
    one of them rests on something other than adequacy (the map draws it dashed)."""
    moves = [m for regime in GDPR_REGIMES if regime in ds.jurisdictions
             if (m := transfer(regime, r)) is not None]
    return {
        "name": r.name, "country": r.country, "safeguard": r.safeguard, "role": r.role,
        "transfer": bool(moves),
        "transfers": {m.regime: m.basis for m in moves},
        "outside_adequacy": any(m.rests_on != "adequacy" for m in moves),
    }


def build(catalog: Catalog, graph: ResourceGraph) -> dict[str, Any]:
    """The data map as plain JSON data: catalog intent joined with what is deployed."""
    out = []
    for ds in catalog.datasets:
        gdpr = any(j in GDPR_REGIMES for j in ds.jurisdictions)
        found = {s.name: s for s in deployed.stores(catalog, graph, ds.id)}
        names = [st.name for st in ds.storage] + sorted(set(found) - {st.name for st in ds.storage})
        kinds = {st.name: st.kind for st in ds.storage}
        stores = []
        for name in names:
            s = found.get(name)
            region = s.region if s else None
            # A US region is adequate for EU data only if the provider is DPF-certified,
            # which the catalog does not record: not counted as adequate.
            adequate = (REGIONS[region].eu_adequate and not REGIONS[region].dpf_only) \
                if region in REGIONS else None
            stores.append({
                "kind": s.kind if s else kinds.get(name, "unknown"),
                "name": name,
                "deployed": s is not None,
                "declared": name in kinds,
                "region": region,
                "country": s.country if s else None,
                "in_residency": region_allowed(region, ds.residency) if region else None,
                "outside_adequacy": bool(gdpr and adequate is False),
            })
        uses = []
        for use in ds.uses:
            uses.append({
                "use": use.use,
                "label": label("data_use", use.use),
                "legal_basis": use.legal_basis,
                "roles": sorted({a.role for a in ds.access if a.use == use.use}),
                "recipients": [_recipient(ds, r) for r in ds.recipients if r.use == use.use],
            })
        special = [c for c in ds.categories if is_special_category(c)]
        out.append({
            "id": ds.id, "name": ds.name, "classification": ds.classification,
            "special_categories": special, "jurisdictions": list(ds.jurisdictions),
            "residency": list(ds.residency), "retention_days": ds.retention.days,
            "stores": stores, "uses": uses,
        })
    return {"format": FORMAT, "organization": catalog.organization.name,
            "source": {"kind": graph.source.kind, "path": graph.source.path}, "datasets": out}


@dataclass(frozen=True)
class Node:
    id: str
    column: int  # 0 dataset, 1 store, 2 role, 3 recipient
    lines: tuple[str, ...]
    cls: str  # dataset | special | store | missing | outside | role | recipient


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str = ""
    flagged: bool = False


def _slug(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def diagram(data: Mapping[str, Any]) -> tuple[list[Node], list[Edge]]:
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []

    def add(node: Node) -> str:
        nodes.setdefault(node.id, node)
        return node.id

    for ds in data["datasets"]:
        ds_id = add(Node(_slug("ds", ds["id"]), 0, (ds["name"], ds["classification"])
                         + (("special category",) if ds["special_categories"] else ()),
                         "special" if ds["special_categories"] else "dataset"))
        store_ids = []
        for st in ds["stores"]:
            where = (f"{st['region']} ({st['country']})" if st["region"] else "not deployed")
            cls = ("missing" if not st["deployed"]
                   else "outside" if st["outside_adequacy"] or st["in_residency"] is False
                   else "store")
            store_ids.append(add(Node(_slug("st", st["kind"], st["name"]), 1,
                                      (f"{st['kind']} {st['name']}", where), cls)))
            edges.append(Edge(ds_id, store_ids[-1]))
        for use in ds["uses"]:
            sources = store_ids or [ds_id]
            role_ids = [add(Node(_slug("role", ds["id"], r, use["use"]), 2, (r, use["label"]),
                                 "role")) for r in use["roles"]]
            edges += [Edge(s, r) for s in sources for r in role_ids]
            for rc in use["recipients"]:
                rc_id = add(Node(_slug("rcp", rc["name"], rc["country"]), 3,
                                 (rc["name"], rc["country"]),
                                 "outside" if rc["outside_adequacy"] else "recipient"))
                edges += [Edge(s, rc_id, SAFEGUARDS[rc["safeguard"]], rc["outside_adequacy"])
                          for s in (role_ids or sources)]
    unique = list(dict.fromkeys(edges))
    return list(nodes.values()), unique


STYLES = {
    "dataset": ("#e8f0fe", "#3367d6"),
    "special": ("#fde2e2", "#c5221f"),
    "store": ("#e6f4ea", "#188038"),
    "missing": ("#f1f3f4", "#80868b"),
    "outside": ("#fff4e5", "#e37400"),
    "role": ("#f3e8fd", "#8430ce"),
    "recipient": ("#e8f0fe", "#1a73e8"),
}
_SHAPES = {0: ('["', '"]'), 1: ('[("', '")]'), 2: ('(["', '"])'), 3: ('{{"', '"}}')}


def _mermaid_text(text: str) -> str:
    return html.escape(text, quote=True).replace("&quot;", "#quot;").replace("|", "#124;")


def to_mermaid(data: Mapping[str, Any]) -> str:
    nodes, edges = diagram(data)
    lines = ["flowchart LR"]
    for cls, (fill, stroke) in STYLES.items():
        dashed = ",stroke-dasharray:5 3" if cls in ("outside", "missing") else ""
        width = "3px" if cls in ("special", "outside") else "1px"
        lines.append(f"  classDef {cls} fill:{fill},stroke:{stroke},stroke-width:{width}{dashed}")
    for n in nodes:
        open_, close = _SHAPES[n.column]
        lines.append(f"  {n.id}{open_}{'<br/>'.join(_mermaid_text(x) for x in n.lines)}{close}"
                     f":::{n.cls}")
    for e in edges:
        arrow = "-.->" if e.flagged else "-->"
        text = f"|{_mermaid_text(e.label)}|" if e.label else ""
        lines.append(f"  {e.src} {arrow}{text} {e.dst}")
    lines.append("  %% red: special category data; orange dashed: outside EU adequacy or "
                 "residency; grey dashed: declared but not deployed")
    return "\n".join(lines) + "\n"


# SVG layout: four columns of boxes, rows in first-seen order, cubic edges between columns.
_W, _H, _GAP_X, _GAP_Y, _PAD = 232, 46, 80, 14, 20
_TITLES = ("Datasets", "Stores (region)", "Roles and uses", "Recipients (country)")


def to_svg(data: Mapping[str, Any]) -> str:
    nodes, edges = diagram(data)
    pos: dict[str, tuple[int, int]] = {}
    rows = [0, 0, 0, 0]
    for n in nodes:
        x = _PAD + n.column * (_W + _GAP_X)
        y = _PAD + 28 + rows[n.column] * (_H + _GAP_Y)
        pos[n.id] = (x, y)
        rows[n.column] += 1
    width = _PAD * 2 + 4 * _W + 3 * _GAP_X
    height = _PAD * 2 + 28 + max(rows + [1]) * (_H + _GAP_Y)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Data map" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           'font-family="system-ui,sans-serif" font-size="12">']
    for i, title in enumerate(_TITLES):
        out.append(f'<text x="{_PAD + i * (_W + _GAP_X)}" y="{_PAD + 12}" font-weight="bold">'
                   f"{title}</text>")
    for e in edges:
        (x1, y1), (x2, y2) = pos[e.src], pos[e.dst]
        x1, y1, y2 = x1 + _W, y1 + _H // 2, y2 + _H // 2
        mid = (x1 + x2) // 2
        color, dash = ("#e37400", ' stroke-dasharray="6 4"') if e.flagged else ("#9aa0a6", "")
        out.append(f'<path d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" fill="none" '
                   f'stroke="{color}" stroke-width="1.5"{dash}><title>'
                   f"{html.escape(e.label)}</title></path>")
    for n in nodes:
        x, y = pos[n.id]
        fill, stroke = STYLES[n.cls]
        dash = ' stroke-dasharray="5 3"' if n.cls in ("outside", "missing") else ""
        sw = 3 if n.cls in ("special", "outside") else 1
        out.append(f'<g class="node {n.cls}"><rect x="{x}" y="{y}" width="{_W}" height="{_H}" '
                   f'rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}/>')
        for i, line in enumerate(n.lines[:3]):
            weight = ' font-weight="bold"' if i == 0 else ""
            text = line if len(line) <= 34 else line[:33] + "…"
            out.append(f'<text x="{x + 8}" y="{y + 15 + i * 13}"{weight}>'
                       f"{html.escape(text)}</text>")
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def legend() -> Sequence[tuple[str, str]]:
    return (("special", "special category data (GDPR Art. 9)"),
            ("outside", "outside EU adequacy or the catalog's residency"),
            ("missing", "declared in the catalog, not deployed"))
