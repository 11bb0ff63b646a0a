"""Byte-stable archives and ids: the same inputs give the same bytes."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterable
from datetime import datetime

# The earliest time a zip entry can carry; fixed so archives do not change with the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FIXED_TIME = datetime(2000, 1, 1)
NAMESPACE = uuid.UUID("6f1c1d2e-4c39-5a8e-9d1b-2f0f6b1a7c55")  # guardian evidence ids


def zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip of (name, data) in the given order, every entry dated ZIP_EPOCH."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def restamp(archive: bytes) -> bytes:
    """The same zip with every entry dated ZIP_EPOCH (openpyxl stamps entries with the clock)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return zip_bytes((info.filename, zf.read(info)) for info in zf.infolist())


def uuid_for(*parts: str) -> str:
    """A UUID derived from content, so regenerated documents keep their ids."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))
