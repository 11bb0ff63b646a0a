"""Errors that are the user's to fix: the CLI prints them and exits 2, never a traceback."""


class UserError(Exception):
    """A mistake in the user's input: reported, exit 2."""


def unknown_choice(what: str, value: str, choices: list[str]) -> UserError:
    """"`what` 'value' is not in the catalog", with the closest choices and all of them."""
    import difflib

    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return UserError(f"{what} {value!r} is not in the catalog; {hint}known: {', '.join(choices)}")
