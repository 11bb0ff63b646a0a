"""Every evidence and export command says what it does, and every choice option its default."""

from __future__ import annotations

import argparse

import pytest

from guardian.cli import build_parser

COMMANDS = [("report",), ("evidence",), ("evidence", "verify"), ("erase",),
            *(("export", what) for what in ("ropa", "notice", "datamap", "oscal", "fides",
                                            "bundle", "tfplan"))]


def command(path: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return parser


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_commands_have_a_description_and_choices_say_their_default(path):
    parser = command(path)
    assert parser.description and len(parser.description) > 40, path
    assert parser.description.strip().endswith(".")
    choices = [a for a in parser._actions if a.choices and a.option_strings]
    for action in choices:
        assert action.help and f"(default: {action.default})" in action.help, \
            (path, action.option_strings, action.help)


def test_the_formats_are_all_covered():
    formats = {path: next((a for a in command(path)._actions if "--format" in a.option_strings),
                          None) for path in COMMANDS}
    assert {p for p, a in formats.items() if a is not None} == {
        ("erase",), ("export", "ropa"), ("export", "notice"), ("export", "datamap")}
