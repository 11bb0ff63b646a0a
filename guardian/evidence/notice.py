"""The privacy notice: the organisation's stated intent, per data subject type, in plain words.

The notice is built once as a small document tree (sections of paragraphs and lists whose text
may hold links) and rendered to Markdown or HTML from that one tree, so both say the same.
It speaks of intent (the catalog), not of the deployment.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from guardian.catalog.model import Catalog, Dataset
from guardian.catalog.regions import allowed_regions, country_of
from guardian.catalog.taxonomy import covers, human, is_special_category
from guardian.evidence.law import (
    GDPR_REGIMES,
    JURISDICTION_NAMES,
    PLAIN_BASES,
    REGIME_NAMES,
    RIGHTS,
    country_name,
    transfer,
)


@dataclass(frozen=True)
class Link:
    text: str
    href: str


Span = str | Link
Text = tuple[Span, ...]


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[Text, ...] = ()
    items: tuple[Text, ...] = ()
    level: int = 2


# Uses that are a "sale" or "sharing" under the CCPA as amended by the CPRA (cross-context
# behavioural advertising, or disclosure to third parties for their own purposes).
SELL_OR_SHARE = ("marketing.advertising", "third_party_sharing")
PROCESSOR_AWS = "Amazon Web Services, which hosts and stores it for us as our processor"

RIGHT_TEXT = {
    "access": "ask for a copy of the personal data we hold about you",
    "rectification": "have inaccurate data corrected",
    "erasure": "have your data erased",
    "restriction": "ask us to restrict how we use it",
    "portability": "receive your data in a machine-readable format",
    "objection": "object to our use of it",
    "withdraw consent": "withdraw your consent at any time, without affecting what we did "
                        "before",
}
REQUIREMENT_TEXT = {
    "statutory": "The law requires us to collect it",
    "contractual": "Our contract with you requires it",
    "contract_precondition": "We need it to enter into a contract with you",
    "voluntary": "Giving it to us is up to you",
}
ROLE_TEXT = {
    "processor": "a processor acting on our instructions",
    "controller": "which uses it for its own purposes as a controller",
    "joint_controller": "a joint controller with us (you can ask us for the essence of our "
                        "arrangement, Art. 26(2))",
}
# 45 CFR 164.520(b)(1)(iv), (vi): the rights a Notice of Privacy Practices must state.
HIPAA_RIGHTS = (
    "ask us to restrict how we use or disclose your health information (we are not always "
    "required to agree; we must if you paid in full out of pocket and ask us not to tell your "
    "health plan) (45 CFR 164.522(a))",
    "ask us to contact you confidentially, by other means or at another address "
    "(164.522(b))",
    "inspect and get a copy of your health information (164.524)",
    "ask us to amend your health information (164.526)",
    "receive an accounting of certain disclosures we made (164.528)",
    "get a paper copy of our Notice of Privacy Practices, even if you agreed to receive it "
    "electronically (164.520)",
)


def subjects(catalog: Catalog) -> list[str]:
    """Data subject types in the order the catalog first names them."""
    out: list[str] = []
    for ds in catalog.datasets:
        out.extend(s for s in ds.subjects if s not in out)
    return out


def _mailto(email: str) -> Link:
    return Link(email, f"mailto:{email}")


def _kept_in(ds: Dataset) -> str:
    """Where the residency allows the data to be stored. Of several countries, any may hold
    it: the notice speaks of intent, not of where it is deployed today."""
    places = sorted({country_name(c) for r in allowed_regions(ds.residency)
                     if (c := country_of(r))}) or list(ds.residency)
    if len(places) == 1:
        return f"kept in {places[0]}"
    return f"may be kept in {', '.join(places[:-1])} or {places[-1]}"


def _list(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _categories(ds: Dataset) -> str:
    return ", ".join(human("data_category", c) for c in ds.categories)


def _rights(datasets: Sequence[Dataset]) -> list[str]:
    """The rights the legal bases of these datasets give, in a fixed order (ICO's table)."""
    bases = {u.legal_basis for ds in datasets for u in ds.uses}
    marketing = any(covers("marketing", u.use) for ds in datasets for u in ds.uses)
    # Art. 21(2): objection to direct marketing is absolute, whatever the basis.
    return [r for r in RIGHT_TEXT if any(r in RIGHTS[b] for b in bases)
            or (r == "objection" and marketing)]


def _recipients(catalog: Catalog, datasets: Sequence[Dataset]) -> list[Text]:
    """Who receives the data: our processor AWS for every stored dataset, the catalog's
    recipients by their role, and each transfer out of the (UK) GDPR's home with what it rests
    on and how to get a copy of the safeguard (Art. 13(1)(e), (f))."""
    out: list[Text] = []
    stored = [ds.name for ds in datasets if ds.storage]
    if stored:
        out.append((f"{PROCESSOR_AWS}: {_list(stored)}.",))
    contact = catalog.organization.contact
    seen: dict[str, list[str]] = {}
    for ds in datasets:
        for r in ds.recipients:
            seen.setdefault(r.name, []).append(ds.name)
    done: set[str] = set()
    for ds in datasets:
        for r in ds.recipients:
            if r.name in done:
                continue
            done.add(r.name)
            role = f", {ROLE_TEXT[r.role]}" if r.role else ""
            uses = sorted({human("data_use", x.use) for d in datasets for x in d.recipients
                           if x.name == r.name})
            text: Text = (f"{r.name} ({country_name(r.country)}){role}, for {_list(uses)}: "
                          f"{_list(sorted(set(seen[r.name])))}.",)
            for regime in GDPR_REGIMES:
                holders = [d for d in datasets if regime in d.jurisdictions
                           and any(x.name == r.name for x in d.recipients)]
                moved = transfer(regime, r) if holders else None
                if moved is None:
                    continue
                text += (f" For data under the {REGIME_NAMES[regime]}, the transfer to "
                         f"{country_name(r.country)} rests on {moved.basis}.",)
                if moved.copy:
                    text += (" You can ask for a copy at ", _mailto(contact), ".")
            out.append(text)
    return out


def sections(catalog: Catalog, subject: str) -> list[Section]:
    """The notice for one data subject type (GDPR Art. 13 and 14, and each law in scope)."""
    org = catalog.organization
    datasets = [ds for ds in catalog.datasets if subject in ds.subjects]
    name = human("data_subject", subject)
    out = [Section(f"Privacy notice for {name}s", (
        (f"{org.name} is the controller of the personal data described here. This notice says "
         "what we collect about you, why, who receives it, how long we keep it and what "
         "you can do about it.",),
    ), level=1)]

    collected = []
    for ds in datasets:
        text = f"{ds.name}: {_categories(ds)}" + (
            " (special category data, with extra protection)"
            if any(is_special_category(c) for c in ds.categories) else "") + "."
        if ds.source and ds.source.origin != "data_subject":
            where = ds.source.description or ("a third party" if ds.source.origin ==
                                              "third_party" else "publicly available sources")
            text += f" We receive it from {_lower_first(where)}" + (
                ", a publicly accessible source" if ds.source.origin == "public" else "") + "."
        elif ds.source and ds.source.description:
            text += f" It comes from you: {_lower_first(ds.source.description)}."
        collected.append((text,))
    out.append(Section("What we collect", items=tuple(collected)))

    purposes: list[Text] = []
    for ds in datasets:
        for use in ds.uses:
            why: Text = (f"{human('data_use', use.use).capitalize()} ({ds.name}), "
                         f"based on {PLAIN_BASES[use.legal_basis]}.",)
            if use.legal_basis == "legitimate_interests" and ds.legitimate_interest:
                why += (f" Our interest: {ds.legitimate_interest.interest}.",)
            if use.opt_out:
                why += (" You can opt out at any time: ", Link(use.opt_out, use.opt_out))
            purposes.append(why)
    out.append(Section("Why we use it and on which legal basis", items=tuple(purposes)))

    required = [(f"{ds.name}: {REQUIREMENT_TEXT[ds.requirement.kind]}."
                 + (f" If you do not: {ds.requirement.consequence}" if
                    ds.requirement.consequence else ""),)
                for ds in datasets if ds.requirement]
    if required:
        out.append(Section("Do you have to give it to us?", items=tuple(required)))

    decided = [ds for ds in datasets if ds.automated_decisions is not None]
    automated = [ds for ds in decided if ds.automated_decisions
                 and ds.automated_decisions.exists]
    if automated:
        out.append(Section("Automated decisions", items=tuple(
            (f"{ds.name}: we make decisions about you by automated means"
             + (", including profiling" if ds.automated_decisions.profiling else "")
             + f". How: {ds.automated_decisions.logic}. What it means for you: "
             f"{ds.automated_decisions.significance}. You can ask for a person to review a "
             "decision, give your view and contest it (Art. 22(3)).",)
            for ds in automated if ds.automated_decisions)))
    elif decided and len(decided) == len(datasets):
        out.append(Section("Automated decisions", (
            ("We make no decisions about you based solely on automated processing, including "
             "profiling, that have legal or similarly significant effects on you.",),)))

    kept = tuple((f"{ds.name}: {_kept_in(ds)}.",) for ds in datasets)
    out.append(Section("Who receives it and where it is kept", kept,
                       tuple(_recipients(catalog, datasets))))

    out.append(Section("How long we keep it", items=tuple(
        (f"{ds.name}: {_duration(ds.retention.days)}"
         + (f" ({ds.retention.basis})" if ds.retention.basis else "") + ".",)
        for ds in datasets
    )))

    # The rights of the (UK) GDPR, by legal basis; other laws' rights are in their sections.
    gdpr = [ds for ds in datasets if any(j in GDPR_REGIMES for j in ds.jurisdictions)]
    if gdpr:
        out.extend(_gdpr_rights(gdpr, org.contact))

    contact: list[Span] = ["Privacy questions: ", _mailto(org.contact), "."]
    if org.dpo:
        contact += [f" Our data protection officer, {org.dpo.name}: ", _mailto(org.dpo.email), "."]
    out.append(Section("Contact", (tuple(contact),)))

    out.extend(_jurisdictions(catalog, datasets))
    return out


def _lower_first(text: str) -> str:
    """'The prescribing doctor' -> 'the prescribing doctor'; 'Postbox Mail' stays."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first in ("The", "A", "An", "Your", "Our") else text


def _gdpr_rights(datasets: Sequence[Dataset], contact: str) -> list[Section]:
    """Art. 15-22 as the legal bases give them, consistent with what erasure will do: data
    under a legal hold is not erased, and the notice says so (Art. 17(3), 12(4))."""
    held = [ds for ds in datasets if ds.retention.legal_hold]
    free = [ds for ds in datasets if not ds.retention.legal_hold]
    rights = [r for r in _rights(datasets)
              if r != "erasure" or "erasure" in _rights(free)]
    paragraphs: tuple[Text, ...] = (
        ("You can " + "; ".join(RIGHT_TEXT[r] for r in rights if r != "objection") + ". Write "
         "to ", _mailto(contact), " and we will answer within one month."),)
    if held and "erasure" in _rights(held):
        paragraphs += ((f"{_list([ds.name for ds in held])}: we keep "
                        f"{'these' if len(held) > 1 else 'this'} under a legal hold ("
                        + "; ".join(ds.retention.basis or "a legal obligation" for ds in held)
                        + "), so we cannot erase it while the hold lasts; if you ask, we tell "
                        "you why, and you can complain to a supervisory authority.",),)
    opt_outs = sorted({u.opt_out for ds in datasets for u in ds.uses if u.opt_out})
    out = [Section("Your rights", paragraphs
                   + tuple(("Opt out: ", Link(link, link)) for link in opt_outs))]
    if "objection" in rights:
        out.append(_objection(datasets, contact))
    return out


def _objection(datasets: Sequence[Dataset], contact: str) -> Section:
    """Art. 21(4): the right to object, explicitly and separately from the rest."""
    paras: list[Text] = []
    interests = [ds.name for ds in datasets for u in ds.uses
                 if u.legal_basis in ("legitimate_interests", "public_task")]
    if interests:
        paras.append((f"You can object at any time to our use of {_list(sorted(set(interests)))}"
                      " on grounds relating to your situation; we then stop unless we have "
                      "compelling legitimate grounds that override yours, or need it for legal "
                      "claims (Art. 21(1)).",))
    marketing = [ds.name for ds in datasets for u in ds.uses if covers("marketing", u.use)]
    if marketing:
        paras.append((f"You can object at any time to direct marketing ("
                      f"{_list(sorted(set(marketing)))}); we then stop, without exception "
                      "(Art. 21(2), (3)).",))
    paras.append(("To object, write to ", _mailto(contact), "."))
    return Section("Your right to object", tuple(paras))


def _duration(days: int) -> str:
    years, rest = divmod(days, 365)
    if years and rest <= years:  # 1095 = 3 years, 2555 = 7 years, 2190 = 6 years
        return f"{years} year{'s' * (years > 1)}"
    return f"{days} days"


def _jurisdictions(catalog: Catalog, datasets: Sequence[Dataset]) -> list[Section]:
    """A section per law, speaking only of the data that law covers."""
    org = catalog.organization
    out = []
    for j in JURISDICTION_NAMES:
        scoped = [ds for ds in datasets if j in ds.jurisdictions]
        note: Text = ()
        if j == "ccpa":  # PHI governed by HIPAA is exempt from the CCPA (1798.146)
            exempt = [ds for ds in scoped if "hipaa" in ds.jurisdictions]
            scoped = [ds for ds in scoped if "hipaa" not in ds.jurisdictions]
            if exempt:
                note = (f"Not covered: {_list([ds.name for ds in exempt])}, health information "
                        "governed by HIPAA (Cal. Civ. Code 1798.146).",)
        if not scoped:
            continue
        title = f"If you are covered by the {JURISDICTION_NAMES[j]}"
        if j == "ccpa":
            sold = [(ds, u) for ds in scoped for u in ds.uses
                    if any(covers(k, u.use) for k in SELL_OR_SHARE)]
            if sold:
                first = next((u.opt_out for _, u in sold if u.opt_out), None)
                text: Text = ("We sell or share personal information for "
                              + ", ".join(sorted({human("data_use", u.use) for _, u in sold}))
                              + ". ",)
                text += ((Link("Do Not Sell or Share My Personal Information", first),)
                         if first else ("To opt out, write to ", _mailto(org.contact), "."))
            else:
                text = ("Do Not Sell or Share My Personal Information: we do not sell your "
                        "personal information or share it for cross-context behavioural "
                        "advertising.",)
            paras: tuple[Text, ...] = (
                text,
                ("California residents may also ask to know, delete and correct their "
                 "personal information, and will not be discriminated against for doing so. "
                 "Write to ", _mailto(org.contact), "; we answer within 45 days."),
            )
        elif j in GDPR_REGIMES:
            authority = ("the Information Commissioner's Office" if j == "uk_gdpr"
                         else "the supervisory authority where you live or work")
            paras = (("You have the right to complain to " + authority + ".",),)
            representative = org.representative_uk if j == "uk_gdpr" else org.representative
            if representative:
                where = "UK" if j == "uk_gdpr" else "EU"
                paras += ((f"Our {where} representative: {representative}.",),)
        elif j == "hipaa":
            paras = (("Our HIPAA Notice of Privacy Practices describes how your health "
                      "information may be used and disclosed. You have the right to: "
                      + "; ".join(HIPAA_RIGHTS) + ". Ask for these, or for the notice, at ",
                      _mailto(org.contact), "."),
                     ("You can complain to us at ", _mailto(org.contact), " or to the "
                      "Secretary of the US Department of Health and Human Services; we will "
                      "not retaliate against you for complaining (164.520(b)(1)(vi))."))
        elif j == "pipeda":
            paras = (("You may complain to the Office of the Privacy Commissioner of Canada. "
                      "You can withdraw your consent, subject to legal or contractual "
                      "restrictions.",),)
        else:
            paras = (("You have the rights this law gives you; write to ",
                      _mailto(org.contact), " to use them."),)
        paras += (("This applies to: " + ", ".join(ds.name for ds in scoped) + ".",),)
        if note:
            paras += (note,)
        out.append(Section(title, paras))
    return out


def _md_text(text: Text) -> str:
    return "".join(s if isinstance(s, str) else f"[{s.text}]({s.href})" for s in text)


def _html_text(text: Text) -> str:
    return "".join(
        html.escape(s) if isinstance(s, str)
        else f'<a href="{html.escape(s.href, quote=True)}">{html.escape(s.text)}</a>'
        for s in text
    )


def to_markdown(catalog: Catalog) -> str:
    lines: list[str] = []
    for subject in subjects(catalog):
        for sec in sections(catalog, subject):
            lines += ["#" * sec.level + " " + sec.title, ""]
            lines += [line for p in sec.paragraphs for line in (_md_text(p), "")]
            lines += [f"- {_md_text(i)}" for i in sec.items]
            if sec.items:
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_html(catalog: Catalog) -> str:
    org = html.escape(catalog.organization.name)
    body: list[str] = []
    for subject in subjects(catalog):
        body.append(f'<article id="{html.escape(subject, quote=True)}">')
        for sec in sections(catalog, subject):
            tag = f"h{sec.level}"
            body.append(f"<{tag}>{html.escape(sec.title)}</{tag}>")
            body += [f"<p>{_html_text(p)}</p>" for p in sec.paragraphs]
            if sec.items:
                body.append("<ul>" + "".join(f"<li>{_html_text(i)}</li>" for i in sec.items)
                            + "</ul>")
        body.append("</article>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>Privacy notice: {org}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
        "line-height:1.5;padding:0 1rem}article{border-bottom:1px solid #ccc;"
        "padding-bottom:1rem}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
