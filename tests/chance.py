"""Looking for a text where random values live too: a salted hash, a salt, a key id or a run's
UUID is random hex, so a short id such as 'abc' or 'c-1042' turns up in one by chance ('abc' in
a 64-digit digest about once in 70 runs, in a UUID4 once in 170). `mentions` looks outside
them, so a test that says "the id appears only hashed" fails only when the id leaks."""

from __future__ import annotations

import json
import re
from typing import Any

RANDOM = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
                    r"|\b[0-9a-f]{16,}\b", re.IGNORECASE)


def mentions(document: Any, needle: str) -> bool:
    """Whether a text, or any text of a JSON document, holds `needle` outside UUIDs and hex
    runs of 16 digits or more."""
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    return needle in RANDOM.sub("\0", text)
