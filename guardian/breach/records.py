"""The breach register (`--register FILE`): one JSON line per assessment, appended, never rewritten.

GDPR Art. 33(5), PIPEDA s.10.3 and ANPD Res. 15/2024 Art. 10 require a record of every breach,
notified or not; each entry carries the retention each applicable law sets for that record, and
the date until which the entry must at least be kept (the longest of them).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from guardian import __version__
from guardian.breach.assess import BreachReport, to_json
from guardian.breach.law import iso
from guardian.errors import UserError

FORMAT = "guardian.breach-register/v1"


def entry(report: BreachReport, recorded_at: datetime) -> dict[str, Any]:
    """The register entry for one assessment of one incident."""
    incident = json.dumps([report.incident, iso(report.discovered_at)], sort_keys=True)
    day = recorded_at.date()
    retention = []
    for v in report.verdicts:
        if v.record is None:
            retention.append({"regime": v.regime, "keep": "no record-keeping rule on record "
                              "for this law", "until": None, "reference": None})
            continue
        until = v.record.until(day)
        retention.append({"regime": v.regime, "what": v.record.what, "keep": v.record.keep,
                          "until": until.isoformat() if until else None,
                          "reference": v.record.reference})
    dated = [r["until"] for r in retention if r["until"]]
    body = to_json(report)
    return {
        "format": FORMAT,
        "incident_id": hashlib.sha256(incident.encode()).hexdigest()[:16],
        "recorded_at": iso(recorded_at),
        "tool": {"name": "guardian", "version": __version__},
        "incident": report.incident,
        "discovered_at": iso(report.discovered_at),
        "datasets": body["datasets"],
        "affected": body["affected"],
        "assessment": body["assessment"],
        "summary": body["summary"],
        "regimes": body["regimes"],
        "open_questions": [q["id"] for q in body["questions"]],
        "retention": retention,
        "retain_until": max(dated) if dated else None,
    }


def append(path: str | os.PathLike[str], record: dict[str, Any]) -> None:
    """Append one line to the register (created if missing), under an exclusive lock; a
    symlink, directory, pipe or device is refused, never followed or replaced."""
    target = Path(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags, 0o640)
    except OSError as exc:
        why = "is a symlink" if target.is_symlink() else exc.strerror or str(exc)
        raise UserError(f"{target}: cannot append to the breach register: {why}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UserError(f"{target}: the breach register must be a regular file")
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = (json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n").encode()
        while data:
            data = data[os.write(fd, data):]
        os.fsync(fd)
    finally:
        os.close(fd)
