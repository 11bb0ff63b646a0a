"""The erasure certificate: what was erased where and when, what was not and why, what the law
asks next, and which copies outlive the erasure.

Built from the journal alone (and the catalog the plan was made from), so a resumed run
certifies the whole erasure, not its last part. It is `complete` only when every store of the
chosen datasets that can hold the subject's data was erased and verified; a store skipped (a
legal hold, no subject key), failed or left incomplete makes it `partial`, listing each with
the reason, and for a refusal (a legal hold) the exemption relied on and the person's right to
complain (GDPR Art. 12(4)). It gives
the request's date and due dates per law (Art. 12(3): one month, extendable by two; CCPA 45
days, extendable by 45), the identity check's reference, the recipients to tell (Art. 19), every
backup source that still holds the data and the duty to erase again after a restore; the times
are the erasure's own (its start, its last store), not the certificate's.

The subject appears only as sha256(salt NUL id), with the salt beside it so that whoever holds
the id can check that a certificate is about them. That is pseudonymous, not anonymous: anyone
with the certificate can test a candidate id, and ids from a small or guessable set (sequence
numbers, e-mail addresses) can be found by trying them. Keep certificates as confidential as
the ids they certify; the certificate says so itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from guardian.catalog.model import Catalog, Dataset
from guardian.dates import add_months
from guardian.erasure.journal import Journal, now
from guardian.erasure.plan import Plan

FORMAT = "guardian.erasure-certificate/v2"
DONE = ("erased", "skipped")  # nothing left to retry (skipped stores still hold the data)
PSEUDONYMOUS = ("salted; pseudonymous, not anonymous: whoever holds the id can recompute it, "
                "so a guessable id can be found by trying")
RE_ERASE = ("Backups are not restored to erase one person: they are kept beyond use and expire "
            "on their own schedule. If any copy listed here is restored, this subject's data "
            "must be erased from it again before it is used (ICO guidance on the right to "
            "erasure and backups); keep this certificate to know whom.")
GDPR = ("gdpr", "uk_gdpr")


@dataclass(frozen=True)
class Request:
    """The data subject's request: when it arrived, how their identity was checked."""

    received: date | None = None
    identity_check: str | None = None  # a reference to the record of the check

    def to_journal(self) -> dict[str, str]:
        return {k: v for k, v in (("received", self.received and self.received.isoformat()),
                                  ("identity_check", self.identity_check)) if v}

    @classmethod
    def from_journal(cls, data: dict[str, str] | None) -> Request:
        data = data or {}
        received = data.get("received")
        return cls(date.fromisoformat(received) if received else None,
                   data.get("identity_check"))


# --- what the law asks, from the catalog ----------------------------------------------------


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def due_dates(datasets: list[Dataset], received: date | None) -> list[dict[str, Any]]:
    """When the answer to an erasure request is due under each law of the datasets."""
    regimes = list(dict.fromkeys(j for ds in datasets for j in ds.jurisdictions))
    out = []
    for regime in regimes:
        row: dict[str, Any] = {"regime": regime, "due": None, "extended": None}
        if regime in GDPR:
            law = "UK GDPR" if regime == "uk_gdpr" else "GDPR"
            row.update(rule="within one month of receipt; extendable by two further months "
                       "where necessary (complex or numerous requests), telling the person "
                       "within the first month, with the reasons",
                       reference=f"{law} Art. 12(3)")
            if received:
                row.update(due=_day(add_months(received, 1)),
                           extended=_day(add_months(received, 3)))
        elif regime == "ccpa":
            covered = [ds for ds in datasets if "ccpa" in ds.jurisdictions
                       and "hipaa" not in ds.jurisdictions]
            if not covered:
                row.update(rule="not applicable: protected health information governed by "
                           "HIPAA is exempt from the CCPA", reference="Cal. Civ. Code 1798.146")
            else:
                row.update(rule="within 45 days of receiving the verifiable request; extendable "
                           "once by 45 days when reasonably necessary, with notice within the "
                           "first 45", reference="Cal. Civ. Code 1798.130(a)(2)")
                if received:
                    row.update(due=_day(received + timedelta(days=45)),
                               extended=_day(received + timedelta(days=90)))
        elif regime == "hipaa":
            row.update(rule="HIPAA gives no right to erasure; a request for access is due in "
                       "30 days, extendable once by 30 (164.524(b)(2)), one to amend in 60, "
                       "extendable by 30 (164.526(b)(2))", reference="45 CFR 164.524, 164.526")
        else:
            row.update(rule="no deadline on record for this law", reference=None)
        if received is None and row["reference"] and "not applicable" not in row["rule"] \
                and regime in ("gdpr", "uk_gdpr", "ccpa"):
            row["note"] = "the request's receipt date is not recorded (--received)"
        out.append(row)
    return out


