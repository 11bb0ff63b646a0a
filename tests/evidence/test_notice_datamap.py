"""The privacy notice (md, html) and the data map (json, mermaid, svg)."""

from __future__ import annotations

import json
from dataclasses import replace
from html.parser import HTMLParser

from guardian.catalog.model import AutomatedDecisions, Organization, Recipient
from guardian.evidence import datamap, notice
from tests.evidence.conftest import example_graph


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self._href = dict(attrs)["href"]

    def handle_data(self, data):
        self.text.append(data)
        if self._href:
            self.links.append((data, self._href))
            self._href = None


def part(md: str, subject: str) -> str:
    """One subject's notice out of the whole Markdown."""
    start = md.index(f"# Privacy notice for {subject}s")
    following = md.find("\n# Privacy notice for ", start + 1)
    return md[start:following if following > 0 else None]


def test_markdown_notice_per_subject(example_catalog):
    md = notice.to_markdown(example_catalog)
    headings = [line for line in md.splitlines() if line.startswith("# ")]
    assert headings == [f"# Privacy notice for {s}s" for s in
                        ("customer", "visitor", "prospect", "patient", "employee")]
    patient = part(md, "patient")
    assert "Pharmacy prescriptions: health and medical data" in patient
    assert "special category data" in patient
    assert "Pharmacy prescriptions: kept in United States." in patient  # the one country
    customer = part(md, "customer")
    # every country the residency allows, as allowed, not as where the data is
    assert ("Customer profiles: may be kept in France, Germany, Ireland, Italy, Spain or "
            "Sweden.") in customer
    assert ": kept in France" not in md
    assert "6 years (HIPAA documentation" in patient
    assert "have your data erased" not in patient  # legal obligation: no erasure right
    assert "Do Not Sell or Share My Personal Information: we do not sell" in customer
    assert "object to our use of it" not in customer  # said in its own section (Art. 21(4))
    assert "[https://acme-retail.example/unsubscribe](https://acme-retail.example/unsubscribe)" \
        in customer
    assert "Our UK representative: Acme Retail UK Representative Ltd" in customer
    assert "Office of the Privacy Commissioner of Canada" in customer
    assert "[dpo@acme-retail.example](mailto:dpo@acme-retail.example)" in customer


def test_processors_are_recipients_and_nobody_is_told_we_disclose_nothing(example_catalog):
    # Art. 4(9), 13(1)(e): a processor is a recipient; every store is on AWS
    md = notice.to_markdown(example_catalog)
    assert "We do not disclose" not in md
    for subject in ("customer", "visitor", "prospect", "patient", "employee"):
        assert "- Amazon Web Services, which hosts and stores it for us as our processor" in \
            part(md, subject)
    assert "Postbox Mail Inc. (United States), a processor acting on our instructions" in md
    assert "Stripe Payments Europe Ltd (Ireland), which uses it for its own purposes as a " \
        "controller" in md


def test_transfers_name_adequacy_or_the_safeguard_and_how_to_get_a_copy(example_catalog):
    customer = part(notice.to_markdown(example_catalog), "customer")
    assert ("For data under the EU GDPR, the transfer to United States rests on the European "
            "Commission's standard contractual clauses (GDPR Art. 46(2)(c)). You can ask for a "
            "copy at [privacy@acme-retail.example](mailto:privacy@acme-retail.example).") \
        in customer
    # UK data: the UK Addendum, never the EU SCCs alone
    assert ("For data under the UK GDPR, the transfer to United States rests on the UK "
            "Addendum to the EU standard contractual clauses (UK GDPR Art. 46).") in customer
    # Ireland is no transfer for EU data, a transfer on UK adequacy for UK data
    assert "transfer to Ireland rests on UK adequacy regulations (UK GDPR Art. 45)" in customer
    assert "the transfer to Ireland rests on an adequacy" not in customer
    eu_only = replace(example_catalog, datasets=tuple(
        replace(ds, recipients=tuple(replace(r, safeguard_uk=None) for r in ds.recipients))
        for ds in example_catalog.datasets))
    uk = part(notice.to_markdown(eu_only), "customer")
    assert "For data under the UK GDPR, the transfer to United States rests on no UK " \
        "safeguard recorded: EU standard contractual clauses alone are not valid" in uk
    unsafe = replace(example_catalog, datasets=tuple(
        replace(ds, recipients=tuple(replace(r, safeguard="none", safeguard_uk=None)
                                     for r in ds.recipients))
        for ds in example_catalog.datasets))
    text = notice.to_markdown(unsafe)
    assert "protected by no safeguard" not in text
    assert "rests on no adequacy decision (it is not certified under the Data Privacy " \
        "Framework) and no safeguard" in text
    dpf = replace(example_catalog, datasets=tuple(
        replace(ds, recipients=tuple(replace(r, safeguard="adequacy", safeguard_uk=None,
                                             dpf_certified=True) for r in ds.recipients))
        for ds in example_catalog.datasets))
    assert "rests on the EU-US Data Privacy Framework, under which the recipient is " \
        "certified" in notice.to_markdown(dpf)


