"""Errors that are the user's to fix: the CLI prints them and exits 2, never a traceback."""

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """A mistake in the user's input: reported, exit 2."""


def closest(word: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The choices that look most like a mistyped word, for "did you mean ...?"."""
    return difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)


def unknown_choice(what: str, value: str, choices: list[str]) -> UserError:
    """"`what` 'value' is not in the catalog", with the closest choices and all of them."""
    close = closest(value, choices, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return UserError(f"{what} {value!r} is not in the catalog; {hint}known: {', '.join(choices)}")
