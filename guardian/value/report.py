"""`guardian risk` in text, markdown and JSON, and the value table as the README shows it."""

from __future__ import annotations

import json
from typing import Any

from guardian.findings import Report, Result
from guardian.value.at_risk import Valuation
from guardian.value.table import Factor, Table, table

FORMAT = "guardian.risk/v1"


def render(report: Report, fmt: str) -> str:
    return {"text": text, "markdown": markdown, "json": to_json}[fmt](report)


def _finding(r: Result) -> str:
    f = r.finding
    on = f.resource.name if f.resource else (f.location or "the catalog")
    return f"{r.severity} {f.rule} on {on}: {f.message}"


def _verdict(report: Report) -> str:
    sized = [v for v in report.values if v.at_risk is not None]
    full = sum(v.complete for v in sized)
    return (f"{'FAIL' if report.blocking else 'PASS'}: {len(report.values)} datasets, "
            f"{len(sized)} sized ({full} in full), {len(report.values) - len(sized)} unsized; "
            f"{len(report.blocking)} blocking findings (fail on {report.fail_on})")


def sources_cited(report: Report) -> list[str]:
    """The table's caveats and the sources the report's figures cite, one line each."""
    model = table()
    cited = {p.by for v in report.values for p in v.parts} | {
        f.source.short for v in report.values for f in (*v.multipliers, *v.factors) if f.source}
    return [text for text, _, _ in model.caveats] + [
        f"{s.short}: {s.cite()}" for s in model.sources if s.short in cited]


def text(report: Report) -> str:
    lines = [f"guardian risk: {report.source_kind} {report.source_path} ({report.resources} "
             "resources): datasets by value at risk, US$", ""]
    width = max((len(v.dataset.id) for v in report.values), default=0)
    for i, v in enumerate(report.values, start=1):
        lines.append(f"{i:>3}  {v.dataset.id:<{width}}  {v.shown}")
        lines.append(f"     {v.explain()}")
        if v.findings:
            lines.append(f"     {len(v.findings)} open finding(s):")
            lines += [f"       {_finding(r)}" for r in v.findings]
        else:
            lines.append("     no open finding")
    lines += ["", *sources_cited(report), "", _verdict(report)]
    return "\n".join(lines) + "\n"


def markdown(report: Report) -> str:
    lines = ["# Value at risk", "",
             f"{report.source_kind} `{report.source_path}`, {report.resources} resources. "
             "Amounts in US$; each figure's source below.", "",
             "| rank | dataset | value at risk | arithmetic | open findings |",
             "| --- | --- | --- | --- | --- |"]
    for i, v in enumerate(report.values, start=1):
        found = "<br>".join(_cell(_finding(r)) for r in v.findings) or "none"
        lines.append(f"| {i} | `{v.dataset.id}` ({v.dataset.classification}) | {v.shown} | "
                     f"{_cell(v.explain())} | {found} |")
    lines += ["", *[f"- {_cell(n)}" for n in sources_cited(report)], "", _verdict(report)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def valuation_json(v: Valuation) -> dict[str, Any]:
    part = v.per_record
    return {
        "id": v.dataset.id,
        "name": v.dataset.name,
        "classification": v.dataset.classification,
        "volume": v.volume,
        "value": v.value,
        "value_at_risk": v.at_risk,
        "complete": v.complete,
        "per_record": None if part is None else {
            "usd": part.usd, "group": part.group.id, "by": part.by},
        "groups": [{"group": p.group.id, "categories": list(p.categories), "usd": p.usd,
                    "by": p.by if p.usd is not None else None} for p in v.parts],
        "unsized": [p.group.id for p in v.unsized],
        "multipliers": [_factor_json(f) for f in v.multipliers],
        "exposure": [_factor_json(f) for f in v.factors],
        "explanation": v.explain(),
        "open_findings": [{"rule": r.finding.rule, "severity": r.severity,
                           "control": r.rule.control, "blocking": r.blocking,
                           "resource": r.finding.resource.to_json() if r.finding.resource
                           else None, "message": r.finding.message} for r in v.findings],
    }


def _factor_json(f: Factor) -> dict[str, Any]:
    return {"id": f.id, "label": f.label, "factor": f.value,
            "ratio": list(f.ratio) if f.ratio else None,
            "source": f.source.short if f.source else None, "where": f.where}


def to_json(report: Report) -> str:
    model = table()
    doc = {
        "format": FORMAT,
        "source": {"kind": report.source_kind, "path": report.source_path},
        "currency": model.currency,
        "datasets": [{"rank": i, **valuation_json(v)}
                     for i, v in enumerate(report.values, start=1)],
        "sources": [{"id": s.short, "title": s.title, "publisher": s.publisher, "year": s.year,
                     "url": s.url, "copy": s.copy} for s in model.sources],
        "caveats": [text for text, _, _ in model.caveats],
        "summary": {"datasets": len(report.values),
                    "sized": sum(v.at_risk is not None for v in report.values),
                    "complete": sum(v.complete for v in report.values),
                    "blocking": len(report.blocking), "fail_on": report.fail_on},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def table_markdown(model: Table | None = None) -> str:
    """The value table with its sources, as the README shows it (`guardian risk --table`)."""
    model = model or table()
    lines = ["| group | fideslang categories (and their children) | US$ per record | source |",
             "| --- | --- | --- | --- |"]
    for g in model.groups:
        cost = (f"{g.usd:g}" if g.usd is not None
                else f"none published: set `organization.record_costs.{g.id}`")
        cited = f"{g.source.short}: {g.where}" if g.source else g.where
        lines.append(f"| {g.id} | {', '.join(f'`{c}`' for c in g.categories)} | {cost} | "
                     f"{_cell(cited)} |")
    lines += ["", "| multiplier | applies to | factor | source |", "| --- | --- | --- | --- |"]
    for f in model.multipliers:
        lines.append(f"| {f.id} | {f.label} | {_factor_cell(f)} | {_cell(_cited(f))} |")
    for f in model.exposure:
        rules = ", ".join(f.rules)
        lines.append(f"| {f.id} (exposure) | {f.label}: an open {rules} finding | "
                     f"{_factor_cell(f)} | {_cell(_cited(f))} |")
    lines += ["", *[f"- {s.short}: {s.cite()}" + (f" (full text: {s.copy})" if s.copy else "")
                    + (f"; {s.scope}" if s.scope else "") for s in model.sources]]
    lines += [f"- {text} ({src.short}, {where})" for text, src, where in model.caveats]
    return "\n".join(lines) + "\n"


def _factor_cell(f: Factor) -> str:
    if f.ratio is None or f.value is None:
        return "none published: not applied"
    return f"{f.value:.3f} ({f.ratio[0]:g}/{f.ratio[1]:g})"


def _cited(f: Factor) -> str:
    return f"{f.source.short}: {f.where}" if f.source else f.where
