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
from guardian.catalog.taxonomy import is_special_category, label
from guardian.evidence.law import (
    JURISDICTION_NAMES,
    PLAIN_BASES,
    RIGHTS,
    SAFEGUARDS,
    country_name,
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

RIGHT_TEXT = {
    "access": "ask for a copy of the personal data we hold about you",
    "rectification": "have inaccurate data corrected",
    "erasure": "have your data erased",
    "restriction": "ask us to restrict how we use it",
    "portability": "receive your data in a machine-readable format",
    "objection": "object to our use of it",
    "withdraw consent": "withdraw your consent at any time",
}


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


def sections(catalog: Catalog, subject: str) -> list[Section]:
    """The notice for one data subject type."""
    org = catalog.organization
    datasets = [ds for ds in catalog.datasets if subject in ds.subjects]
    name = label("data_subject", subject)
    out = [Section(f"Privacy notice for {name.lower()}s", (
        (f"{org.name} is the controller of the personal data described here. This notice says "
         "what we collect about you, why, who receives it, how long we keep it and what "
         "you can do about it.",),
    ), level=1)]

    out.append(Section("What we collect", items=tuple(
        (f"{ds.name}: " + ", ".join(label("data_category", c).lower() for c in ds.categories)
         + (" (special category data, with extra protection)"
            if any(is_special_category(c) for c in ds.categories) else ""),)
        for ds in datasets
    )))

    out.append(Section("Why we use it and on which legal basis", items=tuple(
        (f"{label('data_use', use.use)} ({ds.name.lower()}), based on "
         f"{PLAIN_BASES[use.legal_basis]}.",)
        + ((" You can opt out at any time: ", Link(use.opt_out, use.opt_out))
           if use.opt_out else ())
        for ds in datasets for use in ds.uses
    )))

    recipients = sorted({(r.name, r.country, r.safeguard, label("data_use", r.use))
                         for ds in datasets for r in ds.recipients})
    out.append(Section(
        "Who receives it and where it is kept",
        tuple((f"{ds.name}: {_kept_in(ds)}.",) for ds in datasets)
        + (() if recipients else (("We do not disclose this data to other organisations.",),)),
        tuple(
            (f"{n} ({country_name(c)}) for {use.lower()}"
             + ("" if safeguard == "adequacy" else f", protected by {SAFEGUARDS[safeguard]}")
             + ".",)
            for n, c, safeguard, use in recipients
        ),
    ))

    out.append(Section("How long we keep it", items=tuple(
        (f"{ds.name}: {_duration(ds.retention.days)}"
         + (f" ({ds.retention.basis})" if ds.retention.basis else "") + ".",)
        for ds in datasets
    )))

    bases = {u.legal_basis for ds in datasets for u in ds.uses}
    marketing = any(u.use.startswith("marketing") for ds in datasets for u in ds.uses)
    # Art. 21(2): objection to direct marketing is absolute, whatever the basis.
    rights = [r for r in RIGHT_TEXT if any(r in RIGHTS[b] for b in bases)
              or (r == "objection" and marketing)]
    opt_outs = sorted({u.opt_out for ds in datasets for u in ds.uses if u.opt_out})
    out.append(Section(
        "Your rights",
        (("You can " + "; ".join(RIGHT_TEXT[r] for r in rights) + ". Write to ",
          _mailto(org.contact), " and we will answer within one month."),)
        + tuple(("Opt out: ", Link(link, link)) for link in opt_outs),
    ))

    contact: list[Span] = ["Privacy questions: ", _mailto(org.contact), "."]
    if org.dpo:
        contact += [f" Our data protection officer, {org.dpo.name}: ", _mailto(org.dpo.email), "."]
    out.append(Section("Contact", (tuple(contact),)))

    out.extend(_jurisdictions(catalog, datasets))
    return out


def _duration(days: int) -> str:
    years, rest = divmod(days, 365)
    if years and rest <= years:  # 1095 = 3 years, 2555 = 7 years, 2190 = 6 years
        return f"{years} year{'s' * (years > 1)}"
    return f"{days} days"


def _jurisdictions(catalog: Catalog, datasets: Sequence[Dataset]) -> list[Section]:
    org = catalog.organization
    present = [j for j in JURISDICTION_NAMES if any(j in ds.jurisdictions for ds in datasets)]
    out = []
    for j in present:
        scoped = [ds for ds in datasets if j in ds.jurisdictions]
        title = f"If you are covered by the {JURISDICTION_NAMES[j]}"
        if j == "ccpa":
            sold = [(ds, u) for ds in scoped for u in ds.uses
                    if any(u.use == k or u.use.startswith(k + ".") for k in SELL_OR_SHARE)]
            if sold:
                first = next((u.opt_out for _, u in sold if u.opt_out), None)
                text: Text = ("We sell or share personal information for "
                              + ", ".join(sorted({label("data_use", u.use) for _, u in sold}))
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
                 "Write to ", _mailto(org.contact), "."),
            )
        elif j in ("gdpr", "uk_gdpr"):
            authority = ("the Information Commissioner's Office" if j == "uk_gdpr"
                         else "the supervisory authority where you live or work")
            paras = (("You have the right to complain to " + authority + ".",),)
            representative = org.representative_uk if j == "uk_gdpr" else org.representative
            if representative:
                where = "UK" if j == "uk_gdpr" else "EU"
                paras += ((f"Our {where} representative: {representative}.",),)
        elif j == "hipaa":
            paras = (("Health information about patients is also described in our HIPAA "
                      "Notice of Privacy Practices, which tells you how it may be used and "
                      "disclosed and how you can get access to it. Ask for a copy at ",
                      _mailto(org.contact), "."),)
        elif j == "pipeda":
            paras = (("You may complain to the Office of the Privacy Commissioner of Canada. "
                      "You can withdraw your consent, subject to legal or contractual "
                      "restrictions.",),)
        else:
            paras = (("You have the rights this law gives you; write to ",
                      _mailto(org.contact), " to use them."),)
        paras += (("This applies to: " + ", ".join(ds.name for ds in scoped) + ".",),)
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
