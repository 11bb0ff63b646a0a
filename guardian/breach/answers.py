"""The questions only a person can answer about a breach, and the file that records the answers.

A legal test that needs judgment (is the risk to people high? is the harm serious?) is never
decided by Guardian: the report asks the question, and `--assessment FILE` gives the answers,
who gave them and when. The file is YAML:

    assessor: Dana Okafor <dpo@acme-retail.example>
    assessed_at: 2026-03-06T15:00:00Z
    affected: {total: 1200, US-CA: 640}     # people; ISO 3166-2 codes for states, provinces
    answers:
      gdpr_risk: high
      acquired: yes

A mistake in it is a located error (file:line:col, field), exit 2.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from guardian.catalog.model import Location
from guardian.errors import UserError
from guardian.io import MiB, read_text

YES_NO = ("yes", "no")
MAX_BYTES = MiB


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[str, ...]
    reference: str


QUESTIONS: dict[str, Question] = {q.id: q for q in (
    Question("acquired", "Was personal data acquired (copied, read or taken), or is it "
             "reasonably believed to have been, by an unauthorised person? Answer no when it "
             "was only exposed with no sign of access, or destroyed or made unavailable.",
             YES_NO, "Cal. Civ. Code 1798.82(a); PIPA Art. 34"),
    Question("key_exposed", "Could the unauthorised party read the data in clear: did it read "
             "it through the service (S3 and DynamoDB decrypt for any caller the KMS key policy "
             "allows), or obtain the KMS key or a principal allowed kms:Decrypt on it?",
             YES_NO, "GDPR Art. 34(3)(a); Cal. Civ. Code 1798.82(a); HHS guidance on unsecured "
             "PHI (45 CFR 164.402); APPI Rules Art. 7"),
    Question("gdpr_risk", "How likely is the breach to affect people's rights and freedoms "
             "(EDPB Guidelines 9/2022): unlikely to result in a risk, a risk, or a high risk?",
             ("unlikely", "risk", "high"), "GDPR and UK GDPR Art. 33(1), 34(1)"),
    Question("hipaa_low_probability", "Does a documented risk assessment of the four factors "
             "(the nature and extent of the PHI, the unauthorised person, whether it was "
             "actually acquired or viewed, how far the risk was mitigated) show a low "
             "probability that the PHI has been compromised?",
             YES_NO, "45 CFR 164.402(2)"),
    Question("card_code", "Were the exposed account or card numbers usable to reach a "
             "financial account: was the required security code, access code or password "
             "exposed with them, or is none required?", YES_NO,
             "Cal. Civ. Code 1798.82(h)(1)(C)"),
    Question("real_risk", "Is there a real risk of significant harm to the individuals, given "
             "the sensitivity of the data and the probability of its misuse?", YES_NO,
             "PIPEDA s.10.1(1), (7), (8)"),
    Question("lgpd_relevant", "Can the incident significantly affect the data subjects' "
             "interests and fundamental rights?", YES_NO,
             "LGPD Art. 48; ANPD Resolution CD/ANPD 15/2024, Art. 5"),
    Question("large_scale", "Does the incident involve personal data on a large scale?",
             YES_NO, "ANPD Resolution CD/ANPD 15/2024, Art. 5"),
    Question("wrongful_purpose", "Was the breach caused by an act with a wrongful purpose "
             "(an attack, unauthorised access by hacking, theft or insider misuse)?", YES_NO,
             "APPI Enforcement Rules Art. 7(iii); PIPA Enforcement Decree Art. 40"),
    Question("significant_harm", "Does the breach result in, or is it likely to result in, "
             "significant harm to the affected individuals?", YES_NO, "PDPA s.26B(1)(a)"),
    Question("serious_harm", "Would a reasonable person conclude that the access or disclosure "
             "is likely to result in serious harm to any of the individuals? (unsure: there "
             "are reasonable grounds to suspect it)", ("yes", "no", "unsure"),
             "Privacy Act 1988 s.26WE(2), 26WH"),
    Question("law_enforcement_delay", "Has a law enforcement agency said that notifying now "
             "would impede a criminal investigation?", YES_NO,
             "Cal. Civ. Code 1798.82(c); 45 CFR 164.412"),
)}
REGIONS_HELP = "ISO 3166-2 code of the state or province (e.g. US-CA), or 'total'"


@dataclass(frozen=True)
class Assessment:
    """What a person decided about the breach; empty when no file was given."""

    answers: dict[str, str] = field(default_factory=dict)
    affected: dict[str, int] = field(default_factory=dict)  # "total" and ISO 3166-2 codes
    assessor: str | None = None
    assessed_at: datetime | None = None
    consumers_notified_at: datetime | None = None  # California: the AG's 15 days run from it
    file: str | None = None

    def get(self, question: str) -> str | None:
        return self.answers.get(question)

    def count(self, where: str = "total") -> int | None:
        return self.affected.get(where)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "assessor": self.assessor,
                "assessed_at": _iso(self.assessed_at),
                "consumers_notified_at": _iso(self.consumers_notified_at),
                "affected": dict(self.affected), "answers": dict(self.answers)}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@cache
def schema() -> dict[str, Any]:
    """The assessment file's JSON Schema, built from QUESTIONS."""
    when = {"type": "string", "format": "date-time"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "assessor": {"type": "string", "minLength": 1},
            "assessed_at": when,
            "consumers_notified_at": when,
            "affected": {
                "type": "object",
                "propertyNames": {"pattern": "^(total|[A-Z]{2}-[A-Z0-9]{1,3})$",
                                  "description": REGIONS_HELP},
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "answers": {
                "type": "object",
                "properties": {q.id: {"enum": list(q.choices)} for q in QUESTIONS.values()},
                "additionalProperties": False,
            },
            "notes": {"type": "string"},
        },
        "additionalProperties": False,
    }


