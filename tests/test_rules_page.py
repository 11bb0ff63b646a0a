"""The rules page (docs/rules.md) is generated from the rules' own metadata and examples:
it must equal `guardian rules --format page`, and each rule's anchor must be where SARIF's
helpUri points."""

from __future__ import annotations

import re

from guardian.policies.rules import RULES

from guardian.cli import main
from guardian.report.rules_page import page
from guardian.report.sarif import help_uri
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "rules.md"


def test_the_rules_page_is_generated_from_the_rules() -> None:
    assert PAGE.read_text(encoding="utf-8") == page(RULES), (
        "docs/rules.md is stale: run `guardian rules --format page > docs/rules.md`")


def test_every_rule_has_the_anchor_its_help_uri_names(capsys) -> None:
    text = PAGE.read_text(encoding="utf-8")
    # GitHub's anchor for a heading: lower case, spaces to hyphens, punctuation dropped
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", text, re.M)}
    for rule in RULES:
        anchor = help_uri(rule, "https://example.test/docs/rules.md").split("#")[1]
        assert anchor in anchors, rule.id
        section = text.split(f"### {rule.id}\n", 1)[1].split("\n### ", 1)[0]
        for part in (rule.title, rule.rationale, rule.remediation, *rule.references):
            assert part in section, (rule.id, part)
    assert main(["rules", "--format", "page"]) == 0
    assert capsys.readouterr().out == text
