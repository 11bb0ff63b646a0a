"""Errors that are the user's to fix: the CLI prints them and exits 2, never a traceback."""


class UserError(Exception):
    """A mistake in the user's input: reported, exit 2."""
