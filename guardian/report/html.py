"""The HTML report: one self-contained page (no scripts, no network) for a compliance reviewer.

Summary, value at risk by dataset, findings by dataset and control, the data map drawn as inline
SVG, and retention and residency at a glance. Everything from the inputs is HTML-escaped.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from html import escape

from guardian import __version__
from guardian.catalog.model import Catalog
from guardian.catalog.regions import region_allowed
from guardian.findings import CONTROLS, SEVERITIES, Report, Result
from guardian.graph.model import ResourceGraph

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#202124}
header{background:#1f3a5f;color:#fff;padding:1.2rem 2rem}header h1{margin:0 0 .3rem}
main{padding:1rem 2rem 3rem;max-width:82rem}
h2{border-bottom:2px solid #dadce0;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #dadce0;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f4}.num{text-align:center}
.status{display:inline-block;padding:.3rem .8rem;border-radius:4px;font-weight:bold}
.pass{background:#e6f4ea;color:#137333}.block{background:#fce8e6;color:#a50e0e}
.critical{background:#a50e0e;color:#fff}.high{background:#fce8e6}.medium{background:#fef7e0}
.low{background:#e8f0fe}.info{background:#f1f3f4}.ok{color:#137333}.bad{color:#a50e0e}
.unknown{color:#b06000}.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #dadce0;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}.legend span{display:inline-block;margin-right:1rem}
.swatch{display:inline-block;width:.9rem;height:.9rem;border:2px solid;vertical-align:middle;
margin-right:.3rem}.map{overflow-x:auto;border:1px solid #dadce0;padding:.5rem}
pre{background:#f8f9fa;padding:.6rem;overflow-x:auto;font-size:.8rem}
"""


def _status(result: Result) -> str:
    if result.waiver is not None:
        return "waived"
    if result.baseline:
        return "baseline"
    return "blocking" if result.blocking else "advisory"


def _summary(catalog: Catalog, graph: ResourceGraph, report: Report, stores: int) -> list[str]:
    by_sev = Counter(r.severity for r in report.results if r.waiver is None)
    ok = report.exit_code == 0
    verdict = ("PASS: nothing blocks" if ok
               else f"BLOCKED: {len(report.blocking)} blocking finding(s)")
    out = [
        "<section id=\"summary\"><h2>Summary</h2>",
        *([f'<p class="unknown"><b>{escape(report.partial)}</b></p>'] if report.partial else []),
        f'<p><span class="status {"pass" if ok else "block"}">{verdict}</span></p>',
        '<div class="cards">',
        f'<div class="card"><b>{len(catalog.datasets)}</b>datasets</div>',
        f'<div class="card"><b>{stores}</b>deployed stores</div>',
        f'<div class="card"><b>{report.resources}</b>resources checked</div>',
        f'<div class="card"><b>{len(report.results)}</b>findings</div>',
        f'<div class="card"><b>{len(report.blocking)}</b>blocking</div>',
        f'<div class="card"><b>{len(report.waived)}</b>waived</div>',
        "</div><table><tr>" + "".join(f"<th class=\"{s}\">{s}</th>" for s in SEVERITIES)
        + "</tr><tr>" + "".join(f'<td class="num">{by_sev.get(s, 0)}</td>' for s in SEVERITIES)
        + "</tr></table>",
        f"<p>Source: {escape(report.source_kind)} <code>{escape(report.source_path)}</code>; "
        f"blocking from severity <b>{escape(report.fail_on)}</b> up.</p>",
        *([f"<p>{escape(report.accounts_line)}</p>"] if report.accounts_line else []),
        *([f"<p>{escape(report.note)}</p>"] if report.note else []),
        "</section>",
    ]
    return out


def _value(report: Report) -> list[str]:
    """The datasets ranked by value at risk (`guardian risk`), with the arithmetic."""
    from guardian.value.report import sources_cited

    out = ['<section id="value"><h2>Value at risk</h2>',
           "<p>What a breach of each dataset would cost now: volume x cost per record, raised by "
           "the findings open against its stores. Unsized datasets come last.</p>",
           "<table><tr><th>rank</th><th>dataset</th><th>class</th><th>value at risk (US$)</th>"
           "<th>arithmetic</th><th>open findings</th></tr>"]
    for i, v in enumerate(report.values, start=1):
        worst = min((r.severity for r in v.findings), key=SEVERITIES.index, default=None)
        out.append(
            f'<tr><td class="num">{i}</td><td>{escape(v.dataset.name)} '
            f"(<code>{escape(v.dataset.id)}</code>)</td><td>{escape(v.dataset.classification)}"
            f'</td><td class="{"unknown" if v.at_risk is None else ""}">{escape(v.shown)}</td>'
            f"<td>{escape(v.explain())}</td>"
            f'<td class="num {worst or ""}">{len(v.findings) or ""}</td></tr>')
    out.append("</table><ul>" + "".join(f"<li>{escape(n)}</li>" for n in sources_cited(report))
               + "</ul></section>")
    return out