def test_legitimate_interests_source_requirement_and_automated_decisions(example_catalog):
    md = notice.to_markdown(example_catalog)
    customer = part(md, "customer")
    # Art. 13(1)(d): the interests themselves
    assert ("Essential for support improvement (Support tickets), based on our legitimate "
            "interests, balanced against yours. Our interest: Reviewing past conversations to "
            "train our support agents and improve our answers.") in customer
    # Art. 21(4): the right to object, explicitly and apart
    objection = customer[customer.index("## Your right to object"):]
    assert "You can object at any time to our use of Support tickets" in objection
    assert "You can object at any time to direct marketing (Marketing engagement); we then " \
        "stop, without exception (Art. 21(2), (3))." in objection
    # Art. 13(2)(e): required or not, and the consequence
    assert "- In-store location pings: Giving it to us is up to you. If you do not: You simply " \
        "do not get offers at the shelf." in customer
    # Art. 13(2)(f): said only where the catalog says so for every dataset
    assert "We make no decisions about you based solely on automated processing" in customer
    assert "## Automated decisions" not in part(md, "patient")  # the catalog does not say
    # Art. 14(2)(f): the source of data not obtained from the person
    assert "We receive it from the prescribing doctor or clinic." in part(md, "patient")
    decided = replace(example_catalog, datasets=tuple(
        replace(ds, automated_decisions=AutomatedDecisions(
            True, "a score from past purchases", "a credit limit", profiling=True))
        if ds.id == "orders_payments" else ds for ds in example_catalog.datasets))
    text = part(notice.to_markdown(decided), "customer")
    assert ("Orders and payment data: we make decisions about you by automated means, including "
            "profiling. How: a score from past purchases. What it means for you: a credit "
            "limit.") in text


def test_rights_match_what_erasure_does(example_catalog):
    employee = part(notice.to_markdown(example_catalog), "employee")
    assert "have your data erased" not in employee  # the legal hold: erasure always skips it
    assert ("Employee HR records: we keep this under a legal hold (Employment and tax law), so "
            "we cannot erase it while the hold lasts; if you ask, we tell you why, and you can "
            "complain to a supervisory authority.") in employee


def test_ccpa_speaks_only_of_data_it_covers_and_hipaa_states_npp_rights(example_catalog):
    md = notice.to_markdown(example_catalog)
    patient = part(md, "patient")
    assert "CCPA" not in patient  # PHI governed by HIPAA is exempt (Civ. Code 1798.146)
    for right in ("ask us to restrict how we use or disclose your health information",
                  "ask us to contact you confidentially", "inspect and get a copy",
                  "ask us to amend your health information", "receive an accounting of "
                  "certain disclosures", "get a paper copy of our Notice of Privacy Practices"):
        assert right in patient  # 45 CFR 164.520(b)(1)(iv)
    assert "or to the Secretary of the US Department of Health and Human Services" in patient
    mixed = replace(example_catalog, datasets=tuple(
        replace(ds, subjects=("customer",)) if ds.id == "pharmacy_prescriptions" else ds
        for ds in example_catalog.datasets))
    ccpa = part(notice.to_markdown(mixed), "customer")
    ccpa = ccpa[ccpa.index("## If you are covered by the California CCPA/CPRA"):]
    ccpa = ccpa[:ccpa.index("\n## ", 5)]
    assert "This applies to: Customer profiles, Orders and payment data, Marketing " \
        "engagement, Support tickets." in ccpa
    assert "Not covered: Pharmacy prescriptions, health information governed by HIPAA " \
        "(Cal. Civ. Code 1798.146)." in ccpa


def test_taxonomy_keys_read_as_words(example_catalog):
    md = notice.to_markdown(example_catalog)
    assert "user contact email" not in md.lower() and "contact email" in md
    assert "Customer profiles: name, contact email, contact phone number, contact address." \
        in md


def test_selling_or_sharing_gets_the_opt_out_link(example_catalog):
    ds = example_catalog.dataset("marketing_engagement")
    ads = replace(ds.uses[0], use="marketing.advertising.third_party.targeted",
                  opt_out="https://acme-retail.example/do-not-sell")
    cat = replace(example_catalog, datasets=(replace(ds, uses=(ads,)),))
    md = notice.to_markdown(cat)
    assert ("[Do Not Sell or Share My Personal Information]"
            "(https://acme-retail.example/do-not-sell)") in md
    assert "we do not sell" not in md


