"""The breach report for people: what is owed, the steps soonest first, the open questions."""

from __future__ import annotations

from guardian.breach.answers import QUESTIONS, template
from guardian.breach.assess import BreachReport, steps
from guardian.breach.law import ASSESS, NOT_OWED, OWED, iso
from guardian.catalog.taxonomy import is_special_category, label


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: BreachReport) -> str:
    inc = report.incident
    what = f"resource `{inc['resource']}`" if "resource" in inc else f"role `{inc['role']}`"
    a = report.assessment
    lines = [f"# Breach assessment: {what}", "",
             f"Discovered at {iso(report.discovered_at)}. {len(report.exposures)} dataset(s) "
             "exposed. " + (f"Assessment: {a.file}" + (f", by {a.assessor}" if a.assessor
                                                       else "") + "." if a.file else
                            "No assessment recorded yet (`--assessment FILE`)."), "",
             "People possibly affected: " + (str(report.people) if report.people else
                                             "unknown (no dataset declares a volume; give "
                                             "--affected N)") + ".", ""]
    lines += ["## Is notice owed?", "",
              "| regime | notice | why | the law's test |", "| --- | --- | --- | --- |"]
    for v in report.verdicts:
        lines.append(f"| {v.name} | **{v.status}** | {_cell(v.why)} | "
                     f"{_cell(v.test)} ({v.reference}) |")
    lines += ["", "## Steps, most urgent first", ""]
    todo = steps(report)
    if todo:
        lines += ["| due | regime | to whom | when the law says | status | reference |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for v, s in todo:
            due = iso(s.due) or "now"
            lines.append(f"| {due} | {v.name} | {_cell(s.who)} | {_cell(s.when)} | "
                         f"{s.status}" + (f": {_cell(s.why)}" if s.status == ASSESS else "")
                         + f" | {s.reference} |")
    else:
        lines.append("- No notification is owed under any regime (see above).")
    not_owed = [(v, s) for v in report.verdicts for s in v.steps if s.status == NOT_OWED]
    if not_owed:
        lines += ["", "Not owed:", ""]
        lines += [f"- {v.name}: {s.who}: {s.why} ({s.reference})" for v, s in not_owed]
    notes = [n for v in report.verdicts for n in v.notes]
    if notes:
        lines += ["", "Notes:", "", *[f"- {n}" for n in dict.fromkeys(notes)]]
    questions = report.questions
    if questions:
        lines += ["", "## Questions a person must answer", "",
                  "Guardian does not decide these. Answer them in an assessment file and run "
                  "again with `--assessment FILE`:", ""]
        for q in questions:
            if q in QUESTIONS:
                lines.append(f"- `{q}` ({' / '.join(QUESTIONS[q].choices)}): "
                             f"{QUESTIONS[q].text} ({QUESTIONS[q].reference})")
            else:
                lines.append(f"- `{q}`: how many people are affected (thresholds)")
        lines += ["", "```yaml", template([q for q in questions if q in QUESTIONS]).rstrip(),
                  "```"]
    lines += ["", "## Record", ""]
    for v in report.verdicts:
        if v.record:
            lines.append(f"- {v.name}: {v.record.what} ({v.record.reference}); retention: "
                         f"{v.record.keep}.")
    lines.append("- `--register FILE` appends this assessment to the breach register (JSON "
                 "lines).")
    lines += ["", "## Exposed datasets", ""]
    by_id = {p.dataset: p for p in report.protections}
    for e in report.exposures:
        ds = e.dataset
        special = [label("data_category", c) for c in ds.categories if is_special_category(c)]
        lines += [f"### {ds.name} (`{ds.id}`, {ds.classification})", ""]
        if special:
            lines.append(f"- **Special categories (GDPR Art. 9):** {', '.join(special)}")
        lines += [f"- Categories: {', '.join(label('data_category', c) for c in ds.categories)}",
                  f"- Subjects: {', '.join(label('data_subject', s) for s in ds.subjects)}",
                  f"- Jurisdictions: {', '.join(ds.jurisdictions)}",
                  f"- Stores: {', '.join(e.stores) or 'none declared'}",
                  f"- Protection: {by_id[ds.id].why}"]
        if e.actions:
            lines.append(f"- The role may: {', '.join(e.actions)}")
        if ds.recipients:
            lines.append("- Also held by: " + ", ".join(
                f"{r.name} ({r.country}{', ' + r.role.replace('_', ' ') if r.role else ''})"
                for r in ds.recipients) + ". No law obliges you to inform your processors "
                "(they must inform you, GDPR Art. 33(2)); check whether the incident reaches "
                "them.")
        lines.append("")
    lines += ["## Who to call now", ""]
    lines += [f"- {c}" for c in report.contacts]
    if report.dpo:
        lines.append(f"- Data protection officer: {report.dpo}")
    summary = {s: [v.name for v in report.verdicts if v.status == s]
               for s in (OWED, ASSESS, NOT_OWED)}
    lines += ["", "Summary: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in summary.items()
                                          if v) + "."]
    return "\n".join(lines) + "\n"