def read(path: str | os.PathLike[str]) -> Assessment:
    """The assessment in the file; UserError naming file, line, column and field if wrong."""
    from jsonschema import Draft202012Validator

    from guardian.catalog.loader import _dotted, _schema_message
    from guardian.catalog.parse import ParseError, parse

    shown = str(path)
    text = read_text(path, "a breach assessment (YAML)", limit=MAX_BYTES)
    try:
        node = parse(text, shown)
    except ParseError as exc:
        raise UserError(f"{exc.loc}: {exc}") from None
    doc = _yes_no(node.value if node.value is not None else {})
    validator = Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for err in errors:
            where = tuple(err.absolute_path)
            loc: Location = node.at(where)
            message = _schema_message(err)
            if err.validator == "additionalProperties":  # point at the unknown key itself
                extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
                loc = node.at((*where, extra[0])) if extra else loc
            lines.append(f"{loc}: {_dotted(where) or 'the file'}: {message}")
        raise UserError("\n".join(lines))
    return Assessment(
        answers=dict(doc.get("answers", {})), affected=dict(doc.get("affected", {})),
        assessor=doc.get("assessor"), assessed_at=_time(doc.get("assessed_at")),
        consumers_notified_at=_time(doc.get("consumers_notified_at")), file=shown,
    )


def _yes_no(doc: Any) -> Any:
    """YAML 1.2 reads yes/no as text and true/false as booleans: take either for yes/no."""
    if isinstance(doc, dict) and isinstance(doc.get("answers"), dict):
        doc = {**doc, "answers": {k: ("yes" if v else "no") if isinstance(v, bool) else v
                                  for k, v in doc["answers"].items()}}
    return doc


def _time(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def template(ids: list[str]) -> str:
    """An assessment file to fill in, asking the given questions."""
    lines = ["assessor: ", "assessed_at: ", "affected: {total: }", "answers:"]
    for qid in ids:
        q = QUESTIONS[qid]
        lines.append(f"  {qid}:   # {' | '.join(q.choices)}: {q.reference}")
    return "\n".join(lines) + "\n"
