"""The access package handed to the person: one zip with

- `data.json`: every record found, by dataset and store (machine-readable: portability,
  GDPR Art. 20(1); CCPA Civ. Code 1798.130(a)(3)(B)(iii): "structured, commonly used,
  machine-readable format");
- `files/s3/<bucket>/...`: the S3 objects themselves, under their key past the subject's prefix;
- `summary.md` and `summary.html`: what data, why (uses and legal bases), from where,
  who received it, how long it is kept, and the person's rights (GDPR Art. 15(1)(a)-(h));
- `manifest.json`: the SHA-256 of every other file.

Pure: from the catalog and what was collected to bytes; the CLI writes them.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from guardian.access.collect import Found
from guardian.catalog import taxonomy
from guardian.catalog.model import Catalog, Dataset
from guardian.erasure.certificate import due_dates
from guardian.erasure.journal import salted_hash

FORMAT = "guardian.access-package/v1"
PSEUDONYMOUS = ("the id appears only as sha256(salt NUL id): whoever holds the id can "
                "recompute it")

# The person's rights, each with its source, by the regimes of the datasets found. GDPR and UK
# GDPR alike (the UK kept the articles' numbers).
GDPR_RIGHTS = (
    ("access: a copy of your data and the information in this summary", "Art. 15"),
    ("rectification of inaccurate data", "Art. 16"),
    ("erasure", "Art. 17"),
    ("restriction of processing", "Art. 18"),
    ("portability: data you provided, processed by automated means on consent or a contract, "
     "in a machine-readable form (data.json)", "Art. 20"),
    ("objection to processing based on legitimate interests or a public task, and to direct "
     "marketing at any time", "Art. 21"),
    ("to withdraw consent at any time, where processing rests on consent", "Art. 7(3)"),
    ("to lodge a complaint with a supervisory authority", "Art. 77"),
)
CCPA_RIGHTS = (
    ("to know what personal information is collected, its sources, purposes and the third "
     "parties it is disclosed to, and the specific pieces", "Cal. Civ. Code 1798.110"),
    ("to delete", "Cal. Civ. Code 1798.105"),
    ("to correct", "Cal. Civ. Code 1798.106"),
    ("to opt out of the sale or sharing of personal information", "Cal. Civ. Code 1798.120"),
    ("not to be discriminated against for exercising these rights", "Cal. Civ. Code 1798.125"),
)
ORIGINS = {"data_subject": "from you", "third_party": "from a third party",
           "public": "from publicly available sources"}


def _dataset_info(ds: Dataset) -> dict[str, Any]:
    """What the catalog says of the dataset: GDPR Art. 15(1)(a)-(h), CCPA 1798.110(c)."""
    return {
        "id": ds.id, "name": ds.name, "description": ds.description,
        "categories": [taxonomy.human("data_category", c) for c in ds.categories],
        "purposes": [{"use": taxonomy.human("data_use", u.use), "legal_basis": u.legal_basis}
                     for u in ds.uses],
        "source": ({"origin": ORIGINS.get(ds.source.origin, ds.source.origin),
                    "description": ds.source.description} if ds.source else None),
        "recipients": [{"name": r.name, "country": r.country, "role": r.role,
                        "purpose": taxonomy.human("data_use", r.use)} for r in ds.recipients],
        "retention": {"days": ds.retention.days, "basis": ds.retention.basis,
                      "legal_hold": ds.retention.legal_hold},
        "jurisdictions": list(ds.jurisdictions),
    }


def _store(found: Found, prefix_files: str) -> dict[str, Any]:
    t = found.target
    # how it was found (method, connection) is the controller's business, not the package's
    out: dict[str, Any] = {"kind": t.kind, "store": t.store, "region": t.region,
                           "count": found.count}
    if found.error:
        out["error"] = found.error
    if found.rows is not None:
        out["rows_per_table"] = found.rows
    if t.kind == "s3":
        out["objects"] = [{**o, "file": prefix_files + _relative(o["key"], t.prefix or "")}
                          for o in found.objects]
    else:
        out["records"] = found.records
    return out


def _relative(key: str, prefix: str) -> str:
    """The key past the subject's prefix as a safe path inside the zip: no empty, `.` or
    `..` segment, no leading `/`."""
    rest = key[len(prefix):] if key.startswith(prefix) else key
    parts = [p if p not in ("", ".", "..") else "_" for p in rest.split("/")]
    return "/".join(parts) or "_"


def build(catalog: Catalog, plan_subject: str, salt: str, found: Sequence[Found],
          skipped: Sequence[dict[str, Any]], generated: str,
          received: date | None = None) -> dict[str, bytes]:
    """The package's files, by name inside the zip."""
    files: dict[str, bytes] = {}
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for f in found:
        prefix = f"files/s3/{f.target.store}/"
        by_dataset.setdefault(f.target.dataset, []).append(_store(f, prefix))
        for key, blob in f.blobs.items():
            files[prefix + _relative(key, f.target.prefix or "")] = blob
    datasets = [ds for ds in catalog.datasets if ds.id in by_dataset]
    data = {
        "format": FORMAT,
        "generated": generated,
        "subject": {"sha256": salted_hash(salt, plan_subject), "salt": salt,
                    "scheme": PSEUDONYMOUS},
        "controller": {"name": catalog.organization.name,
                       "contact": catalog.organization.contact},
        "datasets": [{**_dataset_info(ds), "stores": by_dataset[ds.id]} for ds in datasets],
        "not_searched": list(skipped),
        "rights": rights(datasets),
        "answer_due": due_dates(datasets, received),
    }
    files["data.json"] = (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
                          + "\n").encode("utf-8")
    files["summary.md"] = markdown(data).encode("utf-8")
    files["summary.html"] = to_html(markdown(data)).encode("utf-8")
    files["manifest.json"] = (json.dumps({"format": FORMAT, "sha256": {
        name: hashlib.sha256(blob).hexdigest() for name, blob in sorted(files.items())}},
        indent=2, sort_keys=True) + "\n").encode("utf-8")
    return files