def _findings(catalog: Catalog, report: Report) -> list[str]:
    controls = [c for c in CONTROLS if any(r.rule.control == c for r in report.results)]
    rows = [None, *[ds.id for ds in catalog.datasets]]
    out = ['<section id="findings"><h2>Findings by dataset and control</h2>']
    if not report.results:
        out.append("<p>No findings.</p></section>")
        return out
    out.append("<table><tr><th>dataset</th>" + "".join(f"<th>{escape(c)}</th>" for c in controls)
               + "</tr>")
    for ds in rows:
        mine = [r for r in report.results if r.finding.dataset == ds]
        if ds is None and not mine:
            continue
        cells = []
        for c in controls:
            here = [r for r in mine if r.rule.control == c]
            worst = min((r.severity for r in here if r.waiver is None),
                        key=SEVERITIES.index, default=None)
            cells.append(f'<td class="num {worst or ""}">{len(here) or ""}</td>')
        out.append(f"<tr><th>{escape(ds or '(catalog / unbound)')}</th>{''.join(cells)}</tr>")
    out.append("</table>")
    for ds in rows:
        mine = [r for r in report.results if r.finding.dataset == ds]
        if not mine:
            continue
        out.append(f"<h3>{escape(ds or 'Catalog and unbound resources')}</h3><table><tr>"
                   "<th>rule</th><th>control</th><th>severity</th><th>status</th>"
                   "<th>resource</th><th>finding</th><th>remediation</th></tr>")
        for r in mine:
            f = r.finding
            where = f.resource.name if f.resource else (f.location or "")
            out.append(
                f"<tr><td>{escape(f.rule)}</td><td>{escape(r.rule.control)}</td>"
                f'<td class="{escape(r.severity)}">{escape(r.severity)}</td>'
                f"<td>{_status(r)}</td><td><code>{escape(where)}</code></td>"
                f"<td>{escape(report.said(r))}</td><td>{escape(r.remediation)}</td></tr>"
            )
        out.append("</table>")
    out.append("</section>")
    return out


def _glance(catalog: Catalog, graph: ResourceGraph) -> list[str]:
    from guardian.evidence import deployed

    out = ['<section id="glance"><h2>Retention and residency at a glance</h2><table><tr>'
           "<th>dataset</th><th>class</th><th>retention (catalog)</th><th>store</th>"
           "<th>deletes after (deployed)</th><th>within retention</th><th>residency</th>"
           "<th>region</th><th>in residency</th></tr>"]
    for ds in catalog.datasets:
        stores = deployed.stores(catalog, graph, ds.id)
        ttl = {st.name: st.ttl_attribute for st in ds.storage}
        if not stores:
            out.append(f"<tr><td>{escape(ds.name)}</td><td>{escape(ds.classification)}</td>"
                       f"<td>{ds.retention.days} days</td><td colspan=\"3\" class=\"unknown\">"
                       "not deployed</td><td>" + escape(", ".join(ds.residency))
                       + "</td><td colspan=\"2\"></td></tr>")
            continue
        for s in stores:
            kept, _ = deployed.retention(s, ds.retention.days, ttl.get(s.name))
            deletes = (deployed.after(s.expiration) if s.kind == "s3"
                       else f"TTL on {s.ttl_attribute}" if s.ttl_attribute else "never")
            inside = region_allowed(s.region, ds.residency) if s.region else None
            out.append(
                f"<tr><td>{escape(ds.name)}</td><td>{escape(ds.classification)}</td>"
                f"<td>{ds.retention.days} days</td><td><code>{escape(s.name)}</code></td>"
                f"<td>{escape(deletes)}</td>{_mark(kept)}"
                f"<td>{escape(', '.join(ds.residency))}</td>"
                f"<td>{escape(s.region or 'unknown')}</td>{_mark(inside)}</tr>"
            )
    out.append("</table></section>")
    return out


def _mark(value: bool | None) -> str:
    if value is None:
        return '<td class="unknown">unknown</td>'
    return '<td class="ok">yes</td>' if value else '<td class="bad">no</td>'


def _map(catalog: Catalog, graph: ResourceGraph) -> list[str]:
    from guardian.evidence import datamap

    data = datamap.build(catalog, graph)
    legend = "".join(
        f'<span><i class="swatch" style="background:{datamap.STYLES[c][0]};'
        f'border-color:{datamap.STYLES[c][1]}"></i>{escape(text)}</span>'
        for c, text in datamap.legend()
    )
    return [
        '<section id="datamap"><h2>Data map</h2>',
        f'<p class="legend">{legend}</p>',
        f'<div class="map">{datamap.to_svg(data)}</div>',
        "<details><summary>Mermaid source (renders on GitHub)</summary>"
        f'<pre class="mermaid">{escape(datamap.to_mermaid(data))}</pre></details></section>',
    ]


def render_html(catalog: Catalog, graph: ResourceGraph, report: Report, *,
                time: datetime) -> str:
    from guardian.evidence import deployed

    org = escape(catalog.organization.name)
    stores = len(deployed.stores(catalog, graph))
    body = [
        f"<header><h1>Privacy compliance report: {org}</h1>"
        f"<div>guardian {escape(__version__)} · generated {escape(time.isoformat())}</div>"
        "</header><main>",
        *_summary(catalog, graph, report, stores),
        *_value(report),
        *_findings(catalog, report),
        *_map(catalog, graph),
        *_glance(catalog, graph),
        "</main>",
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Privacy compliance report: {org}</title>\n<style>{CSS}</style>\n</head>\n"
            "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