def test_html_notice_escapes_and_links(example_catalog):
    org = Organization('Acme <script>alert("x")</script> & Co', "privacy@acme-retail.example")
    cat = replace(example_catalog, organization=org)
    page = notice.to_html(cat)
    assert "<script>" not in page and "&lt;script&gt;" in page
    parser = _Text()
    parser.feed(page)
    text = "".join(parser.text)
    assert 'Acme <script>alert("x")</script> & Co is the controller' in text
    assert "script" not in parser.tags
    assert parser.tags.count("article") == 5
    assert ("https://acme-retail.example/privacy/location",
            "https://acme-retail.example/privacy/location") in parser.links
    assert ("privacy@acme-retail.example", "mailto:privacy@acme-retail.example") in parser.links


def test_datamap_json_flags(example_catalog, graph):
    data = json.loads(json.dumps(datamap.build(example_catalog, graph)))
    by = {d["id"]: d for d in data["datasets"]}
    assert by["pharmacy_prescriptions"]["special_categories"] == ["user.health_and_medical"]
    assert by["customer_profiles"]["special_categories"] == []
    stores = {s["name"]: s for s in by["customer_profiles"]["stores"]}
    assert stores["acme-customer-profiles"] == {
        "kind": "s3", "name": "acme-customer-profiles", "deployed": True, "declared": True,
        "region": "eu-west-1", "country": "IE", "in_residency": True,
        "outside_adequacy": False}
    assert by["employee_records"]["stores"][0]["deployed"] is False
    mail = by["customer_profiles"]["uses"][1]
    assert mail["roles"] == ["notifications-service"]
    assert mail["recipients"] == [{
        "name": "Postbox Mail Inc.", "country": "US", "safeguard": "scc", "role": "processor",
        "transfer": True, "transfers": {
            "gdpr": "the European Commission's standard contractual clauses (GDPR Art. "
                    "46(2)(c))",
            "uk_gdpr": "the UK Addendum to the EU standard contractual clauses (UK GDPR Art. "
                       "46)"},
        "outside_adequacy": True}]
    # Ireland: no transfer for EU GDPR data; for UK GDPR data one, on UK adequacy regulations
    stripe = by["orders_payments"]["uses"][0]["recipients"][0]
    assert stripe["transfers"] == {"uk_gdpr": "UK adequacy regulations (UK GDPR Art. 45)"}
    assert (stripe["transfer"], stripe["outside_adequacy"]) == (True, False)


def test_store_outside_adequacy_is_flagged(example_catalog):
    g = example_graph()
    moved = [replace(r, region="sa-east-1") if r.name.startswith("acme-location-pings") else r
             for r in g]
    g2 = type(g)(moved, g.source)
    (store,) = datamap.build(example_catalog, g2)["datasets"][2]["stores"]
    assert (store["region"], store["outside_adequacy"], store["in_residency"]) == (
        "sa-east-1", True, False)
    mermaid = datamap.to_mermaid(datamap.build(example_catalog, g2))
    assert '[("s3 acme-location-pings<br/>sa-east-1 (BR)")]:::outside' in mermaid


def test_mermaid_marks_special_and_transfers(example_catalog, graph):
    text = datamap.to_mermaid(datamap.build(example_catalog, graph))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert any(line.startswith("  classDef special ") for line in lines)
    assert ('  ds_pharmacy_prescriptions["Pharmacy prescriptions<br/>restricted<br/>'
            'special category"]:::special') in lines
    assert ("  role_customer_profiles_notifications_service_essential_service_notifications_email"
            " -.->|standard contractual clauses| rcp_Postbox_Mail_Inc__US") in lines
    assert ("  role_orders_payments_checkout_service_essential_service_payment_processing"
            " -->|adequacy decision| rcp_Stripe_Payments_Europe_Ltd_IE") in lines
    assert '[("s3 acme-employee-records<br/>not deployed")]:::missing' in text
    # every edge joins declared nodes
    ids = {line.split("[")[0].split("(")[0].split("{")[0].strip() for line in lines
           if ":::" in line}
    for line in lines:
        if "-->" in line or "-.->" in line:
            parts = line.split()
            assert parts[0] in ids and parts[-1] in ids


def test_mermaid_escapes_labels(example_catalog, graph):
    ds = example_catalog.dataset("orders_payments")
    odd = replace(ds, name='Orders "quoted" | piped <b>',
                  recipients=(Recipient("Pay|Co", ds.uses[0].use, "IE", "adequacy"),))
    text = datamap.to_mermaid(datamap.build(replace(example_catalog, datasets=(odd,)), graph))
    assert 'Orders #quot;quoted#quot; #124; piped &lt;b&gt;' in text
    assert "Pay#124;Co" in text


def test_svg_is_well_formed(example_catalog, graph):
    from xml.etree import ElementTree

    svg = datamap.to_svg(datamap.build(example_catalog, graph))
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "Postbox Mail Inc." in texts and "us-east-1 (US)" in texts
    assert len(root.findall(f"{ns}g")) == len(datamap.diagram(
        datamap.build(example_catalog, graph))[0])