def rights(datasets: Sequence[Dataset]) -> list[dict[str, str]]:
    regimes = {j for ds in datasets for j in ds.jurisdictions}
    out = []
    for regime, table, law in (("gdpr", GDPR_RIGHTS, "GDPR"), ("uk_gdpr", GDPR_RIGHTS, "UK GDPR"),
                               ("ccpa", CCPA_RIGHTS, "")):
        if regime in regimes:
            out += [{"regime": regime, "right": right,
                     "source": f"{law} {ref}".strip()} for right, ref in table]
    return out


def markdown(data: dict[str, Any]) -> str:
    lines = [f"# Your data held by {data['controller']['name']}", "",
             f"Generated {data['generated']}. Questions: {data['controller']['contact']}.",
             "The records themselves are in `data.json` (and `files/`); `manifest.json` holds "
             "the SHA-256 of every file.", ""]
    for ds in data["datasets"]:
        lines += [f"## {ds['name']}", ""]
        if ds["description"]:
            lines += [ds["description"], ""]
        lines.append(f"- What: {', '.join(ds['categories'])}")
        lines.append("- Why: " + "; ".join(f"{p['use']} (legal basis: "
                                            f"{p['legal_basis'].replace('_', ' ')})"
                                            for p in ds["purposes"]))
        if ds["source"]:
            src = ds["source"]
            lines.append(f"- Obtained {src['origin']}"
                         + (f": {src['description']}" if src.get("description") else ""))
        lines.append("- Shared with: " + ("; ".join(
            f"{r['name']} ({r['country']}{', ' + r['role'] if r['role'] else ''}) for "
            f"{r['purpose']}" for r in ds["recipients"]) or "no one outside us"))
        keep = ds["retention"]
        lines.append(f"- Kept: {keep['days']} days"
                     + (f" ({keep['basis']})" if keep.get("basis") else ""))
        for st in ds["stores"]:
            what = f"{st['count']} record(s)" if st["kind"] != "s3" else \
                f"{st['count']} file(s)"
            extra = (" (" + ", ".join(f"{t}: {n}" for t, n in st["rows_per_table"].items())
                     + ")") if st.get("rows_per_table") else ""
            err = f"; could not be read: {st['error']}" if st.get("error") else ""
            lines.append(f"- In {st['kind']} `{st['store']}`: {what}{extra}{err}")
        lines.append("")
    if data["not_searched"]:
        lines += ["## Not searched", ""]
        lines += [f"- {s['kind']} `{s['store']}` ({s['dataset']}): {s['reason']}"
                  for s in data["not_searched"]]
        lines.append("")
    lines += ["## Your rights", ""]
    lines += [f"- {r['right']} ({r['source']})" for r in data["rights"]] or [
        "- As the law where you live provides; ask us."]
    lines += ["", "## When we must answer", ""]
    for d in data["answer_due"]:
        when = f"by {d['due']}" if d.get("due") else "from receipt of the request"
        ref = f" ({d['reference']})" if d.get("reference") else ""
        lines.append(f"- {d['regime']}: {when}: {d['rule']}{ref}")
    return "\n".join(lines) + "\n"


def to_html(text: str) -> str:
    """The Markdown summary as a self-contained page: headings, paragraphs and lists."""
    body: list[str] = []
    in_list = False
    for line in text.splitlines():
        if line.startswith("- ") != in_list:
            body.append("<ul>" if not in_list else "</ul>")
            in_list = not in_list
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            body.append(f"<li>{html.escape(line[2:])}</li>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    if in_list:
        body.append("</ul>")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Your data</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
