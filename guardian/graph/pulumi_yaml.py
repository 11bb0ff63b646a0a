"""Pulumi's own YAML files (Pulumi.yaml, Pulumi.<stack>.yaml), read as bounded files.

A module of its own, so that reading a project's settings (the gate's rule selection) does not
load the synthesis engine: a check of a graph file never runs a program.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from guardian.errors import UserError
from guardian.io import MiB, read_text

MAX_YAML = MiB  # Pulumi.yaml and Pulumi.<stack>.yaml hold a few settings


def read_yaml(path: Path) -> Any:
    """The file's YAML document; a UserError naming the file (and line) when it is not YAML."""
    try:
        return YAML(typ="safe").load(read_text(path, "a Pulumi YAML file", limit=MAX_YAML))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise UserError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 5,000 digits
        raise UserError(f"{path}: not valid YAML: {exc}") from None