def refusal(ds: Dataset) -> dict[str, Any]:
    """Why a legal hold keeps the data, and what the person must be told (Art. 12(4))."""
    basis = ds.retention.basis or "not stated in the catalog"
    out: dict[str, Any] = {"retention_basis": basis}
    exemptions = []
    for regime in (j for j in ds.jurisdictions if j in GDPR):
        law = "UK GDPR" if regime == "uk_gdpr" else "GDPR"
        if any(u.legal_basis == "legal_obligation" for u in ds.uses):
            exemptions.append(f"{law} Art. 17(3)(b): compliance with a legal obligation")
        else:
            exemptions.append(f"{law} Art. 17(3): name the exemption relied on ((b) a legal "
                              "obligation, (e) legal claims)")
    if "ccpa" in ds.jurisdictions and "hipaa" not in ds.jurisdictions:
        exemptions.append("Cal. Civ. Code 1798.105(d): name the exception relied on")
    out["exemption"] = exemptions or ["the law that requires keeping it: "
                                      "name it for this dataset's jurisdictions"]
    complaint = ["without delay and within one month of receipt, tell the person the reasons "
                 "and that they may complain to "
                 + ("the ICO" if regime == "uk_gdpr" else "a supervisory authority")
                 + f" and seek a judicial remedy ({'UK GDPR' if regime == 'uk_gdpr' else 'GDPR'}"
                 " Art. 12(4))" for regime in ds.jurisdictions if regime in GDPR]
    if complaint:
        out["tell_the_person"] = complaint
    return out


def recipients(datasets: list[Dataset]) -> list[dict[str, Any]]:
    """Recipients of the erased datasets to tell of the erasure, with the law that says so."""
    out: dict[str, dict[str, Any]] = {}
    for ds in datasets:
        duties = []
        for regime in (j for j in ds.jurisdictions if j in GDPR):
            duties.append(f"{'UK GDPR' if regime == 'uk_gdpr' else 'GDPR'} Art. 19: communicate "
                          "the erasure unless impossible or disproportionate; tell the person "
                          "who they are if asked")
        ccpa = "ccpa" in ds.jurisdictions and "hipaa" not in ds.jurisdictions
        for r in ds.recipients:
            mine = list(duties)
            if ccpa:
                mine.append("Cal. Civ. Code 1798.105(c)(1): " + (
                    "tell the service provider or contractor to delete" if r.role == "processor"
                    else "tell a third party it was sold or shared to, unless impossible or "
                    "disproportionate"))
            if not mine:
                continue
            row = out.setdefault(r.name, {"name": r.name, "country": r.country, "role": r.role,
                                          "datasets": [], "duties": []})
            row["datasets"] += [ds.id] if ds.id not in row["datasets"] else []
            row["duties"] += [d for d in mine if d not in row["duties"]]
    return list(out.values())


# --- the certificate -------------------------------------------------------------------------


def build(journal: Journal, plan: Plan) -> dict[str, Any]:
    """The certificate of the erasure recorded in `journal`, stores in plan order."""
    results = [{"store": t.store, "dataset": t.dataset, "kind": t.kind,
                **_public(journal.store(t.key).result or {"status": "not run"})}
               for t in plan.targets]
    request = Request.from_journal(journal.start.get("request"))
    catalog: Catalog | None = plan.catalog
    datasets = {ds.id: ds for ds in catalog.datasets} if catalog else {}
    remaining = []
    for t, r in zip(plan.targets, results, strict=True):
        if r["status"] == "erased" or t.skip_kind == "absent":  # erased, or cannot hold it
            continue
        row = {k: r.get(k) for k in ("store", "dataset", "kind", "status")}
        if t.account:
            row.update(account=t.account, region=t.region or r.get("region"))
        row["reason"] = r.get("reason") or r.get("error") or t.skip or (
            f"{r.get('remaining')} item(s) remain" if r.get("remaining") else "not run yet")
        ds = datasets.get(t.dataset)
        if ds is not None and t.skip_kind == "legal_hold":
            row["refusal"] = refusal(ds)
        remaining.append(row)
    chosen = [ds for ds in datasets.values()
              if any(t.dataset == ds.id for t in plan.targets)]
    erased_from = [ds for ds in chosen
                   if any(r["dataset"] == ds.id and r["status"] == "erased" for r in results)]
    outliving = [{"store": r["store"], **({"account": r["account"], "region": r.get("region")}
                                          if r.get("account") else {}), **c}
                 for r in results for c in r.get("outliving", ())]
    store_times = sorted(r["time"] for r in results if r.get("time"))
    return {
        "format": FORMAT,
        "run": journal.run_id,
        "status": "partial" if remaining else "complete",
        "complete": not remaining,
        "subject": {"sha256": journal.start["subject"], "salt": journal.salt,
                    "scheme": "sha256(salt + NUL + subject id), hex", "note": PSEUDONYMOUS},
        "request": {"received": _day(request.received),
                    "identity_check": request.identity_check or "not recorded",
                    "due": due_dates(chosen, request.received)},
        "datasets": journal.start.get("datasets") or "all",
        "catalog": journal.start.get("catalog"),
        "tool": journal.start.get("tool"),
        "erasure": {"started": journal.start["time"],
                    "finished": store_times[-1] if store_times else None},
        "certified": now(),
        "deleted": sum(int(r.get("deleted", 0)) for r in results),
        "stores": results,
        "not_erased": remaining,
        "recipients_to_inform": recipients(erased_from),
        "outliving_copies": outliving,
        "after_restore": RE_ERASE,
    }


