"""Breach notification law, per regime: first whether notice is owed, then to whom and when.

Each regime is one function from the facts of an incident to a `Verdict`: the law's trigger
with its citation, the outcome (owed, not owed and why, or needs a person's assessment, with
the questions that decide it), every step with its deadline, and the record the law makes the
organisation keep. A deadline is only stated where the trigger is met (or, while a person
assesses, as what it will be if it is). Source: ../shared/notes/privacy-facts.md, and the
provisions each verdict cites.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from guardian.breach.answers import Assessment
from guardian.catalog.taxonomy import covers, is_special_category
from guardian.dates import add_business_days, add_months

OWED, NOT_OWED, ASSESS = "owed", "not owed", "needs assessment"
CA_IN_FORCE = date(2026, 1, 1)  # SB 446: the 30-day rule and the AG's 15 days


@dataclass(frozen=True)
class People:
    """How many people an incident affects, for the thresholds that count them: counted (a
    person's figure), or estimated from the catalog's volumes: at least `low`, at most `high`
    (None: no upper bound known, a dataset has no volume)."""

    low: int
    high: int | None
    estimate: str = ""  # how it was estimated; empty when counted

    def at_least(self, n: int) -> bool | None:
        """Whether the count reaches `n`; None when the estimate straddles it."""
        if self.low >= n:
            return True
        return False if self.high is not None and self.high < n else None

    def __str__(self) -> str:
        if self.high == self.low:
            shown = f"{self.low:,} people"
        elif self.high is None:
            shown = f"at least {self.low:,} people"
        else:
            shown = f"{self.low:,} to {self.high:,} people"
        return f"{shown} (estimated: {self.estimate})" if self.estimate else shown


@dataclass(frozen=True)
class Facts:
    """What is known about an incident, for every regime alike."""

    discovered_at: datetime
    categories: frozenset[str]  # fideslang keys of every exposed dataset under the regime
    protected: bool | None  # encrypted under a CMK whose key was not exposed (None: unknown)
    protection: str  # why, in words
    assessment: Assessment
    read_access: bool = True  # the incident could read the data (a role without read: no)
    people: People | None = None  # how many: counted, else the catalog's volumes; None unknown

    def reaches(self, n: int) -> bool | None:
        """Whether the affected people number `n` or more; None when nobody knows."""
        return None if self.people is None else self.people.at_least(n)

    def answer(self, question: str) -> str | None:
        return self.assessment.get(question)

    @property
    def key_question(self) -> tuple[str, ...]:
        """key_exposed when a CMK protects the data but nobody has said whether it held."""
        return ("key_exposed",) if self.protected is None else ()

    def has(self, *parents: str, exclude: Iterable[str] = ()) -> list[str]:
        """The exposed categories under any of `parents` (children included), sorted."""
        skip = tuple(exclude)
        return sorted(c for c in self.categories
                      if any(covers(p, c) for p in parents) and not any(covers(x, c)
                                                                        for x in skip))


@dataclass(frozen=True)
class Step:
    who: str  # to whom, or what to do
    when: str  # as the law words it
    reference: str
    status: str  # owed | not owed | needs assessment
    due: datetime | None = None
    why: str = ""  # what the status rests on


@dataclass(frozen=True)
class Record:
    """The record of the breach the law requires, and how long to keep it."""

    what: str
    reference: str
    keep: str  # in words
    months: int | None = None  # from the record's date; None: no period set by the law

    def until(self, start: date) -> date | None:
        """Keep the record at least until this day, counted in calendar months from `start`."""
        return None if self.months is None else add_months(start, self.months)


@dataclass(frozen=True)
class Verdict:
    regime: str  # catalog jurisdiction key
    name: str
    test: str  # the trigger as the law words it
    reference: str
    status: str  # owed | not owed | needs assessment (notice to anyone)
    why: str
    steps: tuple[Step, ...]
    record: Record | None = None
    questions: tuple[str, ...] = ()  # unanswered questions that decide it
    notes: tuple[str, ...] = ()
    datasets: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "regime": self.regime, "name": self.name, "test": self.test,
            "reference": self.reference, "status": self.status, "why": self.why,
            "questions": list(self.questions), "notes": list(self.notes),
            "datasets": list(self.datasets),
            "steps": [{"who": s.who, "when": s.when, "due": iso(s.due), "status": s.status,
                       "why": s.why, "reference": s.reference} for s in self.steps],
            "record": None if self.record is None else {
                "what": self.record.what, "reference": self.record.reference,
                "keep": self.record.keep, "months": self.record.months},
        }


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _overall(steps: Iterable[Step]) -> str:
    statuses = {s.status for s in steps}
    return OWED if OWED in statuses else ASSESS if ASSESS in statuses else NOT_OWED


def _yes(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


SAFE_HARBOUR = "the data was encrypted under a customer-managed KMS key that was not exposed"


# --- GDPR and UK GDPR ---------------------------------------------------------------------------


def _gdpr(regime: str, f: Facts) -> Verdict:
    uk = regime == "uk_gdpr"
    law = "UK GDPR" if uk else "GDPR"
    authority = "the ICO" if uk else "the competent supervisory authority (the lead " \
        "authority under Art. 56 for cross-border processing)"
    risk = f.answer("gdpr_risk")
    due = f.discovered_at + timedelta(hours=72)
    when = ("without undue delay and, where feasible, within 72 hours of becoming aware; "
            "later, with the reasons for the delay (Art. 33(1)); in phases if need be (33(4))")
    if risk is None:
        notify = Step(authority, when, f"{law} Art. 33(1)", ASSESS, due,
                      "owed unless the breach is unlikely to result in a risk: answer "
                      "gdpr_risk; the 72 hours run while you assess")
    elif risk == "unlikely":
        notify = Step(authority, when, f"{law} Art. 33(1)", NOT_OWED, None,
                      "assessed as unlikely to result in a risk to people's rights and freedoms")
    else:
        notify = Step(authority, when, f"{law} Art. 33(1)", OWED, due,
                      f"assessed as {'a high risk' if risk == 'high' else 'a risk'}")
    people = "the data subjects, in clear and plain language (Art. 34(2))"
    people_when = "without undue delay"
    if risk is None:
        tell = Step(people, people_when, f"{law} Art. 34(1)", ASSESS, None,
                    "owed if the risk is high (answer gdpr_risk)"
                    + (f", unless {SAFE_HARBOUR} (Art. 34(3)(a))" if f.protected else ""))
    elif risk != "high":
        tell = Step(people, people_when, f"{law} Art. 34(1)", NOT_OWED, None,
                    "the risk is not high")
    elif f.protected:
        tell = Step(people, people_when, f"{law} Art. 34(3)(a)", NOT_OWED, None,
                    f"high risk, but {SAFE_HARBOUR}: unintelligible to anyone not authorised")
    elif f.protected is None:
        tell = Step(people, people_when, f"{law} Art. 34(1), (3)(a)", ASSESS, None,
                    "a high risk; not owed if the key was not exposed (answer key_exposed)")
    else:
        tell = Step(people, people_when, f"{law} Art. 34(1)", OWED, None,
                    f"a high risk, and the data was not unintelligible ({f.protection})")
    steps = (notify, tell)
    return Verdict(
        regime, law, "Art. 33(1): notify the authority unless the breach is unlikely to result "
        "in a risk to people's rights and freedoms; Art. 34: tell the people when the risk is "
        "high, not when the data was unintelligible to others (34(3)(a))",
        f"{law} Art. 33, 34", _overall(steps), _why(steps), steps,
        Record("document every personal data breach: facts, effects, remedial action "
               "(Art. 33(5)), whether or not it is notified", f"{law} Art. 33(5)",
               "no period set by the law"),
        (("gdpr_risk",) if risk is None else ()) + (f.key_question if risk == "high" else ()),
        ("Processors must tell the controller without undue delay (Art. 33(2)); no law "
         "obliges a controller to inform its processors.",),
    )


def _why(steps: Iterable[Step]) -> str:
    return "; ".join(f"{s.who.split(',')[0].split(' (')[0]}: {s.status}"
                     + (f" ({s.why})" if s.why else "") for s in steps)


# --- California Civ. Code 1798.82 ---------------------------------------------------------------

NAME = ("user.name",)
CA_ELEMENTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Social Security, tax or other government identification number ((h)(1)(A)-(B))",
     ("user.government_id",), ("user.government_id.vehicle_registration",)),
    ("account or card number ((h)(1)(C))",
     ("user.financial.bank_account", "user.financial.credit_card"), ()),
    ("medical information ((h)(1)(D))", ("user.health_and_medical",),
     ("user.health_and_medical.insurance_beneficiary_id",)),
    ("health insurance information ((h)(1)(E))",
     ("user.health_and_medical.insurance_beneficiary_id",), ()),
    ("biometric data ((h)(1)(F))", ("user.biometric", "user.authorization.biometric"),
     ("user.biometric.health",)),
    ("genetic data ((h)(1)(H))", ("user.health_and_medical.genetic",), ()),
)
LOGIN = ("user.account.username", "user.contact.email")
SECRET = ("user.authorization.credentials", "user.authorization.password")


def _named(f: Facts) -> bool:
    """First name or initial and last name ((h)(1)): a full name, or both its parts."""
    return "user.name" in f.categories or {"user.name.first", "user.name.last"} <= f.categories


def _ccpa(regime: str, f: Facts) -> Verdict:
    ref = "Cal. Civ. Code 1798.82"
    elements = [label for label, parents, skip in CA_ELEMENTS if f.has(*parents, exclude=skip)]
    login = f.has(*LOGIN) and f.has(*SECRET)
    card_only = elements and all(e.startswith("account or card") for e in elements)
    questions: list[str] = []
    defined: bool | None
    if login:
        defined, what = True, "a user name or e-mail address with a password ((h)(2))"
    elif not elements or not _named(f):
        defined = False
        what = ("no data element of (h)(1) with a name, and no user name or e-mail address "
                "with a password ((h)(2))" if not elements else
                f"{', '.join(elements)} without a person's name ((h)(1) needs both)")
    elif card_only and f.answer("card_code") != "yes":
        defined = None if f.answer("card_code") is None else False
        what = "account or card numbers count only with the code or password that opens the " \
               "account ((h)(1)(C))"
        if defined is None:
            questions.append("card_code")
    else:
        defined, what = True, f"a name with {', '.join(elements)}"
    acquired = _yes(f.answer("acquired")) if f.read_access else False
    if defined and acquired is None:
        questions.append("acquired")
    if defined:
        questions += f.key_question
    discovered = f.discovered_at
    in_force = discovered.date() >= CA_IN_FORCE
    when = ("in the most expedient time possible and without unreasonable delay, within 30 "
            "calendar days of discovery" if in_force else
            "in the most expedient time possible and without unreasonable delay")
    due = discovered + timedelta(days=30) if in_force else None
    if defined is False:
        status, why = NOT_OWED, f"not personal information as defined in (h): {what}"
    elif f.protected:
        status, why = NOT_OWED, f"{what}, but encrypted: {SAFE_HARBOUR} ((a))"
    elif acquired is False:
        status, why = NOT_OWED, "not acquired by an unauthorised person" + (
            " (the role could not read it)" if not f.read_access else "")
    elif defined is None or acquired is None or f.protected is None:
        status, why = ASSESS, f"{what}: " + ", ".join(
            {"card_code": "was the code exposed too", "acquired": "was it acquired",
             "key_exposed": "was the key exposed"}[q] for q in questions)
    else:
        status, why = OWED, f"{what}, unencrypted or with its key, acquired"
    consumers = Step("the affected California residents", when, f"{ref}(a)", status, due, why)
    steps = [consumers]
    if status != NOT_OWED:
        ca = f.assessment.count("US-CA")
        after = f.assessment.consumers_notified_at or due
        ag_when = ("a sample copy of the notice, within 15 calendar days after notifying "
                   "the consumers" if in_force else "a sample copy of the notice")
        ag_due = after + timedelta(days=15) if in_force and after else None
        if ca is None and f.reaches(501) is False:
            steps.append(Step("the Attorney General", ag_when, f"{ref}(f)", NOT_OWED, None,
                              f"{f.people} in all: 500 or fewer California residents"))
        elif ca is None:
            steps.append(Step("the Attorney General", ag_when, f"{ref}(f)", ASSESS, ag_due,
                              "only if more than 500 California residents are notified: give "
                              "affected.US-CA"))
        elif ca > 500:
            steps.append(Step("the Attorney General", ag_when, f"{ref}(f)", status, ag_due,
                              f"{ca} California residents (more than 500)"))
        else:
            steps.append(Step("the Attorney General", ag_when, f"{ref}(f)", NOT_OWED, None,
                              f"{ca} California residents (500 or fewer)"))
    notes = ["Notice may be delayed while a law enforcement agency says it would impede a "
             "criminal investigation, and as needed to determine the breach's scope and "
             "restore the system's integrity (1798.82(a), (c))."]
    if f.answer("law_enforcement_delay") == "yes":
        notes.append("A law enforcement agency asked for a delay: notify as soon as it says "
                     "notice no longer compromises the investigation (1798.82(c)).")
    if not in_force:
        notes.append("Discovered before 2026-01-01: the 30-day and 15-day limits of SB 446 "
                     "do not apply.")
    return Verdict(
        regime, "California (Civ. Code 1798.82)",
        "notice to California residents whose unencrypted personal information as defined in "
        "(h) (a name with an SSN, ID, account number with its code, medical, health insurance, "
        "biometric or genetic data; or a login with its password) was, or is reasonably "
        "believed to have been, acquired by an unauthorised person; encrypted data only if the "
        "key was acquired too",
        ref, _overall(steps), why, tuple(steps), None, tuple(dict.fromkeys(questions)),
        tuple(notes),
    )


# --- HIPAA --------------------------------------------------------------------------------------


def _hipaa(regime: str, f: Facts) -> Verdict:
    ref = "45 CFR 164.400-414"
    low = _yes(f.answer("hipaa_low_probability"))
    questions: list[str] = []
    if f.protected:
        status, why = NOT_OWED, f"secured PHI: {SAFE_HARBOUR} (HHS guidance, 164.402)"
    elif f.protected is None and not low:
        status, why = ASSESS, "secured PHI if the key was not exposed (answer key_exposed); " \
            "else presumed a breach (164.402(2))"
        questions += f.key_question + (("hipaa_low_probability",) if low is None else ())
    elif low:
        status, why = NOT_OWED, "a documented four-factor risk assessment shows a low " \
            "probability that the PHI has been compromised (164.402(2))"
    else:
        status = OWED
        why = ("an impermissible use or disclosure of unsecured PHI is presumed a breach "
               "(164.402(2))" + ("" if low is False else
                                 "; a documented four-factor assessment showing a low "
                                 "probability of compromise would rebut it "
                                 "(hipaa_low_probability)"))
        if low is None:
            questions.append("hipaa_low_probability")
    due = f.discovered_at + timedelta(days=60)
    sixty = "without unreasonable delay, at the latest 60 calendar days after discovery"
    steps = [Step("the affected individuals, by first-class mail or e-mail", sixty,
                  "45 CFR 164.404", status, due if status != NOT_OWED else None, why)]
    hhs = f.reaches(500)
    states = {k: v for k, v in f.assessment.affected.items() if k.startswith("US-")}
    year_end = date(f.discovered_at.year, 12, 31)
    annual = datetime.combine(year_end + timedelta(days=60), f.discovered_at.timetz())
    if status == OWED:
        big = [k for k, v in states.items() if v > 500]
        if big:
            steps.append(Step(f"prominent media outlets serving {', '.join(sorted(big))}", sixty,
                              "45 CFR 164.406", OWED, due, "more than 500 residents of the "
                              "state"))
        elif not states and f.reaches(501) is False:
            steps.append(Step("prominent media outlets of each state with more than 500 "
                              "affected residents", sixty, "45 CFR 164.406", NOT_OWED, None,
                              f"{f.people} in all: no state has more than 500"))
        elif not states:
            steps.append(Step("prominent media outlets of each state with more than 500 "
                              "affected residents", sixty, "45 CFR 164.406", ASSESS, due,
                              "give affected by state (e.g. US-CA)"))
        if hhs is None:
            steps.append(Step("HHS", "500 or more people: at the same time as the individuals, "
                              "within 60 days; fewer: log it and report within 60 days after "
                              "the end of the calendar year", "45 CFR 164.408", ASSESS, None,
                              "give affected.total" + (f" ({f.people})" if f.people else "")))
        elif hhs:
            steps.append(Step("HHS (breach portal)", "at the same time as the individuals, "
                              "within 60 days of discovery", "45 CFR 164.408(b)", OWED, due,
                              f"{f.people} (500 or more)"))
        else:
            steps.append(Step("HHS: log the breach now, report it with the year's log",
                              "within 60 days after the end of the calendar year of "
                              "discovery", "45 CFR 164.408(c)", OWED, annual,
                              f"{f.people} (fewer than 500)"))
    notes = ["A law enforcement official's statement that notice would impede an "
             "investigation delays it: for the period stated in writing, or up to 30 days "
             "after an oral statement (164.412)."]
    return Verdict(
        regime, "HIPAA (Breach Notification Rule)",
        "unsecured PHI (not encrypted per HHS guidance, or its key breached) acquired, "
        "accessed, used or disclosed impermissibly is presumed a breach unless a four-factor "
        "risk assessment shows a low probability of compromise",
        ref, _overall(steps), why, tuple(steps),
        Record("document the notifications, or the risk assessment that showed no breach "
               "(burden of proof, 164.414(b))", "45 CFR 164.530(j)(2)",
               "6 years from its creation", 72),
        tuple(questions), tuple(notes),
    )


# --- PIPEDA -------------------------------------------------------------------------------------


def _pipeda(regime: str, f: Facts) -> Verdict:
    rrosh = _yes(f.answer("real_risk"))
    status = ASSESS if rrosh is None else OWED if rrosh else NOT_OWED
    why = ("answer real_risk: the sensitivity of the data and the probability of its misuse "
           "(s.10.1(8))" if rrosh is None else
           "a real risk of significant harm" if rrosh else
           "assessed as no real risk of significant harm")
    feasible = "as soon as feasible after determining the breach has occurred"
    steps = (
        Step("the Office of the Privacy Commissioner of Canada, in the prescribed form",
             feasible, "PIPEDA s.10.1(1)-(2)", status, None, why),
        Step("the affected individuals, directly", feasible, "PIPEDA s.10.1(3), (6)", status,
             None, why),
        Step("any organisation or government institution that can reduce the risk of harm",
             "when notifying the individuals", "PIPEDA s.10.2(1)", status, None, why),
    )
    return Verdict(
        regime, "PIPEDA (Canada)",
        "a breach of security safeguards creating a real risk of significant harm",
        "PIPEDA s.10.1-10.3", status, why, steps,
        Record("a record of every breach of security safeguards", "PIPEDA s.10.3; Breach of "
               "Security Safeguards Regulations (SOR/2018-64) s.6", "24 months after the day "
               "the breach is determined to have occurred", 24),
        ("real_risk",) if rrosh is None else (),
        ("'As soon as feasible' is immediate: it is not a lower priority than a dated "
         "deadline.",),
    )


# --- LGPD ---------------------------------------------------------------------------------------


def _lgpd(regime: str, f: Facts) -> Verdict:
    criteria = []
    if any(is_special_category(c) for c in f.categories):
        criteria.append("sensitive personal data")
    if f.has("user.childrens"):
        criteria.append("data of children or adolescents")
    if f.has("user.financial"):
        criteria.append("financial data")
    if f.has("user.authorization"):
        criteria.append("authentication data")
    large = _yes(f.answer("large_scale"))
    if large:
        criteria.append("data on a large scale")
    relevant = _yes(f.answer("lgpd_relevant"))
    questions = []
    if not criteria and large is None:
        questions.append("large_scale")
    if relevant is None and (criteria or large is None):
        questions.append("lgpd_relevant")
    if relevant is False:
        status, why = NOT_OWED, "assessed as unable to significantly affect the data " \
            "subjects' interests and fundamental rights"
    elif not criteria and large is False:
        status, why = NOT_OWED, "none of the criteria of Res. 15/2024 Art. 5 (sensitive, " \
            "children's or elderly people's, financial, authentication, secret or large-scale " \
            "data)"
    elif relevant and criteria:
        status, why = OWED, f"may significantly affect the subjects, with {', '.join(criteria)}"
    else:
        status = ASSESS
        why = ("criteria met: " + ", ".join(criteria) if criteria else "no criterion in the "
               "catalog; large scale?") + "; answer " + ", ".join(questions)
    due = add_business_days(f.discovered_at, 3)
    when = "within 3 business days of knowing that the incident affected personal data " \
        "(public holidays are not counted in here: the true deadline may be later)"
    steps = (Step("the ANPD", when, "ANPD Res. 15/2024 Art. 6", status,
                  due if status != NOT_OWED else None, why),
             Step("the data subjects", when, "ANPD Res. 15/2024 Art. 9", status,
                  due if status != NOT_OWED else None, why))
    return Verdict(
        regime, "LGPD (Brazil)",
        "an incident that may cause relevant risk or damage: it can significantly affect the "
        "subjects' interests and fundamental rights and involves sensitive, children's or "
        "elderly people's, financial, authentication, secret or large-scale data",
        "LGPD Art. 48; ANPD Resolution CD/ANPD 15/2024", status, why, steps,
        Record("a record of every security incident, notified or not", "ANPD Res. 15/2024 "
               "Art. 10", "at least 5 years from the record", 60),
        tuple(questions),
    )


# --- APPI ---------------------------------------------------------------------------------------

APPI_SENSITIVE = ("user.health_and_medical", "user.demographic.race_ethnicity",
                  "user.demographic.religious_belief", "user.demographic.political_opinion",
                  "user.criminal_history")


def _appi(regime: str, f: Facts) -> Verdict:
    categories = []
    if f.has(*APPI_SENSITIVE):
        categories.append("(i) special care-required personal information")
    if f.has("user.financial.credit_card") or (f.has("user.financial") and f.has(*SECRET)):
        categories.append("(ii) data whose misuse may cause financial loss")
    wrongful = _yes(f.answer("wrongful_purpose"))
    if wrongful:
        categories.append("(iii) a breach with a wrongful purpose")
    many = f.reaches(1001)
    if many:
        categories.append(f"(iv) more than 1,000 people ({f.people})")
    questions = []
    if wrongful is None:
        questions.append("wrongful_purpose")
    if many is None:
        questions.append("affected.total")
    if f.protected:
        status, why = NOT_OWED, f"excluded: {SAFE_HARBOUR} (advanced encryption, Rules Art. 7)"
        questions = []
    elif f.protected is None and (categories or questions):
        status, why = ASSESS, "excluded if the key was not exposed (answer key_exposed)" + (
            f"; else {'; '.join(categories)}" if categories else "")
        questions = [*f.key_question, *questions]
    elif categories:
        status, why = OWED, "; ".join(categories)
    elif questions:
        status, why = ASSESS, "none of the four categories in the catalog; answer " + \
            ", ".join(questions)
    else:
        status, why = NOT_OWED, "none of the four categories of Rules Art. 7"
    final_days = 60 if wrongful else 30
    final_due = f.discovered_at + timedelta(days=final_days) if status != NOT_OWED else None
    steps = (
        Step("the Personal Information Protection Commission: preliminary report",
             "promptly (the PPC's guidelines: about 3 to 5 days after becoming aware)",
             "APPI Art. 26(1); Rules Art. 8(1)", status, None, why),
        Step("the Personal Information Protection Commission: final report",
             f"within {final_days} days of becoming aware"
             + ("" if wrongful else " (60 if the breach had a wrongful purpose)"),
             "APPI Art. 26(1); Rules Art. 8(2)", status, final_due, why),
        Step("the affected individuals", "promptly, as the situation allows",
             "APPI Art. 26(2); Rules Art. 10", status, None, why),
    )
    return Verdict(
        regime, "APPI (Japan)",
        "a leak, loss or damage, actual or likely, of (i) special care-required data, (ii) data "
        "whose misuse may cause financial loss, (iii) with a wrongful purpose, or (iv) of more "
        "than 1,000 people; not for data under advanced encryption whose key is safe",
        "APPI Art. 26; Enforcement Rules Art. 7-10", status, why, steps, None,
        tuple(questions),
    )


# --- Singapore, Korea, Australia ----------------------------------------------------------------


def _pdpa_sg(regime: str, f: Facts) -> Verdict:
    harm = _yes(f.answer("significant_harm"))
    scale = f.reaches(500)
    questions = [q for q, missing in (("significant_harm", harm is None),
                                      ("affected.total", scale is None)) if missing]
    if harm or scale:
        status, questions = OWED, []
        why = "; ".join(w for w, on in (("likely significant harm", harm),
                                        (f"significant scale: {f.people} (500 or more)",
                                         scale)) if on)
    elif harm is False and scale is False:
        status, why = NOT_OWED, f"no significant harm and {f.people} (fewer than 500)"
    else:
        status, why = ASSESS, "answer " + ", ".join(questions)
    assessed = f.assessment.assessed_at
    steps = []
    if status == ASSESS:
        steps.append(Step("assess whether the breach is notifiable", "in a reasonable and "
                          "expeditious manner", "PDPA s.26C", OWED, None, why))
    steps.append(Step("the PDPC", "as soon as practicable, at the latest 3 calendar days after "
                      "assessing the breach as notifiable", "PDPA s.26D(1)", status,
                      assessed + timedelta(days=3) if status == OWED and assessed else None,
                      why))
    if not harm:
        people = (NOT_OWED if harm is False else ASSESS, "only when significant harm is likely")
    elif f.protected:
        people = (NOT_OWED, f"significant harm, but {SAFE_HARBOUR}: a technological measure "
                  "made it unlikely (s.26D(5))")
    elif f.protected is None:
        people = (ASSESS, "not owed if the key was not exposed (answer key_exposed)")
        questions += f.key_question
    else:
        people = (OWED, "significant harm is likely")
    steps.append(Step("the affected individuals", "on or after notifying the PDPC",
                      "PDPA s.26D(2), (5)", people[0], None, people[1]))
    return Verdict(
        regime, "PDPA (Singapore)", "a data breach that results or is likely to result in "
        "significant harm, or of a significant scale (500 or more people)",
        "PDPA s.26A-26E", status, why, tuple(steps), None, tuple(questions),
    )


PIPA_UNIQUE_IDS = ("user.government_id.national_identification_number",
                   "user.government_id.passport_number",
                   "user.government_id.drivers_license_number",
                   "user.government_id.immigration")


def _pipa_kr(regime: str, f: Facts) -> Verdict:
    leaked = _yes(f.answer("acquired")) if f.read_access else False
    many = f.reaches(1000)
    report_why = []
    if any(is_special_category(c) for c in f.categories) or f.has("user.criminal_history"):
        report_why.append("sensitive information")
    if f.has(*PIPA_UNIQUE_IDS):
        report_why.append("unique identification information")
    if f.answer("wrongful_purpose") == "yes":
        report_why.append("leaked through unlawful external access")
    if many:
        report_why.append(f"{f.people} (1,000 or more)")
    questions = [q for q, missing in (("acquired", leaked is None),) if missing]
    if leaked is False:
        status, why = NOT_OWED, "no leak, loss or theft of the data"
    elif leaked is None:
        status, why = ASSESS, "answer acquired: was it leaked, lost or stolen?"
    else:
        status, why = OWED, "personal information was leaked"
    due = f.discovered_at + timedelta(hours=72)
    if status == NOT_OWED:
        report = Step("the PIPC or KISA", "within 72 hours", "PIPA Art. 34(3)", NOT_OWED, None,
                      why)
    elif report_why:
        report = Step("the PIPC or KISA", "within 72 hours of becoming aware",
                      "PIPA Art. 34(3); Enforcement Decree Art. 40", status, due,
                      ", ".join(report_why))
    else:
        undecided = [q for q, missing in (("wrongful_purpose",
                                            f.answer("wrongful_purpose") is None),
                                           ("affected.total", many is None)) if missing]
        questions += undecided
        report = Step("the PIPC or KISA", "within 72 hours of becoming aware",
                      "PIPA Art. 34(3); Enforcement Decree Art. 40",
                      ASSESS if undecided else NOT_OWED, due if undecided else None,
                      "only for 1,000 or more people, sensitive or unique identification "
                      "information, or unlawful external access")
    steps = (Step("the affected data subjects", "within 72 hours of becoming aware",
                  "PIPA Art. 34(1); Enforcement Decree Art. 39", status,
                  due if status != NOT_OWED else None, why), report)
    return Verdict(
        regime, "PIPA (South Korea)", "a leak, loss or theft of personal information: the data "
        "subjects always; the regulator for 1,000 or more people, sensitive or unique "
        "identification information, or unlawful external access",
        "PIPA Art. 34", _overall(steps), why, steps, None, tuple(questions),
    )


def _privacy_act_au(regime: str, f: Facts) -> Verdict:
    serious = f.answer("serious_harm")
    if serious == "yes":
        status, why = OWED, "an eligible data breach: serious harm is likely"
    elif serious == "no":
        status, why = NOT_OWED, "serious harm is not likely (or remedial action prevented " \
            "it, s.26WF)"
    else:
        status, why = ASSESS, "suspected: assess it" if serious else "answer serious_harm"
    steps = []
    if status == ASSESS:
        steps.append(Step("assess whether it is an eligible data breach", "reasonable and "
                          "expeditious, within 30 days of becoming aware of grounds to "
                          "suspect one", "Privacy Act s.26WH(2)", OWED,
                          f.discovered_at + timedelta(days=30), why))
    steps += [
        Step("the OAIC: a statement about the breach", "as soon as practicable after becoming "
             "aware of an eligible data breach", "Privacy Act s.26WK", status, None, why),
        Step("the affected individuals (or publish the statement)", "as soon as practicable "
             "after the statement", "Privacy Act s.26WL", status, None, why),
    ]
    return Verdict(
        regime, "Privacy Act 1988 (Australia), NDB scheme", "an eligible data breach: "
        "unauthorised access, disclosure or loss likely to result in serious harm",
        "Privacy Act 1988 Part IIIC", status, why, tuple(steps), None,
        ("serious_harm",) if serious is None else (),
    )


REGIMES: dict[str, Callable[[str, Facts], Verdict]] = {
    "gdpr": _gdpr, "uk_gdpr": _gdpr, "ccpa": _ccpa, "hipaa": _hipaa, "pipeda": _pipeda,
    "lgpd": _lgpd, "appi": _appi, "pdpa_sg": _pdpa_sg, "pipa_kr": _pipa_kr,
    "privacy_act_au": _privacy_act_au,
}


def verdict(regime: str, facts: Facts) -> Verdict:
    """The regime's verdict; a jurisdiction with no rule on record says so, never a guess."""
    rule = REGIMES.get(regime)
    if rule is None:
        return Verdict(regime, regime, "no breach notification rule on record", "",
                       ASSESS, "no rule on record for this jurisdiction: ask counsel", ())
    return rule(regime, facts)
