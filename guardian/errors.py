"""Errors that are the user's to fix: the CLI prints them and exits 2, never a traceback."""

import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable


class UserError(Exception):
    """A mistake in the user's input: reported, exit 2."""


def closest(word: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The choices that look most like a mistyped word, for "did you mean ...?"."""
    return difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)


def typo_finder(choices: Iterable[str]) -> Callable[[str], str | None]:
    """`closest` for many words against one large set of choices: only choices within two
    edits (a typo) are compared, found through an index of their one-character deletions, so
    each look-up costs the word's length, not the number of choices."""
    index: dict[str, set[str]] = defaultdict(set)
    for choice in choices:
        for variant in _deletions(choice):
            index[variant].add(choice)

    def find(word: str) -> str | None:
        near = {c for v in _deletions(word) for c in index.get(v, ())}
        found = closest(word, sorted(near))
        return found[0] if found else None

    return find


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


def unknown_choice(what: str, value: str, choices: list[str]) -> UserError:
    """"`what` 'value' is not in the catalog", with the closest choices and all of them."""
    close = closest(value, choices, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return UserError(f"{what} {value!r} is not in the catalog; {hint}known: {', '.join(choices)}")