def _public(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items()
            if k not in ("event", "store", "name", "prev", "mac")}


def write(cert: dict[str, Any], directory: str | Path) -> tuple[Path, Path]:
    from guardian.io import write_output

    base = Path(directory) / f"erasure-{cert['run']}"
    json_path, md_path = base.with_suffix(".json"), base.with_suffix(".md")
    write_output(json.dumps(cert, indent=2, sort_keys=True) + "\n", json_path)
    write_output(markdown(cert), md_path)
    return json_path, md_path


def markdown(cert: dict[str, Any]) -> str:
    left = cert["not_erased"]
    status = "complete" if cert["complete"] else \
        f"PARTIAL: data remains in {len(left)} store(s)"
    datasets = cert["datasets"] if isinstance(cert["datasets"], str) \
        else ", ".join(cert["datasets"])
    req = cert["request"]
    times = cert["erasure"]
    lines = [
        f"# Erasure certificate ({status})",
        "",
        f"- Run: `{cert['run']}`",
        f"- Subject id, SHA-256 ({PSEUDONYMOUS}): `{cert['subject']['sha256']}` (salt "
        f"`{cert['subject']['salt']}`; {cert['subject']['scheme']})",
        f"- Request received: {req['received'] or 'not recorded (--received)'}; identity "
        f"check: {req['identity_check']}",
        f"- Datasets: {datasets}",
        f"- Catalog: `{cert['catalog']}`",
        f"- Tool: {cert['tool']['name']} {cert['tool']['version']}",
        f"- Erasure started: {times['started']}; last store finished: "
        f"{times['finished'] or 'none yet'}; certified: {cert['certified']}",
        f"- Deleted: {cert['deleted']} object version(s), item(s) and row(s)",
        "",
        "## Stores",
        "",
        "| dataset | store | status | deleted | remaining | finished | how |",
        "| --- | --- | --- | ---: | ---: | --- | --- |",
    ]
    for r in cert["stores"]:
        how = r.get("reason") or r.get("error") or r.get("method", "")
        lines.append(f"| {r.get('dataset', '')} | {r.get('kind', '')} `{r['store']}`{where(r)} | "
                     f"{r['status']} | {r.get('deleted', 0)} | {r.get('remaining', '')} | "
                     f"{r.get('time', '')} | {_cell(how)} |")
    tables = [f"- `{r['store']}`{where(r)}: " + ", ".join(f"{t} {n}" for t, n in r["rows"].items())
              for r in cert["stores"] if r.get("rows")]
    if tables:
        lines += ["", "## Rows deleted per table", "", *tables]
    if left:
        lines += ["", "## Not erased", ""]
        for r in left:
            lines.append(f"- `{r['store']}`{where(r)} ({r['dataset']}, {r['status']}): "
                         f"{r['reason']}")
            refusal_ = r.get("refusal")
            if refusal_:
                lines.append(f"  - Kept under: {'; '.join(refusal_['exemption'])}; basis: "
                             f"{refusal_['retention_basis']}")
                lines += [f"  - {t[0].upper()}{t[1:]}" for t in refusal_.get("tell_the_person",
                                                                           ())]
    warnings = [f"- `{r['store']}`: {w}" for r in cert["stores"] for w in
                ([r["warning"]] if r.get("warning") else []) + list(r.get("errors", ()))]
    if warnings:
        lines += ["", "## Warnings and errors", "", *warnings]
    lines += ["", "## Answer due", ""]
    for d in req["due"]:
        when = f"by {d['due']}" + (f" (extended: {d['extended']})" if d.get("extended") else "") \
            if d.get("due") else d.get("note", "no date")
        ref = f" ({d['reference']})" if d.get("reference") else ""
        lines.append(f"- {d['regime']}: {when}: {d['rule']}{ref}")
    lines += ["", "## Recipients to inform", ""]
    lines += [f"- {r['name']} ({r['country']}{', ' + r['role'] if r.get('role') else ''}; "
              f"{', '.join(r['datasets'])}): {'; '.join(r['duties'])}"
              for r in cert["recipients_to_inform"]] or ["- None: no recipient of the erased "
                                                         "datasets is recorded in the catalog."]
    lines += ["", "## Copies that outlive this erasure", ""]
    if cert["outliving_copies"]:
        for c in cert["outliving_copies"]:
            until = f" (until {c['until']})" if c.get("until") else ""
            lines.append(f"- `{c['store']}`{where(c)} {c['kind']}: {c['detail']}{until}")
    else:
        lines.append("- None found in the erased stores' configuration and backups.")
    lines += ["- Outside the catalog's stores (application logs, CloudTrail data events, "
              "exports, people's mailboxes) were not searched.", "", cert["after_restore"]]
    return "\n".join(lines) + "\n"


def where(r: dict[str, Any]) -> str:
    """` in account A (region)` for a store placed in an account, else nothing."""
    if not r.get("account"):
        return ""
    return f" in account {r['account']}" + (f" ({r['region']})" if r.get("region") else "")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
