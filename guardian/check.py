"""The policy engine: run the rules on a graph, then apply the threshold and the waivers.

Pure: no I/O. The CLI reads the catalog and the graph, calls `evaluate`, and prints the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from guardian.catalog import model
from guardian.catalog.model import Catalog, Waiver
from guardian.errors import UserError, closest
from guardian.findings import (
    FAIL_ON,
    Check,
    Context,
    Finding,
    Report,
    Result,
    Rule,
    Subject,
    blocks,
    severity_rank,
)
from guardian.graph.model import ResourceGraph, Source
from guardian.heap import long_lived
from guardian.locations import Location, parse, relative_to

if TYPE_CHECKING:
    from guardian.catalog.loader import Problem

# What a waiver may name besides Guardian's rules: checkov's checks (`check --checkov`).
CHECKOV_ID = re.compile(r"CKV2?_[A-Z0-9]+_\d+")


def catalog_problems(catalog: Catalog, today: date | None = None) -> list[Problem]:
    """What `validate` says beyond the loader: every rule's findings on the catalog alone, at
    their catalog line (warnings: a policy matter, not malformed input), and waivers that
    cannot apply: one naming no rule (an error) or already expired (a warning)."""
    from guardian.catalog.loader import Problem
    from guardian.policies.rules import RULES_BY_ID

    day = today or date.today()
    report = evaluate(catalog, ResourceGraph([], Source("graph", "")), today=day)
    problems = [
        Problem(_location(r.finding.location), f"datasets[{r.finding.dataset}]",
                f"{r.finding.rule} ({r.severity}): {r.finding.message}", "warning")
        for r in report.results if r.finding.location and r.severity != "info"]
    for i, w in enumerate(catalog.waivers):
        where = f"waivers[{i}]"
        if w.rule not in RULES_BY_ID and not CHECKOV_ID.fullmatch(w.rule):
            close = closest(w.rule, RULES_BY_ID)
            hint = f"; did you mean {close[0]}?" if close else ""
            problems.append(Problem(w.loc, f"{where}.rule", f"{w.rule!r} is neither a Guardian "
                                    f"rule (guardian rules) nor a checkov check id{hint}"))
        elif w.expires < day:
            problems.append(Problem(w.loc, f"{where}.expires", f"the waiver of {w.rule} on "
                                    f"{w.resource} expired on {w.expires}: it no longer applies",
                                    "warning"))
    return sorted(problems)


def _location(text: str) -> model.Location:
    loc = parse(text)
    return model.Location(loc.file, loc.line, loc.col)


def _rules() -> tuple[Rule, ...]:
    from guardian.policies.rules import RULES

    return RULES


Waivers = dict[tuple[str, str], tuple[int, Waiver]]


def _waiver_index(waivers: Iterable[Waiver]) -> Waivers:
    """(rule, resource) -> the first waiver naming them, with its place: one lookup a finding,
    however many waivers and findings there are."""
    index: Waivers = {}
    for i, w in enumerate(waivers):
        index.setdefault((w.rule, w.resource), (i, w))
    return index


def _waiver_for(finding: Finding, waivers: Waivers) -> Waiver | None:
    """The first waiver naming this finding's rule and its resource (Pulumi name or URN); a
    finding on the catalog itself is named by its dataset id."""
    names = ({finding.resource.name, finding.resource.urn} if finding.resource
             else {finding.dataset} if finding.dataset else set())
    found = [waivers[finding.rule, n] for n in names if (finding.rule, n) in waivers]
    return min(found, key=lambda hit: hit[0])[1] if found else None


def locate(finding: Finding, graph: ResourceGraph,
           repository: Path | None = None) -> tuple[Location, ...]:
    """Where a finding points: its resource's declaration and the components' around it, or
    its catalog line (made relative to `repository` when inside it)."""
    if finding.resource is not None:
        return graph.declared_at(finding.resource.urn) if finding.resource.urn else ()
    return (_in(parse(finding.location), repository),) if finding.location else ()


def _in(loc: Location, repository: Path | None) -> Location:
    file = relative_to(loc.file, repository) if repository else None
    return replace(loc, file=file) if file else loc


def _where(ctx: Context, repository: Path | None) -> Callable[[Subject], Location | None]:
    """Where a check's subject is declared (the resource's line, the dataset's catalog line),
    looked up once per subject: every rule checks the same stores."""
    known: dict[tuple[str, str], Location | None] = {}

    def where(subject: Subject) -> Location | None:
        key = subject.key
        if key not in known:
            if subject.resource is not None:
                found = ctx.graph.declared_at(subject.resource.urn)
                known[key] = found[0] if found else None
            else:
                ds = ctx.catalog.dataset(subject.dataset or "")
                known[key] = _in(ds.loc, repository) if ds and ds.loc.line else None
        return known[key]

    return where


def ranked(report: Report, catalog: Catalog) -> Report:
    """The report with every dataset valued (`guardian.value`: its open findings are its
    exposure) and its results ordered by severity, then by the value at risk of their dataset,
    larger first (unsized and unbound ones after), then resource, rule and message."""
    from guardian.value.at_risk import value_at_risk

    values = value_at_risk(catalog, report.results)
    place = {v.dataset.id: i for i, v in enumerate(values)}

    def order(r: Result) -> tuple[int, int, str, str, str]:
        f = r.finding
        return (severity_rank(r.severity), place.get(f.dataset or "", len(place)),
                f.resource.name if f.resource else "", f.rule, f.message)

    return replace(report, values=values, results=tuple(sorted(report.results, key=order)))


def evaluate(
    catalog: Catalog,
    graph: ResourceGraph,
    *,
    rules: tuple[Rule, ...] | None = None,
    fail_on: str = "high",
    today: date | None = None,
    repository: Path | None = None,
) -> Report:
    """Every finding of every rule, with its severity, whether it blocks and its waiver, and
    every check the rules made (a rule on one subject of its scope), passing ones included.

    A finding blocks when its severity is `fail_on` or worse and no valid waiver covers it;
    `info` never blocks, and nothing does with `fail_on="none"`. An expired waiver is not
    applied (the message says so); a waiver that matches no finding is returned in
    `unused_waivers`. Every rule reads one `Context`: the catalog, the graph, `today`
    (default: the system date) and their index. Catalog lines are made relative to
    `repository` (the graph's locations already are).
    """
    if fail_on not in FAIL_ON:
        raise UserError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    day = today or date.today()
    results: list[Result] = []
    checks: dict[tuple[str, str, str], Check] = {}
    used: set[int] = set()
    ctx = Context(catalog, graph, day)
    waivers = _waiver_index(catalog.waivers)
    where = _where(ctx, repository)
    with long_lived():
        for rule in rules if rules is not None else _rules():
            checks.update((c.key, c) for c in rule.checks(ctx, where))
            for finding in rule.evaluate(ctx):
                if finding.rule != rule.id:
                    raise AssertionError(f"rule {rule.id} made a finding of {finding.rule}: "
                                         "make findings through the rule (Rule.at, Rule.finding)")
                subject = Subject.of(finding)
                key = (rule.id, *subject.key)
                if key not in checks:  # outside its declared scope: still a check
                    checks[key] = Check(rule, subject, finding.dataset, where(subject))
                severity = finding.severity or rule.severity
                waiver = _waiver_for(finding, waivers)
                if waiver is not None:
                    used.add(id(waiver))
                    if waiver.expires < day:
                        finding = replace(finding, message=(
                            f"{finding.message} (waiver expired on {waiver.expires}, approved "
                            f"by {waiver.approved_by}: it no longer applies)"))
                        waiver = None
                blocking = waiver is None and blocks(severity, fail_on)
                results.append(Result(finding, rule, severity, blocking, waiver,
                                      locations=locate(finding, graph, repository)))
    return ranked(Report(
        source_kind=graph.source.kind,
        source_path=graph.source.path,
        resources=len(graph),
        results=tuple(results),
        unused_waivers=tuple(w for w in catalog.waivers if id(w) not in used),
        fail_on=fail_on,
        entry=graph.source.entry,
        projects=graph.projects,
        accounts=graph.accounts,
        checks=tuple(checks.values()),
        partial=_partial(graph),
        coverage=graph.coverage() if len(graph.source.accounts) > 1 or graph.source.inactive
        or any(g.account_wide for g in graph.gaps) else None,  # an organisation's audit
        note=graph.source.note,
    ), catalog)


def _partial(graph: ResourceGraph) -> str | None:
    """The report's first words when --allow-partial let failed listings through."""
    allowed = [g for g in graph.gaps if g.listing and g.allowed]
    if not allowed:
        return None
    calls = ", ".join(dict.fromkeys(f"{g.call} ({g.code}{', ' + g.region if g.region else ''})"
                                    for g in allowed))
    return (f"PARTIAL AUDIT (--allow-partial): {len(allowed)} listing(s) failed and what they "
            f"hold was not checked: {calls}")
