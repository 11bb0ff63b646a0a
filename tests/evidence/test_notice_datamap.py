"""The privacy notice (md, html) and the data map (json, mermaid, svg)."""

from __future__ import annotations

import json
from dataclasses import replace
from html.parser import HTMLParser

from guardian.catalog.model import Organization, Recipient
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


def test_markdown_notice_per_subject(example_catalog):
    md = notice.to_markdown(example_catalog)
    headings = [line for line in md.splitlines() if line.startswith("# ")]
    assert headings == [f"# Privacy notice for {s}s" for s in
                        ("customer", "visitor", "prospect", "patient", "employee")]
    patient = md[md.index("# Privacy notice for patients"):md.index("# Privacy notice for emp")]
    assert "Pharmacy prescriptions: health and medical data" in patient
    assert "special category data" in patient
    assert "HIPAA Notice of Privacy Practices" in patient
    assert "Pharmacy prescriptions: kept in United States." in patient  # the one country
    customer_part = md[:md.index("# Privacy notice for visitors")]
    # every country the residency allows, as allowed, not as where the data is
    assert ("Customer profiles: may be kept in France, Germany, Ireland, Italy, Spain or "
            "Sweden.") in customer_part
    assert ": kept in France" not in md
    assert "6 years (HIPAA documentation" in patient
    assert "have your data erased" not in patient  # legal obligation: no erasure right
    customer = md[:md.index("# Privacy notice for visitors")]
    assert "Do Not Sell or Share My Personal Information: we do not sell" in customer
    assert "Postbox Mail Inc. (United States) for essential email service notifications, " \
        "protected by standard contractual clauses." in customer
    assert "object to our use of it" in customer  # marketing: Art. 21(2)
    assert "[https://acme-retail.example/unsubscribe](https://acme-retail.example/unsubscribe)" \
        in customer
    assert "Our UK representative: Acme Retail UK Representative Ltd" in customer
    assert "Office of the Privacy Commissioner of Canada" in customer
    assert "[dpo@acme-retail.example](mailto:dpo@acme-retail.example)" in customer


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
    assert mail["recipients"] == [{"name": "Postbox Mail Inc.", "country": "US",
                                   "safeguard": "scc", "transfer": True,
                                   "outside_adequacy": True}]
    stripe = by["orders_payments"]["uses"][0]["recipients"][0]
    assert (stripe["transfer"], stripe["outside_adequacy"]) == (False, False)


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
