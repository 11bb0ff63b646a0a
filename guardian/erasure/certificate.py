"""The erasure certificate: what was erased where, when, by which tool, and what outlives it.

Built from the journal alone, so a resumed run certifies the whole erasure, not its last part.
The subject appears only as sha256(salt NUL id), with the salt beside it so that whoever holds
the id can check that a certificate is about them. That is pseudonymous, not anonymous: anyone
with the certificate can test a candidate id, and ids from a small or guessable set (sequence
numbers, e-mail addresses) can be found by trying them. Keep certificates as confidential as
the ids they certify; the certificate says so itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from guardian.erasure.journal import Journal, now
from guardian.erasure.plan import Target

FORMAT = "guardian.erasure-certificate/v1"
DONE = ("erased", "skipped")
PSEUDONYMOUS = ("salted; pseudonymous, not anonymous: whoever holds the id can recompute it, "
                "so a guessable id can be found by trying")


def build(journal: Journal, targets: Iterable[Target]) -> dict[str, Any]:
    """The certificate of the erasure recorded in `journal`, stores in plan order."""
    results = [{"store": t.store, "dataset": t.dataset, "kind": t.kind,
                **_public(journal.store(t.key).result or {"status": "not run"})}
               for t in targets]
    outliving = [{"store": r["store"], **c} for r in results for c in r.get("outliving", ())]
    return {
        "format": FORMAT,
        "run": journal.run_id,
        "subject": {"sha256": journal.start["subject"], "salt": journal.salt,
                    "scheme": "sha256(salt + NUL + subject id), hex", "note": PSEUDONYMOUS},
        "datasets": journal.start.get("datasets") or "all",
        "catalog": journal.start.get("catalog"),
        "tool": journal.start.get("tool"),
        "started": journal.start["time"],
        "finished": now(),
        "complete": all(r["status"] in DONE for r in results),
        "deleted": sum(int(r.get("deleted", 0)) for r in results),
        "stores": results,
        "outliving_copies": outliving,
    }


def _public(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in ("event", "store", "name")}


def write(cert: dict[str, Any], directory: str | Path) -> tuple[Path, Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    base = directory / f"erasure-{cert['run']}"
    json_path, md_path = base.with_suffix(".json"), base.with_suffix(".md")
    json_path.write_text(json.dumps(cert, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    md_path.write_text(markdown(cert), encoding="utf-8")
    return json_path, md_path


def markdown(cert: dict[str, Any]) -> str:
    status = "complete" if cert["complete"] else "INCOMPLETE"
    datasets = cert["datasets"] if isinstance(cert["datasets"], str) \
        else ", ".join(cert["datasets"])
    lines = [
        f"# Erasure certificate ({status})",
        "",
        f"- Run: `{cert['run']}`",
        f"- Subject id, SHA-256 ({PSEUDONYMOUS}): `{cert['subject']['sha256']}` (salt "
        f"`{cert['subject']['salt']}`; {cert['subject']['scheme']})",
        f"- Datasets: {datasets}",
        f"- Catalog: `{cert['catalog']}`",
        f"- Tool: {cert['tool']['name']} {cert['tool']['version']}",
        f"- Started: {cert['started']}; finished: {cert['finished']}",
        f"- Deleted: {cert['deleted']} object version(s) and item(s)",
        "",
        "## Stores",
        "",
        "| dataset | store | status | deleted | remaining | how |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for r in cert["stores"]:
        how = r.get("reason") or r.get("error") or r.get("method", "")
        lines.append(f"| {r.get('dataset', '')} | {r.get('kind', '')} `{r['store']}` | "
                     f"{r['status']} | {r.get('deleted', 0)} | {r.get('remaining', '')} | "
                     f"{_cell(how)} |")
    warnings = [f"- `{r['store']}`: {w}" for r in cert["stores"] for w in
                ([r["warning"]] if r.get("warning") else []) + list(r.get("errors", ()))]
    if warnings:
        lines += ["", "## Warnings and errors", "", *warnings]
    lines += ["", "## Copies that outlive this erasure", ""]
    if cert["outliving_copies"]:
        for c in cert["outliving_copies"]:
            until = f" (until {c['until']})" if c.get("until") else ""
            lines.append(f"- `{c['store']}` {c['kind']}: {c['detail']}{until}")
    else:
        lines.append("- None found in the stores' configuration.")
    lines += ["- Outside the catalog's stores (application logs, CloudTrail data events, "
              "exports, people's mailboxes) were not searched."]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
