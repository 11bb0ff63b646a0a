"""The JSON contract other tools read (issue 4): tool, source, summary, findings, unused waivers."""

from __future__ import annotations

import json
from typing import Any

from guardian.findings import Report
from guardian.report import DEFAULT, Options
from guardian.report.common import TOOL, VERSION, at_stake, summary, waiver_json


def document(report: Report) -> dict[str, Any]:
    return {
        "tool": {"name": TOOL, "version": VERSION},
        "source": {"kind": report.source_kind, "path": report.source_path,
                   **({"partial": report.partial} if report.partial else {}),
                   **({"note": report.note} if report.note else {}),
                   **({"accounts": {k: list(v) for k, v in report.coverage.items()}}
                      if report.coverage is not None else {})},
        "summary": summary(report),
        "findings": [{**r.to_json(), "value_at_risk": at_stake(report, r)}
                     for r in report.results],
        "unused_waivers": [waiver_json(w) for w in report.unused_waivers],
    }


def render(report: Report, options: Options = DEFAULT) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
